#pragma once
// Local principal curves (Einbeck, Tutz & Evers 2005, as R's LPCM::lpc) through one group of
// embedded points, a cubic smoothing spline through the curve points parametrised by arc
// length, projection of points onto it (pseudo-time / pseudo-dose and residual distance) and
// the dispersion measures of the seed-003 lab note (SPEC S3). Eigen only, no torch.
#include "embedscope/engine/job.h"

#include <Eigen/Dense>

#include <limits>
#include <string>
#include <vector>

namespace embedscope {

struct LpcOptions {
    /// Kernel bandwidth h (Gaussian product kernel) in the units of the (scaled) data;
    /// 0 = LPCM's default for scaled data: 0.1 of each dimension's range.
    double bandwidth = 0;
    /// Step t along the local first principal component; 0 = the bandwidth (LPCM: t0 = h).
    double step = 0;
    /// Angle penalisation a: the new direction γ is (|cos φ|^a) γ + (1 − |cos φ|^a) γ_prev
    /// (LPCM pen = 2).
    double anglePenalty = 2;
    /// Most local centres of mass per direction from the start (LPCM control iter = 100).
    int maxSteps = 100;
    /// Stop rule (LPCM lpc.control): a direction ends when the relative change of the curve
    /// parameter |λ_i − λ_{i−1}| / |λ_i + λ_{i−1}| falls below `convergence` (LPCM
    /// convergence.at = 1e-5) or after maxSteps; while it is below `boundary` (LPCM 0.005)
    /// the bandwidth shrinks by 0.995 per step so the curve creeps on into the ends of the
    /// data (Einbeck & Zayed 2014), otherwise it recovers by 1.01 up to h.
    double convergence = 1e-5;
    double boundary = 0.005;
    /// Scale each dimension by its range before fitting (LPCM scaled = TRUE); the returned
    /// curve is in the original units.
    bool scaled = true;
    /// With `scaled`: divide every dimension by the largest range (true, rotation invariant,
    /// our default for embeddings) or each by its own range (false, LPCM's scaling).
    bool isotropic = true;
    /// Spline: number of equally spaced arc-length positions the fitted spline is sampled at
    /// (the "spline points" the dispersion and colinearity measures use).
    int splinePositions = 20;
    /// Smoothing of the cubic spline: 0 = interpolating; larger = smoother. The penalty weight
    /// of ∫ f''² relative to the residual sum of squares, with arc length measured in units of
    /// the mean LPC point spacing (≈ step), so it does not depend on the data's scale: a
    /// wiggle over ℓ spacings is shrunk by 1 / (1 + smoothing (2π/ℓ)⁴).
    double smoothing = 0.1;
};

/// One fitted curve. All point matrices are rows of D coordinates.
struct PrincipalCurve {
    Eigen::MatrixXd lpcPoints;       ///< m × D local centres of mass, from one end to the other
    Eigen::VectorXd lpcArcLength;    ///< m, cumulative polyline length along lpcPoints
    Eigen::MatrixXd splinePoints;    ///< K × D the smoothing spline at equal arc-length steps
    Eigen::VectorXd splineArcLength; ///< K, arc length of each spline point (0 .. length)
    double length = 0;               ///< total arc length of the spline
    int startIndex = -1;             ///< the data row the curve started from
    std::string warning; ///< non-fatal notes (e.g. "reversed so the curve starts at low time")
};

/// Fits the local principal curve to `points` (n × D, n ≥ minimumPoints(opts)) from the start
/// point (−1 = the densest point, as LPCM's default random start replaced by a deterministic
/// choice), both directions, and a smoothing spline through it. Throws DataError for too few
/// points, NaN/Inf (naming the row), D < 1, or a degenerate set (all points equal); ConfigError
/// for non-positive bandwidth/step (other than 0 = default) or splinePositions < 2.
/// `warning` says when more than 20 % of the points project onto one end (the curve stalled
/// inside the data: with growing spread along the curve in ≳ 16 dimensions h = 0.1 can do
/// that; a larger bandwidth or a 3-D PCA projection avoids it).
PrincipalCurve fitPrincipalCurve(const Eigen::MatrixXd& points, const LpcOptions& opts = {},
                                 int startRow = -1, const JobContext& ctx = JobContext());

/// The fewest points a group needs for a curve (here 5).
int minimumCurvePoints();

/// Orients a curve so it starts at the low end of `order` (time, dose): if the points
/// projecting onto the first half have a higher mean order value than those on the second
/// half, the curve is reversed. `order` has one value per row of `points`.
void orientCurve(PrincipalCurve& curve, const Eigen::MatrixXd& points,
                 const Eigen::VectorXd& order);

struct CurveProjection {
    Eigen::VectorXd arcLength; ///< n, arc length of the nearest point on the spline (0..length)
    Eigen::VectorXd residual;  ///< n, Euclidean distance to that point
    Eigen::MatrixXd foot;      ///< n × D, the nearest point on the spline
};

/// Orthogonal projection of each row onto the spline polyline (nearest point on any segment).
CurveProjection projectOntoCurve(const PrincipalCurve& curve, const Eigen::MatrixXd& points);

/// Dispersion along a curve (seed-003 lab note): the arc length is cut into K equal windows
/// centred on the K spline points; dispersion_k = mean Euclidean distance of the points that
/// project into window k to their centroid (NaN when fewer than 2 points fall there).
/// first_n / last_n = mean over the first / last n windows with a value; coefficient = slope
/// of the least-squares line of dispersion_k against the normalised position k / (K − 1) in
/// [0, 1] (so last ≈ first + coefficient for a linear trend).
struct CurveDispersion {
    Eigen::VectorXd perPosition; ///< K (NaN where undefined)
    double firstN = std::numeric_limits<double>::quiet_NaN();
    double lastN = std::numeric_limits<double>::quiet_NaN();
    double coefficient = std::numeric_limits<double>::quiet_NaN();
};
CurveDispersion curveDispersion(const PrincipalCurve& curve, const Eigen::MatrixXd& points,
                                int n = 5);

} // namespace embedscope
