// Evaluation metrics of seed 000 §3.4 (SPEC S0 "Metrics"): dispersion ratios, positive
// nearest neighbours, Davies-Bouldin, the run summary of Table 4.2 and the per-epoch entry
// point computeMetrics. Dose response lives in metrics_dose_response.cpp, the classifier in
// torch/classifier.cpp.
#include "embedscope/engine/metrics.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"
#include "metrics_internal.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace embedscope {

namespace metricsimpl {

void checkFinite(const Eigen::MatrixXd& z, const std::string& what) {
    for (Eigen::Index c = 0; c < z.cols(); ++c)
        for (Eigen::Index r = 0; r < z.rows(); ++r)
            if (!std::isfinite(z(r, c)))
                throw DataError(what + ": row " + std::to_string(r) + ", column " +
                                std::to_string(c) + " is " +
                                (std::isnan(z(r, c)) ? "NaN" : "infinite"));
}

void checkGroups(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount) {
    if (group.size() != static_cast<std::size_t>(z.rows()))
        throw DataError("metrics: " + std::to_string(group.size()) + " group labels for " +
                        std::to_string(z.rows()) + " embedding rows");
    if (groupCount < 2)
        throw DataError("metrics: need at least two groups, got " + std::to_string(groupCount));
    for (std::size_t i = 0; i < group.size(); ++i)
        if (group[i] < 0 || group[i] >= groupCount)
            throw DataError("metrics: row " + std::to_string(i) + " has group index " +
                            std::to_string(group[i]) + " outside 0.." +
                            std::to_string(groupCount - 1));
}

Eigen::MatrixXd groupCentroids(const Eigen::MatrixXd& z, const std::vector<int>& group,
                               int groupCount, std::vector<std::size_t>& sizes) {
    Eigen::MatrixXd centroids = Eigen::MatrixXd::Zero(groupCount, z.cols());
    sizes.assign(groupCount, 0);
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
        centroids.row(group[r]) += z.row(r);
        ++sizes[group[r]];
    }
    for (int g = 0; g < groupCount; ++g)
        if (sizes[g] > 0)
            centroids.row(g) /= static_cast<double>(sizes[g]);
    return centroids;
}

} // namespace metricsimpl

using namespace metricsimpl;

namespace {

/// TSS (eq 3.3) and WSS_g (eq 3.4) for every group.
double sumsOfSquares(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount,
                     std::vector<double>& wss, std::vector<std::size_t>& sizes) {
    checkGroups(z, group, groupCount);
    const Eigen::MatrixXd centroids = groupCentroids(z, group, groupCount, sizes);
    const Eigen::RowVectorXd mean = z.colwise().mean();
    wss.assign(groupCount, 0.0);
    double tss = 0;
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
        tss += (z.row(r) - mean).squaredNorm();
        wss[group[r]] += (z.row(r) - centroids.row(group[r])).squaredNorm();
    }
    return tss;
}

} // namespace

std::vector<int> groupIndices(const std::vector<std::string>& group, int* groupCount) {
    std::map<std::string, int> index;
    std::vector<int> out;
    out.reserve(group.size());
    for (const auto& g : group)
        out.push_back(index.emplace(g, static_cast<int>(index.size())).first->second);
    if (groupCount)
        *groupCount = static_cast<int>(index.size());
    return out;
}

double wssTssRatio(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount) {
    std::vector<double> wss;
    std::vector<std::size_t> sizes;
    const double tss = sumsOfSquares(z, group, groupCount, wss, sizes);
    if (!(tss > 0))
        return MetricValues::kNaN; // every row identical: the ratio is undefined
    double sum = 0;
    for (double w : wss)
        sum += w;
    return sum / tss;
}

double groupAverageWssTss(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount) {
    std::vector<double> wss;
    std::vector<std::size_t> sizes;
    const double tss = sumsOfSquares(z, group, groupCount, wss, sizes);
    if (!(tss > 0))
        return MetricValues::kNaN;
    // Eq 3.6 as printed, (Σ_g WSS_g/|g|) / (TSS/N), grows with the number of groups: each term
    // is a per-sample variance comparable to TSS/N, so the sum is ~|G| times the per-group
    // ratio. The seed reports 0.2-0.5 with thousands of groups (Table 4.3), which only the mean
    // over groups gives; SPEC S0 says to use the mean form (1/|G|) Σ_g (WSS_g/|g|) / (TSS/N).
    double sum = 0;
    int used = 0;
    for (int g = 0; g < groupCount; ++g) {
        if (sizes[g] == 0)
            continue;
        sum += wss[g] / static_cast<double>(sizes[g]);
        ++used;
    }
    const double n = static_cast<double>(z.rows());
    return (sum / used) / (tss / n);
}

