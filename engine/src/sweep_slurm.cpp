// Slurm backend of sweeps (sweep.h, issue 6): one job array per sweep, one task per pending run.
// Task i reads line i + 1 of <workDir>/tasks.txt (a shell-quoted `train` argv), runs the CLI
// into its own per-run project and, as its last action, writes <workDir>/<run>.exit with the
// exit code. The coordinator polls squeue, asks sacct (or, without accounting storage, the exit
// marker) how the tasks that left the queue ended, and moves finished runs into the project.
// On a real cluster the work directory, the data file and the CLI must be on a file system the
// compute nodes share (all paths are made absolute here).
#include "sweep_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace embedscope {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct CommandResult {
    bool started = false; ///< false: the program could not be run (not on PATH)
    int exitCode = -1;
    std::string out, err;
};

/// Runs argv (searched on PATH) with the caller's environment and collects stdout and stderr.
/// The Slurm client commands answer within MessageTimeout, so no timeout of our own.
CommandResult runCommand(const std::vector<std::string>& argv) {
    CommandResult result;
    int outPipe[2], errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0)
        return result;
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        ::close(outPipe[0]);
        ::close(outPipe[1]);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (rc != 0) {
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        result.err = std::strerror(rc);
        return result;
    }
    result.started = true;
    pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open = 2;
    char buffer[4096];
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

std::string commandLine(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv)
        out += (out.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    return out;
}

/// Runs a Slurm client command; IoError naming it when it is missing or fails.
std::string slurmCommand(const std::vector<std::string>& argv) {
    const CommandResult r = runCommand(argv);
    if (!r.started)
        throw IoError(argv[0] + " not found (" + r.err +
                      "): install Slurm's client commands (Debian: slurm-client) or use the "
                      "local backend");
    if (r.exitCode != 0)
        throw IoError(commandLine(argv) + " failed (exit " + std::to_string(r.exitCode) +
                      "): " + trimmed(r.err) + " -- is slurmctld running?");
    return r.out;
}

/// Single-quoted for bash: the only character that needs care inside '' is ' itself.
std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
        throw IoError(path + ": cannot write");
}

/// The array script; `runs` in task order.
std::string sbatchScript(const SweepSpec& spec, const std::string& workDir, const std::string& cli,
                         const std::vector<SweepRunSpec>& runs) {
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "#SBATCH --job-name="
      << "embedscope-" << spec.name << "\n"
      << "#SBATCH --array=0-" << runs.size() - 1 << "\n"
      << "#SBATCH --output=" << workDir << "/slurm-%A_%a.out\n"
      << "#SBATCH --cpus-per-task=1\n"
      << "#SBATCH --chdir=" << workDir << "\n"
      << "# embedscope sweep '" << spec.name << "': task i trains run RUNS[i] with the argv on\n"
      << "# line i+1 of tasks.txt; the .exit marker (written last) tells the coordinator how it\n"
      << "# ended when sacct has no accounting storage to ask.\n"
      << "set -u\n"
      << "WORK=" << shellQuote(workDir) << "\n"
      << "CLI=" << shellQuote(cli) << "\n"
      << "RUNS=(";
    for (std::size_t i = 0; i < runs.size(); ++i)
        s << (i ? " " : "") << shellQuote(runs[i].name);
    s << ")\n"
      << "i=${SLURM_ARRAY_TASK_ID:?not an array task}\n"
      << "run=${RUNS[$i]}\n"
      << "line=$(sed -n \"$((i + 1))p\" \"$WORK/tasks.txt\")\n"
      << "eval \"set -- $line\"\n"
      << "rm -f \"$WORK/$run.exit\"\n"
      << "echo \"embedscope: task $i: run $run on $(hostname), log $WORK/$run.log\"\n"
      << "\"$CLI\" \"$@\" >\"$WORK/$run.log\" 2>&1\n"
      << "rc=$?\n"
      << "echo \"embedscope: run $run exited with $rc\"\n"
      << "echo $rc >\"$WORK/$run.exit.tmp\" && mv -f \"$WORK/$run.exit.tmp\" \"$WORK/$run.exit\"\n"
      << "exit $rc\n";
    return s.str();
}

/// squeue's view of the array: task index -> state (PENDING, RUNNING, COMPLETING, ...). An
/// unknown job id (the controller already purged it) is an empty queue, not an error.
bool queuedTasks(const std::string& jobId, std::map<int, std::string>* tasks, std::string* why) {
    const std::vector<std::string> argv = {"squeue", "-h", "-r", "-j", jobId, "-o", "%i %T"};
    const CommandResult r = runCommand(argv);
    tasks->clear();
    if (!r.started)
        throw IoError("squeue not found (" + r.err + "): install slurm-client");
    if (r.exitCode != 0) {
        if (r.err.find("Invalid job id") != std::string::npos)
            return true;
        *why = commandLine(argv) + " failed (exit " + std::to_string(r.exitCode) +
               "): " + trimmed(r.err);
        return false;
    }
    std::istringstream in(r.out);
    std::string id, state;
    while (in >> id >> state) {
        const auto underscore = id.find('_');
        if (underscore == std::string::npos || id.compare(0, underscore, jobId) != 0)
            continue;
        try {
            (*tasks)[std::stoi(id.substr(underscore + 1))] = state;
        } catch (const std::exception&) {
            // "<id>_[2-5]": a pending range; -r should have expanded it. Treat as all pending.
        }
    }
    return true;
}

