// Kabsch alignment (seed-003 lab note "quaternion implementation of Kabsch", SPEC S3): Horn's
// 1987 closed form for D = 3, the SVD form with the reflection correction for any D, and the
// optional uniform scale of Umeyama 1991.
#include "embedscope/engine/alignment.h"

#include "embedscope/engine/error.h"

#include <cmath>
#include <string>

namespace embedscope {
namespace {

void checkFinite(const Eigen::MatrixXd& m, const char* side) {
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            if (!std::isfinite(m(r, c)))
                throw DataError(std::string("Kabsch alignment: ") + side + " row " +
                                std::to_string(r) + ", column " + std::to_string(c) + " is " +
                                (std::isnan(m(r, c)) ? "NaN" : "infinite"));
}

/// Horn 1987 §4: the unit quaternion maximising Σ a_i · (q b_i q*) is the eigenvector of the
/// largest eigenvalue of the symmetric 4 × 4 matrix N built from S = Σ b_i a_iᵀ.
Eigen::Matrix3d hornRotation(const Eigen::Matrix3d& s) {
    const double sxx = s(0, 0), sxy = s(0, 1), sxz = s(0, 2);
    const double syx = s(1, 0), syy = s(1, 1), syz = s(1, 2);
    const double szx = s(2, 0), szy = s(2, 1), szz = s(2, 2);
    Eigen::Matrix4d n;
    n << sxx + syy + szz, syz - szy, szx - sxz, sxy - syx, //
        syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,  //
        szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy, //
        sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz;
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d> eig(n);
    // Eigenvalues ascending: the last column belongs to the largest.
    Eigen::Vector4d q = eig.eigenvectors().col(3);
    q.normalize();
    const double w = q(0), x = q(1), y = q(2), z = q(3);
    Eigen::Matrix3d r;
    r << w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y), //
        2 * (y * x + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),  //
        2 * (z * x - w * y), 2 * (z * y + w * x), w * w - x * x - y * y + z * z;
    return r;
}

/// R = V diag(1, .., 1, sign det(V Uᵀ)) Uᵀ for H = U Σ Vᵀ, H = Σ b_i a_iᵀ.
Eigen::MatrixXd svdRotation(const Eigen::JacobiSVD<Eigen::MatrixXd>& svd) {
    const Eigen::MatrixXd& u = svd.matrixU();
    const Eigen::MatrixXd& v = svd.matrixV();
    Eigen::VectorXd d = Eigen::VectorXd::Ones(u.cols());
    if ((v * u.transpose()).determinant() < 0)
        d(d.size() - 1) = -1; // a reflection would fit better; take the best proper rotation
    return v * d.asDiagonal() * u.transpose();
}

} // namespace

Eigen::MatrixXd Alignment::apply(const Eigen::MatrixXd& moving) const {
    if (moving.cols() != rotation.cols())
        throw DataError("Kabsch alignment: cannot apply a " + std::to_string(rotation.cols()) +
                        "-D transform to " + std::to_string(moving.cols()) + "-D points");
    Eigen::MatrixXd out = scale * ((moving.rowwise() - centroidMoving) * rotation.transpose());
    out.rowwise() += centroidFixed;
    return out;
}

double rowRmse(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw DataError("RMSE: shapes differ (" + std::to_string(a.rows()) + " × " +
                        std::to_string(a.cols()) + " vs " + std::to_string(b.rows()) + " × " +
                        std::to_string(b.cols()) + ")");
    if (a.rows() == 0)
        throw DataError("RMSE: no rows");
    return std::sqrt((a - b).rowwise().squaredNorm().mean());
}

Alignment kabschAlign(const Eigen::MatrixXd& fixed, const Eigen::MatrixXd& moving, bool withScaling,
                      KabschMethod method) {
    if (fixed.rows() != moving.rows() || fixed.cols() != moving.cols())
        throw DataError("Kabsch alignment: the fixed set is " + std::to_string(fixed.rows()) +
                        " × " + std::to_string(fixed.cols()) + " but the moving set is " +
                        std::to_string(moving.rows()) + " × " + std::to_string(moving.cols()) +
                        " (rows must correspond one to one)");
    if (fixed.rows() < 2)
        throw DataError("Kabsch alignment: " + std::to_string(fixed.rows()) +
                        " point pairs, need at least 2");
    if (fixed.cols() < 1)
        throw DataError("Kabsch alignment: points have no coordinates");
    checkFinite(fixed, "fixed");
    checkFinite(moving, "moving");
    const Eigen::Index dims = fixed.cols();
    if (method == KabschMethod::Quaternion && dims != 3)
        throw DataError("Kabsch alignment: the quaternion method needs 3-D points, got " +
                        std::to_string(dims) + "-D (use the SVD method)");
    const bool quaternion =
        method == KabschMethod::Quaternion || (method == KabschMethod::Automatic && dims == 3);

    Alignment out;
    out.centroidFixed = fixed.colwise().mean();
    out.centroidMoving = moving.colwise().mean();
    const Eigen::MatrixXd a = fixed.rowwise() - out.centroidFixed;
    const Eigen::MatrixXd b = moving.rowwise() - out.centroidMoving;
    const Eigen::MatrixXd h = b.transpose() * a; // S = Σ b_i a_iᵀ

    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
    if (quaternion) {
        out.rotation = hornRotation(h);
        out.method = "quaternion";
    } else {
        out.rotation = svdRotation(svd);
        out.method = "svd";
    }
    // The rotation is unique only when rank(H) >= D − 1 (e.g. not for collinear points in 3-D).
    const Eigen::VectorXd sv = svd.singularValues();
    const double tol = (sv.size() ? sv(0) : 0.0) * 1e-9; // relative: float noise, not spread
    Eigen::Index rank = 0;
    for (Eigen::Index i = 0; i < sv.size(); ++i)
        rank += sv(i) > tol ? 1 : 0;
    if (rank < dims - 1)
        out.method += "; degenerate: rank " + std::to_string(rank);

    if (withScaling) {
        // Umeyama 1991 eq. 42 with the sample variance of the moving set: s = tr(R H) / Σ|b|².
        const double var = b.squaredNorm();
        if (var > 0)
            out.scale = (out.rotation * h).trace() / var;
        else
            out.method += "; scale undefined (moving points coincide), 1 used";
    }
    out.initialRmse = rowRmse(fixed, moving);
    out.alignedRmse = rowRmse(fixed, out.apply(moving));
    return out;
}

} // namespace embedscope
