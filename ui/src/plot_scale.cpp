// Axis scales, tick rules and labels, the palette and the figure title of the plotting layer
// (plot_painter.h); the PlotArea layout is in plot_painter.cpp, its drawing in
// plot_painter_draw.cpp.
#include "embedscope/ui/plot_painter.h"

#include "embedscope/engine/error.h"
#include "embedscope/viewer/curve_overlay.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace embedscope::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double v) {
    return QString::number(v, 'g', 10).toStdString();
}

void requireFinite(double min, double max, const char* what) {
    if (!std::isfinite(min) || !std::isfinite(max))
        throw DataError(std::string(what) + ": axis bounds must be finite, got [" + num(min) +
                        ", " + num(max) + "]");
}

/// m × 10^k as the double nearest to the decimal (division for k < 0, so 3 × 0.2 is 0.6).
double decimal(long long m, int k) {
    return k >= 0 ? double(m) * std::pow(10.0, k) : double(m) / std::pow(10.0, -k);
}

/// The 1-2-5 step as mantissa and exponent.
std::pair<int, int> stepParts(double span, int target) {
    const double raw = span / target;
    if (!(raw > 0) || !std::isfinite(raw))
        return {1, 0};
    const int k = int(std::floor(std::log10(raw)));
    for (int m : {1, 2, 5})
        if (decimal(m, k) >= raw * (1 - 1e-9))
            return {m, k};
    return {1, k + 1};
}

} // namespace

// ---- scales and ticks ----------------------------------------------------------------------

AxisScale AxisScale::linear(double min, double max) {
    requireFinite(min, max, "linear axis");
    return {Kind::Linear, min, max};
}

AxisScale AxisScale::niceLinear(double min, double max, int target) {
    requireFinite(min, max, "linear axis");
    if (min == max) {
        const double d = min == 0 ? 1 : std::abs(min) * 0.1;
        min -= d;
        max += d;
    }
    const auto t = niceTicks(min, max, target);
    return min < max ? AxisScale{Kind::Linear, t.front(), t.back()}
                     : AxisScale{Kind::Linear, t.back(), t.front()};
}

AxisScale AxisScale::log10(double min, double max) {
    requireFinite(min, max, "log axis");
    if (!(min > 0 && max > 0))
        throw DataError("log axis: bounds must be > 0, got [" + num(min) + ", " + num(max) +
                        "]: zero or negative values have no place on a log axis");
    return {Kind::Log10, min, max};
}

AxisScale AxisScale::niceLog10(double min, double max) {
    const AxisScale s = log10(std::min(min, max), std::max(min, max));
    int k0 = int(std::floor(std::log10(s.min) + 1e-9));
    int k1 = int(std::ceil(std::log10(s.max) - 1e-9));
    if (k0 == k1) {
        --k0;
        ++k1;
    }
    return {Kind::Log10, decimal(1, k0), decimal(1, k1)};
}

double AxisScale::fraction(double v) const {
    if (std::isnan(v))
        return kNaN;
    if (kind == Kind::Linear)
        return max == min ? 0.5 : (v - min) / (max - min);
    if (!(v > 0))
        return kNaN;
    const double a = std::log10(min), b = std::log10(max);
    return a == b ? 0.5 : (std::log10(v) - a) / (b - a);
}

double AxisScale::value(double f) const {
    if (kind == Kind::Linear)
        return min + f * (max - min);
    const double a = std::log10(min), b = std::log10(max);
    return std::pow(10.0, a + f * (b - a));
}

std::vector<double> AxisScale::ticks(int target) const {
    const double lo = std::min(min, max), hi = std::max(min, max);
    if (lo == hi)
        return {lo};
    std::vector<double> out;
    if (kind == Kind::Log10) {
        for (double t : logTicks(lo, hi))
            if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                out.push_back(t);
        if (out.size() >= 2)
            return out;
        // Within about a decade: 1, 2 and 5 × 10^k read better than a lone power of ten.
        out.clear();
        for (int k = int(std::floor(std::log10(lo))) - 1; k <= int(std::ceil(std::log10(hi))); ++k)
            for (int mant : {1, 2, 5}) {
                const double t = decimal(mant, k);
                if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                    out.push_back(t);
            }
        return out;
    }
    const double eps = (hi - lo) * 1e-9;
    for (double t : niceTicks(lo, hi, target))
        if (t >= lo - eps && t <= hi + eps)
            out.push_back(t);
    return out;
}

std::vector<double> AxisScale::minorTicks() const {
    if (kind != Kind::Log10)
        return {};
    return logTicks(std::min(min, max), std::max(min, max), true);
}

double niceStep(double span, int target) {
    const auto [m, k] = stepParts(span, std::max(1, target));
    return decimal(m, k);
}

