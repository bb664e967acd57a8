#pragma once
// Shared plumbing of embedscope-cli commands: progress on stderr, Ctrl-C cancellation,
// the one-JSON-object-last-line convention and error reporting.
#include "embedscope/engine/job.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace embedscope {
struct EnrichmentPoint;
} // namespace embedscope

namespace embedscope::cli {

/// Options every command shares.
struct CommonOptions {
    bool json = false;  ///< print one JSON object as the last stdout line
    bool quiet = false; ///< no progress on stderr
};

/// A job context whose progress goes to stderr (throttled to ~5 Hz, one rewritten line on a
/// terminal) and which is cancelled by SIGINT/SIGTERM.
JobContext& cliJobContext(const CommonOptions& options);

/// Prints `result` (as one compact line when --json, else the human text) to stdout.
void printResult(const CommonOptions& options, const nlohmann::json& result,
                 const std::string& humanText);

/// Runs a command body, turning embedscope::Error and other exceptions into a message on
/// stderr and an exit code: 0 ok, 1 error, 130 cancelled.
int runCommand(const std::string& command, const std::function<int()>& body);

/// Adds --json and --quiet to a subcommand.
void addCommonOptions(CLI::App* app, CommonOptions& options);

/// The process exit code set by the subcommand that ran.
int exitCode();
void setExitCode(int code);

/// Reads a whole text file; throws IoError naming the path.
std::string readTextFile(const std::string& path);

/// Registers the subcommands (one function per command file).
/// "97.5" for 97.5 (printf %g).
std::string percentileKey(double p);
/// Enrichment points (retrieval.h) as JSON: returns {"<percentile>": odds ratio} (null when
/// infinite or NaN) and fills `detail` with one object per point (percentile, threshold, a, b,
/// c, d, odds_ratio, infinite). cmd_retrieval.cpp; used by retrieval and cell-report.
nlohmann::json enrichmentJson(const std::vector<EnrichmentPoint>& points, nlohmann::json& detail);

void addSimulateCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);
void addEmbedCommand(CLI::App& app);
void addImportCommand(CLI::App& app);
void addInfoCommand(CLI::App& app);
void addModelInfoCommand(CLI::App& app);
void addEvaluateCommand(CLI::App& app);
void addReferenceCommand(CLI::App& app);

} // namespace embedscope::cli
