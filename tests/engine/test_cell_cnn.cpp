// The weakly supervised cell CNN (seed 004 §3.2.2): parameter count against a hand count,
// label-smoothed cross entropy (eq. 3.2) against a hand computation, augmentation invariants,
// the warm-up schedule, learning a toy task, and features from saved epochs.
#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace embedscope;

namespace {

/// Parameters of conv3x3(no bias) + BN + conv3x3 + BN (+ 1x1 conv + BN shortcut).
int64_t handBlock(int64_t in, int64_t out, bool shortcut) {
    int64_t n = in * out * 9 + 2 * out + out * out * 9 + 2 * out;
    if (shortcut)
        n += in * out + 2 * out;
    return n;
}

/// The architecture written out: stem conv3x3 C->w + BN, stages w, 2w, 4w, 8w with `blocks`
/// blocks each (the first of stages 2-4 strided with a shortcut), linear 8w -> classes.
int64_t handCount(int64_t c, int64_t w, int64_t blocks, int64_t classes) {
    int64_t n = c * w * 9 + 2 * w;
    int64_t in = w;
    for (int stage = 0; stage < 4; ++stage) {
        const int64_t out = w << stage;
        for (int64_t b = 0; b < blocks; ++b) {
            n += handBlock(in, out, in != out || (stage > 0 && b == 0));
            in = out;
        }
    }
    return n + (classes > 0 ? in * classes + classes : 0);
}

/// Class k has channel k bright (0.8) and the others dim (0.2), plus noise.
Dataset toyCrops(std::size_t perClass, uint64_t seed) {
    Dataset d;
    d.name = "toy-crops";
    d.kind = DataKind::Image;
    d.sampleShape = {3, 16, 16};
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<std::string> compounds, splits;
    for (std::size_t i = 0; i < perClass; ++i)
        for (int k = 0; k < 3; ++k) {
            for (int c = 0; c < 3; ++c)
                for (int p = 0; p < 256; ++p)
                    d.values.push_back((c == k ? 0.8f : 0.2f) + noise(rng));
            compounds.push_back("cpd" + std::to_string(k));
            splits.push_back(i % 4 == 3 ? "val" : "train");
        }
    d.metadata.addStrings("compound", compounds);
    d.metadata.addStrings(Dataset::kSplitColumn, splits);
    return d;
}

std::vector<float> ramp(int64_t channels, int64_t size) {
    std::vector<float> v(static_cast<std::size_t>(channels * size * size));
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = float(i % 97) / 97.0f + float(i / 97) * 0.01f;
    return v;
}

double mean(const std::vector<float>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

} // namespace

class TestCellCnn : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parameterCountMatchesHandCount() {
        for (const auto& [w, blocks, classes] :
             {std::tuple<int, int, int>{4, 1, 3}, {8, 2, 5}, {32, 1, 0}}) {
            const std::map<std::string, double> params = {
                {"width", w}, {"blocks", blocks}, {"classes", classes}};
            QCOMPARE(modelParameterCount(kCellCnnModel, params, {5, 48, 48}),
                     handCount(5, w, blocks, classes));
        }
        QCOMPARE(findModel(kCellCnnModel).kind, std::string("classifier"));
        QVERIFY_THROWS_EXCEPTION(DataError, modelParameterCount(kCellCnnModel, {}, {3, 16, 12}));
    }

    void configDefaultsToCrossEntropy() {
        const TrainConfig cfg = parseTrainConfig(R"({"model": "cell-cnn"})", {});
        QCOMPARE(cfg.loss, std::string(kCrossEntropyLoss));
        QCOMPARE(cfg.lossParams.at("l2"), 1e-4); // seed §3.2.2
    }

