// Learning-rate schedules (optimization.h): the SPEC S1 cosine decay (seed 001 §3.3.2, eq. 3.3
// corrected), cosine with linear warm-up, step decay, constant, and config validation.
#include "embedscope/engine/error.h"
#include "embedscope/engine/optimization.h"

#include <QtTest>

#include <cmath>
#include <string>

using namespace embedscope;

namespace {

constexpr double kI = 1e-3;

bool near(double a, double b, double rel = 1e-12) {
    return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

ScheduleConfig cosine() {
    ScheduleConfig s;
    s.name = "cosine";
    s.finalFraction = 1e-2;
    s.power = 1;
    return s;
}

} // namespace

class TestSchedules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cosineHitsTheSeedEndPoints() {
        // SPEC S1: I = 1e-3, α = 1e-2, p = 1 → lr(0) = 1e-3, lr(T) = 1e-5 (seed 001 §3.3.2).
        const ScheduleConfig s = cosine();
        const int64_t T = 1000;
        QVERIFY(near(learningRateAt(s, kI, 0, T), 1e-3));
        // t = T/2: cos = 0, so I·[(1 − α)/2 + α] = 1e-3 · 0.505.
        QVERIFY(near(learningRateAt(s, kI, T / 2, T), 5.05e-4));
        // t = T/4: ½(1 + cos(π/4)) = 0.853553390593..., lr = 1e-3 · (0.99 · that + 0.01).
        QVERIFY(near(learningRateAt(s, kI, T / 4, T), 8.55017856687341e-4, 1e-11));
        QVERIFY(near(learningRateAt(s, kI, T, T), 1e-5));
        QVERIFY(near(learningRateAt(s, kI, 5 * T, T), 1e-5)); // stays at α·I past T
        // Strictly decreasing over [0, T].
        double previous = learningRateAt(s, kI, 0, T);
        for (int64_t t = 1; t <= T; ++t) {
            const double lr = learningRateAt(s, kI, t, T);
            QVERIFY2(lr < previous, qPrintable(QString("t = %1").arg(t)));
            previous = lr;
        }
    }

    void cosinePowerAndFraction() {
        ScheduleConfig s = cosine();
        s.power = 2; // (½)² at the midpoint: 1e-3 · (0.99 · 0.25 + 0.01)
        QVERIFY(near(learningRateAt(s, kI, 50, 100), 2.575e-4));
        QVERIFY(near(learningRateAt(s, kI, 0, 100), 1e-3));
        s.power = 1;
        s.finalFraction = 0; // plain cosine to zero
        QVERIFY(learningRateAt(s, kI, 100, 100) == 0.0);
        QVERIFY(near(learningRateAt(s, 2.0, 50, 100), 1.0));
    }

    void warmupRampsThenDecays() {
        ScheduleConfig s = cosine();
        s.name = "cosine-warmup";
        s.warmupSteps = 10;
        const int64_t T = 110; // 10 warm-up steps, then a cosine over 100
        QVERIFY(near(learningRateAt(s, kI, 0, T), 1e-4));
        QVERIFY(near(learningRateAt(s, kI, 4, T), 5e-4));
        QVERIFY(near(learningRateAt(s, kI, 9, T), 1e-3));
        double previous = 0;
        for (int64_t t = 0; t < 10; ++t) {
            const double lr = learningRateAt(s, kI, t, T);
            QVERIFY(lr > previous);
            QVERIFY(near(lr - previous, 1e-4, 1e-9)); // linear
            previous = lr;
        }
        QVERIFY(near(learningRateAt(s, kI, 10, T), 1e-3)); // cosine starts at I
        QVERIFY(near(learningRateAt(s, kI, 60, T), 5.05e-4));
        QVERIFY(near(learningRateAt(s, kI, 110, T), 1e-5));
        // No warm-up: the plain cosine.
        s.warmupSteps = 0;
        for (int64_t t : {0, 37, 110})
            QVERIFY(near(learningRateAt(s, kI, t, T), learningRateAt(cosine(), kI, t, T)));
    }

    void stepDecay() {
        ScheduleConfig s;
        s.name = "step";
        s.stepSize = 3;
        s.gamma = 0.1;
        for (int64_t t : {0, 1, 2})
            QVERIFY(near(learningRateAt(s, kI, t, 100), 1e-3));
        for (int64_t t : {3, 4, 5})
            QVERIFY(near(learningRateAt(s, kI, t, 100), 1e-4));
        QVERIFY(near(learningRateAt(s, kI, 6, 100), 1e-5));
        QVERIFY(near(learningRateAt(s, kI, 10, 100), 1e-6));
    }

    void constantIsTheBase() {
        const ScheduleConfig s;
        QCOMPARE(s.name, std::string("constant"));
        for (int64_t t : {0, 50, 100, 1000})
            QCOMPARE(learningRateAt(s, 3e-3, t, 100), 3e-3);
    }

    void namesListTheFour() {
        QCOMPARE(scheduleNames(),
                 (std::vector<std::string>{"constant", "step", "cosine", "cosine-warmup"}));
    }

    void validationNamesTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("schedule");
        QTest::newRow("stepSize 0") << "stepSize" << 0.0 << "step";
        QTest::newRow("gamma 0") << "gamma" << 0.0 << "step";
        QTest::newRow("warmupSteps -1") << "warmupSteps" << -1.0 << "cosine-warmup";
        QTest::newRow("finalFraction 1.5") << "finalFraction" << 1.5 << "cosine";
        QTest::newRow("finalFraction -0.1") << "finalFraction" << -0.1 << "cosine-warmup";
        QTest::newRow("finalFraction nan") << "finalFraction" << double(NAN) << "cosine";
        QTest::newRow("power 0") << "power" << 0.0 << "cosine";
        QTest::newRow("power inf") << "power" << double(INFINITY) << "cosine";
    }

    void validationNamesTheField() {
        QFETCH(QString, field);
        QFETCH(double, value);
        QFETCH(QString, schedule);
        ScheduleConfig s;
        s.name = schedule.toStdString();
        s.stepSize = 5;
        const std::string f = field.toStdString();
        if (f == "stepSize")
            s.stepSize = int64_t(value);
        else if (f == "warmupSteps")
            s.warmupSteps = int64_t(value);
        else
            (f == "gamma" ? s.gamma : f == "finalFraction" ? s.finalFraction : s.power) = value;
        try {
            validate(s);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("schedule." + f) != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, learningRateAt(s, kI, 0, 10));
    }

    void otherBadInput() {
        ScheduleConfig s;
        s.name = "exponential";
        try {
            validate(s);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY(std::string(e.what()).find("schedule.name") != std::string::npos);
            QVERIFY(std::string(e.what()).find("exponential") != std::string::npos);
        }
        s.name = "constant";
        s.stepSize = 0; // only the step schedule needs a step size
        validate(s);
        QVERIFY_THROWS_EXCEPTION(ConfigError, learningRateAt(s, kI, -1, 10));
        QVERIFY_THROWS_EXCEPTION(ConfigError, learningRateAt(s, kI, 0, -1));
    }
};

QTEST_GUILESS_MAIN(TestSchedules)
#include "test_schedules.moc"
