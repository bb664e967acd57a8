// Local principal curves (Einbeck, Tutz & Evers 2005, "Local principal curves", Statistics and
// Computing 15:301–313) as R's LPCM::lpc() computes them (lpc.R / lpc.control.R, LPCM 0.44;
// cross-checked with John Back's C++ port LpcAlgorithm.cc), a smoothing spline through the
// curve points by arc length, projection onto it and the dispersion measures of the seed-003
// lab note ("dispersion = distance to centroid of the points around spline positions").
#include "embedscope/engine/principal_curves.h"

#include "embedscope/engine/error.h"
#include "smoothing_spline.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace embedscope {

namespace {

constexpr int kMinimumPoints = 5;
/// Candidate rows for the densest start point: all up to this many, else an even stride
/// (the density itself is always summed over every row).
constexpr Eigen::Index kDensityCandidates = 2000;
/// Spline evaluations per LPC interval when measuring the spline's arc length.
constexpr int kDenseSubsamples = 16;

void requireOption(bool ok, const std::string& field, double value, const std::string& rule) {
    if (!ok)
        throw ConfigError("principal curve option '" + field + "' must be " + rule + ", got " +
                          std::to_string(value));
}

void checkOptions(const LpcOptions& o) {
    requireOption(o.bandwidth >= 0 && std::isfinite(o.bandwidth), "bandwidth", o.bandwidth,
                  "> 0 (or 0 = default)");
    requireOption(o.step >= 0 && std::isfinite(o.step), "step", o.step, "> 0 (or 0 = default)");
    requireOption(o.anglePenalty >= 0 && std::isfinite(o.anglePenalty), "anglePenalty",
                  o.anglePenalty, "≥ 0");
    requireOption(o.maxSteps >= 1, "maxSteps", o.maxSteps, "≥ 1");
    requireOption(o.convergence >= 0 && std::isfinite(o.convergence), "convergence", o.convergence,
                  "≥ 0");
    requireOption(o.boundary >= 0 && std::isfinite(o.boundary), "boundary", o.boundary, "≥ 0");
    requireOption(o.splinePositions >= 2, "splinePositions", o.splinePositions, "≥ 2");
    requireOption(o.smoothing >= 0 && std::isfinite(o.smoothing), "smoothing", o.smoothing, "≥ 0");
}

void checkPoints(const Eigen::MatrixXd& points) {
    const Eigen::Index n = points.rows();
    if (points.cols() < 1)
        throw DataError("principal curve: the points have no coordinate columns");
    if (n < kMinimumPoints)
        throw DataError("principal curve needs at least " + std::to_string(kMinimumPoints) +
                        " points, got " + std::to_string(n));
    for (Eigen::Index r = 0; r < n; ++r)
        for (Eigen::Index c = 0; c < points.cols(); ++c)
            if (!std::isfinite(points(r, c)))
                throw DataError("principal curve: row " + std::to_string(r) + ", column " +
                                std::to_string(c) + " is " +
                                (std::isnan(points(r, c)) ? "NaN" : "infinite"));
    if (((points.rowwise() - points.row(0)).cwiseAbs().maxCoeff()) == 0)
        throw DataError("principal curve: all " + std::to_string(n) +
                        " points are identical (degenerate set)");
}

/// The kernel-weighted local centre of mass and local first principal component at x.
struct LocalFit {
    Eigen::VectorXd mean;
    Eigen::VectorXd direction;
    double mass = 0;
};

/// LPCM's kern.d: a Gaussian product kernel with bandwidth c·h_j per dimension (the constant
/// factor cancels in the weighted mean and covariance).
LocalFit localFit(const Eigen::MatrixXd& x, const Eigen::VectorXd& at,
                  const Eigen::RowVectorXd& invH, double c) {
    const Eigen::MatrixXd z =
        ((x.rowwise() - at.transpose()).array().rowwise() * (invH.array() / c)).matrix();
    const Eigen::VectorXd w = (-0.5 * z.rowwise().squaredNorm().array()).exp().matrix();
    LocalFit fit;
    fit.mass = w.sum();
    if (!(fit.mass > 0) || !std::isfinite(fit.mass))
        return fit;
    fit.mean = x.transpose() * w / fit.mass;
    const Eigen::MatrixXd centred = x.rowwise() - fit.mean.transpose();
    const Eigen::MatrixXd cov = centred.transpose() * w.asDiagonal() * centred / fit.mass;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(cov);
    fit.direction = eigen.eigenvectors().col(x.cols() - 1); // eigenvalues ascend
    return fit;
}

/// One direction from the start (LPCM's loop over `iter`): step t from the last centre of
/// mass along the penalised direction, take the next centre of mass there. Appends the
/// centres of mass after mu0. Near the ends of the data the boundary correction usually keeps
/// it creeping until maxSteps, as in LPCM, so running out of steps is not reported.
void followBranch(const Eigen::MatrixXd& x, const Eigen::RowVectorXd& invH, double t,
                  const LpcOptions& o, const Eigen::VectorXd& mu0, const Eigen::VectorXd& gamma0,
                  std::vector<Eigen::VectorXd>& means, const JobContext& ctx) {
    Eigen::VectorXd previousGamma = gamma0;
    Eigen::VectorXd previousMean = mu0;
    Eigen::VectorXd at = mu0 + t * gamma0;
    double c = 1.0; // LPCM's c0: the boundary correction's bandwidth factor
    double lambdaPrevious = 0;
    for (int i = 1; i <= o.maxSteps; ++i) {
        ctx.throwIfCancelled();
        LocalFit fit = localFit(x, at, invH, c);
        if (fit.mean.size() == 0)
            return; // no kernel weight left: the step left the data (guard, not in LPCM)
        // The walk turned back (the new centre of mass lies behind the last one along the
        // direction of travel): it has passed the end of the data. Not in LPCM, whose walk can
        // then retrace the whole branch when it started near an end (a dense trunk).
        if ((fit.mean - previousMean).dot(previousGamma) < 0)
            return;
        const double lambda = lambdaPrevious + (fit.mean - previousMean).norm();
        means.push_back(fit.mean);
        // Sign flip so the curve keeps going, then the angle penalisation of Einbeck et al.
        // §3: γ ← a γ + (1 − a) γ_prev with a = |cos φ|^pen (not renormalised, as in LPCM).
        double cosine = fit.direction.dot(previousGamma);
        if (cosine < 0) {
            fit.direction = -fit.direction;
            cosine = -cosine;
        }
        Eigen::VectorXd gamma = fit.direction;
        if (o.anglePenalty > 0) {
            const double a = std::pow(std::abs(cosine), o.anglePenalty);
            gamma = a * fit.direction + (1.0 - a) * previousGamma;
        }
        at = fit.mean + t * gamma;
        // LPCM's stop rule on the curve parameter: relative change |λ_i − λ_{i−1}| /
        // |λ_i + λ_{i−1}| below convergence.at stops; below `boundary` shrinks the
        // bandwidth by 0.995 (Einbeck & Zayed 2014), else it recovers by 1.01 up to 1.
        if (i > 1) {
            const double denominator = std::abs(lambda + lambdaPrevious);
            const double ratio =
                denominator > 1e-300 ? std::abs(lambda - lambdaPrevious) / denominator : 0.0;
            if (ratio < o.convergence)
                return;
            c = ratio < o.boundary ? 0.995 * c : std::min(1.0, 1.01 * c);
        }
        previousGamma = gamma;
        previousMean = fit.mean;
        lambdaPrevious = lambda;
    }
}

Eigen::VectorXd cumulativeLength(const Eigen::MatrixXd& p) {
    Eigen::VectorXd s = Eigen::VectorXd::Zero(p.rows());
    for (Eigen::Index i = 1; i < p.rows(); ++i)
        s(i) = s(i - 1) + (p.row(i) - p.row(i - 1)).norm();
    return s;
}

void appendWarning(PrincipalCurve& curve, const std::string& note) {
    curve.warning += (curve.warning.empty() ? "" : "; ") + note;
}

/// Natural cubic smoothing spline of the LPC points against arc length measured in units of
/// the mean LPC spacing (≈ the step t), so `smoothing` means the same for any data scale and
/// curve length: a wiggle of wavelength ℓ spacings is shrunk by 1/(1 + smoothing (2π/ℓ)⁴),
/// i.e. at 0.1 jitter over ~4 steps is damped and shapes over ≥ 10 steps are kept.
void fitSpline(PrincipalCurve& curve, const LpcOptions& o) {
    const Eigen::MatrixXd& lpc = curve.lpcPoints;
    const double total = curve.lpcArcLength(lpc.rows() - 1);
    const double spacing = total / static_cast<double>(lpc.rows() - 1);
    // Stalled steps at the ends (boundary crawl) give near-coincident points; merge them so
    // the knots stay well separated.
    std::vector<Eigen::Index> kept = {0};
    for (Eigen::Index i = 1; i < lpc.rows(); ++i) {
        const double gap = curve.lpcArcLength(i) - curve.lpcArcLength(kept.back());
        if (gap > 1e-3 * spacing)
            kept.push_back(i);
        else if (i == lpc.rows() - 1 && kept.size() > 1)
            kept.back() = i; // keep the true end
    }
    const Eigen::Index m = static_cast<Eigen::Index>(kept.size());
    Eigen::VectorXd u(m);
    Eigen::MatrixXd y(m, lpc.cols());
    for (Eigen::Index k = 0; k < m; ++k) {
        u(k) = curve.lpcArcLength(kept[k]) / spacing;
        y.row(k) = lpc.row(kept[k]);
    }
    const detail::SmoothingSpline spline(u, y, o.smoothing);

    // Arc length of the spline itself from a dense evaluation, then K equal steps along it.
    const Eigen::Index dense = (m - 1) * kDenseSubsamples + 1;
    Eigen::VectorXd param(dense);
    Eigen::MatrixXd points(dense, lpc.cols());
    for (Eigen::Index k = 0; k + 1 < m; ++k)
        for (int j = 0; j < kDenseSubsamples; ++j)
            param(k * kDenseSubsamples + j) =
                u(k) + (u(k + 1) - u(k)) * j / static_cast<double>(kDenseSubsamples);
    param(dense - 1) = u(m - 1);
    for (Eigen::Index i = 0; i < dense; ++i)
        points.row(i) = spline(param(i));
    const Eigen::VectorXd s = cumulativeLength(points);
    curve.length = s(dense - 1);
    if (!(curve.length > 0))
        throw DataError("principal curve: the fitted spline has zero length (degenerate set)");

    const int kCount = o.splinePositions;
    curve.splinePoints.resize(kCount, lpc.cols());
    curve.splineArcLength.resize(kCount);
    for (int k = 0; k < kCount; ++k) {
        const double target = curve.length * k / static_cast<double>(kCount - 1);
        const auto it = std::lower_bound(s.data(), s.data() + dense, target);
        Eigen::Index i = std::clamp<Eigen::Index>(it - s.data(), 1, dense - 1);
        const double span = s(i) - s(i - 1);
        const double f = span > 0 ? std::clamp((target - s(i - 1)) / span, 0.0, 1.0) : 0.0;
        curve.splinePoints.row(k) = spline(param(i - 1) + f * (param(i) - param(i - 1)));
        curve.splineArcLength(k) = target;
    }
}

/// A curve that stalls (e.g. the local mean pulled back into a denser region faster than the
/// step t advances, seen at h = 0.1 in 16-D with dispersion growing along the curve) leaves
/// many points beyond its ends. Good fits leave ≤ 7 % at an end (helix, parabola, line,
/// 3/8/16-D trends measured), a stalled one 50 %; warn above kShortEndFraction.
constexpr double kShortEndFraction = 0.2;

void warnIfShort(PrincipalCurve& curve, const Eigen::MatrixXd& points) {
    const CurveProjection p = projectOntoCurve(curve, points);
    const double tol = 1e-12 * std::max(1.0, curve.length);
    const double n = static_cast<double>(points.rows());
    const double atStart = (p.arcLength.array() <= tol).cast<double>().sum() / n;
    const double atEnd = (p.arcLength.array() >= curve.length - tol).cast<double>().sum() / n;
    const double worst = std::max(atStart, atEnd);
    if (worst > kShortEndFraction)
        appendWarning(curve, "the curve ends inside the data: " +
                                 std::to_string(static_cast<int>(std::lround(100 * worst))) +
                                 " % of the points project onto its " +
                                 (atStart >= atEnd ? "start" : "end") +
                                 " (try a larger bandwidth or more steps)");
}

} // namespace

