// embedscope-cli train --data DATA.h5 --project PROJECT.h5 [--config CFG.json] [--set k=v ...]
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace embedscope::cli {
namespace {

struct TrainOptions {
    CommonOptions common;
    std::string data;
    std::string dataset;
    std::string project;
    std::string config;
    std::vector<std::string> overrides;
    int epochs = -1; ///< -1: from the config; 0: the untrained reference run
    long long seed = -1;
    std::string name;
};

/// The project keeps its own copy of the data set a run was trained on, so that `embed` and
/// the GUI find the metadata without the original data file.
void ensureDatasetInProject(ProjectFile& project, const Dataset& data) {
    if (!project.hasDataset(data.name)) {
        project.writeDataset(data);
        return;
    }
    const Dataset stored = project.readDatasetHeader(data.name);
    if (stored.sampleShape != data.sampleShape ||
        stored.metadata.rowCount() != data.metadata.rowCount())
        throw ConfigError(project.path() + " already holds a different data set named '" +
                          data.name + "'; rename one of them (import --name)");
}

int runTrain(const TrainOptions& o) {
    ProjectFile dataFile = ProjectFile::open(o.data);
    const auto names = dataFile.datasetNames();
    if (names.empty())
        throw DataError(o.data + ": holds no data set");
    const std::string datasetName = o.dataset.empty() ? names.front() : o.dataset;
    if (!dataFile.hasDataset(datasetName))
        throw ConfigError(o.data + ": no data set named '" + datasetName + "'");
    Dataset data = dataFile.readDataset(datasetName);
    data.validate(o.data + ": " + datasetName);

    std::vector<std::string> overrides = o.overrides;
    if (o.epochs >= 0)
        overrides.push_back("epochs=" + std::to_string(o.epochs));
    if (o.seed >= 0)
        overrides.push_back("seed=" + std::to_string(o.seed));
    if (!o.name.empty())
        overrides.push_back("run_name=" + o.name);
    const std::string configText = o.config.empty() ? "{}" : readTextFile(o.config);
    TrainConfig config =
        parseTrainConfig(configText, overrides, o.config.empty() ? "config" : o.config);

    ProjectFile project = ProjectFile::openOrCreate(o.project);
    if (config.runName.empty())
        config.runName =
            project.uniqueRunName(config.epochs == 0 ? config.model + "-untrained" : config.model);
    else if (project.hasRun(config.runName))
        throw ConfigError(o.project + ": a run named '" + config.runName + "' already exists");

    TrainCallbacks callbacks;
    callbacks.onEpoch = [&](const EpochReport& r) {
        if (o.common.quiet)
            return;
        char line[160];
        std::snprintf(line, sizeof line, "epoch %d/%d  train %.4f  val %.4f%s  (%.1f s)\n",
                      r.epoch + 1, r.epochs, r.trainLoss, r.valLoss, r.improved ? "  *" : "",
                      r.seconds);
        std::cerr << line << std::flush;
    };
    RunRecord run = train(data, config, cliJobContext(o.common), callbacks, true);
    run.name = config.runName;
    ensureDatasetInProject(project, data);
    project.writeRun(run);

    nlohmann::json result = {{"run", run.name},
                             {"project", o.project},
                             {"dataset", data.name},
                             {"status", run.status},
                             {"train_loss", run.trainLoss},
                             {"val_loss", run.valLoss},
                             {"best_epoch", run.bestEpoch},
                             {"seconds", run.seconds}};
    // Seed 000 metrics at the best checkpoint (PCA 10 on train + val).
    const RunMetrics metrics = parseRunMetrics(run.metricsJson);
    result["metrics"] = nlohmann::json::object();
    for (const auto& [key, value] : metrics.best)
        result["metrics"][key] = value;
    std::ostringstream human;
    human << "run '" << run.name << "' (" << run.status << ") saved to " << o.project;
    if (config.epochs == 0)
        human << ": untrained (initial weights)";
    else
        human << ": best epoch " << run.bestEpoch + 1 << " of " << run.trainLoss.size();
    if (run.bestEpoch >= 0 && run.bestEpoch < static_cast<int>(run.valLoss.size()))
        human << ", val loss " << run.valLoss[run.bestEpoch];
    human << ", " << run.seconds << " s\n";
    for (const auto& [key, value] : metrics.best)
        human << "  " << metricTitle(key) << ": " << value << "\n";
    printResult(o.common, result, human.str());
    return run.status == "cancelled" ? 130 : 0;
}

} // namespace

void addTrainCommand(CLI::App& app) {
    auto options = std::make_shared<TrainOptions>();
    auto* cmd = app.add_subcommand("train", "Train an encoder on a data set and save the run");
    cmd->add_option("--data", options->data, "HDF5 file holding the data set")->required();
    cmd->add_option("--dataset", options->dataset, "Data set name (default: the first)");
    cmd->add_option("--project", options->project,
                    "Project file the run is saved to (created "
                    "if missing)")
        ->required();
    cmd->add_option("--config", options->config, "Training config JSON");
    cmd->add_option("--set", options->overrides,
                    "Override a config key, e.g. --set learning_rate=1e-4 "
                    "--set model_params.channels=30");
    cmd->add_option("--epochs", options->epochs,
                    "Epochs (overrides the config); 0 saves the untrained reference run")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", options->seed, "Seed (overrides the config)");
    cmd->add_option("--name", options->name,
                    "Run name (default: <model>-NNN, <model>-untrained-NNN for --epochs 0)");
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("train", [&] { return runTrain(*options); })); });
}

} // namespace embedscope::cli
