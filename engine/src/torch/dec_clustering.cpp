// The DEC-style clustering loss (see dec_clustering.h).
#include "torch/dec_clustering.h"

#include "embedscope/engine/clustering.h"
#include "embedscope/engine/error.h"

namespace embedscope::torchimpl {

DecClustering::DecClustering(int clusters, int updateEvery, double learningRate, uint64_t seed)
    : clusters_(clusters), updateEvery_(std::max(1, updateEvery)), learningRate_(learningRate),
      seed_(seed) {}

void DecClustering::initialise(GenerativeModelImpl& model, const Dataset& data,
                               const std::vector<std::size_t>& rows, const SampleShape& shape,
                               torch::Device device) {
    const auto mu = encodeRows(model, data, rows, shape, device, nullptr);
    const std::size_t d = std::size_t(model.latentDim());
    KMeansOptions options;
    options.k = clusters_;
    options.seed = seed_;
    const KMeansResult km =
        kmeans(std::vector<double>(mu.begin(), mu.end()), rows.size(), d, options);
    centroids_ = torch::tensor(km.centres, torch::kFloat64)
                     .to(torch::kFloat32)
                     .view({clusters_, int64_t(d)})
                     .to(device)
                     .set_requires_grad(true);
    optimizer_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{centroids_},
                                                      torch::optim::AdamOptions(learningRate_));
    saved_ = centroids_.detach().clone();
}

torch::Tensor DecClustering::softAssignment(const torch::Tensor& z) const {
    // Xie et al. eq 1 with α = 1: (1 + |z - μ|²)^-1, normalised over the clusters.
    const auto d2 = (z.unsqueeze(1) - centroids_.unsqueeze(0)).pow(2).sum(-1);
    const auto q = 1.0 / (1.0 + d2);
    return q / q.sum(1, true);
}

torch::Tensor DecClustering::targetDistribution(const torch::Tensor& q) {
    // Eq 3: p_ij = (q_ij² / f_j) / Σ_j' (q_ij'² / f_j'), f_j = Σ_i q_ij.
    const auto weight = q.pow(2) / q.sum(0, true);
    return weight / weight.sum(1, true);
}

void DecClustering::updateTargets(int epoch, GenerativeModelImpl& model, const Dataset& data,
                                  const std::vector<std::size_t>& rows, const SampleShape& shape,
                                  torch::Device device) {
    if (epoch % updateEvery_ != 0)
        return;
    const auto mu = encodeRows(model, data, rows, shape, device, nullptr);
    torch::NoGradGuard noGrad;
    const auto z = torch::tensor(mu).view({int64_t(rows.size()), model.latentDim()}).to(device);
    targets_ = targetDistribution(softAssignment(z)).detach();
    rowIndex_.clear();
    for (std::size_t i = 0; i < rows.size(); ++i)
        rowIndex_[rows[i]] = int64_t(i);
}

torch::Tensor DecClustering::trainingLoss(const torch::Tensor& z,
                                          const std::vector<std::size_t>& rows) const {
    std::vector<int64_t> index(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto it = rowIndex_.find(rows[i]);
        if (it == rowIndex_.end())
            throw DataError("DEC: row " + std::to_string(rows[i]) +
                            " has no target (not a "
                            "training row)");
        index[i] = it->second;
    }
    const auto p = targets_.index_select(0, torch::tensor(index).to(targets_.device()));
    const auto q = softAssignment(z);
    return (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).sum(1).mean();
}

torch::Tensor DecClustering::evaluationLoss(const torch::Tensor& z) const {
    const auto q = softAssignment(z);
    const auto p = targetDistribution(q).detach();
    return (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).sum(1).mean();
}

void DecClustering::zeroGrad() {
    optimizer_->zero_grad();
}

void DecClustering::step() {
    optimizer_->step();
}

std::vector<int> DecClustering::assign(const std::vector<float>& z, std::size_t n) const {
    torch::NoGradGuard noGrad;
    const auto q = softAssignment(
        torch::tensor(z).view({int64_t(n), centroids_.size(1)}).to(centroids_.device()));
    const auto arg = q.argmax(1).to(torch::kCPU, torch::kInt64).contiguous();
    return {arg.data_ptr<int64_t>(), arg.data_ptr<int64_t>() + n};
}

void DecClustering::snapshot() {
    saved_ = centroids_.detach().clone();
}

void DecClustering::restoreSnapshot() {
    torch::NoGradGuard noGrad;
    centroids_.copy_(saved_);
}

} // namespace embedscope::torchimpl
