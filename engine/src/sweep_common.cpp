// Pieces every sweep backend needs (sweep_internal.h): the train command of a run, the work
// directory, resume against the project, and moving finished / failed runs into the project.
#include "atomic_text_file.h"
#include "sweep_internal.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace embedscope {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

/// The value at a `train --set` key path ("learning_rate", "model_params.channels").
json valueAt(const json& config, const std::string& key) {
    const auto dot = key.find('.');
    const std::string head = key.substr(0, dot);
    if (!config.is_object() || !config.contains(head))
        return nullptr;
    if (dot == std::string::npos)
        return config[head];
    return valueAt(config[head], key.substr(dot + 1));
}

/// Why a stored run is not `run` of this sweep ("" when it is): its seed or a swept value
/// differs from the config the sweep would train.
std::string mismatch(const std::string& storedConfig, const std::string& expectedConfig,
                     const SweepSpec& spec) {
    const json stored = json::parse(storedConfig, nullptr, false);
    const json expected = json::parse(expectedConfig, nullptr, false);
    if (stored.is_discarded() || expected.is_discarded())
        return "its config cannot be read";
    std::vector<std::string> keys = {"seed"};
    for (const auto& p : spec.parameters)
        keys.push_back(p.key);
    for (const auto& key : keys) {
        const json a = valueAt(stored, key), b = valueAt(expected, key);
        if (a != b)
            return "its " + key + " is " + a.dump() + ", the sweep's " + b.dump();
    }
    return "";
}

void writeTextFile(const std::string& path, const std::string& text) {
    writeTextFileAtomically(path, text);
}

} // namespace

std::vector<std::string> runOverrides(const SweepSpec& spec, const SweepRunSpec& run) {
    std::vector<std::string> out;
    bool threads = false;
    for (const auto& [key, value] : run.overrides) {
        out.push_back(key + "=" + value);
        threads = threads || key == "threads";
    }
    const json base = json::parse(spec.baseConfigJson, nullptr, false);
    if (!threads && !(base.is_object() && base.contains("threads")))
        out.push_back("threads=1");
    return out;
}

std::string runConfigJson(const SweepSpec& spec, const SweepRunSpec& run) {
    // The order `train` applies them in: --set values, then --seed, then --name.
    std::vector<std::string> overrides = runOverrides(spec, run);
    overrides.push_back("seed=" + std::to_string(run.seed));
    overrides.push_back("run_name=" + run.name);
    try {
        return toJson(parseTrainConfig(spec.baseConfigJson, overrides, "sweep " + spec.name));
    } catch (const ConfigError&) {
        json out = json::parse(spec.baseConfigJson, nullptr, false);
        if (!out.is_object())
            out = json::object();
        for (const auto& [key, value] : run.overrides)
            out["overrides"][key] = value;
        out["seed"] = run.seed;
        out["run_name"] = run.name;
        return out.dump(2);
    }
}

std::string sweepWorkDirPath(const SweepSpec& spec, const SweepOptions& options) {
    if (!options.workDir.empty())
        return options.workDir;
    return options.projectPath + ".sweep/" + spec.name;
}

std::string sweepWorkDir(const SweepSpec& spec, const SweepOptions& options) {
    const std::string dir = sweepWorkDirPath(spec, options);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw IoError(dir + ": cannot create the sweep work directory" +
                      (ec ? " (" + ec.message() + ")" : ""));
    writeTextFile(dir + "/base.json", spec.baseConfigJson);
    return dir;
}

std::string runProjectPath(const std::string& workDir, const SweepRunSpec& run) {
    return workDir + "/" + run.name + ".h5";
}

std::string runLogPath(const std::string& workDir, const SweepRunSpec& run) {
    return workDir + "/" + run.name + ".log";
}

std::string sweepRunLogPath(const SweepSpec& spec, const SweepOptions& options,
                            const std::string& runName) {
    return sweepWorkDirPath(spec, options) + "/" + runName + ".log";
}

