// Loss registry (names, params, GUI form specs) and the public loss wrappers on plain matrices.
// Adding a loss = one LossEntry in lossEntries(); the math is in losses.cpp.
#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"
#include "param_specs.h"
#include "torch/cell_model.h"
#include "torch/generative_models.h"
#include "torch/losses.h"
#include "torch/metric_vae.h"

#include <cmath>
#include <limits>

namespace embedscope {
namespace torchimpl {
namespace {

using Params = std::map<std::string, double>;
using Choices = std::map<std::string, std::string>;
using LossBuilder = std::function<Loss(const Params&, const Choices&)>;

struct LossEntry {
    ComponentInfo info;
    LossBuilder build;
};

ParamSpec numberParam(const std::string& key, const std::string& label, const std::string& help,
                      double value, double lo, double hi) {
    ParamSpec p;
    p.key = key;
    p.type = ParamSpec::Type::Double;
    p.label = label;
    p.help = help;
    p.defaultValue = value;
    p.minValue = lo;
    p.maxValue = hi;
    return p;
}

ParamSpec temperatureParam(double value) {
    return numberParam("temperature", "Temperature", "tau: similarities are divided by it", value,
                       1e-3, 100.0);
}

ParamSpec similarityParam(const std::string& value) {
    return specs::choice("similarity", "Similarity",
                         "euclidean: -||zi-zj||2 (seed default), manhattan: -||zi-zj||1, cosine: "
                         "zi.zj/(||zi|| ||zj|| + 1e-9); margin losses use the distance -sim "
                         "(1 - sim for cosine)",
                         {"euclidean", "manhattan", "cosine"}, value);
}

ParamSpec marginParam(const std::string& help) {
    return numberParam("margin", "Margin", help, 1.0, 1e-6, 1e4);
}

LossEntry supconEntry() {
    LossEntry e;
    e.info.name = "supcon";
    e.info.kind = "contrastive";
    e.info.description =
        "Supervised contrastive loss (SPEC S0, seed eq. 3.1): positives are the other samples "
        "of the anchor's group in the batch; per-sample mean.";
    ParamSpec semi;
    semi.key = "semi_positive";
    semi.type = ParamSpec::Type::Bool;
    semi.label = "Semi-positives";
    semi.help = "Seed §4.4.3: same substance at another dose counts as a positive weighted "
                "1 - |di - dp|/(di + dp) (eqs 4.4-4.5); needs metadata columns substance and dose";
    semi.defaultValue = 0;
    semi.minValue = 0;
    semi.maxValue = 1;
    e.info.params = {temperatureParam(1.0), similarityParam("euclidean"), semi};
    e.build = [](const Params& params, const Choices& choices) {
        const double tau = params.at("temperature");
        const Similarity sim = similarityFromName(choices.at("similarity"));
        const bool semiPositive = params.at("semi_positive") != 0;
        Loss loss;
        loss.needsSubstanceAndDose = semiPositive;
        loss.fn = [tau, sim, semiPositive](const torch::Tensor& h, const BatchLabels& labels) {
            return supconLoss(h, labels, tau, sim, semiPositive);
        };
        return loss;
    };
    return e;
}

LossEntry tripletEntry() {
    LossEntry e;
    e.info.name = "triplet";
    e.info.kind = "contrastive";
    e.info.description =
        "Triplet margin loss (seed eq. 4.7, §4.4.5): every sample is an anchor with its hardest "
        "positive in the batch and one negative; mean over anchors.";
    e.info.params = {
        marginParam("m in max(0, d(a,p) - d(a,n) + m); the seed tried 0.1, 1 and 10"),
        specs::choice("negatives", "Negatives",
                      "random: any other group; random-hard: random among d(a,n) - d(a,p) < m; "
                      "hardest: the closest negative (the seed saw it collapse to loss = m)",
                      {"random", "random-hard", "hardest"}, "random-hard"),
        similarityParam("euclidean")};
    e.build = [](const Params& params, const Choices& choices) {
        const double margin = params.at("margin");
        const NegativeSampling negatives = negativeSamplingFromName(choices.at("negatives"));
        const Similarity sim = similarityFromName(choices.at("similarity"));
        Loss loss;
        loss.fn = [=](const torch::Tensor& h, const BatchLabels& labels) {
            return tripletLoss(h, labels, margin, negatives, sim);
        };
        return loss;
    };
    return e;
}

LossEntry pairEntry() {
    LossEntry e;
    e.info.name = "pair";
    e.info.kind = "contrastive";
    e.info.description =
        "Pair loss of Hadsell, Chopra & LeCun (seed eqs 2.5-2.6): 1/2 d^2 for positive pairs, "
        "1/2 max(0, m - d)^2 for negative ones; mean over the pairs of the batch.";
    e.info.params = {marginParam("m: negative pairs farther apart than m add nothing"),
                     similarityParam("euclidean")};
    e.build = [](const Params& params, const Choices& choices) {
        const double margin = params.at("margin");
        const Similarity sim = similarityFromName(choices.at("similarity"));
        Loss loss;
        loss.fn = [=](const torch::Tensor& h, const BatchLabels& labels) {
            return pairLoss(h, labels, margin, sim);
        };
        return loss;
    };
    return e;
}

LossEntry ntXentEntry() {
    LossEntry e;
    e.info.name = "ntxent";
    e.info.kind = "contrastive";
    e.info.description =
        "NT-Xent (SimCLR, seed eq. 2.9): the positive of a sample is only the one it was paired "
        "with by the sampler; every other sample of the batch is a negative; mean over samples.";
    // Eq. 2.9 uses cosine similarity; tau 0.5 is SimCLR's default (the seed gives none).
    e.info.params = {temperatureParam(0.5), similarityParam("cosine")};
    e.build = [](const Params& params, const Choices& choices) {
        const double tau = params.at("temperature");
        const Similarity sim = similarityFromName(choices.at("similarity"));
        Loss loss;
        loss.fn = [=](const torch::Tensor& h, const BatchLabels& labels) {
            return ntXentLoss(h, labels, tau, sim);
        };
        return loss;
    };
    return e;
}

const std::vector<LossEntry>& lossEntries() {
    static const std::vector<LossEntry> entries = {supconEntry(), tripletEntry(), pairEntry(),
                                                   ntXentEntry()};
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

Loss buildLoss(const std::string& name, Params params, Choices choices) {
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
    for (auto& info : torchimpl::generativeLossInfos())
        infos.push_back(std::move(info));
    for (auto& info : torchimpl::cellLossInfos())
        infos.push_back(std::move(info));
    return infos;
}

const ComponentInfo& findLoss(const std::string& name) {
    if (const ComponentInfo* generative = torchimpl::findGenerativeLoss(name))
        return *generative;
    if (const ComponentInfo* cell = torchimpl::findCellLoss(name))
        return *cell;
    try {
        return torchimpl::findEntry(name).info;
    } catch (const ConfigError&) {
        std::string known;
        for (const auto& info : lossRegistry())
            known += (known.empty() ? "" : ", ") + info.name;
        throw ConfigError("unknown loss '" + name + "' (known: " + known + ")");
    }
}

double semiPositiveWeight(double doseA, double doseB) {
    if (!(doseA >= 0) || !(doseB >= 0))
        throw DataError("semi-positive weight: doses must be >= 0, got " + std::to_string(doseA) +
                        " and " + std::to_string(doseB));
    if (doseA == 0 && doseB == 0)
        return 1.0; // seed eq. 4.5
    return 1.0 - std::abs(doseA - doseB) / (doseA + doseB);
}

double lossValue(const std::string& loss, const std::map<std::string, double>& params,
                 const std::map<std::string, std::string>& choices, const std::vector<double>& z,
                 std::size_t n, std::size_t d, const LossLabels& labels,
                 std::vector<double>* gradient, uint64_t seed) {
    const ComponentInfo& info = findLoss(loss);
    for (const auto& [key, value] : params) {
        const ParamSpec* spec = nullptr;
        for (const auto& p : info.params)
            if (p.key == key && p.type != ParamSpec::Type::Choice)
                spec = &p;
        if (!spec)
            throw ConfigError(loss + ": unknown numeric param '" + key + "'");
        if (!(value >= spec->minValue && value <= spec->maxValue))
            throw ConfigError(loss + ": '" + key + "' must be in [" +
                              std::to_string(spec->minValue) + ", " +
                              std::to_string(spec->maxValue) + "]");
    }
    if (loss == torchimpl::kMetricElboLoss) {
        // The metric term alone (not weighted): rows are anchors then positives, and for the
        // triplet equal groups or ids mark rows that may not be negatives (metric_vae.h).
        TrainConfig cfg;
        cfg.loss = loss;
        cfg.lossParams = params;
        cfg.lossChoices = choices;
        return torchimpl::metricTermValue(z, n, d, torchimpl::metricSpecOf(cfg), labels.groups,
                                          labels.ids, seed, gradient);
    }
    if (n == 0 || d == 0 || z.size() != n * d)
        throw DataError(loss + ": z holds " + std::to_string(z.size()) +
                        " values, expected n*d = " + std::to_string(n * d) + " (n and d > 0)");
    if (labels.groups.size() != n || labels.ids.size() != n)
        throw DataError(loss + ": groups and ids need one entry per row (" + std::to_string(n) +
                        ")");
    const torchimpl::Loss built = torchimpl::buildLoss(loss, params, choices);
    torchimpl::BatchLabels batch;
    batch.groups = torch::tensor(std::vector<int64_t>(labels.groups.begin(), labels.groups.end()),
                                 torch::kInt64);
    batch.ids = torch::tensor(labels.ids, torch::kInt64);
    if (built.needsSubstanceAndDose) {
        if (labels.substances.size() != n || labels.doses.size() != n)
            throw DataError(loss + ": semi-positives need one substance and one dose per row (" +
                            std::to_string(n) + ")");
        for (double dose : labels.doses)
            if (!(dose >= 0) || !std::isfinite(dose))
                throw DataError(loss + ": doses must be finite and >= 0, got " +
                                std::to_string(dose));
        batch.substances =
            torch::tensor(std::vector<int64_t>(labels.substances.begin(), labels.substances.end()),
                          torch::kInt64);
        batch.doses = torch::tensor(labels.doses, torch::kFloat64);
    }
    // Double precision: this wrapper is the reference the tests compare hand computations to.
    auto zt = torch::tensor(z, torch::kFloat64)
                  .reshape({static_cast<int64_t>(n), static_cast<int64_t>(d)})
                  .requires_grad_(gradient != nullptr);
    // The triplet's random negatives come from the global generator: seed it for this call.
    torch::manual_seed(seed);
    const torch::Tensor value = built.fn(zt, batch);
    if (!value.defined()) {
        if (gradient)
            gradient->assign(n * d, 0.0);
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (gradient) {
        value.backward();
        const auto g = zt.grad().contiguous();
        gradient->assign(g.data_ptr<double>(), g.data_ptr<double>() + g.numel());
    }
    return value.item<double>();
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
    const auto zt =
        torch::from_blob(const_cast<float*>(z.data()),
                         {static_cast<int64_t>(n), static_cast<int64_t>(d)}, torch::kFloat32)
            .to(torch::kFloat64);
    torchimpl::BatchLabels labels;
    labels.groups =
        torch::tensor(std::vector<int64_t>(groups.begin(), groups.end()), torch::kInt64);
    labels.ids = torch::tensor(ids, torch::kInt64);
    const auto value = torchimpl::supconLoss(zt, labels, temperature, sim);
    return value.defined() ? value.item<double>() : std::numeric_limits<double>::quiet_NaN();
}

} // namespace embedscope
