#include "embedscope/ui/geometry_view.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/f1_time_chart.h"
#include "embedscope/ui/instance_comparison_view.h"

#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMainWindow>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

QJsonObject configOf(const RunRecord& run) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(run.configJson)).object();
}

/// A non-empty "holdout" (seed-003 "hld" instance), as a list or "a,b" text.
bool hasHoldout(const RunRecord& run) {
    const QJsonValue v = configOf(run).value(QStringLiteral("holdout"));
    return v.isArray() ? !v.toArray().isEmpty() : !v.toString().trimmed().isEmpty();
}

Eigen::MatrixXd embeddingOf(const RunRecord& run) {
    return toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);
}

const QString kNoOrder = QStringLiteral("(none)");

} // namespace

struct GeometryView::Job {
    QThread* thread = nullptr;
    std::shared_ptr<JobContext> context;
};

struct GeometryView::F1Entry {
    bool done = false, cancelled = false;
    BinnedF1 result;
    QString error;
    double millis = 0;
    std::shared_ptr<JobContext> context;
};

GeometryView::GeometryView(QWidget* parent) : QWidget(parent) {
    groupBox_ = new QComboBox;
    groupBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    groupBox_->setToolTip(tr("Groups (perturbations): one F1 line and one curve per value"));
    orderBox_ = new QComboBox;
    orderBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    orderBox_->setToolTip(tr("Time or dose: the F1 bins and the curves' direction"));
    busy_ = new QLabel;
    busy_->setStyleSheet(QStringLiteral("color: #a05000"));
    f1Chart_ = new F1TimeChart;
    comparison_ = new InstanceComparisonView;
    tabs_ = new QTabWidget;
    tabs_->addTab(f1Chart_, tr("F1 over time"));
    tabs_->addTab(comparison_, tr("All vs held-out"));
    // The column choices sit beside the tabs: a bottom dock has little height to spare.
    auto* corner = new QWidget;
    auto* top = new QHBoxLayout(corner);
    top->setContentsMargins(0, 0, 2, 0);
    top->addWidget(busy_);
    top->addWidget(new QLabel(tr("Groups")));
    top->addWidget(groupBox_);
    top->addWidget(new QLabel(tr("ordered by")));
    top->addWidget(orderBox_);
    tabs_->setCornerWidget(corner, Qt::TopRightCorner);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(tabs_, 1);
    setMinimumHeight(200);
    auto changed = [this] {
        invalidate();
        startPending();
    };
    connect(groupBox_, &QComboBox::currentIndexChanged, this, changed);
    connect(orderBox_, &QComboBox::currentIndexChanged, this, changed);
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        makeRoom();
        startPending();
    });
    connect(comparison_, &InstanceComparisonView::runBSelected, this,
            &GeometryView::setComparisonRun);
    clear();
}

GeometryView::~GeometryView() {
    for (auto& job : jobs_)
        job->context->requestCancel();
    for (auto& job : jobs_) {
        job->thread->wait();
        delete job->thread;
    }
}

void GeometryView::clear(const QString& message) {
    cancelJobs();
    runA_.clear();
    runB_.clear();
    zA_.resize(0, 0);
    message_ = message.isEmpty() ? tr("Select a run to see its geometry (seed 003).") : message;
    f1Chart_->clear(message_);
    comparison_->setRunChoices({}, {});
    comparison_->clear(message_);
    updateBusy();
}

void GeometryView::setRun(const QString& projectPath, const QString& run) {
    if (projectPath != projectPath_)
        f1_.clear();
    projectPath_ = projectPath;
    if (run.isEmpty()) {
        clear();
        return;
    }
    std::vector<std::pair<QString, bool>> candidates;
    try {
        const ProjectFile project = ProjectFile::open(projectPath.toStdString());
        const RunRecord a = project.readRun(run.toStdString());
        const auto datasets = project.datasetNames();
        std::string dataset = a.datasetName;
        if ((dataset.empty() || !project.hasDataset(dataset)) && !datasets.empty())
            dataset = datasets.front();
        metadata_ = project.readDatasetHeader(dataset).metadata;
        if (a.embeddingRows != metadata_.rowCount() || a.embeddingCols == 0)
            throw DataError(run.toStdString() + ": the embedding has " +
                            std::to_string(a.embeddingRows) + " rows, data set '" + dataset + "' " +
                            std::to_string(metadata_.rowCount()));
        zA_ = embeddingOf(a);
        datasetName_ = dataset;
        createdA_ = a.createdUtc;
        configGroupColumn_ =
            configOf(a).value(QStringLiteral("group_column")).toString().toStdString();
        for (const std::string& name : project.runNames()) {
            if (name == a.name)
                continue;
            const RunRecord r = project.readRun(name, ProjectFile::RunContent::Summary);
            if (r.datasetName == dataset || (r.datasetName.empty() && dataset == datasets.front()))
                candidates.emplace_back(QString::fromStdString(name), hasHoldout(r));
        }
        runA_ = run;
        message_.clear();
        const bool aHeld = hasHoldout(a);
        runB_ = defaultPartner(run, aHeld, candidates);
    } catch (const std::exception& e) {
        clear(tr("Run %1: %2").arg(run, QString::fromStdString(e.what())));
        return;
    }
    QStringList names;
    for (const auto& c : candidates)
        names << c.first;
    comparison_->setRunChoices(names, runB_);
    fillColumnBoxes();
    invalidate();
    startPending();
}

