// Crash safety of ProjectFile writes: a process killed in the middle of a write must leave the
// previous complete file behind. The writer runs in a forked child that gets SIGKILL.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace embedscope;

namespace {

/// A run whose every value follows from `seed`; the seed is stored in metricsJson so a reader
/// can rebuild the expected record from the file alone.
RunRecord makeRun(const std::string& name, uint32_t seed, std::size_t embeddingValues) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    RunRecord r;
    r.name = name;
    r.datasetName = "data";
    r.configJson = R"({"epochs":3})";
    r.trainLoss = {3.0 + seed, 2.0, 1.0};
    r.valLoss = {std::nan(""), 2.5, 1.5};
    r.bestEpoch = 2;
    r.seconds = seed * 0.5;
    r.embeddingCols = 16;
    r.embeddingRows = embeddingValues / 16;
    r.embedding.resize(r.embeddingRows * r.embeddingCols);
    for (auto& v : r.embedding)
        v = uniform(rng);
    r.checkpoint.resize(1000 + seed % 5000);
    for (auto& b : r.checkpoint)
        b = static_cast<uint8_t>(rng());
    r.metricsJson = nlohmann::json{{"seed", seed}, {"values", embeddingValues}}.dump();
    r.versions = Versions{"0.1.0", "1.13.1", "1.10.8", "deadbeef"};
    r.createdUtc = "2026-11-02T00:00:00Z";
    return r;
}

bool sameRun(const RunRecord& a, const RunRecord& b) {
    auto bits = [](const auto& x, const auto& y) {
        return x.size() == y.size() &&
               (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0);
    };
    return a.name == b.name && a.datasetName == b.datasetName && a.status == b.status &&
           a.configJson == b.configJson && bits(a.trainLoss, b.trainLoss) &&
           bits(a.valLoss, b.valLoss) && a.bestEpoch == b.bestEpoch && a.seconds == b.seconds &&
           a.checkpoint == b.checkpoint && a.embeddingRows == b.embeddingRows &&
           a.embeddingCols == b.embeddingCols && bits(a.embedding, b.embedding) &&
           a.metricsJson == b.metricsJson && a.versions.gitCommit == b.versions.gitCommit &&
           a.createdUtc == b.createdUtc;
}

/// Rebuilds a run from the seed recorded in it.
RunRecord expectedFor(const RunRecord& stored) {
    const auto metrics = nlohmann::json::parse(stored.metricsJson);
    return makeRun(stored.name, metrics.at("seed").get<uint32_t>(),
                   metrics.at("values").get<std::size_t>());
}

QStringList temporariesBeside(const std::string& path) {
    const QFileInfo info(QString::fromStdString(path));
    return info.dir().entryList({info.fileName() + ".tmp-*"}, QDir::Files);
}

} // namespace

class TestProjectCrash : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_{QString(EMBEDSCOPE_TEST_TMP_DIR) + "/project-crash-XXXXXX"};

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void killedInsideWriteKeepsPreviousFile() {
        const std::string path = QDir(dir_.path()).filePath("hook.h5").toStdString();
        const RunRecord runA = makeRun("A", 1, 1 << 18);
        ProjectFile::create(path).writeRun(runA);

        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ProjectFile::setWriteHookForTesting([] { raise(SIGKILL); });
            try {
                ProjectFile::open(path).writeRun(makeRun("B", 2, 5 << 20)); // 20 MB embedding
            } catch (...) {
                _exit(3);
            }
            _exit(0); // the hook did not run
        }
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY2(WIFSIGNALED(status), qPrintable(QString("child status %1").arg(status)));
        QCOMPARE(WTERMSIG(status), SIGKILL);
        // The child died holding its half-written temporary.
        QCOMPARE(temporariesBeside(path).size(), 1);

        ProjectFile project = ProjectFile::open(path);
        QCOMPARE(project.runNames(), std::vector<std::string>{"A"});
        QVERIFY(!project.hasRun("B"));
        QVERIFY(sameRun(project.readRun("A"), runA));

        // The next write succeeds and clears the dead process's temporary.
        const RunRecord runC = makeRun("C", 3, 1024);
        project.writeRun(runC);
        QVERIFY(sameRun(project.readRun("C"), runC));
        QVERIFY(sameRun(project.readRun("A"), runA));
        QCOMPARE(temporariesBeside(path).size(), 0);
    }

    void killedAtRandomMomentsLeavesReadableFile() {
        std::mt19937 rng(20261102);
        int roundsWithWrites = 0;
        for (int round = 0; round < 5; ++round) {
            const std::string path =
                QDir(dir_.path()).filePath(QString("random%1.h5").arg(round)).toStdString();
            const RunRecord base = makeRun("base", 100 + round, 4096);
            ProjectFile::create(path).writeRun(base);

            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                try {
                    ProjectFile project = ProjectFile::open(path);
                    for (uint32_t i = 0; i < 100000; ++i) {
                        const std::string name = "r" + std::to_string(i % 5);
                        if (i % 7 == 6 && project.hasRun(name))
                            project.removeRun(name);
                        else
                            project.writeRun(
                                makeRun(name, 1000 * round + i, (1 + i % 4) * (1 << 17)));
                    }
                } catch (...) {
                    _exit(3);
                }
                _exit(0);
            }
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 900)(rng)));
            QCOMPARE(kill(child, SIGKILL), 0);
            int status = 0;
            QCOMPARE(waitpid(child, &status, 0), child);
            QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                     qPrintable(QString("round %1: child status %2").arg(round).arg(status)));

            const ProjectFile project = ProjectFile::open(path);
            const auto names = project.runNames();
            QVERIFY(!names.empty());
            if (names.size() > 1)
                ++roundsWithWrites;
            for (const auto& name : names) {
                const RunRecord stored = project.readRun(name);
                if (name == "base")
                    QVERIFY(sameRun(stored, base));
                else
                    QVERIFY2(sameRun(stored, expectedFor(stored)),
                             qPrintable(QString("round %1, run %2").arg(round).arg(name.c_str())));
            }
        }
        // The child had time to finish writes in at least one round.
        QVERIFY(roundsWithWrites > 0);
    }
};

QTEST_GUILESS_MAIN(TestProjectCrash)
#include "test_project_crash.moc"
