#include "embedscope/ui/parallel_coordinates.h"

#include "embedscope/ui/figure_widget.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QAction>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace embedscope::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QColor kDefaultColor(0, 114, 178); // Okabe–Ito blue
const QColor kOutside(205, 205, 205);    // runs outside a brush recede
constexpr double kGrab = 8;              // points either side of an axis that start a brush
constexpr double kClick = 3;             // a press that moves less is a click (clears)

std::pair<double, double> finiteRange(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    return {lo, hi};
}

AxisScale rangeOf(const std::vector<double>& values, bool log = false) {
    const auto [lo, hi] = finiteRange(values);
    if (!(lo <= hi))
        return AxisScale::linear(0, 1);
    if (log && lo > 0 && lo < hi)
        return AxisScale::log10(lo, hi); // the exact range, as the linear axes
    return lo < hi ? AxisScale::linear(lo, hi) : AxisScale::linear(lo - 0.5, lo + 0.5);
}

} // namespace

// ---- figure ----------------------------------------------------------------------------------

ParallelCoordinatesFigure::ParallelCoordinatesFigure(ParallelCoordinatesData data)
    : data_(std::move(data)) {
    data_.brushes.resize(data_.axes.size());
    data_.logAxes.resize(data_.axes.size(), false);
    for (std::size_t k = 0; k < data_.values.size(); ++k)
        scales_.push_back(rangeOf(data_.values[k], data_.logAxes[k]));
    if (!data_.colorTitle.isEmpty()) {
        const AxisScale c = rangeOf(data_.colorValues);
        colorMin_ = c.min;
        colorMax_ = c.max;
    }
}

bool ParallelCoordinatesFigure::logSpaced(const std::vector<double>& values) {
    const auto [lo, hi] = finiteRange(values);
    return lo <= hi && lo > 0 && hi / lo >= 100; // two decades or more
}

double ParallelCoordinatesFigure::colorBarWidth(const FigureOptions& options) const {
    if (data_.colorTitle.isEmpty())
        return 0;
    const QFontMetricsF tick(figureFont(options, 0.9));
    return 10 + 10 + 5 + tick.horizontalAdvance(QStringLiteral("-0.000")) +
           1.6 * figureFont(options).pixelSize();
}

QRectF ParallelCoordinatesFigure::inner(const QRectF& rect, const FigureOptions& options) const {
    const QRectF body = figureBodyRect(rect, options);
    const QFontMetricsF tick(figureFont(options, 0.9));
    const QFontMetricsF title(figureFont(options));
    // Tick labels sit left of each axis; names centred above (elided to the axis spacing).
    const double left = tick.horizontalAdvance(QStringLiteral("-0.0000")) + 8;
    const double top = 2 * title.height() + 4;
    const double bottom = tick.height() / 2 + 4;
    const double right = std::max(8.0, title.averageCharWidth() * 4) + colorBarWidth(options);
    return body.adjusted(left, top, -right, -bottom);
}

double ParallelCoordinatesFigure::axisX(const QRectF& rect, const FigureOptions& options,
                                        std::size_t axis) const {
    const QRectF in = inner(rect, options);
    const std::size_t n = data_.axes.size();
    return n < 2 ? in.center().x() : in.left() + in.width() * double(axis) / double(n - 1);
}

QPointF ParallelCoordinatesFigure::vertex(const QRectF& rect, const FigureOptions& options,
                                          std::size_t run, std::size_t axis) const {
    const QRectF in = inner(rect, options);
    const double f = scales_[axis].fraction(data_.values[axis][run]);
    if (!std::isfinite(f))
        return QPointF(kNaN, kNaN);
    return QPointF(axisX(rect, options, axis), in.bottom() - f * in.height());
}

bool ParallelCoordinatesFigure::selected(std::size_t run) const {
    for (std::size_t k = 0; k < data_.axes.size(); ++k) {
        if (!data_.brushes[k])
            continue;
        const double v = data_.values[k][run];
        if (!(v >= data_.brushes[k]->first && v <= data_.brushes[k]->second))
            return false;
    }
    return true;
}

