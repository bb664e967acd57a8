// embedscope-cli runs end to end on projects whose runs are written directly with ProjectFile:
// the table as JSON and CSV, --spearman against a hand ρ and p, --repeats with the band of a
// reference run, --consistency of rotated and unrelated embeddings, and the bad inputs (empty
// project, unknown metric, unwritable CSV, a run without embedding).
#include "embedscope/engine/project.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

#include "cli_runner.h"

#include <Eigen/Dense>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

RunRecord sweepRun(const std::string& name, double lr, int seed, double wss,
                   const std::string& status = "finished") {
    RunRecord run;
    run.name = name;
    run.datasetName = "of";
    run.status = status;
    char config[256];
    std::snprintf(config, sizeof config,
                  R"({"model": "mlp", "model_params": {"channels": 16}, "learning_rate": %.17g,)"
                  R"( "seed": %d, "run_name": "%s"})",
                  lr, seed, name.c_str());
    run.configJson = config;
    if (status == "failed") {
        run.metricsJson = R"({"error": "train exited with 1: out of memory"})";
        return run;
    }
    run.metricsJson = R"({"best": {"wss_tss": )" + std::to_string(wss) + "}}";
    run.trainLoss = {1.0, 0.5};
    run.valLoss = {1.2, 0.6};
    run.bestEpoch = 1;
    return run;
}

RunRecord embeddingRun(const std::string& name, const Eigen::MatrixXd& z) {
    RunRecord run;
    run.name = name;
    run.datasetName = "of";
    run.embeddingRows = std::size_t(z.rows());
    run.embeddingCols = std::size_t(z.cols());
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            run.embedding.push_back(float(z(r, c)));
    return run;
}

QString writeProject(const QString& file, const std::vector<RunRecord>& runs) {
    const QString path = tmpPath(file);
    ProjectFile project = ProjectFile::create(path.toStdString(), true);
    for (const RunRecord& run : runs)
        project.writeRun(run);
    return path;
}

/// lr-000..003: lr 1e-4, 3e-4, 1e-3, 3e-3 with WSS/TSS 0.5, 0.4, 0.45, 0.2; rep-r0..2: one
/// configuration, WSS/TSS 0.1, 0.2, 0.3; rep-x: another lr, 0.9; zz-failed: a failed run.
QString sweepProject() {
    return writeProject("cli_runs.h5",
                        {sweepRun("lr-000", 1e-4, 1, 0.5), sweepRun("lr-001", 3e-4, 2, 0.4),
                         sweepRun("lr-002", 1e-3, 3, 0.45), sweepRun("lr-003", 3e-3, 4, 0.2),
                         sweepRun("rep-r0", 1e-2, 1, 0.1), sweepRun("rep-r1", 1e-2, 2, 0.2),
                         sweepRun("rep-r2", 1e-2, 3, 0.3), sweepRun("rep-x", 5e-2, 1, 0.9),
                         sweepRun("zz-failed", 1e-1, 1, NAN, "failed")});
}

QStringList strings(const QJsonValue& v) {
    QStringList out;
    for (const auto& e : v.toArray())
        out << e.toString();
    return out;
}

} // namespace

