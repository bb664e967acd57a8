#pragma once
// Private to plot_painter*.cpp: the text measure and the sizes (points) the layout and the
// drawing code share.
#include "embedscope/ui/figure.h"

#include <QFont>
#include <QFontMetricsF>
#include <QPen>
#include <QSizeF>
#include <QString>

#include <algorithm>

namespace embedscope::ui::detail {

// figure.h: tick labels 0.9 × the base font, axis titles 1 ×, the figure title 1.2 × bold.
constexpr double kTickFont = 0.9;

/// Design-metric size of `text`: the painter scales fonts (PNG at dpi/72, SVG viewers their
/// own way), so hinted advances at the small pixel size would mislead by up to a pixel a glyph.
inline QSizeF textSize(const QFont& font, const QString& text) {
    constexpr int kScale = 32;
    QFont big(font);
    big.setPixelSize(std::max(1, font.pixelSize()) * kScale);
    const QFontMetricsF fm(big);
    return {fm.horizontalAdvance(text) / kScale, fm.height() / kScale};
}

/// `text` cut with an ellipsis to at most `width` points (design metrics, as textSize).
inline QString elide(const QFont& font, const QString& text, double width) {
    if (textSize(font, text).width() <= width)
        return text; // also keeps huge widths out of Qt's fixed-point text metrics
    constexpr int kScale = 32;
    QFont big(font);
    big.setPixelSize(std::max(1, font.pixelSize()) * kScale);
    return QFontMetricsF(big).elidedText(text, Qt::ElideRight, std::max(0.0, width) * kScale);
}

struct Metrics {
    double tick; ///< tick length
    double gap;  ///< tick to its label
    double pad;  ///< between labels and titles
    double edge; ///< kept free along the outer rect
    QFont tickFont, titleFont;
};

inline Metrics metricsOf(const FigureOptions& options) {
    const double f = options.fontPt;
    return {std::max(2.0, 0.38 * f), std::max(1.0, 0.25 * f),        std::max(1.5, 0.35 * f),
            std::max(1.0, 0.25 * f), figureFont(options, kTickFont), figureFont(options, 1.0)};
}

inline QPen inkPen(const FigureOptions& options, double width) {
    QPen pen(options.ink(), width);
    pen.setCapStyle(Qt::FlatCap);
    return pen;
}

} // namespace embedscope::ui::detail