QColor ParallelCoordinatesFigure::runColor(std::size_t run) const {
    if (data_.colorTitle.isEmpty())
        return kDefaultColor;
    const double v = data_.colorValues[run];
    if (!std::isfinite(v))
        return controlGrey();
    return viridisColor(colorMax_ > colorMin_ ? (v - colorMin_) / (colorMax_ - colorMin_) : 0.5);
}

void ParallelCoordinatesFigure::paint(QPainter& painter, const QRectF& rect,
                                      const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF in = inner(rect, options);
    const std::size_t axes = data_.axes.size();

    // Brush bands under the lines.
    for (std::size_t k = 0; k < axes; ++k)
        if (data_.brushes[k]) {
            const double x = axisX(rect, options, k);
            const double y1 =
                in.bottom() - scales_[k].fraction(data_.brushes[k]->first) * in.height();
            const double y2 =
                in.bottom() - scales_[k].fraction(data_.brushes[k]->second) * in.height();
            QColor band(213, 94, 0, 60); // Okabe–Ito vermillion, translucent
            painter.fillRect(
                QRectF(QPointF(x - 6, std::min(y1, y2)), QPointF(x + 6, std::max(y1, y2)))
                    .intersected(in.adjusted(-6, 0, 6, 0)),
                band);
        }

    // Runs outside a brush first (grey, underneath), then the selected ones in colour.
    auto drawRun = [&](std::size_t r, const QColor& color, double width) {
        QPainterPath path;
        bool open = false;
        for (std::size_t k = 0; k < axes; ++k) {
            const QPointF p = vertex(rect, options, r, k);
            if (!std::isfinite(p.y())) {
                open = false; // a missing value breaks the line
                continue;
            }
            open ? path.lineTo(p) : path.moveTo(p);
            open = true;
        }
        painter.setPen(QPen(color, width));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
    };
    for (std::size_t r = 0; r < data_.runs.size(); ++r)
        if (!selected(r))
            drawRun(r, kOutside, 1.0);
    for (std::size_t r = 0; r < data_.runs.size(); ++r)
        if (selected(r))
            drawRun(r, runColor(r), 1.5);

    // Axes with their ticks and names.
    const QFont tickFont = figureFont(options, 0.9);
    const QFont titleFont = figureFont(options);
    const QFontMetricsF tm(tickFont), nm(titleFont);
    const double spacing = axes > 1 ? in.width() / double(axes - 1) : in.width();
    for (std::size_t k = 0; k < axes; ++k) {
        const double x = axisX(rect, options, k);
        painter.setPen(QPen(options.ink(), 0.8));
        painter.drawLine(QPointF(x, in.top()), QPointF(x, in.bottom()));
        painter.setFont(tickFont);
        for (double t : scales_[k].ticks(4)) {
            const double y = in.bottom() - scales_[k].fraction(t) * in.height();
            painter.drawLine(QPointF(x - 3, y), QPointF(x, y));
            painter.drawText(QRectF(x - 4 - 200, y - tm.height(), 200, 2 * tm.height()),
                             Qt::AlignRight | Qt::AlignVCenter, formatTick(t));
        }
        for (double t : scales_[k].minorTicks()) { // 2..9 × 10^k on log axes
            const double y = in.bottom() - scales_[k].fraction(t) * in.height();
            painter.drawLine(QPointF(x - 1.5, y), QPointF(x, y));
        }
        painter.setFont(titleFont);
        const double w = std::max(40.0, spacing - 4);
        const QString name = nm.elidedText(data_.axes[k], Qt::ElideMiddle, w);
        painter.drawText(QRectF(x - w / 2, in.top() - 2 * nm.height() - 2, w, 2 * nm.height()),
                         Qt::AlignHCenter | Qt::AlignBottom, name);
    }

    if (!data_.colorTitle.isEmpty()) {
        // Colour bar: viridis from the column's minimum (bottom) to its maximum (top).
        const double barLeft = rect.right() - colorBarWidth(options) + 10;
        const AxisScale scale =
            AxisScale::linear(colorMin_, colorMax_ > colorMin_ ? colorMax_ : colorMin_ + 1);
        drawColorBar(painter, QRectF(barLeft, in.top(), 10, in.height()), rect.right(), scale,
                     scale.ticks(4), viridisColor, data_.colorTitle, options);
    }
    painter.restore();
}

