#pragma once
// The seed 000 metrics of a run per epoch (Figs 4.4-4.7): one metric at a time, chosen in a
// combo box, with the best epoch marked and the untrained / manual / combined reference runs as
// dashed horizontal lines.
#include "embedscope/engine/run_metrics.h"

#include <QMap>
#include <QWidget>

#include <string>
#include <utility>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace embedscope::ui {

class MetricsChart : public QWidget {
    Q_OBJECT
public:
    explicit MetricsChart(QWidget* parent = nullptr);

    /// Forgets the run and the references.
    void clear();
    /// Shows a saved run's curves; `bestEpoch` < 0 for a run without epochs (a reference).
    void setRun(const QString& name, const RunMetrics& metrics, int bestEpoch);
    /// Starts a live run (training): curves grow with addEpoch.
    void startLive(const QString& name);
    void addEpoch(int epoch, const std::vector<std::pair<std::string, double>>& values);
    /// Reference runs by kind ("untrained", "manual", "combined"): their best values as lines.
    void setReferences(const QMap<QString, RunMetrics>& references);

    QString currentMetric() const;
    void setCurrentMetric(const QString& key);
    QStringList availableMetrics() const;
    int pointCount() const;     ///< points of the current metric's curve
    int referenceCount() const; ///< reference lines drawn for the current metric
    /// The y of the reference line of `kind` for the current metric (NaN when not drawn).
    double referenceValue(const QString& kind) const;
    QString summaryText() const;
    /// The chart drawn (for figure export).
    QChart* chart() const { return chart_; }

private:
    void redraw();
    void refreshMetricList();

    QComboBox* metric_ = nullptr;
    QLabel* summary_ = nullptr;
    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QLineSeries* curve_ = nullptr;
    QScatterSeries* best_ = nullptr;
    QMap<QString, QLineSeries*> referenceLines_;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;

    QString runName_;
    RunMetrics metrics_;
    int bestEpoch_ = -1;
    QMap<QString, RunMetrics> references_;
};

} // namespace embedscope::ui
