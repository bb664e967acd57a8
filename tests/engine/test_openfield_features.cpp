// Hand-made open-field features (the seed-000 "manual" baseline): known answers on hand-made
// trajectories, degenerate inputs, errors, the manual / combined reference models, and the
// simulator's documented dose effects measured back through the features.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield.h"
#include "embedscope/engine/openfield_features.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>

using namespace embedscope;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kCage = 40.0;
constexpr double kRate = 25.0;

/// A (3, T) sample from positions in cm (cage [0, 40]^2) and rearing flags.
std::vector<float> trajectory(
    int64_t T, const std::function<double(int64_t)>& xCm, const std::function<double(int64_t)>& yCm,
    const std::function<int(int64_t)>& z = [](int64_t) { return 0; }) {
    std::vector<float> s(static_cast<std::size_t>(3 * T));
    for (int64_t i = 0; i < T; ++i) {
        s[i] = static_cast<float>(xCm(i) / kCage * 2.0 - 1.0);
        s[T + i] = static_cast<float>(yCm(i) / kCage * 2.0 - 1.0);
        s[2 * T + i] = static_cast<float>(z(i));
    }
    return s;
}

/// Features by name.
std::map<std::string, double> features(const std::vector<float>& sample,
                                       const OpenFieldFeatureOptions& o = {}) {
    const int64_t T = static_cast<int64_t>(sample.size() / 3);
    const std::vector<double> values = openFieldFeatures(sample.data(), T, o, "test sample");
    const std::vector<std::string> names = openFieldFeatureNames(o);
    if (names.size() != values.size())
        qFatal("names and values differ in length");
    std::map<std::string, double> m;
    for (std::size_t i = 0; i < names.size(); ++i)
        m[names[i]] = values[i];
    return m;
}

bool near(double a, double b, double tolerance) {
    return std::abs(a - b) <= tolerance;
}

#define CHECK_NEAR(actual, expected, tolerance)                                                    \
    do {                                                                                           \
        const double a_ = (actual), e_ = (expected);                                               \
        if (!near(a_, e_, (tolerance)))                                                            \
            QFAIL(qPrintable(QStringLiteral("%1 = %2, expected %3 +- %4")                          \
                                 .arg(#actual)                                                     \
                                 .arg(a_, 0, 'g', 10)                                              \
                                 .arg(e_, 0, 'g', 10)                                              \
                                 .arg(tolerance)));                                                \
    } while (0)

double binSum(const std::map<std::string, double>& f, const std::string& stem,
              const std::string& unit, int bins) {
    double sum = 0;
    for (int b = 1; b <= bins; ++b)
        sum += f.at(stem + "_bin_" + std::to_string(b) + unit);
    return sum;
}

void verifyAllFinite(const std::map<std::string, double>& f) {
    for (const auto& [name, value] : f)
        if (!std::isfinite(value))
            QFAIL(qPrintable(QString::fromStdString(name + " is not finite")));
}

Eigen::MatrixXd randomMatrix(int rows, int cols, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = normal(rng) * (c + 1) + c;
    return m;
}

/// Least-squares slope of a feature against the dose, over the control animals and the animals
/// of one substance; also the group means of the control and the top dose.
struct DoseTrend {
    double slope = 0, control = 0, top = 0;
};

DoseTrend doseTrend(const Dataset& data, const Eigen::MatrixXd& f, int column,
                    const std::string& substance, int topDose) {
    const auto& sub = data.metadata.column("substance");
    const auto& dose = data.metadata.column("dose");
    std::vector<double> xs, ys;
    double control = 0, top = 0;
    int nControl = 0, nTop = 0;
    for (std::size_t i = 0; i < data.sampleCount(); ++i) {
        const std::string s = sub.strings[i];
        if (s != "control" && s != substance)
            continue;
        const double d = dose.numbers[i];
        xs.push_back(d);
        ys.push_back(f(static_cast<Eigen::Index>(i), column));
        if (s == "control")
            control += ys.back(), ++nControl;
        if (d == topDose)
            top += ys.back(), ++nTop;
    }
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        mx += xs[i], my += ys[i];
    mx /= xs.size();
    my /= ys.size();
    double num = 0, den = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        num += (xs[i] - mx) * (ys[i] - my), den += (xs[i] - mx) * (xs[i] - mx);
    return {num / den, control / nControl, top / nTop};
}

} // namespace