    void labelSmoothedCrossEntropyByHand() {
        const std::vector<double> logits = {1.0, 2.0, 3.0, 0.5, -1.0, 0.0};
        const std::vector<int> labels = {0, 2};
        for (double l : {0.0, 0.1, 0.3}) {
            double expected = 0;
            for (int r = 0; r < 2; ++r) {
                const double* z = logits.data() + 3 * r;
                const double logSum = std::log(std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]));
                for (int k = 0; k < 3; ++k) {
                    const double target =
                        (k == labels[std::size_t(r)] ? 1.0 : 0.0) * (1 - l) + l / 3;
                    expected -= target * (z[k] - logSum);
                }
            }
            expected /= 2;
            QVERIFY(std::abs(labelSmoothedCrossEntropy(logits, 2, 3, labels, l) - expected) <
                    1e-12);
        }
        // l = 0.1 on row 0 written as numbers: targets 0.9333/0.0333/0.0333, log-softmax
        // -2.4076, -1.4076, -0.4076 -> 2.3076.
        QVERIFY(std::abs(labelSmoothedCrossEntropy({1, 2, 3}, 1, 3, {0}, 0.1) - 2.30760) < 1e-4);
        QVERIFY_THROWS_EXCEPTION(DataError, labelSmoothedCrossEntropy(logits, 2, 3, {0, 3}, 0.1));
    }

    void augmentationInvariants() {
        const int64_t c = 3, s = 16;
        const std::vector<float> original = ramp(c, s);
        auto x = original;
        cellFlipHorizontal(x.data(), c, s);
        QVERIFY(x != original);
        QCOMPARE(x[0], original[std::size_t(s - 1)]);
        cellFlipHorizontal(x.data(), c, s);
        QCOMPARE(x, original);
        cellRotate90(x.data(), c, s, 1);
        QVERIFY(x != original);
        for (int k = 0; k < 3; ++k)
            cellRotate90(x.data(), c, s, 1);
        QCOMPARE(x, original);
        cellRotate90(x.data(), c, s, 4);
        QCOMPARE(x, original);

        cellBrightness(x.data(), c, s, 1.07f);
        QVERIFY(std::abs(mean(x) / mean(original) - 1.07) < 1e-5);
        x = original;
        cellContrast(x.data(), c, s, 1.2f);
        for (int64_t ch = 0; ch < c; ++ch) { // channel means unchanged, spread ×1.2
            const auto from = original.begin() + ch * s * s, to = from + s * s;
            const auto xf = x.begin() + ch * s * s;
            const double m0 = std::accumulate(from, to, 0.0) / double(s * s);
            const double m1 = std::accumulate(xf, xf + s * s, 0.0) / double(s * s);
            QVERIFY(std::abs(m0 - m1) < 1e-5);
            QVERIFY(std::abs((x[std::size_t(ch * s * s)] - m1) - 1.2 * (*from - m0)) < 1e-5);
        }

        // Crop: the full window is the identity; a window of a ramp stays inside its range.
        x = original;
        cellCropResize(x.data(), c, s, 0, 0, s);
        QCOMPARE(x, original);
        std::vector<float> row(static_cast<std::size_t>(s * s));
        for (int64_t i = 0; i < s * s; ++i)
            row[std::size_t(i)] = float(i % s); // value = column
        cellCropResize(row.data(), 1, s, 2, 1, 13);
        QCOMPARE(row.size(), std::size_t(s * s));
        for (float v : row)
            QVERIFY(v >= 2.0f - 1e-5f && v <= 14.0f + 1e-5f);
        QVERIFY(row[std::size_t(s - 1)] > row[0]);
        QVERIFY_THROWS_EXCEPTION(DataError, cellCropResize(x.data(), c, s, 4, 0, 13));

        // The whole augmentation on a constant crop: every value = v · brightness ∈ [0.9, 1.1].
        std::mt19937_64 rng(7);
        double lo = 2, hi = 0;
        for (int draw = 0; draw < 200; ++draw) {
            std::vector<float> flat(std::size_t(c * s * s), 0.5f);
            augmentCell(flat.data(), c, s, rng);
            QCOMPARE(flat.size(), std::size_t(c * s * s));
            const double factor = mean(flat) / 0.5;
            QVERIFY(factor >= 0.9 - 1e-5 && factor <= 1.1 + 1e-5);
            lo = std::min(lo, factor);
            hi = std::max(hi, factor);
        }
        QVERIFY(lo < 0.95 && hi > 1.05);
    }

    void warmupScheduleByEpoch() {
        // 100 train crops, batch 10 -> 10 steps per epoch; 5-epoch warm-up = 50 steps.
        const TrainConfig cfg = parseTrainConfig(
            R"({"model": "cell-cnn", "epochs": 20, "batch_size": 10, "learning_rate": 0.005,
                "schedule": "cosine-warmup", "schedule_params": {"warmup_epochs": 5,
                "final_fraction": 0}})",
            {});
        const CellSchedule plan = cellCnnSchedule(cfg, 100);
        QCOMPARE(plan.stepsPerEpoch, int64_t(10));
        QCOMPARE(plan.totalSteps, int64_t(200));
        QCOMPARE(plan.schedule.warmupSteps, int64_t(50));
        const auto lr = [&](int64_t step) {
            return learningRateAt(plan.schedule, cfg.learningRate, step, plan.totalSteps);
        };
        QVERIFY(std::abs(lr(0) - 0.005 / 50) < 1e-12);
        QVERIFY(std::abs(lr(24) - 0.005 * 25 / 50) < 1e-12);
        QVERIFY(std::abs(lr(49) - 0.005) < 1e-12);
        // After the warm-up, cosine over the remaining 150 steps: half way = base / 2.
        QVERIFY(std::abs(lr(50) - 0.005) < 1e-12);
        QVERIFY(std::abs(lr(125) - 0.0025) < 1e-12);

        const TrainConfig step = parseTrainConfig(
            R"({"model": "cell-cnn", "epochs": 20, "batch_size": 10, "learning_rate": 0.01,
                "schedule": "step", "schedule_params": {"step_epochs": 5, "gamma": 0.1}})",
            {});
        const CellSchedule stepPlan = cellCnnSchedule(step, 100);
        QVERIFY(std::abs(learningRateAt(stepPlan.schedule, 0.01, 49, 200) - 0.01) < 1e-12);
        QVERIFY(std::abs(learningRateAt(stepPlan.schedule, 0.01, 50, 200) - 0.001) < 1e-12);
        // A remainder of one crop joins the last batch (BatchNorm needs two per batch).
        QCOMPARE(cellCnnSchedule(cfg, 101).stepsPerEpoch, int64_t(10));
        QCOMPARE(cellCnnSchedule(cfg, 102).stepsPerEpoch, int64_t(11));
    }

    void learnsToyTaskAndProfilesAnyEpoch() {
        const Dataset data = toyCrops(16, 3); // 48 crops: 36 train, 12 val
        const TrainConfig cfg = parseTrainConfig(
            R"({"model": "cell-cnn", "model_params": {"width": 8}, "epochs": 4,
                "batch_size": 12, "learning_rate": 0.01, "threads": 1, "seed": 5})",
            {});
        const RunRecord run = train(data, cfg, JobContext{});
        QCOMPARE(run.trainLoss.size(), std::size_t(4));
        QCOMPARE(run.curves.at("train_accuracy").size(), std::size_t(4));
        QCOMPARE(run.curves.at("val_accuracy").size(), std::size_t(4));
        QVERIFY2(run.curves.at("train_accuracy").back() > 0.9,
                 qPrintable(QString::number(run.curves.at("train_accuracy").back())));
        QVERIFY(run.curves.at("cells_per_second").back() > 0);
        QCOMPARE(run.epochCheckpoints.size(), std::size_t(4));
        QCOMPARE(run.embeddingCols, std::size_t(64));
        QCOMPARE(run.embeddingRows, data.sampleCount());
        QVERIFY(run.metricsJson.find("cells_per_second") != std::string::npos);

        // The embedding is the best checkpoint's features; epochs differ from each other.
        JobContext ctx;
        std::size_t cols = 0;
        QCOMPARE(cellCnnFeatures(run, data, -1, ctx, &cols), run.embedding);
        QCOMPARE(cols, std::size_t(64));
        QCOMPARE(embedWithRun(run, data, ctx), run.embedding);
        const auto epoch1 = cellCnnFeatures(run, data, 1, ctx);
        const auto epoch2 = cellCnnFeatures(run, data, 2, ctx);
        QVERIFY(epoch1 != epoch2);

        // Saved and read back: the same features, bit for bit (eval mode, no augmentation).
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.h5").toStdString();
        RunRecord named = run;
        named.name = "cnn";
        ProjectFile::create(path).writeRun(named);
        const RunRecord back = ProjectFile::open(path).readRun("cnn");
        QCOMPARE(back.epochCheckpoints.size(), std::size_t(4));
        QCOMPARE(cellCnnFeatures(back, data, 1, ctx), epoch1);
        QCOMPARE(cellCnnFeatures(back, data, 2, ctx), epoch2);
        QVERIFY_THROWS_EXCEPTION(DataError, cellCnnFeatures(back, data, 9, ctx));

        const EmbeddingTable table = cellFeatureTable(epoch1, cols, data);
        QCOMPARE(table.featureNames.front(), std::string("cnn_0"));
        QVERIFY(table.metadata.has("compound"));
        QVERIFY(!table.metadata.has(Dataset::kSplitColumn));
    }

    void badInputIsNamed() {
        Dataset data = toyCrops(4, 1);
        TrainConfig cfg = parseTrainConfig(R"({"model": "cell-cnn", "epochs": 1})", {});
        cfg.labelColumn = "moa";
        QVERIFY_THROWS_EXCEPTION(ConfigError, train(data, cfg, JobContext{}));
        // A contrastive loss is refused when the config is read, before any training.
        QVERIFY_THROWS_EXCEPTION(
            ConfigError,
            parseTrainConfig(R"({"model": "cell-cnn", "loss": "supcon", "epochs": 1})", {}));
    }
};

QTEST_GUILESS_MAIN(TestCellCnn)
#include "test_cell_cnn.moc"
