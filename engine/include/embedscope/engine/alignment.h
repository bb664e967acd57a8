#pragma once
// Rigid alignment of two point sets with known correspondences (Kabsch): Horn's (1987)
// quaternion method for 3-D and the SVD form for any dimension, optionally with a uniform
// scale (Umeyama 1991), and the RMSE before and after (seed-003 lab note, SPEC S3). Eigen only.
#include <Eigen/Dense>

#include <string>

namespace embedscope {

enum class KabschMethod {
    Automatic,  ///< quaternion for D = 3, SVD otherwise
    Quaternion, ///< Horn 1987: largest eigenvector of the 4 × 4 symmetric matrix N; D = 3 only
    Svd,        ///< R = V diag(1, .., 1, det(V Uᵀ)) Uᵀ from the SVD of the cross-covariance
};

/// Maps `moving` onto `fixed`: aligned = scale · (moving − centroidMoving) · Rᵀ + centroidFixed.
struct Alignment {
    Eigen::MatrixXd rotation; ///< D × D proper rotation (det = +1)
    double scale = 1;         ///< 1 unless withScaling
    Eigen::RowVectorXd centroidFixed, centroidMoving;
    double initialRmse = 0; ///< RMSE of the raw rows (no centring, no rotation)
    double alignedRmse = 0; ///< RMSE after the transform
    std::string method;     ///< "quaternion" or "svd"

    Eigen::MatrixXd apply(const Eigen::MatrixXd& moving) const;
};

/// RMSE = sqrt(mean over rows of the squared Euclidean distance). Throws DataError on a shape
/// mismatch or no rows.
double rowRmse(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// Least-squares rotation (and scale) taking `moving` onto `fixed` (same n × D shape, rows
/// correspond). Throws DataError for different shapes, n < 2, NaN/Inf (naming the side and row),
/// or Quaternion with D ≠ 3; a rank-deficient set (collinear points) still returns the best
/// rotation (not unique) and notes it in `method` ("svd; degenerate: rank r").
Alignment kabschAlign(const Eigen::MatrixXd& fixed, const Eigen::MatrixXd& moving,
                      bool withScaling = false, KabschMethod method = KabschMethod::Automatic);

} // namespace embedscope