class TestOpenFieldFeatures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesAreStableSnakeCaseAndPrinted() {
        const std::vector<std::string> names = openFieldFeatureNames();
        QCOMPARE(names.size(), std::size_t(61)); // 43 + 3 per time bin, 6 bins
        const std::regex snake("^[a-z][a-z0-9_]*$");
        std::set<std::string> unique;
        for (const auto& n : names) {
            QVERIFY2(std::regex_match(n, snake), n.c_str());
            unique.insert(n);
        }
        QCOMPARE(unique.size(), names.size());
        QCOMPARE(names.front(), std::string("distance_total_cm"));
        QVERIFY(unique.count("distance_bin_6_cm") && unique.count("rearing_count_bin_1"));
        OpenFieldFeatureOptions three;
        three.timeBins = 3;
        QCOMPARE(openFieldFeatureNames(three).size(), std::size_t(43 + 9));
        // The list, for the record (ctest -V shows it).
        QString list;
        for (std::size_t i = 0; i < names.size(); ++i)
            list += QString::number(i + 1) + " " + QString::fromStdString(names[i]) + "\n";
        qInfo().noquote() << "hand-made open-field features:\n" << list;
    }

    void straightLineAtConstantSpeed() {
        // 126 frames = 125 steps of 0.32 cm (8 cm/s) along the diagonal: 40 cm in 5 s.
        const double step = 8.0 / kRate / std::sqrt(2.0);
        const auto s = trajectory(
            126, [&](int64_t i) { return 5.0 + step * i; },
            [&](int64_t i) { return 5.0 + step * i; });
        OpenFieldFeatureOptions o;
        o.tortuosityWindowS = 1.0; // five windows of 25 steps
        const auto f = features(s, o);
        verifyAllFinite(f);
        CHECK_NEAR(f.at("distance_total_cm"), 40.0, 1e-3);
        CHECK_NEAR(binSum(f, "distance", "_cm", 6), f.at("distance_total_cm"), 1e-9);
        CHECK_NEAR(f.at("speed_mean_cm_s"), 8.0, 1e-3);
        CHECK_NEAR(f.at("speed_median_cm_s"), 8.0, 1e-3);
        CHECK_NEAR(f.at("speed_p90_cm_s"), 8.0, 1e-3);
        CHECK_NEAR(f.at("speed_sd_cm_s"), 0.0, 1e-3);
        CHECK_NEAR(f.at("moving_speed_mean_cm_s"), 8.0, 1e-3);
        CHECK_NEAR(f.at("moving_fraction"), 1.0, 0);
        CHECK_NEAR(f.at("immobility_fraction"), 0.0, 0);
        CHECK_NEAR(f.at("immobility_bout_count"), 0.0, 0);
        CHECK_NEAR(f.at("immobility_latency_s"), 125 / kRate, 1e-12);
        CHECK_NEAR(f.at("angular_speed_mean_rad_s"), 0.0, 1e-2);
        CHECK_NEAR(f.at("angular_velocity_mean_rad_s"), 0.0, 1e-2);
        CHECK_NEAR(f.at("net_turns"), 0.0, 1e-3);
        CHECK_NEAR(f.at("tortuosity_mean"), 1.0, 1e-4);
        CHECK_NEAR(f.at("straightness_mean"), 1.0, 1e-4);
        // Radius of gyration of N = 126 equally spaced points (spacing s = 0.32 cm, span 40 cm):
        // the positions are s (k - (N-1)/2), k = 0..N-1, so mean |p - mean p|^2 =
        // s^2 (N^2 - 1) / 12 and r_g = 0.32 sqrt(15875 / 12) = 11.6390 cm. (The continuous
        // segment's 40 / sqrt(12) = 11.547 is the N -> infinity limit; the feature is a mean over
        // frames, so the discrete value is the right one: ratio sqrt((N+1) / (N-1)).)
        CHECK_NEAR(f.at("radius_of_gyration_cm"), 0.32 * std::sqrt((126.0 * 126.0 - 1.0) / 12.0),
                   1e-4);
    }

    void circleCounterClockwise() {
        // N = 3 counter-clockwise turns of radius 10 cm around the cage centre in T = 1000
        // frames (39.96 s, 4.7 cm/s). Sign convention: counter-clockwise (x right, y up) > 0.
        const int N = 3;
        const int64_t T = 1000;
        const double r = 10.0;
        auto angle = [&](int64_t i) { return 2.0 * kPi * N * i / (T - 1.0); };
        const auto ccw = trajectory(
            T, [&](int64_t i) { return 20 + r * std::cos(angle(i)); },
            [&](int64_t i) { return 20 + r * std::sin(angle(i)); });
        const auto f = features(ccw);
        verifyAllFinite(f);
        const double duration = (T - 1) / kRate;
        CHECK_NEAR(f.at("net_turns"), N, 0.02);
        CHECK_NEAR(f.at("net_turns_abs"), N, 0.02);
        CHECK_NEAR(f.at("angular_velocity_mean_rad_s"), 2 * kPi * N / duration,
                   0.01 * 2 * kPi * N / duration);
        CHECK_NEAR(f.at("angular_speed_mean_rad_s"), 2 * kPi * N / duration,
                   0.01 * 2 * kPi * N / duration);
        CHECK_NEAR(f.at("turn_bias_index"), 1.0, 1e-6);
        CHECK_NEAR(f.at("distance_total_cm"), 2 * kPi * r * N, 0.01 * 2 * kPi * r * N);
        CHECK_NEAR(f.at("radius_of_gyration_cm"), r, 0.05);
        CHECK_NEAR(f.at("meander_rad_per_cm"), 1.0 / r, 0.01 / r); // curvature of the circle
        // The mirror image turns clockwise: the signed features flip, the others stay.
        const auto cw = trajectory(
            T, [&](int64_t i) { return 20 + r * std::cos(angle(i)); },
            [&](int64_t i) { return 20 - r * std::sin(angle(i)); });
        const auto g = features(cw);
        CHECK_NEAR(g.at("net_turns"), -f.at("net_turns"), 1e-6);
        CHECK_NEAR(g.at("angular_velocity_mean_rad_s"), -f.at("angular_velocity_mean_rad_s"), 1e-6);
        CHECK_NEAR(g.at("turn_bias_index"), -1.0, 1e-6);
        CHECK_NEAR(g.at("turn_bias_index_abs"), 1.0, 1e-6);
        CHECK_NEAR(g.at("net_turns_abs"), f.at("net_turns_abs"), 1e-6);
    }

    void stationaryAnimal() {
        const int64_t T = 1500;
        const auto s = trajectory(
            T, [](int64_t) { return 12.0; }, [](int64_t) { return 30.0; });
        const auto f = features(s);
        verifyAllFinite(f);
        CHECK_NEAR(f.at("distance_total_cm"), 0.0, 0);
        CHECK_NEAR(f.at("speed_mean_cm_s"), 0.0, 0);
        CHECK_NEAR(f.at("moving_speed_mean_cm_s"), 0.0, 0);
        CHECK_NEAR(f.at("moving_fraction"), 0.0, 0);
        CHECK_NEAR(f.at("immobility_fraction"), 1.0, 0);
        CHECK_NEAR(f.at("immobility_bout_count"), 1.0, 0);
        CHECK_NEAR(f.at("immobility_bout_mean_s"), (T - 1) / kRate, 1e-9);
        CHECK_NEAR(f.at("immobility_latency_s"), 0.0, 0);
        CHECK_NEAR(f.at("activity_bout_count"), 0.0, 0);
        CHECK_NEAR(f.at("distance_habituation_slope_relative"), 0.0, 0);
        CHECK_NEAR(f.at("angular_speed_mean_rad_s"), 0.0, 0);
        CHECK_NEAR(f.at("tortuosity_mean"), 1.0, 0); // documented value without travel
        CHECK_NEAR(f.at("centre_distance_fraction"), 0.0, 0);
        CHECK_NEAR(f.at("radius_of_gyration_cm"), 0.0, 1e-9);
        CHECK_NEAR(f.at("occupancy_entropy"), 0.0, 1e-12);
        CHECK_NEAR(f.at("centre_time_fraction"), 0.0, 0); // (12, 30) is outside |.-20| < 10
        CHECK_NEAR(f.at("wall_distance_mean_cm"), 10.0, 1e-4);
        CHECK_NEAR(f.at("rearing_bout_mean_s"), 0.0, 0);

        // Degenerate variants: shortest allowed length, rearing throughout, a corner.
        verifyAllFinite(features(trajectory(
            12, [](int64_t) { return 0.0; }, [](int64_t) { return 40.0; })));
        const auto rearing = features(trajectory(
            T, [](int64_t) { return 1.0; }, [](int64_t) { return 1.0; },
            [](int64_t) { return 1; }));
        verifyAllFinite(rearing);
        CHECK_NEAR(rearing.at("rearing_time_fraction"), 1.0, 0);
        CHECK_NEAR(rearing.at("rearing_count"), 1.0, 0);       // a bout already under way counts
        CHECK_NEAR(rearing.at("immobility_fraction"), 0.0, 0); // rearing is not immobility
        CHECK_NEAR(rearing.at("corner_time_fraction"), 1.0, 0);
        CHECK_NEAR(rearing.at("rearing_wall_fraction"), 1.0, 0);
    }

    void pathHalfInTheCentreZone() {
        // Along y = 20 from x = 0.05 to 39.95 cm at 2.5 cm/s: frames 100..299 of 400 lie in the
        // centre zone |x - 20| < 10 (inner 50 % of the side), frames 0..49 and 350..399 within
        // 5 cm of a wall.
        const int64_t T = 400;
        const auto s = trajectory(
            T, [&](int64_t i) { return kCage * (i + 0.5) / T; }, [](int64_t) { return 20.0; });
        const auto f = features(s);
        CHECK_NEAR(f.at("centre_time_fraction"), 0.5, 1e-12);
        CHECK_NEAR(f.at("centre_entries"), 1.0, 0);
        CHECK_NEAR(f.at("centre_visit_mean_s"), 200 / kRate, 1e-9);
        CHECK_NEAR(f.at("centre_distance_fraction"), 200.0 / 399.0, 1e-4);
        CHECK_NEAR(f.at("wall_time_fraction"), 0.25, 1e-12);
        // Wall distance w_i = min(x_i, 40 - x_i, y_i, 40 - y_i) = min(x_i, 40 - x_i) since
        // y = 20 is never nearer a wall than x. x_i = 0.05 + 0.1 i: frames 0..199 give
        // w = 0.05 .. 19.95 (mean 10), frames 200..399 the mirror image: the mean is exactly
        // 10 cm (the mean of min(x, 40 - x) over a uniform x in [0, 40]), not a zone-weighted
        // 20 cm for the middle half.
        CHECK_NEAR(f.at("wall_distance_mean_cm"), 10.0, 1e-4);
        // Bins of 400 / 6 frames: the first and last are outside, the middle ones partly in.
        QCOMPARE(f.at("centre_time_bin_1_fraction"), 0.0);
        QCOMPARE(f.at("centre_time_bin_6_fraction"), 0.0);
        CHECK_NEAR(f.at("centre_time_bin_3_fraction"), 1.0, 0);
    }

    void rearingPattern() {
        // 0011100110 at 25 Hz in 5 bins of 2 frames: bouts of 3 and 2 frames.
        const int pattern[10] = {0, 0, 1, 1, 1, 0, 0, 1, 1, 0};
        OpenFieldFeatureOptions o;
        o.timeBins = 5;
        const auto f = features(trajectory(
                                    10, [](int64_t) { return 20.0; }, [](int64_t) { return 20.0; },
                                    [&](int64_t i) { return pattern[i]; }),
                                o);
        CHECK_NEAR(f.at("rearing_count"), 2.0, 0);
        CHECK_NEAR(f.at("rearing_time_fraction"), 0.5, 0);
        CHECK_NEAR(f.at("rearing_bout_mean_s"), 2.5 / kRate, 1e-12);
        CHECK_NEAR(f.at("rearing_per_min"), 2.0 / (10 / kRate / 60.0), 1e-9);
        const double perBin[5] = {0, 1, 0, 1, 0}; // bouts start at frames 2 and 7
        for (int b = 0; b < 5; ++b)
            CHECK_NEAR(f.at("rearing_count_bin_" + std::to_string(b + 1)), perBin[b], 0);
        CHECK_NEAR(f.at("rearing_wall_fraction"), 0.0, 0);
    }

    void binsAddUpOnARandomWalk() {
        // T not a multiple of the bin count; a wandering path with rearing episodes.
        const int64_t T = 3001;
        std::mt19937_64 rng(3);
        std::normal_distribution<double> normal;
        std::vector<double> x(T), y(T);
        double px = 20, py = 20;
        for (int64_t i = 0; i < T; ++i) {
            px = std::clamp(px + 0.4 * normal(rng), 0.0, 40.0);
            py = std::clamp(py + 0.4 * normal(rng), 0.0, 40.0);
            x[i] = px, y[i] = py;
        }
        const auto f = features(trajectory(
            T, [&](int64_t i) { return x[i]; }, [&](int64_t i) { return y[i]; },
            [](int64_t i) { return (i / 40) % 7 == 3 ? 1 : 0; }));
        verifyAllFinite(f);
        CHECK_NEAR(binSum(f, "distance", "_cm", 6), f.at("distance_total_cm"),
                   1e-9 * f.at("distance_total_cm"));
        CHECK_NEAR(binSum(f, "rearing_count", "", 6), f.at("rearing_count"), 0);
        QVERIFY(f.at("rearing_count") > 5);
        QVERIFY(f.at("occupancy_entropy") > 0 && f.at("occupancy_entropy") <= 1);
        QVERIFY(f.at("tortuosity_mean") >= 1);
        QVERIFY(f.at("straightness_mean") > 0 && f.at("straightness_mean") <= 1);
        // Mean speed = total distance / recording time of the steps.
        CHECK_NEAR(f.at("speed_mean_cm_s"), f.at("distance_total_cm") / ((T - 1) / kRate), 1e-9);
    }

    void errorsNameTheSample() {
        const auto shortSample = trajectory(
            11, [](int64_t) { return 20.0; }, [](int64_t) { return 20.0; });
        try {
            openFieldFeatures(shortSample.data(), 11, {}, "sample 7 (rat-0008)");
            QFAIL("no error for 11 frames in 6 bins");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("sample 7 (rat-0008)") != std::string::npos,
                     e.what());
            QVERIFY2(std::string(e.what()).find("bins") != std::string::npos, e.what());
        }
        auto bad = trajectory(
            100, [](int64_t) { return 20.0; }, [](int64_t) { return 20.0; });
        bad[100 + 42] = std::nanf("");
        try {
            openFieldFeatures(bad.data(), 100, {}, "sample 3");
            QFAIL("no error for NaN");
        } catch (const DataError& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("sample 3") != std::string::npos && m.find("frame 42") != m.npos &&
                         m.find("NaN") != m.npos,
                     e.what());
        }
        OpenFieldFeatureOptions o;
        o.smoothingFrames = 4;
        QVERIFY_THROWS_EXCEPTION(ConfigError, openFieldFeatureNames(o));
        o = {};
        o.centreFraction = 1.5;
        QVERIFY_THROWS_EXCEPTION(ConfigError, openFieldFeatureNames(o));

        // A data set that is not (3, T), and one with a too-short sample length.
        Dataset notTrajectory;
        notTrajectory.name = "signals";
        notTrajectory.kind = DataKind::Signal;
        notTrajectory.sampleShape = {20};
        notTrajectory.values.assign(40, 0.0f);
        QVERIFY_THROWS_EXCEPTION(DataError, openFieldFeatureMatrix(notTrajectory));
        Dataset tiny;
        tiny.name = "tiny";
        tiny.sampleShape = {3, 4};
        tiny.values.assign(24, 0.0f);
        tiny.metadata.addStrings("animal", {"rat-a", "rat-b"});
        try {
            openFieldFeatureMatrix(tiny);
            QFAIL("no error for 4 frames");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("sample 0 (rat-a)") != std::string::npos, e.what());
        }
    }

    void standardisationOnFitRows() {
        Eigen::MatrixXd x = randomMatrix(20, 5, 11);
        x.col(2).setConstant(3.5);
        x(19, 2) = 100.0; // a non-fit row: the column is still constant on the fit rows
        std::vector<std::size_t> fit;
        for (std::size_t r = 0; r < 15; ++r)
            fit.push_back(r);
        const Eigen::MatrixXd z = standardiseColumns(x, fit);
        for (Eigen::Index c = 0; c < 5; ++c) {
            double mean = 0, ss = 0;
            for (std::size_t r : fit)
                mean += z(r, c);
            mean /= fit.size();
            for (std::size_t r : fit)
                ss += (z(r, c) - mean) * (z(r, c) - mean);
            CHECK_NEAR(mean, 0.0, 1e-12);
            CHECK_NEAR(std::sqrt(ss / fit.size()), c == 2 ? 0.0 : 1.0, 1e-12);
        }
        QVERIFY(z.col(2).isZero()); // constant -> 0 everywhere, the other rows included
        QVERIFY(z.allFinite());
        QVERIFY_THROWS_EXCEPTION(DataError, standardiseColumns(x, {}));
        QVERIFY_THROWS_EXCEPTION(DataError, standardiseColumns(x, {0, 20}));
    }

    void combinedEmbeddingShapeAndBlockScaleInvariance() {
        const Eigen::MatrixXd learned = randomMatrix(30, 12, 5);
        const Eigen::MatrixXd manual = randomMatrix(30, 8, 6);
        std::vector<std::size_t> fit;
        for (std::size_t r = 0; r < 30; r += 1)
            if (r % 5 != 4)
                fit.push_back(r); // 24 fit rows, 6 held out
        const Eigen::MatrixXd c = combinedEmbedding(learned, manual, fit, 10);
        QCOMPARE(c.rows(), Eigen::Index(30));
        QCOMPARE(c.cols(), Eigen::Index(10));
        QVERIFY(c.allFinite());
        // Centred on the fit rows.
        Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(10);
        for (std::size_t r : fit)
            mean += c.row(r);
        QVERIFY((mean / fit.size()).cwiseAbs().maxCoeff() < 1e-10);
        // Rescaling (and shifting) a whole block changes nothing.
        const Eigen::MatrixXd scaled =
            combinedEmbedding((learned * 1000.0).array() + 7.0, manual * 1e-3, fit, 10);
        QVERIFY2((scaled - c).cwiseAbs().maxCoeff() < 1e-8,
                 qPrintable(QString::number((scaled - c).cwiseAbs().maxCoeff())));
        // k is clipped by the data: 3 columns in all.
        QCOMPARE(combinedEmbedding(learned.leftCols(2), manual.leftCols(1), fit, 10).cols(),
                 Eigen::Index(3));
        QVERIFY_THROWS_EXCEPTION(DataError, combinedEmbedding(learned, manual.topRows(29), fit));
        QVERIFY_THROWS_EXCEPTION(DataError, combinedEmbedding(learned, manual, {0}));
    }

    void simulatorDoseEffectsAreVisible() {
        OpenFieldParams p;
        p.substances = 3;
        p.doses = 3;
        p.animalsPerGroup = 4;
        p.minutes = 5.0;
        p.seed = 2024;
        Dataset data = simulateOpenField(p);
        int progressCalls = 0;
        double lastFraction = 0;
        JobContext ctx([&](const Progress& pr) {
            ++progressCalls;
            lastFraction = pr.fraction;
        });
        const Eigen::MatrixXd f = openFieldFeatureMatrix(data, {}, ctx);
        QCOMPARE(f.rows(), Eigen::Index(data.sampleCount()));
        QCOMPARE(progressCalls, int(data.sampleCount()));
        QCOMPARE(lastFraction, 1.0);
        QVERIFY(f.allFinite());
        const std::vector<std::string> names = openFieldFeatureNames();
        auto column = [&](const std::string& name) {
            return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
        };
        auto report = [&](const std::string& name, const std::string& s) {
            const DoseTrend t = doseTrend(data, f, column(name), s, p.doses);
            qInfo("%s %s: control %.4g, dose %d %.4g, slope per dose %.4g", s.c_str(), name.c_str(),
                  t.control, p.doses, t.top, t.slope);
            return t;
        };
        // Ground truth (engine/src/openfield.cpp): S1 stimulant-like (speed x2, onset x3, stop
        // x0.4 at full effect), S2 sedative-like (speed x0.45, onset x0.3, stop x2.5), S3
        // anxiolytic-like (thigmotaxis x0.1: more time in the centre).
        const DoseTrend s1 = report("speed_mean_cm_s", "S1");
        QVERIFY(s1.slope > 0 && s1.top > s1.control);
        const DoseTrend s2 = report("speed_mean_cm_s", "S2");
        QVERIFY(s2.slope < 0 && s2.top < s2.control);
        const DoseTrend s3 = report("centre_time_fraction", "S3");
        QVERIFY(s3.slope > 0 && s3.top > s3.control);
        const DoseTrend imm = report("immobility_fraction", "S2");
        QVERIFY(imm.slope > 0 && imm.top > imm.control);
        report("rearing_count", "S1");
        report("rearing_count", "S2");
        report("wall_distance_mean_cm", "S3");

        // The manual model: standardised on train + val only (mark one experiment "test").
        std::vector<std::string> split = data.metadata.column(Dataset::kSplitColumn).strings;
        const auto& experiment = data.metadata.column("experiment").strings;
        for (std::size_t i = 0; i < split.size(); ++i)
            if (experiment[i] == "exp-1")
                split[i] = "test";
        data.metadata.addStrings(Dataset::kSplitColumn, split);
        const std::vector<std::size_t> fit = openFieldFitRows(data);
        QVERIFY(!fit.empty() && fit.size() < data.sampleCount());
        const Eigen::MatrixXd manual = manualEmbedding(data);
        QCOMPARE(manual.cols(), Eigen::Index(names.size()));
        for (Eigen::Index c = 0; c < manual.cols(); ++c) {
            double mean = 0;
            for (std::size_t r : fit)
                mean += manual(r, c);
            QVERIFY(std::abs(mean / fit.size()) < 1e-9);
        }
        QVERIFY(manual.allFinite());
        const Eigen::MatrixXd combined =
            combinedEmbedding(randomMatrix(manual.rows(), 16, 9), manual, fit, 10);
        QCOMPARE(combined.cols(), Eigen::Index(10));

        JobContext cancelled;
        cancelled.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, openFieldFeatureMatrix(data, {}, cancelled));
    }
};

QTEST_GUILESS_MAIN(TestOpenFieldFeatures)
#include "test_openfield_features.moc"
