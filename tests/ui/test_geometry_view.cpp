// The Geometry dock (seed 003 GUI) on small synthetic projects: per-group F1 over time (one
// series per group, in the embedding view's colours; separated groups give F1 ≈ 1, an
// embedding unrelated to the groups far less; a run switched mid-computation shows only the
// newer result), all vs held-out (a rotated copy of a run aligns back onto it: aligned RMSE ≈
// 0, initial RMSE > 0, B's points and curves drawn on A's), the default partner rule, a pair
// on different data sets (a message, no crash) and the main window's dock (computes only when
// shown).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/f1_time_chart.h"
#include "embedscope/ui/geometry_view.h"
#include "embedscope/ui/instance_comparison_view.h"
#include "embedscope/ui/main_window.h"
#include "embedscope/ui/vtk_widget.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>

#include <vtkCamera.h>
#include <vtkRenderer.h>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

const std::vector<std::string> kGroups = {"control", "gdf3", "tbx6"};
constexpr int kIndividuals = 6, kTimes = 10, kDims = 5;
constexpr int kRows = 3 * kIndividuals * kTimes;

Dataset makeDataset(const std::string& name, int rows) {
    Dataset d;
    d.name = name;
    d.kind = DataKind::Signal;
    d.sampleShape = {4};
    std::vector<std::string> groups, splits;
    std::vector<double> times;
    for (int r = 0; r < rows; ++r) {
        groups.push_back(kGroups[std::size_t(r / (kIndividuals * kTimes)) % 3]);
        times.push_back(r % kTimes);
        splits.push_back("train");
        for (int k = 0; k < 4; ++k)
            d.values.push_back(float((r + k) % 7) * 0.1f);
    }
    d.metadata.addStrings("perturbation", groups);
    // Like perturbation, but two control rows form a group too small for a curve.
    std::vector<std::string> family = groups;
    for (int r = 0; r < std::min(rows, 2); ++r)
        family[std::size_t(r)] = "rare";
    d.metadata.addStrings("family", family);
    d.metadata.addNumbers("time", times);
    d.metadata.addStrings(Dataset::kSplitColumn, splits);
    return d;
}

/// Three parallel rays along the first coordinate (time), 3 apart in coordinates 1-2, noise
/// 0.15: PC1 is the time axis and the groups are well separated at every time.
Eigen::MatrixXd rays() {
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 0.15);
    Eigen::MatrixXd z(kRows, kDims);
    for (int r = 0; r < kRows; ++r) {
        const int g = r / (kIndividuals * kTimes);
        const double angle = 2 * M_PI * g / 3;
        z(r, 0) = r % kTimes + noise(rng);
        z(r, 1) = 3 * std::cos(angle) + noise(rng);
        z(r, 2) = 3 * std::sin(angle) + noise(rng);
        for (int k = 3; k < kDims; ++k)
            z(r, k) = noise(rng);
    }
    return z;
}

RunRecord runOf(const std::string& name, const std::string& dataset, const Eigen::MatrixXd& z,
                const std::string& config, const std::string& created) {
    RunRecord run;
    run.name = name;
    run.datasetName = dataset;
    run.configJson = config;
    run.createdUtc = created;
    run.embeddingRows = std::size_t(z.rows());
    run.embeddingCols = std::size_t(z.cols());
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            run.embedding.push_back(float(z(r, c)));
    return run;
}

QColor qcolor(const std::array<unsigned char, 3>& c) {
    return QColor(c[0], c[1], c[2]);
}

} // namespace

