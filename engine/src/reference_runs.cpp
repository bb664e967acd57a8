// Reference runs of seed 000 ("manual", "combined" §4.5) stored like trained runs.
#include "embedscope/engine/reference_runs.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace embedscope {
namespace {

using Clock = std::chrono::steady_clock;

nlohmann::ordered_json optionsJson(const OpenFieldFeatureOptions& o) {
    nlohmann::ordered_json j;
    j["rate_hz"] = o.rateHz;
    j["cage_cm"] = o.cageCm;
    j["centre_fraction"] = o.centreFraction;
    j["wall_cm"] = o.wallCm;
    j["corner_cm"] = o.cornerCm;
    j["immobile_speed_cm_s"] = o.immobileSpeedCmS;
    j["min_immobile_bout_s"] = o.minImmobileBoutS;
    j["time_bins"] = o.timeBins;
    j["smoothing_frames"] = o.smoothingFrames;
    j["tortuosity_window_s"] = o.tortuosityWindowS;
    j["occupancy_grid"] = o.occupancyGrid;
    return j;
}

/// The fields both reference runs share; `z` becomes the run's embedding (float32, row-major).
RunRecord baseRecord(const Dataset& data, const Eigen::MatrixXd& z) {
    RunRecord run;
    run.datasetName = data.name;
    run.status = "finished";
    run.bestEpoch = -1; // nothing was trained: no curves, no checkpoint
    run.embeddingRows = static_cast<std::size_t>(z.rows());
    run.embeddingCols = static_cast<std::size_t>(z.cols());
    run.embedding.resize(run.embeddingRows * run.embeddingCols);
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            run.embedding[static_cast<std::size_t>(r) * run.embeddingCols +
                          static_cast<std::size_t>(c)] = static_cast<float>(z(r, c));
    run.versions = currentVersions();
    run.createdUtc = currentUtcTime();
    return run;
}

std::vector<std::size_t> requireFitRows(const Dataset& data, const char* model) {
    std::vector<std::size_t> rows = openFieldFitRows(data);
    if (rows.empty())
        throw DataError("dataset '" + data.name + "': the " + model +
                        " model fits its scaling on train and val rows, and column '" +
                        Dataset::kSplitColumn + "' has none");
    return rows;
}

/// Features of the whole data set and the shared config fields.
Eigen::MatrixXd rawFeatures(const Dataset& data, const OpenFieldFeatureOptions& options,
                            const JobContext& ctx, nlohmann::ordered_json& config,
                            std::size_t fitRows) {
    data.validate("dataset '" + data.name + "'");
    const std::vector<std::string> names = openFieldFeatureNames(options);
    Eigen::MatrixXd raw = openFieldFeatureMatrix(data, options, ctx);
    config["dataset"] = data.name;
    config["feature_count"] = names.size();
    config["feature_names"] = names;
    config["feature_options"] = optionsJson(options);
    config["fit_rows"] = fitRows;
    config["standardisation"] = "z-score per feature: mean and population sd over the train + "
                                "val rows; features constant there are kept as 0";
    return raw;
}

std::vector<std::string> constantFeatures(const Eigen::MatrixXd& raw,
                                          const std::vector<std::size_t>& fitRows,
                                          const std::vector<std::string>& names) {
    // standardiseColumns zeroes exactly the columns that are constant on the fit rows; a
    // standardised non-constant column has sd 1 there, so it is never all zero.
    const Eigen::MatrixXd z = standardiseColumns(raw, fitRows);
    std::vector<std::string> out;
    for (Eigen::Index c = 0; c < z.cols(); ++c)
        if (z.col(c).isZero(0.0))
            out.push_back(names[static_cast<std::size_t>(c)]);
    return out;
}

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

OpenFieldFeatureOptions openFieldOptionsFor(const Dataset& data, OpenFieldFeatureOptions base) {
    const auto attributes = nlohmann::json::parse(data.attributesJson, nullptr, false);
    if (!attributes.is_object())
        return base;
    auto positive = [](const nlohmann::json& scope, const char* key, double& target) {
        const auto it = scope.find(key);
        if (it == scope.end() || !it->is_number() || !(it->get<double>() > 0))
            return false;
        target = it->get<double>();
        return true;
    };
    auto number = [&](const char* key, double& target) {
        if (!positive(attributes, key, target) && attributes.contains("params") &&
            attributes.at("params").is_object())
            positive(attributes.at("params"), key, target);
    };
    number("rate_hz", base.rateHz);
    number("cage_cm", base.cageCm);
    return base;
}

RunRecord makeManualRun(const Dataset& data, const OpenFieldFeatureOptions& options,
                        const JobContext& ctx) {
    const auto started = Clock::now();
    const std::vector<std::size_t> fitRows = requireFitRows(data, kManualModel);
    nlohmann::ordered_json config;
    config["model"] = kManualModel;
    const Eigen::MatrixXd raw = rawFeatures(data, options, ctx, config, fitRows.size());
    const Eigen::MatrixXd z = standardiseColumns(raw, fitRows);
    config["constant_features"] = constantFeatures(raw, fitRows, openFieldFeatureNames(options));

    RunRecord run = baseRecord(data, z);
    run.configJson = config.dump(2);
    run.seconds = secondsSince(started);
    ctx.report(1.0, "finished", 0.0);
    return run;
}

RunRecord makeCombinedRun(const Dataset& data, const RunRecord& learned,
                          const OpenFieldFeatureOptions& options, int components,
                          const JobContext& ctx) {
    const auto started = Clock::now();
    const std::string origin = "run '" + learned.name + "'";
    if (const std::string kind = referenceKind(learned); !kind.empty())
        throw ConfigError(origin + " is a " + kind +
                          " reference run; the combined model needs a trained (learned) run");
    if (components < 1)
        throw ConfigError("combined model: components must be >= 1, got " +
                          std::to_string(components));
    if (learned.embeddingRows == 0 || learned.embeddingCols == 0)
        throw DataError(origin + " holds no embedding");
    if (learned.embedding.size() != learned.embeddingRows * learned.embeddingCols)
        throw DataError(origin + ": " + std::to_string(learned.embedding.size()) +
                        " embedding values do not fill " + std::to_string(learned.embeddingRows) +
                        " x " + std::to_string(learned.embeddingCols));
    if (!learned.datasetName.empty() && learned.datasetName != data.name)
        throw DataError(origin + " embeds data set '" + learned.datasetName + "', not '" +
                        data.name + "'");
    if (learned.embeddingRows != data.sampleCount())
        throw DataError(origin + " has " + std::to_string(learned.embeddingRows) +
                        " embedded samples but data set '" + data.name + "' has " +
                        std::to_string(data.sampleCount()));

    const std::vector<std::size_t> fitRows = requireFitRows(data, kCombinedModel);
    nlohmann::ordered_json config;
    config["model"] = kCombinedModel;
    config["base_run"] = learned.name;
    const auto learnedConfig = nlohmann::json::parse(learned.configJson, nullptr, false);
    config["base_model"] = learnedConfig.is_object() && learnedConfig.contains("model") &&
                                   learnedConfig["model"].is_string()
                               ? learnedConfig["model"].get<std::string>()
                               : std::string();
    config["base_dims"] = learned.embeddingCols;
    const Eigen::MatrixXd raw = rawFeatures(data, options, ctx, config, fitRows.size());
    config["constant_features"] = constantFeatures(raw, fitRows, openFieldFeatureNames(options));

    Eigen::MatrixXd z(static_cast<Eigen::Index>(learned.embeddingRows),
                      static_cast<Eigen::Index>(learned.embeddingCols));
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            z(r, c) = learned.embedding[static_cast<std::size_t>(r) * learned.embeddingCols +
                                        static_cast<std::size_t>(c)];
    PcaModel pca;
    const Eigen::MatrixXd combined = combinedEmbedding(z, raw, fitRows, components, &pca);
    config["components"] = components;
    config["columns"] = combined.cols();
    config["explained_variance_ratio"] =
        std::vector<double>(pca.explainedVarianceRatio.data(),
                            pca.explainedVarianceRatio.data() + pca.explainedVarianceRatio.size());

    RunRecord run = baseRecord(data, combined);
    run.configJson = config.dump(2);
    run.seconds = secondsSince(started);
    ctx.report(1.0, "finished", 0.0);
    return run;
}

std::string referenceKind(const RunRecord& run) {
    const auto config = nlohmann::json::parse(run.configJson, nullptr, false);
    if (!config.is_object() || !config.contains("model") || !config["model"].is_string())
        return "";
    const std::string model = config["model"].get<std::string>();
    return model == kManualModel || model == kCombinedModel ? model : "";
}

} // namespace embedscope
