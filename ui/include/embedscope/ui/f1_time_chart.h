#pragma once
// Per-perturbation F1 over time/dose (seed-003 lab note, SPEC S3: "Classification on per Pert
// level"): one line per group of a BinnedF1, x = the bin centre of the order column, y = F1 in
// [0, 1], the macro F1 ± SE in the title. Colours are the embedding view's (see groupColours).
#include "embedscope/engine/embedding_geometry.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace embedscope::ui {

/// The colour each of `categories` gets in an EmbeddingView coloured by them (the scene's
/// palette in natural order, grey for "control"), so charts and plots agree.
std::map<std::string, QColor> groupColours(const std::vector<std::string>& categories);

class F1TimeChart : public QWidget {
    Q_OBJECT
public:
    explicit F1TimeChart(QWidget* parent = nullptr);

    /// Draws `f1` (groups in its order). `colours` maps group -> colour (missing: grey);
    /// `orderTitle` names the x axis (empty: no order column, a single bin); `context` (e.g.
    /// the run) goes into the title.
    void setResult(const BinnedF1& f1, const std::map<std::string, QColor>& colours,
                   const QString& orderTitle, const QString& context);
    /// Hides the chart and shows `message` (computing, no run, an error).
    void clear(const QString& message);

    /// The message shown instead of the chart; empty when the chart is shown.
    QString message() const;
    QString title() const;
    int seriesCount() const;
    QStringList seriesNames() const;
    /// The points of series `index` (bins without test rows are left out).
    QList<QPointF> seriesPoints(int index) const;
    QColor seriesColour(int index) const;
    QChartView* chartView() const { return view_; }

private:
    QLabel* message_ = nullptr;
    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QValueAxis* x_ = nullptr;
    QValueAxis* y_ = nullptr;
    std::vector<QLineSeries*> series_;
};

} // namespace embedscope::ui
