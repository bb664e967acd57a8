// The Plate view (issue 8 GUI). Crops made here: simulateCellPlates (2 plates of 8 wells: 5
// compounds, 3 DMSO controls; 1 site of 96 x 96 per well) cut by the "cell-plate" reader at
// crop 32. Checked: wells laid out = the simulator's wells; colour by control = two colours,
// controls one (the control grey); colour by cells = viridis at the well's place between the
// fewest and most cells; a click on the centre the view reports selects the well, emits
// wellPicked and shows its crops and, after sitesLoaded, its site; a moved plate folder gives a
// message and the crops; profile colours; the composite and the stretch on hand values; the
// figures export; the plate map's baseline image; the time to lay out and paint 384-well
// plates.
#include "embedscope/engine/cell_plate_layout.h"
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"
#include "embedscope/ui/cell_plate_view.h"
#include "embedscope/ui/plot_painter.h"

#include "figure_render.h"
#include "image_baseline.h"

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QtTest>

#include <filesystem>
#include <set>

using namespace embedscope;
using namespace embedscope::ui;
namespace fs = std::filesystem;

namespace {

std::string tmpDir(const std::string& name) {
    const fs::path p = fs::path(EMBEDSCOPE_TEST_TMP_DIR) / ("cell_plate_view_" + name);
    fs::remove_all(p);
    return p.string();
}

CellPlateSimParams params() {
    CellPlateSimParams p;
    p.plates = 2;
    p.plateColumns = 6;
    p.moas = 5;
    p.compoundsPerMoa = 1;
    p.dualMoaCompound = false;
    p.doses = {1.0};
    p.controlsPerPlate = 3; // 8 wells: row A full, B01 and B02
    p.sites = 1;
    p.cellsPerSite = 6;
    p.imageSize = 96;
    p.borderMargin = 16;
    return p;
}

std::shared_ptr<const Dataset> cutCrops(const std::string& dir) {
    plugins::registerBuiltinReaders();
    ReaderOptions options;
    options.values["crop"] = "32";
    return std::make_shared<const Dataset>(
        ReaderRegistry::instance()
            .byName("cell-plate")
            .read({dir + "/platemap.csv"}, options, JobContext()));
}

FigureOptions baselineOptions() {
    FigureOptions o;
    o.width = 160;
    o.height = 70;
    o.dpi = 110;
    o.fontPt = 8;
    return o;
}

QImage render(const Figure& figure, const FigureOptions& o) {
    return renderFigure(figure, o);
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

class TestCellPlateView : public QObject {
    Q_OBJECT
private:
    std::string dir_;
    CellPlateSimResult sim_;
    std::shared_ptr<const Dataset> crops_;

private Q_SLOTS:
    void initTestCase() {
        dir_ = tmpDir("plates");
        sim_ = simulateCellPlates(params(), dir_);
        crops_ = cutCrops(dir_);
    }

    void layoutAndChoices() {
        CellPlateView view;
        view.setCrops(crops_);
        QCOMPARE(view.message(), QString());
        QCOMPARE(std::size_t(view.wellCount()), sim_.wells);
        QCOMPARE(view.plates().size(), std::size_t(2));
        for (const char* c : {"cells", "compound", "dose", "moa", "control", "Batch"})
            QVERIFY2(view.colorChoices().contains(QLatin1String(c)), c);
        QVERIFY(!view.colorChoices().contains(QStringLiteral("Site")));
        QVERIFY(!view.colorChoices().contains(QStringLiteral("split")));
        QCOMPARE(view.channels(), QStringList({"DNA", "ER", "RNA", "AGP", "Mito"}));
        QVERIFY(!view.wellFigure());
        QCOMPARE(view.figure()->viewName(), QStringLiteral("plate-map"));
        QVERIFY(!view.wellColor("P01", "H12").isValid()); // absent
    }

    void colourByControl() {
        CellPlateView view;
        view.setCrops(crops_);
        view.setColorBy(QStringLiteral("control"));
        QCOMPARE(view.colorBy(), QStringLiteral("control"));
        std::set<QRgb> all, controls;
        std::size_t nControls = 0;
        for (const CellPlate& p : view.plates())
            for (const CellWell& w : p.wells) {
                const QColor c = view.wellColor(q(p.name), q(w.well));
                QVERIFY(c.isValid());
                all.insert(c.rgba());
                if (w.metadata.at("control") == "1") {
                    controls.insert(c.rgba());
                    ++nControls;
                    QCOMPARE(w.metadata.at("compound"), std::string("DMSO"));
                }
            }
        QCOMPARE(nControls, sim_.controlWells);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(controls.size(), std::size_t(1));
        QCOMPARE(*controls.begin(), controlGrey().rgba());
    }

    void colourByCells() {
        CellPlateView view;
        view.setCrops(crops_);
        view.setColorBy(QStringLiteral("cells"));
        std::size_t lo = SIZE_MAX, hi = 0;
        for (const CellPlate& p : view.plates())
            for (const CellWell& w : p.wells) {
                lo = std::min(lo, w.cells);
                hi = std::max(hi, w.cells);
            }
        QVERIFY(hi > lo);
        for (const CellPlate& p : view.plates())
            for (const CellWell& w : p.wells) {
                const double t = double(w.cells - lo) / double(hi - lo);
                QCOMPARE(view.wellColor(q(p.name), q(w.well)), viridisColor(t));
                if (w.cells == hi)
                    QCOMPARE(view.wellColor(q(p.name), q(w.well)), viridisColor(1.0));
            }
    }

    void clickSelectsAndShowsTheWell() {
        CellPlateView view;
        view.resize(900, 700);
        view.setCrops(crops_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy picked(&view, &CellPlateView::wellPicked);
        QSignalSpy loaded(&view, &CellPlateView::sitesLoaded);
        // Between two wells: nothing.
        const QPointF a = view.wellCentre("P02", "A01"), b = view.wellCentre("P02", "A02");
        QVERIFY(b.x() - a.x() > 8); // wells are big enough to hit
        QTest::mouseClick(view.mapCanvas(), Qt::LeftButton, {}, ((a + b) / 2).toPoint());
        QCOMPARE(picked.count(), 0);
        // An empty position of the grid (B06): nothing either.
        QTest::mouseClick(
            view.mapCanvas(), Qt::LeftButton, {},
            QPointF(view.wellCentre("P02", "A06").x(), view.wellCentre("P02", "B01").y())
                .toPoint());
        QCOMPARE(picked.count(), 0);

        QTest::mouseClick(view.mapCanvas(), Qt::LeftButton, {},
                          view.wellCentre("P02", "B02").toPoint());
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.at(0).at(0).toString(), QStringLiteral("P02"));
        QCOMPARE(picked.at(0).at(1).toString(), QStringLiteral("B02"));
        QCOMPARE(view.selectedWell(), QStringLiteral("P02 B02"));
        std::size_t cells = 0;
        for (const CellWell& w : view.plates()[1].wells)
            if (w.well == "B02")
                cells = w.cells;
        QVERIFY(cells > 0);
        QCOMPARE(std::size_t(view.shownCropCount()), cells);
        QVERIFY(loaded.count() == 1 || loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(0).toInt(), 1);
        QCOMPARE(view.shownSiteCount(), 1);
        QCOMPARE(view.siteStatus(), QStringLiteral("1 site(s)"));
        QCOMPARE(view.wellFigure()->viewName(), QStringLiteral("well-crops"));

        // Exports: both figures as PNG files of the asked size.
        FigureOptions o = baselineOptions();
        const QString mapPng = QDir(EMBEDSCOPE_TEST_TMP_DIR).filePath("cell_plate_map.png");
        const QString wellPng = QDir(EMBEDSCOPE_TEST_TMP_DIR).filePath("cell_well_crops.png");
        exportFigure(*view.figure(), o, FigureFormat::Png, mapPng);
        exportFigure(*view.wellFigure(), o, FigureFormat::Png, wellPng);
        QCOMPARE(QImage(mapPng).size(), o.sizePixels());
        QCOMPARE(QImage(wellPng).size(), o.sizePixels());
        view.grab().save(QDir(EMBEDSCOPE_TEST_TMP_DIR).filePath("cell_plate_view.png"));

        // Channels off: the composite of the crops changes; all off gives black crops.
        const QImage before = render(*view.wellFigure(), o);
        view.setChannelVisible(QStringLiteral("DNA"), false);
        QVERIFY(render(*view.wellFigure(), o) != before);
        QCOMPARE(view.shownSiteCount(), 1);
        view.selectWell(QString(), QString());
        QCOMPARE(view.selectedWell(), QString());
        QVERIFY(!view.wellFigure());
    }

    void movedFolderStillShowsCrops() {
        const std::string dir = tmpDir("moved");
        fs::copy(dir_, dir, fs::copy_options::recursive);
        const auto crops = cutCrops(dir);
        fs::remove_all(dir + "_gone");
        fs::rename(dir, dir + "_gone");
        CellPlateView view;
        view.setCrops(crops);
        QSignalSpy loaded(&view, &CellPlateView::sitesLoaded);
        view.selectWell("P01", "A03");
        QVERIFY(view.shownCropCount() > 0);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.at(0).at(0).toInt(), 0);
        QCOMPARE(view.shownSiteCount(), 0);
        QVERIFY2(view.siteStatus().startsWith("site images not available:"),
                 qPrintable(view.siteStatus()));
        QVERIFY2(view.siteStatus().contains("images.csv"), qPrintable(view.siteStatus()));
        QVERIFY(view.shownCropCount() > 0);
        fs::remove_all(dir + "_gone");

        // A data set that is no plate: the message, no wells.
        auto other = std::make_shared<Dataset>(*crops);
        other->name = "flat";
        other->metadata = MetadataTable();
        other->metadata.addStrings("Plate", std::vector<std::string>(crops->sampleCount(), "P"));
        CellPlateView bad;
        bad.setCrops(other);
        QVERIFY2(bad.message().contains("Well"), qPrintable(bad.message()));
        QCOMPARE(bad.wellCount(), 0);
        QVERIFY(!bad.figure());
    }

    void profileColours() {
        CellPlateView view;
        view.setCrops(crops_);
        EmbeddingTable t;
        t.featureNames = {"f1", "f2"};
        t.rows = 3;
        t.features = {1, 0, 2, 0, 5, 0}; // f1 = 1, 2, 5
        t.metadata.addStrings("Plate", {"P01", "P01", "P02"});
        t.metadata.addStrings("Well", {"A01", "A02", "A03"});
        view.setWellProfiles(t, QStringLiteral("cnn"));
        QVERIFY(view.colorChoices().contains(QStringLiteral("cnn: f1")));
        QVERIFY(view.colorChoices().contains(QStringLiteral("cnn: f2")));
        view.setColorBy(QStringLiteral("cnn: f1"));
        QCOMPARE(view.wellColor("P01", "A01"), viridisColor(0.0));
        QCOMPARE(view.wellColor("P01", "A02"), viridisColor(0.25));
        QCOMPARE(view.wellColor("P02", "A03"), viridisColor(1.0));
        QVERIFY(!view.wellColor("P01", "A04").isValid()); // no profile row
        view.setColorBy(QStringLiteral("cnn: f2"));       // all equal: the middle colour
        QCOMPARE(view.wellColor("P01", "A01"), viridisColor(0.5));
        view.setWellProfiles(EmbeddingTable(), QStringLiteral("cnn"));
        QVERIFY(!view.colorChoices().contains(QStringLiteral("cnn: f1")));
        QCOMPARE(view.colorBy(), QStringLiteral("cells"));
    }

    void compositeByHand() {
        const float a[2] = {1.0f, 0.25f}, b[2] = {0.5f, 2.0f};
        const QImage img = cellComposite({a, b}, 2, 1, {QColor(255, 0, 0), QColor(0, 0, 255)},
                                         {{0.0f, 1.0f}, {0.0f, 1.0f}});
        QCOMPARE(img.pixel(0, 0), qRgb(255, 0, 128));
        QCOMPARE(img.pixel(1, 0), qRgb(64, 0, 255)); // 0.25 red, blue clamped at 1
        const QImage off =
            cellComposite({a, b}, 2, 1, {QColor(255, 0, 0), QColor()}, {{0, 1}, {0, 1}});
        QCOMPARE(off.pixel(0, 0), qRgb(255, 0, 0));
        std::vector<float> v(1000);
        for (int i = 0; i < 1000; ++i)
            v[std::size_t(i)] = float(999 - i);
        const auto [lo, hi] = cellStretchRange(v.data(), v.size()); // ranks 5 and 994
        QCOMPARE(lo, 5.0f);
        QCOMPARE(hi, 994.0f);
        QCOMPARE(cellChannelColor("DNA", 0).blue() > 200, true);
        QCOMPARE(cellChannelColor("Mito", 4).red(), 255);
    }

    void baseline() {
        CellPlateView view;
        view.setCrops(crops_);
        view.setColorBy(QStringLiteral("moa"));
        view.selectWell("P01", "A03");
        const QString why = embedscope::testing::imageBaselineMismatch(
            render(*view.figure(), baselineOptions()), QStringLiteral("cell_plate_map"),
            QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/ui/baselines"),
            QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR));
        if (!why.isEmpty())
            QFAIL(qPrintable(why));
    }

