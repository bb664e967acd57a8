// The Cells dock in the main window (issue 8): a project with cell crops opens with the crops
// listed and their raw-feature profiles computed in the background; the plate view and the
// profile views show the same wells; a well picked in one is picked in the other; every cell
// figure exports through File ▸ Export figure's code path; computing again replaces the result.
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"
#include "embedscope/ui/cell_plate_view.h"
#include "embedscope/ui/cell_profiles_view.h"
#include "embedscope/ui/cells_panel.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/job_runner.h"
#include "embedscope/ui/main_window.h"
#include "embedscope/ui/training_panel.h"

#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QtTest>

#include <set>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

std::size_t distinctColours(const QImage& image) {
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y) & 0xF0F0F0);
    return colours.size();
}

} // namespace

class TestMainWindowCells : public QObject {
    Q_OBJECT
    QString project_;
    std::size_t crops_ = 0;

private Q_SLOTS:
    void initTestCase() {
        qputenv("EMBEDSCOPE_DEMO_DIR", tmpPath(QStringLiteral("cells_demo")).toLocal8Bit());
        plugins::registerBuiltinReaders();
        // 2 plates x (5 compounds x 2 doses + 4 DMSO) = 28 wells, one site each.
        CellPlateSimParams p;
        p.compoundsPerMoa = 1;
        p.doses = {1.0, 10.0};
        p.controlsPerPlate = 4;
        p.sites = 1;
        p.cellsPerSite = 10;
        p.imageSize = 96;
        p.borderMargin = 16;
        const QString plates = tmpPath(QStringLiteral("cells_window_plates"));
        QDir(plates).removeRecursively();
        simulateCellPlates(p, plates.toStdString());
        ReaderOptions options;
        options.values["crop"] = "32";
        Dataset crops =
            ReaderRegistry::instance()
                .byName("cell-plate")
                .read({(plates + "/platemap.csv").toStdString()}, options, JobContext());
        crops_ = crops.sampleCount();
        project_ = tmpPath(QStringLiteral("cells_window.h5"));
        ProjectFile project = ProjectFile::create(project_.toStdString(), true);
        project.writeDataset(crops);
    }

