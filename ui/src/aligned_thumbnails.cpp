// The aligned embeddings of a sweep (worker side) and their thumbnail grid as a figure.
#include "embedscope/ui/aligned_thumbnails.h"

#include "embedscope/engine/alignment.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/embedding_figure.h"
#include "embedscope/ui/plot_painter.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace embedscope::ui {
namespace {

constexpr double kPad = 4;              // points around each thumbnail
const QColor kSelected(213, 94, 0);     // Okabe–Ito vermillion: the selected run's frame
const QColor kOneColour(0, 114, 178);   // Okabe–Ito blue when there is no colour column
constexpr std::size_t kLegendRows = 20; // more categories: "+N more"
constexpr int kMaxPoints = 4000;        // drawn per thumbnail

/// The first two principal components as a 2-column run record (what runConsistency reads).
RunRecord principalPlane(const RunRecord& run) {
    const Eigen::MatrixXd x = toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);
    Eigen::MatrixXd pc = fitPca(x, 2).transform(x);
    if (pc.cols() < 2) { // a 1-D embedding: its plane is a line
        pc.conservativeResize(Eigen::NoChange, 2);
        pc.col(1).setZero();
    }
    RunRecord out;
    out.name = run.name;
    out.datasetName = run.datasetName;
    out.embeddingRows = std::size_t(pc.rows());
    out.embeddingCols = 2;
    out.embedding.resize(out.embeddingRows * 2);
    for (Eigen::Index i = 0; i < pc.rows(); ++i)
        for (int c = 0; c < 2; ++c)
            out.embedding[std::size_t(i) * 2 + std::size_t(c)] = float(pc(i, c));
    return out;
}

Eigen::MatrixXd matrixOf(const RunRecord& plane) {
    return toMatrix(plane.embedding.data(), plane.embeddingRows, plane.embeddingCols);
}

} // namespace

AlignedEmbeddings alignEmbeddings(const ProjectFile& project, const std::vector<std::string>& names,
                                  const std::string& reference, const JobContext& ctx) {
    for (const std::string& name : names)
        if (!project.hasRun(name))
            throw ConfigError(project.path() + ": no run named '" + name + "'");
    const std::size_t n = names.size();
    const double work = std::max(1.0, 2.0 * double(n)); // a read and PCA, then an alignment
    AlignedEmbeddings out;
    out.runs.resize(n);
    std::vector<RunRecord> planes(n);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.throwIfCancelled();
        ctx.report(double(i) / work, "reading run " + std::to_string(i + 1) + "/" +
                                         std::to_string(n) + " (" + names[i] + ")");
        out.runs[i].run = names[i];
        RunRecord run = project.readRun(names[i]);
        run.checkpoint = {}; // only the embedding is needed
        if (run.embeddingRows == 0 || run.embeddingCols == 0 ||
            run.embedding.size() != run.embeddingRows * run.embeddingCols) {
            out.runs[i].error = "holds no embedding";
            continue;
        }
        try {
            planes[i] = principalPlane(run);
        } catch (const DataError& e) {
            out.runs[i].error = e.what();
        }
    }
    auto usable = [&](std::size_t i) { return out.runs[i].error.empty(); };
    std::size_t ref = n;
    for (std::size_t i = 0; i < n && ref == n; ++i)
        if (names[i] == reference && usable(i))
            ref = i;
    for (std::size_t i = 0; i < n && ref == n; ++i)
        if (usable(i))
            ref = i;
    if (ref == n)
        throw DataError("aligned embeddings: none of the " + std::to_string(n) +
                        " run(s) holds an embedding");
    out.reference = names[ref];
    out.dataset = planes[ref].datasetName;
    if (!out.dataset.empty() && project.hasDataset(out.dataset)) {
        MetadataTable metadata = project.readDatasetHeader(out.dataset).metadata;
        if (metadata.rowCount() == planes[ref].embeddingRows)
            out.metadata = std::move(metadata);
    }
    const Eigen::MatrixXd fixed = matrixOf(planes[ref]);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.throwIfCancelled();
        ctx.report((double(n) + double(i)) / work,
                   "aligning " + names[i] + " onto " + out.reference);
        AlignedEmbedding& a = out.runs[i];
        if (!a.error.empty())
            continue;
        if (i == ref) {
            a.xy = fixed;
            continue;
        }
        try {
            // The consistency matrix's decision (scale, mirror), then its transform applied.
            const ConsistencyResult c = runConsistency(planes[ref], planes[i]);
            Eigen::MatrixXd moving = matrixOf(planes[i]);
            if (c.mirrored)
                moving.col(moving.cols() - 1) *= -1;
            const Alignment fit = kabschAlign(fixed, moving, true);
            a.xy = fit.apply(moving);
            a.rmse = fit.alignedRmse;
            a.scale = fit.scale;
            a.mirrored = c.mirrored;
        } catch (const DataError& e) {
            a.error = e.what();
        }
    }
    ctx.report(1.0, "aligned " + std::to_string(n) + " run(s) onto " + out.reference);
    return out;
}

