// Trajectory transforms of seed 000: the 8 dihedral maps (§4.3.2) as a group, egocentric
// coordinates (§4.3.3, eqs 4.1-4.3) of hand-made paths, and the egocentric augmentation.
#include "embedscope/engine/error.h"
#include "embedscope/engine/trajectory_transforms.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace embedscope;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Smallest signed difference of two angles, in [-π, π].
double angleDiff(double a, double b) {
    return std::remainder(a - b, 2 * kPi);
}

struct Ego {
    std::vector<float> d, theta;
};

Ego egoOf(const std::vector<double>& x, const std::vector<double>& y) {
    Ego e;
    e.d.assign(x.size(), -1.0f);
    e.theta.assign(x.size(), -100.0f);
    egocentricFromPositions(x.data(), y.data(), static_cast<int64_t>(x.size()), e.d.data(),
                            e.theta.data());
    return e;
}

/// Applies map k to the single point (x, y).
std::pair<float, float> mapPoint(int k, float x, float y) {
    float s[2] = {x, y};
    applyDihedral(s, 2, 1, k);
    return {s[0], s[1]};
}

/// A (3, T) sample: a random walk that never stops (step length >= 0.002) and a 0/1 z.
std::vector<float> randomWalkSample(int64_t length, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> angle(-kPi, kPi), step(0.002, 0.02);
    std::vector<float> s(static_cast<std::size_t>(3 * length));
    double x = 0.1, y = -0.2;
    for (int64_t t = 0; t < length; ++t) {
        const double a = angle(rng), r = step(rng);
        x = std::clamp(x + r * std::cos(a), -0.9, 0.9);
        y = std::clamp(y + r * std::sin(a), -0.9, 0.9);
        s[std::size_t(t)] = float(x);
        s[std::size_t(length + t)] = float(y);
        s[std::size_t(2 * length + t)] = float(rng() % 2);
    }
    return s;
}

} // namespace

