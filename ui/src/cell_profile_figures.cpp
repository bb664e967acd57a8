// The well-PCA and retrieval-curve figures of the cell-profile views (issue 8 GUI); the
// neighbours figure and the false-colour crops are in cell_neighbours_view.cpp.
#include "embedscope/ui/cell_profile_figures.h"

#include <QCollator>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace embedscope::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxCategories = 12; // more share the grey of one "others" legend row
constexpr double kMarker = 6;      // points

bool isControlCategory(const QString& text) {
    return text.compare(QStringLiteral("control"), Qt::CaseInsensitive) == 0 ||
           text.compare(QStringLiteral("DMSO"), Qt::CaseInsensitive) == 0;
}

AxisScale scaleOf(const std::vector<double>& v) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double x : v)
        if (std::isfinite(x)) {
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    return lo <= hi ? AxisScale::niceLinear(lo, hi) : AxisScale::linear(0, 1);
}

/// A legend as one column in a strip of its own (so that side-by-side panels stay equal).
double legendWidth(const std::vector<LegendEntry>& entries, const FigureOptions& o) {
    if (!o.legend || entries.empty())
        return 0;
    const QFontMetricsF fm(figureFont(o, 0.9));
    double w = 0;
    for (const auto& e : entries)
        w = std::max(w, fm.horizontalAdvance(e.text));
    const double h = fm.height();
    return 0.8 * h + 1.8 * h + 0.4 * h + w;
}

void drawLegendColumn(QPainter& painter, const QRectF& strip,
                      const std::vector<LegendEntry>& entries, const FigureOptions& o) {
    if (!o.legend || entries.empty() || strip.width() <= 0)
        return;
    painter.save();
    const QFont font = figureFont(o, 0.9);
    painter.setFont(font);
    const QFontMetricsF fm(font);
    const double h = fm.height(), row = 1.25 * h, swatch = 1.8 * h;
    double y = strip.top();
    const double x = strip.left() + 0.4 * h;
    for (std::size_t i = 0; i < entries.size(); ++i, y += row) {
        const LegendEntry& e = entries[i];
        if (y + 2 * row > strip.bottom() && i + 1 < entries.size()) {
            painter.setPen(o.ink());
            painter.drawText(QRectF(x, y, strip.width(), row), Qt::AlignLeft | Qt::AlignVCenter,
                             QObject::tr("… %1 more").arg(entries.size() - i));
            break;
        }
        const double cy = y + row / 2;
        const QPointF mid(x + swatch / 2, cy);
        if (e.kind == LegendEntry::Kind::Line || e.kind == LegendEntry::Kind::LineMarker) {
            QPen pen(e.color, 1.5);
            pen.setStyle(e.lineStyle);
            painter.setPen(pen);
            painter.drawLine(QPointF(x, cy), QPointF(x + swatch, cy));
        }
        if (e.kind == LegendEntry::Kind::Marker || e.kind == LegendEntry::Kind::LineMarker)
            PlotArea::drawMarker(painter, mid, {e.shape, 0.7 * h, e.color, e.filled, 1});
        if (e.kind == LegendEntry::Kind::Box)
            painter.fillRect(QRectF(mid.x() - 0.35 * h, cy - 0.35 * h, 0.7 * h, 0.7 * h), e.color);
        painter.setPen(o.ink());
        const double tx = x + swatch + 0.4 * h;
        painter.drawText(QRectF(tx, y, strip.right() - tx, row), Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(e.text, Qt::ElideRight, strip.right() - tx));
    }
    painter.restore();
}

} // namespace

// ---- well PCA --------------------------------------------------------------------------------

WellPcaFigure::WellPcaFigure(WellPcaData data) : data_(std::move(data)) {
    for (const WellPcaPanel& p : data_.panels) {
        xScales_.push_back(scaleOf(p.x));
        yScales_.push_back(scaleOf(p.y));
    }
    if (data_.colorKind == WellPcaData::ColorKind::Numeric) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const WellPcaPanel& p : data_.panels)
            for (double v : p.colorValue)
                if (std::isfinite(v)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
        if (lo <= hi) {
            colorMin_ = lo;
            colorMax_ = hi;
        }
        return;
    }
    // Controls first (the reference, grey), the rest in natural order (Plate2 before Plate10).
    QStringList regular;
    for (const WellPcaPanel& p : data_.panels)
        for (const QString& c : p.colorText)
            if (!categories_.contains(c) && !regular.contains(c))
                (isControlCategory(c) ? categories_ : regular) << c;
    QCollator collator;
    collator.setNumericMode(true);
    std::sort(regular.begin(), regular.end(), collator);
    categories_ += regular;
}

