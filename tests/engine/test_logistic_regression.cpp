// Logistic regression, classification report and the seed 002 §4 few-label protocol: the
// optimum checked against the stated objective's gradient written out with plain loops, a
// saturated model whose unregularised optimum is known in closed form, a hand-made confusion,
// and the protocol's counts and standard error by hand.
#include "embedscope/engine/classification.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <set>
#include <vector>

using namespace embedscope;

namespace {

/// Gaussian blobs around `centres` (row-major, dims d), `perClass` rows each, labels 0..K-1.
void blobs(const std::vector<double>& centres, std::size_t d, std::size_t perClass, double sigma,
           uint64_t seed, std::vector<double>& x, std::vector<int>& y) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, sigma);
    const std::size_t k = centres.size() / d;
    for (std::size_t c = 0; c < k; ++c)
        for (std::size_t i = 0; i < perClass; ++i) {
            for (std::size_t j = 0; j < d; ++j)
                x.push_back(centres[c * d + j] + noise(rng));
            y.push_back(static_cast<int>(c));
        }
}

/// J(W, b) = (1/n) Σ −log softmax(W x̃ + b)_y + ‖W‖²/(2Cn) and its gradient, written out.
double objectiveAndGradient(const std::vector<double>& xs, std::size_t n, std::size_t d,
                            const std::vector<int>& y, std::size_t k, const LogisticModel& m,
                            std::vector<double>& gradW, std::vector<double>& gradB) {
    gradW.assign(k * d, 0.0);
    gradB.assign(k, 0.0);
    double loss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> s(k);
        double top = -1e300;
        for (std::size_t c = 0; c < k; ++c) {
            s[c] = m.intercept[c];
            for (std::size_t j = 0; j < d; ++j)
                s[c] += m.weights[c * d + j] * xs[i * d + j];
            top = std::max(top, s[c]);
        }
        double z = 0;
        for (std::size_t c = 0; c < k; ++c)
            z += std::exp(s[c] - top);
        loss += -(s[static_cast<std::size_t>(y[i])] - top - std::log(z)) / n;
        for (std::size_t c = 0; c < k; ++c) {
            const double residual =
                std::exp(s[c] - top) / z - (static_cast<std::size_t>(y[i]) == c ? 1.0 : 0.0);
            gradB[c] += residual / n;
            for (std::size_t j = 0; j < d; ++j)
                gradW[c * d + j] += residual * xs[i * d + j] / n;
        }
    }
    for (std::size_t q = 0; q < k * d; ++q) {
        loss += m.weights[q] * m.weights[q] / (2 * m.c * n);
        gradW[q] += m.weights[q] / (m.c * n);
    }
    return loss;
}

} // namespace

