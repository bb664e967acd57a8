// CurveOverlay over a ScatterScene in an off-screen VTK window (run under xvfb): curves in
// their group's legend colour through the expected pixels, centres as discs on them, markers
// in viridis by time with a colour bar, toggles that remove each layer, bad input rejected,
// and a baseline image compared with a tolerance (a missing baseline is written and fails).
#include "embedscope/engine/error.h"
#include "embedscope/viewer/curve_overlay.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

#include "../support/vtk_baseline.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkWindowToImageFilter.h>

#include <cmath>
#include <memory>

using embedscope::viewer::CurveOverlay;
using embedscope::viewer::CurveOverlayData;
using embedscope::viewer::OverlayCurve;
using embedscope::viewer::ScatterData;
using embedscope::viewer::ScatterScene;
using namespace embedscope::testing;

namespace {

constexpr int kWidth = 480;
constexpr int kHeight = 360;
// Two branches leaving a common start: "alpha" up to (10, 6), "beta" down to (10, -6), 12
// points each at times 0..11 (hours), sitting 0.9 off their branch line on alternating sides
// so the line itself runs between the markers. The curves are the branch lines and their
// centres the points at times 2, 5 and 8 projected onto them.
struct Scene {
    ScatterData scatter;
    CurveOverlayData overlay;
};

Scene branches(int dims) {
    Scene s;
    s.scatter.dims = dims;
    s.scatter.colorTitle = "perturbation";
    s.scatter.axisTitles = {"PC1", "PC2", "PC3"};
    for (int b = 0; b < 2; ++b) {
        const double sign = b == 0 ? 1.0 : -1.0;
        const std::string name = b == 0 ? "alpha" : "beta";
        OverlayCurve curve;
        curve.category = name;
        const double len = std::hypot(10.0, 6.0);
        const double nx = -sign * 6.0 / len; // unit normal of the branch
        const double ny = 10.0 / len;
        for (int t = 0; t < 12; ++t) {
            const double f = t / 11.0;
            const double side = (t % 2 == 0 ? 0.9 : -0.9);
            const double z = dims == 3 ? 3.0 * f * sign : 0.0;
            s.scatter.xyz.insert(s.scatter.xyz.end(),
                                 {10 * f + side * nx, sign * 6 * f + side * ny, z});
            s.scatter.categories.push_back(name);
            s.overlay.values.push_back(t);
        }
        for (int k = 0; k <= 10; ++k) {
            const double f = k / 10.0;
            curve.polyline.insert(curve.polyline.end(),
                                  {10 * f, sign * 6 * f, dims == 3 ? 3.0 * f * sign : 0.0});
        }
        for (int t : {2, 5, 8}) {
            const double f = t / 11.0;
            curve.centres.insert(curve.centres.end(),
                                 {10 * f, sign * 6 * f, dims == 3 ? 3.0 * f * sign : 0.0});
        }
        s.overlay.curves.push_back(curve);
    }
    s.overlay.valueTitle = "time";
    s.scatter.pointColors = CurveOverlay::valueColors(s.overlay.values);
    return s;
}

int countNear(vtkImageData* image, int x, int y, int radius, const Rgb& colour, int tolerance) {
    int count = 0;
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const int px = x + dx;
            const int py = y + dy;
            if (px >= 0 && py >= 0 && px < kWidth && py < kHeight &&
                maxChannelDiff(pixel(image, px, py), colour) <= tolerance)
                ++count;
        }
    return count;
}

} // namespace

class TestCurveOverlay : public QObject {
    Q_OBJECT

private:
    vtkSmartPointer<vtkRenderWindow> window_;
    std::unique_ptr<ScatterScene> scene_;
    std::unique_ptr<CurveOverlay> overlay_;

    void show(const Scene& s) {
        scene_->setData(s.scatter);
        overlay_->setData(s.overlay);
        window_->Render();
    }

    // Display position (pixels, origin bottom-left) of world point (x, y, z).
    std::array<int, 2> toDisplay(double x, double y, double z) const {
        vtkRenderer* ren = scene_->renderer();
        ren->SetWorldPoint(x, y, z, 1.0);
        ren->WorldToDisplay();
        double d[3];
        ren->GetDisplayPoint(d);
        return {int(std::lround(d[0])), int(std::lround(d[1]))};
    }

