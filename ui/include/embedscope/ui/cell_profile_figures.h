#pragma once
// The exportable figures of the cell-profile views (issue 8 GUI, CellProfilesView): the PCA of
// the well profiles before and after spherizing (seed 004 §3.3.1 "Spherizing": whitening on the
// controls should remove plate/batch structure), the retrieval curves (§3.4.1 Precision@K,
// §3.4.2 the enrichment odds ratio at similarity percentiles) and the nearest neighbours of a
// consensus profile with crops of its cells in Cell-Painting false colour. The figures hold
// copies of what they draw (plain data, QImages) so they outlive the widget.
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace embedscope::ui {

// ---- Well PCA --------------------------------------------------------------------------------

struct WellPcaPanel {
    QString title;                  ///< e.g. "After spherizing"
    QString xTitle, yTitle;         ///< "PC1 (41.2 %)"
    std::vector<double> x, y;       ///< one point per well
    std::vector<QString> keys;      ///< "Plate/Well" per point: the selection across panels
    std::vector<QString> colorText; ///< category per point (ColorKind::Category)
    std::vector<double> colorValue; ///< number per point (ColorKind::Numeric; NaN = grey)
};

struct WellPcaData {
    enum class ColorKind { Category, Numeric };
    std::vector<WellPcaPanel> panels; ///< drawn side by side (before, after)
    ColorKind colorKind = ColorKind::Category;
    QString colorTitle;
    QString selected; ///< key ringed in every panel ("" none)
};

class WellPcaFigure : public Figure {
public:
    explicit WellPcaFigure(WellPcaData data);
    QString viewName() const override { return QStringLiteral("well-pca"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    struct Hit {
        int panel = -1;
        int point = -1;
    };
    /// The axes of panel `panel` as paint() lays them out in `rect`.
    PlotArea plotArea(const QRectF& rect, const FigureOptions& options, int panel) const;
    /// The drawn point nearest `at` (points) within `radius`, panel -1 when none.
    Hit pointAt(const QRectF& rect, const FigureOptions& options, QPointF at,
                double radius = 6) const;
    QColor pointColor(int panel, std::size_t i) const;
    /// The categories in legend order ("control" first, then natural order); empty if numeric.
    const QStringList& categories() const { return categories_; }
    const WellPcaData& data() const { return data_; }

private:
    QRectF legendStrip(const QRectF& body, const FigureOptions& options) const;

    WellPcaData data_;
    std::vector<AxisScale> xScales_, yScales_; ///< per panel
    QStringList categories_;
    double colorMin_ = 0, colorMax_ = 1;
};

// ---- Retrieval curves ------------------------------------------------------------------------

/// One (source, stage) of the retrieval curves.
struct RetrievalSeries {
    QString source;     ///< e.g. "raw crop features"
    bool after = true;  ///< after spherizing (solid) or before (dashed)
    int colorIndex = 0; ///< categoryColor of the source
    std::vector<double> k, precisionAtK;
    std::vector<double> percentile, oddsRatio; ///< +inf: b·c = 0; 0: a = 0; NaN: undefined
    std::vector<uint64_t> b, c;                ///< of each enrichment point (the ∞ reason)
};

class RetrievalCurvesFigure : public Figure {
public:
    explicit RetrievalCurvesFigure(std::vector<RetrievalSeries> series);
    QString viewName() const override { return QStringLiteral("retrieval-curves"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Left: Precision@K vs K; right: odds ratio vs percentile on a log axis.
    PlotArea precisionArea(const QRectF& rect, const FigureOptions& options) const;
    PlotArea enrichmentArea(const QRectF& rect, const FigureOptions& options) const;
    const std::vector<RetrievalSeries>& series() const { return series_; }

    /// A point drawn at an edge of the log axis instead of its (unplottable) value.
    struct EdgeMarker {
        int series = 0;
        double percentile = 0;
        bool infinite = true; ///< true: ▲ at the top (∞); false: ▼-less ◆ at the bottom (0)
        QString text;         ///< "∞ (b = 0)", "∞ (c = 0)" or "0 (a = 0)"
    };
    const std::vector<EdgeMarker>& edgeMarkers() const { return edges_; }
    /// The legend rows (sources, stages, the edge markers' meaning).
    std::vector<LegendEntry> legend() const;
    /// The log axis range (finite positive odds ratios, widened to decades; 1..10 when none).
    const AxisScale& oddsScale() const { return odds_; }

private:
    QRectF plotsRect(const QRectF& body, const FigureOptions& options) const;

    std::vector<RetrievalSeries> series_;
    std::vector<EdgeMarker> edges_;
    AxisScale odds_;
    double maxK_ = 1, maxPrecision_ = 1, pMin_ = 90, pMax_ = 100;
};

// ---- Neighbours of a profile -----------------------------------------------------------------

struct NeighbourRow {
    QString rank;                ///< "query", "1", "2", ...
    double similarity = 0;       ///< Pearson r with the query (NaN for the query row)
    QString compound, dose, moa; ///< of the profile
    bool sameClass = false;      ///< its label equals the query's
    std::vector<QImage> crops;   ///< false-colour crops of its cells (up to cropsPerRow)
};

struct ProfileNeighboursData {
    QString title;                  ///< e.g. "Nearest profiles of X 1 µM (after spherizing)"
    QString note;                   ///< under the title (e.g. "no crops loaded"); "" none
    std::vector<NeighbourRow> rows; ///< the query first
    int cropsPerRow = 6;
};

class ProfileNeighboursFigure : public Figure {
public:
    explicit ProfileNeighboursFigure(ProfileNeighboursData data);
    QString viewName() const override { return QStringLiteral("profile-neighbours"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Row i's band and its crop j's square (points).
    QRectF rowRect(const QRectF& rect, const FigureOptions& options, int row) const;
    QRectF cropRect(const QRectF& rect, const FigureOptions& options, int row, int crop) const;
    /// The row under `at`, -1 for none.
    int rowAt(const QRectF& rect, const FigureOptions& options, QPointF at) const;
    const ProfileNeighboursData& data() const { return data_; }

private:
    struct Columns {
        double rank, r, compound, dose, moa, same, crops; ///< left edges
        double cropSide, rowHeight, headerTop, rowsTop;
    };
    Columns columns(const QRectF& rect, const FigureOptions& options) const;

    ProfileNeighboursData data_;
};

} // namespace embedscope::ui
