#include "embedscope/ui/beta_tradeoff_chart.h"

#include "embedscope/engine/generative.h"
#include "embedscope/engine/training.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <optional>

namespace embedscope::ui {
namespace {

const QColor kReconColour(0, 114, 178); // Okabe–Ito blue
const QColor kLatentColour(213, 94, 0); // Okabe–Ito vermillion

struct RunKey {
    std::string dataset, model;
    double latentDim = 0;
    double beta = 0;
};

std::optional<RunKey> keyOf(const RunRecord& run) {
    if (!isGenerativeRun(run))
        return std::nullopt;
    try {
        const TrainConfig c = parseTrainConfig(run.configJson, {}, run.name);
        RunKey k;
        k.dataset = run.datasetName;
        k.model = c.model;
        const auto latent = c.modelParams.find("latent_dim");
        k.latentDim = latent == c.modelParams.end() ? 0 : latent->second;
        const auto beta = c.lossParams.find("beta");
        k.beta = beta == c.lossParams.end() ? 1.0 : beta->second; // the elbo default
        return k;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// The curve's value at the best epoch, else its last finite value; NaN when none.
double valueAtBest(const RunRecord& run, const std::string& curve) {
    const auto it = run.curves.find(curve);
    if (it == run.curves.end() || it->second.empty())
        return NAN;
    const auto& v = it->second;
    if (run.bestEpoch >= 0 && std::size_t(run.bestEpoch) < v.size() &&
        std::isfinite(v[std::size_t(run.bestEpoch)]))
        return v[std::size_t(run.bestEpoch)];
    for (std::size_t i = v.size(); i-- > 0;)
        if (std::isfinite(v[i]))
            return v[i];
    return NAN;
}

void fitAxis(QValueAxis* axis, double lo, double hi) {
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    const double pad = std::max(1e-9, 0.1 * (hi - lo));
    axis->setRange(std::max(0.0, lo - pad), hi + pad);
    axis->applyNiceNumbers();
}

} // namespace

std::vector<BetaPoint> betaTradeoffPoints(const RunRecord& selected,
                                          const std::vector<RunRecord>& runs) {
    std::vector<BetaPoint> points;
    const auto target = keyOf(selected);
    if (!target)
        return points;
    for (const RunRecord& run : runs) {
        const auto key = keyOf(run);
        if (!key || key->dataset != target->dataset || key->model != target->model ||
            key->latentDim != target->latentDim || !(key->beta > 0))
            continue;
        BetaPoint p;
        p.run = QString::fromStdString(run.name);
        p.beta = key->beta;
        p.valRecon = valueAtBest(run, "val_recon");
        p.valLatent = valueAtBest(run, "val_latent");
        if (std::isfinite(p.valRecon) && std::isfinite(p.valLatent))
            points.push_back(p);
    }
    std::sort(points.begin(), points.end(), [](const BetaPoint& a, const BetaPoint& b) {
        return a.beta != b.beta ? a.beta < b.beta : a.run < b.run;
    });
    return points;
}

BetaTradeoffChart::BetaTradeoffChart(QWidget* parent) : QWidget(parent) {
    hint_ = new QLabel;
    hint_->setWordWrap(true);
    hint_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    chart_ = new QChart;
    chart_->legend()->setAlignment(Qt::AlignRight);
    chart_->setMargins(QMargins(2, 2, 2, 2));
    recon_ = new QLineSeries;
    recon_->setName(tr("val reconstruction"));
    recon_->setPen(QPen(kReconColour, 2));
    latent_ = new QLineSeries;
    latent_->setName(tr("val latent (KLD/MMD)"));
    latent_->setPen(QPen(kLatentColour, 2, Qt::DashLine));
    reconPoints_ = new QScatterSeries;
    reconPoints_->setColor(kReconColour);
    reconPoints_->setMarkerSize(9);
    latentPoints_ = new QScatterSeries;
    latentPoints_->setColor(kLatentColour);
    latentPoints_->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    latentPoints_->setMarkerSize(9);
    for (QXYSeries* s :
         std::initializer_list<QXYSeries*>{recon_, latent_, reconPoints_, latentPoints_})
        chart_->addSeries(s);
    x_ = new QLogValueAxis;
    x_->setBase(10);
    x_->setTitleText(tr("β (log scale)"));
    x_->setLabelFormat(QStringLiteral("%g"));
    x_->setMinorTickCount(8);
    yRecon_ = new QValueAxis;
    yRecon_->setTitleText(tr("reconstruction"));
    yRecon_->setTitleBrush(kReconColour);
    yRecon_->setLabelFormat(QStringLiteral("%.3g"));
    yLatent_ = new QValueAxis;
    yLatent_->setTitleText(tr("latent term"));
    yLatent_->setTitleBrush(kLatentColour);
    yLatent_->setLabelFormat(QStringLiteral("%.3g"));
    chart_->addAxis(x_, Qt::AlignBottom);
    chart_->addAxis(yRecon_, Qt::AlignLeft);
    chart_->addAxis(yLatent_, Qt::AlignRight);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{recon_, reconPoints_}) {
        s->attachAxis(x_);
        s->attachAxis(yRecon_);
    }
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{latent_, latentPoints_}) {
        s->attachAxis(x_);
        s->attachAxis(yLatent_);
    }
    // The marker series repeat the lines' names: only the lines go into the legend.
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{reconPoints_, latentPoints_})
        for (auto* marker : chart_->legend()->markers(s))
            marker->setVisible(false);
    view_ = new QChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(hint_);
    layout->addWidget(view_, 1);
    setMinimumHeight(200);
    connect(chart_, &QChart::plotAreaChanged, this, [this] { placeLabels(); });
    clear();
}

