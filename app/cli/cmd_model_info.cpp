// embedscope-cli model-info --model NAME [--set key=value ...] [--input C,T] [--json]
// The layers of a registered model for one input: output shapes and parameter counts (for
// "seed-encoder" and input 3,90000 this is Table A.1 of seed 000).
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/model_info.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace embedscope::cli {
namespace {

struct ModelInfoOptions {
    CommonOptions common;
    std::string model;
    std::vector<std::string> overrides;
    std::string input = "3,90000"; // seed 000 §3.2: (x, y, z) x 90,000 steps
};

/// "C,T" or "T" -> {C, T} / {T}; every entry a positive integer.
std::vector<int64_t> parseInputShape(const std::string& text) {
    std::vector<int64_t> shape;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != part.size() || value < 1)
            throw ConfigError("--input must be C,T with positive integers (e.g. 3,90000), got '" +
                              text + "'");
        shape.push_back(value);
    }
    if (shape.empty() || shape.size() > 3 || (!text.empty() && text.back() == ','))
        throw ConfigError("--input must be T, C,T or (images, generative models) C,H,W with "
                          "positive integers (e.g. 3,90000 or 1,28,28), got '" +
                          text + "'");
    return shape;
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + ")";
}

/// The resolved params as JSON, typed by the registry (ints as integers, bools as booleans).
nlohmann::json paramsJson(const ComponentInfo& info, const TrainConfig& config) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& spec : info.params) {
        if (spec.type == ParamSpec::Type::Choice || spec.type == ParamSpec::Type::IntList) {
            const auto it = config.modelChoices.find(spec.key);
            out[spec.key] = it == config.modelChoices.end() ? spec.defaultChoice : it->second;
            continue;
        }
        const auto it = config.modelParams.find(spec.key);
        const double v = it == config.modelParams.end() ? spec.defaultValue : it->second;
        if (spec.type == ParamSpec::Type::Int)
            out[spec.key] = static_cast<int64_t>(std::llround(v));
        else if (spec.type == ParamSpec::Type::Bool)
            out[spec.key] = v != 0;
        else
            out[spec.key] = v;
    }
    return out;
}

int runModelInfo(const ModelInfoOptions& o) {
    if (o.model.empty())
        throw ConfigError("--model is empty; name a registered model (e.g. seed-encoder)");
    // The training config parser checks the model name and every param (name, type, range).
    std::vector<std::string> overrides = {"model=" + o.model};
    for (const auto& text : o.overrides) {
        const bool nested = text.rfind("model_params.", 0) == 0;
        overrides.push_back(nested ? text : "model_params." + text);
    }
    const TrainConfig config = parseTrainConfig("{}", overrides, "model-info");
    const std::vector<int64_t> input = parseInputShape(o.input);
    const ComponentInfo& info = findModel(config.model);

    const std::vector<LayerShape> layers =
        modelLayerShapes(config.model, config.modelParams, input, config.modelChoices);
    const int64_t total =
        modelParameterCount(config.model, config.modelParams, input, config.modelChoices);

    nlohmann::json jsonLayers = nlohmann::json::array();
    std::size_t nameWidth = 5;
    for (const auto& l : layers) {
        jsonLayers.push_back({{"name", l.name}, {"shape", l.shape}, {"params", l.params}});
        nameWidth = std::max(nameWidth, l.name.size());
    }
    const nlohmann::json params = paramsJson(info, config);
    nlohmann::json result = {{"model", config.model},
                             {"params", params},
                             {"input_shape", input},
                             {"parameter_count", total},
                             {"layers", jsonLayers}};

    std::ostringstream human;
    human << config.model << " " << params.dump() << ", input " << shapeText(input) << "\n";
    human << std::left << std::setw(int(nameWidth) + 2) << "layer" << std::setw(20)
          << "output shape" << std::right << std::setw(12) << "params"
          << "\n";
    for (const auto& l : layers)
        human << std::left << std::setw(int(nameWidth) + 2) << l.name << std::setw(20)
              << shapeText(l.shape) << std::right << std::setw(12) << l.params << "\n";
    human << "total trainable parameters: " << total << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addModelInfoCommand(CLI::App& app) {
    auto options = std::make_shared<ModelInfoOptions>();
    auto* cmd = app.add_subcommand(
        "model-info", "List a model's layers with output shapes and parameter counts for an input");
    cmd->add_option("--model", options->model, "Registered model name, e.g. seed-encoder")
        ->required();
    cmd->add_option("--set", options->overrides,
                    "Model parameter, e.g. --set channels=30 --set batchnorm=true "
                    "(model_params.channels=30 works too)");
    cmd->add_option("--input", options->input,
                    "Input shape of one sample: T, C,T or C,H,W (images)")
        ->capture_default_str();
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("model-info", [&] { return runModelInfo(*options); }));
    });
}

} // namespace embedscope::cli
