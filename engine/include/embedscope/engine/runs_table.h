#pragma once
// The runs of a project as one table (issue 6): a row per run with its status, every
// hyperparameter of its config and every metric at its best checkpoint; Spearman ρ of each
// hyperparameter against a metric (seed 002 §4.3, Table 4.5); repeats of one configuration as
// mean, σ, standard error and the μ ± 2σ band (seed 000 Table 4.2); and the cross-run
// consistency of two embeddings (CEBRA's consistency: R² after alignment).
#include "embedscope/engine/job.h"
#include "embedscope/engine/project.h"

#include <Eigen/Dense>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace embedscope {

struct RunsColumn {
    /// Info: name, status, error, dataset, created, seconds, epochs_trained, best_epoch,
    /// best_val_loss. Parameter: a flattened config key ("model_params.channels"). Metric: a
    /// best-checkpoint metric key ("wss_tss", "recon_bce", "f1_score_all", ...).
    enum class Kind { Info, Parameter, Metric };
    std::string name;
    Kind kind = Kind::Info;
    bool numeric = false; ///< cells hold numbers (NaN = missing), else text ("" = missing)
};

struct RunsCell {
    double number = 0; ///< numeric columns (NaN = missing)
    std::string text;  ///< text columns
};

struct RunsTable {
    std::vector<RunsColumn> columns;
    std::vector<std::vector<RunsCell>> rows; ///< rows × columns

    /// Index of a column, -1 when absent.
    int find(const std::string& column) const;
    /// The numbers of a numeric column (NaN = missing). Throws ConfigError naming the column and
    /// listing the numeric columns when it is absent or text.
    std::vector<double> numbers(const std::string& column) const;
    /// A cell as text: numbers in their shortest exact form, NaN as "".
    std::string text(std::size_t row, int column) const;
    const std::string& runName(std::size_t row) const { return rows[row][0].text; }
    std::vector<std::string> columnNames(RunsColumn::Kind kind) const;
    /// Numeric Info and Metric columns (what spearmanTable and the repeats summarise).
    std::vector<std::string> numericMetricNames() const;
};

struct RunsTableOptions {
    std::string dataset;      ///< only runs of this data set ("" = all)
    std::string prefix;       ///< only runs whose name starts with this (a sweep's name)
    bool onlyVarying = false; ///< keep only the parameter columns that differ between the rows
};

/// One row per run of `project` (project order), read as RunContent::Summary (no embeddings).
/// Parameters: every config_json key except run_name, nested objects as "outer.inner", lists
/// joined by ",", booleans as 0/1; a key that is a number in one run and text in another
/// becomes a text column. Metrics: the "best" values of metrics_json (run_metrics.h; generative
/// runs store theirs there too), in first-seen order. error: metrics_json "error" (why a run
/// failed or its metrics stopped). A name used twice gets a "param." / "metric." prefix. An
/// empty project (or no match) gives a table with the columns of Info and no rows. Throws
/// IoError / FormatError from reading the project.
RunsTable runsTable(const ProjectFile& project, const RunsTableOptions& options = {});

/// CSV with a header of the column names (Info, parameters, metrics), RFC 4180 quoting,
/// numbers in their shortest exact form and NaN as an empty cell. Crash-safe (temp + rename).
/// Throws IoError naming the path.
void writeRunsCsv(const RunsTable& table, const std::string& path);

// ---- Spearman -------------------------------------------------------------------------------

struct SpearmanResult {
    double rho = 0;     ///< NaN when undefined (see reason)
    double p = 0;       ///< two-sided, t distribution with n − 2 df; NaN when undefined
    std::size_t n = 0;  ///< pairs used (pairs with a NaN are dropped)
    std::string reason; ///< why rho is NaN ("n < 3", "x is constant", ...); empty otherwise
};

