// The losses of SPEC S0 "Loss and sampling" on tiny batches: hand-computed values, independent
// plain-C++ formulas (seed eqs 2.9, 4.4-4.5, 4.7, Hadsell's pair loss), duplicates, gradients,
// the registry, and the trainer feeding substance / dose to the semi-positives.
#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

using Params = std::map<std::string, double>;
using Choices = std::map<std::string, std::string>;

double similarity(const double* a, const double* b, std::size_t d, const std::string& kind) {
    double dot = 0, na = 0, nb = 0, l1 = 0, l2 = 0;
    for (std::size_t k = 0; k < d; ++k) {
        dot += a[k] * b[k];
        na += a[k] * a[k];
        nb += b[k] * b[k];
        l1 += std::abs(a[k] - b[k]);
        l2 += (a[k] - b[k]) * (a[k] - b[k]);
    }
    if (kind == "euclidean")
        return -std::sqrt(l2);
    if (kind == "manhattan")
        return -l1;
    return dot / (std::sqrt(na) * std::sqrt(nb) + 1e-9); // seed eq. 4.6
}

double weight(double a, double b) {
    return a == 0 && b == 0 ? 1.0 : 1.0 - std::abs(a - b) / (a + b); // seed eq. 4.5
}

/// Seed eq. 4.4 written out: P(i) = other ids of i's group (w = 1) or of i's substance (w from
/// eq. 4.5); rows with no positive of weight > 0 leave the mean.
double handSemiSupcon(const std::vector<double>& z, std::size_t d, const LossLabels& l, double tau,
                      const std::string& kind) {
    const std::size_t n = l.ids.size();
    double total = 0;
    int rows = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double denominator = 0, numerator = 0;
        int count = 0;
        for (std::size_t j = 0; j < n; ++j) {
            if (l.ids[j] == l.ids[i])
                continue;
            const double e = std::exp(similarity(&z[i * d], &z[j * d], d, kind) / tau);
            denominator += e;
            if (l.groups[j] == l.groups[i]) {
                numerator += e;
                ++count;
            } else if (l.substances[j] == l.substances[i]) {
                numerator += weight(l.doses[i], l.doses[j]) * e;
                ++count;
            }
        }
        if (numerator == 0)
            continue;
        total += -std::log((numerator / count) / denominator);
        ++rows;
    }
    return total / rows;
}

/// Seed eq. 2.9: row i's positive is its partner i +- n/2; the denominator skips i's id.
double handNtXent(const std::vector<double>& z, std::size_t d, const std::vector<int64_t>& ids,
                  double tau, const std::string& kind) {
    const std::size_t n = ids.size(), half = n / 2;
    double total = 0;
    int rows = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t p = i < half ? i + half : i - half;
        if (ids[p] == ids[i])
            continue;
        double denominator = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (ids[j] != ids[i])
                denominator += std::exp(similarity(&z[i * d], &z[j * d], d, kind) / tau);
        total += -std::log(std::exp(similarity(&z[i * d], &z[p * d], d, kind) / tau) / denominator);
        ++rows;
    }
    return total / rows;
}

LossLabels labelsOf(std::vector<int> groups, std::vector<int64_t> ids = {}) {
    LossLabels l;
    if (ids.empty())
        for (std::size_t i = 0; i < groups.size(); ++i)
            ids.push_back(int64_t(i));
    l.groups = std::move(groups);
    l.ids = std::move(ids);
    return l;
}

/// Points on the x axis, as 2-D rows (x, 0).
std::vector<double> onAxis(const std::vector<double>& xs) {
    std::vector<double> z;
    for (double x : xs) {
        z.push_back(x);
        z.push_back(0.0);
    }
    return z;
}

bool close(double a, double b, double tol = 1e-9) {
    return std::abs(a - b) <= tol;
}

QString text(double got, double want) {
    return QString("got %1, want %2").arg(got, 0, 'g', 12).arg(want, 0, 'g', 12);
}

