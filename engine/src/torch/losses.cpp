// Loss registry and the contrastive losses. Adding a loss = one LossEntry in lossEntries().
#include "torch/losses.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <cmath>
#include <limits>

namespace embedscope {
namespace torchimpl {
namespace {

using LossBuilder = std::function<LossFn(const std::map<std::string, double>&,
                                         const std::map<std::string, std::string>&)>;

struct LossEntry {
    ComponentInfo info;
    LossBuilder build;
};

// Above this many n*n*d elements the pairwise differences are not materialised.
constexpr int64_t kMaxPairwiseElements = int64_t(1) << 24;

const std::vector<LossEntry>& lossEntries() {
    static const std::vector<LossEntry> entries = [] {
        std::vector<LossEntry> list;
        LossEntry supcon;
        supcon.info.name = "supcon";
        supcon.info.description =
            "Supervised contrastive loss (SPEC S0, seed eq. 3.1): positives are the other samples "
            "of the anchor's group in the batch; per-sample mean.";
        ParamSpec temperature;
        temperature.key = "temperature";
        temperature.type = ParamSpec::Type::Double;
        temperature.label = "Temperature";
        temperature.help = "tau: similarities are divided by it (seed default 1)";
        temperature.defaultValue = 1.0;
        temperature.minValue = 1e-3;
        temperature.maxValue = 100.0;
        ParamSpec similarity;
        similarity.key = "similarity";
        similarity.type = ParamSpec::Type::Choice;
        similarity.label = "Similarity";
        similarity.help = "euclidean: -||zi-zj||2 (seed default), manhattan: -||zi-zj||1, "
                          "cosine: zi.zj/(||zi|| ||zj|| + 1e-9)";
        similarity.choices = {"euclidean", "manhattan", "cosine"};
        similarity.defaultChoice = "euclidean";
        supcon.info.params = {temperature, similarity};
        supcon.build = [](const std::map<std::string, double>& params,
                          const std::map<std::string, std::string>& choices) -> LossFn {
            const double tau = params.at("temperature");
            const Similarity sim = similarityFromName(choices.at("similarity"));
            return [tau, sim](const torch::Tensor& h, const torch::Tensor& groups,
                              const torch::Tensor& ids) {
                return supconLoss(h, groups, ids, tau, sim);
            };
        };
        list.push_back(std::move(supcon));
        return list;
    }();
    return entries;
}

const LossEntry& findEntry(const std::string& name) {
    for (const auto& e : lossEntries())
        if (e.info.name == name)
            return e;
    std::string known;
    for (const auto& e : lossEntries())
        known += (known.empty() ? "" : ", ") + e.info.name;
    throw ConfigError("unknown loss '" + name + "' (known: " + known + ")");
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
        // sqrt'(0) is infinite: clamp so identical rows (the diagonal, duplicates) get a zero
        // gradient instead of NaN. Changes distances below 1e-6 only.
        return -squared.clamp_min(1e-12).sqrt();
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

torch::Tensor supconLoss(const torch::Tensor& z, const torch::Tensor& groups,
                         const torch::Tensor& ids, double temperature, Similarity similarity) {
    const auto logits = similarityMatrix(z, similarity) / temperature;
    // Rows sharing a sample id (the diagonal included) are no part of each other's terms.
    const auto valid = (ids.unsqueeze(1) == ids.unsqueeze(0)).logical_not();
    const auto positive = (groups.unsqueeze(1) == groups.unsqueeze(0)).logical_and(valid);
    const auto positiveCount = positive.sum(1);
    const auto hasPositive = positiveCount > 0;
    if (!hasPositive.any().item<bool>())
        return torch::full({}, std::numeric_limits<double>::quiet_NaN(), logits.options());

    const double negInf = -std::numeric_limits<double>::infinity();
    // Rows without positives are set to 0 so their log-sum-exp stays finite (and their
    // gradient zero); they are dropped from the mean below.
    const auto noPositiveRow = hasPositive.logical_not().unsqueeze(1);
    const auto denominator =
        logits.masked_fill(valid.logical_not(), negInf).masked_fill(noPositiveRow, 0.0);
    const auto numerator =
        logits.masked_fill(positive.logical_not(), negInf).masked_fill(noPositiveRow, 0.0);
    // log[(1/|P|) sum_p exp(s_ip)] - log[sum_j exp(s_ij)], in log space for stability.
    const auto logMeanPositive = torch::logsumexp(numerator, {1}) -
                                 positiveCount.clamp_min(1).to(logits.scalar_type()).log();
    const auto perRow = torch::logsumexp(denominator, {1}) - logMeanPositive;
    return perRow.masked_select(hasPositive).mean();
}

LossFn buildLoss(const std::string& name, std::map<std::string, double> params,
                 std::map<std::string, std::string> choices) {
    const LossEntry& entry = findEntry(name);
    for (const auto& spec : entry.info.params) {
        if (spec.type == ParamSpec::Type::Choice)
            choices.emplace(spec.key, spec.defaultChoice);
        else
            params.emplace(spec.key, spec.defaultValue);
    }
    return entry.build(params, choices);
}

} // namespace torchimpl

std::vector<ComponentInfo> lossRegistry() {
    std::vector<ComponentInfo> infos;
    for (const auto& e : torchimpl::lossEntries())
        infos.push_back(e.info);
    return infos;
}

const ComponentInfo& findLoss(const std::string& name) {
    return torchimpl::findEntry(name).info;
}

double supconLossValue(const std::vector<float>& z, std::size_t n, std::size_t d,
                       const std::vector<int>& groups, const std::vector<int64_t>& ids,
                       double temperature, const std::string& similarity) {
    if (n == 0 || d == 0 || z.size() != n * d)
        throw DataError("supcon: z holds " + std::to_string(z.size()) +
                        " values, expected n*d = " + std::to_string(n * d) + " (n and d > 0)");
    if (groups.size() != n || ids.size() != n)
        throw DataError("supcon: groups and ids need one entry per row (" + std::to_string(n) +
                        ")");
    if (!(temperature > 0))
        throw ConfigError("supcon: temperature must be > 0");
    const torchimpl::Similarity sim = torchimpl::similarityFromName(similarity);
    torch::NoGradGuard noGrad;
    // Double precision: this wrapper is the reference the tests compare hand computations to.
    const auto zt =
        torch::from_blob(const_cast<float*>(z.data()),
                         {static_cast<int64_t>(n), static_cast<int64_t>(d)}, torch::kFloat32)
            .to(torch::kFloat64);
    std::vector<int64_t> groups64(groups.begin(), groups.end());
    const auto gt = torch::tensor(groups64, torch::kInt64);
    const auto it = torch::tensor(ids, torch::kInt64);
    return torchimpl::supconLoss(zt, gt, it, temperature, sim).item<double>();
}

} // namespace embedscope
