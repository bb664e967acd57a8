// PlotArea's drawing: axes, grid, legend and the data primitives (layout in plot_painter.cpp).
#include "embedscope/ui/plot_painter.h"

#include "plot_painter_detail.h"

#include "embedscope/engine/error.h"

#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

#include <cmath>
#include <string>

namespace embedscope::ui {

using namespace detail;

namespace {

void requireSameSize(std::size_t a, std::size_t b, const char* what) {
    if (a != b)
        throw DataError(std::string("plot ") + what + ": x has " + std::to_string(a) +
                        " values but the other series has " + std::to_string(b));
}

bool finite(const QPointF& p) {
    return std::isfinite(p.x()) && std::isfinite(p.y());
}

QPen dashedPen(const QColor& color, double width) {
    QPen pen(color, width);
    pen.setDashPattern({4, 3}); // in pen widths
    pen.setCapStyle(Qt::FlatCap);
    return pen;
}

/// Draws `text` rotated -90° (reading upwards) centred in `box` (the rotated bounding box).
void drawUpwards(QPainter& painter, const QRectF& box, const QString& text) {
    painter.save();
    painter.translate(box.center());
    painter.rotate(-90);
    painter.drawText(QRectF(-box.height() / 2, -box.width() / 2, box.height(), box.width()),
                     Qt::AlignCenter | Qt::TextDontClip, text);
    painter.restore();
}

} // namespace

void PlotArea::drawGrid(QPainter& painter) const {
    const Layout& L = layout();
    painter.save();
    QPen pen(options_.gridColor(), 0.5);
    pen.setCapStyle(Qt::FlatCap);
    painter.setPen(pen);
    if (gridX_ && x_.present && x_.categories.empty())
        for (const auto& l : L.bottomLabels) {
            const double px = map(l.value, 0).x();
            painter.drawLine(QPointF(px, L.inner.top()), QPointF(px, L.inner.bottom()));
        }
    if (gridY_ && y_.present && y_.categories.empty())
        for (const auto& l : L.leftLabels) {
            const double py = map(0, l.value).y();
            painter.drawLine(QPointF(L.inner.left(), py), QPointF(L.inner.right(), py));
        }
    painter.restore();
}

void PlotArea::drawAxes(QPainter& painter) const {
    const Layout& L = layout();
    const Metrics m = metricsOf(options_);
    const QRectF& in = L.inner;
    painter.save();
    painter.setBrush(Qt::NoBrush);
    painter.setPen(inkPen(options_, 0.8));
    if (box_) {
        painter.drawRect(in);
    } else {
        if (x_.present)
            painter.drawLine(in.bottomLeft(), in.bottomRight());
        if (y_.present)
            painter.drawLine(in.bottomLeft(), in.topLeft());
        if (y2_.present)
            painter.drawLine(in.bottomRight(), in.topRight());
    }

    // Ticks point outwards (they never hide data); log axes get short minor ticks.
    painter.setPen(inkPen(options_, 0.6));
    auto tickX = [&](double value, double length) {
        const double px = map(value, 0).x();
        if (std::isfinite(px) && px >= in.left() - 0.01 && px <= in.right() + 0.01)
            painter.drawLine(QPointF(px, in.bottom()), QPointF(px, in.bottom() + length));
    };
    auto tickY = [&](const AxisScale& scale, double value, double length, bool right) {
        const double py = in.bottom() - scale.fraction(value) * in.height();
        if (!std::isfinite(py) || py < in.top() - 0.01 || py > in.bottom() + 0.01)
            return;
        const double x = right ? in.right() : in.left();
        painter.drawLine(QPointF(x, py), QPointF(right ? x + length : x - length, py));
    };
    for (const auto& l : L.bottomLabels)
        tickX(l.value, m.tick);
    for (const auto& l : L.leftLabels)
        tickY(y_.scale, l.value, m.tick, false);
    for (const auto& l : L.rightLabels)
        tickY(y2_.scale, l.value, m.tick, true);
    if (x_.present && x_.ticks.empty())
        for (double v : x_.scale.minorTicks())
            tickX(v, 0.55 * m.tick);
    if (y_.present)
        for (double v : y_.scale.minorTicks())
            tickY(y_.scale, v, 0.55 * m.tick, false);
    if (y2_.present)
        for (double v : y2_.scale.minorTicks())
            tickY(y2_.scale, v, 0.55 * m.tick, true);

    painter.setPen(options_.ink());
    painter.setFont(m.tickFont);
    for (const auto& l : L.bottomLabels) {
        if (l.text.isEmpty())
            continue;
        if (l.rotated) {
            painter.save();
            painter.translate(l.anchor);
            painter.rotate(-45);
            painter.drawText(QRectF(-l.size.width(), 0, l.size.width(), l.size.height()),
                             Qt::AlignRight | Qt::AlignTop | Qt::TextDontClip, l.text);
            painter.restore();
        } else {
            painter.drawText(l.box, Qt::AlignCenter | Qt::TextDontClip, l.text);
        }
    }
    for (const auto& l : L.leftLabels)
        painter.drawText(l.box, Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip, l.text);
    for (const auto& l : L.rightLabels)
        painter.drawText(l.box, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, l.text);

    painter.setFont(m.titleFont);
    if (!L.bottomTitle.isNull())
        painter.drawText(L.bottomTitle, Qt::AlignCenter | Qt::TextDontClip, L.bottomText);
    if (!L.leftTitle.isNull())
        drawUpwards(painter, L.leftTitle, L.leftText);
    if (!L.rightTitle.isNull())
        drawUpwards(painter, L.rightTitle, L.rightText);
    if (!L.panelTitle.isNull())
        painter.drawText(L.panelTitle, Qt::AlignCenter | Qt::TextDontClip, L.panelText);
    painter.restore();
}

void PlotArea::drawLegend(QPainter& painter) const {
    const Layout& L = layout();
    if (!options_.legend || legend_.empty() || L.legend.isNull())
        return;
    const QFont font = figureFont(options_, kTickFont);
    const double h = textSize(font, QStringLiteral("Xg")).height();
    const double swatch = 1.8 * h, gap = 0.4 * h, row = 1.25 * h;
    const bool above = legendPlacement_ == LegendPlacement::Above;
    painter.save();
    if (!above) {
        // A light box so that grid lines and data under an inside legend do not cross text.
        QColor fill = options_.background();
        fill.setAlpha(235);
        painter.setBrush(fill);
        painter.setPen(QPen(options_.gridColor(), 0.5));
        painter.drawRect(L.legend);
    }
    painter.setFont(font);
    QSizeF size;
    std::vector<QString> texts;
    const auto offsets = legendOffsets(&size, &texts);
    for (std::size_t i = 0; i < legend_.size(); ++i) {
        const auto& e = legend_[i];
        const double x = L.legend.left() + offsets[i].x(), y = L.legend.top() + offsets[i].y();
        const double cy = y + row / 2;
        const QPointF mid(x + swatch / 2, cy);
        if (e.kind == LegendEntry::Kind::Line || e.kind == LegendEntry::Kind::LineMarker) {
            QPen pen(e.color, 1.5);
            pen.setStyle(e.lineStyle);
            pen.setCapStyle(Qt::FlatCap);
            painter.setPen(pen);
            painter.drawLine(QPointF(x, cy), QPointF(x + swatch, cy));
        }
        if (e.kind == LegendEntry::Kind::Marker || e.kind == LegendEntry::Kind::LineMarker)
            drawMarker(painter, mid, {e.shape, 0.6 * h, e.color, e.filled, 0.8});
        if (e.kind == LegendEntry::Kind::Box) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(e.color);
            painter.drawRect(QRectF(mid.x() - 0.35 * h, cy - 0.35 * h, 0.7 * h, 0.7 * h));
        }
        painter.setPen(options_.ink());
        painter.drawText(QRectF(x + swatch + gap, y, textSize(font, texts[i]).width(), row),
                         Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, texts[i]);
    }
    painter.restore();
}

