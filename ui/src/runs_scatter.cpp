#include "embedscope/ui/runs_scatter.h"

#include "embedscope/ui/figure_widget.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace embedscope::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxCategories = 12;        // more get the control grey and one "other" legend row
const QColor kThresholdColor(213, 94, 0); // Okabe–Ito vermillion: reads on light and dark
const QColor kDefaultColor(0, 114, 178);  // Okabe–Ito blue
constexpr double kMarker = 7;             // points
constexpr double kGrab = 5;               // points either side of a threshold line

AxisScale scaleOf(const std::vector<double>& a, const std::vector<double>& b) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::isfinite(a[i]) && std::isfinite(b[i])) {
            lo = std::min(lo, a[i]);
            hi = std::max(hi, a[i]);
        }
    return lo <= hi ? AxisScale::niceLinear(lo, hi) : AxisScale::linear(0, 1);
}

QString sideText(const RunsThreshold& t) {
    return QString(t.above ? QStringLiteral("> ") : QStringLiteral("< ")) +
           QString::number(t.value, 'g', 4);
}

} // namespace

// ---- figure ----------------------------------------------------------------------------------

RunsScatterFigure::RunsScatterFigure(RunsScatterData data) : data_(std::move(data)) {
    xScale_ = scaleOf(data_.x, data_.y);
    yScale_ = scaleOf(data_.y, data_.x);
    if (data_.colorKind == RunsScatterData::ColorKind::Numeric) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (double v : data_.colorValue)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        if (lo <= hi) {
            colorMin_ = lo;
            colorMax_ = hi;
        }
    } else if (data_.colorKind == RunsScatterData::ColorKind::Category) {
        // Only the values of drawn points get a colour and a legend row.
        for (std::size_t i = 0; i < data_.colorText.size(); ++i)
            if (std::isfinite(data_.x[i]) && std::isfinite(data_.y[i]) &&
                !categories_.contains(data_.colorText[i]))
                categories_ << data_.colorText[i];
    }
}

bool RunsScatterFigure::passes(std::size_t i) const {
    return data_.xThreshold.passes(data_.x[i]) && data_.yThreshold.passes(data_.y[i]);
}

int RunsScatterFigure::drawnCount() const {
    int n = 0;
    for (std::size_t i = 0; i < data_.x.size(); ++i)
        n += std::isfinite(data_.x[i]) && std::isfinite(data_.y[i]);
    return n;
}

int RunsScatterFigure::passingCount() const {
    int n = 0;
    for (std::size_t i = 0; i < data_.x.size(); ++i)
        n += std::isfinite(data_.x[i]) && std::isfinite(data_.y[i]) && passes(i);
    return n;
}

QColor RunsScatterFigure::pointColor(std::size_t i) const {
    switch (data_.colorKind) {
    case RunsScatterData::ColorKind::Numeric: {
        const double v = data_.colorValue[i];
        if (!std::isfinite(v))
            return controlGrey();
        const double t = colorMax_ > colorMin_ ? (v - colorMin_) / (colorMax_ - colorMin_) : 0.5;
        const auto rgb = viewer::CurveOverlay::viridis(t);
        return QColor(rgb[0], rgb[1], rgb[2]);
    }
    case RunsScatterData::ColorKind::Category: {
        const int k = int(categories_.indexOf(data_.colorText[i]));
        return k >= 0 && k < kMaxCategories ? categoryColor(k) : controlGrey();
    }
    default:
        return kDefaultColor;
    }
}

std::vector<LegendEntry> RunsScatterFigure::legend() const {
    std::vector<LegendEntry> entries;
    if (data_.colorKind != RunsScatterData::ColorKind::Category)
        return entries;
    for (int k = 0; k < int(categories_.size()) && k < kMaxCategories; ++k) {
        LegendEntry e;
        e.text = categories_[k].isEmpty() ? QStringLiteral("(none)") : categories_[k];
        e.color = categoryColor(k);
        e.kind = LegendEntry::Kind::Marker;
        entries.push_back(e);
    }
    if (categories_.size() > kMaxCategories) {
        LegendEntry e;
        e.text = QObject::tr("%1 others").arg(categories_.size() - kMaxCategories);
        e.color = controlGrey();
        e.kind = LegendEntry::Kind::Marker;
        entries.push_back(e);
    }
    return entries;
}

