// The Runs dock (issue 6 GUI): the runs table read on a worker thread from a project written
// here with ProjectFile (hand-chosen learning rates and best metrics, one failed run), sorting
// with missing values last, filters and their errors, hidden constant columns, the failed row,
// clicks and shift-clicks; the selection scatter's pixel map, clicks, a dragged threshold line,
// the runs passing both thresholds counted by hand, and its SVG export; refresh after a new run;
// the dock's shared table and selection; the brushed-runs filter (parallel coordinates) with
// and without the text filter, its status line, and clearing it.
#include "embedscope/engine/project.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"
#include "embedscope/ui/runs_dock.h"
#include "embedscope/ui/runs_scatter.h"
#include "embedscope/ui/runs_view.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

/// A run as a sweep writes it: learning rate varies; model, optimizer and seed do not.
RunRecord sweepRun(const std::string& name, double lr, double f1, double rmse,
                   const std::string& status = "finished") {
    RunRecord run;
    run.name = name;
    run.datasetName = "dev";
    run.status = status;
    char config[256];
    std::snprintf(config, sizeof config,
                  R"({"model": "mlp", "optimizer": "adam", "learning_rate": %.17g, "seed": 1,)"
                  R"( "run_name": "%s"})",
                  lr, name.c_str());
    run.configJson = config;
    if (status == "failed") {
        run.metricsJson = R"({"error": "train exited with 1: out of memory"})";
    } else {
        char metrics[256];
        std::snprintf(metrics, sizeof metrics,
                      R"({"best": {"f1_score_all": %.17g, "aligned_rmse": %.17g}})", f1, rmse);
        run.metricsJson = metrics;
        run.trainLoss = {1.0, 0.8};
        run.valLoss = {1.1, 0.9};
        run.bestEpoch = 1;
        run.seconds = 3;
    }
    run.createdUtc = "2026-11-23T07:15:39Z";
    return run;
}

int columnOf(const RunsView& view, const std::string& name) {
    return view.table()->find(name);
}

/// Index of a run in the table (the scatter's point order).
std::size_t rowOf(const RunsTable& table, const QString& run) {
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        if (QString::fromStdString(table.runName(r)) == run)
            return r;
    return table.rows.size();
}

} // namespace

class TestRunsView : public QObject {
    Q_OBJECT
private:
    QString path_;

private Q_SLOTS:
    void initTestCase() {
        path_ = tmpPath(QStringLiteral("runs_view.h5"));
        ProjectFile project = ProjectFile::create(path_.toStdString(), true);
        project.writeRun(sweepRun("lr-a", 0.0001, 0.9, 0.123456));
        project.writeRun(sweepRun("lr-b", 0.001, 0.6, 0.8));
        project.writeRun(sweepRun("lr-c", 0.01, 0.8, 1.5));
        project.writeRun(sweepRun("lr-d", 0.003, 0.75, 0.9));
        project.writeRun(sweepRun("lr-fail", 0.03, 0, 0, "failed"));
    }

    void tableSortFilterColumns() {
        RunsView view;
        view.resize(900, 400);
        view.setProject(path_);
        QVERIFY(view.loading());
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);
        QVERIFY(!view.loading());
        QCOMPARE(view.visibleRuns(),
                 QStringList({"lr-a", "lr-b", "lr-c", "lr-d", "lr-fail"})); // by name

        // Sorting by a metric: the hand order, the failed run (NaN) last in both orders.
        const int f1 = columnOf(view, "f1_score_all");
        QVERIFY(f1 >= 0);
        view.tableView()->sortByColumn(f1, Qt::AscendingOrder);
        QCOMPARE(view.visibleRuns(), QStringList({"lr-b", "lr-d", "lr-c", "lr-a", "lr-fail"}));
        view.tableView()->sortByColumn(f1, Qt::DescendingOrder);
        QCOMPARE(view.visibleRuns(), QStringList({"lr-a", "lr-c", "lr-d", "lr-b", "lr-fail"}));
        // Learning rates sort as numbers (as text "0.01" < "0.003" would be wrong).
        view.tableView()->sortByColumn(columnOf(view, "learning_rate"), Qt::AscendingOrder);
        QCOMPARE(view.visibleRuns(), QStringList({"lr-a", "lr-b", "lr-d", "lr-c", "lr-fail"}));