class TestLogisticRegression : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void separableBlobsAreClassifiedExactly() {
        std::vector<double> x;
        std::vector<int> y;
        blobs({0, 0, 10, 0, 0, 10}, 2, 30, 1.0, 7, x, y);
        const LogisticModel m = fitLogisticRegression(x, 90, 2, y);
        QCOMPARE(m.classes, std::size_t(3));
        const std::vector<int> p = predict(m, x, 90);
        QCOMPARE(p, y);
        std::vector<double> fresh, dummy;
        std::vector<int> freshY;
        blobs({0, 0, 10, 0, 0, 10}, 2, 20, 1.0, 99, fresh, freshY);
        const ClassificationReport r =
            classificationReport(freshY, predict(m, fresh, 60), {"a", "b", "c"});
        QCOMPARE(r.accuracy, 1.0);
        QCOMPARE(r.f1Macro, 1.0);
    }

    void optimumIsStationary() {
        // Overlapping classes in 3-D, unequal scales: no separable solution, a unique optimum.
        std::vector<double> x;
        std::vector<int> y;
        blobs({0, 0, 0, 1, 20, 0, 0, 40, 2}, 3, 40, 1.5, 3, x, y);
        for (std::size_t i = 0; i < 120; ++i)
            x[i * 3 + 1] *= 10; // column 1 in different units
        const std::size_t n = 120, d = 3, k = 3;
        const LogisticModel m = fitLogisticRegression(x, n, d, y, 0.5);
        // Standardisation by hand: mean and population σ of each column.
        std::vector<double> xs(x);
        for (std::size_t j = 0; j < d; ++j) {
            double mean = 0, var = 0;
            for (std::size_t i = 0; i < n; ++i)
                mean += x[i * d + j] / n;
            for (std::size_t i = 0; i < n; ++i)
                var += (x[i * d + j] - mean) * (x[i * d + j] - mean) / n;
            QVERIFY(std::abs(m.mean[j] - mean) < 1e-9 * (1 + std::abs(mean)));
            QVERIFY(std::abs(m.scale[j] - std::sqrt(var)) < 1e-9 * std::sqrt(var));
            for (std::size_t i = 0; i < n; ++i)
                xs[i * d + j] = (x[i * d + j] - mean) / std::sqrt(var);
        }
        std::vector<double> gw, gb;
        const double j0 = objectiveAndGradient(xs, n, d, y, k, m, gw, gb);
        QVERIFY2(std::abs(j0 - m.objective) < 1e-10, qPrintable(QString::number(j0)));
        double gmax = 0;
        for (double g : gw)
            gmax = std::max(gmax, std::abs(g));
        for (double g : gb)
            gmax = std::max(gmax, std::abs(g));
        QVERIFY2(gmax < 1e-6, qPrintable(QString::number(gmax)));
        // The penalty is active: W is not zero and the loss is not trivially small.
        QVERIFY(j0 > 0.01);
        // A convex objective at a stationary point: any step increases it.
        LogisticModel moved = m;
        moved.weights[4] += 1e-3;
        moved.intercept[1] -= 1e-3;
        QVERIFY(objectiveAndGradient(xs, n, d, y, k, moved, gw, gb) > j0);
    }

    void largeCApproachesTheUnregularisedFit() {
        // One binary feature: the multinomial model is saturated, so its unregularised optimum
        // predicts each x-group's class frequencies: x = 0 -> (3, 1, 1)/5, x = 1 -> (1, 2, 2)/5.
        const std::vector<double> x{0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
        const std::vector<int> y{0, 0, 0, 1, 2, 0, 1, 1, 2, 2};
        const std::vector<double> expected{0.6, 0.2, 0.2, 0.2, 0.4, 0.4};
        auto error = [&](double c) {
            const LogisticModel m = fitLogisticRegression(x, 10, 1, y, c);
            const std::vector<double> p = predictProbabilities(m, {0, 1}, 2);
            double e = 0;
            for (std::size_t i = 0; i < 6; ++i)
                e = std::max(e, std::abs(p[i] - expected[i]));
            return e;
        };
        const double e1 = error(1.0), e100 = error(100.0), eLarge = error(1e8);
        QVERIFY2(eLarge < 1e-5, qPrintable(QString::number(eLarge)));
        QVERIFY(e1 > 0.01); // the penalty shrinks towards the marginal (.4, .3, .3)
        QVERIFY(e100 < e1);
        QVERIFY(eLarge < e100);
    }

    void reportOnAHandMadeConfusion() {
        // y = [0,0,1,1,2,2], p = [0,1,1,1,2,0]:
        // class 0: TP 1 (row 0), FP 1 (row 5), FN 1 (row 1) -> P 1/2, R 1/2, F1 1/2
        // class 1: TP 2, FP 1 (row 1), FN 0 -> P 2/3, R 1, F1 2·(2/3)/(5/3) = 4/5
        // class 2: TP 1, FP 0, FN 1 (row 5) -> P 1, R 1/2, F1 2/3
        // accuracy 4/6; macro F1 (1/2 + 4/5 + 2/3)/3 = 59/90; micro 2·4/(8 + 2 + 2) = 2/3.
        const ClassificationReport r =
            classificationReport({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, {"a", "b", "c"});
        QCOMPARE(r.perClass.size(), std::size_t(3));
        const double want[3][3] = {{0.5, 0.5, 0.5}, {2.0 / 3, 1.0, 0.8}, {1.0, 0.5, 2.0 / 3}};
        for (int k = 0; k < 3; ++k) {
            QVERIFY(std::abs(r.perClass[k].precision - want[k][0]) < 1e-12);
            QVERIFY(std::abs(r.perClass[k].recall - want[k][1]) < 1e-12);
            QVERIFY(std::abs(r.perClass[k].f1 - want[k][2]) < 1e-12);
            QCOMPARE(r.perClass[k].support, std::size_t(2));
        }
        QCOMPARE(r.perClass[1].label, std::string("b"));
        QVERIFY(std::abs(r.accuracy - 2.0 / 3) < 1e-12);
        QVERIFY(std::abs(r.f1Macro - 59.0 / 90) < 1e-12);
        QVERIFY(std::abs(r.f1Micro - 2.0 / 3) < 1e-12);
    }

    void classNeverPredictedHasPrecisionZero() {
        // y = [0,0,1,1], p = [0,0,0,0]: class 1 TP 0, FP 0 -> precision 0/0 := 0, recall 0.
        // class 0: P 2/4, R 1, F1 2/3; macro (2/3 + 0)/2 = 1/3.
        const ClassificationReport r = classificationReport({0, 0, 1, 1}, {0, 0, 0, 0}, {"a", "b"});
        QCOMPARE(r.perClass[1].precision, 0.0);
        QCOMPARE(r.perClass[1].recall, 0.0);
        QCOMPARE(r.perClass[1].f1, 0.0);
        QVERIFY(std::abs(r.perClass[0].f1 - 2.0 / 3) < 1e-12);
        QVERIFY(std::abs(r.f1Macro - 1.0 / 3) < 1e-12);
        // A label name with no rows and no predictions stays out of the macro mean.
        const ClassificationReport r3 =
            classificationReport({0, 0, 1, 1}, {0, 0, 0, 0}, {"a", "b", "unused"});
        QVERIFY(std::abs(r3.f1Macro - 1.0 / 3) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(DataError, classificationReport({0, 3}, {0, 0}, {"a", "b"}));
        QVERIFY_THROWS_EXCEPTION(DataError, classificationReport({0, 1}, {0}, {"a", "b"}));
    }

    void microF1EqualsAccuracy() {
        std::mt19937_64 rng(5);
        for (int trial = 0; trial < 20; ++trial) {
            std::vector<int> t(37), p(37);
            for (std::size_t i = 0; i < t.size(); ++i) {
                t[i] = static_cast<int>(rng() % 4);
                p[i] = rng() % 3 == 0 ? static_cast<int>(rng() % 4) : t[i];
            }
            const ClassificationReport r = classificationReport(t, p, {"a", "b", "c", "d"});
            QVERIFY(std::abs(r.f1Micro - r.accuracy) < 1e-12);
        }
    }

    void standardErrorByHand() {
        // [1,2,3,4]: mean 2.5, sample variance (2.25+0.25+0.25+2.25)/3 = 5/3, SE = √(5/3)/2.
        const MeanSe s = meanStandardError({1, 2, 3, 4});
        QCOMPARE(s.mean, 2.5);
        QVERIFY(std::abs(s.se - std::sqrt(5.0 / 12.0)) < 1e-15);
        QVERIFY(std::isnan(meanStandardError({3.0}).se));
        QVERIFY_THROWS_EXCEPTION(DataError, meanStandardError({}));
    }

    void fewLabelCountsByHand() {
        auto check = [](std::size_t rows, double f, double t, std::size_t l, std::size_t tr,
                        std::size_t te) {
            const FewLabelCounts c = fewLabelCounts(rows, f, t);
            return c.labelled == l && c.train == tr && c.test == te;
        };
        QVERIFY(check(100, 0.15, 0.7, 15, 10, 5)); // 15 labelled, 0.3·15 = 4.5 -> 5 test
        QVERIFY(check(40, 0.15, 0.7, 6, 4, 2));    // 0.3·6 = 1.8 -> 2
        QVERIFY(check(20, 0.15, 0.7, 3, 2, 1));    // 0.3·3 = 0.9 -> 1
        QVERIFY(check(5, 0.15, 0.7, 2, 1, 1));     // at least 2 labelled, one per side
        QVERIFY(check(10, 1.0, 0.7, 10, 7, 3));
    }

    void fewLabelProtocol() {
        // Classes of 100, 40 and 20 rows at the corners of a triangle, well separated.
        std::vector<double> x;
        std::vector<int> y;
        std::mt19937_64 rng(11);
        std::normal_distribution<double> noise(0.0, 0.5);
        const int sizes[3] = {100, 40, 20};
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < sizes[c]; ++i) {
                x.push_back((c == 1 ? 20.0 : 0.0) + noise(rng)); // a triangle: no class in
                x.push_back((c == 2 ? 20.0 : 0.0) + noise(rng)); // the middle of two others
                y.push_back(c);
            }
        y.push_back(-1); // an unlabelled row never takes part
        x.push_back(1000);
        x.push_back(1000);
        const std::size_t n = y.size();
        const FewLabelResult r = fewLabelEvaluation(x, n, 2, y, {"p", "q", "r"}, 0.15, 0.7, 4, 9);
        QCOMPARE(r.runs.size(), std::size_t(4));
        const std::size_t trainWant[3] = {10, 4, 2}, testWant[3] = {5, 2, 1};
        std::set<std::vector<std::size_t>> distinctDraws;
        for (const FewLabelRepeat& run : r.runs) {
            std::size_t train[3] = {0, 0, 0}, test[3] = {0, 0, 0};
            std::set<std::size_t> seen;
            for (std::size_t row : run.trainRows) {
                QVERIFY(y[row] >= 0);
                ++train[y[row]];
                seen.insert(row);
            }
            for (std::size_t row : run.testRows) {
                QVERIFY(y[row] >= 0);
                ++test[y[row]];
                QVERIFY(seen.insert(row).second); // train and test are disjoint
            }
            for (int c = 0; c < 3; ++c) {
                QCOMPARE(train[c], trainWant[c]);
                QCOMPARE(test[c], testWant[c]);
                QCOMPARE(run.report.perClass[c].support, testWant[c]);
            }
            QCOMPARE(run.report.accuracy, 1.0);
            distinctDraws.insert(run.trainRows);
        }
        QCOMPARE(distinctDraws.size(), std::size_t(4)); // every repeat draws anew
        QCOMPARE(r.accuracy.mean, 1.0);
        QCOMPARE(r.accuracy.se, 0.0);
        QCOMPARE(r.f1Macro.mean, 1.0);
        QCOMPARE(r.perClass[2].support, 1.0);
        // Same seed, same draws; another seed, other draws.
        const FewLabelResult again =
            fewLabelEvaluation(x, n, 2, y, {"p", "q", "r"}, 0.15, 0.7, 4, 9);
        QCOMPARE(again.runs[2].testRows, r.runs[2].testRows);
        const FewLabelResult other =
            fewLabelEvaluation(x, n, 2, y, {"p", "q", "r"}, 0.15, 0.7, 4, 10);
        QVERIFY(other.runs[0].trainRows != r.runs[0].trainRows);
    }

    void fewLabelSpreadIsTheStandardError() {
        // Overlapping classes: the repeats differ, and the reported SE is σ/√N of their values.
        std::vector<double> x;
        std::vector<int> y;
        blobs({0, 0, 1.2, 0}, 2, 150, 1.0, 21, x, y);
        const FewLabelResult r = fewLabelEvaluation(x, 300, 2, y, {"a", "b"}, 0.15, 0.7, 6, 3);
        std::vector<double> acc;
        for (const auto& run : r.runs)
            acc.push_back(run.report.accuracy);
        double mean = 0, ss = 0;
        for (double a : acc)
            mean += a / 6;
        for (double a : acc)
            ss += (a - mean) * (a - mean);
        QVERIFY(std::abs(r.accuracy.mean - mean) < 1e-12);
        QVERIFY(std::abs(r.accuracy.se - std::sqrt(ss / 5) / std::sqrt(6.0)) < 1e-12);
        QVERIFY(r.accuracy.se > 0);
        QVERIFY(r.accuracy.mean > 0.5 && r.accuracy.mean < 1.0);
    }

    void badInput() {
        const std::vector<double> x{0, 1, 2, 3};
        QVERIFY_THROWS_EXCEPTION(ConfigError, fitLogisticRegression(x, 4, 1, {0, 0, 1, 1}, 0.0));
        QVERIFY_THROWS_EXCEPTION(DataError, fitLogisticRegression(x, 4, 1, {0, 0, 0, 0}));
        QVERIFY_THROWS_EXCEPTION(DataError, fitLogisticRegression(x, 4, 1, {0, 0, 2, 2}));
        QVERIFY_THROWS_EXCEPTION(DataError, fitLogisticRegression(x, 4, 1, {0, 1}));
        try {
            fitLogisticRegression({0, 1, NAN, 3}, 4, 1, {0, 0, 1, 1});
            QFAIL("no error for NaN");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("row 2"), e.what());
        }
        try {
            fewLabelEvaluation({0, 1, 2, 3, 4}, 5, 1, {0, 0, 0, 0, 1}, {"a", "b"});
            QFAIL("no error for a one-row class");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("'b'"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 fewLabelEvaluation(x, 4, 1, {0, 0, 1, 1}, {"a", "b"}, 0.15, 1.0));
    }
};

QTEST_GUILESS_MAIN(TestLogisticRegression)
#include "test_logistic_regression.moc"
