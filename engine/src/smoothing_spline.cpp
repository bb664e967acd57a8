// Reinsch's smoothing spline (Green & Silverman 1994, §2.3.3): with h_i = x_{i+1} − x_i, the
// n × (n − 2) band matrix Q and the (n − 2) × (n − 2) tridiagonal R of §2.1.2, the second
// derivatives γ at the interior knots solve (R + α QᵀQ) γ = Qᵀy and the fitted values are
// g = y − α Q γ. The system is pentadiagonal, so a sparse LDLᵀ keeps it O(n).
#include "smoothing_spline.h"

#include "embedscope/engine/error.h"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace embedscope::detail {

SmoothingSpline::SmoothingSpline(const Eigen::VectorXd& x, const Eigen::MatrixXd& y, double alpha)
    : x_(x) {
    const Eigen::Index n = x.size();
    if (n < 2)
        throw DataError("smoothing spline needs at least 2 knots, got " + std::to_string(n));
    if (y.rows() != n)
        throw DataError("smoothing spline: " + std::to_string(y.rows()) + " values for " +
                        std::to_string(n) + " knots");
    if (!(alpha >= 0) || !std::isfinite(alpha))
        throw ConfigError("smoothing spline: smoothing must be ≥ 0, got " + std::to_string(alpha));
    for (Eigen::Index i = 0; i + 1 < n; ++i)
        if (!(x(i + 1) > x(i)))
            throw DataError("smoothing spline: knots must increase strictly (knot " +
                            std::to_string(i + 1) + ")");

    gamma_ = Eigen::MatrixXd::Zero(n, y.cols());
    if (n == 2) {
        g_ = y;
        return;
    }
    const Eigen::Index m = n - 2;
    std::vector<Eigen::Triplet<double>> qTriplets;
    std::vector<Eigen::Triplet<double>> rTriplets;
    for (Eigen::Index j = 0; j < m; ++j) {
        // Column j of Q belongs to interior knot j + 1.
        const double hPrev = x(j + 1) - x(j);
        const double hNext = x(j + 2) - x(j + 1);
        qTriplets.emplace_back(j, j, 1.0 / hPrev);
        qTriplets.emplace_back(j + 1, j, -1.0 / hPrev - 1.0 / hNext);
        qTriplets.emplace_back(j + 2, j, 1.0 / hNext);
        rTriplets.emplace_back(j, j, (hPrev + hNext) / 3.0);
        if (j + 1 < m) {
            rTriplets.emplace_back(j, j + 1, hNext / 6.0);
            rTriplets.emplace_back(j + 1, j, hNext / 6.0);
        }
    }
    Eigen::SparseMatrix<double> q(n, m);
    q.setFromTriplets(qTriplets.begin(), qTriplets.end());
    Eigen::SparseMatrix<double> r(m, m);
    r.setFromTriplets(rTriplets.begin(), rTriplets.end());
    const Eigen::SparseMatrix<double> qt = q.transpose();
    Eigen::SparseMatrix<double> a = r;
    if (alpha > 0)
        a = r + alpha * (qt * q);

    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver(a);
    if (solver.info() != Eigen::Success)
        throw DataError("smoothing spline: the band system is singular");
    const Eigen::MatrixXd rhs = qt * y;
    const Eigen::MatrixXd interior = solver.solve(rhs);
    gamma_.middleRows(1, m) = interior;
    g_ = y;
    if (alpha > 0)
        g_ -= alpha * (q * interior);
}

Eigen::RowVectorXd SmoothingSpline::operator()(double t) const {
    const Eigen::Index n = x_.size();
    t = std::clamp(t, x_(0), x_(n - 1));
    // Interval i with x_i ≤ t ≤ x_{i+1}.
    const auto it = std::upper_bound(x_.data(), x_.data() + n, t);
    Eigen::Index i = static_cast<Eigen::Index>(it - x_.data()) - 1;
    i = std::clamp<Eigen::Index>(i, 0, n - 2);
    const double h = x_(i + 1) - x_(i);
    const double a = t - x_(i);
    const double b = x_(i + 1) - t;
    // Green & Silverman (2.5): linear interpolation minus the cubic correction from γ.
    Eigen::RowVectorXd value = (a * g_.row(i + 1) + b * g_.row(i)) / h;
    value -= (a * b / 6.0) * ((1.0 + a / h) * gamma_.row(i + 1) + (1.0 + b / h) * gamma_.row(i));
    return value;
}

} // namespace embedscope::detail
