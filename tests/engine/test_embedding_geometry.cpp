// Seed-003 shape measures (SPEC S3): segment colinearity by hand, curve analysis of synthetic
// rays from a common origin (colinearity = cosines of the angles between the rays, dispersion
// growing along them), instance comparison of a rotated copy, binned F1.
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/error.h"

#include "expect_error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace embedscope;

namespace {

Eigen::MatrixXd rowsOf(std::initializer_list<std::initializer_list<double>> rows) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()),
                      static_cast<Eigen::Index>(rows.begin()->size()));
    Eigen::Index r = 0;
    for (const auto& row : rows) {
        Eigen::Index c = 0;
        for (double v : row)
            m(r, c++) = v;
        ++r;
    }
    return m;
}

/// Three rays from the origin in 3-D with pairwise cosines 0.6, 0.6 and 0.36, 150 points each
/// at t ~ U(0, 10) with Gaussian noise σ = 0.02 + 0.01 t (spreading out along the ray), rows
/// shuffled; plus a group "tiny" of 3 points. Group names make the natural order visible.
/// (With σ growing to 0.43 the LPC walk curls back at the sparse far end — it creeps on until
/// maxSteps, as LPCM does — and the colinearity of the rays drops to 0.38–0.47 instead of 0.52.)
struct Rays {
    Eigen::MatrixXd x;
    std::vector<std::string> groups;
    Eigen::VectorXd order;
};
const char* kRayNames[3] = {"ray1", "ray2", "ray10"};
Rays makeRays(uint64_t seed) {
    const Eigen::RowVector3d u[3] = {{1, 0, 0}, {0.6, 0.8, 0}, {0.6, 0, 0.8}};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> time(0.0, 10.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    struct Row {
        Eigen::RowVector3d p;
        std::string g;
        double t;
    };
    std::vector<Row> rows;
    for (int g = 0; g < 3; ++g)
        for (int i = 0; i < 150; ++i) {
            const double t = time(rng), s = 0.02 + 0.01 * t;
            rows.push_back({t * u[g] + s * Eigen::RowVector3d(noise(rng), noise(rng), noise(rng)),
                            kRayNames[g], t});
        }
    for (int i = 0; i < 3; ++i)
        rows.push_back({Eigen::RowVector3d(-1.0 - i, 1, 1), "tiny", double(i)});
    std::shuffle(rows.begin(), rows.end(), rng);
    Rays out;
    out.x.resize(static_cast<Eigen::Index>(rows.size()), 3);
    out.order.resize(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out.x.row(static_cast<Eigen::Index>(i)) = rows[i].p;
        out.groups.push_back(rows[i].g);
        out.order(static_cast<Eigen::Index>(i)) = rows[i].t;
    }
    return out;
}

const GroupCurve& groupNamed(const CurveAnalysis& a, const std::string& name) {
    for (const GroupCurve& g : a.groups)
        if (g.group == name)
            return g;
    qFatal("no group %s", name.c_str());
}

/// Moves every point of an analysis by x -> x R0ᵀ + t (a second "instance" of the model).
CurveAnalysis moved(CurveAnalysis a, const Eigen::Matrix3d& r0, const Eigen::RowVector3d& t) {
    auto move = [&](Eigen::MatrixXd& m) {
        if (m.size())
            m = (m * r0.transpose()).rowwise() + t;
    };
    move(a.coordinates);
    for (GroupCurve& g : a.groups) {
        move(g.curve.splinePoints);
        move(g.curve.lpcPoints);
    }
    return a;
}

bool contains(const std::vector<std::string>& v, const std::string& prefix) {
    return std::any_of(v.begin(), v.end(),
                       [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

} // namespace

class TestEmbeddingGeometry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resampleByHand() {
        const Eigen::MatrixXd p = rowsOf({{0, 0}, {2, 0}, {2, 2}});
        const Eigen::MatrixXd r = resamplePolyline(p, 5); // steps of 1 along a length of 4
        QVERIFY((r - rowsOf({{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}})).norm() < 1e-12);
    }

    void colinearityIdenticalAndOpposite() {
        Eigen::MatrixXd helix(40, 3);
        for (int i = 0; i < 40; ++i)
            helix.row(i) = Eigen::RowVector3d(std::cos(0.3 * i), std::sin(0.3 * i), 0.1 * i);
        QVERIFY(std::abs(segmentColinearity(helix, helix) - 1.0) < 1e-12);
        // The opposite curve (every direction negated) gives −1.
        const Eigen::MatrixXd opposite = -helix;
        QVERIFY(std::abs(segmentColinearity(helix, opposite) + 1.0) < 1e-12);
        // A straight line walked backwards is −1 too; a reversed helix is not (its first
        // segment is compared with the helix's last one, which points elsewhere).
        const Eigen::MatrixXd line = rowsOf({{0, 0, 0}, {1, 2, 3}, {2, 4, 6}, {3, 6, 9}});
        const Eigen::MatrixXd back = line.colwise().reverse();
        QVERIFY(std::abs(segmentColinearity(line, back) + 1.0) < 1e-12);
        const Eigen::MatrixXd reversed = helix.colwise().reverse();
        QVERIFY(segmentColinearity(helix, reversed) > -0.5);
        // Translation and a different sampling of the same curve do not matter.
        const Eigen::MatrixXd shifted =
            resamplePolyline(helix, 40).rowwise() + Eigen::RowVector3d(5, -2, 1);
        QVERIFY(std::abs(segmentColinearity(helix, shifted, 10) - 1.0) < 1e-12);
    }

    void perpendicularLines() {
        const Eigen::MatrixXd x = rowsOf({{0, 0}, {1, 0}, {2, 0}});
        const Eigen::MatrixXd y = rowsOf({{5, 5}, {5, 6}, {5, 7}, {5, 9}});
        QVERIFY(std::abs(segmentColinearity(x, y)) < 1e-12);
    }

    void threeSegmentsByHand() {
        const Eigen::MatrixXd a = rowsOf({{0, 0}, {1, 0}, {2, 0}, {3, 0}});
        const Eigen::MatrixXd b = rowsOf({{0, 0}, {2, 0}, {2, 1}}); // length 3, unequal segments
        // 3 segments: B resampled at arc length 0, 1, 2, 3 -> directions x, x, y: (1 + 1 + 0) / 3.
        QVERIFY(std::abs(segmentColinearity(a, b, 3) - 2.0 / 3.0) < 1e-12);
        // Default: min(4, 3) − 1 = 2 segments; B at 0, 1.5, 3 -> (0,0), (1.5,0), (2,1): the second
        // chord (0.5, 1) has cosine 0.5 / √1.25 with x.
        const double expected = (1.0 + 0.5 / std::sqrt(1.25)) / 2.0;
        QVERIFY(std::abs(segmentColinearity(a, b) - expected) < 1e-12);
    }

    void colinearityErrors() {
        const Eigen::MatrixXd a = rowsOf({{0, 0}, {1, 0}});
        expectError<DataError>(
            [&] {
                segmentColinearity(a, rowsOf({{0, 0, 0}, {1, 1, 1}}));
            },
            {"2-D", "3-D"});
        expectError<DataError>(
            [&] {
                segmentColinearity(a, rowsOf({{0, 0}}));
            },
            {"curve B", "1 points"});
        expectError<DataError>(
            [&] {
                segmentColinearity(rowsOf({{1, 1}, {1, 1}}), a);
            },
            {"curve A", "zero length"});
        Eigen::MatrixXd nan = a;
        nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
        expectError<DataError>([&] { segmentColinearity(a, nan); },
                               {"curve B point 1", "not finite"});
    }

    void raysFromCommonOrigin() {
        const Rays rays = makeRays(7);
        const CurveAnalysis an = analyseCurves(rays.x, rays.groups, rays.order);
        QCOMPARE(an.coordinates.cols(), Eigen::Index(3));
        QCOMPARE(an.groups.size(), std::size_t(4));
        QCOMPARE(an.groups[0].group, std::string("ray1")); // natural order
        QCOMPARE(an.groups[1].group, std::string("ray2"));
        QCOMPARE(an.groups[2].group, std::string("ray10"));
        QCOMPARE(an.groups[3].group, std::string("tiny"));

        const GroupCurve& tiny = groupNamed(an, "tiny");
        QVERIFY(!tiny.ok);
        QVERIFY2(tiny.error.find("3 points") != std::string::npos, tiny.error.c_str());
        QCOMPARE(tiny.rows.size(), std::size_t(3));

        for (int g = 0; g < 3; ++g) {
            const GroupCurve& gc = an.groups[static_cast<std::size_t>(g)];
            QVERIFY2(gc.ok, gc.error.c_str());
            QCOMPARE(gc.rows.size(), std::size_t(150));
            QCOMPARE(gc.projection.arcLength.size(), Eigen::Index(150));
            QVERIFY(gc.orderLow >= 0 && gc.orderLow < 0.5 && gc.orderHigh > 9.5);
            // Rays of length 10: the curve covers most of it.
            QVERIFY2(gc.curve.length > 8.5 && gc.curve.length < 10.8,
                     qPrintable(QString::number(gc.curve.length)));
            // Noise grows along the ray, so dispersion does too.
            QVERIFY2(gc.dispersion.coefficient > 0,
                     qPrintable(QString::number(gc.dispersion.coefficient)));
            QVERIFY(gc.dispersion.lastN > gc.dispersion.firstN);
        }
        // Pairwise colinearity = cos of the angles between the rays (PCA is a rigid motion of
        // this 3-D data); the noise bends the splines a little, hence the tolerance.
        const double cosines[3][3] = {{1, 0.6, 0.6}, {0.6, 1, 0.36}, {0.6, 0.36, 1}};
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                QVERIFY2(
                    std::abs(an.colinearityPairs(i, j) - cosines[i][j]) < 0.06,
                    qPrintable(QString("%1,%2: %3").arg(i).arg(j).arg(an.colinearityPairs(i, j))));
        QVERIFY(std::isnan(an.colinearityPairs(3, 0)) && std::isnan(an.colinearityPairs(3, 3)));
        QVERIFY2(std::abs(an.colinearityWithin - (0.6 + 0.6 + 0.36) / 3) < 0.02,
                 qPrintable(QString::number(an.colinearityWithin)));
        QVERIFY(an.dispersionCoefficient > 0);
        const double meanFirst = (an.groups[0].dispersion.firstN + an.groups[1].dispersion.firstN +
                                  an.groups[2].dispersion.firstN) /
                                 3;
        QVERIFY(std::abs(an.dispersionFirstN - meanFirst) < 1e-12);

        // Raw coordinates (pcaDims = 0) give the same cosines. Unscaled: LPCM's per-group range
        // scaling would blow the noise of the axis-aligned ray1 (y, z) up to the size of x.
        CurveAnalysisOptions raw;
        raw.pcaDims = 0;
        raw.lpc.scaled = false;
        raw.lpc.bandwidth = 1.0;
        const CurveAnalysis an0 = analyseCurves(rays.x, rays.groups, rays.order, raw);
        QVERIFY(an0.pca.components.size() == 0);
        QVERIFY2(std::abs(an0.colinearityWithin - 0.52) < 0.03,
                 qPrintable(QString::number(an0.colinearityWithin)));
    }

    void analysisErrors() {
        const Rays rays = makeRays(1);
        expectError<DataError>(
            [&] { analyseCurves(rays.x, rays.groups, Eigen::VectorXd::Zero(3)); },
            {"order values"});
        Eigen::VectorXd badOrder = rays.order;
        badOrder(4) = std::numeric_limits<double>::quiet_NaN();
        expectError<DataError>([&] { analyseCurves(rays.x, rays.groups, badOrder); },
                               {"row 4", "order"});
        // Only the 3-point group: nothing to compute.
        std::vector<std::string> onlyTiny(rays.groups.size());
        for (std::size_t i = 0; i < onlyTiny.size(); ++i)
            onlyTiny[i] = rays.groups[i] == "tiny" ? "tiny" : "";
        expectError<DataError>([&] { analyseCurves(rays.x, onlyTiny, rays.order); },
                               {"no group has a curve", "tiny: 3 points"});
    }

    void rotatedInstanceAlignsBack() {
        const Rays rays = makeRays(7);
        const CurveAnalysis a = analyseCurves(rays.x, rays.groups, rays.order);
        const Eigen::Matrix3d r0 =
            Eigen::AngleAxisd(0.9, Eigen::Vector3d(0.3, 1, -0.4).normalized()).toRotationMatrix();
        const CurveAnalysis b = moved(a, r0, Eigen::RowVector3d(2, 0, -1));

        const InstanceComparison same = compareInstances(a, a);
        QCOMPARE(same.groups.size(), std::size_t(3));
        QVERIFY(std::abs(same.colinearityMean - 1.0) < 1e-12);
        QVERIFY(same.initialRmseAll < 1e-12);

        const InstanceComparison c = compareInstances(a, b);
        QCOMPARE(c.groups, std::vector<std::string>({"ray1", "ray2", "ray10"}));
        QVERIFY2(c.colinearityMean < 0.9, qPrintable(QString::number(c.colinearityMean)));
        QVERIFY(c.initialRmseAll > 1.0);
        QVERIFY2(c.alignedRmseAll < 1e-9, qPrintable(QString::number(c.alignedRmseAll)));
        for (std::size_t g = 0; g < 3; ++g) {
            QVERIFY(c.colinearity[g] < 1 - 1e-3);
            QVERIFY(c.initialRmse[g] > 0.5);
            QVERIFY(c.alignedRmse[g] < 1e-9);
        }
        QVERIFY((c.alignment.rotation - Eigen::MatrixXd(r0.transpose())).norm() < 1e-9);
        QCOMPARE(c.alignment.method, std::string("quaternion"));
        QVERIFY(contains(c.skipped, "tiny: no curve in A"));

        // A group missing on one side and one only on the other appear in `skipped`.
        CurveAnalysis b2 = b;
        b2.groups.erase(b2.groups.begin() + 1); // ray2
        b2.groups[0].group = "ray1-renamed";
        const InstanceComparison c2 = compareInstances(a, b2, true, KabschMethod::Svd);
        QCOMPARE(c2.groups, std::vector<std::string>({"ray10"}));
        QVERIFY(contains(c2.skipped, "ray1: not in B"));
        QVERIFY(contains(c2.skipped, "ray2: not in B"));
        QVERIFY(contains(c2.skipped, "ray1-renamed: not in A"));
        QVERIFY(std::abs(c2.alignment.scale - 1.0) < 1e-9);
        QVERIFY(c2.alignedRmseAll < 1e-9);

        CurveAnalysis flat = a;
        flat.coordinates = Eigen::MatrixXd::Zero(3, 2);
        expectError<DataError>([&] { compareInstances(a, flat); }, {"3-D", "2-D"});
        CurveAnalysis none = a;
        for (GroupCurve& g : none.groups)
            g.group += "-x";
        expectError<DataError>([&] { compareInstances(a, none); }, {"no group", "not in B"});
    }

    void mirroredInstanceAlignsBack() {
        // A reflection (a PCA axis with the other sign) plus a rotation: no proper rotation
        // undoes it, so compareInstances tries B with its last axis negated and keeps that.
        const Rays rays = makeRays(7);
        const CurveAnalysis a = analyseCurves(rays.x, rays.groups, rays.order);
        const Eigen::Matrix3d r0 =
            Eigen::AngleAxisd(0.5, Eigen::Vector3d(1, 0.2, 0.1).normalized()).toRotationMatrix();
        const Eigen::Matrix3d mirror = Eigen::Vector3d(1, 1, -1).asDiagonal();
        const CurveAnalysis b = moved(a, r0 * mirror, Eigen::RowVector3d(0, 1, 0));
        const InstanceComparison rigid =
            compareInstances(a, b, false, KabschMethod::Automatic, false);
        QVERIFY(!rigid.bMirrored);
        QVERIFY2(rigid.alignedRmseAll > 0.1, qPrintable(QString::number(rigid.alignedRmseAll)));
        const InstanceComparison c = compareInstances(a, b);
        QVERIFY(c.bMirrored);
        QVERIFY2(c.alignedRmseAll < 1e-9, qPrintable(QString::number(c.alignedRmseAll)));
        // alignB carries B's own coordinates into A's frame.
        QVERIFY((c.alignB(b.coordinates) - a.coordinates).cwiseAbs().maxCoeff() < 1e-9);
        // Raw features (no PCA) are never mirrored.
        const CurveAnalysis raw = analyseCurves(rays.x, rays.groups, rays.order, [] {
            CurveAnalysisOptions o;
            o.pcaDims = 0;
            return o;
        }());
        QVERIFY(
            !compareInstances(raw, moved(raw, r0 * mirror, Eigen::RowVector3d(0, 0, 0))).bMirrored);
    }

    void binnedF1SeparatedGroups() {
        // Three groups around centres 20 apart (noise σ = 1), order 0..9 -> one bin per value.
        std::mt19937_64 rng(4);
        std::normal_distribution<double> noise(0.0, 1.0);
        const int per = 40;
        Eigen::MatrixXd x(3 * per, 2);
        std::vector<std::string> groups;
        Eigen::VectorXd order(3 * per);
        const double centres[3][2] = {{0, 0}, {20, 0}, {0, 20}};
        for (int g = 0; g < 3; ++g)
            for (int i = 0; i < per; ++i) {
                const int r = g * per + i;
                x(r, 0) = centres[g][0] + noise(rng);
                x(r, 1) = centres[g][1] + noise(rng);
                groups.push_back(g == 0 ? "b" : g == 1 ? "a" : "c");
                order(r) = i % 10;
            }
        const BinnedF1 f = binnedF1(x, groups, order, 10, 3);
        QCOMPARE(f.groups, std::vector<std::string>({"a", "b", "c"}));
        QCOMPARE(f.binCentres.size(), std::size_t(10));
        for (int k = 0; k < 10; ++k)
            QCOMPARE(f.binCentres[static_cast<std::size_t>(k)], double(k));
        QCOMPARE(f.f1Macro, 1.0);
        QCOMPARE(f.f1MacroSe, 0.0);
        QCOMPARE(f.perGroup, std::vector<double>({1.0, 1.0, 1.0}));
        // Every supported cell is 1; 12 test rows per group over 10 bins leave some unsupported.
        int supported = 0;
        for (Eigen::Index k = 0; k < 3; ++k)
            for (Eigen::Index b = 0; b < 10; ++b)
                if (std::isfinite(f.perGroupBin(k, b))) {
                    QCOMPARE(f.perGroupBin(k, b), 1.0);
                    ++supported;
                }
        QVERIFY(supported >= 20);
    }

    void binnedF1IdenticalDistributionsNearChance() {
        // Two groups drawn from one Gaussian: nothing to learn. A classifier independent of the
        // labels gets accuracy ~ Binomial(60, 0.5) / 60 per repeat (σ ≈ 0.065) and macro F1 at
        // most about that; the mean over 10 repeats stays within 0.5 ± 0.15 (> 2 σ of a single
        // repeat, the repeats share rows so they are not independent).
        std::mt19937_64 rng(9);
        std::normal_distribution<double> noise(0.0, 1.0);
        Eigen::MatrixXd x(200, 3);
        std::vector<std::string> groups;
        Eigen::VectorXd order(200);
        for (int r = 0; r < 200; ++r) {
            for (int c = 0; c < 3; ++c)
                x(r, c) = noise(rng);
            groups.push_back(r % 2 ? "wt" : "mut");
            order(r) = r / 2 % 24; // 24 distinct times -> 4 equal-width bins of 5.75
        }
        const BinnedF1 f = binnedF1(x, groups, order, 4, 10);
        QVERIFY2(f.f1Macro > 0.35 && f.f1Macro < 0.65, qPrintable(QString::number(f.f1Macro)));
        QVERIFY(f.f1MacroSe > 0);
        QCOMPARE(f.binCentres.size(), std::size_t(4));
        QVERIFY(std::abs(f.binCentres[0] - 23.0 / 8) < 1e-12);
    }

    void binnedF1EmptyBinsAreNaN() {
        // Order values only in [0, 1] and [9, 10]: of 5 bins over [0, 10] the middle three are
        // empty for every group.
        std::mt19937_64 rng(12);
        std::normal_distribution<double> noise(0.0, 1.0);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        Eigen::MatrixXd x(80, 2);
        std::vector<std::string> groups;
        Eigen::VectorXd order(80);
        for (int r = 0; r < 80; ++r) {
            const int g = r % 2;
            x(r, 0) = 10.0 * g + noise(rng);
            x(r, 1) = noise(rng);
            groups.push_back(g ? "g2" : "g1");
            order(r) = (r % 4 < 2 ? 0.0 : 9.0) + u(rng);
        }
        order(0) = 0;
        order(2) = 10; // the range is exactly [0, 10]
        const BinnedF1 f = binnedF1(x, groups, order, 5, 2);
        QCOMPARE(f.binCentres, std::vector<double>({1, 3, 5, 7, 9}));
        for (Eigen::Index k = 0; k < 2; ++k) {
            QVERIFY(std::isfinite(f.perGroupBin(k, 0)) && std::isfinite(f.perGroupBin(k, 4)));
            for (Eigen::Index b = 1; b <= 3; ++b)
                QVERIFY(std::isnan(f.perGroupBin(k, b)));
        }
    }

    void binnedF1Errors() {
        const Eigen::MatrixXd x = Eigen::MatrixXd::Random(6, 2);
        const Eigen::VectorXd order = Eigen::VectorXd::Zero(6);
        expectError<DataError>(
            [&] {
                binnedF1(x, {"a", "a", "a", "a", "a", ""}, order);
            },
            {"need at least two"});
        expectError<DataError>(
            [&] {
                binnedF1(x, {"a", "a", "a", "b", "a", "a"}, order);
            },
            {"group 'b'", "1 rows"});
        expectError<ConfigError>(
            [&] {
                binnedF1(x, {"a", "a", "a", "b", "b", "b"}, order, 0);
            },
            {"bins"});
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingGeometry)
#include "test_embedding_geometry.moc"
