// The local sweep backend (issue 6) with real `embedscope-cli train` children: a grid of 2
// learning rates x 2 repeats on 2 workers lands in the project with the right seeds and
// configs; running it again skips them; a configuration that fails in its child is recorded
// failed with its stderr while the others finish; a name taken by another run and a cancel.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/sweep.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace embedscope;

namespace {

constexpr const char* kBase = R"("base": {"epochs": 1, "batch_size": 4, "metrics_every": 0})";

nlohmann::json configOf(const ProjectFile& project, const std::string& run) {
    return nlohmann::json::parse(project.readRun(run, ProjectFile::RunContent::Summary).configJson);
}

} // namespace

class TestSweepLocal : public QObject {
    Q_OBJECT
    QTemporaryDir dir_{QString(EMBEDSCOPE_TEST_TMP_DIR) + "/sweep-local-XXXXXX"};
    std::string data_;

    SweepOptions options(const std::string& project) const {
        SweepOptions o;
        o.dataPath = data_;
        o.projectPath = dir_.filePath(QString::fromStdString(project)).toStdString();
        o.cliPath = EMBEDSCOPE_CLI_PATH;
        o.jobs = 2;
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        OpenFieldParams params;
        params.substances = 2;
        params.doses = 2;
        params.animalsPerGroup = 4;
        params.minutes = 1;
        Dataset d = simulateOpenField(params);
        d.name = "openfield";
        data_ = dir_.filePath("data.h5").toStdString();
        ProjectFile::create(data_).writeDataset(d);
    }

    void gridRunsThenResumes() {
        const SweepSpec spec =
            parseSweepSpec(std::string(R"({"name": "lr", "repeats": 2, )") + kBase +
                               R"(, "parameters": {"learning_rate": [0.001, 0.01]}})",
                           "spec");
        const SweepOptions o = options("grid.h5");
        std::map<std::string, int> states;
        const auto start = std::chrono::steady_clock::now();
        const auto results = runSweepLocal(spec, o, JobContext(),
                                           [&](const SweepRunStatus& s) { ++states[s.state]; });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo("4 runs on 2 workers: %.1f s", seconds);
        QCOMPARE(results.size(), std::size_t(4));
        for (const auto& r : results) {
            QVERIFY2(r.state == "finished", qPrintable(QString::fromStdString(r.error)));
            QVERIFY(r.seconds > 0);
        }
        QCOMPARE(states["running"], 4);
        QCOMPARE(states["finished"], 4);

        const ProjectFile project = ProjectFile::open(o.projectPath);
        QCOMPARE(project.runNames().size(), std::size_t(4));
        QVERIFY(project.hasDataset("openfield")); // brought along so the GUI can show the runs
        const std::map<std::string, std::pair<double, int>> expected = {{"lr-001-r1", {0.001, 1}},
                                                                        {"lr-001-r2", {0.001, 2}},
                                                                        {"lr-002-r1", {0.01, 1}},
                                                                        {"lr-002-r2", {0.01, 2}}};
        for (const auto& [name, values] : expected) {
            const auto config = configOf(project, name);
            QCOMPARE(config["learning_rate"].get<double>(), values.first);
            QCOMPARE(config["seed"].get<int>(), values.second);
            QCOMPARE(config["epochs"].get<int>(), 1);
            QCOMPARE(config["batch_size"].get<int>(), 4);
            QCOMPARE(config["threads"].get<int>(), 1); // one core per child
            QCOMPARE(project.readRun(name, ProjectFile::RunContent::Summary).status,
                     std::string("finished"));
        }
        // Per-run projects are gone; logs and base.json stay in the work directory.
        const std::string work = o.projectPath + ".sweep/lr";
        QVERIFY(std::filesystem::exists(work + "/base.json"));
        QVERIFY(std::filesystem::exists(work + "/lr-001-r1.log"));
        QVERIFY(!std::filesystem::exists(work + "/lr-001-r1.h5"));
        // The log the GUI follows is that file, and a finished run's log reads as done.
        QCOMPARE(sweepRunLogPath(spec, o, "lr-001-r1"), work + "/lr-001-r1.log");
        QCOMPARE(sweepLogProgress(work + "/lr-001-r1.log"), 1.0);

        // Resume: everything is there, nothing is trained again.
        const std::string created =
            project.readRun("lr-002-r2", ProjectFile::RunContent::Summary).createdUtc;
        states.clear();
        const auto again = runSweepLocal(spec, o, JobContext(),
                                         [&](const SweepRunStatus& s) { ++states[s.state]; });
        QCOMPARE(again.size(), std::size_t(4));
        for (const auto& r : again)
            QCOMPARE(r.state, std::string("skipped"));
        QCOMPARE(states["running"], 0);
        QCOMPARE(project.readRun("lr-002-r2", ProjectFile::RunContent::Summary).createdUtc,
                 created);
    }

