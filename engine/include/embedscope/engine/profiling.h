#pragma once
// The cell-profiling pipeline of seed 004 §3.3.1 (pycytominer's operations): single-cell
// features -> site/well aggregation -> per-plate normalisation -> feature selection ->
// spherizing (fit on control wells of all plates) -> consensus. Tables are EmbeddingTables with
// the issue-8 metadata (Plate, Well, control, compound, dose, ...; `Metadata_` stripped).
//
// Defaults (seed 004 Appendix, CellProfiler baseline IDs 100/101: "Mad robustized by DMSO,
// feature selected, spherized, median consensus operation"; §4.3.1 outlier cutoff 40):
//   aggregate (median over the cells of a Plate+Well, §3.3.1 "Aggregation")
//   normalize (mad_robustize over the control wells of each plate, §3.3.1)
//   variance_threshold (freq_cut 0.05, unique_cut 0.01, min_variance 1e-6; pycytominer)
//   correlation_threshold (|Pearson r| > 0.9; pycytominer's default threshold)
//   drop_na_columns (NA fraction > 0.05; pycytominer), drop_outliers (max |x| > 40, §4.3.1)
//   spherize (ZCA, epsilon 1e-6, fit on the control wells of all plates; pycytominer default)
//   consensus (median over the replicates of compound + dose, §3.3.1 "Consensus")
// Missing values (NA) are only tolerated by aggregate (ignored per feature) and
// drop_na_columns; every other step names the feature and the step and stops.
#include "embedscope/engine/job.h"
#include "embedscope/engine/table.h"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace embedscope {

/// Names of the metadata columns the steps use (in memory, without `Metadata_`).
struct ProfileColumns {
    std::string plate = "Plate";
    std::string well = "Well";
    std::string control = "control"; ///< rows whose value equals `controlValue` are controls
    std::string controlValue = "1";
};

/// What one step did (and the pipeline's summary is a list of these).
struct ProfileStepReport {
    std::string step; ///< e.g. "normalize"
    std::size_t rowsIn = 0, rowsOut = 0, featuresIn = 0, featuresOut = 0;
    std::vector<std::string> dropped; ///< features this step removed
    std::vector<std::string> notes;   ///< what a scientist should know (plates skipped, ...)
    int rank = -1;                    ///< spherize: rank of the control covariance
};

// ---- aggregation (seed 004 §3.3.1 "Aggregation", "DeepProfiler Processing") -------------

enum class AggregateMethod { Mean, Median };
struct AggregateOptions {
    AggregateMethod method = AggregateMethod::Median;
    std::vector<std::string> by;       ///< empty: {plate, well}; add "Site" for site level
    std::string countColumn = "Count"; ///< rows per group, added as metadata ("" = none)
};
/// One row per group (in order of first appearance). Metadata columns constant within every
/// group are kept, the others (Cell, X, Y, ...) are dropped with a note. NaN cells are ignored
/// per feature; a group whose cells are all NaN for a feature keeps NaN there.
/// Throws DataError for an empty table or a missing `by` column.
EmbeddingTable aggregateProfiles(const EmbeddingTable& table, const AggregateOptions& options,
                                 const ProfileColumns& columns, ProfileStepReport& report);

// ---- per-plate normalisation (seed 004 §3.3.1, eqs. 3.3-3.6) ----------------------------

enum class NormalizeMethod { Standardize, Robustize, MadRobustize };
enum class MissingControls { Drop, AllWells };
struct NormalizeOptions {
    NormalizeMethod method = NormalizeMethod::MadRobustize;
    bool overControls = true; ///< statistics from the plate's control wells (else all wells)
    /// A plate without control wells when overControls: Drop its rows (default: without
    /// controls the plate has no reference to be "relative to DMSO") or use AllWells.
    MissingControls missingControls = MissingControls::Drop;
};
/// In place, plate by plate. standardize: (x - mean) / sd with the population sd (ddof 0, as
/// pycytominer's StandardScaler); robustize: (x - median) / (Q3 - Q1) (linear-interpolated
/// quartiles, sklearn's RobustScaler); mad_robustize: (x - median) / (1.4826 MAD) (pycytominer
/// scales the MAD by 1.4826 so that it estimates sd for normal data; the seed's eq. 3.6 omits
/// the factor). A feature whose scale is 0 on some plate is dropped with a note.
/// Throws DataError for an empty table, missing plate/control columns, NaN, or no rows left.
void normalizeProfiles(EmbeddingTable& table, const NormalizeOptions& options,
                       const ProfileColumns& columns, ProfileStepReport& report);

// ---- feature selection (seed 004 §3.3.1 "Feature selection"; pycytominer) ---------------
// Each returns the features to drop (in table order); dropProfileFeatures removes them.

struct VarianceThresholdOptions {
    double freqCut = 0.05;     ///< drop if (2nd most common count / most common count) < this
    double uniqueCut = 0.01;   ///< drop if (distinct values / rows) < this
    double minVariance = 1e-6; ///< drop if the population variance < this (0: off)
};
std::vector<std::string> varianceThresholdFeatures(const EmbeddingTable& table,
                                                   const VarianceThresholdOptions& options);

struct CorrelationThresholdOptions {
    double threshold = 0.9;
    bool absolute = true; ///< |r| (an anti-correlated feature is as redundant)
};
/// Greedy: while two kept features correlate above the threshold, drop the one with the most
/// such partners; ties go to the larger sum of |r| over all features (pycytominer's order),
/// then to the later column. Afterwards no kept pair exceeds the threshold.
std::vector<std::string> correlationThresholdFeatures(const EmbeddingTable& table,
                                                      const CorrelationThresholdOptions& options);

