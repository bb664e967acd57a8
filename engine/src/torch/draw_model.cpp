// DRAW (seed 002 §2.9.4, Gregor et al. 2015): an LSTM encoder / decoder pair that builds the
// canvas over T steps (eqs 2.70-2.75), reading with Gaussian attention of a FIXED stride δ
// (the seed fixes δ "to make samples comparable between time steps", §2.9.4 and Table 4.2),
// without attention, or with the seed's convolutional read / write.
#include "torch/draw_model.h"

#include "param_specs.h"

#include "embedscope/engine/draw.h"
#include "embedscope/engine/error.h"
#include "torch/generative_common.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace embedscope::torchimpl {
namespace {

namespace nn = torch::nn;

torch::Tensor relu(const torch::Tensor& t) {
    return torch::relu(t);
}

int64_t paramsOf(nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

/// The stride that makes an N-filter grid centred on the image span it (μ_1 = 1, μ_N = size).
double spanningDelta(int64_t n, int64_t height, int64_t width) {
    return n > 1 ? double(std::max(height, width) - 1) / double(n - 1) : 1.0;
}

/// Attention of one step (eqs 2.78-2.80): filterbanks (B, N, W), (B, N, H) and γ (B).
struct Attention {
    torch::Tensor fx, fy, gamma;
};

class DrawImpl : public GenerativeModelImpl {
public:
    explicit DrawImpl(const GenerativeArgs& a)
        : c_(a.channels), h_(a.height), w_(a.width), hidden_(a.intParam("hidden")),
          steps_(a.intParam("steps")), z_(a.intParam("latent_dim")), mode_(a.choice("attention")),
          readN_(a.intParam("read_size")), writeN_(a.intParam("write_size")) {
        if (h_ == 1)
            throw DataError("model 'draw' needs images (C, H, W); this data is a signal of " +
                            std::to_string(c_) + " x " + std::to_string(w_) +
                            " values (DRAW reads 2-D glimpses, seed 002 §2.9.4) — use vae-conv "
                            "or ae-conv for signals");
        const double delta = a.param("delta");
        readDelta_ = delta > 0 ? delta : spanningDelta(readN_, h_, w_);
        writeDelta_ = delta > 0 ? delta : spanningDelta(writeN_, h_, w_);

        int64_t readFeatures = 0;
        if (mode_ == "gaussian") {
            readHead_ = register_module("read_head", nn::Linear(hidden_, 4));
            readFeatures = 2 * c_ * readN_ * readN_;
            writeHead_ = register_module("write_head", nn::Linear(hidden_, 4));
            writePatch_ =
                register_module("write_patch", nn::Linear(hidden_, c_ * writeN_ * writeN_));
        } else if (mode_ == "none") {
            readFeatures = 2 * c_ * h_ * w_;
            writePatch_ = register_module("write_patch", nn::Linear(hidden_, c_ * h_ * w_));
        } else if (mode_ == "conv") { // two stride-2 convs read [x, x̂]; the write mirrors them
            gridH_ = (((h_ + 1) / 2) + 1) / 2;
            gridW_ = (((w_ + 1) / 2) + 1) / 2;
            readConv_->push_back(
                nn::Conv2d(nn::Conv2dOptions(2 * c_, kConv1, 3).stride(2).padding(1)));
            readConv_->push_back(nn::Functional(relu));
            readConv_->push_back(
                nn::Conv2d(nn::Conv2dOptions(kConv1, kConv2, 3).stride(2).padding(1)));
            readConv_->push_back(nn::Functional(relu));
            register_module("read_conv", readConv_);
            readFeatures = kConv2 * gridH_ * gridW_;
            writePatch_ =
                register_module("write_dense", nn::Linear(hidden_, kConv2 * gridH_ * gridW_));
            writeConv_->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(kConv2, kConv1, 3)
                                                          .stride(2)
                                                          .padding(1)
                                                          .output_padding(1)));
            writeConv_->push_back(nn::Functional(relu));
            writeConv_->push_back(nn::ConvTranspose2d(
                nn::ConvTranspose2dOptions(kConv1, c_, 3).stride(2).padding(1).output_padding(1)));
            register_module("write_conv", writeConv_);
        } else {
            throw ConfigError("model 'draw': unknown attention '" + mode_ +
                              "' (known: gaussian, none, conv)");
        }
        encoder_ = register_module(
            "encoder", nn::LSTMCell(nn::LSTMCellOptions(readFeatures + hidden_, hidden_)));
        posterior_ = register_module("posterior", nn::Linear(hidden_, 2 * z_));
        decoder_ = register_module("decoder", nn::LSTMCell(nn::LSTMCellOptions(z_, hidden_)));
    }

