// Sweep views (issue 6 GUI): a project written here with ProjectFile (hand-chosen learning
// rates, best metrics and validation-loss curves; embeddings: r1, r2 = r1 rotated, scaled and
// shifted, r3 unrelated). Parallel coordinates: the default axes, one run's vertices at the
// hand-mapped pixels, brush drags selecting the hand-counted runs, a click clearing a brush, SVG
// export. Top-N loss curves: the N best by hand in both directions, SVG axis titles, errors.
// Consistency view: the worker's matrix (rotated pair ≈ 1, unrelated pair low), a cell click,
// a run without an embedding, and Cancel.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/consistency_view.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/loss_curves_figure.h"
#include "embedscope/ui/parallel_coordinates.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <random>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

RunRecord sweepRun(const std::string& name, double lr, double wss, double bce,
                   std::vector<double> valLoss) {
    RunRecord run;
    run.name = name;
    run.datasetName = "dev";
    char config[256];
    std::snprintf(config, sizeof config,
                  R"({"model": "mlp", "learning_rate": %.17g, "seed": 1, "run_name": "%s"})", lr,
                  name.c_str());
    run.configJson = config;
    char metrics[256];
    std::snprintf(metrics, sizeof metrics, R"({"best": {"wss_tss": %.17g, "recon_bce": %.17g}})",
                  wss, bce);
    run.metricsJson = metrics;
    run.trainLoss = valLoss;
    run.valLoss = std::move(valLoss);
    run.bestEpoch = 2;
    run.createdUtc = "2026-11-23T07:15:39Z";
    return run;
}

std::vector<float> randomEmbedding(std::size_t rows, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    std::vector<float> e(rows * 3);
    for (float& v : e)
        v = normal(rng);
    return e;
}

void setEmbedding(RunRecord& run, std::vector<float> e) {
    run.embeddingRows = e.size() / 3;
    run.embeddingCols = 3;
    run.embedding = std::move(e);
}

bool near(QPointF a, QPointF b) {
    return std::fabs(a.x() - b.x()) < 1e-9 && std::fabs(a.y() - b.y()) < 1e-9;
}

} // namespace

class TestSweepViews : public QObject {
    Q_OBJECT
private:
    QString path_;
    std::shared_ptr<const RunsTable> table_;

    /// Drags on the canvas from `from` to `to` (pixels).
    static void drag(QWidget* canvas, QPoint from, QPoint to) {
        QTest::mousePress(canvas, Qt::LeftButton, {}, from);
        QTest::mouseMove(canvas, (from + to) / 2);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, to);
    }

