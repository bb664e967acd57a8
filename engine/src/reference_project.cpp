// Reference runs inside a project: the untrained and manual runs of seed 000 §4.1, with their
// metrics, and the newest of each kind for the metrics panel's reference lines.
#include "embedscope/engine/error.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/engine/run_metrics.h"

#include <nlohmann/json.hpp>

namespace embedscope {

std::string runKind(const RunRecord& run) {
    const std::string reference = referenceKind(run);
    if (!reference.empty())
        return reference;
    const auto config = nlohmann::json::parse(run.configJson, nullptr, false);
    if (config.is_object() && config.contains("epochs") && config["epochs"].is_number_integer() &&
        config["epochs"].get<int>() == 0)
        return "untrained";
    return "trained";
}

void attachRunMetrics(RunRecord& run, const Dataset& data, const JobContext& ctx) {
    RunMetrics metrics;
    try {
        const MetricLabels labels = metricLabelsOf(data);
        metrics.best = evaluateEmbedding(run.embedding, run.embeddingRows, run.embeddingCols, data,
                                         labels, availableMetrics(labels, true), ctx)
                           .named();
    } catch (const DataError& e) {
        metrics.error = e.what();
    }
    run.metricsJson = toJson(metrics);
}

std::vector<std::string> addReferenceRuns(ProjectFile& project, const std::string& datasetName,
                                          TrainConfig base, const JobContext& ctx) {
    const Dataset data = project.readDataset(datasetName);
    std::vector<std::string> written;
    const bool trajectories = data.sampleShape.size() == 2 && data.sampleShape[0] == 3;
    const double share = trajectories ? 0.5 : 1.0;

    // The untrained run: the trainer with epochs = 0 already measures its metrics.
    base.epochs = 0;
    base.runName = project.uniqueRunName("untrained");
    const JobContext first(ctx, 0.0, share);
    RunRecord untrained = train(data, base, first);
    untrained.name = base.runName;
    project.writeRun(untrained);
    written.push_back(untrained.name);

    if (trajectories) {
        const JobContext rest(ctx, share, 1.0);
        RunRecord manual = makeManualRun(data, openFieldOptionsFor(data), rest);
        manual.name = project.uniqueRunName(kManualModel);
        attachRunMetrics(manual, data, rest);
        project.writeRun(manual);
        written.push_back(manual.name);
    }
    return written;
}

std::map<std::string, RunRecord> latestReferenceRuns(const ProjectFile& project,
                                                     const std::string& datasetName) {
    std::map<std::string, RunRecord> latest;
    for (const std::string& name : project.runNames()) {
        RunRecord run = project.readRun(name, ProjectFile::RunContent::Summary);
        if (run.datasetName != datasetName)
            continue;
        const std::string kind = runKind(run);
        if (kind == "trained")
            continue;
        run.name = name;
        auto it = latest.find(kind);
        if (it == latest.end() || it->second.createdUtc <= run.createdUtc)
            latest[kind] = std::move(run);
    }
    return latest;
}

} // namespace embedscope
