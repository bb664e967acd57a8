// embedscope-cli cell-features --data DATA.h5 --dataset NAME --out CELLS.csv
// Raw single-cell features of a crop data set (engine cell_features.h: per-channel intensity
// statistics, gradient and Haralick texture, nucleus and cell area / eccentricity), written as
// a single-cell table with Metadata_* columns for the profile pipeline (issue 8).
#include "cli_common.h"

#include "embedscope/engine/cell_features.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/table.h"

#include <chrono>
#include <sstream>

namespace embedscope::cli {

void addCellFeaturesCommand(CLI::App& app) {
    struct Options {
        CommonOptions common;
        std::string data, dataset, out;
    };
    auto options = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "cell-features", "Raw single-cell features (intensity, texture, shape per channel) of "
                         "the cell crops of a data set, as a CSV table with Metadata_ columns");
    cmd->add_option("--data", options->data, "Project / data HDF5 file")->required();
    cmd->add_option("--dataset", options->dataset, "Crop data set (kind image, C x S x S)")
        ->required();
    cmd->add_option("--out", options->out, "Output CSV")->required();
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("cell-features", [&] {
            const auto start = std::chrono::steady_clock::now();
            const Dataset crops = ProjectFile::open(options->data).readDataset(options->dataset);
            const EmbeddingTable table = cellCropFeatures(crops, cliJobContext(options->common));
            writeEmbeddingCsv(table, options->out);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            nlohmann::json result = {{"out", options->out},
                                     {"dataset", options->dataset},
                                     {"cells", table.rows},
                                     {"features", table.featureNames.size()},
                                     {"cells_per_second", seconds > 0 ? table.rows / seconds : 0.0},
                                     {"seconds", seconds}};
            std::ostringstream human;
            human << "wrote " << table.featureNames.size() << " features of " << table.rows
                  << " cells to " << options->out << "\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
}

} // namespace embedscope::cli
