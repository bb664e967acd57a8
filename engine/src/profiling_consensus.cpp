// Profiling: consensus profiles (seed 004 §3.3.1 "Consensus": the normalised, feature-selected
// replicates of one perturbation and dose combined by median or MODZ into one Level-5 profile).
// MODZ as cmapPy's modz / pycytominer's modz_base: replicate weights from Spearman correlations.
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace embedscope {

using namespace profiling_detail;

namespace {

/// Ranks 1..n with ties given their average rank (pandas' rank(method="average")).
Eigen::VectorXd averageRanks(const Eigen::VectorXd& v) {
    const Eigen::Index n = v.size();
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return v(a) < v(b); });
    Eigen::VectorXd ranks(n);
    for (Eigen::Index i = 0; i < n;) {
        Eigen::Index j = i;
        while (j + 1 < n && v(order[std::size_t(j + 1)]) == v(order[std::size_t(i)]))
            ++j;
        const double rank = 0.5 * double(i + j) + 1.0;
        for (Eigen::Index k = i; k <= j; ++k)
            ranks(order[std::size_t(k)]) = rank;
        i = j + 1;
    }
    return ranks;
}

} // namespace

Eigen::VectorXd modzWeights(const Eigen::MatrixXd& replicates, double minWeight) {
    const Eigen::Index n = replicates.rows();
    if (n == 0)
        throw DataError("consensus (modz): no replicates");
    if (n == 1)
        return Eigen::VectorXd::Ones(1);
    // Spearman = Pearson of the ranks over the features, replicate against replicate.
    Eigen::MatrixXd ranks(replicates.cols(), n);
    for (Eigen::Index i = 0; i < n; ++i) {
        ranks.col(i) = averageRanks(replicates.row(i).transpose());
        ranks.col(i).array() -= ranks.col(i).mean();
        const double norm = ranks.col(i).norm();
        if (norm > 0)
            ranks.col(i) /= norm;
    }
    const Eigen::MatrixXd rho = ranks.transpose() * ranks; // 0 for a constant replicate
    Eigen::VectorXd raw(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        double sum = 0;
        for (Eigen::Index j = 0; j < n; ++j)
            if (j != i)
                sum += std::max(rho(i, j), 0.0); // negative correlations count as 0
        raw(i) = std::max(sum / double(n - 1), minWeight);
    }
    return raw / raw.sum();
}

EmbeddingTable consensusProfiles(const EmbeddingTable& table, const ConsensusOptions& options,
                                 ProfileStepReport& report) {
    const std::string step = "consensus";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    if (options.by.empty())
        throw DataError(step + ": no replicate columns (\"by\") to group on");
    const auto groups = groupRows(table, options.by, step);
    const auto x = featureMatrix(table);
    const Eigen::Index d = x.cols();

    EmbeddingTable out;
    out.featureNames = table.featureNames;
    out.rows = groups.size();
    out.features.resize(out.rows * std::size_t(d));
    auto y = featureMatrix(out);
    std::vector<double> values;
    std::size_t singles = 0;
    double lowestWeight = 1.0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto& rows = groups[g];
        singles += rows.size() == 1;
        if (options.method == ConsensusMethod::Median) {
            for (Eigen::Index f = 0; f < d; ++f) {
                values.clear();
                for (std::size_t r : rows)
                    values.push_back(x(Eigen::Index(r), f));
                y(Eigen::Index(g), f) = medianOf(values);
            }
            continue;
        }
        Eigen::MatrixXd replicates(Eigen::Index(rows.size()), d);
        for (std::size_t k = 0; k < rows.size(); ++k)
            replicates.row(Eigen::Index(k)) = x.row(Eigen::Index(rows[k]));
        const Eigen::VectorXd w = modzWeights(replicates, options.minWeight);
        if (rows.size() > 1)
            lowestWeight = std::min(lowestWeight, w.minCoeff() * double(rows.size()));
        y.row(Eigen::Index(g)) = w.transpose() * replicates;
    }
    out.metadata = groupMetadata(table.metadata, groups, report.notes);
    out.metadata.addNumbers("replicates", [&] {
        std::vector<double> n;
        for (const auto& g : groups)
            n.push_back(double(g.size()));
        return n;
    }());
    report.notes.push_back(std::to_string(table.rows) + " rows -> " + std::to_string(out.rows) +
                           " consensus profiles of " + joinNames(options.by) + " (" +
                           (options.method == ConsensusMethod::Median ? "median" : "MODZ") + ")");
    if (singles)
        report.notes.push_back(std::to_string(singles) +
                               " group(s) have a single replicate (kept as it is)");
    if (options.method == ConsensusMethod::Modz && lowestWeight < 1.0)
        report.notes.push_back("lowest MODZ weight relative to an equal share: " +
                               std::to_string(lowestWeight));
    return out;
}

} // namespace embedscope
