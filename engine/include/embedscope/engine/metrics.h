#pragma once
// Evaluation metrics of an embedding (seed 000 §3.4, SPEC S0 "Metrics"): WSS-TSS, group-average
// WSS-TSS ("dispersion"), %PNN@3, dose response DR, Davies-Bouldin and the classifier micro-F1,
// plus the mean / σ / μ ± 2σ summary of repeated runs (Table 4.2). Eigen only; the classifier
// is implemented with torch in engine/src/torch/classifier.cpp, no torch types here.
#include "embedscope/engine/job.h"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace embedscope {

/// Per-row labels of an embedding matrix (one entry per row of the matrix).
struct MetricLabels {
    /// Group of each row (seed §3.4: same substances and doses). Required.
    std::vector<std::string> group;
    /// Primary substance and its numeric dose; dose 0 = no primary substance (control, or
    /// secondary-only when a secondary is present). Required for DR only.
    std::vector<std::string> substance;
    std::vector<double> dose;
    /// Optional (empty vectors = single-substance data). A row has a secondary substance when its
    /// name is non-empty and (when secondaryDose is given) its secondary dose is > 0.
    std::vector<std::string> secondarySubstance;
    std::vector<double> secondaryDose;
    /// Optional classifier labels (seed §3.4.5 "Indication"). Rows whose label is empty or in
    /// ClassifierOptions::ignoredLabels take no part in the classifier.
    std::vector<std::string> indication;
};

/// Options of the MLP classifier (seed §3.4.5).
struct ClassifierOptions {
    int hidden = 100;           ///< one hidden layer, ReLU
    int epochs = 200;           ///< fixed, no early stopping
    double learningRate = 1e-3; ///< Adam
    int batchSize = 200;        ///< mini-batch, min(200, n) (the seed does not say; see .cpp)
    double testFraction = 0.25; ///< own trajectory-level stratified split (seed §3.4.7)
    uint64_t seed = 1;          ///< split, initial weights and batch order
    std::vector<std::string> ignoredLabels{"other"}; ///< seed §3.4.5 excludes "other"
};

struct ClassifierResult {
    double f1Micro = std::numeric_limits<double>::quiet_NaN();
    std::size_t trainRows = 0;
    std::size_t testRows = 0;
    std::size_t classes = 0;
};

/// Trains the classifier on a stratified part of the labelled rows and returns the micro-F1 on
/// the rest. Deterministic for a seed (and a fixed torch thread count). Throws DataError for
/// mismatched lengths, NaN/Inf, fewer than two classes or too few labelled rows; CancelledError.
ClassifierResult classifierF1(const Eigen::MatrixXd& features,
                              const std::vector<std::string>& labels,
                              const ClassifierOptions& options, const JobContext& ctx);

/// Which metrics computeMetrics evaluates. Key names: wss_tss, ga_wss_tss, pnn3, dr,
/// davies_bouldin, f1_micro.
struct MetricOptions {
    bool wssTss = true;
    bool gaWssTss = true;
    bool pnn = true;
    bool doseResponse = true; ///< needs substance/dose labels and a control group
    bool daviesBouldin = true;
    bool f1 = false; ///< needs indication labels
    int pnnNeighbours = 3;
    ClassifierOptions classifier;
};

/// Parses a comma-separated list of key names (e.g. "wss_tss,pnn3"): only those are enabled.
/// Throws ConfigError naming an unknown key and listing the known ones.
MetricOptions parseMetricList(const std::string& list);
/// The key names in output order.
const std::vector<std::string>& metricKeys();

struct MetricValues {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double wssTss = kNaN;
    double gaWssTss = kNaN;
    double pnn = kNaN; ///< percent, 0..100
    double doseResponse = kNaN;
    double daviesBouldin = kNaN; ///< +inf when two group centroids coincide
    double f1Micro = kNaN;
    std::size_t nSamples = 0;
    std::size_t nGroups = 0;
    /// The metrics that were computed, as (key, value) in metricKeys() order.
    std::vector<std::pair<std::string, double>> named() const;
};

/// Computes the enabled metrics on `embedding` (n × d, rows = samples, already PCA'd by the
/// caller: see projectForMetrics). The classifier sees `classifierInput` when given (seed
/// §3.4.5: the representation itself, of its own dimension), else `embedding`.
/// Throws DataError (naming what) for fewer than two groups, NaN/Inf, label vectors whose
/// length differs from the rows, missing labels an enabled metric needs, no control for DR;
/// CancelledError.
MetricValues computeMetrics(const Eigen::MatrixXd& embedding, const MetricLabels& labels,
                            const MetricOptions& options, const JobContext& ctx,
                            const Eigen::MatrixXd* classifierInput = nullptr);

/// Seed §3.4.7: PCA to K components (K = 10 in §4.1, capped at the column count) fitted on the
/// rows marked in `fitRows` (train + val), then every row projected. Throws DataError for
/// fewer than 2 fit rows, NaN/Inf or a `fitRows` of the wrong length.
Eigen::MatrixXd projectForMetrics(const Eigen::MatrixXd& embedding,
                                  const std::vector<bool>& fitRows, int k = 10);

// ---- the single metrics (exposed for tests and for callers that need only one) ------------

/// Dense group index per row (0..G-1, in order of first appearance) and the group count.
std::vector<int> groupIndices(const std::vector<std::string>& group, int* groupCount);
/// Eq 3.5: Σ_g WSS_g / TSS. NaN when TSS = 0.
double wssTssRatio(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount);
/// Eq 3.6, mean form: (1/|G|) Σ_g (WSS_g/|g|) / (TSS/N). NaN when TSS = 0.
double groupAverageWssTss(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount);
/// §3.4.2: percent of rows with >= 1 same-group row among their k nearest neighbours.
double positiveNearestNeighbours(const Eigen::MatrixXd& z, const std::vector<int>& group, int k,
                                 const JobContext& ctx);
/// Eqs 2.18-2.19 over the groups, s_i = mean Euclidean distance to the group centroid.
double daviesBouldin(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount);
/// §3.4.3: number of pairs i < j with v[i] > v[j] (ties are not inversions).
std::size_t inversionCount(const std::vector<double>& v);
/// Eq 3.7: DR = (D̄/|S|) Σ_s inv(v_s)/D_s. Uses labels.substance/dose/secondary*.
double doseResponseScore(const Eigen::MatrixXd& z, const MetricLabels& labels);

/// Repeated runs of one configuration (seed §4.1.2, Table 4.2).
struct RunSpread {
    double mean = 0;
    double sigma = 0; ///< sample standard deviation (n − 1); NaN for a single run
    double low = 0;   ///< mean − 2σ
    double high = 0;  ///< mean + 2σ
    std::size_t runs = 0;
};
/// Throws DataError for no values or a NaN/Inf value (naming its index).
RunSpread summarizeRuns(const std::vector<double>& values);

} // namespace embedscope
