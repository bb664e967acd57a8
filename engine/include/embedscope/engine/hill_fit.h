#pragma once
// Four-parameter logistic (Hill) dose-response fit for the per-substance dose-response views
// (issue 7): response(x) = bottom + (top − bottom) / (1 + (EC50 / x)^h), x > 0, fitted by
// least squares with Eigen's Levenberg–Marquardt module, with standard errors from the
// Jacobian at the optimum. A clear "no fit" instead of a meaningless curve when the data are
// too few, flat or non-monotone.
#include <limits>
#include <string>
#include <vector>

namespace embedscope {

struct HillFit {
    bool ok = false;
    std::string reason; ///< why there is no fit (empty when ok)
    double bottom = std::numeric_limits<double>::quiet_NaN();
    double top = std::numeric_limits<double>::quiet_NaN();
    double ec50 = std::numeric_limits<double>::quiet_NaN();
    double hill = std::numeric_limits<double>::quiet_NaN(); ///< slope h (> 0 rising, < 0 falling)
    /// Standard errors: sqrt of the diagonal of s² (JᵀJ)⁻¹, s² = RSS / (n − 4); EC50's by the
    /// delta method from the fitted log EC50.
    double seBottom = std::numeric_limits<double>::quiet_NaN();
    double seTop = std::numeric_limits<double>::quiet_NaN();
    double seEc50 = std::numeric_limits<double>::quiet_NaN();
    double seHill = std::numeric_limits<double>::quiet_NaN();
    double rss = std::numeric_limits<double>::quiet_NaN();
    int iterations = 0;

    /// The fitted curve at dose x (NaN when !ok or x <= 0).
    double operator()(double x) const;
};

/// Fits the 4PL to (dose, response) pairs (replicates allowed). No fit (ok = false, reason
/// set) when: fewer than 4 distinct positive doses or fewer than 5 points; the dose means are
/// flat (their range is below four standard errors of a dose mean — the range of 7 means of
/// pure noise is about 2.7 standard errors —, or zero); they are not
/// monotone in dose (Kendall's τ of dose mean against dose below 0.6 in absolute value); or the
/// solver ends with EC50 outside [min dose / 100, 100 · max dose] or non-finite values.
/// Throws DataError for different lengths, a dose <= 0 or a non-finite value (naming the point).
HillFit fitHill(const std::vector<double>& dose, const std::vector<double>& response);

} // namespace embedscope
