// embedscope-cli simulate cellpainting --out-dir DIR [...]: synthetic Cell-Painting plates of the
// seed 004 demo (SPEC S4; ground truth documented in engine cell_plates.h). The folder is then
// imported with `embedscope-cli import DIR/platemap.csv --reader cell-plate --out DATA.h5`.
#include "cli_common.h"

#include "embedscope/engine/cell_plates.h"

#include <chrono>
#include <sstream>

namespace embedscope::cli {

void addSimulateCells(CLI::App* simulate) {
    struct Options {
        CommonOptions common;
        std::string outDir;
        CellPlateSimParams params;
        bool eightBit = false;
    };
    auto options = std::make_shared<Options>();
    auto* cmd = simulate->add_subcommand(
        "cellpainting",
        "Synthetic Cell-Painting plates (5 channels, DMSO controls, compounds of 5 MOAs at 3 "
        "doses, "
        "plate and batch effects) as TIFF with platemap.csv, images.csv, locations.csv and "
        "ground_truth.json (seed 004 demo)");
    auto& p = options->params;
    cmd->add_option("--out-dir", options->outDir, "Output folder (created)")->required();
    cmd->add_option("--plates", p.plates, "Plates")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    cmd->add_option("--plates-per-batch", p.platesPerBatch, "Plates per batch")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    cmd->add_option("--moas", p.moas, "MOA classes (at most 5)")
        ->capture_default_str()
        ->check(CLI::Range(1, 5));
    cmd->add_option("--compounds", p.compoundsPerMoa, "Compounds per MOA")
        ->capture_default_str()
        ->check(CLI::Range(1, 50));
    cmd->add_option("--doses", p.doses, "Doses in uM")->capture_default_str()->delimiter(',');
    cmd->add_option("--replicates", p.replicatesPerPlate, "Wells per treatment and plate")
        ->capture_default_str()
        ->check(CLI::Range(1, 50));
    cmd->add_option("--controls", p.controlsPerPlate, "DMSO wells per plate")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--sites", p.sites, "Sites per well")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    cmd->add_option("--cells", p.cellsPerSite, "Cells per site (before MOA effects)")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--size", p.imageSize, "Site image side in pixels")
        ->capture_default_str()
        ->check(CLI::Range(32, 4096));
    cmd->add_option("--margin", p.borderMargin, "Least distance of a nucleus centre to the edge")
        ->capture_default_str();
    cmd->add_flag("--eight-bit", options->eightBit, "Write 8-bit TIFF (default 16-bit)");
    cmd->add_flag("--multipage", p.multiPage, "One 5-page TIFF per site");
    cmd->add_option("--compound-effect", p.compoundEffect,
                    "SD of each compound's own (off-target) effect at full strength")
        ->check(CLI::Range(0.0, 2.0));
    cmd->add_option("--noise", p.noise, "SD of the pixel noise")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--seed", p.seed, "Random seed")->capture_default_str();
    addCommonOptions(cmd, options->common);

    cmd->callback([options] {
        setExitCode(runCommand("simulate cellpainting", [&] {
            const auto start = std::chrono::steady_clock::now();
            CellPlateSimParams params = options->params;
            params.bitDepth = options->eightBit ? 8 : 16;
            const CellPlateSimResult r =
                simulateCellPlates(params, options->outDir, cliJobContext(options->common));
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            nlohmann::json result = {{"out_dir", r.outDir},      {"plates", r.plates},
                                     {"wells", r.wells},         {"control_wells", r.controlWells},
                                     {"compounds", r.compounds}, {"sites", r.sites},
                                     {"cells", r.cells},         {"image_files", r.imageFiles},
                                     {"seconds", seconds}};
            std::ostringstream human;
            human << "wrote " << r.plates << " plates, " << r.wells << " wells (" << r.controlWells
                  << " DMSO), " << r.sites << " sites, " << r.cells << " cells, " << r.imageFiles
                  << " TIFF files to " << r.outDir << "\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
}

} // namespace embedscope::cli
