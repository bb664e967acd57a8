#pragma once
// The figures of a saved run, built from the project alone (issue 7): the same builders serve
// the GUI's File ▸ Export figure and `embedscope-cli export`, so a figure from the command
// line is the figure on screen.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/ui/figure.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QString>
#include <QStringList>

#include <Eigen/Dense>

#include <map>
#include <memory>
#include <string>

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

/// What a run's figures are drawn from, and the view state they follow.
struct RunFigureInput {
    RunRecord run;
    Dataset dataset; ///< header + metadata (sample values are not needed)
    /// Newest reference runs' metrics by kind (untrained, manual, combined) for the metrics
    /// chart's lines.
    std::map<std::string, RunMetrics> references;
    QString colorColumn;    ///< embedding colour; empty = the first of substance, group, label
    int dims = 2;           ///< embedding: 2 (vector) or 3 (raster)
    bool dosePaths = false; ///< embedding: control → dose centroid paths per substance
    QString highlight;      ///< a substance (or category) drawn emphasised; empty = none
    QString metric;         ///< metrics chart: the metric key; empty = the first available
    QString labelColumn;    ///< confusion matrix: the class column; empty = indication/label
};

/// A PCA projection (samples × components) as scatter data: the first three components as
/// x, y, z (0 where there are fewer), dims 3 when there are three, and axis titles with the
/// explained variance ("PC1 (48.6%)"). Shared by the embedding view and the CLI's figures.
viewer::ScatterData projectionScatter(const Eigen::MatrixXd& projection,
                                      const Eigen::VectorXd& explainedRatio);

/// The views makeRunFigure knows, in menu order: embedding, loss, metrics,
/// explained-variance, confusion, dose-response, dose-heatmap.
QStringList runFigureViews();
/// A human title for a view name ("Dose response per substance", ...).
QString runFigureTitle(const QString& view);

/// Reads run `runName` and its data set's header and metadata (and the reference runs) from
/// the project. Throws IoError / FormatError / DataError naming the file and the run.
RunFigureInput loadRunFigureInput(const QString& projectPath, const QString& runName);

/// The per-substance dose response of a run in the seed-000 metric space (PCA 10 fitted on
/// train + val rows, §3.4.7), from the data set's substance and dose columns. Throws DataError
/// (no such columns, row mismatch), CancelledError.
DoseResponseResult doseResponseOfRun(const RunRecord& run, const Dataset& dataset,
                                     const JobContext& ctx, int bootstrap = 1000);

/// Builds one view's figure. Needs a QApplication (charts are Qt widgets). Throws ConfigError
/// for an unknown view (listing the known ones) and DataError when the run cannot show it
/// (e.g. "dose-response: data set 'hh' has no dose column"); CancelledError.
std::shared_ptr<Figure> makeRunFigure(const QString& view, const RunFigureInput& input,
                                      const JobContext& ctx);

} // namespace embedscope::ui
