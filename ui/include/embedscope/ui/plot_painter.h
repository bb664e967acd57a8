#pragma once
// The shared 2-D plotting layer of the QPainter figures (issue 7): axis scales with nice ticks,
// a PlotArea that lays out its margins so no tick label or title is clipped, and the drawing
// primitives (lines, markers, error bars, bars, labels, reference lines, legend) on top of it.
//
// Everything is in points (see figure.h "Units"): the painter maps one unit to one point and
// fonts come from figureFont(). A typical figure:
//     PlotArea area(figureBody(painter, rect, options), options);
//     area.setX(AxisScale::niceLinear(0, 7.3), "Dose (mg/kg)");
//     area.setY(AxisScale::niceLinear(0, 1), "Distance to control");
//     area.setLegend(entries);   // before drawing: an outside legend takes margin
//     area.drawGrid(painter);  ... data primitives ...  area.drawAxes(painter);
//     area.drawLegend(painter);
// Where a figure is too small for its text, category labels are thinned or cut with an
// ellipsis and axis titles give way, so that nothing is ever clipped at the figure's edge.
#include "embedscope/ui/figure.h"

#include <QColor>
#include <QPen>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

class QPainter;

namespace embedscope::ui {

/// A linear or log10 map of a data interval onto [0, 1]. min > max is allowed (a reversed
/// axis, e.g. matrix rows from top to bottom).
struct AxisScale {
    enum class Kind { Linear, Log10 };
    Kind kind = Kind::Linear;
    double min = 0;
    double max = 1;

    /// [min, max] as given. Throws DataError for non-finite bounds.
    static AxisScale linear(double min, double max);
    /// [min, max] widened to the enclosing niceTicks (0..7.3 → 0..8); an empty interval is
    /// widened around its value first. Throws DataError for non-finite bounds.
    static AxisScale niceLinear(double min, double max, int target = 5);
    /// [min, max] as given on a log10 axis. Throws DataError unless 0 < min and 0 < max.
    static AxisScale log10(double min, double max);
    /// [min, max] widened to whole decades (2..80 → 1..100). Throws like log10().
    static AxisScale niceLog10(double min, double max);

    /// Position of `value` in [0, 1] over the domain (outside for values outside); NaN for
    /// NaN and, on a log axis, for values <= 0.
    double fraction(double value) const;
    /// The inverse of fraction().
    double value(double fraction) const;
    /// Major ticks inside the domain: niceTicks (linear) or logTicks (log10).
    std::vector<double> ticks(int target = 5) const;
    /// Minor ticks inside the domain: 2..9 × each decade (log10), none for linear axes.
    std::vector<double> minorTicks() const;
};

/// Ticks at a 1-2-5 step (1, 2 or 5 × 10^k, the smallest such step >= (max - min) / target)
/// from the multiple at or below min to the multiple at or above max: 0..1 → 0, 0.2, …, 1;
/// 0..7.3 → 0, 2, 4, 6, 8. Values are exact decimals (0.6, not 0.6000000000000001). An empty
/// interval gives one tick. Throws DataError for non-finite bounds or target < 1.
std::vector<double> niceTicks(double min, double max, int target = 5);
/// The 1-2-5 step niceTicks uses.
double niceStep(double span, int target = 5);
/// Powers of ten from the decade at or below min to the one at or above max (1..100 → 1, 10,
/// 100); with `minor`, 2..9 × 10^k inside [min, max] instead. Every n-th decade when more than
/// 10 would be drawn. Throws DataError unless 0 < min <= max (both finite).
std::vector<double> logTicks(double min, double max, bool minor = false);
/// A tick label without trailing zeros: 0.5, 1, 10, 2500, -0.25; exponent form only when plain
/// form would be long (|v| < 1e-4 or >= 1e6: 1e-05, 2.5e+06).
QString formatTick(double value);

/// Okabe–Ito qualitative colours (the 3-D view's palette, viewer::ScatterScene::palette()),
/// cycling; so a figure's group colours match the embedding view.
QColor categoryColor(int index);
/// The neutral grey of "control" groups (viewer::ScatterScene::controlColor()).
QColor controlGrey();
/// Viridis (viewer::CurveOverlay::viridis) at t, clamped to [0, 1]: continuous values.
QColor viridisColor(double t);

/// A vertical colour bar: `colour(t)` for t in [0, 1] from the bottom of `bar` (points) to its
/// top, a thin ink frame, `ticks` (values of `scale`, placed by scale.fraction) labelled right
/// of it in 0.9× font, and `title` reading upwards, centred in the band of 1.6 × the font just
/// left of `titleRight` (reserve that room, e.g. with PlotArea::reserveRight).
void drawColorBar(QPainter& painter, const QRectF& bar, double titleRight, const AxisScale& scale,
                  const std::vector<double>& ticks, const std::function<QColor(double)>& colour,
                  const QString& title, const FigureOptions& options);

/// The room drawColorBar needs right of a plot (gap, bar, ticks as wide as `widestTick`, title
/// band), for PlotArea::reserveRight.
double colorBarWidth(const FigureOptions& options,
                     const QString& widestTick = QStringLiteral("-0.000"));

enum class MarkerShape { Circle, Square, Triangle, Diamond };

struct MarkerStyle {
    MarkerShape shape = MarkerShape::Circle;
    double size = 5; ///< outer width in points
    QColor color;    ///< fill (filled) or outline (open)
    bool filled = true;
    double outlineWidth = 0.8; ///< points
};

/// One legend row: a swatch (line, marker, both, or a filled box) and its text.
struct LegendEntry {
    enum class Kind { Line, Marker, LineMarker, Box };
    QString text;
    QColor color;
    Kind kind = Kind::Line;
    MarkerShape shape = MarkerShape::Circle;
    bool filled = true;
    Qt::PenStyle lineStyle = Qt::SolidLine;
};

/// Inside the data rectangle (top corners), right of it, or in one row above it.
enum class LegendPlacement { TopRightInside, TopLeftInside, OutsideRight, Above };

/// Fills `rect` with the options' background and draws options.title (1.2× bold, centred)
/// at its top; returns the rest of `rect` for the plot(s).
QRectF figureBody(QPainter& painter, const QRectF& rect, const FigureOptions& options);
/// The rectangle figureBody() returns, without painting.
QRectF figureBodyRect(const QRectF& rect, const FigureOptions& options);

/// One set of axes in a rectangle of a figure. Configure (axes, titles, legend placement),
/// then draw; the layout is computed on first use and again after any setter.
class PlotArea {
public:
    enum class Axis { Bottom, Left, Right };

