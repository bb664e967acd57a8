#pragma once
// Helpers shared by the profiling steps (profiling_*.cpp); not part of the engine's API.
#include "embedscope/engine/profiling.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace embedscope::profiling_detail {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline Eigen::Map<RowMatrix> featureMatrix(EmbeddingTable& t) {
    return {t.features.data(), Eigen::Index(t.rows), Eigen::Index(t.featureNames.size())};
}
inline Eigen::Map<const RowMatrix> featureMatrix(const EmbeddingTable& t) {
    return {t.features.data(), Eigen::Index(t.rows), Eigen::Index(t.featureNames.size())};
}

/// Throws DataError "<step>: the table has no rows" / "... no feature columns".
void requireNonEmpty(const EmbeddingTable& table, const std::string& step);
/// Throws DataError naming the step, the first feature with NaN/Inf, its row and how many.
void requireFinite(const EmbeddingTable& table, const std::string& step);
/// The metadata column, or DataError naming the step, the column (as Metadata_<name>) and the
/// columns there are.
const MetadataColumn& requireColumn(const EmbeddingTable& table, const std::string& name,
                                    const std::string& step);
/// true for control rows (column value == columns.controlValue, numerically for numbers).
std::vector<bool> controlMask(const EmbeddingTable& table, const ProfileColumns& columns,
                              const std::string& step);

/// Rows grouped by the values of `by` (groups in order of first appearance).
std::vector<std::vector<std::size_t>>
groupRows(const EmbeddingTable& table, const std::vector<std::string>& by, const std::string& step);
/// One metadata row per group: columns constant within every group keep their value; the
/// others are dropped and named in `notes`.
MetadataTable groupMetadata(const MetadataTable& metadata,
                            const std::vector<std::vector<std::size_t>>& groups,
                            std::vector<std::string>& notes);
/// A copy holding only `rows`, in that order.
EmbeddingTable selectRows(const EmbeddingTable& table, const std::vector<std::size_t>& rows);

/// Median of `v` (reorders it); NaN for an empty vector.
double medianOf(std::vector<double>& v);
/// Quantile q in [0, 1] with linear interpolation between order statistics (numpy's default,
/// which sklearn's RobustScaler uses): position (n - 1) q. Reorders `v`.
double quantileOf(std::vector<double>& v, double q);

/// "a, b, c" (at most `limit` names, then "and N more").
std::string joinNames(const std::vector<std::string>& names, std::size_t limit = 20);

} // namespace embedscope::profiling_detail
