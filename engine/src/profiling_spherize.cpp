// Profiling: spherizing / whitening (seed 004 §3.3.1 "Spherizing": Sigma = U Delta U^T,
// PCA x -> Delta^-1/2 U^T x, ZCA x -> U Delta^-1/2 U^T x; fit on the negative controls of the
// full data set, all plates at once, so that the controls get identity covariance; Kessy et al.
// 2018). The covariance is D x D; everything else is O(N D).
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace embedscope {

using namespace profiling_detail;

SpherizeModel fitSpherize(const Eigen::MatrixXd& fitRows, const SpherizeOptions& options) {
    const Eigen::Index n = fitRows.rows(), d = fitRows.cols();
    if (n < 2)
        throw DataError("spherize: needs at least 2 rows to fit on, got " + std::to_string(n));
    if (d < 1)
        throw DataError("spherize: no features");
    if (!fitRows.allFinite())
        throw DataError("spherize: the rows to fit on hold NaN or infinite values");
    if (!(options.epsilon >= 0))
        throw DataError("spherize: epsilon must be >= 0");

    SpherizeModel model;
    model.mean = fitRows.colwise().mean();
    const Eigen::MatrixXd centred = fitRows.rowwise() - model.mean;
    // Sample covariance (n - 1), as pycytominer's Spherize (W scaled by sqrt(n - 1)); the seed
    // writes X^T X / n, which differs only by n / (n - 1).
    const Eigen::MatrixXd sigma = centred.transpose() * centred / double(n - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(sigma);
    if (eig.info() != Eigen::Success)
        throw DataError("spherize: the eigendecomposition of the covariance did not converge");
    // Descending order (Eigen gives ascending).
    const Eigen::VectorXd values = eig.eigenvalues().reverse();
    const Eigen::MatrixXd u = eig.eigenvectors().rowwise().reverse();

    const double largest = std::max(values(0), 0.0);
    const double tolerance = largest * double(std::max(n, d)) * 1e-12;
    int rank = 0;
    for (Eigen::Index k = 0; k < d; ++k)
        rank += values(k) > tolerance;
    model.rank = rank;
    model.eigenvalues = values;
    if (rank == 0)
        throw DataError("spherize: the " + std::to_string(n) +
                        " rows to fit on are all identical (zero covariance)");

    // Unresolved directions (fewer fit rows than features, or features that are constant or
    // linear combinations on the controls) would be scaled by 1/sqrt(epsilon); like pycytominer
    // (which fills them with the smallest resolved singular value) they get the smallest resolved
    // eigenvalue instead, then epsilon regularises all of them.
    Eigen::VectorXd guarded = values;
    const double floor = values(rank - 1);
    for (Eigen::Index k = rank; k < d; ++k)
        guarded(k) = floor;
    const Eigen::VectorXd inverseSqrt = (guarded.array() + options.epsilon).rsqrt();
    // Rows are samples: whitened = (x - mean) W, W = U Delta^-1/2 (PCA) or U Delta^-1/2 U^T (ZCA).
    model.w = u * inverseSqrt.asDiagonal();
    if (options.method == SpherizeMethod::Zca)
        model.w = model.w * u.transpose();

    if (rank < d) {
        std::ostringstream note;
        note << "the covariance of the " << n << " fit row(s) over " << d << " features has rank "
             << rank << " ("
             << (n - 1 < d ? "fewer rows than features"
                           : "linearly dependent or "
                             "constant features")
             << "): its " << (d - rank)
             << " null direction(s) are scaled by the smallest resolved eigenvalue " << floor
             << " (plus epsilon " << options.epsilon
             << "); the fit rows' covariance is the identity only on the rank-" << rank
             << " subspace";
        model.notes.push_back(note.str());
    }
    const double smallestUsed = guarded.minCoeff();
    if (smallestUsed < 100 * options.epsilon)
        model.notes.push_back("the smallest eigenvalue used (" + std::to_string(smallestUsed) +
                              ") is within 100x of epsilon (" + std::to_string(options.epsilon) +
                              "): those directions are damped rather than whitened");
    return model;
}

void spherizeProfiles(EmbeddingTable& table, const SpherizeOptions& options,
                      const ProfileColumns& columns, ProfileStepReport& report) {
    const std::string step = "spherize";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    auto x = featureMatrix(table);
    Eigen::MatrixXd fit;
    if (options.fitOnControls) {
        const std::vector<bool> controls = controlMask(table, columns, step);
        std::vector<Eigen::Index> rows;
        for (std::size_t r = 0; r < table.rows; ++r)
            if (controls[r])
                rows.push_back(Eigen::Index(r));
        if (rows.size() < 2)
            throw DataError(step + ": " + std::to_string(rows.size()) +
                            " control row(s) (Metadata_" + columns.control + " = " +
                            columns.controlValue + ") over all plates; the whitening is fit on " +
                            "the controls and needs at least 2 (\"samples\": \"all\" fits on "
                            "every row)");
        fit.resize(Eigen::Index(rows.size()), x.cols());
        for (std::size_t k = 0; k < rows.size(); ++k)
            fit.row(Eigen::Index(k)) = x.row(rows[k]);
    } else {
        fit = x;
    }
    const SpherizeModel model = fitSpherize(fit, options);
    const Eigen::Index fitCount = fit.rows();
    fit.resize(0, 0);
    // In blocks of rows: O(block x D) scratch besides the table.
    const Eigen::Index block = 4096;
    for (Eigen::Index start = 0; start < x.rows(); start += block) {
        const Eigen::Index count = std::min(block, x.rows() - start);
        const Eigen::MatrixXd whitened =
            (x.middleRows(start, count).rowwise() - model.mean) * model.w;
        x.middleRows(start, count) = whitened;
    }
    if (options.method == SpherizeMethod::Pca)
        for (std::size_t k = 0; k < table.featureNames.size(); ++k)
            table.featureNames[k] = "PC" + std::to_string(k + 1);
    report.rank = model.rank;
    report.notes = model.notes;
    report.notes.push_back(std::string(options.method == SpherizeMethod::Zca ? "ZCA" : "PCA") +
                           " whitening fit on " + std::to_string(fitCount) +
                           (options.fitOnControls ? " control rows of all plates" : " rows") +
                           ", rank " + std::to_string(model.rank));
}

} // namespace embedscope
