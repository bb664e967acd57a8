// The Slurm backend of sweeps (issue 6) against a real one-machine Slurm: slurmctld and slurmd
// on localhost, started by the ctest fixture tests/support/slurm_localhost.sh (root only). No
// mock scheduler: without that cluster every case skips and says why.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/sweep.h"

#include "expect_error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

struct Command {
    bool started = false;
    int exitCode = -1;
    QString out, err;
};

Command run(const QString& program, const QStringList& args, int timeoutMs = 60000) {
    QProcess p;
    p.start(program, args);
    Command c;
    c.started = p.waitForStarted(10000);
    if (!c.started)
        return c;
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    c.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    c.out = QString::fromUtf8(p.readAllStandardOutput());
    c.err = QString::fromUtf8(p.readAllStandardError());
    return c;
}

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

/// A spec built directly (the parser has its own tests): a grid over `key`, 1 repeat.
SweepSpec gridSpec(const std::string& name, const std::string& key,
                   const std::vector<std::string>& values) {
    SweepSpec spec;
    spec.name = name;
    spec.baseConfigJson = R"({"epochs": 1, "batch_size": 4, "threads": 1})";
    SweepParameter p;
    p.key = key;
    p.kind = SweepParameter::Kind::Values;
    p.values = values;
    spec.parameters = {p};
    return spec;
}

/// Sets SLURM_CONF (when given) and restores the caller's value (or its absence) on exit.
class ScopedSlurmConf {
public:
    explicit ScopedSlurmConf(const QByteArray* conf = nullptr)
        : had_(qEnvironmentVariableIsSet("SLURM_CONF")), old_(qgetenv("SLURM_CONF")) {
        if (conf)
            qputenv("SLURM_CONF", *conf);
    }
    ~ScopedSlurmConf() {
        if (had_)
            qputenv("SLURM_CONF", old_);
        else
            qunsetenv("SLURM_CONF");
    }

private:
    bool had_;
    QByteArray old_;
};

} // namespace

