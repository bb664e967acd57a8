// embedscope-cli profile --table IN.csv --config PIPE.json --out OUT.csv [--json]
// The cell-profiling pipeline of issue 8 / seed 004 §3.3.1: aggregation, per-plate
// normalisation, feature selection, spherizing and consensus, in the order the config lists
// (no --config: the seed's default pipeline, see embedscope/engine/profiling.h).
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/profiling.h"
#include "embedscope/engine/table.h"

#include <sstream>

namespace embedscope::cli {
namespace {

struct ProfileCliOptions {
    CommonOptions common;
    std::string table;
    std::string config;
    std::string out;
};

int runProfile(const ProfileCliOptions& o) {
    const ProfilePipeline pipeline =
        o.config.empty() ? defaultProfilePipeline() : readProfilePipeline(o.config);
    EmbeddingTable table = readProfileCsv(o.table);
    const ProfileSummary summary =
        runProfilePipeline(table, pipeline, o.table, cliJobContext(o.common));
    writeEmbeddingCsv(table, o.out);

    nlohmann::json result = toJson(summary);
    result["table"] = o.table;
    result["config"] = o.config.empty() ? nlohmann::json("default") : nlohmann::json(o.config);
    result["out"] = o.out;

    std::ostringstream human;
    human << o.table << ": " << summary.rowsIn << " rows x " << summary.featuresIn
          << " features -> " << summary.rowsOut << " rows x " << summary.featuresOut
          << " features, written to " << o.out << "\n";
    for (std::size_t i = 0; i < summary.steps.size(); ++i) {
        const ProfileStepReport& s = summary.steps[i];
        human << "  " << (i + 1) << ". " << s.step << ": " << s.rowsIn << " -> " << s.rowsOut
              << " rows, " << s.featuresIn << " -> " << s.featuresOut << " features";
        if (s.rank >= 0)
            human << ", rank " << s.rank;
        human << "\n";
        if (!s.dropped.empty()) {
            human << "     dropped:";
            for (std::size_t k = 0; k < s.dropped.size() && k < 12; ++k)
                human << " " << s.dropped[k];
            if (s.dropped.size() > 12)
                human << " ... (" << s.dropped.size() << " in all)";
            human << "\n";
        }
        for (const std::string& note : s.notes)
            human << "     note: " << note << "\n";
    }
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addProfileCommand(CLI::App& app) {
    auto options = std::make_shared<ProfileCliOptions>();
    auto* cmd = app.add_subcommand(
        "profile",
        "Cell-profiling pipeline (seed 004): aggregate single cells to wells, normalise per "
        "plate, select features, spherize on the controls and build consensus profiles");
    cmd->add_option("--table", options->table,
                    "Single-cell or well table (feature columns + Metadata_Plate, "
                    "Metadata_Well, Metadata_control, ...); NA/NaN/empty feature cells allowed")
        ->required();
    cmd->add_option("--config", options->config,
                    "Pipeline JSON: {\"steps\": [{\"step\": \"normalize\", ...}, ...]} "
                    "(default: the seed's pipeline)");
    cmd->add_option("--out", options->out, "Output CSV")->required();
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("profile", [&] { return runProfile(*options); })); });
}

} // namespace embedscope::cli
