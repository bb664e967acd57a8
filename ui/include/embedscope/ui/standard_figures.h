#pragma once
// Standard exportable views of issue 7 ("Other standard views"), drawn with the PlotArea layer:
// the explained-variance chart (seed 000 Fig 4.3) and the classifier's confusion matrix.
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <string>
#include <vector>

namespace embedscope::ui {

/// Seed 000 Fig 4.3: explained variance per principal component as bars and its cumulative sum
/// as a line with markers, both in percent on one 0–100 % axis (the seed keeps 10 PCs, about
/// 80 % of the variance).
class ExplainedVarianceFigure : public Figure {
public:
    /// `ratio`: fractions of the total variance per component, in PCA order (e.g.
    /// PcaResult::explainedVarianceRatio); the first `shown` are drawn (fewer if there are
    /// fewer). Throws DataError for an empty list, a negative or non-finite ratio, or ratios
    /// summing to more than 1 (percent passed by mistake); ConfigError for shown < 1.
    explicit ExplainedVarianceFigure(const std::vector<double>& ratio, int shown = 10);

    QString viewName() const override { return QStringLiteral("explained-variance"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Percent per shown component and its running sum.
    const std::vector<double>& percent() const { return percent_; }
    const std::vector<double>& cumulativePercent() const { return cumulative_; }
    /// The axes paint() draws into for a figure `rect` (bars at x = 0, 1, …), for hit tests.
    PlotArea plotArea(const QRectF& rect, const FigureOptions& options) const;
    /// The colours of the bars and of the cumulative line.
    static QColor barColor();
    static QColor cumulativeColor();

private:
    std::vector<double> percent_, cumulative_;
};

/// counts[t][p] = number of rows with truth t and prediction p, for class indices
/// 0..classes-1. Throws DataError when the sizes differ, a list is empty, classes < 1 or an
/// index is outside 0..classes-1 (naming the list, the row and the value).
std::vector<std::vector<int>> confusionCounts(const std::vector<int>& truth,
                                              const std::vector<int>& predicted, int classes);

/// A classifier's confusion matrix: rows = true class, columns = predicted class, each cell
/// coloured by its share of the row (white → blue) and annotated with its count; the subtitle
/// adds the accuracy and the number of rows.
class ConfusionMatrixFigure : public Figure {
public:
    /// Throws DataError like confusionCounts() (classes = classNames.size()).
    ConfusionMatrixFigure(const std::vector<int>& truth, const std::vector<int>& predicted,
                          const std::vector<std::string>& classNames, QString subtitle = {});

    QString viewName() const override { return QStringLiteral("confusion"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    const std::vector<std::vector<int>>& counts() const { return counts_; }
    /// Correct / all rows.
    double accuracy() const;
    /// counts / row total (0 for a class with no rows).
    double rowFraction(int row, int column) const;
    /// The cell (points) of `row`, `column` when painted into `rect`.
    QRectF cellRect(const QRectF& rect, const FigureOptions& options, int row, int column) const;
    /// The sequential map: t = 0 near-white, t = 1 dark blue (ColorBrewer Blues).
    static QColor cellColor(double t);

private:
    PlotArea plotArea(const QRectF& rect, const FigureOptions& options) const;

    std::vector<std::vector<int>> counts_;
    std::vector<QString> names_;
    QString subtitle_;
    int total_ = 0;
};

} // namespace embedscope::ui
