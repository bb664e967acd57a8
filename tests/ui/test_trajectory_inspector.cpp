// The trajectory inspector: summary numbers by hand, time colours, and what it paints.
#include "embedscope/ui/trajectory_inspector.h"

#include <QImage>
#include <QTest>

#include <cmath>

using embedscope::ui::TrajectoryInspector;

namespace {

// (3, T) sample in the (-1, 1) mapping of a `cage` cm cage from positions in cm.
std::vector<float> sample(const std::vector<double>& xCm, const std::vector<double>& yCm,
                          const std::vector<int>& z, double cage) {
    const std::size_t T = xCm.size();
    std::vector<float> v(3 * T);
    for (std::size_t i = 0; i < T; ++i) {
        v[i] = static_cast<float>(xCm[i] / cage * 2 - 1);
        v[T + i] = static_cast<float>(yCm[i] / cage * 2 - 1);
        v[2 * T + i] = static_cast<float>(z[i]);
    }
    return v;
}

int colourDistance(QColor a, QColor b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
           std::abs(a.blue() - b.blue());
}

} // namespace

class TestTrajectoryInspector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void viridisEnds() {
        QCOMPARE(TrajectoryInspector::timeColour(0.0), QColor(68, 1, 84));
        QCOMPARE(TrajectoryInspector::timeColour(1.0), QColor(253, 231, 37));
        QCOMPARE(TrajectoryInspector::timeColour(0.5), QColor(33, 144, 141));
        QCOMPARE(TrajectoryInspector::timeColour(-3.0), QColor(68, 1, 84)); // clamped
    }

    // A rat walking x = 5 .. 35 cm along y = 20 at 10 cm/s (25 Hz: 0.4 cm a step), rearing
    // in two episodes of 5 steps.
    void straightWalkSummary() {
        const int T = 76; // 75 steps of 0.4 cm = 30 cm in 3 s
        std::vector<double> x(T), y(T, 20.0);
        std::vector<int> z(T, 0);
        for (int i = 0; i < T; ++i)
            x[i] = 5.0 + 0.4 * i;
        for (int i = 10; i < 15; ++i)
            z[i] = 1;
        for (int i = 40; i < 45; ++i)
            z[i] = 1;
        TrajectoryInspector view;
        view.setTrajectory(sample(x, y, z, 40.0), 3, T, 25.0, 40.0, "walk");
        QVERIFY(view.hasTrajectory());
        const auto& s = view.summary();
        QVERIFY(std::abs(s.durationS - 3.0) < 1e-9);
        QVERIFY2(std::abs(s.distanceCm - 30.0) < 1e-3, qPrintable(QString::number(s.distanceCm)));
        QVERIFY(std::abs(s.meanSpeedCmS - 10.0) < 1e-3);
        QCOMPARE(s.rearingEpisodes, 2);
        QVERIFY(std::abs(s.rearingFraction - 10.0 / 76.0) < 1e-9);

        // Painted: the path's start is dark purple at the left of the cage, its end yellow.
        view.resize(900, 260);
        const QImage image = view.grab().toImage();
        int early = 0, late = 0;
        for (int py = 0; py < image.height(); ++py)
            for (int px = 0; px < image.width(); ++px) {
                const QColor c = image.pixelColor(px, py);
                early += colourDistance(c, TrajectoryInspector::timeColour(0.05)) < 40;
                late += colourDistance(c, TrajectoryInspector::timeColour(0.95)) < 40;
            }
        QVERIFY2(early > 20 && late > 20, qPrintable(QStringLiteral("%1 %2").arg(early).arg(late)));
        QVERIFY(image.save(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/trajectory_inspector.png")));
    }

    void notATrajectory() {
        TrajectoryInspector view;
        view.setTrajectory(std::vector<float>(10, 0.0f), 1, 10, 25.0, 40.0, "signal");
        QVERIFY(!view.hasTrajectory());
        view.setTrajectory(std::vector<float>(5, 0.0f), 3, 10, 25.0, 40.0, "short buffer");
        QVERIFY(!view.hasTrajectory());
    }

    void nanPositionsAreSkipped() {
        std::vector<double> x = {10, 11, NAN, 13, 14}, y(5, 20.0);
        TrajectoryInspector view;
        view.setTrajectory(sample(x, y, std::vector<int>(5, 0), 40.0), 3, 5, 25.0, 40.0, "gap");
        QVERIFY(view.hasTrajectory());
        QVERIFY(std::abs(view.summary().distanceCm - 2.0) < 1e-4); // 10->11 and 13->14 only
        view.resize(600, 200);
        QVERIFY(!view.grab().isNull());
    }
};

QTEST_MAIN(TestTrajectoryInspector)
#include "test_trajectory_inspector.moc"
