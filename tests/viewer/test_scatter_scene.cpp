// ScatterScene rendered in an off-screen VTK window (run under xvfb): colours, picking, export,
// and a baseline image compared with a tolerance (a missing baseline is written and fails).
#include "embedscope/engine/error.h"
#include "embedscope/viewer/png_export.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
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
#include <cstdlib>
#include <memory>

using embedscope::viewer::ScatterData;
using embedscope::viewer::ScatterScene;
using namespace embedscope::testing;

namespace {

constexpr int kWidth = 400;
constexpr int kHeight = 300;
// Baseline tolerance: tests/support/vtk_baseline.h (single marker positions are pinned by the
// pixel tests instead).

// Three groups of three points, well apart (> 20 px on screen) so each centre pixel is clean.
ScatterData threeGroups(int dims) {
    ScatterData d;
    d.dims = dims;
    d.xyz = {-8, -6, 0, -6, 5,  4,  -3, 0,  -2,  // alpha
             2,  6,  2, 6,  -5, -4, 9,  3,  0,   // beta
             0,  -2, 0, 4,  1,  6,  -4, -7, -6}; // control
    d.categories = {"alpha", "alpha",   "alpha",   "beta",   "beta",
                    "beta",  "control", "control", "control"};
    for (int i = 0; i < 9; ++i)
        d.labels.push_back("sample " + std::to_string(i));
    d.colorTitle = "group";
    d.axisTitles = {"PC1", "PC2", "PC3"};
    return d;
}

} // namespace

class TestScatterScene : public QObject {
    Q_OBJECT

private:
    vtkSmartPointer<vtkRenderWindow> window_;
    std::unique_ptr<ScatterScene> scene_;

    void show(const ScatterData& data) {
        scene_->setData(data);
        window_->Render();
    }

