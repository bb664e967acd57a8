#pragma once
// Private to the engine: a natural cubic smoothing spline of several coordinates over one
// increasing parameter (Reinsch algorithm, Green & Silverman 1994, "Nonparametric Regression
// and Generalized Linear Models", §2.3). Written by hand because Debian has no C++
// smoothing-spline library that the project uses (Eigen has interpolation only, and GSL's
// bsplines would add a dependency for ~100 lines).
#include <Eigen/Dense>

namespace embedscope::detail {

class SmoothingSpline {
public:
    /// Minimises Σ_i ‖y_i − g(x_i)‖² + alpha ∫ ‖g''(x)‖² dx over natural cubic splines g, one
    /// independent fit per column of y. x: n strictly increasing knots (n ≥ 2); y: n × D;
    /// alpha ≥ 0 (0 = the interpolating natural spline). n = 2 gives the straight line.
    SmoothingSpline(const Eigen::VectorXd& x, const Eigen::MatrixXd& y, double alpha);

    /// The spline at t (clamped to [x_0, x_{n−1}]), one value per column of y.
    Eigen::RowVectorXd operator()(double t) const;

    const Eigen::VectorXd& knots() const { return x_; }
    /// n × D fitted values g(x_i).
    const Eigen::MatrixXd& fitted() const { return g_; }
    /// n × D second derivatives g''(x_i) (rows 0 and n − 1 are 0: natural spline).
    const Eigen::MatrixXd& secondDerivatives() const { return gamma_; }

private:
    Eigen::VectorXd x_;
    Eigen::MatrixXd g_;
    Eigen::MatrixXd gamma_;
};

} // namespace embedscope::detail
