#include "embedscope/ui/trajectory_inspector.h"

#include "embedscope/viewer/curve_overlay.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>

namespace embedscope::ui {
namespace {

constexpr int kMaxPathSegments = 4000; // drawn segments of the path (coloured by time)
constexpr int kSeriesBins = 600;       // time bins of the speed and rearing tracks
const QColor kInk(38, 38, 38);
const QColor kGrid(225, 225, 225);

double niceStep(double range, int targetTicks) {
    const double raw = range / std::max(1, targetTicks);
    const double scale = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * scale >= raw)
            return m * scale;
    return 10 * scale;
}

} // namespace

TrajectoryInspector::TrajectoryInspector(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(180);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
    clear();
}

QColor TrajectoryInspector::timeColour(double t) {
    // One viridis for the whole app (the curve overlay colours points by time the same way).
    const auto c = viewer::CurveOverlay::viridis(t);
    return QColor(c[0], c[1], c[2]);
}

void TrajectoryInspector::clear(const QString& message) {
    length_ = 0;
    x_.clear();
    y_.clear();
    z_.clear();
    speedBins_.clear();
    rearBins_.clear();
    summary_ = {};
    title_.clear();
    message_ =
        message.isEmpty() ? tr("Click a point of the embedding to see its trajectory") : message;
    update();
}

void TrajectoryInspector::setTrajectory(const std::vector<float>& values, int64_t channels,
                                        int64_t length, double rateHz, double cageCm,
                                        const QString& title) {
    if (channels < 2 || length < 2 || values.size() != std::size_t(channels * length) ||
        !(rateHz > 0) || !(cageCm > 0)) {
        clear(tr("Not a trajectory: expected (x, y[, z]) over time"));
        return;
    }
    clear();
    message_.clear();
    title_ = title;
    length_ = length;
    rateHz_ = rateHz;
    cageCm_ = cageCm;
    const auto T = static_cast<std::size_t>(length);
    x_.resize(T);
    y_.resize(T);
    z_.assign(T, 0.0f);
    for (std::size_t i = 0; i < T; ++i) {
        // (-1, 1) -> [0, cage] cm, the simulator's and the readers' mapping.
        x_[i] = static_cast<float>((values[i] + 1.0) * 0.5 * cageCm);
        y_[i] = static_cast<float>((values[T + i] + 1.0) * 0.5 * cageCm);
        if (channels >= 3)
            z_[i] = values[2 * T + i] > 0.5f ? 1.0f : 0.0f;
    }
    const std::size_t bins = std::min<std::size_t>(kSeriesBins, T - 1);
    std::vector<double> distance(bins, 0.0), rear(bins, 0.0), steps(bins, 0.0);
    int episodes = 0;
    double total = 0, rearing = 0;
    for (std::size_t i = 1; i < T; ++i) {
        const std::size_t b = (i - 1) * bins / (T - 1);
        const double d = std::hypot(x_[i] - x_[i - 1], y_[i] - y_[i - 1]);
        if (std::isfinite(d)) {
            distance[b] += d;
            total += d;
        }
        steps[b] += 1;
        rear[b] += z_[i];
        rearing += z_[i];
        episodes += z_[i] > 0.5f && z_[i - 1] < 0.5f;
    }
    speedBins_.resize(bins);
    rearBins_.resize(bins);
    for (std::size_t b = 0; b < bins; ++b) {
        speedBins_[b] = steps[b] > 0 ? distance[b] / (steps[b] / rateHz) : 0.0;
        rearBins_[b] = steps[b] > 0 ? rear[b] / steps[b] : 0.0;
    }
    summary_.durationS = static_cast<double>(T - 1) / rateHz;
    summary_.distanceCm = total;
    summary_.meanSpeedCmS = total / summary_.durationS;
    summary_.rearingEpisodes = episodes + (z_[0] > 0.5f ? 1 : 0);
    summary_.rearingFraction = (rearing + z_[0]) / static_cast<double>(T);
    update();
}

void TrajectoryInspector::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), Qt::white);
    p.setPen(kInk);
    if (length_ == 0) {
        p.drawText(rect(), Qt::AlignCenter, message_);
        return;
    }
    const QRectF all = QRectF(rect()).adjusted(8, 4, -8, -4);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    const double titleH = p.fontMetrics().height() + 4;
    p.drawText(QRectF(all.left(), all.top(), all.width(), titleH), Qt::AlignLeft | Qt::AlignTop,
               title_ + tr("   —   %1 min, %2 m travelled, mean speed %3 cm/s, %4 rearings")
                            .arg(summary_.durationS / 60.0, 0, 'f', 1)
                            .arg(summary_.distanceCm / 100.0, 0, 'f', 1)
                            .arg(summary_.meanSpeedCmS, 0, 'f', 1)
                            .arg(summary_.rearingEpisodes));
    p.setFont(font());
    const QRectF body = all.adjusted(0, titleH, 0, 0);
    const double side = std::min(body.height(), body.width() * 0.4);
    paintPath(p, QRectF(body.left(), body.top(), side, side));
    paintSeries(
        p, QRectF(body.left() + side + 16, body.top(), body.width() - side - 16, body.height()));
}