class TestTrajectoryTransforms : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- dihedral maps ------------------------------------------------------------------

    void dihedralIsAGroup() {
        // Closure and a Cayley table that is a Latin square (each row and column a permutation).
        for (int a = 0; a < kDihedralCount; ++a) {
            std::set<int> row, column;
            for (int b = 0; b < kDihedralCount; ++b) {
                const int ab = dihedralCompose(a, b);
                QVERIFY(ab >= 0 && ab < kDihedralCount);
                row.insert(ab);
                column.insert(dihedralCompose(b, a));
            }
            QCOMPARE(int(row.size()), kDihedralCount);
            QCOMPARE(int(column.size()), kDihedralCount);
            // Identity and inverses on both sides.
            QCOMPARE(dihedralCompose(0, a), a);
            QCOMPARE(dihedralCompose(a, 0), a);
            const int inv = dihedralInverse(a);
            QCOMPARE(dihedralCompose(a, inv), 0);
            QCOMPARE(dihedralCompose(inv, a), 0);
        }
        for (int a = 0; a < kDihedralCount; ++a)
            for (int b = 0; b < kDihedralCount; ++b)
                for (int c = 0; c < kDihedralCount; ++c)
                    QCOMPARE(dihedralCompose(dihedralCompose(a, b), c),
                             dihedralCompose(a, dihedralCompose(b, c)));
        // D4 is not abelian: a rotation and a flip do not commute.
        QVERIFY(dihedralCompose(1, 4) != dihedralCompose(4, 1));
    }

    void dihedralMapsByHand() {
        // Rotation by 90° counter-clockwise: (1, 0) -> (0, 1), (0, 1) -> (-1, 0).
        QCOMPARE(mapPoint(1, 1.0f, 0.0f), std::make_pair(0.0f, 1.0f));
        QCOMPARE(mapPoint(1, 0.0f, 1.0f), std::make_pair(-1.0f, 0.0f));
        // The generic point (0.3, 0.7) under all 8 maps, by hand.
        const float x = 0.3f, y = 0.7f;
        const std::pair<float, float> expected[kDihedralCount] = {
            {x, y},   // identity
            {-y, x},  // rotation 90°
            {-x, -y}, // rotation 180°
            {y, -x},  // rotation 270°
            {x, -y},  // flip about the x axis
            {-x, y},  // flip about the y axis
            {y, x},   // flip about y = x
            {-y, -x}, // flip about y = -x
        };
        std::set<std::pair<float, float>> images;
        std::set<std::string> names;
        for (int k = 0; k < kDihedralCount; ++k) {
            QCOMPARE(mapPoint(k, x, y), expected[k]);
            images.insert(mapPoint(k, x, y));
            names.insert(dihedralName(k));
            const auto m = dihedralMatrix(k);
            // Rotations keep orientation (det +1), flips reverse it (det -1) and are involutions.
            QCOMPARE(m[0] * m[3] - m[1] * m[2], k < 4 ? 1 : -1);
            if (k >= 4)
                QCOMPARE(dihedralCompose(k, k), 0);
        }
        QCOMPARE(int(images.size()), kDihedralCount); // all distinct on a generic point
        QCOMPARE(int(names.size()), kDihedralCount);
        QCOMPARE(dihedralCompose(1, 1), 2);                     // 90° twice = 180°
        QCOMPARE(dihedralCompose(1, dihedralCompose(1, 2)), 0); // four quarter turns
        QCOMPARE(dihedralInverse(1), 3);
    }

    void applyDihedralOnSample() {
        // Compose means "first b, then a" on real samples; z is never touched.
        const auto base = randomWalkSample(50, 7);
        for (int a = 0; a < kDihedralCount; ++a)
            for (int b = 0; b < kDihedralCount; ++b) {
                auto twice = base, once = base;
                applyDihedral(twice.data(), 3, 50, b);
                applyDihedral(twice.data(), 3, 50, a);
                applyDihedral(once.data(), 3, 50, dihedralCompose(a, b));
                QCOMPARE(twice, once);
                for (int t = 0; t < 50; ++t)
                    QCOMPARE(once[std::size_t(100 + t)], base[std::size_t(100 + t)]);
            }
        float one[1] = {0.5f};
        QVERIFY_THROWS_EXCEPTION(DataError, applyDihedral(one, 1, 1, 1));
        QVERIFY_THROWS_EXCEPTION(DataError, dihedralMatrix(8));
        QVERIFY_THROWS_EXCEPTION(DataError, dihedralName(-1));
    }

    // ---- egocentric coordinates ----------------------------------------------------------

    void straightLine() {
        // East at 0.1 per step: d = 0.1 after the start; θ_1 = wrap(0 - ν_-1) = wrap(-π) = π,
        // then no turning: θ = 0.
        const Ego east = egoOf({0, 0.1, 0.2, 0.3, 0.4}, {0.5, 0.5, 0.5, 0.5, 0.5});
        QCOMPARE(east.d[0], 0.0f);
        QCOMPARE(east.theta[0], float(kPi)); // index 0: no move, wrap(0 - π) = π
        for (int i = 1; i < 5; ++i)
            QVERIFY(std::abs(east.d[std::size_t(i)] - 0.1f) < 1e-6f);
        QCOMPARE(east.theta[1], float(kPi));
        for (int i = 2; i < 5; ++i)
            QCOMPARE(east.theta[std::size_t(i)], 0.0f);
        // North: the first move turns from ν_-1 = π to π/2, i.e. -π/2; West: no turn at all.
        const Ego north = egoOf({0, 0, 0}, {0, 0.2, 0.4});
        QVERIFY(std::abs(north.theta[1] + float(kPi / 2)) < 1e-6f);
        QCOMPARE(north.theta[2], 0.0f);
        QVERIFY(std::abs(north.d[2] - 0.2f) < 1e-6f);
        const Ego west = egoOf({0, -0.3, -0.6}, {0, 0, 0});
        QCOMPARE(west.theta[1], 0.0f);
        QCOMPARE(west.theta[2], 0.0f);
        QVERIFY(std::abs(west.d[1] - 0.3f) < 1e-6f);
    }

    void squarePath() {
        // Counter-clockwise square of side 1 in steps of 0.5: E, E, N, N, W, W, S, S.
        const std::vector<double> x = {0, 0.5, 1, 1, 1, 0.5, 0, 0, 0};
        const std::vector<double> y = {0, 0, 0, 0.5, 1, 1, 1, 0.5, 0};
        const Ego ccw = egoOf(x, y);
        const std::vector<double> expected = {kPi, kPi, 0, kPi / 2, 0, kPi / 2, 0, kPi / 2, 0};
        for (std::size_t i = 0; i < x.size(); ++i) {
            QVERIFY2(std::abs(ccw.theta[i] - expected[i]) < 1e-6, qPrintable(QString::number(i)));
            QVERIFY(std::abs(ccw.d[i] - (i == 0 ? 0.0 : 0.5)) < 1e-7);
        }
        // The same square clockwise (mirror about the x axis): right turns, -π/2.
        std::vector<double> yMirror(y.size());
        for (std::size_t i = 0; i < y.size(); ++i)
            yMirror[i] = -y[i];
        const Ego cw = egoOf(x, yMirror);
        for (std::size_t i : {3u, 5u, 7u})
            QVERIFY(std::abs(cw.theta[i] + float(kPi / 2)) < 1e-6f);
    }

    void reversalAndWrap() {
        // East then straight back west: a reversal is +π, never -π (θ in (-π, π]).
        const Ego back = egoOf({0, 0.1, 0.0}, {0, 0, 0});
        QCOMPARE(back.theta[2], float(kPi));
        // West then east: ν goes π -> 0, 0 - π = -π, wrapped to π as well.
        const Ego forth = egoOf({0, -0.1, 0.0}, {0, 0, 0});
        QCOMPARE(forth.theta[2], float(kPi));
        // Heading 170° then -170°: -340° wraps to +20° (a small left turn across ±π).
        const double a = 170.0 * kPi / 180.0;
        const Ego across = egoOf({0, std::cos(a), std::cos(a) + std::cos(-a)},
                                 {0, std::sin(a), std::sin(a) + std::sin(-a)});
        QVERIFY(std::abs(across.theta[2] - float(20.0 * kPi / 180.0)) < 1e-6f);
    }

    void stationary() {
        // Never moves: d = 0, and ν_i = 0 against ν_-1 = π gives θ = π (the literal eqs).
        const Ego still = egoOf({0.2, 0.2, 0.2, 0.2}, {-0.4, -0.4, -0.4, -0.4});
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(still.d[std::size_t(i)], 0.0f);
            QCOMPARE(still.theta[std::size_t(i)], float(kPi));
        }
        // Moves north, then rests: d = 0 while resting, θ = wrap(0 - π/2) = -π/2 (eq 4.3 with
        // j = the last move); the next move north is measured against that last move: θ = 0.
        const Ego rest = egoOf({0, 0, 0, 0, 0}, {0, 0.1, 0.1, 0.1, 0.2});
        QCOMPARE(rest.d[2], 0.0f);
        QCOMPARE(rest.d[3], 0.0f);
        QVERIFY(std::abs(rest.theta[2] + float(kPi / 2)) < 1e-6f);
        QVERIFY(std::abs(rest.theta[3] + float(kPi / 2)) < 1e-6f);
        QCOMPARE(rest.theta[4], 0.0f);
        // A single sample: nothing moved.
        const Ego one = egoOf({0.3}, {0.3});
        QCOMPARE(one.d[0], 0.0f);
        QCOMPARE(one.theta[0], float(kPi));
    }

    void runningMean() {
        const float in[4] = {1, 2, 4, 8};
        const auto out = runningMean3(in, 4);
        QCOMPARE(out.size(), std::size_t(4));
        QCOMPARE(out[0], 1.5);
        QVERIFY(std::abs(out[1] - 7.0 / 3.0) < 1e-12);
        QVERIFY(std::abs(out[2] - 14.0 / 3.0) < 1e-12);
        QCOMPARE(out[3], 6.0);
        QCOMPARE(runningMean3(in, 1), std::vector<double>({1.0}));
        QCOMPARE(runningMean3(in, 2), std::vector<double>({1.5, 1.5}));
        // A resting value stays exactly itself (no spurious move from rounding).
        const float rest[3] = {0.1f, 0.1f, 0.1f};
        for (double v : runningMean3(rest, 3))
            QCOMPARE(v, double(0.1f));
    }

    void egocentricSample() {
        // Smoothed straight line at speed v: the ends average two samples, so the smoothed
        // positions are p0 + v/2, p1, ..., p_{T-2}, p_{T-1} - v/2 and d = 0, v/2, v, ..., v/2.
        const int64_t T = 6;
        std::vector<float> s = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f,  // x
                                0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,  // y
                                1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f}; // z
        std::vector<float> out(s.size(), -7.0f);
        egocentricCoordinates(s.data(), out.data(), 3, T);
        const float d[T] = {0, 0.05f, 0.1f, 0.1f, 0.1f, 0.05f};
        for (int64_t i = 0; i < T; ++i) {
            QVERIFY(std::abs(out[std::size_t(i)] - d[i]) < 1e-6f);
            QCOMPARE(out[std::size_t(12 + i)], s[std::size_t(12 + i)]); // z copied
        }
        QCOMPARE(out[6 + 1], float(kPi)); // first move east against ν_-1 = π
        for (int64_t i = 2; i < T; ++i)
            QCOMPARE(out[std::size_t(6 + i)], 0.0f);
        // In place gives the same.
        auto inPlace = s;
        egocentricCoordinates(inPlace.data(), inPlace.data(), 3, T);
        QCOMPARE(inPlace, out);
        float one[2] = {0, 0};
        QVERIFY_THROWS_EXCEPTION(DataError, egocentricCoordinates(one, one, 1, 2));
    }

    void egocentricUnderDihedral() {
        // On a path that never stops, rotations leave d and every θ after the first move
        // unchanged and flips negate those θ (seed §4.3.3: rotations become irrelevant).
        const int64_t T = 400;
        const auto base = randomWalkSample(T, 11);
        auto ego = base;
        egocentricCoordinates(ego.data(), ego.data(), 3, T);
        for (int k = 1; k < kDihedralCount; ++k) {
            auto mapped = base;
            applyDihedral(mapped.data(), 3, T, k);
            egocentricCoordinates(mapped.data(), mapped.data(), 3, T);
            const double sign = k < 4 ? 1.0 : -1.0;
            for (int64_t i = 0; i < T; ++i) {
                QCOMPARE(mapped[std::size_t(i)], ego[std::size_t(i)]); // d: exactly equal
                if (i >= 2) {
                    const double diff =
                        angleDiff(mapped[std::size_t(T + i)], sign * ego[std::size_t(T + i)]);
                    QVERIFY2(std::abs(diff) < 1e-5,
                             qPrintable(QString("map %1, step %2").arg(k).arg(i)));
                }
            }
        }
    }

    // ---- egocentric augmentation ---------------------------------------------------------

    void egoAugment() {
        const std::vector<float> s = {0.0f,       0.2f, 0.1f,  0.3f,  // d
                                      float(kPi), 0.5f, -1.0f, 0.0f,  // θ
                                      1.0f,       0.0f, 1.0f,  1.0f}; // z
        auto a = s;
        applyEgoAugment(a.data(), 3, 4, 1.5f, 1);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(a[std::size_t(i)], s[std::size_t(i)] * 1.5f);
            QCOMPARE(a[std::size_t(4 + i)], s[std::size_t(4 + i)]);
            QCOMPARE(a[std::size_t(8 + i)], s[std::size_t(8 + i)]);
        }
        auto b = s;
        applyEgoAugment(b.data(), 3, 4, 1.0f, -1);
        QCOMPARE(std::vector<float>(b.begin(), b.begin() + 4),
                 std::vector<float>(s.begin(), s.begin() + 4));
        QCOMPARE(b[4], float(kPi)); // a reversal has no side: stays π, inside (-π, π]
        QCOMPARE(b[5], -0.5f);
        QCOMPARE(b[6], 1.0f);
        QCOMPARE(b[7], 0.0f);
        QCOMPARE(std::vector<float>(b.begin() + 8, b.end()),
                 std::vector<float>(s.begin() + 8, s.end()));
        QVERIFY_THROWS_EXCEPTION(DataError, applyEgoAugment(b.data(), 3, 4, 1.0f, 0));
        QVERIFY_THROWS_EXCEPTION(DataError, applyEgoAugment(b.data(), 1, 4, 1.0f, 1));
    }
};

QTEST_GUILESS_MAIN(TestTrajectoryTransforms)
#include "test_trajectory_transforms.moc"
