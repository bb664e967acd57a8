#pragma once
// What the sweep backends share (sweep_local.cpp, sweep_slurm.cpp): the train command of one
// run, the work directory, resume (runs already in the project), and moving finished / failed
// runs into the project. Private to the engine.
#include "embedscope/engine/sweep.h"

#include <string>
#include <vector>

namespace embedscope {

/// The `--set` overrides of one run: the swept values, then threads=1 unless the spec's base
/// or parameters set threads (one core per child process, so `jobs` children use `jobs` cores).
std::vector<std::string> runOverrides(const SweepSpec& spec, const SweepRunSpec& run);

/// The resolved training config of a run as `train` resolves it (base + overrides + seed +
/// run name), as JSON text; when the combination does not parse (e.g. a swept model without
/// the swept model_params) the base config with the overrides as an "overrides" object.
std::string runConfigJson(const SweepSpec& spec, const SweepRunSpec& run);

/// The work directory's path (options.workDir, else <projectPath>.sweep/<spec name>), not
/// created.
std::string sweepWorkDirPath(const SweepSpec& spec, const SweepOptions& options);

/// Creates the work directory and writes base.json (the spec's base config) into it; returns
/// the directory. Throws IoError naming the path.
std::string sweepWorkDir(const SweepSpec& spec, const SweepOptions& options);

/// <workDir>/<run name>.h5: the project one run's child process trains into.
std::string runProjectPath(const std::string& workDir, const SweepRunSpec& run);
/// <workDir>/<run name>.log: its stdout and stderr (one file, in the order written).
std::string runLogPath(const std::string& workDir, const SweepRunSpec& run);

/// The argv (without the program) of one run's `train` call: --data, --dataset when set,
/// --project, --config, --set k=v..., --seed, --name, --json (progress
/// stays on: the log shows how far a run is, sweepLogProgress).
std::vector<std::string> trainArguments(const SweepSpec& spec, const SweepRunSpec& run,
                                        const SweepOptions& options,
                                        const std::string& runProjectPath,
                                        const std::string& baseConfigPath);

/// expandSweep minus the runs already finished in the project (resume); those are appended to
/// `skipped` (state "skipped") when given. Failed and cancelled records are run again. A run
/// whose per-run project in the work directory already holds it finished (the coordinator
/// died before collecting it) is collected now and counted as skipped. Throws ConfigError
/// before anything runs when a run name is taken in the project by a run that is not this
/// sweep's (its seed or a swept value differs), and IoError / FormatError for an unreadable
/// project.
std::vector<SweepRunSpec> pendingRuns(const SweepSpec& spec, const SweepOptions& options,
                                      std::vector<SweepRunStatus>* skipped);

/// Moves the finished run from its per-run project into the main project (with its data set
/// when the main project lacks it, so the GUI can show the run), then deletes the per-run
/// file. Each write holds the project's write lock. Throws IoError / FormatError, ConfigError
/// when the main project holds a different data set of the same name.
void collectRun(const SweepOptions& options, const std::string& runProjectPath,
                const std::string& runName);

/// Writes a RunRecord with status "failed", the run's resolved config and metricsJson
/// {"error": "..."} into the project, replacing an older failed (or cancelled) record of that
/// name; a finished record is never replaced.
void recordFailedRun(const SweepOptions& options, const SweepSpec& spec, const SweepRunSpec& run,
                     const std::string& error);

/// The last `lines` lines of a text file ("" when it cannot be read).
std::string fileTail(const std::string& path, int lines = 20);

} // namespace embedscope
