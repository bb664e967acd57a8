// The Runs dock (issue 6 GUI): the runs table read on a worker thread from a project written
// here with ProjectFile (hand-chosen learning rates and best metrics, one failed run), sorting
// with missing values last, filters and their errors, hidden constant columns, the failed row,
// clicks and shift-clicks; the selection scatter's pixel map, clicks, a dragged threshold line,
// the runs passing both thresholds counted by hand, and its SVG export; refresh after a new run.
#include "embedscope/engine/project.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/runs_view.h"

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
};

QTEST_MAIN(TestRunsView)
#include "test_runs_view.moc"
