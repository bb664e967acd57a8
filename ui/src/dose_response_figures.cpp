#include "embedscope/ui/dose_response_figures.h"

#include "embedscope/ui/plot_painter.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <set>

namespace embedscope::ui {
namespace {

const QColor kInversion(213, 94,
                        0);   // Okabe–Ito vermillion: stands out from the palette's blue
constexpr double kFade = 0.7; // how far faded panels move towards the background

QColor faded(const QColor& c, const QColor& background, bool fade) {
    if (!fade)
        return c;
    return QColor::fromRgbF(float(c.redF() + kFade * (background.redF() - c.redF())),
                            float(c.greenF() + kFade * (background.greenF() - c.greenF())),
                            float(c.blueF() + kFade * (background.blueF() - c.blueF())));
}

QString number(double v, int significant = 3) {
    return std::isfinite(v) ? QString::number(v, 'g', significant) : QStringLiteral("–");
}

std::vector<double> distinctDoses(const DoseResponseResult& r) {
    std::set<double> doses;
    for (const auto& s : r.substances)
        for (const auto& l : s.levels)
            if (l.dose > 0 && std::isfinite(l.dose))
                doses.insert(l.dose);
    return {doses.begin(), doses.end()};
}

// Deterministic horizontal spread of the rows at one dose (multiplicative: a log axis).
double jitter(std::size_t index) {
    const double golden = 0.6180339887498949 * double(index % 9973);
    return std::pow(1.07, 2.0 * (golden - std::floor(golden)) - 1.0);
}

} // namespace

// ---- small multiples
// --------------------------------------------------------------------------

DoseResponseFigure::DoseResponseFigure(DoseResponseResult result, DoseFigureLabels labels)
    : result_(std::move(result)), labels_(std::move(labels)) {
    const std::vector<double> doses = distinctDoses(result_);
    if (!doses.empty()) {
        doseMin_ = doses.front();
        doseMax_ = doses.back();
    }
    distanceMax_ = 0;
    for (const auto& s : result_.substances) {
        for (const auto& l : s.levels)
            for (double v : {l.distance, l.ciHigh})
                if (std::isfinite(v))
                    distanceMax_ = std::max(distanceMax_, v);
        for (const auto& r : s.rows)
            if (std::isfinite(r.distance))
                distanceMax_ = std::max(distanceMax_, r.distance);
    }
    if (!(distanceMax_ > 0))
        distanceMax_ = 1;
}

QSize DoseResponseFigure::gridFor(int count) {
    const int columns = std::clamp(int(std::ceil(std::sqrt(double(std::max(count, 1))))), 1, 4);
    return {columns, (std::max(count, 1) + columns - 1) / columns};
}

QRectF DoseResponseFigure::panelRect(const QRectF& grid, int index) const {
    const QSize g = gridFor(int(result_.substances.size()));
    const double w = grid.width() / g.width();
    const double h = grid.height() / g.height();
    return QRectF(grid.left() + (index % g.width()) * w, grid.top() + (index / g.width()) * h, w,
                  h);
}

namespace {
// The legend band above the panels: what the marks mean, once for all panels.
double legendBand(const FigureOptions& options) {
    return options.legend ? 1.8 * figureFont(options, 0.9).pixelSize() : 0.0;
}

void drawKey(QPainter& painter, const QRectF& band, const FigureOptions& options) {
    const QFont font = figureFont(options, 0.9);
    painter.save();
    painter.setFont(font);
    const QFontMetricsF fm(font, painter.device());
    const QColor ink = options.ink();
    struct Item {
        QString text;
        int kind; // 0 centroid+CI, 1 row, 2 fit, 3 EC50, 4 inversion
    };
    const std::vector<Item> items = {{QObject::tr("dose centroid ± 95 % CI"), 0},
                                     {QObject::tr("animal"), 1},
                                     {QObject::tr("Hill fit"), 2},
                                     {QObject::tr("EC50"), 3},
                                     {QObject::tr("inversion of the dose order"), 4}};
    double width = 0;
    for (const auto& it : items)
        width += 16 + fm.horizontalAdvance(it.text) + 12;
    double x = band.center().x() - width / 2;
    const double y = band.center().y();
    for (const auto& it : items) {
        const QPointF c(x + 7, y);
        MarkerStyle m;
        m.color = ink;
        switch (it.kind) {
        case 0:
            painter.setPen(QPen(ink, 0.8));
            painter.drawLine(QPointF(c.x(), y - 5), QPointF(c.x(), y + 5));
            PlotArea::drawMarker(painter, c, m);
            break;
        case 1:
            m.filled = false;
            m.size = 3.5;
            PlotArea::drawMarker(painter, c, m);
            break;
        case 2:
            painter.setPen(QPen(ink, 1.4));
            painter.drawLine(QPointF(c.x() - 7, y), QPointF(c.x() + 7, y));
            break;
        case 3: {
            QPen pen(ink, 0.8);
            pen.setDashPattern({4, 3});
            painter.setPen(pen);
            painter.drawLine(QPointF(c.x(), y - 5), QPointF(c.x(), y + 5));
            break;
        }
        default:
            m.filled = false;
            m.size = 9;
            m.color = kInversion;
            m.outlineWidth = 1.4;
            PlotArea::drawMarker(painter, c, m);
        }
        painter.setPen(ink);
        const double tw = fm.horizontalAdvance(it.text);
        painter.drawText(QRectF(x + 16, band.top(), tw + 2, band.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, it.text);
        x += 16 + tw + 12;
    }
    painter.restore();
}
} // namespace

void DoseResponseFigure::paint(QPainter& painter, const QRectF& rect,
                               const FigureOptions& options) const {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF body = figureBody(painter, rect, options);
    if (result_.substances.empty()) {
        painter.setFont(figureFont(options));
        painter.setPen(options.ink());
        painter.drawText(body, Qt::AlignCenter | Qt::TextWordWrap,
                         QObject::tr("No dosed substance to show."));
        painter.restore();
        return;
    }
    const double band = legendBand(options);
    if (band > 0)
        drawKey(painter, QRectF(body.left(), body.top(), body.width(), band), options);
    const QRectF grid = body.adjusted(0, band, 0, 0);
    for (int i = 0; i < int(result_.substances.size()); ++i)
        paintPanel(painter, panelRect(grid, i), options, i);
    painter.restore();
}

int DoseResponseFigure::substanceAt(const QRectF& rect, const FigureOptions& options,
                                    QPointF point) const {
    const QRectF grid = figureBodyRect(rect, options).adjusted(0, legendBand(options), 0, 0);
    for (int i = 0; i < int(result_.substances.size()); ++i)
        if (panelRect(grid, i).contains(point))
            return i;
    return -1;
}

void DoseResponseFigure::paintPanel(QPainter& painter, const QRectF& outer,
                                    const FigureOptions& options, int index) const {
    const SubstanceResponse& s = result_.substances[std::size_t(index)];
    const QString name = QString::fromStdString(s.name);
    const bool fade = !labels_.highlight.isEmpty() && labels_.highlight != name;
    const QColor background = options.background();
    const QColor colour = faded(categoryColor(index), background, fade);
    const QColor ink = faded(options.ink(), background, fade);

    PlotArea area(outer.adjusted(4, 4, -4, -4), options);
    // A log axis half a dose step beyond the extreme doses, ticks at the doses given.
    const double lo = doseMin_ / 1.5, hi = doseMax_ * 1.5;
    area.setX(AxisScale::log10(lo, hi), labels_.doseTitle);
    area.setXTicks(distinctDoses(result_));
    area.setY(AxisScale::niceLinear(0, distanceMax_ * 1.05), labels_.distanceTitle);
    QString title = name;
    if (s.hasReference && s.reference != "control")
        title += QObject::tr(" (vs %1)").arg(QString::fromStdString(s.reference));
    if (s.hasReference && s.inversions > 0)
        title += QObject::tr(" · %n inversion(s)", nullptr, int(s.inversions));
    area.setPanelTitle(title);
    area.drawGrid(painter);

    const QRectF in = area.inner();
    painter.save();
    painter.setFont(figureFont(options, 0.8));
    painter.setPen(ink);
    if (!s.hasReference) {
        painter.drawText(
            in.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
            QObject::tr("No reference rows (dose 0%1): distances not computed.")
                .arg(s.secondary.empty()
                         ? QString()
                         : QObject::tr(" with %1 only").arg(QString::fromStdString(s.secondary))));
        painter.restore();
        area.drawAxes(painter);
        return;
    }
    painter.restore();

    // Rows (animals) first, behind the centroids.
    std::vector<double> rx, ry;
    for (const DoseRow& r : s.rows) {
        rx.push_back(r.dose * jitter(r.index));
        ry.push_back(r.distance);
    }
    MarkerStyle rowStyle;
    rowStyle.filled = false;
    rowStyle.size = 3.5;
    rowStyle.outlineWidth = 0.6;
    rowStyle.color = colour;
    rowStyle.color.setAlphaF(0.55f); // many animals overlap; the centroids stay in front
    area.markers(painter, rx, ry, rowStyle);

    std::vector<double> x, y, ciLo, ciHi;
    for (const DoseLevel& l : s.levels) {
        x.push_back(l.dose);
        y.push_back(l.distance);
        ciLo.push_back(l.ciLow);
        ciHi.push_back(l.ciHigh);
    }
    if (s.hill.ok) {
        std::vector<double> fx, fy;
        for (int k = 0; k <= 80; ++k) {
            const double d = lo * std::pow(hi / lo, k / 80.0);
            fx.push_back(d);
            fy.push_back(s.hill(d));
        }
        area.polyline(painter, fx, fy, QPen(colour, 1.4));
        if (s.hill.ec50 > lo && s.hill.ec50 < hi) {
            area.verticalLine(painter, s.hill.ec50, ink);
        }
    } else if (x.size() >= 2) {
        QPen pen(colour, 0.8);
        pen.setDashPattern({3, 2});
        area.polyline(painter, x, y, pen);
    }
    area.errorBars(painter, x, ciLo, ciHi, QPen(ink, 0.8), 3.5);
    MarkerStyle levelStyle;
    levelStyle.size = 6;
    levelStyle.color = colour;
    area.markers(painter, x, y, levelStyle);
    std::vector<double> ix, iy;
    for (const DoseLevel& l : s.levels)
        if (l.inverted) {
            ix.push_back(l.dose);
            iy.push_back(l.distance);
        }
    MarkerStyle inversion;
    inversion.filled = false;
    inversion.size = 11;
    inversion.outlineWidth = 1.4;
    inversion.color = faded(kInversion, background, fade);
    area.markers(painter, ix, iy, inversion);

    // The fit's numbers, or why there is none, in the free top-left corner.
    painter.save();
    painter.setFont(figureFont(options, 0.8));
    painter.setPen(ink);
    const QString fit =
        s.hill.ok ? QObject::tr("EC50 %1 ± %2%3\nslope %4 ± %5")
                        .arg(number(s.hill.ec50), number(s.hill.seEc50),
                             // An SE above the estimate: the doses do not pin EC50 down.
                             s.hill.seEc50 < s.hill.ec50 ? QString()
                                                         : QObject::tr(" (poorly determined)"),
                             number(s.hill.hill, 2), number(s.hill.seHill, 2))
                  : QObject::tr("no Hill fit: %1").arg(QString::fromStdString(s.hill.reason));
    painter.drawText(in.adjusted(4, 3, -4, -3), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                     fit);
    painter.restore();
    area.drawAxes(painter);
}

// ---- heat map
// ---------------------------------------------------------------------------------

DoseHeatmapFigure::DoseHeatmapFigure(DoseResponseResult result, DoseFigureLabels labels)
    : result_(std::move(result)), labels_(std::move(labels)), doses_(distinctDoses(result_)) {}

void DoseHeatmapFigure::paint(QPainter& painter, const QRectF& rect,
                              const FigureOptions& options) const {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF body = figureBody(painter, rect, options);
    if (result_.substances.empty() || doses_.empty()) {
        painter.setFont(figureFont(options));
        painter.setPen(options.ink());
        painter.drawText(body, Qt::AlignCenter, QObject::tr("No dosed substance to show."));
        painter.restore();
        return;
    }
    double top = 0;
    for (const auto& s : result_.substances)
        for (const auto& l : s.levels)
            if (std::isfinite(l.distance))
                top = std::max(top, l.distance);
    const AxisScale colourScale = AxisScale::niceLinear(0, top > 0 ? top : 1);

    std::vector<QString> doseLabels, names;
    for (double d : doses_)
        doseLabels.push_back(formatTick(d));
    for (const auto& s : result_.substances)
        names.push_back(QString::fromStdString(s.name));
    PlotArea area(body.adjusted(4, 4, -4, -4), options);
    area.setXCategories(doseLabels, labels_.doseTitle);
    area.setYCategories(names, QObject::tr("Substance"));
    area.setGrid(false, false);
    area.setBox(true);
    const double barWidth = 12;
    const double titleBand = 1.6 * figureFont(options).pixelSize(); // the bar's title, upright
    area.reserveRight(barWidth + 10 + 3.5 * figureFont(options, 0.9).pixelSize() + titleBand);

    const QFont cellFont = figureFont(options, 0.85);
    painter.setFont(cellFont);
    for (std::size_t r = 0; r < result_.substances.size(); ++r) {
        const SubstanceResponse& s = result_.substances[r];
        const bool fade =
            !labels_.highlight.isEmpty() && labels_.highlight != QString::fromStdString(s.name);
        for (std::size_t c = 0; c < doses_.size(); ++c) {
            const QRectF cell = area.categoryCell(int(c), int(r));
            auto level = std::find_if(s.levels.begin(), s.levels.end(),
                                      [&](const DoseLevel& l) { return l.dose == doses_[c]; });
            if (level == s.levels.end() || !std::isfinite(level->distance)) {
                painter.setPen(faded(options.ink(), options.background(), true));
                painter.drawText(cell, Qt::AlignCenter,
                                 level == s.levels.end() ? QStringLiteral("·")
                                                         : QStringLiteral("–"));
                continue;
            }
            const auto rgb = viewer::CurveOverlay::viridis(colourScale.fraction(level->distance));
            const QColor fill = faded(QColor(rgb[0], rgb[1], rgb[2]), options.background(), fade);
            painter.fillRect(cell.adjusted(0.5, 0.5, -0.5, -0.5), fill);
            if (level->inverted) {
                painter.setPen(QPen(kInversion, 1.6));
                painter.setBrush(Qt::NoBrush);
                painter.drawRect(cell.adjusted(1.5, 1.5, -1.5, -1.5));
            }
            const double luminance =
                0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
            painter.setPen(luminance > 0.5 ? QColor(20, 20, 20) : QColor(250, 250, 250));
            painter.drawText(cell, Qt::AlignCenter, number(level->distance, 2));
        }
    }
    area.drawAxes(painter);

    // Colour bar in the reserved strip, ticks on its right.
    const QRectF strip = area.reservedRect();
    drawColorBar(painter,
                 QRectF(strip.left() + 8, area.inner().top(), barWidth, area.inner().height()),
                 strip.right(), colourScale, colourScale.ticks(), viridisColor,
                 labels_.distanceTitle, options);
    painter.restore();
}

} // namespace embedscope::ui
