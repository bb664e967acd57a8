// The β-VAE family (seed 001 §3.2) and the configurable conv autoencoder (seed 002 §4,
// Table 4.1) behind one interface, with their registry specs.
#include "torch/generative_models.h"

#include "param_specs.h"

#include "embedscope/engine/error.h"
#include "torch/draw_model.h"

#include <cmath>
#include <sstream>

namespace embedscope::torchimpl {
namespace {

namespace nn = torch::nn;

/// Seed 002 Table 4.1: 3-6 layers (fewer allowed for small inputs).
ParamSpec intList(std::string key, std::string label, std::string help, std::string def, double lo,
                  double hi) {
    return specs::intList(std::move(key), std::move(label), std::move(help), std::move(def), lo, hi,
                          6);
}

ParamSpec latentDimParam(double def) {
    return specs::number("latent_dim", ParamSpec::Type::Int, "Latent size",
                         "Dimensions of z (seed 001: 1, 20, 100 on MNIST; 2, 10, 20 on HH)", def, 1,
                         4096);
}

int64_t valuesOf(const GenerativeArgs& a) {
    return a.channels * a.height * a.width;
}

// ---- dense VAEs (seed 001 §3.2.1) ------------------------------------------------------------

/// MLP-VAE (hidden = {500}) and DNN-VAE (hidden = {500, 150}, decoder mirrored).
class DenseVaeImpl : public GenerativeModelImpl {
public:
    DenseVaeImpl(const GenerativeArgs& args, std::vector<int64_t> hidden)
        : c_(args.channels), h_(args.height), w_(args.width), latent_(args.intParam("latent_dim")) {
        int64_t in = valuesOf(args);
        for (std::size_t i = 0; i < hidden.size(); ++i) {
            encoder_->push_back((nn::Linear(in, hidden[i])));
            encoder_->push_back(nn::ReLU());
            in = hidden[i];
        }
        register_module("encoder", encoder_);
        head_ = register_module("head", nn::Linear(in, 2 * latent_));
        int64_t from = latent_;
        for (std::size_t i = hidden.size(); i-- > 0;) {
            decoder_->push_back((nn::Linear(from, hidden[i])));
            decoder_->push_back(nn::ReLU());
            from = hidden[i];
        }
        decoder_->push_back(nn::Linear(from, valuesOf(args)));
        register_module("decoder", decoder_);
    }

    GenerativeOutput forward(const torch::Tensor& x, bool stochastic) override {
        const auto hidden = encoder_->forward(x.flatten(1));
        record("encoder dense", hidden, ownParams(*encoder_));
        const auto stats = head_->forward(hidden);
        record("posterior (mu, log var)", stats, ownParams(*head_));
        GenerativeOutput out;
        out.mu = stats.narrow(1, 0, latent_);
        out.logvar = stats.narrow(1, latent_, latent_);
        out.z = latent(out.mu, out.logvar, stochastic);
        out.logits = decode(out.z);
        record("decoder dense", out.logits, ownParams(*decoder_));
        return out;
    }

    torch::Tensor decode(const torch::Tensor& z) override {
        return decoder_->forward(z).view({z.size(0), c_, h_, w_});
    }

    int64_t latentDim() const override { return latent_; }

private:
    static int64_t ownParams(nn::Module& m) {
        int64_t n = 0;
        for (const auto& p : m.parameters())
            n += p.numel();
        return n;
    }