QColor WellPcaFigure::pointColor(int panel, std::size_t i) const {
    const WellPcaPanel& p = data_.panels[std::size_t(panel)];
    if (data_.colorKind == WellPcaData::ColorKind::Numeric) {
        const double v = i < p.colorValue.size() ? p.colorValue[i] : kNaN;
        if (!std::isfinite(v))
            return controlGrey();
        return viridisColor(colorMax_ > colorMin_ ? (v - colorMin_) / (colorMax_ - colorMin_)
                                                  : 0.5);
    }
    const QString text = i < p.colorText.size() ? p.colorText[i] : QString();
    if (isControlCategory(text))
        return controlGrey();
    int k = 0; // palette index among the non-control categories
    for (const QString& c : categories_) {
        if (c == text)
            return k < kMaxCategories ? categoryColor(k) : controlGrey();
        k += isControlCategory(c) ? 0 : 1;
    }
    return controlGrey();
}

QRectF WellPcaFigure::legendStrip(const QRectF& body, const FigureOptions& options) const {
    double w = 0;
    if (data_.colorKind == WellPcaData::ColorKind::Numeric) {
        w = colorBarWidth(options);
    } else {
        std::vector<LegendEntry> entries;
        for (const QString& c : categories_)
            entries.push_back({c.isEmpty() ? QStringLiteral("(none)") : c, QColor()});
        w = legendWidth(entries, options);
    }
    w = std::min(w, 0.3 * body.width());
    return QRectF(body.right() - w, body.top(), w, body.height());
}

PlotArea WellPcaFigure::plotArea(const QRectF& rect, const FigureOptions& options,
                                 int panel) const {
    const QRectF body = figureBodyRect(rect, options);
    const QRectF strip = legendStrip(body, options);
    const int n = std::max<int>(1, int(data_.panels.size()));
    const double w = (strip.left() - body.left()) / n;
    PlotArea area(QRectF(body.left() + w * panel, body.top(), w, body.height()), options);
    const WellPcaPanel& p = data_.panels[std::size_t(panel)];
    area.setX(xScales_[std::size_t(panel)], p.xTitle);
    area.setY(yScales_[std::size_t(panel)], p.yTitle);
    area.setPanelTitle(p.title);
    return area;
}

WellPcaFigure::Hit WellPcaFigure::pointAt(const QRectF& rect, const FigureOptions& options,
                                          QPointF at, double radius) const {
    Hit best;
    double bestDistance = radius;
    for (int k = 0; k < int(data_.panels.size()); ++k) {
        const PlotArea area = plotArea(rect, options, k);
        if (!area.inner().adjusted(-radius, -radius, radius, radius).contains(at))
            continue;
        const WellPcaPanel& p = data_.panels[std::size_t(k)];
        for (std::size_t i = 0; i < p.x.size(); ++i) {
            const QPointF q = area.map(p.x[i], p.y[i]);
            const double d = std::hypot(q.x() - at.x(), q.y() - at.y());
            if (std::isfinite(d) && d <= bestDistance) {
                bestDistance = d;
                best = {k, int(i)};
            }
        }
    }
    return best;
}

