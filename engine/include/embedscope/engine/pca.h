#pragma once
// Principal component analysis of embeddings (Eigen, SVD of the centred data).
#include <Eigen/Dense>

namespace embedscope {

struct PcaModel {
    Eigen::RowVectorXd mean;           ///< 1 x D
    Eigen::MatrixXd components;        ///< D x K, orthonormal columns, sign: largest |loading| > 0
    Eigen::VectorXd explainedVariance; ///< K, sample variance (divided by N - 1)
    Eigen::VectorXd explainedVarianceRatio; ///< K, fraction of total variance

    Eigen::MatrixXd transform(const Eigen::MatrixXd& x) const;
};

/// Fits K components (K clipped to min(N, D)). Throws DataError for N < 2, NaN/Inf, K < 1.
PcaModel fitPca(const Eigen::MatrixXd& x, int k);

} // namespace embedscope
