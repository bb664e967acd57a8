// The Cells dock of the main window (issue 8, seed 004): the plate view and the profile views
// of the open project's cell crops, with their figures in File ▸ Export figure.
#include "embedscope/engine/error.h"
#include "embedscope/ui/cell_plate_view.h"
#include "embedscope/ui/cell_profiles_view.h"
#include "embedscope/ui/cells_panel.h"
#include "embedscope/ui/main_window.h"

#include <QDockWidget>

namespace embedscope::ui {

void MainWindow::buildCellsDock(QDockWidget* tabifyAfter) {
    cells_ = new CellsPanel;
    auto* dock = new QDockWidget(tr("Cells"), this);
    dock->setObjectName(QStringLiteral("cells"));
    dock->setWidget(cells_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    tabifyDockWidget(tabifyAfter, dock);
    connect(this, &MainWindow::projectOpened, cells_, &CellsPanel::setProject);
    // A new cell-CNN run becomes a profile source.
    connect(this, &MainWindow::trainingCompleted, cells_, [this] { cells_->refreshRuns(); });
    connect(cells_, &CellsPanel::failed, this,
            [this](const QString& message) { log(tr("cells: %1").arg(message)); });
    connect(cells_, &CellsPanel::analysisReady, this, [this](const QString& source) {
        log(tr("cell profiles computed from %1").arg(source));
    });
}

bool MainWindow::raiseDock(const QString& title) {
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        if (dock->windowTitle().compare(title, Qt::CaseInsensitive) == 0 ||
            dock->objectName() == title) {
            dock->show();
            dock->raise();
            // Bottom docks get half the window's height so a plate or a figure fits.
            if (dockWidgetArea(dock) == Qt::BottomDockWidgetArea)
                resizeDocks({dock}, {height() / 2}, Qt::Vertical);
            return true;
        }
    return false;
}

QStringList MainWindow::cellFigureViews() {
    return {QStringLiteral("plate-map"), QStringLiteral("well-crops"), QStringLiteral("well-pca"),
            QStringLiteral("retrieval-curves"), QStringLiteral("profile-neighbours")};
}

std::shared_ptr<Figure> MainWindow::cellFigureOfView(const QString& view) const {
    if (!cellFigureViews().contains(view))
        return nullptr;
    std::shared_ptr<Figure> figure =
        view == QLatin1String("plate-map")          ? cells_->plateView()->figure()
        : view == QLatin1String("well-crops")       ? cells_->plateView()->wellFigure()
        : view == QLatin1String("well-pca")         ? cells_->profilesView()->pcaFigure()
        : view == QLatin1String("retrieval-curves") ? cells_->profilesView()->retrievalFigure()
                                                    : cells_->profilesView()->neighboursFigure();
    if (!figure)
        throw DataError(view.toStdString() + ": the Cells dock shows nothing for it yet (" +
                        (cells_->statusText().isEmpty()
                             ? std::string("open a project with cell crops")
                             : cells_->statusText().toStdString()) +
                        ")");
    return figure;
}

} // namespace embedscope::ui
