// Reference runs of seed 000 ("manual", "combined" §4.5): the stored embedding is what the
// definitions say (checked against the raw features, recomputed here), both are stored and read
// back like trained runs, and bad inputs are refused with typed errors.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>
#include <set>

using namespace embedscope;

namespace {

/// (2 x 2 + 1) groups x 4 rats, 1 min at 25 Hz; the first train experiment is marked "test", so
/// the fit rows (train + val) are a strict subset.
Dataset smallData() {
    OpenFieldParams p;
    p.substances = 2;
    p.doses = 2;
    p.animalsPerGroup = 4;
    p.minutes = 1.0;
    p.seed = 5;
    Dataset data = simulateOpenField(p);
    std::vector<std::string> split = data.metadata.column(Dataset::kSplitColumn).strings;
    const auto& experiment = data.metadata.column("experiment").strings;
    std::string testExperiment;
    for (std::size_t i = 0; i < split.size() && testExperiment.empty(); ++i)
        if (split[i] == "train")
            testExperiment = experiment[i];
    for (std::size_t i = 0; i < split.size(); ++i)
        if (experiment[i] == testExperiment)
            split[i] = "test";
    data.metadata.addStrings(Dataset::kSplitColumn, split);
    return data;
}

Eigen::MatrixXd embeddingOf(const RunRecord& run) {
    Eigen::MatrixXd z(static_cast<Eigen::Index>(run.embeddingRows),
                      static_cast<Eigen::Index>(run.embeddingCols));
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            z(r, c) = run.embedding[r * run.embeddingCols + c];
    return z;
}

/// Mean and population variance of column c over `rows`.
std::pair<double, double> meanVar(const Eigen::MatrixXd& x, Eigen::Index c,
                                  const std::vector<std::size_t>& rows) {
    double mean = 0, ss = 0;
    for (std::size_t r : rows)
        mean += x(r, c);
    mean /= rows.size();
    for (std::size_t r : rows)
        ss += (x(r, c) - mean) * (x(r, c) - mean);
    return {mean, ss / rows.size()};
}

RunRecord fakeLearnedRun(const Dataset& data, std::size_t rows, int dims, uint64_t seed) {
    RunRecord run;
    run.name = "conv1d-small-001";
    run.datasetName = data.name;
    run.configJson = R"({"model": "conv1d-small", "epochs": 3})";
    run.embeddingRows = rows;
    run.embeddingCols = static_cast<std::size_t>(dims);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    for (std::size_t i = 0; i < rows * dims; ++i)
        run.embedding.push_back(normal(rng) * static_cast<float>(1 + i % dims));
    return run;
}

} // namespace

class TestReferenceRuns : public QObject {
    Q_OBJECT
    Dataset data_;
    std::vector<std::size_t> fit_;

private Q_SLOTS:
    void initTestCase() {
        data_ = smallData();
        fit_ = openFieldFitRows(data_);
        QCOMPARE(data_.sampleCount(), std::size_t(20));
        QCOMPARE(fit_.size(), std::size_t(15)); // one of four experiments is "test"
    }

    void optionsComeFromTheDataAttributes() {
        OpenFieldParams p;
        p.substances = 1;
        p.doses = 1;
        p.animalsPerGroup = 2;
        p.minutes = 0.5;
        p.rateHz = 10.0;
        const OpenFieldFeatureOptions o = openFieldOptionsFor(simulateOpenField(p));
        QCOMPARE(o.rateHz, 10.0); // the simulator writes {"params": {"rate_hz": 10, ...}}
        QCOMPARE(o.cageCm, 40.0);
        Dataset d;
        d.attributesJson = R"({"rate_hz": 50, "cage_cm": 60, "params": {"rate_hz": 7}})";
        QCOMPARE(openFieldOptionsFor(d).rateHz, 50.0); // top level wins
        QCOMPARE(openFieldOptionsFor(d).cageCm, 60.0);
        OpenFieldFeatureOptions base;
        base.rateHz = 30.0;
        for (const char* text : {"not json", "{}", R"({"rate_hz": -1})", R"({"rate_hz": "25"})"}) {
            d.attributesJson = text;
            QCOMPARE(openFieldOptionsFor(d, base).rateHz, 30.0);
        }
    }

