// Profiling: feature selection (seed 004 §3.3.1 "Feature selection": variance threshold,
// correlation threshold, drop NA columns, drop outliers, blocklist; definitions and defaults of
// pycytominer's feature_select, which the seed used; outlier cutoff 40 from §4.3.1).
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace embedscope {

using namespace profiling_detail;

std::vector<std::string> varianceThresholdFeatures(const EmbeddingTable& table,
                                                   const VarianceThresholdOptions& options) {
    const std::string step = "variance_threshold";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    const std::size_t d = table.featureNames.size();
    const auto x = featureMatrix(table);
    std::vector<std::string> dropped;
    std::map<double, std::size_t> counts;
    for (std::size_t f = 0; f < d; ++f) {
        counts.clear();
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            ++counts[x(r, Eigen::Index(f))];
        // pycytominer (caret's nearZeroVar, either criterion drops): the ratio of the second
        // most common value's count to the most common one's, and the share of distinct values.
        std::size_t first = 0, second = 0;
        for (const auto& [value, n] : counts) {
            if (n > first) {
                second = first;
                first = n;
            } else if (n > second) {
                second = n;
            }
        }
        const double freq = counts.size() < 2 ? 0.0 : double(second) / double(first);
        const double unique = double(counts.size()) / double(table.rows);
        const auto column = x.col(Eigen::Index(f));
        const double variance = (column.array() - column.mean()).square().mean(); // ddof 0
        if (freq < options.freqCut || unique < options.uniqueCut || variance < options.minVariance)
            dropped.push_back(table.featureNames[f]);
    }
    return dropped;
}

std::vector<std::string> correlationThresholdFeatures(const EmbeddingTable& table,
                                                      const CorrelationThresholdOptions& options) {
    const std::string step = "correlation_threshold";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    const auto d = Eigen::Index(table.featureNames.size());
    if (table.rows < 2)
        return {};
    // Pearson correlation matrix, D x D (memory O(D^2), time O(N D^2)).
    Eigen::MatrixXd z = featureMatrix(table);
    z.rowwise() -= z.colwise().mean();
    const Eigen::VectorXd norms = z.colwise().norm();
    for (Eigen::Index f = 0; f < d; ++f)
        z.col(f) =
            norms(f) > 0 ? Eigen::VectorXd(z.col(f) / norms(f)) : Eigen::VectorXd::Zero(z.rows());
    Eigen::MatrixXd r = z.transpose() * z; // a constant feature correlates 0 with everything
    if (options.absolute)
        r = r.cwiseAbs();
    r.diagonal().setZero();
    const Eigen::VectorXd corSum = r.cwiseAbs().rowwise().sum();

    // Above-threshold partners per feature, updated as features go: O(D^2) in all.
    std::vector<bool> alive(std::size_t(d), true);
    std::vector<int> partners(std::size_t(d), 0);
    for (Eigen::Index f = 0; f < d; ++f)
        for (Eigen::Index g = 0; g < d; ++g)
            partners[std::size_t(f)] += r(f, g) > options.threshold;
    for (;;) {
        Eigen::Index worst = -1;
        for (Eigen::Index f = 0; f < d; ++f) {
            const int count = partners[std::size_t(f)];
            if (!alive[std::size_t(f)] || count == 0)
                continue;
            // Most partners first; ties: the larger |r| sum (pycytominer drops the feature more
            // correlated with the whole table), then the later column.
            if (worst < 0 || count > partners[std::size_t(worst)] ||
                (count == partners[std::size_t(worst)] && corSum(f) >= corSum(worst) - 1e-12))
                worst = f;
        }
        if (worst < 0)
            break;
        alive[std::size_t(worst)] = false;
        for (Eigen::Index g = 0; g < d; ++g)
            partners[std::size_t(g)] -= r(worst, g) > options.threshold;
    }
    // Table order, as the other selections.
    std::vector<std::string> ordered;
    for (Eigen::Index f = 0; f < d; ++f)
        if (!alive[std::size_t(f)])
            ordered.push_back(table.featureNames[std::size_t(f)]);
    return ordered;
}

std::vector<std::string> naColumnFeatures(const EmbeddingTable& table, double cutoff) {
    requireNonEmpty(table, "drop_na_columns");
    const std::size_t d = table.featureNames.size();
    std::vector<std::string> dropped;
    for (std::size_t f = 0; f < d; ++f) {
        std::size_t missing = 0;
        for (std::size_t r = 0; r < table.rows; ++r)
            missing += std::isnan(table.features[r * d + f]);
        if (double(missing) / double(table.rows) > cutoff)
            dropped.push_back(table.featureNames[f]);
    }
    return dropped;
}

std::vector<std::string> outlierFeatures(const EmbeddingTable& table, double cutoff) {
    const std::string step = "drop_outliers";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    const Eigen::VectorXd maxAbs = featureMatrix(table).cwiseAbs().colwise().maxCoeff();
    std::vector<std::string> dropped;
    for (Eigen::Index f = 0; f < maxAbs.size(); ++f)
        if (maxAbs(f) > cutoff)
            dropped.push_back(table.featureNames[std::size_t(f)]);
    return dropped;
}

} // namespace embedscope
