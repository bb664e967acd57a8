#pragma once
// A Figure made from one of the app's live QtCharts views (loss, metrics, F1 over time, β
// trade-off, ...). The chart's data, styles and axes are copied at construction, so the figure
// outlives the widget; paint() rebuilds a fresh QChart at the target size with the export
// options (fonts in points, light/dark colours, legend on/off) and renders it as vectors.
// paint() runs on the GUI thread or on a QThread (its QGraphicsScene starts timers, which a
// bare std::thread cannot serve).
#include "embedscope/ui/figure.h"

#include <QBrush>
#include <QList>
#include <QPen>
#include <QPointF>
#include <QStringList>

#include <vector>

class QChart;

namespace embedscope::ui {

class ChartFigure : public Figure {
public:
    /// Copies `chart` (series: line, spline, scatter, area, bar; axes: value, log-value,
    /// category, bar-category). Series of other types are skipped and counted in
    /// skippedSeries(). Throws nothing.
    ChartFigure(const QChart& chart, QString viewName);

    QString viewName() const override { return viewName_; }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The live chart's own title (the export title comes from FigureOptions::title; a dialog
    /// may offer this one as its default).
    QString chartTitle() const { return chartTitle_; }
    int seriesCount() const { return int(series_.size()); }
    int axisCount() const { return int(axes_.size()); }
    int skippedSeries() const { return skipped_; }

    struct AxisData {
        enum class Kind { Value, Log, Category, BarCategory } kind = Kind::Value;
        Qt::Alignment alignment = Qt::AlignBottom;
        QString title;
        bool visible = true, titleVisible = true, labelsVisible = true, lineVisible = true;
        bool gridVisible = true, minorGridVisible = false, reverse = false;
        int labelsAngle = 0;
        double min = 0, max = 1;
        QString labelFormat;
        int tickCount = 5, minorTickCount = 0;
        int tickType = 0; ///< QValueAxis::TickType
        double tickAnchor = 0, tickInterval = 0;
        double base = 10;                 ///< log axes
        QStringList categories;           ///< category and bar-category axes
        std::vector<double> categoryEnds; ///< category axes
        double categoryStart = 0;         ///< category axes
        int categoryLabelsPosition = 0;   ///< QCategoryAxis::AxisLabelsPosition
        QString barMin, barMax;           ///< bar-category axes
    };

    struct BarSetData {
        QString label;
        QList<double> values;
        QPen pen;
        QBrush brush;
    };

    struct SeriesData {
        enum class Kind { Line, Spline, Scatter, Area, Bar } kind = Kind::Line;
        QString name;
        QList<QPointF> points; ///< line/spline/scatter; the upper line of an area
        QList<QPointF> lower;  ///< area only (empty = down to zero)
        QPen pen;
        QBrush brush;
        double markerSize = 10;
        int markerShape = 0; ///< QScatterSeries::MarkerShape
        bool pointsVisible = false;
        bool visible = true;
        bool inLegend = true;
        double opacity = 1;
        double barWidth = 0.5;
        std::vector<BarSetData> sets;
        std::vector<int> axes; ///< indexes into the axis list
    };

private:
    QString viewName_;
    QString chartTitle_;
    std::vector<AxisData> axes_;
    std::vector<SeriesData> series_;
    bool legendVisible_ = true;
    Qt::Alignment legendAlignment_ = Qt::AlignRight;
    int legendMarkerShape_ = 0; ///< QLegend::MarkerShape
    int skipped_ = 0;
};

} // namespace embedscope::ui