int minimumCurvePoints() {
    return kMinimumPoints;
}

PrincipalCurve fitPrincipalCurve(const Eigen::MatrixXd& points, const LpcOptions& opts,
                                 int startRow, const JobContext& ctx) {
    checkOptions(opts);
    checkPoints(points);
    const Eigen::Index n = points.rows();
    const Eigen::Index d = points.cols();
    if (startRow < -1 || startRow >= n)
        throw ConfigError("principal curve: start row " + std::to_string(startRow) +
                          " is outside 0.." + std::to_string(n - 1));

    // LPCM scaled = 1 divides each column by its range (a constant column keeps scale 1).
    // Isotropic (our default) divides all by the largest range instead: an embedding's axes
    // share units, and per-axis scaling inflates the noise across a branch that lies along
    // one axis until the local PC no longer follows it (and breaks rotation invariance).
    const Eigen::RowVectorXd range = points.colwise().maxCoeff() - points.colwise().minCoeff();
    Eigen::RowVectorXd scale = Eigen::RowVectorXd::Ones(d);
    if (opts.scaled)
        for (Eigen::Index j = 0; j < d; ++j)
            scale(j) = opts.isotropic ? range.maxCoeff() : (range(j) > 0 ? range(j) : 1.0);
    const Eigen::MatrixXd x = points.array().rowwise() / scale.array();

    // LPCM's default h: 0.1 for scaled data, else a tenth of each range; t0 = mean(h).
    Eigen::RowVectorXd h(d);
    for (Eigen::Index j = 0; j < d; ++j) {
        if (opts.bandwidth > 0)
            h(j) = opts.bandwidth;
        else if (opts.scaled)
            h(j) = 0.1;
        else
            h(j) = (range(j) > 0 ? range(j) : range.maxCoeff()) / 10.0;
    }
    const Eigen::RowVectorXd invH = h.cwiseInverse();
    const double t = opts.step > 0 ? opts.step : h.mean();

    // Start: the densest data point (kernel density at the point), ties to the lowest row.
    if (startRow < 0) {
        const Eigen::Index stride = std::max<Eigen::Index>(1, n / kDensityCandidates);
        double best = -1;
        for (Eigen::Index r = 0; r < n; r += stride) {
            const Eigen::MatrixXd z =
                ((x.rowwise() - x.row(r)).array().rowwise() * invH.array()).matrix();
            const double density = (-0.5 * z.rowwise().squaredNorm().array()).exp().sum();
            if (density > best) {
                best = density;
                startRow = static_cast<int>(r);
            }
        }
    }
    ctx.report(0.05, "principal curve: start at row " + std::to_string(startRow));

    LocalFit start = localFit(x, x.row(startRow).transpose(), invH, 1.0);
    // Deterministic orientation of the first direction: its largest component positive.
    Eigen::Index largest = 0;
    start.direction.cwiseAbs().maxCoeff(&largest);
    if (start.direction(largest) < 0)
        start.direction = -start.direction;

    std::vector<Eigen::VectorXd> forward;
    std::vector<Eigen::VectorXd> backward;
    followBranch(x, invH, t, opts, start.mean, start.direction, forward, ctx);
    ctx.report(0.5, "principal curve: second direction");
    followBranch(x, invH, t, opts, start.mean, -start.direction, backward, ctx);

    PrincipalCurve curve;
    curve.startIndex = startRow;
    const Eigen::Index m = static_cast<Eigen::Index>(forward.size() + backward.size() + 1);
    curve.lpcPoints.resize(m, d);
    Eigen::Index row = 0;
    for (auto it = backward.rbegin(); it != backward.rend(); ++it)
        curve.lpcPoints.row(row++) = it->transpose().array() * scale.array();
    curve.lpcPoints.row(row++) = start.mean.transpose().array() * scale.array();
    for (const auto& mean : forward)
        curve.lpcPoints.row(row++) = mean.transpose().array() * scale.array();
    curve.lpcArcLength = cumulativeLength(curve.lpcPoints);
    if (!(curve.lpcArcLength(m - 1) > 0))
        throw DataError("principal curve: the local centres of mass do not move (degenerate "
                        "set or bandwidth too small)");

    fitSpline(curve, opts);
    warnIfShort(curve, points);
    ctx.report(1.0, "principal curve: done");
    return curve;
}

