// ScatterScene rendered in an off-screen VTK window (run under xvfb): colours, picking, export,
// and a baseline image compared with a tolerance (a missing baseline is written and fails).
#include "embedscope/engine/error.h"
#include "embedscope/viewer/png_export.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

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
using Rgb = std::array<unsigned char, 3>;

namespace {

constexpr int kWidth = 400;
constexpr int kHeight = 300;
// Baseline tolerance. The image is mostly white, so the mean absolute difference per channel
// (0-255) alone dilutes local changes; the share of clearly different pixels (a channel off by
// more than 64) catches a moved legend, axis or group. Both allow antialiasing drift between
// Mesa versions; single marker positions are pinned by the pixel tests instead.
constexpr double kMaxMeanAbsDiff = 1.5;
constexpr double kMaxChangedFraction = 0.003;

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

vtkSmartPointer<vtkImageData> grab(vtkRenderWindow* window) {
    vtkNew<vtkWindowToImageFilter> filter;
    filter->SetInput(window);
    filter->SetInputBufferTypeToRGB();
    filter->ReadFrontBufferOff();
    filter->Update();
    vtkSmartPointer<vtkImageData> image = filter->GetOutput();
    return image;
}

Rgb pixel(vtkImageData* image, int x, int y) {
    auto* p = static_cast<unsigned char*>(image->GetScalarPointer(x, y, 0));
    return {p[0], p[1], p[2]};
}

int maxChannelDiff(const Rgb& a, const Rgb& b) {
    int diff = 0;
    for (int k = 0; k < 3; ++k)
        diff = std::max(diff, std::abs(int(a[k]) - int(b[k])));
    return diff;
}

QString describe(const Rgb& c) {
    return QString("(%1,%2,%3)").arg(c[0]).arg(c[1]).arg(c[2]);
}

struct ImageDiff {
    bool sameSize = false;
    double meanAbs = 0;         // mean |a - b| over all RGB channels
    double changedFraction = 0; // pixels with a channel off by more than 64
};

ImageDiff compareImages(vtkImageData* a, vtkImageData* b) {
    int da[3];
    int db[3];
    a->GetDimensions(da);
    b->GetDimensions(db);
    ImageDiff diff;
    if (da[0] != db[0] || da[1] != db[1] || a->GetNumberOfScalarComponents() < 3 ||
        b->GetNumberOfScalarComponents() < 3)
        return diff;
    diff.sameSize = true;
    double sum = 0;
    long changed = 0;
    for (int y = 0; y < da[1]; ++y)
        for (int x = 0; x < da[0]; ++x) {
            auto* pa = static_cast<unsigned char*>(a->GetScalarPointer(x, y, 0));
            auto* pb = static_cast<unsigned char*>(b->GetScalarPointer(x, y, 0));
            int worst = 0;
            for (int k = 0; k < 3; ++k) {
                const int d = std::abs(int(pa[k]) - int(pb[k]));
                sum += d;
                worst = std::max(worst, d);
            }
            changed += worst > 64 ? 1 : 0;
        }
    diff.meanAbs = sum / (3.0 * da[0] * da[1]);
    diff.changedFraction = double(changed) / (double(da[0]) * da[1]);
    return diff;
}

void writePng(vtkImageData* image, const QString& path) {
    vtkNew<vtkPNGWriter> writer;
    writer->SetInputData(image);
    writer->SetFileName(path.toStdString().c_str());
    writer->Write();
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
        auto actual = grab(window_);
        const QString baseline =
            QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/viewer/baselines/%1.png").arg(name);
        if (!QFileInfo::exists(baseline)) {
            QDir().mkpath(QFileInfo(baseline).path());
            writePng(actual, baseline);
            QFAIL(qPrintable("baseline was missing and has been created: " + baseline +
                             " (look at it, commit it, re-run)"));
        }
        vtkNew<vtkPNGReader> reader;
        reader->SetFileName(baseline.toStdString().c_str());
        reader->Update();
        const ImageDiff diff = compareImages(actual, reader->GetOutput());
        if (!diff.sameSize || diff.meanAbs > kMaxMeanAbsDiff ||
            diff.changedFraction > kMaxChangedFraction) {
            const QString kept = QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/%1.actual.png").arg(name);
            writePng(actual, kept);
            QFAIL(qPrintable(QString("%1 differs from its baseline: same size %2, mean abs diff "
                                     "%3 (limit %4), changed pixels %5 (limit %6); actual image "
                                     "kept at %7")
                                 .arg(name)
                                 .arg(diff.sameSize)
                                 .arg(diff.meanAbs)
                                 .arg(kMaxMeanAbsDiff)
                                 .arg(diff.changedFraction)
                                 .arg(kMaxChangedFraction)
                                 .arg(kept)));
        }
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
