#include "embedscope/ui/main_window.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"
#include "embedscope/ui/beta_tradeoff_chart.h"
#include "embedscope/ui/dose_response_view.h"
#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/geometry_view.h"
#include "embedscope/ui/job_runner.h"
#include "embedscope/ui/loss_chart.h"
#include "embedscope/ui/metrics_chart.h"
#include "embedscope/ui/project_panel.h"
#include "embedscope/ui/reconstruction_view.h"
#include "embedscope/ui/run_figures.h"
#include "embedscope/ui/sample_inspector.h"
#include "embedscope/ui/sweep_panel.h"
#include "embedscope/ui/training_panel.h"
#include "embedscope/ui/trajectory_inspector.h"
#include "embedscope/ui/vtk_widget.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QTabWidget>

#include <cmath>

namespace embedscope::ui {
namespace {

QDockWidget* dock(QMainWindow* window, const QString& title, QWidget* content,
                  Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, window);
    d->setObjectName(title);
    d->setWidget(content);
    window->addDockWidget(area, d);
    return d;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("embedscope"));
    runner_ = new JobRunner(this);
    embeddingView_ = new EmbeddingView;
    setCentralWidget(embeddingView_);

    projectPanel_ = new ProjectPanel;
    training_ = new TrainingPanel;
    lossChart_ = new LossChart;
    metricsChart_ = new MetricsChart;
    inspector_ = new SampleInspector;
    trajectory_ = new TrajectoryInspector;
    reconstructions_ = new ReconstructionView;
    betaChart_ = new BetaTradeoffChart;
    geometry_ = new GeometryView;
    console_ = new QPlainTextEdit;
    console_->setReadOnly(true);
    console_->setMaximumBlockCount(2000);

    // The side docks run the full height, so the bottom docks sit under the embedding view and
    // can grow tall (two 3-D views side by side in Geometry) without squeezing Training.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    dock(this, tr("Project"), projectPanel_, Qt::LeftDockWidgetArea);
    dock(this, tr("Sample"), inspector_, Qt::LeftDockWidgetArea);
    dock(this, tr("Training"), training_, Qt::RightDockWidgetArea);
    auto* lossDock = dock(this, tr("Loss"), lossChart_, Qt::BottomDockWidgetArea);
    auto* metricsDock = dock(this, tr("Metrics"), metricsChart_, Qt::BottomDockWidgetArea);
    auto* reconstructionsDock =
        dock(this, tr("Reconstructions"), reconstructions_, Qt::BottomDockWidgetArea);
    auto* betaDock = dock(this, tr("β trade-off"), betaChart_, Qt::BottomDockWidgetArea);
    betaDock->setObjectName(QStringLiteral("beta-tradeoff"));
    auto* geometryDock = dock(this, tr("Geometry"), geometry_, Qt::BottomDockWidgetArea);
    auto* logDock = dock(this, tr("Log"), console_, Qt::BottomDockWidgetArea);
    trajectoryDock_ = dock(this, tr("Trajectory"), trajectory_, Qt::BottomDockWidgetArea);
    tabifyDockWidget(lossDock, metricsDock);
    tabifyDockWidget(metricsDock, reconstructionsDock);
    tabifyDockWidget(reconstructionsDock, betaDock);
    tabifyDockWidget(betaDock, geometryDock);
    buildFigureDocks(geometryDock);
    // The Sweep dock's first page starts and follows a sweep (its other pages compare runs).
    if (auto* sweepDock = findChild<QDockWidget*>(QStringLiteral("sweep")))
        if (auto* pages = qobject_cast<QTabWidget*>(sweepDock->widget()))
            pages->insertTab(0, buildSweepRunPage(), tr("Run"));
    tabifyDockWidget(geometryDock, trajectoryDock_);
    tabifyDockWidget(trajectoryDock_, logDock);
    buildCellsDock(logDock);
    lossDock->raise();
    buildMenus();
    resize(1280, 800);
    resizeDocks({lossDock}, {230}, Qt::Vertical);

