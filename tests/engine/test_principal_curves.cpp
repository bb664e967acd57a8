// Local principal curves (seed 003, SPEC S3): known curves recovered from noisy samples,
// orientation by an order variable, projection and dispersion computed by hand, bad input.
#include "embedscope/engine/error.h"
#include "embedscope/engine/principal_curves.h"

#include "../../engine/src/smoothing_spline.h" // private engine header, tested directly
#include "expect_error.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace embedscope;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Helix segment (cos θ, sin θ, 0.3 θ), θ ∈ [0, 1.5π]: arc length 1.5π √(1 + 0.09).
constexpr double kHelixTurn = 1.5 * kPi;
constexpr double kHelixPitch = 0.3;
constexpr double kNoise = 0.03;

Eigen::RowVector3d helix(double theta) {
    return {std::cos(theta), std::sin(theta), kHelixPitch * theta};
}

/// n points at uniform θ plus isotropic N(0, σ²) noise; `theta` receives the true θ.
Eigen::MatrixXd noisyHelix(int n, Eigen::VectorXd& theta) {
    std::mt19937 gen(7);
    std::uniform_real_distribution<double> uniform(0, kHelixTurn);
    std::normal_distribution<double> noise(0, kNoise);
    Eigen::MatrixXd x(n, 3);
    theta.resize(n);
    for (int i = 0; i < n; ++i) {
        theta(i) = uniform(gen);
        x.row(i) = helix(theta(i)) + Eigen::RowVector3d(noise(gen), noise(gen), noise(gen));
    }
    return x;
}

/// The true curve densely sampled (step ≪ the tolerances below).
Eigen::MatrixXd denseCurve(int samples, double from, double to, Eigen::RowVectorXd (*f)(double)) {
    Eigen::MatrixXd out(samples, f(from).size());
    for (int i = 0; i < samples; ++i)
        out.row(i) = f(from + (to - from) * i / (samples - 1.0));
    return out;
}

Eigen::RowVectorXd helixDyn(double t) {
    return helix(t);
}
Eigen::RowVectorXd parabola(double x) {
    return Eigen::RowVector2d(x, x * x);
}

double distanceToDense(const Eigen::RowVectorXd& p, const Eigen::MatrixXd& dense) {
    return (dense.rowwise() - p).rowwise().norm().minCoeff();
}

double maxDistanceToDense(const Eigen::MatrixXd& points, const Eigen::MatrixXd& dense) {
    double worst = 0;
    for (Eigen::Index k = 0; k < points.rows(); ++k)
        worst = std::max(worst, distanceToDense(points.row(k), dense));
    return worst;
}

/// A hand-made straight curve from a to b with K equally spaced spline points.
PrincipalCurve straightCurve(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b, int k) {
    PrincipalCurve c;
    c.length = (b - a).norm();
    c.splinePoints.resize(k, a.size());
    c.splineArcLength.resize(k);
    for (int i = 0; i < k; ++i) {
        const double f = i / (k - 1.0);
        c.splinePoints.row(i) = a + f * (b - a);
        c.splineArcLength(i) = f * c.length;
    }
    c.lpcPoints = c.splinePoints;
    c.lpcArcLength = c.splineArcLength;
    return c;
}

} // namespace

class TestPrincipalCurves : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helixIsRecovered() {
        Eigen::VectorXd theta;
        const Eigen::MatrixXd x = noisyHelix(400, theta);
        const PrincipalCurve curve = fitPrincipalCurve(x);
        const Eigen::MatrixXd truth = denseCurve(20001, 0, kHelixTurn, helixDyn);
        QCOMPARE(curve.splinePoints.rows(), Eigen::Index(20));
        QCOMPARE(curve.splinePoints.cols(), Eigen::Index(3));
        QVERIFY(curve.lpcPoints.rows() >= 10);
        QCOMPARE(curve.splineArcLength(0), 0.0);
        QVERIFY(std::abs(curve.splineArcLength(19) - curve.length) < 1e-12);

        // Noise orthogonal to the curve is 2-D here, so a perfect curve leaves a mean residual
        // of σ √(π/2) ≈ 0.038; allow 1.5× for the curve's own error and the ends.
        const CurveProjection p = projectOntoCurve(curve, x);
        const double ideal = kNoise * std::sqrt(kPi / 2);
        QVERIFY2(p.residual.mean() < 1.5 * ideal, qPrintable(QString::number(p.residual.mean())));
        QVERIFY(p.residual.minCoeff() >= 0);

