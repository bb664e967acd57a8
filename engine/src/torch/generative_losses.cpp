// The ELBO of the generative models: reconstruction (BCE / MSE, seed 001 eqs 3.5-3.6) plus
// β times a latent term: the KLD of eq 3.4, the MMD of seed 002 eq 2.69, or nothing; and the
// registry entry of the seed-003 metric-VAE ("metric-elbo", its terms in metric_vae.cpp).
#include "embedscope/engine/error.h"
#include "embedscope/engine/generative.h"
#include "param_specs.h"
#include "torch/generative_models.h"
#include "torch/metric_vae.h"

namespace embedscope {
namespace torchimpl {
namespace {

/// Squared distances between the rows of a (n, d) and b (m, d): (n, m).
torch::Tensor squaredDistances(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(-1);
}

torch::Tensor kernelMean(const torch::Tensor& a, const torch::Tensor& b, const std::string& kernel,
                         double bandwidth) {
    if (kernel == "linear")
        return torch::matmul(a, b.t()).mean();
    return torch::exp(-squaredDistances(a, b) / (2.0 * bandwidth * bandwidth)).mean();
}

} // namespace

std::vector<ComponentInfo> generativeLossInfos() {
    ComponentInfo info;
    info.name = "elbo";
    info.kind = "generative";
    info.description = "Reconstruction + β · latent term (seed 001 §3.3.3, seed 002 §2.9): "
                       "BCE or MSE summed over the values of a sample; KLD (eq 3.4), MMD "
                       "(eq 2.69, RBF or linear kernel) or none; averaged over the batch";
    info.params = {
        specs::number("beta", ParamSpec::Type::Double, "β",
                      "Weight of the latent term (β-VAE; seed 001 Fig 4.3 sweeps 0.1-10)", 1.0, 0.0,
                      1e4),
        specs::choice("recon", "Reconstruction",
                      "bce (images in [0, 1], seed 001 eq 3.5), mse (signals, eq 3.6), auto: bce "
                      "for images, mse otherwise",
                      {"auto", "bce", "mse"}, "auto"),
        specs::choice("latent", "Latent loss",
                      "kld: KL divergence to N(0, I) with sampled z; mmd: maximum mean discrepancy "
                      "to N(0, I) draws with z = μ (InfoVAE); none: plain autoencoder; dec: the "
                      "DEC clustering loss KL(P‖Q) with K-means initial centroids (seed 002)",
                      {"kld", "mmd", "none", "dec"}, "kld"),
        specs::choice("kernel", "MMD kernel", "rbf exp(-|x-x'|²/(2σ²)) or linear x·x' (eq 2.69)",
                      {"rbf", "linear"}, "rbf"),
        specs::number("bandwidth", ParamSpec::Type::Double, "RBF σ",
                      "Bandwidth σ of the RBF kernel", 1.0, 1e-6, 1e6),
        specs::number("clusters", ParamSpec::Type::Int, "DEC clusters",
                      "K of the DEC clustering loss", 2, 2, 1000),
        specs::number("dec_update_epochs", ParamSpec::Type::Int, "DEC target update",
                      "Epochs between updates of the DEC target distribution P", 1, 1, 1000),
    };
    return {info, metricElboInfo()};
}

const ComponentInfo* findGenerativeLoss(const std::string& name) {
    static const std::vector<ComponentInfo> infos = generativeLossInfos();
    for (const auto& i : infos)
        if (i.name == name)
            return &i;
    return nullptr;
}

torch::Tensor klDivergence(const torch::Tensor& mu, const torch::Tensor& logvar) {
    // Seed 001 eq 3.4: -1/2 Σ_j (1 + log σ² - μ² - σ²), per sample.
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1);
}

torch::Tensor maximumMeanDiscrepancy(const torch::Tensor& q, const torch::Tensor& p,
                                     const std::string& kernel, double bandwidth) {
    // Seed 002 eq 2.69: <k(z,z')>_{p,p} - 2 <k(z,z')>_{q,p} + <k(z,z')>_{q,q}.
    return kernelMean(p, p, kernel, bandwidth) - 2.0 * kernelMean(q, p, kernel, bandwidth) +
           kernelMean(q, q, kernel, bandwidth);
}

torch::Tensor reconstructionOf(const torch::Tensor& logits, const std::string& recon) {
    return recon == "bce" ? torch::sigmoid(logits) : logits;
}

ElboTerms elbo(const GenerativeOutput& out, const torch::Tensor& x, const ElboSpec& spec,
               at::Generator* prior) {
    ElboTerms t;
    const auto flatLogits = out.logits.flatten(1);
    const auto flatX = x.flatten(1);
    if (spec.recon == "bce")
        t.recon = torch::binary_cross_entropy_with_logits(flatLogits, flatX, {}, {},
                                                          torch::Reduction::None)
                      .sum(1)
                      .mean();
    else
        t.recon = (flatLogits - flatX).pow(2).sum(1).mean();
    if (spec.latent == "kld")
        t.latent = klDivergence(out.mu, out.logvar).mean();
    else if (spec.latent == "mmd")
        t.latent = maximumMeanDiscrepancy(
            out.z,
            prior ? torch::randn(out.z.sizes(), *prior, out.z.options().device(torch::kCPU))
                        .to(out.z.device())
                  : torch::randn_like(out.z),
            spec.kernel, spec.bandwidth);
    else // none; dec's term is added by the trainer, which holds the centroids
        t.latent = torch::zeros({}, x.options());
    t.total = t.recon + spec.beta * t.latent;
    return t;
}

} // namespace torchimpl

double klDivergenceValue(const std::vector<double>& mu, const std::vector<double>& logvar,
                         std::size_t n, std::size_t d) {
    if (n == 0 || d == 0 || mu.size() != n * d || logvar.size() != n * d)
        throw DataError("kl divergence: mu and logvar must both hold n x d values");
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    const auto m = torch::tensor(mu, opts).view({int64_t(n), int64_t(d)});
    const auto l = torch::tensor(logvar, opts).view({int64_t(n), int64_t(d)});
    return torchimpl::klDivergence(m, l).mean().item<double>();
}

double mmdValue(const std::vector<double>& q, const std::vector<double>& p, std::size_t n,
                std::size_t m, std::size_t d, const std::string& kernel, double bandwidth) {
    if (n == 0 || m == 0 || d == 0 || q.size() != n * d || p.size() != m * d)
        throw DataError("mmd: q must hold n x d and p m x d values");
    if (kernel != "rbf" && kernel != "linear")
        throw ConfigError("mmd: unknown kernel '" + kernel + "' (known: rbf, linear)");
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    return torchimpl::maximumMeanDiscrepancy(torch::tensor(q, opts).view({int64_t(n), int64_t(d)}),
                                             torch::tensor(p, opts).view({int64_t(m), int64_t(d)}),
                                             kernel, bandwidth)
        .item<double>();
}

} // namespace embedscope
