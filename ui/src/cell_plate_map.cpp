// The plate map figure of the Plate view (cell_plate_view.h): plates as grids of round wells,
// laid out side by side or wrapped, whichever gives the largest wells, with a legend or a
// colour bar on the right (screen and files share this code, figure.h); and the view's well
// colours and tooltips.
#include "embedscope/ui/cell_plate_view.h"
#include "embedscope/ui/plot_painter.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <set>

namespace embedscope::ui {
namespace {

/// "A".."Z", "AA".. (the inverse of parseCellWellName's rows).
QString rowName(int row) {
    QString out;
    for (int r = row + 1; r > 0; r = (r - 1) / 26)
        out.prepend(QChar('A' + (r - 1) % 26));
    return out;
}

const QString kCells = QStringLiteral("cells");

bool isControlValue(const QString& column, const QString& value) {
    return value == QLatin1String("DMSO") || value == QLatin1String("control") ||
           (column.compare(QLatin1String("control"), Qt::CaseInsensitive) == 0 &&
            value == QLatin1String("1"));
}

constexpr double kMaxCell = 36; // points: a few wells do not become saucers
constexpr double kPad = 4;

} // namespace

CellPlateMapFigure::CellPlateMapFigure(std::shared_ptr<const std::vector<CellPlate>> plates,
                                       CellPlateColors colors, int selectedPlate, int selectedWell)
    : plates_(std::move(plates)), colors_(std::move(colors)), selectedPlate_(selectedPlate),
      selectedWell_(selectedWell) {
    // One grid for every plate, so that wells have one size and plates line up.
    for (const CellPlate& p : *plates_) {
        rows_ = std::max(rows_, p.rows);
        columns_ = std::max(columns_, p.columns);
    }
}

double CellPlateMapFigure::legendWidth(const FigureOptions& options, double bodyWidth) const {
    if (!options.legend)
        return 0;
    const QFontMetricsF fm(figureFont(options, 0.9));
    if (colors_.numeric) // bar, tick labels, the upward title's band
        return 10 + fm.horizontalAdvance(QStringLiteral("-0.000")) + 1.6 * options.fontPt + 14;
    double text = fm.horizontalAdvance(colors_.title);
    for (const auto& [name, colour] : colors_.categories)
        text = std::max(text, fm.horizontalAdvance(name));
    return std::min(text + fm.height() + 12, 0.35 * bodyWidth);
}

CellPlateMapFigure::Geometry CellPlateMapFigure::geometry(const QRectF& rect,
                                                          const FigureOptions& options) const {
    Geometry g;
    g.body = figureBodyRect(rect, options).adjusted(kPad, kPad, -kPad, -kPad);
    const double lw = legendWidth(options, g.body.width());
    g.legend = QRectF(g.body.right() - lw, g.body.top(), lw, g.body.height());
    const QRectF area = g.body.adjusted(0, 0, -(lw > 0 ? lw + kPad : 0), 0);
    g.titleH = QFontMetricsF(figureFont(options, 1.0, true)).height() + 2;
    const int n = std::max<int>(1, int(plates_->size()));
    // A plate block: row labels + grid + a gap of one cell; column labels above the grid.
    for (int perRow = n; perRow >= 1; --perRow) { // ties: side by side
        const int blockRows = (n + perRow - 1) / perRow;
        const double byW = area.width() / (perRow * (columns_ + 2.0) - 1.0);
        const double byH =
            (area.height() - blockRows * g.titleH) / (blockRows * (rows_ + 2.0) - 1.0);
        const double cell = std::min({byW, byH, kMaxCell});
        if (cell > g.cell) {
            g.cell = cell;
            g.perRow = perRow;
        }
    }
    g.cell = std::max(g.cell, 0.5);
    const int blockRows = (n + g.perRow - 1) / g.perRow;
    const double blockW = (columns_ + 1.0) * g.cell, blockH = g.titleH + (rows_ + 1.0) * g.cell;
    const double usedW = g.perRow * blockW + (g.perRow - 1) * g.cell;
    const double usedH = blockRows * blockH + (blockRows - 1) * g.cell;
    const QPointF origin(area.left() + (area.width() - usedW) / 2,
                         area.top() + std::max(0.0, (area.height() - usedH) / 2));
    // The key right beside the plates rather than at the far edge of a wide view.
    if (lw > 0)
        g.legend.moveLeft(std::min(g.legend.left(), origin.x() + usedW + kPad));
    for (int p = 0; p < n; ++p) {
        const int bx = p % g.perRow, by = p / g.perRow;
        g.grids.emplace_back(origin.x() + bx * (blockW + g.cell) + g.cell,
                             origin.y() + by * (blockH + g.cell) + g.titleH + g.cell);
    }
    return g;
}

QPointF CellPlateMapFigure::wellCentre(const QRectF& rect, const FigureOptions& options, int plate,
                                       int row, int column) const {
    const Geometry g = geometry(rect, options);
    if (plate < 0 || plate >= int(g.grids.size()))
        return {};
    return g.grids[std::size_t(plate)] + QPointF((column + 0.5) * g.cell, (row + 0.5) * g.cell);
}

double CellPlateMapFigure::wellRadius(const QRectF& rect, const FigureOptions& options) const {
    return 0.42 * geometry(rect, options).cell;
}

std::pair<int, int> CellPlateMapFigure::wellAt(const QRectF& rect, const FigureOptions& options,
                                               QPointF point) const {
    const Geometry g = geometry(rect, options);
    for (std::size_t p = 0; p < plates_->size(); ++p) {
        const QPointF local = point - g.grids[p];
        const int column = int(std::floor(local.x() / g.cell));
        const int row = int(std::floor(local.y() / g.cell));
        if (column < 0 || row < 0 || column >= columns_ || row >= rows_)
            continue;
        // Inside the round well (a little beyond its edge), not just its square cell.
        const QPointF d = local - QPointF((column + 0.5) * g.cell, (row + 0.5) * g.cell);
        if (std::hypot(d.x(), d.y()) > 0.46 * g.cell)
            return {-1, -1};
        const auto& wells = (*plates_)[p].wells;
        for (std::size_t w = 0; w < wells.size(); ++w)
            if (wells[w].row == row && wells[w].column == column)
                return {int(p), int(w)};
        return {-1, -1};
    }
    return {-1, -1};
}

void CellPlateMapFigure::paint(QPainter& painter, const QRectF& rect,
                               const FigureOptions& options) const {
    figureBody(painter, rect, options);
    const Geometry g = geometry(rect, options);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const double r = 0.42 * g.cell;
    QColor faint = options.ink();
    faint.setAlphaF(0.3);
    QColor edge = options.ink();
    edge.setAlphaF(0.55);
    // Row letters and column numbers at most every n-th, so that labels never overlap.
    const double labelRel = std::clamp(0.75 * g.cell / options.fontPt, 0.1, 0.85);
    const QFont labelFont = figureFont(options, labelRel);
    const QFontMetricsF fm(labelFont);
    const int columnStep =
        std::max(1, int(std::ceil((fm.horizontalAdvance(QString::number(columns_)) + 2) / g.cell)));
    const int rowStep = std::max(1, int(std::ceil(fm.height() / g.cell)));
    for (std::size_t p = 0; p < plates_->size(); ++p) {
        const CellPlate& plate = (*plates_)[p];
        const QPointF o = g.grids[p];
        painter.setPen(options.ink());
        painter.setFont(figureFont(options, 1.0, true));
        const QRectF titleRect(o.x() - g.cell, o.y() - g.cell - g.titleH, (columns_ + 1) * g.cell,
                               g.titleH);
        painter.drawText(
            titleRect, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(painter.font())
                .elidedText(QString::fromStdString(plate.name), Qt::ElideRight, titleRect.width()));
        if (labelRel * options.fontPt >= 2.5) {
            painter.setFont(labelFont);
            for (int c = 0; c < columns_; c += columnStep)
                painter.drawText(
                    QRectF(o.x() + c * g.cell - g.cell, o.y() - g.cell, 3 * g.cell, g.cell),
                    Qt::AlignCenter, QString::number(c + 1));
            for (int row = 0; row < rows_; row += rowStep)
                painter.drawText(QRectF(o.x() - g.cell, o.y() + row * g.cell, g.cell * 0.9, g.cell),
                                 Qt::AlignRight | Qt::AlignVCenter, rowName(row));
        }
        // Empty positions first (outlines), then the data set's wells.
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(faint, 0.5));
        for (int row = 0; row < rows_; ++row)
            for (int c = 0; c < columns_; ++c)
                painter.drawEllipse(o + QPointF((c + 0.5) * g.cell, (row + 0.5) * g.cell), r, r);
        const auto& fills = p < colors_.wells.size() ? colors_.wells[p] : std::vector<QColor>();
        for (std::size_t w = 0; w < plate.wells.size(); ++w) {
            const CellWell& well = plate.wells[w];
            const QPointF c = o + QPointF((well.column + 0.5) * g.cell, (well.row + 0.5) * g.cell);
            const QColor fill =
                w < fills.size() && fills[w].isValid() ? fills[w] : options.gridColor();
            painter.setBrush(fill);
            painter.setPen(QPen(edge, 0.5));
            painter.drawEllipse(c, r, r);
        }
        if (int(p) == selectedPlate_ && selectedWell_ >= 0 &&
            selectedWell_ < int(plate.wells.size())) {
            const CellWell& well = plate.wells[std::size_t(selectedWell_)];
            const QPointF c = o + QPointF((well.column + 0.5) * g.cell, (well.row + 0.5) * g.cell);
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(options.ink(), std::max(1.2, 0.1 * g.cell)));
            painter.drawEllipse(c, 0.5 * g.cell, 0.5 * g.cell);
        }
    }
    painter.restore();
    if (g.legend.width() > 0)
        paintLegend(painter, g.legend, options);
}

