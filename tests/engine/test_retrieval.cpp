// Retrieval metrics (issue 8, seed 004 §3.4): hand-placed profiles on a circle whose Pearson
// similarities are cos(angle difference), so every rank is known by hand; a brute-force
// reference (full sort of every similarity row, all pairs sorted) for random tables; random
// profiles (odds ratio ≈ 1), perfect clusters (Precision@R = mAP = 1); dropping and bad input.
#include "embedscope/engine/error.h"
#include "embedscope/engine/retrieval.h"

#include <QtTest>

#include "expect_error.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Profiles cos(θ)·e1 + sin(θ)·e2 with e1, e2 orthonormal and zero-mean in R³: the Pearson
/// similarity of two rows is cos(θi − θj).
Eigen::MatrixXd circle(const std::vector<double>& degrees) {
    const Eigen::Vector3d e1 = Eigen::Vector3d(1, -1, 0) / std::sqrt(2.0);
    const Eigen::Vector3d e2 = Eigen::Vector3d(1, 1, -2) / std::sqrt(6.0);
    Eigen::MatrixXd x(Eigen::Index(degrees.size()), 3);
    for (std::size_t i = 0; i < degrees.size(); ++i) {
        const double t = degrees[i] * kPi / 180.0;
        x.row(Eigen::Index(i)) =
            (std::cos(t) * e1 + std::sin(t) * e2).transpose() * 2.0 +
            Eigen::RowVector3d::Constant(5.0); // scale and shift: Pearson unchanged
    }
    return x;
}

double pearson(const Eigen::MatrixXd& x, Eigen::Index i, Eigen::Index j) {
    const Eigen::VectorXd a = x.row(i).transpose().array() - x.row(i).mean();
    const Eigen::VectorXd b = x.row(j).transpose().array() - x.row(j).mean();
    return a.dot(b) / std::sqrt(a.squaredNorm() * b.squaredNorm());
}

/// numpy.percentile (linear) of sorted values.
double percentileOf(const std::vector<double>& sorted, double p) {
    const double h = double(sorted.size() - 1) * p / 100.0;
    const std::size_t k = std::size_t(std::floor(h));
    const double frac = h - double(k);
    if (frac == 0 || k + 1 >= sorted.size())
        return sorted[k];
    return sorted[k] + (sorted[k + 1] - sorted[k]) * frac;
}

Eigen::MatrixXd gaussian(Eigen::Index n, Eigen::Index d, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 1);
    Eigen::MatrixXd x(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index k = 0; k < d; ++k)
            x(i, k) = g(rng);
    return x;
}

std::vector<std::string> randomLabels(std::size_t n, int classes, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> u(0, classes - 1);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back("moa" + std::to_string(u(rng)));
    return out;
}

} // namespace

