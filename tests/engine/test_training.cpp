// Training end to end on a small synthetic trajectory set: learning, best epoch, embedding,
// determinism, cancellation, re-embedding and bad data.
#include "embedscope/engine/error.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace embedscope;

namespace {

constexpr int kGroups = 4;
constexpr int kPerGroup = 12;
constexpr int64_t kSteps = 512;

/// 4 groups x 12 trajectories (3, 512): groups differ in circling frequency, drift and rearing
/// rate; noise on top. Every 4th trajectory of a group is "val" (36 train, 12 val).
Dataset syntheticTrajectories(int64_t steps = kSteps) {
    Dataset d;
    d.name = "synthetic";
    d.sampleShape = {3, steps};
    std::mt19937 rng(11);
    std::normal_distribution<float> noise(0.0f, 0.15f);
    std::uniform_real_distribution<float> phase(0.0f, 6.28f);
    std::vector<std::string> group, split;
    for (int g = 0; g < kGroups; ++g) {
        for (int a = 0; a < kPerGroup; ++a) {
            const float f = 0.004f * float(1 + 2 * g), p = phase(rng);
            const float drift = 0.3f * float(g % 2 ? 1 : -1);
            std::vector<float> x(steps), y(steps), z(steps);
            for (int64_t t = 0; t < steps; ++t) {
                const float s = float(t) / float(steps);
                x[t] = std::clamp(0.6f * std::sin(6.2832f * f * t + p) + drift * s + noise(rng),
                                  -0.99f, 0.99f);
                y[t] = std::clamp(0.6f * std::cos(6.2832f * f * t + p) + noise(rng), -0.99f, 0.99f);
                z[t] = std::sin(0.05f * t + p) > 1.0f - 0.4f * float(g) ? 1.0f : 0.0f;
            }
            for (const auto* row : {&x, &y, &z})
                d.values.insert(d.values.end(), row->begin(), row->end());
            group.push_back("G" + std::to_string(g));
            split.push_back(a % 4 == 3 ? "val" : "train");
        }
    }
    d.metadata.addStrings("group", group);
    d.metadata.addStrings("split", split);
    return d;
}

TrainConfig smallConfig(int epochs = 8) {
    return parseTrainConfig(R"({"model_params": {"channels": 16, "embedding_dim": 4},
                               "epochs": 8, "batch_size": 8, "learning_rate": 0.01,
                               "seed": 5, "device": "cpu"})",
                            {"epochs=" + std::to_string(epochs)});
}

