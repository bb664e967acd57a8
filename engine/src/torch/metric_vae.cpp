// The metric-VAE of seed 003 (issue 5 "Model"): positive sampler, NT-Xent / triplet terms on
// μ, the hold-out filter. Every hyperparameter's use is spelled out in metric_vae.h.
#include "torch/metric_vae.h"

#include "embedscope/engine/error.h"
#include "param_specs.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace embedscope::torchimpl {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// |Δt| ≤ W is compared with this slack so that times written as decimals (0.1 + 0.2) match.
constexpr double kTimeSlack = 1e-9;

/// Codes of a column's values (text form), in order of first appearance.
std::vector<int> codesOf(const MetadataColumn& column) {
    std::map<std::string, int> codes;
    std::vector<int> out(column.size());
    for (std::size_t r = 0; r < out.size(); ++r)
        out[r] = codes.emplace(column.text(r), int(codes.size())).first->second;
    return out;
}

std::string columnList(const Dataset& data) {
    std::string s;
    for (const auto& c : data.metadata.columns())
        s += (s.empty() ? "" : ", ") + c.name;
    return s.empty() ? "none" : s;
}

/// Uniform pick among `rows[lo, hi)` that satisfy `accept`, else among the accepted rows
/// nearest in time outside that range (ties uniformly); kNone when no row is accepted.
template <class Accept>
std::size_t pickNear(const std::vector<std::size_t>& rows, std::size_t lo, std::size_t hi, double t,
                     const std::vector<double>& time, Accept accept, std::mt19937_64& rng) {
    if (hi > lo) {
        // Rejection keeps the draw uniform over the accepted rows and is O(1) when most are.
        std::uniform_int_distribution<std::size_t> pick(lo, hi - 1);
        for (int tries = 0; tries < 32; ++tries) {
            const std::size_t r = rows[pick(rng)];
            if (accept(r))
                return r;
        }
        std::vector<std::size_t> ok;
        for (std::size_t k = lo; k < hi; ++k)
            if (accept(rows[k]))
                ok.push_back(rows[k]);
        if (!ok.empty())
            return ok[std::uniform_int_distribution<std::size_t>(0, ok.size() - 1)(rng)];
    }
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t k = lo; k-- > 0;)
        if (accept(rows[k])) {
            best = std::min(best, t - time[rows[k]]);
            break;
        }
    for (std::size_t k = hi; k < rows.size(); ++k)
        if (accept(rows[k])) {
            best = std::min(best, time[rows[k]] - t);
            break;
        }
    if (!std::isfinite(best))
        return kNone;
    std::vector<std::size_t> ties;
    for (std::size_t r : rows)
        if (accept(r) && std::abs(std::abs(time[r] - t) - best) <= kTimeSlack)
            ties.push_back(r);
    return ties[std::uniform_int_distribution<std::size_t>(0, ties.size() - 1)(rng)];
}

} // namespace

ComponentInfo metricElboInfo() {
    ComponentInfo info;
    info.name = kMetricElboLoss;
    info.kind = "generative";
    info.description =
        "Metric-VAE (seed 003 lab note): the β-VAE ELBO (BCE/MSE + β·KLD, seed 001) plus "
        "metric_weight × a metric loss on μ (NT-Xent or triplet) between each of B anchors and "
        "a positive: another sample of its individual (probability self_target_prob) or of "
        "another individual with the same group and time; per sample over the 2B samples";
    using T = ParamSpec::Type;
    info.params = {
        specs::number("beta", T::Double, "β", "Weight of the KLD (seed 003 sweeps 0.1, 1, 10)", 1.0,
                      0.0, 1e4),
        specs::choice("recon", "Reconstruction",
                      "bce (images in [0, 1]), mse (signals), auto: bce for images, mse otherwise",
                      {"auto", "bce", "mse"}, "auto"),
        specs::choice("metric_loss_type", "Metric loss",
                      "nt-xent: SimCLR cross-entropy of cosine similarities / τ, the other 2B-2 "
                      "samples as negatives; triplet: max(0, d(a,p) - d(a,n) + margin), "
                      "Euclidean, one random non-positive negative per anchor",
                      {"nt-xent", "triplet"}, "nt-xent"),
        specs::number("metric_weight", T::Double, "Metric weight",
                      "Multiplies the metric term (seed 003 sweeps 10, 25, 50)", 25.0, 0.0, 1e6),
        specs::number("temperature", T::Double, "Temperature",
                      "τ of NT-Xent: cosine similarities are divided by it", 0.1, 1e-3, 100.0),
        specs::number("margin", T::Double, "Margin",
                      "Triplet margin m (seed 003 sweeps 0.1, 1, 2, 5)", 1.0, 0.0, 1e4),
        specs::number("self_target_prob", T::Double, "Self-target probability",
                      "Probability that a positive is another sample of the anchor's individual "
                      "(individual_column) rather than of another individual (seed 003: 0.25, "
                      "0.5)",
                      0.5, 0.0, 1.0),
        specs::number("time_only_flag", T::Bool, "Time only",
                      "Other-individual positives by time only, any group (else the same "
                      "group_column value is required)",
                      0, 0, 1),
        specs::number("time_window", T::Double, "Time window",
                      "Largest |Δtime| of a positive, in time_column units; 0 = the same time, "
                      "the nearest time when no sample has it",
                      0.0, 0.0, 1e9),
    };
    return info;
}

