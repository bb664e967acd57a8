// Aligned embedding thumbnails (issue 6 GUI). A project written here with ProjectFile: a data
// set of 60 rows (substance control / S1 / S2, 20 each) and runs whose 4-D embeddings are
// three clusters with deterministic noise: r1; r2 = 1.5 · r1 · R + t with R a rotation in two
// planes (so r2 is r1 up to a similarity); r3 the clusters in another arrangement; r4 without
// an embedding. Checked: the aligned RMSE of r1 and its rotated copy ≈ 0 with Umeyama's scale
// 1/1.5, the drawn points of both thumbnails coincide within their frames, the reference
// fall-back and choice, errors (unknown run, no embedding at all, cancel), the widget's worker,
// colour default, click / shift-click signals, Cancel, and an image baseline of the grid.
#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/aligned_thumbnails.h"
#include "embedscope/ui/plot_painter.h"

#include "figure_render.h"
#include "image_baseline.h"

#include <QDir>
#include <QImage>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

constexpr int kRows = 60;
const char* const kSubstances[] = {"control", "S1", "S2"};

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

// Deterministic noise in [-1, 1] (no library RNG: the baseline must not depend on it).
double wobble(int i, int k) {
    return std::sin(12.9898 * i + 78.233 * k) * 0.5 + std::sin(3.7 * i * (k + 1)) * 0.5;
}

/// Row i belongs to substance i / 20; clusters at `centres` (4-D) with noise 0.4.
Eigen::MatrixXd clusters(const double centres[3][4], int salt) {
    Eigen::MatrixXd z(kRows, 4);
    for (int i = 0; i < kRows; ++i)
        for (int k = 0; k < 4; ++k)
            z(i, k) = centres[i / 20][k] + 0.4 * wobble(i + salt, k);
    return z;
}

RunRecord runWith(const std::string& name, const Eigen::MatrixXd& z) {
    RunRecord run;
    run.name = name;
    run.datasetName = "cells";
    run.configJson = R"({"model": "mlp", "seed": 1})";
    run.metricsJson = R"({"best": {"f1_score_all": 0.8}})";
    run.trainLoss = {1.0, 0.8};
    run.valLoss = {1.1, 0.9};
    run.bestEpoch = 1;
    run.createdUtc = "2026-11-23T07:15:39Z";
    run.embeddingRows = std::size_t(z.rows());
    run.embeddingCols = std::size_t(z.cols());
    for (Eigen::Index i = 0; i < z.rows(); ++i)
        for (Eigen::Index k = 0; k < z.cols(); ++k)
            run.embedding.push_back(float(z(i, k)));
    return run;
}

double maxAbs(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return (a - b).cwiseAbs().maxCoeff();
}

FigureOptions baselineOptions() {
    FigureOptions o;
    o.width = 160;
    o.height = 100;
    o.dpi = 110;
    o.fontPt = 8;
    return o;
}

QImage render(const Figure& figure, const FigureOptions& o) {
    return renderFigure(figure, o);
}

std::vector<std::string> substances() {
    std::vector<std::string> out;
    for (int i = 0; i < kRows; ++i)
        out.push_back(kSubstances[i / 20]);
    return out;
}

} // namespace

