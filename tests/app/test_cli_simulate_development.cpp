// embedscope-cli simulate development (seed 003 demo, SPEC S3): the written file holds the
// groups x embryos x times images with their metadata and split by embryo; --json; bad options.
#include "embedscope/engine/project.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

#include "cli_runner.h"

using namespace embedscope;

class TestCliSimulateDevelopment : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void help() {
        const CliResult r = runCli({"simulate", "development", "--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* option : {"--out", "--embryos", "--times", "--size", "--noise", "--seed"})
            QVERIFY2(r.out.contains(option), option);
    }

    void writesDataset() {
        const QString out = path("dev.h5");
        const CliResult r =
            runCli({"simulate", "development", "--out", out, "--embryos", "4", "--times", "3",
                    "--size", "16", "--noise", "0", "--seed", "2", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // 5 groups x 4 embryos x 3 times; per group round(0.15 * 4) = 1 test and 1 val embryo.
        QCOMPARE(r.json.value("samples").toInt(), 60);
        QCOMPARE(r.json.value("shape").toArray(), QJsonArray({1, 16, 16}));
        QCOMPARE(r.json.value("individuals").toInt(), 20);
        QCOMPARE(r.json.value("train").toInt(), 30);
        QCOMPARE(r.json.value("val").toInt(), 15);
        QCOMPARE(r.json.value("test").toInt(), 15);
        QCOMPARE(r.json.value("groups").toArray(),
                 QJsonArray({"wt", "gdf3", "lmx1b", "tbx6", "chd"}));

        const Dataset d = ProjectFile::open(out.toStdString()).readDataset("development");
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleCount(), std::size_t(60));
        std::map<std::string, std::set<std::string>> embryos;
        for (std::size_t i = 0; i < d.sampleCount(); ++i)
            embryos[d.metadata.column("perturbation").strings[i]].insert(
                d.metadata.column("individual").strings[i]);
        QCOMPARE(embryos.size(), std::size_t(5));
        QCOMPARE(embryos["lmx1b"],
                 (std::set<std::string>{"lmx1b-01", "lmx1b-02", "lmx1b-03", "lmx1b-04"}));
        QVERIFY(d.metadata.has("gt_divergence") && d.metadata.has("gt_tail_length"));
        QCOMPARE(d.attributeNumber("noise", -1), 0.0);
        QCOMPARE(d.attributeNumber("seed", 0), 2.0);

        // Same seed under another name in the same file: identical images.
        const CliResult again =
            runCli({"simulate", "development", "--out", out, "--embryos", "4", "--times", "3",
                    "--size", "16", "--noise", "0", "--seed", "2", "--name", "dev2", "--quiet"});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY(again.out.contains("60 embryo images"));
        QCOMPARE(ProjectFile::open(out.toStdString()).readDataset("dev2").values, d.values);
    }

    void badOptions_data() {
        QTest::addColumn<QStringList>("args");
        const QString out = path("bad.h5");
        QTest::newRow("embryos 0")
            << QStringList{"simulate", "development", "--out", out, "--embryos", "0"};
        QTest::newRow("size 8") << QStringList{"simulate", "development", "--out",
                                               out,        "--size",      "8"};
        QTest::newRow("noise -1") << QStringList{"simulate", "development", "--out",
                                                 out,        "--noise",     "-1"};
        QTest::newRow("times 1") << QStringList{"simulate", "development", "--out",
                                                out,        "--times",     "1"};
    }
    void badOptions() {
        QFETCH(QStringList, args);
        const CliResult r = runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY(!r.err.isEmpty());
        QVERIFY(!QFile::exists(path("bad.h5")));
    }
};

QTEST_GUILESS_MAIN(TestCliSimulateDevelopment)
#include "test_cli_simulate_development.moc"