/// Features whose fraction of NaN cells exceeds `cutoff` (pycytominer default 0.05).
std::vector<std::string> naColumnFeatures(const EmbeddingTable& table, double cutoff);
/// Features whose max |value| exceeds `cutoff` (seed §4.3.1: 40 after normalisation).
std::vector<std::string> outlierFeatures(const EmbeddingTable& table, double cutoff);

/// Removes the named features (unknown names are ignored).
void dropProfileFeatures(EmbeddingTable& table, const std::vector<std::string>& names);

// ---- spherizing (seed 004 §3.3.1 "Spherizing", Kessy et al. 2018) -----------------------

enum class SpherizeMethod { Pca, Zca };
struct SpherizeOptions {
    SpherizeMethod method = SpherizeMethod::Zca;
    double epsilon = 1e-6;     ///< added to every eigenvalue before 1/sqrt
    bool fitOnControls = true; ///< fit on the control rows of all plates (else on all rows)
};
struct SpherizeModel {
    Eigen::RowVectorXd mean;     ///< 1 x D, of the fit rows
    Eigen::MatrixXd w;           ///< D x D: whitened = (x - mean) * w
    Eigen::VectorXd eigenvalues; ///< descending, of the fit rows' covariance (divided by n - 1)
    int rank = 0;                ///< eigenvalues above the numerical tolerance
    std::vector<std::string> notes;
};
/// Sigma = cov(fit rows) = U Delta U^T; PCA: x -> Delta^-1/2 U^T x, ZCA: x -> U Delta^-1/2 U^T x.
/// Eigenvalues below the rank tolerance (fewer fit rows than features, constant directions)
/// are raised to the smallest resolved eigenvalue before adding epsilon, so the null
/// directions are not blown up by 1/sqrt(epsilon); a note says so.
/// Throws DataError for fewer than 2 rows or NaN.
SpherizeModel fitSpherize(const Eigen::MatrixXd& fitRows, const SpherizeOptions& options);
/// Fits on the control rows (all plates at once) and transforms every row; PCA renames the
/// features PC1..PCD. Throws DataError naming the control column when it is missing or there
/// are fewer than 2 control rows.
void spherizeProfiles(EmbeddingTable& table, const SpherizeOptions& options,
                      const ProfileColumns& columns, ProfileStepReport& report);

// ---- consensus (seed 004 §3.3.1 "Consensus"; MODZ as cmapPy / pycytominer) -------------

enum class ConsensusMethod { Median, Modz };
struct ConsensusOptions {
    ConsensusMethod method = ConsensusMethod::Median;
    std::vector<std::string> by = {"compound", "dose"};
    double minWeight = 0.01; ///< MODZ: raw weights are clipped below at this
};
/// MODZ weights of replicates (rows of `replicates`, features in columns): the mean Spearman
/// correlation of each replicate with the others, negative correlations clipped to 0, then
/// clipped below at `minWeight`, normalised to sum 1. One replicate: weight 1.
Eigen::VectorXd modzWeights(const Eigen::MatrixXd& replicates, double minWeight = 0.01);
/// One row per group of `by` (order of first appearance); metadata constant within every group
/// kept. Throws DataError for an empty table, a missing column or NaN.
EmbeddingTable consensusProfiles(const EmbeddingTable& table, const ConsensusOptions& options,
                                 ProfileStepReport& report);

// ---- the configurable pipeline ----------------------------------------------------------

enum class ProfileStepKind {
    Aggregate,
    Normalize,
    VarianceThreshold,
    CorrelationThreshold,
    DropNaColumns,
    DropOutliers,
    Blocklist,
    Spherize,
    Consensus
};
struct ProfileStepConfig {
    ProfileStepKind kind = ProfileStepKind::Aggregate;
    AggregateOptions aggregate;
    NormalizeOptions normalize;
    VarianceThresholdOptions variance;
    CorrelationThresholdOptions correlation;
    double naCutoff = 0.05;
    double outlierCutoff = 40.0;
    std::vector<std::string> blocklist;
    SpherizeOptions spherize;
    ConsensusOptions consensus;
};
struct ProfilePipeline {
    ProfileColumns columns;
    std::vector<ProfileStepConfig> steps;
};
std::string toString(ProfileStepKind kind);

/// The seed's default order and options (see the top of this file).
ProfilePipeline defaultProfilePipeline();
/// `{"steps": [{"step": "normalize", "method": "robustize", "samples": "all"}, ...],
///   "plate_column": "Plate", "well_column": "Well", "control_column": "control",
///   "control_value": "1"}` (or just the steps array); no "steps": the default pipeline.
/// Throws ConfigError naming `origin`, the step index and the key for unknown steps, options,
/// wrong types or out-of-range values.
ProfilePipeline parseProfilePipeline(const nlohmann::json& config, const std::string& origin);
/// Reads and parses a JSON file; throws IoError / ConfigError naming the path.
ProfilePipeline readProfilePipeline(const std::string& path);

struct ProfileSummary {
    std::size_t rowsIn = 0, rowsOut = 0, featuresIn = 0, featuresOut = 0;
    std::vector<ProfileStepReport> steps;
    int spherizeRank = -1; ///< -1: no spherize step
};
/// Runs the steps in order on `table` (replaced by the result). DataError / ConfigError are
/// rethrown as "<origin>: step N <name>: <problem>". Cancellable between steps.
ProfileSummary runProfilePipeline(EmbeddingTable& table, const ProfilePipeline& pipeline,
                                  const std::string& origin, const JobContext& context);
nlohmann::json toJson(const ProfileSummary& summary);

/// readEmbeddingCsv, except that feature cells "", "NA", "NaN" and "nan" read as NaN (the
/// drop_na_columns step needs them); every other problem is the same FormatError.
EmbeddingTable readProfileCsv(const std::string& path);

} // namespace embedscope
