// Model registry: the specs the GUI and the config parser read, and the torch modules behind
// them. Adding a model = one ModelEntry (spec + builder) in modelEntries().
#include "torch/models.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <cmath>
#include <functional>
#include <sstream>

namespace embedscope {
namespace torchimpl {
namespace {

using Builder = std::function<std::shared_ptr<EncoderImpl>(const ModelArgs&)>;

struct ModelEntry {
    ComponentInfo info;
    Builder build;
};

ParamSpec intParam(std::string key, std::string label, std::string help, double def, double lo,
                   double hi) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamSpec::Type::Int;
    p.label = std::move(label);
    p.help = std::move(help);
    p.defaultValue = def;
    p.minValue = lo;
    p.maxValue = hi;
    return p;
}

// ---- conv1d-small -------------------------------------------------------------------------

/// A small, fast 1-D conv encoder for (C, T) input with any T >= 64. Three non-overlapping
/// Conv1d(k4, s4) blocks cut T by 64 first (T = 90,000 -> 1,406), so long recordings stay cheap
/// on CPU; two Conv1d(k3, s2, p1) blocks follow; a global average pool makes it length-free.
class Conv1dSmallImpl : public EncoderImpl {
public:
    static constexpr int64_t kMinLength = 64;

    explicit Conv1dSmallImpl(const ModelArgs& args) {
        const int64_t c = args.intParam("channels");
        const int64_t widths[] = {std::max<int64_t>(4, c / 4), std::max<int64_t>(4, c / 2), c, c,
                                  c};
        embeddingDim_ = args.intParam("embedding_dim");
        if (args.length < kMinLength)
            throw DataError("model 'conv1d-small' needs at least " + std::to_string(kMinLength) +
                            " time steps per sample, got " + std::to_string(args.length));
        int64_t in = args.inChannels;
        for (int i = 0; i < 5; ++i) {
            const bool stem = i < 3;
            auto options = torch::nn::Conv1dOptions(in, widths[i], stem ? 4 : 3)
                               .stride(stem ? 4 : 2)
                               .padding(stem ? 0 : 1);
            blocks_->push_back(torch::nn::Conv1d(options));
            blocks_->push_back(torch::nn::ReLU());
            in = widths[i];
        }
        register_module("blocks", blocks_);
        out_ = register_module("out", torch::nn::Linear(c, embeddingDim_));
    }

    torch::Tensor forward(const torch::Tensor& x) override {
        auto h = blocks_->forward(x);
        h = h.mean(-1); // global average pool over time: (B, C)
        return out_->forward(h);
    }
    int64_t outputDim() const override { return embeddingDim_; }

private:
    torch::nn::Sequential blocks_;
    torch::nn::Linear out_{nullptr};
    int64_t embeddingDim_ = 0;
};

const std::vector<ModelEntry>& modelEntries() {
    static const std::vector<ModelEntry> entries = [] {
        std::vector<ModelEntry> list;
        ModelEntry small;
        small.info.name = "conv1d-small";
        small.info.description =
            "Small 1-D conv encoder: 3 strided Conv1d(k4,s4) + 2 Conv1d(k3,s2) blocks with "
            "ReLU, global average pool, linear output. Any length T >= 64; fast on CPU.";
        small.info.params = {
            intParam("channels", "Channels", "Width of the last conv blocks (C)", 32, 4, 512),
            intParam("embedding_dim", "Embedding size", "Size of the embedding z", 8, 1, 1024),
            intParam("projection_dim", "Projection size",
                     "Output of the projection head h(z) = W2 ReLU(W1 z) the loss sees; "
                     "0 = no head (SPEC S0)",
                     0, 0, 1024),
        };
        small.build = [](const ModelArgs& args) -> std::shared_ptr<EncoderImpl> {
            return std::make_shared<Conv1dSmallImpl>(args);
        };
        list.push_back(std::move(small));
        return list;
    }();
    return entries;
}

const ModelEntry& findEntry(const std::string& name) {
    for (const auto& e : modelEntries())
        if (e.info.name == name)
            return e;
    std::string known;
    for (const auto& e : modelEntries())
        known += (known.empty() ? "" : ", ") + e.info.name;
    throw ConfigError("unknown model '" + name + "' (known: " + known + ")");
}

} // namespace

double ModelArgs::param(const std::string& key) const {
    const auto it = params.find(key);
    if (it == params.end())
        throw ConfigError("model parameter '" + key + "' is missing");
    return it->second;
}

int64_t ModelArgs::intParam(const std::string& key) const {
    return static_cast<int64_t>(std::llround(param(key)));
}

ContrastiveModelImpl::ContrastiveModelImpl(std::shared_ptr<EncoderImpl> encoder,
                                           int64_t projectionDim)
    : encoder_(register_module<EncoderImpl>("encoder", std::move(encoder))) {
    if (projectionDim > 0) {
        // SPEC S0: hidden width ceil((O_enc + O_proj) / 2).
        const int64_t enc = encoder_->outputDim();
        const int64_t hidden = (enc + projectionDim + 1) / 2;
        head_ = register_module(
            "head", torch::nn::Sequential(torch::nn::Linear(enc, hidden), torch::nn::ReLU(),
                                          torch::nn::Linear(hidden, projectionDim)));
    }
}

torch::Tensor ContrastiveModelImpl::embed(const torch::Tensor& x) {
    return encoder_->forward(x);
}

torch::Tensor ContrastiveModelImpl::project(const torch::Tensor& z) {
    return head_ ? head_->forward(z) : z;
}

std::shared_ptr<ContrastiveModelImpl> buildModel(const std::string& name, ModelArgs args) {
    const ModelEntry& entry = findEntry(name);
    for (const auto& spec : entry.info.params) {
        if (spec.type == ParamSpec::Type::Choice)
            args.choices.emplace(spec.key, spec.defaultChoice);
        else
            args.params.emplace(spec.key, spec.defaultValue);
    }
    auto encoder = entry.build(args);
    const auto it = args.params.find("projection_dim");
    const int64_t projection = it == args.params.end() ? 0 : std::llround(it->second);
    return std::make_shared<ContrastiveModelImpl>(std::move(encoder), projection);
}

int64_t parameterCount(torch::nn::Module& module) {
    int64_t total = 0;
    for (const auto& p : module.parameters())
        if (p.requires_grad())
            total += p.numel();
    return total;
}

} // namespace torchimpl

std::vector<ComponentInfo> modelRegistry() {
    std::vector<ComponentInfo> infos;
    for (const auto& e : torchimpl::modelEntries())
        infos.push_back(e.info);
    return infos;
}

const ComponentInfo& findModel(const std::string& name) {
    return torchimpl::findEntry(name).info;
}

int64_t modelParameterCount(const std::string& model, const std::map<std::string, double>& params,
                            const std::vector<int64_t>& inputShape) {
    torchimpl::ModelArgs args;
    args.params = params;
    if (inputShape.size() == 1) {
        args.length = inputShape[0];
    } else if (inputShape.size() == 2) {
        args.inChannels = inputShape[0];
        args.length = inputShape[1];
    } else {
        throw DataError("model input shape must be (C, T) or (T), got " +
                        std::to_string(inputShape.size()) + " dimensions");
    }
    auto net = torchimpl::buildModel(model, std::move(args));
    return torchimpl::parameterCount(*net);
}

} // namespace embedscope
