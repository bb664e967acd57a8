// embedscope-cli cell-profile-features --project P.h5 --run R [--epoch E] --data DATA.h5
//     [--dataset NAME] --out CELLS.csv
// Single-cell profiles of a cell-cnn run (seed 004 §3.2.3: the penultimate layer) from its best
// checkpoint or any saved epoch, as an EmbeddingTable CSV: cnn_0.. + the crops' Metadata_*.
#include "cli_common.h"

#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/table.h"

#include <sstream>

namespace embedscope::cli {
namespace {

struct CellFeatureOptions {
    CommonOptions common;
    std::string project;
    std::string run;
    int epoch = 0; ///< 1-based on the command line; 0 = the best checkpoint
    std::string data;
    std::string dataset;
    std::string out;
};

int runCellFeatures(const CellFeatureOptions& o) {
    const ProjectFile project = ProjectFile::open(o.project);
    if (!project.hasRun(o.run))
        throw ConfigError(o.project + ": no run named '" + o.run + "'");
    const RunRecord run = project.readRun(o.run);
    if (!isCellCnnRun(run))
        throw ConfigError(o.project + ": run '" + o.run + "' is not a cell-cnn run");
    if (o.epoch > 0 && std::size_t(o.epoch) > run.epochCheckpoints.size() &&
        o.epoch - 1 != run.bestEpoch)
        throw ConfigError("--epoch " + std::to_string(o.epoch) + ": run '" + o.run + "' kept " +
                          std::to_string(run.epochCheckpoints.size()) + " epoch checkpoints (1.." +
                          std::to_string(run.epochCheckpoints.size()) + "); the best is epoch " +
                          std::to_string(run.bestEpoch + 1));

    const ProjectFile dataFile = ProjectFile::open(o.data);
    const auto names = dataFile.datasetNames();
    if (names.empty())
        throw DataError(o.data + ": holds no data set");
    const std::string name = o.dataset.empty() ? run.datasetName : o.dataset;
    if (!dataFile.hasDataset(name))
        throw ConfigError(o.data + ": no data set named '" + name + "'");
    const Dataset data = dataFile.readDataset(name);

    std::size_t cols = 0;
    const auto features = cellCnnFeatures(run, data, o.epoch - 1, cliJobContext(o.common), &cols);
    const EmbeddingTable table = cellFeatureTable(features, cols, data);
    writeEmbeddingCsv(table, o.out);

    const int usedEpoch = o.epoch > 0 ? o.epoch : run.bestEpoch + 1;
    nlohmann::json result = {{"out", o.out},       {"run", o.run},
                             {"epoch", usedEpoch}, {"best_epoch", run.bestEpoch + 1},
                             {"rows", table.rows}, {"features", cols}};
    std::ostringstream human;
    human << "wrote " << table.rows << " cells x " << cols << " features (epoch " << usedEpoch
          << (o.epoch > 0 ? "" : ", the best") << ") to " << o.out << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addCellProfileFeaturesCommand(CLI::App& app) {
    auto options = std::make_shared<CellFeatureOptions>();
    auto* cmd = app.add_subcommand(
        "cell-profile-features",
        "Single-cell CNN features (penultimate layer) of a cell-cnn run for a crop data set");
    cmd->add_option("--project", options->project, "Project file holding the run")->required();
    cmd->add_option("--run", options->run, "Run name")->required();
    cmd->add_option("--epoch", options->epoch,
                    "Epoch whose weights to use (1-based; default: the best checkpoint)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--data", options->data, "HDF5 file holding the crops")->required();
    cmd->add_option("--dataset", options->dataset,
                    "Data set name (default: the one the run was trained on)");
    cmd->add_option("--out", options->out, "Output CSV (cnn_* + Metadata_* columns)")->required();
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("cell-profile-features", [&] { return runCellFeatures(*options); }));
    });
}

} // namespace embedscope::cli
