// Figure export (issue 7): PNG pixel size and pHYs at the chosen DPI, SVG as XML with vector
// elements and the axis titles as text, PDF page box in points, crash-safe writing and clear
// errors; a hand-drawn Figure and ChartFigures copied from live QCharts (value and log axes).
#include "embedscope/engine/error.h"
#include "embedscope/ui/chart_figure.h"
#include "embedscope/ui/export_figure_dialog.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/figure_widget.h"

#include <QApplication>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFontInfo>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMessageBox>
#include <QPainter>
#include <QPieSeries>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QSplineSeries>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QValueAxis>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

/// Axes, bars, a polyline and two axis titles at known places (fractions of the rect).
class TestFigure : public Figure {
public:
    QString viewName() const override { return QStringLiteral("test"); }
    void paint(QPainter& p, const QRectF& r, const FigureOptions& o) const override {
        p.fillRect(r, o.background());
        const QRectF plot(r.left() + 0.15 * r.width(), r.top() + 0.1 * r.height(), 0.8 * r.width(),
                          0.65 * r.height());
        p.setPen(QPen(o.ink(), 1));
        p.drawLine(plot.bottomLeft(), plot.bottomRight());
        p.drawLine(plot.bottomLeft(), plot.topLeft());
        p.setBrush(QColor(0, 114, 178));
        p.drawRect(QRectF(plot.left() + 10, plot.bottom() - 40, 20, 40));
        p.setPen(QPen(QColor(213, 94, 0), 2));
        p.drawPolyline(QPolygonF({plot.bottomLeft(), plot.center(), plot.topRight()}));
        p.setPen(o.ink());
        p.setFont(figureFont(o));
        // x title in the bottom band, centred.
        p.drawText(QRectF(r.left(), r.top() + 0.85 * r.height(), r.width(), 0.15 * r.height()),
                   Qt::AlignCenter, QStringLiteral("Dose (mg/kg)"));
        p.save();
        p.translate(r.left() + 0.05 * r.width(), plot.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-50, -10, 100, 20), Qt::AlignCenter, QStringLiteral("Distance"));
        p.restore();
    }
};

/// A "3-D view": an image.
class RasterFigure : public Figure {
public:
    QString viewName() const override { return QStringLiteral("embedding-3d"); }
    bool raster() const override { return true; }
    void paint(QPainter& p, const QRectF& r, const FigureOptions& o) const override {
        QImage image(64, 48, QImage::Format_RGB32);
        image.fill(QColor(0, 158, 115));
        p.fillRect(r, o.background());
        p.drawImage(r.adjusted(10, 10, -10, -10), image);
    }
};

/// Fails half-way through painting.
class ThrowingFigure : public Figure {
public:
    QString viewName() const override { return QStringLiteral("broken"); }
    void paint(QPainter& p, const QRectF& r, const FigureOptions& o) const override {
        p.fillRect(r, o.background());
        throw DataError("broken figure: no data");
    }
};

std::unique_ptr<QChart> lossChart(bool hideBestMarker) {
    auto chart = std::make_unique<QChart>();
    auto* train = new QLineSeries;
    train->setName(QStringLiteral("train"));
    train->setPen(QPen(QColor(0, 114, 178), 2));
    auto* val = new QLineSeries;
    val->setName(QStringLiteral("validation"));
    val->setPen(QPen(QColor(213, 94, 0), 2, Qt::DashLine));
    auto* best = new QScatterSeries;
    best->setName(QStringLiteral("bestmark"));
    best->setMarkerSize(10);
    for (int e = 1; e <= 20; ++e) {
        train->append(e, 2.0 / e + 0.1);
        val->append(e, 2.2 / e + 0.15 + 0.002 * e);
    }
    best->append(12, 2.2 / 12 + 0.15 + 0.024);
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{train, val, best})
        chart->addSeries(s);
    auto* x = new QValueAxis;
    x->setTitleText(QStringLiteral("Epoch"));
    x->setRange(1, 20);
    x->setLabelFormat(QStringLiteral("%d"));
    auto* y = new QValueAxis;
    y->setTitleText(QStringLiteral("Loss"));
    y->setRange(0, 2.5);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    if (hideBestMarker)
        for (QLegendMarker* m : chart->legend()->markers(best))
            m->setVisible(false);
    return chart;
}

