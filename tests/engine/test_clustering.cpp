// K-means (k-means++ and restarts), ARI / NMI on hand-computed partitions and the DEC helpers on
// a two-point, two-centre example computed by hand (fractions in the comments).
#include "embedscope/engine/clustering.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <set>
#include <vector>

using namespace embedscope;

namespace {

void blobs(const std::vector<double>& centres, std::size_t d, std::size_t perClass, double sigma,
           uint64_t seed, std::vector<double>& x, std::vector<int>& y) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, sigma);
    for (std::size_t c = 0; c < centres.size() / d; ++c)
        for (std::size_t i = 0; i < perClass; ++i) {
            for (std::size_t j = 0; j < d; ++j)
                x.push_back(centres[c * d + j] + noise(rng));
            y.push_back(static_cast<int>(c));
        }
}

bool near(double a, double b, double tol = 1e-12) {
    if (std::abs(a - b) <= tol)
        return true;
    qWarning("%.15g != %.15g", a, b);
    return false;
}

} // namespace

class TestClustering : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void threeBlobsAreRecovered() {
        std::vector<double> x;
        std::vector<int> y;
        blobs({0, 0, 0, 20, 0, 0, 0, 20, 0}, 3, 40, 1.0, 5, x, y);
        KMeansOptions o;
        o.k = 3;
        const KMeansResult r = kmeans(x, 120, 3, o);
        QCOMPARE(r.labels.size(), std::size_t(120));
        QCOMPARE(adjustedRandIndex(y, r.labels), 1.0);
        QVERIFY(near(normalizedMutualInformation(y, r.labels), 1.0));
        QCOMPARE(r.centres.size(), std::size_t(9));
    }

    void lloydFixedPointAndRestarts() {
        // Five overlapping blobs: restarts end in different local optima.
        std::vector<double> x;
        std::vector<int> y;
        blobs({0, 0, 3, 0, 0, 3, 3, 3, 1.5, 1.5}, 2, 30, 1.0, 8, x, y);
        const std::size_t n = 150, d = 2;
        double previous = 1e300;
        std::vector<double> firstRestarts;
        for (int nInit = 1; nInit <= 8; ++nInit) {
            KMeansOptions o;
            o.k = 5;
            o.nInit = nInit;
            o.seed = 42;
            const KMeansResult r = kmeans(x, n, d, o);
            QVERIFY(r.inertia <= previous); // more restarts never raise the inertia
            previous = r.inertia;
            QCOMPARE(r.restartInertia.size(), std::size_t(nInit));
            // Restart r is the same whatever nInit is.
            for (std::size_t i = 0; i < firstRestarts.size(); ++i)
                QCOMPARE(r.restartInertia[i], firstRestarts[i]);
            firstRestarts = r.restartInertia;
            QCOMPARE(r.inertia, *std::min_element(firstRestarts.begin(), firstRestarts.end()));

            // Independent check of the kept solution: each row's label is its nearest centre,
            // each centre the mean of its rows, and the inertia their summed squared distance.
            double inertia = 0;
            std::vector<double> sum(5 * d, 0.0);
            std::vector<int> count(5, 0);
            for (std::size_t i = 0; i < n; ++i) {
                double best = 1e300;
                int arg = -1;
                for (int c = 0; c < 5; ++c) {
                    double s = 0;
                    for (std::size_t j = 0; j < d; ++j)
                        s += std::pow(x[i * d + j] - r.centres[c * d + j], 2);
                    if (s < best) {
                        best = s;
                        arg = c;
                    }
                }
                QCOMPARE(r.labels[i], arg);
                inertia += best;
                ++count[arg];
                for (std::size_t j = 0; j < d; ++j)
                    sum[arg * d + j] += x[i * d + j];
            }
            QVERIFY(near(r.inertia, inertia, 1e-9 * inertia));
            for (int c = 0; c < 5; ++c) {
                QVERIFY(count[c] > 0);
                for (std::size_t j = 0; j < d; ++j)
                    QVERIFY(near(r.centres[c * d + j], sum[c * d + j] / count[c], 1e-9));
            }
        }
        std::set<double> distinct(firstRestarts.begin(), firstRestarts.end());
        QVERIFY2(distinct.size() > 1, "the restarts all found the same optimum: weak test data");
    }

    void plusPlusPicksDistinctPoints() {
        // Ten copies of the origin and two other points: after the first pick, a point already
        // covered has D² = 0 and cannot be drawn again.
        std::vector<double> x;
        for (int i = 0; i < 10; ++i)
            x.insert(x.end(), {0.0, 0.0});
        x.insert(x.end(), {5.0, 5.0, 10.0, 0.0});
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            const std::vector<std::size_t> picks = kmeansPlusPlus(x, 12, 2, 3, seed);
            QCOMPARE(picks.size(), std::size_t(3));
            std::set<std::pair<double, double>> points;
            for (std::size_t p : picks)
                points.insert({x[p * 2], x[p * 2 + 1]});
            QCOMPARE(points.size(), std::size_t(3));
        }
        QVERIFY_THROWS_EXCEPTION(DataError, kmeansPlusPlus(x, 12, 2, 4, 1)); // 3 distinct
    }

    void adjustedRandIndexByHand() {
        QCOMPARE(adjustedRandIndex({0, 0, 1, 1}, {0, 0, 1, 1}), 1.0);
        QCOMPARE(adjustedRandIndex({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0); // label names do not matter
        // Contingency {(0,0): 2, (1,1): 1, (1,2): 1}: Σ C(n_ij,2) = 1; rows 2, 2 -> Σ C = 2;
        // columns 2, 1, 1 -> Σ C = 1; E = 2·1/C(4,2) = 1/3; max = 3/2.
        // ARI = (1 − 1/3) / (3/2 − 1/3) = (2/3)/(7/6) = 4/7.
        QVERIFY(near(adjustedRandIndex({0, 0, 1, 1}, {0, 0, 1, 2}), 4.0 / 7.0));
        // Rows {0,1,2}, {3,4,5}; columns {0,1}, {2,3}, {4,5}: cells 2,1 | 1,2 -> Σ C = 2;
        // rows 3, 3 -> 6; columns 2, 2, 2 -> 3; E = 18/15 = 6/5; max = 9/2.
        // ARI = (2 − 6/5) / (9/2 − 6/5) = (4/5)/(33/10) = 8/33.
        QVERIFY(near(adjustedRandIndex({0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}), 8.0 / 33.0));
        QVERIFY(near(adjustedRandIndex({0, 0, 1, 2}, {0, 0, 1, 1}), 4.0 / 7.0)); // symmetric
        // Both one cluster: identical partitions.
        QCOMPARE(adjustedRandIndex({3, 3, 3}, {7, 7, 7}), 1.0);
        QVERIFY_THROWS_EXCEPTION(DataError, adjustedRandIndex({0, 1}, {0}));
    }

    void mutualInformationByHand() {
        // b = [0,0,1,2] refines a = [0,0,1,1]: MI = H(a) = ln 2; H(b) = ½ ln 2 + 2·¼ ln 4 =
        // 3/2 ln 2 -> NMI = ln 2 / ((ln 2 + 3/2 ln 2)/2) = 4/5.
        QVERIFY(near(normalizedMutualInformation({0, 0, 1, 1}, {0, 0, 1, 2}), 0.8));
        // Independent partitions: [0,0,1,1] vs [0,1,0,1] share no information.
        QVERIFY(near(normalizedMutualInformation({0, 0, 1, 1}, {0, 1, 0, 1}), 0.0));
    }

    void decSoftAssignmentAndTargetByHand() {
        // 1-D: z = (0, 2), μ = (0, 1), α = 1 -> kernel 1/(1 + d²).
        // z1: d² = 0, 1 -> (1, 1/2) -> q1 = (2/3, 1/3)
        // z2: d² = 4, 1 -> (1/5, 1/2) -> q2 = (2/7, 5/7)
        const std::vector<double> q = decSoftAssignment({0, 2}, 2, 1, {0, 1}, 2);
        const double qWant[4] = {2.0 / 3, 1.0 / 3, 2.0 / 7, 5.0 / 7};
        for (int i = 0; i < 4; ++i)
            QVERIFY(near(q[i], qWant[i]));
        // f = (2/3 + 2/7, 1/3 + 5/7) = (20/21, 22/21).
        // row 1: q²/f = (4/9 · 21/20, 1/9 · 21/22) = (7/15, 7/66) -> p1 = (22/27, 5/27)
        // row 2: (4/49 · 21/20, 25/49 · 21/22) = (3/35, 75/154) -> p2 = (22/147, 125/147)
        const std::vector<double> p = decTargetDistribution(q, 2, 2);
        const double pWant[4] = {22.0 / 27, 5.0 / 27, 22.0 / 147, 125.0 / 147};
        for (int i = 0; i < 4; ++i)
            QVERIFY(near(p[i], pWant[i]));
        double kl = 0;
        for (int i = 0; i < 4; ++i)
            kl += pWant[i] * std::log(pWant[i] / qWant[i]);
        QVERIFY(near(klDivergence(p, q), kl));
        QVERIFY(kl > 0);
        QCOMPARE(klDivergence(q, q), 0.0);
        // α = 3: kernel (1 + d²/3)^(−2): z1 -> (1, (4/3)^−2 = 9/16) -> q = (16/25, 9/25).
        const std::vector<double> q3 = decSoftAssignment({0}, 1, 1, {0, 1}, 2, 3.0);
        QVERIFY(near(q3[0], 16.0 / 25) && near(q3[1], 9.0 / 25));
    }

    void badInput() {
        const std::vector<double> x{0, 1, 2};
        KMeansOptions o;
        o.k = 4;
        try {
            kmeans(x, 3, 1, o);
            QFAIL("no error for k > n");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).contains("k = 4") && QString(e.what()).contains("3 rows"),
                     e.what());
        }
        o.k = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, kmeans(x, 3, 1, o));
        o.k = 2;
        try {
            kmeans({0, NAN, 2}, 3, 1, o);
            QFAIL("no error for NaN");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("row 1"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DataError, kmeans(x, 2, 1, o)); // 3 values for 2 rows
        QVERIFY_THROWS_EXCEPTION(DataError, klDivergence({0.5, 0.5}, {1.0, 0.0}));
    }
};

QTEST_GUILESS_MAIN(TestClustering)
#include "test_clustering.moc"