class TestGeometryView : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString path_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        path_ = dir_.filePath("geometry.h5");
        ProjectFile project = ProjectFile::create(path_.toStdString());
        project.writeDataset(makeDataset("embryos", kRows));
        project.writeDataset(makeDataset("other", 60));
        const Eigen::MatrixXd z = rays();
        // B = A rotated in the plane of coordinates 0-1 (cos −0.8): its PC1 loading's largest
        // entry is negative before the sign rule, so B's PC1 scores are A's negated.
        Eigen::MatrixXd rotation = Eigen::MatrixXd::Identity(kDims, kDims);
        rotation(0, 0) = rotation(1, 1) = -0.8;
        rotation(0, 1) = -0.6;
        rotation(1, 0) = 0.6;
        project.writeRun(runOf("mvae", "embryos", z, "{}", "2026-01-01T00:00:01Z"));
        project.writeRun(runOf("mvae-hld", "embryos", z * rotation, R"({"holdout": ["gdf3"]})",
                               "2026-01-01T00:00:02Z"));
        std::mt19937 rng(3);
        std::normal_distribution<double> normal;
        Eigen::MatrixXd noise(kRows, kDims);
        for (Eigen::Index i = 0; i < noise.size(); ++i)
            noise.data()[i] = normal(rng);
        project.writeRun(runOf("noise", "embryos", noise, "{}", "2026-01-01T00:00:03Z"));
        project.writeRun(runOf("other-run", "other", Eigen::MatrixXd::Random(60, kDims), "{}",
                               "2026-01-01T00:00:04Z"));
    }

    void defaultPartnerRule() {
        using C = std::vector<std::pair<QString, bool>>;
        QCOMPARE(GeometryView::defaultPartner("m", false, C{{"x", true}, {"m-hld", true}}),
                 QString("m-hld"));
        QCOMPARE(GeometryView::defaultPartner("m-hld", true, C{{"z", false}, {"m", false}}),
                 QString("m"));
        // No name rule: the other side of the holdout rule with the longest common prefix.
        QCOMPARE(
            GeometryView::defaultPartner(
                "dev-b10", false, C{{"dev-b10-x", false}, {"a-held", true}, {"dev-b1-h", true}}),
            QString("dev-b1-h"));
        QCOMPARE(GeometryView::defaultPartner("m", false, C{{"p", false}}), QString("p"));
        QCOMPARE(GeometryView::defaultPartner("m", false, C{}), QString());
    }

    void f1ChartOneSeriesPerGroup() {
        GeometryView view;
        view.resize(900, 360);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setRun(path_, "mvae");
        QCOMPARE(view.groupColumn(), QString("perturbation"));
        QCOMPARE(view.orderColumn(), QString("time"));
        QVERIFY(view.busy());
        QTRY_VERIFY_WITH_TIMEOUT(view.f1OfA() != nullptr, 20000);
        QVERIFY(!view.busy());
        F1TimeChart* chart = view.f1Chart();
        QVERIFY2(chart->message().isEmpty(), qPrintable(chart->message()));
        QCOMPARE(chart->seriesNames(), (QStringList{"control", "gdf3", "tbx6"}));
        // 10 distinct times (more than 8 bins): 8 equal-width bins over [0, 9].
        for (int s = 0; s < chart->seriesCount(); ++s) {
            const auto points = chart->seriesPoints(s);
            QCOMPARE(points.size(), 8);
            for (const QPointF& p : points) {
                QVERIFY(p.x() > 0 && p.x() < 9);
                QVERIFY2(p.y() >= 0.95 && p.y() <= 1.0, qPrintable(QString::number(p.y())));
            }
        }
        QVERIFY(view.f1OfA()->f1Macro > 0.95);
        QVERIFY(chart->title().contains("macro F1"));
        // The embedding view's colours: control grey, then the palette in natural order.
        QCOMPARE(chart->seriesColour(0), qcolor(viewer::ScatterScene::controlColor()));
        QCOMPARE(chart->seriesColour(1), qcolor(viewer::ScatterScene::palette()[0]));
        QCOMPARE(chart->seriesColour(2), qcolor(viewer::ScatterScene::palette()[1]));
        QVERIFY(view.grabImage().save("/tmp/geometry_f1.png"));
        qInfo("binnedF1 of %d rows: %.0f ms", kRows, view.lastF1Millis());

        // A run switched while its F1 is computed: only the newer result is shown. Groups
        // unrelated to the embedding classify far worse.
        view.setRun(path_, "mvae-hld");
        view.setRun(path_, "noise");
        QTRY_VERIFY_WITH_TIMEOUT(view.f1OfA() != nullptr && !view.busy(), 20000);
        QVERIFY(chart->title().contains("noise"));
        QVERIFY2(view.f1OfA()->f1Macro < 0.7, qPrintable(chart->title()));
        QCOMPARE(chart->seriesCount(), 3);
    }

    void comparisonAlignsARotatedCopy() {
        GeometryView view;
        view.resize(1200, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setCurrentTab(GeometryView::ComparisonTab);
        QSignalSpy shown(&view, &GeometryView::comparisonShown);
        view.setRun(path_, "mvae");
        QCOMPARE(view.comparisonRun(), QString("mvae-hld")); // A's name + "-hld"
        QVERIFY(shown.wait(20000));
        InstanceComparisonView* cmp = view.comparisonView();
        QVERIFY2(cmp->hasComparison(), qPrintable(cmp->message()));
        const InstanceComparison& c = cmp->comparison();
        QCOMPARE(int(c.groups.size()), 3);
        QVERIFY2(c.alignedRmseAll < 1e-6, qPrintable(QString::number(c.alignedRmseAll)));
        // PC1 (time, range 9) negated: the curves start ~9 apart before alignment.
        QVERIFY2(c.initialRmseAll > 2.0, qPrintable(QString::number(c.initialRmseAll)));
        for (std::size_t g = 0; g < 3; ++g)
            QVERIFY(c.alignedRmse[g] < 1e-6 && c.initialRmse[g] > 2.0);
        // B's points are drawn in A's frame: on top of A's.
        const auto& a = cmp->viewA()->embedding().xyz;
        const auto& b = cmp->viewB()->embedding().xyz;
        QCOMPARE(a.size(), std::size_t(3 * kRows));
        QCOMPARE(b.size(), a.size());
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, std::abs(a[i] - b[i]));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        // The curves of both sides by perturbation, B's fitted in A's frame: the same curves.
        QTRY_VERIFY_WITH_TIMEOUT(!cmp->viewA()->curvesPending() && !cmp->viewB()->curvesPending(),
                                 20000);
        QCOMPARE(cmp->viewA()->curveGroups(),
                 (std::vector<std::string>{"control", "gdf3", "tbx6"}));
        QCOMPARE(cmp->viewB()->curveGroups(), cmp->viewA()->curveGroups());
        const auto& curvesA = cmp->viewA()->curveOverlay().data().curves;
        const auto& curvesB = cmp->viewB()->curveOverlay().data().curves;
        for (std::size_t g = 0; g < curvesA.size(); ++g) {
            QCOMPARE(curvesB[g].polyline.size(), curvesA[g].polyline.size());
            for (std::size_t i = 0; i < curvesA[g].polyline.size(); ++i)
                QVERIFY(std::abs(curvesA[g].polyline[i] - curvesB[g].polyline[i]) < 1e-4);
        }
        // One camera for both: turning A's view turns B's (B is re-rendered).
        vtkCamera* camera = cmp->viewA()->scene().renderer()->GetActiveCamera();
        QCOMPARE(cmp->viewB()->scene().renderer()->GetActiveCamera(), camera);
        const QImage before = cmp->viewB()->vtkWidget()->grabScene();
        camera->Azimuth(40);
        QVERIFY(!before.isNull() && cmp->viewB()->vtkWidget()->grabScene() != before);
        camera->Azimuth(-40);
        // F1 of each side; logistic regression does not see a rotation.
        QTRY_VERIFY_WITH_TIMEOUT(!view.busy(), 20000);
        QVERIFY2(cmp->summary().contains("aligned RMSE 0.000"), qPrintable(cmp->summary()));
        QVERIFY2(cmp->summary().contains("F1 all (A) 1.000"), qPrintable(cmp->summary()));
        QVERIFY2(cmp->summary().contains("F1 hld (B) 1.000"), qPrintable(cmp->summary()));
        QVERIFY(cmp->perGroupText().contains("gdf3"));
        // Idle, the two views sharing a camera do not keep each other rendering.
        QTest::qWait(200);
        const std::clock_t cpu0 = std::clock();
        QTest::qWait(1000);
        const double idleCpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
        QVERIFY2(idleCpu < 0.3, qPrintable(QString("%1 s CPU in 1 s idle").arg(idleCpu)));
        qInfo("curves + alignment: %.0f ms; idle CPU %.3f s/s; %s", view.lastComparisonMillis(),
              idleCpu, qPrintable(cmp->summary()));
        QTest::qWait(300);
        QVERIFY(view.grabImage().save("/tmp/geometry_compare.png"));
    }

    void tooSmallGroupIsSkipped() {
        GeometryView view;
        view.resize(1000, 420);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setCurrentTab(GeometryView::ComparisonTab);
        view.setRun(path_, "mvae");
        view.setColumns("family", "time");
        QCOMPARE(view.groupColumn(), QString("family"));
        InstanceComparisonView* cmp = view.comparisonView();
        QTRY_VERIFY_WITH_TIMEOUT(cmp->hasComparison() && !view.busy(), 20000);
        // The other groups are still compared and aligned; "rare" is named with its reason.
        QCOMPARE(int(cmp->comparison().groups.size()), 3);
        QVERIFY(cmp->comparison().alignedRmseAll < 1e-6);
        QCOMPARE(int(cmp->comparison().skipped.size()), 1);
        QVERIFY(QString::fromStdString(cmp->comparison().skipped.front()).startsWith("rare: "));
        QVERIFY2(cmp->summary().contains("1 skipped"), qPrintable(cmp->summary()));
        QVERIFY(cmp->perGroupText().contains("rare: "));
        // The F1 tab: one line per group, "rare" included (2 rows: trained and tested).
        view.setCurrentTab(GeometryView::F1Tab);
        QTRY_VERIFY_WITH_TIMEOUT(view.f1OfA() != nullptr && !view.busy(), 20000);
        QVERIFY2(view.f1Chart()->message().isEmpty(), qPrintable(view.f1Chart()->message()));
        QCOMPARE(view.f1Chart()->seriesNames(), (QStringList{"control", "gdf3", "rare", "tbx6"}));
    }

    void runsOnDifferentDataSetsGiveAMessage() {
        GeometryView view;
        view.resize(900, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setCurrentTab(GeometryView::ComparisonTab);
        view.setRun(path_, "mvae");
        // Only runs on A's data set are offered.
        QCOMPARE(view.comparisonView()->runBBox()->count(), 2);
        QSignalSpy shown(&view, &GeometryView::comparisonShown);
        view.setComparisonRun("other-run");
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && !view.busy(), 20000);
        InstanceComparisonView* cmp = view.comparisonView();
        QVERIFY(!cmp->hasComparison());
        QVERIFY2(cmp->message().contains("'other'") && cmp->message().contains("same samples"),
                 qPrintable(cmp->message()));
        view.setComparisonRun("no-such-run");
        QTRY_VERIFY_WITH_TIMEOUT(cmp->message().contains("Cannot read run no-such-run"), 5000);
        // Back to a valid partner: the comparison is shown again.
        view.setComparisonRun("mvae-hld");
        QTRY_VERIFY_WITH_TIMEOUT(cmp->hasComparison(), 20000);
        // A run that cannot be read clears the whole view with its reason.
        view.setRun(path_, "missing");
        QVERIFY(view.message().contains("missing"));
        QVERIFY(view.runA().isEmpty());
    }

    // A real project (e.g. the demo with its metric-VAE runs): EMBEDSCOPE_GEOMETRY_PROJECT=path
    // and optionally EMBEDSCOPE_GEOMETRY_RUN (default dev-mvae-b10). Prints timings and the
    // summary and writes both tabs as PNG to the test directory; skipped without it.
    void givenProjectTimings() {
        const QString path = qEnvironmentVariable("EMBEDSCOPE_GEOMETRY_PROJECT");
        if (path.isEmpty())
            QSKIP("EMBEDSCOPE_GEOMETRY_PROJECT not set");
        const QString run = qEnvironmentVariable("EMBEDSCOPE_GEOMETRY_RUN", "dev-mvae-b10");
        GeometryView view;
        view.resize(1400, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setRun(path, run);
        QVERIFY2(view.message().isEmpty(), qPrintable(view.message()));
        QTRY_VERIFY_WITH_TIMEOUT(!view.busy(), 120000);
        QVERIFY2(view.f1OfA() != nullptr, qPrintable(view.f1Chart()->message()));
        qInfo("%s: binnedF1 %.0f ms, macro F1 %.3f", qPrintable(run), view.lastF1Millis(),
              view.f1OfA()->f1Macro);
        QVERIFY(view.grabImage().save(EMBEDSCOPE_TEST_TMP_DIR "/geometry_given_f1.png"));
        view.setCurrentTab(GeometryView::ComparisonTab);
        QTRY_VERIFY_WITH_TIMEOUT(view.comparisonView()->hasComparison() && !view.busy(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!view.comparisonView()->viewA()->curvesPending() &&
                                     !view.comparisonView()->viewB()->curvesPending(),
                                 20000);
        qInfo("vs %s: curves + alignment %.0f ms, F1 of B %.0f ms; %s",
              qPrintable(view.comparisonRun()), view.lastComparisonMillis(), view.lastF1Millis(),
              qPrintable(view.comparisonView()->summary()));
        QTest::qWait(300);
        QVERIFY(view.grabImage().save(EMBEDSCOPE_TEST_TMP_DIR "/geometry_given_compare.png"));

        // In the main window, its dock raised (every VTK view painted in).
        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openProject(path), qPrintable(window.lastError()));
        window.showRun(run);
        for (QDockWidget* d : window.findChildren<QDockWidget*>())
            if (d->widget() == window.geometryView())
                d->raise();
        window.geometryView()->setCurrentTab(GeometryView::ComparisonTab);
        QTRY_VERIFY_WITH_TIMEOUT(window.geometryView()->comparisonView()->hasComparison() &&
                                     !window.geometryView()->busy(),
                                 120000);
        QTest::qWait(1000);
        QImage image = window.grab().toImage();
        QPainter painter(&image);
        for (VtkWidget* v : window.findChildren<VtkWidget*>())
            if (v->isVisible())
                painter.drawImage(QRect(v->mapTo(&window, QPoint(0, 0)), v->size()),
                                  v->grabScene());
        painter.end();
        QVERIFY(image.save(EMBEDSCOPE_TEST_TMP_DIR "/geometry_given_window.png"));
    }

    void mainWindowDockComputesWhenShown() {
        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openProject(path_), qPrintable(window.lastError()));
        window.showRun("mvae");
        GeometryView* geometry = window.geometryView();
        QVERIFY(geometry != nullptr);
        QCOMPARE(geometry->runA(), QString("mvae"));
        QTest::qWait(100);
        const int shownWidth = window.width(); // the central view's toolbar sets its minimum
        // Its dock is behind the Loss tab: nothing is computed.
        QVERIFY2(!geometry->busy(), qPrintable(geometry->busyText()));
        QVERIFY(geometry->f1OfA() == nullptr);
        for (QDockWidget* d : window.findChildren<QDockWidget*>())
            if (d->widget() == geometry)
                d->raise();
        QTRY_VERIFY_WITH_TIMEOUT(geometry->f1OfA() != nullptr, 20000);
        QCOMPARE(geometry->f1Chart()->seriesCount(), 3);
        // The side-by-side views do not widen the window.
        geometry->setCurrentTab(GeometryView::ComparisonTab);
        QTRY_VERIFY_WITH_TIMEOUT(geometry->comparisonView()->hasComparison(), 20000);
        QTest::qWait(100);
        QVERIFY2(
            window.width() <= shownWidth,
            qPrintable(QString("window %1 px, %2 before").arg(window.width()).arg(shownWidth)));
    }
};

int main(int argc, char** argv) {
    VtkWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestGeometryView test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_geometry_view.moc"