std::unique_ptr<QChart> doseChart() {
    auto chart = std::make_unique<QChart>();
    auto* response = new QLineSeries;
    response->setName(QStringLiteral("substance A"));
    for (double dose : {0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0})
        response->append(dose, 1.0 / (1.0 + std::pow(3.0 / dose, 1.5)));
    chart->addSeries(response);
    auto* x = new QLogValueAxis;
    x->setBase(10);
    x->setRange(0.1, 100);
    x->setLabelFormat(QStringLiteral("%g"));
    x->setTitleText(QStringLiteral("Dose (mg/kg)"));
    auto* y = new QValueAxis;
    y->setRange(0, 1);
    y->setTitleText(QStringLiteral("Distance"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    response->attachAxis(x);
    response->attachAxis(y);
    return chart;
}

struct SvgContent {
    QString error;
    QStringList elements;
    QStringList texts;
    QString viewBox;
};

SvgContent readSvg(const QString& path) {
    QFile file(path);
    SvgContent c;
    if (!file.open(QIODevice::ReadOnly)) {
        c.error = QStringLiteral("cannot open");
        return c;
    }
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        c.elements << xml.name().toString();
        if (xml.name() == QLatin1String("svg"))
            c.viewBox = xml.attributes().value(QStringLiteral("viewBox")).toString();
        if (xml.name() == QLatin1String("text"))
            c.texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).simplified();
    }
    if (xml.hasError())
        c.error = xml.errorString();
    return c;
}

/// Pixels in `region` that differ from `background`.
int inkPixels(const QImage& image, const QRect& region, QColor background) {
    int n = 0;
    const QRect r = region.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            if (image.pixelColor(x, y) != background)
                ++n;
    return n;
}

