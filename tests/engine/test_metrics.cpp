// Seed 000 §3.4 metrics against hand computations on tiny configurations (values worked out
// in the comments, as fractions).
#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

/// Points on the x axis of a 2-D embedding (y = 0).
Eigen::MatrixXd onLine(const std::vector<double>& x) {
    Eigen::MatrixXd z = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(x.size()), 2);
    for (std::size_t i = 0; i < x.size(); ++i)
        z(static_cast<Eigen::Index>(i), 0) = x[i];
    return z;
}

/// A dose group as two points (x, ±1): centroid (x, 0).
void addLevel(std::vector<double>& x, std::vector<double>& y, MetricLabels& l,
              const std::string& substance, double dose, double at,
              const std::string& secondary = "") {
    for (double dy : {-1.0, 1.0}) {
        x.push_back(at);
        y.push_back(dy);
        l.substance.push_back(substance);
        l.dose.push_back(dose);
        l.secondarySubstance.push_back(secondary);
        l.group.push_back(substance + "/" + std::to_string(dose) + "/" + secondary);
    }
}

Eigen::MatrixXd toMatrix(const std::vector<double>& x, const std::vector<double>& y) {
    Eigen::MatrixXd z(static_cast<Eigen::Index>(x.size()), 2);
    for (std::size_t i = 0; i < x.size(); ++i)
        z.row(static_cast<Eigen::Index>(i)) << x[i], y[i];
    return z;
}