double sweepLogProgress(const std::string& logPath) {
    std::ifstream in(logPath, std::ios::binary);
    if (!in)
        return -1.0;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff start = size > 8192 ? size - 8192 : 0;
    in.seekg(start);
    std::string tail(static_cast<std::size_t>(size - start), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    double best = -1.0;
    // "[NN%] stage": the train command's progress (every 2 s when stderr is not a terminal).
    const std::size_t close = tail.rfind("%]");
    if (close != std::string::npos) {
        const std::size_t open = tail.rfind('[', close);
        if (open != std::string::npos && close - open <= 4) {
            try {
                best = std::stod(tail.substr(open + 1, close - open - 1)) / 100.0;
            } catch (const std::exception&) {
            }
        }
    }
    // "epoch k/N  train ...": epoch k of N is done (the progress lines' "epoch k/N, batch"
    // is an epoch under way, so only the report line counts).
    const std::size_t report = tail.rfind("  train ");
    if (report != std::string::npos) {
        const std::size_t line = tail.rfind('\n', report);
        const std::string text =
            tail.substr(line == std::string::npos ? 0 : line + 1, report - (line + 1));
        int done = 0, total = 0;
        if (std::sscanf(text.c_str(), "epoch %d/%d", &done, &total) == 2 && total > 0 &&
            done >= 0 && done <= total)
            best = std::max(best, double(done) / double(total));
    }
    return best < 0 ? -1.0 : std::min(best, 1.0);
}

std::vector<std::string> trainArguments(const SweepSpec& spec, const SweepRunSpec& run,
                                        const SweepOptions& options, const std::string& runProject,
                                        const std::string& baseConfigPath) {
    std::vector<std::string> args = {"train", "--data", options.dataPath};
    if (!options.dataset.empty()) {
        args.push_back("--dataset");
        args.push_back(options.dataset);
    }
    args.insert(args.end(), {"--project", runProject, "--config", baseConfigPath});
    for (const auto& o : runOverrides(spec, run)) {
        args.push_back("--set");
        args.push_back(o);
    }
    args.insert(args.end(), {"--seed", std::to_string(run.seed), "--name", run.name, "--json"});
    return args;
}

std::vector<SweepRunSpec> pendingRuns(const SweepSpec& spec, const SweepOptions& options,
                                      std::vector<SweepRunStatus>* skipped) {
    const std::vector<SweepRunSpec> all = expandSweep(spec);
    if (!exists(options.projectPath))
        return all;
    ProjectFile project = ProjectFile::open(options.projectPath);
    const std::string workDir = sweepWorkDirPath(spec, options);
    std::vector<SweepRunSpec> pending;
    for (const auto& run : all) {
        bool finished = false;
        if (project.hasRun(run.name)) {
            const RunRecord stored = project.readRun(run.name, ProjectFile::RunContent::Summary);
            const std::string why = mismatch(stored.configJson, runConfigJson(spec, run), spec);
            if (!why.empty())
                throw ConfigError(options.projectPath + ": run '" + run.name +
                                  "' exists and is not a run of sweep '" + spec.name + "' (" + why +
                                  "); rename the sweep or remove the run");
            finished = stored.status == "finished";
        } else {
            // A child finished but its run was never collected (the coordinator was killed).
            const std::string leftover = runProjectPath(workDir, run);
            if (exists(leftover)) {
                try {
                    const ProjectFile file = ProjectFile::open(leftover);
                    if (file.hasRun(run.name) &&
                        file.readRun(run.name, ProjectFile::RunContent::Summary).status ==
                            "finished") {
                        collectRun(options, leftover, run.name);
                        finished = true;
                    }
                } catch (const FormatError&) {
                    // A half-written per-run file: the run is simply trained again.
                }
            }
        }
        if (!finished)
            pending.push_back(run);
        else if (skipped)
            skipped->push_back({run.name, "skipped", "", 0.0});
    }
    return pending;
}

void collectRun(const SweepOptions& options, const std::string& runProject,
                const std::string& runName) {
    const ProjectFile source = ProjectFile::open(runProject);
    const RunRecord run = source.readRun(runName);
    ProjectFile project = ProjectFile::openOrCreate(options.projectPath);
    if (!run.datasetName.empty() && source.hasDataset(run.datasetName)) {
        if (!project.hasDataset(run.datasetName)) {
            project.writeDataset(source.readDataset(run.datasetName));
        } else {
            const Dataset stored = project.readDatasetHeader(run.datasetName);
            const Dataset trained = source.readDatasetHeader(run.datasetName);
            if (stored.sampleShape != trained.sampleShape ||
                stored.headerSampleCount != trained.headerSampleCount)
                throw ConfigError(options.projectPath +
                                  " already holds a different data set "
                                  "named '" +
                                  run.datasetName + "' than run '" + runName +
                                  "' was trained on; rename one of them (import --name)");
        }
    }
    project.writeRun(run);
    std::error_code ec;
    fs::remove(runProject, ec);
    fs::remove(runProject + ".lock", ec);
}

void recordFailedRun(const SweepOptions& options, const SweepSpec& spec, const SweepRunSpec& run,
                     const std::string& error) {
    ProjectFile project = ProjectFile::openOrCreate(options.projectPath);
    if (project.hasRun(run.name) &&
        project.readRun(run.name, ProjectFile::RunContent::Summary).status == "finished")
        return;
    RunRecord record;
    record.name = run.name;
    record.datasetName = options.dataset;
    if (record.datasetName.empty()) {
        try {
            const auto names = ProjectFile::open(options.dataPath).datasetNames();
            if (!names.empty())
                record.datasetName = names.front();
        } catch (const Error&) {
            // The data file itself may be why the run failed; the error says so.
        }
    }
    record.status = "failed";
    record.configJson = runConfigJson(spec, run);
    record.metricsJson =
        json{{"error", error}}.dump(-1, ' ', false, json::error_handler_t::replace);
    record.bestEpoch = -1;
    record.versions = currentVersions();
    record.createdUtc = currentUtcTime();
    project.writeRun(record);
}

std::string fileTail(const std::string& path, int lines) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return "";
    std::deque<std::string> tail;
    std::string line;
    while (std::getline(in, line)) {
        // A progress line rewritten with \r keeps only its last state.
        while (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto cr = line.find_last_of('\r');
        if (cr != std::string::npos)
            line = line.substr(cr + 1);
        if (line.empty())
            continue;
        tail.push_back(line);
        if (static_cast<int>(tail.size()) > lines)
            tail.pop_front();
    }
    std::string out;
    for (const auto& l : tail)
        out += (out.empty() ? "" : "\n") + l;
    return out;
}

} // namespace embedscope
