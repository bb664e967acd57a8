// K-means, ARI / NMI and the DEC helpers. Seed 002 §2.9.5 "Deep Clustering" names the method
// (K-means initialisation, then target-distribution updates, §4 implementation notes) but its
// text is empty in the draft: the formulas follow Xie, Girshick & Farhadi (2016).
#include "embedscope/engine/clustering.h"
#include "embedscope/engine/error.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>

namespace embedscope {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::Map<const RowMatrix> checkedMatrix(const std::vector<double>& x, std::size_t n,
                                          std::size_t d, const char* what) {
    if (x.size() != n * d)
        throw DataError(std::string(what) + ": " + std::to_string(x.size()) + " values for " +
                        std::to_string(n) + " rows × " + std::to_string(d) + " columns");
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isfinite(x[i]))
            throw DataError(std::string(what) + ": row " + std::to_string(i / d) + ", column " +
                            std::to_string(i % d) + " is not finite");
    return {x.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d)};
}

void checkK(int k, std::size_t n) {
    if (k < 1)
        throw ConfigError("k-means: k must be >= 1, got " + std::to_string(k));
    if (static_cast<std::size_t>(k) > n)
        throw ConfigError("k-means: k = " + std::to_string(k) + " clusters for only " +
                          std::to_string(n) + " rows (k must be <= the number of rows)");
}

/// Restart r's generator: independent of how many restarts there are.
std::mt19937_64 restartEngine(uint64_t seed, int restart) {
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(restart)};
    return std::mt19937_64(seq);
}

double uniform01(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); // 53 bits
}

std::vector<std::size_t> plusPlus(const Eigen::Map<const RowMatrix>& x, int k,
                                  std::mt19937_64& rng) {
    const auto n = static_cast<std::size_t>(x.rows());
    std::vector<std::size_t> chosen{static_cast<std::size_t>(rng() % n)};
    Eigen::VectorXd d2 =
        (x.rowwise() - x.row(static_cast<Eigen::Index>(chosen[0]))).rowwise().squaredNorm();
    while (chosen.size() < static_cast<std::size_t>(k)) {
        const double total = d2.sum();
        if (!(total > 0))
            throw DataError("k-means: only " + std::to_string(chosen.size()) +
                            " distinct points for k = " + std::to_string(k) + " clusters");
        double target = uniform01(rng) * total;
        std::size_t pick = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (d2[static_cast<Eigen::Index>(i)] <= 0)
                continue; // never an already covered point
            pick = i;
            target -= d2[static_cast<Eigen::Index>(i)];
            if (target < 0)
                break;
        }
        chosen.push_back(pick);
        d2 = d2.cwiseMin(
            (x.rowwise() - x.row(static_cast<Eigen::Index>(pick))).rowwise().squaredNorm());
    }
    return chosen;
}

struct Lloyd {
    RowMatrix centres;
    std::vector<int> labels;
    double inertia = 0;
    int iterations = 0;
};

Lloyd lloyd(const Eigen::Map<const RowMatrix>& x, RowMatrix centres, int maxIter) {
    const Eigen::Index n = x.rows(), k = centres.rows();
    Lloyd out;
    out.labels.assign(static_cast<std::size_t>(n), -1);
    Eigen::VectorXd nearest(n);
    for (int it = 0; it < maxIter; ++it) {
        bool changed = false;
        for (Eigen::Index i = 0; i < n; ++i) {
            Eigen::Index best = 0;
            nearest[i] = (centres.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff(&best);
            if (out.labels[static_cast<std::size_t>(i)] != static_cast<int>(best)) {
                out.labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
                changed = true;
            }
        }
        if (!changed)
            break;
        out.iterations = it + 1;
        RowMatrix sum = RowMatrix::Zero(k, x.cols());
        std::vector<std::size_t> count(static_cast<std::size_t>(k), 0);
        for (Eigen::Index i = 0; i < n; ++i) {
            sum.row(out.labels[static_cast<std::size_t>(i)]) += x.row(i);
            ++count[static_cast<std::size_t>(out.labels[static_cast<std::size_t>(i)])];
        }
        for (Eigen::Index j = 0; j < k; ++j) {
            if (count[static_cast<std::size_t>(j)] > 0) {
                centres.row(j) =
                    sum.row(j) / static_cast<double>(count[static_cast<std::size_t>(j)]);
            } else { // empty cluster: move it to the worst-fitted point (as scikit-learn)
                Eigen::Index far = 0;
                nearest.maxCoeff(&far);
                centres.row(j) = x.row(far);
                nearest[far] = 0;
            }
        }
    }
    // Final assignment and inertia against the final centres.
    out.inertia = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        Eigen::Index best = 0;
        out.inertia += (centres.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff(&best);
        out.labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
    out.centres = std::move(centres);
    return out;
}

double choose2(double m) {
    return m * (m - 1) / 2;
}

/// Contingency counts of two labelings (arbitrary label values).
struct Contingency {
    std::map<std::pair<int, int>, double> cell;
    std::map<int, double> rowSum, colSum;
    double n = 0;
};

Contingency contingency(const std::vector<int>& a, const std::vector<int>& b, const char* what) {
    if (a.size() != b.size())
        throw DataError(std::string(what) + ": labelings of " + std::to_string(a.size()) + " and " +
                        std::to_string(b.size()) + " rows");
    if (a.empty())
        throw DataError(std::string(what) + ": no rows");
    Contingency c;
    for (std::size_t i = 0; i < a.size(); ++i) {
        c.cell[{a[i], b[i]}] += 1;
        c.rowSum[a[i]] += 1;
        c.colSum[b[i]] += 1;
    }
    c.n = static_cast<double>(a.size());
    return c;
}

} // namespace

std::vector<std::size_t> kmeansPlusPlus(const std::vector<double>& x, std::size_t n, std::size_t d,
                                        int k, uint64_t seed) {
    const auto map = checkedMatrix(x, n, d, "k-means");
    checkK(k, n);
    std::mt19937_64 rng = restartEngine(seed, 0);
    return plusPlus(map, k, rng);
}

KMeansResult kmeans(const std::vector<double>& x, std::size_t n, std::size_t d,
                    const KMeansOptions& options) {
    checkK(options.k, n);
    if (options.nInit < 1 || options.maxIter < 1)
        throw ConfigError("k-means: restarts and max iterations must be >= 1");
    const auto map = checkedMatrix(x, n, d, "k-means");
    KMeansResult best;
    best.inertia = std::numeric_limits<double>::infinity();
    for (int r = 0; r < options.nInit; ++r) {
        std::mt19937_64 rng = restartEngine(options.seed, r);
        const std::vector<std::size_t> seeds = plusPlus(map, options.k, rng);
        RowMatrix centres(options.k, static_cast<Eigen::Index>(d));
        for (int j = 0; j < options.k; ++j)
            centres.row(j) = map.row(static_cast<Eigen::Index>(seeds[static_cast<std::size_t>(j)]));
        Lloyd run = lloyd(map, std::move(centres), options.maxIter);
        best.restartInertia.push_back(run.inertia);
        if (run.inertia < best.inertia) { // strict: ties keep the earlier restart
            best.inertia = run.inertia;
            best.labels = std::move(run.labels);
            best.centres.assign(run.centres.data(), run.centres.data() + run.centres.size());
            best.iterations = run.iterations;
            best.bestRestart = r;
        }
    }
    return best;
}

double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b) {
    const Contingency c = contingency(a, b, "adjusted Rand index");
    double index = 0, rows = 0, cols = 0;
    for (const auto& [key, m] : c.cell)
        index += choose2(m);
    for (const auto& [key, m] : c.rowSum)
        rows += choose2(m);
    for (const auto& [key, m] : c.colSum)
        cols += choose2(m);
    const double expected = c.n > 1 ? rows * cols / choose2(c.n) : 0;
    const double maximum = 0.5 * (rows + cols);
    if (maximum - expected == 0) // both trivial (one cluster / all singletons): identical
        return 1.0;
    return (index - expected) / (maximum - expected);
}

