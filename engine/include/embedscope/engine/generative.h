#pragma once
// Generative runs (the β-VAE family of seed 001, the conv autoencoder of seed 002, DRAW):
// reconstructions, decoding, prior samples and latent traversals of a trained run, without
// torch types. Training goes through train() in training.h like every other model.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/run.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace embedscope {

/// True when the run's config names a generative model.
bool isGenerativeRun(const RunRecord& run);

/// A generative run's decoder and encoder at its best checkpoint, loaded once (CPU) so that a
/// GUI can reconstruct a clicked sample or sweep a latent dimension without reloading.
/// Values come back in the data's units: sigmoid outputs for BCE runs, raw outputs for MSE.
class GenerativeRunModel {
public:
    /// Throws DataError when the run is not generative, has no weights, or its stored config
    /// or weights do not fit its model.
    explicit GenerativeRunModel(const RunRecord& run);
    ~GenerativeRunModel();
    GenerativeRunModel(const GenerativeRunModel&) = delete;
    GenerativeRunModel& operator=(const GenerativeRunModel&) = delete;

    /// The sample shape the run was trained on, as the data set stores it ((C, T) or (C, H, W)).
    const std::vector<int64_t>& sampleShape() const;
    std::size_t sampleSize() const;
    std::size_t latentDim() const;
    std::string modelName() const;
    /// "bce" or "mse".
    std::string reconstructionLoss() const;

    /// μ of the given rows of `data`: rows.size() x latentDim(). Throws DataError when the
    /// data's sample shape differs from sampleShape() or a row is out of range.
    std::vector<float> encode(const Dataset& data, const std::vector<std::size_t>& rows) const;
    /// Reconstructions (decoder of μ) of the rows: rows.size() x sampleSize().
    std::vector<float> reconstruct(const Dataset& data, const std::vector<std::size_t>& rows) const;
    /// Decodes n latents (n x latentDim(), row-major): n x sampleSize().
    std::vector<float> decode(const std::vector<float>& latents, std::size_t n) const;
    /// n draws from the prior N(0, I), decoded (seed 001 Fig A.1: generated samples).
    std::vector<float> samplePrior(std::size_t n, uint64_t seed) const;
    /// Latent traversal: `base` (latentDim() values) with dimension `dim` set to each of
    /// `values` in turn, decoded: values.size() x sampleSize().
    std::vector<float> traverse(const std::vector<float>& base, std::size_t dim,
                                const std::vector<double>& values) const;
    /// DRAW only: the canvas after each step for the rows, steps x (rows.size() x
    /// sampleSize()); empty for the other models.
    std::vector<std::vector<float>> reconstructionSteps(const Dataset& data,
                                                        const std::vector<std::size_t>& rows) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Seed 001 eq 3.4 averaged over n samples: mean_i -1/2 Σ_j (1 + logvar - mu² - exp(logvar)).
/// For tests and tools; mu and logvar are n x d row-major.
double klDivergenceValue(const std::vector<double>& mu, const std::vector<double>& logvar,
                         std::size_t n, std::size_t d);
/// Seed 002 eq 2.69 between the rows of q (n x d) and p (m x d): mean k(p, p') - 2 mean
/// k(q, p) + mean k(q, q'), diagonal terms included; kernel "rbf" (σ = bandwidth) or "linear".
double mmdValue(const std::vector<double>& q, const std::vector<double>& p, std::size_t n,
                std::size_t m, std::size_t d, const std::string& kernel, double bandwidth);

} // namespace embedscope
