// The reconstructions view and the ELBO terms of the loss chart on a tiny trained vae-conv
// (8x8 "halves" images, seed 001 §3.2 conv VAE): 8 input / reconstruction pairs equal to the
// engine's own reconstructions, the picked sample first, the traversal, and a clear message
// for a contrastive run.
#include "embedscope/engine/generative.h"
#include "embedscope/engine/training.h"
#include "embedscope/ui/loss_chart.h"
#include "embedscope/ui/reconstruction_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <random>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

/// Left- or right-bright 8x8 images; every 10th sample is val, the next test (as in
/// tests/engine/test_generative.cpp).
Dataset halvesImages(std::size_t perClass, uint64_t seed) {
    Dataset d;
    d.name = "halves";
    d.kind = DataKind::Image;
    d.sampleShape = {1, 8, 8};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> noise(0.0f, 0.2f);
    std::vector<std::string> labels, splits;
    for (std::size_t i = 0; i < 2 * perClass; ++i) {
        const bool right = i % 2 == 1;
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x)
                d.values.push_back(((x >= 4) == right ? 0.8f : 0.0f) + noise(rng));
        labels.push_back(right ? "right" : "left");
        splits.push_back(i % 10 == 0 ? "val" : i % 10 == 1 ? "test" : "train");
    }
    d.metadata.addStrings("label", labels);
    d.metadata.addStrings(Dataset::kSplitColumn, splits);
    return d;
}

/// (1, 24) sine signals of two frequencies, all in train/val (no test split: val is shown).
Dataset sineSignals(std::size_t n) {
    Dataset d;
    d.name = "sines";
    d.kind = DataKind::Signal;
    d.sampleShape = {1, 24};
    std::vector<std::string> labels, splits;
    for (std::size_t i = 0; i < n; ++i) {
        const double f = i % 2 == 0 ? 1.0 : 2.0;
        for (int t = 0; t < 24; ++t)
            d.values.push_back(float(0.5 + 0.4 * std::sin(2 * M_PI * f * t / 24.0 + 0.1 * i)));
        labels.push_back(i % 2 == 0 ? "slow" : "fast");
        splits.push_back(i % 4 == 0 ? "val" : "train");
    }
    d.metadata.addStrings("label", labels);
    d.metadata.addStrings(Dataset::kSplitColumn, splits);
    return d;
}

} // namespace

class TestReconstructionView : public QObject {
    Q_OBJECT
private:
    Dataset data_;
    RunRecord run_;

private Q_SLOTS:
    void initTestCase() {
        data_ = halvesImages(40, 3);
        QElapsedTimer t;
        t.start();
        run_ = train(data_,
                     parseTrainConfig(R"({"model": "vae-conv", "epochs": 3})",
                                      {"model_params.latent_dim=2"}),
                     JobContext());
        run_.name = "vae-conv-001";
        run_.datasetName = data_.name;
        qInfo("trained the tiny vae-conv in %lld ms", t.elapsed());
        QVERIFY(isGenerativeRun(run_));
    }

    void showsEightPairsOfTheTestSplit() {
        ReconstructionView view;
        view.setRun(run_, data_);
        QVERIFY2(view.hasModel(), qPrintable(view.message()));
        QVERIFY(view.message().isEmpty());
        QCOMPARE(view.pairCount(), 8);
        // Test rows are 1, 11, 21, ... (i % 10 == 1).
        for (std::size_t i = 0; i < 8; ++i)
            QCOMPARE(view.shownRows()[i], 10 * i + 1);
        QCOMPARE(view.priorCount(), 8);
        QCOMPARE(view.traversalCount(), ReconstructionView::kTraversalSteps);
        QCOMPARE(view.traversalCount(), 7);
        QCOMPARE(view.latentDim(), 2);
        QCOMPARE(view.dimensionBox()->maximum(), 1);
        QCOMPARE(view.stepCount(), 0); // not DRAW

        // The inputs are the data set's samples; the reconstructions are the engine's.
        GenerativeRunModel model(run_);
        const auto expected = model.reconstruct(data_, view.shownRows());
        QCOMPARE(view.reconstructions().size(), expected.size());
        double maxDiff = 0;
        for (std::size_t i = 0; i < expected.size(); ++i)
            maxDiff = std::max(maxDiff, double(std::abs(expected[i] - view.reconstructions()[i])));
        QVERIFY2(maxDiff < 1e-6, qPrintable(QString::number(maxDiff)));
        for (std::size_t k = 0; k < 64; ++k)
            QCOMPARE(view.inputs()[64 * 3 + k], data_.values[64 * 31 + k]);

        // Timing: the view reconstructs on the GUI thread, so it must be quick.
        view.setCurrentSample(-1); // a second, warm reconstruct
        qInfo("model load %.2f ms, reconstruct of 8 samples %.2f ms", view.loadMs(),
              view.reconstructMs());
        QVERIFY2(view.reconstructMs() < 50, qPrintable(QString::number(view.reconstructMs())));
    }