PlotArea RunsScatterFigure::plotArea(const QRectF& rect, const FigureOptions& options) const {
    PlotArea area(figureBodyRect(rect, options), options);
    area.setX(xScale_, data_.xTitle);
    area.setY(yScale_, data_.yTitle);
    if (data_.xThreshold.enabled || data_.yThreshold.enabled)
        area.setPanelTitle(
            QObject::tr("%1 of %2 runs pass (filled)").arg(passingCount()).arg(drawnCount()));
    if (data_.colorKind == RunsScatterData::ColorKind::Category) {
        std::vector<LegendEntry> entries = legend();
        area.setLegend(entries, LegendPlacement::OutsideRight);
    } else if (data_.colorKind == RunsScatterData::ColorKind::Numeric) {
        area.reserveRight(colorBarWidth(options));
    }
    return area;
}

int RunsScatterFigure::pointAt(const QRectF& rect, const FigureOptions& options, QPointF point,
                               double radius) const {
    const PlotArea area = plotArea(rect, options);
    int best = -1;
    double bestDistance = radius;
    for (std::size_t i = 0; i < data_.x.size(); ++i) {
        if (!std::isfinite(data_.x[i]) || !std::isfinite(data_.y[i]))
            continue;
        const QPointF p = area.map(data_.x[i], data_.y[i]);
        const double d = std::hypot(p.x() - point.x(), p.y() - point.y());
        if (d <= bestDistance) {
            bestDistance = d;
            best = int(i);
        }
    }
    return best;
}

void RunsScatterFigure::paint(QPainter& painter, const QRectF& rect,
                              const FigureOptions& options) const {
    painter.save();
    figureBody(painter, rect, options);
    const PlotArea area = plotArea(rect, options);
    area.drawGrid(painter);
    const auto& xt = data_.xThreshold;
    const auto& yt = data_.yThreshold;
    if (xt.enabled)
        area.verticalLine(painter, xt.value, kThresholdColor);
    if (yt.enabled)
        area.horizontalLine(painter, yt.value, kThresholdColor);

    // Open markers for the points that fail a threshold, filled ones for those that pass.
    for (std::size_t i = 0; i < data_.x.size(); ++i) {
        if (!std::isfinite(data_.x[i]) || !std::isfinite(data_.y[i]))
            continue;
        MarkerStyle style;
        style.size = kMarker;
        style.color = pointColor(i);
        style.filled = passes(i);
        style.outlineWidth = 1.2;
        area.markers(painter, {data_.x[i]}, {data_.y[i]}, style);
    }
    for (std::size_t i = 0; i < data_.runs.size(); ++i)
        if (!data_.selected.isEmpty() && data_.runs[i] == data_.selected) {
            MarkerStyle ring;
            ring.size = 2.2 * kMarker;
            ring.color = options.ink();
            ring.filled = false;
            ring.outlineWidth = 1.5;
            area.markers(painter, {data_.x[i]}, {data_.y[i]}, ring);
            area.label(painter, data_.x[i], data_.y[i], data_.selected,
                       Qt::AlignLeft | Qt::AlignBottom, QPointF(ring.size / 2, -ring.size / 2));
        }
    area.drawAxes(painter);
    // Threshold values at the lines' ends (inside the data rectangle).
    painter.setFont(figureFont(options, 0.9));
    painter.setPen(kThresholdColor);
    const QRectF inner = area.inner();
    const double lh = figureFont(options, 0.9).pixelSize() * 1.3;
    if (xt.enabled && area.xScale().fraction(xt.value) >= 0 &&
        area.xScale().fraction(xt.value) <= 1) {
        const double px = area.map(xt.value, 0).x();
        painter.drawText(QRectF(px + 3, inner.top() + 2, inner.right() - px, lh),
                         Qt::AlignLeft | Qt::AlignTop, sideText(xt));
    }
    if (yt.enabled && area.yScale().fraction(yt.value) >= 0 &&
        area.yScale().fraction(yt.value) <= 1) {
        const double py = area.map(0, yt.value).y();
        painter.drawText(QRectF(inner.left(), py - lh - 1, inner.width() - 3, lh),
                         Qt::AlignRight | Qt::AlignBottom, sideText(yt));
    }
    area.drawLegend(painter);

    if (data_.colorKind == RunsScatterData::ColorKind::Numeric) {
        // Colour bar: viridis from the column's minimum (bottom) to its maximum (top).
        const QRectF strip = area.reservedRect();
        const AxisScale scale = colorMax_ > colorMin_
                                    ? AxisScale::linear(colorMin_, colorMax_)
                                    : AxisScale::linear(colorMin_ - 0.5, colorMin_ + 0.5);
        drawColorBar(painter, QRectF(strip.left() + 10, inner.top(), 10, inner.height()),
                     strip.right(), scale, scale.ticks(4), viridisColor, data_.colorTitle, options);
    }
    painter.restore();
}

