// embedscope-cli with the generative models: simulate tpc -> train a β-VAE -> its metrics,
// curves and embedding in the project; model-info on an image shape; bad configs named.
#include "embedscope/engine/generative.h"
#include "embedscope/engine/project.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.h"

using namespace embedscope;

class TestCliGenerative : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void trainVaeOnEvents() {
        const QString data = dir_.filePath("tpc.h5");
        const QString project = dir_.filePath("project.h5");
        CliResult r = runCli(
            {"simulate", "tpc", "--out", data, "--per-class", "30", "--size", "16", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"train", "--data", data, "--project", project, "--set", "model=vae-conv",
                    "--set", "model_params.latent_dim=3", "--set", "loss_params.beta=2", "--epochs",
                    "3", "--name", "vae", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QJsonObject metrics = r.json.value("metrics").toObject();
        QVERIFY2(metrics.contains("recon_mse") && metrics.contains("recon_bce") &&
                     metrics.contains("kld") && metrics.contains("logreg_accuracy"),
                 qPrintable(r.out));
        const RunRecord run = ProjectFile::open(project.toStdString()).readRun("vae");
        QVERIFY(isGenerativeRun(run));
        QCOMPARE(run.embeddingCols, std::size_t(3));
        QCOMPARE(int(run.curves.at("train_recon").size()), 3);
        // The stored config is the resolved one: elbo, nadamw with cosine decay (seed 001 §3.3).
        QVERIFY(run.configJson.find("\"nadamw\"") != std::string::npos);
        QVERIFY(run.configJson.find("\"cosine\"") != std::string::npos);
        QVERIFY(run.configJson.find("\"recon\": \"bce\"") != std::string::npos);

        // A contrastive loss with a generative model is refused with the reason.
        r = runCli({"train", "--data", data, "--project", dir_.filePath("refused.h5"), "--set",
                    "model=vae-conv", "--set", "loss=supcon", "--epochs", "1", "--quiet"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("elbo"), qPrintable(r.err));
    }

    void modelInfoOnImages() {
        const CliResult r = runCli({"model-info", "--model", "vae-mlp", "--input", "1,28,28",
                                    "--set", "latent_dim=20", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        // Seed 001 §3.2.1, by hand: 784·500+500 + 500·40+40 + 20·500+500 + 500·784+784.
        QCOMPARE(r.json.value("parameter_count").toInteger(), qint64(815824));
        // The seed-002 conv autoencoder with its int lists (odd kernels, mirrored decoder).
        const CliResult conv =
            runCli({"model-info", "--model", "ae-conv", "--input", "1,128,128", "--set",
                    "kernels=11,5,3", "--set", "filters=16,16,8", "--json"});
        QVERIFY2(conv.exitCode == 0, qPrintable(conv.err + conv.out));
        QVERIFY(conv.out.contains("11,5,3"));
    }
};

QTEST_GUILESS_MAIN(TestCliGenerative)
#include "test_cli_generative.moc"