private Q_SLOTS:
    void initTestCase() {
        path_ = tmpPath(QStringLiteral("sweep_views.h5"));
        ProjectFile project = ProjectFile::create(path_.toStdString(), true);
        RunRecord r1 = sweepRun("r1", 0.001, 0.2, 0.5, {1.0, 0.8, 0.6});
        RunRecord r2 = sweepRun("r2", 0.002, 0.4, 0.3, {1.2, 0.9, 0.7});
        RunRecord r3 = sweepRun("r3", 0.004, 0.1, 0.9, {1.5, 1.1, 1.0});
        RunRecord r4 = sweepRun("r4", 0.003, 0.3, 0.6, {1.1, 0.85, 0.65});
        RunRecord r5 = sweepRun("r5", 0.005, 0.5, 0.2, {0.9, 0.7, 0.5});
        // r2 = 2 · r1 · R + (1, -2, 3), R a rotation by 40° about z; r3 independent noise.
        const std::vector<float> a = randomEmbedding(200, 7);
        std::vector<float> b(a.size());
        const double c = std::cos(0.698), s = std::sin(0.698);
        for (std::size_t i = 0; i < 200; ++i) {
            const double x = a[3 * i], y = a[3 * i + 1], z = a[3 * i + 2];
            b[3 * i] = float(2 * (c * x - s * y) + 1);
            b[3 * i + 1] = float(2 * (s * x + c * y) - 2);
            b[3 * i + 2] = float(2 * z + 3);
        }
        setEmbedding(r1, a);
        setEmbedding(r2, b);
        setEmbedding(r3, randomEmbedding(200, 99));
        for (const RunRecord& r : {r1, r2, r3, r4, r5})
            project.writeRun(r);
        table_ = std::make_shared<const RunsTable>(runsTable(project));
        QCOMPARE(table_->rows.size(), std::size_t(5));
    }

    void parallelCoordinates() {
        ParallelCoordinates view;
        view.resize(800, 480);
        view.setTable(table_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Default axes: the varying numeric parameter (not seed), then the metrics.
        QCOMPARE(view.columns(), QStringList({"learning_rate", "wss_tss", "recon_bce"}));
        QCOMPARE(view.colorColumn(), QStringLiteral("learning_rate"));
        auto figure = view.canvasFigure();
        QVERIFY(figure);
        const QRectF rect = view.canvasRect();
        const FigureOptions options = view.canvasOptions();
        const QRectF in = figure->inner(rect, options);
        QVERIFY(in.width() > 300 && in.height() > 200);
        // r4 (row 3): lr 0.003 in 0.001..0.005 → ½; wss 0.3 in 0.1..0.5 → ½; bce 0.6 in
        // 0.2..0.9 → 4/7; axes at the left edge, the middle and the right edge.
        QCOMPARE(table_->runName(3), std::string("r4"));
        QVERIFY(near(figure->vertex(rect, options, 3, 0),
                     QPointF(in.left(), in.bottom() - 0.5 * in.height())));
        QVERIFY(near(figure->vertex(rect, options, 3, 1),
                     QPointF(in.center().x(), in.bottom() - 0.5 * in.height())));
        QVERIFY(near(figure->vertex(rect, options, 3, 2),
                     QPointF(in.right(), in.bottom() - 4.0 / 7.0 * in.height())));
        // r3's wss (0.1, the minimum) on the bottom edge; r5's (0.5) on the top edge.
        QVERIFY(near(figure->vertex(rect, options, 2, 1), QPointF(in.center().x(), in.bottom())));
        QVERIFY(near(figure->vertex(rect, options, 4, 1), QPointF(in.center().x(), in.top())));
        // Colour: viridis over the learning rates, r1 (the smallest) at its start.
        const auto start = viewer::CurveOverlay::viridis(0);
        QCOMPARE(figure->runColor(0), QColor(start[0], start[1], start[2]));
        QCOMPARE(view.filteredRuns(), QStringList({"r1", "r2", "r3", "r4", "r5"}));

        // Brush wss_tss 0.45 → 0.25 (drag downwards): r2 (0.4) and r4 (0.3) by hand.
        QSignalSpy filter(&view, &ParallelCoordinates::filterChanged);
        auto yOf = [&](double fraction) {
            return int(std::lround(in.bottom() - fraction * in.height()));
        };
        const int xw = int(std::lround(in.center().x()));
        drag(view.canvas(), QPoint(xw, yOf((0.45 - 0.1) / 0.4)),
             QPoint(xw, yOf((0.25 - 0.1) / 0.4)));
        QCOMPARE(filter.count(), 1);
        QCOMPARE(filter.last().at(0).toStringList(), QStringList({"r2", "r4"}));
        figure = view.canvasFigure();
        const auto brush = figure->data().brushes[1];
        QVERIFY(brush && std::fabs(brush->first - 0.25) < 0.01 &&
                std::fabs(brush->second - 0.45) < 0.01);
        QVERIFY(!figure->selected(0) && figure->selected(1));
        // A second brush on learning_rate 0.0045 → 0.0025 (upwards): r3 and r4 there; with the
        // first brush only r4.
        const int xl = int(std::lround(in.left()));
        drag(view.canvas(), QPoint(xl, yOf((0.0025 - 0.001) / 0.004)),
             QPoint(xl, yOf((0.0045 - 0.001) / 0.004)));
        QCOMPARE(filter.count(), 2);
        QCOMPARE(filter.last().at(0).toStringList(), QStringList({"r4"}));
        // A new drag on wss replaces its brush: 0.15 down past the axis's end (clamped to its
        // minimum 0.1) keeps r3 only (with lr: r3).
        drag(view.canvas(), QPoint(xw, yOf((0.15 - 0.1) / 0.4)), QPoint(xw, yOf(0) + 10));
        QCOMPARE(filter.last().at(0).toStringList(), QStringList({"r3"}));
        // A click without a drag clears the wss brush: the lr brush alone keeps r3, r4.
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, QPoint(xw, yOf(0.5)));
        QCOMPARE(filter.last().at(0).toStringList(), QStringList({"r3", "r4"}));
        QVERIFY(!view.canvasFigure()->data().brushes[1]);
        // A press away from every axis does nothing.
        const int before = int(filter.count());
        drag(view.canvas(), QPoint(xl + 60, yOf(0.9)), QPoint(xl + 60, yOf(0.1)));
        QCOMPARE(int(filter.count()), before);
        view.clearBrushes();
        QCOMPARE(filter.last().at(0).toStringList(), QStringList({"r1", "r2", "r3", "r4", "r5"}));
        // setBrush by name; unknown columns refused; the chooser's columns.
        QVERIFY(view.setBrush(QStringLiteral("recon_bce"), 0.55, 1.0));
        QCOMPARE(view.filteredRuns(), QStringList({"r3", "r4"}));
        QVERIFY(!view.setBrush(QStringLiteral("model"), 0, 1));
        QVERIFY(view.availableColumns().contains(QStringLiteral("best_val_loss")));
        QVERIFY(view.setColumns({"wss_tss", "nope", "learning_rate"}));
        QCOMPARE(view.columns(), QStringList({"wss_tss", "learning_rate"}));
        QCOMPARE(view.filteredRuns().size(), 5); // the bce brush went with its axis

        // SVG export: the axis names and tick labels as text.
        const QString svg = tmpPath(QStringLiteral("parallel_coordinates.svg"));
        QFile::remove(svg);
        auto exported = view.figure();
        QCOMPARE(exported->viewName(), QStringLiteral("parallel-coordinates"));
        exportFigure(*exported, FigureOptions{}, FigureFormat::Svg, svg);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.contains(QStringLiteral(">wss_tss<")));
        QVERIFY(text.contains(QStringLiteral(">learning_rate<")));
        exportFigure(*exported, FigureOptions{}, FigureFormat::Png,
                     tmpPath(QStringLiteral("parallel_coordinates.png")));
    }

    void topLossCurves() {
        ProjectFile project = ProjectFile::open(path_.toStdString());
        const std::vector<std::string> all = {"r1", "r2", "r3", "r4", "r5"};
        // wss_tss lower is better: r3 0.1, r1 0.2, r4 0.3 (then r2 0.4, r5 0.5).
        auto best = topLossCurvesOf(project, all, "wss_tss", true, 3);
        QCOMPARE(best->viewName(), QStringLiteral("top-loss-curves"));
        QCOMPARE(best->runs(), std::vector<QString>({"r3", "r1", "r4"}));
        QCOMPARE(best->metricValues(), std::vector<double>({0.1, 0.2, 0.3}));
        QCOMPARE(best->curves()[0], std::vector<double>({1.5, 1.1, 1.0}));
        QCOMPARE(best->curves()[2], std::vector<double>({1.1, 0.85, 0.65}));
        const auto start = viewer::CurveOverlay::viridis(0), end = viewer::CurveOverlay::viridis(1);
        QCOMPARE(best->runColor(0), QColor(start[0], start[1], start[2]));
        QCOMPARE(best->runColor(2), QColor(end[0], end[1], end[2]));
        // recon_bce higher is better: r3 0.9, r4 0.6.
        auto high = topLossCurvesOf(project, all, "recon_bce", false, 2);
        QCOMPARE(high->runs(), std::vector<QString>({"r3", "r4"}));
        // More than there are: all five; only the named runs count.
        QCOMPARE(topLossCurvesOf(project, all, "wss_tss", true, 10)->runs().size(), std::size_t(5));
        QCOMPARE(topLossCurvesOf(project, {"r2", "r5"}, "wss_tss", true, 1)->runs(),
                 std::vector<QString>({"r2"}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, topLossCurvesOf(project, all, "nope", true, 3));
        QVERIFY_THROWS_EXCEPTION(ConfigError, topLossCurvesOf(project, {"r9"}, "wss_tss", true, 3));
        // Runs without a finite metric are left out; bad arguments are refused.
        TopLossCurvesFigure direct({"a", "b", "c"}, {{1, 2}, {2, 1}, {3, 3}},
                                   {std::nan(""), 0.5, 0.7}, 5, true, QStringLiteral("m"));
        QCOMPARE(direct.runs(), std::vector<QString>({"b", "c"}));
        QVERIFY_THROWS_EXCEPTION(DataError, TopLossCurvesFigure({"a"}, {}, {1}, 1));
        QVERIFY_THROWS_EXCEPTION(DataError, TopLossCurvesFigure({"a"}, {{1}}, {1}, 0));

        const QString svg = tmpPath(QStringLiteral("top_loss_curves.svg"));
        QFile::remove(svg);
        exportFigure(*best, FigureOptions{}, FigureFormat::Svg, svg);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.contains(QStringLiteral(">Epoch<")));
        QVERIFY(text.contains(QStringLiteral(">Validation loss<")));
        QVERIFY(text.contains(QStringLiteral(">wss_tss<"))); // the colour bar's title
        exportFigure(*best, FigureOptions{}, FigureFormat::Png,
                     tmpPath(QStringLiteral("top_loss_curves.png")));
    }

    void consistencyMatrixView() {
        ConsistencyView view;
        view.resize(600, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy done(&view, &ConsistencyView::finished);
        view.setRuns(path_, {"r1", "r2", "r3"});
        QVERIFY(view.running());
        QVERIFY(view.cancelButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 15000);
        QVERIFY(!view.running());
        QVERIFY(!view.cancelButton()->isEnabled());
        const ConsistencyMatrix& m = view.matrix();
        QCOMPARE(m.runs, std::vector<std::string>({"r1", "r2", "r3"}));
        QVERIFY2(m.r2(0, 1) > 0.99, qPrintable(QString::number(m.r2(0, 1))));
        QVERIFY2(m.r2(0, 2) < 0.3, qPrintable(QString::number(m.r2(0, 2))));
        QVERIFY2(m.r2(1, 2) < 0.3, qPrintable(QString::number(m.r2(1, 2))));
        QCOMPARE(m.r2(2, 2), 1.0);
        // Cell colours: viridis of the value.
        const auto end = viewer::CurveOverlay::viridis(1);
        QCOMPARE(ConsistencyFigure::cellColor(1.0), QColor(end[0], end[1], end[2]));

        // A click on row r1, column r3 compares them; the diagonal does nothing.
        QSignalSpy compare(&view, &ConsistencyView::compareRequested);
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.cellCenter(0, 2).toPoint());
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).toString(), QStringLiteral("r1"));
        QCOMPARE(compare.at(0).at(1).toString(), QStringLiteral("r3"));
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.cellCenter(2, 1).toPoint());
        QCOMPARE(compare.at(1).at(0).toString(), QStringLiteral("r3"));
        QCOMPARE(compare.at(1).at(1).toString(), QStringLiteral("r2"));
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.cellCenter(1, 1).toPoint());
        QCOMPARE(compare.count(), 2);

        // SVG: run names as category labels, values in the cells.
        auto figure = view.figure();
        QVERIFY(figure);
        QCOMPARE(figure->viewName(), QStringLiteral("consistency"));
        const QString svg = tmpPath(QStringLiteral("consistency.svg"));
        QFile::remove(svg);
        exportFigure(*figure, FigureOptions{}, FigureFormat::Svg, svg);
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.contains(QStringLiteral(">r3<")));
        QVERIFY(text.contains(QStringLiteral(">1.00<")));
        exportFigure(*figure, FigureOptions{}, FigureFormat::Png,
                     tmpPath(QStringLiteral("consistency.png")));

        // r4 holds no embedding: the error names it, nothing is shown.
        QSignalSpy failed(&view, &ConsistencyView::failed);
        view.setRuns(path_, {"r1", "r4"});
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 15000);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("r4")));
        QVERIFY(!view.figure());

        // Cancel: enabled while running, then disabled; a cancelled result is never shown.
        view.setRuns(path_, {"r1", "r2", "r3"});
        QVERIFY(view.cancelButton()->isEnabled());
        QTest::mouseClick(view.cancelButton(), Qt::LeftButton);
        QVERIFY(!view.cancelButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!view.running(), 15000);
        QCOMPARE(view.statusText(), QStringLiteral("Cancelled"));
        QVERIFY(!view.figure());
        QCOMPARE(done.count(), 1);
    }
};

QTEST_MAIN(TestSweepViews)
#include "test_sweep_views.moc"