double positiveNearestNeighbours(const Eigen::MatrixXd& z, const std::vector<int>& group, int k,
                                 const JobContext& ctx) {
    if (group.size() != static_cast<std::size_t>(z.rows()))
        throw DataError("%PNN: " + std::to_string(group.size()) + " group labels for " +
                        std::to_string(z.rows()) + " rows");
    if (k < 1)
        throw DataError("%PNN: the neighbour count must be >= 1, got " + std::to_string(k));
    const Eigen::Index n = z.rows();
    if (n < 2)
        throw DataError("%PNN needs at least 2 rows, got " + std::to_string(n));
    const int neighbours = static_cast<int>(std::min<Eigen::Index>(k, n - 1));
    // Samples as contiguous columns, so one row's distances are a vectorised column sweep.
    const Eigen::MatrixXd zt = z.transpose();
    std::vector<std::pair<double, Eigen::Index>> best;
    std::size_t hits = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (i % 256 == 0)
            ctx.throwIfCancelled();
        const Eigen::VectorXd d2 = (zt.colwise() - zt.col(i)).colwise().squaredNorm().transpose();
        // The k smallest (distance, index) pairs, itself excluded; ties go to the lower index,
        // so the result does not depend on the sort's stability.
        best.clear();
        for (Eigen::Index j = 0; j < n; ++j) {
            if (j == i)
                continue;
            const std::pair<double, Eigen::Index> candidate{d2[j], j};
            if (static_cast<int>(best.size()) == neighbours && !(candidate < best.back()))
                continue;
            auto at = std::upper_bound(best.begin(), best.end(), candidate);
            best.insert(at, candidate);
            if (static_cast<int>(best.size()) > neighbours)
                best.pop_back();
        }
        for (const auto& b : best)
            if (group[b.second] == group[i]) {
                ++hits;
                break;
            }
    }
    // §3.4.2: the count is divided by the number of samples and given as a percentage.
    return 100.0 * static_cast<double>(hits) / static_cast<double>(n);
}

double daviesBouldin(const Eigen::MatrixXd& z, const std::vector<int>& group, int groupCount) {
    checkGroups(z, group, groupCount);
    std::vector<std::size_t> sizes;
    const Eigen::MatrixXd centroids = groupCentroids(z, group, groupCount, sizes);
    // s_i: average Euclidean distance of a group's samples to its centroid (§2.5).
    std::vector<double> scatter(groupCount, 0.0);
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        scatter[group[r]] += (z.row(r) - centroids.row(group[r])).norm();
    std::vector<int> present;
    for (int g = 0; g < groupCount; ++g)
        if (sizes[g] > 0) {
            scatter[g] /= static_cast<double>(sizes[g]);
            present.push_back(g);
        }
    if (present.size() < 2)
        throw DataError("Davies-Bouldin: need at least two non-empty groups");
    // Eq 2.19: DB = (1/k) Σ_i max_{j≠i} R_ij, R_ij = (s_i + s_j) / ||C_i − C_j|| (eq 2.18).
    double sum = 0;
    for (int i : present) {
        double worst = 0;
        for (int j : present) {
            if (j == i)
                continue;
            const double distance = (centroids.row(i) - centroids.row(j)).norm();
            // Coincident centroids: the groups are not separated at all -> +inf (sklearn
            // instead reports 0 there, which would reward a collapsed embedding).
            const double r = distance > 0 ? (scatter[i] + scatter[j]) / distance
                                          : std::numeric_limits<double>::infinity();
            worst = std::max(worst, r);
        }
        sum += worst;
    }
    return sum / static_cast<double>(present.size());
}

RunSpread summarizeRuns(const std::vector<double>& values) {
    if (values.empty())
        throw DataError("run summary: no values");
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw DataError("run summary: value " + std::to_string(i) + " is not finite");
    RunSpread s;
    s.runs = values.size();
    for (double v : values)
        s.mean += v;
    s.mean /= static_cast<double>(values.size());
    // Table 4.2 does not say which σ; the sample standard deviation (n − 1) is the usual
    // choice for a handful of repeated runs (nine there) and the larger, more cautious band.
    if (values.size() < 2) {
        s.sigma = MetricValues::kNaN;
    } else {
        double ss = 0;
        for (double v : values)
            ss += (v - s.mean) * (v - s.mean);
        s.sigma = std::sqrt(ss / static_cast<double>(values.size() - 1));
    }
    s.low = s.mean - 2.0 * s.sigma;
    s.high = s.mean + 2.0 * s.sigma;
    return s;
}

