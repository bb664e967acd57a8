#pragma once
// The β trade-off (seed 001 Fig 4.3): for generative runs of one model and latent size on one
// data set, the validation reconstruction error and latent term (KLD / MMD) against β on a log
// axis; each point is labelled with its run. The curves cross near a sensible β.
#include "embedscope/engine/run.h"

#include <QString>
#include <QWidget>

#include <vector>

class QChart;
class QChartView;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;

namespace embedscope::ui {

struct BetaPoint {
    QString run;
    double beta = 0;
    double valRecon = 0;  ///< val_recon at the run's best epoch (the kept checkpoint)
    double valLatent = 0; ///< val_latent at that epoch
};

/// The runs comparable with `selected`: generative, same data set, model and latent_dim, with
/// val_recon / val_latent curves and β > 0 (a log axis); sorted by β, then by run name. Runs
/// whose stored config cannot be read are skipped. Empty when `selected` is not generative.
std::vector<BetaPoint> betaTradeoffPoints(const RunRecord& selected,
                                          const std::vector<RunRecord>& runs);

class BetaTradeoffChart : public QWidget {
    Q_OBJECT
public:
    explicit BetaTradeoffChart(QWidget* parent = nullptr);

    /// Shows the points (sorted by β by betaTradeoffPoints); fewer than 2 show a hint on how to
    /// make such runs instead. `context` names the model / data set in the hint and title.
    void setPoints(std::vector<BetaPoint> points, const QString& context = QString());
    void clear(const QString& message = QString());

    const std::vector<BetaPoint>& points() const { return points_; }
    int pointCount() const { return static_cast<int>(points_.size()); }
    /// The hint or message shown instead of the chart; empty when the chart is shown.
    QString hint() const;
    QChartView* chartView() const { return view_; }

private:
    void placeLabels();

    std::vector<BetaPoint> points_;
    QLabel* hint_ = nullptr;
    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QLineSeries* recon_ = nullptr;
    QLineSeries* latent_ = nullptr;
    QScatterSeries* reconPoints_ = nullptr;
    QScatterSeries* latentPoints_ = nullptr;
    QLogValueAxis* x_ = nullptr;
    QValueAxis* yRecon_ = nullptr;
    QValueAxis* yLatent_ = nullptr;
    std::vector<QGraphicsSimpleTextItem*> labels_;
};

} // namespace embedscope::ui