/// The four numbers of the first /MediaBox in a PDF.
QList<double> mediaBox(const QByteArray& pdf) {
    static const QRegularExpression re(
        QStringLiteral(R"(/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\])"));
    const auto m = re.match(QString::fromLatin1(pdf));
    if (!m.hasMatch())
        return {};
    return {m.captured(1).toDouble(), m.captured(2).toDouble(), m.captured(3).toDouble(),
            m.captured(4).toDouble()};
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestFigureExport : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_{QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/figure-XXXXXX")};
    QString file(const QString& name) const { return tmp_.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's own
        QVERIFY(tmp_.isValid());
        // EMBEDSCOPE_KEEP_FIGURES=1 keeps the exported files for a look.
        tmp_.setAutoRemove(qEnvironmentVariableIsEmpty("EMBEDSCOPE_KEEP_FIGURES"));
    }

    void formatsKnownAnswers() {
        QCOMPARE(parseFigureFormat(QStringLiteral("PNG")), FigureFormat::Png);
        QCOMPARE(parseFigureFormat(QStringLiteral(" svg ")), FigureFormat::Svg);
        QCOMPARE(parseFigureFormat(QStringLiteral("Pdf")), FigureFormat::Pdf);
        try {
            parseFigureFormat(QStringLiteral("jpeg"));
            QFAIL("jpeg accepted");
        } catch (const ConfigError& e) {
            QVERIFY(QString(e.what()).contains(QLatin1String("'jpeg'")));
            QVERIFY(QString(e.what()).contains(QLatin1String("png, svg or pdf")));
        }
        QCOMPARE(figureFormatOfPath(QStringLiteral("/a/b/fig.PDF")), FigureFormat::Pdf);
        QCOMPARE(figureFormatOfPath(QStringLiteral("fig.v2.svg")), FigureFormat::Svg);
        QCOMPARE(figureFormatOfPath(QStringLiteral("x.png")), FigureFormat::Png);
        QVERIFY(!figureFormatOfPath(QStringLiteral("x.tiff")));
        QVERIFY(!figureFormatOfPath(QStringLiteral("/a/png")));
        for (FigureFormat f : {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf})
            QCOMPARE(parseFigureFormat(figureFormatName(f)), f);
    }

    void optionsSizesAndValidation() {
        FigureOptions o;                             // 160 × 100 mm at 300 dpi
        QCOMPARE(o.sizePixels(), QSize(1890, 1181)); // 160/25.4*300 = 1889.76, 1181.10
        QVERIFY(std::abs(o.sizePoints().width() - 160 / 25.4 * 72) < 1e-9);
        QVERIFY(std::abs(o.sizePoints().width() - 453.543) < 1e-3);
        QVERIFY(std::abs(o.sizePoints().height() - 283.465) < 1e-3);
        FigureOptions px;
        px.unit = FigureOptions::Unit::Pixels;
        px.width = 800;
        px.height = 600;
        px.dpi = 96;
        QCOMPARE(px.sizePixels(), QSize(800, 600));
        QCOMPARE(px.sizePoints(), QSizeF(600, 450)); // 800 px / 96 dpi = 8.333 in
        const auto expectError = [](FigureOptions bad, const char* field) {
            try {
                bad.validate();
                QFAIL(qPrintable(QStringLiteral("accepted bad %1").arg(field)));
            } catch (const ConfigError& e) {
                QVERIFY2(QString(e.what()).contains(QLatin1String(field)), e.what());
            }
        };
        FigureOptions bad = o;
        bad.width = 0;
        expectError(bad, "'width' = 0");
        bad = o;
        bad.dpi = 10;
        expectError(bad, "'dpi' = 10");
        bad = o;
        bad.height = 2001;
        expectError(bad, "'height'");
        bad = o;
        bad.fontPt = 3;
        expectError(bad, "'fontPt'");
        px.width = 20000; // the px limit, fine
        px.validate();
    }

    void fontInPoints() {
        FigureOptions o;
        o.fontPt = 9;
        const QFont base = figureFont(o);
        QCOMPARE(base.family(), QStringLiteral("DejaVu Sans"));
        QCOMPARE(base.pixelSize(), 9);
        QCOMPARE(figureFont(o, 0.9).pixelSize(), 8);        // 8.1
        QCOMPARE(figureFont(o, 1.2, true).pixelSize(), 11); // 10.8
        QVERIFY(figureFont(o, 1.2, true).bold());
        QCOMPARE(figureFont(o, 0.01).pixelSize(), 1);
        // The font is installed (fonts-dejavu-core), not substituted.
        QCOMPARE(QFontInfo(base).family(), QStringLiteral("DejaVu Sans"));
    }

    void svgIsVectorWithTextAndPointViewBox() {
        const QString path = file(QStringLiteral("test.svg"));
        exportFigure(TestFigure(), FigureOptions(), FigureFormat::Svg, path);
        const SvgContent svg = readSvg(path);
        QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
        QVERIFY(svg.elements.contains(QLatin1String("path")) ||
                svg.elements.contains(QLatin1String("polyline")) ||
                svg.elements.contains(QLatin1String("line")));
        QVERIFY(svg.texts.contains(QLatin1String("Dose (mg/kg)")));
        QVERIFY(svg.texts.contains(QLatin1String("Distance")));
        QVERIFY(!svg.elements.contains(QLatin1String("image"))); // no raster inside
        const QStringList box = svg.viewBox.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QCOMPARE(box.size(), 4);
        QVERIFY2(std::abs(box[2].toDouble() - 453.543) < 0.01, qPrintable(svg.viewBox));
        QVERIFY2(std::abs(box[3].toDouble() - 283.465) < 0.01, qPrintable(svg.viewBox));
    }

    void chartSvgKeepsTitlesAndLegendAsText() {
        auto chart = lossChart(true);
        const ChartFigure figure(*chart, QStringLiteral("loss"));
        chart.reset(); // the figure holds copies, not the live chart
        QCOMPARE(figure.seriesCount(), 3);
        QCOMPARE(figure.axisCount(), 2);
        QCOMPARE(figure.viewName(), QStringLiteral("loss"));
        FigureOptions o;
        o.title = QStringLiteral("Training run 7");
        const QString path = file(QStringLiteral("loss.svg"));
        exportFigure(figure, o, FigureFormat::Svg, path);
        SvgContent svg = readSvg(path);
        QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
        QVERIFY(svg.elements.contains(QLatin1String("path")) ||
                svg.elements.contains(QLatin1String("polyline")));
        for (const char* text : {"Epoch", "Loss", "train", "validation", "Training run 7", "20"})
            QVERIFY2(svg.texts.contains(QLatin1String(text)),
                     qPrintable(QStringLiteral("%1 missing from %2")
                                    .arg(QLatin1String(text), svg.texts.join(QLatin1Char('|')))));
        // The scatter's legend marker was hidden in the live chart: it stays out.
        QVERIFY(!svg.texts.contains(QLatin1String("bestmark")));
        // Legend off: no series names, axis titles still there.
        o.legend = false;
        exportFigure(figure, o, FigureFormat::Svg, path);
        svg = readSvg(path);
        QVERIFY(!svg.texts.contains(QLatin1String("train")));
        QVERIFY(svg.texts.contains(QLatin1String("Epoch")));

        // A chart on screen (its legend laid out): a marker hidden after showing stays out too.
        auto shownChart = lossChart(false);
        QChartView view(shownChart.get());
        view.resize(500, 350);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QList<QLegendMarker*> markers = shownChart->legend()->markers();
        QCOMPARE(markers.size(), 3);
        markers[1]->setVisible(false); // "validation"
        exportFigure(ChartFigure(*shownChart, QStringLiteral("loss")), FigureOptions(),
                     FigureFormat::Svg, path);
        view.setChart(new QChart); // the view deletes its old chart otherwise
        svg = readSvg(path);
        QVERIFY(svg.texts.contains(QLatin1String("train")));
        QVERIFY(svg.texts.contains(QLatin1String("bestmark")));
        QVERIFY(!svg.texts.contains(QLatin1String("validation")));

        auto dose = doseChart();
        const ChartFigure logFigure(*dose, QStringLiteral("dose-response"));
        const QString logPath = file(QStringLiteral("dose.svg"));
        exportFigure(logFigure, FigureOptions(), FigureFormat::Svg, logPath);
        svg = readSvg(logPath);
        QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
        for (const char* text : {"Dose (mg/kg)", "Distance", "1", "10", "100", "substance A"})
            QVERIFY2(svg.texts.contains(QLatin1String(text)),
                     qPrintable(QStringLiteral("%1 missing from %2")
                                    .arg(QLatin1String(text), svg.texts.join(QLatin1Char('|')))));
    }

    void barAreaSplineAndCategoryAxes() {
        QChart chart;
        auto* bars = new QBarSeries;
        auto* set = new QBarSet(QStringLiteral("variance"));
        set->append({0.5, 0.3, 0.2});
        set->setBrush(QColor(0, 114, 178));
        bars->append(set);
        auto* cumulative = new QSplineSeries;
        cumulative->setName(QStringLiteral("cumulative"));
        cumulative->append({QPointF(0, 0.5), QPointF(1, 0.8), QPointF(2, 1.0)});
        auto* band = new QAreaSeries(new QLineSeries, new QLineSeries);
        band->setName(QStringLiteral("band"));
        band->upperSeries()->append({QPointF(0, 0.6), QPointF(2, 1.05)});
        band->lowerSeries()->append({QPointF(0, 0.4), QPointF(2, 0.95)});
        auto* pie = new QPieSeries; // not a plot of x and y: skipped
        pie->append(QStringLiteral("slice"), 1);
        for (QAbstractSeries* s :
             std::initializer_list<QAbstractSeries*>{bars, cumulative, band, pie})
            chart.addSeries(s);
        auto* x = new QBarCategoryAxis;
        x->append({QStringLiteral("PC1"), QStringLiteral("PC2"), QStringLiteral("PC3")});
        x->setTitleText(QStringLiteral("Component"));
        auto* y = new QCategoryAxis;
        y->setRange(0, 1.1);
        y->append(QStringLiteral("low"), 0.5);
        y->append(QStringLiteral("high"), 1.1);
        y->setTitleText(QStringLiteral("Explained variance"));
        chart.addAxis(x, Qt::AlignBottom);
        chart.addAxis(y, Qt::AlignLeft);
        for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{bars, cumulative, band}) {
            s->attachAxis(x);
            s->attachAxis(y);
        }
        const ChartFigure figure(chart, QStringLiteral("explained-variance"));
        QCOMPARE(figure.seriesCount(), 3);
        QCOMPARE(figure.skippedSeries(), 1);
        QCOMPARE(figure.axisCount(), 2);
        const QString path = file(QStringLiteral("variance.svg"));
        exportFigure(figure, FigureOptions(), FigureFormat::Svg, path);
        const SvgContent svg = readSvg(path);
        QVERIFY2(svg.error.isEmpty(), qPrintable(svg.error));
        for (const char* text : {"PC1", "PC2", "PC3", "Component", "Explained variance", "low",
                                 "high", "variance", "cumulative", "band"})
            QVERIFY2(svg.texts.contains(QLatin1String(text)),
                     qPrintable(QStringLiteral("%1 missing from %2")
                                    .arg(QLatin1String(text), svg.texts.join(QLatin1Char('|')))));
        QVERIFY(!svg.texts.contains(QLatin1String("slice")));
        // The bars are filled with their set's colour.
        const QString bytes = QString::fromUtf8(readAll(path));
        QVERIFY(bytes.contains(QLatin1String("fill=\"#0072b2\"")));
    }

    void pngSizeDpiAndInk() {
        const QString path = file(QStringLiteral("test.png"));
        const FigureOptions o;
        exportFigure(TestFigure(), o, FigureFormat::Png, path);
        QImage image(path);
        QCOMPARE(image.size(), QSize(1890, 1181));
        QVERIFY(std::abs(image.dotsPerMeterX() - 11811) <= 1); // 300 / 0.0254
        QVERIFY(std::abs(image.dotsPerMeterY() - 11811) <= 1);
        const QColor bg = o.background();
        // The x title sits in the bottom 15 % band, centred; the corners stay background.
        QVERIFY(inkPixels(image, QRect(700, 1010, 490, 170), bg) > 200);
        QCOMPARE(inkPixels(image, QRect(0, 0, 150, 100), bg), 0);

        // Chart: the x-axis title band has ink and nothing touches the border (no clipping).
        auto chart = lossChart(false);
        const ChartFigure figure(*chart, QStringLiteral("loss"));
        const QString chartPath = file(QStringLiteral("loss.png"));
        exportFigure(figure, o, FigureFormat::Png, chartPath);
        image = QImage(chartPath);
        QCOMPARE(image.size(), QSize(1890, 1181));
        QVERIFY(inkPixels(image, image.rect(), bg) > 20000);
        QVERIFY(inkPixels(image, QRect(600, 1181 - 70, 500, 65), bg) > 100);
        const int w = image.width(), h = image.height();
        QCOMPARE(inkPixels(image, QRect(0, 0, w, 3), bg) +
                     inkPixels(image, QRect(0, h - 3, w, 3), bg) +
                     inkPixels(image, QRect(0, 0, 3, h), bg) +
                     inkPixels(image, QRect(w - 3, 0, 3, h), bg),
                 0);

        FigureOptions px;
        px.unit = FigureOptions::Unit::Pixels;
        px.width = 800;
        px.height = 600;
        px.dpi = 96;
        px.lightBackground = false;
        const QString darkPath = file(QStringLiteral("loss-dark.png"));
        exportFigure(figure, px, FigureFormat::Png, darkPath);
        image = QImage(darkPath);
        QCOMPARE(image.size(), QSize(800, 600));
        QVERIFY(std::abs(image.dotsPerMeterX() - 3780) <= 1); // 96 / 0.0254
        QCOMPARE(image.pixelColor(1, 1), px.background());
        QVERIFY(inkPixels(image, image.rect(), px.background()) > 2000);
    }

    void chartPaintsOnAWorkerThread() {
        // Figures copy their data so that a worker may render them into a QImage (figure.h).
        auto chart = lossChart(false);
        const auto figure = std::make_shared<ChartFigure>(*chart, QStringLiteral("loss"));
        chart.reset();
        FigureOptions o;
        o.unit = FigureOptions::Unit::Pixels;
        o.width = 600;
        o.height = 400;
        o.dpi = 72;
        QImage onThread;
        QThread* worker = QThread::create([&] {
            QImage image(o.sizePixels(), QImage::Format_ARGB32);
            image.fill(o.background());
            QPainter painter(&image);
            figure->paint(painter, QRectF(QPointF(0, 0), o.sizePoints()), o);
            painter.end();
            onThread = image;
        });
        worker->start();
        QVERIFY(worker->wait(20000));
        delete worker;
        QImage here(o.sizePixels(), QImage::Format_ARGB32);
        here.fill(o.background());
        {
            QPainter painter(&here);
            figure->paint(painter, QRectF(QPointF(0, 0), o.sizePoints()), o);
        }
        QVERIFY(inkPixels(onThread, onThread.rect(), o.background()) > 2000);
        QCOMPARE(onThread, here); // the same pixels as on the GUI thread
    }

    void pdfPageInPoints() {
        const QString path = file(QStringLiteral("test.pdf"));
        exportFigure(TestFigure(), FigureOptions(), FigureFormat::Pdf, path);
        QByteArray pdf = readAll(path);
        QVERIFY(pdf.startsWith("%PDF"));
        QList<double> box = mediaBox(pdf);
        QCOMPARE(box.size(), 4);
        QVERIFY2(std::abs(box[0]) < 1e-6 && std::abs(box[1]) < 1e-6, pdf.left(0).constData());
        QVERIFY2(std::abs(box[2] - 453.543) < 0.5, qPrintable(QString::number(box[2])));
        QVERIFY2(std::abs(box[3] - 283.465) < 0.5, qPrintable(QString::number(box[3])));
        QVERIFY(!pdf.contains("/Subtype /Image")); // vectors stay vectors

        auto chart = lossChart(false);
        FigureOptions wide;
        wide.width = 80;
        wide.height = 60;
        exportFigure(ChartFigure(*chart, QStringLiteral("loss")), wide, FigureFormat::Pdf, path);
        pdf = readAll(path);
        box = mediaBox(pdf);
        QCOMPARE(box.size(), 4);
        QVERIFY(std::abs(box[2] - 80 / 25.4 * 72) < 0.5 && std::abs(box[3] - 60 / 25.4 * 72) < 0.5);
        QVERIFY(!pdf.contains("/Subtype /Image"));

        // A 3-D view goes into the PDF as an embedded image.
        exportFigure(RasterFigure(), FigureOptions(), FigureFormat::Pdf, path);
        pdf = readAll(path);
        QVERIFY(pdf.startsWith("%PDF"));
        QVERIFY(pdf.contains("/Subtype /Image"));
    }

    void errorsLeaveNothingBehind() {
        const QString missing = file(QStringLiteral("no/such/dir/x.svg"));
        try {
            exportFigure(TestFigure(), FigureOptions(), FigureFormat::Svg, missing);
            QFAIL("wrote into a missing directory");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(missing), e.what());
            QVERIFY2(QString(e.what()).contains(QLatin1String("does not exist")), e.what());
        }
        QVERIFY(!QFile::exists(missing));

        QTemporaryDir dir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR "/figure-err-XXXXXX"));
        try {
            exportFigure(TestFigure(), FigureOptions(), FigureFormat::Png, dir.path());
            QFAIL("wrote over a directory");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(QLatin1String("is a directory")), e.what());
        }
        const QString svg = dir.filePath(QStringLiteral("view.svg"));
        try {
            exportFigure(RasterFigure(), FigureOptions(), FigureFormat::Svg, svg);
            QFAIL("SVG of a 3-D view accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(
                QString(e.what()).contains(QLatin1String("is a 3-D view: export it as PNG or PDF")),
                e.what());
        }
        FigureOptions bad;
        bad.width = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 exportFigure(TestFigure(), bad, FigureFormat::Png, svg));

        // A figure that fails while painting: the old file is untouched, no temporary left.
        const QString keep = dir.filePath(QStringLiteral("keep.png"));
        {
            QFile f(keep);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old");
        }
        for (FigureFormat format : {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf})
            QVERIFY_THROWS_EXCEPTION(DataError,
                                     exportFigure(ThrowingFigure(), FigureOptions(), format, keep));
        QCOMPARE(readAll(keep), QByteArray("old"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("keep.png")});
    }

    void widgetPaintsAndReportsClicksInPoints() {
        FigureWidget widget;
        widget.resize(400, 300);
        QImage empty = widget.grab().toImage();
        QCOMPARE(empty.size(), QSize(400, 300) * widget.devicePixelRatioF());
        QVERIFY(widget.screenOptions().sizePoints() == QSizeF(400, 300));
        widget.setFont(QFont(QStringLiteral("DejaVu Sans"), 11));
        QCOMPARE(widget.screenOptions().fontPt, 11.0); // text as large as the widget's own
        auto chart = doseChart();
        widget.setFigure(std::make_shared<ChartFigure>(*chart, QStringLiteral("dose-response")));
        QPointF clicked(-1, -1);
        widget.setClickHandler([&](QPointF p) { clicked = p; });
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        QTest::mouseClick(&widget, Qt::LeftButton, {}, QPoint(120, 80));
        QCOMPARE(clicked, QPointF(120, 80));
        const QImage shown = widget.grab().toImage();
        QVERIFY(inkPixels(shown, shown.rect(), Qt::white) > 1000);
        QVERIFY(shown != empty);
    }

    void dialogOptionsFormatAndMemory() {
        TestFigure figure;
        {
            ExportFigureDialog dialog(figure);
            dialog.setPath(file(QStringLiteral("dlg.svg")));
            QCOMPARE(dialog.format(), FigureFormat::Svg);
            auto* combo = dialog.findChild<QComboBox*>(QStringLiteral("format"));
            QCOMPARE(combo->currentData().toInt(), int(FigureFormat::Svg));
            combo->setCurrentIndex(combo->findData(int(FigureFormat::Pdf)));
            QCOMPARE(dialog.path(), file(QStringLiteral("dlg.pdf")));
            FigureOptions o;
            o.width = 160;
            o.height = 100;
            o.dpi = 300;
            dialog.setOptions(o);
            QVERIFY2(dialog.sizeText().contains(QStringLiteral("1890 \u00d7 1181 px at 300 dpi")),
                     qPrintable(dialog.sizeText()));
            // Switching to px converts the size at the DPI.
            dialog.findChild<QComboBox*>(QStringLiteral("unit"))->setCurrentIndex(1);
            QCOMPARE(dialog.options().unit, FigureOptions::Unit::Pixels);
            QCOMPARE(dialog.options().width, 1890.0);
            QCOMPARE(dialog.options().height, 1181.0);
            o.unit = FigureOptions::Unit::Pixels;
            o.width = 800;
            o.height = 600;
            o.dpi = 96;
            o.legend = false;
            dialog.setOptions(o);
            QVERIFY(dialog.sizeText().contains(QStringLiteral("800 \u00d7 600 px at 96 dpi")));
            QString error;
            QVERIFY2(dialog.exportNow(&error), qPrintable(error));
            QVERIFY(readAll(file(QStringLiteral("dlg.pdf"))).startsWith("%PDF"));
        }
        {
            ExportFigureDialog again(figure); // remembers the last export
            QCOMPARE(again.options().unit, FigureOptions::Unit::Pixels);
            QCOMPARE(again.options().width, 800.0);
            QCOMPARE(again.options().dpi, 96.0);
            QCOMPARE(again.options().legend, false);
            QCOMPARE(again.format(), FigureFormat::Pdf);
            QCOMPARE(again.path(), file(QStringLiteral("test.pdf")));
            again.setPath(file(QStringLiteral("missing/x.png")));
            QString error;
            QVERIFY(!again.exportNow(&error));
            QVERIFY2(error.contains(file(QStringLiteral("missing/x.png"))), qPrintable(error));
        }
        RasterFigure raster;
        ExportFigureDialog dialog(raster);
        auto* combo = dialog.findChild<QComboBox*>(QStringLiteral("format"));
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        QVERIFY(!model->item(combo->findData(int(FigureFormat::Svg)))->isEnabled());
        dialog.setPath(file(QStringLiteral("view3d.svg")));
        QString error;
        QVERIFY(!dialog.exportNow(&error));
        QVERIFY2(error.contains(QLatin1String("3-D view")), qPrintable(error));
    }

    void dialogStaysOpenAfterAPathError() {
        const QString missing = file(QStringLiteral("missing/run.png"));
        const QString good = file(QStringLiteral("retry.png"));
        QString boxText;
        bool stayedOpen = false;
        QSize expected;
        // Safety net: a dialog left open by a failure below is rejected, not waited on forever.
        QTimer safety;
        QObject::connect(&safety, &QTimer::timeout, [] {
            if (auto* d = qobject_cast<QDialog*>(QApplication::activeModalWidget()))
                d->reject();
        });
        safety.start(10000);
        QTimer::singleShot(0, [&] {
            auto* dialog = qobject_cast<ExportFigureDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->setPath(missing);
            QTimer::singleShot(50, [&] {
                if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                    boxText = box->text();
                    box->accept();
                }
            });
            dialog->accept(); // fails: the message box above, then back to the dialog
            stayedOpen = dialog->isVisible();
            dialog->setPath(good);
            expected = dialog->options().sizePixels();
            dialog->accept();
        });
        QString written;
        const bool ok = ExportFigureDialog::exportWithDialog(nullptr, TestFigure(), &written);
        QVERIFY(ok);
        QVERIFY2(boxText.contains(missing), qPrintable(boxText));
        QVERIFY(stayedOpen);
        QCOMPARE(written, good);
        QCOMPARE(QImage(good).size(), expected);
    }
};

QTEST_MAIN(TestFigureExport)
#include "test_figure_export.moc"