bool allFinite(const std::vector<float>& v) {
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

template <typename F> std::string dataErrorOf(F&& f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return "(no DataError)";
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void learnsAndKeepsTheBestEpoch() {
        const Dataset data = syntheticTrajectories();
        // Adam moves each weight by ~lr per step: lr 1e-9 leaves the net as initialised.
        TrainConfig untrainedCfg = smallConfig(1);
        untrainedCfg.learningRate = 1e-9;
        const double untrained = train(data, untrainedCfg, JobContext()).valLoss.at(0);

        std::vector<EpochReport> reports;
        TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochReport& r) { reports.push_back(r); };
        const RunRecord run = train(data, smallConfig(), JobContext(), callbacks);
        QCOMPARE(run.status, std::string("finished"));
        QCOMPARE(run.trainLoss.size(), std::size_t(8));
        QCOMPARE(run.valLoss.size(), std::size_t(8));
        QCOMPARE(reports.size(), std::size_t(8));
        const auto best = std::min_element(run.valLoss.begin(), run.valLoss.end());
        QCOMPARE(run.bestEpoch, int(best - run.valLoss.begin()));
        qInfo("untrained val loss %.3f, epoch 1 %.3f, best %.3f (epoch %d)", untrained,
              run.valLoss[0], *best, run.bestEpoch + 1);
        QVERIFY2(*best < untrained - 0.3, "val loss did not drop clearly below the untrained one");
        QVERIFY(run.trainLoss.back() < run.trainLoss.front());

        QCOMPARE(run.embeddingRows, data.sampleCount());
        QCOMPARE(run.embeddingCols, std::size_t(4));
        QCOMPARE(run.embedding.size(), run.embeddingRows * run.embeddingCols);
        QVERIFY(allFinite(run.embedding));
        QVERIFY(!run.checkpoint.empty());
        QVERIFY(run.configJson.find("\"input_shape\"") != std::string::npos);
        QVERIFY(!run.versions.libtorch.empty() && !run.versions.hdf5.empty());
        QCOMPARE(run.createdUtc.back(), 'Z');
        QCOMPARE(run.datasetName, std::string("synthetic"));

        // Re-embedding with the saved weights reproduces the run's embedding.
        std::size_t cols = 0;
        const auto again = embedWithRun(run, data, JobContext(), &cols);
        QCOMPARE(cols, run.embeddingCols);
        QCOMPARE(again.size(), run.embedding.size());
        for (std::size_t i = 0; i < again.size(); ++i)
            QVERIFY(std::abs(again[i] - run.embedding[i]) < 1e-5f);
        const std::string m =
            dataErrorOf([&] { embedWithRun(run, syntheticTrajectories(256), JobContext()); });
        QVERIFY2(m.find("(3, 256)") != std::string::npos && m.find("(3, 512)") != std::string::npos,
                 m.c_str());
    }

    void deterministicForASeed() {
        const Dataset data = syntheticTrajectories();
        const RunRecord a = train(data, smallConfig(2), JobContext());
        const RunRecord b = train(data, smallConfig(2), JobContext());
        QCOMPARE(a.trainLoss, b.trainLoss);
        QCOMPARE(a.valLoss, b.valLoss);
        QVERIFY(a.embedding == b.embedding);
        TrainConfig other = smallConfig(2);
        other.seed = 6;
        QVERIFY(train(data, other, JobContext()).trainLoss != a.trainLoss);
    }

    void cancelStopsWithinABatch() {
        const Dataset data = syntheticTrajectories();
        JobContext ctx;
        int batches = 0;
        ctx.setProgressCallback([&](const Progress& p) {
            QVERIFY(p.fraction >= 0 && p.fraction <= 1);
            if (p.stage.find("batch") != std::string::npos && ++batches == 3)
                ctx.requestCancel();
        });
        bool cancelled = false;
        try {
            train(data, smallConfig(), ctx);
        } catch (const CancelledError&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY2(batches <= 4, qPrintable(QString("%1 batches ran").arg(batches)));

        // Nothing finished yet: keepPartialOnCancel still throws.
        JobContext early;
        early.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, train(data, smallConfig(), early, {}, true));
    }

    void keepPartialOnCancel() {
        const Dataset data = syntheticTrajectories();
        JobContext ctx;
        TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochReport& r) {
            if (r.epoch == 1)
                ctx.requestCancel();
        };
        const RunRecord run = train(data, smallConfig(), ctx, callbacks, true);
        QCOMPARE(run.status, std::string("cancelled"));
        QCOMPARE(run.trainLoss.size(), std::size_t(2));
        QCOMPARE(run.embeddingRows, data.sampleCount());
        QVERIFY(allFinite(run.embedding));
    }

    void withoutSplitColumnEverythingTrains() {
        Dataset data = syntheticTrajectories();
        MetadataTable only;
        only.setColumn(data.metadata.column("group"));
        data.metadata = only;
        const RunRecord run = train(data, smallConfig(2), JobContext());
        QVERIFY(std::isnan(run.valLoss[0]) && std::isnan(run.valLoss[1]));
        const auto best = std::min_element(run.trainLoss.begin(), run.trainLoss.end());
        QCOMPARE(run.bestEpoch, int(best - run.trainLoss.begin()));
    }

    void loneSamplesAndOtherLossesStayFinite() {
        // A train sample alone in its group is paired with itself (a duplicate the loss skips);
        // cosine similarity and a projection head go through the same loop.
        Dataset data = syntheticTrajectories();
        std::vector<std::string> groups = data.metadata.column("group").strings;
        groups[0] = "solo";
        data.metadata.addStrings("group", groups);
        TrainConfig cfg = smallConfig(2);
        cfg.lossChoices["similarity"] = "cosine";
        cfg.modelParams["projection_dim"] = 3;
        const RunRecord run = train(data, cfg, JobContext());
        QVERIFY(std::isfinite(run.trainLoss[0]) && std::isfinite(run.trainLoss[1]));
        QCOMPARE(run.embeddingCols, std::size_t(4)); // z, not h(z)
        QVERIFY(allFinite(run.embedding));
    }

    void signalsAreOneChannel() {
        // A (T) signal trains as (1, T); numeric group labels work too.
        Dataset data = syntheticTrajectories();
        Dataset signal;
        signal.name = "signal";
        signal.kind = DataKind::Signal;
        signal.sampleShape = {kSteps};
        std::vector<double> groups;
        for (std::size_t i = 0; i < data.sampleCount(); ++i) {
            signal.values.insert(signal.values.end(), data.sample(i), data.sample(i) + kSteps);
            groups.push_back(double(i / kPerGroup));
        }
        signal.metadata.addNumbers("group", groups);
        const RunRecord run = train(signal, smallConfig(1), JobContext());
        QCOMPARE(run.embeddingRows, data.sampleCount());
    }

    void badDataThrows() {
        const Dataset good = syntheticTrajectories();
        Dataset oneGroup = good;
        oneGroup.metadata.addStrings("group", std::vector<std::string>(good.sampleCount(), "A"));
        std::string m = dataErrorOf([&] { train(oneGroup, smallConfig(1), JobContext()); });
        QVERIFY2(m.find("group") != std::string::npos, m.c_str());

        Dataset loners = good;
        std::vector<std::string> unique;
        for (std::size_t i = 0; i < good.sampleCount(); ++i)
            unique.push_back("g" + std::to_string(i));
        loners.metadata.addStrings("group", unique);
        m = dataErrorOf([&] { train(loners, smallConfig(1), JobContext()); });
        QVERIFY2(m.find("positive") != std::string::npos, m.c_str());

        Dataset noTrain = good;
        noTrain.metadata.addStrings("split", std::vector<std::string>(good.sampleCount(), "val"));
        m = dataErrorOf([&] { train(noTrain, smallConfig(1), JobContext()); });
        QVERIFY2(m.find("train split is empty") != std::string::npos, m.c_str());

        Dataset withNan = good;
        withNan.values[100] = std::nanf("");
        QVERIFY_THROWS_EXCEPTION(DataError, train(withNan, smallConfig(1), JobContext()));

        TrainConfig wrongColumn = smallConfig(1);
        wrongColumn.groupColumn = "dose";
        m = dataErrorOf([&] { train(good, wrongColumn, JobContext()); });
        QVERIFY2(m.find("dose") != std::string::npos, m.c_str());

        QVERIFY_THROWS_EXCEPTION(DataError,
                                 train(syntheticTrajectories(32), smallConfig(1), JobContext()));

        // Finite but huge inputs overflow inside the net: the NaN loss is caught, not trained on.
        Dataset huge = good;
        for (std::size_t i = 0; i < huge.values.size(); ++i)
            huge.values[i] = (i % 3 ? 3e38f : -3e38f);
        m = dataErrorOf([&] { train(huge, smallConfig(1), JobContext()); });
        QVERIFY2(m.find("training diverged at epoch 1") != std::string::npos, m.c_str());
    }

    void parameterCounts() {
        // conv1d-small, C = 32, E = 8, 3 input channels: convs 104 + 528 + 2080 + 2 * 3104,
        // linear 264. A projection head 8 -> 6 -> 4 (hidden ceil((8+4)/2)) adds 54 + 28.
        QCOMPARE(modelParameterCount("conv1d-small", {}, {3, 1000}), int64_t(9184));
        QCOMPARE(modelParameterCount("conv1d-small", {{"projection_dim", 4}}, {3, 90000}),
                 int64_t(9266));
        QVERIFY_THROWS_EXCEPTION(ConfigError, modelParameterCount("nope", {}, {3, 1000}));
    }

    void devices() {
        QCOMPARE(resolveDevice("cpu"), std::string("cpu"));
        QCOMPARE(resolveDevice("auto"), std::string(cudaAvailable() ? "cuda" : "cpu"));
        if (!cudaAvailable())
            QVERIFY_THROWS_EXCEPTION(ConfigError, resolveDevice("cuda"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, resolveDevice("tpu"));
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
