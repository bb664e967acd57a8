#pragma once
// Sweeps (issue 6): a spec of a base training config plus swept hyperparameters (grid value
// lists, or random draws from distributions, seed 002 §4.3: random search with M = 40), each
// configuration repeated with different seeds (seed 000: 9 repeats, μ ± 2σ), expanded into
// runs and run by a backend: local worker processes or a Slurm job array. Every run is
// `embedscope-cli train` in its own process, so a crash marks one run failed and the others go
// on; finished runs are moved into the project by the coordinating process alone.
#include "embedscope/engine/job.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace embedscope {

/// One swept hyperparameter: a training-config key as `train --set` takes it
/// ("learning_rate", "model_params.channels", "loss_params.temperature").
struct SweepParameter {
    enum class Kind { Values, Uniform, LogUniform, Integer, Choice };
    std::string key;
    Kind kind = Kind::Values;
    /// Values (a grid axis) and Choice: the texts `--set key=` receives, as written in the spec
    /// (numbers keep their JSON text, strings are unquoted, lists are "a,b").
    std::vector<std::string> values;
    /// Uniform, LogUniform (low > 0) and Integer (inclusive bounds); low < high.
    double low = 0, high = 0;
};

struct SweepSpec {
    std::string name;                  ///< runs are named <name>-<config 3 digits>[-r<repeat>]
    std::string baseConfigJson = "{}"; ///< a training config (training.h); swept keys override it
    std::string method = "grid";       ///< "grid": product of Values | "random": `trials` draws
    int trials = 0;                    ///< random only: M
    int repeats = 1;                   ///< runs per configuration; seeds seed, seed + 1, ...
    uint64_t seed = 1;                 ///< the random draws, and the first run seed
    std::vector<SweepParameter> parameters;
    /// Metric keys reported after each run (run_metrics.h / generative metrics names); empty =
    /// whatever the trainer stores for the model.
    std::vector<std::string> metrics;
};

/// Parses a spec:
///   {"name": "lr", "base": {training config} | "base_config": "cfg.json" (relative to baseDir),
///    "method": "grid" | "random", "trials": 40, "repeats": 3, "seed": 1,
///    "parameters": {"learning_rate": [1e-4, 1e-3],
///                   "model_params.channels": {"distribution": "int", "low": 8, "high": 64},
///                   "weight_decay": {"distribution": "log-uniform", "low": 1e-6, "high": 1e-2},
///                   "loss_params.temperature": {"distribution": "uniform", "low": 0.1, "high": 1},
///                   "optimizer": {"distribution": "choice", "values": ["adam", "nadamw"]}},
///    "metrics": ["wss_tss", "dr"]}
/// Throws ConfigError naming `origin` and the field for: malformed JSON, an unknown top-level
/// key, an unknown or ill-typed parameter key (each value is checked with parseTrainConfig on
/// the base config), an empty list, low >= high, log-uniform low <= 0, a distribution in a
/// grid, random without trials >= 1, repeats < 1, more than 10,000 runs, an unknown metric.
SweepSpec parseSweepSpec(const std::string& json, const std::string& origin,
                         const std::string& baseDir = "");

/// One run of a sweep.
struct SweepRunSpec {
    std::string name;
    int configuration = 0; ///< 0-based configuration index (repeats share it)
    int repeat = 0;
    uint64_t seed = 1;
    std::vector<std::pair<std::string, std::string>> overrides; ///< key, value for --set
};

/// Every run, configurations in order (grid: the last parameter varies fastest), repeats
/// together. Deterministic for the spec (random draws come from spec.seed only).
std::vector<SweepRunSpec> expandSweep(const SweepSpec& spec);

/// The state of one run as a backend reports it.
struct SweepRunStatus {
    std::string name;
    std::string state; ///< pending | running | finished | failed | skipped (already finished)
    std::string error; ///< failed: the reason and the tail of the run's stderr
    double seconds = 0;
};

struct SweepOptions {
    std::string dataPath;    ///< HDF5 file with the data set
    std::string dataset;     ///< data set name ("" = the first)
    std::string projectPath; ///< where finished and failed runs are recorded
    std::string cliPath;     ///< the embedscope-cli executable each run calls
    int jobs = 1;            ///< local: processes at once
    /// Per-run projects, configs and logs; "" = <projectPath>.sweep/<spec name>/.
    std::string workDir;
    int pollSeconds = 2; ///< slurm: squeue/sacct interval
};

using SweepProgressFn = std::function<void(const SweepRunStatus&)>;

/// Local backend: at most `jobs` child processes `cliPath train --data ... --project
/// <workDir>/<run>.h5 --config <workDir>/base.json --set k=v ... --seed s --name <run>`; each
/// finished run is moved into the project (under the project's write lock) and its per-run file
/// removed; a non-zero exit or a crash records the run with status "failed" and the error.
/// Runs already finished in the project are skipped, so running the same sweep again resumes
/// it. Cancellation kills the children (their runs stay pending for the next resume). Progress
/// per run state change. Throws IoError / ConfigError for an unusable data file, project, CLI
/// path or work directory; CancelledError.
std::vector<SweepRunStatus> runSweepLocal(const SweepSpec& spec, const SweepOptions& options,
                                          const JobContext& ctx,
                                          const SweepProgressFn& progress = {});

/// Where a run's child process writes its stdout and stderr (both backends): the work
/// directory's <run>.log. The file may not exist yet.
std::string sweepRunLogPath(const SweepSpec& spec, const SweepOptions& options,
                            const std::string& runName);

/// How far a running run is, read from the end of its log: the later of the train command's
/// last "[NN%]" progress line and its last "epoch k/N" line, as 0..1; -1 when the log holds
/// neither (not started, or unreadable). Reads at most the last 8 KiB. Never throws.
double sweepLogProgress(const std::string& logPath);

/// Slurm backend: writes <workDir>/array.sbatch (one array task per pending run, each calling
/// the same train command), submits it with `sbatch --parsable`, follows it with squeue/sacct
/// every pollSeconds, and moves finished runs into the project as they end; failed tasks (non-
/// zero exit, cancelled, node failure) are recorded as failed with their log's tail. Throws
/// IoError naming the command when sbatch/squeue cannot be run or the controller does not
/// answer ("is slurmctld running?"); cancellation scancels the array.
std::vector<SweepRunStatus> runSweepSlurm(const SweepSpec& spec, const SweepOptions& options,
                                          const JobContext& ctx,
                                          const SweepProgressFn& progress = {});

} // namespace embedscope
