#pragma once
// Private: encoder modules, the projection head and the factory that builds a model by name.
// Torch types are allowed here; this header is included only by engine/src/torch/*.cpp.
#include "embedscope/engine/model_info.h"

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace embedscope::torchimpl {

/// What a model builder gets: resolved hyperparameters (registry defaults filled in) and the
/// input shape (C, T) of one sample.
struct ModelArgs {
    std::map<std::string, double> params;
    std::map<std::string, std::string> choices;
    int64_t inChannels = 1;
    int64_t length = 1;

    /// The value of `key`; throws ConfigError when it is missing (a bug in the caller).
    double param(const std::string& key) const;
    int64_t intParam(const std::string& key) const;
};

/// Base of every encoder: maps a batch (B, C, T) to embeddings (B, E).
class EncoderImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    /// E, the embedding size this encoder produces.
    virtual int64_t outputDim() const = 0;

    /// While set, forward() appends one entry per layer (model-info, Table A.1).
    void setTrace(std::vector<LayerShape>* trace) { trace_ = trace; }

protected:
    /// Records `output` (batch dimension dropped) under `name` when tracing.
    void record(const std::string& name, const torch::Tensor& output, int64_t params = 0);
    static int64_t ownParameters(torch::nn::Module& module);

private:
    std::vector<LayerShape>* trace_ = nullptr;
};

/// Encoder plus optional projection head. SPEC S0: "loss on h(z), evaluation on z".
class ContrastiveModelImpl : public torch::nn::Module {
public:
    /// projectionDim 0: no head, the loss sees z itself.
    ContrastiveModelImpl(std::shared_ptr<EncoderImpl> encoder, int64_t projectionDim);

    /// z: the embedding that is saved and shown.
    torch::Tensor embed(const torch::Tensor& x);
    /// h(z) = W2 ReLU(W1 z) when there is a head, else z.
    torch::Tensor project(const torch::Tensor& z);
    /// The layers of encoder and head for input x (B, C, T), shapes without the batch.
    std::vector<LayerShape> layerShapes(const torch::Tensor& x);

private:
    std::shared_ptr<EncoderImpl> encoder_;
    torch::nn::Sequential head_{nullptr};
};

/// Builds the model registered as `name`. Missing params take their registry defaults.
/// Throws ConfigError for an unknown name, DataError when the input shape does not suit it.
std::shared_ptr<ContrastiveModelImpl> buildModel(const std::string& name, ModelArgs args);

/// Total trainable parameters.
int64_t parameterCount(torch::nn::Module& module);

} // namespace embedscope::torchimpl
