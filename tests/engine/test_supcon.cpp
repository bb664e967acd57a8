// SupCon (SPEC S0, seed eq. 3.1) against an independent hand computation in plain C++.
#include "embedscope/engine/error.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

double similarity(const float* a, const float* b, std::size_t d, const std::string& kind) {
    double dot = 0, na = 0, nb = 0, l1 = 0, l2 = 0;
    for (std::size_t k = 0; k < d; ++k) {
        const double x = a[k], y = b[k];
        dot += x * y;
        na += x * x;
        nb += y * y;
        l1 += std::abs(x - y);
        l2 += (x - y) * (x - y);
    }
    if (kind == "euclidean")
        return -std::sqrt(l2);
    if (kind == "manhattan")
        return -l1;
    return dot / (std::sqrt(na) * std::sqrt(nb) + 1e-9); // seed eq. 4.6
}

/// Eq. 3.1 written out: L_i = -log[(1/|P|) sum_p e^{s_ip/t} / sum_{j != i} e^{s_ij/t}], rows
/// with i's id skipped in both sums, mean over rows with |P(i)| > 0.
double handSupcon(const std::vector<float>& z, std::size_t n, std::size_t d,
                  const std::vector<int>& groups, const std::vector<int64_t>& ids, double tau,
                  const std::string& kind) {
    double total = 0;
    int anchors = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double denominator = 0, positives = 0;
        int count = 0;
        for (std::size_t j = 0; j < n; ++j) {
            if (ids[j] == ids[i])
                continue;
            const double e = std::exp(similarity(&z[i * d], &z[j * d], d, kind) / tau);
            denominator += e;
            if (groups[j] == groups[i]) {
                positives += e;
                ++count;
            }
        }
        if (count == 0)
            continue;
        total += -std::log((positives / count) / denominator);
        ++anchors;
    }
    return total / anchors;
}

const std::vector<float> kFour = {0.1f, 0.2f, 0.5f, -0.3f, -1.0f, 0.4f, 0.3f, 0.9f};

} // namespace

class TestSupcon : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesHandComputation_data() {
        QTest::addColumn<QString>("similarity");
        QTest::addColumn<double>("tau");
        for (const char* s : {"euclidean", "manhattan", "cosine"})
            for (double tau : {0.5, 1.0})
                QTest::newRow(QString("%1 tau=%2").arg(s).arg(tau).toUtf8()) << QString(s) << tau;
    }
    void matchesHandComputation() {
        QFETCH(QString, similarity);
        QFETCH(double, tau);
        const std::string sim = similarity.toStdString();
        const std::vector<int> groups = {0, 0, 1, 1};
        const std::vector<int64_t> ids = {0, 1, 2, 3};
        const double expected = handSupcon(kFour, 4, 2, groups, ids, tau, sim);
        const double got = supconLossValue(kFour, 4, 2, groups, ids, tau, sim);
        QVERIFY2(
            std::abs(got - expected) < 1e-6,
            qPrintable(QString("got %1, hand %2").arg(got, 0, 'g', 12).arg(expected, 0, 'g', 12)));
    }

    void identicalEmbeddingsGiveLog2NMinus1() {
        // SPEC S0 untrained check: 2N = 256 equal rows, one positive each -> log(2N - 1).
        const std::size_t n = 256, d = 8;
        std::vector<float> z(n * d);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < d; ++k)
                z[i * d + k] = 0.25f * float(k) - 0.7f;
        std::vector<int> groups(n);
        std::vector<int64_t> ids(n);
        for (std::size_t i = 0; i < n; ++i) {
            groups[i] = int(i % (n / 2)); // row i and row i + N share a group
            ids[i] = int64_t(i);
        }
        for (const char* sim : {"euclidean", "manhattan", "cosine"}) {
            const double got = supconLossValue(z, n, d, groups, ids, 1.0, sim);
            QVERIFY2(std::abs(got - std::log(255.0)) < 1e-6, sim);
        }
        QCOMPARE(std::round(std::log(255.0) * 1e4) / 1e4, 5.5413);
    }

    void duplicatesAreExcluded() {
        // Row 4 repeats sample 0 (same id, same z), as the sampler does for a lone anchor.
        std::vector<float> z = kFour;
        z.push_back(kFour[0]);
        z.push_back(kFour[1]);
        const std::vector<int> groups = {0, 0, 1, 1, 0};
        const std::vector<int64_t> ids = {0, 1, 2, 3, 0};
        const double withExclusion = handSupcon(z, 5, 2, groups, ids, 1.0, "euclidean");
        const double got = supconLossValue(z, 5, 2, groups, ids, 1.0, "euclidean");
        QVERIFY(std::abs(got - withExclusion) < 1e-6);
        // Without the exclusion (distinct ids) the value differs: the rule matters here.
        const double asDistinct =
            supconLossValue(z, 5, 2, groups, {0, 1, 2, 3, 4}, 1.0, "euclidean");
        QVERIFY(std::abs(asDistinct - withExclusion) > 1e-3);
        QVERIFY(std::abs(asDistinct -
                         handSupcon(z, 5, 2, groups, {0, 1, 2, 3, 4}, 1.0, "euclidean")) < 1e-6);
    }

    void rowsWithoutPositivesLeaveTheMean() {
        // Groups 2 and 3 have one row each: only rows 0 and 1 are anchors.
        const std::vector<int> groups = {0, 0, 2, 3};
        const std::vector<int64_t> ids = {0, 1, 2, 3};
        const double expected = handSupcon(kFour, 4, 2, groups, ids, 1.0, "manhattan");
        QVERIFY(std::abs(supconLossValue(kFour, 4, 2, groups, ids, 1.0, "manhattan") - expected) <
                1e-6);
        // No positives at all: NaN, not a number that looks like a loss.
        QVERIFY(std::isnan(supconLossValue(kFour, 4, 2, {0, 1, 2, 3}, ids, 1.0, "euclidean")));
    }

    void badInputThrows() {
        QVERIFY_THROWS_EXCEPTION(DataError,
                                 supconLossValue(kFour, 3, 2, {0, 0, 1}, {0, 1, 2}, 1.0));
        QVERIFY_THROWS_EXCEPTION(DataError,
                                 supconLossValue(kFour, 4, 2, {0, 0, 1}, {0, 1, 2, 3}, 1.0));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, supconLossValue(kFour, 4, 2, {0, 0, 1, 1}, {0, 1, 2, 3}, 1.0, "l3"));
    }
};

QTEST_GUILESS_MAIN(TestSupcon)
#include "test_supcon.moc"
