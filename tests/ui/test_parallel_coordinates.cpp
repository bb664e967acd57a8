// Parallel coordinates (issue 6 GUI): brushing filters the runs table, log axes for log-spaced
// parameters. A project written here with ProjectFile: five runs whose learning rates are
// 1e-4, 1e-3, 10^-2.5, 1e-2 and 1e-1 (log-uniform, seed 002 §4.3) and whose weight decay is 0
// for one run (never log). The log axis: decade ticks 1e-4 … 1e-1, 10^-2.5 halfway between the
// 1e-3 and 1e-2 ticks, a drag in pixels selecting the hand-counted runs in data values, the
// context toggle. Brushing, wired as MainWindow::buildSweepDock wires it: an interval leaves
// exactly the runs inside it in the table's proxy, combined with the text filter; clearing
// restores all.
#include "embedscope/engine/project.h"
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/parallel_coordinates.h"
#include "embedscope/ui/runs_view.h"

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

RunRecord sweepRun(const std::string& name, double lr, double decay, double f1) {
    RunRecord run;
    run.name = name;
    run.datasetName = "dev";
    char config[256];
    std::snprintf(config, sizeof config,
                  R"({"model": "mlp", "learning_rate": %.17g, "weight_decay": %.17g, "seed": 1,)"
                  R"( "run_name": "%s"})",
                  lr, decay, name.c_str());
    run.configJson = config;
    char metrics[128];
    std::snprintf(metrics, sizeof metrics, R"({"best": {"f1_score_all": %.17g}})", f1);
    run.metricsJson = metrics;
    run.trainLoss = {1.0, 0.8};
    run.valLoss = {1.1, 0.9};
    run.bestEpoch = 1;
    run.createdUtc = "2026-11-23T07:15:39Z";
    return run;
}

bool close(double a, double b, double tol = 1e-9) {
    return std::fabs(a - b) <= tol * std::max(1.0, std::fabs(b));
}

} // namespace

class TestParallelCoordinates : public QObject {
    Q_OBJECT
private:
    QString path_;

private Q_SLOTS:
    void initTestCase() {
        path_ = tmpPath(QStringLiteral("parallel_coordinates.h5"));
        ProjectFile project = ProjectFile::create(path_.toStdString(), true);
        project.writeRun(sweepRun("a", 1e-4, 0.0, 0.5));
        project.writeRun(sweepRun("b", 1e-3, 0.01, 0.7));
        project.writeRun(sweepRun("c", std::pow(10.0, -2.5), 0.02, 0.9));
        project.writeRun(sweepRun("d", 1e-2, 0.03, 0.8));
        project.writeRun(sweepRun("e", 1e-1, 0.04, 0.6));
    }

    void logAxis() {
        QVERIFY(ParallelCoordinatesFigure::logSpaced({1e-4, 1e-2, std::nan("")}));
        QVERIFY(!ParallelCoordinatesFigure::logSpaced({1e-3, 9.9e-2}));   // < 2 decades
        QVERIFY(!ParallelCoordinatesFigure::logSpaced({0.0, 1e-3, 1.0})); // a zero
        QVERIFY(!ParallelCoordinatesFigure::logSpaced({std::nan("")}));

        const ProjectFile project = ProjectFile::open(path_.toStdString());
        auto table = std::make_shared<const RunsTable>(runsTable(project));
        ParallelCoordinates view;
        view.resize(800, 480);
        view.setTable(table);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.columns(), QStringList({"learning_rate", "weight_decay", "f1_score_all"}));
        QVERIFY(view.axisLog(QStringLiteral("learning_rate")));
        QVERIFY(!view.axisLog(QStringLiteral("weight_decay"))); // holds a 0
        QVERIFY(!view.axisLog(QStringLiteral("f1_score_all"))); // 0.5..0.9

        auto figure = view.canvasFigure();
        const AxisScale& lr = figure->scale(0);
        QCOMPARE(lr.kind, AxisScale::Kind::Log10);
        QCOMPARE(figure->scale(1).kind, AxisScale::Kind::Linear);
        const std::vector<double> ticks = lr.ticks(4);
        QCOMPARE(ticks.size(), std::size_t(4));
        const double decades[] = {1e-4, 1e-3, 1e-2, 1e-1};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(close(ticks[std::size_t(i)], decades[i]), qPrintable(QString::number(i)));
        // Run c (10^-2.5) sits halfway between the 1e-3 and 1e-2 ticks (the pixel position).
        const QRectF rect = view.canvasRect();
        const FigureOptions options = view.canvasOptions();
        const QRectF in = figure->inner(rect, options);
        auto tickY = [&](double v) { return in.bottom() - lr.fraction(v) * in.height(); };
        QCOMPARE(table->runName(2), std::string("c"));
        const QPointF c = figure->vertex(rect, options, 2, 0);
        QVERIFY(close(c.y(), 0.5 * (tickY(1e-3) + tickY(1e-2)), 1e-9));
        QVERIFY(close(tickY(1e-3) - tickY(1e-2), in.height() / 3, 1e-9)); // one of 3 decades
        // The ends of the column at the ends of the axis, as on the linear axes.
        QVERIFY(close(figure->vertex(rect, options, 0, 0).y(), in.bottom()));
        QVERIFY(close(figure->vertex(rect, options, 4, 0).y(), in.top()));

