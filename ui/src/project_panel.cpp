#include "embedscope/ui/project_panel.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace embedscope::ui {

ProjectPanel::ProjectPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* buttons = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open…"));
    auto* demo = new QPushButton(tr("Demo project"));
    buttons->addWidget(open);
    buttons->addWidget(demo);
    layout->addLayout(buttons);
    path_ = new QLabel(tr("No project open"));
    path_->setWordWrap(true);
    layout->addWidget(path_);
    tree_ = new QTreeWidget;
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Name"), tr("Details")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(tree_, 1);

    connect(open, &QPushButton::clicked, this, &ProjectPanel::openRequested);
    connect(demo, &QPushButton::clicked, this, &ProjectPanel::demoRequested);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->parent() == runsRoot_)
            Q_EMIT runSelected(item->text(0));
        else if (item && item->parent() == datasetsRoot_)
            Q_EMIT datasetSelected(item->text(0));
    });
}

void ProjectPanel::clear() {
    tree_->clear();
    datasetsRoot_ = runsRoot_ = nullptr;
    path_->setText(tr("No project open"));
}

void ProjectPanel::setProject(const QString& path, const QStringList& datasets,
                              const QList<RunSummary>& runs) {
    const QSignalBlocker block(tree_);
    tree_->clear();
    path_->setText(QFileInfo(path).fileName());
    path_->setToolTip(path);
    datasetsRoot_ = new QTreeWidgetItem(tree_, {tr("Data sets")});
    for (const QString& d : datasets)
        new QTreeWidgetItem(datasetsRoot_, {d});
    runsRoot_ = new QTreeWidgetItem(tree_, {tr("Runs")});
    for (const RunSummary& r : runs) {
        QString details = QStringLiteral("%1, %2 epochs").arg(r.status).arg(r.epochs);
        if (r.bestEpoch >= 0 && std::isfinite(r.bestValLoss))
            details +=
                QStringLiteral(", best %1 @%2").arg(r.bestValLoss, 0, 'f', 3).arg(r.bestEpoch + 1);
        new QTreeWidgetItem(runsRoot_, {r.name, details});
    }
    tree_->expandAll();
}

void ProjectPanel::selectRun(const QString& name) {
    if (!runsRoot_)
        return;
    for (int i = 0; i < runsRoot_->childCount(); ++i) {
        if (runsRoot_->child(i)->text(0) == name) {
            tree_->setCurrentItem(runsRoot_->child(i));
            return;
        }
    }
}

QString ProjectPanel::selectedRun() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    return item && item->parent() == runsRoot_ ? item->text(0) : QString();
}

int ProjectPanel::runCount() const {
    return runsRoot_ ? runsRoot_->childCount() : 0;
}

} // namespace embedscope::ui
