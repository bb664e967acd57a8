#pragma once
// The main window: project/runs panel, training form, live loss chart, the embedding view and
// the picked sample's metadata. Jobs run on the JobRunner's worker thread.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/sweep.h"

#include <QImage>
#include <QMainWindow>

#include <Eigen/Dense>

#include <memory>

class QDockWidget;
class QPlainTextEdit;

namespace embedscope::ui {

class BetaTradeoffChart;
class CellsPanel;
class DoseResponseView;
class EmbeddingView;
class Figure;
class FigureWidget;
struct FigureOptions;
enum class FigureFormat;
class GeometryView;
class JobRunner;
class LossChart;
class MetricsChart;
class ProjectPanel;
class ReconstructionView;
class RunsDock;
class ParallelCoordinates;
class ConsistencyView;
class AlignedThumbnailsView;
class SampleInspector;
class SweepPanel;
class TrainingPanel;
class TrajectoryInspector;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a project file; a failure shows a dialog (unless quiet) and keeps the current one.
    bool openProject(const QString& path);
    /// Makes (first time) and opens the built-in demo project, on the worker thread.
    void openDemo();
    void startTraining();
    /// Adds the untrained and manual reference runs (seed 000 §4.1) of the data set, with their
    /// metrics, on the worker thread; the metrics panel draws them as reference lines.
    void addReferenceRuns();
    void cancelJob();
    /// Shows a saved run: loss curves and the PCA projection of its embedding.
    void showRun(const QString& name);
    bool exportViewPng(const QString& path);
    /// The whole window as shown, the VTK scene included (QWidget::grab cannot see the native
    /// GL child window, so its scene is painted in at the view's position).
    QImage grabWindow();

    QString projectPath() const { return projectPath_; }
    TrainingPanel* trainingPanel() const { return training_; }
    ProjectPanel* projectPanel() const { return projectPanel_; }
    LossChart* lossChart() const { return lossChart_; }
    MetricsChart* metricsChart() const { return metricsChart_; }
    EmbeddingView* embeddingView() const { return embeddingView_; }
    SampleInspector* sampleInspector() const { return inspector_; }
    TrajectoryInspector* trajectoryInspector() const { return trajectory_; }
    ReconstructionView* reconstructionView() const { return reconstructions_; }
    BetaTradeoffChart* betaChart() const { return betaChart_; }
    /// Seed-003 geometry of the shown run: F1 over time, all vs held-out.
    GeometryView* geometryView() const { return geometry_; }
    /// Issue 7: per-substance dose response, explained variance and the classifier's
    /// confusion matrix of the shown run.
    DoseResponseView* doseResponseView() const { return dose_; }
    FigureWidget* explainedVarianceView() const { return variance_; }
    FigureWidget* confusionView() const { return confusion_; }
    /// Issue 6: the runs table and selection scatter of the open project.
    RunsDock* runsDock() const { return runs_; }
    /// Issue 6: the sweep views over the same runs (parallel coordinates, top-N validation
    /// loss curves, the consistency matrix).
    ParallelCoordinates* parallelCoordinates() const { return parallel_; }
    FigureWidget* topLossCurvesView() const { return topCurves_; }
    ConsistencyView* consistencyView() const { return consistency_; }
    /// Issue 6: the aligned embedding thumbnails of the runs shown (computed on demand).
    AlignedThumbnailsView* alignedThumbnailsView() const { return thumbnails_; }
    JobRunner* jobRunner() const { return runner_; }
    /// Issue 8: the Cells dock (plate view, profiles before / after spherizing, retrieval).
    CellsPanel* cellsPanel() const { return cells_; }