// Six rows in 2-D: two substances at doses 1 / 3 / 0, one duplicate (row 5 repeats sample 1).
const std::vector<double> kSix = {0.1, 0.2, 0.5, -0.3, -1.0, 0.4, 0.3, 0.9, 0.7, 0.7, 0.5, -0.3};
LossLabels sixLabels() {
    LossLabels l = labelsOf({0, 1, 1, 2, 3, 1}, {0, 1, 2, 3, 4, 1});
    l.substances = {0, 0, 0, 1, 1, 0};
    l.doses = {1, 3, 3, 0, 2, 3};
    return l;
}

/// Central finite differences of the loss against its autograd gradient.
void checkGradient(const std::string& loss, const Params& params, const Choices& choices,
                   const std::vector<double>& z, std::size_t d, const LossLabels& labels) {
    std::vector<double> grad;
    lossValue(loss, params, choices, z, labels.ids.size(), d, labels, &grad);
    QCOMPARE(grad.size(), z.size());
    for (std::size_t k = 0; k < z.size(); ++k) {
        const double h = 1e-6;
        std::vector<double> up = z, down = z;
        up[k] += h;
        down[k] -= h;
        const double fd = (lossValue(loss, params, choices, up, labels.ids.size(), d, labels) -
                           lossValue(loss, params, choices, down, labels.ids.size(), d, labels)) /
                          (2 * h);
        QVERIFY2(close(grad[k], fd, 1e-5),
                 qPrintable(QString::fromStdString(loss) + ": " + text(grad[k], fd)));
    }
}

} // namespace

class TestLosses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void registryListsEveryLoss() {
        std::set<std::string> names;
        for (const auto& info : lossRegistry())
            names.insert(info.name);
        QVERIFY((names == std::set<std::string>{"supcon", "triplet", "pair", "ntxent", "elbo",
                                                "metric-elbo", "cross-entropy"}));
        for (const auto& info : lossRegistry())
            QCOMPARE(info.kind,
                     std::string(info.name == "elbo" || info.name == "metric-elbo" ? "generative"
                                 : info.name == "cross-entropy"                    ? "classifier"
                                                                : "contrastive"));
        const auto keys = [](const std::string& name) {
            std::set<std::string> k;
            for (const auto& p : findLoss(name).params)
                k.insert(p.key);
            return k;
        };
        QVERIFY((keys("supcon") ==
                 std::set<std::string>{"temperature", "similarity", "semi_positive"}));
        QVERIFY((keys("triplet") == std::set<std::string>{"margin", "negatives", "similarity"}));
        QVERIFY((keys("pair") == std::set<std::string>{"margin", "similarity"}));
        QVERIFY((keys("ntxent") == std::set<std::string>{"temperature", "similarity"}));