    GenerativeOutput forward(const torch::Tensor& x, bool stochastic) override {
        const int64_t b = x.size(0);
        auto hEnc = x.new_zeros({b, hidden_});
        auto cEnc = hEnc, hDec = hEnc, cDec = hEnc;
        auto canvas = x.new_zeros({b, c_, h_, w_});
        std::vector<torch::Tensor> mus, logvars, zs;
        GenerativeOutput out;
        for (int64_t t = 0; t < steps_; ++t) {
            const auto error = x - torch::sigmoid(canvas); // eq 2.70
            const auto r = read(x, error, hDec);           // eq 2.71
            std::tie(hEnc, cEnc) =
                encoder_->forward(torch::cat({r, hDec}, 1), std::make_tuple(hEnc, cEnc)); // eq 2.72
            const auto stats = posterior_->forward(hEnc);
            mus.push_back(stats.narrow(1, 0, z_));
            logvars.push_back(stats.narrow(1, z_, z_));
            zs.push_back(latent(mus.back(), logvars.back(), stochastic)); // eq 2.73
            std::tie(hDec, cDec) = decoder_->forward(zs.back(), std::make_tuple(hDec, cDec));
            canvas = canvas + write(hDec); // eqs 2.74-2.75
            out.stepLogits.push_back(canvas);
            if (t == 0) {
                record("read [x, x̂] (" + mode_ + ", per step)", r,
                       readHead_ ? paramsOf(*readHead_) : paramsOf(*readConv_));
                record("encoder LSTMCell (per step)", hEnc, paramsOf(*encoder_));
            }
        }
        // All steps side by side: the summed KLD of the ELBO is then Σ_t KL_t of DRAW.
        out.mu = torch::cat(mus, 1);
        out.logvar = torch::cat(logvars, 1);
        out.z = torch::cat(zs, 1);
        out.logits = canvas;
        record("posterior (mu, log var) of " + std::to_string(steps_) + " steps",
               torch::cat({out.mu, out.logvar}, 1), paramsOf(*posterior_));
        record("decoder LSTMCell (per step)", hDec, paramsOf(*decoder_));
        record("write (" + mode_ + ") -> canvas c_T", canvas,
               paramsOf(*writePatch_) + (writeHead_ ? paramsOf(*writeHead_) : 0) +
                   paramsOf(*writeConv_));
        return out;
    }

    /// The decoder alone over the T slices of z (B, T·z): c_T.
    torch::Tensor decode(const torch::Tensor& z) override {
        if (z.dim() != 2 || z.size(1) != latentDim())
            throw DataError("model 'draw': decode expects latents of " +
                            std::to_string(latentDim()) + " values (" + std::to_string(steps_) +
                            " steps x " + std::to_string(z_) + ")");
        const int64_t b = z.size(0);
        auto hDec = z.new_zeros({b, hidden_});
        auto cDec = hDec;
        auto canvas = z.new_zeros({b, c_, h_, w_});
        for (int64_t t = 0; t < steps_; ++t) {
            std::tie(hDec, cDec) =
                decoder_->forward(z.narrow(1, t * z_, z_), std::make_tuple(hDec, cDec));
            canvas = canvas + write(hDec);
        }
        return canvas;
    }

    /// μ of all T steps (the embedding of a run): T · latent_dim.
    int64_t latentDim() const override { return steps_ * z_; }

    int64_t steps() const { return steps_; }
    int64_t latentPerStep() const { return z_; }

private:
    static constexpr int64_t kConv1 = 8, kConv2 = 16;

    /// Eqs 2.78-2.80 from a decoder state; δ stays fixed.
    Attention attend(nn::Linear& head, const torch::Tensor& h, double delta, int64_t n) {
        const auto p = head->forward(h);
        const auto gx = double(w_ + 1) / 2 * (p.select(1, 0) + 1);
        const auto gy = double(h_ + 1) / 2 * (p.select(1, 1) + 1);
        const auto variance = torch::exp(p.select(1, 2));
        return {drawFilterbank(gx, variance, delta, n, w_),
                drawFilterbank(gy, variance, delta, n, h_), torch::exp(p.select(1, 3))};
    }