    connect(projectPanel_, &ProjectPanel::openRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), {},
                                                          tr("HDF5 projects (*.h5 *.hdf5)"));
        if (!path.isEmpty())
            openProject(path);
    });
    connect(projectPanel_, &ProjectPanel::demoRequested, this, &MainWindow::openDemo);
    connect(projectPanel_, &ProjectPanel::runSelected, this, &MainWindow::showRun);
    connect(projectPanel_, &ProjectPanel::datasetSelected, this, &MainWindow::selectDataset);
    connect(training_, &TrainingPanel::startRequested, this, &MainWindow::startTraining);
    connect(training_, &TrainingPanel::cancelRequested, this, &MainWindow::cancelJob);
    connect(embeddingView_, &EmbeddingView::pointPicked, this, &MainWindow::onPointPicked);
    connect(embeddingView_, &EmbeddingView::colorColumnChanged, this, &MainWindow::recolor);
    connect(runner_, &JobRunner::progressChanged, training_, &TrainingPanel::setProgress);
    // The status bar says what runs; the progress itself is in the training panel
    // (QStatusBar::showMessage repaints synchronously, too costly at 20 Hz).
    connect(runner_, &JobRunner::started, this,
            [this](const QString& title) { statusBar()->showMessage(tr("%1…").arg(title)); });
    connect(runner_, &JobRunner::finished, this,
            [this](bool ok, bool cancelled, const QString& error) {
                if (runner_->title() == tr("Training")) {
                    training_->setRunning(false);
                    training_->setStatus(cancelled ? tr("Cancelled")
                                         : ok      ? tr("Done")
                                                   : tr("Failed: %1").arg(error));
                }
                if (!ok && !cancelled)
                    showError(runner_->title(), error);
                statusBar()->showMessage(ok ? tr("%1 finished").arg(runner_->title())
                                            : tr("%1 stopped").arg(runner_->title()),
                                         5000);
                log(QStringLiteral("%1: %2").arg(runner_->title(), ok ? QStringLiteral("finished")
                                                                   : cancelled
                                                                       ? QStringLiteral("cancelled")
                                                                       : error));
                Q_EMIT jobFinished(ok);
            });
}

MainWindow::~MainWindow() {
    runner_->cancel();
    runner_->wait();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open project…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), {},
                                                          tr("HDF5 projects (*.h5 *.hdf5)"));
        if (!path.isEmpty())
            openProject(path);
    });
    file->addAction(tr("Open &demo project"), this, &MainWindow::openDemo);
    file->addSeparator();
    file->addAction(tr("&Export figure…"), QKeySequence(tr("Ctrl+E")), this,
                    &MainWindow::exportFigureWithDialog);
    file->addAction(tr("Export embedding as &CSV…"), QKeySequence(tr("Ctrl+Shift+E")), this,
                    [this] { exportCsvWithDialog(false); });
    file->addAction(tr("Export emphasised rows as CSV…"), this,
                    [this] { exportCsvWithDialog(true); });
    file->addAction(tr("Export view as PNG (screen)…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export view"), QStringLiteral("embedding.png"), tr("PNG images (*.png)"));
        if (!path.isEmpty())
            exportViewPng(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Training"));
    run->addAction(tr("&Start"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::startTraining);
    run->addAction(tr("&Cancel"), QKeySequence(tr("Ctrl+.")), this, &MainWindow::cancelJob);
    run->addSeparator();
    run->addAction(tr("Add &reference runs (untrained, manual)"), this,
                   &MainWindow::addReferenceRuns);
}

void MainWindow::log(const QString& line) {
    console_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("hh:mm:ss ")) +
                              line);
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    log(QStringLiteral("error: ") + message);
    if (!quietErrors_)
        QMessageBox::critical(this, title, message);
}