// ---- figure ----------------------------------------------------------------------------------

AlignedThumbnailsFigure::AlignedThumbnailsFigure(std::shared_ptr<const AlignedEmbeddings> data,
                                                 std::vector<std::string> categories,
                                                 QString colorTitle, QString selected)
    : data_(data ? std::move(data) : std::make_shared<const AlignedEmbeddings>()),
      categories_(std::move(categories)), colorTitle_(std::move(colorTitle)),
      selected_(std::move(selected)) {
    if (!categories_.empty()) {
        // The embedding view's colour rules (control grey, natural order) via its 2-D figure.
        viewer::ScatterData colours;
        colours.dims = 2;
        colours.xyz.assign(categories_.size() * 3, 0.0);
        colours.categories = categories_;
        const EmbeddingFigure2D rules(colours);
        order_ = rules.categoryOrder();
        for (const std::string& c : order_)
            colors_[c] = rules.colorOf(c);
    }
    // One equal-aspect square over every thumbnail: the runs are in the reference's units.
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const AlignedEmbedding& run : data_->runs)
        for (Eigen::Index i = 0; i < run.xy.rows(); ++i)
            if (std::isfinite(run.xy(i, 0)) && std::isfinite(run.xy(i, 1))) {
                x0 = std::min(x0, run.xy(i, 0));
                x1 = std::max(x1, run.xy(i, 0));
                y0 = std::min(y0, run.xy(i, 1));
                y1 = std::max(y1, run.xy(i, 1));
            }
    if (x0 <= x1) {
        cx_ = 0.5 * (x0 + x1);
        cy_ = 0.5 * (y0 + y1);
        span_ = 1.06 * std::max(x1 - x0, y1 - y0);
        if (!(span_ > 0))
            span_ = 1;
    }
}

QColor AlignedThumbnailsFigure::colorOf(const std::string& category) const {
    const auto it = colors_.find(category);
    return it == colors_.end() ? kOneColour : it->second;
}

QString AlignedThumbnailsFigure::caption(int index) const {
    const AlignedEmbedding& run = data_->runs[std::size_t(index)];
    const QString name = QString::fromStdString(run.run);
    if (!run.error.empty())
        return QObject::tr("%1 · %2").arg(name, QString::fromStdString(run.error));
    if (run.run == data_->reference)
        return QObject::tr("%1 · reference").arg(name);
    return QObject::tr("%1 · RMSE %2").arg(name, QString::number(run.rmse, 'g', 3));
}

double AlignedThumbnailsFigure::legendWidth(const FigureOptions& options) const {
    if (order_.empty() || !options.legend)
        return 0;
    const QFontMetricsF fm(figureFont(options, 0.9));
    double w = QFontMetricsF(figureFont(options)).horizontalAdvance(colorTitle_);
    for (std::size_t i = 0; i < std::min(order_.size(), kLegendRows); ++i)
        w = std::max(w, 12 + fm.horizontalAdvance(QString::fromStdString(order_[i])));
    return std::min(w, 160.0) + 2 * kPad;
}

QRectF AlignedThumbnailsFigure::gridRect(const QRectF& rect, const FigureOptions& options) const {
    return figureBodyRect(rect, options).adjusted(0, 0, -legendWidth(options), 0);
}

int AlignedThumbnailsFigure::gridColumns(const QRectF& rect, const FigureOptions& options) const {
    const int n = int(data_->runs.size());
    if (n == 0)
        return 1;
    const QRectF grid = gridRect(rect, options);
    const double captionH = QFontMetricsF(figureFont(options, 0.9)).height() + 2;
    int best = 1;
    double bestSide = -1;
    for (int c = 1; c <= n; ++c) {
        const int rows = (n + c - 1) / c;
        const double side = std::min(grid.width() / c, grid.height() / rows - captionH);
        if (side > bestSide + 1e-9) {
            bestSide = side;
            best = c;
        }
    }
    return best;
}

QRectF AlignedThumbnailsFigure::cellRect(const QRectF& rect, const FigureOptions& options,
                                         int index) const {
    const int n = std::max(1, int(data_->runs.size()));
    const int columns = gridColumns(rect, options);
    const int rows = (n + columns - 1) / columns;
    const QRectF grid = gridRect(rect, options);
    const double w = grid.width() / columns, h = grid.height() / rows;
    return QRectF(grid.left() + (index % columns) * w, grid.top() + (index / columns) * h, w, h);
}

