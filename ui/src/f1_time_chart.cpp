#include "embedscope/ui/f1_time_chart.h"

#include "embedscope/viewer/scatter_scene.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <set>

namespace embedscope::ui {

std::map<std::string, QColor> groupColours(const std::vector<std::string>& categories) {
    // One point per distinct category in a scene of its own: the scene's colour assignment
    // (natural order, control grey, "other" last) is the one the embedding view draws with.
    const std::set<std::string> distinct(categories.begin(), categories.end());
    viewer::ScatterData data;
    data.dims = 2;
    data.categories.assign(distinct.begin(), distinct.end());
    data.xyz.assign(data.categories.size() * 3, 0.0);
    viewer::ScatterScene scene;
    scene.setData(data);
    std::map<std::string, QColor> out;
    for (const std::string& c : distinct) {
        const auto rgb = scene.colorOfCategory(c);
        out[c] = QColor(rgb[0], rgb[1], rgb[2]);
    }
    return out;
}

F1TimeChart::F1TimeChart(QWidget* parent) : QWidget(parent) {
    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message_->setAlignment(Qt::AlignCenter);
    chart_ = new QChart;
    chart_->legend()->setAlignment(Qt::AlignRight);
    chart_->setMargins(QMargins(2, 2, 2, 2));
    x_ = new QValueAxis;
    x_->setLabelFormat(QStringLiteral("%.3g"));
    y_ = new QValueAxis;
    y_->setTitleText(tr("F1"));
    y_->setRange(0.0, 1.0);
    y_->setTickCount(6);
    y_->setLabelFormat(QStringLiteral("%.1f"));
    chart_->addAxis(x_, Qt::AlignBottom);
    chart_->addAxis(y_, Qt::AlignLeft);
    view_ = new QChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(message_);
    layout->addWidget(view_, 1);
    clear(tr("Select a run to see its per-group F1 over time."));
}

void F1TimeChart::clear(const QString& message) {
    for (QLineSeries* s : series_) {
        chart_->removeSeries(s);
        delete s;
    }
    series_.clear();
    chart_->setTitle(QString());
    message_->setText(message);
    message_->setVisible(true);
    view_->setVisible(false);
}

void F1TimeChart::setResult(const BinnedF1& f1, const std::map<std::string, QColor>& colours,
                            const QString& orderTitle, const QString& context) {
    clear(QString());
    double lo = INFINITY, hi = -INFINITY;
    for (double c : f1.binCentres) {
        lo = std::min(lo, c);
        hi = std::max(hi, c);
    }
    for (std::size_t g = 0; g < f1.groups.size(); ++g) {
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(f1.groups[g]));
        const auto it = colours.find(f1.groups[g]);
        const QColor colour = it == colours.end() ? QColor(150, 150, 150) : it->second;
        line->setPen(QPen(colour, 2));
        line->setColor(colour);
        line->setPointsVisible(true);
        QList<QPointF> points;
        for (Eigen::Index b = 0; b < f1.perGroupBin.cols() && std::size_t(b) < f1.binCentres.size();
             ++b) {
            const double v = f1.perGroupBin(Eigen::Index(g), b);
            if (std::isfinite(v)) // no test rows of the group in this bin
                points.append(QPointF(f1.binCentres[std::size_t(b)], v));
        }
        line->replace(points);
        chart_->addSeries(line);
        line->attachAxis(x_);
        line->attachAxis(y_);
        series_.push_back(line);
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(0.5, 0.1 * std::abs(lo));
    x_->setRange(lo - pad, hi + pad);
    x_->setTitleText(orderTitle.isEmpty() ? tr("(no order column: one bin)")
                                          : tr("%1 (bin centre)").arg(orderTitle));
    QString title = tr("Per-group F1 by %1 — macro F1 %2 ± %3")
                        .arg(orderTitle.isEmpty() ? tr("bin") : orderTitle)
                        .arg(f1.f1Macro, 0, 'f', 3)
                        .arg(f1.f1MacroSe, 0, 'f', 3);
    if (!context.isEmpty())
        title += QStringLiteral(" (%1)").arg(context);
    chart_->setTitle(title);
    message_->setVisible(false);
    view_->setVisible(true);
}

QString F1TimeChart::message() const {
    return message_->isHidden() ? QString() : message_->text();
}

QString F1TimeChart::title() const {
    return chart_->title();
}

int F1TimeChart::seriesCount() const {
    return static_cast<int>(series_.size());
}

QStringList F1TimeChart::seriesNames() const {
    QStringList names;
    for (const QLineSeries* s : series_)
        names << s->name();
    return names;
}

QList<QPointF> F1TimeChart::seriesPoints(int index) const {
    if (index < 0 || index >= seriesCount())
        return {};
    return series_[std::size_t(index)]->points();
}

QColor F1TimeChart::seriesColour(int index) const {
    if (index < 0 || index >= seriesCount())
        return {};
    return series_[std::size_t(index)]->pen().color();
}

} // namespace embedscope::ui