bool MainWindow::openProject(const QString& path) {
    try {
        ProjectFile project = ProjectFile::open(path.toStdString());
        const auto datasets = project.datasetNames();
        if (datasets.empty())
            throw DataError(path.toStdString() + ": the project holds no data set to train on");
        // Read before anything changes, so that a bad file keeps the current project.
        (void)project.readDatasetHeader(datasets.front());
        projectPath_ = path;
        trajectory_->clear();
        currentRun_.clear();
        useDataset(datasets.front());
        refreshProject();
        setWindowTitle(QStringLiteral("embedscope — %1").arg(QFileInfo(path).fileName()));
        log(tr("opened %1: data set '%2', %3 samples")
                .arg(path, datasetName_)
                .arg(metadata_.rowCount()));
        Q_EMIT projectOpened(path);
        if (projectPanel_->runCount() > 0) {
            ProjectFile reopened = ProjectFile::open(path.toStdString());
            const auto runs = reopened.runNames();
            projectPanel_->selectRun(QString::fromStdString(runs.back()));
        }
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot open project"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::useDataset(const std::string& name) {
    const Dataset header = ProjectFile::open(projectPath_.toStdString()).readDatasetHeader(name);
    datasetName_ = QString::fromStdString(name);
    datasetHeader_ = header;
    metadata_ = header.metadata;
    projection_.resize(0, 0);
    QStringList columns;
    for (const auto& c : metadata_.columns())
        columns << QString::fromStdString(c.name);
    colorColumn_ = columns.contains(QStringLiteral("substance")) ? QStringLiteral("substance")
                   : columns.contains(QStringLiteral("group"))   ? QStringLiteral("group")
                   : columns.contains(QStringLiteral("label"))   ? QStringLiteral("label")
                   : columns.contains(QStringLiteral("moa"))     ? QStringLiteral("moa")
                   : columns.isEmpty()                           ? QString()
                                                                 : columns.front();
    embeddingView_->setColorColumns(columns, colorColumn_);
    embeddingView_->setMetadata(metadata_); // principal curves: group and order columns
    embeddingView_->clear();
    lossChart_->clear();
    metricsChart_->clear();
    reconstructions_->clear();
    betaChart_->clear();
    geometry_->clear();
    dose_->clear(tr("Select a run to see its dose response."));
    variance_->setFigure(nullptr);
    confusion_->setFigure(nullptr);
    ++confusionGeneration_;
    shownRun_ = RunRecord{};
    inspector_->showSample(metadata_, -1);
    refreshReferences();
}

void MainWindow::refreshProject() {
    ProjectFile project = ProjectFile::open(projectPath_.toStdString());
    QStringList datasets;
    for (const auto& d : project.datasetNames())
        datasets << QString::fromStdString(d);
    QList<RunSummary> runs;
    for (const auto& name : project.runNames()) {
        const RunRecord r = project.readRun(name, ProjectFile::RunContent::Summary);
        RunSummary s;
        s.name = QString::fromStdString(r.name);
        s.status = QString::fromStdString(r.status);
        s.epochs = static_cast<int>(r.trainLoss.size());
        s.bestEpoch = r.bestEpoch;
        s.bestValLoss =
            r.bestEpoch >= 0 && r.bestEpoch < int(r.valLoss.size()) ? r.valLoss[r.bestEpoch] : NAN;
        runs << s;
    }
    projectPanel_->setProject(projectPath_, datasets, runs);
}

void MainWindow::refreshReferences() {
    QMap<QString, RunMetrics> references;
    try {
        const ProjectFile project = ProjectFile::open(projectPath_.toStdString());
        for (const auto& [kind, run] : latestReferenceRuns(project, datasetName_.toStdString()))
            references.insert(QString::fromStdString(kind), parseRunMetrics(run.metricsJson));
    } catch (const std::exception& e) {
        log(tr("reference runs not read: %1").arg(QString::fromStdString(e.what())));
    }
    metricsChart_->setReferences(references);
}

void MainWindow::cancelJob() {
    if (runner_->isRunning()) {
        runner_->cancel();
        training_->setStatus(tr("Cancelling…"));
    }
}

void MainWindow::showRun(const QString& name) {
    try {
        ProjectFile project = ProjectFile::open(projectPath_.toStdString());
        const RunRecord run = project.readRun(name.toStdString());
        // A run is shown on its own data set (a project may hold several, like the demo).
        if (!run.datasetName.empty() && run.datasetName != datasetName_.toStdString() &&
            project.hasDataset(run.datasetName)) {
            useDataset(run.datasetName);
            log(tr("data set '%1' (of run %2)").arg(datasetName_, name));
        }
        if (run.embeddingRows != metadata_.rowCount())
            throw DataError(name.toStdString() + ": embedding rows (" +
                            std::to_string(run.embeddingRows) + ") differ from the data set (" +
                            std::to_string(metadata_.rowCount()) + ")");
        const Eigen::MatrixXd z =
            toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);
        // One PCA serves the 3-D projection and the explained-variance view (10 components;
        // the first three are the same as a 3-component fit's).
        const PcaModel pca = fitPca(z, 10);
        const Eigen::MatrixXd scores = pca.transform(z);
        projection_ = scores.leftCols(std::min<Eigen::Index>(3, scores.cols()));
        explained_ = pca.explainedVarianceRatio;
        currentRun_ = name;
        lossChart_->setCurves(run.trainLoss, run.valLoss, run.bestEpoch, run.curves);
        metricsChart_->setRun(name, parseRunMetrics(run.metricsJson), run.bestEpoch);
        showProjection();
        showGenerative(run);
        showRunFigures(run);
        geometry_->setRun(projectPath_, name); // computes only while its dock is shown
        log(tr("run %1: %2 samples, embedding dimension %3")
                .arg(name)
                .arg(run.embeddingRows)
                .arg(run.embeddingCols));
        Q_EMIT runShown(name);
    } catch (const std::exception& e) {
        showError(tr("Cannot show run"), QString::fromStdString(e.what()));
    }
}