class TestRetrieval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneMatchInTopTenGivesPrecisionPointOne() {
        // Query A at 0°; its only match at 55° is the 10th nearest (±10..±40 and 50 are closer).
        const Eigen::MatrixXd x =
            circle({0, 55, 10, 20, 30, 40, 50, -10, -20, -30, -40, 150, 160, 170, 178});
        const std::vector<std::string> labels = {"A", "A", "B", "B", "B", "B", "B", "C",
                                                 "C", "C", "C", "D", "D", "D", "D"};
        RetrievalOptions o;
        o.ks = {1, 9, 10};
        const RetrievalResult r = evaluateRetrieval(x, labels, o, JobContext());
        QCOMPARE(r.nProfiles, std::size_t(15));
        QCOMPARE(r.nClasses, std::size_t(4));
        QCOMPARE(r.queryPrecisionAtK[0][0], 0.0);
        QCOMPARE(r.queryPrecisionAtK[0][1], 0.0);
        QCOMPARE(r.queryPrecisionAtK[0][2], 0.1);
        QCOMPARE(r.averagePrecision[0], 0.1); // one relevant item at rank 10
        QCOMPARE(r.queryPrecisionAtR[0], 0.0);
    }

    void averagePrecisionOfHandRankedList() {
        // Relevant at ranks 1, 3, 6 of 3: (1/1 + 2/3 + 3/6) / 3.
        QVERIFY(std::abs(averagePrecision({6, 1, 3}, 3) - (1.0 + 2.0 / 3 + 0.5) / 3) < 1e-15);
        // Two of three relevant retrieved: the missing one counts 0.
        QVERIFY(std::abs(averagePrecision({2, 4}, 3) - (0.5 + 0.5) / 3) < 1e-15);
        // The same through the pipeline: from 0°, X at 10, 35, 70 are ranks 1, 5, 8 among
        // Y at -20, 25, -30, 50, -60.
        const Eigen::MatrixXd x = circle({0, 10, 35, 70, -20, 25, -30, 50, -60});
        const std::vector<std::string> labels = {"X", "X", "X", "X", "Y", "Y", "Y", "Y", "Y"};
        RetrievalOptions o;
        o.ks = {5};
        const RetrievalResult r = evaluateRetrieval(x, labels, o, JobContext());
        QVERIFY(std::abs(r.averagePrecision[0] - (1.0 + 2.0 / 5 + 3.0 / 8) / 3) < 1e-15);
        QVERIFY(std::abs(r.queryPrecisionAtR[0] - 1.0 / 3) < 1e-15);
        QVERIFY(std::abs(r.queryPrecisionAtK[0][0] - 2.0 / 5) < 1e-15);
    }

    void matchesBruteForceReference() {
        const Eigen::MatrixXd x = gaussian(70, 6, 5);
        const std::vector<std::string> labels = randomLabels(70, 6, 6);
        RetrievalOptions o;
        o.ks = {1, 3, 10};
        o.percentiles = {50, 90, 97, 99.5};
        o.blockRows = 16; // several blocks, the last one partial
        const RetrievalResult r = evaluateRetrieval(x, labels, o, JobContext());
        const Eigen::Index n = x.rows();
        std::vector<double> pk(3, 0), rk(3, 0), all;
        double pr = 0, map = 0;
        std::vector<uint64_t> hits((std::size_t(n) - 1 + 4) / 5, 0);
        for (Eigen::Index i = 0; i < n; ++i) {
            std::vector<std::pair<double, bool>> row;
            for (Eigen::Index j = 0; j < n; ++j)
                if (j != i) {
                    row.push_back({pearson(x, i, j), labels[i] == labels[j]});
                    if (j > i)
                        all.push_back(row.back().first);
                }
            std::sort(row.begin(), row.end(), [](auto& a, auto& b) { return a.first > b.first; });
            double nr = 0, found = 0, ap = 0;
            for (auto& e : row)
                nr += e.second;
            for (std::size_t m = 0; m < row.size(); ++m)
                if (row[m].second) {
                    ap += ++found / double(m + 1);
                    hits[m / 5]++;
                }
            map += ap / nr / double(n);
            for (int t = 0; t < 3; ++t) {
                double tp = 0;
                for (int m = 0; m < o.ks[std::size_t(t)]; ++m)
                    tp += row[std::size_t(m)].second;
                pk[std::size_t(t)] += tp / o.ks[std::size_t(t)] / double(n);
                rk[std::size_t(t)] += tp / nr / double(n);
            }
            double tp = 0;
            for (std::size_t m = 0; m < std::size_t(nr); ++m)
                tp += row[m].second;
            pr += tp / nr / double(n);
        }
        QCOMPARE(r.nProfiles, std::size_t(n));
        QVERIFY(std::abs(r.meanAveragePrecision - map) < 1e-12);
        QVERIFY(std::abs(r.precisionAtR - pr) < 1e-12);
        for (int t = 0; t < 3; ++t) {
            QVERIFY(std::abs(r.precisionAtK[std::size_t(t)] - pk[std::size_t(t)]) < 1e-12);
            QVERIFY(std::abs(r.recallAtK[std::size_t(t)] - rk[std::size_t(t)]) < 1e-12);
        }
        QVERIFY(r.hit.counts == hits);
        // Enrichment: thresholds and 2 × 2 tables from all pairs sorted.
        std::vector<double> sorted = all;
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t p = 0; p < o.percentiles.size(); ++p) {
            const EnrichmentPoint& e = r.enrichment[p];
            const double t = percentileOf(sorted, o.percentiles[p]);
            QVERIFY(std::abs(e.threshold - t) < 1e-12);
            uint64_t a = 0, b = 0, c = 0, d = 0;
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = i + 1; j < n; ++j) {
                    const bool same = labels[i] == labels[j];
                    const bool above = pearson(x, i, j) > e.threshold;
                    (above ? (same ? a : b) : (same ? c : d))++;
                }
            QCOMPARE(e.a, a);
            QCOMPARE(e.b, b);
            QCOMPARE(e.c, c);
            QCOMPARE(e.d, d);
            QVERIFY(std::abs(e.oddsRatio - (double(a) / b) / (double(c) / d)) < 1e-12);
        }
    }

    void streamingPercentileEqualsSortedPairs() {
        const Eigen::MatrixXd x = gaussian(120, 8, 11);
        std::vector<double> all;
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            for (Eigen::Index j = i + 1; j < x.rows(); ++j)
                all.push_back(pearson(x, i, j));
        std::sort(all.begin(), all.end());
        const std::vector<double> ps = {0.1, 50, 97, 97.5, 98, 98.5, 99, 99.5, 99.99};
        RetrievalOptions fine, refined;
        refined.histogramBins = 4; // forces several refinement passes (bins of > 3 values)
        refined.maxCollected = 3;
        for (const RetrievalOptions& o : {fine, refined}) {
            const std::vector<double> got = pairSimilarityPercentiles(x, ps, o, JobContext());
            for (std::size_t p = 0; p < ps.size(); ++p)
                QVERIFY2(std::abs(got[p] - percentileOf(all, ps[p])) < 1e-12,
                         qPrintable(QString::number(ps[p])));
        }
        // The enrichment tables agree when a threshold bin had to be refined (counting pass).
        const std::vector<std::string> labels = randomLabels(120, 5, 12);
        const auto a = similarityEnrichment(x, labels, fine, JobContext());
        const auto b = similarityEnrichment(x, labels, refined, JobContext());
        for (std::size_t p = 0; p < a.size(); ++p) {
            QCOMPARE(a[p].threshold, b[p].threshold);
            QCOMPARE(a[p].a, b[p].a);
            QCOMPARE(a[p].b, b[p].b);
            QCOMPARE(a[p].a + a[p].b + a[p].c + a[p].d, uint64_t(120 * 119 / 2));
        }
    }

    void randomProfilesGiveOddsRatioNearOne() {
        const Eigen::MatrixXd x = gaussian(1500, 20, 21);
        const std::vector<std::string> labels = randomLabels(1500, 15, 22);
        const RetrievalResult r = evaluateRetrieval(x, labels, RetrievalOptions(), JobContext());
        QCOMPARE(r.enrichment.size(), std::size_t(6));
        for (const EnrichmentPoint& e : r.enrichment)
            QVERIFY2(e.oddsRatio > 0.7 && e.oddsRatio < 1.4,
                     qPrintable(QString("odds ratio %1 at %2").arg(e.oddsRatio).arg(e.percentile)));
        // Precision@K near the chance of a same-class neighbour (~1/15), Hit@K flat.
        for (double p : r.precisionAtK)
            QVERIFY2(p > 0.04 && p < 0.1, qPrintable(QString::number(p)));
        for (double c : r.hit.cumulativeExcess)
            QVERIFY(std::abs(c) < 0.05 * double(r.hit.nHits));
    }

    void perfectClustersGivePrecisionAtROne() {
        Eigen::MatrixXd x = gaussian(24, 10, 31) * 1e-3;
        const Eigen::MatrixXd centres = gaussian(4, 10, 32);
        std::vector<std::string> labels;
        for (Eigen::Index i = 0; i < 24; ++i) {
            x.row(i) += centres.row(i % 4);
            labels.push_back("moa" + std::to_string(i % 4));
        }
        RetrievalOptions o;
        o.ks = {1, 5};
        const RetrievalResult r = evaluateRetrieval(x, labels, o, JobContext());
        QCOMPARE(r.precisionAtR, 1.0);
        QCOMPARE(r.meanAveragePrecision, 1.0);
        QCOMPARE(r.precisionAtK[1], 1.0);
        QCOMPARE(r.recallAtK[1], 1.0);
        // 60 same-class pairs of 276: the top 3 % are all same-class (b = 0: odds ratio +inf).
        QCOMPARE(r.enrichment[0].b, uint64_t(0));
        QVERIFY(std::isinf(r.enrichment[0].oddsRatio));
        QCOMPARE(r.hit.counts[0], uint64_t(24 * 5)); // every hit within the first 5 ranks
    }

    void smallClassesAndConstantRowsAreDroppedAndCounted() {
        Eigen::MatrixXd x = circle({0, 10, 35, 70, -20, 25, -30, 50, -60, 100, 120, 140, 0});
        x.row(12).setConstant(3.0); // Pearson undefined
        const std::vector<std::string> labels = {"X", "X", "X", "X",   "Y", "Y", "Y",
                                                 "Y", "Y", "Z", "X|Y", "",  "X"};
        RetrievalOptions o;
        o.ks = {1};
        const RetrievalResult r = evaluateRetrieval(x, labels, o, JobContext());
        QCOMPARE(r.nProfiles, std::size_t(9));
        QCOMPARE(r.nClasses, std::size_t(2));
        QCOMPARE(r.dropped.smallClasses, std::size_t(2)); // "Z" and the composite "X|Y"
        QCOMPARE(r.dropped.smallClassRows, std::size_t(2));
        QCOMPARE(r.dropped.unlabelledRows, std::size_t(1));
        QCOMPARE(r.dropped.zeroVarianceRows, std::size_t(1));
        QCOMPARE(r.rows.back(), std::size_t(8));
        QVERIFY(!r.notes.empty());
        // Same numbers as without the dropped rows.
        const RetrievalResult clean = evaluateRetrieval(
            x.topRows(9), std::vector<std::string>(labels.begin(), labels.begin() + 9), o,
            JobContext());
        QCOMPARE(r.meanAveragePrecision, clean.meanAveragePrecision);
    }

    void badInputIsNamed() {
        EmbeddingTable t;
        t.featureNames = {"f_a", "f_b", "f_c"};
        const Eigen::MatrixXd x = circle({0, 10, 35, 70, -20, 25});
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            for (int k = 0; k < 3; ++k)
                t.features.push_back(x(i, k));
        t.rows = 6;
        t.metadata.addStrings("moa", {"X", "X", "X", "Y", "Y", "Y"});
        t.metadata.addStrings("single", {"X", "X", "X", "X", "Y", "Z"});
        RetrievalOptions o;
        o.ks = {1};
        QCOMPARE(evaluateRetrieval(t, "Metadata_moa", o, JobContext(), "c.csv").nProfiles,
                 std::size_t(6));
        expectError<DataError>([&] { evaluateRetrieval(t, "target", o, JobContext(), "c.csv"); },
                               {"c.csv", "Metadata_target", "Metadata_moa"});
        expectError<DataError>([&] { evaluateRetrieval(t, "single", o, JobContext(), "c.csv"); },
                               {"c.csv", "fewer than 2 classes"});
        o.ks = {6};
        expectError<ConfigError>([&] { evaluateRetrieval(t, "moa", o, JobContext()); }, {"K = 6"});
        o.ks = {1};
        o.percentiles = {100};
        expectError<ConfigError>([&] { evaluateRetrieval(t, "moa", o, JobContext()); },
                                 {"percentile"});
        o.percentiles = {99};
        t.features[2 * 3 + 1] = std::nan("");
        expectError<DataError>([&] { evaluateRetrieval(t, "moa", o, JobContext(), "c.csv"); },
                               {"c.csv", "row 3", "f_b", "NaN"});
        t.features[2 * 3 + 1] = HUGE_VAL;
        expectError<DataError>([&] { evaluateRetrieval(t, "moa", o, JobContext(), "c.csv"); },
                               {"row 3", "f_b", "Inf"});
    }

    void batchEnrichmentOnControls() {
        // Controls of two batches share a batch direction; treated rows are left out.
        const Eigen::MatrixXd noise = gaussian(60, 12, 41);
        const Eigen::MatrixXd batchShift = gaussian(2, 12, 42);
        EmbeddingTable t;
        for (int k = 0; k < 12; ++k)
            t.featureNames.push_back("f" + std::to_string(k));
        std::vector<std::string> batch;
        std::vector<double> control;
        for (Eigen::Index i = 0; i < 60; ++i) {
            const bool isControl = i < 40;
            const Eigen::RowVectorXd row =
                noise.row(i) + (isControl ? 2.0 : 0.0) * batchShift.row(i % 2);
            for (int k = 0; k < 12; ++k)
                t.features.push_back(row(k));
            batch.push_back(i % 2 ? "B2" : "B1");
            control.push_back(isControl ? 1 : 0);
        }
        t.rows = 60;
        t.metadata.addStrings("Batch", batch);
        t.metadata.addNumbers("control", control);
        const BatchEnrichmentResult r = batchEnrichment(t, "Metadata_Batch", "Metadata_control",
                                                        RetrievalOptions(), JobContext());
        QCOMPARE(r.controlRows, std::size_t(40));
        QCOMPARE(r.batches, std::size_t(2));
        QCOMPARE(r.enrichment.back().a + r.enrichment.back().b + r.enrichment.back().c +
                     r.enrichment.back().d,
                 uint64_t(40 * 39 / 2));
        for (const EnrichmentPoint& e : r.enrichment)
            QVERIFY(e.oddsRatio > 10);
        std::fill(control.begin(), control.end(), 0.0);
        t.metadata.addNumbers("control", control);
        expectError<DataError>(
            [&] {
                batchEnrichment(t, "Batch", "control", RetrievalOptions(), JobContext(), "w.csv");
            },
            {"w.csv", "no control rows"});
    }
};

QTEST_GUILESS_MAIN(TestRetrieval)
#include "test_retrieval.moc"
