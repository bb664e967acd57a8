// Dose-response figures, dose paths and the 2-D embedding figure (issue 7): the panel grid and
// its hit test, the heat map's cell colours against viridis of the distances, the paths'
// vertices against hand-computed centroids, SVG text and vector elements, and image baselines
// of the small multiples and the heat map (rendered under xvfb; look at them).
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/error.h"
#include "embedscope/ui/dose_paths.h"
#include "embedscope/ui/dose_response_figures.h"
#include "embedscope/ui/embedding_figure.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"
#include "embedscope/viewer/curve_overlay.h"

#include "figure_render.h"
#include "image_baseline.h"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

// Deterministic noise in [-1, 1] (no library RNG: baselines must not depend on it).
double wobble(int i, int k) {
    return std::sin(12.9898 * i + 78.233 * k) * 0.5 + std::sin(3.7 * i * (k + 1)) * 0.5;
}

/// Control at the origin; S1 along x with a rising Hill response over doses 1, 2, 4, 8;
/// S2 along y with doses 2 and 4 swapped (one inversion); S3 one dose only. 8 rows per group.
struct Synthetic {
    Eigen::MatrixXd z;
    MetricLabels labels;
};

Synthetic synthetic() {
    Synthetic s;
    std::vector<std::array<double, 3>> centres; // substance index (0 = control), dose, offset
    auto add = [&](const std::string& substance, double dose, double x, double y) {
        for (int r = 0; r < 8; ++r) {
            centres.push_back({x, y, 0});
            s.labels.substance.push_back(substance);
            s.labels.dose.push_back(dose);
            s.labels.group.push_back(substance + "@" + std::to_string(dose));
        }
    };
    add("control", 0, 0, 0);
    for (double d : {1.0, 2.0, 4.0, 8.0}) // 0.2 + 3.8 d^2 / (d^2 + 9): EC50 3, slope 2
        add("S1", d, 0.2 + 3.8 * d * d / (d * d + 9), 0);
    add("S2", 1, 0, 1);
    add("S2", 2, 0, 3);
    add("S2", 4, 0, 2);
    add("S2", 8, 0, 4);
    add("S3", 4, -2, -2);
    s.z.resize(Eigen::Index(centres.size()), 3);
    for (std::size_t i = 0; i < centres.size(); ++i) {
        s.z(Eigen::Index(i), 0) = centres[i][0] + 0.15 * wobble(int(i), 0);
        s.z(Eigen::Index(i), 1) = centres[i][1] + 0.15 * wobble(int(i), 1);
        s.z(Eigen::Index(i), 2) = 0.15 * wobble(int(i), 2);
    }
    return s;
}

DoseResponseResult analysed() {
    const Synthetic s = synthetic();
    DoseResponseOptions options;
    options.bootstrap = 200;
    return analyseDoseResponse(s.z, s.labels, options, JobContext());
}

FigureOptions smallOptions() {
    FigureOptions o;
    o.width = 150;
    o.height = 100;
    o.dpi = 150;
    o.fontPt = 8;
    return o;
}

QImage render(const Figure& figure, const FigureOptions& o) {
    return renderFigure(figure, o);
}

QStringList svgTexts(const QString& path, int* vectorElements) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QXmlStreamReader xml(&file);
    QStringList texts;
    *vectorElements = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("path") || name == QLatin1String("polyline") ||
            name == QLatin1String("line") || name == QLatin1String("rect") ||
            name == QLatin1String("ellipse") || name == QLatin1String("circle") ||
            name == QLatin1String("polygon"))
            ++*vectorElements;
        if (name == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).simplified();
    }
    if (xml.hasError())
        return {QStringLiteral("XML error: ") + xml.errorString()};
    return texts;
}

bool anyContains(const QStringList& texts, const QString& needle) {
    for (const auto& t : texts)
        if (t.contains(needle))
            return true;
    return false;
}

const QString kBaselines = QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/ui/baselines");
const QString kTmp = QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR);

} // namespace

