// EmbeddingView: dose paths over the projection and the view as an exportable figure (issue 7).
#include "embedscope/ui/embedding_view.h"

#include "embedscope/engine/dose_response.h"
#include "embedscope/ui/dose_paths.h"
#include "embedscope/ui/embedding_figure.h"
#include "embedscope/ui/vtk_widget.h"

#include "curve_controls.h"

#include <QLabel>

#include <QSignalBlocker>
#include <QToolButton>
#include <algorithm>

namespace embedscope::ui {

bool EmbeddingView::dosePathsAvailable() const {
    const DoseColumns columns;
    return metadata_.rowCount() > 0 && metadata_.has(columns.substance) &&
           metadata_.has(columns.dose);
}

void EmbeddingView::setDosePathsVisible(bool on) {
    dosePaths_ = on;
    {
        const QSignalBlocker block(doseButton_);
        doseButton_->setChecked(on);
    }
    applyDosePaths();
    vtk_->requestRender();
}

void EmbeddingView::applyDosePaths() {
    doseMessage_.clear();
    const bool show = dosePaths_ && dosePathsAvailable() && data_.pointCount() > 0 &&
                      metadata_.rowCount() == data_.pointCount();
    if (!show) {
        doseOverlay_->clear();
        return;
    }
    try {
        const MetricLabels labels = doseLabelsOf(metadata_, DoseColumns{}, "the data set");
        std::vector<std::string> notes;
        // The emphasised category names a substance when the points are coloured by it.
        viewer::CurveOverlayData paths =
            dosePathOverlay(data_.xyz, dims_, labels, emphasis(), &notes);
        // A substance the points are coloured by keeps the points' colour (the emphasised one
        // takes the palette's first); faded paths stay faded.
        const auto order = scene_->categoryOrder();
        for (auto& path : paths.curves)
            if ((emphasis().isEmpty() || emphasis().toStdString() == path.category) &&
                std::find(order.begin(), order.end(), path.category) != order.end())
                path.color = scene_->colorOfCategory(path.category);
        doseOverlay_->setData(paths);
        QStringList lines;
        for (const auto& n : notes)
            lines << QString::fromStdString(n);
        doseMessage_ = lines.join(QLatin1Char('\n'));
    } catch (const std::exception& e) {
        doseOverlay_->clear();
        doseMessage_ = tr("Dose paths: %1").arg(QString::fromStdString(e.what()));
    }
    doseButton_->setToolTip(doseMessage_.isEmpty()
                                ? tr("Arrows from the control centroid through each substance's "
                                     "dose centroids, lowest to highest")
                                : doseMessage_);
}

std::shared_ptr<Figure> EmbeddingView::figure() const {
    if (data_.pointCount() == 0)
        return nullptr;
    viewer::ScatterData copy = data_;
    copy.dims = dims_;
    std::vector<SceneFigure::Overlay> overlays;
    if (curvesActive_) {
        SceneFigure::Overlay curves;
        curves.data = overlay_->data();
        curves.curves = curveControls_->showCurves();
        curves.centres = curveControls_->showCentroids();
        curves.points = curveControls_->showPoints();
        overlays.push_back(std::move(curves));
    }
    if (doseOverlay_->curveCount() > 0) {
        SceneFigure::Overlay paths;
        paths.data = doseOverlay_->data();
        overlays.push_back(std::move(paths));
    }
    return makeEmbeddingFigure(displayed(copy), std::move(overlays));
}

} // namespace embedscope::ui
