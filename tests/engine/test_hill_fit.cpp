// The 4PL (Hill) dose-response fit: known parameters recovered exactly without noise and
// within their standard errors with noise (coverage over many draws), falling curves, and the
// "no fit" cases (too few doses, flat, non-monotone) and bad input.
#include "embedscope/engine/error.h"
#include "embedscope/engine/hill_fit.h"

#include "../support/expect_error.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

struct Truth {
    double bottom, top, ec50, hill;
    double at(double x) const { return bottom + (top - bottom) / (1 + std::pow(ec50 / x, hill)); }
};

const std::vector<double> kDoses = {0.1, 0.3, 1, 3, 10, 30, 100};

void sample(const Truth& t, int replicates, double sigma, std::mt19937_64& rng,
            std::vector<double>& x, std::vector<double>& y) {
    std::normal_distribution<double> noise(0, sigma);
    x.clear();
    y.clear();
    for (double d : kDoses)
        for (int r = 0; r < replicates; ++r) {
            x.push_back(d);
            y.push_back(t.at(d) + (sigma > 0 ? noise(rng) : 0.0));
        }
}

} // namespace

class TestHillFit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exactDataRecoversTheParameters() {
        std::mt19937_64 rng(1);
        for (const Truth t : {Truth{1, 5, 3, 1.5}, Truth{4, 0.5, 0.8, 0.9}}) { // rising, falling
            std::vector<double> x, y;
            sample(t, 1, 0, rng, x, y);
            const HillFit f = fitHill(x, y);
            QVERIFY2(f.ok, f.reason.c_str());
            QVERIFY(std::abs(f.bottom - t.bottom) < 1e-6 && std::abs(f.top - t.top) < 1e-6);
            QVERIFY(std::abs(f.ec50 - t.ec50) < 1e-6 * t.ec50);
            QVERIFY(std::abs(f.hill - t.hill) < 1e-6);
            QVERIFY(f.rss < 1e-12);
            QVERIFY(std::abs(f(t.ec50) - 0.5 * (t.bottom + t.top)) < 1e-6); // half-way at EC50
        }
    }

    void noisyDataWithinStandardErrors() {
        // 200 data sets (7 doses × 3 replicates, σ = 0.2): |EC50 − 3| < 2 SE in about 95 % of
        // them if the standard errors are right (asymptotically; accept 85–99 %).
        const Truth t{1, 5, 3, 1.5};
        std::mt19937_64 rng(7);
        int covered = 0, fitted = 0;
        double meanEc50 = 0;
        for (int k = 0; k < 200; ++k) {
            std::vector<double> x, y;
            sample(t, 3, 0.2, rng, x, y);
            const HillFit f = fitHill(x, y);
            if (!f.ok)
                continue;
            ++fitted;
            meanEc50 += f.ec50;
            QVERIFY(f.seEc50 > 0 && f.seTop > 0 && f.seBottom > 0 && f.seHill > 0);
            covered += std::abs(f.ec50 - t.ec50) < 2 * f.seEc50 ? 1 : 0;
        }
        QCOMPARE(fitted, 200);
        meanEc50 /= fitted;
        const double coverage = covered / double(fitted);
        qInfo("EC50 mean %.3f (true 3), coverage of ±2 SE %.3f", meanEc50, coverage);
        QVERIFY(std::abs(meanEc50 - 3) < 0.1);
        QVERIFY2(coverage > 0.85 && coverage < 0.995, qPrintable(QString::number(coverage)));
    }

    void noFitCases() {
        std::vector<double> x = {1, 2, 3, 1, 2, 3};
        std::vector<double> y = {1, 2, 3, 1, 2, 3};
        HillFit f = fitHill(x, y);
        QVERIFY(!f.ok && f.reason.find("4 distinct") != std::string::npos);
        QVERIFY(std::isnan(f(2)));
        // Flat: the same mean at every dose, replicate noise only.
        x.clear();
        y.clear();
        std::mt19937_64 rng(3);
        std::normal_distribution<double> noise(0, 0.1);
        for (double d : kDoses)
            for (int r = 0; r < 3; ++r) {
                x.push_back(d);
                y.push_back(2.0 + noise(rng));
            }
        f = fitHill(x, y);
        QVERIFY2(!f.ok && f.reason.find("flat") == 0, f.reason.c_str());
        // Up then down: not a dose-response.
        y.clear();
        for (double d : kDoses)
            for (int r = 0; r < 3; ++r)
                y.push_back(5.0 - std::abs(std::log10(d) - 0.5) * 2);
        f = fitHill(x, y);
        QVERIFY2(!f.ok && f.reason.find("non-monotone") == 0, f.reason.c_str());
    }

    void badInput() {
        expectError<DataError>([] { fitHill({1, 2}, {1}); }, {"2 doses", "1 responses"});
        expectError<DataError>(
            [] {
                fitHill({1, 0, 2, 3, 4}, {1, 2, 3, 4, 5});
            },
            {"point 1", "dose 0", "> 0"});
        expectError<DataError>(
            [] {
                fitHill({1, 2, 3, 4, 5}, {1, NAN, 3, 4, 5});
            },
            {"point 1", "not finite"});
    }
};

QTEST_GUILESS_MAIN(TestHillFit)
#include "test_hill_fit.moc"
