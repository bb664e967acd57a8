#pragma once
// The embedding as a figure (issue 7): 3-D scenes are raster figures rendered off screen by
// VTK at the export DPI (its GL2PS path rasterizes 3-D geometry anyway, TOOLCHAIN.md), with
// their overlays (principal curves, dose paths). The scene is rebuilt from copied data, so
// the figure does not touch the live view's renderer.
#include "embedscope/ui/figure.h"
#include "embedscope/viewer/curve_overlay.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QImage>

#include <vector>

namespace embedscope::ui {

class SceneFigure : public Figure {
public:
    /// `overlays` are drawn over the points in order (each with its own visibility flags
    /// as in the view: curves, centres, points).
    struct Overlay {
        viewer::CurveOverlayData data;
        bool curves = true, centres = true, points = true;
    };
    SceneFigure(viewer::ScatterData data, std::vector<Overlay> overlays = {},
                QString viewName = QStringLiteral("embedding"));

    QString viewName() const override { return viewName_; }
    bool raster() const override { return true; }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The scene rendered at `pixels` with VTK's DPI set to `dpi` (text and line widths are
    /// sized in points, so they keep their physical size). Throws DataError for inconsistent
    /// data and Error when no off-screen GL context can be made.
    QImage render(QSize pixels, double dpi) const;

private:
    viewer::ScatterData data_;
    std::vector<Overlay> overlays_;
    QString viewName_;
};

} // namespace embedscope::ui
