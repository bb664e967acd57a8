#pragma once
// Shows one Figure on screen, painted through the same code as its exported files (one pixel
// is one point here), so what a scientist sees is what the PNG/SVG/PDF will hold.
#include "embedscope/ui/figure.h"

#include <QWidget>

#include <functional>
#include <memory>

namespace embedscope::ui {

class FigureWidget : public QWidget {
    Q_OBJECT
public:
    explicit FigureWidget(QWidget* parent = nullptr);

    void setFigure(std::shared_ptr<const Figure> figure);
    std::shared_ptr<const Figure> figure() const { return figure_; }
    /// Options for legend, background and title on screen; size, DPI and font size follow the
    /// widget (its size in pixels = points, its font's point size).
    void setBaseOptions(const FigureOptions& options);
    /// The options paintEvent() uses now.
    FigureOptions screenOptions() const;
    /// The text shown when there is no figure.
    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }
    /// Called on a left click with the position in the figure's points (views hit-test it).
    void setClickHandler(std::function<void(QPointF pointsPos)> handler);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    std::shared_ptr<const Figure> figure_;
    FigureOptions base_;
    QString placeholder_;
    std::function<void(QPointF)> onClick_;
};

} // namespace embedscope::ui
