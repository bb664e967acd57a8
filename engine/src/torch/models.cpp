// Model registry: the specs the GUI and the config parser read, and the torch modules behind
// them. Adding a model = one ModelEntry (spec + builder) in modelEntries().
#include "torch/models.h"

#include "torch/cell_model.h"
#include "torch/generative_models.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <algorithm>
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

ParamSpec boolParam(std::string key, std::string label, std::string help, bool def) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamSpec::Type::Bool;
    p.label = std::move(label);
    p.help = std::move(help);
    p.defaultValue = def ? 1 : 0;
    p.minValue = 0;
    p.maxValue = 1;
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
        torch::Tensor h = x;
        int conv = 0;
        int64_t convParams = 0;
        for (auto& layer : *blocks_) {
            h = layer.forward(h);
            if (layer.ptr()->as<torch::nn::Conv1dImpl>())
                convParams = ownParameters(*layer.ptr());
            else // the ReLU closing a conv block
                record("conv" + std::to_string(++conv), h, convParams);
        }
        h = h.mean(-1); // global average pool over time: (B, C)
        record("global_pool", h);
        h = out_->forward(h);
        record("linear", h, ownParameters(*out_));
        return h;
    }
    int64_t outputDim() const override { return embeddingDim_; }

private:
    torch::nn::Sequential blocks_;
    torch::nn::Linear out_{nullptr};
    int64_t embeddingDim_ = 0;
};

// ---- seed-encoder (seed 000 §3.2, Tables A.1 / A.2) ----------------------------------------

/// Channel schedule of seed §3.2 / Table A.1: 6, 12, 18, 30, 48, 75, 120, 192 as printed,
/// then x1.6 rounded (307, 491, 786, ...: "increases exponentially up to a fixed limit"),
/// each capped at C.
std::vector<int64_t> seedChannelSchedule(int64_t cap, int blocks) {
    std::vector<int64_t> raw = {6, 12, 18, 30, 48, 75, 120, 192};
    while (static_cast<int>(raw.size()) < blocks)
        raw.push_back(std::llround(double(raw.back()) * 1.6));
    raw.resize(static_cast<std::size_t>(blocks));
    for (auto& c : raw)
        c = std::min(c, cap);
    return raw;
}

/// One residual block (seed §3.2, fig 3.1, Table A.2):
///   main     = StridedConv1d(k2, s2, p0) -> [BatchNorm] -> ReLU -> Conv1d(k3, s1, p1)
///              -> [BatchNorm]
///   residual = AvgPool1d(k2, s2), then zero channels appended when the block widens
///   out      = ReLU(main + residual)
/// BatchNorm (seed §2.4.4, §4.2) is optional and sits after every conv, before activation.
struct SeedBlockImpl : torch::nn::Module {
    SeedBlockImpl(int64_t inChannels, int64_t outChannels, bool batchnorm)
        : in(inChannels), out(outChannels) {
        strided = register_module(
            "strided", torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 2).stride(2)));
        if (batchnorm)
            bn1 = register_module("bn1", torch::nn::BatchNorm1d(out));
        conv = register_module(
            "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(out, out, 3).stride(1).padding(1)));
        if (batchnorm)
            bn2 = register_module("bn2", torch::nn::BatchNorm1d(out));
        pool =
            register_module("pool", torch::nn::AvgPool1d(torch::nn::AvgPool1dOptions(2).stride(2)));
    }

    int64_t in;
    int64_t out;
    torch::nn::Conv1d strided{nullptr};
    torch::nn::BatchNorm1d bn1{nullptr};
    torch::nn::Conv1d conv{nullptr};
    torch::nn::BatchNorm1d bn2{nullptr};
    torch::nn::AvgPool1d pool{nullptr};
};
TORCH_MODULE(SeedBlock);