        // Filters.
        QCOMPARE(view.setFilter(QStringLiteral("learning_rate>0.001")), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-d", "lr-c", "lr-fail"}));
        QCOMPARE(view.setFilter(QStringLiteral("aligned_rmse < 1")), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-a", "lr-b", "lr-d"})); // NaN fails
        QCOMPARE(view.setFilter(QStringLiteral("f1_score_all=0.8")), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-c"}));
        QCOMPARE(view.setFilter(QStringLiteral("failed")), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-fail"}));
        QCOMPARE(view.setFilter(QStringLiteral("MEMORY")), QString()); // the error, any case
        QCOMPARE(view.visibleRuns(), QStringList({"lr-fail"}));
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("runsFilterError"))->isHidden());
        const QString error = view.setFilter(QStringLiteral("foo>"));
        QVERIFY2(error.contains(QStringLiteral("foo")), qPrintable(error));
        QCOMPARE(view.filterError(), error);
        QVERIFY(!view.findChild<QLabel*>(QStringLiteral("runsFilterError"))->isHidden());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-fail"})); // unchanged
        QVERIFY(view.setFilter(QStringLiteral("learning_rate>abc")).contains("not a number"));
        QVERIFY(view.setFilter(QStringLiteral("optimizer<b")).contains("text"));
        QCOMPARE(view.visibleRuns(), QStringList({"lr-fail"}));
        QCOMPARE(view.setFilter(QString()), QString());
        QCOMPARE(view.visibleRuns().size(), 5);
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("runsFilterError"))->isHidden());

        // Parameters that do not vary are hidden; the rest shown.
        QTableView* table = view.tableView();
        for (const char* hidden : {"model", "optimizer", "seed"})
            QVERIFY2(table->isColumnHidden(columnOf(view, hidden)), hidden);
        for (const char* shown : {"name", "status", "learning_rate", "f1_score_all"})
            QVERIFY2(!table->isColumnHidden(columnOf(view, shown)), shown);
        // The column menu: one checkable entry per column; checking "optimizer" shows it.
        std::unique_ptr<QMenu> menu(view.createColumnMenu(nullptr));
        QAction* optimizer = nullptr;
        int entries = 0;
        for (QAction* action : menu->actions()) {
            if (action->isSeparator())
                continue;
            ++entries;
            QVERIFY(action->isCheckable());
            if (action->text() == QLatin1String("optimizer"))
                optimizer = action;
        }
        QCOMPARE(entries, int(view.table()->columns.size()));
        QVERIFY(optimizer && !optimizer->isChecked());
        optimizer->setChecked(true);
        QVERIFY(!table->isColumnHidden(columnOf(view, "optimizer")));

        // Numbers to 4 significant digits, the full value in the tooltip.
        const int rmse = columnOf(view, "aligned_rmse");
        const QModelIndex a = view.model()->index(0, rmse); // lr-a
        QCOMPARE(a.data(Qt::DisplayRole).toString(), QStringLiteral("0.1235"));
        QCOMPARE(a.data(Qt::ToolTipRole).toString(), QStringLiteral("0.123456"));
        QCOMPARE(RunsTableModel::formatNumber(12345.678), QStringLiteral("1.235e+04"));
        QCOMPARE(RunsTableModel::formatNumber(100), QStringLiteral("100"));
        QCOMPARE(RunsTableModel::formatNumber(std::nan("")), QString());

