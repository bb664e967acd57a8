#pragma once
// The seed-003 lab note's measures of an embedding's shape (SPEC S3): one principal curve per
// perturbation ordered by time/dose, dispersion along it, segment colinearity between
// perturbations (within one model) and for the same perturbation across two model instances
// ("all" vs "held-out"), Kabsch-aligned RMSE between like perturbations, and F1 of a logistic
// regression on the embedding, overall and per perturbation by time/dose bin. Eigen only.
#include "embedscope/engine/alignment.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/principal_curves.h"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace embedscope {

/// Mean cosine similarity of corresponding segment directions of two polylines (rows are
/// points in order). Both are first resampled to `segments` + 1 points at equal fractions of
/// their own arc length (0 = use min(rows) − 1 segments); segments of zero length are skipped.
/// Identical curves give 1, reversed ones −1. Throws DataError for different D, fewer than 2
/// points, NaN/Inf or a curve of zero length.
double segmentColinearity(const Eigen::MatrixXd& curveA, const Eigen::MatrixXd& curveB,
                          int segments = 0);

/// Resamples a polyline to `count` points at equal fractions of its arc length.
Eigen::MatrixXd resamplePolyline(const Eigen::MatrixXd& polyline, int count);

struct CurveAnalysisOptions {
    int pcaDims = 3;     ///< curves live in the first K principal components (0 = raw features)
    LpcOptions lpc;      ///< per-group curve fitting
    int dispersionN = 5; ///< n of dispersion_first_n / last_n (lab note: n = 5)
};

struct GroupCurve {
    std::string group;
    std::vector<std::size_t> rows; ///< rows of the table in this group
    bool ok = false;
    std::string error; ///< why there is no curve (too few points, degenerate), when !ok
    PrincipalCurve curve;
    CurveDispersion dispersion;
    CurveProjection projection;         ///< of `rows`, in the same order
    double orderLow = 0, orderHigh = 0; ///< range of the order variable in the group
};

struct CurveAnalysis {
    PcaModel pca;                   ///< empty (no columns) when pcaDims = 0
    Eigen::MatrixXd coordinates;    ///< n × d, the coordinates the curves were fitted in
    std::vector<GroupCurve> groups; ///< in natural order of the group names
    /// Means over the groups with a curve (lab note: *_all columns for the "all" model).
    double dispersionFirstN = std::numeric_limits<double>::quiet_NaN();
    double dispersionLastN = std::numeric_limits<double>::quiet_NaN();
    double dispersionCoefficient = std::numeric_limits<double>::quiet_NaN();
    /// SegmentColinearity_mean_within: mean of segmentColinearity over all pairs of groups
    /// with curves (NaN with fewer than two); pairwise values G × G (NaN where undefined).
    double colinearityWithin = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd colinearityPairs;
};

/// Fits one curve per distinct value of `groups` (rows with an empty group are ignored) in the
/// PCA space of all rows, orients each to start at its low `order`, and computes dispersion
/// and within-model colinearity. Groups that fail (too few points, degenerate) are reported in
/// GroupCurve::error and the others still computed. Throws DataError for size mismatches,
/// NaN/Inf features or order values (naming the row), or no group with a curve.
CurveAnalysis analyseCurves(const Eigen::MatrixXd& features, const std::vector<std::string>& groups,
                            const Eigen::VectorXd& order, const CurveAnalysisOptions& opts = {},
                            const JobContext& ctx = JobContext());

/// Two instances of one model (e.g. trained on all perturbations vs with some held out)
/// compared per like perturbation. The spline points of the groups both sides have curves for
/// are stacked in group order and B's are Kabsch-aligned onto A's (one transform for all
/// groups); RMSE per group before (raw coordinates) and after. SegmentColinearity is computed
/// in the raw coordinates (the lab note uses it as a check of whether alignment is needed).
struct InstanceComparison {
    std::vector<std::string> groups;                                   ///< compared groups
    std::vector<double> colinearity;                                   ///< per group
    std::vector<double> initialRmse, alignedRmse;                      ///< per group
    double colinearityMean = std::numeric_limits<double>::quiet_NaN(); ///< SegmentColinearity
    double initialRmseAll = std::numeric_limits<double>::quiet_NaN();  ///< all groups stacked
    double alignedRmseAll = std::numeric_limits<double>::quiet_NaN();  ///< Aligned_RMSE
    Alignment alignment;                                               ///< B -> A
    std::vector<std::string> skipped; ///< "group: reason" for groups not compared
    /// B's last principal axis was negated before aligning (a PCA axis has no sign; see
    /// compareInstances); every number above refers to that mirrored B.
    bool bMirrored = false;
    /// B's points (in B's analysis coordinates) in A's frame: mirrored when bMirrored, then
    /// the alignment applied. Use it to draw B's points and curves beside A's.
    Eigen::MatrixXd alignB(const Eigen::MatrixXd& bPoints) const;
};
/// Throws DataError when the two analyses have different dimensions or no group in common.
/// With `allowMirror` and a PCA analysis B, B with its last axis negated is tried too and the
/// better aligned of the two kept (InstanceComparison::bMirrored).
InstanceComparison compareInstances(const CurveAnalysis& a, const CurveAnalysis& b,
                                    bool withScaling = false,
                                    KabschMethod method = KabschMethod::Automatic,
                                    bool allowMirror = true);

/// F1 of a multinomial logistic regression predicting the group from the embedding (lab note
/// F1_score_all; F1_score_hld is the same on the held-out instance's embedding): `repeats`
/// stratified 70/30 splits of the rows with a group; macro F1 on the test part, mean over
/// repeats; per group, F1 by bin of the order variable (`bins` equal-width bins over its
/// range, or one bin per distinct value when there are at most `bins` of them), computed on the
/// test rows in that bin (one-vs-rest), mean over repeats (NaN where never supported).
struct BinnedF1 {
    double f1Macro = std::numeric_limits<double>::quiet_NaN();
    double f1MacroSe = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::string> groups;
    std::vector<double> binCentres; ///< order value at the centre of each bin
    Eigen::MatrixXd perGroupBin;    ///< groups × bins
    std::vector<double> perGroup;   ///< F1 of each group over all bins
};
BinnedF1 binnedF1(const Eigen::MatrixXd& features, const std::vector<std::string>& groups,
                  const Eigen::VectorXd& order, int bins = 8, int repeats = 5, uint64_t seed = 1,
                  double c = 1.0, const JobContext& ctx = JobContext());

/// The lab note's per-model numbers of one embedding (n × d, row-major, as runs store it):
/// curves by `groups` ordered by `order` in PCA 3 (analyseCurves) and the logistic-regression
/// F1 (binnedF1), as (key, value): f1_score_all, f1_score_all_se, dispersion_first_n,
/// dispersion_last_n, disp_coefficient, segment_colinearity_mean_within. A part that cannot be
/// computed (e.g. no group with enough points) is left out and its reason put in `problem`.
std::vector<std::pair<std::string, double>>
embeddingGeometryMetrics(const std::vector<float>& embedding, std::size_t n, std::size_t d,
                         const std::vector<std::string>& groups, const std::vector<double>& order,
                         uint64_t seed, std::string* problem = nullptr,
                         const JobContext& ctx = JobContext());

} // namespace embedscope