// ---- canvas ----------------------------------------------------------------------------------

/// The figure on screen, with the threshold lines draggable and the points clickable.
class RunsScatterCanvas : public FigureWidget {
public:
    explicit RunsScatterCanvas(RunsScatter* owner) : FigureWidget(owner), owner_(owner) {
        setMouseTracking(true);
        setMinimumSize(280, 200);
        setPlaceholderText(tr("No runs with two numeric columns to plot"));
    }

protected:
    enum class Drag { None, X, Y };

    Drag lineAt(QPointF at) const {
        const PlotArea area = owner_->plotArea();
        const QRectF inner = area.inner().adjusted(-kGrab, -kGrab, kGrab, kGrab);
        if (!inner.contains(at))
            return Drag::None;
        const RunsThreshold& xt = owner_->data_.xThreshold;
        const RunsThreshold& yt = owner_->data_.yThreshold;
        if (xt.enabled && std::fabs(area.map(xt.value, 0).x() - at.x()) <= kGrab)
            return Drag::X;
        if (yt.enabled && std::fabs(area.map(0, yt.value).y() - at.y()) <= kGrab)
            return Drag::Y;
        return Drag::None;
    }

    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() != Qt::LeftButton || !figure())
            return FigureWidget::mousePressEvent(event);
        drag_ = lineAt(event->position());
        if (drag_ == Drag::None)
            owner_->clickedAt(event->position(), event->modifiers() & Qt::ShiftModifier);
        event->accept();
    }

    void mouseMoveEvent(QMouseEvent* event) override {
        if (drag_ == Drag::None) {
            const Drag near = figure() ? lineAt(event->position()) : Drag::None;
            setCursor(near == Drag::X   ? Qt::SplitHCursor
                      : near == Drag::Y ? Qt::SplitVCursor
                                        : Qt::ArrowCursor);
            owner_->hoverAt(event->position());
            return;
        }
        // The axes do not depend on the thresholds, so the map stays fixed while dragging.
        const PlotArea area = owner_->plotArea();
        const QPointF value = area.inverse(event->position());
        if (drag_ == Drag::X) {
            RunsThreshold t = owner_->data_.xThreshold;
            const AxisScale& s = area.xScale();
            t.value = std::clamp(value.x(), std::min(s.min, s.max), std::max(s.min, s.max));
            owner_->setXThreshold(t);
        } else {
            RunsThreshold t = owner_->data_.yThreshold;
            const AxisScale& s = area.yScale();
            t.value = std::clamp(value.y(), std::min(s.min, s.max), std::max(s.min, s.max));
            owner_->setYThreshold(t);
        }
        event->accept();
    }

    void mouseReleaseEvent(QMouseEvent* event) override {
        drag_ = Drag::None;
        event->accept();
    }

private:
    RunsScatter* owner_;
    Drag drag_ = Drag::None;
};

// ---- widget ----------------------------------------------------------------------------------

