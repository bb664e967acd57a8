#include "embedscope/ui/widget_figure.h"

#include "embedscope/engine/error.h"
#include "embedscope/ui/plot_painter.h"

#include <QPainter>

#include <algorithm>

namespace embedscope::ui {

WidgetFigure::WidgetFigure(QWidget* widget, QString viewName)
    : widget_(widget), viewName_(std::move(viewName)) {}

void WidgetFigure::paint(QPainter& painter, const QRectF& rect,
                         const FigureOptions& options) const {
    if (!widget_ || widget_->width() <= 0 || widget_->height() <= 0)
        throw DataError(viewName_.toStdString() + ": the view is not shown");
    painter.save();
    const QRectF body = figureBody(painter, rect, options);
    // One widget pixel per point at scale 1; shrink or grow to fit, keeping the aspect.
    const QSizeF source = widget_->size();
    const double scale = std::min(body.width() / source.width(), body.height() / source.height());
    painter.translate(body.center().x() - scale * source.width() / 2,
                      body.center().y() - scale * source.height() / 2);
    painter.scale(scale, scale);
    widget_->render(&painter, QPoint(), QRegion(),
                    QWidget::DrawChildren | QWidget::DrawWindowBackground);
    painter.restore();
}

} // namespace embedscope::ui