// ---- canvas ----------------------------------------------------------------------------------

/// The figure on screen; a drag along an axis brushes it, a click on an axis clears its brush.
class ParallelCoordinatesCanvas : public FigureWidget {
public:
    explicit ParallelCoordinatesCanvas(ParallelCoordinates* owner)
        : FigureWidget(owner), owner_(owner) {
        setMinimumSize(320, 200);
        setPlaceholderText(tr("No numeric run columns to draw"));
    }

protected:
    int axisAt(QPointF at) const {
        const auto& figure = owner_->figure_;
        if (!figure)
            return -1;
        const QRectF rect = owner_->canvasRect();
        const FigureOptions options = owner_->canvasOptions();
        const QRectF in = figure->inner(rect, options);
        if (at.y() < in.top() - kGrab || at.y() > in.bottom() + kGrab)
            return -1;
        for (std::size_t k = 0; k < figure->data().axes.size(); ++k)
            if (std::fabs(figure->axisX(rect, options, k) - at.x()) <= kGrab)
                return int(k);
        return -1;
    }

    double valueAt(int axis, double y) const {
        const QRectF in = owner_->figure_->inner(owner_->canvasRect(), owner_->canvasOptions());
        const double f = std::clamp((in.bottom() - y) / in.height(), 0.0, 1.0);
        return owner_->figure_->scale(std::size_t(axis)).value(f);
    }

    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() != Qt::LeftButton)
            return FigureWidget::mousePressEvent(event);
        axis_ = axisAt(event->position());
        from_ = event->position();
        event->accept();
    }

    void mouseMoveEvent(QMouseEvent* event) override {
        if (axis_ < 0 || std::fabs(event->position().y() - from_.y()) < kClick)
            return;
        const double a = valueAt(axis_, from_.y()), b = valueAt(axis_, event->position().y());
        owner_->brushes_[owner_->columns_[axis_]] = {std::min(a, b), std::max(a, b)};
        owner_->rebuild(); // the filter goes out on release
        event->accept();
    }

    void contextMenuEvent(QContextMenuEvent* event) override {
        const int axis = axisAt(event->pos());
        if (axis < 0)
            return FigureWidget::contextMenuEvent(event);
        const QString column = owner_->columns_[axis];
        QMenu menu(this);
        QAction* log = menu.addAction(tr("Log scale"));
        log->setCheckable(true);
        log->setChecked(owner_->axisLog(column));
        const auto [lo, hi] = finiteRange(owner_->table_->numbers(column.toStdString()));
        log->setEnabled(lo > 0 && lo < hi);
        if (!log->isEnabled())
            log->setToolTip(tr("The column has values <= 0 or only one value"));
        if (menu.exec(event->globalPos()) == log)
            owner_->setAxisLog(column, log->isChecked());
        event->accept();
    }

    void mouseReleaseEvent(QMouseEvent* event) override {
        if (axis_ >= 0) {
            const QString column = owner_->columns_[axis_];
            if (std::fabs(event->position().y() - from_.y()) < kClick) {
                owner_->brushes_.remove(column);
            } else {
                const double a = valueAt(axis_, from_.y());
                const double b = valueAt(axis_, event->position().y());
                owner_->brushes_[column] = {std::min(a, b), std::max(a, b)};
            }
            owner_->rebuild();
            owner_->emitFilter();
        }
        axis_ = -1;
        event->accept();
    }

private:
    ParallelCoordinates* owner_;
    int axis_ = -1;
    QPointF from_;
};

// ---- widget ----------------------------------------------------------------------------------