void GeometryView::fillColumnBoxes() {
    const QSignalBlocker blockGroup(groupBox_), blockOrder(orderBox_);
    const QString group = groupBox_->currentText(), order = orderBox_->currentText();
    QStringList all, numeric{kNoOrder};
    for (const MetadataColumn& c : metadata_.columns()) {
        all << QString::fromStdString(c.name);
        if (c.numeric)
            numeric << QString::fromStdString(c.name);
    }
    groupBox_->clear();
    groupBox_->addItems(all);
    orderBox_->clear();
    orderBox_->addItems(numeric);
    auto pick = [](QComboBox* box, const QStringList& preferred) {
        for (const QString& p : preferred)
            if (box->findText(p) >= 0) {
                box->setCurrentIndex(box->findText(p));
                return;
            }
    };
    // The lab note groups by perturbation and orders by time (or dose).
    pick(groupBox_, {group, QStringLiteral("perturbation"),
                     QString::fromStdString(configGroupColumn_), QStringLiteral("group")});
    pick(orderBox_, {order, QStringLiteral("time"), QStringLiteral("dose"), kNoOrder});
}

void GeometryView::setColumns(const QString& groupColumn, const QString& orderColumn) {
    {
        const QSignalBlocker blockGroup(groupBox_), blockOrder(orderBox_);
        if (groupBox_->findText(groupColumn) >= 0)
            groupBox_->setCurrentIndex(groupBox_->findText(groupColumn));
        orderBox_->setCurrentIndex(std::max(0, orderBox_->findText(orderColumn)));
    }
    invalidate();
    startPending();
}

QString GeometryView::groupColumn() const {
    return groupBox_->currentText();
}

QString GeometryView::orderColumn() const {
    return orderBox_->currentIndex() <= 0 ? QString() : orderBox_->currentText();
}

void GeometryView::setCurrentTab(Tab tab) {
    tabs_->setCurrentIndex(int(tab));
}

void GeometryView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    for (QWidget* w = parentWidget(); w; w = w->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(w)) {
            connect(dock, &QDockWidget::visibilityChanged, this, &GeometryView::onDockVisibility,
                    Qt::UniqueConnection);
            break;
        }
    startPending();
}

void GeometryView::onDockVisibility(bool visible) {
    dockShown_ = visible ? 1 : 0;
    if (visible)
        makeRoom();
    startPending();
}

void GeometryView::makeRoom() {
    if (tabs_->currentIndex() != ComparisonTab || !onScreen())
        return;
    // Two 3-D views side by side need more height than a chart: when the comparison is shown
    // in a dock lower than about half the window, the dock grows (as far as the other docks'
    // minimum sizes allow).
    for (QWidget* w = parentWidget(); w; w = w->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(w)) {
            auto* window = qobject_cast<QMainWindow*>(dock->parentWidget());
            const int wanted = window ? std::min(460, window->height() / 2) : 0;
            if (window && !dock->isFloating() && dock->height() < wanted)
                window->resizeDocks({dock}, {wanted}, Qt::Vertical);
            return;
        }
}

bool GeometryView::onScreen() const {
    if (!isVisible())
        return false;
    if (dockShown_ >= 0)
        return dockShown_ == 1;
    for (QWidget* w = parentWidget(); w; w = w->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(w)) // Qt's own rule for visibilityChanged
            return dock->geometry().right() >= 0 && dock->geometry().bottom() >= 0;
    return true;
}

std::string GeometryView::f1Key(const QString& run, const std::string& created) const {
    return (projectPath_ + QLatin1Char('\n') + run + QLatin1Char('\n') +
            QString::fromStdString(created) + QLatin1Char('\n') + groupColumn() +
            QLatin1Char('\n') + orderColumn())
        .toStdString();
}

const BinnedF1* GeometryView::f1OfA() const {
    return f1Of(runA_, createdA_);
}

const BinnedF1* GeometryView::f1Of(const QString& run, const std::string& created) const {
    const auto it = f1_.find(f1Key(run, created));
    return it != f1_.end() && it->second->done && it->second->error.isEmpty() ? &it->second->result
                                                                              : nullptr;
}

