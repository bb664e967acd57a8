// Optimizers (optimization.h) against hand computations in plain doubles: NAdamW as seed 001
// §3.3.1 writes it, textbook Adam / AdamW, torch's SGD with (Nesterov) momentum, the per-step
// learning rate, global-norm clipping and config validation.
#include "embedscope/engine/error.h"
#include "embedscope/engine/optimization.h"

#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

using Vec = std::vector<double>;

const Vec kTheta0 = {0.5, -1.2, 2.0};
const std::vector<Vec> kGrads = {{0.1, -0.3, 0.05}, {-0.2, 0.4, 0.0}};

/// Seed 001 §3.3.1 written out for one scalar parameter per element, t = 1, 2, ...
std::vector<Vec> handNadamw(Vec theta, const std::vector<Vec>& grads, const Vec& rates, double b1,
                            double b2, double eps, double epsRoot, double lambda) {
    Vec m(theta.size(), 0.0), v(theta.size(), 0.0);
    std::vector<Vec> out;
    for (std::size_t k = 0; k < grads.size(); ++k) {
        const double t = double(k + 1);
        for (std::size_t i = 0; i < theta.size(); ++i) {
            const double g = grads[k][i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            const double mHat =
                b1 * m[i] / (1 - std::pow(b1, t + 1)) + (1 - b1) * g / (1 - std::pow(b1, t));
            const double vHat = v[i] / (1 - std::pow(b2, t));
            const double u =
                -rates[k] * (mHat / (std::sqrt(vHat + epsRoot) + eps) + lambda * theta[i]);
            theta[i] += u;
        }
        out.push_back(theta);
    }
    return out;
}

/// Kingma & Ba Adam; `decoupled` = AdamW (Loshchilov & Hutter: θ -= lr·λ·θ), else L2 (g += λθ).
std::vector<Vec> handAdam(Vec theta, const std::vector<Vec>& grads, double lr, double b1, double b2,
                          double eps, double lambda, bool decoupled) {
    Vec m(theta.size(), 0.0), v(theta.size(), 0.0);
    std::vector<Vec> out;
    for (std::size_t k = 0; k < grads.size(); ++k) {
        const double t = double(k + 1);
        for (std::size_t i = 0; i < theta.size(); ++i) {
            const double g = grads[k][i] + (decoupled ? 0.0 : lambda * theta[i]);
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            const double mHat = m[i] / (1 - std::pow(b1, t));
            const double vHat = v[i] / (1 - std::pow(b2, t));
            theta[i] -=
                lr * (mHat / (std::sqrt(vHat) + eps) + (decoupled ? lambda * theta[i] : 0.0));
        }
        out.push_back(theta);
    }
    return out;
}

double maxAbsDiff(const Vec& a, const Vec& b) {
    if (a.size() != b.size())
        return INFINITY;
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

OptimizerConfig nadamwConfig() {
    OptimizerConfig c;
    c.name = "nadamw";
    c.learningRate = 1e-2;
    c.eps = 1e-4;
    c.epsRoot = 1e-3; // comparable to v̂ of the 0.05 gradient, so a misplaced ε̄ shows
    c.weightDecay = 0.1;
    return c;
}

} // namespace

class TestOptimizers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nadamwOneAndTwoStepsMatchSeedEquations() {
        const OptimizerConfig c = nadamwConfig();
        const auto got = optimizerTrajectory(c, kTheta0, kGrads);
        const auto want = handNadamw(kTheta0, kGrads, {c.learningRate, c.learningRate}, c.beta1,
                                     c.beta2, c.eps, c.epsRoot, c.weightDecay);
        QCOMPARE(got.size(), std::size_t(2));
        QVERIFY2(maxAbsDiff(got[0], want[0]) < 1e-12, "step 1");
        QVERIFY2(maxAbsDiff(got[1], want[1]) < 1e-12, "step 2");
        // The same numbers from an independent Python script of the seed's equations.
        const Vec step1 = {0.48546235673670507, -1.1841492099245996, 1.98556611229966};
        const Vec step2 = {0.4937639000374672, -1.1901097322442327, 1.9804361294875275};
        QVERIFY(maxAbsDiff(got[0], step1) < 1e-12);
        QVERIFY(maxAbsDiff(got[1], step2) < 1e-12);
        // Step 1 in closed form (m̂ = g·(1 + β1/(1 + β1)), v̂ = g²) for element 0.
        const double g = 0.1, mHat = g * (1 + 0.9 / 1.9);
        const double closed = 0.5 - 1e-2 * (mHat / (std::sqrt(g * g + 1e-3) + 1e-4) + 0.1 * 0.5);
        QVERIFY(std::abs(got[0][0] - closed) < 1e-12);
    }

    void nadamwDiffersFromAdamw() {
        // Guards against NAdamW silently being AdamW (no look-ahead) or ignoring ε̄.
        OptimizerConfig c = nadamwConfig();
        const auto nadamw = optimizerTrajectory(c, kTheta0, kGrads);
        c.name = "adamw";
        const auto adamw = optimizerTrajectory(c, kTheta0, kGrads);
        QVERIFY(maxAbsDiff(nadamw[1], adamw[1]) > 1e-4);
        c = nadamwConfig();
        c.epsRoot = 0;
        QVERIFY(maxAbsDiff(optimizerTrajectory(c, kTheta0, kGrads)[0], nadamw[0]) > 1e-4);
    }

    void adamMatchesTextbookWithL2() {
        OptimizerConfig c;
        c.name = "adam";
        c.learningRate = 1e-2;
        c.weightDecay = 0.1;
        const auto got = optimizerTrajectory(c, kTheta0, kGrads);
        const auto want = handAdam(kTheta0, kGrads, 1e-2, 0.9, 0.999, 1e-8, 0.1, false);
        QVERIFY(maxAbsDiff(got[0], want[0]) < 1e-12);
        QVERIFY(maxAbsDiff(got[1], want[1]) < 1e-12);
        // One step: m̂ = g', v̂ = g'², so θ1 = θ0 − lr·g'/(|g'| + ε) with g' = g + λθ0.
        const double g = -0.3 + 0.1 * -1.2;
        QVERIFY(std::abs(got[0][1] - (-1.2 - 1e-2 * g / (std::abs(g) + 1e-8))) < 1e-12);
    }

    void adamwMatchesTextbookDecoupled() {
        OptimizerConfig c;
        c.name = "adamw";
        c.learningRate = 1e-2;
        c.weightDecay = 0.1;
        const auto got = optimizerTrajectory(c, kTheta0, kGrads);
        const auto want = handAdam(kTheta0, kGrads, 1e-2, 0.9, 0.999, 1e-8, 0.1, true);
        QVERIFY(maxAbsDiff(got[0], want[0]) < 1e-12);
        QVERIFY(maxAbsDiff(got[1], want[1]) < 1e-12);
        // One step: θ1 = θ0 − lr·λ·θ0 − lr·g/(|g| + ε).
        QVERIFY(std::abs(got[0][2] - (2.0 - 1e-2 * 0.1 * 2.0 - 1e-2 * 0.05 / (0.05 + 1e-8))) <
                1e-12);
    }

    void sgdMomentumAndNesterov() {
        // torch's SGD: d = g + λθ; b1 = d1, b_t = μ b_{t-1} + d_t; step d + μ b (Nesterov) or b.
        for (const bool nesterov : {false, true}) {
            OptimizerConfig c;
            c.name = "sgd";
            c.learningRate = 0.1;
            c.momentum = 0.5;
            c.nesterov = nesterov;
            c.weightDecay = 0.01;
            const auto got = optimizerTrajectory(c, kTheta0, kGrads);
            Vec theta = kTheta0, buf(3, 0.0);
            for (std::size_t k = 0; k < 2; ++k) {
                for (std::size_t i = 0; i < 3; ++i) {
                    const double d = kGrads[k][i] + 0.01 * theta[i];
                    buf[i] = k == 0 ? d : 0.5 * buf[i] + d;
                    theta[i] -= 0.1 * (nesterov ? d + 0.5 * buf[i] : buf[i]);
                }
                QVERIFY2(maxAbsDiff(got[k], theta) < 1e-12, nesterov ? "nesterov" : "momentum");
            }
        }
    }

    void setLearningRateChangesTheSecondStep() {
        // Plain SGD: θ2 − θ1 = −lr2·g2 exactly, so the second rate must be the one applied.
        OptimizerConfig c;
        c.name = "sgd";
        c.momentum = 0;
        c.learningRate = 0.1;
        const auto got = optimizerTrajectory(c, kTheta0, kGrads, {0.1, 0.5});
        for (std::size_t i = 0; i < 3; ++i) {
            QVERIFY(std::abs(got[0][i] - (kTheta0[i] - 0.1 * kGrads[0][i])) < 1e-12);
            QVERIFY(std::abs(got[1][i] - got[0][i] + 0.5 * kGrads[1][i]) < 1e-12);
        }
        // NAdamW with a rate per step (α_t of §3.3.1), against the hand computation.
        const OptimizerConfig n = nadamwConfig();
        const Vec rates = {1e-2, 3e-3};
        const auto nadamw = optimizerTrajectory(n, kTheta0, kGrads, rates);
        const auto want =
            handNadamw(kTheta0, kGrads, rates, n.beta1, n.beta2, n.eps, n.epsRoot, n.weightDecay);
        QVERIFY(maxAbsDiff(nadamw[1], want[1]) < 1e-12);
        QVERIFY(maxAbsDiff(nadamw[1], optimizerTrajectory(n, kTheta0, kGrads)[1]) > 1e-4);
        // Adam and AdamW take the new rate too.
        for (const char* name : {"adam", "adamw"}) {
            OptimizerConfig a;
            a.name = name;
            a.learningRate = 1e-2;
            const auto constant = optimizerTrajectory(a, kTheta0, kGrads);
            const auto changed = optimizerTrajectory(a, kTheta0, kGrads, {1e-2, 2e-2});
            QVERIFY(maxAbsDiff(constant[0], changed[0]) < 1e-15);
            // No decay: the second displacement doubles.
            for (std::size_t i = 0; i < 3; ++i)
                QVERIFY(std::abs((changed[1][i] - changed[0][i]) -
                                 2 * (constant[1][i] - constant[0][i])) < 1e-12);
        }
    }

    void clippingScalesToMaxNorm() {
        std::vector<Vec> grads = {{3, 4}, {12}}; // total norm 13
        const double before = clipGlobalNorm(grads, 6.5);
        QVERIFY(std::abs(before - 13) < 1e-12);
        const double after = std::sqrt(grads[0][0] * grads[0][0] + grads[0][1] * grads[0][1] +
                                       grads[1][0] * grads[1][0]);
        // torch divides by (norm + 1e-6): exact up to a relative 1e-7 at this norm.
        QVERIFY(std::abs(after - 6.5) < 1e-6);
        QVERIFY(std::abs(grads[0][0] - 1.5) < 1e-6 && std::abs(grads[1][0] - 6) < 1e-6);
        QVERIFY(std::abs(grads[0][1] / grads[0][0] - 4.0 / 3.0) < 1e-12); // direction kept
    }

    void clippingLeavesSmallGradientsAlone() {
        std::vector<Vec> grads = {{3, 4}, {12}};
        QVERIFY(std::abs(clipGlobalNorm(grads, 20) - 13) < 1e-12);
        QCOMPARE(grads, (std::vector<Vec>{{3, 4}, {12}}));
        // Off (0): untouched, the norm still reported.
        QVERIFY(std::abs(clipGlobalNorm(grads, 0) - 13) < 1e-12);
        QCOMPARE(grads, (std::vector<Vec>{{3, 4}, {12}}));
    }

    void namesListTheFour() {
        QCOMPARE(optimizerNames(), (std::vector<std::string>{"adam", "adamw", "nadamw", "sgd"}));
        for (const auto& name : optimizerNames()) {
            OptimizerConfig c;
            c.name = name;
            validate(c); // the defaults are valid for every optimizer
        }
    }

    void validationNamesTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("optimizer");
        QTest::newRow("lr 0") << "learningRate" << 0.0 << "adam";
        QTest::newRow("lr nan") << "learningRate" << double(NAN) << "adam";
        QTest::newRow("lr inf") << "learningRate" << double(INFINITY) << "nadamw";
        QTest::newRow("beta1 1") << "beta1" << 1.0 << "adam";
        QTest::newRow("beta2 -0.1") << "beta2" << -0.1 << "nadamw";
        QTest::newRow("eps -1") << "eps" << -1.0 << "adamw";
        QTest::newRow("epsRoot -1") << "epsRoot" << -1.0 << "nadamw";
        QTest::newRow("weightDecay -1") << "weightDecay" << -1.0 << "sgd";
        QTest::newRow("momentum 1") << "momentum" << 1.0 << "sgd";
    }

    void validationNamesTheField() {
        QFETCH(QString, field);
        QFETCH(double, value);
        QFETCH(QString, optimizer);
        OptimizerConfig c;
        c.name = optimizer.toStdString();
        const std::string f = field.toStdString();
        (f == "learningRate"  ? c.learningRate
         : f == "beta1"       ? c.beta1
         : f == "beta2"       ? c.beta2
         : f == "eps"         ? c.eps
         : f == "epsRoot"     ? c.epsRoot
         : f == "weightDecay" ? c.weightDecay
                              : c.momentum) = value;
        try {
            validate(c);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("optimizer." + f) != std::string::npos, e.what());
        }
        // The trainer's factory rejects it the same way.
        QVERIFY_THROWS_EXCEPTION(ConfigError, optimizerTrajectory(c, kTheta0, kGrads));
    }

    void otherBadInput() {
        OptimizerConfig c;
        c.name = "rmsprop";
        try {
            validate(c);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY(std::string(e.what()).find("optimizer.name") != std::string::npos);
            QVERIFY(std::string(e.what()).find("rmsprop") != std::string::npos);
        }
        c.name = "sgd";
        c.momentum = 0;
        c.nesterov = true;
        QVERIFY_THROWS_EXCEPTION(ConfigError, validate(c));
        c.nesterov = false;
        validate(c);
        // Momentum is not checked for the optimizers that ignore it.
        c.name = "adam";
        c.momentum = 7;
        validate(c);
        QVERIFY_THROWS_EXCEPTION(DataError, optimizerTrajectory(c, kTheta0, {{1.0, 2.0}}));
        QVERIFY_THROWS_EXCEPTION(DataError, optimizerTrajectory(c, kTheta0, kGrads, {1e-3}));
    }
};

QTEST_GUILESS_MAIN(TestOptimizers)
#include "test_optimizers.moc"
