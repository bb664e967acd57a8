#include "embedscope/ui/metrics_chart.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

/// Reference kinds in drawing order, with their Okabe–Ito colours.
const std::vector<std::pair<QString, QColor>>& referenceStyles() {
    static const std::vector<std::pair<QString, QColor>> styles = {
        {QStringLiteral("untrained"), QColor(128, 128, 128)},
        {QStringLiteral("manual"), QColor(0, 158, 115)},
        {QStringLiteral("combined"), QColor(204, 121, 167)}};
    return styles;
}

/// A reference run's value of `key`: its best value, else its first epoch (untrained runs).
double referenceOf(const RunMetrics& m, const std::string& key) {
    const double best = m.bestValue(key);
    if (std::isfinite(best))
        return best;
    const auto it = m.perEpoch.find(key);
    return it != m.perEpoch.end() && !it->second.empty() ? it->second.front() : NAN;
}

} // namespace

MetricsChart::MetricsChart(QWidget* parent) : QWidget(parent) {
    metric_ = new QComboBox;
    summary_ = new QLabel;
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long summary must not widen the dock (a relayout re-renders the VTK view mid-training).
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    chart_ = new QChart;
    chart_->legend()->setAlignment(Qt::AlignRight);
    chart_->setMargins(QMargins(2, 2, 2, 2));
    curve_ = new QLineSeries;
    curve_->setPen(QPen(QColor(0, 114, 178), 2)); // Okabe–Ito blue, as the train loss
    best_ = new QScatterSeries;
    best_->setName(tr("best checkpoint"));
    best_->setMarkerSize(10);
    best_->setColor(QColor(0, 114, 178));
    best_->setBorderColor(Qt::black);
    chart_->addSeries(curve_);
    chart_->addSeries(best_);
    x_ = new QValueAxis;
    x_->setTitleText(tr("epoch"));
    x_->setLabelFormat(QStringLiteral("%d"));
    y_ = new QValueAxis;
    y_->setLabelFormat(QStringLiteral("%.3g"));
    y_->setTickCount(5);
    chart_->addAxis(x_, Qt::AlignBottom);
    chart_->addAxis(y_, Qt::AlignLeft);
    for (const auto& [kind, colour] : referenceStyles()) {
        auto* line = new QLineSeries;
        line->setName(kind);
        line->setPen(QPen(colour, 2, Qt::DashLine));
        chart_->addSeries(line);
        referenceLines_.insert(kind, line);
    }
    for (QAbstractSeries* s : chart_->series()) {
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    view_ = new QChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Metric")));
    top->addWidget(metric_);
    top->addWidget(summary_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(view_, 1);
    setMinimumHeight(200);
    connect(metric_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
    refreshMetricList();
}

void MetricsChart::clear() {
    runName_.clear();
    metrics_ = RunMetrics();
    bestEpoch_ = -1;
    references_.clear();
    refreshMetricList();
}

void MetricsChart::setRun(const QString& name, const RunMetrics& metrics, int bestEpoch) {
    runName_ = name;
    metrics_ = metrics;
    bestEpoch_ = bestEpoch;
    refreshMetricList();
}

void MetricsChart::startLive(const QString& name) {
    setRun(name, RunMetrics(), -1);
}

void MetricsChart::addEpoch(int epoch, const std::vector<std::pair<std::string, double>>& values) {
    for (const auto& [key, value] : values) {
        auto& curve = metrics_.perEpoch[key];
        curve.resize(static_cast<std::size_t>(epoch), NAN);
        curve.push_back(value);
    }
    refreshMetricList();
}

void MetricsChart::setReferences(const QMap<QString, RunMetrics>& references) {
    references_ = references;
    refreshMetricList();
}

QString MetricsChart::currentMetric() const {
    return metric_->currentData().toString();
}

void MetricsChart::setCurrentMetric(const QString& key) {
    const int i = metric_->findData(key);
    if (i >= 0)
        metric_->setCurrentIndex(i);
}

QStringList MetricsChart::availableMetrics() const {
    QStringList keys;
    for (int i = 0; i < metric_->count(); ++i)
        keys << metric_->itemData(i).toString();
    return keys;
}

int MetricsChart::pointCount() const {
    return curve_->count();
}

int MetricsChart::referenceCount() const {
    int n = 0;
    for (const QLineSeries* line : referenceLines_)
        n += line->count() > 0 ? 1 : 0;
    return n;
}

double MetricsChart::referenceValue(const QString& kind) const {
    const QLineSeries* line = referenceLines_.value(kind, nullptr);
    return line && line->count() > 0 ? line->at(0).y() : NAN;
}

QString MetricsChart::summaryText() const {
    return summary_->text();
}

void MetricsChart::refreshMetricList() {
    // Every key the run or a reference has, in the seed's order.
    const QString previous = currentMetric();
    QStringList keys;
    for (const std::string& key : metricKeys()) {
        bool present = metrics_.perEpoch.count(key) || std::isfinite(metrics_.bestValue(key));
        for (const RunMetrics& r : references_)
            present = present || std::isfinite(referenceOf(r, key));
        if (present)
            keys << QString::fromStdString(key);
    }
    if (keys != availableMetrics()) {
        const QSignalBlocker block(metric_);
        metric_->clear();
        for (const QString& key : keys)
            metric_->addItem(QString::fromStdString(metricTitle(key.toStdString())), key);
        const int keep = metric_->findData(previous);
        metric_->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    redraw();
}

void MetricsChart::redraw() {
    const std::string key = currentMetric().toStdString();
    QList<QPointF> points;
    if (const auto it = metrics_.perEpoch.find(key); it != metrics_.perEpoch.end())
        for (std::size_t i = 0; i < it->second.size(); ++i)
            if (std::isfinite(it->second[i]))
                points.append(QPointF(double(i + 1), it->second[i]));
    curve_->replace(points);
    curve_->setName(runName_.isEmpty() ? tr("run") : runName_);
    best_->clear();
    for (const QPointF& p : points)
        if (int(std::lround(p.x())) == bestEpoch_ + 1)
            best_->append(p);

    double lo = INFINITY, hi = -INFINITY, last = 2;
    for (const QPointF& p : points) {
        lo = std::min(lo, p.y());
        hi = std::max(hi, p.y());
        last = std::max(last, p.x());
    }
    // Each reference's value of this metric, looked up once for the lines and the summary.
    std::vector<std::pair<QString, double>> referenceValues;
    for (const auto& [kind, colour] : referenceStyles()) {
        const double v =
            references_.contains(kind) ? referenceOf(references_.value(kind), key) : NAN;
        referenceValues.emplace_back(kind, v);
        QLineSeries* line = referenceLines_.value(kind);
        line->clear();
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            line->replace({QPointF(1, v), QPointF(last, v)});
        }
        // Only the references the project has appear in the legend.
        for (QLegendMarker* marker : chart_->legend()->markers(line))
            marker->setVisible(std::isfinite(v));
    }
    for (QLegendMarker* marker : chart_->legend()->markers(best_))
        marker->setVisible(best_->count() > 0);
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    const double pad = std::max(1e-6, 0.08 * (hi - lo));
    y_->setRange(lo - pad, hi + pad);
    y_->applyNiceNumbers();
    // Short axis title (a long one is cut in a low dock); the arrow says which way is better.
    y_->setTitleText(QString::fromStdString(metricTitle(key)) +
                     (metricLowerIsBetter(key) ? QStringLiteral(" ↓") : QStringLiteral(" ↑")));
    metric_->setToolTip(metricLowerIsBetter(key) ? tr("Lower is better") : tr("Higher is better"));
    x_->setRange(1, last);
    x_->setTickType(QValueAxis::TicksDynamic);
    x_->setTickAnchor(1);
    x_->setTickInterval(std::max(1.0, std::ceil((last - 1) / 10.0)));

    // The run's value at the best checkpoint and the references', as text one can copy.
    QStringList parts;
    const double best = metrics_.bestValue(key);
    if (std::isfinite(best))
        parts << tr("%1: %2").arg(runName_).arg(best, 0, 'g', 4);
    for (const auto& [kind, v] : referenceValues)
        if (std::isfinite(v))
            parts << tr("%1: %2").arg(kind).arg(v, 0, 'g', 4);
    summary_->setText(parts.join(QStringLiteral(" · ")));
}

} // namespace embedscope::ui