    /// `outer` is the rectangle (points) that everything of this plot, labels and titles
    /// included, must stay inside.
    PlotArea(const QRectF& outer, const FigureOptions& options);

    void setX(const AxisScale& scale, const QString& title);
    void setY(const AxisScale& scale, const QString& title);
    /// A secondary y axis on the right (e.g. cumulative percent); map with mapRight().
    void setRightY(const AxisScale& scale, const QString& title);
    /// Category axes: category i sits at data value i (domain -0.5 .. n-0.5; rows of a left
    /// axis run top to bottom). Bottom labels that do not fit their slot are rotated 45°.
    /// Throws DataError for an empty list.
    void setXCategories(const std::vector<QString>& labels, const QString& title);
    /// Major ticks of the x axis at these values (inside the domain) instead of the scale's,
    /// and no minor ticks: e.g. the doses given on a log dose axis. Call after setX.
    void setXTicks(std::vector<double> values);
    void setYCategories(const std::vector<QString>& labels, const QString& title);
    /// A title over this plot (a panel of small multiples, a subtitle); "" = none.
    void setPanelTitle(const QString& title);
    /// Reserves room for a legend of `entries` (OutsideRight and Above take margin; nothing
    /// when options.legend is false). drawLegend() draws it.
    void setLegend(const std::vector<LegendEntry>& entries,
                   LegendPlacement placement = LegendPlacement::TopRightInside);
    /// Extra room (points) right of the plot for the caller's own decoration (a colour bar).
    void reserveRight(double points);
    /// That room: right of the right axis, as tall as inner(); empty without reserveRight().
    QRectF reservedRect() const;
    /// Grid lines at major ticks (default on) and a full box instead of left/bottom axes.
    void setGrid(bool x, bool y);
    void setBox(bool box);

    /// The data rectangle (points).
    QRectF inner() const;
    const QRectF& outer() const { return outer_; }
    const FigureOptions& options() const { return options_; }
    const AxisScale& xScale() const { return x_.scale; }
    const AxisScale& yScale() const { return y_.scale; }
    /// Data → points (left/bottom axes) and back. NaN propagates.
    QPointF map(double x, double y) const;
    QPointF mapRight(double x, double y2) const;
    QPointF inverse(const QPointF& point) const;
    /// Data-unit length `dx` at `x` in points along the x axis (bar widths).
    double xLength(double x, double dx) const;
    /// The cell (points) of category `column` on the x axis and category `row` on the y axis:
    /// the square of ±0.5 around them (heat maps, confusion matrices).
    QRectF categoryCell(int column, int row) const;

