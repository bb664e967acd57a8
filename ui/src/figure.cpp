#include "embedscope/ui/figure.h"

#include "embedscope/engine/error.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <string>

namespace embedscope::ui {

namespace {

constexpr double kMmPerInch = 25.4;
constexpr double kPointsPerInch = 72;
// PDF painter resolution: fine enough that Qt's integer device geometry does not round the
// page, while one painter unit is still scaled to exactly one point.
constexpr int kPdfResolution = 1200;

std::string str(const QString& s) {
    return s.toStdString();
}

std::string num(double v) {
    return QString::number(v, 'g', 6).toStdString();
}

} // namespace

FigureFormat parseFigureFormat(const QString& text) {
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("png"))
        return FigureFormat::Png;
    if (t == QLatin1String("svg"))
        return FigureFormat::Svg;
    if (t == QLatin1String("pdf"))
        return FigureFormat::Pdf;
    throw ConfigError("figure format '" + str(text) + "' is unknown: choose png, svg or pdf");
}

std::optional<FigureFormat> figureFormatOfPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return FigureFormat::Png;
    if (suffix == QLatin1String("svg"))
        return FigureFormat::Svg;
    if (suffix == QLatin1String("pdf"))
        return FigureFormat::Pdf;
    return std::nullopt;
}

QString figureFormatName(FigureFormat format) {
    switch (format) {
    case FigureFormat::Png:
        return QStringLiteral("png");
    case FigureFormat::Svg:
        return QStringLiteral("svg");
    case FigureFormat::Pdf:
        return QStringLiteral("pdf");
    }
    return {};
}

QSizeF FigureOptions::sizePoints() const {
    const double perUnit =
        unit == Unit::Millimetres ? kPointsPerInch / kMmPerInch : kPointsPerInch / dpi;
    return {width * perUnit, height * perUnit};
}

QSize FigureOptions::sizePixels() const {
    const double perUnit = unit == Unit::Millimetres ? dpi / kMmPerInch : 1.0;
    return {std::max(1, int(std::lround(width * perUnit))),
            std::max(1, int(std::lround(height * perUnit)))};
}

QColor FigureOptions::background() const {
    return lightBackground ? QColor(255, 255, 255) : QColor(32, 33, 36);
}

QColor FigureOptions::ink() const {
    return lightBackground ? QColor(25, 25, 25) : QColor(232, 232, 232);
}

QColor FigureOptions::gridColor() const {
    return lightBackground ? QColor(224, 224, 224) : QColor(70, 72, 76);
}

void FigureOptions::validate() const {
    const bool mm = unit == Unit::Millimetres;
    const double maxSize = mm ? 2000 : 20000;
    const std::string unitName = mm ? " mm" : " px";
    for (const auto& [name, value] : {std::pair<const char*, double>{"width", width},
                                      std::pair<const char*, double>{"height", height}})
        if (!(value > 0 && value <= maxSize))
            throw ConfigError(std::string("figure option '") + name + "' = " + num(value) +
                              unitName + ": must be > 0 and at most " + num(maxSize) + unitName);
    if (!(dpi >= 30 && dpi <= 2400))
        throw ConfigError("figure option 'dpi' = " + num(dpi) + ": must be between 30 and 2400");
    if (!(fontPt >= 4 && fontPt <= 72))
        throw ConfigError("figure option 'fontPt' = " + num(fontPt) +
                          ": must be between 4 and 72 points");
}

QFont figureFont(const FigureOptions& options, double relative, bool bold) {
    QFont font(QStringLiteral("DejaVu Sans"));
    // Pixel-sized: the painter maps one unit to one point on every device (see figure.h).
    font.setPixelSize(std::max(1, int(std::lround(options.fontPt * relative))));
    font.setBold(bold);
    font.setStyleStrategy(QFont::PreferAntialias);
    return font;
}