class TestAlignedThumbnails : public QObject {
    Q_OBJECT
private:
    QString path_;
    const QStringList all_ = {"r1", "r2", "r3", "r4"};

    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const QString& n : all_)
            out.push_back(n.toStdString());
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        path_ = tmpPath(QStringLiteral("aligned_thumbnails.h5"));
        ProjectFile project = ProjectFile::create(path_.toStdString(), true);
        Dataset data;
        data.name = "cells";
        data.kind = DataKind::Signal;
        data.sampleShape = {2};
        data.values.assign(kRows * 2, 0.5f);
        data.metadata.addStrings("substance", substances());
        std::vector<std::string> wells;
        for (int i = 0; i < kRows; ++i)
            wells.push_back("w" + std::to_string(i % 6));
        data.metadata.addStrings("well", wells);
        project.writeDataset(data);

        const double a[3][4] = {{0, 0, 0, 0}, {4, 0, 0, 0}, {0, 2.5, 0, 0}};
        const Eigen::MatrixXd z1 = clusters(a, 0);
        // R: 40° in the (0, 1) plane, then 70° in the (1, 3) plane; r2 = 1.5 z1 R + t.
        Eigen::Matrix4d r1 = Eigen::Matrix4d::Identity(), r2 = Eigen::Matrix4d::Identity();
        const double p = 40 * M_PI / 180, q = 70 * M_PI / 180;
        r1(0, 0) = r1(1, 1) = std::cos(p);
        r1(0, 1) = -std::sin(p);
        r1(1, 0) = std::sin(p);
        r2(1, 1) = r2(3, 3) = std::cos(q);
        r2(1, 3) = -std::sin(q);
        r2(3, 1) = std::sin(q);
        Eigen::MatrixXd z2 = 1.5 * z1 * (r1 * r2);
        z2.rowwise() += Eigen::RowVector4d(1, -2, 3, 0.5);
        const double b[3][4] = {{0, 3, 0, 0}, {-2, -1, 0, 0}, {2, -1, 0, 0}};
        project.writeRun(runWith("r1", z1));
        project.writeRun(runWith("r2", z2));
        project.writeRun(runWith("r3", clusters(b, 17)));
        RunRecord empty = runWith("r4", Eigen::MatrixXd(0, 0));
        project.writeRun(empty);
    }

    void alignment() {
        const ProjectFile project = ProjectFile::open(path_.toStdString());
        const AlignedEmbeddings out = alignEmbeddings(project, names(), "r1", JobContext());
        QCOMPARE(out.reference, std::string("r1"));
        QCOMPARE(out.dataset, std::string("cells"));
        QCOMPARE(out.metadata.rowCount(), std::size_t(kRows));
        QCOMPARE(out.runs.size(), std::size_t(4));
        QCOMPARE(out.runs[0].rmse, 0.0);
        QCOMPARE(out.runs[0].xy.rows(), Eigen::Index(kRows));
        QCOMPARE(out.runs[0].xy.cols(), Eigen::Index(2));
        // The rotated, scaled, shifted copy: RMSE ≈ 0 (float storage), scale 1/1.5, and its
        // points on the reference's.
        QVERIFY2(out.runs[1].rmse < 1e-4, qPrintable(QString::number(out.runs[1].rmse)));
        QVERIFY(std::fabs(out.runs[1].scale - 1 / 1.5) < 1e-5);
        QVERIFY(maxAbs(out.runs[1].xy, out.runs[0].xy) < 1e-4);
        // The first two components of r1 keep the clusters' plane: its spread is ~2 units,
        // so an unrelated arrangement cannot fit within a fraction of it.
        QVERIFY2(out.runs[2].rmse > 0.3, qPrintable(QString::number(out.runs[2].rmse)));
        QVERIFY(out.runs[2].error.empty());
        QCOMPARE(out.runs[3].error, std::string("holds no embedding"));
        QCOMPARE(out.runs[3].xy.rows(), Eigen::Index(0));

        // r2 as the reference: r1 onto it, scale 1.5, RMSE ≈ 0 in r2's (1.5×) units.
        const AlignedEmbeddings on2 = alignEmbeddings(project, names(), "r2", JobContext());
        QCOMPARE(on2.reference, std::string("r2"));
        QCOMPARE(on2.runs[1].rmse, 0.0);
        QVERIFY(on2.runs[0].rmse < 1.5e-4);
        QVERIFY(std::fabs(on2.runs[0].scale - 1.5) < 1e-4);
        // A reference without an embedding, or none: the first run that has one.
        QCOMPARE(alignEmbeddings(project, {"r4", "r3", "r1"}, "r4", JobContext()).reference,
                 std::string("r3"));
        QCOMPARE(alignEmbeddings(project, names(), "", JobContext()).reference, std::string("r1"));

        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 alignEmbeddings(project, {"r1", "nope"}, "", JobContext()));
        try {
            alignEmbeddings(project, {"r4"}, "", JobContext());
            QFAIL("no embedding at all must throw");
        } catch (const DataError& e) {
            QVERIFY(QString(e.what()).contains("none of the 1 run(s) holds an embedding"));
        }
        JobContext cancelled;
        cancelled.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 alignEmbeddings(project, names(), "r1", cancelled));
    }

    void figureGeometry() {
        const ProjectFile project = ProjectFile::open(path_.toStdString());
        auto data = std::make_shared<const AlignedEmbeddings>(
            alignEmbeddings(project, names(), "r1", JobContext()));
        const AlignedThumbnailsFigure figure(data, substances(), QStringLiteral("substance"));
        QCOMPARE(figure.viewName(), QStringLiteral("aligned-embeddings"));
        QCOMPARE(figure.caption(0), QStringLiteral("r1 · reference"));
        QVERIFY(figure.caption(1).startsWith(QStringLiteral("r2 · RMSE ")));
        QCOMPARE(figure.caption(3), QStringLiteral("r4 · holds no embedding"));
        QCOMPARE(figure.colorOf("control"), controlGrey());
        QCOMPARE(figure.categoryOrder(), std::vector<std::string>({"control", "S1", "S2"}));

        const FigureOptions o = baselineOptions();
        const QRectF rect(QPointF(0, 0), o.sizePoints());
        // Four cells without overlap, each plot square inside its cell; hit-testing.
        for (int i = 0; i < 4; ++i) {
            const QRectF cell = figure.cellRect(rect, o, i), plot = figure.plotRect(rect, o, i);
            QVERIFY(cell.contains(plot));
            QVERIFY(std::fabs(plot.width() - plot.height()) < 1e-9);
            QCOMPARE(figure.thumbnailAt(rect, o, plot.center()), i);
            for (int j = i + 1; j < 4; ++j)
                QVERIFY(!cell.intersects(figure.cellRect(rect, o, j).adjusted(1, 1, -1, -1)));
        }
        // The rotated copy's points coincide with the reference's within their frames.
        const QPointF o0 = figure.plotRect(rect, o, 0).topLeft();
        const QPointF o1 = figure.plotRect(rect, o, 1).topLeft();
        double worst = 0;
        for (int i = 0; i < kRows; ++i) {
            const QPointF d =
                (figure.pointAt(rect, o, 1, i) - o1) - (figure.pointAt(rect, o, 0, i) - o0);
            worst = std::max(worst, std::hypot(d.x(), d.y()));
            QVERIFY(figure.plotRect(rect, o, 0).contains(figure.pointAt(rect, o, 0, i)));
        }
        QVERIFY2(worst < 0.01, qPrintable(QString::number(worst))); // points (1/72 in)
        // r3's points do not (an unrelated arrangement).
        double far = 0;
        const QPointF o2 = figure.plotRect(rect, o, 2).topLeft();
        for (int i = 0; i < kRows; ++i) {
            const QPointF d =
                (figure.pointAt(rect, o, 2, i) - o2) - (figure.pointAt(rect, o, 0, i) - o0);
            far = std::max(far, std::hypot(d.x(), d.y()));
        }
        QVERIFY(far > 5);
    }

    void widget() {
        AlignedThumbnailsView view;
        view.resize(800, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy finished(&view, &AlignedThumbnailsView::finished);
        view.setRuns(path_, all_, QStringLiteral("r2"));
        QVERIFY(view.running());
        QVERIFY(view.cancelButton()->isEnabled());
        QVERIFY(finished.wait(15000));
        QVERIFY(!view.running());
        QVERIFY(view.result());
        QCOMPARE(view.result()->reference, std::string("r2"));
        QCOMPARE(view.colorColumn(), QStringLiteral("substance")); // the default
        QVERIFY(view.statusText().startsWith(QStringLiteral("3 of 4 run")));
        QVERIFY(view.canvasFigure());
        QVERIFY(view.figure());
        QVERIFY(view.setColorColumn(QStringLiteral("well")));
        QVERIFY(view.canvasFigure()->colorOf("w0") != view.canvasFigure()->colorOf("w1"));
        QVERIFY(!view.setColorColumn(QStringLiteral("nope")));

        // Click: select r3; shift-click r1: compare r3 with r1; the selection stays.
        QSignalSpy selected(&view, &AlignedThumbnailsView::runSelected);
        QSignalSpy compare(&view, &AlignedThumbnailsView::compareRequested);
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, view.thumbnailCenter(2).toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("r3"));
        QCOMPARE(view.selectedRun(), QStringLiteral("r3"));
        QTest::mouseClick(view.canvas(), Qt::LeftButton, Qt::ShiftModifier,
                          view.thumbnailCenter(0).toPoint());
        QCOMPARE(compare.count(), 1);
        QCOMPARE(compare.at(0).at(0).toString(), QStringLiteral("r3"));
        QCOMPARE(compare.at(0).at(1).toString(), QStringLiteral("r1"));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(view.selectedRun(), QStringLiteral("r3"));

        // Cancel: the worker stops, the thumbnails shown before stay.
        auto before = view.result();
        view.setRuns(path_, all_, QStringLiteral("r1"));
        view.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!view.running(), 15000);
        QCOMPARE(view.statusText(), QStringLiteral("Cancelled"));
        QVERIFY(view.result() == before);

        // Nothing to align: the reason, no thumbnails change.
        QSignalSpy failed(&view, &AlignedThumbnailsView::failed);
        view.setRuns(path_, {QStringLiteral("r4")});
        QVERIFY(failed.wait(15000));
        QVERIFY(view.statusText().contains(QStringLiteral("holds an embedding")));
    }

    void baseline() {
        const ProjectFile project = ProjectFile::open(path_.toStdString());
        auto data = std::make_shared<const AlignedEmbeddings>(
            alignEmbeddings(project, names(), "r1", JobContext()));
        const AlignedThumbnailsFigure figure(data, substances(), QStringLiteral("substance"),
                                             QStringLiteral("r3"));
        const QString why = embedscope::testing::imageBaselineMismatch(
            render(figure, baselineOptions()), QStringLiteral("aligned_thumbnails"),
            QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/ui/baselines"),
            QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR));
        if (!why.isEmpty())
            QFAIL(qPrintable(why));
    }
};

QTEST_MAIN(TestAlignedThumbnails)
#include "test_aligned_thumbnails.moc"
