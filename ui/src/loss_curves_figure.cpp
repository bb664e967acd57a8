#include "embedscope/ui/loss_curves_figure.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/runs_table.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace embedscope::ui {
namespace {

} // namespace

TopLossCurvesFigure::TopLossCurvesFigure(std::vector<QString> names,
                                         std::vector<std::vector<double>> valLoss,
                                         std::vector<double> metric, int topN, bool lowerIsBetter,
                                         QString metricName)
    : lowerIsBetter_(lowerIsBetter), metricName_(std::move(metricName)) {
    if (names.size() != valLoss.size() || names.size() != metric.size())
        throw DataError("top loss curves: " + std::to_string(names.size()) + " runs, " +
                        std::to_string(valLoss.size()) + " curves and " +
                        std::to_string(metric.size()) + " metric values (need one each)");
    if (topN < 1)
        throw DataError("top loss curves: N is " + std::to_string(topN) + " (need at least 1)");
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (std::isfinite(metric[i]))
            order.push_back(i);
    // Stable: equal metrics keep the caller's order.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return lowerIsBetter ? metric[a] < metric[b] : metric[a] > metric[b];
    });
    order.resize(std::min(order.size(), std::size_t(topN)));
    double xMax = 1, yLo = std::numeric_limits<double>::infinity(), yHi = -yLo;
    for (std::size_t i : order) {
        names_.push_back(names[i]);
        curves_.push_back(valLoss[i]);
        metric_.push_back(metric[i]);
        xMax = std::max(xMax, double(valLoss[i].size()));
        for (double v : valLoss[i])
            if (std::isfinite(v)) {
                yLo = std::min(yLo, v);
                yHi = std::max(yHi, v);
            }
    }
    if (!metric_.empty()) {
        const auto [lo, hi] = std::minmax_element(metric_.begin(), metric_.end());
        metricMin_ = *lo;
        metricMax_ = *hi;
    }
    // Epochs count from 1 as the training log prints them.
    xScale_ = AxisScale::niceLinear(1, std::max(2.0, xMax));
    yScale_ = yLo <= yHi ? AxisScale::niceLinear(yLo, yHi) : AxisScale::linear(0, 1);
}

QColor TopLossCurvesFigure::runColor(std::size_t i) const {
    const double t =
        metricMax_ > metricMin_ ? (metric_[i] - metricMin_) / (metricMax_ - metricMin_) : 0.5;
    return viridisColor(t);
}

PlotArea TopLossCurvesFigure::plotArea(const QRectF& rect, const FigureOptions& options) const {
    PlotArea area(figureBodyRect(rect, options), options);
    area.setX(xScale_, QStringLiteral("Epoch"));
    // Epochs are whole: no 1.5 tick on a short run.
    std::vector<double> ticks;
    for (double t : xScale_.ticks())
        if (t == std::round(t) && t >= xScale_.min && t <= xScale_.max)
            ticks.push_back(t);
    if (ticks.size() >= 2)
        area.setXTicks(ticks);
    else
        area.setXTicks({xScale_.min, xScale_.max});
    area.setY(yScale_, QStringLiteral("Validation loss"));
    const QString by = metricName_.isEmpty() ? QObject::tr("the metric") : metricName_;
    area.setPanelTitle(QObject::tr("Best %1 runs by %2 (%3 is better)")
                           .arg(names_.size())
                           .arg(by, lowerIsBetter_ ? QObject::tr("lower") : QObject::tr("higher")));
    area.reserveRight(colorBarWidth(options));
    return area;
}

void TopLossCurvesFigure::paint(QPainter& painter, const QRectF& rect,
                                const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    const PlotArea area = plotArea(rect, options);
    area.drawGrid(painter);
    // Worst first so the best run's line lies on top.
    for (std::size_t k = names_.size(); k-- > 0;) {
        std::vector<double> x(curves_[k].size());
        std::iota(x.begin(), x.end(), 1.0);
        area.polyline(painter, x, curves_[k], QPen(runColor(k), k == 0 ? 2.0 : 1.3));
    }
    area.drawAxes(painter);

    // Colour bar: the kept runs' metric, minimum at the bottom.
    const QRectF inner = area.inner();
    const QRectF strip = area.reservedRect();
    const AxisScale scale = metricMax_ > metricMin_
                                ? AxisScale::linear(metricMin_, metricMax_)
                                : AxisScale::linear(metricMin_ - 0.5, metricMin_ + 0.5);
    drawColorBar(painter, QRectF(strip.left() + 10, inner.top(), 10, inner.height()), strip.right(),
                 scale, scale.ticks(4), viridisColor, metricName_, options);
    painter.restore();
}

std::shared_ptr<TopLossCurvesFigure> topLossCurvesOf(const ProjectFile& project,
                                                     const std::vector<std::string>& names,
                                                     const std::string& metric, bool lowerIsBetter,
                                                     int n) {
    for (const std::string& name : names)
        if (!project.hasRun(name))
            throw ConfigError(project.path() + ": no run named '" + name + "'");
    // The table resolves the metric the way the Runs dock names it (Info or Metric column).
    const RunsTable table = runsTable(project);
    const std::vector<double> values = table.numbers(metric);
    std::vector<QString> qnames;
    std::vector<std::vector<double>> curves;
    std::vector<double> metricValues;
    for (const std::string& name : names) {
        double value = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t r = 0; r < table.rows.size(); ++r)
            if (table.runName(r) == name)
                value = values[r];
        qnames.push_back(QString::fromStdString(name));
        metricValues.push_back(value);
        curves.emplace_back(); // filled below for the kept runs only
    }
    // Read curves only for the runs that can be kept (a finite metric), best first.
    auto probe = TopLossCurvesFigure(qnames, curves, metricValues, std::max(n, 1), lowerIsBetter);
    for (const QString& kept : probe.runs()) {
        const auto i = std::size_t(std::find(qnames.begin(), qnames.end(), kept) - qnames.begin());
        curves[i] = project.readRun(names[i], ProjectFile::RunContent::Summary).valLoss;
    }
    return std::make_shared<TopLossCurvesFigure>(qnames, curves, metricValues, n, lowerIsBetter,
                                                 QString::fromStdString(metric));
}

} // namespace embedscope::ui
