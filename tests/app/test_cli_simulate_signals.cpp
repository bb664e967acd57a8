// embedscope-cli simulate hh / tpc (SPEC S1, S2): the files they write hold what the seeds
// describe (shapes, scaling, metadata, splits), --json, and bad options as errors.
#include "embedscope/engine/project.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include "cli_runner.h"

using namespace embedscope;

class TestCliSimulateSignals : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void help() {
        for (const char* sub : {"hh", "tpc"}) {
            const CliResult r = runCli({"simulate", sub, "--help"});
            QCOMPARE(r.exitCode, 0);
            QVERIFY(r.out.contains("--out"));
        }
    }

    void hodgkinHuxley() {
        const QString out = path("hh.h5");
        const CliResult r = runCli({"simulate", "hh", "--out", out, "--n", "10", "--seed", "3",
                                    "--threads", "2", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("samples").toInt(), 10);
        QCOMPARE(r.json.value("shape").toArray(), QJsonArray({1, 5000}));
        // 80 % train (of which 10 % val), 20 % test: 8 -> 7 train + 1 val, 2 test.
        QCOMPARE(r.json.value("train").toInt(), 7);
        QCOMPARE(r.json.value("val").toInt(), 1);
        QCOMPARE(r.json.value("test").toInt(), 2);

        const Dataset d = ProjectFile::open(out.toStdString()).readDataset("hh");
        QVERIFY(d.kind == DataKind::Signal);
        QCOMPARE(d.sampleCount(), std::size_t(10));
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            const float* s = d.sample(i);
            QCOMPARE(*std::min_element(s, s + 5000), 0.0f);
            QCOMPARE(*std::max_element(s, s + 5000), 1.0f);
            const double gK = d.metadata.column("gK").numbers[i];
            const double gNa = d.metadata.column("gNa").numbers[i];
            QVERIFY(gK >= 26 && gK <= 46 && gNa >= 110 && gNa <= 130);
        }
        QCOMPARE(d.attributeNumber("dt_ms", 0), 0.01);
        QCOMPARE(d.attributeNumber("current_uA_cm2", 0), 15.0);

        // Same seed, second data set in the same file: identical traces.
        const CliResult again = runCli({"simulate", "hh", "--out", out, "--n", "10", "--seed", "3",
                                        "--name", "hh2", "--quiet"});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY(again.out.contains("10 Hodgkin-Huxley traces"));
        const ProjectFile file = ProjectFile::open(out.toStdString());
        QCOMPARE(file.readDataset("hh2").values, d.values);
    }

    void tpc() {
        const QString out = path("tpc.h5");
        const CliResult r = runCli({"simulate", "tpc", "--out", out, "--per-class", "10", "--size",
                                    "32", "--noise", "2", "--seed", "4", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("samples").toInt(), 20);
        QCOMPARE(r.json.value("shape").toArray(), QJsonArray({1, 32, 32}));
        // Per class round(0.15 * 10) = 2 val and 2 test.
        QCOMPARE(r.json.value("train").toInt(), 12);
        QCOMPARE(r.json.value("val").toInt(), 4);
        QCOMPARE(r.json.value("test").toInt(), 4);

        const Dataset d = ProjectFile::open(out.toStdString()).readDataset("tpc");
        QVERIFY(d.kind == DataKind::Image);
        int protons = 0;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            protons += d.metadata.column("label").strings[i] == "proton";
            const float* s = d.sample(i);
            QCOMPARE(*std::max_element(s, s + 32 * 32), 1.0f);
        }
        QCOMPARE(protons, 10);
        QCOMPARE(d.attributeNumber("noise_points", 0), 2.0);
    }

    void badOptions_data() {
        QTest::addColumn<QStringList>("args");
        const QString out = path("bad.h5");
        QTest::newRow("hh n 0") << QStringList{"simulate", "hh", "--out", out, "--n", "0"};
        QTest::newRow("tpc size 4") << QStringList{"simulate", "tpc", "--out", out, "--size", "4"};
        QTest::newRow("tpc noise -1")
            << QStringList{"simulate", "tpc", "--out", out, "--noise", "-1"};
    }
    void badOptions() {
        QFETCH(QStringList, args);
        const CliResult r = runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY(!r.err.isEmpty());
        QVERIFY(!QFile::exists(path("bad.h5")));
    }
};

QTEST_GUILESS_MAIN(TestCliSimulateSignals)
#include "test_cli_simulate_signals.moc"
