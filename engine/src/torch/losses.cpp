// The contrastive losses of SPEC S0 "Loss and sampling" on a batch of embeddings. The registry
// that builds them by name is in loss_registry.cpp.
#include "torch/losses.h"

#include "embedscope/engine/error.h"

#include <limits>

namespace embedscope::torchimpl {
namespace {

// Above this many n*n*d elements the pairwise differences are not materialised.
constexpr int64_t kMaxPairwiseElements = int64_t(1) << 24;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Pairs that may appear together in a term: different sample ids (the diagonal excluded).
torch::Tensor distinctIds(const BatchLabels& labels) {
    return (labels.ids.unsqueeze(1) == labels.ids.unsqueeze(0)).logical_not();
}

torch::Tensor sameGroup(const BatchLabels& labels) {
    return labels.groups.unsqueeze(1) == labels.groups.unsqueeze(0);
}

} // namespace

Similarity similarityFromName(const std::string& name) {
    if (name == "euclidean")
        return Similarity::Euclidean;
    if (name == "manhattan")
        return Similarity::Manhattan;
    if (name == "cosine")
        return Similarity::Cosine;
    throw ConfigError("unknown similarity '" + name + "' (known: euclidean, manhattan, cosine)");
}

NegativeSampling negativeSamplingFromName(const std::string& name) {
    if (name == "random")
        return NegativeSampling::Random;
    if (name == "random-hard")
        return NegativeSampling::RandomHard;
    if (name == "hardest")
        return NegativeSampling::Hardest;
    throw ConfigError("unknown negative sampling '" + name +
                      "' (known: random, random-hard, hardest)");
}

torch::Tensor similarityMatrix(const torch::Tensor& z, Similarity similarity) {
    const int64_t n = z.size(0);
    const bool pairwise = n * n * z.size(1) <= kMaxPairwiseElements;
    switch (similarity) {
    case Similarity::Euclidean: {
        torch::Tensor squared;
        if (pairwise) {
            squared = (z.unsqueeze(1) - z.unsqueeze(0)).pow(2).sum(-1);
        } else {
            const auto norms = z.pow(2).sum(1, true);
            squared = norms + norms.t() - 2.0 * z.matmul(z.t());
        }
        // sqrt'(0) is infinite: identical rows (the diagonal, duplicates) take the zero branch,
        // whose gradient is zero; the sqrt branch only sees positive values. Distances stay exact.
        // (NaN stays NaN so divergence is still caught.)
        const auto zero = squared <= 0;
        return -torch::where(zero, torch::zeros_like(squared), squared.clamp_min(1e-30).sqrt());
    }
    case Similarity::Manhattan:
        if (pairwise)
            return -(z.unsqueeze(1) - z.unsqueeze(0)).abs().sum(-1);
        return -torch::cdist(z, z, 1.0);
    case Similarity::Cosine: {
        // Seed eq. 4.6: zi.zj / (||zi|| ||zj|| + eps), eps = 1e-9. The clamp keeps the norm's
        // gradient finite for an all-zero row (its similarities are 0 either way).
        const auto norms = z.pow(2).sum(1, true).clamp_min(1e-24).sqrt();
        return z.matmul(z.t()) / (norms * norms.t() + 1e-9);
    }
    }
    throw ConfigError("unknown similarity");
}

torch::Tensor distanceMatrix(const torch::Tensor& z, Similarity similarity) {
    const auto sim = similarityMatrix(z, similarity);
    return similarity == Similarity::Cosine ? 1.0 - sim : -sim;
}

torch::Tensor semiPositiveWeights(const torch::Tensor& doses) {
    const auto di = doses.unsqueeze(1);
    const auto dj = doses.unsqueeze(0);
    const auto sum = di + dj;
    // Seed eq. 4.5; the both-zero case is set apart before the division by zero.
    const auto bothZero = sum == 0;
    const auto w = 1.0 - (di - dj).abs() / sum.masked_fill(bothZero, 1.0);
    return w.masked_fill(bothZero, 1.0);
}

torch::Tensor supconLoss(const torch::Tensor& z, const BatchLabels& labels, double temperature,
                         Similarity similarity, bool semiPositive) {
    const auto logits = similarityMatrix(z, similarity) / temperature;
    // Rows sharing a sample id (the diagonal included) are no part of each other's terms.
    const auto valid = distinctIds(labels);
    const auto group = sameGroup(labels);
    torch::Tensor positive = group.logical_and(valid);
    torch::Tensor logWeight; // log w_ip of eq. 4.4, undefined when every w is 1
    torch::Tensor weighted = positive;
    if (semiPositive) {
        // Seed §4.4.3: same substance at any dose is semi-positive, w from eq. 4.5; the
        // anchor's own group keeps w = 1.
        const auto sameSubstance = labels.substances.unsqueeze(1) == labels.substances.unsqueeze(0);
        const auto w = semiPositiveWeights(labels.doses.to(logits.scalar_type()))
                           .masked_fill(group, 1.0)
                           .masked_fill(sameSubstance.logical_or(group).logical_not(), 0.0);
        positive = sameSubstance.logical_or(group).logical_and(valid);
        weighted = positive.logical_and(w > 0);
        logWeight =
            w.clamp_min(0.0).log(); // -inf where w = 0: that positive adds nothing to the numerator
    }
    const auto positiveCount = positive.sum(1);
    const auto hasTerm = weighted.any(1);
    if (!hasTerm.any().item<bool>())
        return {};

    // Rows without a term are set to 0 so their log-sum-exp stays finite (and their gradient
    // zero); they are dropped from the mean below.
    const auto noTermRow = hasTerm.logical_not().unsqueeze(1);
    const auto denominator =
        logits.masked_fill(valid.logical_not(), -kInf).masked_fill(noTermRow, 0.0);
    const auto numeratorLogits = logWeight.defined() ? logits + logWeight : logits;
    const auto numerator =
        numeratorLogits.masked_fill(weighted.logical_not(), -kInf).masked_fill(noTermRow, 0.0);
    // log[(1/|P|) sum_p w exp(s_ip)] - log[sum_j exp(s_ij)], in log space for stability.
    const auto logMeanPositive = torch::logsumexp(numerator, {1}) -
                                 positiveCount.clamp_min(1).to(logits.scalar_type()).log();
    const auto perRow = torch::logsumexp(denominator, {1}) - logMeanPositive;
    return perRow.masked_select(hasTerm).mean();
}

torch::Tensor tripletLoss(const torch::Tensor& z, const BatchLabels& labels, double margin,
                          NegativeSampling negatives, Similarity similarity,
                          c10::optional<at::Generator> generator) {
    const auto dist = distanceMatrix(z, similarity);
    const auto valid = distinctIds(labels);
    const auto group = sameGroup(labels);
    const auto positive = group.logical_and(valid);
    const auto negative = group.logical_not().logical_and(valid);
    const auto hasTerm = positive.any(1).logical_and(negative.any(1));
    if (!hasTerm.any().item<bool>())
        return {};

    // Seed §4.4.5: the hardest positive, p = argmax_{i in P(a)} d(a, i).
    const auto dPositive = std::get<0>(dist.masked_fill(positive.logical_not(), -kInf).max(1));
    torch::Tensor dNegative;
    if (negatives == NegativeSampling::Hardest) {
        dNegative = std::get<0>(dist.masked_fill(negative.logical_not(), kInf).min(1));
    } else {
        torch::Tensor candidates = negative;
        if (negatives == NegativeSampling::RandomHard) {
            // d(a, n) - d(a, p) < m: negatives that still give a non-zero loss.
            const auto gap = dist.detach() - dPositive.detach().unsqueeze(1);
            candidates = negative.logical_and(gap < margin);
        }
        // A uniform pick among the candidates: the largest of i.i.d. uniform scores.
        const auto scores =
            torch::rand(dist.sizes(), generator, dist.options().requires_grad(false))
                .masked_fill(candidates.logical_not(), -1.0);
        const auto pick = scores.argmax(1, true);
        dNegative = dist.gather(1, pick).squeeze(1);
        // No hard negative: every negative meets the margin, so any triplet adds 0.
        const auto none = candidates.any(1).logical_not();
        dNegative = dNegative.masked_fill(none, kInf);
    }
    // Rows without a term get finite stand-ins so their (dropped) values carry no NaN.
    const auto perRow = torch::relu(dPositive.masked_fill(hasTerm.logical_not(), 0.0) -
                                    dNegative.masked_fill(hasTerm.logical_not(), kInf) + margin);
    return perRow.masked_select(hasTerm).mean();
}

torch::Tensor pairLoss(const torch::Tensor& z, const BatchLabels& labels, double margin,
                       Similarity similarity) {
    const auto dist = distanceMatrix(z, similarity);
    const int64_t n = z.size(0);
    // Each unordered pair once (i < j), duplicates left out.
    const auto upper = torch::ones({n, n}, labels.ids.options().dtype(torch::kBool)).triu(1);
    const auto pairs = distinctIds(labels).logical_and(upper);
    if (!pairs.any().item<bool>())
        return {};
    const auto group = sameGroup(labels);
    const auto positiveTerm = 0.5 * dist.pow(2);
    const auto negativeTerm = 0.5 * torch::relu(margin - dist).pow(2);
    const auto perPair = torch::where(group, positiveTerm, negativeTerm);
    return perPair.masked_select(pairs).mean();
}

torch::Tensor ntXentLoss(const torch::Tensor& z, const BatchLabels& labels, double temperature,
                         Similarity similarity) {
    const int64_t n = z.size(0);
    if (n % 2 != 0)
        throw DataError("ntxent: a batch holds anchors and their positives, so an even number "
                        "of rows; got " +
                        std::to_string(n));
    const int64_t half = n / 2;
    const auto logits = similarityMatrix(z, similarity) / temperature;
    const auto valid = distinctIds(labels);
    // Partner of row i: i + n/2 for the anchors, i - n/2 for their positives.
    const auto rows = torch::arange(n, labels.ids.options());
    const auto partner = torch::where(rows < half, rows + half, rows - half);
    const auto hasTerm = valid.gather(1, partner.unsqueeze(1)).squeeze(1);
    if (!hasTerm.any().item<bool>())
        return {};
    // Rows without a term are set to 0 so their log-sum-exp (and its gradient) stays finite.
    const auto noTermRow = hasTerm.logical_not().unsqueeze(1);
    const auto denominator = torch::logsumexp(
        logits.masked_fill(valid.logical_not(), -kInf).masked_fill(noTermRow, 0.0), {1});
    const auto perRow = denominator - logits.gather(1, partner.unsqueeze(1)).squeeze(1);
    return perRow.masked_select(hasTerm).mean();
}

} // namespace embedscope::torchimpl