        const TrainConfig c = parseTrainConfig(
            R"({"loss": "triplet", "loss_params": {"margin": 10, "negatives": "hardest"}})", {});
        QCOMPARE(c.lossParams.at("margin"), 10.0);
        QCOMPARE(c.lossChoices.at("negatives"), std::string("hardest"));
        QCOMPARE(parseTrainConfig("{}", {"loss=supcon", "loss_params.semi_positive=true"})
                     .lossParams.at("semi_positive"),
                 1.0);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseTrainConfig(R"({"loss": "triplet",
                                              "loss_params": {"negatives": "easiest"}})",
                                                               {}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseTrainConfig(R"({"loss": "hinge"})", {}));
    }

    void semiPositiveWeights() {
        QCOMPARE(semiPositiveWeight(1, 3), 0.5); // the seed's example
        QCOMPARE(semiPositiveWeight(3, 1), 0.5);
        QCOMPARE(semiPositiveWeight(0, 0), 1.0);
        QCOMPARE(semiPositiveWeight(2, 2), 1.0);
        QCOMPARE(semiPositiveWeight(0, 5), 0.0);
        QVERIFY(close(semiPositiveWeight(1, 2), 2.0 / 3.0));
        QVERIFY_THROWS_EXCEPTION(DataError, semiPositiveWeight(-1, 2));
    }

    void semiPositiveSupconByHand() {
        // z0 = (0,0) substance S dose 1, z1 = (1,0) S dose 3, z2 = (0,1) T: three groups, so
        // plain SupCon has no positive at all. With semi-positives rows 0 and 1 are each
        // other's only positive with w = 0.5 (tau 1, Euclidean):
        //   L0 = -log(0.5 e^-1 / (e^-1 + e^-1)) = log 4,
        //   L1 = -log(0.5 e^-1 / (e^-1 + e^-sqrt2)) = log 2 + log(1 + e^(1 - sqrt2)).
        const std::vector<double> z = {0, 0, 1, 0, 0, 1};
        LossLabels l = labelsOf({0, 1, 2});
        l.substances = {7, 7, 9};
        l.doses = {1, 3, 1};
        const double want =
            (std::log(4.0) + std::log(2.0) + std::log(1 + std::exp(1 - std::sqrt(2.0)))) / 2;
        const double got = lossValue("supcon", {{"semi_positive", 1}}, {}, z, 3, 2, l);
        QVERIFY2(close(got, want, 1e-8), qPrintable(text(got, want)));
        QVERIFY(std::isnan(lossValue("supcon", {}, {}, z, 3, 2, l)));
        // The same pair as a full positive (one group) costs exactly log(1/w) = log 2 less.
        LossLabels strict = labelsOf({0, 0, 2});
        const double full = lossValue("supcon", {}, {}, z, 3, 2, strict);
        QVERIFY2(close(got - full, std::log(2.0), 1e-8),
                 qPrintable(text(got - full, std::log(2.0))));
    }

    void semiPositiveSupconMatchesEq44_data() {
        QTest::addColumn<QString>("similarity");
        QTest::addColumn<double>("tau");
        for (const char* s : {"euclidean", "manhattan", "cosine"})
            for (double tau : {0.5, 1.0})
                QTest::newRow(QString("%1 tau=%2").arg(s).arg(tau).toUtf8()) << QString(s) << tau;
    }
    void semiPositiveSupconMatchesEq44() {
        QFETCH(QString, similarity);
        QFETCH(double, tau);
        const std::string sim = similarity.toStdString();
        const LossLabels l = sixLabels();
        const double want = handSemiSupcon(kSix, 2, l, tau, sim);
        const double got = lossValue("supcon", {{"temperature", tau}, {"semi_positive", 1}},
                                     {{"similarity", sim}}, kSix, 6, 2, l);
        QVERIFY2(close(got, want, 1e-8), qPrintable(text(got, want)));
        // Off, the weights vanish: the plain loss (groups only) comes back.
        const double plain =
            lossValue("supcon", {{"temperature", tau}}, {{"similarity", sim}}, kSix, 6, 2, l);
        QVERIFY(close(plain,
                      supconLossValue(std::vector<float>(kSix.begin(), kSix.end()), 6, 2, l.groups,
                                      l.ids, tau, sim),
                      1e-5));
        QVERIFY(std::abs(plain - got) > 1e-3);
    }

    void semiPositiveNeedsSubstanceAndDose() {
        QVERIFY_THROWS_EXCEPTION(DataError, lossValue("supcon", {{"semi_positive", 1}}, {}, kSix, 6,
                                                      2, labelsOf({0, 1, 1, 2, 3, 1})));
        LossLabels negative = sixLabels();
        negative.doses[2] = -1;
        QVERIFY_THROWS_EXCEPTION(
            DataError, lossValue("supcon", {{"semi_positive", 1}}, {}, kSix, 6, 2, negative));
    }

    void tripletHardestByHand() {
        // x = 0, 1 (group A), 1.5, 6.5 (group B), m = 1, Euclidean. Hardest negatives:
        // a0: p = a1 (1), n = b0 (1.5) -> 0.5;  a1: 1 - 0.5 + 1 = 1.5;
        // b0: p = b1 (5), n = a1 (0.5) -> 5.5;  b1: p = b0 (5), n = a1 (5.5) -> 0.5. Mean 2.
        const auto z = onAxis({0, 1, 1.5, 6.5});
        const LossLabels l = labelsOf({0, 0, 1, 1});
        const double got =
            lossValue("triplet", {{"margin", 1}}, {{"negatives", "hardest"}}, z, 4, 2, l);
        QVERIFY2(close(got, 2.0, 1e-9), qPrintable(text(got, 2.0)));
    }

    void tripletTakesTheHardestPositive() {
        // A = {0, 1, 3}, B = {10}, m = 10: a0 pairs with a2 (d 3, not a1 at d 1): 3 - 10 + 10;
        // a1 with a2 (2): 2 - 9 + 10; a2 with a0 (3): 3 - 7 + 10; b0 has no positive.
        const auto z = onAxis({0, 1, 3, 10});
        const double got = lossValue("triplet", {{"margin", 10}}, {{"negatives", "hardest"}}, z, 4,
                                     2, labelsOf({0, 0, 0, 1}));
        QVERIFY2(close(got, (3.0 + 3.0 + 6.0) / 3.0, 1e-9), qPrintable(text(got, 4.0)));
    }

    void tripletRandomHardPicksOnlyHardNegatives() {
        // Same batch as tripletHardestByHand. Hard sets (d(a,n) - d(a,p) < 1): a0 {b0} 0.5,
        // a1 {b0} 1.5, b0 {a0 -> 4.5, a1 -> 5.5}, b1 {a1} 0.5: the mean is 1.75 or 2. Random
        // negatives may also take b1 for a0 / a1 and a0 for b1 (0 each).
        const auto z = onAxis({0, 1, 1.5, 6.5});
        const LossLabels l = labelsOf({0, 0, 1, 1});
        std::set<double> hard, random;
        for (uint64_t seed = 0; seed < 40; ++seed) {
            hard.insert(lossValue("triplet", {{"margin", 1}}, {{"negatives", "random-hard"}}, z, 4,
                                  2, l, nullptr, seed));
            random.insert(lossValue("triplet", {{"margin", 1}}, {{"negatives", "random"}}, z, 4, 2,
                                    l, nullptr, seed));
        }
        QCOMPARE(hard.size(), std::size_t(2));
        QVERIFY(close(*hard.begin(), 1.75) && close(*hard.rbegin(), 2.0));
        std::set<double> possible;
        for (double a0 : {0.5, 0.0})
            for (double a1 : {1.5, 0.0})
                for (double b0 : {4.5, 5.5})
                    for (double b1 : {0.5, 0.0})
                        possible.insert((a0 + a1 + b0 + b1) / 4);
        for (double v : random)
            QVERIFY2(std::any_of(possible.begin(), possible.end(),
                                 [&](double p) { return close(p, v); }),
                     qPrintable(QString::number(v)));
        QVERIFY2(random.size() >= 4, "random negatives should vary over 40 seeds");
        QVERIFY(*random.begin() < 1.75 - 1e-9); // an easy negative was drawn at least once
        // Same seed, same draw.
        QCOMPARE(lossValue("triplet", {}, {{"negatives", "random"}}, z, 4, 2, l, nullptr, 7),
                 lossValue("triplet", {}, {{"negatives", "random"}}, z, 4, 2, l, nullptr, 7));
    }

    void tripletOnCollapsedEmbeddingsIsTheMargin() {
        // Seed §4.4.5: a collapsed model (every z equal) sits at loss = m; the hardest negative
        // leads there. Exactly m for every margin and negative rule, with finite gradients.
        const std::vector<double> z = {0.3, -0.2, 0.3, -0.2, 0.3, -0.2, 0.3, -0.2};
        const LossLabels l = labelsOf({0, 0, 1, 1});
        for (double m : {0.1, 1.0, 10.0})
            for (const char* rule : {"random", "random-hard", "hardest"}) {
                std::vector<double> grad;
                const double got =
                    lossValue("triplet", {{"margin", m}}, {{"negatives", rule}}, z, 4, 2, l, &grad);
                QVERIFY2(got == m, qPrintable(QString(rule) + ": " + text(got, m)));
                QVERIFY(std::all_of(grad.begin(), grad.end(),
                                    [](double g) { return std::isfinite(g); }));
            }
    }

    void tripletSkipsDuplicates() {
        // Row 3 repeats sample 0 (id 0): row 0's only same-group row is itself, so it has no
        // positive. Row 1 (x 2): p = row 2 (3), n at 2 -> 3 - 2 + 1 = 2; row 2: 3 - 5 + 1 < 0.
        const auto z = onAxis({0, 2, 5, 0});
        const LossLabels l = labelsOf({0, 1, 1, 0}, {0, 1, 2, 0});
        const double got =
            lossValue("triplet", {{"margin", 1}}, {{"negatives", "hardest"}}, z, 4, 2, l);
        QVERIFY2(close(got, 1.0), qPrintable(text(got, 1.0)));
        // Counted as distinct samples, rows 0 and 3 would be each other's positives (mean 0.5).
        const double distinct = lossValue("triplet", {{"margin", 1}}, {{"negatives", "hardest"}}, z,
                                          4, 2, labelsOf({0, 1, 1, 0}));
        QVERIFY2(close(distinct, 0.5), qPrintable(text(distinct, 0.5)));
        QVERIFY(std::isnan(lossValue("triplet", {}, {}, z, 4, 2, labelsOf({0, 0, 0, 0}))));
    }

    void pairLossByHand() {
        // x = 0, 1 (A), 1.5 (B), m = 1: (0,1) positive d 1 -> 1/2; (0,2) d 1.5 > m -> 0;
        // (1,2) d 0.5 -> 1/2 (0.5)^2. Mean over the three pairs.
        const double got =
            lossValue("pair", {{"margin", 1}}, {}, onAxis({0, 1, 1.5}), 3, 2, labelsOf({0, 0, 1}));
        QVERIFY2(close(got, (0.5 + 0.125) / 3), qPrintable(text(got, 0.625 / 3)));

        // (0,0), (1,1) in A, (0.5,0) in B, m = 2.
        const std::vector<double> z = {0, 0, 1, 1, 0.5, 0};
        const LossLabels l = labelsOf({0, 0, 1});
        const double d12 = std::sqrt(1.25);
        const double euclid = (0.5 * 2 + 0.5 * 1.5 * 1.5 + 0.5 * (2 - d12) * (2 - d12)) / 3;
        double got2 = lossValue("pair", {{"margin", 2}}, {}, z, 3, 2, l);
        QVERIFY2(close(got2, euclid), qPrintable(text(got2, euclid)));
        got2 = lossValue("pair", {{"margin", 2}}, {{"similarity", "manhattan"}}, z, 3, 2, l);
        QVERIFY2(close(got2, (2 + 1.125 + 0.125) / 3), qPrintable(text(got2, 3.25 / 3)));
        // Cosine distance 1 - cos: (1,0), (0,1) in A (d 1), (1,1) in B (d 1 - 1/sqrt2 each).
        const double negative = 0.5 * std::pow(1 - (1 - 1 / std::sqrt(2.0)), 2);
        got2 = lossValue("pair", {{"margin", 1}}, {{"similarity", "cosine"}}, {1, 0, 0, 1, 1, 1}, 3,
                         2, l);
        QVERIFY2(close(got2, (0.5 + 2 * negative) / 3, 1e-8),
                 qPrintable(text(got2, (0.5 + 2 * negative) / 3)));
        // A duplicate of row 0 adds its pairs with rows 1 and 2, not the one with row 0.
        got2 = lossValue("pair", {{"margin", 2}}, {}, {0, 0, 1, 1, 0.5, 0, 0, 0}, 4, 2,
                         labelsOf({0, 0, 1, 0}, {0, 1, 2, 0}));
        const double dup =
            (2 * (0.5 * 2) + 2 * (0.5 * 1.5 * 1.5) + 0.5 * (2 - d12) * (2 - d12)) / 5;
        QVERIFY2(close(got2, dup), qPrintable(text(got2, dup)));
    }

    void ntXentMatchesEq29_data() {
        QTest::addColumn<QString>("similarity");
        QTest::addColumn<double>("tau");
        for (const char* s : {"cosine", "euclidean", "manhattan"})
            for (double tau : {0.5, 1.0})
                QTest::newRow(QString("%1 tau=%2").arg(s).arg(tau).toUtf8()) << QString(s) << tau;
    }
    void ntXentMatchesEq29() {
        QFETCH(QString, similarity);
        QFETCH(double, tau);
        const std::string sim = similarity.toStdString();
        // Anchors 0, 1, 2 and their positives 3, 4, 5; row 5 repeats sample 1 (a duplicate:
        // left out of row 1's denominator and of row 4's and 5's).
        const LossLabels l = labelsOf({0, 1, 2, 0, 1, 1}, {0, 1, 2, 3, 4, 1});
        const double want = handNtXent(kSix, 2, l.ids, tau, sim);
        const double got =
            lossValue("ntxent", {{"temperature", tau}}, {{"similarity", sim}}, kSix, 6, 2, l);
        QVERIFY2(close(got, want, 1e-8), qPrintable(text(got, want)));
        // A partner with the anchor's own id (a lone sample) gives that pair no term.
        const LossLabels lone = labelsOf({0, 1, 2, 0, 1, 2}, {0, 1, 2, 3, 4, 2});
        QVERIFY(close(
            lossValue("ntxent", {{"temperature", tau}}, {{"similarity", sim}}, kSix, 6, 2, lone),
            handNtXent(kSix, 2, lone.ids, tau, sim), 1e-8));
    }

    void ntXentOfEqualEmbeddingsIsLog2NMinus1() {
        // All similarities equal: each row's positive is one of 2N - 1 equal terms.
        std::vector<double> z;
        for (int i = 0; i < 8; ++i)
            z.insert(z.end(), {0.4, -0.8, 0.1});
        const LossLabels l = labelsOf({0, 1, 2, 3, 0, 1, 2, 3});
        for (const char* sim : {"cosine", "euclidean", "manhattan"}) {
            const double got = lossValue("ntxent", {}, {{"similarity", sim}}, z, 8, 3, l);
            QVERIFY2(close(got, std::log(7.0), 1e-9), qPrintable(text(got, std::log(7.0))));
        }
        QVERIFY_THROWS_EXCEPTION(DataError, lossValue("ntxent", {}, {}, std::vector<double>(6, 0.5),
                                                      3, 2, labelsOf({0, 0, 1})));
    }

    void gradientsAreFiniteAndMatchFiniteDifferences() {
        const LossLabels six = sixLabels();
        checkGradient("supcon", {{"semi_positive", 1}}, {}, kSix, 2, six);
        checkGradient("supcon", {{"temperature", 0.5}}, {{"similarity", "manhattan"}}, kSix, 2,
                      six);
        checkGradient("pair", {{"margin", 1.5}}, {}, kSix, 2, six);
        checkGradient("ntxent", {}, {}, kSix, 2, labelsOf({0, 1, 2, 0, 1, 1}, {0, 1, 2, 3, 4, 1}));
        // The triplet's max / min have kinks at ties: row 5 moves off row 1 for it.
        std::vector<double> untied = kSix;
        untied[10] = 0.45;
        untied[11] = -0.1;
        checkGradient("triplet", {{"margin", 1}}, {{"negatives", "hardest"}}, untied, 2,
                      labelsOf({0, 1, 1, 0, 2, 2}));
        // Degenerate batches (equal rows, duplicates, zero rows) keep every gradient finite.
        const std::vector<double> flat(12, 0.0);
        for (const char* loss : {"supcon", "triplet", "pair", "ntxent"})
            for (const char* sim : {"euclidean", "manhattan", "cosine"}) {
                std::vector<double> grad;
                const double v = lossValue(loss, {}, {{"similarity", sim}}, flat, 6, 2, six, &grad);
                QVERIFY2(std::isfinite(v), loss);
                QVERIFY2(std::all_of(grad.begin(), grad.end(),
                                     [](double g) { return std::isfinite(g); }),
                         qPrintable(QString("%1 / %2").arg(loss, sim)));
            }
    }

    void badParamsThrow() {
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, lossValue("triplet", {{"margin", -1}}, {}, kSix, 6, 2, sixLabels()));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, lossValue("pair", {{"temperature", 1}}, {}, kSix, 6, 2, sixLabels()));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, lossValue("pair", {}, {{"similarity", "l3"}}, kSix, 6, 2, sixLabels()));
        QVERIFY_THROWS_EXCEPTION(DataError, lossValue("pair", {}, {}, kSix, 5, 2, sixLabels()));
    }
};

QTEST_GUILESS_MAIN(TestLosses)
#include "test_losses.moc"
