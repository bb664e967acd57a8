// The demo project: its three data sets (seeds 000, 001, 002) and the generative demo run.
#include "embedscope/engine/demo.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/run_metrics.h"

#include <QtTest/QtTest>

#include <chrono>
#include <cmath>
#include <filesystem>

using namespace embedscope;

class TestDemo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void demoHoldsTheSeedDataSetsAndAGenerativeRun() {
        const std::string dir = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/demo-test";
        std::filesystem::remove_all(dir);
        auto start = std::chrono::steady_clock::now();
        const std::string path = ensureDemoProject(dir);
        const double making =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ProjectFile project = ProjectFile::open(path);
        const auto names = project.datasetNames();
        QCOMPARE(int(names.size()), 4);
        const Dataset hh = project.readDatasetHeader(kDemoSignalsDataset);
        QCOMPARE(hh.headerSampleCount, std::size_t(1000));
        QCOMPARE(hh.sampleShape, (std::vector<int64_t>{1, 5000})); // seed 001 §3.1.2
        QVERIFY(hh.metadata.has("gK") && hh.metadata.has("gNa"));
        const Dataset tpc = project.readDatasetHeader(kDemoEventsDataset);
        QCOMPARE(tpc.headerSampleCount, std::size_t(600));
        QCOMPARE(tpc.sampleShape, (std::vector<int64_t>{1, 64, 64}));
        const Dataset dev = project.readDatasetHeader(kDemoDevelopmentDataset);
        QCOMPARE(dev.headerSampleCount, std::size_t(5 * 24 * 12));
        QVERIFY(dev.metadata.has("perturbation") && dev.metadata.has("time") &&
                dev.metadata.has("individual"));
        // A second call finds the current demo and does not remake it.
        start = std::chrono::steady_clock::now();
        QCOMPARE(ensureDemoProject(dir), path);
        QVERIFY(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
                making);

        const std::string runName = addDemoGenerativeRun(path);
        const RunRecord run = ProjectFile::open(path).readRun(runName);
        QVERIFY(isGenerativeRun(run));
        QCOMPARE(run.embeddingRows, std::size_t(1000));
        QCOMPARE(run.curves.at("val_latent").size(), run.valLoss.size());
        QVERIFY(run.valLoss.back() < run.valLoss.front());
        const RunMetrics metrics = parseRunMetrics(run.metricsJson);
        qInfo("demo made in %.1f s; hh-vae %.1f s, metrics %s", making, run.seconds,
              run.metricsJson.c_str());
        // The reconstructions beat predicting the mean image: that MSE is the values' variance.
        const Dataset all = ProjectFile::open(path).readDataset(kDemoSignalsDataset);
        double mean = 0, var = 0;
        for (float v : all.values)
            mean += v;
        mean /= double(all.values.size());
        for (float v : all.values)
            var += (v - mean) * (v - mean);
        var /= double(all.values.size());
        QVERIFY2(metrics.bestValue("recon_mse") < 0.5 * var,
                 (run.metricsJson + " variance " + std::to_string(var)).c_str());
    }

    void geometryRunsPairAllAndHeldOut() {
        const std::string dir = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/demo-geometry-test";
        std::filesystem::remove_all(dir);
        const std::string path = ensureDemoProject(dir);
        const auto names = addDemoGeometryRuns(path);
        QCOMPARE(names, (std::vector<std::string>{"dev-mvae-b0.1", "dev-mvae-b0.1-hld",
                                                  "dev-mvae-b10", "dev-mvae-b10-hld"}));
        ProjectFile project = ProjectFile::open(path);
        const std::size_t rows = 5 * 24 * 12;
        for (const auto& name : names) {
            const RunRecord run = project.readRun(name);
            QCOMPARE(run.embeddingRows, rows);
            const RunMetrics m = parseRunMetrics(run.metricsJson);
            qInfo("%s: %.1f s, %s", name.c_str(), run.seconds, run.metricsJson.c_str());
            // The hold-out runs trained on 3 of the 5 groups (16 train embryos of 24 each).
            const bool held = name.size() > 4 && name.substr(name.size() - 4) == "-hld";
            QCOMPARE(m.bestValue("train_samples"), double((held ? 3 : 5) * 16 * 12));
            // Perturbations over time are told apart far above chance (0.2 for 5 groups).
            QVERIFY2(m.bestValue("f1_score_all") > 0.4, run.metricsJson.c_str());
            QVERIFY(std::isfinite(m.bestValue("segment_colinearity_mean_within")));
        }
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "test_demo.moc"