double normalizedMutualInformation(const std::vector<int>& a, const std::vector<int>& b) {
    const Contingency c = contingency(a, b, "normalised mutual information");
    auto entropy = [&](const std::map<int, double>& sums) {
        double h = 0;
        for (const auto& [key, m] : sums)
            h -= (m / c.n) * std::log(m / c.n);
        return h;
    };
    const double ha = entropy(c.rowSum), hb = entropy(c.colSum);
    if (c.rowSum.size() == 1 && c.colSum.size() == 1)
        return 1.0;
    double mi = 0;
    for (const auto& [key, m] : c.cell)
        mi += (m / c.n) * std::log(m * c.n / (c.rowSum.at(key.first) * c.colSum.at(key.second)));
    const double norm = 0.5 * (ha + hb);
    return norm > 0 ? std::max(0.0, mi) / norm : 0.0;
}

std::vector<double> decSoftAssignment(const std::vector<double>& z, std::size_t n, std::size_t d,
                                      const std::vector<double>& centres, std::size_t k,
                                      double alpha) {
    if (!(alpha > 0))
        throw ConfigError("DEC soft assignment: alpha must be > 0");
    if (k == 0)
        throw DataError("DEC soft assignment: no centres");
    const auto zm = checkedMatrix(z, n, d, "DEC soft assignment (points)");
    const auto mu = checkedMatrix(centres, k, d, "DEC soft assignment (centres)");
    std::vector<double> q(n * k);
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < k; ++j) {
            const double dist2 =
                (zm.row(static_cast<Eigen::Index>(i)) - mu.row(static_cast<Eigen::Index>(j)))
                    .squaredNorm();
            const double t = std::pow(1.0 + dist2 / alpha, -(alpha + 1.0) / 2.0);
            q[i * k + j] = t;
            sum += t;
        }
        for (std::size_t j = 0; j < k; ++j)
            q[i * k + j] /= sum;
    }
    return q;
}

std::vector<double> decTargetDistribution(const std::vector<double>& q, std::size_t n,
                                          std::size_t k) {
    checkedMatrix(q, n, k, "DEC target distribution");
    std::vector<double> f(k, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j)
            f[j] += q[i * k + j];
    std::vector<double> p(n * k);
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < k; ++j) {
            p[i * k + j] = f[j] > 0 ? q[i * k + j] * q[i * k + j] / f[j] : 0.0;
            sum += p[i * k + j];
        }
        if (!(sum > 0))
            throw DataError("DEC target distribution: row " + std::to_string(i) +
                            " has no positive assignment");
        for (std::size_t j = 0; j < k; ++j)
            p[i * k + j] /= sum;
    }
    return p;
}

double klDivergence(const std::vector<double>& p, const std::vector<double>& q) {
    if (p.size() != q.size())
        throw DataError("KL divergence: " + std::to_string(p.size()) + " and " +
                        std::to_string(q.size()) + " values");
    double kl = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] <= 0)
            continue;
        if (!(q[i] > 0))
            throw DataError("KL divergence: q is 0 at index " + std::to_string(i) + " where p is " +
                            std::to_string(p[i]));
        kl += p[i] * std::log(p[i] / q[i]);
    }
    return kl;
}

} // namespace embedscope