    void dockComputesAndLinksTheViews() {
        MainWindow window;
        window.setQuietErrors(true);
        window.setAutoDemoSweep(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.raiseDock(QStringLiteral("cells")));
        CellsPanel* cells = window.cellsPanel();
        QSignalSpy ready(cells, &CellsPanel::analysisReady);
        QVERIFY(window.openProject(project_));
        QVERIFY2(ready.wait(120000), qPrintable(cells->statusText()));
        QCOMPARE(ready.takeFirst().at(0).toString(), CellsPanel::rawSourceName());

        QCOMPARE(cells->datasets(), QStringList{QStringLiteral("cells")});
        QCOMPARE(cells->sources(), QStringList{CellsPanel::rawSourceName()}); // no CNN run yet
        QCOMPARE(cells->crops()->sampleCount(), crops_);
        const auto analysis = cells->currentAnalysis();
        QCOMPARE(analysis->cells, crops_);
        QCOMPARE(analysis->after.wells.rows, std::size_t(28));
        QCOMPARE(analysis->before.wells.rows, std::size_t(28));
        QCOMPARE(analysis->after.consensus.rows, std::size_t(11)); // 10 treatments + DMSO
        QCOMPARE(cells->plateView()->wellCount(), 28);
        QCOMPARE(cells->profilesView()->analyses().size(), std::size_t(1));
        QVERIFY2(cells->statusText().contains(QStringLiteral("Precision@R")),
                 qPrintable(cells->statusText()));

        // A well picked on the plate is picked in the well PCA and its crops are shown.
        const QString plate =
            QString::fromStdString(cells->crops()->metadata.column("Plate").strings[0]);
        const QString well =
            QString::fromStdString(cells->crops()->metadata.column("Well").strings[0]);
        cells->showPage(0);
        QWidget* canvas = cells->plateView()->mapCanvas();
        QTRY_VERIFY(canvas->isVisible() && canvas->width() > 100 && canvas->height() > 50);
        QTest::qWait(50);
        QTest::mouseClick(canvas, Qt::LeftButton, {},
                          cells->plateView()->wellCentre(plate, well).toPoint());
        QTRY_COMPARE(cells->plateView()->selectedWell(), plate + " " + well);
        QTRY_COMPARE(cells->profilesView()->selectedPlate(), plate);
        QCOMPARE(cells->profilesView()->selectedWell(), well);
        QVERIFY(cells->plateView()->shownCropCount() > 0);

        // Every cell view exports (the path File ▸ Export figure takes), with something drawn.
        FigureOptions fo;
        fo.width = 900;
        fo.height = 560;
        fo.unit = FigureOptions::Unit::Pixels;
        fo.dpi = 96;
        for (const QString view :
             {QStringLiteral("plate-map"), QStringLiteral("well-crops"), QStringLiteral("well-pca"),
              QStringLiteral("retrieval-curves"), QStringLiteral("profile-neighbours")}) {
            QVERIFY2(window.figureViews().contains(view), qPrintable(view));
            const QString out = tmpPath(QStringLiteral("cells_window_%1.png").arg(view));
            QFile::remove(out);
            QVERIFY2(window.exportFigureTo(view, fo, FigureFormat::Png, out),
                     qPrintable(view + ": " + window.lastError()));
            const QImage image(out);
            QCOMPARE(image.size(), QSize(900, 560));
            QVERIFY2(distinctColours(image) > 4, qPrintable(view));
        }
        // The dock's pages as a scientist sees them (looked at by hand, not compared).
        window.resize(1400, 1000);
        cells->showPage(0);
        QTest::qWait(200);
        cells->grab().save(tmpPath(QStringLiteral("cells_dock_plate.png")));
        cells->showPage(1);
        QTest::qWait(200);
        cells->grab().save(tmpPath(QStringLiteral("cells_dock_profiles.png")));

        // Picking the crops in the Project panel makes them the training data, cell CNN.
        QVERIFY(window.selectDataset(QStringLiteral("cells")));
        QCOMPARE(window.datasetName(), QStringLiteral("cells"));
        QCOMPARE(window.trainingPanel()->modelBox()->currentText(), QStringLiteral("cell-cnn"));
        QVERIFY(!window.selectDataset(QStringLiteral("no-such-set")));
        QCOMPARE(window.datasetName(), QStringLiteral("cells"));

        // A cell CNN trained in the window becomes a profile source; its profiles join the
        // raw ones in the retrieval curves.
        window.trainingPanel()->setEpochs(1);
        QSignalSpy trained(&window, &MainWindow::trainingCompleted);
        window.startTraining();
        QVERIFY2(trained.wait(180000), qPrintable(window.lastError()));
        const QString run = trained.takeFirst().at(0).toString();
        QTRY_VERIFY_WITH_TIMEOUT(cells->sources().contains(run), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.jobRunner()->isRunning(), 30000);
        cells->setSource(run);
        cells->compute();
        QVERIFY2(ready.wait(120000), qPrintable(cells->statusText()));
        QCOMPARE(ready.takeFirst().at(0).toString(), run);
        QCOMPARE(cells->profilesView()->analyses().size(), std::size_t(2));
        QCOMPARE(cells->currentAnalysis()->cellFeatures, std::size_t(256)); // 8 x width 32
        QCOMPARE(cells->currentAnalysis()->after.wells.rows, std::size_t(28));
        cells->setSource(CellsPanel::rawSourceName());

        // Computing the same source again replaces its result instead of adding a second one.
        cells->compute();
        QVERIFY(cells->busy());
        QVERIFY2(ready.wait(120000), qPrintable(cells->statusText()));
        QCOMPARE(cells->profilesView()->analyses().size(), std::size_t(2));
        // A cancel leaves the previous result on screen.
        cells->compute();
        cells->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!cells->busy(), 60000);
        QVERIFY(cells->currentAnalysis() != nullptr);
        QCOMPARE(cells->plateView()->wellCount(), 28);
    }

    void projectWithoutCropsSaysSo() {
        const QString path = tmpPath(QStringLiteral("cells_window_none.h5"));
        {
            Dataset d;
            d.name = "signals";
            d.kind = DataKind::Signal;
            d.sampleShape = {4};
            d.values = {0, 1, 2, 3, 1, 2, 3, 4};
            d.metadata.addStrings("group", {"a", "b"});
            ProjectFile project = ProjectFile::create(path.toStdString(), true);
            project.writeDataset(d);
        }
        MainWindow window;
        window.setQuietErrors(true);
        window.setAutoDemoSweep(false);
        QSignalSpy scanned(window.cellsPanel(), &CellsPanel::projectScanned);
        QVERIFY(window.openProject(path));
        QVERIFY(scanned.wait(30000));
        QVERIFY(window.cellsPanel()->datasets().isEmpty());
        QVERIFY2(window.cellsPanel()->statusText().contains(QStringLiteral("cell-plate")),
                 qPrintable(window.cellsPanel()->statusText()));
        QVERIFY(!window.exportFigureTo(QStringLiteral("well-pca"), FigureOptions(),
                                       FigureFormat::Png, tmpPath(QStringLiteral("none.png"))));
        QVERIFY2(window.lastError().contains(QStringLiteral("Cells")),
                 qPrintable(window.lastError()));
    }
};

QTEST_MAIN(TestMainWindowCells)
#include "test_main_window_cells.moc"
