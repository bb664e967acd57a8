#pragma once
// Live train/validation loss curves, one point per epoch; the best epoch is marked.
#include <QWidget>

#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace embedscope::ui {

class LossChart : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    void clear();
    /// Appends epoch `epoch` (0-based); a NaN val loss is skipped.
    void addEpoch(int epoch, double trainLoss, double valLoss);
    /// Replaces the curves (e.g. when a saved run is selected) and marks `bestEpoch`.
    void setCurves(const std::vector<double>& train, const std::vector<double>& val, int bestEpoch);
    void setBestEpoch(int epoch);
    int pointCount() const;
    QChartView* chartView() const { return view_; }

private:
    void rescale();

    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QLineSeries* train_ = nullptr;
    QLineSeries* val_ = nullptr;
    QScatterSeries* best_ = nullptr;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
};

} // namespace embedscope::ui