std::vector<double> niceTicks(double min, double max, int target) {
    requireFinite(min, max, "ticks");
    if (target < 1)
        throw DataError("ticks: target count must be >= 1, got " + std::to_string(target));
    const double lo = std::min(min, max), hi = std::max(min, max);
    if (lo == hi)
        return {lo};
    const auto [m, k] = stepParts(hi - lo, target);
    const double step = decimal(m, k);
    const long long i0 = (long long)std::floor(lo / step + 1e-9);
    const long long i1 = (long long)std::ceil(hi / step - 1e-9);
    std::vector<double> out;
    for (long long i = i0; i <= i1; ++i)
        out.push_back(decimal(i * m, k));
    return out;
}

std::vector<double> logTicks(double min, double max, bool minor) {
    if (!(std::isfinite(min) && std::isfinite(max) && min > 0 && min <= max))
        throw DataError("log ticks: need 0 < min <= max, got [" + num(min) + ", " + num(max) + "]");
    const int k0 = int(std::floor(std::log10(min) + 1e-9));
    const int k1 = int(std::ceil(std::log10(max) - 1e-9));
    std::vector<double> out;
    if (!minor) {
        const int stride = std::max(1, int(std::ceil((k1 - k0 + 1) / 10.0)));
        for (int k = k0; k <= k1; k += stride)
            out.push_back(decimal(1, k));
        return out;
    }
    for (int k = k0; k <= k1; ++k)
        for (int m = 2; m <= 9; ++m) {
            const double v = decimal(m, k);
            if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9))
                out.push_back(v);
        }
    return out;
}

QString formatTick(double v) {
    if (!std::isfinite(v))
        return QString::number(v);
    if (v == 0)
        return QStringLiteral("0");
    const double a = std::abs(v);
    if (a < 1e-4 || a >= 1e6)
        return QString::number(v, 'g', 6);
    QString s = QString::number(v, 'f', 8);
    while (s.endsWith('0'))
        s.chop(1);
    if (s.endsWith('.'))
        s.chop(1);
    return s == QLatin1String("-0") ? QStringLiteral("0") : s;
}

QColor categoryColor(int index) {
    static const auto palette = viewer::ScatterScene::palette();
    const auto& c = palette[std::size_t(std::abs(index)) % palette.size()];
    return QColor(c[0], c[1], c[2]);
}

QColor controlGrey() {
    const auto c = viewer::ScatterScene::controlColor();
    return QColor(c[0], c[1], c[2]);
}

QColor viridisColor(double t) {
    const auto rgb = viewer::CurveOverlay::viridis(std::clamp(t, 0.0, 1.0));
    return QColor(rgb[0], rgb[1], rgb[2]);
}

double colorBarWidth(const FigureOptions& options, const QString& widestTick) {
    const QFontMetricsF tick(figureFont(options, 0.9));
    return 10 + 10 + 3 + 2 + tick.horizontalAdvance(widestTick) +
           1.6 * figureFont(options).pixelSize();
}

void drawColorBar(QPainter& painter, const QRectF& bar, double titleRight, const AxisScale& scale,
                  const std::vector<double>& ticks, const std::function<QColor(double)>& colour,
                  const QString& title, const FigureOptions& options) {
    painter.save();
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    for (int k = 0; k <= 8; ++k)
        gradient.setColorAt(k / 8.0, colour(k / 8.0));
    painter.fillRect(bar, gradient);
    painter.setPen(QPen(options.ink(), 0.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const QFont tickFont = figureFont(options, 0.9);
    const double lh = tickFont.pixelSize();
    painter.setFont(tickFont);
    for (double t : ticks) {
        const double y = bar.bottom() - scale.fraction(t) * bar.height();
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        painter.drawText(
            QRectF(bar.right() + 5, y - lh, std::max(1.0, titleRight - bar.right() - 5), 2 * lh),
            Qt::AlignLeft | Qt::AlignVCenter, formatTick(t));
    }
    if (!title.isEmpty()) {
        const QFont titleFont = figureFont(options);
        const double band = 1.6 * titleFont.pixelSize();
        painter.setFont(titleFont);
        painter.translate(titleRight - band / 2, bar.center().y());
        painter.rotate(-90);
        painter.drawText(QRectF(-bar.height() / 2, -band / 2, bar.height(), band), Qt::AlignCenter,
                         title);
    }
    painter.restore();
}

QRectF figureBodyRect(const QRectF& rect, const FigureOptions& options) {
    if (options.title.isEmpty())
        return rect;
    const double band = 1.6 * figureFont(options, 1.2, true).pixelSize();
    return rect.adjusted(0, std::min(band, rect.height()), 0, 0);
}

QRectF figureBody(QPainter& painter, const QRectF& rect, const FigureOptions& options) {
    painter.fillRect(rect, options.background());
    const QRectF body = figureBodyRect(rect, options);
    if (!options.title.isEmpty()) {
        painter.save();
        painter.setFont(figureFont(options, 1.2, true));
        painter.setPen(options.ink());
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), body.top() - rect.top()),
                         Qt::AlignCenter | Qt::TextDontClip, options.title);
        painter.restore();
    }
    return body;
}

} // namespace embedscope::ui
