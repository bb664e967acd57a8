#pragma once
// What a registered model looks like for a given input: its layers, their output shapes and
// parameter counts (Table A.1 of seed 000 for "seed-encoder"). No torch types here.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace embedscope {

/// One layer of a model: its output shape for one sample (no batch dimension, e.g. (6, 45000))
/// and its own trainable parameters (0 for pools, pads and activations).
struct LayerShape {
    std::string name;
    std::vector<int64_t> shape;
    int64_t params = 0;
};

/// Runs one all-zero sample of `inputShape` ((C, T) or (T)) through model `model` (params not
/// given take their registry defaults) and lists its layers in forward order, the projection
/// head (when there is one) last. The parameters of all layers add up to modelParameterCount.
/// Throws ConfigError for an unknown model, DataError when the input does not suit it.
/// Generative models also take (C, H, W) and their choices / int lists in `choices`.
std::vector<LayerShape> modelLayerShapes(const std::string& model,
                                         const std::map<std::string, double>& params,
                                         const std::vector<int64_t>& inputShape,
                                         const std::map<std::string, std::string>& choices = {});

} // namespace embedscope
