#include "embedscope/ui/cells_panel.h"

#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/background_task.h"
#include "embedscope/ui/cell_plate_view.h"
#include "embedscope/ui/cell_profiles_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace embedscope::ui {
namespace {

struct Scan {
    QStringList datasets;
    QStringList runs;
};

// Crops data sets: images with a plate layout (the cell-plate reader's index table).
bool isCropsDataset(const Dataset& header) {
    return header.kind == DataKind::Image && header.sampleShape.size() == 3 &&
           header.metadata.has("Plate") && header.metadata.has("Well");
}

Scan scanProject(const std::string& path, const JobContext& ctx) {
    Scan scan;
    const ProjectFile project = ProjectFile::open(path);
    for (const std::string& name : project.datasetNames())
        if (isCropsDataset(project.readDatasetHeader(name)))
            scan.datasets << QString::fromStdString(name);
    ctx.throwIfCancelled();
    for (const std::string& name : project.runNames()) {
        ctx.throwIfCancelled();
        if (isCellCnnRun(project.readRun(name, ProjectFile::RunContent::Summary)))
            scan.runs << QString::fromStdString(name);
    }
    return scan;
}

} // namespace

CellsPanel::CellsPanel(QWidget* parent) : QWidget(parent) {
    dataset_ = new QComboBox;
    dataset_->setObjectName(QStringLiteral("cellsDataset"));
    dataset_->setToolTip(tr("The crops data set (cut by the cell-plate reader)"));
    source_ = new QComboBox;
    source_->setObjectName(QStringLiteral("cellsSource"));
    source_->setToolTip(tr("Single-cell features: the raw crop features (intensity, texture, "
                           "shape per channel) or a trained cell CNN's penultimate layer"));
    source_->addItem(rawSourceName());
    epoch_ = new QSpinBox;
    epoch_->setRange(0, 100000);
    epoch_->setSpecialValueText(tr("best"));
    epoch_->setPrefix(tr("epoch "));
    epoch_->setToolTip(tr("The CNN's weights after this epoch (runs that kept per-epoch "
                          "checkpoints); \"best\" = the best validation epoch"));
    epoch_->setEnabled(false);
    compute_ = new QPushButton(tr("Compute profiles"));
    compute_->setObjectName(QStringLiteral("cellsCompute"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    progress_ = new QProgressBar;
    progress_->setRange(0, 100);
    progress_->setMaximumWidth(160);
    progress_->setVisible(false);
    status_ = new QLabel(tr("Open a project with cell crops (the demo has them)."));
    status_->setObjectName(QStringLiteral("cellsStatus"));
    status_->setWordWrap(true);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Crops")));
    bar->addWidget(dataset_);
    bar->addWidget(new QLabel(tr("Profiles from")));
    bar->addWidget(source_, 1);
    bar->addWidget(epoch_);
    bar->addWidget(compute_);
    bar->addWidget(cancel_);
    bar->addWidget(progress_);

    plate_ = new CellPlateView;
    profiles_ = new CellProfilesView;
    tabs_ = new QTabWidget;
    tabs_->addTab(plate_, tr("Plate"));
    tabs_->addTab(profiles_, tr("Profiles"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(status_);
    layout->addWidget(tabs_, 1);

    task_ = new BackgroundTask(this);
    runsTask_ = new BackgroundTask(this);
    connect(compute_, &QPushButton::clicked, this, &CellsPanel::compute);
    connect(cancel_, &QPushButton::clicked, this, &CellsPanel::cancel);
    connect(source_, &QComboBox::currentIndexChanged, this,
            [this](int index) { epoch_->setEnabled(index > 0); });
    // A well picked in either view is picked in the other.
    connect(plate_, &CellPlateView::wellPicked, profiles_, &CellProfilesView::selectWell);
    connect(profiles_, &CellProfilesView::wellPicked, plate_, &CellPlateView::selectWell);
}

CellsPanel::~CellsPanel() {
    task_->stop();
    runsTask_->stop();
}

QString CellsPanel::rawSourceName() {
    return tr("raw crop features");
}

bool CellsPanel::busy() const {
    return task_->running();
}

QStringList CellsPanel::datasets() const {
    QStringList names;
    for (int i = 0; i < dataset_->count(); ++i)
        names << dataset_->itemText(i);
    return names;
}

QStringList CellsPanel::sources() const {
    QStringList names;
    for (int i = 0; i < source_->count(); ++i)
        names << source_->itemText(i);
    return names;
}

void CellsPanel::setSource(const QString& source) {
    const int index = source_->findText(source);
    if (index >= 0)
        source_->setCurrentIndex(index);
}

void CellsPanel::setEpoch(int epoch) {
    epoch_->setValue(epoch);
}

QString CellsPanel::statusText() const {
    return status_->text();
}

void CellsPanel::showPage(int page) {
    tabs_->setCurrentIndex(page);
}

void CellsPanel::setBusy(bool busy, const QString& text) {
    compute_->setEnabled(!busy && dataset_->count() > 0);
    cancel_->setEnabled(busy);
    progress_->setVisible(busy);
    progress_->setValue(0);
    status_->setText(text);
}

void CellsPanel::setProject(const QString& path) {
    task_->stop();
    runsTask_->stop();
    projectPath_ = path;
    crops_.reset();
    cropsName_.clear();
    analyses_.clear();
    current_.reset();
    plate_->setCrops(nullptr);
    profiles_->setAnalyses({}, -1, nullptr);
    dataset_->clear();
    if (path.isEmpty()) {
        setBusy(false, tr("Open a project with cell crops (the demo has them)."));
        return;
    }
    auto scan = std::make_shared<Scan>();
    task_->start([path = path.toStdString(),
                  scan](const JobContext& ctx) { *scan = scanProject(path, ctx); },
                 [this](int percent, const QString&) { progress_->setValue(percent); },
                 [this, scan](bool cancelled, const QString& error) {
                     setBusy(false, QString());
                     if (cancelled)
                         return;
                     if (!error.isEmpty()) {
                         status_->setText(tr("Cannot list the project's cell data: %1").arg(error));
                         Q_EMIT failed(error);
                         return;
                     }
                     applyScan(scan->datasets, scan->runs);
                 });
    setBusy(true, tr("Looking for cell crops…"));
}

void CellsPanel::applyScan(const QStringList& datasets, const QStringList& runs) {
    dataset_->clear();
    dataset_->addItems(datasets);
    setRuns(runs);
    compute_->setEnabled(!datasets.isEmpty());
    status_->setText(
        datasets.isEmpty()
            ? tr("This project has no cell crops: import a plate map with the "
                 "cell-plate reader (embedscope-cli import PLATEMAP.csv --reader "
                 "cell-plate).")
            : tr("%n crop data set(s), %1 cell-CNN run(s).", nullptr, int(datasets.size()))
                  .arg(runs.size()));
    Q_EMIT projectScanned();
    if (autoCompute_ && !datasets.isEmpty())
        compute();
}

void CellsPanel::setRuns(const QStringList& runs) {
    const QString source = source_->currentText();
    source_->clear();
    source_->addItem(rawSourceName());
    source_->addItems(runs);
    setSource(source); // the choice survives when its run is still there
}

void CellsPanel::refreshRuns() {
    if (projectPath_.isEmpty())
        return;
    auto scan = std::make_shared<Scan>();
    runsTask_->start([path = projectPath_.toStdString(),
                      scan](const JobContext& ctx) { *scan = scanProject(path, ctx); },
                     nullptr,
                     [this, scan](bool cancelled, const QString& error) {
                         if (cancelled)
                             return;
                         if (!error.isEmpty()) {
                             status_->setText(tr("Cannot list the cell-CNN runs: %1").arg(error));
                             return;
                         }
                         setRuns(scan->runs);
                     });
}

void CellsPanel::compute() {
    if (projectPath_.isEmpty() || dataset_->count() == 0)
        return;
    const QString name = dataset_->currentText();
    const QString source = source_->currentText();
    const bool raw = source_->currentIndex() <= 0;
    const int epoch = raw ? 0 : epoch_->value();
    const QString label = raw || epoch == 0 ? source : tr("%1, epoch %2").arg(source).arg(epoch);
    // The crops stay loaded while the data set does not change.
    std::shared_ptr<const Dataset> have = name == cropsName_ ? crops_ : nullptr;
    auto loaded = std::make_shared<std::shared_ptr<const Dataset>>(have);
    auto result = std::make_shared<std::shared_ptr<const CellAnalysis>>();
    task_->start(
        [path = projectPath_.toStdString(), name = name.toStdString(),
         run = raw ? std::string() : source.toStdString(), epoch, label = label.toStdString(),
         loaded, result](const JobContext& ctx) {
            const ProjectFile project = ProjectFile::open(path);
            if (!*loaded) {
                ctx.report(0.0, "reading the crops");
                *loaded = std::make_shared<const Dataset>(project.readDataset(name));
            }
            RunRecord record;
            if (!run.empty())
                record = project.readRun(run);
            const EmbeddingTable cells = cellSourceFeatures(
                **loaded, run.empty() ? nullptr : &record, epoch - 1, JobContext(ctx, 0.05, 0.6));
            *result = std::make_shared<const CellAnalysis>(
                analyseCellProfiles(cells, label, CellAnalysisOptions(), JobContext(ctx, 0.6, 1)));
        },
        [this](int percent, const QString& stage) {
            progress_->setValue(percent);
            status_->setText(stage);
        },
        [this, name, label, loaded, result](bool cancelled, const QString& error) {
            setBusy(false, QString());
            if (*loaded && name != cropsName_) {
                cropsName_ = name;
                crops_ = *loaded;
                analyses_.clear();
                plate_->setCrops(crops_);
            }
            if (cancelled) {
                status_->setText(tr("Cancelled."));
                return;
            }
            if (!error.isEmpty()) {
                status_->setText(tr("Cannot compute the profiles: %1").arg(error));
                Q_EMIT failed(error);
                return;
            }
            bool replaced = false;
            for (auto& [source, analysis] : analyses_)
                if (source == label) {
                    analysis = *result;
                    replaced = true;
                }
            if (!replaced)
                analyses_.emplace_back(label, *result);
            current_ = *result;
            showAnalyses();
            Q_EMIT analysisReady(label);
        });
    setBusy(true, tr("Computing the profiles of %1 from %2…").arg(name, label));
}

void CellsPanel::showAnalyses() {
    std::vector<std::shared_ptr<const CellAnalysis>> all;
    int current = 0;
    for (std::size_t i = 0; i < analyses_.size(); ++i) {
        if (analyses_[i].second == current_)
            current = int(i);
        all.push_back(analyses_[i].second);
    }
    profiles_->setAnalyses(all, current, crops_);
    plate_->setWellProfiles(current_->after.wells, tr("after spherizing"));
    const CellProfileStage& s = current_->after;
    QString headline = tr("%1: %2 cells → %3 wells → %4 consensus profiles")
                           .arg(QString::fromStdString(current_->source))
                           .arg(current_->cells)
                           .arg(s.wells.rows)
                           .arg(s.consensus.rows);
    for (const CellProfileStage* stage : {&current_->before, &current_->after})
        if (stage->retrievalError.empty())
            headline += tr("; %1: Precision@R %2, mAP %3")
                            .arg(QString::fromStdString(stage->name))
                            .arg(stage->retrieval.precisionAtR, 0, 'f', 3)
                            .arg(stage->retrieval.meanAveragePrecision, 0, 'f', 3);
    status_->setText(headline);
}

void CellsPanel::cancel() {
    if (task_->cancel())
        status_->setText(tr("Cancelling…"));
}

} // namespace embedscope::ui