void GeometryView::inputs(std::vector<std::string>& groups, Eigen::VectorXd& order) const {
    const std::size_t n = metadata_.rowCount();
    groups.assign(n, std::string());
    order = Eigen::VectorXd::Zero(Eigen::Index(n));
    const std::string g = groupColumn().toStdString(), o = orderColumn().toStdString();
    if (!metadata_.has(g))
        return;
    for (std::size_t i = 0; i < n; ++i)
        groups[i] = metadata_.column(g).text(i);
    if (o.empty() || !metadata_.has(o) || !metadata_.column(o).numeric)
        return;
    const std::vector<double>& values = metadata_.column(o).numbers;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(values[i]))
            order(Eigen::Index(i)) = values[i];
        else
            groups[i].clear(); // no time/dose: takes no part
    }
}

void GeometryView::invalidate() {
    cancelJobs();
    ++comparisonGeneration_;
    comparisonDirty_ = true;
    if (!runA_.isEmpty()) {
        f1Chart_->clear(tr("F1 of %1: shown while this tab is open.").arg(runA_));
        comparison_->clear(tr("Comparison of %1: shown while this tab is open.").arg(runA_));
    }
}

void GeometryView::cancelJobs() {
    for (auto& job : jobs_)
        job->context->requestCancel();
    for (auto it = f1_.begin(); it != f1_.end();)
        it = it->second->done ? std::next(it) : f1_.erase(it);
    comparisonRunning_ = false;
    comparisonContext_.reset();
}

void GeometryView::startPending() {
    if (!onScreen() || runA_.isEmpty() || zA_.rows() == 0)
        return;
    if (tabs_->currentIndex() == F1Tab) {
        const std::string key = f1Key(runA_, createdA_);
        if (f1_.count(key) == 0)
            startF1(key, zA_);
        showF1();
    } else if (comparisonDirty_) {
        startComparison();
    }
    updateBusy();
}

void GeometryView::launch(std::function<void(const JobContext&)> work, std::function<void()> done,
                          std::shared_ptr<JobContext> context) {
    auto job = std::make_unique<Job>();
    job->context = context ? context : std::make_shared<JobContext>();
    QThread* thread = QThread::create([work = std::move(work), ctx = job->context] { work(*ctx); });
    job->thread = thread;
    connect(thread, &QThread::finished, this, [this, thread, done = std::move(done)] {
        jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(),
                                   [thread](const auto& j) { return j->thread == thread; }),
                    jobs_.end());
        thread->deleteLater();
        done();
        updateBusy();
    });
    jobs_.push_back(std::move(job));
    thread->start(QThread::LowPriority);
}

void GeometryView::startF1(const std::string& key, const Eigen::MatrixXd& z) {
    auto entry = std::make_shared<F1Entry>();
    entry->context = std::make_shared<JobContext>();
    f1_[key] = entry;
    std::vector<std::string> groups;
    Eigen::VectorXd order;
    inputs(groups, order);
    launch(
        [entry, z, groups = std::move(groups), order = std::move(order)](const JobContext& ctx) {
            QElapsedTimer timer;
            timer.start();
            try {
                entry->result = binnedF1(z, groups, order, kF1Bins, kF1Repeats, 1, 1.0, ctx);
            } catch (const CancelledError&) {
                entry->cancelled = true;
            } catch (const std::exception& e) {
                entry->error = QString::fromStdString(e.what());
            }
            entry->millis = double(timer.nsecsElapsed()) / 1e6;
        },
        [this, entry] {
            if (entry->cancelled)
                return;
            entry->done = true;
            f1Millis_ = entry->millis;
            showF1();
            showComparisonF1();
        },
        entry->context);
}

void GeometryView::showF1() {
    const auto it = f1_.find(f1Key(runA_, createdA_));
    if (it == f1_.end())
        return;
    const F1Entry& e = *it->second;
    if (!e.done) {
        f1Chart_->clear(tr("Computing the F1 of %1 (%2 stratified 70/30 splits, logistic "
                           "regression)…")
                            .arg(runA_)
                            .arg(kF1Repeats));
        return;
    }
    if (!e.error.isEmpty()) {
        f1Chart_->clear(tr("No F1 for %1: %2").arg(runA_, e.error));
    } else {
        std::vector<std::string> categories;
        if (metadata_.has(groupColumn().toStdString()))
            for (std::size_t i = 0; i < metadata_.rowCount(); ++i)
                categories.push_back(metadata_.column(groupColumn().toStdString()).text(i));
        f1Chart_->setResult(e.result, groupColours(categories), orderColumn(),
                            tr("run %1").arg(runA_));
    }
    Q_EMIT f1Shown();
}

QString GeometryView::message() const {
    return message_;
}

bool GeometryView::busy() const {
    return !busyText().isEmpty();
}

QString GeometryView::busyText() const {
    QStringList parts;
    if (comparisonRunning_)
        parts << tr("fitting curves and aligning…");
    for (const auto& [key, entry] : f1_)
        if (!entry->done) {
            parts << tr("computing F1…");
            break;
        }
    return parts.join(QStringLiteral(" "));
}

void GeometryView::updateBusy() {
    busy_->setText(busyText());
}

} // namespace embedscope::ui