class TestDoseFigures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gridKnownAnswers() {
        QCOMPARE(DoseResponseFigure::gridFor(1), QSize(1, 1));
        QCOMPARE(DoseResponseFigure::gridFor(3), QSize(2, 2));
        QCOMPARE(DoseResponseFigure::gridFor(4), QSize(2, 2));
        QCOMPARE(DoseResponseFigure::gridFor(5), QSize(3, 2));
        QCOMPARE(DoseResponseFigure::gridFor(12), QSize(4, 3));
        QCOMPARE(DoseResponseFigure::gridFor(20), QSize(4, 5));
    }

    void analysisBehindTheFigures() {
        const DoseResponseResult r = analysed();
        QCOMPARE(r.substances.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(r.substances[0].name), QStringLiteral("S1"));
        QVERIFY(r.substances[0].hill.ok);
        QVERIFY2(std::abs(r.substances[0].hill.ec50 - 3.0) < 0.6,
                 qPrintable(QString::number(r.substances[0].hill.ec50)));
        QCOMPARE(r.substances[1].inversions, std::size_t(1));
        QVERIFY(r.substances[1].levels[2].inverted); // dose 4 is nearer control than dose 2
        QVERIFY(!r.substances[2].hill.ok);           // S3: one dose
    }

    void panelHitTest() {
        const DoseResponseFigure figure(analysed());
        const FigureOptions o = smallOptions();
        const QRectF rect(QPointF(0, 0), o.sizePoints());
        // 3 panels on a 2 x 2 grid under the key band: centres of the quarters of the lower
        // part of the figure.
        const double top = rect.height() * 0.15;
        const double h = rect.height() - top;
        QCOMPARE(figure.substanceAt(rect, o, QPointF(rect.width() * 0.25, top + h * 0.3)), 0);
        QCOMPARE(figure.substanceAt(rect, o, QPointF(rect.width() * 0.75, top + h * 0.3)), 1);
        QCOMPARE(figure.substanceAt(rect, o, QPointF(rect.width() * 0.25, top + h * 0.8)), 2);
        QCOMPARE(figure.substanceAt(rect, o, QPointF(rect.width() * 0.75, top + h * 0.8)), -1);
    }

    void smallMultiplesSvgKeepsText() {
        const DoseResponseFigure figure(analysed());
        FigureOptions o = smallOptions();
        o.title = QStringLiteral("Dose response");
        const QString path = kTmp + "/dose_response.svg";
        exportFigure(figure, o, FigureFormat::Svg, path);
        int vectors = 0;
        const QStringList texts = svgTexts(path, &vectors);
        QVERIFY2(!anyContains(texts, "XML error"), qPrintable(texts.join('|')));
        QVERIFY2(vectors > 50, qPrintable(QString::number(vectors)));
        for (const char* t :
             {"S1", "S2", "S3", "Dose", "Distance to control", "EC50", "no Hill fit", "inversion"})
            QVERIFY2(anyContains(texts, t), t);
    }

    void heatmapCellsAreViridisOfTheDistance() {
        const DoseResponseResult r = analysed();
        const DoseHeatmapFigure figure(r);
        QCOMPARE(figure.doses(), (std::vector<double>{1, 2, 4, 8}));
        const FigureOptions o = smallOptions();
        const QImage image = render(figure, o);
        // The largest distance is S2 at dose 8 or S1 at dose 8: its cell is the brightest
        // (yellow end); find cells by scanning for the exact colours of two known levels.
        double top = 0;
        for (const auto& s : r.substances)
            for (const auto& l : s.levels)
                if (std::isfinite(l.distance))
                    top = std::max(top, l.distance);
        auto count = [&](const QColor& c) {
            int n = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x) {
                    const QColor p = image.pixelColor(x, y);
                    n += std::abs(p.red() - c.red()) <= 2 && std::abs(p.green() - c.green()) <= 2 &&
                                 std::abs(p.blue() - c.blue()) <= 2
                             ? 1
                             : 0;
                }
            return n;
        };
        const AxisScale scale = AxisScale::niceLinear(0, top); // the heat map's colour scale
        for (const auto* level : {&r.substances[0].levels[0], &r.substances[1].levels[3]}) {
            const auto rgb = viewer::CurveOverlay::viridis(scale.fraction(level->distance));
            QVERIFY2(count(QColor(rgb[0], rgb[1], rgb[2])) > 400,
                     qPrintable(QString("no cell of distance %1").arg(level->distance)));
        }
        // S3 has no dose 1: that cell is not filled (a dot on the background).
        QVERIFY(r.substances[2].levels.size() == 1);
    }

    void heatmapSvgNamesSubstancesAndDoses() {
        const DoseHeatmapFigure figure(analysed());
        const QString path = kTmp + "/dose_heatmap.svg";
        exportFigure(figure, smallOptions(), FigureFormat::Svg, path);
        int vectors = 0;
        const QStringList texts = svgTexts(path, &vectors);
        for (const char* t : {"S1", "S2", "S3", "Substance", "Dose", "8"})
            QVERIFY2(anyContains(texts, t), t);
    }

    void dosePathsThroughTheCentroids() {
        const Synthetic s = synthetic();
        std::vector<double> xyz;
        for (Eigen::Index i = 0; i < s.z.rows(); ++i)
            xyz.insert(xyz.end(), {s.z(i, 0), s.z(i, 1), s.z(i, 2)});
        std::vector<std::string> notes;
        const auto overlay = dosePathOverlay(xyz, 2, s.labels, QStringLiteral("S2"), &notes);
        // S1 (control + 4 doses), S2 (control + 4 doses), S3 (control + 1 dose).
        QCOMPARE(overlay.curves.size(), std::size_t(3));
        const auto& s1 = overlay.curves[0];
        QCOMPARE(s1.category, std::string("S1"));
        QVERIFY(s1.arrows);
        QCOMPARE(s1.polyline.size(), std::size_t(15));
        QCOMPARE(s1.centres.size(), std::size_t(12));
        // Vertex 0 = the control centroid, vertex 2 = the dose-2 centroid, by hand.
        double cx = 0, cy = 0, dx = 0, dy = 0;
        for (int r = 0; r < 8; ++r) {
            cx += s.z(r, 0) / 8;
            cy += s.z(r, 1) / 8;
            dx += s.z(16 + r, 0) / 8;
            dy += s.z(16 + r, 1) / 8;
        }
        QVERIFY(std::abs(s1.polyline[0] - cx) < 1e-12 && std::abs(s1.polyline[1] - cy) < 1e-12);
        QVERIFY(std::abs(s1.polyline[6] - dx) < 1e-12 && std::abs(s1.polyline[7] - dy) < 1e-12);
        QCOMPARE(s1.polyline[2], 0.0); // 2-D: z = 0
        // S2 is emphasised: its colour is the palette's; S1's is faded towards grey.
        QVERIFY(overlay.curves[1].color && overlay.curves[0].color);
        const auto pal = viewer::ScatterScene::palette();
        QCOMPARE(*overlay.curves[1].color, pal[1]);
        QVERIFY(*overlay.curves[0].color != pal[0]);
        // Bad input: coordinates that are not triples.
        QVERIFY_THROWS_EXCEPTION(DataError, dosePathOverlay({1, 2}, 2, s.labels, {}));
    }

    void embedding2dIsVectorWithLegendText() {
        viewer::ScatterData data;
        data.dims = 2;
        data.axisTitles = {"PC1 (40.0%)", "PC2 (20.0%)"};
        data.colorTitle = "substance";
        for (int i = 0; i < 30; ++i) {
            data.xyz.insert(data.xyz.end(), {std::cos(i * 0.3) * 3, std::sin(i * 0.5) * 2, 0});
            data.categories.push_back(i % 3 == 0 ? "control" : (i % 3 == 1 ? "S2" : "S10"));
        }
        const EmbeddingFigure2D figure(data);
        QCOMPARE(figure.categoryOrder(), (std::vector<std::string>{"control", "S2", "S10"}));
        const auto grey = viewer::ScatterScene::controlColor();
        QCOMPARE(figure.colorOf("control"), QColor(grey[0], grey[1], grey[2]));
        const auto pal = viewer::ScatterScene::palette();
        QCOMPARE(figure.colorOf("S10"), QColor(pal[1][0], pal[1][1], pal[1][2]));
        const QString path = kTmp + "/embedding_2d.svg";
        exportFigure(figure, smallOptions(), FigureFormat::Svg, path);
        int vectors = 0;
        const QStringList texts = svgTexts(path, &vectors);
        for (const char* t : {"PC1 (40.0%)", "PC2 (20.0%)", "control", "S2", "S10", "substance"})
            QVERIFY2(anyContains(texts, t), t);
        QVERIFY2(vectors >= 30, qPrintable(QString::number(vectors))); // a shape per marker
        QVERIFY(!figure.raster());
        data.dims = 3;
        QVERIFY(makeEmbeddingFigure(data)->raster());
    }

    void baselines() {
        const DoseResponseResult r = analysed();
        for (const auto& [name, figure] : std::vector<std::pair<QString, std::shared_ptr<Figure>>>{
                 {QStringLiteral("dose_response"), std::make_shared<DoseResponseFigure>(r)},
                 {QStringLiteral("dose_heatmap"), std::make_shared<DoseHeatmapFigure>(r)}}) {
            const QString why = embedscope::testing::imageBaselineMismatch(
                render(*figure, smallOptions()), name, kBaselines, kTmp);
            if (!why.isEmpty())
                QFAIL(qPrintable(why));
        }
    }
};

QTEST_MAIN(TestDoseFigures)
#include "test_dose_figures.moc"