void WellPcaFigure::paint(QPainter& painter, const QRectF& rect,
                          const FigureOptions& options) const {
    painter.save();
    const QRectF body = figureBody(painter, rect, options);
    QRectF inner;
    for (int k = 0; k < int(data_.panels.size()); ++k) {
        const PlotArea area = plotArea(rect, options, k);
        inner = area.inner();
        area.drawGrid(painter);
        const WellPcaPanel& p = data_.panels[std::size_t(k)];
        for (std::size_t i = 0; i < p.x.size(); ++i)
            area.markers(painter, {p.x[i]}, {p.y[i]},
                         {MarkerShape::Circle, kMarker, pointColor(k, i), true, 0.8});
        for (std::size_t i = 0; i < p.keys.size(); ++i)
            if (!data_.selected.isEmpty() && p.keys[i] == data_.selected) {
                area.markers(painter, {p.x[i]}, {p.y[i]},
                             {MarkerShape::Circle, 2.2 * kMarker, options.ink(), false, 1.5});
                area.label(painter, p.x[i], p.y[i], QString(p.keys[i]).replace('/', ' '),
                           Qt::AlignLeft | Qt::AlignBottom, QPointF(kMarker, -kMarker));
            }
        area.drawAxes(painter);
    }
    const QRectF strip = legendStrip(body, options);
    if (data_.colorKind == WellPcaData::ColorKind::Numeric) {
        const AxisScale scale = colorMax_ > colorMin_
                                    ? AxisScale::linear(colorMin_, colorMax_)
                                    : AxisScale::linear(colorMin_ - 0.5, colorMin_ + 0.5);
        if (!data_.panels.empty())
            drawColorBar(painter, QRectF(strip.left() + 10, inner.top(), 10, inner.height()),
                         strip.right(), scale, scale.ticks(4), viridisColor, data_.colorTitle,
                         options);
    } else {
        std::vector<LegendEntry> entries;
        int shown = 0;
        for (int k = 0; k < int(categories_.size()); ++k) {
            if (!isControlCategory(categories_[k]) && shown++ >= kMaxCategories)
                continue;
            LegendEntry e;
            e.text = categories_[k].isEmpty() ? QStringLiteral("(none)") : categories_[k];
            e.kind = LegendEntry::Kind::Marker;
            e.color = isControlCategory(categories_[k]) ? controlGrey() : categoryColor(shown - 1);
            entries.push_back(e);
        }
        if (shown > kMaxCategories)
            entries.push_back({QObject::tr("%1 others").arg(shown - kMaxCategories), controlGrey(),
                               LegendEntry::Kind::Marker});
        drawLegendColumn(painter, strip.adjusted(0, inner.top() - strip.top(), 0, 0), entries,
                         options);
    }
    painter.restore();
}

// ---- retrieval curves ------------------------------------------------------------------------

RetrievalCurvesFigure::RetrievalCurvesFigure(std::vector<RetrievalSeries> series)
    : series_(std::move(series)) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    double pLo = lo, pHi = -lo;
    maxK_ = 1;
    maxPrecision_ = 0;
    for (int s = 0; s < int(series_.size()); ++s) {
        const RetrievalSeries& r = series_[std::size_t(s)];
        for (double k : r.k)
            maxK_ = std::max(maxK_, k);
        for (double p : r.precisionAtK)
            if (std::isfinite(p))
                maxPrecision_ = std::max(maxPrecision_, p);
        for (std::size_t i = 0; i < r.percentile.size(); ++i) {
            pLo = std::min(pLo, r.percentile[i]);
            pHi = std::max(pHi, r.percentile[i]);
            const double v = r.oddsRatio[i];
            if (std::isfinite(v) && v > 0) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            } else if (std::isinf(v) && v > 0) {
                // Infinite when no other-class pair (b) or no same-class pair at or below the
                // threshold (c) exists: seed 004 eq. 3.15 divides by b·c.
                const bool bZero = i < r.b.size() && r.b[i] == 0;
                edges_.push_back(
                    {s, r.percentile[i], true,
                     bZero ? QStringLiteral("∞ (b = 0)") : QStringLiteral("∞ (c = 0)")});
            } else if (v == 0) {
                edges_.push_back({s, r.percentile[i], false, QStringLiteral("0 (a·d = 0)")});
            }
        }
    }
    if (maxPrecision_ <= 0)
        maxPrecision_ = 1;
    if (pLo <= pHi) {
        pMin_ = pLo;
        pMax_ = pHi;
    }
    odds_ = lo <= hi ? AxisScale::niceLog10(lo / 1.2, hi * 1.2) : AxisScale::log10(1, 10);
}

