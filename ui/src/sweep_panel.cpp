#include "embedscope/ui/sweep_panel.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace embedscope::ui {
namespace {

enum Column { RunColumn, StateColumn, ProgressColumn, TimeColumn, ErrorColumn, ColumnCount };
constexpr int kFractionRole = Qt::UserRole + 1;

/// Draws the progress column as a bar (a QProgressBar per row would be a widget per run).
class ProgressDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        const QVariant value = index.data(kFractionRole);
        if (!value.isValid() || value.toDouble() < 0) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 3, -2, -3);
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress = static_cast<int>(value.toDouble() * 1000.0 + 0.5);
        bar.text = QStringLiteral("%1 %").arg(static_cast<int>(value.toDouble() * 100.0 + 0.5));
        bar.textVisible = true;
        bar.state = option.state | QStyle::State_Horizontal;
        QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter);
    }
};

QColor stateColor(const QString& state) {
    if (state == QLatin1String("failed"))
        return QColor(0xd5, 0x5e, 0x00); // Okabe-Ito vermillion, as failed rows in the table
    if (state == QLatin1String("finished") || state == QLatin1String("skipped"))
        return QColor(0x00, 0x9e, 0x73);
    if (state == QLatin1String("running"))
        return QColor(0x00, 0x72, 0xb2);
    return QColor(0x80, 0x80, 0x80);
}

} // namespace

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
    spec_ = new QPlainTextEdit;
    spec_->setObjectName(QStringLiteral("sweepSpec"));
    spec_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    spec_->setLineWrapMode(QPlainTextEdit::NoWrap); // JSON reads by its own line breaks
    spec_->setPlaceholderText(tr("A sweep spec (JSON): load one, or take the demo's."));
    load_ = new QPushButton(tr("Load spec…"));
    demo_ = new QPushButton(tr("Demo spec"));
    demo_->setToolTip(tr("12 short runs on the demo's open field: learning rate × temperature "
                         "× 2 repeats"));
    backend_ = new QComboBox;
    backend_->addItem(tr("Local processes"), QStringLiteral("local"));
    backend_->addItem(tr("Slurm job array"), QStringLiteral("slurm"));
    jobs_ = new QSpinBox;
    jobs_->setRange(1, 256);
    // Each run trains on one core; leave one for the interface on small machines.
    jobs_->setValue(std::max(1, QThread::idealThreadCount() - (QThread::idealThreadCount() > 2)));
    jobs_->setToolTip(tr("Local backend: runs at once (one core each)"));
    start_ = new QPushButton(tr("Start sweep"));
    start_->setObjectName(QStringLiteral("startSweep"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    overall_ = new QProgressBar;
    overall_->setRange(0, 1);
    overall_->setValue(0);
    overall_->setFormat(tr("%v of %m runs"));
    status_ = new QLabel(tr("Runs train into the open project; they appear in Runs as they end. "
                            "Starting a sweep again resumes it."));
    status_->setWordWrap(true);

    table_ = new QTableWidget(0, ColumnCount);
    table_->setHorizontalHeaderLabels(
        {tr("Run"), tr("State"), tr("Progress"), tr("Time"), tr("Error")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setItemDelegateForColumn(ProgressColumn, new ProgressDelegate(table_));
    table_->setColumnWidth(ProgressColumn, 120);

    auto* specButtons = new QHBoxLayout;
    specButtons->addWidget(load_);
    specButtons->addWidget(demo_);
    specButtons->addStretch(1);
    auto* form = new QFormLayout;
    form->addRow(tr("Backend"), backend_);
    form->addRow(tr("Local jobs"), jobs_);
    auto* runButtons = new QHBoxLayout;
    runButtons->addWidget(start_);
    runButtons->addWidget(cancel_);
    runButtons->addWidget(overall_, 1);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(specButtons);
    leftLayout->addWidget(spec_, 1);
    leftLayout->addLayout(form);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(runButtons);
    rightLayout->addWidget(status_);
    rightLayout->addWidget(table_, 1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(load_, &QPushButton::clicked, this, &SweepPanel::browseSpec);
    connect(demo_, &QPushButton::clicked, this, &SweepPanel::demoSpecRequested);
    connect(start_, &QPushButton::clicked, this, &SweepPanel::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &SweepPanel::cancelRequested);
    connect(backend_, &QComboBox::currentIndexChanged, this,
            [this] { jobs_->setEnabled(backend() == QLatin1String("local")); });
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (QTableWidgetItem* item = table_->item(row, RunColumn))
            Q_EMIT runActivated(item->text());
    });
    logTimer_.setInterval(1000);
    connect(&logTimer_, &QTimer::timeout, this, &SweepPanel::pollLogs);
}

QString SweepPanel::specText() const {
    return spec_->toPlainText();
}

void SweepPanel::setSpec(const QString& text, const QString& directory) {
    spec_->setPlainText(text);
    specDirectory_ = directory;
}

bool SweepPanel::loadSpecFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setStatus(tr("Cannot read %1: %2").arg(path, file.errorString()));
        return false;
    }
    setSpec(QString::fromUtf8(file.readAll()), QFileInfo(path).absolutePath());
    setStatus(tr("Spec %1 loaded.").arg(QFileInfo(path).fileName()));
    return true;
}

void SweepPanel::browseSpec() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load sweep spec"), specDirectory_,
                                                      tr("Sweep specs (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadSpecFile(path);
}

