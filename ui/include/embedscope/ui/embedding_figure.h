#pragma once
// The embedding projection as a figure (issue 7). 2-D projections are vector figures drawn
// with the plotting layer (points, legend, axis titles, principal curves and dose paths as
// paths, text as text); 3-D ones are SceneFigure rasters. Colours and legend order are the
// 3-D view's (viewer::ScatterScene), so a figure matches the screen.
#include "embedscope/ui/figure.h"
#include "embedscope/ui/scene_figure.h"

#include <map>
#include <memory>
#include <vector>

namespace embedscope::ui {

class EmbeddingFigure2D : public Figure {
public:
    /// Throws DataError for inconsistent data (as ScatterScene::setData).
    EmbeddingFigure2D(viewer::ScatterData data, std::vector<SceneFigure::Overlay> overlays = {});
    QString viewName() const override { return QStringLiteral("embedding"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Legend order (control first, natural order, "other" last) and colours.
    const std::vector<std::string>& categoryOrder() const { return order_; }
    QColor colorOf(const std::string& category) const;

private:
    viewer::ScatterData data_;
    std::vector<SceneFigure::Overlay> overlays_;
    std::vector<std::string> order_;
    std::map<std::string, QColor> colors_;
};

/// EmbeddingFigure2D for data.dims == 2, else a SceneFigure.
std::shared_ptr<Figure> makeEmbeddingFigure(viewer::ScatterData data,
                                            std::vector<SceneFigure::Overlay> overlays = {});

} // namespace embedscope::ui
