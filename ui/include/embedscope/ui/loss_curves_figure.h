#pragma once
// The top-N validation-loss curves of a sweep (seed 002 Fig 4.5): the N runs best by a metric
// (lower or higher better), each run's validation loss per epoch as a line coloured by its
// metric value (viridis with a colour bar), best run drawn last (on top).
//
// Wiring for the lead: a "Top N loss curves" action of the Runs dock (or File ▸ Export figure)
//     auto figure = topLossCurvesOf(ProjectFile::open(path), names, "wss_tss", true, 10);
//     figureWidget->setFigure(figure);   // viewName "top-loss-curves"
// (read on a worker thread for large projects: it reads every named run's summary).
#include "embedscope/engine/project.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace embedscope::ui {

class TopLossCurvesFigure : public Figure {
public:
    /// `names`, `valLoss` and `metric` run in parallel (one per run). Runs with a non-finite
    /// metric are left out; of the rest the `topN` best are kept, best first. Throws DataError
    /// when the lengths differ or topN < 1.
    TopLossCurvesFigure(std::vector<QString> names, std::vector<std::vector<double>> valLoss,
                        std::vector<double> metric, int topN, bool lowerIsBetter = true,
                        QString metricName = QString());
    QString viewName() const override { return QStringLiteral("top-loss-curves"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The runs kept, best first, with their metric values.
    const std::vector<QString>& runs() const { return names_; }
    const std::vector<double>& metricValues() const { return metric_; }
    const std::vector<std::vector<double>>& curves() const { return curves_; }
    /// The colour of kept run i (viridis over the kept runs' metric range).
    QColor runColor(std::size_t i) const;
    PlotArea plotArea(const QRectF& rect, const FigureOptions& options) const;

private:
    std::vector<QString> names_;
    std::vector<std::vector<double>> curves_;
    std::vector<double> metric_;
    bool lowerIsBetter_ = true;
    QString metricName_;
    double metricMin_ = 0, metricMax_ = 1;
    AxisScale xScale_, yScale_;
};

/// Reads `names` (RunContent::Summary) of `project`, takes `metric` from the runs table (any
/// numeric Info or Metric column: "best_val_loss", "wss_tss", ...) and builds the figure of the
/// `n` best. Throws ConfigError for an unknown run or metric, IoError / FormatError from reading.
std::shared_ptr<TopLossCurvesFigure> topLossCurvesOf(const ProjectFile& project,
                                                     const std::vector<std::string>& names,
                                                     const std::string& metric, bool lowerIsBetter,
                                                     int n);

} // namespace embedscope::ui