QString SweepPanel::backend() const {
    return backend_->currentData().toString();
}
int SweepPanel::jobs() const {
    return jobs_->value();
}
void SweepPanel::setJobs(int jobs) {
    jobs_->setValue(jobs);
}

void SweepPanel::beginSweep(const std::vector<SweepRunSpec>& runs,
                            const std::vector<QString>& logPaths) {
    table_->setRowCount(0);
    rowOf_.clear();
    logPaths_ = logPaths;
    finished_ = 0;
    table_->setRowCount(static_cast<int>(runs.size()));
    for (int row = 0; row < static_cast<int>(runs.size()); ++row) {
        const QString name = QString::fromStdString(runs[row].name);
        rowOf_.insert(name, row);
        table_->setItem(row, RunColumn, new QTableWidgetItem(name));
        auto* state = new QTableWidgetItem(QStringLiteral("pending"));
        state->setForeground(stateColor(state->text()));
        table_->setItem(row, StateColumn, state);
        table_->setItem(row, ProgressColumn, new QTableWidgetItem);
        table_->setItem(row, TimeColumn, new QTableWidgetItem);
        table_->setItem(row, ErrorColumn, new QTableWidgetItem);
        setProgressCell(row, -1);
    }
    table_->resizeColumnToContents(RunColumn); // run names on one line
    overall_->setRange(0, std::max<int>(1, static_cast<int>(runs.size())));
    updateOverall();
}

void SweepPanel::setRunStatus(const SweepRunStatus& status) {
    const QString name = QString::fromStdString(status.name);
    const auto it = rowOf_.constFind(name);
    if (it == rowOf_.constEnd())
        return;
    const int row = *it;
    const QString state = QString::fromStdString(status.state);
    QTableWidgetItem* stateItem = table_->item(row, StateColumn);
    const bool wasDone = stateItem->text() != QLatin1String("pending") &&
                         stateItem->text() != QLatin1String("running");
    stateItem->setText(state);
    stateItem->setForeground(stateColor(state));
    const bool done = state != QLatin1String("pending") && state != QLatin1String("running");
    if (done && !wasDone)
        ++finished_;
    if (state == QLatin1String("finished") || state == QLatin1String("skipped"))
        setProgressCell(row, 1.0);
    else if (state == QLatin1String("running"))
        setProgressCell(row, 0.0);
    else if (state == QLatin1String("pending"))
        setProgressCell(row, -1);
    if (status.seconds > 0)
        table_->item(row, TimeColumn)
            ->setText(QStringLiteral("%1 s").arg(status.seconds, 0, 'f', 1));
    const QString error = QString::fromStdString(status.error);
    table_->item(row, ErrorColumn)->setText(error.section(QLatin1Char('\n'), 0, 0));
    for (int c = 0; c < ColumnCount; ++c)
        table_->item(row, c)->setToolTip(error);
    updateOverall();
}

void SweepPanel::pollLogs() {
    for (auto it = rowOf_.constBegin(); it != rowOf_.constEnd(); ++it) {
        const int row = it.value();
        if (table_->item(row, StateColumn)->text() != QLatin1String("running") ||
            row >= static_cast<int>(logPaths_.size()))
            continue;
        const double fraction = sweepLogProgress(logPaths_[row].toStdString());
        if (fraction >= 0)
            setProgressCell(row, fraction);
    }
}

void SweepPanel::setProgressCell(int row, double fraction) {
    table_->item(row, ProgressColumn)->setData(kFractionRole, fraction);
}

void SweepPanel::updateOverall() {
    overall_->setValue(finished_);
    int failed = 0;
    for (int row = 0; row < table_->rowCount(); ++row)
        failed += table_->item(row, StateColumn)->text() == QLatin1String("failed");
    overall_->setFormat(failed ? tr("%v of %m runs (%1 failed)").arg(failed) : tr("%v of %m runs"));
}

void SweepPanel::setRunning(bool running) {
    start_->setEnabled(!running);
    load_->setEnabled(!running);
    demo_->setEnabled(!running);
    cancel_->setEnabled(running);
    if (running) {
        logTimer_.start();
        return;
    }
    logTimer_.stop();
    // A cancelled sweep leaves its running runs pending: the next start resumes them.
    for (int row = 0; row < table_->rowCount(); ++row) {
        QTableWidgetItem* state = table_->item(row, StateColumn);
        if (state->text() == QLatin1String("running")) {
            state->setText(QStringLiteral("pending"));
            state->setForeground(stateColor(state->text()));
            setProgressCell(row, -1);
        }
    }
}

void SweepPanel::setStatus(const QString& text) {
    status_->setText(text);
}
QString SweepPanel::statusText() const {
    return status_->text();
}
int SweepPanel::runCount() const {
    return table_->rowCount();
}

QString SweepPanel::runState(const QString& run) const {
    const auto it = rowOf_.constFind(run);
    return it == rowOf_.constEnd() ? QString() : table_->item(*it, StateColumn)->text();
}

double SweepPanel::runProgress(const QString& run) const {
    const auto it = rowOf_.constFind(run);
    if (it == rowOf_.constEnd())
        return -1;
    const QVariant v = table_->item(*it, ProgressColumn)->data(kFractionRole);
    return v.isValid() ? v.toDouble() : -1;
}

} // namespace embedscope::ui