    int64_t c_, h_, w_, latent_;
    nn::Sequential encoder_, decoder_;
    nn::Linear head_{nullptr};
};

// ---- conv stacks -----------------------------------------------------------------------------

struct ConvLayer {
    int64_t filters = 1;
    int64_t kernel = 3;
    int64_t stride = 2;
};

/// Conv encoder -> dense posterior; dense -> mirrored transposed convs -> crop to (H, W).
/// Kernels are odd with padding k/2, so a layer maps a size n to ceil(n / s) and its transpose
/// maps m back to m·s (output padding s - 1); the decoder overshoots by < s per layer and is
/// cropped. On 1-row signals the kernels and strides act along T only.
class ConvVaeImpl : public GenerativeModelImpl {
public:
    ConvVaeImpl(const GenerativeArgs& args, std::vector<ConvLayer> layers,
                std::vector<int64_t> decoderFilters, int64_t decoderStart, bool lrelu,
                bool batchnorm, int64_t finalKernel)
        : c_(args.channels), h_(args.height), w_(args.width), latent_(args.intParam("latent_dim")),
          lrelu_(lrelu) {
        const bool oneRow = h_ == 1;
        int64_t in = c_, hh = h_, ww = w_;
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto& l = layers[i];
            auto options = nn::Conv2dOptions(in, l.filters, kernel(l.kernel, oneRow))
                               .stride(kernel(l.stride, oneRow))
                               .padding(pad(l.kernel / 2, oneRow));
            encoder_->push_back((nn::Conv2d(options)));
            if (batchnorm)
                encoder_->push_back((nn::BatchNorm2d(l.filters)));
            encoder_->push_back(activation());
            in = l.filters;
            hh = oneRow ? 1 : (hh + l.stride - 1) / l.stride;
            ww = (ww + l.stride - 1) / l.stride;
        }
        register_module("encoder", encoder_);
        head_ = register_module("head", nn::Linear(in * hh * ww, 2 * latent_));
        start_ = {decoderStart, hh, ww};
        dense_ = register_module("dense", nn::Linear(latent_, decoderStart * hh * ww));
        int64_t from = decoderStart;
        for (std::size_t j = 0; j < decoderFilters.size(); ++j) {
            const auto& l = layers[layers.size() - 1 - j];
            auto options =
                nn::ConvTranspose2dOptions(from, decoderFilters[j], kernel(l.kernel, oneRow))
                    .stride(kernel(l.stride, oneRow))
                    .padding(pad(l.kernel / 2, oneRow))
                    .output_padding(pad(l.stride - 1, oneRow));
            decoder_->push_back((nn::ConvTranspose2d(options)));
            if (batchnorm)
                decoder_->push_back((nn::BatchNorm2d(decoderFilters[j])));
            decoder_->push_back(activation());
            from = decoderFilters[j];
        }
        // The last transposed conv maps to the input channels, stride 1, no activation: logits.
        decoder_->push_back(
            nn::ConvTranspose2d(nn::ConvTranspose2dOptions(from, c_, kernel(finalKernel, oneRow))
                                    .padding(pad(finalKernel / 2, oneRow))));
        register_module("decoder", decoder_);
    }

    GenerativeOutput forward(const torch::Tensor& x, bool stochastic) override {
        const auto features = encoder_->forward(x);
        record("encoder convs", features, paramsOf(*encoder_));
        const auto stats = head_->forward(features.flatten(1));
        record("posterior (mu, log var)", stats, paramsOf(*head_));
        GenerativeOutput out;
        out.mu = stats.narrow(1, 0, latent_);
        out.logvar = stats.narrow(1, latent_, latent_);
        out.z = latent(out.mu, out.logvar, stochastic);
        out.logits = decode(out.z);
        record("decoder dense + transposed convs", out.logits,
               paramsOf(*dense_) + paramsOf(*decoder_));
        return out;
    }

    torch::Tensor decode(const torch::Tensor& z) override {
        auto h = dense_->forward(z);
        h = lrelu_ ? torch::leaky_relu(h, 0.01) : torch::relu(h);
        h = decoder_->forward(h.view({z.size(0), start_[0], start_[1], start_[2]}));
        return h.narrow(2, 0, h_).narrow(3, 0, w_);
    }

    int64_t latentDim() const override { return latent_; }

private:
    /// Kernel or stride: (1, k) on a 1-row signal.
    static torch::ExpandingArray<2> kernel(int64_t k, bool oneRow) {
        return torch::ExpandingArray<2>({oneRow ? 1 : k, k});
    }
    /// Padding or output padding: none along the single row of a signal.
    static torch::ExpandingArray<2> pad(int64_t p, bool oneRow) {
        return torch::ExpandingArray<2>({oneRow ? 0 : p, p});
    }
    nn::Functional activation() const {
        if (lrelu_)
            return nn::Functional(
                [](const torch::Tensor& t) { return torch::leaky_relu(t, 0.01); });
        return nn::Functional([](const torch::Tensor& t) { return torch::relu(t); });
    }
    static int64_t paramsOf(nn::Module& m) {
        int64_t n = 0;
        for (const auto& p : m.parameters())
            n += p.numel();
        return n;
    }

