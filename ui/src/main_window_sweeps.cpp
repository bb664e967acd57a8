// MainWindow: the sweep views of issue 6 beside the Runs dock — parallel coordinates of the
// runs table (brushing filters the table), the top-N validation-loss curves coloured by a
// metric (seed 002 Fig 4.5), the runs × runs consistency matrix and the aligned embedding
// thumbnails (both computed on demand for the finished runs the table shows).
#include "embedscope/ui/main_window.h"

#include "embedscope/engine/project.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/aligned_thumbnails.h"
#include "embedscope/ui/consistency_view.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/loss_curves_figure.h"
#include "embedscope/ui/parallel_coordinates.h"
#include "embedscope/ui/project_panel.h"
#include "embedscope/ui/runs_dock.h"
#include "embedscope/ui/runs_view.h"

#include <QDockWidget>
#include <QPushButton>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

namespace embedscope::ui {
namespace {

/// The finished runs among those the table shows, in table order.
QStringList finishedShownRuns(const RunsView* view) {
    const QStringList shown = view->visibleRuns();
    QStringList finished;
    const auto table = view->table();
    const int status = table->find("status");
    for (std::size_t r = 0; r < table->rows.size(); ++r)
        if (shown.contains(QString::fromStdString(table->runName(r))) &&
            (status < 0 || table->text(r, status) == "finished"))
            finished << QString::fromStdString(table->runName(r));
    return finished;
}

/// A tab page: a button over the view it fills.
QWidget* computePage(QPushButton* button, QWidget* view) {
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(button, 0, Qt::AlignLeft);
    layout->addWidget(view, 1);
    return page;
}

} // namespace

void MainWindow::buildSweepDock(QDockWidget* tabifyAfter) {
    parallel_ = new ParallelCoordinates;
    topCurves_ = new FigureWidget;
    topCurves_->setObjectName(QStringLiteral("topLossCurves"));
    topCurves_->setPlaceholderText(tr("Open a project with runs that store a metric."));
    consistency_ = new ConsistencyView;
    auto* compute = new QPushButton(tr("Compute for the runs shown in the table"));
    compute->setObjectName(QStringLiteral("computeConsistency"));
    thumbnails_ = new AlignedThumbnailsView;
    auto* align = new QPushButton(tr("Compute for the runs shown in the table"));
    align->setObjectName(QStringLiteral("computeThumbnails"));
    align->setToolTip(tr("Align every shown run's embedding (first two principal components) "
                         "onto the selected run, else the first"));
    auto* tabs = new QTabWidget;
    tabs->addTab(parallel_, tr("Parallel coordinates"));
    tabs->addTab(topCurves_, tr("Top loss curves"));
    tabs->addTab(computePage(compute, consistency_), tr("Consistency"));
    tabs->addTab(computePage(align, thumbnails_), tr("Aligned embeddings"));
    auto* dock = new QDockWidget(tr("Sweep"), this);
    dock->setObjectName(QStringLiteral("sweep"));
    dock->setWidget(tabs);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    tabifyDockWidget(tabifyAfter, dock);

    connect(runs_->view(), &RunsView::tableLoaded, this, [this] {
        parallel_->setTable(runs_->view()->table());
        refreshTopCurves();
    });
    // Brushing the axes narrows the table to the runs inside every brush; no brush, every run.
    connect(parallel_, &ParallelCoordinates::filterChanged, this, [this](const QStringList& r) {
        if (parallel_->hasBrushes())
            runs_->view()->setBrushedRuns(r);
        else
            runs_->view()->clearBrushedRuns();
    });
    connect(compute, &QPushButton::clicked, this,
            [this] { consistency_->setRuns(projectPath_, finishedShownRuns(runs_->view())); });
    connect(consistency_, &ConsistencyView::compareRequested, this, &MainWindow::compareRuns);
    connect(align, &QPushButton::clicked, this, [this] {
        thumbnails_->setSelectedRun(runs_->selectedRun());
        thumbnails_->setRuns(projectPath_, finishedShownRuns(runs_->view()), runs_->selectedRun());
    });
    // A thumbnail click is a table row click: the run is shown and every view follows.
    connect(thumbnails_, &AlignedThumbnailsView::runSelected, this, [this](const QString& name) {
        runs_->selectRun(name);
        projectPanel_->selectRun(name);
        if (currentRun_ != name)
            showRun(name);
    });
    connect(thumbnails_, &AlignedThumbnailsView::compareRequested, this, &MainWindow::compareRuns);
    connect(this, &MainWindow::runShown, thumbnails_, &AlignedThumbnailsView::setSelectedRun);
}

// The ten runs best by the first metric the table holds (lower or higher is better as the
// metric says), read on a worker thread: every run's curves are read from the file.
void MainWindow::refreshTopCurves() {
    const auto table = runs_->view()->table();
    const auto metrics = table->columnNames(RunsColumn::Kind::Metric);
    if (table->rows.empty() || metrics.empty()) {
        topCurves_->setFigure(nullptr);
        return;
    }
    std::vector<std::string> names;
    for (std::size_t r = 0; r < table->rows.size(); ++r)
        names.push_back(table->runName(r));
    const std::string metric = metrics.front();
    const bool lower = metricLowerIsBetter(metric);
    const int generation = ++topCurvesGeneration_;
    auto figure = std::make_shared<std::shared_ptr<Figure>>();
    const std::string path = projectPath_.toStdString();
    QThread* thread = QThread::create([path, names, metric, lower, figure] {
        try {
            *figure = topLossCurvesOf(ProjectFile::open(path), names, metric, lower, 10);
        } catch (const std::exception&) {
            // the placeholder stays: the runs have no curves to compare
        }
    });
    connect(thread, &QThread::finished, this, [this, thread, generation, figure] {
        thread->deleteLater();
        if (generation == topCurvesGeneration_)
            topCurves_->setFigure(*figure);
    });
    thread->start(QThread::LowPriority);
}

} // namespace embedscope::ui
