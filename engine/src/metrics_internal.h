#pragma once
// Helpers shared by metrics.cpp and metrics_dose_response.cpp (not part of the public API).
#include "embedscope/engine/error.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace embedscope::metricsimpl {

/// Throws DataError naming `what`, the row and the column of the first NaN/Inf.
void checkFinite(const Eigen::MatrixXd& z, const std::string& what);
/// Throws DataError unless group.size() == rows, groupCount >= 2 and indices are in range.
void checkGroups(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount);
/// Mean of each group's rows (zero rows for empty groups); `sizes` receives the group sizes.
Eigen::MatrixXd groupCentroids(const Eigen::MatrixXd& z, const std::vector<int>& group,
                               int groupCount, std::vector<std::size_t>& sizes);

inline void checkLength(std::size_t got, std::size_t rows, const std::string& what) {
    if (got != rows)
        throw DataError("metrics: " + std::to_string(got) + " " + what + " for " +
                        std::to_string(rows) + " embedding rows");
}

} // namespace embedscope::metricsimpl
