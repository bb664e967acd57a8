// embedscope-cli simulate openfield --out DATA.h5 [...]
#include "cli_common.h"

#include "embedscope/engine/openfield.h"
#include "embedscope/engine/project.h"

#include <chrono>
#include <sstream>

namespace embedscope::cli {

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
}

} // namespace embedscope::cli
