#pragma once
// Live train/validation loss curves, one point per epoch; the best epoch is marked. Generative
// runs add their two ELBO terms (seed 002 Figs 4.5/4.6): reconstruction on the left axis with
// the loss, the latent term (KLD / MMD) on a right axis; train solid, validation dashed.
#include <QMap>
#include <QWidget>

#include <map>
#include <string>
#include <utility>
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
    /// Appends epoch `epoch` (0-based); a NaN val loss is skipped. `curves` (EpochReport::curves)
    /// may carry the ELBO terms train_recon, val_recon, train_latent, val_latent; others are
    /// ignored.
    void addEpoch(int epoch, double trainLoss, double valLoss,
                  const std::vector<std::pair<std::string, double>>& curves = {});
    /// Replaces the curves (e.g. when a saved run is selected) and marks `bestEpoch`; `curves`
    /// as RunRecord::curves.
    void setCurves(const std::vector<double>& train, const std::vector<double>& val, int bestEpoch,
                   const std::map<std::string, std::vector<double>>& curves = {});
    void setBestEpoch(int epoch);
    int pointCount() const;
    /// The ELBO term series that hold points (0 for contrastive runs, 4 for generative ones).
    int termSeriesCount() const;
    /// Points of one ELBO term series ("val_latent", ...), 0 when unknown.
    int termPointCount(const QString& key) const;
    /// The ELBO term keys in drawing order.
    static QStringList termKeys();
    QChartView* chartView() const { return view_; }

private:
    void rescale();
    void appendTerm(const std::string& key, int epoch, double value);

    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QLineSeries* train_ = nullptr;
    QLineSeries* val_ = nullptr;
    QScatterSeries* best_ = nullptr;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    QValueAxis* yLatent_ = nullptr; ///< right axis, shown only with latent-term points
    QMap<QString, QLineSeries*> terms_;
};

} // namespace embedscope::ui
