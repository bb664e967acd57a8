// EmbeddingView in a real window under xvfb: it draws, a click on a point emits pointPicked,
// hovering a point shows its label, 2-D/3-D switching works, PNG export writes the right size.
// Leaves a screenshot in EMBEDSCOPE_TEST_TMP_DIR/embedding_view.png for a human to look at.
// VTK draws into a native child window (VtkWidget::glWindow()): mouse events are sent there.
#include "embedscope/engine/error.h"
#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/vtk_widget.h"

#include <QApplication>
#include <QComboBox>
#include <QFileInfo>
#include <QPainter>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QToolTip>
#include <QWindow>
#include <QtTest>

#include <cmath>
#include <random>

using embedscope::ui::EmbeddingView;
using embedscope::ui::VtkWidget;
using embedscope::viewer::ScatterData;

namespace {

// 200 points in four Gaussian clusters in 3-D, one of them "control".
ScatterData clusters() {
    const char* names[4] = {"control", "drug A", "drug B", "drug C"};
    const double centres[4][3] = {{0, 0, 0}, {6, 2, 1}, {-4, 5, -2}, {2, -6, 3}};
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    ScatterData d;
    d.dims = 3;
    for (int i = 0; i < 200; ++i) {
        const int c = i % 4;
        for (int k = 0; k < 3; ++k)
            d.xyz.push_back(centres[c][k] + noise(rng));
        d.categories.push_back(names[c]);
        d.labels.push_back("sample " + std::to_string(i));
    }
    d.colorTitle = "treatment";
    d.axisTitles = {"PC1 (41%)", "PC2 (23%)", "PC3 (9%)"};
    return d;
}

// The point whose on-screen neighbours are farthest away: a click on it is unambiguous.
int mostIsolated(const EmbeddingView& view) {
    int best = -1;
    double bestGap = -1;
    const int n = int(view.scene().pointCount());
    for (int i = 0; i < n; ++i) {
        const QPoint p = view.widgetPosition(i);
        double gap = 1e9;
        for (int j = 0; j < n; ++j) {
            if (j != i)
                gap = std::min(gap, double((view.widgetPosition(j) - p).manhattanLength()));
        }
        if (gap > bestGap) {
            bestGap = gap;
            best = i;
        }
    }
    return best;
}

struct ImageStats {
    int distinctColours = 0;
    double nonWhiteFraction = 0;
};

ImageStats stats(const QImage& image) {
    QSet<QRgb> colours;
    qint64 nonWhite = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QRgb c = image.pixel(x, y) & 0xffffff;
            colours.insert(c);
            nonWhite += c != 0xffffff ? 1 : 0;
        }
    return {int(colours.size()), double(nonWhite) / (image.width() * image.height())};
}

} // namespace

class TestEmbeddingView : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<EmbeddingView> view_;

    void waitForPaint() {
        QCoreApplication::processEvents();
        QTest::qWait(50);
    }

    QWindow* glWindow() const { return view_->vtkWidget()->glWindow(); }

    // QWidget::grab() cannot see the native GL window: paint the scene over its place.
    QImage screenshot() const {
        QImage shot = view_->grab().toImage();
        QPainter painter(&shot);
        VtkWidget* vtk = view_->vtkWidget();
        painter.drawImage(QRect(vtk->mapTo(view_.get(), QPoint(0, 0)), vtk->size()),
                          vtk->grabScene());
        return shot;
    }

