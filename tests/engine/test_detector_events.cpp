// Detector events (SPEC S2, seed 002 §4.4): the x-y rasterizer on hand-made events, its error
// cases, and the TPC-like simulator (balance, labels, split, determinism, class statistics).
#include "embedscope/engine/detector_events.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

RasterOptions box4() {
    RasterOptions o;
    o.width = 4;
    o.height = 4;
    o.xMin = 0;
    o.xMax = 4;
    o.yMin = 0;
    o.yMax = 4;
    return o;
}

float at(const std::vector<float>& images, int event, int row, int col, int w = 4, int h = 4) {
    return images[static_cast<std::size_t>(event * w * h + row * w + col)];
}

template <typename F> void expectError(F&& f, const QString& needle1, const QString& needle2) {
    try {
        f();
        QFAIL("no exception");
    } catch (const Error& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(needle1) && what.contains(needle2), qPrintable(what));
    }
}

/// Charge per mm of track, computed from the raw points only (noise-free events): total charge
/// over the largest distance of any point from the first one (the vertex end).
double chargePerMm(const DetectorEvent& e) {
    double q = 0, extent = 0;
    for (const auto& p : e) {
        q += p.charge;
        extent = std::max(extent, double(std::hypot(p.x - e[0].x, p.y - e[0].y)));
    }
    return q / std::max(extent, 1.0);
}

} // namespace

