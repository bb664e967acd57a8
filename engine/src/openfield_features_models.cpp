// The seed-000 reference models built on the hand-made open-field features: "manual"
// (standardised features) and "combined" (standardised learned + manual, PCA k), plus the
// feature matrix of a whole data set.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield_features.h"
#include "embedscope/engine/pca.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace embedscope {
namespace {

std::string sampleOrigin(const Dataset& data, std::size_t i) {
    std::string text = "dataset '" + data.name + "', sample " + std::to_string(i);
    if (data.metadata.has("animal") && i < data.metadata.rowCount())
        text += " (" + data.metadata.column("animal").text(i) + ")";
    return text;
}

} // namespace

Eigen::MatrixXd openFieldFeatureMatrix(const Dataset& data, const OpenFieldFeatureOptions& options,
                                       const JobContext& ctx) {
    const std::string origin = "dataset '" + data.name + "'";
    if (data.kind != DataKind::Trajectory || data.sampleShape.size() != 2 ||
        data.sampleShape[0] != 3)
        throw DataError(origin + ": hand-made open-field features need trajectories of shape "
                                 "(3, T) (x, y, z); this data set is not one");
    const std::size_t n = data.sampleCount();
    if (n == 0)
        throw DataError(origin + ": no samples");
    if (data.values.size() != n * data.sampleSize())
        throw DataError(origin + ": " + std::to_string(data.values.size()) +
                        " values do not fill " + std::to_string(n) + " samples");
    const int64_t T = data.sampleShape[1];
    const std::size_t F = openFieldFeatureNames(options).size();
    Eigen::MatrixXd features(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(F));
    for (std::size_t i = 0; i < n; ++i) {
        ctx.throwIfCancelled();
        const std::vector<double> row =
            openFieldFeatures(data.sample(i), T, options, sampleOrigin(data, i));
        for (std::size_t f = 0; f < F; ++f)
            features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(f)) = row[f];
        ctx.report(static_cast<double>(i + 1) / static_cast<double>(n),
                   "hand-made features, sample " + std::to_string(i + 1) + "/" + std::to_string(n));
    }
    return features;
}

Eigen::MatrixXd standardiseColumns(const Eigen::MatrixXd& x,
                                   const std::vector<std::size_t>& fitRows) {
    if (fitRows.empty())
        throw DataError("standardisation: no rows to fit the mean and standard deviation on");
    for (std::size_t r : fitRows)
        if (r >= static_cast<std::size_t>(x.rows()))
            throw DataError("standardisation: fit row " + std::to_string(r) +
                            " is out of range (the matrix has " + std::to_string(x.rows()) +
                            " rows)");
    for (Eigen::Index r = 0; r < x.rows(); ++r)
        for (Eigen::Index c = 0; c < x.cols(); ++c)
            if (!std::isfinite(x(r, c)))
                throw DataError("standardisation: row " + std::to_string(r) + ", column " +
                                std::to_string(c) + " is " +
                                (std::isnan(x(r, c)) ? "NaN" : "infinite"));
    const double m = static_cast<double>(fitRows.size());
    Eigen::MatrixXd out(x.rows(), x.cols());
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
        // z = (x - mean) / sd, mean and population sd over the fit rows.
        double mean = 0;
        for (std::size_t r : fitRows)
            mean += x(static_cast<Eigen::Index>(r), c);
        mean /= m;
        double ss = 0;
        for (std::size_t r : fitRows) {
            const double d = x(static_cast<Eigen::Index>(r), c) - mean;
            ss += d * d;
        }
        const double sd = std::sqrt(ss / m);
        if (!(sd > 1e-12 * std::max(1.0, std::abs(mean))))
            out.col(c).setZero(); // constant on the fit rows: carries no information
        else
            out.col(c) = (x.col(c).array() - mean) / sd;
    }
    return out;
}

std::vector<std::size_t> openFieldFitRows(const Dataset& data) {
    if (!data.metadata.has(Dataset::kSplitColumn)) {
        std::vector<std::size_t> all(data.sampleCount());
        for (std::size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        return all;
    }
    std::vector<std::size_t> rows = data.indicesOfSplit("train");
    const std::vector<std::size_t> val = data.indicesOfSplit("val");
    rows.insert(rows.end(), val.begin(), val.end());
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

Eigen::MatrixXd manualEmbedding(const Dataset& data, const OpenFieldFeatureOptions& options,
                                const JobContext& ctx) {
    const std::vector<std::size_t> fitRows = openFieldFitRows(data);
    if (fitRows.empty())
        throw DataError("dataset '" + data.name +
                        "': the manual model needs train or val rows to fit its scaling");
    return standardiseColumns(openFieldFeatureMatrix(data, options, ctx), fitRows);
}

Eigen::MatrixXd combinedEmbedding(const Eigen::MatrixXd& learned, const Eigen::MatrixXd& manual,
                                  const std::vector<std::size_t>& fitRows, int k, PcaModel* pca) {
    if (learned.rows() != manual.rows())
        throw DataError("combined embedding: the learned embedding has " +
                        std::to_string(learned.rows()) + " rows, the manual one " +
                        std::to_string(manual.rows()));
    if (learned.cols() + manual.cols() < 1)
        throw DataError("combined embedding: both blocks have no columns");
    if (fitRows.size() < 2)
        throw DataError("combined embedding: PCA needs at least 2 fit rows, got " +
                        std::to_string(fitRows.size()));
    if (k < 1)
        throw DataError("combined embedding: k must be >= 1, got " + std::to_string(k));
    // Each feature z-scored on the fit rows (seed §4.5: "normalized ... so that each feature is
    // on the same scale"), then [learned | manual].
    Eigen::MatrixXd joint(learned.rows(), learned.cols() + manual.cols());
    if (learned.cols() > 0)
        joint.leftCols(learned.cols()) = standardiseColumns(learned, fitRows);
    if (manual.cols() > 0)
        joint.rightCols(manual.cols()) = standardiseColumns(manual, fitRows);
    Eigen::MatrixXd fit(static_cast<Eigen::Index>(fitRows.size()), joint.cols());
    for (std::size_t i = 0; i < fitRows.size(); ++i)
        fit.row(static_cast<Eigen::Index>(i)) = joint.row(static_cast<Eigen::Index>(fitRows[i]));
    PcaModel model = fitPca(fit, k);
    Eigen::MatrixXd out = model.transform(joint);
    if (pca)
        *pca = std::move(model);
    return out;
}

} // namespace embedscope
