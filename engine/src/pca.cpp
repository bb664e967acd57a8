// PCA by SVD of the centred data: X_c = U S V^T, components = V, variance = S^2 / (N - 1).
#include "embedscope/engine/pca.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace embedscope {

Eigen::MatrixXd PcaModel::transform(const Eigen::MatrixXd& x) const {
    if (x.cols() != mean.cols())
        throw DataError("PCA transform: data has " + std::to_string(x.cols()) +
                        " columns, the model was fitted on " + std::to_string(mean.cols()));
    return (x.rowwise() - mean) * components;
}

PcaModel fitPca(const Eigen::MatrixXd& x, int k) {
    const Eigen::Index n = x.rows();
    const Eigen::Index d = x.cols();
    if (n < 2)
        throw DataError("PCA needs at least 2 samples, got " + std::to_string(n));
    if (d < 1)
        throw DataError("PCA needs at least 1 feature column");
    if (k < 1)
        throw DataError("PCA needs at least 1 component, got " + std::to_string(k));
    for (Eigen::Index r = 0; r < n; ++r)
        for (Eigen::Index c = 0; c < d; ++c)
            if (!std::isfinite(x(r, c)))
                throw DataError("PCA input row " + std::to_string(r) + ", column " +
                                std::to_string(c) + " is " +
                                (std::isnan(x(r, c)) ? "NaN" : "infinite"));

    const Eigen::Index components = std::min<Eigen::Index>(k, std::min(n, d));
    PcaModel model;
    model.mean = x.colwise().mean();
    const Eigen::MatrixXd centred = x.rowwise() - model.mean;

    // BDCSVD falls back to Jacobi for small matrices and scales to large N.
    Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
    const Eigen::VectorXd singular = svd.singularValues();
    model.components = svd.matrixV().leftCols(components);
    // Deterministic signs: the loading of largest magnitude is positive (ties: first index).
    for (Eigen::Index j = 0; j < components; ++j) {
        Eigen::Index largest = 0;
        model.components.col(j).cwiseAbs().maxCoeff(&largest);
        if (model.components(largest, j) < 0)
            model.components.col(j) *= -1.0;
    }

    const double denominator = static_cast<double>(n - 1);
    model.explainedVariance = singular.head(components).array().square() / denominator;
    const double totalVariance = centred.squaredNorm() / denominator;
    model.explainedVarianceRatio = totalVariance > 0
                                       ? Eigen::VectorXd(model.explainedVariance / totalVariance)
                                       : Eigen::VectorXd::Zero(components);
    return model;
}

} // namespace embedscope
