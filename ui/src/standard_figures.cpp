#include "embedscope/ui/standard_figures.h"

#include "plot_painter_detail.h"

#include "embedscope/engine/error.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>

namespace embedscope::ui {

using namespace detail;

namespace {

std::string num(double v) {
    return QString::number(v, 'g', 10).toStdString();
}

QString percentText(double v) {
    return QString::number(v, 'f', 1) + QStringLiteral(" %");
}

// ColorBrewer "Blues" (9 classes): sequential, prints in grey and reads for colour-blind eyes.
constexpr std::array<std::array<int, 3>, 9> kBlues{{{247, 251, 255},
                                                    {222, 235, 247},
                                                    {198, 219, 239},
                                                    {158, 202, 225},
                                                    {107, 174, 214},
                                                    {66, 146, 198},
                                                    {33, 113, 181},
                                                    {8, 81, 156},
                                                    {8, 48, 107}}};

/// Relative luminance (sRGB weights, no gamma): enough to pick black or white text.
double luminance(const QColor& c) {
    return (0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()) / 255.0;
}

const QString kColorBarTitle = QStringLiteral("Fraction of true class");

/// Width (points) of the colour bar with its tick labels and title.
double matrixColorBarWidth(const FigureOptions& options) {
    const Metrics m = metricsOf(options);
    const double bar = 0.9 * options.fontPt;
    const double labels = textSize(m.tickFont, QStringLiteral("0.8")).width();
    const double title = textSize(m.titleFont, kColorBarTitle).height();
    return m.pad + bar + m.tick + m.gap + labels + m.pad + title;
}

} // namespace

// ---- explained variance ----------------------------------------------------------------------

ExplainedVarianceFigure::ExplainedVarianceFigure(const std::vector<double>& ratio, int shown) {
    if (ratio.empty())
        throw DataError("explained variance: no components (the ratio list is empty)");
    if (shown < 1)
        throw ConfigError("explained variance: components shown = " + std::to_string(shown) +
                          ": must be at least 1");
    double sum = 0;
    for (std::size_t i = 0; i < ratio.size(); ++i) {
        if (!std::isfinite(ratio[i]) || ratio[i] < 0)
            throw DataError("explained variance: ratio of PC" + std::to_string(i + 1) + " = " +
                            num(ratio[i]) + ": must be finite and >= 0");
        sum += ratio[i];
    }
    if (sum > 1 + 1e-6)
        throw DataError("explained variance: the ratios sum to " + num(sum) +
                        " > 1: pass fractions of the total variance, not percent");
    const std::size_t n = std::min(ratio.size(), std::size_t(shown));
    double running = 0;
    for (std::size_t i = 0; i < n; ++i) {
        percent_.push_back(100 * ratio[i]);
        running += 100 * ratio[i];
        cumulative_.push_back(running);
    }
}

QColor ExplainedVarianceFigure::barColor() {
    return categoryColor(0); // Okabe–Ito blue
}

QColor ExplainedVarianceFigure::cumulativeColor() {
    return categoryColor(3); // vermillion: apart from the blue bars for every colour vision
}

PlotArea ExplainedVarianceFigure::plotArea(const QRectF& rect, const FigureOptions& options) const {
    PlotArea area(figureBodyRect(rect, options), options);
    std::vector<QString> names;
    for (std::size_t i = 0; i < percent_.size(); ++i)
        names.push_back(QStringLiteral("PC%1").arg(i + 1));
    area.setXCategories(names, QStringLiteral("Principal component"));
    area.setY(AxisScale::linear(0, 100), QStringLiteral("Explained variance (%)"));
    area.setGrid(false, true);
    const QString last = QStringLiteral("PC%1").arg(percent_.size());
    area.setLegend(
        {{QStringLiteral("Per component"), barColor(), LegendEntry::Kind::Box},
         {QStringLiteral("Cumulative (%1 at %2)").arg(percentText(cumulative_.back()), last),
          cumulativeColor(), LegendEntry::Kind::LineMarker}},
        LegendPlacement::Above);
    return area;
}

void ExplainedVarianceFigure::paint(QPainter& painter, const QRectF& rect,
                                    const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    const PlotArea area = plotArea(rect, options);
    std::vector<double> x(percent_.size());
    std::iota(x.begin(), x.end(), 0.0);
    area.drawGrid(painter);
    area.bars(painter, x, percent_, 0.7, barColor());
    QPen line(cumulativeColor(), 1.5);
    line.setJoinStyle(Qt::RoundJoin);
    area.polyline(painter, x, cumulative_, line);
    area.markers(painter, x, cumulative_, {MarkerShape::Circle, 4.5, cumulativeColor(), true});
    area.drawAxes(painter);
    area.drawLegend(painter);
    painter.restore();
}

// ---- confusion matrix ----------------------------------------------------------------------

std::vector<std::vector<int>> confusionCounts(const std::vector<int>& truth,
                                              const std::vector<int>& predicted, int classes) {
    if (classes < 1)
        throw DataError("confusion matrix: no classes (need at least one class name)");
    if (truth.empty())
        throw DataError("confusion matrix: no rows (the true classes are empty)");
    if (truth.size() != predicted.size())
        throw DataError("confusion matrix: " + std::to_string(truth.size()) + " true classes but " +
                        std::to_string(predicted.size()) +
                        " predictions: both lists need one entry per row");
    std::vector<std::vector<int>> counts(std::size_t(classes), std::vector<int>(classes, 0));
    for (std::size_t i = 0; i < truth.size(); ++i) {
        for (const auto& [list, value] : {std::pair<const char*, int>{"true class", truth[i]},
                                          std::pair<const char*, int>{"prediction", predicted[i]}})
            if (value < 0 || value >= classes)
                throw DataError("confusion matrix: row " + std::to_string(i) + ": " + list + " " +
                                std::to_string(value) + " is not a class index (0.." +
                                std::to_string(classes - 1) + " for " + std::to_string(classes) +
                                " class names)");
        ++counts[std::size_t(truth[i])][std::size_t(predicted[i])];
    }
    return counts;
}

ConfusionMatrixFigure::ConfusionMatrixFigure(const std::vector<int>& truth,
                                             const std::vector<int>& predicted,
                                             const std::vector<std::string>& classNames,
                                             QString subtitle)
    : counts_(confusionCounts(truth, predicted, int(classNames.size()))),
      subtitle_(std::move(subtitle)), total_(int(truth.size())) {
    for (const auto& name : classNames)
        names_.push_back(QString::fromStdString(name));
}

double ConfusionMatrixFigure::accuracy() const {
    int correct = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        correct += counts_[i][i];
    return double(correct) / double(total_);
}

double ConfusionMatrixFigure::rowFraction(int row, int column) const {
    const auto& r = counts_.at(std::size_t(row));
    const int sum = std::accumulate(r.begin(), r.end(), 0);
    return sum == 0 ? 0.0 : double(r.at(std::size_t(column))) / sum;
}

QColor ConfusionMatrixFigure::cellColor(double t) {
    t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
    const double pos = t * double(kBlues.size() - 1);
    const std::size_t i = std::min(kBlues.size() - 2, std::size_t(pos));
    const double f = pos - double(i);
    auto mix = [&](int k) {
        return int(std::lround(kBlues[i][k] + f * (kBlues[i + 1][k] - kBlues[i][k])));
    };
    return QColor(mix(0), mix(1), mix(2));
}

PlotArea ConfusionMatrixFigure::plotArea(const QRectF& rect, const FigureOptions& options) const {
    PlotArea area(figureBodyRect(rect, options), options);
    area.setXCategories(names_, QStringLiteral("Predicted class"));
    area.setYCategories(names_, QStringLiteral("True class"));
    area.setGrid(false, false);
    area.setBox(true);
    const QString acc =
        QStringLiteral("accuracy %1 (n = %2)").arg(percentText(100 * accuracy())).arg(total_);
    area.setPanelTitle(subtitle_.isEmpty() ? acc.left(1).toUpper() + acc.mid(1)
                                           : subtitle_ + QStringLiteral(" — ") + acc);
    area.reserveRight(matrixColorBarWidth(options));
    return area;
}

QRectF ConfusionMatrixFigure::cellRect(const QRectF& rect, const FigureOptions& options, int row,
                                       int column) const {
    return plotArea(rect, options).categoryCell(column, row);
}

void ConfusionMatrixFigure::paint(QPainter& painter, const QRectF& rect,
                                  const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    const PlotArea area = plotArea(rect, options);
    const Metrics m = metricsOf(options);
    const int n = int(counts_.size());

    for (int row = 0; row < n; ++row)
        for (int col = 0; col < n; ++col) {
            const QRectF cell =
                QRectF(area.map(col - 0.5, row - 0.5), area.map(col + 0.5, row + 0.5)).normalized();
            const QColor fill = cellColor(rowFraction(row, col));
            // Overlapping the next cell by a hair hides antialiasing seams between equal cells
            // (the frame covers the overhang of the last row and column).
            painter.fillRect(cell.adjusted(0, 0, 0.3, 0.3), fill);
            // The count, in whichever of ink and white reads on the cell; left out when the
            // cell is too small to hold it.
            const QString text = QString::number(counts_[std::size_t(row)][std::size_t(col)]);
            QFont font = m.titleFont;
            QSizeF s = textSize(font, text);
            if (s.width() > 0.9 * cell.width() || s.height() > 0.9 * cell.height()) {
                font = m.tickFont;
                s = textSize(font, text);
            }
            if (s.width() > 0.9 * cell.width() || s.height() > 0.9 * cell.height())
                continue;
            painter.setFont(font);
            painter.setPen(luminance(fill) < 0.5 ? QColor(255, 255, 255) : QColor(25, 25, 25));
            painter.drawText(cell, Qt::AlignCenter | Qt::TextDontClip, text);
        }
    area.drawAxes(painter);

    // Colour bar: the row-normalised fraction 0..1, bottom to top.
    const QRectF space = area.reservedRect();
    const double barWidth = 0.9 * options.fontPt;
    const QRectF bar(space.left() + m.pad, space.top(), barWidth, space.height());
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    for (std::size_t i = 0; i < kBlues.size(); ++i)
        gradient.setColorAt(double(i) / double(kBlues.size() - 1),
                            QColor(kBlues[i][0], kBlues[i][1], kBlues[i][2]));
    painter.fillRect(bar, gradient);
    painter.setPen(inkPen(options, 0.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    painter.setFont(m.tickFont);
    double labelsRight = bar.right() + m.tick;
    for (double t : niceTicks(0, 1, 5)) {
        const double y = bar.bottom() - t * bar.height();
        painter.setPen(inkPen(options, 0.6));
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + m.tick, y));
        const QString text = formatTick(t);
        const QSizeF s = textSize(m.tickFont, text);
        const QRectF box(bar.right() + m.tick + m.gap, y - s.height() / 2, s.width(), s.height());
        painter.setPen(options.ink());
        painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, text);
        labelsRight = std::max(labelsRight, box.right());
    }
    const QSizeF title = textSize(m.titleFont, kColorBarTitle);
    painter.setFont(m.titleFont);
    painter.translate(labelsRight + m.pad + title.height() / 2, bar.center().y());
    painter.rotate(-90);
    painter.drawText(QRectF(-title.width() / 2, -title.height() / 2, title.width(), title.height()),
                     Qt::AlignCenter | Qt::TextDontClip, kColorBarTitle);
    painter.restore();
}

} // namespace embedscope::ui
