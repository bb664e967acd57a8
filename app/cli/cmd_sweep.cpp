// embedscope-cli sweep --spec SWEEP.json --data DATA.h5 --project PROJECT.h5
//   [--dataset NAME] [--backend local|slurm] [--jobs N] [--work-dir DIR] [--dry-run] --json
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/sweep.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

namespace embedscope::cli {
namespace {

namespace fs = std::filesystem;

struct SweepCliOptions {
    CommonOptions common;
    std::string spec;
    std::string data;
    std::string dataset;
    std::string project;
    std::string backend = "local";
    int jobs = 1;
    std::string workDir;
    bool dryRun = false;
};

int dryRun(const SweepCliOptions& o, const SweepSpec& spec) {
    const auto runs = expandSweep(spec);
    nlohmann::json list = nlohmann::json::array();
    std::ostringstream human;
    human << "sweep '" << spec.name << "': " << runs.size() << " runs (" << spec.method << ")\n";
    for (const auto& r : runs) {
        nlohmann::json overrides = nlohmann::json::object();
        human << "  " << r.name << "  seed " << r.seed;
        for (const auto& [key, value] : r.overrides) {
            overrides[key] = value;
            human << "  " << key << "=" << value;
        }
        human << "\n";
        list.push_back({{"name", r.name},
                        {"configuration", r.configuration},
                        {"repeat", r.repeat},
                        {"seed", r.seed},
                        {"overrides", overrides}});
    }
    printResult(o.common, {{"sweep", spec.name}, {"runs", runs.size()}, {"results", list}},
                human.str());
    return 0;
}

/// The spec's metrics (all stored best-checkpoint metrics when it names none) of a run.
nlohmann::json runMetrics(const ProjectFile& project, const std::string& name,
                          const SweepSpec& spec) {
    nlohmann::json out = nlohmann::json::object();
    if (!project.hasRun(name))
        return out;
    const RunMetrics metrics =
        parseRunMetrics(project.readRun(name, ProjectFile::RunContent::Summary).metricsJson);
    const std::set<std::string> wanted(spec.metrics.begin(), spec.metrics.end());
    for (const auto& [key, value] : metrics.best)
        if (wanted.empty() || wanted.count(key))
            out[key] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
    return out;
}

int runSweep(const SweepCliOptions& o) {
    const std::string baseDir = fs::path(o.spec).parent_path().string();
    const SweepSpec spec = parseSweepSpec(readTextFile(o.spec), o.spec, baseDir);
    if (o.dryRun)
        return dryRun(o, spec);

    SweepOptions options;
    options.dataPath = o.data;
    options.dataset = o.dataset;
    options.projectPath = o.project;
    options.jobs = o.jobs;
    options.workDir = o.workDir;
    std::error_code ec;
    options.cliPath = fs::read_symlink("/proc/self/exe", ec).string(); // children run this CLI
    if (ec)
        throw IoError("/proc/self/exe: cannot find the embedscope-cli program (" + ec.message() +
                      ")");

    const std::size_t total = expandSweep(spec).size();
    std::size_t done = 0;
    const auto progress = [&](const SweepRunStatus& s) {
        if (s.state != "running")
            ++done;
        if (o.common.quiet)
            return;
        char line[256];
        if (s.state == "finished" || s.state == "failed")
            std::snprintf(line, sizeof line, "[%zu/%zu] %s %s (%.1f s)", done, total,
                          s.name.c_str(), s.state.c_str(), s.seconds);
        else
            std::snprintf(line, sizeof line, "[%zu/%zu] %s %s", done, total, s.name.c_str(),
                          s.state.c_str());
        std::cerr << line;
        if (s.state == "failed") {
            // The exit status and the last line of the run's log (usually the error).
            std::cerr << ": " << s.error.substr(0, s.error.find('\n'));
            const auto last = s.error.rfind('\n');
            if (last != std::string::npos)
                std::cerr << " " << s.error.substr(last + 1);
        }
        std::cerr << std::endl;
    };
    // Per-run progress replaces the job context's own percentage line.
    CommonOptions quiet = o.common;
    quiet.quiet = true;
    JobContext& ctx = cliJobContext(quiet);

    const auto start = std::chrono::steady_clock::now();
    const std::vector<SweepRunStatus> results = o.backend == "slurm"
                                                    ? runSweepSlurm(spec, options, ctx, progress)
                                                    : runSweepLocal(spec, options, ctx, progress);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::size_t finished = 0, failed = 0, skipped = 0;
    nlohmann::json list = nlohmann::json::array();
    const ProjectFile project = ProjectFile::open(o.project);
    std::ostringstream human;
    for (const auto& r : results) {
        finished += r.state == "finished";
        failed += r.state == "failed";
        skipped += r.state == "skipped";
        nlohmann::json entry = {
            {"name", r.name}, {"state", r.state}, {"seconds", r.seconds}, {"error", r.error}};
        if (r.state == "finished" || r.state == "skipped")
            entry["metrics"] = runMetrics(project, r.name, spec);
        list.push_back(entry);
        if (r.state == "failed")
            human << "  " << r.name << " failed: " << r.error << "\n";
    }
    const nlohmann::json result = {
        {"sweep", spec.name},   {"backend", o.backend}, {"runs", results.size()},
        {"finished", finished}, {"failed", failed},     {"skipped", skipped},
        {"seconds", seconds},   {"project", o.project}, {"results", list}};
    std::ostringstream head;
    head << "sweep '" << spec.name << "' (" << o.backend << "): " << finished << " finished, "
         << skipped << " already done, " << failed << " failed of " << results.size() << " runs in "
         << seconds << " s; runs saved to " << o.project << "\n";
    printResult(o.common, result, head.str() + human.str());
    if (failed > 0) {
        std::cerr << "embedscope-cli sweep: " << failed << " of " << results.size()
                  << " runs failed (recorded in the project with their errors; run the same "
                     "command again to retry them)"
                  << std::endl;
        return 1;
    }
    return 0;
}

} // namespace

void addSweepCommand(CLI::App& app) {
    auto options = std::make_shared<SweepCliOptions>();
    auto* cmd = app.add_subcommand(
        "sweep", "Run a hyperparameter sweep (grid or random search, repeats) into a project");
    cmd->add_option("--spec", options->spec, "Sweep spec JSON (base config, parameters, repeats)")
        ->required();
    cmd->add_option("--data", options->data, "HDF5 file holding the data set")->required();
    cmd->add_option("--dataset", options->dataset, "Data set name (default: the first)");
    cmd->add_option("--project", options->project,
                    "Project file the runs are saved to (created if missing)")
        ->required();
    cmd->add_option("--backend", options->backend,
                    "local: worker processes here; slurm: a job array")
        ->check(CLI::IsMember({"local", "slurm"}));
    cmd->add_option("--jobs", options->jobs, "Local backend: runs at once (one core each)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--work-dir", options->workDir,
                    "Per-run projects, configs and logs (default: PROJECT.sweep/<name>)");
    cmd->add_flag("--dry-run", options->dryRun, "Print the expanded runs without running them");
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("sweep", [&] { return runSweep(*options); })); });
}

} // namespace embedscope::cli