RunsScatter::RunsScatter(QWidget* parent) : QWidget(parent), table_(std::make_shared<RunsTable>()) {
    x_ = new QComboBox(this);
    x_->setObjectName(QStringLiteral("scatterX"));
    y_ = new QComboBox(this);
    y_->setObjectName(QStringLiteral("scatterY"));
    color_ = new QComboBox(this);
    color_->setObjectName(QStringLiteral("scatterColor"));
    for (QComboBox* box : {x_, y_, color_}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!syncing_)
                rebuild();
        });
    }
    auto makeThreshold = [this](const QString& axis, QCheckBox*& on, QComboBox*& side,
                                QDoubleSpinBox*& value, bool xAxis) {
        on = new QCheckBox(tr("%1 threshold").arg(axis), this);
        on->setToolTip(tr("A dashed line to drag; runs past both lines are drawn filled"));
        side = new QComboBox(this);
        side->addItem(QStringLiteral(">"));
        side->addItem(QStringLiteral("<"));
        side->setToolTip(tr("Keep the runs above (>) or below (<) the line"));
        value = new QDoubleSpinBox(this);
        value->setRange(-1e12, 1e12);
        value->setDecimals(6);
        value->setKeyboardTracking(false);
        connect(on, &QCheckBox::toggled, this, [this, xAxis](bool checked) {
            if (!syncing_)
                thresholdEnabledByUser(xAxis, checked);
        });
        auto changed = [this, xAxis, side, value] {
            if (syncing_)
                return;
            RunsThreshold t = xAxis ? data_.xThreshold : data_.yThreshold;
            t.above = side->currentIndex() == 0;
            t.value = value->value();
            xAxis ? setXThreshold(t) : setYThreshold(t);
        };
        connect(side, &QComboBox::currentIndexChanged, this, changed);
        connect(value, &QDoubleSpinBox::valueChanged, this, changed);
    };
    makeThreshold(QStringLiteral("x"), xOn_, xSide_, xValue_, true);
    makeThreshold(QStringLiteral("y"), yOn_, ySide_, yValue_, false);
    count_ = new QLabel(this);
    count_->setObjectName(QStringLiteral("scatterCount"));
    canvas_ = new RunsScatterCanvas(this);

    auto* axes = new QHBoxLayout;
    axes->setContentsMargins(4, 2, 4, 0);
    axes->addWidget(new QLabel(tr("x:"), this));
    axes->addWidget(x_);
    axes->addWidget(new QLabel(tr("y:"), this));
    axes->addWidget(y_);
    axes->addWidget(new QLabel(tr("Colour:"), this));
    axes->addWidget(color_);
    axes->addStretch(1);
    auto* thresholds = new QHBoxLayout;
    thresholds->setContentsMargins(4, 0, 4, 0);
    for (QWidget* w : std::initializer_list<QWidget*>{xOn_, xSide_, xValue_})
        thresholds->addWidget(w);
    thresholds->addSpacing(12);
    for (QWidget* w : std::initializer_list<QWidget*>{yOn_, ySide_, yValue_})
        thresholds->addWidget(w);
    thresholds->addSpacing(12);
    thresholds->addWidget(count_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(axes);
    layout->addLayout(thresholds);
    layout->addWidget(canvas_, 1);
    data_.yThreshold.above = false; // the note's pair: F1 above, aligned RMSE below
    syncThresholdControls();
    rebuild();
}

QWidget* RunsScatter::canvas() const {
    return canvas_;
}

PlotArea RunsScatter::plotArea() const {
    auto* widget = static_cast<FigureWidget*>(canvas_);
    const FigureOptions options = widget->screenOptions();
    const QRectF rect(QPointF(0, 0), QSizeF(canvas_->size()));
    if (!figure_)
        return PlotArea(rect, options);
    return figure_->plotArea(rect, options);
}

void RunsScatter::setTable(std::shared_ptr<const RunsTable> table) {
    table_ = table ? std::move(table) : std::make_shared<RunsTable>();
    fillCombos();
    rebuild();
}

