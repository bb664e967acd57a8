#pragma once
// The seed-003 shape measures for `evaluate --curves COL --order-by COL` (SPEC S3) and the
// table helpers `align` shares with it: principal curves per group, dispersion, within-model
// segment colinearity and the binned logistic-regression F1, as JSON keys.
#include "cli_common.h"

#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/table.h"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace embedscope::cli {

struct CurveCliOptions {
    std::string curves;  ///< --curves: the group column (e.g. Metadata_perturbation)
    std::string orderBy; ///< --order-by: the time/dose column
    int curvePca = 3;    ///< --curve-pca: principal components the curves live in (0 = raw)
    int f1Bins = 8;      ///< --f1-bins
    int f1Repeats = 5;   ///< --f1-repeats
};

/// Adds --curves, --order-by, --curve-pca, --f1-bins, --f1-repeats to `evaluate`.
void addCurveOptions(CLI::App* cmd, CurveCliOptions& options);
bool curvesRequested(const CurveCliOptions& options);

/// Adds the curve keys (dispersion_first_n, dispersion_last_n, disp_coefficient,
/// segment_colinearity_mean_within, f1_score_all, "curves" per group, ...) for the rows `rows`
/// of `table` (read from `path`). Throws ConfigError (--curves without --order-by) and
/// DataError naming the file, column and row.
void addCurveEvaluation(const CurveCliOptions& options, const EmbeddingTable& table,
                        const std::string& path, const std::vector<std::size_t>& rows,
                        uint64_t seed, const JobContext& ctx, nlohmann::json& result,
                        std::ostringstream& human);

/// "Metadata_time" -> "time".
std::string metadataName(const std::string& column);
/// The embedding of the given rows (all when empty): the z_* columns, else pc_*, else every
/// numeric non-Metadata column. Throws DataError naming `path` when there are none.
Eigen::MatrixXd tableFeatures(const EmbeddingTable& table, const std::string& path,
                              const std::vector<std::size_t>& rows = {});
/// A metadata column as text / as finite numbers (DataError naming file, column and row).
std::vector<std::string> metadataText(const EmbeddingTable& table, const std::string& path,
                                      const std::string& column);
Eigen::VectorXd metadataNumbers(const EmbeddingTable& table, const std::string& path,
                                const std::string& column);

/// The groups of a curve analysis (points, length, dispersion, error) as a JSON object by name.
nlohmann::json curveGroupsJson(const CurveAnalysis& analysis);
/// NaN/Inf -> null.
nlohmann::json finiteJson(double value);

} // namespace embedscope::cli