bool usesMetricLoss(const TrainConfig& cfg) {
    return cfg.loss == kMetricElboLoss;
}

MetricSpec metricSpecOf(const TrainConfig& cfg) {
    MetricSpec s;
    const auto number = [&](const char* key, double fallback) {
        const auto it = cfg.lossParams.find(key);
        return it == cfg.lossParams.end() ? fallback : it->second;
    };
    const auto it = cfg.lossChoices.find("metric_loss_type");
    if (it != cfg.lossChoices.end())
        s.type = it->second;
    if (s.type != "nt-xent" && s.type != "triplet")
        throw ConfigError("loss_params.metric_loss_type must be nt-xent or triplet, got '" +
                          s.type + "'");
    s.weight = number("metric_weight", s.weight);
    s.temperature = number("temperature", s.temperature);
    s.margin = number("margin", s.margin);
    s.selfTargetProb = number("self_target_prob", s.selfTargetProb);
    s.timeOnly = number("time_only_flag", 0) != 0;
    s.timeWindow = number("time_window", s.timeWindow);
    return s;
}

PositiveTable positiveTableOf(const Dataset& data, const TrainConfig& cfg, const MetricSpec& spec) {
    const std::string origin = "dataset '" + data.name + "'";
    const std::size_t n = data.sampleCount();
    PositiveTable t;
    if (cfg.timeColumn.empty() || !data.metadata.has(cfg.timeColumn))
        throw DataError(origin +
                        ": loss 'metric-elbo' pairs samples by time but there is no "
                        "metadata column '" +
                        cfg.timeColumn + "' (config key time_column; columns: " + columnList(data) +
                        ")");
    const MetadataColumn& time = data.metadata.column(cfg.timeColumn);
    t.time.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
        double v = std::numeric_limits<double>::quiet_NaN();
        if (time.numeric) {
            v = time.numbers[r];
        } else {
            const std::string& s = time.strings[r];
            char* end = nullptr;
            v = std::strtod(s.c_str(), &end);
            if (s.empty() || end != s.c_str() + s.size())
                v = std::numeric_limits<double>::quiet_NaN();
        }
        if (!std::isfinite(v))
            throw DataError(origin + ": time column '" + cfg.timeColumn + "', row " +
                            std::to_string(r) + " is '" + time.text(r) +
                            "'; metric-elbo needs a finite number in every row");
        t.time[r] = v;
    }
    if (spec.timeOnly) {
        t.group.assign(n, 0);
    } else {
        if (!data.metadata.has(cfg.groupColumn))
            throw DataError(origin +
                            ": loss 'metric-elbo' pairs samples of the same group but "
                            "there is no metadata column '" +
                            cfg.groupColumn + "' (config key group_column, or set " +
                            "loss_params.time_only_flag = 1; columns: " + columnList(data) + ")");
        t.group = codesOf(data.metadata.column(cfg.groupColumn));
    }
    if (!cfg.individualColumn.empty() && data.metadata.has(cfg.individualColumn)) {
        t.individual = codesOf(data.metadata.column(cfg.individualColumn));
    } else { // no individuals: every sample is its own
        t.individual.resize(n);
        for (std::size_t r = 0; r < n; ++r)
            t.individual[r] = int(r);
    }
    return t;
}

PositiveSampler::PositiveSampler(PositiveTable table, const std::vector<std::size_t>& rows,
                                 const MetricSpec& spec)
    : table_(std::move(table)), spec_(spec) {
    for (std::size_t r : rows) {
        if (r >= table_.time.size())
            throw DataError("metric-elbo sampler: row " + std::to_string(r) + " is out of range (" +
                            std::to_string(table_.time.size()) + " rows)");
        byIndividual_[table_.individual[r]].push_back(r);
        byGroup_[spec_.timeOnly ? 0 : table_.group[r]].push_back(r);
    }
    const auto byTime = [this](std::size_t a, std::size_t b) {
        return table_.time[a] < table_.time[b] || (table_.time[a] == table_.time[b] && a < b);
    };
    for (auto* index : {&byIndividual_, &byGroup_})
        for (auto& [key, members] : *index)
            std::sort(members.begin(), members.end(), byTime);
}

