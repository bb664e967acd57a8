// The project write lock (issue 6: a sweep collects runs while the GUI saves one): writers in
// two processes (or threads) take turns, so none of their runs is lost, and a writer waits
// while another process holds "<project>.lock".
#include "embedscope/engine/project.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>

using namespace embedscope;

namespace {

RunRecord smallRun(const std::string& name, double loss) {
    RunRecord run;
    run.name = name;
    run.datasetName = "d";
    run.trainLoss = {loss};
    run.valLoss = {loss};
    run.bestEpoch = 0;
    run.embeddingRows = 2;
    run.embeddingCols = 2;
    run.embedding = {1, 2, 3, float(loss)};
    run.checkpoint = {1, 2, 3};
    return run;
}

void writeRuns(const std::string& path, const std::string& prefix, int count) {
    ProjectFile project = ProjectFile::openOrCreate(path);
    for (int i = 0; i < count; ++i)
        project.writeRun(smallRun(prefix + std::to_string(i), i));
}

/// Runs `body` in a forked child; returns its exit code (0 = no exception).
pid_t forkWriter(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            body();
            ::_exit(0);
        } catch (...) {
            ::_exit(1);
        }
    }
    return pid;
}

int waitExit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

class TestProjectLock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void twoProcessesWriteFortyRuns() {
        QTemporaryDir dir(QString(EMBEDSCOPE_TEST_TMP_DIR) + "/lock-XXXXXX");
        const std::string path = dir.filePath("p.h5").toStdString();
        // Both processes also race to create the file: neither may replace the other's runs
        // with a fresh empty project.
        const pid_t child = forkWriter([&] { writeRuns(path, "child-", 20); });
        QVERIFY(child > 0);
        writeRuns(path, "parent-", 20);
        QCOMPARE(waitExit(child), 0);
        const auto names = ProjectFile::open(path).runNames();
        const std::set<std::string> unique(names.begin(), names.end());
        QCOMPARE(unique.size(), std::size_t(40));
        for (int i = 0; i < 20; ++i) {
            QVERIFY(unique.count("child-" + std::to_string(i)));
            QVERIFY(unique.count("parent-" + std::to_string(i)));
        }
        const RunRecord last = ProjectFile::open(path).readRun("child-19");
        QCOMPARE(last.embedding[3], 19.0f);
    }

    void twoThreadsWriteFortyRuns() {
        QTemporaryDir dir(QString(EMBEDSCOPE_TEST_TMP_DIR) + "/lock-XXXXXX");
        const std::string path = dir.filePath("p.h5").toStdString();
        ProjectFile::create(path);
        std::thread a([&] { writeRuns(path, "a-", 20); });
        std::thread b([&] { writeRuns(path, "b-", 20); });
        a.join();
        b.join();
        QCOMPARE(ProjectFile::open(path).runNames().size(), std::size_t(40));
    }

    void writerWaitsForTheLockHolder() {
        QTemporaryDir dir(QString(EMBEDSCOPE_TEST_TMP_DIR) + "/lock-XXXXXX");
        const std::string path = dir.filePath("p.h5").toStdString();
        ProjectFile::create(path);
        const int fd = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        QVERIFY(fd >= 0);
        QCOMPARE(::flock(fd, LOCK_EX), 0);
        const pid_t child = forkWriter([&] {
            ProjectFile p = ProjectFile::open(path);
            p.writeRun(smallRun("late", 1));
            p.removeRun("late");
            p.writeRun(smallRun("kept", 2));
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        int status = 0;
        QCOMPARE(::waitpid(child, &status, WNOHANG), 0); // still waiting for the lock
        QVERIFY(ProjectFile::open(path).runNames().empty());
        ::flock(fd, LOCK_UN);
        ::close(fd);
        QCOMPARE(waitExit(child), 0);
        QCOMPARE(ProjectFile::open(path).runNames(), std::vector<std::string>{"kept"});
    }
};

QTEST_GUILESS_MAIN(TestProjectLock)
#include "test_project_lock.moc"