    void pickingMakesTheSampleCurrent() {
        ReconstructionView view;
        view.setRun(run_, data_);
        view.setCurrentSample(4);
        QCOMPARE(view.currentSample(), 4);
        QCOMPARE(view.pairCount(), 8);
        QCOMPARE(view.shownRows()[0], std::size_t(4));
        // The other seven are the first test rows, in order.
        for (std::size_t i = 1; i < 8; ++i)
            QCOMPARE(view.shownRows()[i], 10 * (i - 1) + 1);
        for (std::size_t k = 0; k < 64; ++k)
            QCOMPARE(view.inputs()[k], data_.values[64 * 4 + k]);
        GenerativeRunModel model(run_);
        const auto own = model.reconstruct(data_, {4});
        for (std::size_t k = 0; k < 64; ++k)
            QVERIFY(std::abs(view.reconstructions()[k] - own[k]) < 1e-6);
        // A test row picked is not repeated.
        view.setCurrentSample(11);
        QCOMPARE(view.shownRows()[0], std::size_t(11));
        QCOMPARE(std::count(view.shownRows().begin(), view.shownRows().end(), std::size_t(11)),
                 long(1));
        QCOMPARE(view.pairCount(), 8);
        view.setTraversalDimension(1);
        QCOMPARE(view.traversalCount(), 7);
        view.newSamplesButton()->click();
        QCOMPARE(view.priorCount(), 8);
    }

    void readsOnlyTheShownSamples() {
        Dataset header = data_;
        header.headerSampleCount = data_.sampleCount();
        header.values.clear();
        int reads = 0;
        ReconstructionView view;
        view.setRun(run_, header, [&](std::size_t row) {
            ++reads;
            return std::vector<float>(data_.sample(row), data_.sample(row) + 64);
        });
        QCOMPARE(view.pairCount(), 8);
        QCOMPARE(reads, 8);
        GenerativeRunModel model(run_);
        const auto expected = model.reconstruct(data_, view.shownRows());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QVERIFY(std::abs(expected[i] - view.reconstructions()[i]) < 1e-6);
    }

    void contrastiveRunShowsAMessage() {
        RunRecord encoder;
        encoder.name = "conv1d-small-007";
        encoder.configJson = toJson(parseTrainConfig(R"({"model": "conv1d-small"})", {}));
        QVERIFY(!isGenerativeRun(encoder));
        ReconstructionView view;
        view.setRun(run_, data_);
        QVERIFY(view.hasModel());
        view.setRun(encoder, data_);
        QVERIFY(!view.hasModel());
        QCOMPARE(view.pairCount(), 0);
        QCOMPARE(view.priorCount(), 0);
        QVERIFY2(view.message().contains("conv1d-small-007") &&
                     view.message().contains("contrastive encoder") &&
                     view.message().contains("no decoder"),
                 qPrintable(view.message()));
    }

