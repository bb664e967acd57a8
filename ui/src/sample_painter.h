#pragma once
// Draws data samples as small tiles: images (C, H, W) as grey (C = 1) or RGB (C = 3; other C:
// the first channel) pictures scaled up with nearest-neighbour, signals (C, T) as line plots
// with an optional second curve (a reconstruction) over the same y range. Used by the
// reconstructions view for inputs, reconstructions, prior samples, traversals and DRAW steps.
#include <QColor>
#include <QImage>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace embedscope::ui {

struct SampleTile {
    std::vector<float> values;  ///< one sample, sampleSize values
    std::vector<float> overlay; ///< signals only: drawn over `values` (a reconstruction)
    QString caption;            ///< under the tile
    bool current = false;       ///< framed: the sample picked in the embedding
};

/// True when a sample shape is drawn as a picture: (C, H, W) with H > 1.
bool isImageShape(const std::vector<int64_t>& shape);

/// One sample as an image of its natural size (W x H): values mapped from [lo, hi] to
/// black..white, clamped; C = 3 as RGB, otherwise the first channel as grey.
QImage sampleToImage(const float* values, const std::vector<int64_t>& shape, double lo, double hi);

/// A grid of tiles, `columns` per row, row-major.
class SampleStrip : public QWidget {
    Q_OBJECT
public:
    explicit SampleStrip(QWidget* parent = nullptr);

    /// `lo`/`hi`: the value range mapped to black..white (images) or bottom..top (signals),
    /// shared by every tile so that inputs and reconstructions compare directly.
    void setTiles(std::vector<SampleTile> tiles, const std::vector<int64_t>& shape, int columns,
                  double lo, double hi);
    void clear();
    int tileCount() const { return static_cast<int>(tiles_.size()); }
    const std::vector<SampleTile>& tiles() const { return tiles_; }
    /// The size of one tile's picture (without caption) for the current shape.
    QSize tileSize() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return sizeHint(); }

    static QColor originalColour() { return QColor(40, 40, 40); }
    /// Okabe–Ito orange: colour-blind safe against the dark original.
    static QColor reconstructionColour() { return QColor(230, 159, 0); }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void drawSignal(QPainter& painter, const QRect& box, const SampleTile& tile) const;
    int rows() const;

    std::vector<SampleTile> tiles_;
    std::vector<int64_t> shape_;
    int columns_ = 1;
    double lo_ = 0, hi_ = 1;
};

} // namespace embedscope::ui
