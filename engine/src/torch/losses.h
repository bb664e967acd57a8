#pragma once
// Private: contrastive losses on a batch of embeddings, and the factory that builds one by name.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>

namespace embedscope::torchimpl {

enum class Similarity { Euclidean, Manhattan, Cosine };

/// Throws ConfigError for an unknown name.
Similarity similarityFromName(const std::string& name);

/// Pairwise similarity matrix (n x n) of the rows of z (n x d). SPEC S0: -||zi - zj||_2,
/// -||zi - zj||_1, or zi.zj / (||zi|| ||zj|| + 1e-9) (seed eq. 4.6).
torch::Tensor similarityMatrix(const torch::Tensor& z, Similarity similarity);

/// SupCon, SPEC S0 / seed eq. 3.1, the log outside the mean over positives:
///   L_i = -log[ 1/|P(i)| sum_{p in P(i)} exp(s_ip/tau) / sum_{j in I\{i}} exp(s_ij/tau) ],
/// L = mean of L_i over rows i with |P(i)| > 0. P(i): other rows with the same group. Rows that
/// share i's sample id (duplicates from the sampler) are left out of P(i) and the denominator.
/// z: (n, d) float/double; groups, ids: (n) int64 on z's device. Returns a scalar; NaN when no
/// row has a positive.
torch::Tensor supconLoss(const torch::Tensor& z, const torch::Tensor& groups,
                         const torch::Tensor& ids, double temperature, Similarity similarity);

/// A loss on a batch: (embeddings h, group labels, sample ids) -> scalar.
using LossFn = std::function<torch::Tensor(const torch::Tensor& h, const torch::Tensor& groups,
                                           const torch::Tensor& ids)>;

/// Builds the loss registered as `name`; missing params take their registry defaults.
/// Throws ConfigError for an unknown name or choice.
LossFn buildLoss(const std::string& name, std::map<std::string, double> params,
                 std::map<std::string, std::string> choices);

} // namespace embedscope::torchimpl
