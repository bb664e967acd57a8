// The open-field simulator: shape, metadata, splits, determinism, validation and a ground truth
// that can be measured back from the raw positions.
#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

using namespace embedscope;

namespace {

OpenFieldParams smallParams() {
    OpenFieldParams p;
    p.substances = 2;
    p.doses = 3;
    p.animalsPerGroup = 4;
    p.minutes = 0.5;
    p.experiments = 4;
    p.seed = 7;
    return p;
}

/// Behaviour of one group, measured from the raw samples (independently of the simulator).
struct GroupStats {
    double speedCmS = 0; ///< mean path length per second
    double centre = 0;   ///< fraction of steps with |x'|, |y'| < 0.5 (inner 20 x 20 cm)
    double rearing = 0;  ///< fraction of steps with z = 1
    int animals = 0;
};

std::map<std::string, GroupStats> measure(const Dataset& data, const OpenFieldParams& p) {
    std::map<std::string, GroupStats> stats;
    const auto& group = data.metadata.column("group");
    const int64_t T = data.sampleShape[1];
    const double cmPerUnit = p.cageCm / 2.0; // (-1, 1) spans the cage
    for (std::size_t i = 0; i < data.sampleCount(); ++i) {
        const float* x = data.sample(i);
        const float* y = x + T;
        const float* z = y + T;
        double path = 0, centre = 0, rear = 0;
        for (int64_t t = 0; t < T; ++t) {
            if (t > 0)
                path += std::hypot(x[t] - x[t - 1], y[t] - y[t - 1]) * cmPerUnit;
            centre += std::fabs(x[t]) < 0.5 && std::fabs(y[t]) < 0.5;
            rear += z[t];
        }
        GroupStats& g = stats[group.strings[i]];
        g.speedCmS += path / (T / p.rateHz);
        g.centre += centre / T;
        g.rearing += rear / T;
        ++g.animals;
    }
    for (auto& [name, g] : stats) {
        g.speedCmS /= g.animals;
        g.centre /= g.animals;
        g.rearing /= g.animals;
    }
    return stats;
}

} // namespace

class TestOpenField : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stepCount() {
        OpenFieldParams p;
        p.minutes = 60;
        QCOMPARE(openFieldSteps(p), int64_t(90000));
        p.minutes = 1;
        QCOMPARE(openFieldSteps(p), int64_t(1500));

