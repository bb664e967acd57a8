// embedscope-cli sweep end to end with the local backend: a grid of 2 learning rates x 2
// repeats on 2 workers (4 finished runs with their seeds and configs, progress per run), the
// same command again (4 skipped, nothing re-trained), a configuration failing in its child
// (failed with the error, the other finished, exit 1), --dry-run, and invalid specs.
#include "embedscope/engine/project.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_runner.h"

#include <nlohmann/json.hpp>

#include <map>

using namespace embedscope;

class TestCliSweep : public QObject {
    Q_OBJECT
    QTemporaryDir dir_{QString(EMBEDSCOPE_TEST_TMP_DIR) + "/cli-sweep-XXXXXX"};

    QString path(const QString& name) const { return dir_.filePath(name); }
    QString writeSpec(const QString& name, const QByteArray& text) const {
        QFile f(path(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
            qFatal("cannot write %s", qPrintable(path(name)));
        return path(name);
    }
    QStringList sweepArgs(const QString& spec, const QString& project) const {
        return {"sweep",     "--spec", spec,     "--data", path("data.h5"),
                "--project", project,  "--jobs", "2",      "--json"};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const CliResult r =
            runCli({"simulate", "openfield", "--out", path("data.h5"), "--substances", "2",
                    "--doses", "2", "--animals", "4", "--minutes", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void gridSweepThenResume() {
        const QString spec = writeSpec("lr.json", R"({"name": "lr", "repeats": 2, "seed": 11,
            "base": {"epochs": 1, "batch_size": 4},
            "parameters": {"learning_rate": [0.002, 0.02]}, "metrics": ["wss_tss"]})");
        const QString project = path("grid.h5");
        CliResult r = runCli(sweepArgs(spec, project));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["sweep"].toString(), QString("lr"));
        QCOMPARE(r.json["backend"].toString(), QString("local"));
        QCOMPARE(r.json["runs"].toInt(), 4);
        QCOMPARE(r.json["finished"].toInt(), 4);
        QCOMPARE(r.json["failed"].toInt(), 0);
        QCOMPARE(r.json["skipped"].toInt(), 0);
        const QJsonArray results = r.json["results"].toArray();
        QCOMPARE(results.size(), 4);
        QCOMPARE(results[0].toObject()["name"].toString(), QString("lr-001-r1"));
        QVERIFY(results[0].toObject()["metrics"].toObject().contains("wss_tss"));
        // One progress line per state change: 4 running + 4 finished, the last one "[4/4]".
        QCOMPARE(r.err.count(QRegularExpression(R"(\[\d/4\] lr-\S+ running)")), 4);
        QCOMPARE(r.err.count(QRegularExpression(R"(\[\d/4\] lr-\S+ finished \(\d+\.\d s\))")), 4);
        QVERIFY(r.err.contains(QRegularExpression(R"(\[4/4\] lr-\S+ finished)")));

        const ProjectFile p = ProjectFile::open(project.toStdString());
        QCOMPARE(p.runNames().size(), std::size_t(4));
        const std::map<std::string, std::pair<double, int>> expected = {{"lr-001-r1", {0.002, 11}},
                                                                        {"lr-001-r2", {0.002, 12}},
                                                                        {"lr-002-r1", {0.02, 11}},
                                                                        {"lr-002-r2", {0.02, 12}}};
        std::map<std::string, std::string> created;
        for (const auto& [name, values] : expected) {
            const RunRecord run = p.readRun(name, ProjectFile::RunContent::Summary);
            QCOMPARE(run.status, std::string("finished"));
            const auto config = nlohmann::json::parse(run.configJson);
            QCOMPARE(config["learning_rate"].get<double>(), values.first);
            QCOMPARE(config["seed"].get<int>(), values.second);
            QCOMPARE(config["epochs"].get<int>(), 1);
            QCOMPARE(config["batch_size"].get<int>(), 4);
            QCOMPARE(run.trainLoss.size(), std::size_t(1));
            created[name] = run.createdUtc;
        }

        r = runCli(sweepArgs(spec, project));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["skipped"].toInt(), 4);
        QCOMPARE(r.json["finished"].toInt(), 0);
        QVERIFY(!r.err.contains("running"));
        for (const auto& [name, when] : created)
            QCOMPARE(p.readRun(name, ProjectFile::RunContent::Summary).createdUtc, when);
    }

    void failingRunIsRecorded() {
        // Any text passes as group_column in the spec; train fails on the data at run time.
        const QString spec = writeSpec("gc.json", R"({"name": "gc",
            "base": {"epochs": 1, "batch_size": 4},
            "parameters": {"group_column": ["group", "no_such_column"]}})");
        const CliResult r = runCli(sweepArgs(spec, path("fail.h5")));
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.json["finished"].toInt(), 1);
        QCOMPARE(r.json["failed"].toInt(), 1);
        const QJsonObject failed = r.json["results"].toArray()[1].toObject();
        QCOMPARE(failed["state"].toString(), QString("failed"));
        QVERIFY2(failed["error"].toString().contains("no_such_column"),
                 qPrintable(failed["error"].toString()));
        QVERIFY(r.err.contains(QRegularExpression(R"(\[\d/2\] gc-002 failed)")));
        const ProjectFile p = ProjectFile::open(path("fail.h5").toStdString());
        QCOMPARE(p.readRun("gc-002", ProjectFile::RunContent::Summary).status,
                 std::string("failed"));
        QCOMPARE(p.readRun("gc-001", ProjectFile::RunContent::Summary).status,
                 std::string("finished"));
    }

    void dryRun() {
        const QString spec = writeSpec("dry.json", R"({"name": "d", "method": "random",
            "trials": 3, "repeats": 2, "seed": 4, "parameters": {
              "weight_decay": {"distribution": "log-uniform", "low": 1e-6, "high": 1e-2}}})");
        QStringList args = sweepArgs(spec, path("dry.h5"));
        args << "--dry-run";
        const CliResult r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["runs"].toInt(), 6);
        const QJsonArray runs = r.json["results"].toArray();
        QCOMPARE(runs[5].toObject()["name"].toString(), QString("d-003-r2"));
        QCOMPARE(runs[5].toObject()["seed"].toInt(), 5);
        const double wd =
            runs[5].toObject()["overrides"].toObject()["weight_decay"].toString().toDouble();
        QVERIFY(wd >= 1e-6 && wd <= 1e-2);
        QVERIFY(!QFile::exists(path("dry.h5"))); // nothing ran
    }

    void invalidSpecs_data() {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown parameter")
            << QByteArray(R"({"name": "x", "parameters": {"learning_rat": [0.1]}})")
            << "parameters.learning_rat";
        QTest::newRow("empty list")
            << QByteArray(R"({"name": "x", "parameters": {"batch_size": []}})")
            << "parameters.batch_size";
        QTest::newRow("bad bounds")
            << QByteArray(R"({"name": "x", "method": "random", "trials": 2, "parameters":
                  {"weight_decay": {"distribution": "log-uniform", "low": 1, "high": 0.1}}})")
            << "parameters.weight_decay";
    }
    void invalidSpecs() {
        QFETCH(QByteArray, spec);
        QFETCH(QString, field);
        const QString file = writeSpec("bad.json", spec);
        const CliResult r = runCli(sweepArgs(file, path("bad.h5")));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(field) && r.err.contains("bad.json"), qPrintable(r.err));
        QVERIFY(!QFile::exists(path("bad.h5")));
    }
};

QTEST_GUILESS_MAIN(TestCliSweep)
#include "test_cli_sweep.moc"