// The cage seen from above (y up), the path drawn in time order with its time colour.
void TrajectoryInspector::paintPath(QPainter& p, const QRectF& area) const {
    const QRectF cage = area.adjusted(2, 2, -2, -2);
    p.setPen(QPen(kInk, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(cage);
    auto map = [&](std::size_t i) {
        return QPointF(cage.left() + x_[i] / cageCm_ * cage.width(),
                       cage.bottom() - y_[i] / cageCm_ * cage.height());
    };
    const auto T = static_cast<std::size_t>(length_);
    const std::size_t stride = std::max<std::size_t>(1, T / kMaxPathSegments);
    p.save();
    p.setClipRect(cage);
    std::size_t previous = 0;
    for (std::size_t i = stride; i < T; i += stride) {
        if (std::isfinite(x_[i]) && std::isfinite(y_[i]) && std::isfinite(x_[previous]) &&
            std::isfinite(y_[previous])) {
            p.setPen(QPen(timeColour(double(i) / double(T - 1)), 1.2));
            p.drawLine(map(previous), map(i));
        }
        previous = i;
    }
    p.restore();
    p.setPen(kInk);
    p.drawText(QRectF(cage.left() + 4, cage.top() + 2, cage.width(), 16),
               Qt::AlignLeft | Qt::AlignTop, tr("%1 × %1 cm").arg(cageCm_, 0, 'g', 3));
}

// Speed over time (top) and the rearing track (bottom strip), sharing the time axis in minutes.
void TrajectoryInspector::paintSeries(QPainter& p, const QRectF& area) const {
    if (area.width() < 80 || speedBins_.empty())
        return;
    const QFontMetricsF fm(font());
    const double left = area.left() + fm.horizontalAdvance(QStringLiteral("000")) + 10;
    const double axisH = fm.height() * 2 + 4;
    const double stripH = std::max(14.0, area.height() * 0.14);
    const QRectF speed(left, area.top() + 4, area.right() - left,
                       area.height() - axisH - stripH - 12);
    const QRectF strip(left, speed.bottom() + 8, speed.width(), stripH);
    const double minutes = summary_.durationS / 60.0;
    double top = *std::max_element(speedBins_.begin(), speedBins_.end());
    top = std::max(1.0, top * 1.05);

    // Grid and y ticks (cm/s).
    const double yStep = niceStep(top, 4);
    for (double v = 0; v <= top + 1e-9; v += yStep) {
        const double y = speed.bottom() - v / top * speed.height();
        p.setPen(kGrid);
        p.drawLine(QPointF(speed.left(), y), QPointF(speed.right(), y));
        p.setPen(kInk);
        p.drawText(QRectF(area.left(), y - fm.height() / 2, left - area.left() - 4, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QString::number(v, 'g', 3));
    }
    // The speed curve, coloured by time like the path.
    const std::size_t bins = speedBins_.size();
    auto point = [&](std::size_t b) {
        return QPointF(speed.left() + (b + 0.5) / bins * speed.width(),
                       speed.bottom() - speedBins_[b] / top * speed.height());
    };
    for (std::size_t b = 1; b < bins; ++b) {
        p.setPen(QPen(timeColour(double(b) / double(bins - 1)), 1.4));
        p.drawLine(point(b - 1), point(b));
    }
    p.setPen(kInk);
    p.drawLine(speed.bottomLeft(), speed.bottomRight());
    p.drawLine(speed.bottomLeft(), speed.topLeft());
    p.drawText(QRectF(speed.left() + 6, speed.top(), 200, fm.height()), Qt::AlignLeft,
               tr("speed (cm/s)"));

    // Rearing strip: darker = more of the bin spent rearing.
    p.setPen(Qt::NoPen);
    for (std::size_t b = 0; b < bins; ++b) {
        if (rearBins_[b] <= 0)
            continue;
        const int shade = static_cast<int>(std::lround(220 * (1 - rearBins_[b])));
        p.setBrush(QColor(shade, shade, shade));
        p.drawRect(QRectF(strip.left() + double(b) / bins * strip.width(), strip.top(),
                          strip.width() / bins + 0.5, strip.height()));
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(kInk);
    p.drawRect(strip);
    p.drawText(QRectF(area.left(), strip.top(), left - area.left() - 4, strip.height()),
               Qt::AlignRight | Qt::AlignVCenter, tr("z"));

    // Time axis (minutes).
    const double xStep = niceStep(std::max(minutes, 1e-3), 8);
    for (double m = 0; m <= minutes + 1e-9; m += xStep) {
        const double x = strip.left() + m / minutes * strip.width();
        p.drawLine(QPointF(x, strip.bottom()), QPointF(x, strip.bottom() + 3));
        p.drawText(QRectF(x - 30, strip.bottom() + 3, 60, fm.height()), Qt::AlignHCenter,
                   QString::number(m, 'g', 3));
    }
    p.drawText(QRectF(strip.left(), strip.bottom() + 3 + fm.height(), strip.width(), fm.height()),
               Qt::AlignHCenter, tr("time (min)"));
}

} // namespace embedscope::ui