ParallelCoordinates::ParallelCoordinates(QWidget* parent)
    : QWidget(parent), table_(std::make_shared<RunsTable>()) {
    chooser_ = new QToolButton(this);
    chooser_->setObjectName(QStringLiteral("parallelAxes"));
    chooser_->setText(tr("Axes…"));
    chooser_->setToolTip(tr("Choose the columns shown as axes"));
    chooser_->setPopupMode(QToolButton::InstantPopup);
    chooser_->setMenu(new QMenu(chooser_));
    color_ = new QComboBox(this);
    color_->setObjectName(QStringLiteral("parallelColor"));
    color_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(color_, &QComboBox::currentIndexChanged, this, [this] {
        if (!syncing_)
            rebuild();
    });
    count_ = new QLabel(this);
    count_->setObjectName(QStringLiteral("parallelCount"));
    auto* clear = new QToolButton(this);
    clear->setText(tr("Clear brushes"));
    connect(clear, &QToolButton::clicked, this, &ParallelCoordinates::clearBrushes);
    canvas_ = new ParallelCoordinatesCanvas(this);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(chooser_);
    bar->addWidget(new QLabel(tr("Colour:"), this));
    bar->addWidget(color_);
    bar->addWidget(clear);
    bar->addSpacing(12);
    bar->addWidget(count_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);
    rebuild();
}

QWidget* ParallelCoordinates::canvas() const {
    return canvas_;
}

QRectF ParallelCoordinates::canvasRect() const {
    return QRectF(QPointF(0, 0), QSizeF(canvas_->size()));
}

FigureOptions ParallelCoordinates::canvasOptions() const {
    return static_cast<FigureWidget*>(canvas_)->screenOptions();
}

QStringList ParallelCoordinates::availableColumns() const {
    QStringList names;
    for (const RunsColumn& c : table_->columns)
        if (c.numeric)
            names << QString::fromStdString(c.name);
    return names;
}

void ParallelCoordinates::setTable(std::shared_ptr<const RunsTable> table) {
    table_ = table ? std::move(table) : std::make_shared<RunsTable>();
    const QStringList available = availableColumns();
    QStringList kept;
    for (const QString& c : columns_)
        if (available.contains(c))
            kept << c;
    if (kept.isEmpty()) {
        // Default: the numeric parameters that vary (not the seed), then the metrics.
        for (const RunsColumn& col : table_->columns) {
            if (col.kind != RunsColumn::Kind::Parameter || !col.numeric || col.name == "seed")
                continue;
            const std::vector<double> v = table_->numbers(col.name);
            double first = kNaN;
            for (double a : v) {
                if (!std::isfinite(a))
                    continue;
                if (std::isnan(first))
                    first = a;
                else if (a != first) {
                    kept << QString::fromStdString(col.name);
                    break;
                }
            }
        }
        for (const RunsColumn& col : table_->columns)
            if (col.kind == RunsColumn::Kind::Metric && col.numeric)
                kept << QString::fromStdString(col.name);
    }
    columns_ = kept;
    const bool brushed = !brushes_.isEmpty();
    for (auto it = brushes_.begin(); it != brushes_.end();)
        it = columns_.contains(it.key()) ? std::next(it) : brushes_.erase(it);
    fillChooser();
    rebuild();
    if (brushed)
        emitFilter(); // new runs inside the brushes show in the table (or the brushes went)
}

void ParallelCoordinates::fillChooser() {
    const QString keep = colorColumn();
    syncing_ = true;
    QMenu* menu = chooser_->menu();
    menu->clear();
    const QStringList available = availableColumns();
    for (const QString& name : available) {
        QAction* action = menu->addAction(name);
        action->setCheckable(true);
        action->setChecked(columns_.contains(name));
        connect(action, &QAction::toggled, this, [this, name, available](bool on) {
            if (syncing_)
                return;
            QStringList next;
            for (const QString& c : available) // keeps the table's order
                if (c == name ? on : columns_.contains(c))
                    next << c;
            setColumns(next);
        });
    }
    color_->clear();
    color_->addItem(tr("(one colour)"), QString());
    for (const QString& name : available)
        color_->addItem(name, name);
    QString color = keep;
    if (!available.contains(color))
        color = columns_.isEmpty() ? QString() : columns_.front(); // the first varying parameter
    color_->setCurrentIndex(std::max(0, color_->findData(color)));
    syncing_ = false;
}