    int64_t c_, h_, w_, latent_;
    bool lrelu_ = false;
    std::vector<int64_t> start_;
    nn::Sequential encoder_, decoder_;
    nn::Linear head_{nullptr}, dense_{nullptr};
};

/// Seed 001 §3.2.2 Conv-VAE: conv 32 then 64 (k3, s2) + dense to (μ, log σ²); decoder dense +
/// three transposed convs (64, 32 with stride 2, then the output layer with stride 1), the
/// layout of the TensorFlow convolutional VAE the thesis follows.
std::shared_ptr<GenerativeModelImpl> makeConvVae(const GenerativeArgs& args) {
    return std::make_shared<ConvVaeImpl>(args, std::vector<ConvLayer>{{32, 3, 2}, {64, 3, 2}},
                                         std::vector<int64_t>{64, 32}, 32, false, false, 3);
}

/// Seed 002 Table 4.1: n conv layers with the given kernels, strides, filters, activation and
/// optional batchnorm; the decoder mirrors them (filters reversed) and ends in a stride-1
/// transposed conv of the first kernel size to the input channels.
std::shared_ptr<GenerativeModelImpl> makeConfigurableConv(const GenerativeArgs& args) {
    const auto kernels = args.intList("kernels");
    const auto strides = args.intList("strides");
    const auto filters = args.intList("filters");
    if (kernels.size() != strides.size() || kernels.size() != filters.size())
        throw ConfigError("model 'ae-conv': kernels, strides and filters must have the same "
                          "length (one entry per layer), got " +
                          std::to_string(kernels.size()) + ", " + std::to_string(strides.size()) +
                          " and " + std::to_string(filters.size()));
    std::vector<ConvLayer> layers;
    for (std::size_t i = 0; i < kernels.size(); ++i) {
        if (kernels[i] % 2 == 0)
            throw ConfigError("model 'ae-conv': kernel " + std::to_string(i + 1) + " is " +
                              std::to_string(kernels[i]) +
                              "; kernels must be odd so the decoder mirrors the sizes exactly");
        layers.push_back({filters[i], kernels[i], strides[i]});
    }
    // Mirrored strided layers (last to first), each producing the filters of the layer before
    // it (the first one's own for the outermost); then the stride-1 output layer.
    std::vector<int64_t> decoderFilters;
    for (std::size_t j = layers.size(); j-- > 0;)
        decoderFilters.push_back(filters[j > 0 ? j - 1 : 0]);
    return std::make_shared<ConvVaeImpl>(args, layers, decoderFilters, filters.back(),
                                         args.choice("activation") == "lrelu",
                                         args.param("batchnorm") != 0, kernels.front());
}

struct GenerativeEntry {
    ComponentInfo info;
    std::function<std::shared_ptr<GenerativeModelImpl>(const GenerativeArgs&)> build;
};

const std::vector<GenerativeEntry>& entries() {
    static const std::vector<GenerativeEntry> list = [] {
        std::vector<GenerativeEntry> out;
        const auto add = [&](std::string name, std::string description,
                             std::vector<ParamSpec> params, auto build) {
            GenerativeEntry e;
            e.info.name = std::move(name);
            e.info.kind = "generative";
            e.info.description = std::move(description);
            e.info.params = std::move(params);
            e.build = build;
            out.push_back(std::move(e));
        };
        add("vae-mlp",
            "β-VAE with one dense layer of 500 units each side (seed 001 §3.2.1); ReLU, He init",
            {latentDimParam(20)},
            [](const GenerativeArgs& a) -> std::shared_ptr<GenerativeModelImpl> {
                return std::make_shared<DenseVaeImpl>(a, std::vector<int64_t>{500});
            });
        add("vae-dnn", "β-VAE with dense 500 then 150, decoder mirrored (seed 001 §3.2.1)",
            {latentDimParam(20)},
            [](const GenerativeArgs& a) -> std::shared_ptr<GenerativeModelImpl> {
                return std::make_shared<DenseVaeImpl>(a, std::vector<int64_t>{500, 150});
            });
        add("vae-conv",
            "β-VAE: conv 32, 64 (k3, s2) + dense; decoder dense + three transposed convs "
            "(seed 001 §3.2.2). Images (C, H, W) or signals (C, T)",
            {latentDimParam(20)}, makeConvVae);
        add("ae-conv",
            "Configurable conv autoencoder of seed 002 (Table 4.1): layers, kernels, strides, "
            "filters, relu/lrelu, batchnorm; latent loss KLD, MMD or none from the loss",
            {intList("kernels", "Kernels", "Kernel size per layer, odd (seed best: 11,5,3)",
                     "11,5,3", 1, 63),
             intList("strides", "Strides", "Stride per layer (seed best: 2,2,2)", "2,2,2", 1, 8),
             intList("filters", "Filters", "Filters per layer (seed best: 16,16,8)", "16,16,8", 1,
                     1024),
             specs::choice("activation", "Activation", "relu or leaky relu (slope 0.01)",
                           {"relu", "lrelu"}, "relu"),
             specs::number("batchnorm", ParamSpec::Type::Bool, "BatchNorm",
                           "BatchNorm after every conv, before the activation", 0, 0, 1),
             latentDimParam(3)},
            makeConfigurableConv);
        add("draw",
            "DRAW (seed 002 §2.9.4, Gregor et al. 2015): LSTM encoder/decoder drawing the "
            "canvas in T steps with Gaussian attention of fixed stride δ, no attention or conv "
            "read/write; images only; the embedding is μ of all steps (T x latent_dim)",
            drawParams(), makeDraw);
        return out;
    }();
    return list;
}

} // namespace