class TestSweepSlurm : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString data_;
    QString deadConf_;

    QString path(const QString& name) const { return dir_.filePath(name); }
    SweepOptions options(const QString& project) const {
        SweepOptions o;
        o.dataPath = data_.toStdString();
        o.projectPath = project.toStdString();
        o.cliPath = EMBEDSCOPE_CLI_PATH;
        o.pollSeconds = 1;
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        // Skips are all-or-nothing here, with a message ctest's SKIP_REGULAR_EXPRESSION sees.
        const Command conf = run("scontrol", {"show", "config"}, 30000);
        if (!conf.started)
            QSKIP("slurm unavailable: scontrol not found -- install slurm-wlm and munge "
                  "(installer/install-deps.sh --with-tests) and run "
                  "tests/support/slurm_localhost.sh as root");
        if (conf.exitCode != 0)
            QSKIP(qPrintable("slurm unavailable: scontrol show config failed (" +
                             conf.err.trimmed() +
                             ") -- start the one-machine Slurm with tests/support/"
                             "slurm_localhost.sh (needs root)"));
        if (!conf.out.contains(QRegularExpression("ClusterName\\s*=\\s*embedscope-ci")))
            QSKIP("slurm unavailable: the configured cluster is not the one-machine "
                  "embedscope-ci of tests/support/slurm_localhost.sh; not submitting test jobs "
                  "to a real cluster");
        const Command sinfo = run("sinfo", {"-h", "-n", "localhost", "-o", "%T"});
        if (sinfo.exitCode != 0 || sinfo.out.trimmed().isEmpty())
            QSKIP(qPrintable("slurm unavailable: sinfo does not list node localhost (" +
                             sinfo.err.trimmed() + ")"));

        QVERIFY(dir_.isValid());
        data_ = path("data.h5");
        const Command sim =
            run(EMBEDSCOPE_CLI_PATH,
                {"simulate", "openfield", "--out", data_, "--substances", "2", "--doses", "2",
                 "--animals", "4", "--minutes", "1", "--seed", "5", "--quiet"});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));

        // The same cluster with a port nobody listens on; MessageTimeout=1 so that the clients
        // give up at once instead of retrying for MessageTimeout (10 s) per attempt.
        const auto where = QRegularExpression("SLURM_CONF\\s*=\\s*(\\S+)").match(conf.out);
        QString text = readText(where.hasMatch() ? where.captured(1) : "/etc/slurm/slurm.conf");
        QVERIFY2(text.contains("SlurmctldPort"), "slurm.conf without SlurmctldPort");
        text.replace(QRegularExpression("SlurmctldPort=\\d+"), "SlurmctldPort=6999");
        text.remove(QRegularExpression("(?m)^MessageTimeout=.*$"));
        text += "\nMessageTimeout=1\n";
        deadConf_ = path("dead-slurm.conf");
        QFile out(deadConf_);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text.toUtf8());
    }

    void bothRunsOfTheArrayFinish() {
        const QString project = path("grid.h5");
        SweepSpec spec = gridSpec("slurmgrid", "learning_rate", {"0.001", "0.003"});
        SweepOptions o = options(project);
        std::map<std::string, std::vector<std::string>> seen;
        QElapsedTimer sinceSubmit;
        double collectedAfter = -1;
        int finished = 0;
        const auto statuses = runSweepSlurm(spec, o, JobContext(), [&](const SweepRunStatus& s) {
            if (s.state == "pending" && !sinceSubmit.isValid())
                sinceSubmit.start(); // the first report follows sbatch's answer
            seen[s.name].push_back(s.state);
            if (s.state == "finished" && ++finished == 2)
                collectedAfter = sinceSubmit.elapsed() / 1000.0;
        });
        qInfo("sbatch to both runs collected: %.1f s", collectedAfter);

        QCOMPARE(int(statuses.size()), 2);
        for (const auto& s : statuses)
            QVERIFY2(s.state == "finished",
                     qPrintable(QString::fromStdString(s.name + ": " + s.error)));
        // The runs are in the project with the swept values they were trained with.
        const ProjectFile file = ProjectFile::open(project.toStdString());
        const std::vector<SweepRunSpec> runs = expandSweep(spec);
        QCOMPARE(int(runs.size()), 2);
        const std::map<std::string, double> expected = {{runs[0].name, 0.001},
                                                        {runs[1].name, 0.003}};
        for (const auto& [name, lr] : expected) {
            QVERIFY2(file.hasRun(name), name.c_str());
            const RunRecord r = file.readRun(name, ProjectFile::RunContent::Summary);
            QCOMPARE(QString::fromStdString(r.status), QString("finished"));
            const QJsonObject cfg =
                QJsonDocument::fromJson(QByteArray::fromStdString(r.configJson)).object();
            QCOMPARE(cfg.value("learning_rate").toDouble(), lr);
            QCOMPARE(cfg.value("epochs").toInt(), 1);
            QCOMPARE(seen[name].front(), std::string("pending"));
            QCOMPARE(seen[name].back(), std::string("finished"));
        }

        // The script, the task lines and a log per task.
        const QString work = project + ".sweep/slurmgrid";
        const QString script = readText(work + "/array.sbatch");
        QVERIFY(script.contains("#SBATCH --array=0-1\n"));
        QVERIFY(script.contains("#SBATCH --job-name=embedscope-slurmgrid\n"));
        QVERIFY(script.contains("#SBATCH --cpus-per-task=1\n"));
        const QStringList lines = readText(work + "/tasks.txt").split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[0].contains("'learning_rate=0.001'") && lines[0].contains("'train'"));
        QVERIFY(lines[1].contains("'learning_rate=0.003'"));
        const QStringList outs = QDir(work).entryList({"slurm-*_*.out"});
        QCOMPARE(outs.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const QString name = QString::fromStdString(runs[i].name);
            QVERIFY2(readText(work + "/" + outs[i]).contains("exited with 0"), qPrintable(outs[i]));
            QVERIFY(QFile::exists(work + "/" + name + ".log"));
            QCOMPARE(readText(work + "/" + name + ".exit").trimmed(), QString("0"));
            QVERIFY2(!QFile::exists(work + "/" + name + ".h5"), "per-run project not removed");
        }

        // Again: nothing left to submit, both skipped.
        const auto again = runSweepSlurm(spec, o, JobContext());
        QCOMPARE(int(again.size()), 2);
        QCOMPARE(again[0].state, std::string("skipped"));
        QCOMPARE(again[1].state, std::string("skipped"));
    }

    void aFailingTaskIsRecordedWithItsLog() {
        const QString project = path("fail.h5");
        // Parses, but the data has no such column: the child exits 1 while loading the data.
        SweepSpec spec = gridSpec("slurmfail", "group_column", {"no_such_column"});
        const auto statuses = runSweepSlurm(spec, options(project), JobContext());
        QCOMPARE(int(statuses.size()), 1);
        const SweepRunStatus& s = statuses[0];
        QCOMPARE(s.state, std::string("failed"));
        const QString error = QString::fromStdString(s.error);
        QVERIFY2(error.contains("exit code 1"), qPrintable(error));
        QVERIFY2(error.contains("no_such_column"), qPrintable(error)); // the log's tail
        qInfo("recorded error: %s", qPrintable(error));
        const QString work = project + ".sweep/slurmfail";
        QVERIFY(!QFile::exists(work + "/" + QString::fromStdString(s.name) + ".h5"));
        QCOMPARE(readText(work + "/" + QString::fromStdString(s.name) + ".exit").trimmed(),
                 QString("1"));
        const ProjectFile file = ProjectFile::open(project.toStdString());
        QVERIFY(file.hasRun(s.name));
        const RunRecord r = file.readRun(s.name, ProjectFile::RunContent::Summary);
        QCOMPARE(QString::fromStdString(r.status), QString("failed"));
        QVERIFY(QString::fromStdString(r.metricsJson).contains("no_such_column"));
    }

    void unreachableControllerNamesTheCommand() {
        const QString project = path("dead.h5");
        SweepSpec spec = gridSpec("slurmdead", "learning_rate", {"0.001"});
        {
            const QByteArray conf = deadConf_.toUtf8();
            ScopedSlurmConf dead(&conf);
            QElapsedTimer t;
            t.start();
            expectError<IoError>([&] { runSweepSlurm(spec, options(project), JobContext()); },
                                 {"squeue", "is slurmctld running?"});
            QVERIFY(t.elapsed() < 10000);
        }
        QVERIFY(!QFile::exists(project)); // nothing recorded for a sweep that never started

        // The controller goes away after the submission: squeue fails, the error says so.
        spec.name = "slurmlost";
        {
            ScopedSlurmConf restore;
            bool switched = false;
            expectError<IoError>(
                [&] {
                    runSweepSlurm(spec, options(project), JobContext(),
                                  [&](const SweepRunStatus& s) {
                                      if (s.state == "pending" && !switched) {
                                          qputenv("SLURM_CONF", deadConf_.toUtf8());
                                          switched = true;
                                      }
                                  });
                },
                {"squeue", "is slurmctld running?", "scancel"});
            QVERIFY(switched);
        }
        // The array is still on the real controller: cancel it so that nothing outlives the test.
        const Command cancel = run("scancel", {"--name=embedscope-slurmlost"});
        QCOMPARE(cancel.exitCode, 0);
    }

    void anArrayOfTheSweepStillQueuedIsNotSubmittedTwice() {
        // A job of the sweep's name in the queue (as left by a killed coordinator).
        const Command busy = run("sbatch", {"--parsable", "--job-name=embedscope-slurmbusy",
                                            "--output=/dev/null", "--wrap=sleep 60"});
        QVERIFY2(busy.exitCode == 0, qPrintable(busy.err));
        const QString id = busy.out.trimmed().section(';', 0, 0);
        const QString project = path("busy.h5");
        SweepSpec spec = gridSpec("slurmbusy", "learning_rate", {"0.001"});
        expectError<IoError>([&] { runSweepSlurm(spec, options(project), JobContext()); },
                             {"slurmbusy", id.toStdString(), "still queued or running"});
        QVERIFY(!QFile::exists(project + ".sweep/slurmbusy/array.sbatch"));
        QCOMPARE(run("scancel", {id}).exitCode, 0);
    }

    void cancellingScancelsTheArray() {
        const QString project = path("cancel.h5");
        SweepSpec spec = gridSpec("slurmcancel", "learning_rate", {"0.001", "0.002"});
        JobContext ctx;
        QElapsedTimer t;
        t.start();
        expectError<CancelledError>(
            [&] {
                runSweepSlurm(spec, options(project), ctx, [&](const SweepRunStatus& s) {
                    if (s.state == "pending")
                        ctx.requestCancel();
                });
            },
            {"cancelled"});
        QVERIFY(t.elapsed() < 10000);
        // scancel took the array off the queue (it may be completing for a moment).
        QTRY_VERIFY_WITH_TIMEOUT(
            run("squeue", {"-h", "--name=embedscope-slurmcancel", "-t", "PENDING,RUNNING"})
                .out.trimmed()
                .isEmpty(),
            10000);
    }
};

QTEST_GUILESS_MAIN(TestSweepSlurm)
#include "test_sweep_slurm.moc"
