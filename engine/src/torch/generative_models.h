#pragma once
// Private: the generative models (β-VAE family of seed 001 §3.2, the configurable conv
// autoencoder of seed 002 §4, DRAW) and the ELBO terms. Torch types are allowed here; this
// header is included only by engine/src/torch/*.cpp.
//
// Every model sees a batch (B, C, H, W): images as they are, signals (C, T) as (C, 1, T), so
// one set of 2-D layers serves both forms (a (1, k) kernel on a 1-row image is a 1-D conv with
// the same parameters).
#include "embedscope/engine/model_info.h"
#include "embedscope/engine/registry.h"

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace embedscope::torchimpl {

/// What a generative builder gets: resolved params (registry defaults filled in), choices
/// (int lists as text) and the sample shape (C, H, W) (H = 1 for signals).
struct GenerativeArgs {
    std::map<std::string, double> params;
    std::map<std::string, std::string> choices;
    int64_t channels = 1;
    int64_t height = 1;
    int64_t width = 1;

    double param(const std::string& key) const;
    int64_t intParam(const std::string& key) const;
    std::string choice(const std::string& key) const;
    /// An IntList param as numbers.
    std::vector<int64_t> intList(const std::string& key) const;
};

/// One forward pass: decoder logits of the input's shape, the posterior (μ, log σ²) and the
/// latent z the decoder saw. DRAW also returns the canvas logits after each of its T steps.
struct GenerativeOutput {
    torch::Tensor logits;
    torch::Tensor mu;
    torch::Tensor logvar;
    torch::Tensor z;
    std::vector<torch::Tensor> stepLogits;
};

class GenerativeModelImpl : public torch::nn::Module {
public:
    /// `stochastic`: z = μ + σ·ε (the reparametrisation trick, used for KLD training); else
    /// z = μ (deterministic encoder: MMD / plain autoencoder training, evaluation, embedding).
    virtual GenerativeOutput forward(const torch::Tensor& x, bool stochastic) = 0;
    /// Decoder logits (B, C, H, W) for latents (B, latentDim()).
    virtual torch::Tensor decode(const torch::Tensor& z) = 0;
    /// Size of z, which is the embedding (μ) saved with a run.
    virtual int64_t latentDim() const = 0;

    /// While set, forward() appends one entry per layer (model-info).
    void setTrace(std::vector<LayerShape>* trace) { trace_ = trace; }

protected:
    void record(const std::string& name, const torch::Tensor& output, int64_t params = 0);
    /// z from (μ, log σ²): sampled when `stochastic`, else μ.
    static torch::Tensor latent(const torch::Tensor& mu, const torch::Tensor& logvar,
                                bool stochastic);

private:
    std::vector<LayerShape>* trace_ = nullptr;
};

/// Builds the generative model `name` (params not given take their registry defaults).
/// Throws ConfigError for an unknown name or bad params, DataError when the shape does not fit.
std::shared_ptr<GenerativeModelImpl> buildGenerativeModel(const std::string& name,
                                                          GenerativeArgs args);
/// He (Kaiming normal, fan-in, ReLU gain) weights and zero biases for every Linear / Conv /
/// ConvTranspose of `module` (seed 001 §3.2.2).
void heInitialise(torch::nn::Module& module);

std::vector<ComponentInfo> generativeModelInfos();
/// Null when `name` is not a generative model.
const ComponentInfo* findGenerativeModel(const std::string& name);
/// The "elbo" loss spec (beta, recon, latent, kernel, bandwidth).
std::vector<ComponentInfo> generativeLossInfos();
const ComponentInfo* findGenerativeLoss(const std::string& name);

/// The ELBO of a batch, per sample averaged over the batch (seed 001 §3.3.3, seed 002 eq 2.69):
/// recon = Σ over values of BCE(x, sigmoid(logits)) or (x - logits)², latent = KLD of eq 3.4
/// summed over dimensions, or MMD between z and as many N(0, I) draws, or 0;
/// total = recon + β·latent.
struct ElboTerms {
    torch::Tensor total;
    torch::Tensor recon;
    torch::Tensor latent;
};

struct ElboSpec {
    double beta = 1.0;
    std::string recon = "bce";  ///< bce | mse (auto is resolved by the trainer)
    std::string latent = "kld"; ///< kld | mmd | none | dec (its term computed by the trainer)
    std::string kernel = "rbf"; ///< rbf | linear (MMD)
    double bandwidth = 1.0;     ///< σ of the RBF kernel exp(-|x - x'|² / (2σ²))
    int clusters = 2;           ///< dec: K
    int decUpdateEpochs = 1;    ///< dec: epochs between target distribution updates
    /// True when training samples z (KLD); MMD and none train a deterministic encoder.
    bool stochastic() const { return latent == "kld"; }
};

/// `prior`: the generator of the MMD's N(0, I) draws (null: the global one).
ElboTerms elbo(const GenerativeOutput& out, const torch::Tensor& x, const ElboSpec& spec,
               at::Generator* prior = nullptr);
/// Per-sample KLD of eq 3.4: (B) from μ, log σ² (B, D).
torch::Tensor klDivergence(const torch::Tensor& mu, const torch::Tensor& logvar);
/// Eq 2.69 (the V-statistic, diagonal terms included) between rows of q and p.
torch::Tensor maximumMeanDiscrepancy(const torch::Tensor& q, const torch::Tensor& p,
                                     const std::string& kernel, double bandwidth);
/// The reconstruction a user sees: sigmoid(logits) for BCE, logits for MSE.
torch::Tensor reconstructionOf(const torch::Tensor& logits, const std::string& recon);

} // namespace embedscope::torchimpl