    torch::Tensor read(const torch::Tensor& x, const torch::Tensor& error,
                       const torch::Tensor& hDec) {
        if (mode_ == "none")
            return torch::cat({x.flatten(1), error.flatten(1)}, 1);
        if (mode_ == "conv")
            return readConv_->forward(torch::cat({x, error}, 1)).flatten(1);
        const auto a = attend(readHead_, hDec, readDelta_, readN_);
        // Eq 2.84 per channel: F_y (B,1,N,H) · x (B,C,H,W) · F_xᵀ (B,1,W,N).
        const auto fy = a.fy.unsqueeze(1), fxT = a.fx.transpose(1, 2).unsqueeze(1);
        const auto glimpses = torch::cat(
            {fy.matmul(x).matmul(fxT).flatten(1), fy.matmul(error).matmul(fxT).flatten(1)}, 1);
        return a.gamma.unsqueeze(1) * glimpses;
    }

    torch::Tensor write(const torch::Tensor& hDec) {
        const int64_t b = hDec.size(0);
        if (mode_ == "none")
            return writePatch_->forward(hDec).view({b, c_, h_, w_});
        if (mode_ == "conv") {
            const auto dense = torch::relu(writePatch_->forward(hDec));
            const auto up = writeConv_->forward(dense.view({b, kConv2, gridH_, gridW_}));
            return up.narrow(2, 0, h_).narrow(3, 0, w_);
        }
        const auto a = attend(writeHead_, hDec, writeDelta_, writeN_);
        const auto patch = writePatch_->forward(hDec).view({b, c_, writeN_, writeN_});
        // Eq 2.85 with Gregor's 1/γ: F_yᵀ (B,1,H,N) · w (B,C,N,N) · F_x (B,1,N,W).
        return a.fy.transpose(1, 2).unsqueeze(1).matmul(patch).matmul(a.fx.unsqueeze(1)) /
               a.gamma.view({b, 1, 1, 1});
    }

    int64_t c_, h_, w_, hidden_, steps_, z_;
    std::string mode_;
    int64_t readN_, writeN_;
    double readDelta_ = 1, writeDelta_ = 1;
    int64_t gridH_ = 0, gridW_ = 0;
    nn::LSTMCell encoder_{nullptr}, decoder_{nullptr};
    nn::Linear posterior_{nullptr}, readHead_{nullptr}, writeHead_{nullptr}, writePatch_{nullptr};
    nn::Sequential readConv_, writeConv_;
};

} // namespace

std::vector<ParamSpec> drawParams() {
    ParamSpec attention;
    attention.key = "attention";
    attention.type = ParamSpec::Type::Choice;
    attention.label = "Read / write";
    attention.help = "gaussian: N x N Gaussian glimpses with a fixed stride δ (seed 002 §2.9.4); "
                     "none: the whole image and its error; conv: two stride-2 convs (8, 16 "
                     "filters, k3) read [x, x̂], a dense layer and two transposed convs write";
    attention.choices = {"gaussian", "none", "conv"};
    attention.defaultChoice = "gaussian";
    using T = ParamSpec::Type;
    return {
        specs::number("hidden", T::Int, "LSTM size", "Units of the encoder and decoder LSTM cells",
                      256, 1, 4096),
        specs::number("steps", T::Int, "Steps T", "Canvas updates (seed 002: T = 10)", 10, 1, 100),
        specs::number("latent_dim", T::Int, "Latent size per step",
                      "Dimensions of each z_t; the embedding is μ of all steps (steps x this)", 10,
                      1, 1024),
        attention,
        specs::number("read_size", T::Int, "Read N", "Read glimpse N x N (gaussian)", 5, 1, 256),
        specs::number("write_size", T::Int, "Write N", "Write patch N x N (gaussian)", 5, 1, 256),
        specs::number(
            "delta", T::Double, "Stride δ",
            "Fixed filter stride in pixels (seed 002 fixes δ); 0: (max(H, W) - 1)/(N - 1), "
            "so a centred grid spans the image",
            0, 0, 1e4),
    };
}

std::shared_ptr<GenerativeModelImpl> makeDraw(const GenerativeArgs& args) {
    return std::make_shared<DrawImpl>(args);
}