Eigen::MatrixXd projectForMetrics(const Eigen::MatrixXd& embedding,
                                  const std::vector<bool>& fitRows, int k) {
    if (fitRows.size() != static_cast<std::size_t>(embedding.rows()))
        throw DataError("metrics PCA: " + std::to_string(fitRows.size()) + " row flags for " +
                        std::to_string(embedding.rows()) + " embedding rows");
    checkFinite(embedding, "metrics PCA input");
    std::vector<Eigen::Index> rows;
    for (std::size_t r = 0; r < fitRows.size(); ++r)
        if (fitRows[r])
            rows.push_back(static_cast<Eigen::Index>(r));
    if (rows.size() < 2)
        throw DataError("metrics PCA: need at least 2 train/val rows to fit, got " +
                        std::to_string(rows.size()));
    Eigen::MatrixXd fit(static_cast<Eigen::Index>(rows.size()), embedding.cols());
    for (std::size_t i = 0; i < rows.size(); ++i)
        fit.row(static_cast<Eigen::Index>(i)) = embedding.row(rows[i]);
    const int components = std::max(1, std::min<int>(k, static_cast<int>(embedding.cols())));
    return fitPca(fit, components).transform(embedding);
}

const std::vector<std::string>& metricKeys() {
    static const std::vector<std::string> keys = {"wss_tss", "ga_wss_tss",     "pnn3",
                                                  "dr",      "davies_bouldin", "f1_micro"};
    return keys;
}

MetricOptions parseMetricList(const std::string& list) {
    MetricOptions o;
    o.wssTss = o.gaWssTss = o.pnn = o.doseResponse = o.daviesBouldin = o.f1 = false;
    std::stringstream in(list);
    std::string key;
    bool any = false;
    while (std::getline(in, key, ',')) {
        key.erase(0, key.find_first_not_of(" \t"));
        key.erase(key.find_last_not_of(" \t") + 1);
        if (key.empty())
            continue;
        any = true;
        if (key == "wss_tss")
            o.wssTss = true;
        else if (key == "ga_wss_tss")
            o.gaWssTss = true;
        else if (key == "pnn3")
            o.pnn = true;
        else if (key == "dr")
            o.doseResponse = true;
        else if (key == "davies_bouldin")
            o.daviesBouldin = true;
        else if (key == "f1_micro")
            o.f1 = true;
        else {
            std::string known;
            for (const auto& k : metricKeys())
                known += (known.empty() ? "" : ", ") + k;
            throw ConfigError("metrics: unknown metric '" + key + "' (known: " + known + ")");
        }
    }
    if (!any)
        throw ConfigError("metrics: the metric list is empty");
    return o;
}

std::vector<std::pair<std::string, double>> MetricValues::named() const {
    const double values[] = {wssTss, gaWssTss, pnn, doseResponse, daviesBouldin, f1Micro};
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t i = 0; i < metricKeys().size(); ++i)
        if (!std::isnan(values[i]))
            out.emplace_back(metricKeys()[i], values[i]);
    return out;
}

MetricValues computeMetrics(const Eigen::MatrixXd& embedding, const MetricLabels& labels,
                            const MetricOptions& options, const JobContext& ctx,
                            const Eigen::MatrixXd* classifierInput) {
    const std::size_t n = static_cast<std::size_t>(embedding.rows());
    checkFinite(embedding, "metrics embedding");
    checkLength(labels.group.size(), n, "group labels");
    int groupCount = 0;
    const std::vector<int> group = groupIndices(labels.group, &groupCount);
    if (groupCount < 2)
        throw DataError("metrics: need at least two groups, got " + std::to_string(groupCount) +
                        " among " + std::to_string(n) + " rows");

    MetricValues v;
    v.nSamples = n;
    v.nGroups = static_cast<std::size_t>(groupCount);
    if (options.wssTss)
        v.wssTss = wssTssRatio(embedding, group, groupCount);
    if (options.gaWssTss)
        v.gaWssTss = groupAverageWssTss(embedding, group, groupCount);
    if (options.daviesBouldin)
        v.daviesBouldin = daviesBouldin(embedding, group, groupCount);
    ctx.throwIfCancelled();
    if (options.pnn)
        v.pnn = positiveNearestNeighbours(embedding, group, options.pnnNeighbours, ctx);
    if (options.doseResponse)
        v.doseResponse = doseResponseScore(embedding, labels);
    if (options.f1) {
        if (labels.indication.empty())
            throw DataError("metrics: F1 needs indication labels, none given");
        const Eigen::MatrixXd& input = classifierInput ? *classifierInput : embedding;
        if (static_cast<std::size_t>(input.rows()) != n)
            throw DataError("metrics: the classifier input has " + std::to_string(input.rows()) +
                            " rows, the embedding " + std::to_string(n));
        v.f1Micro = classifierF1(input, labels.indication, options.classifier, ctx).f1Micro;
    }
    return v;
}

} // namespace embedscope
