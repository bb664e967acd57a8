// The QPainter plotting layer and the standard figures of issue 7: tick rules by known answers,
// map/inverse, a layout that never clips its labels over font and figure sizes, confusion
// counts by hand, and the explained-variance (seed 000 Fig 4.3) and confusion figures checked
// by their pixels, by image baselines and as SVG text.
#include "embedscope/engine/error.h"
#include "embedscope/ui/plot_painter.h"
#include "embedscope/ui/standard_figures.h"

#include "expect_error.h"
#include "image_baseline.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

const QString kBaselines = QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/ui/baselines");
const QString kTmp = QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR);

FigureOptions figureOptions(double widthMm, double heightMm, double dpi, double fontPt) {
    FigureOptions o;
    o.width = widthMm;
    o.height = heightMm;
    o.dpi = dpi;
    o.fontPt = fontPt;
    return o;
}

/// What exportFigure's PNG path does: one painter unit = one point (figure.h "Units").
QImage render(const Figure& figure, const FigureOptions& options) {
    QImage image(options.sizePixels(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    painter.scale(options.dpi / 72.0, options.dpi / 72.0);
    figure.paint(painter, QRectF(QPointF(0, 0), options.sizePoints()), options);
    return image;
}

int channelDiff(const QColor& a, const QColor& b) {
    return std::max({std::abs(a.red() - b.red()), std::abs(a.green() - b.green()),
                     std::abs(a.blue() - b.blue())});
}

double lum(const QColor& c) {
    return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
}

void compareTicks(const std::vector<double>& got, const std::vector<double>& want) {
    QCOMPARE(int(got.size()), int(want.size()));
    for (std::size_t i = 0; i < want.size(); ++i)
        QVERIFY2(got[i] == want[i], qPrintable(QString("tick %1: %2 != %3")
                                                   .arg(i)
                                                   .arg(got[i], 0, 'g', 17)
                                                   .arg(want[i], 0, 'g', 17)));
}

// Explained variance ratios like the seed's base model: 81 % in 8 components.
const std::vector<double> kRatio{0.30, 0.20, 0.12, 0.08, 0.05, 0.03, 0.02, 0.01};

// 3 classes: class 0 mostly right (8/10), class 1 half (5/10), class 2 mostly wrong (1/10).
void confusionRows(std::vector<int>& truth, std::vector<int>& predicted) {
    const int rows[3][3] = {{8, 2, 0}, {0, 5, 5}, {9, 0, 1}};
    for (int t = 0; t < 3; ++t)
        for (int p = 0; p < 3; ++p)
            for (int k = 0; k < rows[t][p]; ++k) {
                truth.push_back(t);
                predicted.push_back(p);
            }
}

} // namespace

class TestPlotFigures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void niceTicksKnownAnswers() {
        compareTicks(niceTicks(0, 1), {0, 0.2, 0.4, 0.6, 0.8, 1});
        compareTicks(niceTicks(0, 7.3), {0, 2, 4, 6, 8}); // step 2 ≥ 7.3/5, widened to 8
        compareTicks(niceTicks(0, 100), {0, 20, 40, 60, 80, 100});
        compareTicks(niceTicks(-0.35, 0.62), {-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8});
        compareTicks(niceTicks(1e-6, 5e-6, 4), {1e-6, 2e-6, 3e-6, 4e-6, 5e-6});
        compareTicks(niceTicks(3, 3), {3});
        QCOMPARE(niceStep(7.3), 2.0);
        QCOMPARE(niceStep(1000), 200.0);
        QCOMPARE(niceStep(30, 3), 10.0);
        const AxisScale s = AxisScale::niceLinear(0, 7.3);
        QCOMPARE(s.min, 0.0);
        QCOMPARE(s.max, 8.0);
        compareTicks(AxisScale::linear(0, 7.3).ticks(), {0, 2, 4, 6}); // inside the domain
        expectError<DataError>([] { niceTicks(0, NAN); }, {"finite"});
        expectError<DataError>([] { niceTicks(0, 1, 0); }, {"target"});
    }

    void logTicksKnownAnswers() {
        compareTicks(logTicks(1, 100), {1, 10, 100});
        compareTicks(logTicks(2, 80), {1, 10, 100});
        compareTicks(logTicks(0.001, 1000), {0.001, 0.01, 0.1, 1, 10, 100, 1000});
        compareTicks(logTicks(1, 100, true),
                     {2, 3, 4, 5, 6, 7, 8, 9, 20, 30, 40, 50, 60, 70, 80, 90});
        // 16 decades → every second one.
        compareTicks(logTicks(1e-3, 1e12), {1e-3, 1e-1, 10, 1e3, 1e5, 1e7, 1e9, 1e11});
        const AxisScale nice = AxisScale::niceLog10(2, 80);
        QCOMPARE(nice.min, 1.0);
        QCOMPARE(nice.max, 100.0);
        compareTicks(AxisScale::log10(1, 100).ticks(), {1, 10, 100});
        // Fewer than two powers of ten inside: 1, 2, 5 × 10^k instead of one lone tick.
        compareTicks(AxisScale::log10(2, 80).ticks(), {2, 5, 10, 20, 50});
        compareTicks(AxisScale::log10(2, 8).ticks(), {2, 5});
        expectError<DataError>([] { logTicks(0, 10); }, {"0 < min"});
        expectError<DataError>([] { AxisScale::log10(0, 10); }, {"log axis", "> 0"});
        expectError<DataError>([] { AxisScale::log10(-1, 10); }, {"-1"});
    }

    void tickLabels() {
        QCOMPARE(formatTick(0.5), QString("0.5"));
        QCOMPARE(formatTick(1), QString("1"));
        QCOMPARE(formatTick(10), QString("10"));
        QCOMPARE(formatTick(2500), QString("2500"));
        QCOMPARE(formatTick(-0.25), QString("-0.25"));
        QCOMPARE(formatTick(0.1 + 0.2), QString("0.3")); // no floating-point noise
        QCOMPARE(formatTick(0.0001), QString("0.0001"));
        QCOMPARE(formatTick(1e-5), QString("1e-05"));
        QCOMPARE(formatTick(2.5e6), QString("2.5e+06"));
        QCOMPARE(formatTick(0), QString("0"));
        QCOMPARE(formatTick(-0.0), QString("0"));
    }

    void paletteMatchesTheSceneView() {
        QCOMPARE(categoryColor(0), QColor(0, 114, 178)); // Okabe–Ito blue first
        QCOMPARE(categoryColor(1), QColor(230, 159, 0));
        QCOMPARE(controlGrey(), QColor(153, 153, 153));
        QCOMPARE(categoryColor(17), categoryColor(0)); // cycles after 17 colours
    }

    void mapInverseRoundTrip() {
        PlotArea area(QRectF(10, 20, 300, 200), figureOptions(120, 80, 150, 9));
        area.setX(AxisScale::linear(-2, 6), "x (cm)");
        area.setY(AxisScale::log10(0.01, 100), "Dose (mg/kg)");
        const QRectF in = area.inner();
        QVERIFY(QRectF(10, 20, 300, 200).contains(in));
        QCOMPARE(area.map(-2, 0.01), in.bottomLeft());
        QCOMPARE(area.map(6, 100), in.topRight());
        QCOMPARE(area.map(2, 1).x(), in.center().x()); // middle of both domains
        QCOMPARE(area.map(2, 1).y(), in.center().y());
        for (double x : {-2.0, -0.3, 1.7, 5.99})
            for (double y : {0.01, 0.37, 5.0, 99.0}) {
                const QPointF back = area.inverse(area.map(x, y));
                QVERIFY(std::abs(back.x() - x) < 1e-9);
                QVERIFY(std::abs(back.y() - y) < 1e-9 * y);
            }
        QVERIFY(std::isnan(area.map(1, 0).y())); // 0 has no place on a log axis
        QCOMPARE(area.xLength(0, 4), in.width() / 2);

        PlotArea matrix(QRectF(0, 0, 200, 200), figureOptions(120, 80, 150, 9));
        matrix.setXCategories({"a", "b", "c", "d"}, "Predicted");
        matrix.setYCategories({"a", "b", "c", "d"}, "True");
        const QRectF m = matrix.inner();
        QCOMPARE(matrix.map(0, 0), QPointF(m.left() + m.width() / 8, m.top() + m.height() / 8));
        QCOMPARE(matrix.map(3, 3), QPointF(m.right() - m.width() / 8, m.bottom() - m.height() / 8));
        expectError<DataError>([&] { matrix.setXCategories({}, "Predicted"); },
                               {"Predicted", "no categories"});
    }

    void layoutNeverClips_data() {
        QTest::addColumn<double>("fontPt");
        QTest::addColumn<double>("widthMm");
        QTest::addColumn<double>("heightMm");
        for (double font : {6.0, 9.0, 12.0, 16.0})
            for (double w : {40.0, 80.0, 160.0, 300.0})
                for (double h : {40.0, 100.0, 300.0})
                    QTest::addRow("%gpt %gx%gmm", font, w, h) << font << w << h;
    }

    void layoutNeverClips() {
        QFETCH(double, fontPt);
        QFETCH(double, widthMm);
        QFETCH(double, heightMm);
        FigureOptions options = figureOptions(widthMm, heightMm, 300, fontPt);
        options.title = "Dose response";
        const QRectF outer = figureBodyRect(QRectF(QPointF(0, 0), options.sizePoints()), options);

        PlotArea numeric(outer, options);
        numeric.setX(AxisScale::niceLinear(0, 12345.6), "Dose (mg/kg)");
        numeric.setY(AxisScale::niceLinear(-0.35, 0.62), "Distance to control (a.u.)");
        numeric.setPanelTitle("substance A");
        PlotArea categories(outer, options);
        categories.setXCategories({"control", "antidepressant", "antipsychotic", "stimulant"},
                                  "Predicted class");
        categories.setYCategories({"control", "antidepressant", "antipsychotic", "stimulant"},
                                  "True class");
        PlotArea logRight(outer, options);
        logRight.setX(AxisScale::niceLog10(0.003, 30), "Dose (mg/kg)");
        logRight.setY(AxisScale::linear(0, 100), "%");
        logRight.setRightY(AxisScale::linear(0, 1), "F1");

        for (const PlotArea* area : {&numeric, &categories, &logRight}) {
            QVERIFY(area->inner().width() > 0 && area->inner().height() > 0);
            QVERIFY(outer.contains(area->inner()));
            for (auto axis : {PlotArea::Axis::Bottom, PlotArea::Axis::Left, PlotArea::Axis::Right})
                for (const QRectF& r : area->tickLabelRects(axis))
                    QVERIFY2(outer.contains(r), qPrintable(QString("label (%1,%2 %3x%4) outside "
                                                                   "(%5,%6 %7x%8)")
                                                               .arg(r.x())
                                                               .arg(r.y())
                                                               .arg(r.width())
                                                               .arg(r.height())
                                                               .arg(outer.x())
                                                               .arg(outer.y())
                                                               .arg(outer.width())
                                                               .arg(outer.height())));
            for (const QRectF& r : area->decorationRects())
                QVERIFY(outer.contains(r));
        }
        QCOMPARE(int(logRight.tickLabelRects(PlotArea::Axis::Right).size()) >= 2, true);
        // The long class names cannot stand side by side in a 40 mm figure; in 300 mm at 6 pt
        // they can.
        if (widthMm <= 40)
            QVERIFY(categories.rotatedXLabels());
        if (widthMm >= 300 && fontPt <= 6)
            QVERIFY(!categories.rotatedXLabels());
    }

    void shortCategoryLabelsStayHorizontal() {
        PlotArea area(QRectF(0, 0, 340, 227), figureOptions(120, 80, 150, 9));
        area.setXCategories({"PC1", "PC2", "PC3", "PC4", "PC5"}, "Principal component");
        area.setY(AxisScale::linear(0, 100), "Explained variance (%)");
        QVERIFY(!area.rotatedXLabels());
        const auto labels = area.tickLabelRects(PlotArea::Axis::Bottom);
        QCOMPARE(int(labels.size()), 5);
        QCOMPARE(labels[2].center().x(), area.map(2, 0).x()); // centred under its bar
    }

    void primitivesDrawWhereMapped() {
        // 72 dpi: one point = one pixel.
        FigureOptions options = figureOptions(120, 80, 72, 9);
        auto fresh = [&] {
            QImage image(400, 300, QImage::Format_ARGB32);
            image.fill(Qt::white);
            return image;
        };
        PlotArea area(QRectF(0, 0, 400, 300), options);
        area.setX(AxisScale::linear(0, 10), "x");
        area.setY(AxisScale::linear(0, 10), "y");
        area.setLegend({{"series", QColor(0, 0, 255), LegendEntry::Kind::Line}});
        const QColor red(220, 0, 0), blue(0, 0, 220), green(0, 160, 0);
        QImage image = fresh();
        {
            QPainter p(&image);
            p.setRenderHint(QPainter::Antialiasing);
            area.polyline(p, {1, 2, 3, 4, 5}, {5, 5, NAN, 5, 5}, QPen(red, 3));
            area.errorBars(p, {7}, {2}, {8}, QPen(blue, 2), 8);
            area.horizontalLine(p, 9, green);
            area.markers(p, {8.5}, {1}, {MarkerShape::Square, 8, red, true});
        }
        auto at = [&](double x, double y, QPointF shift = {}) {
            const QPointF q = area.map(x, y) + shift;
            return image.pixelColor(int(q.x()), int(q.y()));
        };
        QVERIFY(channelDiff(at(1.5, 5), red) <= 60);
        QVERIFY(channelDiff(at(4.5, 5), red) <= 60);
        QVERIFY(channelDiff(at(3, 5), QColor(Qt::white)) <= 10); // NaN broke the line
        QVERIFY(channelDiff(at(7, 5), blue) <= 60);
        QVERIFY(channelDiff(at(7, 8, {3, 0}), blue) <= 60); // cap, 4 pt from the bar
        QVERIFY(channelDiff(at(7, 8, {6, 0}), QColor(Qt::white)) <= 10);
        QVERIFY(channelDiff(at(8.5, 1), red) <= 10);
        int dash = 0, span = 0;
        const int row = int(area.map(0, 9).y());
        for (int x = int(area.inner().left()) + 1; x < int(area.inner().right()) - 1; ++x, ++span)
            dash += channelDiff(image.pixelColor(x, row), QColor(Qt::white)) > 60 ? 1 : 0;
        QVERIFY2(dash > span / 3 && dash < span * 9 / 10, "the reference line is not dashed");

        // The legend: drawn with options.legend, nothing without.
        const QImage before = image;
        {
            QPainter p(&image);
            area.drawLegend(p);
        }
        QVERIFY(image != before);
        options.legend = false;
        PlotArea hidden(QRectF(0, 0, 400, 300), options);
        hidden.setX(AxisScale::linear(0, 10), "x");
        hidden.setY(AxisScale::linear(0, 10), "y");
        hidden.setLegend({{"series", QColor(0, 0, 255), LegendEntry::Kind::Line}});
        QImage blank = fresh();
        {
            QPainter p(&blank);
            hidden.drawLegend(p);
        }
        QVERIFY(blank == fresh());
        QPainter p(&blank);
        expectError<DataError>(
            [&] {
                area.polyline(p, {1, 2}, {1}, QPen());
            },
            {"polyline", "2 values"});
    }

    void confusionCountsByHand() {
        const std::vector<int> truth{0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
        const std::vector<int> predicted{0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
        const auto counts = confusionCounts(truth, predicted, 3);
        const std::vector<std::vector<int>> want{{2, 1, 1}, {1, 2, 0}, {0, 1, 2}};
        QCOMPARE(counts, want);
        const ConfusionMatrixFigure figure(truth, predicted, {"a", "b", "c"});
        QCOMPARE(figure.accuracy(), 0.6);
        QCOMPARE(figure.rowFraction(0, 0), 0.5);
        QCOMPARE(figure.rowFraction(1, 2), 0.0);
        QCOMPARE(figure.viewName(), QString("confusion"));

        expectError<DataError>(
            [] {
                confusionCounts({0, 1}, {0}, 2);
            },
            {"2 true classes", "1 predictions"});
        expectError<DataError>(
            [] {
                confusionCounts({0, 1, 0, 5}, {0, 1, 0, 1}, 3);
            },
            {"row 3", "true class 5", "0..2"});
        expectError<DataError>([] { confusionCounts({0}, {-1}, 3); }, {"row 0", "prediction -1"});
        expectError<DataError>([] { confusionCounts({}, {}, 3); }, {"no rows"});
        expectError<DataError>([] { ConfusionMatrixFigure({0}, {0}, {}); }, {"no classes"});
    }

    void explainedVarianceBarsAndCumulative() {
        const ExplainedVarianceFigure figure(kRatio);
        QCOMPARE(figure.viewName(), QString("explained-variance"));
        QCOMPARE(int(figure.percent().size()), 8);
        QVERIFY(std::abs(figure.cumulativePercent().back() - 81.0) < 1e-9);
        QVERIFY(std::abs(ExplainedVarianceFigure(kRatio, 3).cumulativePercent().back() - 62) <
                1e-9);

        const FigureOptions options = figureOptions(120, 80, 300, 9);
        const QImage image = render(figure, options);
        QCOMPARE(image.size(), QSize(1417, 945));
        int ink = 0;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                ink += image.pixel(x, y) != qRgb(255, 255, 255) ? 1 : 0;
        QVERIFY2(ink > image.width() * image.height() / 9 / 20, "the figure is nearly blank");

        // Bars: scan up a pixel column in each bar (left of the cumulative marker) from the
        // baseline; the bar colour must end at the expected height ± 2 px.
        const double s = options.dpi / 72.0;
        const PlotArea area = figure.plotArea(QRectF(QPointF(0, 0), options.sizePoints()), options);
        for (int i = 0; i < 8; ++i) {
            const int px = int(std::lround(area.map(i - 0.2, 0).x() * s));
            const int base = int(std::lround(area.map(i - 0.2, 0).y() * s));
            const double expectedTop = area.map(i - 0.2, 100 * kRatio[i]).y() * s;
            int y = base - 4;
            while (y > 0 &&
                   channelDiff(image.pixelColor(px, y), ExplainedVarianceFigure::barColor()) <= 40)
                --y;
            QVERIFY2(std::abs((y + 1) - expectedTop) <= 2,
                     qPrintable(QString("PC%1: bar ends at y %2, expected %3")
                                    .arg(i + 1)
                                    .arg(y + 1)
                                    .arg(expectedTop)));
            QVERIFY(base - expectedTop > 5); // the bar is really there, not just a baseline
        }
        // Cumulative markers at PC1 (= its bar) and at the last component (= the sum).
        for (const auto& [i, pct] : {std::pair<int, double>{0, 30}, {7, 81}}) {
            const QPointF c = area.map(i, pct) * s;
            QVERIFY2(channelDiff(image.pixelColor(int(std::lround(c.x())), int(std::lround(c.y()))),
                                 ExplainedVarianceFigure::cumulativeColor()) <= 30,
                     qPrintable(QString("no cumulative marker at PC%1, %2 %").arg(i + 1).arg(pct)));
        }

        expectError<DataError>([] { ExplainedVarianceFigure({}); }, {"no components"});
        expectError<DataError>([] { ExplainedVarianceFigure({0.5, -0.1}); }, {"PC2", "-0.1"});
        expectError<DataError>([] { ExplainedVarianceFigure({30, 20}); }, {"sum to 50", "percent"});
        expectError<ConfigError>([] { ExplainedVarianceFigure(kRatio, 0); }, {"shown = 0"});
    }

    void confusionCellsColouredByRowShare() {
        std::vector<int> truth, predicted;
        confusionRows(truth, predicted);
        const ConfusionMatrixFigure figure(truth, predicted, {"control", "sedative", "stimulant"},
                                           "base model");
        QCOMPARE(figure.accuracy(), 14.0 / 30.0);
        const FigureOptions options = figureOptions(120, 80, 150, 9);
        const QImage image = render(figure, options);
        const QRectF page(QPointF(0, 0), options.sizePoints());
        const double s = options.dpi / 72.0;
        auto sample = [&](int row, int col) {
            const QRectF c = figure.cellRect(page, options, row, col);
            // A corner of the cell: the centre holds the count.
            return image.pixelColor(int((c.left() + 0.12 * c.width()) * s),
                                    int((c.top() + 0.12 * c.height()) * s));
        };
        for (int row = 0; row < 3; ++row)
            for (int col = 0; col < 3; ++col)
                QVERIFY2(channelDiff(sample(row, col), ConfusionMatrixFigure::cellColor(
                                                           figure.rowFraction(row, col))) <= 6,
                         qPrintable(QString("cell %1,%2").arg(row).arg(col)));
        // Diagonal shares 0.8 > 0.5 > 0.1: darker to lighter; an empty cell is near-white.
        QVERIFY(lum(sample(0, 0)) < lum(sample(1, 1)));
        QVERIFY(lum(sample(1, 1)) < lum(sample(2, 2)));
        QVERIFY(lum(sample(0, 2)) > 0.95);
        QVERIFY(lum(sample(2, 0)) < lum(sample(2, 2))); // 9 of 10 stimulant rows called control

        // Counts in contrasting ink: white text on the dark cell, dark text on the light one.
        auto countPixels = [&](int row, int col, bool white) {
            const QRectF c = figure.cellRect(page, options, row, col);
            int n = 0;
            for (int y = int(c.top() * s) + 2; y < int(c.bottom() * s) - 2; ++y)
                for (int x = int(c.left() * s) + 2; x < int(c.right() * s) - 2; ++x) {
                    const double l = lum(image.pixelColor(x, y));
                    n += white ? (l > 0.97 ? 1 : 0) : (l < 0.3 ? 1 : 0);
                }
            return n;
        };
        QVERIFY(countPixels(0, 0, true) > 10);
        QVERIFY(countPixels(2, 2, false) > 10);
        QCOMPARE(countPixels(0, 0, false), 0);
    }

    void baselines() {
        const FigureOptions options = figureOptions(120, 80, 150, 9);
        QString why =
            testing::imageBaselineMismatch(render(ExplainedVarianceFigure(kRatio), options),
                                           "explained_variance", kBaselines, kTmp);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        std::vector<int> truth, predicted;
        confusionRows(truth, predicted);
        why = testing::imageBaselineMismatch(
            render(ConfusionMatrixFigure(truth, predicted, {"control", "sedative", "stimulant"},
                                         "base model"),
                   options),
            "confusion_matrix", kBaselines, kTmp);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    void svgExportKeepsTextAndVectors() {
        FigureOptions options = figureOptions(120, 80, 300, 9);
        options.title = "Explained variance";
        const QString path = kTmp + "/explained_variance.svg";
        QFile::remove(path);
        exportFigure(ExplainedVarianceFigure(kRatio), options, FigureFormat::Svg, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QStringList texts;
        int shapes = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const auto name = xml.name();
            if (name == QLatin1String("text"))
                texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
            else if (name == QLatin1String("path") || name == QLatin1String("rect") ||
                     name == QLatin1String("polyline") || name == QLatin1String("line"))
                ++shapes;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        for (const char* want : {"Explained variance", "Principal component",
                                 "Explained variance (%)", "PC1", "PC8", "100"})
            QVERIFY2(texts.contains(want), want);
        QVERIFY(shapes >= 8); // bars, line, axes: vectors, not an embedded image
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    TestPlotFigures test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_plot_figures.moc"
