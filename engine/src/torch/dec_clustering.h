#pragma once
// Private: the DEC-style clustering loss of seed 002 ("latent type: clustering loss", after
// Xie, Girshick & Farhadi 2016): K-means on μ gives the initial centroids, the soft assignment
// q_ij = (1 + |z_i − μ_j|²)^-1 / Σ_j' (Student t, α = 1), a target distribution
// p_ij ∝ q_ij² / f_j recomputed over the training rows every `updateEvery` epochs, and the
// latent term KL(P‖Q) per sample. The centroids train with their own Adam at the model's rate.
#include "embedscope/engine/dataset.h"
#include "torch/generative_common.h"

#include <torch/torch.h>

#include <map>
#include <memory>
#include <vector>

namespace embedscope::torchimpl {

class DecClustering {
public:
    DecClustering(int clusters, int updateEvery, double learningRate, uint64_t seed);

    /// K-means (k-means++, 10 restarts) on μ of the training rows -> the centroids.
    /// Throws DataError when the rows have fewer distinct points than clusters.
    void initialise(GenerativeModelImpl& model, const Dataset& data,
                    const std::vector<std::size_t>& rows, const SampleShape& shape,
                    torch::Device device);
    /// Recomputes P over the training rows on epochs 0, updateEvery, 2·updateEvery, ...
    void updateTargets(int epoch, GenerativeModelImpl& model, const Dataset& data,
                       const std::vector<std::size_t>& rows, const SampleShape& shape,
                       torch::Device device);
    /// KL(P‖Q) per sample for a training batch (rows index the data set).
    torch::Tensor trainingLoss(const torch::Tensor& z, const std::vector<std::size_t>& rows) const;
    /// For validation: KL(P‖Q) with P the target of the batch's own Q.
    torch::Tensor evaluationLoss(const torch::Tensor& z) const;
    void zeroGrad();
    void step();
    /// Cluster of each row of z (n x d): argmax_j q_ij.
    std::vector<int> assign(const std::vector<float>& z, std::size_t n) const;
    /// The centroids as they were at the last call (for the best checkpoint).
    void snapshot();
    void restoreSnapshot();

    /// Q for z (n, d) against the centroids: (n, k).
    torch::Tensor softAssignment(const torch::Tensor& z) const;
    static torch::Tensor targetDistribution(const torch::Tensor& q);

private:
    int clusters_;
    int updateEvery_;
    double learningRate_;
    uint64_t seed_;
    torch::Tensor centroids_;
    torch::Tensor saved_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    torch::Tensor targets_;                   ///< (rows, k)
    std::map<std::size_t, int64_t> rowIndex_; ///< data row -> row of targets_
};

} // namespace embedscope::torchimpl
