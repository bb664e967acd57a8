// The β trade-off (seed 001 Fig 4.3) on hand-made run records: which runs are comparable
// (same data set, model and latent size, β > 0), their order by β and the values at the best
// epoch; fewer than two give the how-to hint.
#include "embedscope/engine/training.h"
#include "embedscope/ui/beta_tradeoff_chart.h"

#include <QApplication>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

/// A generative run record with β, latent size and ELBO curves; best epoch = `best`.
RunRecord betaRun(const std::string& name, double beta, int latent, const std::string& dataset,
                  std::vector<double> valRecon, std::vector<double> valLatent, int best,
                  const std::string& model = "vae-conv") {
    RunRecord r;
    r.name = name;
    r.datasetName = dataset;
    r.configJson = toJson(parseTrainConfig("{\"model\": \"" + model + "\"}",
                                           {"model_params.latent_dim=" + std::to_string(latent),
                                            "loss_params.beta=" + std::to_string(beta)}));
    r.curves["val_recon"] = std::move(valRecon);
    r.curves["val_latent"] = std::move(valLatent);
    r.curves["train_recon"] = r.curves["val_recon"];
    r.curves["train_latent"] = r.curves["val_latent"];
    r.bestEpoch = best;
    return r;
}

} // namespace

class TestBetaTradeoffChart : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void comparableRunsSortedByBeta() {
        std::vector<RunRecord> runs;
        runs.push_back(betaRun("b10", 10, 2, "digits", {50, 40, 45}, {2, 1.5, 1.6}, 1));
        runs.push_back(betaRun("b01", 0.1, 2, "digits", {20, 12}, {30, 25}, 1));
        runs.push_back(betaRun("b2", 2, 2, "digits", {30, 25, 26}, {8, 6, 7}, 2));
        runs.push_back(betaRun("b1", 1, 2, "digits", {28, 22}, {12, 10}, 0));
        // Not comparable: another latent size, data set, model; β = 0 (no log position).
        runs.push_back(betaRun("latent5", 1, 5, "digits", {1}, {1}, 0));
        runs.push_back(betaRun("other-data", 1, 2, "signals", {1}, {1}, 0));
        runs.push_back(betaRun("mlp", 1, 2, "digits", {1}, {1}, 0, "vae-mlp"));
        runs.push_back(betaRun("beta0", 0, 2, "digits", {1}, {1}, 0));
        RunRecord encoder;
        encoder.name = "encoder";
        encoder.datasetName = "digits";
        encoder.configJson = toJson(parseTrainConfig(R"({"model": "conv1d-small"})", {}));
        runs.push_back(encoder);

        const auto points = betaTradeoffPoints(runs[2], runs);
        QCOMPARE(int(points.size()), 4);
        const char* names[] = {"b01", "b1", "b2", "b10"};
        const double betas[] = {0.1, 1, 2, 10};
        // Values at each run's best epoch (the kept checkpoint), not the last epoch.
        const double recon[] = {12, 28, 26, 40};
        const double latent[] = {25, 12, 7, 1.5};
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(points[std::size_t(i)].run, QString(names[i]));
            QVERIFY(std::abs(points[std::size_t(i)].beta - betas[i]) < 1e-9);
            QCOMPARE(points[std::size_t(i)].valRecon, recon[i]);
            QCOMPARE(points[std::size_t(i)].valLatent, latent[i]);
        }
        // The encoder is not generative: nothing to compare.
        QVERIFY(betaTradeoffPoints(encoder, runs).empty());

        BetaTradeoffChart chart;
        chart.setPoints(points, QStringLiteral("vae-conv, latent 2, on 'digits'"));
        QCOMPARE(chart.pointCount(), 4);
        QVERIFY(chart.hint().isEmpty());
        chart.resize(900, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QTest::qWait(100);
        QVERIFY(chart.grab().save(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/beta_tradeoff.png")));
    }

    void fewerThanTwoRunsGiveAHint() {
        std::vector<RunRecord> runs{betaRun("only", 1, 2, "digits", {3, 2}, {1, 1}, 1)};
        BetaTradeoffChart chart;
        chart.setPoints(betaTradeoffPoints(runs[0], runs), QStringLiteral("vae-conv"));
        QCOMPARE(chart.pointCount(), 0);
        QVERIFY2(chart.hint().contains("loss_params.beta") && chart.hint().contains("0.1, 1, 2"),
                 qPrintable(chart.hint()));
        chart.setPoints({});
        QVERIFY(!chart.hint().isEmpty());
    }
};

QTEST_MAIN(TestBetaTradeoffChart)
#include "test_beta_tradeoff_chart.moc"