        // Local means are pulled inside a bend by about h²κ/2 (h ≈ 0.1 × range 2 = 0.2,
        // κ = 1/(1 + 0.09) ≈ 0.92): ≈ 0.02, plus the noise of the mean; 0.05 bounds both.
        const double worst = maxDistanceToDense(curve.splinePoints, truth);
        QVERIFY2(worst < 0.05, qPrintable(QString::number(worst)));

        // The curve stops a fraction of h short of each end (the local mean at an end of the
        // data lies inside it; LPCM's boundary correction shrinks but does not remove that):
        // measured 0.949 of the true length at the default h; 0.92–1.02 allows that, no more.
        const double trueLength = kHelixTurn * std::sqrt(1 + kHelixPitch * kHelixPitch);
        QVERIFY2(curve.length > 0.92 * trueLength && curve.length < 1.02 * trueLength,
                 qPrintable(QString::number(curve.length / trueLength)));
    }

    void stalledCurveIsReported() {
        Eigen::VectorXd theta;
        const Eigen::MatrixXd x = noisyHelix(400, theta);
        QVERIFY(fitPrincipalCurve(x).warning.empty());
        // Two steps each way cover a small part of the helix: most points lie beyond its ends.
        LpcOptions o;
        o.maxSteps = 2;
        const PrincipalCurve shortCurve = fitPrincipalCurve(x, o);
        QVERIFY2(shortCurve.warning.find("ends inside the data") != std::string::npos,
                 shortCurve.warning.c_str());
    }

    void smallerBandwidthReachesFurther() {
        // At h = 0.05 the end shortfall halves: within 3 % of the true length.
        Eigen::VectorXd theta;
        const Eigen::MatrixXd x = noisyHelix(400, theta);
        LpcOptions o;
        o.bandwidth = 0.05;
        const PrincipalCurve curve = fitPrincipalCurve(x, o);
        const double trueLength = kHelixTurn * std::sqrt(1 + kHelixPitch * kHelixPitch);
        QVERIFY2(std::abs(curve.length / trueLength - 1) < 0.03,
                 qPrintable(QString::number(curve.length / trueLength)));
    }

    void parabolaIsRecovered() {
        std::mt19937 gen(11);
        std::uniform_real_distribution<double> uniform(-1, 1);
        const double sigma = 0.02;
        std::normal_distribution<double> noise(0, sigma);
        Eigen::MatrixXd x(400, 2);
        for (int i = 0; i < 400; ++i) {
            const double u = uniform(gen);
            x.row(i) << u + noise(gen), u * u + noise(gen);
        }
        const PrincipalCurve curve = fitPrincipalCurve(x);
        // 2-D: the orthogonal noise is 1-D, mean |N(0, σ²)| = σ √(2/π) ≈ 0.016; the smoothing
        // bias in the bend adds a little (isotropic h = 0.2 in both axes: measured 1.53×).
        const CurveProjection p = projectOntoCurve(curve, x);
        const double ideal = sigma * std::sqrt(2 / kPi);
        QVERIFY2(p.residual.mean() < 1.7 * ideal, qPrintable(QString::number(p.residual.mean())));
        // Bias in the bend ≤ h²κ/2 with h = 0.2 (isotropic) and κ ≤ 2 at the vertex.
        const Eigen::MatrixXd truth = denseCurve(20001, -1, 1, parabola);
        const double worst = maxDistanceToDense(curve.splinePoints, truth);
        QVERIFY2(worst < 0.05, qPrintable(QString::number(worst)));
        // Arc length of (x, x²) on [−1, 1]: √5 + asinh(2)/2.
        const double trueLength = std::sqrt(5.0) + std::asinh(2.0) / 2;
        QVERIFY2(curve.length > 0.92 * trueLength && curve.length < 1.02 * trueLength,
                 qPrintable(QString::number(curve.length / trueLength)));
    }

    void orientationFollowsOrder() {
        Eigen::VectorXd theta;
        const Eigen::MatrixXd x = noisyHelix(300, theta);
        PrincipalCurve curve = fitPrincipalCurve(x);
        const Eigen::RowVector3d low = helix(0);
        const Eigen::RowVector3d high = helix(kHelixTurn);
        const Eigen::Index last = curve.splinePoints.rows() - 1;

        orientCurve(curve, x, theta);
        QVERIFY((curve.splinePoints.row(0) - low).norm() < 0.3);
        QVERIFY((curve.splinePoints.row(last) - high).norm() < 0.3);
        const Eigen::MatrixXd forward = curve.splinePoints;
        const Eigen::VectorXd forwardArc = projectOntoCurve(curve, x).arcLength;

        // Reversing the order reverses the curve: same points, opposite sequence, and every
        // point's arc length becomes length − arc length.
        orientCurve(curve, x, -theta);
        QVERIFY((curve.splinePoints.row(0) - high).norm() < 0.3);
        QVERIFY(curve.splinePoints.isApprox(forward.colwise().reverse(), 1e-12));
        QVERIFY(!curve.warning.empty());
        const Eigen::VectorXd backwardArc = projectOntoCurve(curve, x).arcLength;
        QVERIFY(((curve.length - forwardArc.array()) - backwardArc.array()).abs().maxCoeff() <
                1e-9);
        QCOMPARE(curve.splineArcLength(0), 0.0);

        // Already oriented: nothing changes.
        orientCurve(curve, x, -theta);
        QVERIFY(curve.splinePoints.isApprox(forward.colwise().reverse(), 1e-12));
        // Pseudo-time follows the true θ.
        const Eigen::VectorXd arc = projectOntoCurve(curve, x).arcLength;
        const double corr = ((arc.array() - arc.mean()) * (-theta.array() + theta.mean())).sum() /
                            std::sqrt((arc.array() - arc.mean()).square().sum() *
                                      (theta.array() - theta.mean()).square().sum());
        QVERIFY2(corr > 0.99, qPrintable(QString::number(corr)));
    }

    void projectionOntoStraightLineByHand() {
        // (0,0) → (4,3), length 5, direction (0.8, 0.6).
        const PrincipalCurve c =
            straightCurve(Eigen::RowVector2d(0, 0), Eigen::RowVector2d(4, 3), 6);
        Eigen::MatrixXd p(3, 2);
        p << 4, 0,  // along 3.2, foot (2.56, 1.92), residual √(1.44² + 1.92²) = 2.4
            -1, -1, // before the start: foot (0, 0), residual √2
            8, 6;   // beyond the end: foot (4, 3), residual 5
        const CurveProjection pr = projectOntoCurve(c, p);
        QVERIFY(std::abs(pr.arcLength(0) - 3.2) < 1e-12);
        QVERIFY(std::abs(pr.residual(0) - 2.4) < 1e-12);
        QVERIFY(std::abs(pr.foot(0, 0) - 2.56) < 1e-12 && std::abs(pr.foot(0, 1) - 1.92) < 1e-12);
        QVERIFY(std::abs(pr.arcLength(1)) < 1e-12);
        QVERIFY(std::abs(pr.residual(1) - std::sqrt(2.0)) < 1e-12);
        QVERIFY(std::abs(pr.arcLength(2) - 5) < 1e-12);
        QVERIFY(std::abs(pr.residual(2) - 5) < 1e-12);
    }

    void dispersionOfKnownWindows() {
        // Straight curve along x with K = 11 spline points at x = 0, 1, ..., 10. At each x_k
        // two points (x_k, ±d_k) with d_k = 0.5 + 2 k/10: centroid (x_k, 0), dispersion d_k.
        const int k = 11;
        const PrincipalCurve c =
            straightCurve(Eigen::RowVector2d(0, 0), Eigen::RowVector2d(10, 0), k);
        Eigen::MatrixXd x(2 * k + 1, 2);
        for (int i = 0; i < k; ++i) {
            const double d = 0.5 + 2.0 * i / (k - 1);
            x.row(2 * i) << i, d;
            x.row(2 * i + 1) << i, -d;
        }
        // A third point in window 5, on its centroid: that window's mean distance is 2d/3.
        x.row(2 * k) << 5, 0;
        const CurveDispersion disp = curveDispersion(c, x, 3);
        QCOMPARE(disp.perPosition.size(), Eigen::Index(k));
        for (int i = 0; i < k; ++i) {
            double expected = 0.5 + 2.0 * i / (k - 1);
            if (i == 5)
                expected = 2 * expected / 3; // (d + d + 0) / 3
            QVERIFY2(std::abs(disp.perPosition(i) - expected) < 1e-12,
                     qPrintable(QString::number(i)));
        }
        // first_3 = mean(0.5, 0.7, 0.9), last_3 = mean(2.5, 2.3, 2.1).
        QVERIFY(std::abs(disp.firstN - 0.7) < 1e-12);
        QVERIFY(std::abs(disp.lastN - 2.3) < 1e-12);
        // Slope against the normalised position: 2; the dent sits at position 0.5, the mean
        // position, where it moves the intercept but not the least-squares slope.
        QVERIFY(std::abs(disp.coefficient - 2.0) < 1e-12);
    }

    void dispersionSkipsThinWindows() {
        const PrincipalCurve c =
            straightCurve(Eigen::RowVector2d(0, 0), Eigen::RowVector2d(4, 0), 5);
        Eigen::MatrixXd x(5, 2);
        // Windows 0 and 4 hold two points each (spread 1 and 3); window 2 holds one.
        x << 0, 1, 0.2, -1, 4, 3, 3.9, -3, 2, 7;
        const CurveDispersion disp = curveDispersion(c, x, 5);
        QVERIFY(std::isnan(disp.perPosition(1)) && std::isnan(disp.perPosition(2)));
        // Window 0: centroid (0.1, 0), distances √(0.01 + 1) each.
        QVERIFY(std::abs(disp.perPosition(0) - std::sqrt(1.01)) < 1e-12);
        QVERIFY(std::abs(disp.perPosition(4) - std::sqrt(9.0025)) < 1e-12);
        // Fewer defined windows than n: first_n = last_n = mean of both.
        const double mean = (std::sqrt(1.01) + std::sqrt(9.0025)) / 2;
        QVERIFY(std::abs(disp.firstN - mean) < 1e-12 && std::abs(disp.lastN - mean) < 1e-12);
        QVERIFY(std::abs(disp.coefficient - (std::sqrt(9.0025) - std::sqrt(1.01))) < 1e-12);
    }

    void collinearPointsGiveAStraightCurve() {
        // A valid 1-D set: the curve lies on the line and spans most of it.
        Eigen::MatrixXd x(50, 2);
        for (int i = 0; i < 50; ++i)
            x.row(i) << 0.1 * i, 2 + 0.05 * i;
        const PrincipalCurve curve = fitPrincipalCurve(x);
        const Eigen::RowVector2d dir = Eigen::RowVector2d(2, 1).normalized();
        for (Eigen::Index k = 0; k < curve.splinePoints.rows(); ++k) {
            const Eigen::RowVector2d v = curve.splinePoints.row(k) - Eigen::RowVector2d(0, 2);
            QVERIFY(std::abs(v(0) * dir(1) - v(1) * dir(0)) < 1e-9); // on the line
        }
        const double extent = (x.row(49) - x.row(0)).norm();
        QVERIFY(curve.length > 0.9 * extent && curve.length <= 1.001 * extent);
    }

    void noisyRayDoesNotFoldBack() {
        // A noisy ray t·e₁ (t ~ U(0, 10), σ = 0.25 in 3-D): the densest start lies near one
        // end, where LPCM's backward walk can turn round and retrace the branch. The spline must
        // run monotonically along e₁ and cover most of the ray.
        std::mt19937 gen(11);
        std::uniform_real_distribution<double> time(0.0, 10.0);
        std::normal_distribution<double> noise(0.0, 0.25);
        for (int trial = 0; trial < 5; ++trial) {
            Eigen::MatrixXd x(200, 3);
            for (int i = 0; i < 200; ++i)
                x.row(i) << time(gen) + noise(gen), noise(gen), noise(gen);
            const PrincipalCurve curve = fitPrincipalCurve(x);
            const Eigen::VectorXd along = curve.splinePoints.col(0);
            const double sign = along(along.size() - 1) > along(0) ? 1 : -1;
            for (Eigen::Index k = 1; k < along.size(); ++k)
                QVERIFY2(
                    sign * (along(k) - along(k - 1)) > 0,
                    qPrintable(QString("trial %1: spline point %2 turns back").arg(trial).arg(k)));
            QVERIFY(std::abs(along(along.size() - 1) - along(0)) > 8);
        }
    }

    void oneDimensionalSet() {
        Eigen::MatrixXd x(10, 1);
        for (int i = 0; i < 10; ++i)
            x(i, 0) = i;
        const PrincipalCurve curve = fitPrincipalCurve(x);
        QVERIFY(curve.length > 7 && curve.length <= 9);
        QVERIFY(curve.splinePoints.minCoeff() >= 0 && curve.splinePoints.maxCoeff() <= 9);
    }

    void splineThroughThreePointsByHand() {
        // Natural interpolating spline through (0,0), (1,1), (2,0): s(x) = 1.5x − 0.5x³ on
        // [0, 1] (s(0) = 0, s(1) = 1, s''(0) = 0, s'(1) = 0 by symmetry), so s(0.5) = 0.6875
        // and s''(1) = −3.
        Eigen::VectorXd u(3);
        u << 0, 1, 2;
        Eigen::MatrixXd y(3, 1);
        y << 0, 1, 0;
        const detail::SmoothingSpline s(u, y, 0);
        QVERIFY(std::abs(s(0.5)(0) - 0.6875) < 1e-12);
        QVERIFY(std::abs(s(1.5)(0) - 0.6875) < 1e-12);
        QVERIFY(std::abs(s.secondDerivatives()(1, 0) + 3) < 1e-12);
        QVERIFY(std::abs(s(1.0)(0) - 1) < 1e-12);
    }

    void splineLimits() {
        std::mt19937 gen(3);
        std::normal_distribution<double> noise(0, 0.1);
        const int n = 30;
        Eigen::VectorXd u(n);
        Eigen::MatrixXd y(n, 2);
        for (int i = 0; i < n; ++i) {
            u(i) = i + 0.3 * std::sin(i); // uneven spacing
            y(i, 0) = std::sin(0.3 * u(i)) + noise(gen);
            y(i, 1) = 2 - 0.5 * u(i); // a line: reproduced at any smoothing
        }
        // Interpolating: passes through every point.
        const detail::SmoothingSpline interp(u, y, 0);
        for (int i = 0; i < n; ++i)
            QVERIFY((interp(u(i)) - y.row(i)).norm() < 1e-10);
        // Very smooth: tends to the least-squares line of column 0.
        const detail::SmoothingSpline stiff(u, y, 1e9);
        const double mu = u.mean();
        const double my = y.col(0).mean();
        const double slope =
            ((u.array() - mu) * (y.col(0).array() - my)).sum() / (u.array() - mu).square().sum();
        for (int i = 0; i < n; ++i) {
            QVERIFY(std::abs(stiff.fitted()(i, 0) - (my + slope * (u(i) - mu))) < 1e-4);
            QVERIFY(std::abs(stiff(u(i))(1) - y(i, 1)) < 1e-9);
        }
        // In between: the residual grows with the smoothing.
        const detail::SmoothingSpline mid(u, y, 1.0);
        const double rMid = (mid.fitted() - y).col(0).norm();
        const double rStiff = (stiff.fitted() - y).col(0).norm();
        QVERIFY(rMid > 1e-6 && rMid < rStiff);
    }

    void badInput() {
        Eigen::MatrixXd three(3, 2);
        three << 0, 0, 1, 1, 2, 2;
        expectError<DataError>([&] { fitPrincipalCurve(three); }, {"3", "at least 5"});
        QCOMPARE(minimumCurvePoints(), 5);

        const Eigen::MatrixXd same = Eigen::MatrixXd::Constant(10, 3, 1.5);
        expectError<DataError>([&] { fitPrincipalCurve(same); }, {"degenerate"});

        Eigen::MatrixXd nan = Eigen::MatrixXd::Random(10, 2);
        nan(7, 1) = std::numeric_limits<double>::quiet_NaN();
        expectError<DataError>([&] { fitPrincipalCurve(nan); }, {"row 7", "NaN"});

        const Eigen::MatrixXd ok = Eigen::MatrixXd::Random(10, 2);
        LpcOptions o;
        o.bandwidth = -0.1;
        expectError<ConfigError>([&] { fitPrincipalCurve(ok, o); }, {"bandwidth"});
        o = LpcOptions();
        o.splinePositions = 1;
        expectError<ConfigError>([&] { fitPrincipalCurve(ok, o); }, {"splinePositions"});

        PrincipalCurve c = fitPrincipalCurve(ok);
        expectError<DataError>([&] { orientCurve(c, ok, Eigen::VectorXd::Zero(3)); }, {"3"});
        expectError<DataError>([&] { projectOntoCurve(c, Eigen::MatrixXd::Zero(2, 3)); },
                               {"columns"});
    }

    void cancellation() {
        Eigen::VectorXd theta;
        const Eigen::MatrixXd x = noisyHelix(100, theta);
        JobContext ctx;
        ctx.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, fitPrincipalCurve(x, LpcOptions(), -1, ctx));
    }
};

QTEST_GUILESS_MAIN(TestPrincipalCurves)
#include "test_principal_curves.moc"
