// PlotArea's configuration and layout (plot_painter.h): margins grown until no tick label or
// title leaves the outer rect. Scales and ticks are in plot_scale.cpp, drawing in
// plot_painter_draw.cpp.
#include "embedscope/ui/plot_painter.h"

#include "plot_painter_detail.h"

#include "embedscope/engine/error.h"

#include <QTransform>

#include <algorithm>
#include <cmath>
#include <string>

namespace embedscope::ui {

using namespace detail;

namespace {

constexpr double kSin45 = 0.70710678118654752;

} // namespace

// ---- PlotArea: configuration and layout -----------------------------------------------------

PlotArea::PlotArea(const QRectF& outer, const FigureOptions& options)
    : outer_(outer), options_(options) {}

void PlotArea::setX(const AxisScale& scale, const QString& title) {
    x_ = {scale, title, {}, true, {}};
    invalidate();
}

void PlotArea::setXTicks(std::vector<double> values) {
    x_.ticks = std::move(values);
    invalidate();
}

void PlotArea::setY(const AxisScale& scale, const QString& title) {
    y_ = {scale, title, {}, true};
    invalidate();
}

void PlotArea::setRightY(const AxisScale& scale, const QString& title) {
    y2_ = {scale, title, {}, true};
    invalidate();
}

void PlotArea::setXCategories(const std::vector<QString>& labels, const QString& title) {
    if (labels.empty())
        throw DataError("plot: the category axis '" + title.toStdString() + "' has no categories");
    x_ = {AxisScale::linear(-0.5, double(labels.size()) - 0.5), title, labels, true};
    invalidate();
}

void PlotArea::setYCategories(const std::vector<QString>& labels, const QString& title) {
    if (labels.empty())
        throw DataError("plot: the category axis '" + title.toStdString() + "' has no categories");
    // Reversed: the first category is the top row, as in a table.
    y_ = {AxisScale::linear(double(labels.size()) - 0.5, -0.5), title, labels, true};
    invalidate();
}

void PlotArea::setPanelTitle(const QString& title) {
    panelTitle_ = title;
    invalidate();
}

void PlotArea::setLegend(const std::vector<LegendEntry>& entries, LegendPlacement placement) {
    legend_ = entries;
    legendPlacement_ = placement;
    invalidate();
}

void PlotArea::reserveRight(double points) {
    reserveRight_ = std::max(0.0, points);
    invalidate();
}

void PlotArea::setGrid(bool x, bool y) {
    gridX_ = x;
    gridY_ = y;
}

void PlotArea::setBox(bool box) {
    box_ = box;
}

std::vector<QPointF> PlotArea::legendOffsets(QSizeF* size, std::vector<QString>* texts) const {
    *size = QSizeF();
    if (!options_.legend || legend_.empty())
        return {};
    const QFont font = figureFont(options_, kTickFont);
    const double h = textSize(font, QStringLiteral("Xg")).height();
    const double pad = 0.4 * h, swatch = 1.8 * h, gap = 0.4 * h, row = 1.25 * h;
    std::vector<QPointF> out;
    // Entry texts cut to the figure's width (Above) or 40 % of it (a legend box).
    const bool above = legendPlacement_ == LegendPlacement::Above;
    const double room = outer_.width() - 2 * metricsOf(options_).edge;
    std::vector<QString> shown;
    for (const auto& e : legend_)
        shown.push_back(elide(font, e.text, (above ? room : 0.4 * room) - swatch - gap - 2 * pad));
    if (texts)
        *texts = shown;
    if (above) {
        // Entries side by side, wrapped into more rows where the figure is too narrow.
        double x = 0, y = 0, widest = 0;
        for (const QString& text : shown) {
            const double w = swatch + gap + textSize(font, text).width();
            if (x > 0 && x + w > room) {
                x = 0;
                y += row;
            }
            out.emplace_back(x, y);
            widest = std::max(widest, x + w);
            x += w + h;
        }
        *size = QSizeF(widest, y + row);
        return out;
    }
    double widest = 0;
    for (std::size_t i = 0; i < legend_.size(); ++i) {
        widest = std::max(widest, textSize(font, shown[i]).width());
        out.emplace_back(pad, pad + row * double(i));
    }
    *size = QSizeF(2 * pad + swatch + gap + widest, 2 * pad + row * double(legend_.size()));
    return out;
}

PlotArea::Layout PlotArea::computeLayout(double left, double right, double top, double bottom,
                                         const Drop& drop) const {
    const Metrics m = metricsOf(options_);
    const QRectF limit = outer_.adjusted(m.edge, m.edge, -m.edge, -m.edge);
    Layout L;
    QRectF inner = outer_.adjusted(left, top, -right, -bottom);
    inner.setWidth(std::max(1.0, inner.width()));
    inner.setHeight(std::max(1.0, inner.height()));
    L.inner = inner;
    const double lineH = textSize(m.tickFont, QStringLiteral("0")).height();

    // Major tick values: categories at 0..n-1 (names cut with an ellipsis where they would take
    // more than 30 % of the figure); numeric axes thinned until their labels fit.
    auto values = [&](const AxisSpec& axis, bool horizontal, double maxCategoryWidth) {
        std::vector<std::pair<double, QString>> out;
        if (!axis.categories.empty()) {
            for (std::size_t i = 0; i < axis.categories.size(); ++i)
                out.emplace_back(double(i),
                                 elide(m.tickFont, axis.categories[i], maxCategoryWidth));
            return out;
        }
        for (int target = 5; target >= 2; --target) {
            out.clear();
            double need = 0;
            std::vector<double> given;
            const double lo = std::min(axis.scale.min, axis.scale.max);
            const double hi = std::max(axis.scale.min, axis.scale.max);
            for (std::size_t i = 0; i < axis.ticks.size(); ++i) // thinned like the scale's
                if (axis.ticks[i] >= lo && axis.ticks[i] <= hi &&
                    i % std::size_t(1 + (5 - target)) == 0)
                    given.push_back(axis.ticks[i]);
            for (double t : axis.ticks.empty() ? axis.scale.ticks(target) : given) {
                out.emplace_back(t, formatTick(t));
                need += horizontal ? textSize(m.tickFont, out.back().second).width() + 2 * m.gap
                                   : 1.3 * lineH;
            }
            if (need <= (horizontal ? inner.width() : inner.height()))
                break;
        }
        return out;
    };
    // A title: elided to the limit's length along it, centred on the data rect, kept inside.
    auto title = [&](const QString& text, bool upright, double across, bool before,
                     QString& shown) {
        // Axis titles may overhang their axis by 15 % a side; the panel title takes the width.
        const double axis =
            &shown == &L.panelText ? 1e9 : 1.3 * (upright ? inner.height() : inner.width());
        const double room = std::min(axis, upright ? limit.height() : limit.width());
        shown = elide(m.titleFont, text, room);
        const QSizeF s = textSize(m.titleFont, shown);
        const double along = upright ? inner.center().y() : inner.center().x();
        const double start =
            std::clamp(along - s.width() / 2, upright ? limit.top() : limit.left(),
                       std::max(upright ? limit.top() : limit.left(),
                                (upright ? limit.bottom() : limit.right()) - s.width()));
        const double acrossStart = before ? across - s.height() : across;
        return upright ? QRectF(acrossStart, start, s.height(), s.width())
                       : QRectF(start, acrossStart, s.width(), s.height());
    };

    // Bottom axis.
    double labelsBottom = inner.bottom() + m.tick;
    if (x_.present) {
        auto ticks = values(x_, true, 1e9);
        const double slot = inner.width() / double(std::max<std::size_t>(1, ticks.size()));
        if (!x_.categories.empty())
            for (const auto& t : ticks)
                L.rotateX = L.rotateX || textSize(m.tickFont, t.second).width() > 0.92 * slot;
        if (L.rotateX) { // a rotated label may take 30 % of the height: 0.707 (w + h) <= 0.3 H
            ticks = values(x_, true, 0.3 * outer_.height() / kSin45 - lineH);
            // Rotated neighbours sit slot × sin 45° apart: label every n-th category if needed.
            const auto stride = std::size_t(std::ceil(1.1 * lineH / (kSin45 * slot)));
            for (std::size_t i = 0; stride > 1 && i < ticks.size(); ++i)
                if (i % stride != 0)
                    ticks[i].second.clear();
        }
        const double top = inner.bottom() + m.tick + m.gap;
        for (const auto& [value, text] : ticks) {
            Label label{value, text, {}, {}, textSize(m.tickFont, text), L.rotateX};
            const double px = map(value, 0, inner).x();
            if (text.isEmpty()) {
                // A thinned-out category: its tick only.
            } else if (L.rotateX) {
                // The text's end sits under its tick, reading up to the right.
                label.anchor = QPointF(px - kSin45 * label.size.height() / 2, top);
                QTransform t;
                t.translate(label.anchor.x(), label.anchor.y());
                t.rotate(-45);
                label.box = t.mapRect(
                    QRectF(-label.size.width(), 0, label.size.width(), label.size.height()));
            } else {
                label.box = QRectF(px - label.size.width() / 2, top, label.size.width(),
                                   label.size.height());
            }
            labelsBottom = std::max(labelsBottom, label.box.bottom());
            L.bottomLabels.push_back(label);
        }
        if (!x_.title.isEmpty() && !drop.vertical)
            L.bottomTitle = title(x_.title, false, labelsBottom + m.pad, false, L.bottomText);
    }

    // Left and right axes: labels beside their ticks, titles rotated, reading upwards.
    auto sideAxis = [&](const AxisSpec& axis, bool rightSide, std::vector<Label>& labels,
                        QRectF& box, QString& shown) {
        double edge = rightSide ? inner.right() + m.tick : inner.left() - m.tick;
        auto ticks = values(axis, false, 0.3 * outer_.width());
        if (!axis.categories.empty()) { // rows lower than a line: label every n-th
            const auto stride = std::size_t(
                std::ceil(1.1 * lineH * double(ticks.size()) / std::max(1e-9, inner.height())));
            for (std::size_t i = 0; stride > 1 && i < ticks.size(); ++i)
                if (i % stride != 0)
                    ticks[i].second.clear();
        }
        for (const auto& [value, text] : ticks) {
            Label label{value, text, {}, {}, textSize(m.tickFont, text), false};
            if (text.isEmpty()) {
                labels.push_back(label);
                continue;
            }
            const double py = inner.bottom() - axis.scale.fraction(value) * inner.height();
            const double w = label.size.width(), h = label.size.height();
            label.box = rightSide ? QRectF(inner.right() + m.tick + m.gap, py - h / 2, w, h)
                                  : QRectF(inner.left() - m.tick - m.gap - w, py - h / 2, w, h);
            edge = rightSide ? std::max(edge, label.box.right()) : std::min(edge, label.box.left());
            labels.push_back(label);
        }
        if (!axis.title.isEmpty() && !drop.horizontal) {
            box =
                title(axis.title, true, rightSide ? edge + m.pad : edge - m.pad, !rightSide, shown);
            edge = rightSide ? box.right() : box.left();
        }
        return edge;
    };
    if (y_.present)
        sideAxis(y_, false, L.leftLabels, L.leftTitle, L.leftText);
    double rightEdge = inner.right();
    if (y2_.present)
        rightEdge = sideAxis(y2_, true, L.rightLabels, L.rightTitle, L.rightText);
    if (reserveRight_ > 0) {
        L.reserved = QRectF(rightEdge + m.pad, inner.top(), reserveRight_, inner.height());
        rightEdge = L.reserved.right();
    }

    // Legend and panel title.
    QSizeF legend;
    legendOffsets(&legend);
    double topEdge = inner.top();
    for (const auto* labels : {&L.leftLabels, &L.rightLabels})
        for (const auto& l : *labels)
            if (!l.text.isEmpty())
                topEdge = std::min(topEdge, l.box.top());
    if (!legend.isEmpty()) {
        switch (legendPlacement_) {
        case LegendPlacement::TopRightInside:
            L.legend = QRectF(QPointF(inner.right() - m.pad - legend.width(), inner.top() + m.pad),
                              legend);
            break;
        case LegendPlacement::TopLeftInside:
            L.legend = QRectF(QPointF(inner.left() + m.pad, inner.top() + m.pad), legend);
            break;
        case LegendPlacement::OutsideRight:
            L.legend = QRectF(QPointF(rightEdge + m.pad, inner.top()), legend);
            break;
        case LegendPlacement::Above:
            L.legend =
                QRectF(QPointF(std::clamp(inner.center().x() - legend.width() / 2, limit.left(),
                                          std::max(limit.left(), limit.right() - legend.width())),
                               topEdge - m.gap - legend.height()),
                       legend);
            topEdge = L.legend.top();
            break;
        }
    }
    if (!panelTitle_.isEmpty() && !drop.vertical)
        L.panelTitle = title(panelTitle_, false, topEdge - m.pad, true, L.panelText);
    return L;
}

PlotArea::Layout PlotArea::settle(const Drop& drop) const {
    // Grow each margin by what sticks out of the outer rect until nothing does: labels are
    // placed relative to the data rect, so one or two passes settle it.
    const Metrics m = metricsOf(options_);
    const QRectF limit = outer_.adjusted(m.edge, m.edge, -m.edge, -m.edge);
    double l = m.edge, r = m.edge, t = m.edge, b = m.edge;
    Layout L;
    for (int pass = 0; pass < 8; ++pass) {
        L = computeLayout(l, r, t, b, drop);
        QRectF all = L.inner;
        for (const QRectF& d : decorationRects(L))
            all |= d;
        const double dl = limit.left() - all.left(), dr = all.right() - limit.right();
        const double dt = limit.top() - all.top(), db = all.bottom() - limit.bottom();
        if (dl <= 0.01 && dr <= 0.01 && dt <= 0.01 && db <= 0.01)
            break;
        l += std::max(0.0, dl);
        r += std::max(0.0, dr);
        t += std::max(0.0, dt);
        b += std::max(0.0, db);
    }
    return L;
}

const PlotArea::Layout& PlotArea::layout() const {
    if (layout_)
        return *layout_;
    // Small figures with large fonts: axis titles give way before the data rect does.
    Drop drop;
    Layout L = settle(drop);
    for (int i = 0; i < 2; ++i) {
        const bool shortV = L.inner.height() < 0.2 * outer_.height();
        const bool shortH = L.inner.width() < 0.2 * outer_.width();
        if ((!shortV || drop.vertical) && (!shortH || drop.horizontal))
            break;
        drop.vertical = drop.vertical || shortV;
        drop.horizontal = drop.horizontal || shortH;
        L = settle(drop);
    }
    layout_ = std::move(L);
    return *layout_;
}

QRectF PlotArea::inner() const {
    return layout().inner;
}

QRectF PlotArea::reservedRect() const {
    return layout().reserved;
}

bool PlotArea::rotatedXLabels() const {
    return layout().rotateX;
}

std::vector<QRectF> PlotArea::tickLabelRects(Axis axis) const {
    const Layout& L = layout();
    const auto& labels = axis == Axis::Bottom ? L.bottomLabels
                         : axis == Axis::Left ? L.leftLabels
                                              : L.rightLabels;
    std::vector<QRectF> out;
    for (const auto& l : labels)
        if (!l.text.isEmpty())
            out.push_back(l.box);
    return out;
}

std::vector<QRectF> PlotArea::decorationRects() const {
    return decorationRects(layout());
}

std::vector<QRectF> PlotArea::decorationRects(const Layout& L) {
    std::vector<QRectF> out;
    for (const auto* labels : {&L.bottomLabels, &L.leftLabels, &L.rightLabels})
        for (const auto& l : *labels)
            if (!l.text.isEmpty())
                out.push_back(l.box);
    for (const QRectF& r :
         {L.bottomTitle, L.leftTitle, L.rightTitle, L.panelTitle, L.legend, L.reserved})
        if (!r.isNull())
            out.push_back(r);
    return out;
}

// ---- mapping -------------------------------------------------------------------------------

QPointF PlotArea::map(double x, double y, const QRectF& inner) const {
    return {inner.left() + x_.scale.fraction(x) * inner.width(),
            inner.bottom() - y_.scale.fraction(y) * inner.height()};
}

QPointF PlotArea::map(double x, double y) const {
    return map(x, y, layout().inner);
}

QPointF PlotArea::mapRight(double x, double y2) const {
    const QRectF& inner = layout().inner;
    return {inner.left() + x_.scale.fraction(x) * inner.width(),
            inner.bottom() - y2_.scale.fraction(y2) * inner.height()};
}

QPointF PlotArea::inverse(const QPointF& p) const {
    const QRectF& inner = layout().inner;
    return {x_.scale.value((p.x() - inner.left()) / inner.width()),
            y_.scale.value((inner.bottom() - p.y()) / inner.height())};
}

QRectF PlotArea::categoryCell(int column, int row) const {
    return QRectF(map(column - 0.5, row - 0.5), map(column + 0.5, row + 0.5)).normalized();
}

double PlotArea::xLength(double x, double dx) const {
    return std::abs(map(x + dx / 2, 0).x() - map(x - dx / 2, 0).x());
}

} // namespace embedscope::ui