void RunsScatter::fillCombos() {
    const QString keepX = xColumn(), keepY = yColumn(), keepColor = colorColumn();
    syncing_ = true;
    QStringList numeric, metrics, all, varyingParams;
    for (std::size_t c = 0; c < table_->columns.size(); ++c) {
        const RunsColumn& col = table_->columns[c];
        const QString name = QString::fromStdString(col.name);
        all << name;
        if (col.numeric)
            numeric << name;
        if (col.kind == RunsColumn::Kind::Metric)
            metrics << name;
        if (col.kind == RunsColumn::Kind::Parameter && col.numeric && col.name != "seed") {
            const std::vector<double> v = table_->numbers(col.name);
            for (double a : v)
                if (std::isfinite(a) && a != v.front()) {
                    varyingParams << name;
                    break;
                }
        }
    }
    x_->clear();
    y_->clear();
    color_->clear();
    x_->addItems(numeric);
    y_->addItems(numeric);
    color_->addItem(tr("(one colour)"), QString());
    for (const QString& name : all)
        color_->addItem(name, name);
    // Defaults: the seed-003 pair (F1 against aligned RMSE) when present, else two metrics.
    auto pick = [&](const QString& keep, const QString& hint, const QString& avoid) {
        if (numeric.contains(keep))
            return keep;
        for (const QString& m : metrics)
            if (m.contains(hint, Qt::CaseInsensitive) && m != avoid)
                return m;
        for (const QString& m : metrics)
            if (m != avoid)
                return m;
        for (const QString& m : numeric)
            if (m != avoid)
                return m;
        return QString();
    };
    const QString x = pick(keepX, QStringLiteral("f1"), QString());
    const QString y = pick(keepY, QStringLiteral("rmse"), x);
    x_->setCurrentIndex(int(numeric.indexOf(x)));
    y_->setCurrentIndex(int(numeric.indexOf(y)));
    const QString color = all.contains(keepColor)    ? keepColor
                          : !varyingParams.isEmpty() ? varyingParams.front()
                                                     : QString();
    color_->setCurrentIndex(std::max(0, color_->findData(color)));
    syncing_ = false;
}

bool RunsScatter::setXColumn(const QString& column) {
    const int i = x_->findText(column);
    if (i >= 0)
        x_->setCurrentIndex(i);
    return i >= 0;
}

bool RunsScatter::setYColumn(const QString& column) {
    const int i = y_->findText(column);
    if (i >= 0)
        y_->setCurrentIndex(i);
    return i >= 0;
}

bool RunsScatter::setColorColumn(const QString& column) {
    const int i = color_->findData(column);
    if (i >= 0)
        color_->setCurrentIndex(i);
    return i >= 0;
}

QString RunsScatter::xColumn() const {
    return x_->currentText();
}

QString RunsScatter::yColumn() const {
    return y_->currentText();
}

QString RunsScatter::colorColumn() const {
    return color_->currentData().toString();
}

void RunsScatter::rebuild() {
    const QString xc = xColumn(), yc = yColumn(), cc = colorColumn();
    const std::size_t n = table_->rows.size();
    data_.xTitle = xc;
    data_.yTitle = yc;
    data_.runs.clear();
    for (std::size_t r = 0; r < n; ++r)
        data_.runs.push_back(QString::fromStdString(table_->runName(r)));
    const int xi = table_->find(xc.toStdString()), yi = table_->find(yc.toStdString());
    data_.x = xi >= 0 ? table_->numbers(xc.toStdString()) : std::vector<double>(n, kNaN);
    data_.y = yi >= 0 ? table_->numbers(yc.toStdString()) : std::vector<double>(n, kNaN);
    data_.colorKind = RunsScatterData::ColorKind::None;
    data_.colorTitle = cc;
    data_.colorValue.clear();
    data_.colorText.clear();
    const int ci = cc.isEmpty() ? -1 : table_->find(cc.toStdString());
    if (ci >= 0 && table_->columns[std::size_t(ci)].numeric) {
        data_.colorKind = RunsScatterData::ColorKind::Numeric;
        data_.colorValue = table_->numbers(cc.toStdString());
    } else if (ci >= 0) {
        data_.colorKind = RunsScatterData::ColorKind::Category;
        for (std::size_t r = 0; r < n; ++r)
            data_.colorText.push_back(QString::fromStdString(table_->text(r, ci)));
    }
    figure_ = std::make_shared<RunsScatterFigure>(data_);
    auto* widget = static_cast<FigureWidget*>(canvas_);
    widget->setFigure(figure_->drawnCount() > 0 ? figure_ : nullptr);
    const int drawn = figure_->drawnCount();
    QString text = tr("%1 of %n run(s) drawn", nullptr, int(n)).arg(drawn);
    if (data_.xThreshold.enabled || data_.yThreshold.enabled)
        text = tr("%1 of %2 pass").arg(figure_->passingCount()).arg(drawn);
    count_->setText(text);
}