class TestCliRuns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tableAsJsonAndCsv() {
        const QString project = sweepProject();
        CliResult r = runCli({"runs", "--project", project, "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray runs = r.json.value("runs").toArray();
        QCOMPARE(runs.size(), 9);
        const QJsonObject first = runs[0].toObject();
        QCOMPARE(first.value("name").toString(), QString("lr-000"));
        QCOMPARE(first.value("learning_rate").toDouble(), 1e-4);
        QCOMPARE(first.value("model").toString(), QString("mlp"));
        QCOMPARE(first.value("wss_tss").toDouble(), 0.5);
        QCOMPARE(first.value("best_val_loss").toDouble(), 0.6);
        const QJsonObject failed = runs[8].toObject();
        QCOMPARE(failed.value("status").toString(), QString("failed"));
        QCOMPARE(failed.value("error").toString(), QString("train exited with 1: out of memory"));
        QVERIFY(failed.value("wss_tss").isNull());
        const QJsonObject columns = r.json.value("columns").toObject();
        QCOMPARE(strings(columns.value("parameters")),
                 QStringList({"model", "model_params.channels", "learning_rate", "seed"}));
        QCOMPARE(strings(columns.value("metrics")), QStringList({"wss_tss"}));
        QVERIFY(r.out.contains("zz-failed") && r.out.contains("out of memory"));

        const QString csv = tmpPath("cli_runs.csv");
        QFile::remove(csv);
        r = runCli({"runs", "--project", project, "--prefix", "lr-", "--varying", "--csv", csv,
                    "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(strings(r.json.value("columns").toObject().value("parameters")),
                 QStringList({"learning_rate", "seed"}));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QByteArray("name,status,error,dataset,created,seconds,epochs_trained,"
                                      "best_epoch,best_val_loss,learning_rate,seed,wss_tss"));
        QCOMPARE(lines[4], QByteArray("lr-003,finished,,of,,0,2,1,0.6,0.003,4,0.2"));
    }

    void spearmanOfASweep() {
        // WSS/TSS ranks [4, 2, 3, 1] against lr ranks 1..4: Σd² = 18, ρ = 1 − 6·18/60 = −0.8;
        // n = 4 (df 2): p = 1 − |ρ| = 0.2 exactly.
        const QString project = sweepProject();
        const CliResult r = runCli({"runs", "--project", project, "--prefix", "lr-", "--spearman",
                                    "wss_tss", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject s = r.json.value("spearman").toObject();
        QCOMPARE(s.value("metric").toString(), QString("wss_tss"));
        const QJsonObject lr = s.value("parameters").toObject().value("learning_rate").toObject();
        QVERIFY(std::abs(lr.value("rho").toDouble() + 0.8) < 1e-12);
        QVERIFY(std::abs(lr.value("p").toDouble() - 0.2) < 1e-9);
        QCOMPARE(lr.value("n").toInt(), 4);
        QVERIFY(s.value("skipped").toObject().contains("seed"));
        QCOMPARE(s.value("parameters").toObject().size(), 1);

        const CliResult bad =
            runCli({"runs", "--project", project, "--spearman", "f1_proton", "--json"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("f1_proton") && bad.err.contains("wss_tss"), qPrintable(bad.err));
    }

    void repeatsWithReferenceBand() {
        const QString project = sweepProject();
        const CliResult r = runCli({"runs", "--project", project, "--prefix", "rep-", "--repeats",
                                    "--reference", "rep-r1", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject repeats = r.json.value("repeats").toObject();
        const QJsonArray groups = repeats.value("groups").toArray();
        QCOMPARE(groups.size(), 2);
        const QJsonObject g = groups[0].toObject();
        QCOMPARE(strings(g.value("runs")), QStringList({"rep-r0", "rep-r1", "rep-r2"}));
        QCOMPARE(g.value("parameters").toObject().value("learning_rate").toString(),
                 QString("0.01"));
        QVERIFY(!g.value("parameters").toObject().contains("seed"));
        // 0.1, 0.2, 0.3: mean 0.2, σ 0.1, SE 0.1/√3, band [0, 0.4].
        const QJsonObject wss = g.value("metrics").toObject().value("wss_tss").toObject();
        QCOMPARE(wss.value("n").toInt(), 3);
        QVERIFY(std::abs(wss.value("mean").toDouble() - 0.2) < 1e-12);
        QVERIFY(std::abs(wss.value("sd").toDouble() - 0.1) < 1e-12);
        QVERIFY(std::abs(wss.value("se").toDouble() - 0.1 / std::sqrt(3.0)) < 1e-12);
        QVERIFY(std::abs(wss.value("low").toDouble()) < 1e-12);
        QVERIFY(std::abs(wss.value("high").toDouble() - 0.4) < 1e-12);
        // The single rep-x run has no σ.
        const QJsonObject x =
            groups[1].toObject().value("metrics").toObject().value("wss_tss").toObject();
        QVERIFY(x.value("sd").isNull() && x.value("low").isNull());

        const QJsonObject ref = repeats.value("reference").toObject();
        const QJsonArray outside = ref.value("outside").toObject().value("wss_tss").toArray();
        QCOMPARE(outside.size(), 1);
        QCOMPARE(outside[0].toObject().value("run").toString(), QString("rep-x"));
        QCOMPARE(outside[0].toObject().value("side").toString(), QString("above"));
    }

    void consistencyMatrix() {
        std::mt19937_64 rng(3);
        std::normal_distribution<double> normal(0, 1);
        Eigen::MatrixXd a(150, 3), u(150, 3);
        for (Eigen::Index i = 0; i < a.size(); ++i) {
            a.data()[i] = normal(rng);
            u.data()[i] = normal(rng);
        }
        Eigen::Matrix3d rot; // 90° about z
        rot << 0, -1, 0, 1, 0, 0, 0, 0, 1;
        RunRecord failed = sweepRun("failed", 1e-3, 1, NAN, "failed");
        const QString project =
            writeProject("cli_runs_consistency.h5",
                         {embeddingRun("a", a), embeddingRun("b", a * rot.transpose()),
                          embeddingRun("u", u), failed});
        const CliResult r =
            runCli({"runs", "--project", project, "--consistency", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject c = r.json.value("consistency").toObject();
        QCOMPARE(strings(c.value("runs")), QStringList({"a", "b", "u"})); // failed left out
        const QJsonArray r2 = c.value("r2").toArray();
        QCOMPARE(r2.size(), 3);
        QCOMPARE(r2[0].toArray()[0].toDouble(), 1.0);
        QVERIFY(r2[0].toArray()[1].toDouble() > 0.999999);
        QCOMPARE(r2[0].toArray()[1].toDouble(), r2[1].toArray()[0].toDouble());
        QVERIFY(r2[0].toArray()[2].toDouble() < 0.1);
        const QJsonArray rmse = c.value("rmse").toArray();
        QVERIFY(rmse[0].toArray()[1].toDouble() < 1e-5);
        QVERIFY(rmse[0].toArray()[2].toDouble() > 0.5);

        // A finished run without an embedding is named.
        RunRecord bare = sweepRun("bare", 1e-3, 1, 0.3);
        const QString withBare = writeProject("cli_runs_bare.h5", {embeddingRun("a", a), bare});
        const CliResult bad = runCli({"runs", "--project", withBare, "--consistency", "--json"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("'bare'") && bad.err.contains("no embedding"),
                 qPrintable(bad.err));
    }

    void badInput() {
        const QString empty = writeProject("cli_runs_empty.h5", {});
        CliResult r = runCli({"runs", "--project", empty, "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(empty) && r.err.contains("no runs"), qPrintable(r.err));

        const QString project = sweepProject();
        r = runCli({"runs", "--project", project, "--prefix", "sweep-9", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("sweep-9"), qPrintable(r.err));

        const QString csv = tmpPath("no-such-dir/runs.csv");
        r = runCli({"runs", "--project", project, "--csv", csv, "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(csv), qPrintable(r.err));
        QVERIFY(!QFile::exists(csv));

        r = runCli({"runs", "--project", tmpPath("cli_runs_missing.h5"), "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cli_runs_missing.h5"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliRuns)
#include "test_cli_runs.moc"