bool PositiveSampler::withinWindow(double a, double b) const {
    return std::abs(a - b) <= spec_.timeWindow + kTimeSlack;
}

bool PositiveSampler::related(std::size_t a, std::size_t b) const {
    if (a == b || table_.individual[a] == table_.individual[b])
        return true;
    return (spec_.timeOnly || table_.group[a] == table_.group[b]) &&
           withinWindow(table_.time[a], table_.time[b]);
}

namespace {
/// [lo, hi) of the rows (sorted by time) with |time - t| ≤ window.
std::pair<std::size_t, std::size_t> windowRange(const std::vector<std::size_t>& rows,
                                                const std::vector<double>& time, double t,
                                                double window) {
    const auto lo = std::lower_bound(rows.begin(), rows.end(), t - window - kTimeSlack,
                                     [&](std::size_t r, double v) { return time[r] < v; });
    const auto hi = std::upper_bound(rows.begin(), rows.end(), t + window + kTimeSlack,
                                     [&](double v, std::size_t r) { return v < time[r]; });
    return {std::size_t(lo - rows.begin()), std::size_t(hi - rows.begin())};
}
} // namespace

std::size_t PositiveSampler::selfPositive(std::size_t anchor, std::mt19937_64& rng) const {
    const auto found = byIndividual_.find(table_.individual[anchor]);
    if (found == byIndividual_.end() || found->second.size() < 2)
        return anchor;
    const auto& rows = found->second;
    const double t = table_.time[anchor];
    const auto [lo, hi] = windowRange(rows, table_.time, t, spec_.timeWindow);
    const std::size_t r = pickNear(
        rows, lo, hi, t, table_.time, [anchor](std::size_t c) { return c != anchor; }, rng);
    return r == kNone ? anchor : r;
}

std::size_t PositiveSampler::otherPositive(std::size_t anchor, std::mt19937_64& rng) const {
    const auto found = byGroup_.find(spec_.timeOnly ? 0 : table_.group[anchor]);
    if (found == byGroup_.end())
        return kNone;
    const auto& rows = found->second;
    const double t = table_.time[anchor];
    const int individual = table_.individual[anchor];
    const auto [lo, hi] = windowRange(rows, table_.time, t, spec_.timeWindow);
    return pickNear(
        rows, lo, hi, t, table_.time,
        [&](std::size_t c) { return table_.individual[c] != individual; }, rng);
}

std::size_t PositiveSampler::positiveFor(std::size_t anchor, std::mt19937_64& rng) const {
    // u < p: p = 0 never takes the self branch, p = 1 always does.
    if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < spec_.selfTargetProb)
        return selfPositive(anchor, rng);
    const std::size_t other = otherPositive(anchor, rng);
    return other == kNone ? selfPositive(anchor, rng) : other;
}

std::vector<std::size_t> PositiveSampler::pairBatch(const std::vector<std::size_t>& anchors,
                                                    std::mt19937_64& rng) const {
    std::vector<std::size_t> rows = anchors;
    rows.reserve(2 * anchors.size());
    for (std::size_t a : anchors)
        rows.push_back(positiveFor(a, rng));
    return rows;
}

torch::Tensor ntXentMetric(const torch::Tensor& mu, double temperature) {
    const int64_t n = mu.size(0), b = n / 2;
    const auto z = torch::nn::functional::normalize(
        mu, torch::nn::functional::NormalizeFuncOptions().dim(1).eps(1e-12));
    const auto self = torch::eye(n, torch::TensorOptions().dtype(torch::kBool).device(mu.device()));
    // Row i's own similarity is left out of the denominator (Σ over k ≠ i).
    const auto logits = (torch::matmul(z, z.t()) / temperature)
                            .masked_fill(self, -std::numeric_limits<double>::infinity());
    const auto partner =
        torch::cat({torch::arange(b, n), torch::arange(0, b)}).to(mu.device(), torch::kLong);
    return torch::nn::functional::cross_entropy(logits, partner);
}

