#pragma once
// Private: contrastive losses on a batch of embeddings, and the factory that builds one by name.
// Every loss returns an undefined tensor when the batch holds no term (e.g. no positive pair);
// the trainer skips such batches and the public wrappers report NaN.
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

/// Pairwise distances (n x n) for the margin losses: -sim for Euclidean / Manhattan (so
/// ||zi - zj||), 1 - sim for cosine.
torch::Tensor distanceMatrix(const torch::Tensor& z, Similarity similarity);

/// Labels of the rows of a batch, (n) tensors on z's device. Rows sharing an id are sampler
/// duplicates: no loss pairs a row with one of them (neither as positive nor as negative).
struct BatchLabels {
    torch::Tensor groups;     ///< int64, positive-defining label
    torch::Tensor ids;        ///< int64, sample id
    torch::Tensor substances; ///< int64 substance codes; only for supcon semi-positives
    torch::Tensor doses;      ///< primary doses (>= 0), z's dtype; only for semi-positives
};

/// Seed eq. 4.5 on tensors: 1 - |di - dj| / (di + dj), and 1 where both doses are 0.
torch::Tensor semiPositiveWeights(const torch::Tensor& doses);

/// SupCon, SPEC S0 / seed eq. 3.1, the log outside the mean over positives:
///   L_i = -log[ 1/|P(i)| sum_{p in P(i)} w_ip exp(s_ip/tau) / sum_{j in I\{i}} exp(s_ij/tau) ],
/// L = mean of L_i over rows with a term. P(i): other rows of i's group (w = 1). With
/// `semiPositive` (seed §4.4.3, eqs 4.4-4.5) P(i) also holds the rows of i's substance at
/// another dose, weighted by eq. 4.5; a row whose positives all weigh 0 has no term.
torch::Tensor supconLoss(const torch::Tensor& z, const BatchLabels& labels, double temperature,
                         Similarity similarity, bool semiPositive = false);

/// Seed §4.4.5: how the negative of a triplet is chosen.
enum class NegativeSampling { Random, RandomHard, Hardest };
NegativeSampling negativeSamplingFromName(const std::string& name);

/// Triplet margin loss, seed eq. 4.7 (mean over anchors instead of the sum): every row a is an
/// anchor with its hardest positive p = argmax_{P(a)} d(a, i) and a negative n from the other
/// groups: random, random-hard (random among d(a,n) - d(a,p) < m; when there is none every
/// negative already meets the margin and the anchor adds 0) or hardest (argmin d(a, n); the
/// seed notes it collapses the model to loss = m). Random draws use `generator` (the global
/// torch generator when empty).
torch::Tensor tripletLoss(const torch::Tensor& z, const BatchLabels& labels, double margin,
                          NegativeSampling negatives, Similarity similarity,
                          c10::optional<at::Generator> generator = c10::nullopt);

/// Pair loss of Hadsell, Chopra & LeCun (seed §2.3.2, eqs 2.5-2.6), mean over pairs i < j with
/// different ids: 1/2 d^2 for positives, 1/2 max(0, m - d)^2 for negatives. (The seed's eq.
/// 2.5 prints max(0, m - d^2); this is the published form.)
torch::Tensor pairLoss(const torch::Tensor& z, const BatchLabels& labels, double margin,
                       Similarity similarity);

/// NT-Xent, seed eq. 2.9, mean over rows: the positive of row i is its sampler partner (rows
/// are anchors first, then their positives in the same order, so i <-> i +- n/2; n must be
/// even). The denominator runs over every row without i's id; a row whose partner is a
/// duplicate of itself has no term.
torch::Tensor ntXentLoss(const torch::Tensor& z, const BatchLabels& labels, double temperature,
                         Similarity similarity);

/// A loss on a batch: (embeddings h, labels) -> scalar, or undefined when the batch has no term.
using LossFn = std::function<torch::Tensor(const torch::Tensor& h, const BatchLabels& labels)>;

struct Loss {
    LossFn fn;
    /// True when BatchLabels::substances and ::doses must be filled (supcon semi_positive).
    bool needsSubstanceAndDose = false;
};

/// Builds the loss registered as `name`; missing params take their registry defaults.
/// Throws ConfigError for an unknown name or choice.
Loss buildLoss(const std::string& name, std::map<std::string, double> params,
               std::map<std::string, std::string> choices);

} // namespace embedscope::torchimpl