    void failingConfigurationIsRecorded() {
        // group_column=nope passes the spec check (any text) but train fails on the data.
        const SweepSpec spec =
            parseSweepSpec(std::string(R"({"name": "gc", )") + kBase +
                               R"(, "parameters": {"group_column": ["group", "nope"]}})",
                           "spec");
        const SweepOptions o = options("fail.h5");
        auto results = runSweepLocal(spec, o, JobContext());
        QCOMPARE(results.size(), std::size_t(2));
        QCOMPARE(results[0].state, std::string("finished"));
        QCOMPARE(results[1].state, std::string("failed"));
        QVERIFY2(results[1].error.find("exit code 1") != std::string::npos &&
                     results[1].error.find("nope") != std::string::npos,
                 results[1].error.c_str());

        const ProjectFile project = ProjectFile::open(o.projectPath);
        const RunRecord failed = project.readRun("gc-002", ProjectFile::RunContent::Summary);
        QCOMPARE(failed.status, std::string("failed"));
        const auto metrics = nlohmann::json::parse(failed.metricsJson);
        QVERIFY(metrics["error"].get<std::string>().find("nope") != std::string::npos);
        QCOMPARE(nlohmann::json::parse(failed.configJson)["group_column"].get<std::string>(),
                 std::string("nope"));

        // Resume: the finished run is skipped, the failed one is tried again (and fails again,
        // replacing its record rather than adding one).
        results = runSweepLocal(spec, o, JobContext());
        QCOMPARE(results[0].state, std::string("skipped"));
        QCOMPARE(results[1].state, std::string("failed"));
        QCOMPARE(project.runNames().size(), std::size_t(2));
    }

    void nameTakenByAnotherRun() {
        const SweepOptions o = options("taken.h5");
        RunRecord other;
        other.name = "lr-001";
        other.configJson = R"({"learning_rate": 0.5, "seed": 1})";
        ProjectFile::create(o.projectPath).writeRun(other);
        const SweepSpec spec = parseSweepSpec(std::string(R"({"name": "lr", )") + kBase +
                                                  R"(, "parameters": {"learning_rate": [0.001]}})",
                                              "spec");
        try {
            runSweepLocal(spec, o, JobContext());
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("'lr-001'") &&
                         QString(e.what()).contains("learning_rate"),
                     e.what());
        }
        QVERIFY(!std::filesystem::exists(o.projectPath + ".sweep/lr/lr-001.log")); // nothing ran
        QCOMPARE(ProjectFile::open(o.projectPath).runNames().size(), std::size_t(1));
    }

    void progressFromLogs() {
        const auto logWith = [&](const std::string& name, const std::string& text) {
            const std::string path = dir_.filePath(QString::fromStdString(name)).toStdString();
            std::ofstream(path) << text;
            return path;
        };
        QCOMPARE(sweepLogProgress(dir_.filePath("absent.log").toStdString()), -1.0);
        QCOMPARE(sweepLogProgress(logWith("empty.log", "")), -1.0);
        QCOMPARE(sweepLogProgress(logWith("start.log", "[0%] reading\n")), 0.0);
        // "epoch 1/4, batch" is epoch 1 under way; "epoch 1/4  train" is epoch 1 done.
        QCOMPARE(sweepLogProgress(logWith("batch.log", "[12%] epoch 1/4, batch 3/10\n")), 0.12);
        QCOMPARE(sweepLogProgress(logWith(
                     "epoch.log", "[12%] epoch 1/4, batch 3/10\nepoch 1/4  train 3.1  val 3.2  "
                                  "(0.4 s)\n[27%] epoch 2/4, batch 1/10\n")),
                 0.27);
        QCOMPARE(
            sweepLogProgress(logWith("report.log", "[20%] epoch 1/4, batch 9/10\n"
                                                   "epoch 1/4  train 3.1  val 3.2  (0.4 s)\n"
                                                   "epoch 2/4  train 3.0  val 3.1  (0.4 s)\n")),
            0.5);
        // Only the last 8 KiB is read: an early line far back does not count.
        QCOMPARE(sweepLogProgress(logWith("long.log", "[90%] x\n" + std::string(9000, 'a'))), -1.0);
    }

    void badOptions() {
        const SweepSpec spec = parseSweepSpec(R"({"name": "x"})", "spec");
        SweepOptions o = options("bad.h5");
        o.cliPath = "/nonexistent/embedscope-cli";
        QVERIFY_EXCEPTION_THROWN(runSweepLocal(spec, o, JobContext()), IoError);
        o = options("bad.h5");
        o.dataset = "nope";
        try {
            runSweepLocal(spec, o, JobContext());
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("nope"), e.what());
        }
        o = options("bad.h5");
        o.dataPath = dir_.filePath("missing.h5").toStdString();
        QVERIFY_EXCEPTION_THROWN(runSweepLocal(spec, o, JobContext()), IoError);
    }

    void cancelStopsTheChildren() {
        const SweepSpec spec = parseSweepSpec(
            R"({"name": "c", "repeats": 3, "base": {"epochs": 50, "batch_size": 4}})", "spec");
        const SweepOptions o = options("cancel.h5");
        JobContext ctx;
        int started = 0;
        const auto start = std::chrono::steady_clock::now();
        QVERIFY_EXCEPTION_THROWN(runSweepLocal(spec, o, ctx,
                                               [&](const SweepRunStatus& s) {
                                                   if (s.state == "running" && ++started == 2)
                                                       ctx.requestCancel();
                                               }),
                                 CancelledError);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QVERIFY2(seconds < 6, qPrintable(QString::number(seconds)));
        // No run recorded (the cancelled ones stay pending), no per-run project left.
        QVERIFY(!std::filesystem::exists(o.projectPath) ||
                ProjectFile::open(o.projectPath).runNames().empty());
        QVERIFY(!std::filesystem::exists(o.projectPath + ".sweep/c/c-001-r1.h5"));
        QCOMPARE(started, 2);
    }
};

QTEST_GUILESS_MAIN(TestSweepLocal)
#include "test_sweep_local.moc"
