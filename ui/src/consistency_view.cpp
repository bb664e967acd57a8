#include "embedscope/ui/consistency_view.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

double luminance(const QColor& c) {
    return (0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF());
}

} // namespace

// ---- figure ----------------------------------------------------------------------------------

ConsistencyFigure::ConsistencyFigure(std::vector<QString> runs, Eigen::MatrixXd r2)
    : runs_(std::move(runs)), r2_(std::move(r2)) {
    const auto n = Eigen::Index(runs_.size());
    if (r2_.rows() != n || r2_.cols() != n)
        throw DataError("consistency figure: " + std::to_string(runs_.size()) + " runs but a " +
                        std::to_string(r2_.rows()) + " x " + std::to_string(r2_.cols()) +
                        " matrix");
}

QColor ConsistencyFigure::cellColor(double r2) {
    if (!std::isfinite(r2))
        return controlGrey();
    const auto rgb = viewer::CurveOverlay::viridis(std::clamp(r2, 0.0, 1.0));
    return QColor(rgb[0], rgb[1], rgb[2]);
}

PlotArea ConsistencyFigure::plotArea(const QRectF& rect, const FigureOptions& options) const {
    PlotArea area(figureBodyRect(rect, options), options);
    if (runs_.empty())
        return area;
    area.setXCategories(runs_, QStringLiteral("Run"));
    area.setYCategories(runs_, QStringLiteral("Run"));
    area.setGrid(false, false);
    area.setBox(true);
    area.setPanelTitle(QObject::tr("Consistency: R² after alignment (%1 runs)").arg(runs_.size()));
    area.reserveRight(colorBarWidth(options, QStringLiteral("0.00")));
    return area;
}

QRectF ConsistencyFigure::cellRect(const QRectF& rect, const FigureOptions& options, int row,
                                   int column) const {
    return plotArea(rect, options).categoryCell(column, row);
}

std::optional<std::pair<int, int>>
ConsistencyFigure::cellAt(const QRectF& rect, const FigureOptions& options, QPointF point) const {
    if (runs_.empty())
        return std::nullopt;
    const PlotArea area = plotArea(rect, options);
    if (!area.inner().contains(point))
        return std::nullopt;
    const QPointF v = area.inverse(point);
    const int column = int(std::lround(v.x())), row = int(std::lround(v.y()));
    const int n = int(runs_.size());
    if (row < 0 || row >= n || column < 0 || column >= n)
        return std::nullopt;
    return std::make_pair(row, column);
}

void ConsistencyFigure::paint(QPainter& painter, const QRectF& rect,
                              const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    if (runs_.empty()) {
        painter.restore();
        return;
    }
    const PlotArea area = plotArea(rect, options);
    const int n = int(runs_.size());
    const QFont valueFont = figureFont(options, 0.9);
    const QFontMetricsF vm(valueFont);
    painter.setFont(valueFont);
    for (int row = 0; row < n; ++row)
        for (int col = 0; col < n; ++col) {
            const QRectF cell =
                QRectF(area.map(col - 0.5, row - 0.5), area.map(col + 0.5, row + 0.5)).normalized();
            const QColor fill = cellColor(r2_(row, col));
            painter.fillRect(cell.adjusted(0, 0, 0.3, 0.3), fill); // hides antialiasing seams
            const QString text = std::isfinite(r2_(row, col))
                                     ? QString::number(r2_(row, col), 'f', 2)
                                     : QStringLiteral("–");
            // Left out when the cell is too small to hold it.
            if (vm.horizontalAdvance(text) > 0.9 * cell.width() ||
                vm.height() > 0.9 * cell.height())
                continue;
            painter.setPen(luminance(fill) < 0.5 ? QColor(255, 255, 255) : QColor(25, 25, 25));
            painter.drawText(cell, Qt::AlignCenter | Qt::TextDontClip, text);
        }
    area.drawAxes(painter);

    // Colour bar: R² 0..1, bottom to top.
    const QRectF strip = area.reservedRect();
    drawColorBar(painter, QRectF(strip.left() + 10, strip.top(), 10, strip.height()), strip.right(),
                 AxisScale::linear(0, 1), niceTicks(0, 1, 5), cellColor, QStringLiteral("R²"),
                 options);
    painter.restore();
}