/// sacct's final states: index -> (State, exit code). Returns false when sacct cannot answer
/// (no accounting storage: "Slurm accounting storage is disabled").
bool accountedTasks(const std::string& jobId, std::map<int, std::pair<std::string, int>>* out) {
    const CommandResult r =
        runCommand({"sacct", "-n", "-P", "-j", jobId, "--format=JobID,State,ExitCode"});
    if (!r.started || r.exitCode != 0)
        return false;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        const auto a = line.find('|'), b = line.rfind('|');
        if (a == std::string::npos || a == b)
            continue;
        const std::string id = line.substr(0, a);
        const auto underscore = id.find('_');
        if (underscore == std::string::npos || id.find('.') != std::string::npos)
            continue; // job steps (.batch, .extern) repeat the task's state
        try {
            const int index = std::stoi(id.substr(underscore + 1));
            (*out)[index] = {line.substr(a + 1, b - a - 1), std::stoi(line.substr(b + 1))};
        } catch (const std::exception&) {
        }
    }
    return true;
}

struct Task {
    SweepRunSpec run;
    SweepRunStatus status;
    Clock::time_point started = Clock::now();
    int pollsGone = 0; ///< polls since it left the queue without a known end
};

} // namespace

std::vector<SweepRunStatus> runSweepSlurm(const SweepSpec& spec, const SweepOptions& options,
                                          const JobContext& ctx, const SweepProgressFn& progress) {
    // Tasks run with --chdir=<workDir> on whatever node: every path they see is absolute.
    SweepOptions opts = options;
    std::error_code ec;
    opts.workDir = fs::absolute(sweepWorkDirPath(spec, options), ec).lexically_normal().string();
    opts.dataPath = fs::absolute(options.dataPath, ec).lexically_normal().string();
    opts.projectPath = fs::absolute(options.projectPath, ec).lexically_normal().string();
    const std::string cli = fs::absolute(options.cliPath, ec).lexically_normal().string();
    if (options.cliPath.empty() || ::access(cli.c_str(), X_OK) != 0)
        throw IoError("sweep: the CLI '" + options.cliPath +
                      "' is not an executable file (SweepOptions::cliPath)");
    if (::access(opts.dataPath.c_str(), R_OK) != 0)
        throw IoError(opts.dataPath + ": cannot read the sweep's data file");

    std::vector<SweepRunStatus> results;
    const std::vector<SweepRunSpec> pending = pendingRuns(spec, opts, &results);
    for (const auto& s : results)
        if (progress)
            progress(s);
    if (pending.empty())
        return results;
    ctx.throwIfCancelled();

    // An array of this sweep still in the queue (a coordinator that was killed, then resumed)
    // would train the same runs into the same per-run projects as a new one.
    const std::string jobName = "embedscope-" + spec.name;
    const std::string queuedBefore =
        trimmed(slurmCommand({"squeue", "-h", "--me", "--name=" + jobName, "-o", "%A"}));
    if (!queuedBefore.empty()) {
        std::string ids = queuedBefore;
        std::replace(ids.begin(), ids.end(), '\n', ' ');
        throw IoError("sweep '" + spec.name + "': Slurm job " + ids + " (" + jobName +
                      ") of this sweep is still queued or running; wait for it to end or "
                      "scancel it, then run the sweep again");
    }

    const std::string workDir = sweepWorkDir(spec, opts);
    const std::string baseConfig = workDir + "/base.json";
    std::string tasksText;
    std::vector<Task> tasks;
    for (const auto& run : pending) {
        const std::string project = runProjectPath(workDir, run);
        // A killed earlier attempt may have left a half-written project or an old exit marker.
        fs::remove(project, ec);
        fs::remove(workDir + "/" + run.name + ".exit", ec);
        std::string line;
        for (const auto& arg : trainArguments(spec, run, opts, project, baseConfig))
            line += (line.empty() ? "" : " ") + shellQuote(arg);
        tasksText += line + "\n";
        tasks.push_back({run, {run.name, "pending", "", 0.0}});
    }
    writeFile(workDir + "/tasks.txt", tasksText);
    const std::string script = workDir + "/array.sbatch";
    writeFile(script, sbatchScript(spec, workDir, cli, pending));

    std::string jobId = trimmed(slurmCommand({"sbatch", "--parsable", script}));
    jobId = jobId.substr(0, jobId.find(';')); // "<id>;<cluster>" on multi-cluster set-ups
    if (jobId.empty() || jobId.find_first_not_of("0123456789") != std::string::npos)
        throw IoError("sbatch --parsable " + script + " answered '" + jobId +
                      "' instead of a job id");
    const auto submitted = Clock::now();
    for (auto& t : tasks) {
        t.started = submitted;
        if (progress)
            progress(t.status);
    }

    bool sacctWorks = true;
    int squeueFailures = 0;
    std::size_t done = 0;
    const auto poll = std::chrono::milliseconds(1000 * std::max(1, opts.pollSeconds));
    bool controllerLost = false;
    try {
        while (done < tasks.size()) {
            // Sleep in short steps so that a cancel is seen within 0.1 s.
            for (auto until = Clock::now() + poll; Clock::now() < until;) {
                if (ctx.cancelRequested()) {
                    const CommandResult r = runCommand({"scancel", jobId});
                    if (r.started && r.exitCode != 0)
                        throw IoError("scancel " + jobId + " failed: " + trimmed(r.err) +
                                      " -- the sweep was cancelled but its array may still run");
                    throw CancelledError();
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }

            std::map<int, std::string> queued;
            std::string why;
            if (!queuedTasks(jobId, &queued, &why)) {
                // One failed poll can be a controller restart; three in a row is an outage.
                controllerLost = ++squeueFailures >= 3;
                if (controllerLost)
                    throw IoError(why + " -- is slurmctld running? Array job " + jobId +
                                  " may still run: run the sweep again to collect its runs, or "
                                  "scancel " +
                                  jobId);
                continue;
            }
            squeueFailures = 0;

            std::map<int, std::pair<std::string, int>> accounted;
            bool anyGone = false;
            for (std::size_t i = 0; i < tasks.size(); ++i)
                anyGone = anyGone || (tasks[i].status.state != "finished" &&
                                      tasks[i].status.state != "failed" && !queued.count(int(i)));
            if (anyGone && sacctWorks)
                sacctWorks = accountedTasks(jobId, &accounted);

            for (std::size_t i = 0; i < tasks.size(); ++i) {
                Task& t = tasks[i];
                SweepRunStatus& s = t.status;
                if (s.state == "finished" || s.state == "failed")
                    continue;
                const auto q = queued.find(int(i));
                if (q != queued.end()) {
                    if (q->second != "PENDING" && s.state == "pending") {
                        s.state = "running";
                        t.started = Clock::now();
                        if (progress)
                            progress(s);
                    }
                    continue;
                }
                // Left the queue: how did it end? sacct when it answers, else the exit marker.
                std::string state;
                int exitCode = -1;
                const auto a = accounted.find(int(i));
                std::ifstream marker(workDir + "/" + s.name + ".exit");
                if (a != accounted.end() && a->second.first != "PENDING" &&
                    a->second.first != "RUNNING" && a->second.first != "COMPLETING") {
                    state = a->second.first;
                    exitCode = a->second.second;
                } else if (marker >> exitCode) {
                    state = exitCode == 0 ? "COMPLETED" : "FAILED";
                } else if (++t.pollsGone < 3) {
                    // Not yet visible (sacct and shared file systems lag behind squeue).
                    continue;
                } else {
                    state = "ended without an exit marker (cancelled, time limit or node failure?)";
                    exitCode = -1;
                }
                s.seconds = std::chrono::duration<double>(Clock::now() - t.started).count();
                const std::string slurmLog =
                    workDir + "/slurm-" + jobId + "_" + std::to_string(i) + ".out";
                std::string error;
                if (state == "COMPLETED" && exitCode == 0) {
                    try {
                        collectRun(opts, runProjectPath(workDir, t.run), s.name);
                    } catch (const Error& e) {
                        error = std::string("the run could not be collected: ") + e.what();
                    }
                } else {
                    error = "slurm task " + jobId + "_" + std::to_string(i) + " " + state +
                            (exitCode >= 0 ? " with exit code " + std::to_string(exitCode) : "");
                    // What a failed child left is of no use; a run that finished but could not be
                    // collected (above) keeps its per-run project.
                    fs::remove(runProjectPath(workDir, t.run), ec);
                }
                if (error.empty()) {
                    s.state = "finished";
                } else {
                    std::string tail = fileTail(runLogPath(workDir, t.run));
                    if (tail.empty())
                        tail = fileTail(slurmLog);
                    s.state = "failed";
                    s.error = error + (tail.empty() ? "" : "\n" + tail);
                    recordFailedRun(opts, spec, t.run, s.error);
                }
                ++done;
                if (progress)
                    progress(s);
            }
            ctx.report(double(done) / double(tasks.size()),
                       "slurm array " + jobId + ": " + std::to_string(done) + "/" +
                           std::to_string(tasks.size()) + " runs ended");
        }
    } catch (const CancelledError&) {
        throw;
    } catch (const std::exception&) {
        // The coordinator gives up (project not writable, ...): do not leave the array running
        // into per-run projects that a resumed sweep would train again.
        if (!controllerLost)
            runCommand({"scancel", jobId});
        throw;
    }
    for (const auto& t : tasks)
        results.push_back(t.status);
    return results;
}

} // namespace embedscope
