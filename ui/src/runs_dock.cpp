#include "embedscope/ui/runs_dock.h"

#include "embedscope/ui/runs_scatter.h"
#include "embedscope/ui/runs_view.h"

#include <QSplitter>
#include <QVBoxLayout>

namespace embedscope::ui {

RunsDock::RunsDock(QWidget* parent) : QWidget(parent) {
    splitter_ = new QSplitter(Qt::Vertical, this);
    splitter_->setObjectName(QStringLiteral("runsSplitter"));
    view_ = new RunsView(splitter_);
    scatter_ = new RunsScatter(splitter_);
    splitter_->addWidget(view_);
    splitter_->addWidget(scatter_);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 1);
    splitter_->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter_);

    // One table: the scatter draws what the table read last.
    connect(view_, &RunsView::tableLoaded, this, [this] {
        scatter_->setTable(view_->table());
        scatter_->selectRun(view_->selectedRun());
    });
    // One selection: a pick in either selects in the other, then goes out once.
    connect(view_, &RunsView::runSelected, this, [this](const QString& name) {
        scatter_->selectRun(name);
        Q_EMIT runSelected(name);
    });
    connect(scatter_, &RunsScatter::runSelected, this, [this](const QString& name) {
        view_->selectRun(name);
        Q_EMIT runSelected(name);
    });
    connect(view_, &RunsView::compareRequested, this, &RunsDock::compareRequested);
    connect(scatter_, &RunsScatter::compareRequested, this, &RunsDock::compareRequested);
}

void RunsDock::setProject(const QString& path) {
    view_->setProject(path);
    if (path.isEmpty())
        scatter_->setTable(view_->table());
}

QString RunsDock::projectPath() const {
    return view_->projectPath();
}

void RunsDock::refresh() {
    view_->refresh();
}

void RunsDock::selectRun(const QString& name) {
    view_->selectRun(name);
    scatter_->selectRun(name);
}

QString RunsDock::selectedRun() const {
    return view_->selectedRun();
}

} // namespace embedscope::ui