torch::Tensor drawFilterbank(const torch::Tensor& centre, const torch::Tensor& variance,
                             double delta, int64_t n, int64_t size) {
    const auto opts = centre.options();
    // Eq 2.76 with 1-based i: μ_i = g + (i - N/2 - 0.5) δ.
    const auto offsets = (torch::arange(n, opts) + 0.5 - double(n) / 2) * delta;
    const auto mu = centre.unsqueeze(1) + offsets.unsqueeze(0); // (B, N)
    const auto pixels = torch::arange(1, size + 1, opts).view({1, 1, size});
    const auto d2 = (pixels - mu.unsqueeze(2)).pow(2); // (B, N, size)
    // Eq 2.82 normalised per row; softmax is the same ratio without underflow for small σ.
    return torch::softmax(-d2 / (2 * variance.view({-1, 1, 1})), 2);
}

} // namespace embedscope::torchimpl

namespace embedscope {
namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

torch::Tensor bank(std::size_t n, std::size_t size, double centre, double delta, double variance) {
    if (n == 0 || size == 0 || !(variance > 0))
        throw DataError("draw filterbank: N and the image size must be positive and the "
                        "variance > 0, got N " +
                        std::to_string(n) + ", size " + std::to_string(size) + ", variance " +
                        std::to_string(variance));
    return torchimpl::drawFilterbank(torch::full({1}, centre, kDouble),
                                     torch::full({1}, variance, kDouble), delta, int64_t(n),
                                     int64_t(size))[0];
}

std::vector<double> toDoubles(const torch::Tensor& t) {
    const auto c = t.to(torch::kCPU, torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

} // namespace

std::vector<double> drawFilterbank(std::size_t n, std::size_t size, double centre, double delta,
                                   double variance) {
    return toDoubles(bank(n, size, centre, delta, variance));
}

std::vector<double> drawGlimpse(const std::vector<double>& image, std::size_t channels,
                                std::size_t height, std::size_t width, std::size_t n, double gx,
                                double gy, double delta, double variance, double gamma) {
    if (image.size() != channels * height * width || image.empty())
        throw DataError(
            "draw glimpse: the image holds " + std::to_string(image.size()) +
            " values, expected C x H x W = " + std::to_string(channels * height * width));
    const auto x =
        torch::tensor(image, kDouble).view({int64_t(channels), int64_t(height), int64_t(width)});
    const auto fx = bank(n, width, gx, delta, variance), fy = bank(n, height, gy, delta, variance);
    return toDoubles(gamma * fy.matmul(x).matmul(fx.t()));
}

std::vector<double> drawWrite(const std::vector<double>& patch, std::size_t channels,
                              std::size_t height, std::size_t width, std::size_t n, double gx,
                              double gy, double delta, double variance, double gamma) {
    if (patch.size() != channels * n * n || patch.empty())
        throw DataError("draw write: the patch holds " + std::to_string(patch.size()) +
                        " values, expected C x N x N = " + std::to_string(channels * n * n));
    const auto w = torch::tensor(patch, kDouble).view({int64_t(channels), int64_t(n), int64_t(n)});
    const auto fx = bank(n, width, gx, delta, variance), fy = bank(n, height, gy, delta, variance);
    return toDoubles(fy.t().matmul(w).matmul(fx) / gamma);
}

DrawPosterior drawPosterior(const RunRecord& run, const Dataset& data,
                            const std::vector<std::size_t>& rows) {
    const auto loaded = torchimpl::loadGenerativeRun(run, torch::kCPU);
    const auto* draw = dynamic_cast<const torchimpl::DrawImpl*>(loaded.model.get());
    if (!draw)
        throw DataError(loaded.origin + " trained '" + loaded.config.model +
                        "', not 'draw': it has no per-step posterior");
    torchimpl::checkSampleShape(loaded, data);
    for (std::size_t r : rows)
        if (r >= data.sampleCount())
            throw DataError("dataset '" + data.name + "': row " + std::to_string(r) +
                            " is out of range (" + std::to_string(data.sampleCount()) +
                            " samples)");
    DrawPosterior out;
    out.rows = rows.size();
    out.steps = std::size_t(draw->steps());
    out.latentPerStep = std::size_t(draw->latentPerStep());
    if (rows.empty())
        return out;
    torch::NoGradGuard noGrad;
    const auto result =
        loaded.model->forward(torchimpl::gatherBatch(data, rows, loaded.shape), false);
    out.mu = toDoubles(result.mu);
    out.logvar = toDoubles(result.logvar);
    return out;
}

} // namespace embedscope
