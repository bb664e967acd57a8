#pragma once
// Parallel coordinates of a sweep (issue 6 "GUI"): one vertical axis per chosen numeric column
// of the runs table (default: the numeric parameters that vary, then the metrics), each run a
// polyline through its values, coloured by a chosen column (viridis, with a colour bar). Each
// axis is scaled to its column's own range (minimum at the bottom, maximum at the top); a
// log-spaced column (every value > 0, max/min >= 100: a learning rate or weight decay drawn
// log-uniformly, seed 002 §4.3) gets a log10 axis with decade ticks. Right-click an axis to
// switch its scale by hand. The sweep spec is not stored with the runs, so the rule reads the
// values only.
// Brushing: drag along an axis to keep an interval of it (a translucent band; a new drag
// replaces it, a click without a drag clears it). Runs outside any brush are drawn light grey;
// filterChanged() names the runs inside every brush (all drawn runs when there is none).
//
// Wiring (MainWindow::buildSweepDock):
//     connect(runsView, &RunsView::tableLoaded, [=] { parallel->setTable(runsView->table()); });
//     connect(parallel, &ParallelCoordinates::filterChanged, runsView, [=](const QStringList& r) {
//         parallel->hasBrushes() ? runsView->setBrushedRuns(r) : runsView->clearBrushedRuns(); });
//     File ▸ Export figure: parallel->figure() (viewName "parallel-coordinates").
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QComboBox;
class QLabel;
class QToolButton;

namespace embedscope::ui {

/// What the plot draws, copied out of the table (a figure outlives its widget).
struct ParallelCoordinatesData {
    std::vector<QString> runs;
    std::vector<QString> axes;               ///< column names, left to right
    std::vector<std::vector<double>> values; ///< axes × runs (NaN: the run skips that axis)
    /// Per axis: drawn on a log10 scale (used only when every value of the axis is > 0).
    std::vector<bool> logAxes;
    /// A kept interval [low, high] per axis (data values), nullopt = no brush on that axis.
    std::vector<std::optional<std::pair<double, double>>> brushes;
    QString colorTitle;              ///< "" = one colour
    std::vector<double> colorValues; ///< per run (NaN: grey)
};

class ParallelCoordinatesFigure : public Figure {
public:
    explicit ParallelCoordinatesFigure(ParallelCoordinatesData data);
    QString viewName() const override { return QStringLiteral("parallel-coordinates"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The rectangle the axes span: axis 0 on its left edge, the last on its right edge.
    QRectF inner(const QRectF& rect, const FigureOptions& options) const;
    /// The x of axis k (points) and the axis's scale (the column's range; a constant column
    /// gets value ± 0.5; a log axis maps log10 of the range).
    double axisX(const QRectF& rect, const FigureOptions& options, std::size_t axis) const;
    const AxisScale& scale(std::size_t axis) const { return scales_[axis]; }
    /// Where run i crosses axis k (points); NaN coordinates when the value is missing.
    QPointF vertex(const QRectF& rect, const FigureOptions& options, std::size_t run,
                   std::size_t axis) const;
    /// Inside every brush (a run with a missing value on a brushed axis is outside).
    bool selected(std::size_t run) const;
    const ParallelCoordinatesData& data() const { return data_; }
    QColor runColor(std::size_t run) const;
    /// The automatic rule: at least one finite value, every finite value > 0, max/min >= 100.
    static bool logSpaced(const std::vector<double>& values);

private:
    double colorBarWidth(const FigureOptions& options) const;

    ParallelCoordinatesData data_;
    std::vector<AxisScale> scales_;
    double colorMin_ = 0, colorMax_ = 1;
};

class ParallelCoordinates : public QWidget {
    Q_OBJECT
public:
    explicit ParallelCoordinates(QWidget* parent = nullptr);

    /// The runs to draw (shared with RunsView). Axis choice, colour and brushes are kept by
    /// column name where the columns still exist.
    void setTable(std::shared_ptr<const RunsTable> table);
    std::shared_ptr<const RunsTable> table() const { return table_; }

    /// The axes, left to right (numeric columns only; unknown names are skipped). False when
    /// none is usable.
    bool setColumns(const QStringList& columns);
    QStringList columns() const;
    /// The numeric columns an axis can show (the chooser's entries).
    QStringList availableColumns() const;
    bool setColorColumn(const QString& column); ///< "" = one colour; numeric columns only
    QString colorColumn() const;

    /// Keeps [low, high] of `column` (an axis shown); emits filterChanged. False when absent.
    bool setBrush(const QString& column, double low, double high);
    void clearBrushes();
    bool hasBrushes() const { return !brushes_.isEmpty(); }
    /// Draws `column`'s axis on a log10 scale or a linear one, overriding the automatic rule
    /// (logSpaced); a log scale is refused (false) for a column with values <= 0.
    bool setAxisLog(const QString& column, bool log);
    /// Whether `column`'s axis is drawn on a log10 scale now.
    bool axisLog(const QString& column) const;
    /// Runs inside every brush, table order (all runs with values when there is no brush).
    QStringList filteredRuns() const;

    /// A copy of what is shown, for File ▸ Export figure.
    std::shared_ptr<Figure> figure() const;
    /// The drawing widget (one pixel is one point) and the figure drawn in it.
    QWidget* canvas() const;
    std::shared_ptr<const ParallelCoordinatesFigure> canvasFigure() const { return figure_; }
    QRectF canvasRect() const;
    FigureOptions canvasOptions() const;

Q_SIGNALS:
    void filterChanged(const QStringList& runNames);

private:
    friend class ParallelCoordinatesCanvas;
    void rebuild();
    void fillChooser();
    void emitFilter();

    std::shared_ptr<const RunsTable> table_;
    QStringList columns_;
    QHash<QString, std::pair<double, double>> brushes_; ///< by column name
    QHash<QString, bool> logChoice_;                    ///< by column name: the user's scale
    ParallelCoordinatesData data_;
    std::shared_ptr<ParallelCoordinatesFigure> figure_;
    QToolButton* chooser_ = nullptr;
    QComboBox* color_ = nullptr;
    QLabel* count_ = nullptr;
    QWidget* canvas_ = nullptr;
    bool syncing_ = false;
};

} // namespace embedscope::ui
