#pragma once
// The selection scatter of a sweep (issue 6 "GUI"; seed 003 reads its sweep through such plots):
// any numeric column of the runs table against any other, one point per run, coloured by any
// column (numbers: viridis with a colour bar; text: the category palette with a legend). Two
// dashed threshold lines (one vertical, one horizontal, e.g. the note's F1 > 0.7 and aligned
// RMSE < 1), each off until its checkbox is ticked, dragged with the mouse or typed into its
// spin box; points passing every threshold shown are filled, the others open. Hover names the
// run; a click selects it (ringed), shift-click asks to compare it with the selected one.
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace embedscope::ui {

/// A threshold on one axis: points pass when value > threshold (above) or < threshold.
struct RunsThreshold {
    bool enabled = false;
    double value = 0;
    bool above = true;
    bool passes(double v) const { return !enabled || (above ? v > value : v < value); }
};

/// What the scatter draws, copied out of the table (a figure outlives its widget).
struct RunsScatterData {
    QString xTitle, yTitle;
    std::vector<QString> runs;
    std::vector<double> x, y; ///< NaN: the run is not drawn
    enum class ColorKind { None, Numeric, Category };
    ColorKind colorKind = ColorKind::None;
    QString colorTitle;
    std::vector<double> colorValue; ///< Numeric
    std::vector<QString> colorText; ///< Category
    RunsThreshold xThreshold, yThreshold;
    QString selected;
};

class RunsScatterFigure : public Figure {
public:
    explicit RunsScatterFigure(RunsScatterData data);
    QString viewName() const override { return QStringLiteral("runs-scatter"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The axes as paint() lays them out in `rect`.
    PlotArea plotArea(const QRectF& rect, const FigureOptions& options) const;
    /// Index of the drawn point nearest `point` (points) within `radius`, -1 when none.
    int pointAt(const QRectF& rect, const FigureOptions& options, QPointF point,
                double radius = 6) const;
    /// Points drawn (finite x and y) and those of them passing both thresholds.
    int drawnCount() const;
    int passingCount() const;
    bool passes(std::size_t i) const;
    const RunsScatterData& data() const { return data_; }
    /// The colour of point i (viridis / category / default blue).
    QColor pointColor(std::size_t i) const;

private:
    std::vector<LegendEntry> legend() const;

    RunsScatterData data_;
    AxisScale xScale_, yScale_;
    double colorMin_ = 0, colorMax_ = 1;
    QStringList categories_; ///< distinct colour values, first-seen order
};

class RunsScatter : public QWidget {
    Q_OBJECT
public:
    explicit RunsScatter(QWidget* parent = nullptr);

    /// The runs to draw (shared with RunsView). Axis and colour choices are kept by name.
    void setTable(std::shared_ptr<const RunsTable> table);
    std::shared_ptr<const RunsTable> table() const { return table_; }

    /// Chooses the columns by name; false when the column is absent (or text for x / y).
    bool setXColumn(const QString& column);
    bool setYColumn(const QString& column);
    bool setColorColumn(const QString& column); ///< "" = one colour
    QString xColumn() const;
    QString yColumn() const;
    QString colorColumn() const;

    void setXThreshold(const RunsThreshold& threshold);
    void setYThreshold(const RunsThreshold& threshold);
    RunsThreshold xThreshold() const { return data_.xThreshold; }
    RunsThreshold yThreshold() const { return data_.yThreshold; }
    /// Runs passing every threshold shown, table order.
    QStringList passingRuns() const;

    /// Rings the run without emitting runSelected; "" clears.
    void selectRun(const QString& name);
    QString selectedRun() const { return data_.selected; }

    /// A copy of what is shown, for File ▸ Export figure.
    std::shared_ptr<Figure> figure() const;
    /// The drawing widget (one pixel is one point) and the axes laid out in it.
    QWidget* canvas() const;
    PlotArea plotArea() const;
    /// The run under the mouse (also the canvas's tooltip); "" when none.
    QString hoveredRun() const { return hovered_; }

Q_SIGNALS:
    void runSelected(const QString& name);
    void compareRequested(const QString& a, const QString& b);
    void thresholdsChanged();

private:
    friend class RunsScatterCanvas;
    void rebuild();
    void fillCombos();
    void syncThresholdControls();
    void clickedAt(QPointF at, bool shift);
    void hoverAt(QPointF at);
    void thresholdEnabledByUser(bool xAxis, bool on);

    std::shared_ptr<const RunsTable> table_;
    RunsScatterData data_;
    std::shared_ptr<RunsScatterFigure> figure_;
    QString hovered_;
    QComboBox* x_ = nullptr;
    QComboBox* y_ = nullptr;
    QComboBox* color_ = nullptr;
    QCheckBox* xOn_ = nullptr;
    QCheckBox* yOn_ = nullptr;
    QComboBox* xSide_ = nullptr;
    QComboBox* ySide_ = nullptr;
    QDoubleSpinBox* xValue_ = nullptr;
    QDoubleSpinBox* yValue_ = nullptr;
    QLabel* count_ = nullptr;
    QWidget* canvas_ = nullptr;
    bool syncing_ = false;
};

} // namespace embedscope::ui