    /// The views File ▸ Export figure offers for the shown run (runFigureViews() and the
    /// live-only ones: f1-time, beta-tradeoff), in menu order.
    QStringList figureViews() const;
    /// The figure of `view` as it is shown now (colouring, emphasis, 2-D/3-D, dose paths);
    /// null (and lastError()) when the view has nothing to show.
    std::shared_ptr<Figure> figureOfView(const QString& view);
    /// Writes `view` without a dialog (tests, scripts). False and lastError() on failure.
    bool exportFigureTo(const QString& view, const FigureOptions& options, FigureFormat format,
                        const QString& path);
    /// The shown run's embedding (z_*) with the metadata (Metadata_*) as CSV: every row, or
    /// with `emphasisedOnly` the rows of the emphasised category. False and lastError().
    bool exportEmbeddingCsv(const QString& path, bool emphasisedOnly);
    QString currentRun() const { return currentRun_; }
    /// The data set training and the embedding view use (the shown run's, or the one picked in
    /// the Project panel).
    QString datasetName() const { return datasetName_; }
    /// Makes `name` the window's data set (no run shown); crops (images with a plate layout)
    /// switch the training form to the cell CNN. False and a log line when it cannot be read.
    bool selectDataset(const QString& name);
    /// Shows the dock whose title (any case) or object name is `title`; false when none is.
    bool raiseDock(const QString& title);
    /// Error dialogs are replaced by log lines (tests).
    void setQuietErrors(bool quiet) { quietErrors_ = quiet; }
    /// Whether opening a demo project without the demo sweep's runs starts that sweep
    /// (default on; tests that train on the demo turn it off to keep the job runner free).
    void setAutoDemoSweep(bool on) { autoDemoSweep_ = on; }
    SweepPanel* sweepPanel() const { return sweepPanel_; }
    QString lastError() const { return lastError_; }

Q_SIGNALS:
    void projectOpened(const QString& path);
    void runShown(const QString& name);
    /// The worker saved run `name`; emitted before the GUI loads and draws it.
    void trainingCompleted(const QString& name);
    void jobFinished(bool ok);
    /// The worker saved reference runs (`names`); emitted before the GUI reloads the project.
    void referencesAdded(const QStringList& names);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    /// Makes data set `name` of the open project the window's (metadata, colours, references):
    /// runs are shown, picked and trained on their own data set. Throws on a read error.
    void useDataset(const std::string& name);
    void refreshProject();
    /// Reads the newest untrained / manual / combined runs for the metrics panel's lines.
    void refreshReferences();
    void recolor(const QString& column);
    void showProjection();
    std::vector<std::string> categoriesOf(const QString& column) const;
    void onPointPicked(int index);
    /// The reconstructions and β trade-off of `run` (generative runs; a message otherwise).
    void showGenerative(const RunRecord& run);
    void showError(const QString& title, const QString& message);
    // main_window_figures.cpp
    void buildFigureDocks(QDockWidget* tabifyAfter);
    /// The issue-7 views of `run` (after showRun set explained_).
    void showRunFigures(const RunRecord& run);
    void exportFigureWithDialog();
    void exportCsvWithDialog(bool emphasisedOnly);
    void onSubstanceSelected(const QString& substance);
    /// Shift-click in the runs table/scatter: `a` is shown, `b` beside it (Geometry dock).
    void compareRuns(const QString& a, const QString& b);
    void log(const QString& line);

    JobRunner* runner_ = nullptr;
    ProjectPanel* projectPanel_ = nullptr;
    TrainingPanel* training_ = nullptr;
    LossChart* lossChart_ = nullptr;
    MetricsChart* metricsChart_ = nullptr;
    EmbeddingView* embeddingView_ = nullptr;
    SampleInspector* inspector_ = nullptr;
    TrajectoryInspector* trajectory_ = nullptr;
    QDockWidget* trajectoryDock_ = nullptr;
    ReconstructionView* reconstructions_ = nullptr;
    BetaTradeoffChart* betaChart_ = nullptr;
    GeometryView* geometry_ = nullptr;
    QPlainTextEdit* console_ = nullptr;
    DoseResponseView* dose_ = nullptr;
    FigureWidget* variance_ = nullptr;
    FigureWidget* confusion_ = nullptr;
    QDockWidget* doseDock_ = nullptr;
    RunsDock* runs_ = nullptr;
    QDockWidget* runsDock_ = nullptr;
    ParallelCoordinates* parallel_ = nullptr;
    FigureWidget* topCurves_ = nullptr;
    ConsistencyView* consistency_ = nullptr;
    AlignedThumbnailsView* thumbnails_ = nullptr;
    int topCurvesGeneration_ = 0;
    void buildSweepDock(QDockWidget* tabifyAfter);
    // main_window_sweep_live.cpp: the Sweep dock's Run page (issue 6 "Live")
    SweepPanel* buildSweepRunPage();
    void startSweep();
    void runSweepJob(const SweepSpec& spec, const SweepOptions& options, const QString& backend);
    void startDemoSweep();
    static bool projectLacksDemoSweep(const std::string& path);
    /// embedscope-cli for the sweep's child processes: $EMBEDSCOPE_CLI, else beside the app.
    static QString cliPath();
    SweepPanel* sweepPanel_ = nullptr;
    bool sweepRunning_ = false;
    bool demoSweepPending_ = false; ///< start the demo sweep when the demo job has finished
    bool autoDemoSweep_ = true;
    void refreshTopCurves();
    // main_window_cells.cpp: the Cells dock (issue 8)
    void buildCellsDock(QDockWidget* tabifyAfter);
    /// The cell views' figures ("plate-map", "well-crops", "well-pca", "retrieval-curves",
    /// "profile-neighbours"); null for other names. Throws DataError when the view is empty.
    std::shared_ptr<Figure> cellFigureOfView(const QString& view) const;
    static QStringList cellFigureViews();
    CellsPanel* cells_ = nullptr;
    int confusionGeneration_ = 0;
    QString lastFigureView_; ///< the view File ▸ Export figure offers first
    RunRecord shownRun_;     ///< the run on screen (figures of it are built on demand)

    QString projectPath_;
    QString datasetName_;
    Dataset datasetHeader_;  ///< the project's data set without its values
    MetadataTable metadata_; ///< of the project's data set, one row per sample
    QString currentRun_;
    Eigen::MatrixXd projection_; ///< samples x 3 PCA coordinates of the shown run
    Eigen::VectorXd explained_;  ///< explained variance ratio of the first 10 components
    QString colorColumn_;
    bool quietErrors_ = false;
    QString lastError_;
};

} // namespace embedscope::ui
