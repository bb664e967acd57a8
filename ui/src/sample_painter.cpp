#include "sample_painter.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

constexpr int kImageTile = 64; ///< target side of an image tile in pixels
constexpr int kSignalWidth = 96;
constexpr int kSignalHeight = 56;
constexpr int kGap = 4;
constexpr int kCaption = 14;

int toGrey(float v, double lo, double hi) {
    if (!std::isfinite(v))
        return 0;
    const double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
    return static_cast<int>(std::lround(255.0 * std::clamp(t, 0.0, 1.0)));
}

} // namespace

bool isImageShape(const std::vector<int64_t>& shape) {
    return shape.size() == 3 && shape[1] > 1;
}

QImage sampleToImage(const float* values, const std::vector<int64_t>& shape, double lo, double hi) {
    if (shape.size() != 3 || shape[1] < 1 || shape[2] < 1)
        return {};
    const int c = static_cast<int>(shape[0]), h = static_cast<int>(shape[1]),
              w = static_cast<int>(shape[2]);
    QImage image(w, h, QImage::Format_RGB32);
    const std::size_t plane = std::size_t(h) * std::size_t(w);
    for (int y = 0; y < h; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < w; ++x) {
            const std::size_t i = std::size_t(y) * std::size_t(w) + std::size_t(x);
            if (c == 3)
                line[x] = qRgb(toGrey(values[i], lo, hi), toGrey(values[plane + i], lo, hi),
                               toGrey(values[2 * plane + i], lo, hi));
            else {
                const int g = toGrey(values[i], lo, hi);
                line[x] = qRgb(g, g, g);
            }
        }
    }
    return image;
}

SampleStrip::SampleStrip(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void SampleStrip::setTiles(std::vector<SampleTile> tiles, const std::vector<int64_t>& shape,
                           int columns, double lo, double hi) {
    tiles_ = std::move(tiles);
    shape_ = shape;
    columns_ = std::max(1, columns);
    lo_ = lo;
    hi_ = hi;
    updateGeometry();
    update();
}

void SampleStrip::clear() {
    tiles_.clear();
    updateGeometry();
    update();
}

int SampleStrip::rows() const {
    return (tileCount() + columns_ - 1) / columns_;
}

QSize SampleStrip::tileSize() const {
    if (!isImageShape(shape_))
        return {kSignalWidth, kSignalHeight};
    const int h = static_cast<int>(shape_[1]), w = static_cast<int>(shape_[2]);
    const int side = std::max(h, w);
    // Whole-number magnification keeps the pixels square and crisp; large images shrink.
    const double scale =
        side <= kImageTile ? std::max(1, kImageTile / side) : double(kImageTile) / side;
    return {std::max(1, int(std::lround(w * scale))), std::max(1, int(std::lround(h * scale)))};
}

QSize SampleStrip::sizeHint() const {
    const QSize tile = tileSize();
    const int cols = std::min(columns_, std::max(1, tileCount()));
    const int r = std::max(1, rows());
    return {cols * (tile.width() + kGap) + kGap, r * (tile.height() + kCaption + kGap) + kGap};
}

void SampleStrip::drawSignal(QPainter& painter, const QRect& box, const SampleTile& tile) const {
    painter.fillRect(box, Qt::white);
    painter.setPen(QPen(QColor(200, 200, 200), 1));
    painter.drawRect(box.adjusted(0, 0, -1, -1));
    const int channels = shape_.size() >= 2 ? static_cast<int>(shape_[0]) : 1;
    const std::size_t length = tile.values.size() / std::size_t(std::max(1, channels));
    if (length < 2 || !(hi_ > lo_))
        return;
    // Channels stacked in bands of equal height, all on the shared [lo, hi] range.
    const double band = double(box.height() - 2) / channels;
    const auto curve = [&](const std::vector<float>& v, int ch) {
        QPainterPath path;
        bool pen = false;
        for (std::size_t t = 0; t < length; ++t) {
            const float y = v[std::size_t(ch) * length + t];
            if (!std::isfinite(y)) {
                pen = false;
                continue;
            }
            const double px = box.left() + 1 + double(t) * (box.width() - 2) / double(length - 1);
            const double rel = std::clamp((double(y) - lo_) / (hi_ - lo_), 0.0, 1.0);
            const double py = box.top() + 1 + band * (ch + 1) - rel * band;
            if (pen)
                path.lineTo(px, py);
            else
                path.moveTo(px, py);
            pen = true;
        }
        return path;
    };
    painter.setRenderHint(QPainter::Antialiasing, true);
    // The wider orange reconstruction first, the thin dark original over it: both stay
    // visible where they coincide.
    for (int ch = 0; ch < channels; ++ch) {
        if (tile.overlay.size() == tile.values.size()) {
            painter.setPen(QPen(reconstructionColour(), 2.0));
            painter.drawPath(curve(tile.overlay, ch));
        }
        painter.setPen(QPen(originalColour(), 1.0));
        painter.drawPath(curve(tile.values, ch));
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
}

void SampleStrip::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QSize tile = tileSize();
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    painter.setFont(small);
    for (int i = 0; i < tileCount(); ++i) {
        const SampleTile& t = tiles_[std::size_t(i)];
        const int col = i % columns_, row = i / columns_;
        const QRect box(kGap + col * (tile.width() + kGap),
                        kGap + row * (tile.height() + kCaption + kGap), tile.width(),
                        tile.height());
        if (isImageShape(shape_)) {
            const QImage image = sampleToImage(t.values.data(), shape_, lo_, hi_);
            // Nearest-neighbour: no smoothing, each data pixel stays a sharp square.
            painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
            painter.drawImage(box, image);
        } else {
            drawSignal(painter, box, t);
        }
        if (t.current) {
            painter.setPen(QPen(QColor(0, 114, 178), 3)); // Okabe–Ito blue
            painter.drawRect(box.adjusted(-1, -1, 0, 0));
        }
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(
            QRect(box.left() - kGap / 2, box.bottom() + 1, box.width() + kGap, kCaption),
            Qt::AlignHCenter | Qt::AlignTop, t.caption);
    }
}

} // namespace embedscope::ui