        // A drag between 10^-3.5 and 10^-1.5 (pixels) brushes b, c, d: data values on the log
        // axis (a linear inverse would keep only d).
        QSignalSpy filter(&view, &ParallelCoordinates::filterChanged);
        const double x = figure->axisX(rect, options, 0);
        const QPoint from(int(std::lround(x)), int(std::lround(tickY(std::pow(10.0, -3.5)))));
        const QPoint to(int(std::lround(x)), int(std::lround(tickY(std::pow(10.0, -1.5)))));
        QTest::mousePress(view.canvas(), Qt::LeftButton, {}, from);
        QTest::mouseMove(view.canvas(), (from + to) / 2);
        QTest::mouseMove(view.canvas(), to);
        QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, to);
        QCOMPARE(filter.count(), 1);
        QCOMPARE(filter.at(0).at(0).toStringList(), QStringList({"b", "c", "d"}));
        QVERIFY(view.hasBrushes());
        const auto band = view.canvasFigure()->data().brushes[0];
        QVERIFY(band.has_value());
        // The band's ends in data values: 10^-3.5 and 10^-1.5 within a pixel's worth.
        QVERIFY(std::fabs(std::log10(band->first) + 3.5) < 3.0 / in.height());
        QVERIFY(std::fabs(std::log10(band->second) + 1.5) < 3.0 / in.height());

        // By hand: linear again (brushes stay in data values), then log again; a log scale is
        // refused for a column with a zero, allowed for a positive one.
        QVERIFY(view.setAxisLog(QStringLiteral("learning_rate"), false));
        QCOMPARE(view.canvasFigure()->scale(0).kind, AxisScale::Kind::Linear);
        QCOMPARE(view.filteredRuns(), QStringList({"b", "c", "d"}));
        QVERIFY(!view.setAxisLog(QStringLiteral("weight_decay"), true));
        QVERIFY(view.setAxisLog(QStringLiteral("f1_score_all"), true));
        QCOMPARE(view.canvasFigure()->scale(2).kind, AxisScale::Kind::Log10);
        QVERIFY(view.setAxisLog(QStringLiteral("learning_rate"), true));
        // The exported copy draws the same scales.
        auto exported = std::static_pointer_cast<ParallelCoordinatesFigure>(view.figure());
        QCOMPARE(exported->scale(0).kind, AxisScale::Kind::Log10);
        QCOMPARE(exported->scale(1).kind, AxisScale::Kind::Linear);
        // The choice survives a new table with the same columns.
        view.setTable(table);
        QVERIFY(view.axisLog(QStringLiteral("f1_score_all")));
    }

    void brushingFiltersTable() {
        RunsView runs;
        runs.resize(900, 300);
        ParallelCoordinates parallel;
        parallel.resize(800, 400);
        // As MainWindow::buildSweepDock wires them.
        connect(&runs, &RunsView::tableLoaded, &parallel, [&] { parallel.setTable(runs.table()); });
        connect(&parallel, &ParallelCoordinates::filterChanged, &runs,
                [&](const QStringList& names) {
                    if (parallel.hasBrushes())
                        runs.setBrushedRuns(names);
                    else
                        runs.clearBrushedRuns();
                });
        runs.setProject(path_);
        QTRY_COMPARE_WITH_TIMEOUT(runs.model()->rowCount(), 5, 10000);
        QCOMPARE(parallel.table()->rows.size(), std::size_t(5));
        QCOMPARE(runs.proxy()->rowCount(), 5);

        // learning_rate in [5e-4, 5e-3]: b (1e-3) and c (10^-2.5 ≈ 3.16e-3).
        QVERIFY(parallel.setBrush(QStringLiteral("learning_rate"), 5e-4, 5e-3));
        QCOMPARE(runs.proxy()->rowCount(), 2);
        QCOMPARE(runs.visibleRuns(), QStringList({"b", "c"}));
        QVERIFY(runs.statusText().startsWith(
            QStringLiteral("2 of 5 runs (brushed in parallel coordinates)")));
        // A second brush: f1 in [0.75, 1] keeps c only (b has 0.7).
        QVERIFY(parallel.setBrush(QStringLiteral("f1_score_all"), 0.75, 1.0));
        QCOMPARE(runs.visibleRuns(), QStringList({"c"}));
        // With a text filter on top: both hold.
        QVERIFY(parallel.setBrush(QStringLiteral("f1_score_all"), 0.0, 1.0));
        QCOMPARE(runs.visibleRuns(), QStringList({"b", "c"}));
        QCOMPARE(runs.setFilter(QStringLiteral("f1_score_all>0.8")), QString());
        QCOMPARE(runs.visibleRuns(), QStringList({"c"}));
        QCOMPARE(runs.setFilter(QString()), QString());
        // A brush holding no run leaves no row.
        QVERIFY(parallel.setBrush(QStringLiteral("learning_rate"), 0.2, 0.3));
        QCOMPARE(runs.proxy()->rowCount(), 0);

        // A re-read keeps the brushes and the table stays filtered by them.
        QVERIFY(parallel.setBrush(QStringLiteral("learning_rate"), 5e-3, 0.2));
        QCOMPARE(runs.visibleRuns(), QStringList({"d", "e"}));
        QSignalSpy loaded(&runs, &RunsView::tableLoaded);
        runs.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(runs.visibleRuns(), QStringList({"d", "e"}));

        // Clearing the brushes restores every run and the plain status line.
        parallel.clearBrushes();
        QVERIFY(!parallel.hasBrushes());
        QVERIFY(!runs.brushed());
        QCOMPARE(runs.proxy()->rowCount(), 5);
        QVERIFY(!runs.statusText().contains(QStringLiteral("brushed")));
    }
};

QTEST_MAIN(TestParallelCoordinates)
#include "test_parallel_coordinates.moc"