std::vector<LegendEntry> RetrievalCurvesFigure::legend() const {
    std::vector<LegendEntry> out;
    std::vector<int> seen;
    bool before = false, after = false;
    for (const RetrievalSeries& r : series_) {
        (r.after ? after : before) = true;
        if (std::find(seen.begin(), seen.end(), r.colorIndex) != seen.end())
            continue;
        seen.push_back(r.colorIndex);
        out.push_back({r.source, categoryColor(r.colorIndex), LegendEntry::Kind::Line});
    }
    const QColor grey = controlGrey();
    if (after)
        out.push_back({QObject::tr("after spherizing"), grey, LegendEntry::Kind::Line});
    if (before) {
        LegendEntry e{QObject::tr("before spherizing"), grey, LegendEntry::Kind::Line};
        e.lineStyle = Qt::DashLine;
        out.push_back(e);
    }
    QStringList edgeTexts;
    for (const EdgeMarker& m : edges_)
        if (!edgeTexts.contains(m.text)) {
            edgeTexts << m.text;
            out.push_back({m.text, grey, LegendEntry::Kind::Marker,
                           m.infinite ? MarkerShape::Triangle : MarkerShape::Diamond});
        }
    return out;
}

QRectF RetrievalCurvesFigure::plotsRect(const QRectF& body, const FigureOptions& options) const {
    const double w = std::min(legendWidth(legend(), options), 0.3 * body.width());
    return body.adjusted(0, 0, -w, 0);
}

PlotArea RetrievalCurvesFigure::precisionArea(const QRectF& rect,
                                              const FigureOptions& options) const {
    const QRectF plots = plotsRect(figureBodyRect(rect, options), options);
    PlotArea area(QRectF(plots.left(), plots.top(), plots.width() / 2, plots.height()), options);
    area.setX(AxisScale::niceLinear(0, maxK_), QObject::tr("K (nearest profiles)"));
    area.setY(AxisScale::niceLinear(0, maxPrecision_), QObject::tr("Precision@K"));
    area.setPanelTitle(QObject::tr("Precision@K"));
    return area;
}

PlotArea RetrievalCurvesFigure::enrichmentArea(const QRectF& rect,
                                               const FigureOptions& options) const {
    const QRectF plots = plotsRect(figureBodyRect(rect, options), options);
    PlotArea area(QRectF(plots.center().x(), plots.top(), plots.width() / 2, plots.height()),
                  options);
    area.setX(pMax_ > pMin_ ? AxisScale::niceLinear(pMin_, pMax_)
                            : AxisScale::linear(pMin_ - 0.5, pMin_ + 0.5),
              QObject::tr("Similarity percentile"));
    area.setY(odds_, QObject::tr("Odds ratio"));
    area.setPanelTitle(QObject::tr("Enrichment"));
    return area;
}

void RetrievalCurvesFigure::paint(QPainter& painter, const QRectF& rect,
                                  const FigureOptions& options) const {
    painter.save();
    const QRectF body = figureBody(painter, rect, options);
    const PlotArea left = precisionArea(rect, options), right = enrichmentArea(rect, options);
    left.drawGrid(painter);
    right.drawGrid(painter);
    for (const RetrievalSeries& r : series_) {
        const QColor color = categoryColor(r.colorIndex);
        QPen pen(color, 1.5);
        if (!r.after)
            pen.setStyle(Qt::DashLine);
        const MarkerStyle dot{MarkerShape::Circle, 3.5, color, r.after, 1};
        left.polyline(painter, r.k, r.precisionAtK, pen);
        left.markers(painter, r.k, r.precisionAtK, dot);
        std::vector<double> odds = r.oddsRatio;
        for (double& v : odds)
            if (!std::isfinite(v) || v <= 0)
                v = kNaN; // unplottable on the log axis: the edge markers below
        right.polyline(painter, r.percentile, odds, pen);
        right.markers(painter, r.percentile, odds, dot);
    }
    const QRectF inner = right.inner();
    for (const EdgeMarker& m : edges_) {
        const RetrievalSeries& r = series_[std::size_t(m.series)];
        const double x = right.map(m.percentile, odds_.max).x();
        const double y = m.infinite ? inner.top() + 0.6 * kMarker : inner.bottom() - 0.6 * kMarker;
        PlotArea::drawMarker(painter, QPointF(x, y),
                             {m.infinite ? MarkerShape::Triangle : MarkerShape::Diamond,
                              1.3 * kMarker, categoryColor(r.colorIndex), r.after, 1.2});
    }
    left.drawAxes(painter);
    right.drawAxes(painter);
    const QRectF plots = plotsRect(body, options);
    drawLegendColumn(painter,
                     QRectF(plots.right(), left.inner().top(), body.right() - plots.right(),
                            body.bottom() - left.inner().top()),
                     legend(), options);
    painter.restore();
}

} // namespace embedscope::ui
