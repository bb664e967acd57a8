// MainWindow: the issue-7 views (dose response, explained variance, confusion matrix), the
// substance emphasis shared by every view, and File ▸ Export figure / CSV.
#include "embedscope/ui/main_window.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/table.h"
#include "embedscope/ui/aligned_thumbnails.h"
#include "embedscope/ui/beta_tradeoff_chart.h"
#include "embedscope/ui/chart_figure.h"
#include "embedscope/ui/consistency_view.h"
#include "embedscope/ui/dose_response_view.h"
#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/export_figure_dialog.h"
#include "embedscope/ui/f1_time_chart.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/geometry_view.h"
#include "embedscope/ui/metrics_chart.h"
#include "embedscope/ui/parallel_coordinates.h"
#include "embedscope/ui/project_panel.h"
#include "embedscope/ui/reconstruction_view.h"
#include "embedscope/ui/run_figures.h"
#include "embedscope/ui/runs_dock.h"
#include "embedscope/ui/runs_scatter.h"
#include "embedscope/ui/standard_figures.h"
#include "embedscope/ui/trajectory_inspector.h"
#include "embedscope/ui/widget_figure.h"

#include <QChart>
#include <QChartView>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QThread>

namespace embedscope::ui {
namespace {

QDockWidget* figureDock(QMainWindow* window, const QString& title, const QString& name,
                        QWidget* content) {
    auto* d = new QDockWidget(title, window);
    d->setObjectName(name);
    d->setWidget(content);
    window->addDockWidget(Qt::BottomDockWidgetArea, d);
    return d;
}

} // namespace

void MainWindow::buildFigureDocks(QDockWidget* tabifyAfter) {
    dose_ = new DoseResponseView;
    variance_ = new FigureWidget;
    variance_->setObjectName(QStringLiteral("explainedVarianceView"));
    variance_->setPlaceholderText(
        tr("Select a run: the explained variance of its embedding's principal components."));
    confusion_ = new FigureWidget;
    confusion_->setObjectName(QStringLiteral("confusionView"));
    confusion_->setPlaceholderText(
        tr("Select a run of a data set with a class column (indication, label)."));
    for (FigureWidget* w : {variance_, confusion_}) {
        w->setContextMenuPolicy(Qt::ActionsContextMenu);
        auto* action = new QAction(tr("Export figure…"), w);
        connect(action, &QAction::triggered, this, [this, w] {
            if (w->figure())
                ExportFigureDialog::exportWithDialog(this, *w->figure());
        });
        w->addAction(action);
    }
    doseDock_ = figureDock(this, tr("Dose response"), QStringLiteral("dose-response"), dose_);
    auto* varianceDock =
        figureDock(this, tr("Explained variance"), QStringLiteral("explained-variance"), variance_);
    auto* confusionDock =
        figureDock(this, tr("Confusion"), QStringLiteral("confusion"), confusion_);
    tabifyDockWidget(tabifyAfter, doseDock_);
    tabifyDockWidget(doseDock_, varianceDock);
    tabifyDockWidget(varianceDock, confusionDock);

    // Issue 6: every run of the project as a table and a metric-vs-metric scatter; picking one
    // shows it everywhere.
    runs_ = new RunsDock;
    runsDock_ = figureDock(this, tr("Runs"), QStringLiteral("runs"), runs_);
    tabifyDockWidget(confusionDock, runsDock_);
    connect(runs_, &RunsDock::runSelected, this, [this](const QString& name) {
        projectPanel_->selectRun(name); // the panel's selection shows the run
        if (currentRun_ != name)
            showRun(name);
    });
    connect(runs_, &RunsDock::compareRequested, this, &MainWindow::compareRuns);
    buildSweepDock(runsDock_);
    connect(this, &MainWindow::runShown, runs_, &RunsDock::selectRun);
    connect(this, &MainWindow::projectOpened, runs_, &RunsDock::setProject);
    connect(this, &MainWindow::trainingCompleted, runs_, [this] { runs_->refresh(); });
    connect(this, &MainWindow::referencesAdded, runs_, [this] { runs_->refresh(); });

    connect(dose_, &DoseResponseView::substanceSelected, this, &MainWindow::onSubstanceSelected);
    connect(dose_, &DoseResponseView::exportRequested, this, [this] {
        if (dose_->currentFigure())
            ExportFigureDialog::exportWithDialog(this, *dose_->currentFigure());
    });
    connect(embeddingView_, &EmbeddingView::emphasisChanged, this, [this](const QString& c) {
        if (colorColumn_ == QLatin1String("substance") && c != dose_->highlight())
            dose_->setHighlight(c);
    });
}

void MainWindow::showRunFigures(const RunRecord& run) {
    shownRun_ = run;
    Dataset dataset = datasetHeader_;
    dataset.metadata = metadata_;
    dose_->setRun(run, dataset);

    const std::vector<double> ratio(explained_.data(), explained_.data() + explained_.size());
    variance_->setFigure(std::make_shared<ExplainedVarianceFigure>(ratio, 10));

    // The classifier behind the confusion matrix trains for a while on big sets: a thread.
    const int generation = ++confusionGeneration_;
    confusion_->setFigure(nullptr);
    confusion_->setPlaceholderText(
        tr("Fitting the classifier of %1…").arg(QString::fromStdString(run.name)));
    RunFigureInput input;
    input.run = run;
    input.dataset = dataset;
    auto figure = std::make_shared<std::shared_ptr<Figure>>();
    auto error = std::make_shared<QString>();
    QThread* thread = QThread::create([input, figure, error] {
        try {
            *figure = makeRunFigure(QStringLiteral("confusion"), input, JobContext());
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    connect(thread, &QThread::finished, this, [this, thread, generation, figure, error] {
        thread->deleteLater();
        if (generation != confusionGeneration_)
            return;
        if (*figure)
            confusion_->setFigure(*figure);
        else
            confusion_->setPlaceholderText(tr("No confusion matrix: %1").arg(*error));
    });
    thread->start(QThread::LowPriority);
}

void MainWindow::onSubstanceSelected(const QString& substance) {
    // Every view follows: the embedding is coloured by substance with that one emphasised.
    if (!substance.isEmpty() && metadata_.has("substance") &&
        colorColumn_ != QLatin1String("substance")) {
        QStringList columns;
        for (const auto& c : metadata_.columns())
            columns << QString::fromStdString(c.name);
        embeddingView_->setColorColumns(columns, QStringLiteral("substance"));
        recolor(QStringLiteral("substance"));
    }
    if (colorColumn_ == QLatin1String("substance"))
        embeddingView_->setEmphasis(substance);
}

void MainWindow::compareRuns(const QString& a, const QString& b) {
    showRun(a);
    geometry_->setComparisonRun(b);
    for (QDockWidget* d : findChildren<QDockWidget*>())
        if (d->widget() == geometry_)
            d->raise();
    log(tr("comparing %1 with %2 (Geometry ▸ All vs held-out)").arg(a, b));
}

QStringList MainWindow::figureViews() const {
    QStringList views = runFigureViews();
    views << QStringLiteral("f1-time") << QStringLiteral("beta-tradeoff")
          << QStringLiteral("reconstructions") << QStringLiteral("trajectory")
          << QStringLiteral("runs-scatter") << QStringLiteral("parallel-coordinates")
          << QStringLiteral("top-loss-curves") << QStringLiteral("consistency")
          << QStringLiteral("aligned-embeddings");
    views << cellFigureViews();
    return views;
}

std::shared_ptr<Figure> MainWindow::figureOfView(const QString& view) {
    lastError_.clear();
    try {
        if (auto figure = cellFigureOfView(view))
            return figure; // the cell views need no run
        if (currentRun_.isEmpty())
            throw DataError("no run is shown");
        if (view == QLatin1String("embedding")) {
            auto figure = embeddingView_->figure();
            if (!figure)
                throw DataError("the embedding view is empty");
            return figure;
        }
        if (view == QLatin1String("dose-response") || view == QLatin1String("dose-heatmap")) {
            if (dose_->busy())
                throw DataError("the dose response is still being computed");
            if (dose_->result().substances.empty())
                throw DataError(dose_->statusText().toStdString());
            // Built from the result, not by flipping the dock's page.
            return dose_->figureOfPage(view == QLatin1String("dose-heatmap") ? 1 : 0);
        }
        if (view == QLatin1String("explained-variance") && variance_->figure())
            return std::const_pointer_cast<Figure>(variance_->figure());
        if (view == QLatin1String("confusion")) {
            if (!confusion_->figure())
                throw DataError(confusion_->placeholderText().toStdString());
            return std::const_pointer_cast<Figure>(confusion_->figure());
        }
        if (view == QLatin1String("f1-time") || view == QLatin1String("beta-tradeoff")) {
            QChart* chart = view == QLatin1String("f1-time")
                                ? geometry_->f1Chart()->chartView()->chart()
                                : betaChart_->chartView()->chart();
            if (!chart || chart->series().isEmpty())
                throw DataError(view.toStdString() + ": the view shows nothing for this run");
            return std::make_shared<ChartFigure>(*chart, view);
        }
        if (view == QLatin1String("runs-scatter") ||
            view == QLatin1String("parallel-coordinates") ||
            view == QLatin1String("top-loss-curves") || view == QLatin1String("consistency") ||
            view == QLatin1String("aligned-embeddings")) {
            std::shared_ptr<Figure> figure =
                view == QLatin1String("runs-scatter")           ? runs_->scatter()->figure()
                : view == QLatin1String("parallel-coordinates") ? parallel_->figure()
                : view == QLatin1String("aligned-embeddings")   ? thumbnails_->figure()
                : view == QLatin1String("consistency")
                    ? consistency_->figure()
                    : std::const_pointer_cast<Figure>(topCurves_->figure());
            if (!figure)
                throw DataError(view.toStdString() + ": the view shows nothing yet");
            return figure;
        }
        if (view == QLatin1String("reconstructions") || view == QLatin1String("trajectory")) {
            QWidget* widget = view == QLatin1String("reconstructions")
                                  ? static_cast<QWidget*>(reconstructions_)
                                  : static_cast<QWidget*>(trajectory_);
            if (!widget->isVisible())
                throw DataError(view.toStdString() + ": open its dock first (the view is "
                                                     "exported as it is drawn)");
            return std::make_shared<WidgetFigure>(widget, view);
        }
        // loss, metrics: the same builders as the command line, on the shown run.
        RunFigureInput input;
        input.run = shownRun_;
        input.dataset = datasetHeader_;
        input.dataset.metadata = metadata_;
        input.metric = metricsChart_->currentMetric();
        return makeRunFigure(view, input, JobContext());
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        return nullptr;
    }
}

bool MainWindow::exportFigureTo(const QString& view, const FigureOptions& options,
                                FigureFormat format, const QString& path) {
    auto figure = figureOfView(view);
    if (!figure)
        return false;
    try {
        exportFigure(*figure, options, format, path);
        log(tr("exported %1 of %2 to %3").arg(view, currentRun_, path));
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        return false;
    }
}

void MainWindow::exportFigureWithDialog() {
    const QStringList views = figureViews();
    QStringList titles;
    for (const auto& v : views)
        titles << QStringLiteral("%1 (%2)").arg(runFigureTitle(v), v);
    bool ok = false;
    const int first = std::max(0, int(views.indexOf(lastFigureView_)));
    const QString choice =
        QInputDialog::getItem(this, tr("Export figure"), tr("View:"), titles, first, false, &ok);
    if (!ok)
        return;
    const QString view = views.at(int(titles.indexOf(choice)));
    lastFigureView_ = view;
    auto figure = figureOfView(view);
    if (!figure) {
        showError(tr("Export figure"), lastError_);
        return;
    }
    QString written;
    if (ExportFigureDialog::exportWithDialog(this, *figure, &written))
        log(tr("exported %1 of %2 to %3").arg(view, currentRun_, written));
}

bool MainWindow::exportEmbeddingCsv(const QString& path, bool emphasisedOnly) {
    lastError_.clear();
    try {
        if (shownRun_.embeddingRows == 0)
            throw DataError("no run is shown");
        std::vector<std::size_t> rows;
        const std::string focus = embeddingView_->emphasis().toStdString();
        for (std::size_t i = 0; i < shownRun_.embeddingRows; ++i)
            if (!emphasisedOnly || focus.empty() ||
                metadata_.column(colorColumn_.toStdString()).text(i) == focus)
                rows.push_back(i);
        if (emphasisedOnly && focus.empty())
            throw DataError("no category is emphasised: choose one under Emphasise first");
        EmbeddingTable table;
        const std::size_t d = shownRun_.embeddingCols;
        for (std::size_t k = 0; k < d; ++k)
            table.featureNames.push_back("z_" + std::to_string(k));
        table.rows = rows.size();
        for (std::size_t r : rows)
            table.features.insert(table.features.end(), shownRun_.embedding.begin() + long(r * d),
                                  shownRun_.embedding.begin() + long((r + 1) * d));
        table.metadata = metadata_.subset(rows);
        writeEmbeddingCsv(table, path.toStdString());
        log(tr("wrote %n row(s) of %1 to %2", nullptr, int(rows.size())).arg(currentRun_, path));
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
        return false;
    }
}

void MainWindow::exportCsvWithDialog(bool emphasisedOnly) {
    const QString path = QFileDialog::getSaveFileName(
        this, emphasisedOnly ? tr("Export emphasised rows") : tr("Export embedding"),
        QStringLiteral("%1.csv").arg(currentRun_.isEmpty() ? QStringLiteral("embedding")
                                                           : currentRun_),
        tr("CSV tables (*.csv)"));
    if (!path.isEmpty() && !exportEmbeddingCsv(path, emphasisedOnly))
        showError(tr("Export CSV"), lastError_);
}

} // namespace embedscope::ui
