// The demo project: its three data sets (seeds 000, 001, 002) and the generative demo run.
#include "embedscope/engine/demo.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/run_metrics.h"

#include <QtTest/QtTest>

#include <chrono>
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
        QCOMPARE(int(names.size()), 3);
        const Dataset hh = project.readDatasetHeader(kDemoSignalsDataset);
        QCOMPARE(hh.headerSampleCount, std::size_t(1000));
        QCOMPARE(hh.sampleShape, (std::vector<int64_t>{1, 5000})); // seed 001 §3.1.2
        QVERIFY(hh.metadata.has("gK") && hh.metadata.has("gNa"));
        const Dataset tpc = project.readDatasetHeader(kDemoEventsDataset);
        QCOMPARE(tpc.headerSampleCount, std::size_t(600));
        QCOMPARE(tpc.sampleShape, (std::vector<int64_t>{1, 64, 64}));
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
};

QTEST_GUILESS_MAIN(TestDemo)
#include "test_demo.moc"
