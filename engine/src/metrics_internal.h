#pragma once
// Helpers shared by metrics.cpp and metrics_dose_response.cpp (not part of the public API).
#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"

#include <Eigen/Dense>

#include <optional>
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

// The seed-000 dose grouping (§3.4.3), shared by the DR metric (metrics_dose_response.cpp) and
// the per-substance dose-response analysis (dose_response.cpp), so the two cannot drift apart.

/// A dose as text in group names ("S2@0.5") and messages: 12 significant digits.
std::string doseText(double dose);
/// Throws DataError ("<prefix>: ...") when substance or dose labels are missing or any label
/// vector given (secondary ones are optional) does not have `rows` entries.
void checkDoseLabels(const MetricLabels& labels, std::size_t rows, const std::string& prefix);
/// The secondary-only reference group of `row`: "" when it has no secondary substance (or a
/// secondary dose of 0), else "name@dose" ("name" when no secondary doses are given); nullopt
/// when its secondary dose is not a finite number >= 0.
std::optional<std::string> secondaryGroup(const MetricLabels& labels, std::size_t row);

} // namespace embedscope::metricsimpl