std::vector<std::string> MainWindow::categoriesOf(const QString& column) const {
    const bool hasColumn = !column.isEmpty() && metadata_.has(column.toStdString());
    std::vector<std::string> categories;
    for (std::size_t i = 0; i < metadata_.rowCount(); ++i)
        categories.push_back(hasColumn ? metadata_.column(column.toStdString()).text(i)
                                       : std::string("all"));
    return categories;
}

void MainWindow::showProjection() {
    viewer::ScatterData data = projectionScatter(projection_, explained_);
    const std::size_t n = data.pointCount();
    data.categories = categoriesOf(colorColumn_);
    for (std::size_t i = 0; i < n; ++i) {
        std::string label;
        for (const auto& c : metadata_.columns())
            label += c.name + ": " + c.text(i) + "\n";
        data.labels.push_back(label);
    }
    data.colorTitle = colorColumn_.toStdString();
    embeddingView_->setEmbedding(data);
}

void MainWindow::recolor(const QString& column) {
    colorColumn_ = column;
    if (projection_.rows() == 0)
        return;
    embeddingView_->setCategories(categoriesOf(column), column);
}

void MainWindow::showGenerative(const RunRecord& run) {
    const QString name = QString::fromStdString(run.name);
    if (!isGenerativeRun(run)) {
        reconstructions_->setRun(run, datasetHeader_);
        betaChart_->clear(tr("Run %1 is a contrastive encoder: the β trade-off is for generative "
                             "runs (vae-mlp, vae-dnn, vae-conv, ae-conv).")
                              .arg(name));
        return;
    }
    try {
        const ProjectFile project = ProjectFile::open(projectPath_.toStdString());
        const std::string dataName = !run.datasetName.empty() && project.hasDataset(run.datasetName)
                                         ? run.datasetName
                                         : datasetName_.toStdString();
        const Dataset header = dataName == datasetName_.toStdString()
                                   ? datasetHeader_
                                   : project.readDatasetHeader(dataName);
        const std::string path = projectPath_.toStdString();
        // Only the shown samples are read from the file (a data set can be large).
        reconstructions_->setRun(run, header, [path, dataName](std::size_t row) {
            return ProjectFile::open(path).readSample(dataName, row);
        });
        if (reconstructions_->hasModel())
            log(tr("run %1: model loaded in %2 ms, 8 reconstructions in %3 ms")
                    .arg(name)
                    .arg(reconstructions_->loadMs(), 0, 'f', 1)
                    .arg(reconstructions_->reconstructMs(), 0, 'f', 1));

        std::vector<RunRecord> runs;
        for (const auto& other : project.runNames())
            runs.push_back(project.readRun(other, ProjectFile::RunContent::Summary));
        const TrainConfig config = parseTrainConfig(run.configJson, {}, run.name);
        const auto latent = config.modelParams.find("latent_dim");
        const QString context =
            tr("%1, latent %2, on '%3'")
                .arg(QString::fromStdString(config.model))
                .arg(latent == config.modelParams.end() ? 0 : int(latent->second))
                .arg(QString::fromStdString(dataName));
        betaChart_->setPoints(betaTradeoffPoints(run, runs), context);
    } catch (const std::exception& e) {
        reconstructions_->clear(QString::fromStdString(e.what()));
        betaChart_->clear(QString::fromStdString(e.what()));
        log(tr("run %1: %2").arg(name, QString::fromStdString(e.what())));
    }
}