        p.substances = 1;
        p.doses = 1;
        p.animalsPerGroup = 1;
        const Dataset d = simulateOpenField(p);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, 1500}));
        QCOMPARE(d.sampleCount(), std::size_t(2));
    }

    void shapeAndMetadata() {
        const OpenFieldParams p = smallParams();
        const Dataset d = simulateOpenField(p);
        d.validate("");
        QCOMPARE(d.name, std::string("openfield"));
        QVERIFY(d.kind == DataKind::Trajectory);
        QCOMPARE(d.sampleCount(), std::size_t((2 * 3 + 1) * 4));
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, 750}));
        for (const char* c : {"animal", "experiment", "substance", "dose", "group", "split"})
            QVERIFY2(d.metadata.has(c), c);
        QVERIFY(d.metadata.column("dose").numeric);
        QVERIFY(!d.metadata.column("group").numeric);

        std::map<std::string, int> perGroup;
        std::set<std::string> animals;
        const auto& md = d.metadata;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            const std::string group = md.column("group").strings[i];
            const std::string substance = md.column("substance").strings[i];
            const double dose = md.column("dose").numbers[i];
            ++perGroup[group];
            animals.insert(md.column("animal").strings[i]);
            if (substance == "control") {
                QCOMPARE(dose, 0.0);
                QCOMPARE(group, std::string("control"));
            } else {
                QVERIFY(dose >= 1 && dose <= 3);
                QCOMPARE(group, substance + "@" + std::to_string(int(dose)));
            }
        }
        QCOMPARE(perGroup.size(), std::size_t(7));
        for (const auto& [group, count] : perGroup)
            QCOMPARE(count, 4);
        QCOMPARE(perGroup.count("S2@3"), std::size_t(1));
        QCOMPARE(animals.size(), d.sampleCount());
        QCOMPARE(md.column("animal").strings[0], std::string("rat-0001"));
        // Animal a of every group belongs to experiment a % E.
        QCOMPARE(md.column("experiment").strings[1], std::string("exp-2"));
        QCOMPARE(md.column("experiment").strings[5], std::string("exp-2"));
        QVERIFY(nlohmann::json::parse(d.attributesJson).contains("ground_truth"));
    }

    void valueRanges() {
        const OpenFieldParams p = smallParams();
        const Dataset d = simulateOpenField(p);
        const std::size_t T = 750;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            const float* s = d.sample(i);
            for (std::size_t t = 0; t < 2 * T; ++t)
                QVERIFY(s[t] > -1.0f && s[t] < 1.0f);
            for (std::size_t t = 2 * T; t < 3 * T; ++t)
                QVERIFY(s[t] == 0.0f || s[t] == 1.0f);
        }
    }

    void determinism() {
        OpenFieldParams p = smallParams();
        const Dataset a = simulateOpenField(p);
        const Dataset b = simulateOpenField(p);
        QCOMPARE(a.values.size(), b.values.size());
        QVERIFY(std::memcmp(a.values.data(), b.values.data(), a.values.size() * 4) == 0);
        QCOMPARE(a.metadata.column("split").strings, b.metadata.column("split").strings);
        p.seed = 8;
        const Dataset c = simulateOpenField(p);
        QVERIFY(std::memcmp(a.values.data(), c.values.data(), a.values.size() * 4) != 0);

        // An animal's trajectory does not depend on how many substances follow it.
        p.seed = 7;
        p.substances = 1;
        const Dataset fewer = simulateOpenField(p);
        QVERIFY(std::memcmp(a.values.data(), fewer.values.data(), fewer.values.size() * 4) == 0);
    }

    void splitsByExperiment() {
        OpenFieldParams p = smallParams();
        p.animalsPerGroup = 8;
        p.experiments = 4;
        p.valFraction = 0.25;
        for (uint64_t seed : {1, 2, 3}) {
            p.seed = seed;
            const Dataset d = simulateOpenField(p);
            std::map<std::string, std::set<std::string>> splitsOf;
            const auto& md = d.metadata;
            for (std::size_t i = 0; i < d.sampleCount(); ++i)
                splitsOf[md.column("experiment").strings[i]].insert(md.column("split").strings[i]);
            QCOMPARE(splitsOf.size(), std::size_t(4));
            int val = 0;
            for (const auto& [experiment, splits] : splitsOf) {
                QCOMPARE(splits.size(), std::size_t(1)); // no experiment in both
                val += *splits.begin() == "val";
            }
            QCOMPARE(val, 1);
        }
        // Tiny fractions still give one val cohort; one cohort stays in train.
        p.valFraction = 0.05;
        QCOMPARE(simulateOpenField(p).indicesOfSplit("val").size(), std::size_t(7 * 2));
        p.experiments = 1;
        QCOMPARE(simulateOpenField(p).indicesOfSplit("val").size(), std::size_t(0));
    }

    void invalidParams_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("which");
        QTest::newRow("substances 0") << "substances" << 0;
        QTest::newRow("substances 51") << "substances" << 1;
        QTest::newRow("doses 0") << "doses" << 2;
        QTest::newRow("doses 11") << "doses" << 3;
        QTest::newRow("animals 0") << "animals" << 4;
        QTest::newRow("animals 1001") << "animals" << 5;
        QTest::newRow("minutes 0") << "minutes" << 6;
        QTest::newRow("minutes 601") << "minutes" << 7;
        QTest::newRow("experiments 0") << "experiments" << 8;
        QTest::newRow("valFraction 1") << "valFraction" << 9;
        QTest::newRow("valFraction -0.1") << "valFraction" << 10;
        QTest::newRow("minutes NaN") << "minutes" << 11;
    }

    void invalidParams() {
        QFETCH(QString, key);
        QFETCH(int, which);
        OpenFieldParams p = smallParams();
        switch (which) {
        case 0:
            p.substances = 0;
            break;
        case 1:
            p.substances = 51;
            break;
        case 2:
            p.doses = 0;
            break;
        case 3:
            p.doses = 11;
            break;
        case 4:
            p.animalsPerGroup = 0;
            break;
        case 5:
            p.animalsPerGroup = 1001;
            break;
        case 6:
            p.minutes = 0;
            break;
        case 7:
            p.minutes = 601;
            break;
        case 8:
            p.experiments = 0;
            break;
        case 9:
            p.valFraction = 1.0;
            break;
        case 10:
            p.valFraction = -0.1;
            break;
        case 11:
            p.minutes = std::nan("");
            break;
        }
        try {
            simulateOpenField(p);
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("'" + key.toStdString() + "'") != std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, openFieldGroundTruthJson(p));
    }

    void cancellationAndProgress() {
        int reports = 0;
        double last = 0;
        JobContext ctx([&](const Progress& progress) {
            ++reports;
            last = progress.fraction;
        });
        simulateOpenField(smallParams(), ctx);
        QCOMPARE(reports, 28);
        QCOMPARE(last, 1.0);
        ctx.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, simulateOpenField(smallParams(), ctx));
    }

    void groundTruthJson() {
        OpenFieldParams p = smallParams();
        p.substances = 6;
        const auto truth = nlohmann::json::parse(openFieldGroundTruthJson(p));
        QCOMPARE(truth["substances"].size(), std::size_t(6));
        QCOMPARE(truth["substances"][0]["profile"].get<std::string>(),
                 std::string("stimulant-like"));
        QCOMPARE(truth["substances"][1]["profile"].get<std::string>(),
                 std::string("sedative-like"));
        QCOMPARE(truth["substances"][2]["profile"].get<std::string>(),
                 std::string("anxiolytic-like"));
        QCOMPARE(truth["substances"][3]["profile"].get<std::string>(),
                 std::string("stereotypy-like"));
        // The effect grows monotonically with dose for every parameter.
        for (const auto& substance : truth["substances"]) {
            const auto& doses = substance["doses"];
            QCOMPARE(doses.size(), std::size_t(3));
            for (std::size_t d = 1; d < doses.size(); ++d) {
                QVERIFY(doses[d]["effect"].get<double>() > doses[d - 1]["effect"].get<double>());
                for (const auto& [key, value] : doses[d]["multipliers"].items()) {
                    const double now = std::log(value.get<double>());
                    const double before = std::log(doses[d - 1]["multipliers"][key].get<double>());
                    QVERIFY(std::fabs(now) >= std::fabs(before));
                }
            }
        }
        const auto& s1 = truth["substances"][0]["doses"];
        QVERIFY(s1[2]["multipliers"]["speed"].get<double>() > 1.3);
        QVERIFY(truth["substances"][2]["doses"][2]["multipliers"]["thigmotaxis"].get<double>() <
                0.5);
        QVERIFY(truth["substances"][3]["doses"][2]["turn_bias_rad_s"].get<double>() > 1.0);
    }

    void groundTruthIsMeasurable() {
        OpenFieldParams p;
        p.substances = 4;
        p.doses = 3;
        p.animalsPerGroup = 6;
        p.minutes = 10;
        p.seed = 3;
        QElapsedTimer timer;
        timer.start();
        const Dataset d = simulateOpenField(p);
        qInfo("simulated %zu rats x %lld steps in %lld ms", d.sampleCount(),
              static_cast<long long>(d.sampleShape[1]), static_cast<long long>(timer.elapsed()));
        auto s = measure(d, p);
        for (const auto& [name, g] : s)
            qInfo("%-8s speed %5.2f cm/s  centre %.3f  rearing %.3f", name.c_str(), g.speedCmS,
                  g.centre, g.rearing);
        const GroupStats& control = s["control"];
        // Believable baseline: a few cm/s, mostly near the walls, rearing a few % of the time.
        QVERIFY(control.speedCmS > 2 && control.speedCmS < 15);
        QVERIFY(control.centre > 0.01 && control.centre < 0.2);
        QVERIFY(control.rearing > 0.01 && control.rearing < 0.2);

        // S1 stimulant-like: faster, more rearing, growing with dose.
        QVERIFY(s["S1@3"].speedCmS > 1.3 * control.speedCmS);
        QVERIFY(s["S1@3"].speedCmS > 1.2 * s["S1@1"].speedCmS);
        QVERIFY(s["S1@3"].rearing > control.rearing);
        // S2 sedative-like: slower, less rearing.
        QVERIFY(s["S2@3"].speedCmS < 0.6 * control.speedCmS);
        QVERIFY(s["S2@3"].rearing < control.rearing);
        // S3 anxiolytic-like: more time in the centre.
        QVERIFY(s["S3@3"].centre > 1.5 * control.centre);
        // S4 stereotypy-like: less rearing.
        QVERIFY(s["S4@3"].rearing < control.rearing);

        // Monotone dose trends of the affected feature (10 % tolerance between neighbours).
        for (int dose = 2; dose <= 3; ++dose) {
            const std::string now = std::to_string(dose), before = std::to_string(dose - 1);
            QVERIFY(s["S1@" + now].speedCmS > 0.9 * s["S1@" + before].speedCmS);
            QVERIFY(s["S2@" + now].speedCmS < 1.1 * s["S2@" + before].speedCmS);
            QVERIFY(s["S3@" + now].centre > 0.9 * s["S3@" + before].centre);
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenField)
#include "test_openfield.moc"