bool ParallelCoordinates::setColumns(const QStringList& columns) {
    const QStringList available = availableColumns();
    QStringList next;
    for (const QString& c : columns)
        if (available.contains(c) && !next.contains(c))
            next << c;
    if (next.isEmpty())
        return false;
    columns_ = next;
    for (auto it = brushes_.begin(); it != brushes_.end();)
        it = columns_.contains(it.key()) ? std::next(it) : brushes_.erase(it);
    syncing_ = true;
    for (QAction* action : chooser_->menu()->actions())
        action->setChecked(columns_.contains(action->text()));
    syncing_ = false;
    rebuild();
    emitFilter();
    return true;
}

QStringList ParallelCoordinates::columns() const {
    return columns_;
}

bool ParallelCoordinates::setColorColumn(const QString& column) {
    const int i = color_->findData(column);
    if (i >= 0)
        color_->setCurrentIndex(i);
    return i >= 0;
}

QString ParallelCoordinates::colorColumn() const {
    return color_->currentData().toString();
}

bool ParallelCoordinates::setBrush(const QString& column, double low, double high) {
    if (!columns_.contains(column))
        return false;
    brushes_[column] = {std::min(low, high), std::max(low, high)};
    rebuild();
    emitFilter();
    return true;
}

bool ParallelCoordinates::setAxisLog(const QString& column, bool log) {
    if (table_->find(column.toStdString()) < 0 || !availableColumns().contains(column))
        return false;
    const auto [lo, hi] = finiteRange(table_->numbers(column.toStdString()));
    if (log && !(lo > 0))
        return false;
    logChoice_[column] = log;
    rebuild();
    return true;
}

bool ParallelCoordinates::axisLog(const QString& column) const {
    if (!availableColumns().contains(column))
        return false;
    const std::vector<double> values = table_->numbers(column.toStdString());
    const auto it = logChoice_.constFind(column);
    if (it == logChoice_.constEnd())
        return ParallelCoordinatesFigure::logSpaced(values);
    return *it && finiteRange(values).first > 0;
}

void ParallelCoordinates::clearBrushes() {
    brushes_.clear();
    rebuild();
    emitFilter();
}

QStringList ParallelCoordinates::filteredRuns() const {
    QStringList names;
    for (std::size_t r = 0; r < data_.runs.size(); ++r) {
        bool any = false;
        for (const auto& column : data_.values)
            any = any || std::isfinite(column[r]);
        if (any && figure_->selected(r))
            names << data_.runs[r];
    }
    return names;
}

void ParallelCoordinates::emitFilter() {
    Q_EMIT filterChanged(filteredRuns());
}

std::shared_ptr<Figure> ParallelCoordinates::figure() const {
    return std::make_shared<ParallelCoordinatesFigure>(data_);
}

void ParallelCoordinates::rebuild() {
    const std::size_t n = table_->rows.size();
    data_ = {};
    for (std::size_t r = 0; r < n; ++r)
        data_.runs.push_back(QString::fromStdString(table_->runName(r)));
    for (const QString& c : columns_) {
        data_.axes.push_back(c);
        data_.values.push_back(table_->numbers(c.toStdString()));
        data_.logAxes.push_back(axisLog(c));
        const auto it = brushes_.constFind(c);
        data_.brushes.push_back(it == brushes_.constEnd()
                                    ? std::nullopt
                                    : std::optional<std::pair<double, double>>(*it));
    }
    const QString cc = colorColumn();
    if (!cc.isEmpty() && table_->find(cc.toStdString()) >= 0) {
        data_.colorTitle = cc;
        data_.colorValues = table_->numbers(cc.toStdString());
    }
    figure_ = std::make_shared<ParallelCoordinatesFigure>(data_);
    auto* widget = static_cast<FigureWidget*>(canvas_);
    widget->setFigure(data_.axes.empty() || n == 0 ? nullptr : figure_);
    const int kept = int(filteredRuns().size());
    count_->setText(brushes_.isEmpty() ? tr("%n run(s)", nullptr, int(n))
                                       : tr("%1 of %2 runs in the brushes").arg(kept).arg(n));
}

} // namespace embedscope::ui
