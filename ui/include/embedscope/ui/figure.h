#pragma once
// Figures (issue 7): every view that a scientist takes to a report draws itself through this
// interface, on screen (FigureWidget) and into files: PNG at a chosen DPI, SVG and PDF as true
// vectors (text stays text) for 2-D views, the raster embedded for 3-D ones.
//
// Units: a figure paints in points (1/72 in). `rect` passed to paint() is in points and the
// painter maps one logical unit to one point on every device (PNG scales by dpi/72, SVG's
// viewBox and PDF's page are in points). Fonts are therefore pixel-sized in points: use
// figureFont(), never QFont::setPointSize (its meaning depends on the device's DPI).
#include <QColor>
#include <QFont>
#include <QRectF>
#include <QSize>
#include <QSizeF>
#include <QString>

#include <memory>
#include <optional>

class QPainter;

namespace embedscope::ui {

enum class FigureFormat { Png, Svg, Pdf };

/// "png", "svg" or "pdf" (any case). Throws ConfigError naming the text and the choices.
FigureFormat parseFigureFormat(const QString& text);
/// The format of a file name's suffix; nullopt for anything else.
std::optional<FigureFormat> figureFormatOfPath(const QString& path);
QString figureFormatName(FigureFormat format); ///< "png" | "svg" | "pdf"

struct FigureOptions {
    enum class Unit { Millimetres, Pixels };
    /// Size in `unit`. Pixels mean pixels of the PNG at `dpi` (the physical size follows).
    double width = 160;
    double height = 100;
    Unit unit = Unit::Millimetres;
    double dpi = 300;            ///< PNG pixel density (and the raster density of 3-D views in PDF)
    double fontPt = 9;           ///< base font size in points (titles 1.2×, tick labels 0.9×)
    QString title;               ///< drawn above the figure; empty = none
    bool legend = true;          ///< draw the legend where the figure has one
    bool lightBackground = true; ///< white background, near-black ink; false = dark theme

    /// The size in points (1/72 in).
    QSizeF sizePoints() const;
    /// The PNG size in pixels at `dpi` (rounded; at least 1 × 1).
    QSize sizePixels() const;
    QColor background() const; ///< white or a dark grey
    QColor ink() const;        ///< text and axes: near-black or near-white
    QColor gridColor() const;  ///< light grid lines that recede behind the data
    /// Checks the numbers (size > 0 and at most 2000 mm / 20000 px, 30 <= dpi <= 2400,
    /// 4 <= fontPt <= 72). Throws ConfigError naming the field and its value.
    void validate() const;
};

/// A font of `relative` × options.fontPt points (pixel-sized in points, see above).
QFont figureFont(const FigureOptions& options, double relative = 1.0, bool bold = false);

/// One exportable view. Implementations copy the data they draw (a figure outlives the
/// widget it came from and may be painted on a worker thread's QImage).
class Figure {
public:
    virtual ~Figure() = default;
    /// A short identifier for CLI --view and file names ("loss", "dose-response", ...).
    virtual QString viewName() const = 0;
    /// Draws the whole figure (background included) into `rect`, in points.
    virtual void paint(QPainter& painter, const QRectF& rect,
                       const FigureOptions& options) const = 0;
    /// True when the figure is an image (3-D scenes): SVG export is refused with a message
    /// saying to use PNG or PDF.
    virtual bool raster() const { return false; }
};

/// Writes `figure` to `path` in `format` at options' size. The file is written to a temporary
/// name next to it and renamed (a failed export leaves no half-written file). Throws
/// ConfigError (invalid options, SVG of a raster figure) or IoError naming the path when it
/// cannot be written (missing directory, no permission).
void exportFigure(const Figure& figure, const FigureOptions& options, FigureFormat format,
                  const QString& path);

} // namespace embedscope::ui