void PlotArea::drawMarker(QPainter& painter, const QPointF& c, const MarkerStyle& style) {
    painter.save();
    if (style.filled) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(style.color);
    } else {
        painter.setPen(QPen(style.color, style.outlineWidth));
        painter.setBrush(Qt::NoBrush);
    }
    const double r = style.size / 2;
    switch (style.shape) {
    case MarkerShape::Circle:
        painter.drawEllipse(c, r, r);
        break;
    case MarkerShape::Square:
        painter.drawRect(QRectF(c.x() - 0.89 * r, c.y() - 0.89 * r, 1.78 * r, 1.78 * r));
        break;
    case MarkerShape::Triangle:
        painter.drawPolygon(
            QPolygonF({QPointF(c.x(), c.y() - 1.15 * r), QPointF(c.x() + r, c.y() + 0.6 * r),
                       QPointF(c.x() - r, c.y() + 0.6 * r)}));
        break;
    case MarkerShape::Diamond:
        painter.drawPolygon(
            QPolygonF({QPointF(c.x(), c.y() - 1.1 * r), QPointF(c.x() + r, c.y()),
                       QPointF(c.x(), c.y() + 1.1 * r), QPointF(c.x() - r, c.y())}));
        break;
    }
    painter.restore();
}

void PlotArea::polyline(QPainter& painter, const std::vector<double>& x,
                        const std::vector<double>& y, const QPen& pen, bool right) const {
    requireSameSize(x.size(), y.size(), "polyline");
    QPainterPath path;
    bool open = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const QPointF p = right ? mapRight(x[i], y[i]) : map(x[i], y[i]);
        if (!finite(p)) {
            open = false; // NaN breaks the line
            continue;
        }
        if (open)
            path.lineTo(p);
        else
            path.moveTo(p);
        open = true;
    }
    painter.save();
    const double w = pen.widthF();
    painter.setClipRect(inner().adjusted(-w, -w, w, w));
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    painter.restore();
}

