#pragma once
// Principal component analysis of embeddings (Eigen, SVD of the centred data).
#include <Eigen/Dense>

#include <cstddef>

namespace embedscope {

struct PcaModel {
    Eigen::RowVectorXd mean;           ///< 1 x D
    Eigen::MatrixXd components;        ///< D x K, orthonormal columns, sign: largest |loading| > 0
    Eigen::VectorXd explainedVariance; ///< K, sample variance (divided by N - 1)
    Eigen::VectorXd explainedVarianceRatio; ///< K, fraction of total variance

    Eigen::MatrixXd transform(const Eigen::MatrixXd& x) const;
};

/// A row-major float matrix (an embedding as runs store it, rows x cols) as doubles.
inline Eigen::MatrixXd toMatrix(const float* values, std::size_t rows, std::size_t cols) {
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(values, Eigen::Index(rows), Eigen::Index(cols))
        .cast<double>();
}

/// Fits K components (K clipped to min(N, D)). Throws DataError for N < 2, NaN/Inf, K < 1.
PcaModel fitPca(const Eigen::MatrixXd& x, int k);

} // namespace embedscope