    void compareWithBaseline(const QString& name) {
        const QString why = embedscope::testing::baselineMismatch(
            window_, name, QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/viewer/baselines"),
            QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR));
        if (!why.isEmpty())
            QFAIL(qPrintable(why));
    }

private Q_SLOTS:
    void init() {
        window_ = vtkSmartPointer<vtkRenderWindow>::New();
        window_->SetOffScreenRendering(1);
        window_->SetMultiSamples(0);
        window_->SetSize(kWidth, kHeight);
        scene_ = std::make_unique<ScatterScene>();
        overlay_ = std::make_unique<CurveOverlay>(*scene_);
        window_->AddRenderer(scene_->renderer());
    }

    void cleanup() {
        overlay_.reset();
        window_->RemoveRenderer(scene_->renderer());
        window_->Finalize();
        scene_.reset();
        window_ = nullptr;
    }

    void viridisAndValueColours() {
        QCOMPARE(CurveOverlay::viridis(0.0), (Rgb{68, 1, 84}));
        QCOMPARE(CurveOverlay::viridis(1.0), (Rgb{253, 231, 37}));
        QCOMPARE(CurveOverlay::viridis(0.5), (Rgb{33, 144, 141}));
        QCOMPARE(CurveOverlay::viridis(-3.0), CurveOverlay::viridis(0.0));
        QCOMPARE(CurveOverlay::viridis(std::nan("")), CurveOverlay::viridis(0.0));
        // Linear between the stops 0 and 1/8: halfway = the mean of (68,1,84) and (71,44,122).
        QCOMPARE(CurveOverlay::viridis(1.0 / 16), (Rgb{70, 23, 103}));
        const auto c = CurveOverlay::valueColors({10, 30, std::nan(""), 20});
        QCOMPARE(c.size(), std::size_t(12));
        QCOMPARE((Rgb{c[0], c[1], c[2]}), CurveOverlay::viridis(0.0));
        QCOMPARE((Rgb{c[3], c[4], c[5]}), CurveOverlay::viridis(1.0));
        QCOMPARE((Rgb{c[6], c[7], c[8]}), ScatterScene::controlColor());
        QCOMPARE((Rgb{c[9], c[10], c[11]}), CurveOverlay::viridis(0.5));
        const auto constant = CurveOverlay::valueColors({4, 4});
        QCOMPARE((Rgb{constant[0], constant[1], constant[2]}), CurveOverlay::viridis(0.5));
    }

    void curvesPassThroughTheirPixelsInTheirColour() {
        show(branches(2));
        QCOMPARE(overlay_->curveCount(), std::size_t(2));
        QVERIFY(overlay_->curvesShown() && overlay_->centresShown() && overlay_->colorBarShown());
        auto image = grab(window_);
        // Between centres (f = 0.35 and 0.8 of each branch): on the line, away from markers.
        for (const auto& [name, sign] : {std::pair{"alpha", 1.0}, std::pair{"beta", -1.0}}) {
            const Rgb own = scene_->colorOfCategory(name);
            QCOMPARE(own, ScatterScene::palette()[name == std::string("alpha") ? 0 : 1]);
            for (double f : {0.35, 0.8}) {
                const auto p = toDisplay(10 * f, sign * 6 * f, 0);
                const Rgb got = pixel(image, p[0], p[1]);
                QVERIFY2(maxChannelDiff(got, own) <= 12,
                         qPrintable(QString("%1 at f=%2, pixel (%3,%4): %5, expected %6")
                                        .arg(name)
                                        .arg(f)
                                        .arg(p[0])
                                        .arg(p[1])
                                        .arg(describe(got), describe(own))));
            }
            // A centre: a disc of the curve colour wider than the line, with a dark edge.
            const double f = 5 / 11.0;
            const auto c = toDisplay(10 * f, sign * 6 * f, 0);
            QVERIFY2(countNear(image, c[0], c[1], 2, own, 12) == 25,
                     qPrintable(QString("centre of %1 not filled").arg(name)));
            QVERIFY2(countNear(image, c[0], c[1], 9, Rgb{40, 40, 40}, 40) >= 12,
                     qPrintable(QString("centre of %1 has no dark edge").arg(name)));
        }
    }

    void markersTakeViridisByTime() {
        const Scene s = branches(2);
        show(s);
        auto image = grab(window_);
        for (int i : {0, 11, 12, 23}) { // first and last time of each branch
            const auto pos = scene_->displayPosition(i);
            const Rgb expected = CurveOverlay::viridis(i % 12 == 0 ? 0.0 : 1.0);
            const Rgb got = pixel(image, int(std::lround(pos[0])), int(std::lround(pos[1])));
            QVERIFY2(maxChannelDiff(got, expected) <= 8,
                     qPrintable(QString("point %1: %2, expected %3")
                                    .arg(i)
                                    .arg(describe(got), describe(expected))));
        }
        // The legend still names the groups in the curves' colours.
        const std::vector<std::string> order{"alpha", "beta"};
        QCOMPARE(scene_->categoryOrder(), order);
    }

    void colourBarShowsTheMapBelowTheLegend() {
        show(branches(2));
        auto image = grab(window_);
        // The bar's strip: right of the plot (x >= 0.8), below the two-entry legend.
        const int x0 = int(0.8 * kWidth);
        auto countIn = [&](vtkImageData* im, const Rgb& c) {
            int n = 0;
            for (int y = 0; y < int(0.6 * kHeight); ++y)
                for (int x = x0; x < kWidth; ++x)
                    n += maxChannelDiff(pixel(im, x, y), c) <= 10 ? 1 : 0;
            return n;
        };
        const Rgb dark = CurveOverlay::viridis(0.0);
        const Rgb yellow = CurveOverlay::viridis(1.0);
        QVERIFY2(countIn(image, dark) > 20 && countIn(image, yellow) > 20,
                 qPrintable(QString("dark %1, yellow %2")
                                .arg(countIn(image, dark))
                                .arg(countIn(image, yellow))));
        overlay_->setPointsVisible(false);
        QVERIFY(!scene_->pointsVisible() && !overlay_->colorBarShown());
        window_->Render();
        auto hidden = grab(window_);
        QCOMPARE(countIn(hidden, dark) + countIn(hidden, yellow), 0);
    }

    void togglesRemoveEachLayer() {
        const Scene s = branches(2);
        show(s);
        const Rgb alpha = scene_->colorOfCategory("alpha");
        const auto onLine = toDisplay(10 * 0.35, 6 * 0.35, 0);
        const double fc = 5 / 11.0;
        const auto centre = toDisplay(10 * fc, 6 * fc, 0);
        const auto marker = scene_->displayPosition(0);
        const int mx = int(std::lround(marker[0]));
        const int my = int(std::lround(marker[1]));

        overlay_->setCurvesVisible(false);
        QVERIFY(!overlay_->curvesShown() && overlay_->centresShown());
        window_->Render();
        auto image = grab(window_);
        QVERIFY2(countNear(image, onLine[0], onLine[1], 1, alpha, 30) == 0,
                 "curve still drawn after hiding curves");
        QVERIFY2(countNear(image, centre[0], centre[1], 2, alpha, 12) == 25,
                 "centre disc gone with the curves");

        overlay_->setCentresVisible(false);
        window_->Render();
        image = grab(window_);
        QVERIFY2(countNear(image, centre[0], centre[1], 2, alpha, 30) == 0,
                 "centre still drawn after hiding centres");
        QVERIFY(maxChannelDiff(pixel(image, mx, my), CurveOverlay::viridis(0.0)) <= 8);

        overlay_->setPointsVisible(false);
        window_->Render();
        QCOMPARE(pixel(grab(window_), mx, my), (Rgb{255, 255, 255}));

        // Toggles persist across new data; turning all back on restores every layer.
        show(s);
        QVERIFY(!overlay_->curvesShown() && !overlay_->centresShown());
        overlay_->setCurvesVisible(true);
        overlay_->setCentresVisible(true);
        overlay_->setPointsVisible(true);
        window_->Render();
        image = grab(window_);
        QVERIFY(countNear(image, onLine[0], onLine[1], 0, alpha, 12) == 1);
        QVERIFY(maxChannelDiff(pixel(image, mx, my), CurveOverlay::viridis(0.0)) <= 8);

        overlay_->clear();
        QCOMPARE(overlay_->curveCount(), std::size_t(0));
        QVERIFY(!overlay_->curvesShown() && !overlay_->centresShown() &&
                !overlay_->colorBarShown());
    }

    void tubesIn3d() {
        show(branches(3));
        auto image = grab(window_);
        for (const auto& [name, sign] : {std::pair{"alpha", 1.0}, std::pair{"beta", -1.0}}) {
            const Rgb own = scene_->colorOfCategory(name);
            const Rgb other = scene_->colorOfCategory(sign > 0 ? "beta" : "alpha");
            const double f = 0.65;
            const auto p = toDisplay(10 * f, sign * 6 * f, 3 * f * sign);
            const Rgb got = pixel(image, p[0], p[1]);
            // Shaded tubes: not the exact colour, but clearly nearer their own than the other.
            QVERIFY2(got != (Rgb{255, 255, 255}) &&
                         maxChannelDiff(got, own) < maxChannelDiff(got, other),
                     qPrintable(QString("%1: %2").arg(name, describe(got))));
        }
    }

    void arrowHeadsOnDosePaths() {
        Scene s = branches(2);
        OverlayCurve path; // control -> dose 1 -> dose 2 along y = -8, in its own colour
        path.category = "S1";
        path.arrows = true;
        path.color = Rgb{200, 0, 150};
        path.polyline = {0, -8, 0, 5, -8, 0, 10, -8, 0};
        path.centres = {5, -8, 0, 10, -8, 0};
        s.overlay.curves.push_back(path);
        OverlayCurve tiny = path; // a 0.01 long segment: no room for a head
        tiny.polyline = {0, 8, 0, 0.01, 8, 0};
        tiny.centres.clear();
        s.overlay.curves.push_back(tiny);
        show(s);
        QCOMPARE(overlay_->arrowHeadCount(), std::size_t(2));
        auto image = grab(window_);
        // Just behind the tip of the second head (the tip stops a centre radius before x = 10),
        // the head is wider than the line: off the line's axis it still has the path colour.
        const auto onAxis = toDisplay(9.5, -8, 0);
        const auto offAxis = toDisplay(9.5, -8.1, 0);
        QVERIFY2(countNear(image, onAxis[0], onAxis[1], 3, *path.color, 20) >= 20,
                 "no arrowhead in the path colour before the last dose");
        QVERIFY2(maxChannelDiff(pixel(image, offAxis[0], offAxis[1]), *path.color) <= 20,
                 qPrintable(describe(pixel(image, offAxis[0], offAxis[1]))));
        overlay_->setCurvesVisible(false);
        window_->Render();
        image = grab(window_);
        QVERIFY(countNear(image, onAxis[0], onAxis[1], 3, *path.color, 20) == 0);
        overlay_->setCurvesVisible(true);
        // 3-D: cones, one per long segment.
        Scene s3 = branches(3);
        path.polyline = {0, -8, 0, 5, -8, 1, 10, -8, 2};
        path.centres.clear();
        s3.overlay.curves.push_back(path);
        show(s3);
        QCOMPARE(overlay_->arrowHeadCount(), std::size_t(2));
    }

    void invalidDataThrows() {
        show(branches(2));
        CurveOverlayData bad;
        bad.curves.push_back({"alpha", {0, 0, 0}, {}}); // one point: no line
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, overlay_->setData(bad));
        bad.curves[0].polyline = {0, 0, 0, 1, 1};
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, overlay_->setData(bad));
        bad.curves[0].polyline = {0, 0, 0, 1, std::nan(""), 0};
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, overlay_->setData(bad));
        bad.curves[0].polyline = {0, 0, 0, 1, 1, 0};
        bad.curves[0].centres = {1, 1};
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, overlay_->setData(bad));
        bad.curves[0].centres.clear();
        bad.values = {1, 2, 3};
        try {
            overlay_->setData(bad);
            QFAIL("expected DataError");
        } catch (const embedscope::DataError& e) {
            QVERIFY2(std::string(e.what()).find("3 values for 24 points") != std::string::npos,
                     e.what());
        }
        // Nothing changed: the previous two curves are still there.
        QCOMPARE(overlay_->curveCount(), std::size_t(2));
        ScatterData wrongColours = branches(2).scatter;
        wrongColours.pointColors.pop_back();
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, scene_->setData(wrongColours));
    }

    void baseline2d() {
        show(branches(2));
        compareWithBaseline("curves_2d");
    }

    void baseline3d() {
        show(branches(3));
        compareWithBaseline("curves_3d");
    }
};

QTEST_GUILESS_MAIN(TestCurveOverlay)
#include "test_curve_overlay.moc"