/// The encoder of seed 000 (§3.2, Tables A.1 / A.2): 15 residual blocks halve T and widen the
/// channels up to C; the time axis is zero-padded by one on the right after any block (but the
/// last) whose output length is odd, so the next block halves an even length (T = 90,000:
/// after blocks 4, 5, 6 and 13: 5625 -> 5626, 2813 -> 2814, 1407 -> 1408, 11 -> 12). An odd
/// input T is padded the same way before block 1 (never the case for the seed's 90,000).
/// Block 15 leaves (C, 3) for T = 90,000 and the seed's FinalPool, AvgPool1d(k3, s1), makes
/// (C, 1). For other T the length left may differ from 3: then an adaptive average pool to 1
/// (the mean over time) takes its place. Flattened to C: the embedding z.
/// Shortest input: blocks 1-14 leave ceil(T / 2^14) steps for block 15, whose strided conv (k2)
/// needs two; at T <= 2^14 one of them would be nothing but the zero pad, so T >= 16,385.
class SeedEncoderImpl : public EncoderImpl {
public:
    static constexpr int kBlocks = 15;
    static constexpr int64_t kMinLength = (int64_t(1) << (kBlocks - 1)) + 1;

    explicit SeedEncoderImpl(const ModelArgs& args) : channels_(args.intParam("channels")) {
        if (args.length < kMinLength)
            throw DataError("model 'seed-encoder' needs at least " + std::to_string(kMinLength) +
                            " time steps per sample (15 blocks halve the length; the seed's "
                            "input is 90000, section 3.2), got " +
                            std::to_string(args.length) +
                            "; use a longer recording or model 'conv1d-small'");
        const bool batchnorm = args.intParam("batchnorm") != 0;
        const auto widths = seedChannelSchedule(channels_, kBlocks);
        int64_t in = args.inChannels;
        for (int b = 0; b < kBlocks; ++b) {
            const int64_t out = widths[static_cast<std::size_t>(b)];
            if (out < in)
                throw DataError("model 'seed-encoder': block " + std::to_string(b + 1) +
                                " would narrow " + std::to_string(in) + " channels to " +
                                std::to_string(out) + " (channels = " + std::to_string(channels_) +
                                "); its zero-channel shortcut only widens (seed §3.2), so "
                                "'channels' must be at least the input's channel count");
            blocks_.push_back(
                register_module("block" + std::to_string(b + 1), SeedBlock(in, out, batchnorm)));
            in = out;
        }
    }

    torch::Tensor forward(const torch::Tensor& x) override {
        torch::Tensor h = x;
        if (h.size(-1) % 2 != 0) {
            h = torch::constant_pad_nd(h, {0, 1}, 0);
            record("input.zero_pad", h);
        }
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
            SeedBlockImpl& block = *blocks_[b];
            const std::string name = "block" + std::to_string(b + 1) + ".";
            torch::Tensor main = block.strided->forward(h);
            record(name + "strided_conv", main, ownParameters(*block.strided));
            if (!block.bn1.is_empty()) {
                main = block.bn1->forward(main);
                record(name + "batchnorm1", main, ownParameters(*block.bn1));
            }
            main = block.conv->forward(torch::relu(main));
            record(name + "conv", main, ownParameters(*block.conv));
            if (!block.bn2.is_empty()) {
                main = block.bn2->forward(main);
                record(name + "batchnorm2", main, ownParameters(*block.bn2));
            }
            torch::Tensor residual = block.pool->forward(h);
            record(name + "residual_pool", residual);
            if (block.out > block.in) {
                residual = torch::constant_pad_nd(residual, {0, 0, 0, block.out - block.in}, 0);
                record(name + "add_zeros", residual);
            }
            h = torch::relu(main + residual);
            if (b + 1 < blocks_.size() && h.size(-1) % 2 != 0) {
                h = torch::constant_pad_nd(h, {0, 1}, 0);
                record(name + "zero_pad", h);
            }
        }
        // Seed Table A.2 FinalPool (k3, s1) on the (C, 3) of T = 90,000; otherwise the mean.
        const bool seedPool = h.size(-1) == 3;
        h = seedPool ? torch::avg_pool1d(h, {3}, {1}) : torch::adaptive_avg_pool1d(h, {1});
        record(seedPool ? "final_pool" : "final_adaptive_pool", h);
        h = h.flatten(1);
        record("flatten", h);
        return h;
    }
    int64_t outputDim() const override { return channels_; }

