#include "embedscope/ui/figure_widget.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include <utility>

namespace embedscope::ui {

FigureWidget::FigureWidget(QWidget* parent) : QWidget(parent), placeholder_(tr("Nothing to show")) {
    setMinimumSize(160, 120);
}

void FigureWidget::setFigure(std::shared_ptr<const Figure> figure) {
    figure_ = std::move(figure);
    update();
}

void FigureWidget::setBaseOptions(const FigureOptions& options) {
    base_ = options;
    update();
}

FigureOptions FigureWidget::screenOptions() const {
    FigureOptions o = base_;
    // 72 "dpi" with pixel units: one widget pixel is one figure point.
    o.unit = FigureOptions::Unit::Pixels;
    o.dpi = 72;
    o.width = std::max(1, width());
    o.height = std::max(1, height());
    const QFont f = font();
    const double pt = f.pointSizeF() > 0 ? f.pointSizeF() : f.pixelSize();
    if (pt > 0)
        o.fontPt = pt;
    return o;
}

void FigureWidget::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

void FigureWidget::setClickHandler(std::function<void(QPointF pointsPos)> handler) {
    onClick_ = std::move(handler);
}

void FigureWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    if (!figure_) {
        painter.fillRect(rect(), palette().window());
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    const FigureOptions o = screenOptions();
    figure_->paint(painter, QRectF(rect()), o);
}

void FigureWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && onClick_ && figure_) {
        onClick_(event->position());
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

} // namespace embedscope::ui