double GenerativeArgs::param(const std::string& key) const {
    const auto it = params.find(key);
    if (it == params.end())
        throw ConfigError("generative model: missing param '" + key + "'");
    return it->second;
}

int64_t GenerativeArgs::intParam(const std::string& key) const {
    return std::llround(param(key));
}

std::string GenerativeArgs::choice(const std::string& key) const {
    const auto it = choices.find(key);
    if (it == choices.end())
        throw ConfigError("generative model: missing choice '" + key + "'");
    return it->second;
}

std::vector<int64_t> GenerativeArgs::intList(const std::string& key) const {
    std::vector<int64_t> values;
    std::stringstream in(choice(key));
    std::string part;
    while (std::getline(in, part, ','))
        values.push_back(std::stoll(part));
    return values;
}

void GenerativeModelImpl::record(const std::string& name, const torch::Tensor& output,
                                 int64_t params) {
    if (!trace_)
        return;
    LayerShape layer;
    layer.name = name;
    for (int64_t i = 1; i < output.dim(); ++i)
        layer.shape.push_back(output.size(i));
    layer.params = params;
    trace_->push_back(std::move(layer));
}

torch::Tensor GenerativeModelImpl::latent(const torch::Tensor& mu, const torch::Tensor& logvar,
                                          bool stochastic) {
    if (!stochastic)
        return mu;
    return mu + torch::exp(0.5 * logvar) * torch::randn_like(mu);
}

void heInitialise(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& m : module.modules(/*include_self=*/true)) {
        const bool weighted = m->as<nn::Linear>() || m->as<nn::Conv2d>() ||
                              m->as<nn::ConvTranspose2d>() || m->as<nn::Conv1d>();
        if (!weighted)
            continue;
        for (auto& p : m->named_parameters(/*recurse=*/false)) {
            if (p.key() == "weight")
                // ConvTranspose weights are (in, out, k...): fan_in of the forward map is then
                // the "fan_out" torch computes; He uses the inputs each output unit sees.
                if (m->as<nn::ConvTranspose2d>())
                    nn::init::kaiming_normal_(p.value(), 0.0, torch::kFanOut, torch::kReLU);
                else
                    nn::init::kaiming_normal_(p.value(), 0.0, torch::kFanIn, torch::kReLU);
            else if (p.key() == "bias")
                p.value().zero_();
        }
    }
}

std::shared_ptr<GenerativeModelImpl> buildGenerativeModel(const std::string& name,
                                                          GenerativeArgs args) {
    for (const auto& e : entries()) {
        if (e.info.name != name)
            continue;
        for (const auto& spec : e.info.params) {
            if (spec.type == ParamSpec::Type::Choice || spec.type == ParamSpec::Type::IntList)
                args.choices.emplace(spec.key, spec.defaultChoice);
            else
                args.params.emplace(spec.key, spec.defaultValue);
        }
        if (args.channels < 1 || args.height < 1 || args.width < 1)
            throw DataError("model '" + name + "': the sample shape must be positive");
        auto model = e.build(args);
        heInitialise(*model);
        return model;
    }
    throw ConfigError("unknown generative model '" + name + "'");
}

std::vector<ComponentInfo> generativeModelInfos() {
    std::vector<ComponentInfo> out;
    for (const auto& e : entries())
        out.push_back(e.info);
    return out;
}

const ComponentInfo* findGenerativeModel(const std::string& name) {
    for (const auto& e : entries())
        if (e.info.name == name)
            return &e.info;
    return nullptr;
}

} // namespace embedscope::torchimpl
