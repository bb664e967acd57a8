#pragma once
// A figure painted into a white QImage at the options' size and DPI, the way exportFigure draws
// a PNG (for tests that compare against a baseline or count colours).
#include "embedscope/ui/figure.h"

#include <QImage>
#include <QPainter>

inline QImage renderFigure(const embedscope::ui::Figure& figure,
                           const embedscope::ui::FigureOptions& o) {
    QImage image(o.sizePixels(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.scale(o.dpi / 72.0, o.dpi / 72.0);
    figure.paint(p, QRectF(QPointF(0, 0), o.sizePoints()), o);
    p.end();
    return image;
}