    // F3D's rule: compare with tests/viewer/baselines/<name>.png; a missing baseline is written
    // and the test fails so that someone looks at it before committing it.
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
        window_->SetMultiSamples(0); // identical pixels run to run
        window_->SetSize(kWidth, kHeight);
        scene_ = std::make_unique<ScatterScene>();
        window_->AddRenderer(scene_->renderer());
    }

    void cleanup() {
        window_->RemoveRenderer(scene_->renderer());
        window_->Finalize();
        scene_.reset();
        window_ = nullptr;
    }

    void paletteAndControlColour() {
        show(threeGroups(2));
        const auto palette = ScatterScene::palette();
        QVERIFY(palette.size() >= 10);
        QCOMPARE(scene_->colorOfCategory("alpha"), palette[0]);
        QCOMPARE(scene_->colorOfCategory("beta"), palette[1]);
        const Rgb grey{153, 153, 153};
        QCOMPARE(ScatterScene::controlColor(), grey);
        QCOMPARE(scene_->colorOfCategory("control"), grey);
        QCOMPARE(scene_->colorOfCategory("Control"), grey);
        for (const auto& c : palette)
            QVERIFY2(c != grey, "the palette must not contain the control grey");
        const std::vector<std::string> order{"control", "alpha", "beta"};
        QCOMPARE(scene_->categoryOrder(), order);
    }

    void naturalOrderOfCategories() {
        ScatterData d;
        d.xyz = {0, 0, 0, 1, 1, 0, 2, 2, 0};
        d.categories = {"dose 10", "dose 2", "dose 1"};
        show(d);
        const std::vector<std::string> order{"dose 1", "dose 2", "dose 10"};
        QCOMPARE(scene_->categoryOrder(), order);
        QCOMPARE(scene_->colorOfCategory("dose 10"), ScatterScene::palette()[2]);
    }

    void backgroundIsWhiteAndPointsHaveTheirColour() {
        show(threeGroups(2));
        auto image = grab(window_);
        int dims[3];
        image->GetDimensions(dims);
        QCOMPARE(dims[0], kWidth);
        QCOMPARE(dims[1], kHeight);
        int white = 0;
        for (int y = 0; y < kHeight; ++y)
            for (int x = 0; x < kWidth; ++x)
                white += pixel(image, x, y) == Rgb{255, 255, 255} ? 1 : 0;
        QVERIFY2(white > kWidth * kHeight * 0.8, qPrintable(QString("white pixels %1").arg(white)));

        const auto& data = scene_->data();
        for (int i = 0; i < int(scene_->pointCount()); ++i) {
            const auto pos = scene_->displayPosition(i);
            QVERIFY(pos[0] > 0 && pos[0] < kWidth && pos[1] > 0 && pos[1] < kHeight);
            const Rgb expected = scene_->colorOfCategory(data.categories[size_t(i)]);
            const Rgb got = pixel(image, int(std::lround(pos[0])), int(std::lround(pos[1])));
            QVERIFY2(maxChannelDiff(got, expected) <= 6,
                     qPrintable(QString("point %1: pixel %2, expected %3")
                                    .arg(i)
                                    .arg(describe(got), describe(expected))));
        }
    }

    void pickNearestFindsEachPoint() {
        show(threeGroups(2));
        for (int i = 0; i < int(scene_->pointCount()); ++i) {
            const auto pos = scene_->displayPosition(i);
            QCOMPARE(scene_->pickNearest(pos[0] + 3, pos[1] - 2), i);
        }
        QCOMPARE(scene_->pickNearest(2, kHeight - 3), -1);
        const auto pos = scene_->displayPosition(4);
        QCOMPARE(scene_->pickNearest(pos[0] + 20, pos[1], 12), -1);
        QCOMPARE(scene_->pickNearest(pos[0] + 20, pos[1], 25), 4);
        QCOMPARE(scene_->labelOf(4), std::string("sample 4"));
    }

    void pickAndColoursIn3d() {
        show(threeGroups(3));
        auto image = grab(window_);
        const auto& data = scene_->data();
        for (int i = 0; i < int(scene_->pointCount()); ++i) {
            const auto pos = scene_->displayPosition(i);
            QCOMPARE(scene_->pickNearest(pos[0] + 1, pos[1] + 1), i);
            // Shaded spheres: not the exact colour, but clearly not background and nearer to
            // their own category's colour than to the other categories'.
            const Rgb got = pixel(image, int(std::lround(pos[0])), int(std::lround(pos[1])));
            QVERIFY2(got != (Rgb{255, 255, 255}), qPrintable(QString("point %1 missing").arg(i)));
            const std::string own = data.categories[size_t(i)];
            const int ownDiff = maxChannelDiff(got, scene_->colorOfCategory(own));
            for (const std::string other : {"alpha", "beta", "control"}) {
                if (other != own)
                    QVERIFY2(ownDiff < maxChannelDiff(got, scene_->colorOfCategory(other)),
                             qPrintable(QString("point %1: %2").arg(i).arg(describe(got))));
            }
        }
    }

    void highlightDrawsARing() {
        show(threeGroups(2));
        const auto pos = scene_->displayPosition(3);
        auto darkAround = [&](vtkImageData* image) {
            int dark = 0;
            for (int dy = -15; dy <= 15; ++dy)
                for (int dx = -15; dx <= 15; ++dx) {
                    const Rgb c = pixel(image, int(pos[0]) + dx, int(pos[1]) + dy);
                    dark += (c[0] < 60 && c[1] < 60 && c[2] < 60) ? 1 : 0;
                }
            return dark;
        };
        const int before = darkAround(grab(window_));
        scene_->highlight(3);
        QCOMPARE(scene_->highlighted(), 3);
        window_->Render();
        const int after = darkAround(grab(window_));
        QVERIFY2(after > before + 20, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
        scene_->highlight(-1);
        QCOMPARE(scene_->highlighted(), -1);
        window_->Render();
        QCOMPARE(darkAround(grab(window_)), before);
    }

    void invalidDataThrows() {
        ScatterData d;
        d.xyz = {0, 0, 0, 1, 1};
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, scene_->setData(d));
        d.xyz = {0, 0, 0, 1, 1, 1};
        d.categories = {"a"};
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, scene_->setData(d));
        d.categories.clear();
        d.xyz[4] = std::nan("");
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, scene_->setData(d));
        d.xyz[4] = 1;
        d.dims = 4;
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError, scene_->setData(d));
    }

    void emptyDataRendersBackground() {
        show(ScatterData{});
        QCOMPARE(scene_->pickNearest(200, 150), -1);
        auto image = grab(window_);
        QCOMPARE(pixel(image, 200, 150), (Rgb{255, 255, 255}));
    }

    void exportPngWritesReadableFile() {
        show(threeGroups(2));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (int scale : {1, 2}) {
            const std::string path =
                dir.filePath(QString("scatter_%1.png").arg(scale)).toStdString();
            embedscope::viewer::exportPng(window_, path, scale);
            vtkNew<vtkPNGReader> reader;
            QVERIFY(reader->CanReadFile(path.c_str()));
            reader->SetFileName(path.c_str());
            reader->Update();
            int dims[3];
            reader->GetOutput()->GetDimensions(dims);
            QCOMPARE(dims[0], kWidth * scale);
            QCOMPARE(dims[1], kHeight * scale);
        }
        const std::string bad = dir.filePath("no/such/dir/x.png").toStdString();
        try {
            embedscope::viewer::exportPng(window_, bad, 1);
            QFAIL("expected IoError");
        } catch (const embedscope::IoError& e) {
            QVERIFY2(std::string(e.what()).find(bad) != std::string::npos, e.what());
        }
    }

    void baseline2d() {
        show(threeGroups(2));
        scene_->highlight(0);
        window_->Render();
        compareWithBaseline("scatter_2d");
    }

    void baseline3d() {
        show(threeGroups(3));
        compareWithBaseline("scatter_3d");
    }
};

QTEST_GUILESS_MAIN(TestScatterScene)
#include "test_scatter_scene.moc"