    void signalsAndScreenshot() {
        // A (1, 24) signal run: pairs are overlaid plots; no test split, so val rows are shown.
        const Dataset sines = sineSignals(64);
        RunRecord run = train(
            sines,
            parseTrainConfig(R"({"model": "vae-mlp", "epochs": 2})", {"model_params.latent_dim=3"}),
            JobContext());
        run.name = "vae-mlp-001";
        ReconstructionView signalView;
        signalView.setRun(run, sines);
        QVERIFY2(signalView.hasModel(), qPrintable(signalView.message()));
        QCOMPARE(signalView.pairCount(), 8);
        for (std::size_t i = 0; i < 8; ++i)
            QCOMPARE(signalView.shownRows()[i], 4 * i);
        QCOMPARE(signalView.latentDim(), 3);
        signalView.resize(1250, 330);
        signalView.show();
        QVERIFY(QTest::qWaitForWindowExposed(&signalView));
        QVERIFY(signalView.grab().save(
            QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/reconstructions_signal.png")));

        ReconstructionView view;
        view.setRun(run_, data_);
        view.setCurrentSample(4);
        view.resize(1250, 330);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.grab().toImage();
        QVERIFY(image.save(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/reconstructions_image.png")));
        // Grey tiles were drawn: many distinct grey levels.
        QSet<int> greys;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                greys.insert(qGray(image.pixel(x, y)));
        QVERIFY2(greys.size() > 40, qPrintable(QString::number(greys.size())));
    }

    void drawRunShowsTheCanvasSteps() {
        const RunRecord run =
            train(data_,
                  parseTrainConfig(R"({"model": "draw", "epochs": 1, "batch_size": 8})",
                                   {"model_params.hidden=16", "model_params.steps=3",
                                    "model_params.latent_dim=2"}),
                  JobContext());
        ReconstructionView view;
        view.setRun(run, data_);
        QVERIFY2(view.hasModel(), qPrintable(view.message()));
        QCOMPARE(view.stepCount(), 3);
        view.setCurrentSample(5);
        QCOMPARE(view.stepCount(), 3);
        QCOMPARE(view.pairCount(), 8);
        // The current sample comes first, reconstructed as the engine does.
        GenerativeRunModel model(run);
        const auto steps = model.reconstructionSteps(data_, {5});
        const auto recon = model.reconstruct(data_, {5});
        QCOMPARE(int(steps.size()), 3);
        double maxDiff = 0;
        for (std::size_t k = 0; k < 64; ++k)
            maxDiff = std::max(maxDiff, double(std::abs(view.reconstructions()[k] - recon[k])));
        QVERIFY(maxDiff < 1e-6);
    }

    void lossChartShowsTheElboTerms() {
        LossChart chart;
        chart.setCurves(run_.trainLoss, run_.valLoss, run_.bestEpoch, run_.curves);
        QCOMPARE(chart.pointCount(), 3);
        QCOMPARE(chart.termSeriesCount(), 4);
        for (const QString& key : LossChart::termKeys())
            QCOMPARE(chart.termPointCount(key), 3);
        // A contrastive run has no terms; the live path fills them epoch by epoch.
        chart.setCurves({1.0, 0.5}, {1.1, 0.6}, 1);
        QCOMPARE(chart.termSeriesCount(), 0);
        chart.clear();
        chart.addEpoch(0, 3.0, 3.5, {{"train_recon", 2.0}, {"val_latent", 1.5}, {"lr", 1e-3}});
        chart.addEpoch(1, 2.0, 2.5, {{"train_recon", 1.5}, {"val_latent", 1.0}});
        QCOMPARE(chart.termSeriesCount(), 2);
        QCOMPARE(chart.termPointCount(QStringLiteral("train_recon")), 2);
        QCOMPARE(chart.termPointCount(QStringLiteral("val_latent")), 2);
        QCOMPARE(chart.termPointCount(QStringLiteral("lr")), 0);
        chart.setCurves(run_.trainLoss, run_.valLoss, run_.bestEpoch, run_.curves);
        chart.resize(900, 260);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QVERIFY(chart.grab().save(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/loss_elbo_terms.png")));
    }
};

QTEST_MAIN(TestReconstructionView)
#include "test_reconstruction_view.moc"
