#include "embedscope/ui/chart_figure.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsItem>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QSplineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <utility>

namespace embedscope::ui {

namespace {

using AxisData = ChartFigure::AxisData;
using SeriesData = ChartFigure::SeriesData;

AxisData copyAxis(const QAbstractAxis& axis) {
    AxisData a;
    a.alignment = axis.alignment();
    a.title = axis.titleText();
    a.visible = axis.isVisible();
    a.titleVisible = axis.isTitleVisible();
    a.labelsVisible = axis.labelsVisible();
    a.lineVisible = axis.isLineVisible();
    a.gridVisible = axis.isGridLineVisible();
    a.minorGridVisible = axis.isMinorGridLineVisible();
    a.reverse = axis.isReverse();
    a.labelsAngle = axis.labelsAngle();
    // QCategoryAxis derives from QValueAxis: test it first.
    if (const auto* c = qobject_cast<const QCategoryAxis*>(&axis)) {
        a.kind = AxisData::Kind::Category;
        auto* nc = const_cast<QCategoryAxis*>(c); // categoriesLabels() is not const in Qt 6.4
        a.categories = nc->categoriesLabels();
        for (const QString& label : std::as_const(a.categories))
            a.categoryEnds.push_back(c->endValue(label));
        a.categoryStart = c->startValue();
        a.categoryLabelsPosition = int(c->labelsPosition());
        a.min = c->min();
        a.max = c->max();
    } else if (const auto* v = qobject_cast<const QValueAxis*>(&axis)) {
        a.kind = AxisData::Kind::Value;
        a.min = v->min();
        a.max = v->max();
        a.labelFormat = v->labelFormat();
        a.tickCount = v->tickCount();
        a.minorTickCount = v->minorTickCount();
        a.tickType = int(v->tickType());
        a.tickAnchor = v->tickAnchor();
        a.tickInterval = v->tickInterval();
    } else if (const auto* l = qobject_cast<const QLogValueAxis*>(&axis)) {
        a.kind = AxisData::Kind::Log;
        a.min = l->min();
        a.max = l->max();
        a.base = l->base();
        a.labelFormat = l->labelFormat();
        a.minorTickCount = l->minorTickCount();
    } else if (const auto* b = qobject_cast<const QBarCategoryAxis*>(&axis)) {
        a.kind = AxisData::Kind::BarCategory;
        a.categories = const_cast<QBarCategoryAxis*>(b)->categories(); // not const in 6.4
        a.barMin = b->min();
        a.barMax = b->max();
    }
    return a;
}

/// A colour meant as "black ink" on the light live chart becomes the ink of a dark figure.
QColor adapt(QColor c, const FigureOptions& options) {
    if (!options.lightBackground && c.alpha() > 0 && c.lightnessF() < 0.2) {
        QColor ink = options.ink();
        ink.setAlpha(c.alpha());
        return ink;
    }
    return c;
}

QPen adapt(QPen pen, const FigureOptions& options) {
    pen.setColor(adapt(pen.color(), options));
    return pen;
}

QBrush adapt(QBrush brush, const FigureOptions& options) {
    if (brush.style() == Qt::SolidPattern)
        brush.setColor(adapt(brush.color(), options));
    return brush;
}

QAbstractAxis* makeAxis(const AxisData& a) {
    QAbstractAxis* axis = nullptr;
    switch (a.kind) {
    case AxisData::Kind::Category: {
        auto* c = new QCategoryAxis;
        c->setStartValue(a.categoryStart);
        for (int i = 0; i < a.categories.size(); ++i)
            c->append(a.categories[i], a.categoryEnds[std::size_t(i)]);
        c->setLabelsPosition(QCategoryAxis::AxisLabelsPosition(a.categoryLabelsPosition));
        c->setRange(a.min, a.max);
        axis = c;
        break;
    }
    case AxisData::Kind::Value: {
        auto* v = new QValueAxis;
        v->setRange(a.min, a.max);
        v->setLabelFormat(a.labelFormat);
        v->setTickCount(a.tickCount);
        v->setMinorTickCount(a.minorTickCount);
        v->setTickType(QValueAxis::TickType(a.tickType));
        v->setTickAnchor(a.tickAnchor);
        if (a.tickInterval > 0)
            v->setTickInterval(a.tickInterval);
        axis = v;
        break;
    }
    case AxisData::Kind::Log: {
        auto* l = new QLogValueAxis;
        l->setBase(a.base);
        l->setRange(a.min, a.max);
        l->setLabelFormat(a.labelFormat);
        l->setMinorTickCount(a.minorTickCount);
        axis = l;
        break;
    }
    case AxisData::Kind::BarCategory: {
        auto* b = new QBarCategoryAxis;
        b->setCategories(a.categories);
        if (!a.barMin.isEmpty() && !a.barMax.isEmpty())
            b->setRange(a.barMin, a.barMax);
        axis = b;
        break;
    }
    }
    axis->setTitleText(a.title);
    axis->setVisible(a.visible);
    axis->setTitleVisible(a.titleVisible && !a.title.isEmpty());
    axis->setLabelsVisible(a.labelsVisible);
    axis->setLineVisible(a.lineVisible);
    axis->setGridLineVisible(a.gridVisible);
    axis->setMinorGridLineVisible(a.minorGridVisible);
    axis->setReverse(a.reverse);
    axis->setLabelsAngle(a.labelsAngle);
    return axis;
}

/// Fonts and colours from the options; after addAxis(), which applies the theme's own.
void styleAxis(QAbstractAxis* axis, const FigureOptions& options) {
    axis->setTitleFont(figureFont(options, 1.0));
    axis->setLabelsFont(figureFont(options, 0.9));
    axis->setTitleBrush(options.ink());
    axis->setLabelsColor(options.ink());
    QPen line(options.ink(), 0.75);
    axis->setLinePen(line);
    axis->setGridLineColor(options.gridColor());
    axis->setMinorGridLineColor(options.gridColor().lighter(options.lightBackground ? 104 : 90));
    QPen grid = axis->gridLinePen();
    grid.setWidthF(0.5);
    grid.setColor(options.gridColor());
    axis->setGridLinePen(grid);
}

QAbstractSeries* makeSeries(const SeriesData& s, const FigureOptions& options) {
    switch (s.kind) {
    case SeriesData::Kind::Line:
    case SeriesData::Kind::Spline:
    case SeriesData::Kind::Scatter: {
        QXYSeries* xy = nullptr;
        if (s.kind == SeriesData::Kind::Scatter) {
            auto* scatter = new QScatterSeries;
            scatter->setMarkerShape(QScatterSeries::MarkerShape(s.markerShape));
            xy = scatter;
        } else if (s.kind == SeriesData::Kind::Spline) {
            xy = new QSplineSeries;
        } else {
            xy = new QLineSeries;
        }
        xy->append(s.points);
        xy->setPen(adapt(s.pen, options));
        xy->setBrush(adapt(s.brush, options));
        xy->setMarkerSize(s.markerSize);
        if (s.kind != SeriesData::Kind::Scatter)
            xy->setPointsVisible(s.pointsVisible);
        return xy;
    }
    case SeriesData::Kind::Area: {
        auto* upper = new QLineSeries;
        upper->append(s.points);
        QLineSeries* lower = nullptr;
        if (!s.lower.isEmpty()) {
            lower = new QLineSeries;
            lower->append(s.lower);
        }
        auto* area = new QAreaSeries(upper, lower);
        upper->setParent(area);
        if (lower)
            lower->setParent(area);
        area->setPen(adapt(s.pen, options));
        area->setBrush(adapt(s.brush, options));
        area->setPointsVisible(s.pointsVisible);
        return area;
    }
    case SeriesData::Kind::Bar: {
        auto* bars = new QBarSeries;
        bars->setBarWidth(s.barWidth);
        for (const ChartFigure::BarSetData& d : s.sets) {
            auto* set = new QBarSet(d.label);
            set->append(d.values);
            set->setPen(adapt(d.pen, options));
            set->setBrush(adapt(d.brush, options));
            set->setLabelColor(options.ink());
            bars->append(set);
        }
        return bars;
    }
    }
    return nullptr;
}

/// Whether the view keeps `marker` in its legend. QLegendMarker::isVisible() also reads false
/// while the legend was never laid out (a chart not yet shown: the legend's item group is hidden
/// until then); the view's own choice is then the marker item's visibility to that group.
bool markerShown(const QLegend& legend, const QLegendMarker* marker) {
    if (marker->isVisible())
        return true;
    const QList<QLegendMarker*> markers = legend.markers();
    const qsizetype index = markers.indexOf(const_cast<QLegendMarker*>(marker));
    for (const QGraphicsItem* group : legend.childItems()) {
        const QList<QGraphicsItem*> items = group->childItems();
        // The group holds one item per marker, created together with it (same order).
        if (!group->isVisible() && index >= 0 && items.size() == markers.size())
            return items[index]->isVisibleTo(group);
    }
    return false;
}

} // namespace

ChartFigure::ChartFigure(const QChart& chart, QString viewName)
    : viewName_(std::move(viewName)), chartTitle_(chart.title()) {
    QLegend* legend = chart.legend();
    legendVisible_ = legend->isVisible();
    legendAlignment_ = legend->alignment();
    legendMarkerShape_ = int(legend->markerShape());

    const QList<QAbstractAxis*> axes = chart.axes();
    for (const QAbstractAxis* axis : axes)
        axes_.push_back(copyAxis(*axis));

    for (QAbstractSeries* series : chart.series()) {
        SeriesData s;
        s.name = series->name();
        s.visible = series->isVisible();
        s.opacity = series->opacity();
        if (auto* spline = qobject_cast<QSplineSeries*>(series)) {
            s.kind = SeriesData::Kind::Spline;
            s.points = spline->points();
        } else if (auto* scatter = qobject_cast<QScatterSeries*>(series)) {
            s.kind = SeriesData::Kind::Scatter;
            s.markerShape = int(scatter->markerShape());
        } else if (qobject_cast<QLineSeries*>(series)) {
            s.kind = SeriesData::Kind::Line;
        } else if (auto* area = qobject_cast<QAreaSeries*>(series)) {
            s.kind = SeriesData::Kind::Area;
            if (area->upperSeries())
                s.points = area->upperSeries()->points();
            if (area->lowerSeries())
                s.lower = area->lowerSeries()->points();
            s.pen = area->pen();
            s.brush = area->brush();
            s.pointsVisible = area->pointsVisible();
        } else if (auto* bars = qobject_cast<QBarSeries*>(series)) {
            s.kind = SeriesData::Kind::Bar;
            s.barWidth = bars->barWidth();
            for (const QBarSet* set : bars->barSets()) {
                BarSetData d;
                d.label = set->label();
                for (int i = 0; i < set->count(); ++i)
                    d.values.append(set->at(i));
                d.pen = set->pen();
                d.brush = set->brush();
                s.sets.push_back(std::move(d));
            }
        } else {
            ++skipped_;
            continue;
        }
        if (auto* xy = qobject_cast<QXYSeries*>(series)) {
            s.points = xy->points();
            s.pen = xy->pen();
            s.brush = xy->brush();
            s.markerSize = xy->markerSize();
            s.pointsVisible = xy->pointsVisible();
        }
        // A series the view keeps out of its legend (e.g. a marker repeating a line's name)
        // stays out of the figure's legend.
        for (const QLegendMarker* marker : legend->markers(series))
            if (!markerShown(*legend, marker))
                s.inLegend = false;
        for (QAbstractAxis* axis : series->attachedAxes()) {
            const auto it = std::find(axes.begin(), axes.end(), axis);
            if (it != axes.end())
                s.axes.push_back(int(it - axes.begin()));
        }
        series_.push_back(std::move(s));
    }
}

void ChartFigure::paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const {
    painter.save();
    painter.fillRect(rect, options.background());

    QGraphicsScene scene;
    auto* chart = new QChart; // the scene owns it
    chart->setTheme(options.lightBackground ? QChart::ChartThemeLight : QChart::ChartThemeDark);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setDropShadowEnabled(false);
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(options.background());
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundVisible(false);
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    // Tight, but half a label's height around the edge keeps end tick labels unclipped.
    const int margin = std::max(2, int(std::lround(0.6 * options.fontPt)));
    chart->setMargins(QMargins(margin, margin, margin, margin));
    chart->setTitle(options.title);
    chart->setTitleFont(figureFont(options, 1.2, true));
    chart->setTitleBrush(options.ink());

    std::vector<QAbstractAxis*> axes;
    for (const AxisData& a : axes_) {
        QAbstractAxis* axis = makeAxis(a);
        chart->addAxis(axis, a.alignment);
        styleAxis(axis, options);
        axes.push_back(axis);
    }
    for (const SeriesData& s : series_) {
        QAbstractSeries* series = makeSeries(s, options);
        if (!series)
            continue;
        series->setName(s.name);
        series->setOpacity(s.opacity);
        chart->addSeries(series);
        for (int index : s.axes)
            series->attachAxis(axes[std::size_t(index)]);
        series->setVisible(s.visible);
        for (QLegendMarker* marker : chart->legend()->markers(series))
            marker->setVisible(s.inLegend && s.visible);
    }
    QLegend* legend = chart->legend();
    legend->setVisible(options.legend && legendVisible_);
    legend->setAlignment(legendAlignment_);
    legend->setMarkerShape(QLegend::MarkerShape(legendMarkerShape_));
    legend->setFont(figureFont(options, 0.9));
    legend->setLabelColor(options.ink());
    legend->setBackgroundVisible(false);

    scene.addItem(chart);
    const QRectF local(QPointF(0, 0), rect.size());
    chart->setGeometry(local);
    // Lay out now (chart, then its legend): there is no event loop turn before render().
    chart->layout()->activate();
    if (legend->layout())
        legend->layout()->activate();
    scene.setSceneRect(local);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    scene.render(&painter, rect, local, Qt::IgnoreAspectRatio);
    painter.restore();
}

} // namespace embedscope::ui