namespace {

void writePng(const Figure& figure, const FigureOptions& options, QIODevice& out) {
    QImage image(options.sizePixels(), QImage::Format_ARGB32);
    image.fill(options.background());
    // pHYs: dots per metre, so viewers and word processors know the physical size.
    const int dpm = int(std::lround(options.dpi / 0.0254));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                               QPainter::SmoothPixmapTransform);
        painter.scale(options.dpi / kPointsPerInch, options.dpi / kPointsPerInch);
        figure.paint(painter, QRectF(QPointF(0, 0), options.sizePoints()), options);
    }
    if (!image.save(&out, "PNG"))
        throw IoError("PNG encoder failed");
}

void writeSvg(const Figure& figure, const FigureOptions& options, QIODevice& out) {
    const QSizeF points = options.sizePoints();
    QSvgGenerator generator;
    generator.setOutputDevice(&out);
    generator.setResolution(int(kPointsPerInch));
    generator.setSize(QSize(int(std::ceil(points.width())), int(std::ceil(points.height()))));
    generator.setViewBox(QRectF(QPointF(0, 0), points));
    generator.setTitle(options.title.isEmpty() ? figure.viewName() : options.title);
    generator.setDescription(QStringLiteral("embedscope figure '%1'").arg(figure.viewName()));
    QPainter painter;
    if (!painter.begin(&generator))
        throw IoError("SVG generator could not start");
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    figure.paint(painter, QRectF(QPointF(0, 0), points), options);
    painter.end();
}

void writePdf(const Figure& figure, const FigureOptions& options, QIODevice& out) {
    const QSizeF points = options.sizePoints();
    QPdfWriter writer(&out);
    writer.setCreator(QStringLiteral("embedscope"));
    writer.setTitle(options.title.isEmpty() ? figure.viewName() : options.title);
    // ExactMatch: a custom size must not snap to the nearest standard paper size.
    const QPageSize pageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch);
    writer.setPageLayout(
        QPageLayout(pageSize, QPageLayout::Portrait, QMarginsF(0, 0, 0, 0), QPageLayout::Point));
    writer.setResolution(kPdfResolution);
    QPainter painter;
    if (!painter.begin(&writer))
        throw IoError("PDF writer could not start");
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                           QPainter::SmoothPixmapTransform);
    painter.scale(kPdfResolution / kPointsPerInch, kPdfResolution / kPointsPerInch);
    figure.paint(painter, QRectF(QPointF(0, 0), points), options);
    painter.end();
}

} // namespace

void exportFigure(const Figure& figure, const FigureOptions& options, FigureFormat format,
                  const QString& path) {
    options.validate();
    if (format == FigureFormat::Svg && figure.raster())
        throw ConfigError("cannot write " + str(path) + " as SVG: '" + str(figure.viewName()) +
                          "' is a 3-D view: export it as PNG or PDF");
    const QFileInfo info(path);
    const QString where = QDir::toNativeSeparators(info.absoluteFilePath());
    if (path.isEmpty())
        throw IoError("cannot write the figure: no file name given");
    if (!info.absoluteDir().exists())
        throw IoError("cannot write " + str(where) + ": directory " +
                      str(QDir::toNativeSeparators(info.absolutePath())) + " does not exist");
    if (info.isDir())
        throw IoError("cannot write " + str(where) + ": it is a directory");

    // QSaveFile writes to a temporary file next to the target and renames it on commit();
    // destroyed without commit() it removes the temporary (also when paint() throws).
    QSaveFile file(info.absoluteFilePath());
    if (!file.open(QIODevice::WriteOnly))
        throw IoError("cannot write " + str(where) + ": " + str(file.errorString()));
    try {
        switch (format) {
        case FigureFormat::Png:
            writePng(figure, options, file);
            break;
        case FigureFormat::Svg:
            writeSvg(figure, options, file);
            break;
        case FigureFormat::Pdf:
            writePdf(figure, options, file);
            break;
        }
    } catch (const IoError& e) {
        file.cancelWriting();
        throw IoError("cannot write " + str(where) + ": " + e.what());
    } catch (...) {
        file.cancelWriting();
        throw;
    }
    if (file.error() != QFileDevice::NoError) {
        const QString reason = file.errorString();
        file.cancelWriting();
        throw IoError("cannot write " + str(where) + ": " + str(reason));
    }
    if (!file.commit())
        throw IoError("cannot write " + str(where) + ": " + str(file.errorString()));
}

} // namespace embedscope::ui