template <class F> bool throwsDataErrorWith(F f, const QString& fragment) {
    try {
        f();
    } catch (const DataError& e) {
        if (!QString::fromStdString(e.what()).contains(fragment))
            qWarning("message was: %s", e.what());
        return QString::fromStdString(e.what()).contains(fragment);
    }
    return false;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dispersionByHand() {
        // A = {0, 2}, B = {10, 11, 12}: mean 7, TSS = 49+25+9+16+25 = 124,
        // WSS_A = 1+1 = 2, WSS_B = 1+0+1 = 2.
        const Eigen::MatrixXd z = onLine({0, 2, 10, 11, 12});
        const std::vector<int> g = {0, 0, 1, 1, 1};
        QCOMPARE(wssTssRatio(z, g, 2), 4.0 / 124.0);
        // Mean form: (1/2)(2/2 + 2/3) / (124/5) = 25/744. The printed eq 3.6 (no 1/|G|) would
        // give twice that.
        QVERIFY(std::abs(groupAverageWssTss(z, g, 2) - 25.0 / 744.0) < 1e-15);
    }

    void dispersionIsInvariantToRotationAndScale() {
        const Eigen::MatrixXd z = onLine({0, 2, 10, 11, 12});
        const std::vector<int> g = {0, 0, 1, 1, 1};
        Eigen::Matrix2d rot;
        rot << std::cos(0.7), -std::sin(0.7), std::sin(0.7), std::cos(0.7);
        const Eigen::MatrixXd moved = (3.0 * z * rot).rowwise() + Eigen::RowVector2d(5, -2);
        QVERIFY(std::abs(wssTssRatio(moved, g, 2) - 4.0 / 124.0) < 1e-12);
        QVERIFY(std::abs(daviesBouldin(moved, g, 2) - daviesBouldin(z, g, 2)) < 1e-12);
    }

    void daviesBouldinByHand() {
        // A = {0, 2} (C 1, s 1), B = {10, 11, 12} (C 11, s 2/3), C = {16, 24} (C 20, s 4).
        // R_AB = (5/3)/10 = 1/6, R_AC = 5/19, R_BC = (14/3)/9 = 14/27.
        // DB = (5/19 + 14/27 + 14/27)/3 = 667/1539.
        const Eigen::MatrixXd z = onLine({0, 2, 10, 11, 12, 16, 24});
        const std::vector<int> g = {0, 0, 1, 1, 1, 2, 2};
        QVERIFY(std::abs(daviesBouldin(z, g, 3) - 667.0 / 1539.0) < 1e-15);
        // Two groups at the same centroid are not separated at all.
        QVERIFY(std::isinf(daviesBouldin(onLine({-1, 1, 0, 0}), {0, 0, 1, 1}, 2)));
    }

    void positiveNearestNeighboursByHand() {
        // a0=0, a1=3 (A); b0=1, b1=30 (B); c=2 (C); d=10 (D).
        // k=3: a0 -> b0,c,a1 yes; a1 -> c,b0,a0 yes; b0 -> a0,c,a1 no; c, d singletons no;
        // b1 -> d,a1,c no. 2/6.
        const Eigen::MatrixXd z = onLine({0, 3, 1, 30, 2, 10});
        const std::vector<int> g = {0, 0, 1, 1, 2, 3};
        JobContext ctx;
        QVERIFY(std::abs(positiveNearestNeighbours(z, g, 3, ctx) - 100.0 * 2 / 6) < 1e-12);
        // k=1: a0 -> b0 (1), a1 -> c (1): nobody.
        QCOMPARE(positiveNearestNeighbours(z, g, 1, ctx), 0.0);
        // k >= n-1: every row of a group of two or more.
        QVERIFY(std::abs(positiveNearestNeighbours(z, g, 10, ctx) - 100.0 * 4 / 6) < 1e-12);
        // Ties go to the lower index: x=1 has 0 (row 0, other group) and 2 (row 2, same group)
        // at distance 1.
        // Row 0 -> row 1 (no), row 1 -> row 0 (no; row 2 would be yes), row 2 -> row 1 (yes).
        QCOMPARE(positiveNearestNeighbours(onLine({0, 1, 2}), {0, 1, 1}, 1, ctx), 100.0 / 3);
    }

    void inversionsFromTheSeed() {
        // §3.4.3
        QCOMPARE(inversionCount({3.7, 5.4, 7.1}), std::size_t(0));
        QCOMPARE(inversionCount({4.1, 3.4, 6.7}), std::size_t(1));
        QCOMPARE(inversionCount({6.7, 4.1, 3.4}), std::size_t(3));
        QCOMPARE(inversionCount({4, 3, 2, 1}), std::size_t(6)); // n(n-1)/2
        QCOMPARE(inversionCount({1, 1}), std::size_t(0));
        QCOMPARE(inversionCount({}), std::size_t(0));
    }

    void doseResponseByHand() {
        // Control centroid (0, 0). S1: [3.7, 5.4, 7.1] inv 0; S2 (doses given out of order):
        // [4.1, 3.4, 6.7] inv 1; S3: [6.7, 4.1, 3.4] inv 3; S4: [2, 1] inv 1.
        // D̄ = 11/4, Σ inv/D = 0 + 1/3 + 1 + 1/2 = 11/6, DR = (11/4)/4 · 11/6 = 121/96.
        std::vector<double> x, y;
        MetricLabels l;
        addLevel(x, y, l, "control", 0, 0);
        addLevel(x, y, l, "S1", 1, 3.7);
        addLevel(x, y, l, "S1", 2, 5.4);
        addLevel(x, y, l, "S1", 3, 7.1);
        addLevel(x, y, l, "S2", 3, 6.7);
        addLevel(x, y, l, "S2", 0.3, 4.1);
        addLevel(x, y, l, "S2", 1, 3.4);
        addLevel(x, y, l, "S3", 1, -6.7); // distance, not signed position
        addLevel(x, y, l, "S3", 2, 4.1);
        addLevel(x, y, l, "S3", 3, 3.4);
        addLevel(x, y, l, "S4", 10, 1);
        addLevel(x, y, l, "S4", 5, 2);
        l.secondarySubstance.clear();
        QVERIFY(std::abs(doseResponseScore(toMatrix(x, y), l) - 121.0 / 96.0) < 1e-12);
    }

    void doseResponseUsesTheSecondaryOnlyReference() {
        // S1 alone: [1, 2, 3] from control, inv 0. S5 + AMPH: reference = AMPH only at x=10;
        // doses at 13 and 6 -> [3, 4], inv 0 -> DR 0. Against control they would be [13, 6]
        // (inv 1) -> DR = (5/2)/2 · 1/2 = 0.625.
        std::vector<double> x, y;
        MetricLabels l;
        addLevel(x, y, l, "control", 0, 0);
        addLevel(x, y, l, "S1", 1, 1);
        addLevel(x, y, l, "S1", 2, 2);
        addLevel(x, y, l, "S1", 3, 3);
        addLevel(x, y, l, "vehicle", 0, 10, "AMPH");
        addLevel(x, y, l, "S5", 1, 13, "AMPH");
        addLevel(x, y, l, "S5", 2, 6, "AMPH");
        QCOMPARE(doseResponseScore(toMatrix(x, y), l), 0.0);

        // Without the AMPH-only rows there is nothing to compare S5 + AMPH with.
        MetricLabels missing;
        std::vector<double> x2, y2;
        addLevel(x2, y2, missing, "control", 0, 0);
        addLevel(x2, y2, missing, "S5", 1, 13, "AMPH");
        QVERIFY(throwsDataErrorWith([&] { doseResponseScore(toMatrix(x2, y2), missing); }, "AMPH"));
    }

    void doseResponseNeedsAControl() {
        std::vector<double> x, y;
        MetricLabels l;
        addLevel(x, y, l, "S1", 1, 1);
        addLevel(x, y, l, "S1", 2, 2);
        l.secondarySubstance.clear();
        QVERIFY(throwsDataErrorWith([&] { doseResponseScore(toMatrix(x, y), l); }, "control"));
    }

    void computeMetricsAgreesWithTheParts() {
        const Eigen::MatrixXd z = onLine({0, 2, 10, 11, 12, 16, 24});
        MetricLabels l;
        l.group = {"c", "c", "b", "b", "b", "a", "a"};
        l.substance = {"ctl", "ctl", "S", "S", "S", "S", "S"};
        l.dose = {0, 0, 2, 2, 2, 1, 1};
        JobContext ctx;
        const MetricValues v = computeMetrics(z, l, MetricOptions{}, ctx);
        QCOMPARE(v.nSamples, std::size_t(7));
        QCOMPARE(v.nGroups, std::size_t(3));
        // TSS = 1201 - 75²/7 = 2782/7, WSS = 2 + 2 + 32 -> 126/1391;
        // ga = (1/3)(1 + 2/3 + 16) / (2782/49) = 2597/25038.
        QVERIFY(std::abs(v.wssTss - 126.0 / 1391.0) < 1e-14);
        QVERIFY(std::abs(v.gaWssTss - 2597.0 / 25038.0) < 1e-14);
        QVERIFY(std::abs(v.daviesBouldin - 667.0 / 1539.0) < 1e-14);
        // 16 -> 12, 11, 10 (24 is 8 away): the only miss. 6/7.
        QVERIFY(std::abs(v.pnn - 600.0 / 7.0) < 1e-12);
        // dose 1 at 20, dose 2 at 11, control at 1: [19, 10], inv 1, D = 2 -> DR = 1.
        QCOMPARE(v.doseResponse, 1.0);
        QVERIFY(std::isnan(v.f1Micro)); // off by default
        const auto named = v.named();
        QCOMPARE(named.size(), std::size_t(5));
        QCOMPARE(QString::fromStdString(named.front().first), QString("wss_tss"));
        QCOMPARE(QString::fromStdString(named.back().first), QString("davies_bouldin"));

        MetricOptions only = parseMetricList("pnn3, dr");
        const MetricValues w = computeMetrics(z, l, only, ctx);
        QVERIFY(std::isnan(w.wssTss) && std::isnan(w.daviesBouldin));
        QCOMPARE(w.pnn, v.pnn);
        QVERIFY_EXCEPTION_THROWN(parseMetricList("pnn3,bogus"), ConfigError);
    }

    void badInputIsNamed() {
        JobContext ctx;
        MetricLabels l;
        l.group = {"a", "a", "b", "b"};
        Eigen::MatrixXd z = onLine({0, 1, 2, 3});
        MetricOptions o = parseMetricList("wss_tss");
        z(1, 1) = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(throwsDataErrorWith([&] { computeMetrics(z, l, o, ctx); }, "row 1"));
        z(1, 1) = 0;
        l.group.pop_back();
        QVERIFY(throwsDataErrorWith([&] { computeMetrics(z, l, o, ctx); }, "3 group labels"));
        l.group = {"a", "a", "a", "a"};
        QVERIFY(throwsDataErrorWith([&] { computeMetrics(z, l, o, ctx); }, "two groups"));
        l.group = {"a", "a", "b", "b"};
        QVERIFY(
            throwsDataErrorWith([&] { computeMetrics(z, l, MetricOptions{}, ctx); }, "substance"));
    }

    void projectionFitsOnTheMarkedRows() {
        // 3 columns, K = 10 -> capped at 3; a full-rank PCA is a rigid motion: distances kept.
        Eigen::MatrixXd z(5, 3);
        z << 1, 2, 0, 3, 1, 1, 0, 0, 2, 4, 4, 4, 9, -3, 7;
        const std::vector<bool> fit = {true, true, true, true, false};
        const Eigen::MatrixXd p = projectForMetrics(z, fit, 10);
        QCOMPARE(p.cols(), Eigen::Index(3));
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 5; ++j)
                QVERIFY(std::abs((p.row(i) - p.row(j)).norm() - (z.row(i) - z.row(j)).norm()) <
                        1e-10);
        // Centred on the fit rows only.
        QVERIFY(p.topRows(4).colwise().mean().norm() < 1e-12);
        QVERIFY(p.colwise().mean().norm() > 0.1);
        QCOMPARE(projectForMetrics(z, fit, 2).cols(), Eigen::Index(2));
        QVERIFY_EXCEPTION_THROWN(projectForMetrics(z, {true, false, false, false, false}),
                                 DataError);
    }

    void runSummary() {
        // Sample σ of {1, 2, 3, 4}: √(5/3).
        const RunSpread s = summarizeRuns({1, 2, 3, 4});
        QCOMPARE(s.mean, 2.5);
        QVERIFY(std::abs(s.sigma - std::sqrt(5.0 / 3.0)) < 1e-15);
        QVERIFY(std::abs(s.low - (2.5 - 2 * std::sqrt(5.0 / 3.0))) < 1e-15);
        QVERIFY(std::abs(s.high - (2.5 + 2 * std::sqrt(5.0 / 3.0))) < 1e-15);
        QCOMPARE(s.runs, std::size_t(4));
        QVERIFY(std::isnan(summarizeRuns({7}).sigma));
        QVERIFY_EXCEPTION_THROWN(summarizeRuns({}), DataError);
        QVERIFY_EXCEPTION_THROWN(summarizeRuns({1, std::nan("")}), DataError);
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