// ---- widget ----------------------------------------------------------------------------------

ConsistencyView::ConsistencyView(QWidget* parent) : QWidget(parent) {
    task_ = new BackgroundTask(this);
    status_ = new QLabel(tr("No runs chosen"), this);
    status_->setObjectName(QStringLiteral("consistencyStatus"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName(QStringLiteral("consistencyCancel"));
    cancel_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, this, &ConsistencyView::cancel);
    canvas_ = new FigureWidget(this);
    canvas_->setMinimumSize(300, 260);
    canvas_->setPlaceholderText(tr("Choose runs with embeddings to compare"));
    canvas_->setClickHandler([this](QPointF at) { clickedAt(at); });
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(status_, 1);
    bar->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);
}

ConsistencyView::~ConsistencyView() {
    stop();
}

void ConsistencyView::stop() {
    task_->stop();
}

void ConsistencyView::setRuns(const QString& path, const QStringList& runs) {
    stop();
    matrix_ = {};
    figure_.reset();
    canvas_->setFigure(nullptr);
    std::vector<std::string> names;
    for (const QString& r : runs)
        names.push_back(r.toStdString());
    auto out = std::make_shared<ConsistencyMatrix>();
    task_->start(
        [path = path.toStdString(), names, out](const JobContext& ctx) {
            *out = consistencyMatrix(ProjectFile::open(path), names, ctx);
        },
        [this](int percent, const QString& text) {
            status_->setText(tr("%1% — %2").arg(percent).arg(text));
        },
        [this, out](bool cancelled, const QString& error) {
            cancel_->setEnabled(false);
            if (cancelled) {
                status_->setText(tr("Cancelled"));
                return; // a cancelled result is never shown, even if it had completed
            }
            if (!error.isEmpty()) {
                status_->setText(tr("Cannot compute the consistency: %1").arg(error));
                Q_EMIT failed(error);
                return;
            }
            matrix_ = std::move(*out);
            std::vector<QString> shown;
            for (const std::string& r : matrix_.runs)
                shown.push_back(QString::fromStdString(r));
            figure_ = std::make_shared<ConsistencyFigure>(shown, matrix_.r2);
            canvas_->setFigure(shown.empty() ? nullptr : figure_);
            status_->setText(tr("Consistency of %n run(s); click a cell to compare its two runs",
                                nullptr, int(shown.size())));
            Q_EMIT finished();
        });
    cancel_->setEnabled(true);
    status_->setText(tr("Computing the consistency of %n run(s)…", nullptr, int(names.size())));
}

void ConsistencyView::cancel() {
    if (!task_->cancel())
        return;
    cancel_->setEnabled(false);
    status_->setText(tr("Cancelling…"));
}

std::shared_ptr<Figure> ConsistencyView::figure() const {
    return figure_;
}

QString ConsistencyView::statusText() const {
    return status_->text();
}

QWidget* ConsistencyView::canvas() const {
    return canvas_;
}

QPointF ConsistencyView::cellCenter(int row, int column) const {
    if (!figure_)
        return {};
    return figure_
        ->cellRect(QRectF(QPointF(0, 0), QSizeF(canvas_->size())), canvas_->screenOptions(), row,
                   column)
        .center();
}

void ConsistencyView::clickedAt(QPointF at) {
    if (!figure_)
        return;
    const auto cell = figure_->cellAt(QRectF(QPointF(0, 0), QSizeF(canvas_->size())),
                                      canvas_->screenOptions(), at);
    if (!cell || cell->first == cell->second)
        return;
    Q_EMIT compareRequested(figure_->runs()[std::size_t(cell->first)],
                            figure_->runs()[std::size_t(cell->second)]);
}

} // namespace embedscope::ui