    /// Where tick labels and titles are drawn (points), for tests and callers that stack
    /// panels: every rect lies inside outer(). Category labels thinned out for lack of room
    /// (every n-th is labelled) have no rect.
    std::vector<QRectF> tickLabelRects(Axis axis) const;
    std::vector<QRectF> decorationRects() const;
    /// True when bottom category labels are rotated 45°.
    bool rotatedXLabels() const;

    void drawGrid(QPainter& painter) const;
    /// Axis lines, ticks, tick labels, axis and panel titles (after the data, on top of it).
    void drawAxes(QPainter& painter) const;
    /// Skipped when options.legend is false or there are no entries.
    void drawLegend(QPainter& painter) const;

    // Data primitives, clipped to inner() unless stated. `right` uses the right axis.
    /// A line through the points; a NaN in x or y breaks it.
    void polyline(QPainter& painter, const std::vector<double>& x, const std::vector<double>& y,
                  const QPen& pen, bool right = false) const;
    /// One marker per finite point (not clipped: a point on the edge stays whole).
    void markers(QPainter& painter, const std::vector<double>& x, const std::vector<double>& y,
                 const MarkerStyle& style, bool right = false) const;
    /// Vertical bars from lo to hi with caps `capWidth` points wide.
    void errorBars(QPainter& painter, const std::vector<double>& x, const std::vector<double>& lo,
                   const std::vector<double>& hi, const QPen& pen, double capWidth = 4,
                   bool right = false) const;
    /// Bars centred at x, `width` data units wide (0.8 on a category axis), from `base`.
    void bars(QPainter& painter, const std::vector<double>& x, const std::vector<double>& height,
              double width, const QColor& fill, double base = 0, bool right = false) const;
    /// Text anchored at a data point (`align` says which side of the text touches it),
    /// shifted by `offset` points. Not clipped.
    void label(QPainter& painter, double x, double y, const QString& text,
               Qt::Alignment align = Qt::AlignLeft | Qt::AlignBottom,
               QPointF offset = QPointF(3, -3), bool right = false) const;
    /// Dashed reference lines across the plot.
    void horizontalLine(QPainter& painter, double y, const QColor& color, bool right = false) const;
    void verticalLine(QPainter& painter, double x, const QColor& color) const;

    /// Draws `shape` centred at `center` (points), for legends and keys outside a PlotArea.
    static void drawMarker(QPainter& painter, const QPointF& center, const MarkerStyle& style);

private:
    struct AxisSpec {
        AxisScale scale;
        QString title;
        std::vector<QString> categories; // non-empty: category axis
        bool present = false;
        std::vector<double> ticks; // non-empty: explicit major ticks, no minor ones
    };
    struct Label {
        double value = 0; // the tick's data value
        QString text;
        QRectF box;     // bounding box in points (rotated text included)
        QPointF anchor; // rotated labels: the text's top-right corner
        QSizeF size;    // unrotated text size
        bool rotated = false;
    };
    struct Layout {
        QRectF inner;
        bool rotateX = false;
        std::vector<Label> bottomLabels, leftLabels, rightLabels;
        QRectF bottomTitle, leftTitle, rightTitle, panelTitle, legend, reserved;
        QString bottomText, leftText, rightText, panelText; // titles, elided to fit
    };
    /// Titles left out when the data rect would be squeezed below a fifth of the outer rect.
    struct Drop {
        bool vertical = false;   // bottom axis and panel titles
        bool horizontal = false; // left and right axis titles
    };

    void invalidate() { layout_.reset(); }
    const Layout& layout() const;
    Layout computeLayout(double left, double right, double top, double bottom,
                         const Drop& drop) const;
    Layout settle(const Drop& drop) const;
    static std::vector<QRectF> decorationRects(const Layout& layout);
    QPointF map(double x, double y, const QRectF& inner) const;
    /// Legend entry positions relative to its top-left corner, its size and the entry texts
    /// (elided where the figure is too narrow).
    std::vector<QPointF> legendOffsets(QSizeF* size, std::vector<QString>* texts = nullptr) const;
    QRectF legendRect(const QRectF& inner) const;

    QRectF outer_;
    FigureOptions options_;
    AxisSpec x_, y_, y2_;
    QString panelTitle_;
    std::vector<LegendEntry> legend_;
    LegendPlacement legendPlacement_ = LegendPlacement::TopRightInside;
    double reserveRight_ = 0;
    bool gridX_ = true, gridY_ = true, box_ = false;
    mutable std::optional<Layout> layout_;
};

} // namespace embedscope::ui
