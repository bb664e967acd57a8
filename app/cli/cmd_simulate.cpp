// embedscope-cli simulate openfield|hh|tpc|development --out DATA.h5 [...]
#include "cli_common.h"

#include "embedscope/engine/detector_events.h"
#include "embedscope/engine/hodgkin_huxley.h"
#include "embedscope/engine/openfield.h"
#include "embedscope/engine/project.h"

#include <chrono>
#include <sstream>

namespace embedscope::cli {

void addSimulateDevelopment(CLI::App* simulate); // cmd_simulate_development.cpp
void addSimulateCells(CLI::App* simulate);       // cmd_simulate_cells.cpp

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// simulate hh: the seed 001 Hodgkin-Huxley traces (SPEC S1).
void addHodgkinHuxley(CLI::App* simulate) {
    struct Options {
        CommonOptions common;
        std::string out;
        std::string name = "hh";
        HHDatasetParams params;
    };
    auto options = std::make_shared<Options>();
    auto* hh = simulate->add_subcommand(
        "hh", "Hodgkin-Huxley voltage traces: gK ~ U(26, 46), gNa ~ U(110, 130), 200 ms settle, "
              "50 ms at 0.01 ms with 15 uA/cm^2 from 10 ms, min-max scaled (seed 001)");
    hh->add_option("--out", options->out, "Output HDF5 file (created or extended)")->required();
    hh->add_option("--name", options->name, "Data set name in the file")->capture_default_str();
    hh->add_option("--n", options->params.n,
                   "Number of traces (80 % train, of which 10 % val; "
                   "20 % test)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    hh->add_option("--seed", options->params.seed, "Random seed")->capture_default_str();
    hh->add_option("--threads", options->params.threads, "Worker threads (0 = all cores)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    addCommonOptions(hh, options->common);

    hh->callback([options] {
        setExitCode(runCommand("simulate hh", [&] {
            const auto start = std::chrono::steady_clock::now();
            Dataset data =
                simulateHodgkinHuxleyDataset(options->params, cliJobContext(options->common));
            const double simulated = secondsSince(start);
            data.name = options->name;
            ProjectFile::openOrCreate(options->out).writeDataset(data);
            nlohmann::json result = {{"out", options->out},
                                     {"dataset", data.name},
                                     {"samples", data.sampleCount()},
                                     {"shape", data.sampleShape},
                                     {"train", data.indicesOfSplit("train").size()},
                                     {"val", data.indicesOfSplit("val").size()},
                                     {"test", data.indicesOfSplit("test").size()},
                                     {"simulation_seconds", simulated},
                                     {"seconds", secondsSince(start)}};
            std::ostringstream human;
            human << "wrote " << data.sampleCount() << " Hodgkin-Huxley traces of "
                  << data.sampleShape.back() << " samples to " << options->out << " as '"
                  << data.name << "' (simulated in " << simulated << " s)\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
}

/// simulate tpc: proton- and carbon-like tracks rasterized to images (SPEC S2).
void addTpc(CLI::App* simulate) {
    struct Options {
        CommonOptions common;
        std::string out;
        std::string name = "tpc";
        TpcParams params;
    };
    auto options = std::make_shared<Options>();
    auto* tpc = simulate->add_subcommand(
        "tpc", "TPC-like detector events (proton and carbon tracks) as x-y charge images "
               "(seed 002)");
    tpc->add_option("--out", options->out, "Output HDF5 file (created or extended)")->required();
    tpc->add_option("--name", options->name, "Data set name in the file")->capture_default_str();
    tpc->add_option("--per-class", options->params.perClass, "Events per class")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    tpc->add_option("--noise", options->params.noisePoints,
                    "Mean number of random noise points per event")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1000.0));
    tpc->add_option("--seed", options->params.seed, "Random seed")->capture_default_str();
    tpc->add_option("--size", options->params.imageSize, "Image side in pixels")
        ->capture_default_str()
        ->check(CLI::Range(8, 4096));
    addCommonOptions(tpc, options->common);

    tpc->callback([options] {
        setExitCode(runCommand("simulate tpc", [&] {
            const auto start = std::chrono::steady_clock::now();
            Dataset data = simulateTpcEvents(options->params, cliJobContext(options->common));
            data.name = options->name;
            ProjectFile::openOrCreate(options->out).writeDataset(data);
            nlohmann::json result = {{"out", options->out},
                                     {"dataset", data.name},
                                     {"samples", data.sampleCount()},
                                     {"shape", data.sampleShape},
                                     {"train", data.indicesOfSplit("train").size()},
                                     {"val", data.indicesOfSplit("val").size()},
                                     {"test", data.indicesOfSplit("test").size()},
                                     {"seconds", secondsSince(start)}};
            std::ostringstream human;
            human << "wrote " << data.sampleCount() << " detector events as " << data.sampleShape[1]
                  << " x " << data.sampleShape[2] << " images to " << options->out << " as '"
                  << data.name << "'\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
}

} // namespace

void addSimulateCommand(CLI::App& app) {
    auto* simulate = app.add_subcommand("simulate", "Simulate a demo data set");
    simulate->require_subcommand(1);

    struct Options {
        CommonOptions common;
        std::string out;
        std::string name = "openfield";
        OpenFieldParams params;
    };
    auto options = std::make_shared<Options>();
    auto* openfield = simulate->add_subcommand(
        "openfield", "Rats in a 40 x 40 cm open field at 25 Hz under S substances x D doses");
    openfield->add_option("--out", options->out, "Output HDF5 file (created or extended)")
        ->required();
    openfield->add_option("--name", options->name, "Data set name in the file")
        ->capture_default_str();
    openfield->add_option("--substances", options->params.substances, "Active substances S")
        ->capture_default_str();
    openfield->add_option("--doses", options->params.doses, "Dose levels per substance D")
        ->capture_default_str();
    openfield->add_option("--animals", options->params.animalsPerGroup, "Animals per group A")
        ->capture_default_str();
    openfield
        ->add_option("--minutes", options->params.minutes, "Recording length M (60 = 90,000 steps)")
        ->capture_default_str();
    openfield
        ->add_option("--experiments", options->params.experiments,
                     "Cohorts; the train/val split is made by cohort")
        ->capture_default_str();
    openfield->add_option("--seed", options->params.seed, "Random seed")->capture_default_str();
    addCommonOptions(openfield, options->common);

    openfield->callback([options] {
        setExitCode(runCommand("simulate openfield", [&] {
            const auto start = std::chrono::steady_clock::now();
            Dataset data = simulateOpenField(options->params, cliJobContext(options->common));
            data.name = options->name;
            ProjectFile::openOrCreate(options->out).writeDataset(data);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            nlohmann::json result = {{"out", options->out},
                                     {"dataset", data.name},
                                     {"samples", data.sampleCount()},
                                     {"shape", data.sampleShape},
                                     {"seconds", seconds}};
            std::ostringstream human;
            human << "wrote " << data.sampleCount() << " trajectories of shape (3, "
                  << data.sampleShape.back() << ") to " << options->out << " as '" << data.name
                  << "'\n";
            printResult(options->common, result, human.str());
            return 0;
        }));
    });
    addHodgkinHuxley(simulate);
    addTpc(simulate);
    addSimulateDevelopment(simulate);
    addSimulateCells(simulate);
}

} // namespace embedscope::cli