void orientCurve(PrincipalCurve& curve, const Eigen::MatrixXd& points,
                 const Eigen::VectorXd& order) {
    if (order.size() != points.rows())
        throw DataError("orient curve: " + std::to_string(order.size()) + " order values for " +
                        std::to_string(points.rows()) + " points");
    const CurveProjection projection = projectOntoCurve(curve, points);
    // Rows whose order value is missing (NaN) do not vote.
    double sum[2] = {0, 0};
    int count[2] = {0, 0};
    double sa = 0, so = 0, sao = 0;
    int valid = 0;
    for (Eigen::Index r = 0; r < points.rows(); ++r) {
        if (!std::isfinite(order(r)))
            continue;
        const double a = projection.arcLength(r);
        const int half = a < 0.5 * curve.length ? 0 : 1;
        sum[half] += order(r);
        ++count[half];
        sa += a;
        so += order(r);
        sao += a * order(r);
        ++valid;
    }
    bool reverse = false;
    if (count[0] > 0 && count[1] > 0)
        reverse = sum[0] / count[0] > sum[1] / count[1];
    else if (valid > 0) // all on one half: the sign of the covariance of arc length and order
        reverse = sao / valid - (sa / valid) * (so / valid) < 0;
    if (!reverse)
        return;
    curve.lpcPoints = curve.lpcPoints.colwise().reverse().eval();
    curve.lpcArcLength = cumulativeLength(curve.lpcPoints);
    curve.splinePoints = curve.splinePoints.colwise().reverse().eval();
    curve.splineArcLength =
        (curve.length - curve.splineArcLength.reverse().array()).matrix().eval();
    appendWarning(curve, "reversed so the curve starts at the low end of the order");
}

