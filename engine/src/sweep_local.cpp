// The local sweep backend: a pool of at most `jobs` child processes, each `embedscope-cli
// train` into its own per-run project, so a crash fails one run and the others go on. Only
// this (coordinating) process writes the main project, under its write lock.
#include "embedscope/engine/sweep.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "sweep_internal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

namespace embedscope {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
    pid_t pid = -1;
    SweepRunSpec run;
    std::string project;
    std::string log;
    Clock::time_point start;
};

/// fork + exec with stdout and stderr to `log`, stdin from /dev/null, in its own process group
/// (a terminal's Ctrl-C reaches the coordinator, which stops the children itself) and with
/// SIGTERM on the coordinator's death (no orphan keeps training). Only async-signal-safe calls
/// between fork and exec: the coordinator may be a multi-threaded GUI.
pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::string& log) {
    std::vector<std::string> all = {program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw IoError(program + ": cannot start a run (fork: " + std::strerror(errno) + ")");
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(128 + SIGTERM);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (out < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
            ::_exit(127);
        ::execv(program.c_str(), argv.data());
        const char message[] = "sweep: cannot execute the embedscope-cli program\n";
        (void)!::write(2, message, sizeof message - 1);
        ::_exit(127);
    }
    return pid;
}

std::string describeExit(int status) {
    if (WIFEXITED(status))
        return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::sigabbrev_np(sig);
        return "killed by signal " + std::to_string(sig) +
               (name ? std::string(" (SIG") + name + ")" : "");
    }
    return "ended with status " + std::to_string(status);
}

/// SIGTERM to every child's process group, SIGKILL to those still there after `graceSeconds`.
void stopChildren(std::vector<Child>& running, double graceSeconds) {
    for (const auto& c : running)
        ::kill(-c.pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::duration<double>(graceSeconds);
    while (!running.empty()) {
        for (auto it = running.begin(); it != running.end();) {
            int status = 0;
            if (::waitpid(it->pid, &status, WNOHANG) == it->pid) {
                std::error_code ec;
                std::filesystem::remove(it->project, ec); // a partial run: trained again later
                std::filesystem::remove(it->project + ".lock", ec);
                it = running.erase(it);
            } else {
                ++it;
            }
        }
        if (running.empty())
            break;
        if (Clock::now() > deadline)
            for (const auto& c : running)
                ::kill(-c.pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void checkInputs(const SweepOptions& options) {
    if (options.jobs < 1)
        throw ConfigError("sweep: jobs must be at least 1, got " + std::to_string(options.jobs));
    if (options.projectPath.empty())
        throw ConfigError("sweep: no project file given");
    if (options.cliPath.empty() || ::access(options.cliPath.c_str(), X_OK) != 0)
        throw IoError(options.cliPath + ": the embedscope-cli program to run is missing or not "
                                        "executable");
    const ProjectFile data = ProjectFile::open(options.dataPath); // IoError / FormatError
    const auto names = data.datasetNames();
    if (names.empty())
        throw ConfigError(options.dataPath + ": holds no data set");
    if (!options.dataset.empty() && !data.hasDataset(options.dataset))
        throw ConfigError(options.dataPath + ": no data set named '" + options.dataset + "'");
}

} // namespace

std::vector<SweepRunStatus> runSweepLocal(const SweepSpec& spec, const SweepOptions& options,
                                          const JobContext& ctx, const SweepProgressFn& progress) {
    checkInputs(options);
    std::vector<SweepRunStatus> skipped;
    const std::vector<SweepRunSpec> pending = pendingRuns(spec, options, &skipped);
    const std::string workDir = sweepWorkDir(spec, options);
    const std::string baseConfig = workDir + "/base.json";

    std::map<std::string, SweepRunStatus> done;
    const std::size_t total = skipped.size() + pending.size();
    const auto report = [&](const SweepRunStatus& s) {
        if (s.state != "running")
            done[s.name] = s;
        if (progress)
            progress(s);
        ctx.report(total ? double(done.size()) / double(total) : 1.0,
                   std::to_string(done.size()) + "/" + std::to_string(total) + " runs");
    };
    for (const auto& s : skipped)
        report(s);

    std::vector<Child> running;
    std::size_t next = 0;
    try {
        while (next < pending.size() || !running.empty()) {
            ctx.throwIfCancelled();
            while (running.size() < static_cast<std::size_t>(options.jobs) &&
                   next < pending.size()) {
                Child c;
                c.run = pending[next++];
                c.project = runProjectPath(workDir, c.run);
                c.log = runLogPath(workDir, c.run);
                std::error_code ec;
                std::filesystem::remove(c.project, ec); // a stale partial run
                c.start = Clock::now();
                c.pid = spawn(options.cliPath,
                              trainArguments(spec, c.run, options, c.project, baseConfig), c.log);
                running.push_back(c);
                report({c.run.name, "running", "", 0.0});
            }
            bool reaped = false;
            for (auto it = running.begin(); it != running.end();) {
                int status = 0;
                if (::waitpid(it->pid, &status, WNOHANG) != it->pid) {
                    ++it;
                    continue;
                }
                reaped = true;
                const Child c = *it;
                it = running.erase(it);
                SweepRunStatus s{c.run.name, "finished", "",
                                 std::chrono::duration<double>(Clock::now() - c.start).count()};
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                    try {
                        collectRun(options, c.project, c.run.name);
                    } catch (const Error& e) {
                        s.state = "failed";
                        s.error = std::string("the finished run could not be moved into the "
                                              "project: ") +
                                  e.what();
                    }
                } else {
                    if (ctx.cancelRequested())
                        break; // stopped by the cancel (e.g. Ctrl-C): it stays pending
                    s.state = "failed";
                    s.error = describeExit(status);
                    const std::string tail = fileTail(c.log, 20);
                    if (!tail.empty())
                        s.error += ":\n" + tail;
                    std::error_code ec;
                    std::filesystem::remove(c.project, ec);
                    std::filesystem::remove(c.project + ".lock", ec);
                }
                if (s.state == "failed")
                    recordFailedRun(options, spec, c.run, s.error);
                report(s);
            }
            if (!reaped)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    } catch (...) {
        stopChildren(running, 5.0);
        throw;
    }
    ctx.throwIfCancelled();

    std::vector<SweepRunStatus> results;
    for (const auto& run : expandSweep(spec))
        results.push_back(done.count(run.name) ? done[run.name]
                                               : SweepRunStatus{run.name, "pending", "", 0.0});
    return results;
}

} // namespace embedscope