/// Spearman's rank correlation: ranks with ties averaged, ρ = Pearson correlation of the ranks,
/// p from t = ρ √((n − 2)/(1 − ρ²)) with n − 2 degrees of freedom (as scipy.stats.spearmanr).
/// Throws DataError when x and y differ in length.
SpearmanResult spearman(const std::vector<double>& x, const std::vector<double>& y);

struct SpearmanTable {
    std::string metric;
    std::vector<std::pair<std::string, SpearmanResult>> parameters; ///< table column order
    /// Parameters left out, with why (text values, the seed, constant over the rows).
    std::vector<std::pair<std::string, std::string>> skipped;
};

/// Seed 002 Table 4.5: ρ and p of every numeric parameter that varies over the rows against
/// `metric` (any numeric Info or Metric column). Throws ConfigError naming the metric and
/// listing the available ones when it is absent or text.
SpearmanTable spearmanTable(const RunsTable& table, const std::string& metric);

// ---- Repeats --------------------------------------------------------------------------------

struct MetricSummary {
    std::size_t n = 0;               ///< finite values
    double mean = 0, sd = 0, se = 0; ///< sd with n − 1; NaN where n is too small
    double low = 0, high = 0;        ///< μ ± 2σ (seed 000 Table 4.2)
};

struct RepeatGroup {
    std::string dataset;
    /// The configuration the runs share: every parameter column but seed, as text.
    std::vector<std::pair<std::string, std::string>> parameters;
    std::vector<std::size_t> rows; ///< table rows, table order
    std::vector<std::string> runs;
    std::vector<std::pair<std::string, MetricSummary>> metrics; ///< numericMetricNames() order
};

/// Groups the finished runs whose data set and parameters are identical except `seed`
/// (run_name is never a column), in order of first appearance. Failed and cancelled runs are
/// left out (they are not repeats of a result).
std::vector<RepeatGroup> groupRepeats(const RunsTable& table);

struct BandFlag {
    std::size_t row = 0;
    std::string run;
    double value = 0;
    bool below = false; ///< value < low (else value > high)
};

/// The rows (any configuration, the reference's own included) whose finite `metric` lies
/// outside the reference group's μ ± 2σ band. Throws ConfigError for an unknown metric and
/// DataError when the band is undefined (fewer than 2 values in the reference group).
std::vector<BandFlag> flagOutsideBand(const RunsTable& table, const RepeatGroup& reference,
                                      const std::string& metric);

// ---- Consistency ----------------------------------------------------------------------------

struct ConsistencyResult {
    double r2 = 0;   ///< 1 − SS_res/SS_tot of a explained by aligned b (SS_tot around a's mean)
    double rmse = 0; ///< aligned RMSE, in a's units
    double scale = 1;
    bool mirrored = false; ///< b's last axis was negated (an embedding has no handedness)
    bool reduced = false;  ///< dimensions differed: both were PCA'd to the smaller one
    std::size_t rows = 0, dims = 0;
};

/// Aligns b's embedding onto a's (Kabsch with a uniform scale, Umeyama; b and b mirrored, the
/// better kept). Embeddings are used as they are when their dimensions match, else both are
/// PCA'd to the smaller dimension. With the scale the fit is the least-squares similarity
/// transform, so R² lies in [0, 1]: ≈ 1 for a rotated copy, ≈ 0 for an unrelated embedding.
/// Throws DataError naming both runs when either has no embedding, the data sets or row counts
/// differ, or the values are not finite.
ConsistencyResult runConsistency(const RunRecord& a, const RunRecord& b);

struct ConsistencyMatrix {
    std::vector<std::string> runs;
    Eigen::MatrixXd r2;   ///< symmetric: mean of both directions; diagonal 1
    Eigen::MatrixXd rmse; ///< symmetric: mean of both directions; diagonal 0
};

/// Every pair of `names` (read with their embeddings). Progress per pair; cancellable. Throws
/// ConfigError for an unknown run, DataError as runConsistency, CancelledError.
ConsistencyMatrix consistencyMatrix(const ProjectFile& project,
                                    const std::vector<std::string>& names, const JobContext& ctx);

} // namespace embedscope