private:
    int64_t channels_ = 0;
    std::vector<SeedBlock> blocks_;
};

const std::vector<ModelEntry>& modelEntries() {
    static const std::vector<ModelEntry> entries = [] {
        std::vector<ModelEntry> list;
        ModelEntry small;
        small.info.name = "conv1d-small";
        small.info.kind = "encoder";
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

        ModelEntry seedEncoder;
        seedEncoder.info.name = "seed-encoder";
        seedEncoder.info.kind = "encoder";
        seedEncoder.info.description =
            "The residual 1-D CNN of seed 000 (section 3.2, Tables A.1/A.2): 15 blocks of "
            "StridedConv1d(k2,s2) -> ReLU -> Conv1d(k3,p1) + AvgPool shortcut, channels 6, 12, "
            "18, 30, 48, 75, ... capped at C, final average pool; z has C values. Built for "
            "(3, 90000); slow on CPU.";
        seedEncoder.info.params = {
            intParam("channels", "Channels (C)",
                     "Channel cap and embedding size C (seed base model: 100)", 100, 3, 2048),
            boolParam("batchnorm", "BatchNorm",
                      "BatchNorm after every conv, before the activation (seed section 2.4.4)",
                      false),
            intParam("projection_dim", "Projection size",
                     "Output of the projection head h(z) = W2 ReLU(W1 z), hidden "
                     "ceil((C + size) / 2); the loss sees h(z), the embedding is z; 0 = no head "
                     "(seed section 2.6.1 / 4.2.2)",
                     0, 0, 4096),
        };
        seedEncoder.build = [](const ModelArgs& args) -> std::shared_ptr<EncoderImpl> {
            return std::make_shared<SeedEncoderImpl>(args);
        };
        list.push_back(std::move(seedEncoder));
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

void EncoderImpl::record(const std::string& name, const torch::Tensor& output, int64_t params) {
    if (!trace_)
        return;
    LayerShape layer;
    layer.name = name;
    for (int64_t i = 1; i < output.dim(); ++i)
        layer.shape.push_back(output.size(i));
    layer.params = params;
    trace_->push_back(std::move(layer));
}

int64_t EncoderImpl::ownParameters(torch::nn::Module& module) {
    return parameterCount(module);
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

std::vector<LayerShape> ContrastiveModelImpl::layerShapes(const torch::Tensor& x) {
    std::vector<LayerShape> layers;
    encoder_->setTrace(&layers);
    torch::Tensor h;
    try {
        h = encoder_->forward(x);
    } catch (...) {
        encoder_->setTrace(nullptr);
        throw;
    }
    encoder_->setTrace(nullptr);
    if (head_) {
        int linear = 0;
        for (auto& layer : *head_) {
            h = layer.forward(h);
            const bool isLinear = layer.ptr()->as<torch::nn::LinearImpl>() != nullptr;
            LayerShape shape;
            shape.name = isLinear ? "head.linear" + std::to_string(++linear) : "head.relu";
            for (int64_t i = 1; i < h.dim(); ++i)
                shape.shape.push_back(h.size(i));
            shape.params = parameterCount(*layer.ptr());
            layers.push_back(std::move(shape));
        }
    }
    return layers;
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
    for (auto& info : torchimpl::generativeModelInfos())
        infos.push_back(std::move(info));
    for (auto& info : torchimpl::cellModelInfos())
        infos.push_back(std::move(info));
    return infos;
}

const ComponentInfo& findModel(const std::string& name) {
    if (const ComponentInfo* generative = torchimpl::findGenerativeModel(name))
        return *generative;
    if (const ComponentInfo* cell = torchimpl::findCellModel(name))
        return *cell;
    try {
        return torchimpl::findEntry(name).info;
    } catch (const ConfigError&) {
        std::string known;
        for (const auto& info : modelRegistry())
            known += (known.empty() ? "" : ", ") + info.name;
        throw ConfigError("unknown model '" + name + "' (known: " + known + ")");
    }
}

bool isGenerativeModel(const std::string& model) {
    return torchimpl::findGenerativeModel(model) != nullptr;
}

namespace {

torchimpl::ModelArgs modelArgs(const std::map<std::string, double>& params,
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
    if (args.inChannels < 1 || args.length < 1)
        throw DataError("model input shape must be positive, got (" +
                        std::to_string(args.inChannels) + ", " + std::to_string(args.length) + ")");
    return args;
}

} // namespace

/// A generative model for a sample shape (T), (C, T) or (C, H, W).
std::shared_ptr<torchimpl::GenerativeModelImpl>
generativeModel(const std::string& model, const std::map<std::string, double>& params,
                const std::map<std::string, std::string>& choices,
                const std::vector<int64_t>& inputShape) {
    torchimpl::GenerativeArgs args;
    args.params = params;
    args.choices = choices;
    if (inputShape.empty() || inputShape.size() > 3)
        throw DataError("model input shape must be (T), (C, T) or (C, H, W), got " +
                        std::to_string(inputShape.size()) + " dimensions");
    args.width = inputShape.back();
    if (inputShape.size() == 3)
        args.height = inputShape[1];
    if (inputShape.size() >= 2)
        args.channels = inputShape[0];
    return torchimpl::buildGenerativeModel(model, std::move(args));
}

int64_t modelParameterCount(const std::string& model, const std::map<std::string, double>& params,
                            const std::vector<int64_t>& inputShape,
                            const std::map<std::string, std::string>& choices) {
    if (isGenerativeModel(model)) {
        auto net = generativeModel(model, params, choices, inputShape);
        return torchimpl::parameterCount(*net);
    }
    if (isCellCnnModel(model)) {
        torchimpl::CellCnn net(torchimpl::cellCnnArgs(params, inputShape));
        return torchimpl::parameterCount(*net);
    }
    auto net = torchimpl::buildModel(model, modelArgs(params, inputShape));
    return torchimpl::parameterCount(*net);
}

std::vector<LayerShape> modelLayerShapes(const std::string& model,
                                         const std::map<std::string, double>& params,
                                         const std::vector<int64_t>& inputShape,
                                         const std::map<std::string, std::string>& choices) {
    if (isGenerativeModel(model)) {
        auto net = generativeModel(model, params, choices, inputShape);
        net->eval();
        torch::NoGradGuard noGrad;
        std::vector<int64_t> shape = inputShape;
        if (shape.size() == 1)
            shape.insert(shape.begin(), 1);
        if (shape.size() == 2)
            shape.insert(shape.begin() + 1, 1);
        shape.insert(shape.begin(), 1);
        std::vector<LayerShape> trace;
        net->setTrace(&trace);
        net->forward(torch::zeros(shape, torch::kFloat32), false);
        net->setTrace(nullptr);
        return trace;
    }
    if (isCellCnnModel(model))
        return torchimpl::CellCnn(torchimpl::cellCnnArgs(params, inputShape))->layerShapes();
    const torchimpl::ModelArgs args = modelArgs(params, inputShape);
    auto net = torchimpl::buildModel(model, args);
    net->eval();
    torch::NoGradGuard noGrad;
    const auto x = torch::zeros({1, args.inChannels, args.length}, torch::kFloat32);
    return net->layerShapes(x);
}

} // namespace embedscope
