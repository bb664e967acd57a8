// embedscope-cli simulate development --out DATA.h5 [...]: the branching development of the
// seed 003 demo (SPEC S3; model documented in engine development.h).
#include "cli_common.h"

#include "embedscope/engine/development.h"
#include "embedscope/engine/project.h"

#include <chrono>
#include <set>
#include <sstream>

namespace embedscope::cli {

void addSimulateDevelopment(CLI::App* simulate) {
    struct Options {
        CommonOptions common;
        std::string out;
        std::string name = "development";
        DevelopmentParams params;
    };
    auto options = std::make_shared<Options>();
    auto* dev = simulate->add_subcommand(
        "development", "Stylised embryo images over 12-48 hpf: wt and four perturbations (gdf3, "
                       "lmx1b, tbx6, chd) leaving the wild-type trajectory at their own onset and "
                       "rate, with the ground truth as metadata (seed 003 demo)");
    dev->add_option("--out", options->out, "Output HDF5 file (created or extended)")->required();
    dev->add_option("--name", options->name, "Data set name in the file")->capture_default_str();
    dev->add_option("--embryos", options->params.embryosPerGroup,
                    "Embryos per group (split by embryo: 70 / 15 / 15 per group)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    dev->add_option("--times", options->params.timePoints, "Time points per embryo")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    dev->add_option("--size", options->params.imageSize, "Image side in pixels")
        ->capture_default_str()
        ->check(CLI::Range(16, 1024));
    dev->add_option("--noise", options->params.noise, "SD of the per-pixel Gaussian noise")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    dev->add_option("--spread", options->params.embryoSpread,
                    "SD of the per-embryo offset (normalised factor units)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10.0));
    dev->add_option("--seed", options->params.seed, "Random seed")->capture_default_str();
    addCommonOptions(dev, options->common);

    dev->callback([options] {
        setExitCode(runCommand("simulate development", [&] {
            const auto start = std::chrono::steady_clock::now();
            Dataset data = simulateDevelopment(options->params, cliJobContext(options->common));
            const double simulated =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            data.name = options->name;
            ProjectFile::openOrCreate(options->out).writeDataset(data);
            const auto& ids = data.metadata.column("individual").strings;
            nlohmann::json groups = nlohmann::json::array({"wt"});
            for (const auto& p : options->params.perturbations)
                groups.push_back(p.name);
            nlohmann::json result = {
                {"out", options->out},
                {"dataset", data.name},
                {"samples", data.sampleCount()},
                {"shape", data.sampleShape},
                {"groups", groups},
                {"individuals", std::set<std::string>(ids.begin(), ids.end()).size()},
                {"train", data.indicesOfSplit("train").size()},
                {"val", data.indicesOfSplit("val").size()},
                {"test", data.indicesOfSplit("test").size()},
                {"simulation_seconds", simulated},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
            std::ostringstream human;
            human << "wrote " << data.sampleCount() << " embryo images ("
                  << options->params.embryosPerGroup << " embryos x " << options->params.timePoints
                  << " times x " << groups.size() << " groups) of " << data.sampleShape[1] << " x "
                  << data.sampleShape[2] << " to " << options->out << " as '" << data.name << "'\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
}

} // namespace embedscope::cli
