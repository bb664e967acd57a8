#include "embedscope/ui/embedding_figure.h"

#include "embedscope/ui/plot_painter.h"

#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

QColor qcolor(const std::array<unsigned char, 3>& c) {
    return QColor(c[0], c[1], c[2]);
}

constexpr double kPointSize = 4.0;  // points; the screen's markers at print size
constexpr double kCentreSize = 6.0; // curve centres and dose centroids
constexpr double kCurveWidth = 1.8;

void arrowHead(QPainter& painter, QPointF from, QPointF to, double inset, const QColor& colour) {
    const QPointF d = to - from;
    const double len = std::hypot(d.x(), d.y());
    const double length = 6.0, radius = 2.6;
    if (!(len > inset + 0.5 * length))
        return;
    const QPointF u = d / len;
    const QPointF n(-u.y(), u.x());
    const QPointF tip = from + u * (len - inset);
    const QPointF base = tip - u * length;
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawPolygon(QPolygonF({tip, base + n * radius, base - n * radius}));
}

} // namespace

EmbeddingFigure2D::EmbeddingFigure2D(viewer::ScatterData data,
                                     std::vector<SceneFigure::Overlay> overlays)
    : data_(std::move(data)), overlays_(std::move(overlays)) {
    // The scene owns the colour rules (control grey, "other" light grey, palette in natural order):
    // ask it rather than repeating them.
    viewer::ScatterScene scene;
    viewer::ScatterData colourOnly = data_;
    colourOnly.dims = 2;
    scene.setData(colourOnly);
    order_ = scene.categoryOrder();
    for (const auto& c : order_)
        colors_[c] = qcolor(scene.colorOfCategory(c));
}

QColor EmbeddingFigure2D::colorOf(const std::string& category) const {
    auto it = colors_.find(category);
    return it == colors_.end() ? qcolor(viewer::ScatterScene::palette().front()) : it->second;
}

void EmbeddingFigure2D::paint(QPainter& painter, const QRectF& rect,
                              const FigureOptions& options) const {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF body = figureBody(painter, rect, options);
    const std::size_t n = data_.pointCount();
    double lo[2] = {0, 0}, hi[2] = {1, 1};
    bool any = false;
    auto extend = [&](double x, double y) {
        if (!any) {
            lo[0] = hi[0] = x;
            lo[1] = hi[1] = y;
            any = true;
        }
        lo[0] = std::min(lo[0], x);
        hi[0] = std::max(hi[0], x);
        lo[1] = std::min(lo[1], y);
        hi[1] = std::max(hi[1], y);
    };
    for (std::size_t i = 0; i < n; ++i)
        extend(data_.xyz[3 * i], data_.xyz[3 * i + 1]);
    for (const auto& o : overlays_)
        for (const auto& c : o.data.curves)
            for (std::size_t i = 0; i + 2 < c.polyline.size(); i += 3)
                extend(c.polyline[i], c.polyline[i + 1]);

    PlotArea area(body.adjusted(2, 2, -2, -2), options);
    const auto title = [&](std::size_t k, const char* fallback) {
        return k < data_.axisTitles.size() ? QString::fromStdString(data_.axisTitles[k])
                                           : QString::fromLatin1(fallback);
    };
    area.setX(AxisScale::niceLinear(lo[0], hi[0]), title(0, "x"));
    area.setY(AxisScale::niceLinear(lo[1], hi[1]), title(1, "y"));
    std::vector<LegendEntry> legend;
    if (!data_.categories.empty())
        for (const auto& c : order_) {
            LegendEntry e;
            e.text = QString::fromStdString(c);
            e.color = colorOf(c);
            e.kind = LegendEntry::Kind::Marker;
            legend.push_back(e);
        }
    if (!legend.empty())
        area.setLegend(legend, LegendPlacement::OutsideRight);
    if (!data_.colorTitle.empty() && !data_.categories.empty())
        area.setPanelTitle(QString::fromStdString(data_.colorTitle));
    area.drawGrid(painter);

    const bool pointsShown = std::all_of(overlays_.begin(), overlays_.end(),
                                         [](const SceneFigure::Overlay& o) { return o.points; });
    if (pointsShown && n > 0) {
        // "other" first (they recede), then controls, then the rest: legend order reversed would
        // hide controls under substances, so draw by layer.
        auto layerOf = [&](const std::string& c) {
            return viewer::ScatterScene::isOtherCategory(c) ? 0 : (c == "control" ? 1 : 2);
        };
        for (int layer = 0; layer < 3; ++layer)
            for (std::size_t i = 0; i < n; ++i) {
                const std::string& c =
                    data_.categories.empty() ? std::string() : data_.categories[i];
                if (!data_.categories.empty() && layerOf(c) != layer)
                    continue;
                if (data_.categories.empty() && layer != 2)
                    continue;
                MarkerStyle m;
                m.size = kPointSize * (data_.pointSizes.empty() ? 1.0 : data_.pointSizes[i]);
                m.color = data_.pointColors.empty()
                              ? colorOf(c)
                              : QColor(data_.pointColors[3 * i], data_.pointColors[3 * i + 1],
                                       data_.pointColors[3 * i + 2]);
                m.outlineWidth = 0;
                PlotArea::drawMarker(painter, area.map(data_.xyz[3 * i], data_.xyz[3 * i + 1]), m);
            }
    }

    painter.setClipRect(area.inner().adjusted(-1, -1, 1, 1));
    for (const auto& o : overlays_)
        for (const auto& c : o.data.curves) {
            const QColor colour = c.color ? qcolor(*c.color) : colorOf(c.category);
            QPolygonF line;
            for (std::size_t i = 0; i + 2 < c.polyline.size(); i += 3)
                line << area.map(c.polyline[i], c.polyline[i + 1]);
            if (o.curves && line.size() >= 2) {
                QPen halo(options.background(), kCurveWidth + 2.0);
                halo.setCapStyle(Qt::RoundCap);
                halo.setJoinStyle(Qt::RoundJoin);
                painter.setBrush(Qt::NoBrush);
                painter.setPen(halo);
                painter.drawPolyline(line);
                QPen pen(colour, kCurveWidth);
                pen.setCapStyle(Qt::RoundCap);
                pen.setJoinStyle(Qt::RoundJoin);
                painter.setPen(pen);
                painter.drawPolyline(line);
                if (c.arrows)
                    for (int i = 0; i + 1 < line.size(); ++i)
                        arrowHead(painter, line[i], line[i + 1],
                                  c.centres.empty() ? 0.0 : kCentreSize / 2, colour);
            }
            if (o.centres)
                for (std::size_t i = 0; i + 2 < c.centres.size(); i += 3) {
                    MarkerStyle m;
                    m.size = kCentreSize;
                    m.color = colour;
                    PlotArea::drawMarker(painter, area.map(c.centres[i], c.centres[i + 1]), m);
                    painter.setPen(QPen(QColor(40, 40, 40), 0.8));
                    painter.setBrush(Qt::NoBrush);
                    painter.drawEllipse(area.map(c.centres[i], c.centres[i + 1]), kCentreSize / 2,
                                        kCentreSize / 2);
                }
        }
    painter.setClipping(false);
    area.drawAxes(painter);
    area.drawLegend(painter);
    painter.restore();
}

std::shared_ptr<Figure> makeEmbeddingFigure(viewer::ScatterData data,
                                            std::vector<SceneFigure::Overlay> overlays) {
    if (data.dims == 3)
        return std::make_shared<SceneFigure>(std::move(data), std::move(overlays));
    return std::make_shared<EmbeddingFigure2D>(std::move(data), std::move(overlays));
}

} // namespace embedscope::ui