torch::Tensor tripletMetric(const torch::Tensor& mu, const std::vector<uint8_t>& related,
                            double margin, std::mt19937_64& rng) {
    const std::size_t n = std::size_t(mu.size(0)), b = n / 2;
    std::vector<int64_t> anchors, positives, negatives;
    std::vector<int64_t> candidates;
    for (std::size_t a = 0; a < b; ++a) {
        candidates.clear();
        for (std::size_t j = 0; j < n; ++j)
            if (j != a && j != a + b && !related[a * n + j])
                candidates.push_back(int64_t(j));
        if (candidates.empty())
            continue;
        anchors.push_back(int64_t(a));
        positives.push_back(int64_t(a + b));
        negatives.push_back(
            candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng)]);
    }
    if (anchors.empty()) // no negative anywhere: no term, but keep the graph for backward()
        return (mu * 0).sum();
    const auto index = [&](const std::vector<int64_t>& v) {
        return mu.index_select(0, torch::tensor(v, torch::kLong).to(mu.device()));
    };
    const auto A = index(anchors), P = index(positives), N = index(negatives);
    // The 1e-12 keeps the gradient finite when a positive is the anchor itself (d = 0).
    const auto dist = [](const torch::Tensor& x, const torch::Tensor& y) {
        return ((x - y).pow(2).sum(1) + 1e-12).sqrt();
    };
    return torch::relu(dist(A, P) - dist(A, N) + margin).mean();
}

torch::Tensor metricTerm(const torch::Tensor& mu, const std::vector<std::size_t>& rows,
                         const PositiveSampler& sampler, const MetricSpec& spec,
                         std::mt19937_64& rng) {
    if (spec.type == "nt-xent")
        return ntXentMetric(mu, spec.temperature);
    const std::size_t n = rows.size();
    std::vector<uint8_t> related(n * n, 0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            related[i * n + j] = sampler.related(rows[i], rows[j]) ? 1 : 0;
    return tripletMetric(mu, related, spec.margin, rng);
}

double metricTermValue(const std::vector<double>& z, std::size_t n, std::size_t d,
                       const MetricSpec& spec, const std::vector<int>& groups,
                       const std::vector<int64_t>& ids, uint64_t seed,
                       std::vector<double>* gradient) {
    if (n < 2 || n % 2 != 0 || d == 0 || z.size() != n * d)
        throw DataError("metric-elbo: z must hold n x d values with n even (anchors, then their "
                        "positives) and d > 0; got " +
                        std::to_string(z.size()) + " values for n = " + std::to_string(n) +
                        ", d = " + std::to_string(d));
    if (groups.size() != n || ids.size() != n)
        throw DataError("metric-elbo: groups and ids need one entry per row (" + std::to_string(n) +
                        ")");
    auto zt = torch::tensor(z, torch::kFloat64)
                  .reshape({int64_t(n), int64_t(d)})
                  .requires_grad_(gradient != nullptr);
    torch::Tensor value;
    if (spec.type == "nt-xent") {
        value = ntXentMetric(zt, spec.temperature);
    } else {
        std::vector<uint8_t> related(n * n, 0);
        bool any = false;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                related[i * n + j] = i == j || groups[i] == groups[j] || ids[i] == ids[j];
                any = any || (i < n / 2 && j != i + n / 2 && !related[i * n + j]);
            }
        if (!any) {
            if (gradient)
                gradient->assign(n * d, 0.0);
            return std::numeric_limits<double>::quiet_NaN();
        }
        std::mt19937_64 rng(seed);
        value = tripletMetric(zt, related, spec.margin, rng);
    }
    if (gradient) {
        value.backward();
        const auto g = zt.grad().contiguous();
        gradient->assign(g.data_ptr<double>(), g.data_ptr<double>() + g.numel());
    }
    return value.item<double>();
}

std::vector<std::size_t> withoutHeldOut(const Dataset& data, const TrainConfig& cfg,
                                        const std::vector<std::size_t>& rows) {
    if (cfg.holdout.empty())
        return rows;
    const std::string origin = "dataset '" + data.name + "'";
    if (!data.metadata.has(cfg.groupColumn))
        throw DataError(origin + ": 'holdout' names values of the group column '" +
                        cfg.groupColumn +
                        "', which the data does not have (columns: " + columnList(data) + ")");
    const MetadataColumn& column = data.metadata.column(cfg.groupColumn);
    std::set<std::string> present;
    for (std::size_t r = 0; r < column.size(); ++r)
        present.insert(column.text(r));
    for (const auto& value : cfg.holdout)
        if (!present.count(value)) {
            std::string known;
            for (const auto& p : present)
                if (known.size() < 200)
                    known += (known.empty() ? "" : ", ") + p;
            throw DataError(origin + ": holdout value '" + value + "' does not occur in column '" +
                            cfg.groupColumn + "' (values: " + known + ")");
        }
    const std::set<std::string> held(cfg.holdout.begin(), cfg.holdout.end());
    std::vector<std::size_t> kept;
    for (std::size_t r : rows)
        if (!held.count(column.text(r)))
            kept.push_back(r);
    return kept;
}

} // namespace embedscope::torchimpl
