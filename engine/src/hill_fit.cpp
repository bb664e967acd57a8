// 4PL (Hill) fit with Eigen's Levenberg–Marquardt (unsupported module, part of Debian's
// libeigen3-dev): parameters (bottom, top, log EC50, h) so EC50 stays positive.
#include "embedscope/engine/hill_fit.h"

#include "embedscope/engine/error.h"

#include <unsupported/Eigen/LevenbergMarquardt>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

namespace embedscope {
namespace {

/// Reasons are shown in figures: four significant digits, not std::to_string's six decimals.
std::string num(double v) {
    std::ostringstream out;
    out << std::setprecision(4) << v;
    return out.str();
}

struct HillResiduals : Eigen::DenseFunctor<double> {
    const std::vector<double>& x;
    const std::vector<double>& y;
    HillResiduals(const std::vector<double>& dose, const std::vector<double>& response)
        : Eigen::DenseFunctor<double>(4, static_cast<int>(dose.size())), x(dose), y(response) {}

    // r_i = f(x_i) − y_i with f = b + (t − b) / (1 + exp(h (c − ln x))), c = ln EC50.
    int operator()(const Eigen::VectorXd& p, Eigen::VectorXd& r) const {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double g = 1.0 / (1.0 + std::exp(p(3) * (p(2) - std::log(x[i]))));
            r(Eigen::Index(i)) = p(0) + (p(1) - p(0)) * g - y[i];
        }
        return 0;
    }
    int df(const Eigen::VectorXd& p, Eigen::MatrixXd& j) const {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double u = p(2) - std::log(x[i]);
            const double g = 1.0 / (1.0 + std::exp(p(3) * u));
            const double dg = -g * (1.0 - g); // dg/d(h u)
            const auto r = Eigen::Index(i);
            j(r, 0) = 1.0 - g;
            j(r, 1) = g;
            j(r, 2) = (p(1) - p(0)) * dg * p(3);
            j(r, 3) = (p(1) - p(0)) * dg * u;
        }
        return 0;
    }
};

double kendallTau(const std::vector<double>& a, const std::vector<double>& b) {
    double concordant = 0, discordant = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t k = i + 1; k < a.size(); ++k) {
            const double s = (a[i] - a[k]) * (b[i] - b[k]);
            concordant += s > 0 ? 1 : 0;
            discordant += s < 0 ? 1 : 0;
        }
    const double pairs = double(a.size()) * double(a.size() - 1) / 2.0;
    return pairs > 0 ? (concordant - discordant) / pairs : 0.0;
}

HillFit noFit(std::string why) {
    HillFit f;
    f.reason = std::move(why);
    return f;
}

} // namespace

double HillFit::operator()(double x) const {
    if (!ok || !(x > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return bottom + (top - bottom) / (1.0 + std::pow(ec50 / x, hill));
}

HillFit fitHill(const std::vector<double>& dose, const std::vector<double>& response) {
    if (dose.size() != response.size())
        throw DataError("Hill fit: " + std::to_string(dose.size()) + " doses but " +
                        std::to_string(response.size()) + " responses");
    for (std::size_t i = 0; i < dose.size(); ++i) {
        if (!std::isfinite(dose[i]) || !std::isfinite(response[i]))
            throw DataError("Hill fit: point " + std::to_string(i) + " is not finite");
        if (dose[i] <= 0)
            throw DataError("Hill fit: point " + std::to_string(i) + " has dose " +
                            std::to_string(dose[i]) + " (a log-dose fit needs doses > 0)");
    }
    // Per-dose means and the pooled within-dose variance.
    std::map<double, std::vector<double>> byDose;
    for (std::size_t i = 0; i < dose.size(); ++i)
        byDose[dose[i]].push_back(response[i]);
    if (byDose.size() < 4 || dose.size() < 5)
        return noFit("needs at least 4 distinct positive doses and 5 points (got " +
                     std::to_string(byDose.size()) + " doses, " + std::to_string(dose.size()) +
                     " points)");
    std::vector<double> doses, means;
    double within = 0;
    std::size_t withinDf = 0;
    for (const auto& [d, ys] : byDose) {
        double m = 0;
        for (double v : ys)
            m += v;
        m /= double(ys.size());
        for (double v : ys)
            within += (v - m) * (v - m);
        withinDf += ys.size() - 1;
        doses.push_back(d);
        means.push_back(m);
    }
    const auto [lo, hi] = std::minmax_element(means.begin(), means.end());
    const double range = *hi - *lo;
    const double perPoint = double(dose.size()) / double(byDose.size());
    const double seMean = withinDf > 0 ? std::sqrt(within / double(withinDf) / perPoint) : 0.0;
    if (!(range > 1e-12 * (1.0 + std::abs(*hi))) || range < 4.0 * seMean)
        return noFit("flat: the dose means span " + num(range) +
                     ", within four standard errors of a dose mean (" + num(seMean) + ")");
    const double tau = kendallTau(doses, means);
    if (std::abs(tau) < 0.6)
        return noFit("non-monotone: Kendall's tau of the dose means is " + num(tau));

    // Start: bottom/top at the means of the lowest/highest dose, EC50 at the geometric middle,
    // h = ±1 by the direction of the trend.
    Eigen::VectorXd p(4);
    p << means.front(), means.back(), 0.5 * (std::log(doses.front()) + std::log(doses.back())), 1.0;
    HillResiduals residuals(dose, response);
    Eigen::LevenbergMarquardt<HillResiduals> lm(residuals);
    lm.setMaxfev(2000);
    lm.minimize(p);
    HillFit fit;
    fit.iterations = int(lm.iterations());
    Eigen::VectorXd r(Eigen::Index(dose.size()));
    residuals(p, r);
    fit.rss = r.squaredNorm();
    const double ec50 = std::exp(p(2));
    if (!p.allFinite() || !std::isfinite(fit.rss) || !(ec50 >= doses.front() / 100.0) ||
        !(ec50 <= doses.back() * 100.0))
        return noFit("the solver ended with EC50 " + num(ec50) +
                     ", outside [min dose / 100, 100 · max dose]");
    fit.ok = true;
    fit.bottom = p(0);
    fit.top = p(1);
    fit.ec50 = ec50;
    fit.hill = p(3);
    // Covariance s² (JᵀJ)⁻¹ at the optimum.
    Eigen::MatrixXd j(Eigen::Index(dose.size()), 4);
    residuals.df(p, j);
    const double s2 = dose.size() > 4 ? fit.rss / double(dose.size() - 4) : 0.0;
    const Eigen::MatrixXd cov =
        s2 * (j.transpose() * j).completeOrthogonalDecomposition().pseudoInverse();
    fit.seBottom = std::sqrt(std::max(0.0, cov(0, 0)));
    fit.seTop = std::sqrt(std::max(0.0, cov(1, 1)));
    fit.seEc50 = ec50 * std::sqrt(std::max(0.0, cov(2, 2)));
    fit.seHill = std::sqrt(std::max(0.0, cov(3, 3)));
    return fit;
}

} // namespace embedscope