void CellPlateMapFigure::paintLegend(QPainter& painter, const QRectF& area,
                                     const FigureOptions& options) const {
    painter.save();
    if (colors_.numeric) {
        const double h = std::min(area.height() - 12, 180.0);
        const QRectF bar(area.left() + 2, area.center().y() - h / 2, 10, h);
        const double lo = colors_.min,
                     hi = colors_.max > colors_.min ? colors_.max : colors_.min + 1;
        const AxisScale scale = AxisScale::linear(lo, hi);
        std::vector<double> ticks;
        for (double t : niceTicks(lo, hi, 4))
            if (t >= lo - 1e-9 * (hi - lo) && t <= hi + 1e-9 * (hi - lo))
                ticks.push_back(t);
        drawColorBar(painter, bar, area.right(), scale, ticks, viridisColor, colors_.title,
                     options);
    } else {
        const QFont font = figureFont(options, 0.9);
        const QFontMetricsF fm(font);
        const double line = fm.height() * 1.25, swatch = fm.height() * 0.8;
        double y = area.top();
        painter.setPen(options.ink());
        painter.setFont(figureFont(options, 0.9, true));
        painter.drawText(QRectF(area.left(), y, area.width(), line),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(colors_.title, Qt::ElideRight, area.width()));
        y += line;
        painter.setFont(font);
        const int room = std::max(1, int((area.bottom() - y) / line));
        const int n = int(colors_.categories.size());
        const int shown = n > room ? room - 1 : n;
        for (int i = 0; i < shown; ++i) {
            const auto& [name, colour] = colors_.categories[std::size_t(i)];
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour);
            painter.drawEllipse(QPointF(area.left() + swatch / 2, y + line / 2), swatch / 2,
                                swatch / 2);
            painter.setPen(options.ink());
            const QRectF text(area.left() + swatch + 4, y, area.width() - swatch - 4, line);
            painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                             fm.elidedText(name, Qt::ElideRight, text.width()));
            y += line;
        }
        if (shown < n)
            painter.drawText(QRectF(area.left(), y, area.width(), line),
                             Qt::AlignLeft | Qt::AlignVCenter,
                             QStringLiteral("… %1 more").arg(n - shown));
    }
    painter.restore();
}

