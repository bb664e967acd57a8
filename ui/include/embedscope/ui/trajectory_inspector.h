#pragma once
// The trajectory inspector (seed 000): the picked animal's x-y path in the cage coloured by
// time, its speed over the session and its rearing (z) track. Painted with QPainter: a 90,000
// step path is reduced to at most a few thousand segments, so a repaint stays cheap.
#include <QString>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace embedscope::ui {

/// What the inspector derives from one (3, T) sample; public for tests and reports.
struct TrajectorySummary {
    double durationS = 0;
    double distanceCm = 0;      ///< sum of step lengths
    double meanSpeedCmS = 0;    ///< distanceCm / durationS
    int rearingEpisodes = 0;    ///< rising edges of z
    double rearingFraction = 0; ///< share of steps with z = 1
};

class TrajectoryInspector : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryInspector(QWidget* parent = nullptr);

    /// Shows a sample of shape (channels, length), channel 0 = x, 1 = y in (-1, 1) (the cage
    /// mapped from [0, cageCm]), channel 2 = z (rearing) when present. Non-finite positions
    /// are skipped (the path is broken there).
    void setTrajectory(const std::vector<float>& values, int64_t channels, int64_t length,
                       double rateHz, double cageCm, const QString& title);
    /// Shows a message instead of a path (no sample, or not a trajectory).
    void clear(const QString& message = QString());

    bool hasTrajectory() const { return length_ > 0; }
    const QString& title() const { return title_; }
    const TrajectorySummary& summary() const { return summary_; }
    /// The viridis colour of relative time t in [0, 1] (start dark purple, end yellow).
    static QColor timeColour(double t);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintPath(class QPainter& p, const QRectF& area) const;
    void paintSeries(class QPainter& p, const QRectF& area) const;

    QString title_;
    QString message_;
    int64_t length_ = 0;
    double rateHz_ = 25;
    double cageCm_ = 40;
    std::vector<float> x_, y_, z_;  ///< cm (x, y), 0/1 (z), full resolution
    std::vector<double> speedBins_; ///< mean speed per time bin (cm/s)
    std::vector<double> rearBins_;  ///< share of rearing per time bin
    TrajectorySummary summary_;
};

} // namespace embedscope::ui