QString BetaTradeoffChart::hint() const {
    return hint_->isHidden() ? QString() : hint_->text();
}

void BetaTradeoffChart::clear(const QString& message) {
    points_.clear();
    for (QXYSeries* s :
         std::initializer_list<QXYSeries*>{recon_, latent_, reconPoints_, latentPoints_})
        s->clear();
    placeLabels();
    hint_->setText(message.isEmpty() ? tr("Select a generative run to compare it with runs of "
                                          "other β (seed 001 Fig 4.3).")
                                     : message);
    hint_->setVisible(true);
    view_->setVisible(false);
}

void BetaTradeoffChart::setPoints(std::vector<BetaPoint> points, const QString& context) {
    if (points.size() < 2) {
        clear(tr("%1 run(s) of %2 with validation curves: the trade-off needs at least 2. Train "
                 "the same model and latent size with loss_params.beta = 0.1, 1, 2 and 10 (the "
                 "training panel's β, or embedscope-cli train --set loss_params.beta=2).")
                  .arg(points.size())
                  .arg(context.isEmpty() ? tr("this model") : context));
        return;
    }
    points_ = std::move(points);
    QList<QPointF> r, l;
    double rLo = INFINITY, rHi = -INFINITY, lLo = INFINITY, lHi = -INFINITY;
    for (const BetaPoint& p : points_) {
        r.append(QPointF(p.beta, p.valRecon));
        l.append(QPointF(p.beta, p.valLatent));
        rLo = std::min(rLo, p.valRecon);
        rHi = std::max(rHi, p.valRecon);
        lLo = std::min(lLo, p.valLatent);
        lHi = std::max(lHi, p.valLatent);
    }
    recon_->replace(r);
    reconPoints_->replace(r);
    latent_->replace(l);
    latentPoints_->replace(l);
    // A decade of margin either side keeps the end labels inside the plot.
    const double bLo = points_.front().beta, bHi = points_.back().beta;
    x_->setRange(std::pow(10.0, std::floor(std::log10(bLo) - 0.3)),
                 std::pow(10.0, std::ceil(std::log10(bHi) + 0.3)));
    fitAxis(yRecon_, rLo, rHi);
    fitAxis(yLatent_, lLo, lHi);
    chart_->setTitle(context.isEmpty() ? QString() : tr("β trade-off: %1").arg(context));
    hint_->setVisible(false);
    view_->setVisible(true);
    placeLabels();
}

void BetaTradeoffChart::placeLabels() {
    for (auto* item : labels_)
        delete item;
    labels_.clear();
    if (points_.empty())
        return;
    // Run names beside the reconstruction points (Qt 6.4 point labels show only x / y).
    for (const BetaPoint& p : points_) {
        auto* item = new QGraphicsSimpleTextItem(p.run, chart_);
        QFont f = item->font();
        f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.8));
        item->setFont(f);
        const QPointF at = chart_->mapToPosition(QPointF(p.beta, p.valRecon), reconPoints_);
        item->setPos(at + QPointF(6, -16));
        labels_.push_back(item);
    }
}

} // namespace embedscope::ui