std::string CellPlateView::profileKey(const std::string& plate, const std::string& well) {
    return plate + '\x1f' + well;
}

CellPlateColors CellPlateView::colorsFor(const QString& choice) const {
    CellPlateColors out;
    out.title = choice;
    const std::string column = choice.toStdString();
    const auto profile = profiles_.find(column);
    const bool categorical =
        choice != kCells && profile == profiles_.end() &&
        (choice.compare(QLatin1String("control"), Qt::CaseInsensitive) == 0 ||
         !crops_->metadata.has(column) || !crops_->metadata.column(column).numeric);
    std::vector<std::vector<QString>> text(plates_->size());
    std::vector<std::vector<double>> number(plates_->size());
    for (std::size_t p = 0; p < plates_->size(); ++p)
        for (const CellWell& w : (*plates_)[p].wells) {
            double v = std::nan("");
            const auto m = w.metadata.find(column);
            if (choice == kCells) {
                v = double(w.cells);
            } else if (profile != profiles_.end()) {
                const auto it = profile->second.find(profileKey(w.plate, w.well));
                v = it == profile->second.end() ? v : it->second;
            } else if (m != w.metadata.end()) {
                bool ok = false;
                text[p].push_back(QString::fromStdString(m->second));
                v = text[p].back().toDouble(&ok);
                v = ok ? v : std::nan("");
                number[p].push_back(v);
                continue;
            }
            text[p].push_back({});
            number[p].push_back(v);
        }
    out.numeric = !categorical;
    if (categorical) {
        std::set<QString> values; // sorted: colours do not depend on the wells' order
        for (const auto& plate : text)
            for (const QString& t : plate)
                if (!t.isNull())
                    values.insert(t);
        std::map<QString, QColor> colorOf;
        int next = 0;
        for (const QString& v : values) {
            colorOf[v] = isControlValue(choice, v) ? controlGrey() : categoryColor(next++);
            out.categories.emplace_back(v, colorOf[v]);
        }
        for (const auto& plate : text) {
            out.wells.emplace_back();
            for (const QString& t : plate)
                out.wells.back().push_back(t.isNull() ? QColor() : colorOf[t]);
        }
        return out;
    }
    out.min = INFINITY;
    out.max = -INFINITY;
    for (const auto& plate : number)
        for (double v : plate)
            if (std::isfinite(v)) {
                out.min = std::min(out.min, v);
                out.max = std::max(out.max, v);
            }
    if (!(out.min <= out.max))
        out.min = 0, out.max = 1;
    for (const auto& plate : number) {
        out.wells.emplace_back();
        for (double v : plate)
            out.wells.back().push_back(
                !std::isfinite(v)
                    ? QColor()
                    : viridisColor(out.max > out.min ? (v - out.min) / (out.max - out.min) : 0.5));
    }
    return out;
}

QString CellPlateView::wellTip(int plate, int well) const {
    const CellWell& w = (*plates_)[std::size_t(plate)].wells[std::size_t(well)];
    QStringList lines{QString::fromStdString(w.plate + " " + w.well)};
    for (const char* key : {"compound", "dose", "moa"}) {
        const auto it = w.metadata.find(key);
        if (it != w.metadata.end())
            lines << QStringLiteral("%1: %2").arg(QLatin1String(key),
                                                  QString::fromStdString(it->second));
    }
    lines << tr("%n cell(s)", nullptr, int(w.cells));
    const QString choice = colorBy();
    if (choice != kCells && !choice.isEmpty() && !lines.join('\n').contains(choice + ": ")) {
        const auto profile = profiles_.find(choice.toStdString());
        const auto m = w.metadata.find(choice.toStdString());
        if (profile != profiles_.end()) {
            const auto v = profile->second.find(profileKey(w.plate, w.well));
            lines << QStringLiteral("%1: %2").arg(
                choice, v == profile->second.end() ? tr("no value") : QString::number(v->second));
        } else if (m != w.metadata.end()) {
            lines << QStringLiteral("%1: %2").arg(choice, QString::fromStdString(m->second));
        }
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace embedscope::ui