void MainWindow::onPointPicked(int index) {
    inspector_->showSample(metadata_, index);
    if (reconstructions_->hasModel())
        reconstructions_->setCurrentSample(index);
    if (index < 0 || datasetHeader_.kind != DataKind::Trajectory ||
        datasetHeader_.sampleShape.size() != 2) {
        trajectory_->clear();
        return;
    }
    try {
        // One sample (3 x 90,000 floats at most ~1 MB) is read on its own: milliseconds.
        const auto values = ProjectFile::open(projectPath_.toStdString())
                                .readSample(datasetName_.toStdString(), std::size_t(index));
        QString title = tr("sample %1").arg(index);
        for (const char* key : {"animal", "group"})
            if (metadata_.has(key))
                title += QStringLiteral(" · ") +
                         QString::fromStdString(metadata_.column(key).text(std::size_t(index)));
        trajectory_->setTrajectory(values, datasetHeader_.sampleShape[0],
                                   datasetHeader_.sampleShape[1],
                                   datasetHeader_.attributeNumber("rate_hz", 25.0),
                                   datasetHeader_.attributeNumber("cage_cm", 40.0), title);
        trajectoryDock_->raise();
    } catch (const std::exception& e) {
        trajectory_->clear(QString::fromStdString(e.what()));
    }
}

bool MainWindow::exportViewPng(const QString& path) {
    const bool ok = embeddingView_->exportPng(path);
    if (!ok)
        showError(tr("Export"), tr("Could not write %1").arg(path));
    else
        log(tr("exported the view to %1").arg(path));
    return ok;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (runner_->isRunning()) {
        log(tr("closing: cancelling the running job"));
        runner_->cancel();
        runner_->wait(); // the worker stops within one batch
    }
    event->accept();
}

QImage MainWindow::grabWindow() {
    QImage image = grab().toImage();
    VtkWidget* view = embeddingView_->vtkWidget();
    const QImage scene = view->grabScene();
    if (!scene.isNull() && view->isVisible()) {
        const QPoint topLeft = view->mapTo(this, QPoint(0, 0));
        QPainter painter(&image);
        painter.drawImage(QRect(topLeft, view->size()), scene);
    }
    return image;
}

} // namespace embedscope::ui