    void manualRunIsTheFeaturesStandardisedOnTrainAndVal() {
        const OpenFieldFeatureOptions options = openFieldOptionsFor(data_);
        const RunRecord run = makeManualRun(data_, options);
        const std::vector<std::string> names = openFieldFeatureNames(options);
        QCOMPARE(run.embeddingRows, data_.sampleCount());
        QCOMPARE(run.embeddingCols, names.size());
        QCOMPARE(run.datasetName, data_.name);
        QCOMPARE(referenceKind(run), std::string("manual"));
        QVERIFY(run.checkpoint.empty() && run.trainLoss.empty() && run.valLoss.empty());
        QCOMPARE(run.bestEpoch, -1);
        const auto config = nlohmann::json::parse(run.configJson);
        QCOMPARE(config.at("feature_count").get<std::size_t>(), names.size());
        QCOMPARE(config.at("feature_names").get<std::vector<std::string>>(), names);
        QCOMPARE(config.at("fit_rows").get<std::size_t>(), fit_.size());
        QCOMPARE(config.at("feature_options").at("rate_hz").get<double>(), 25.0);

        // z = (x - mean) / sd with the mean and population sd of the fit rows (recomputed here
        // from the raw features), for fit and test rows alike; constant features stay 0.
        const Eigen::MatrixXd raw = openFieldFeatureMatrix(data_, options);
        const Eigen::MatrixXd z = embeddingOf(run);
        const auto constant = config.at("constant_features").get<std::vector<std::string>>();
        const std::set<std::string> constantSet(constant.begin(), constant.end());
        int checked = 0;
        for (Eigen::Index c = 0; c < z.cols(); ++c) {
            const auto [mean, var] = meanVar(raw, c, fit_);
            const bool isConstant = constantSet.count(names[c]) > 0;
            QCOMPARE(isConstant, var <= 1e-24 * std::max(1.0, mean * mean));
            if (isConstant) {
                QVERIFY(z.col(c).isZero(0.0));
                continue;
            }
            const auto [zMean, zVar] = meanVar(z, c, fit_);
            QVERIFY2(std::abs(zMean) < 1e-6, names[c].c_str());
            QVERIFY2(std::abs(zVar - 1.0) < 1e-5, names[c].c_str());
            for (Eigen::Index r = 0; r < z.rows(); ++r) {
                const double expected = (raw(r, c) - mean) / std::sqrt(var);
                QVERIFY2(
                    std::abs(z(r, c) - expected) < 1e-5 * std::max(1.0, std::abs(expected)),
                    qPrintable(QString::fromStdString(names[c]) + " row " + QString::number(r)));
            }
            ++checked;
        }
        QVERIFY(checked > 40); // most features vary between rats
        qInfo("manual run: %zu features, %zu constant on the fit rows", names.size(),
              constant.size());
    }