        // The failed run: red status cell, its error as the tooltip.
        const QModelIndex failed = view.model()->index(4, columnOf(view, "status"));
        QCOMPARE(failed.data().toString(), QStringLiteral("failed"));
        QVERIFY(failed.data(Qt::ToolTipRole).toString().contains("out of memory"));
        QCOMPARE(failed.data(Qt::BackgroundRole).value<QBrush>().color().red(), 200);
        QVERIFY(
            !view.model()->index(0, columnOf(view, "status")).data(Qt::BackgroundRole).isValid());

        // Refresh after a sweep added a run: it shows, the column choice is kept.
        {
            ProjectFile project = ProjectFile::open(path_.toStdString());
            project.writeRun(sweepRun("lr-e", 0.0003, 0.72, 0.95));
        }
        QSignalSpy loaded(&view, &RunsView::tableLoaded);
        view.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 6, 10000);
        QCOMPARE(loaded.count(), 1);
        QVERIFY(view.visibleRuns().contains(QStringLiteral("lr-e")));
        QVERIFY(!table->isColumnHidden(columnOf(view, "optimizer"))); // kept
        QVERIFY(table->isColumnHidden(columnOf(view, "model")));
        {
            ProjectFile project = ProjectFile::open(path_.toStdString());
            project.removeRun("lr-e");
        }
        view.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);

        // A missing project: the error in the status line, no exception.
        QSignalSpy failedLoad(&view, &RunsView::loadFailed);
        view.setProject(tmpPath(QStringLiteral("no_such_project.h5")));
        QTRY_COMPARE_WITH_TIMEOUT(failedLoad.count(), 1, 10000);
        QVERIFY(view.statusText().contains("no_such_project.h5"));
    }

    void clicksSelectAndCompare() {
        RunsView view;
        view.resize(900, 400);
        view.setProject(path_);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy selected(&view, &RunsView::runSelected);
        QSignalSpy compare(&view, &RunsView::compareRequested);
        QTableView* table = view.tableView();
        auto rowRect = [&](const QString& run) {
            const int row = int(view.visibleRuns().indexOf(run));
            return table->visualRect(view.proxy()->index(row, 0));
        };
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rowRect("lr-b").center());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("lr-b"));
        QCOMPARE(view.selectedRun(), QStringLiteral("lr-b"));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                          rowRect("lr-c").center());
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).toString(), QStringLiteral("lr-b"));
        QCOMPARE(compare.at(0).at(1).toString(), QStringLiteral("lr-c"));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(view.selectedRun(), QStringLiteral("lr-b"));
        // selectRun: the row is selected, nothing emitted.
        view.selectRun(QStringLiteral("lr-d"));
        QCOMPARE(selected.count(), 1);
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(view.visibleRuns().at(rows.front().row()), QStringLiteral("lr-d"));
    }

    void brushedRunsFilter() {
        RunsView view;
        view.resize(900, 400);
        view.setProject(path_);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);
        view.tableView()->sortByColumn(0, Qt::AscendingOrder);
        view.selectRun(QStringLiteral("lr-c"));
        // The brush keeps lr-b and lr-c (an unknown name is ignored).
        view.setBrushedRuns({QStringLiteral("lr-c"), QStringLiteral("lr-b"), QStringLiteral("x")});
        QVERIFY(view.brushed());
        QCOMPARE(view.proxy()->rowCount(), 2);
        QCOMPARE(view.visibleRuns(), QStringList({"lr-b", "lr-c"}));
        QCOMPARE(view.statusText().section(QStringLiteral(" · "), 0, 0),
                 QStringLiteral("2 of 5 runs (brushed in parallel coordinates)"));
        // Combined with a filter: both must hold (lr-b has rmse 0.8, lr-c 1.5).
        QCOMPARE(view.setFilter(QStringLiteral("aligned_rmse<1")), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-b"}));
        QVERIFY(view.statusText().startsWith(
            QStringLiteral("1 of 5 runs (brushed in parallel coordinates)")));
        QCOMPARE(view.setFilter(QString()), QString());
        QCOMPARE(view.visibleRuns(), QStringList({"lr-b", "lr-c"}));
        // The selected run stays selected while it is inside the brush.
        const QModelIndexList rows = view.tableView()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(view.visibleRuns().at(rows.front().row()), QStringLiteral("lr-c"));
        // An empty brush result shows no row; a refresh keeps the brush.
        view.setBrushedRuns({});
        QCOMPARE(view.proxy()->rowCount(), 0);
        view.setBrushedRuns({QStringLiteral("lr-a")});
        QSignalSpy loaded(&view, &RunsView::tableLoaded);
        view.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(view.visibleRuns(), QStringList({"lr-a"}));
        // Cleared: every run again, and the plain status line.
        view.clearBrushedRuns();
        QVERIFY(!view.brushed());
        QCOMPARE(view.proxy()->rowCount(), 5);
        QVERIFY(view.statusText().startsWith(QStringLiteral("5 run")));
        QVERIFY(!view.statusText().contains(QStringLiteral("brushed")));
    }

    void scatterMapThresholdsExport() {
        RunsView view;
        view.setProject(path_);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);
        RunsScatter scatter;
        scatter.resize(700, 480);
        scatter.setTable(view.table());
        scatter.show();
        QVERIFY(QTest::qWaitForWindowExposed(&scatter));
        // Defaults: the seed-003 pair, coloured by the one varying numeric parameter.
        QCOMPARE(scatter.xColumn(), QStringLiteral("f1_score_all"));
        QCOMPARE(scatter.yColumn(), QStringLiteral("aligned_rmse"));
        QCOMPARE(scatter.colorColumn(), QStringLiteral("learning_rate"));
        const RunsTable& table = *view.table();
        auto figure = std::dynamic_pointer_cast<RunsScatterFigure>(scatter.figure());
        QVERIFY(figure);
        QCOMPARE(figure->viewName(), QStringLiteral("runs-scatter"));
        QCOMPARE(figure->drawnCount(), 4); // the failed run has no metrics
        // Viridis over the learning rates 1e-4 (start) .. 0.03 (end).
        const auto start = viewer::CurveOverlay::viridis(0);
        QCOMPARE(figure->pointColor(rowOf(table, "lr-a")), QColor(start[0], start[1], start[2]));
        const double t = (0.003 - 0.0001) / (0.03 - 0.0001);
        const auto mid = viewer::CurveOverlay::viridis(t);
        QCOMPARE(figure->pointColor(rowOf(table, "lr-d")), QColor(mid[0], mid[1], mid[2]));
        QVERIFY(scatter.setColorColumn(QStringLiteral("status")));
        figure = std::dynamic_pointer_cast<RunsScatterFigure>(scatter.figure());
        QCOMPARE(figure->pointColor(rowOf(table, "lr-a")), categoryColor(0)); // "finished"

        // Axes: f1 0.6 .. 0.9 → nice [0.6, 0.9]; rmse 0.123 .. 1.5 → [0, 1.5] (step 0.5).
        const PlotArea area = scatter.plotArea();
        QCOMPARE(area.xScale().min, 0.6);
        QCOMPARE(area.xScale().max, 0.9);
        QCOMPARE(area.yScale().min, 0.0);
        QCOMPARE(area.yScale().max, 1.5);
        const QRectF inner = area.inner();
        QVERIFY(inner.width() > 200 && inner.height() > 150);
        const QPointF d = area.map(0.75, 0.9); // lr-d
        QVERIFY(std::fabs(d.x() - (inner.left() + (0.75 - 0.6) / 0.3 * inner.width())) < 1e-9);
        QVERIFY(std::fabs(d.y() - (inner.bottom() - 0.9 / 1.5 * inner.height())) < 1e-9);
        QSignalSpy selected(&scatter, &RunsScatter::runSelected);
        QSignalSpy compare(&scatter, &RunsScatter::compareRequested);
        QTest::mouseClick(scatter.canvas(), Qt::LeftButton, {}, d.toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("lr-d"));
        QCOMPARE(scatter.selectedRun(), QStringLiteral("lr-d"));
        const QPointF a = area.map(0.9, 0.123456); // lr-a
        QTest::mouseClick(scatter.canvas(), Qt::LeftButton, Qt::ShiftModifier, a.toPoint());
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).toString(), QStringLiteral("lr-d"));
        QCOMPARE(compare.at(0).at(1).toString(), QStringLiteral("lr-a"));
        QCOMPARE(selected.count(), 1);
        // Empty space selects nothing; hovering a point names its run.
        QTest::mouseClick(scatter.canvas(), Qt::LeftButton, {}, area.map(0.65, 1.4).toPoint());
        QCOMPARE(selected.count(), 1);
        QTest::mouseMove(scatter.canvas(), a.toPoint());
        QTRY_COMPARE(scatter.hoveredRun(), QStringLiteral("lr-a"));
        QVERIFY(scatter.canvas()->toolTip().contains("lr-a"));

        // Thresholds F1 > 0.7 and RMSE < 1: by hand lr-a (0.9, 0.12) and lr-d (0.75, 0.9)
        // pass; lr-b fails on F1 (0.6), lr-c on RMSE (1.5).
        QCOMPARE(scatter.passingRuns().size(), 4); // both off: every drawn run
        scatter.setXThreshold({true, 0.7, true});
        QCOMPARE(scatter.passingRuns(), QStringList({"lr-a", "lr-c", "lr-d"}));
        scatter.setYThreshold({true, 1.0, false});
        QCOMPARE(scatter.passingRuns(), QStringList({"lr-a", "lr-d"}));
        figure = std::dynamic_pointer_cast<RunsScatterFigure>(scatter.figure());
        QCOMPARE(figure->passingCount(), 2);
        QVERIFY(figure->passes(rowOf(table, "lr-a")) && !figure->passes(rowOf(table, "lr-b")));

        // Drag the vertical line 40 px right: +40 × 0.3 / inner width in F1.
        const PlotArea area2 = scatter.plotArea();
        const QRectF inner2 = area2.inner();
        const double lineX = area2.map(0.7, 0).x();
        const QPoint from(int(std::lround(lineX)), int(inner2.center().y()));
        const QPoint to = from + QPoint(40, 0);
        QTest::mousePress(scatter.canvas(), Qt::LeftButton, {}, from);
        QTest::mouseMove(scatter.canvas(), from + QPoint(20, 0));
        QTest::mouseMove(scatter.canvas(), to);
        QTest::mouseRelease(scatter.canvas(), Qt::LeftButton, {}, to);
        const double expected = 0.6 + (to.x() - inner2.left()) / inner2.width() * 0.3;
        QVERIFY2(std::fabs(scatter.xThreshold().value - expected) < 1e-9,
                 qPrintable(QString::number(scatter.xThreshold().value, 'g', 12)));
        QVERIFY(std::fabs(scatter.xThreshold().value - (0.7 + 40 * 0.3 / inner2.width())) <
                0.5 * 0.3 / inner2.width()); // the line was grabbed within half a pixel
        QCOMPARE(selected.count(), 1);       // a drag is not a click on a point
        // Dragged past lr-d's F1 (0.75): only lr-a passes.
        const QPoint further = to + QPoint(int(0.045 / 0.3 * inner2.width()), 0); // to ~0.775
        QTest::mousePress(scatter.canvas(), Qt::LeftButton, {}, to);
        QTest::mouseMove(scatter.canvas(), further);
        QTest::mouseRelease(scatter.canvas(), Qt::LeftButton, {}, further);
        QVERIFY(scatter.xThreshold().value > 0.75 && scatter.xThreshold().value < 0.8);
        QCOMPARE(scatter.passingRuns(), QStringList({"lr-a"}));
        // The horizontal line drags too: 30 px up is +30 × 1.5 / inner height in RMSE.
        const QPoint yFrom(int(inner2.center().x()), int(std::lround(area2.map(0, 1.0).y())));
        QTest::mousePress(scatter.canvas(), Qt::LeftButton, {}, yFrom);
        QTest::mouseMove(scatter.canvas(), yFrom - QPoint(0, 30));
        QTest::mouseRelease(scatter.canvas(), Qt::LeftButton, {}, yFrom - QPoint(0, 30));
        QVERIFY(std::fabs(scatter.yThreshold().value - (1.0 + 30 * 1.5 / inner2.height())) <
                0.5 * 1.5 / inner2.height());

        // The figure exports to SVG with its axis titles as text.
        const QString svg = tmpPath(QStringLiteral("runs_scatter.svg"));
        QFile::remove(svg);
        exportFigure(*scatter.figure(), FigureOptions{}, FigureFormat::Svg, svg);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.contains(QStringLiteral(">f1_score_all<")));
        QVERIFY(text.contains(QStringLiteral(">aligned_rmse<")));
        QVERIFY(text.contains(QStringLiteral(">lr-d<"))); // the selected run's label
        // A PNG to look at (test-tmp/runs_scatter.png) and the widget as shown.
        exportFigure(*scatter.figure(), FigureOptions{}, FigureFormat::Png,
                     tmpPath(QStringLiteral("runs_scatter.png")));
        QVERIFY(scatter.grab().save(tmpPath(QStringLiteral("runs_scatter_widget.png"))));
    }

    void dockSharesTableAndSelection() {
        RunsDock dock;
        dock.resize(800, 800);
        dock.setProject(path_);
        QTRY_COMPARE_WITH_TIMEOUT(dock.scatter()->table()->rows.size(), std::size_t(5), 10000);
        QCOMPARE(dock.scatter()->table(), dock.view()->table()); // one table, shared
        dock.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dock));
        QSignalSpy selected(&dock, &RunsDock::runSelected);
        QSignalSpy compare(&dock, &RunsDock::compareRequested);

        // A row click rings the run in the scatter and goes out once.
        QTableView* table = dock.view()->tableView();
        const int row = int(dock.view()->visibleRuns().indexOf(QStringLiteral("lr-c")));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(dock.view()->proxy()->index(row, 0)).center());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("lr-c"));
        QCOMPARE(dock.scatter()->selectedRun(), QStringLiteral("lr-c"));

        // A click in the scatter selects the table row; shift-click compares with it.
        const PlotArea area = dock.scatter()->plotArea();
        QTest::mouseClick(dock.scatter()->canvas(), Qt::LeftButton, {},
                          area.map(0.6, 0.8).toPoint()); // lr-b
        QCOMPARE(selected.count(), 2);
        QCOMPARE(selected.at(1).at(0).toString(), QStringLiteral("lr-b"));
        QCOMPARE(dock.selectedRun(), QStringLiteral("lr-b"));
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(dock.view()->visibleRuns().at(rows.front().row()), QStringLiteral("lr-b"));
        QTest::mouseClick(dock.scatter()->canvas(), Qt::LeftButton, Qt::ShiftModifier,
                          area.map(0.9, 0.123456).toPoint()); // lr-a
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).toString(), QStringLiteral("lr-b"));
        QCOMPARE(compare.at(0).at(1).toString(), QStringLiteral("lr-a"));

        // selectRun from outside: both follow, nothing emitted; refresh keeps it.
        dock.selectRun(QStringLiteral("lr-d"));
        QCOMPARE(dock.scatter()->selectedRun(), QStringLiteral("lr-d"));
        QCOMPARE(dock.view()->selectedRun(), QStringLiteral("lr-d"));
        QCOMPARE(selected.count(), 2);
        QSignalSpy loaded(dock.view(), &RunsView::tableLoaded);
        dock.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QCOMPARE(dock.scatter()->selectedRun(), QStringLiteral("lr-d"));
        QCOMPARE(dock.scatter()->table(), dock.view()->table());
        dock.setProject(QString());
        QCOMPARE(dock.scatter()->table()->rows.size(), std::size_t(0));
    }
};

QTEST_MAIN(TestRunsView)
#include "test_runs_view.moc"