void PlotArea::markers(QPainter& painter, const std::vector<double>& x,
                       const std::vector<double>& y, const MarkerStyle& style, bool right) const {
    requireSameSize(x.size(), y.size(), "markers");
    for (std::size_t i = 0; i < x.size(); ++i) {
        const QPointF p = right ? mapRight(x[i], y[i]) : map(x[i], y[i]);
        if (finite(p))
            drawMarker(painter, p, style);
    }
}

void PlotArea::errorBars(QPainter& painter, const std::vector<double>& x,
                         const std::vector<double>& lo, const std::vector<double>& hi,
                         const QPen& pen, double capWidth, bool right) const {
    requireSameSize(x.size(), lo.size(), "error bars");
    requireSameSize(x.size(), hi.size(), "error bars");
    painter.save();
    painter.setClipRect(inner().adjusted(-capWidth, -pen.widthF(), capWidth, pen.widthF()));
    painter.setPen(pen);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const QPointF a = right ? mapRight(x[i], lo[i]) : map(x[i], lo[i]);
        const QPointF b = right ? mapRight(x[i], hi[i]) : map(x[i], hi[i]);
        if (!finite(a) || !finite(b))
            continue;
        painter.drawLine(a, b);
        for (const QPointF& end : {a, b})
            painter.drawLine(QPointF(end.x() - capWidth / 2, end.y()),
                             QPointF(end.x() + capWidth / 2, end.y()));
    }
    painter.restore();
}

void PlotArea::bars(QPainter& painter, const std::vector<double>& x,
                    const std::vector<double>& height, double width, const QColor& fill,
                    double base, bool right) const {
    requireSameSize(x.size(), height.size(), "bars");
    painter.save();
    painter.setClipRect(inner());
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const QPointF a = right ? mapRight(x[i] - width / 2, base) : map(x[i] - width / 2, base);
        const QPointF b =
            right ? mapRight(x[i] + width / 2, height[i]) : map(x[i] + width / 2, height[i]);
        if (finite(a) && finite(b))
            painter.drawRect(QRectF(a, b).normalized());
    }
    painter.restore();
}

void PlotArea::label(QPainter& painter, double x, double y, const QString& text,
                     Qt::Alignment align, QPointF offset, bool right) const {
    const QPointF p = (right ? mapRight(x, y) : map(x, y)) + offset;
    if (!finite(p))
        return;
    const QFont font = figureFont(options_, kTickFont);
    const QSizeF s = textSize(font, text);
    double left = p.x(), top = p.y();
    if (align & Qt::AlignRight)
        left -= s.width();
    else if (align & Qt::AlignHCenter)
        left -= s.width() / 2;
    if (align & Qt::AlignBottom)
        top -= s.height();
    else if (align & Qt::AlignVCenter)
        top -= s.height() / 2;
    painter.save();
    painter.setFont(font);
    painter.setPen(options_.ink());
    painter.drawText(QRectF(QPointF(left, top), s), Qt::AlignCenter | Qt::TextDontClip, text);
    painter.restore();
}

void PlotArea::horizontalLine(QPainter& painter, double y, const QColor& color, bool right) const {
    const QRectF in = inner();
    const double py = (right ? mapRight(0, y) : map(0, y)).y();
    if (!std::isfinite(py) || py < in.top() - 0.01 || py > in.bottom() + 0.01)
        return;
    painter.save();
    painter.setPen(dashedPen(color, 0.8));
    painter.drawLine(QPointF(in.left(), py), QPointF(in.right(), py));
    painter.restore();
}

void PlotArea::verticalLine(QPainter& painter, double x, const QColor& color) const {
    const QRectF in = inner();
    const double px = map(x, 0).x();
    if (!std::isfinite(px) || px < in.left() - 0.01 || px > in.right() + 0.01)
        return;
    painter.save();
    painter.setPen(dashedPen(color, 0.8));
    painter.drawLine(QPointF(px, in.top()), QPointF(px, in.bottom()));
    painter.restore();
}

} // namespace embedscope::ui
