// Shape measures of an embedding from the seed-003 lab note (SPEC S3): principal curves per
// perturbation, dispersion along them, segment colinearity within a model and across two
// instances, and the Kabsch-aligned RMSE between like perturbations. binnedF1 is in
// binned_f1.cpp.
#include "embedscope/engine/embedding_geometry.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string>

namespace embedscope {
namespace {

void checkCurve(const Eigen::MatrixXd& c, const char* which) {
    if (c.rows() < 2)
        throw DataError(std::string("segment colinearity: curve ") + which + " has " +
                        std::to_string(c.rows()) + " points, need at least 2");
    for (Eigen::Index r = 0; r < c.rows(); ++r)
        for (Eigen::Index k = 0; k < c.cols(); ++k)
            if (!std::isfinite(c(r, k)))
                throw DataError(std::string("segment colinearity: curve ") + which + " point " +
                                std::to_string(r) + ", coordinate " + std::to_string(k) +
                                " is not finite");
}

double polylineLength(const Eigen::MatrixXd& p) {
    double length = 0;
    for (Eigen::Index i = 1; i < p.rows(); ++i)
        length += (p.row(i) - p.row(i - 1)).norm();
    return length;
}

/// Mean of the finite values (NaN when there are none).
double finiteMean(const std::vector<double>& values) {
    double sum = 0;
    int count = 0;
    for (double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++count;
        }
    return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

namespace detail {
/// "g2" before "g10": digit runs compare as numbers, the rest character by character (also
/// used by binnedF1, so groups come out in the same order everywhere).
bool naturalLess(const std::string& a, const std::string& b) {
    auto key = [](const std::string& s) {
        std::vector<std::pair<int, std::string>> parts;
        std::size_t i = 0;
        while (i < s.size()) {
            const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
            std::size_t j = i;
            while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digit)
                ++j;
            std::string part = s.substr(i, j - i);
            if (digit) { // strip leading zeros, left-pad so that text order = numeric order
                part.erase(0, std::min(part.find_first_not_of('0'), part.size() - 1));
                part = std::string(40 - std::min<std::size_t>(40, part.size()), '0') + part;
            }
            parts.emplace_back(digit ? 0 : 1, part);
            i = j;
        }
        return parts;
    };
    const auto ka = key(a), kb = key(b);
    return ka != kb ? ka < kb : a < b;
}
} // namespace detail

Eigen::MatrixXd resamplePolyline(const Eigen::MatrixXd& polyline, int count) {
    if (count < 2)
        throw ConfigError("resamplePolyline: count must be >= 2, got " + std::to_string(count));
    if (polyline.rows() < 1)
        throw DataError("resamplePolyline: empty polyline");
    Eigen::VectorXd cumulative = Eigen::VectorXd::Zero(polyline.rows());
    for (Eigen::Index i = 1; i < polyline.rows(); ++i)
        cumulative(i) = cumulative(i - 1) + (polyline.row(i) - polyline.row(i - 1)).norm();
    const double length = cumulative(cumulative.size() - 1);
    Eigen::MatrixXd out(count, polyline.cols());
    Eigen::Index seg = 0;
    for (int k = 0; k < count; ++k) {
        const double s = length * static_cast<double>(k) / (count - 1);
        while (seg + 2 < polyline.rows() && cumulative(seg + 1) < s)
            ++seg;
        if (polyline.rows() == 1 || length <= 0) {
            out.row(k) = polyline.row(0);
            continue;
        }
        const double span = cumulative(seg + 1) - cumulative(seg);
        const double f = span > 0 ? std::clamp((s - cumulative(seg)) / span, 0.0, 1.0) : 0.0;
        out.row(k) = (1 - f) * polyline.row(seg) + f * polyline.row(seg + 1);
    }
    out.row(count - 1) = polyline.row(polyline.rows() - 1); // exact end despite rounding
    return out;
}

double segmentColinearity(const Eigen::MatrixXd& curveA, const Eigen::MatrixXd& curveB,
                          int segments) {
    if (curveA.cols() != curveB.cols())
        throw DataError("segment colinearity: curve A is " + std::to_string(curveA.cols()) +
                        "-D but curve B is " + std::to_string(curveB.cols()) + "-D");
    if (segments < 0)
        throw ConfigError("segment colinearity: segments must be >= 0, got " +
                          std::to_string(segments));
    checkCurve(curveA, "A");
    checkCurve(curveB, "B");
    if (!(polylineLength(curveA) > 0))
        throw DataError("segment colinearity: curve A has zero length");
    if (!(polylineLength(curveB) > 0))
        throw DataError("segment colinearity: curve B has zero length");
    const int count =
        segments > 0 ? segments : static_cast<int>(std::min(curveA.rows(), curveB.rows())) - 1;
    const Eigen::MatrixXd a = resamplePolyline(curveA, count + 1);
    const Eigen::MatrixXd b = resamplePolyline(curveB, count + 1);
    double sum = 0;
    int used = 0;
    for (int k = 0; k < count; ++k) {
        const Eigen::RowVectorXd da = a.row(k + 1) - a.row(k);
        const Eigen::RowVectorXd db = b.row(k + 1) - b.row(k);
        const double na = da.norm(), nb = db.norm();
        if (na <= 0 || nb <= 0)
            continue; // a chord of zero length (the curve came back on itself) has no direction
        sum += std::clamp(da.dot(db) / (na * nb), -1.0, 1.0);
        ++used;
    }
    return used ? sum / used : std::numeric_limits<double>::quiet_NaN();
}

CurveAnalysis analyseCurves(const Eigen::MatrixXd& features, const std::vector<std::string>& groups,
                            const Eigen::VectorXd& order, const CurveAnalysisOptions& opts,
                            const JobContext& ctx) {
    const auto n = static_cast<std::size_t>(features.rows());
    if (groups.size() != n || static_cast<std::size_t>(order.size()) != n)
        throw DataError("curve analysis: " + std::to_string(n) + " feature rows but " +
                        std::to_string(groups.size()) + " group labels and " +
                        std::to_string(order.size()) + " order values");
    if (opts.pcaDims < 0)
        throw ConfigError("curve analysis: pcaDims must be >= 0, got " +
                          std::to_string(opts.pcaDims));
    if (opts.dispersionN < 1)
        throw ConfigError("curve analysis: dispersionN must be >= 1, got " +
                          std::to_string(opts.dispersionN));
    for (std::size_t r = 0; r < n; ++r) {
        for (Eigen::Index c = 0; c < features.cols(); ++c)
            if (!std::isfinite(features(r, c)))
                throw DataError("curve analysis: row " + std::to_string(r) + ", feature " +
                                std::to_string(c) + " is not finite");
        if (!std::isfinite(order(r)))
            throw DataError("curve analysis: row " + std::to_string(r) +
                            " has a non-finite order value");
    }

    CurveAnalysis out;
    if (opts.pcaDims > 0) {
        out.pca = fitPca(features, opts.pcaDims); // one space for all groups (lab note)
        out.coordinates = out.pca.transform(features);
    } else {
        out.coordinates = features;
    }

    std::map<std::string, std::vector<std::size_t>> rowsOf;
    for (std::size_t r = 0; r < n; ++r)
        if (!groups[r].empty())
            rowsOf[groups[r]].push_back(r);
    std::vector<std::string> names;
    for (const auto& [name, rows] : rowsOf)
        names.push_back(name);
    std::sort(names.begin(), names.end(), detail::naturalLess);

    const int minimum = minimumCurvePoints();
    for (std::size_t g = 0; g < names.size(); ++g) {
        ctx.throwIfCancelled();
        ctx.report(static_cast<double>(g) / static_cast<double>(names.size()),
                   "principal curve of '" + names[g] + "'");
        GroupCurve gc;
        gc.group = names[g];
        gc.rows = rowsOf[names[g]];
        Eigen::MatrixXd points(static_cast<Eigen::Index>(gc.rows.size()), out.coordinates.cols());
        Eigen::VectorXd groupOrder(static_cast<Eigen::Index>(gc.rows.size()));
        for (std::size_t i = 0; i < gc.rows.size(); ++i) {
            points.row(static_cast<Eigen::Index>(i)) =
                out.coordinates.row(static_cast<Eigen::Index>(gc.rows[i]));
            groupOrder(static_cast<Eigen::Index>(i)) = order(static_cast<Eigen::Index>(gc.rows[i]));
        }
        gc.orderLow = groupOrder.minCoeff();
        gc.orderHigh = groupOrder.maxCoeff();
        if (static_cast<int>(gc.rows.size()) < minimum) {
            gc.error = std::to_string(gc.rows.size()) + " points, a curve needs at least " +
                       std::to_string(minimum);
        } else {
            try {
                const JobContext part(ctx, static_cast<double>(g) / names.size(),
                                      static_cast<double>(g + 1) / names.size());
                gc.curve = fitPrincipalCurve(points, opts.lpc, -1, part);
                orientCurve(gc.curve, points, groupOrder);
                gc.projection = projectOntoCurve(gc.curve, points);
                gc.dispersion = curveDispersion(gc.curve, points, opts.dispersionN);
                gc.ok = true;
            } catch (const DataError& e) { // this group's points, not the options
                gc.error = e.what();
            }
        }
        out.groups.push_back(std::move(gc));
    }

    std::vector<double> first, last, coefficient;
    std::string failures;
    for (const GroupCurve& gc : out.groups) {
        if (!gc.ok) {
            failures += (failures.empty() ? "" : "; ") + gc.group + ": " + gc.error;
            continue;
        }
        first.push_back(gc.dispersion.firstN);
        last.push_back(gc.dispersion.lastN);
        coefficient.push_back(gc.dispersion.coefficient);
    }
    if (first.empty())
        throw DataError("curve analysis: no group has a curve (" +
                        (names.empty() ? std::string("no rows with a group") : failures) + ")");
    out.dispersionFirstN = finiteMean(first);
    out.dispersionLastN = finiteMean(last);
    out.dispersionCoefficient = finiteMean(coefficient);

    // SegmentColinearity_mean_within: every pair of perturbations of this model.
    const auto G = static_cast<Eigen::Index>(out.groups.size());
    out.colinearityPairs =
        Eigen::MatrixXd::Constant(G, G, std::numeric_limits<double>::quiet_NaN());
    std::vector<double> pairs;
    for (Eigen::Index i = 0; i < G; ++i) {
        const GroupCurve& gi = out.groups[static_cast<std::size_t>(i)];
        if (!gi.ok || !(gi.curve.length > 0))
            continue;
        for (Eigen::Index j = i; j < G; ++j) {
            const GroupCurve& gj = out.groups[static_cast<std::size_t>(j)];
            if (!gj.ok || !(gj.curve.length > 0))
                continue;
            const double c = segmentColinearity(gi.curve.splinePoints, gj.curve.splinePoints);
            out.colinearityPairs(i, j) = out.colinearityPairs(j, i) = c;
            if (i != j)
                pairs.push_back(c);
        }
    }
    out.colinearityWithin = finiteMean(pairs);
    ctx.report(1.0, "principal curves done");
    return out;
}

namespace {

/// The analysis with its last coordinate negated everywhere (a reflection of the PCA space).
CurveAnalysis mirrorLastAxis(CurveAnalysis an) {
    auto flip = [](Eigen::MatrixXd& m) {
        if (m.size())
            m.col(m.cols() - 1) *= -1;
    };
    flip(an.coordinates);
    if (an.pca.components.size())
        an.pca.components.col(an.pca.components.cols() - 1) *= -1;
    for (GroupCurve& g : an.groups) {
        flip(g.curve.lpcPoints);
        flip(g.curve.splinePoints);
        flip(g.projection.foot);
    }
    return an;
}

InstanceComparison compareInstancesAsIs(const CurveAnalysis& a, const CurveAnalysis& b,
                                        bool withScaling, KabschMethod method) {
    if (a.coordinates.cols() != b.coordinates.cols())
        throw DataError("instance comparison: analysis A is " +
                        std::to_string(a.coordinates.cols()) + "-D but B is " +
                        std::to_string(b.coordinates.cols()) + "-D");
    InstanceComparison out;
    std::map<std::string, const GroupCurve*> inB;
    for (const GroupCurve& g : b.groups)
        inB[g.group] = &g;
    std::vector<const GroupCurve*> pa, pb;
    std::vector<Eigen::MatrixXd> curvesB;
    for (const GroupCurve& ga : a.groups) {
        const auto it = inB.find(ga.group);
        if (it == inB.end()) {
            out.skipped.push_back(ga.group + ": not in B");
            continue;
        }
        const GroupCurve& gb = *it->second;
        if (!ga.ok || !gb.ok) {
            out.skipped.push_back(ga.group + ": no curve in " + (ga.ok ? "B (" : "A (") +
                                  (ga.ok ? gb.error : ga.error) + ")");
            continue;
        }
        const Eigen::MatrixXd& sa = ga.curve.splinePoints;
        const Eigen::MatrixXd& sb = gb.curve.splinePoints;
        if (sa.rows() < 2 || sb.rows() < 2 || !(ga.curve.length > 0) || !(gb.curve.length > 0)) {
            out.skipped.push_back(ga.group + ": a curve of zero length");
            continue;
        }
        pa.push_back(&ga);
        pb.push_back(&gb);
        // Spline points sit at equal arc-length steps, so a different count is resampled.
        curvesB.push_back(
            sb.rows() == sa.rows() ? sb : resamplePolyline(sb, static_cast<int>(sa.rows())));
    }
    for (const GroupCurve& gb : b.groups) {
        const bool inA = std::any_of(a.groups.begin(), a.groups.end(),
                                     [&](const GroupCurve& g) { return g.group == gb.group; });
        if (!inA)
            out.skipped.push_back(gb.group + ": not in A");
    }
    if (pa.empty()) {
        std::string why;
        for (const auto& s : out.skipped)
            why += (why.empty() ? "" : "; ") + s;
        throw DataError("instance comparison: no group has a curve in both analyses (" + why + ")");
    }

    Eigen::Index total = 0;
    for (const GroupCurve* g : pa)
        total += g->curve.splinePoints.rows();
    Eigen::MatrixXd fixed(total, a.coordinates.cols()), moving(total, a.coordinates.cols());
    Eigen::Index at = 0;
    for (std::size_t i = 0; i < pa.size(); ++i) {
        const Eigen::Index k = pa[i]->curve.splinePoints.rows();
        fixed.middleRows(at, k) = pa[i]->curve.splinePoints;
        moving.middleRows(at, k) = curvesB[i];
        at += k;
    }
    // One transform for all groups: the instances differ by one rotation of the whole space.
    out.alignment = kabschAlign(fixed, moving, withScaling, method);
    out.initialRmseAll = out.alignment.initialRmse;
    out.alignedRmseAll = out.alignment.alignedRmse;
    for (std::size_t i = 0; i < pa.size(); ++i) {
        const Eigen::MatrixXd& sa = pa[i]->curve.splinePoints;
        out.groups.push_back(pa[i]->group);
        out.colinearity.push_back(segmentColinearity(sa, curvesB[i]));
        out.initialRmse.push_back(rowRmse(sa, curvesB[i]));
        out.alignedRmse.push_back(rowRmse(sa, out.alignment.apply(curvesB[i])));
    }
    out.colinearityMean = finiteMean(out.colinearity);
    return out;
}

} // namespace

Eigen::MatrixXd InstanceComparison::alignB(const Eigen::MatrixXd& bPoints) const {
    Eigen::MatrixXd p = bPoints;
    if (bMirrored && p.cols() > 0)
        p.col(p.cols() - 1) *= -1;
    return alignment.apply(p);
}

InstanceComparison compareInstances(const CurveAnalysis& a, const CurveAnalysis& b,
                                    bool withScaling, KabschMethod method, bool allowMirror) {
    InstanceComparison best = compareInstancesAsIs(a, b, withScaling, method);
    // The sign of a principal axis is arbitrary, so B's curves may be a mirror image of A's
    // that no rotation undoes: also try B with its last axis negated and keep the better fit.
    if (allowMirror && b.pca.components.size() > 0) {
        InstanceComparison mirrored =
            compareInstancesAsIs(a, mirrorLastAxis(b), withScaling, method);
        if (mirrored.alignedRmseAll < best.alignedRmseAll) {
            mirrored.bMirrored = true;
            best = std::move(mirrored);
        }
    }
    return best;
}

} // namespace embedscope
