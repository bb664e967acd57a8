// Run metrics (seed 000 §3.4.7): labels from metadata, PCA 10 on train + val, the metrics JSON
// of a run, metrics per epoch in training, and the reference runs in a project.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace embedscope;

namespace {

/// Four 1-D samples: group A at 0 and 2, group B at 10 and 12 (a hand-computable layout).
Dataset fourSamples() {
    Dataset d;
    d.name = "four";
    d.sampleShape = {1};
    d.values = {0, 2, 10, 12};
    d.metadata.addStrings("group", {"A", "A", "B", "B"});
    d.metadata.addStrings("substance", {"none", "none", "S", "S"});
    d.metadata.addNumbers("dose", {0, 0, 1, 1});
    return d;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

class TestRunMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handComputedMetricsThroughPca() {
        const Dataset d = fourSamples();
        const MetricLabels labels = metricLabelsOf(d);
        const MetricOptions options = availableMetrics(labels, false);
        QVERIFY(options.doseResponse); // dose 0 rows exist
        QVERIFY(!options.f1);          // no indication column
        const MetricValues v =
            evaluateEmbedding({0, 2, 10, 12}, 4, 1, d, labels, options, JobContext());
        // WSS = 1 + 1 + 1 + 1 = 4; TSS around 6: 36 + 16 + 16 + 36 = 104. PCA is a rotation.
        QCOMPARE_LT(std::abs(v.wssTss - 4.0 / 104.0), 1e-12);
        // Davies-Bouldin: s_A = s_B = 1, centroids 10 apart: (1 + 1) / 10.
        QCOMPARE_LT(std::abs(v.daviesBouldin - 0.2), 1e-12);
        // Every point's nearest neighbour is its group mate.
        QCOMPARE(v.pnn, 100.0);
        QCOMPARE(v.nSamples, std::size_t(4));
        QCOMPARE(v.nGroups, std::size_t(2));

        // Rows of a test split take no part (seed §3.4.7: PCA and metrics on train + val).
        Dataset withTest;
        withTest.name = "six";
        withTest.sampleShape = {1};
        withTest.values = {0, 2, 10, 12, 100, 300};
        withTest.metadata.addStrings("group", {"A", "A", "B", "B", "A", "B"});
        withTest.metadata.addStrings("split", {"train", "val", "train", "val", "test", "test"});
        const MetricLabels sixLabels = metricLabelsOf(withTest);
        const MetricValues six =
            evaluateEmbedding({0, 2, 10, 12, 100, 300}, 6, 1, withTest, sixLabels,
                              availableMetrics(sixLabels, false), JobContext());
        QCOMPARE_LT(std::abs(six.wssTss - 4.0 / 104.0), 1e-12);
        QCOMPARE(six.nSamples, std::size_t(4));
    }

    void labelErrorsNameTheProblem() {
        Dataset d = fourSamples();
        Dataset noGroup = d;
        noGroup.metadata = MetadataTable();
        noGroup.metadata.addStrings("animal", {"a", "b", "c", "d"});
        try {
            metricLabelsOf(noGroup);
            QFAIL("no DataError");
        } catch (const DataError& e) {
            QVERIFY2(contains(e.what(), "'four'") && contains(e.what(), "'group'"), e.what());
        }
        d.metadata.addStrings("dose", {"0", "0", "two", "1"});
        try {
            metricLabelsOf(d);
            QFAIL("no DataError");
        } catch (const DataError& e) {
            QVERIFY2(contains(e.what(), "row 2") && contains(e.what(), "two"), e.what());
        }
        // No control (dose 0): DR is switched off rather than failing.
        Dataset noControl = fourSamples();
        noControl.metadata.addNumbers("dose", {1, 1, 2, 2});
        QVERIFY(!availableMetrics(metricLabelsOf(noControl), true).doseResponse);
        // An embedding of the wrong size.
        QVERIFY_THROWS_EXCEPTION(DataError, evaluateEmbedding({0, 1, 2}, 3, 1, fourSamples(),
                                                              metricLabelsOf(fourSamples()),
                                                              MetricOptions(), JobContext()));
    }

    void metricsJsonRoundTrip() {
        RunMetrics m;
        MetricValues first;
        first.wssTss = 0.5;
        m.appendEpoch(first);
        MetricValues second;
        second.wssTss = 0.25;
        second.pnn = 80; // first seen at epoch 2: epoch 1 padded with NaN
        m.appendEpoch(second);
        m.best = {{"wss_tss", 0.25}, {"dr", NAN}};
        m.error = "metrics: need at least two groups, got 1";
        const RunMetrics back = parseRunMetrics(toJson(m));
        QCOMPARE(back.error, m.error);
        QCOMPARE(back.perEpoch.at("wss_tss"), (std::vector<double>{0.5, 0.25}));
        QCOMPARE(back.perEpoch.at("pnn3").size(), std::size_t(2));
        QVERIFY(std::isnan(back.perEpoch.at("pnn3")[0]));
        QCOMPARE(back.perEpoch.at("pnn3")[1], 80.0);
        QCOMPARE(back.bestValue("wss_tss"), 0.25);
        QVERIFY(std::isnan(back.bestValue("dr")));       // NaN went out as null
        QVERIFY(std::isnan(back.bestValue("f1_micro"))); // absent
        QVERIFY(parseRunMetrics("not json").empty());
        QVERIFY(parseRunMetrics("{}").empty());
        QVERIFY(parseRunMetrics(R"({"epochs": 3, "best": []})").empty());
    }

    void childContextMapsProgressAndSharesCancel() {
        std::vector<double> seen;
        JobContext parent([&](const Progress& p) { seen.push_back(p.fraction); });
        const JobContext child(parent, 0.5, 0.75);
        child.report(0.0, "start");
        child.report(1.0, "end");
        QCOMPARE(seen, (std::vector<double>{0.5, 0.75}));
        QVERIFY(!child.cancelRequested());
        parent.requestCancel();
        QVERIFY(child.cancelRequested());
        QVERIFY_THROWS_EXCEPTION(CancelledError, child.throwIfCancelled());
    }

    void trainingRecordsMetricsPerEpochAndReferencesJoinTheProject() {
        OpenFieldParams p;
        p.substances = 2;
        p.doses = 1;
        p.animalsPerGroup = 8;
        p.minutes = 1.0;
        p.seed = 11;
        const Dataset data = simulateOpenField(p);
        TrainConfig cfg = parseTrainConfig(
            R"({"model_params": {"channels": 8, "embedding_dim": 4}, "batch_size": 8,
                "device": "cpu", "epochs": 3, "threads": 1})",
            {});
        std::vector<std::size_t> reported;
        TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochReport& r) { reported.push_back(r.metrics.size()); };
        const RunRecord run = train(data, cfg, JobContext(), callbacks);
        const RunMetrics m = parseRunMetrics(run.metricsJson);
        QVERIFY2(!contains(run.metricsJson, "\"error\""), run.metricsJson.c_str());
        for (const char* key : {"wss_tss", "ga_wss_tss", "pnn3", "dr", "davies_bouldin"}) {
            QVERIFY2(m.perEpoch.count(key), key);
            QCOMPARE(m.perEpoch.at(key).size(), std::size_t(3));
            QVERIFY(std::isfinite(m.bestValue(key)));
        }
        // Only the best checkpoint trains the classifier; the demo labels have indications.
        QVERIFY(!m.perEpoch.count("f1_micro"));
        QVERIFY(m.bestValue("f1_micro") >= 0 && m.bestValue("f1_micro") <= 1);
        QCOMPARE(reported, (std::vector<std::size_t>{5, 5, 5}));
        // The best-checkpoint values are those of the best epoch's curve (same weights).
        QCOMPARE_LT(
            std::abs(m.bestValue("wss_tss") - m.perEpoch.at("wss_tss")[std::size_t(run.bestEpoch)]),
            1e-9);

        QTemporaryDir dir;
        ProjectFile project = ProjectFile::openOrCreate(dir.filePath("p.h5").toStdString());
        project.writeDataset(data);
        const auto names = addReferenceRuns(project, data.name, cfg);
        QCOMPARE(names, (std::vector<std::string>{"untrained-001", "manual-001"}));
        const auto refs = latestReferenceRuns(project, data.name);
        QCOMPARE(refs.size(), std::size_t(2));
        QCOMPARE(runKind(refs.at("untrained")), std::string("untrained"));
        QCOMPARE(runKind(refs.at("manual")), std::string("manual"));
        for (const auto& [kind, r] : refs) {
            const RunMetrics rm = parseRunMetrics(r.metricsJson);
            QVERIFY2(std::isfinite(rm.bestValue("wss_tss")), kind.c_str());
            QVERIFY2(std::isfinite(rm.bestValue("f1_micro")), kind.c_str());
        }
        // The untrained run holds one epoch: its initial weights.
        QCOMPARE(parseRunMetrics(refs.at("untrained").metricsJson).perEpoch.at("pnn3").size(),
                 std::size_t(1));
        QCOMPARE(runKind(run), std::string("trained"));
    }
};

QTEST_GUILESS_MAIN(TestRunMetrics)
#include "test_run_metrics.moc"