    void referenceRunsRoundTripThroughAProject() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ProjectFile project = ProjectFile::create(dir.filePath("p.h5").toStdString());
        project.writeDataset(data_);
        RunRecord manual = makeManualRun(data_);
        manual.name = project.uniqueRunName(kManualModel);
        project.writeRun(manual);
        RunRecord combined = makeCombinedRun(data_, fakeLearnedRun(data_, 20, 8, 1));
        combined.name = project.uniqueRunName(kCombinedModel);
        project.writeRun(combined);
        QCOMPARE(project.runNames().size(), std::size_t(2));
        for (const RunRecord* written : {&manual, &combined}) {
            const RunRecord read = project.readRun(written->name);
            QCOMPARE(read.configJson, written->configJson);
            QCOMPARE(read.datasetName, data_.name);
            QCOMPARE(read.embeddingRows, written->embeddingRows);
            QCOMPARE(read.embeddingCols, written->embeddingCols);
            QVERIFY(read.embedding == written->embedding);
            QVERIFY(read.checkpoint.empty() && read.trainLoss.empty());
            QCOMPARE(referenceKind(read), referenceKind(*written));
            QVERIFY(!read.versions.embedscope.empty());
        }
        QCOMPARE(manual.name, std::string("manual-001"));
    }

    void combinedRunIsPca10OfBothBlocksStandardised() {
        const RunRecord learned = fakeLearnedRun(data_, 20, 8, 2);
        const RunRecord run = makeCombinedRun(data_, learned);
        QCOMPARE(referenceKind(run), std::string("combined"));
        QCOMPARE(run.embeddingRows, std::size_t(20));
        QCOMPARE(run.embeddingCols, std::size_t(10));
        const auto config = nlohmann::json::parse(run.configJson);
        QCOMPARE(config.at("base_run").get<std::string>(), learned.name);
        QCOMPARE(config.at("base_model").get<std::string>(), std::string("conv1d-small"));
        QCOMPARE(config.at("base_dims").get<int>(), 8);
        QCOMPARE(config.at("columns").get<int>(), 10);
        const auto ratio = config.at("explained_variance_ratio").get<std::vector<double>>();
        QCOMPARE(ratio.size(), std::size_t(10));

        // Every non-constant standardised column has population variance 1 on the m fit rows,
        // so the total variance is P = #non-constant columns (times m / (m - 1) for the
        // sample variance, which cancels): ratio_k = popvar(pc_k on the fit rows) / P. The
        // 8 learned columns all vary.
        const std::size_t P =
            8 + openFieldFeatureNames().size() - config.at("constant_features").size();
        const Eigen::MatrixXd z = embeddingOf(run);
        double previous = std::numeric_limits<double>::infinity(), sum = 0;
        for (Eigen::Index k = 0; k < 10; ++k) {
            const auto [mean, var] = meanVar(z, k, fit_);
            QVERIFY(std::abs(mean) < 1e-5);        // centred on the fit rows
            QVERIFY(var <= previous * (1 + 1e-6)); // components by decreasing variance
            QVERIFY(ratio[k] > 0 && ratio[k] <= (k ? ratio[k - 1] : 1.0));
            QVERIFY2(std::abs(ratio[k] - var / P) < 1e-5,
                     qPrintable(QString("pc %1: ratio %2, variance / P %3")
                                    .arg(k + 1)
                                    .arg(ratio[k])
                                    .arg(var / P)));
            previous = var;
            sum += ratio[k];
        }
        QVERIFY(sum < 1.0);
        // Components are uncorrelated on the fit rows.
        const auto [m0, v0] = meanVar(z, 0, fit_);
        double cov = 0;
        for (std::size_t r : fit_)
            cov += z(r, 0) * z(r, 1);
        QVERIFY(std::abs(cov / fit_.size()) < 1e-5 * std::max(1.0, v0));

        // Deterministic, and blind to the scale of the learned block (both are standardised).
        const RunRecord again = makeCombinedRun(data_, learned);
        QVERIFY(again.embedding == run.embedding);
        QCOMPARE(again.configJson, run.configJson);
        RunRecord scaled = learned;
        for (float& v : scaled.embedding)
            v = v * 1000.0f + 3.0f;
        const Eigen::MatrixXd zs = embeddingOf(makeCombinedRun(data_, scaled));
        QVERIFY2((zs - z).cwiseAbs().maxCoeff() < 1e-3,
                 qPrintable(QString::number((zs - z).cwiseAbs().maxCoeff())));
        // Fewer components when asked.
        QCOMPARE(makeCombinedRun(data_, learned, {}, 3).embeddingCols, std::size_t(3));
    }

    void badInputsAreRefused() {
        RunRecord learned = fakeLearnedRun(data_, 19, 8, 3); // one sample short
        try {
            makeCombinedRun(data_, learned);
            QFAIL("no error for 19 embedded samples of 20");
        } catch (const DataError& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("19") != m.npos && m.find("20") != m.npos, e.what());
        }
        learned = fakeLearnedRun(data_, 20, 8, 3);
        learned.datasetName = "another";
        QVERIFY_THROWS_EXCEPTION(DataError, makeCombinedRun(data_, learned));
        learned = fakeLearnedRun(data_, 20, 8, 3);
        learned.embedding.pop_back();
        QVERIFY_THROWS_EXCEPTION(DataError, makeCombinedRun(data_, learned));
        learned.embedding.clear();
        learned.embeddingRows = learned.embeddingCols = 0;
        QVERIFY_THROWS_EXCEPTION(DataError, makeCombinedRun(data_, learned));
        QVERIFY_THROWS_EXCEPTION(ConfigError, makeCombinedRun(data_, makeManualRun(data_)));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 makeCombinedRun(data_, fakeLearnedRun(data_, 20, 8, 3), {}, 0));

        Dataset onlyTest = data_;
        onlyTest.metadata.addStrings(Dataset::kSplitColumn,
                                     std::vector<std::string>(data_.sampleCount(), "test"));
        QVERIFY_THROWS_EXCEPTION(DataError, makeManualRun(onlyTest));
        Dataset signal;
        signal.name = "signals";
        signal.kind = DataKind::Signal;
        signal.sampleShape = {50};
        signal.values.assign(100, 0.5f);
        signal.metadata.addStrings("group", {"a", "b"});
        QVERIFY_THROWS_EXCEPTION(DataError, makeManualRun(signal));

        JobContext cancelled;
        cancelled.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, makeManualRun(data_, {}, cancelled));
    }
};

QTEST_GUILESS_MAIN(TestReferenceRuns)
#include "test_reference_runs.moc"
