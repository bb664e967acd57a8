// embedscope-cli reference --project P [--dataset NAME] [--kind all|untrained|manual|combined]
//                         [--base RUN] [--config C.json] [--set key=value ...]
// The seed 000 reference runs (§4.1, §4.5) of a project's data set, with their metrics: the
// untrained encoder (a config's initial weights), the hand-made "manual" features, and the
// "combined" model of a trained run (--base, default: the newest trained run).
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"

#include <sstream>

namespace embedscope::cli {
namespace {

struct ReferenceOptions {
    CommonOptions common;
    std::string project;
    std::string dataset;
    std::string kind = "all";
    std::string base;
    std::string config;
    std::vector<std::string> overrides;
};

std::string newestTrainedRun(const ProjectFile& project, const std::string& datasetName) {
    std::string newest, newestTime;
    for (const auto& name : project.runNames()) {
        const RunRecord r = project.readRun(name, ProjectFile::RunContent::Summary);
        if (r.datasetName == datasetName && runKind(r) == "trained" && r.createdUtc >= newestTime) {
            newest = name;
            newestTime = r.createdUtc;
        }
    }
    if (newest.empty())
        throw ConfigError("the combined model needs a trained run of data set '" + datasetName +
                          "'; train one first or name it with --base");
    return newest;
}

int runReference(const ReferenceOptions& o) {
    ProjectFile project = ProjectFile::open(o.project);
    const auto names = project.datasetNames();
    if (names.empty())
        throw DataError(o.project + ": holds no data set");
    const std::string datasetName = o.dataset.empty() ? names.front() : o.dataset;
    if (!project.hasDataset(datasetName))
        throw ConfigError(o.project + ": no data set named '" + datasetName + "'");
    JobContext& ctx = cliJobContext(o.common);

    std::vector<std::string> written;
    if (o.kind == "all" || o.kind == "untrained" || o.kind == "manual") {
        const TrainConfig base =
            parseTrainConfig(o.config.empty() ? "{}" : readTextFile(o.config), o.overrides,
                             o.config.empty() ? "--set" : o.config);
        if (o.kind == "all") {
            written = addReferenceRuns(project, datasetName, base, ctx);
        } else if (o.kind == "untrained") {
            TrainConfig untrained = base;
            untrained.epochs = 0;
            RunRecord run = train(project.readDataset(datasetName), untrained, ctx);
            run.name = project.uniqueRunName("untrained");
            project.writeRun(run);
            written.push_back(run.name);
        } else {
            const Dataset data = project.readDataset(datasetName);
            RunRecord run = makeManualRun(data, openFieldOptionsFor(data), ctx);
            run.name = project.uniqueRunName(kManualModel);
            attachRunMetrics(run, data, ctx);
            project.writeRun(run);
            written.push_back(run.name);
        }
    } else if (o.kind == "combined") {
        const Dataset data = project.readDataset(datasetName);
        const std::string baseName =
            o.base.empty() ? newestTrainedRun(project, datasetName) : o.base;
        if (!project.hasRun(baseName))
            throw ConfigError(o.project + ": no run named '" + baseName + "'");
        RunRecord run = makeCombinedRun(data, project.readRun(baseName), openFieldOptionsFor(data),
                                        kCombinedComponents, ctx);
        run.name = project.uniqueRunName(kCombinedModel);
        attachRunMetrics(run, data, ctx);
        project.writeRun(run);
        written.push_back(run.name);
    } else {
        throw ConfigError("--kind must be all, untrained, manual or combined, got '" + o.kind +
                          "'");
    }

    nlohmann::json runs = nlohmann::json::array();
    std::ostringstream human;
    for (const auto& name : written) {
        const RunRecord r = project.readRun(name, ProjectFile::RunContent::Summary);
        const RunMetrics m = parseRunMetrics(r.metricsJson);
        nlohmann::json metrics = nlohmann::json::object();
        human << name << " (" << runKind(r) << "):";
        for (const auto& [key, value] : m.best) {
            metrics[key] = value;
            human << "  " << key << " " << value;
        }
        human << "\n";
        runs.push_back({{"run", name}, {"kind", runKind(r)}, {"metrics", metrics}});
    }
    printResult(o.common, {{"project", o.project}, {"dataset", datasetName}, {"runs", runs}},
                human.str());
    return 0;
}

} // namespace

void addReferenceCommand(CLI::App& app) {
    auto options = std::make_shared<ReferenceOptions>();
    auto* cmd = app.add_subcommand(
        "reference", "Add the seed 000 reference runs (untrained, manual, combined) with metrics");
    cmd->add_option("--project", options->project, "Project file holding the data set")->required();
    cmd->add_option("--dataset", options->dataset, "Data set name (default: the first)");
    cmd->add_option("--kind", options->kind,
                    "all (untrained + manual), untrained, manual, combined");
    cmd->add_option("--base", options->base,
                    "Trained run the combined model starts from (default: the newest)");
    cmd->add_option("--config", options->config, "Training config of the untrained encoder");
    cmd->add_option("--set", options->overrides, "Override a config key of the untrained encoder");
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("reference", [&] { return runReference(*options); }));
    });
}

} // namespace embedscope::cli