class TestDetectorEvents : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pixelSumsAndScaling() {
        // Pixel (row, col): col = floor(x / 4 * 4), row = floor((4 - y) / 4 * 4).
        const std::vector<DetectorEvent> events = {
            {{0.5f, 0.5f, 0, 1}, {0.9f, 0.1f, 7, 1}, {2.5f, 3.5f, 0, 4}}, {{1.5f, 2.5f, 0, 0.25f}}};
        RasterStats stats;
        const auto images = rasterizeEvents(events, box4(), "hand", &stats);
        QCOMPARE(images.size(), std::size_t(2 * 16));
        // Event 0: (0.5, 0.5) and (0.9, 0.1) share pixel (3, 0): 1 + 1 = 2; (2.5, 3.5) -> (0, 2)
        // with 4; divided by the maximum 4.
        QCOMPARE(at(images, 0, 3, 0), 0.5f);
        QCOMPARE(at(images, 0, 0, 2), 1.0f);
        double sum = 0;
        for (int k = 0; k < 16; ++k)
            sum += images[static_cast<std::size_t>(k)];
        QCOMPARE(sum, 1.5);
        // Event 1: one point at (1, 1), scaled by its own maximum to 1.
        QCOMPARE(at(images, 1, 1, 1), 1.0f);
        QCOMPARE(*std::max_element(images.begin() + 16, images.end()), 1.0f);
        QCOMPARE(stats.pointsUsed, std::size_t(4));
        QCOMPARE(stats.pointsDropped, std::size_t(0));
    }

    void pointsOutsideAreDroppedAndEdgesKept() {
        const std::vector<DetectorEvent> events = {{{4.0f, 4.0f, 0, 1},     // corner: kept, (0, 3)
                                                    {0.0f, 0.0f, 0, 1},     // corner: kept, (3, 0)
                                                    {4.01f, 2.0f, 0, 9},    // outside
                                                    {-0.1f, 2.0f, 0, 9},    // outside
                                                    {2.0f, 100.0f, 0, 9}}}; // outside
        RasterStats stats;
        const auto images = rasterizeEvents(events, box4(), "edges", &stats);
        QCOMPARE(stats.pointsDropped, std::size_t(3));
        QCOMPARE(stats.pointsUsed, std::size_t(2));
        QCOMPARE(at(images, 0, 0, 3), 1.0f);
        QCOMPARE(at(images, 0, 3, 0), 1.0f);
        double sum = 0;
        for (float v : images)
            sum += v;
        QCOMPARE(sum, 2.0);
    }

    void jointExtentFromAllEvents() {
        const std::vector<DetectorEvent> events = {{{-2.0f, 1.0f, 0, 1}, {0.0f, 2.0f, 0, 1}},
                                                   {{6.0f, 3.0f, 0, 2}}};
        RasterOptions o;
        o.width = 8;
        o.height = 2; // default extents 0..0: taken from the data
        RasterStats stats;
        const auto images = rasterizeEvents(events, o, "auto", &stats);
        QCOMPARE(stats.xMin, -2.0);
        QCOMPARE(stats.xMax, 6.0);
        QCOMPARE(stats.yMin, 1.0);
        QCOMPARE(stats.yMax, 3.0);
        QCOMPARE(stats.pointsDropped, std::size_t(0));
        // (-2, 1): col 0, bottom row 1. (0, 2): col floor(2 / 8 * 8) = 2, row floor(0.5 * 2) = 1.
        QCOMPARE(images[1 * 8 + 0], 1.0f);
        QCOMPARE(images[1 * 8 + 2], 1.0f);
        // (6, 3) of event 1: last column, top row.
        QCOMPARE(images[16 + 0 * 8 + 7], 1.0f);
        // One x value only: a unit-wide extent centred on it.
        const std::vector<DetectorEvent> line = {{{5.0f, 0.0f, 0, 1}, {5.0f, 1.0f, 0, 1}}};
        const auto img = rasterizeEvents(line, o, "line", &stats);
        QCOMPARE(stats.xMin, 4.5);
        QCOMPARE(stats.xMax, 5.5);
        QCOMPARE(img[0 * 8 + 4], 1.0f);
        QCOMPARE(img[1 * 8 + 4], 1.0f);
    }

    void zeroChargeStaysZeroAndEmptyListIsEmpty() {
        const auto images = rasterizeEvents({{{1.0f, 1.0f, 0, 0}}}, box4(), "zero");
        QCOMPARE(*std::max_element(images.begin(), images.end()), 0.0f);
        QVERIFY(rasterizeEvents({}, box4(), "none").empty());
    }

    void errorsNameOriginAndEvent() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        const DetectorEvent ok = {{1, 1, 0, 1}};
        expectError(
            [&] {
                rasterizeEvents({ok, {}}, box4(), "run7.csv");
            },
            "run7.csv", "event 1 has no points");
        expectError(
            [&] {
                rasterizeEvents({ok, ok, {{nan, 1, 0, 1}}}, box4(), "f.h5");
            },
            "f.h5", "event 2, point 0: x");
        expectError(
            [&] {
                rasterizeEvents({{{1, 1, 0, 1}, {1, 1, inf, 1}}}, box4(), "f.h5");
            },
            "event 0", "point 1: t");
        expectError(
            [&] {
                rasterizeEvents({{{1, 1, 0, inf}}}, box4(), "f.h5");
            },
            "event 0", "charge is NaN or infinite");
        expectError(
            [&] {
                rasterizeEvents({ok, {{1, 1, 0, -0.5f}}}, box4(), "neg.csv");
            },
            "neg.csv", "event 1, point 0: negative charge");
        RasterOptions o = box4();
        o.width = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, rasterizeEvents({ok}, o, "size"));
        o.width = 4;
        o.height = 4097;
        QVERIFY_THROWS_EXCEPTION(ConfigError, rasterizeEvents({ok}, o, "size"));
    }

    void simulatorClassesLabelsAndSplit() {
        TpcParams p;
        p.perClass = 60;
        p.imageSize = 64;
        const Dataset d = simulateTpcEvents(p);
        d.validate("tpc test");
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 64, 64}));
        QCOMPARE(d.sampleCount(), std::size_t(120));
        const auto& label = d.metadata.column("label").strings;
        const auto& id = d.metadata.column("label_id").numbers;
        const auto& split = d.metadata.column("split").strings;
        std::map<std::string, int> perClassSplit;
        for (std::size_t i = 0; i < 120; ++i) {
            QCOMPARE(label[i], std::string(i % 2 ? "carbon" : "proton"));
            QCOMPARE(id[i], double(i % 2));
            ++perClassSplit[label[i] + "/" + split[i]];
            // Every image holds its track: the brightest pixel is exactly 1.
            const float* s = d.sample(i);
            QCOMPARE(*std::max_element(s, s + 64 * 64), 1.0f);
            QCOMPARE(*std::min_element(s, s + 64 * 64), 0.0f);
        }
        // 70 / 15 / 15 per class: round(0.15 * 60) = 9 test, 9 val, 42 train.
        for (const char* c : {"proton", "carbon"}) {
            QCOMPARE(perClassSplit[std::string(c) + "/train"], 42);
            QCOMPARE(perClassSplit[std::string(c) + "/val"], 9);
            QCOMPARE(perClassSplit[std::string(c) + "/test"], 9);
        }
    }

    void rawEventsAreWhatIsRasterized() {
        TpcParams p;
        p.perClass = 20;
        p.imageSize = 32;
        p.seed = 3;
        const TpcEvents raw = simulateTpcEventPoints(p);
        QCOMPARE(raw.events.size(), std::size_t(40));
        const Dataset d = simulateTpcEvents(p);
        QCOMPARE(rasterizeEvents(raw.events, tpcRasterOptions(p), "raw"), d.values);
        for (const auto& e : raw.events)
            for (const auto& pt : e) {
                QVERIFY(std::hypot(pt.x, pt.y) <= 275.0f + 5.0f); // diffusion may cross by mm
                QVERIFY(pt.t >= 0.0f && pt.t <= 512.0f);
                QVERIFY(pt.charge >= 0.0f);
            }
    }

    void deterministicForASeed() {
        TpcParams p;
        p.perClass = 15;
        p.imageSize = 32;
        p.seed = 9;
        const Dataset a = simulateTpcEvents(p), b = simulateTpcEvents(p);
        QCOMPARE(a.values, b.values);
        QCOMPARE(a.metadata.column("split").strings, b.metadata.column("split").strings);
        p.seed = 10;
        QVERIFY(simulateTpcEvents(p).values != a.values);
    }

    void classesDifferInChargePerLengthAndLength() {
        TpcParams p;
        p.perClass = 100;
        p.noisePoints = 0.0; // statistics of the tracks alone
        const TpcEvents raw = simulateTpcEventPoints(p);
        double qpm[2] = {0, 0}, extent[2] = {0, 0};
        for (std::size_t i = 0; i < raw.events.size(); ++i) {
            const auto& e = raw.events[i];
            qpm[raw.labels[i]] += chargePerMm(e) / 100.0;
            double far = 0;
            for (const auto& pt : e)
                far = std::max(far, double(std::hypot(pt.x - e[0].x, pt.y - e[0].y)));
            extent[raw.labels[i]] += far / 100.0;
        }
        // Carbon: k = 8 vs 1 and a steeper Bragg rise over its short range: several times the
        // charge per mm. Protons: transverse extent ~ range * sin(theta) (80-250 mm, 20-80 deg)
        // against 12-40 mm for carbon.
        QVERIFY2(qpm[1] > 5.0 * qpm[0], qPrintable(QString("%1 vs %2").arg(qpm[1]).arg(qpm[0])));
        QVERIFY2(extent[0] > 3.0 * extent[1],
                 qPrintable(QString("%1 vs %2").arg(extent[0]).arg(extent[1])));
        // Bragg rise: along a proton track, the last quarter of the points carries more charge
        // than the first quarter (on average over events).
        double first = 0, last = 0;
        for (std::size_t i = 0; i < raw.events.size(); i += 2) {
            const auto& e = raw.events[i];
            const std::size_t q = e.size() / 4;
            for (std::size_t k = 0; k < q; ++k) {
                first += e[k].charge;
                last += e[e.size() - 1 - k].charge;
            }
        }
        QVERIFY2(last > 1.5 * first, qPrintable(QString("%1 vs %2").arg(last).arg(first)));
    }

    void noisePointsAreAdded() {
        TpcParams p;
        p.perClass = 100;
        p.noisePoints = 0.0;
        const TpcEvents clean = simulateTpcEventPoints(p);
        p.noisePoints = 20.0;
        const TpcEvents noisy = simulateTpcEventPoints(p);
        double extra = 0;
        for (std::size_t i = 0; i < clean.events.size(); ++i)
            extra += double(noisy.events[i].size()) - double(clean.events[i].size());
        extra /= double(clean.events.size());
        // Poisson(20) per event: the mean over 200 events has a standard error of 0.32.
        QVERIFY2(std::abs(extra - 20.0) < 1.5, qPrintable(QString::number(extra)));
    }

    void badParametersAndCancellation() {
        TpcParams p;
        p.perClass = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, simulateTpcEvents(p));
        p = TpcParams{};
        p.noisePoints = -1;
        QVERIFY_THROWS_EXCEPTION(ConfigError, simulateTpcEvents(p));
        p = TpcParams{};
        p.valFraction = 0.6;
        p.testFraction = 0.4;
        QVERIFY_THROWS_EXCEPTION(ConfigError, simulateTpcEvents(p));
        p = TpcParams{};
        p.imageSize = 4;
        QVERIFY_THROWS_EXCEPTION(ConfigError, simulateTpcEvents(p));
        JobContext ctx;
        ctx.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, simulateTpcEvents(TpcParams{}, ctx));
    }
};

QTEST_GUILESS_MAIN(TestDetectorEvents)
#include "test_detector_events.moc"