CurveProjection projectOntoCurve(const PrincipalCurve& curve, const Eigen::MatrixXd& points) {
    const Eigen::MatrixXd& sp = curve.splinePoints;
    if (sp.rows() < 1)
        throw DataError("project onto curve: the curve has no spline points");
    if (points.cols() != sp.cols())
        throw DataError("project onto curve: points have " + std::to_string(points.cols()) +
                        " columns, the curve " + std::to_string(sp.cols()));
    const Eigen::Index n = points.rows();
    CurveProjection out;
    out.arcLength.resize(n);
    out.residual.resize(n);
    out.foot.resize(n, sp.cols());
    const Eigen::Index segments = std::max<Eigen::Index>(1, sp.rows() - 1);
    for (Eigen::Index r = 0; r < n; ++r) {
        double best = std::numeric_limits<double>::infinity();
        for (Eigen::Index k = 0; k < segments; ++k) {
            const bool single = sp.rows() == 1;
            const Eigen::RowVectorXd a = sp.row(k);
            const Eigen::RowVectorXd ab = single ? Eigen::RowVectorXd::Zero(sp.cols())
                                                 : Eigen::RowVectorXd(sp.row(k + 1) - a);
            const double len2 = ab.squaredNorm();
            const double f =
                len2 > 0 ? std::clamp((points.row(r) - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
            const Eigen::RowVectorXd foot = a + f * ab;
            const double dist = (points.row(r) - foot).norm();
            if (dist < best) { // strict: ties go to the earlier segment
                best = dist;
                out.residual(r) = dist;
                out.foot.row(r) = foot;
                out.arcLength(r) =
                    single ? curve.splineArcLength(0)
                           : curve.splineArcLength(k) +
                                 f * (curve.splineArcLength(k + 1) - curve.splineArcLength(k));
            }
        }
    }
    return out;
}

CurveDispersion curveDispersion(const PrincipalCurve& curve, const Eigen::MatrixXd& points, int n) {
    if (n < 1)
        throw ConfigError("curve dispersion: n must be ≥ 1, got " + std::to_string(n));
    const Eigen::Index k = curve.splinePoints.rows();
    if (k < 2)
        throw DataError("curve dispersion: the curve needs at least 2 spline points, has " +
                        std::to_string(k));
    const CurveProjection projection = projectOntoCurve(curve, points);
    // Window j: arc length within half a spacing of spline point j (the end windows are half
    // as long; points beyond the ends project onto them).
    const double spacing = curve.length / static_cast<double>(k - 1);
    std::vector<std::vector<Eigen::Index>> members(static_cast<std::size_t>(k));
    for (Eigen::Index r = 0; r < points.rows(); ++r) {
        const double position = spacing > 0 ? projection.arcLength(r) / spacing : 0.0;
        const auto j = std::clamp<Eigen::Index>(std::llround(position), 0, k - 1);
        members[static_cast<std::size_t>(j)].push_back(r);
    }
    CurveDispersion out;
    out.perPosition = Eigen::VectorXd::Constant(k, std::numeric_limits<double>::quiet_NaN());
    std::vector<Eigen::Index> defined;
    for (Eigen::Index j = 0; j < k; ++j) {
        const auto& rows = members[static_cast<std::size_t>(j)];
        if (rows.size() < 2)
            continue;
        Eigen::RowVectorXd centroid = Eigen::RowVectorXd::Zero(points.cols());
        for (Eigen::Index r : rows)
            centroid += points.row(r);
        centroid /= static_cast<double>(rows.size());
        double sum = 0;
        for (Eigen::Index r : rows)
            sum += (points.row(r) - centroid).norm();
        out.perPosition(j) = sum / static_cast<double>(rows.size());
        defined.push_back(j);
    }
    if (defined.empty())
        return out;
    const std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(n), defined.size());
    double first = 0, last = 0;
    for (std::size_t i = 0; i < take; ++i) {
        first += out.perPosition(defined[i]);
        last += out.perPosition(defined[defined.size() - 1 - i]);
    }
    out.firstN = first / static_cast<double>(take);
    out.lastN = last / static_cast<double>(take);
    if (defined.size() >= 2) {
        // Least-squares slope against the normalised position j / (K − 1).
        double mp = 0, md = 0;
        for (Eigen::Index j : defined) {
            mp += static_cast<double>(j) / static_cast<double>(k - 1);
            md += out.perPosition(j);
        }
        mp /= static_cast<double>(defined.size());
        md /= static_cast<double>(defined.size());
        double sxy = 0, sxx = 0;
        for (Eigen::Index j : defined) {
            const double p = static_cast<double>(j) / static_cast<double>(k - 1) - mp;
            sxy += p * (out.perPosition(j) - md);
            sxx += p * p;
        }
        out.coefficient = sxy / sxx;
    }
    return out;
}

} // namespace embedscope
