// embedscope-cli: every job the GUI can start, headless.
#include "cli_common.h"

#include "embedscope/plugins/builtin.h"

#include <iostream>

namespace embedscope::cli {
void addAlignCommand(CLI::App& app);               // cmd_align.cpp
void addDoseResponseCommand(CLI::App& app);        // cmd_dose_response.cpp
void addExportCommand(CLI::App& app);              // cmd_export.cpp
void addSweepCommand(CLI::App& app);               // cmd_sweep.cpp
void addRunsCommand(CLI::App& app);                // cmd_runs.cpp
void addRetrievalCommand(CLI::App& app);           // cmd_retrieval.cpp
void addCellProfileFeaturesCommand(CLI::App& app); // cmd_cell_cnn.cpp
void addCellFeaturesCommand(CLI::App& app);        // cmd_cell_features.cpp
void addProfileCommand(CLI::App& app);             // cmd_profile.cpp
void addCellReportCommand(CLI::App& app);          // cmd_cell_report.cpp
} // namespace embedscope::cli

int main(int argc, char** argv) {
    embedscope::plugins::registerBuiltinReaders();
    CLI::App app{"embedscope-cli: simulate, import, train and embed behaviour data without the GUI",
                 "embedscope-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(EMBEDSCOPE_CLI_VERSION));
    embedscope::cli::addSimulateCommand(app);
    embedscope::cli::addImportCommand(app);
    embedscope::cli::addTrainCommand(app);
    embedscope::cli::addEmbedCommand(app);
    embedscope::cli::addInfoCommand(app);
    embedscope::cli::addModelInfoCommand(app);
    embedscope::cli::addEvaluateCommand(app);
    embedscope::cli::addReferenceCommand(app);
    embedscope::cli::addAlignCommand(app);
    embedscope::cli::addExportCommand(app);
    embedscope::cli::addDoseResponseCommand(app);
    embedscope::cli::addSweepCommand(app);
    embedscope::cli::addRunsCommand(app);
    embedscope::cli::addRetrievalCommand(app);
    embedscope::cli::addCellProfileFeaturesCommand(app);
    embedscope::cli::addCellFeaturesCommand(app);
    embedscope::cli::addProfileCommand(app);
    embedscope::cli::addCellReportCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    // Each subcommand's callback stored its exit code here.
    return embedscope::cli::exitCode();
}