void RunsScatter::syncThresholdControls() {
    syncing_ = true;
    xOn_->setChecked(data_.xThreshold.enabled);
    yOn_->setChecked(data_.yThreshold.enabled);
    xSide_->setCurrentIndex(data_.xThreshold.above ? 0 : 1);
    ySide_->setCurrentIndex(data_.yThreshold.above ? 0 : 1);
    xValue_->setValue(data_.xThreshold.value);
    yValue_->setValue(data_.yThreshold.value);
    for (QWidget* w : std::initializer_list<QWidget*>{xSide_, xValue_})
        w->setEnabled(data_.xThreshold.enabled);
    for (QWidget* w : std::initializer_list<QWidget*>{ySide_, yValue_})
        w->setEnabled(data_.yThreshold.enabled);
    syncing_ = false;
}

void RunsScatter::thresholdEnabledByUser(bool xAxis, bool on) {
    RunsThreshold t = xAxis ? data_.xThreshold : data_.yThreshold;
    t.enabled = on;
    if (on && figure_) {
        // A line outside the axes could not be grabbed: start it in the middle.
        const PlotArea area = plotArea();
        const AxisScale& s = xAxis ? area.xScale() : area.yScale();
        const double f = s.fraction(t.value);
        if (!(f >= 0 && f <= 1))
            t.value = s.value(0.5);
    }
    xAxis ? setXThreshold(t) : setYThreshold(t);
}

void RunsScatter::setXThreshold(const RunsThreshold& threshold) {
    data_.xThreshold = threshold;
    syncThresholdControls();
    rebuild();
    Q_EMIT thresholdsChanged();
}

void RunsScatter::setYThreshold(const RunsThreshold& threshold) {
    data_.yThreshold = threshold;
    syncThresholdControls();
    rebuild();
    Q_EMIT thresholdsChanged();
}

QStringList RunsScatter::passingRuns() const {
    QStringList names;
    for (std::size_t i = 0; i < data_.runs.size(); ++i)
        if (std::isfinite(data_.x[i]) && std::isfinite(data_.y[i]) && figure_->passes(i))
            names << data_.runs[i];
    return names;
}

void RunsScatter::selectRun(const QString& name) {
    if (data_.selected == name)
        return;
    data_.selected = name;
    rebuild();
}

std::shared_ptr<Figure> RunsScatter::figure() const {
    return std::make_shared<RunsScatterFigure>(data_);
}

void RunsScatter::clickedAt(QPointF at, bool shift) {
    auto* widget = static_cast<FigureWidget*>(canvas_);
    const int i = figure_->pointAt(QRectF(QPointF(0, 0), QSizeF(canvas_->size())),
                                   widget->screenOptions(), at);
    if (i < 0)
        return;
    const QString name = data_.runs[std::size_t(i)];
    if (shift && !data_.selected.isEmpty() && name != data_.selected) {
        Q_EMIT compareRequested(data_.selected, name);
        return;
    }
    selectRun(name);
    Q_EMIT runSelected(name);
}

void RunsScatter::hoverAt(QPointF at) {
    auto* widget = static_cast<FigureWidget*>(canvas_);
    const int i = figure_ ? figure_->pointAt(QRectF(QPointF(0, 0), QSizeF(canvas_->size())),
                                             widget->screenOptions(), at)
                          : -1;
    const QString name = i >= 0 ? data_.runs[std::size_t(i)] : QString();
    if (name == hovered_)
        return;
    hovered_ = name;
    if (name.isEmpty()) {
        canvas_->setToolTip(QString());
        QToolTip::hideText();
        return;
    }
    const QString tip = tr("%1\n%2 = %3\n%4 = %5")
                            .arg(name, data_.xTitle, formatTick(data_.x[std::size_t(i)]),
                                 data_.yTitle, formatTick(data_.y[std::size_t(i)]));
    canvas_->setToolTip(tip);
    QToolTip::showText(canvas_->mapToGlobal(at.toPoint()), tip, canvas_);
}

} // namespace embedscope::ui