QRectF AlignedThumbnailsFigure::plotRect(const QRectF& rect, const FigureOptions& options,
                                         int index) const {
    const QRectF cell = cellRect(rect, options, index);
    const double captionH = QFontMetricsF(figureFont(options, 0.9)).height() + 2;
    const QRectF free = cell.adjusted(kPad, kPad + captionH, -kPad, -kPad);
    const double side = std::max(1.0, std::min(free.width(), free.height()));
    return QRectF(free.center().x() - side / 2, free.top(), side, side);
}

int AlignedThumbnailsFigure::thumbnailAt(const QRectF& rect, const FigureOptions& options,
                                         QPointF point) const {
    for (int i = 0; i < int(data_->runs.size()); ++i)
        if (cellRect(rect, options, i).contains(point))
            return i;
    return -1;
}

QPointF AlignedThumbnailsFigure::pointAt(const QRectF& rect, const FigureOptions& options,
                                         int index, int sample) const {
    const QRectF plot = plotRect(rect, options, index);
    const Eigen::MatrixXd& xy = data_->runs[std::size_t(index)].xy;
    return QPointF(plot.center().x() + (xy(sample, 0) - cx_) / span_ * plot.width(),
                   plot.center().y() - (xy(sample, 1) - cy_) / span_ * plot.height());
}

void AlignedThumbnailsFigure::paint(QPainter& painter, const QRectF& rect,
                                    const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFont captionFont = figureFont(options, 0.9);
    const QFontMetricsF cm(captionFont);
    const bool coloured = !categories_.empty();
    for (int t = 0; t < int(data_->runs.size()); ++t) {
        const AlignedEmbedding& run = data_->runs[std::size_t(t)];
        const QRectF cell = cellRect(rect, options, t);
        const QRectF plot = plotRect(rect, options, t);
        const bool selected = !selected_.isEmpty() && QString::fromStdString(run.run) == selected_;
        painter.setFont(captionFont);
        painter.setPen(run.error.empty() ? options.ink() : QColor(198, 40, 40));
        const QRectF captionRect(cell.left() + kPad, cell.top() + kPad, cell.width() - 2 * kPad,
                                 cm.height());
        painter.drawText(captionRect, Qt::AlignHCenter | Qt::AlignVCenter,
                         cm.elidedText(caption(t), Qt::ElideMiddle, captionRect.width()));
        painter.setBrush(Qt::NoBrush);
        painter.setPen(selected ? QPen(kSelected, 2.0) : QPen(options.gridColor(), 0.8));
        painter.drawRect(plot);
        if (run.xy.rows() == 0)
            continue;
        painter.save();
        painter.setClipRect(plot);
        const double r = std::clamp(plot.width() / 90, 0.6, 2.2);
        painter.setPen(Qt::NoPen);
        const bool sameRows = coloured && categories_.size() == std::size_t(run.xy.rows());
        // Every k-th sample of a large data set: a thumbnail shows the shape, not each point.
        const int stride = std::max(1, int(run.xy.rows()) / kMaxPoints);
        for (int i = 0; i < int(run.xy.rows()); i += stride) {
            painter.setBrush(sameRows ? colorOf(categories_[std::size_t(i)]) : kOneColour);
            painter.drawEllipse(pointAt(rect, options, t, i), r, r);
        }
        painter.restore();
    }

    const double lw = legendWidth(options);
    if (lw > 0) {
        // One legend for all thumbnails: the colour column's categories.
        const QRectF body = figureBodyRect(rect, options);
        const QFontMetricsF fm(captionFont);
        double y = body.top() + kPad;
        painter.setFont(figureFont(options));
        painter.setPen(options.ink());
        painter.drawText(QRectF(body.right() - lw + kPad, y, lw - 2 * kPad, fm.height() + 2),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetricsF(figureFont(options))
                             .elidedText(colorTitle_, Qt::ElideRight, lw - 2 * kPad));
        y += fm.height() + 4;
        painter.setFont(captionFont);
        const std::size_t shown = std::min(order_.size(), kLegendRows);
        for (std::size_t i = 0; i < shown; ++i, y += fm.height() + 1) {
            const QRectF row(body.right() - lw + kPad, y, lw - 2 * kPad, fm.height());
            painter.setPen(Qt::NoPen);
            painter.setBrush(colorOf(order_[i]));
            painter.drawEllipse(QPointF(row.left() + 4, row.center().y()), 3, 3);
            painter.setPen(options.ink());
            painter.drawText(
                row.adjusted(12, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(QString::fromStdString(order_[i]), Qt::ElideRight, row.width() - 12));
        }
        if (order_.size() > shown)
            painter.drawText(QRectF(body.right() - lw + kPad, y, lw - 2 * kPad, fm.height()),
                             Qt::AlignLeft | Qt::AlignVCenter,
                             QObject::tr("+%1 more").arg(order_.size() - shown));
    }
    painter.restore();
}

} // namespace embedscope::ui
