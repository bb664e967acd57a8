// End-to-end tests of embedscope-cli: every command, the --json convention, and bad input.
#include "embedscope/engine/project.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.h"

namespace {} // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString data_;
    QString project_;

    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        data_ = path("data.h5");
        project_ = path("project.h5");
        const CliResult sim =
            runCli({"simulate", "openfield", "--out", data_, "--substances", "2", "--doses", "2",
                    "--animals", "8", "--minutes", "2", "--seed", "7", "--json", "--quiet"});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        // (2 substances x 2 doses + control) x 8 animals, 2 min at 25 Hz
        QCOMPARE(sim.json.value("samples").toInt(), 40);
        QCOMPARE(sim.json.value("shape").toArray().at(1).toInt(), 3000);
    }

    void helpForEveryCommand_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("top") << QStringList{"--help"};
        for (const char* c : {"simulate", "train", "embed", "import", "info", "model-info",
                              "evaluate", "reference"})
            QTest::newRow(c) << QStringList{c, "--help"};
        QTest::newRow("simulate openfield") << QStringList{"simulate", "openfield", "--help"};
    }
    void helpForEveryCommand() {
        QFETCH(QStringList, args);
        const CliResult r = runCli(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage") || r.out.contains("usage") || r.out.contains("OPTIONS"));
    }

    void infoDescribesTheData() {
        const CliResult r = runCli({"info", data_, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray datasets = r.json.value("datasets").toArray();
        QCOMPARE(datasets.size(), 1);
        QCOMPARE(datasets.at(0).toObject().value("name").toString(), QString("openfield"));
    }

    void trainThenEmbed() {
        const CliResult r =
            runCli({"train", "--data", data_, "--project", project_, "--epochs", "3", "--seed", "3",
                    "--set", "batch_size=8", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString run = r.json.value("run").toString();
        QVERIFY(!run.isEmpty());
        QCOMPARE(r.json.value("train_loss").toArray().size(), 3);
        QCOMPARE(r.json.value("val_loss").toArray().size(), 3);
        const int best = r.json.value("best_epoch").toInt(-1);
        QVERIFY(best >= 0 && best < 3);
        // best_epoch is the argmin of the validation curve
        const QJsonArray val = r.json.value("val_loss").toArray();
        for (const auto& v : val)
            QVERIFY(val.at(best).toDouble() <= v.toDouble());
        QVERIFY(r.json.value("seconds").toDouble() > 0.0);

        const QString csv = path("table.csv");
        const CliResult e = runCli(
            {"embed", "--project", project_, "--run", run, "--out", csv, "--pca", "2", "--json"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 41); // header + 40 samples
        const QStringList header = lines.front().split(',');
        QCOMPARE(header.at(0), QString("pc_1"));
        QCOMPARE(header.at(1), QString("pc_2"));
        QVERIFY(header.contains("Metadata_substance"));
        QVERIFY(header.contains("Metadata_dose"));
        QVERIFY(header.contains("Metadata_split"));
        // PCA scores are centred: each pc column sums to ~0.
        for (int k = 0; k < 2; ++k) {
            double sum = 0;
            for (int i = 1; i < lines.size(); ++i)
                sum += lines[i].split(',').at(k).toDouble();
            QVERIFY2(std::abs(sum) < 1e-3, qPrintable(QString::number(sum)));
        }
    }

    void referenceRunsWithMetrics() {
        // After trainThenEmbed: the untrained and manual references, then the combined model
        // of the trained run; each carries the seed 000 metrics.
        const CliResult all = runCli(
            {"reference", "--project", project_, "--set", "batch_size=8", "--json", "--quiet"});
        QVERIFY2(all.exitCode == 0, qPrintable(all.err));
        const QJsonArray runs = all.json.value("runs").toArray();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs.at(0).toObject().value("kind").toString(), QString("untrained"));
        QCOMPARE(runs.at(1).toObject().value("kind").toString(), QString("manual"));
        for (const auto& run : runs) {
            const QJsonObject m = run.toObject().value("metrics").toObject();
            for (const char* key : {"wss_tss", "pnn3", "dr", "davies_bouldin", "f1_micro"})
                QVERIFY2(m.contains(key), key);
            // WSS/TSS is a share of the total scatter; %PNN a percentage.
            QVERIFY(m.value("wss_tss").toDouble() > 0 && m.value("wss_tss").toDouble() < 1);
            QVERIFY(m.value("pnn3").toDouble() >= 0 && m.value("pnn3").toDouble() <= 100);
        }
        const CliResult combined =
            runCli({"reference", "--project", project_, "--kind", "combined", "--json", "--quiet"});
        QVERIFY2(combined.exitCode == 0, qPrintable(combined.err));
        QCOMPARE(combined.json.value("runs").toArray().at(0).toObject().value("kind").toString(),
                 QString("combined"));

        const CliResult bad = runCli({"reference", "--project", project_, "--kind", "handmade"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("handmade") && bad.err.contains("manual"), qPrintable(bad.err));
    }

    void errorsNameTheFile() {
        const CliResult missing = runCli({"info", path("nope.h5")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("nope.h5"));

        QFile text(path("text.h5"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("this is not hdf5\n");
        text.close();
        const CliResult notHdf5 =
            runCli({"train", "--data", text.fileName(), "--project", path("p2.h5")});
        QCOMPARE(notHdf5.exitCode, 1);
        QVERIFY(notHdf5.err.contains("text.h5"));
        QVERIFY(!QFile::exists(path("p2.h5")));
    }

    void badConfigKeepsTheProject() {
        const QByteArray before = [&] {
            QFile f(project_);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QFile cfg(path("bad.json"));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(R"({"epochs": 2, "learning_rat": 0.1})");
        cfg.close();
        const CliResult r =
            runCli({"train", "--data", data_, "--project", project_, "--config", cfg.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("learning_rat"), qPrintable(r.err));
        const CliResult wrongType =
            runCli({"train", "--data", data_, "--project", project_, "--set", "epochs=many"});
        QCOMPARE(wrongType.exitCode, 1);
        QVERIFY2(wrongType.err.contains("epochs"), qPrintable(wrongType.err));
        QFile f(project_);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
    }

    void unknownRunIsAnError() {
        const CliResult r = runCli(
            {"embed", "--project", project_, "--run", "missing-run", "--out", path("x.csv")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("missing-run"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
