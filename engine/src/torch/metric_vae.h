#pragma once
// Private: the metric-VAE of seed 003 (lab note "MorphSeq Param Sweep with Splines", issue 5
// "Model"): a β-VAE whose latent μ also carries a metric loss between samples of the same
// perturbation and time. The positive sampler and the hold-out filter are torch-free; the
// metric terms take tensors (declared with a forward declaration so the sampler can be tested
// without torch).
//
// Loss "metric-elbo", loss_params (the note's sweep in brackets):
//   recon             auto | bce | mse: the reconstruction term, as in "elbo" (auto: bce for
//                     images, mse otherwise), summed over the values of a sample.
//   beta              β (default 1) [0.1, 1, 10]: weight of the KLD of seed 001 eq 3.4 (z is
//                     sampled with the reparametrisation trick while training).
//   metric_loss_type  nt-xent (default) | triplet: the metric term on μ of the 2B samples of a
//                     batch (B anchors, then their B positives in the same order).
//                     nt-xent: SimCLR form, s_ij = cos(μ_i, μ_j) / temperature; each of the 2B
//                     rows has its partner as the positive and the other 2B − 2 rows as
//                     negatives: −log(exp s_ip / Σ_{k≠i} exp s_ik), averaged over the 2B rows.
//                     triplet: Euclidean d on μ; for each anchor one negative drawn uniformly
//                     from the batch rows that are not positives of it (see "related" below);
//                     max(0, d(a,p) − d(a,n) + margin) averaged over the anchors that have a
//                     negative (0 when none has).
//   metric_weight     w (default 25) [10, 25, 50]: multiplies the metric term.
//   temperature       τ of nt-xent (default 0.1); unused by triplet.
//   margin            m of triplet (default 1) [0.1, 1, 2, 5]; unused by nt-xent.
//   self_target_prob  p (default 0.5) [0.25, 0.5]: probability that an anchor's positive is
//                     another sample of the same individual (individual_column) rather than a
//                     sample of another individual.
//   time_only_flag    0 (default): the other-individual positive must share the anchor's group
//                     (group_column, e.g. the perturbation); 1: any group (positives by time
//                     only).
//   time_window       W (default 0, in the units of time_column): a positive is within
//                     |Δtime| ≤ W of its anchor. 0 = the same time value; when no sample
//                     qualifies, the nearest in time is taken (so W = 0 also serves continuous
//                     times: the neighbouring frame of the same individual).
// Loss per sample: recon + β·KLD + w·metric, where recon and KLD are means over the 2B samples
// of the batch (anchors and positives both reconstructed) and metric is the mean above.
//
// Positive of an anchor a (time t_a), drawn with the trainer's generator:
//   with probability p ("self"): a uniformly random other sample of a's individual with
//     |Δt| ≤ W; none: the individual's other sample(s) nearest in time (ties uniformly);
//     an individual with no other sample, or data without the individual column: a itself.
//   otherwise ("other"): a uniformly random sample of another individual with the same group
//     (any group with time_only_flag) and |Δt| ≤ W; none: the nearest in time among those
//     individuals' samples; no other individual at all: the "self" rule.
// "related" (excluded as triplet negatives): the same sample, the same individual, the
//   anchor's own positive, or the same group (any group with time_only_flag) within |Δt| ≤ W.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace embedscope::torchimpl {

inline constexpr const char* kMetricElboLoss = "metric-elbo";

struct MetricSpec {
    std::string type = "nt-xent"; ///< nt-xent | triplet
    double weight = 25;
    double temperature = 0.1;
    double margin = 1;
    double selfTargetProb = 0.5;
    bool timeOnly = false;
    double timeWindow = 0;
};

/// The registry entry of "metric-elbo" (kind "generative").
ComponentInfo metricElboInfo();
bool usesMetricLoss(const TrainConfig& cfg);
/// The metric params of a config; missing keys take the registry defaults.
MetricSpec metricSpecOf(const TrainConfig& cfg);

/// Per data row: what the sampler matches on.
struct PositiveTable {
    std::vector<int> group;      ///< code of the group value (all 0 when not read)
    std::vector<int> individual; ///< code of the individual (the row itself when none)
    std::vector<double> time;
};

/// Reads cfg.timeColumn (numbers, or text that parses as numbers; required), cfg.groupColumn
/// (required unless spec.timeOnly) and cfg.individualColumn (optional). Throws DataError naming
/// the data set, the column and the first bad row, and the config key to change.
PositiveTable positiveTableOf(const Dataset& data, const TrainConfig& cfg, const MetricSpec& spec);

/// The positive rule above over a fixed set of rows (train or val): positives are drawn only
/// from these rows.
class PositiveSampler {
public:
    PositiveSampler(PositiveTable table, const std::vector<std::size_t>& rows,
                    const MetricSpec& spec);

    std::size_t positiveFor(std::size_t anchor, std::mt19937_64& rng) const;
    /// The anchors, then the positive of each in the same order (2B rows).
    std::vector<std::size_t> pairBatch(const std::vector<std::size_t>& anchors,
                                       std::mt19937_64& rng) const;
    /// True when b may not serve as a negative of a (see "related" above).
    bool related(std::size_t a, std::size_t b) const;
    const PositiveTable& table() const { return table_; }

private:
    std::size_t selfPositive(std::size_t anchor, std::mt19937_64& rng) const;
    std::size_t otherPositive(std::size_t anchor, std::mt19937_64& rng) const;
    bool withinWindow(double a, double b) const;

    PositiveTable table_;
    MetricSpec spec_;
    std::map<int, std::vector<std::size_t>> byIndividual_; ///< rows sorted by time
    std::map<int, std::vector<std::size_t>> byGroup_;      ///< rows sorted by time
};

/// NT-Xent (SimCLR form) of μ (2B, D) laid out anchors then positives; a 0-d tensor.
at::Tensor ntXentMetric(const at::Tensor& mu, double temperature);
/// Triplet term of μ (2B, D): `related` is the 2B x 2B row-major mask of rows that may not be
/// an anchor's negative (the trainer adds the anchor and its positive); negatives are drawn
/// with `rng`.
at::Tensor tripletMetric(const at::Tensor& mu, const std::vector<uint8_t>& related, double margin,
                         std::mt19937_64& rng);
/// The metric term of a batch whose rows (anchors then positives) are data rows.
at::Tensor metricTerm(const at::Tensor& mu, const std::vector<std::size_t>& rows,
                      const PositiveSampler& sampler, const MetricSpec& spec, std::mt19937_64& rng);

/// The metric term on plain values (lossValue "metric-elbo"), in double precision: z is n x d
/// (n even, anchors then positives); for the triplet rows with equal `groups` or equal `ids`
/// are related. NaN when the triplet finds no negative. `gradient`: d term / d z when given.
double metricTermValue(const std::vector<double>& z, std::size_t n, std::size_t d,
                       const MetricSpec& spec, const std::vector<int>& groups,
                       const std::vector<int64_t>& ids, uint64_t seed,
                       std::vector<double>* gradient = nullptr);

/// Seed 003 "hld" instances: `rows` without those whose cfg.groupColumn value is listed in
/// cfg.holdout. Throws DataError when the column is missing or a listed value occurs in no row
/// of the data set (naming the value and the column).
std::vector<std::size_t> withoutHeldOut(const Dataset& data, const TrainConfig& cfg,
                                        const std::vector<std::size_t>& rows);

} // namespace embedscope::torchimpl
