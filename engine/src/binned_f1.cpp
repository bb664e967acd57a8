// F1 of a logistic regression predicting the perturbation from the embedding, overall and per
// perturbation by time/dose bin (seed-003 lab note: F1_score_all, per-pert F1 over time; SPEC
// S3). The classifier is fitLogisticRegression (classification.h).
#include "embedscope/engine/classification.h"
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

namespace embedscope {
namespace detail {
bool naturalLess(const std::string& a, const std::string& b); // embedding_geometry.cpp
}
namespace {

/// Bin of every used row and the bin centres: one bin per distinct value when there are at
/// most `bins` of them, else `bins` equal-width bins over [min, max].
std::vector<int> binRows(const std::vector<double>& values, int bins,
                         std::vector<double>& centres) {
    const std::set<double> distinct(values.begin(), values.end());
    std::vector<int> out(values.size());
    centres.clear();
    if (static_cast<int>(distinct.size()) <= bins) {
        centres.assign(distinct.begin(), distinct.end());
        for (std::size_t i = 0; i < values.size(); ++i)
            out[i] = static_cast<int>(std::lower_bound(centres.begin(), centres.end(), values[i]) -
                                      centres.begin());
        return out;
    }
    const double lo = *distinct.begin(), hi = *distinct.rbegin();
    const double width = (hi - lo) / bins;
    for (int k = 0; k < bins; ++k)
        centres.push_back(lo + (k + 0.5) * width);
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = std::clamp(static_cast<int>(std::floor((values[i] - lo) / width)), 0, bins - 1);
    return out;
}

} // namespace

BinnedF1 binnedF1(const Eigen::MatrixXd& features, const std::vector<std::string>& groups,
                  const Eigen::VectorXd& order, int bins, int repeats, uint64_t seed, double c,
                  const JobContext& ctx) {
    const auto n = static_cast<std::size_t>(features.rows());
    const auto d = static_cast<std::size_t>(features.cols());
    if (groups.size() != n || static_cast<std::size_t>(order.size()) != n)
        throw DataError("binned F1: " + std::to_string(n) + " feature rows but " +
                        std::to_string(groups.size()) + " group labels and " +
                        std::to_string(order.size()) + " order values");
    if (bins < 1)
        throw ConfigError("binned F1: bins must be >= 1, got " + std::to_string(bins));
    if (repeats < 1)
        throw ConfigError("binned F1: repeats must be >= 1, got " + std::to_string(repeats));
    if (d == 0)
        throw DataError("binned F1: no feature columns");

    // Classes in natural order; rows without a group take no part.
    std::set<std::string> present;
    for (const std::string& g : groups)
        if (!g.empty())
            present.insert(g);
    BinnedF1 out;
    out.groups.assign(present.begin(), present.end());
    std::sort(out.groups.begin(), out.groups.end(), detail::naturalLess);
    std::map<std::string, int> classOf;
    for (std::size_t k = 0; k < out.groups.size(); ++k)
        classOf[out.groups[k]] = static_cast<int>(k);
    const std::size_t K = out.groups.size();
    if (K < 2)
        throw DataError("binned F1: " + std::to_string(K) + " group(s), need at least two");

    std::vector<std::size_t> used;
    std::vector<double> usedOrder;
    std::vector<std::vector<std::size_t>> rowsOfClass(K); // indices into `used`
    for (std::size_t r = 0; r < n; ++r) {
        if (groups[r].empty())
            continue;
        for (std::size_t j = 0; j < d; ++j)
            if (!std::isfinite(
                    features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j))))
                throw DataError("binned F1: row " + std::to_string(r) + ", feature " +
                                std::to_string(j) + " is not finite");
        if (!std::isfinite(order(static_cast<Eigen::Index>(r))))
            throw DataError("binned F1: row " + std::to_string(r) +
                            " has a non-finite order value");
        rowsOfClass[static_cast<std::size_t>(classOf[groups[r]])].push_back(used.size());
        used.push_back(r);
        usedOrder.push_back(order(static_cast<Eigen::Index>(r)));
    }
    for (std::size_t k = 0; k < K; ++k)
        if (rowsOfClass[k].size() < 2)
            throw DataError("binned F1: group '" + out.groups[k] + "' has " +
                            std::to_string(rowsOfClass[k].size()) +
                            " rows, need at least 2 (one to train, one to test)");
    const std::vector<int> bin = binRows(usedOrder, bins, out.binCentres);
    const auto B = static_cast<Eigen::Index>(out.binCentres.size());

    auto gather = [&](const std::vector<std::size_t>& idx) {
        std::vector<double> x;
        x.reserve(idx.size() * d);
        for (std::size_t i : idx)
            for (std::size_t j = 0; j < d; ++j)
                x.push_back(
                    features(static_cast<Eigen::Index>(used[i]), static_cast<Eigen::Index>(j)));
        return x;
    };

    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(K), B);
    Eigen::MatrixXi supported = Eigen::MatrixXi::Zero(static_cast<Eigen::Index>(K), B);
    std::vector<double> macro, perGroupSum(K, 0.0);
    for (int rep = 0; rep < repeats; ++rep) {
        ctx.throwIfCancelled();
        ctx.report(static_cast<double>(rep) / repeats,
                   "binned F1 repeat " + std::to_string(rep + 1) + "/" + std::to_string(repeats));
        // Stratified 70/30 split with the rounding of the few-label protocol (fraction 1).
        std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(rep));
        std::vector<std::size_t> train, test;
        std::vector<int> trainY, testY;
        for (std::size_t k = 0; k < K; ++k) {
            std::vector<std::size_t> rows = rowsOfClass[k];
            std::shuffle(rows.begin(), rows.end(), rng);
            const FewLabelCounts counts = fewLabelCounts(rows.size(), 1.0, 0.7);
            for (std::size_t i = 0; i < counts.labelled; ++i) {
                const bool isTest = i < counts.test;
                (isTest ? test : train).push_back(rows[i]);
                (isTest ? testY : trainY).push_back(static_cast<int>(k));
            }
        }
        const LogisticModel model =
            fitLogisticRegression(gather(train), train.size(), d, trainY, c);
        const std::vector<int> predicted = predict(model, gather(test), test.size());
        const ClassificationReport report = classificationReport(testY, predicted, out.groups);
        macro.push_back(report.f1Macro);
        for (std::size_t k = 0; k < K; ++k)
            perGroupSum[k] += report.perClass[k].f1;

        // One-vs-rest F1 of each group on the test rows of each bin where the group occurs.
        std::vector<int> tp(K * B, 0), fp(K * B, 0), fn(K * B, 0);
        for (std::size_t i = 0; i < test.size(); ++i) {
            const auto b = static_cast<std::size_t>(bin[test[i]]);
            const auto t = static_cast<std::size_t>(testY[i]);
            const auto p = static_cast<std::size_t>(predicted[i]);
            if (t == p) {
                ++tp[t * B + b];
            } else {
                ++fn[t * B + b];
                ++fp[p * B + b];
            }
        }
        for (std::size_t k = 0; k < K; ++k)
            for (Eigen::Index b = 0; b < B; ++b) {
                const std::size_t at = k * B + static_cast<std::size_t>(b);
                if (tp[at] + fn[at] == 0)
                    continue; // the group has no test rows in this bin
                sum(k, b) += 2.0 * tp[at] / (2.0 * tp[at] + fp[at] + fn[at]);
                ++supported(k, b);
            }
    }
    const MeanSe m = meanStandardError(macro);
    out.f1Macro = m.mean;
    out.f1MacroSe = m.se;
    out.perGroupBin = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(K), B,
                                                std::numeric_limits<double>::quiet_NaN());
    for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(K); ++k)
        for (Eigen::Index b = 0; b < B; ++b)
            if (supported(k, b) > 0)
                out.perGroupBin(k, b) = sum(k, b) / supported(k, b);
    for (std::size_t k = 0; k < K; ++k)
        out.perGroup.push_back(perGroupSum[k] / repeats);
    ctx.report(1.0, "binned F1 done");
    return out;
}

} // namespace embedscope
