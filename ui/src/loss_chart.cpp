#include "embedscope/ui/loss_chart.h"

#include <QChart>
#include <QChartView>
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

LossChart::LossChart(QWidget* parent) : QWidget(parent) {
    chart_ = new QChart;
    // No chart title (the dock says "Loss") and the legend on the right: a short dock must
    // leave the plot area tall enough for readable tick labels.
    chart_->legend()->setAlignment(Qt::AlignRight);
    chart_->setMargins(QMargins(2, 2, 2, 2));
    train_ = new QLineSeries;
    train_->setName(tr("train"));
    train_->setPen(QPen(QColor(0, 114, 178), 2)); // Okabe–Ito blue
    val_ = new QLineSeries;
    val_->setName(tr("validation"));
    val_->setPen(QPen(QColor(213, 94, 0), 2)); // Okabe–Ito vermillion
    best_ = new QScatterSeries;
    best_->setName(tr("best"));
    best_->setMarkerSize(10);
    best_->setColor(QColor(213, 94, 0));
    best_->setBorderColor(Qt::black);
    chart_->addSeries(train_);
    chart_->addSeries(val_);
    chart_->addSeries(best_);
    x_ = new QValueAxis;
    x_->setTitleText(tr("epoch"));
    x_->setLabelFormat(QStringLiteral("%d"));
    y_ = new QValueAxis;
    y_->setTitleText(tr("loss"));
    y_->setLabelFormat(QStringLiteral("%.3g"));
    y_->setTickCount(5);
    yLatent_ = new QValueAxis;
    yLatent_->setTitleText(tr("latent term"));
    yLatent_->setLabelFormat(QStringLiteral("%.3g"));
    yLatent_->setTickCount(5);
    chart_->addAxis(x_, Qt::AlignBottom);
    chart_->addAxis(y_, Qt::AlignLeft);
    chart_->addAxis(yLatent_, Qt::AlignRight);
    for (auto* s : {static_cast<QXYSeries*>(train_), static_cast<QXYSeries*>(val_),
                    static_cast<QXYSeries*>(best_)}) {
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    // ELBO terms: Okabe–Ito bluish green (reconstruction) and reddish purple (latent).
    for (const QString& key : termKeys()) {
        auto* series = new QLineSeries;
        const bool latent = key.endsWith(QStringLiteral("latent"));
        const bool validation = key.startsWith(QStringLiteral("val"));
        series->setName(QStringLiteral("%1 %2").arg(validation ? tr("val") : tr("train"),
                                                    latent ? tr("latent") : tr("recon")));
        series->setPen(QPen(latent ? QColor(204, 121, 167) : QColor(0, 158, 115), 2,
                            validation ? Qt::DashLine : Qt::SolidLine));
        chart_->addSeries(series);
        series->attachAxis(x_);
        series->attachAxis(latent ? yLatent_ : y_);
        terms_.insert(key, series);
    }
    view_ = new QChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_);
    setMinimumHeight(200);
    rescale();
}

QStringList LossChart::termKeys() {
    return {QStringLiteral("train_recon"), QStringLiteral("val_recon"),
            QStringLiteral("train_latent"), QStringLiteral("val_latent")};
}

void LossChart::clear() {
    train_->clear();
    val_->clear();
    best_->clear();
    for (QLineSeries* s : terms_)
        s->clear();
    rescale();
}

void LossChart::appendTerm(const std::string& key, int epoch, double value) {
    QLineSeries* series = terms_.value(QString::fromStdString(key));
    if (series && std::isfinite(value))
        series->append(epoch + 1, value);
}

void LossChart::addEpoch(int epoch, double trainLoss, double valLoss,
                         const std::vector<std::pair<std::string, double>>& curves) {
    // Epochs are shown 1-based, as people count them.
    if (std::isfinite(trainLoss))
        train_->append(epoch + 1, trainLoss);
    if (std::isfinite(valLoss))
        val_->append(epoch + 1, valLoss);
    for (const auto& [key, value] : curves)
        appendTerm(key, epoch, value);
    rescale();
}

int LossChart::termSeriesCount() const {
    int n = 0;
    for (const QLineSeries* s : terms_)
        n += s->count() > 0 ? 1 : 0;
    return n;
}

int LossChart::termPointCount(const QString& key) const {
    const QLineSeries* s = terms_.value(key);
    return s ? s->count() : 0;
}

void LossChart::setCurves(const std::vector<double>& train, const std::vector<double>& val,
                          int bestEpoch, const std::map<std::string, std::vector<double>>& curves) {
    clear();
    for (const auto& [key, values] : curves)
        for (std::size_t i = 0; i < values.size(); ++i)
            appendTerm(key, int(i), values[i]);
    QList<QPointF> t, v;
    for (std::size_t i = 0; i < train.size(); ++i)
        if (std::isfinite(train[i]))
            t.append(QPointF(double(i + 1), train[i]));
    for (std::size_t i = 0; i < val.size(); ++i)
        if (std::isfinite(val[i]))
            v.append(QPointF(double(i + 1), val[i]));
    train_->replace(t);
    val_->replace(v);
    setBestEpoch(bestEpoch);
}

void LossChart::setBestEpoch(int epoch) {
    best_->clear();
    const QLineSeries* source = val_->count() > 0 ? val_ : train_;
    for (const QPointF& p : source->points())
        if (static_cast<int>(std::lround(p.x())) == epoch + 1)
            best_->append(p);
    rescale();
}

int LossChart::pointCount() const {
    return train_->count();
}

void LossChart::rescale() {
    double lo = INFINITY, hi = -INFINITY, maxEpoch = 1;
    double latentLo = INFINITY, latentHi = -INFINITY;
    for (const QLineSeries* s : {train_, val_, terms_.value(QStringLiteral("train_recon")),
                                 terms_.value(QStringLiteral("val_recon"))}) {
        for (const QPointF& p : s->points()) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
            maxEpoch = std::max(maxEpoch, p.x());
        }
    }
    for (const QLineSeries* s : {terms_.value(QStringLiteral("train_latent")),
                                 terms_.value(QStringLiteral("val_latent"))}) {
        for (const QPointF& p : s->points()) {
            latentLo = std::min(latentLo, p.y());
            latentHi = std::max(latentHi, p.y());
            maxEpoch = std::max(maxEpoch, p.x());
        }
    }
    const auto fit = [](QValueAxis* axis, double a, double b) {
        if (!std::isfinite(a)) {
            a = 0;
            b = 1;
        }
        const double pad = std::max(1e-6, 0.08 * (b - a));
        axis->setRange(a - pad, b + pad);
        axis->applyNiceNumbers();
    };
    fit(y_, lo, hi);
    // The right axis only when there is a latent term to read on it.
    yLatent_->setVisible(std::isfinite(latentLo));
    fit(yLatent_, latentLo, latentHi);
    y_->setTitleText(std::isfinite(latentLo) ? tr("loss, reconstruction") : tr("loss"));
    for (QLineSeries* s : terms_)
        for (auto* marker : chart_->legend()->markers(s))
            marker->setVisible(s->count() > 0);
    // Ticks on whole epochs: a step of 1, 2 or 5 x 10^k giving at most ~10 intervals.
    const double last = std::max(2.0, maxEpoch);
    double step = 1;
    for (double scale = 1; step * 10 < last - 1; scale *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (step * 10 < last - 1)
                step = m * scale;
    x_->setRange(1, last);
    x_->setTickType(QValueAxis::TicksDynamic);
    x_->setTickAnchor(step > 1 ? 0 : 1);
    x_->setTickInterval(step);
}

} // namespace embedscope::ui
