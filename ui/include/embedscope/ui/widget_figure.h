#pragma once
// Any QPainter-drawn widget as a figure (issue 7, "every view exports"): QWidget::render into
// the export painter, scaled to fit and centred, so SVG/PDF keep its lines and text as vectors.
// For views without a data-built figure (reconstructions, the trajectory inspector); the
// widget must outlive the export (it is rendered, not copied), and native GL children are
// not drawn.
#include "embedscope/ui/figure.h"

#include <QPointer>
#include <QWidget>

namespace embedscope::ui {

class WidgetFigure : public Figure {
public:
    WidgetFigure(QWidget* widget, QString viewName);
    QString viewName() const override { return viewName_; }
    /// Throws DataError when the widget is gone or has no size.
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

private:
    QPointer<QWidget> widget_;
    QString viewName_;
};

} // namespace embedscope::ui