    void timing384() {
        // Two 384-well plates (16 x 24), 60 cells per well, metadata only.
        Dataset d;
        d.name = "big";
        d.kind = DataKind::Image;
        d.sampleShape = {5, 1, 1};
        std::vector<std::string> plate, well, compound;
        std::vector<double> site;
        for (int p = 0; p < 2; ++p)
            for (int w = 0; w < 384; ++w)
                for (int c = 0; c < 60; ++c) {
                    plate.push_back("P0" + std::to_string(p + 1));
                    well.push_back(cellWellName(w / 24, w % 24));
                    compound.push_back("c" + std::to_string(w % 37));
                    site.push_back(c % 4 + 1);
                }
        d.values.assign(plate.size() * 5, 0.f);
        d.metadata.addStrings("Plate", plate);
        d.metadata.addStrings("Well", well);
        d.metadata.addStrings("compound", compound);
        d.metadata.addNumbers("Site", site);
        auto data = std::make_shared<const Dataset>(std::move(d));
        QElapsedTimer timer;
        timer.start();
        const auto plates = cellPlateLayout(*data);
        const double layoutMs = timer.nsecsElapsed() / 1e6;
        QCOMPARE(plates[0].rows, 16);
        QCOMPARE(plates[0].columns, 24);
        CellPlateView view;
        timer.restart();
        view.setCrops(data);
        view.setColorBy(QStringLiteral("compound"));
        const double viewMs = timer.nsecsElapsed() / 1e6;
        QCOMPARE(view.wellCount(), 768);
        FigureOptions o;
        o.unit = FigureOptions::Unit::Pixels;
        o.width = 1200;
        o.height = 700;
        o.dpi = 72;
        timer.restart();
        const QImage img = render(*view.figure(), o);
        const double paintMs = timer.nsecsElapsed() / 1e6;
        qInfo("two 384-well plates, 46080 cells: layout %.1f ms, setCrops + colour %.1f ms, "
              "paint 1200 x 700 %.1f ms",
              layoutMs, viewMs, paintMs);
        QVERIFY(paintMs < 2000 && layoutMs < 2000);
    }
};

QTEST_MAIN(TestCellPlateView)
#include "test_cell_plate_view.moc"