private Q_SLOTS:
    void init() {
        view_ = std::make_unique<EmbeddingView>();
        view_->resize(800, 600);
        view_->setColorColumns({"treatment", "dose", "plate"}, "treatment");
        view_->setEmbedding(clusters());
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        QVERIFY(glWindow() != nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(glWindow()));
        QCOMPARE(glWindow()->size(), view_->vtkWidget()->size());
        waitForPaint();
    }

    void cleanup() { view_.reset(); }

    void drawsTheScatterPlot() {
        QCOMPARE(view_->dimensions(), 2); // 3-D data opens in 2-D until 3-D is asked for
        QVERIFY(view_->findChild<QToolButton*>("dims3dButton")->isEnabled());
        const QImage image = view_->vtkWidget()->grabScene();
        QVERIFY(!image.isNull());
        const qreal dpr = view_->vtkWidget()->devicePixelRatioF();
        QCOMPARE(image.size(), view_->vtkWidget()->size() * dpr);
        const ImageStats s = stats(image);
        QVERIFY2(s.distinctColours >= 4, qPrintable(QString::number(s.distinctColours)));
        QVERIFY2(s.nonWhiteFraction > 0.01 && s.nonWhiteFraction < 0.5,
                 qPrintable(QString::number(s.nonWhiteFraction)));

        // Screenshot of the whole view (toolbar included) for a human to look at.
        view_->setDimensions(2);
        waitForPaint();
        const QString shot = QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/embedding_view.png");
        QVERIFY(screenshot().save(shot));
        view_->setDimensions(3);
        waitForPaint();
        QVERIFY(
            screenshot().save(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/embedding_view_3d.png")));
    }

    void pointsHaveTheirCategoryColour() {
        view_->setDimensions(2); // flat markers: exact palette colours at their centres
        waitForPaint();
        const QImage image = view_->vtkWidget()->grabScene();
        const qreal dpr = view_->vtkWidget()->devicePixelRatioF();
        const int k = mostIsolated(*view_);
        const QPoint p = view_->widgetPosition(k) * dpr;
        const auto expected = view_->scene().colorOfCategory(view_->embedding().categories[k]);
        const QColor got = image.pixelColor(p);
        QVERIFY2(std::abs(got.red() - expected[0]) <= 8 &&
                     std::abs(got.green() - expected[1]) <= 8 &&
                     std::abs(got.blue() - expected[2]) <= 8,
                 qPrintable(QString("point %1 pixel %2").arg(k).arg(got.name())));
    }

    void clickOnPointEmitsPointPicked() {
        for (int dims : {2, 3}) {
            view_->setDimensions(dims);
            waitForPaint();
            const int k = mostIsolated(*view_);
            const QPoint pos = view_->widgetPosition(k);
            QCOMPARE(view_->pick(pos), k);
            QSignalSpy spy(view_.get(), &EmbeddingView::pointPicked);
            QTest::mouseClick(glWindow(), Qt::LeftButton, Qt::NoModifier, pos);
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.at(0).at(0).toInt(), k);
            QCOMPARE(view_->highlighted(), k);
        }
    }

    void dragOrEmptyClickDoesNotPick() {
        view_->setDimensions(2);
        waitForPaint();
        const int k = mostIsolated(*view_);
        const QPoint pos = view_->widgetPosition(k);
        QSignalSpy spy(view_.get(), &EmbeddingView::pointPicked);
        QTest::mousePress(glWindow(), Qt::LeftButton, Qt::NoModifier, pos);
        QTest::mouseMove(glWindow(), pos + QPoint(15, 0));
        QTest::mouseRelease(glWindow(), Qt::LeftButton, Qt::NoModifier, pos + QPoint(30, 0));
        QCOMPARE(spy.count(), 0);
        const QPoint corner(3, 3);
        QCOMPARE(view_->pick(corner), -1);
        QTest::mouseClick(glWindow(), Qt::LeftButton, Qt::NoModifier, corner);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(view_->highlighted(), -1);
    }

    void hoverShowsTheLabel() {
        view_->setDimensions(2);
        waitForPaint();
        const int k = mostIsolated(*view_);
        const QPoint pos = view_->widgetPosition(k);
        QTest::mouseMove(glWindow(), pos + QPoint(1, 0));
        QTest::mouseMove(glWindow(), pos);
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 3000);
        QCOMPARE(QToolTip::text(), QString("sample %1").arg(k));
        QTest::mouseMove(glWindow(), QPoint(3, 3)); // empty corner: the tip goes
        QTRY_VERIFY_WITH_TIMEOUT(!QToolTip::isVisible(), 3000);
    }

    void switchDimensionsAndBack() {
        view_->setDimensions(3);
        waitForPaint();
        QSignalSpy spy(view_.get(), &EmbeddingView::dimensionsChanged);
        auto* button2d = view_->findChild<QToolButton*>("dims2dButton");
        auto* button3d = view_->findChild<QToolButton*>("dims3dButton");
        QVERIFY(button2d && button3d);
        for (int round = 0; round < 2; ++round) {
            button2d->click();
            waitForPaint();
            QCOMPARE(view_->dimensions(), 2);
            QCOMPARE(view_->vtkWidget()->interactionMode(), VtkWidget::InteractionMode::Pan2D);
            QVERIFY(stats(view_->vtkWidget()->grabScene()).nonWhiteFraction > 0.01);
            button3d->click();
            waitForPaint();
            QCOMPARE(view_->dimensions(), 3);
            QVERIFY(stats(view_->vtkWidget()->grabScene()).nonWhiteFraction > 0.01);
        }
        QCOMPARE(spy.count(), 4);

        // 2-D data cannot be shown in 3-D.
        ScatterData flat = clusters();
        flat.dims = 2;
        view_->setEmbedding(flat);
        QCOMPARE(view_->dimensions(), 2);
        QVERIFY(!button3d->isEnabled());
    }

    void dragRotatesWithoutCrash() {
        const QPoint centre = view_->vtkWidget()->rect().center();
        const QImage before = view_->vtkWidget()->grabScene();
        QTest::mousePress(glWindow(), Qt::LeftButton, Qt::NoModifier, centre);
        for (int step = 1; step <= 5; ++step)
            QTest::mouseMove(glWindow(), centre + QPoint(10 * step, 4 * step));
        QTest::mouseRelease(glWindow(), Qt::LeftButton, Qt::NoModifier, centre + QPoint(50, 20));
        waitForPaint();
        const QImage after = view_->vtkWidget()->grabScene();
        QVERIFY(stats(after).nonWhiteFraction > 0.01);
        QVERIFY2(after != before, "the drag did not rotate the camera");
        view_->resetCamera();
        waitForPaint();
    }

    void colourByEmitsColumn() {
        QSignalSpy spy(view_.get(), &EmbeddingView::colorColumnChanged);
        auto* combo = view_->findChild<QComboBox*>("colorByCombo");
        QVERIFY(combo);
        QCOMPARE(view_->colorColumn(), QString("treatment"));
        combo->setCurrentIndex(1);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QString("dose"));

        std::vector<std::string> doses(200);
        for (int i = 0; i < 200; ++i)
            doses[i] = "dose " + std::to_string(i % 3);
        view_->setCategories(doses, "dose");
        QCOMPARE(view_->scene().categoryOrder().size(), size_t(3));
        QVERIFY_THROWS_EXCEPTION(embedscope::DataError,
                                 view_->setCategories({"too", "few"}, "bad"));
    }

    void exportPngWritesTheViewSize() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("view.png");
        QSignalSpy spy(view_.get(), &EmbeddingView::exported);
        QVERIFY2(view_->exportPng(path), qPrintable(view_->lastError()));
        QCOMPARE(spy.count(), 1);
        QVERIFY(QFileInfo(path).size() > 0);
        const QImage image(path);
        const qreal dpr = view_->vtkWidget()->devicePixelRatioF();
        QCOMPARE(image.size(), view_->vtkWidget()->size() * dpr);
        QVERIFY(stats(image).nonWhiteFraction > 0.01);

        const QString twice = dir.filePath("view2.png");
        QVERIFY2(view_->exportPng(twice, 2), qPrintable(view_->lastError()));
        QCOMPARE(QImage(twice).size(), view_->vtkWidget()->size() * dpr * 2);

        QVERIFY(!view_->exportPng(dir.filePath("missing/dir/view.png")));
        QVERIFY2(view_->lastError().contains("missing/dir/view.png"),
                 qPrintable(view_->lastError()));
        // The view still draws after the exports.
        waitForPaint();
        QVERIFY(stats(view_->vtkWidget()->grabScene()).nonWhiteFraction > 0.01);
    }
};

int main(int argc, char** argv) {
    // VTK needs a core-profile context: the default format must be set before QApplication.
    VtkWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestEmbeddingView test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_embedding_view.moc"
