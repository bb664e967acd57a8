#pragma once
// The dose-response dock (issue 7): for the shown run, per substance the distance of each
// dose centroid to the control centroid in the seed-000 metric space (PCA 10 fitted on
// train + val, §3.4.7) with bootstrap CIs and Hill fits, as small multiples or a substance ×
// dose heat map. Computed on a worker thread; picking a substance (list or panel click)
// emits substanceSelected so every view can emphasise it.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/run.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QTabBar;
class QThread;
class QToolButton;

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

class Figure;
class FigureWidget;

class DoseResponseView : public QWidget {
    Q_OBJECT
public:
    explicit DoseResponseView(QWidget* parent = nullptr);
    ~DoseResponseView() override;

    /// Starts the analysis of `run` on `dataset` (metadata with substance and dose columns);
    /// a data set without them shows why instead. A running analysis is cancelled.
    void setRun(const RunRecord& run, const Dataset& dataset);
    void clear(const QString& message);

    /// Emphasises `substance` ("" = all) without emitting substanceSelected.
    void setHighlight(const QString& substance);
    QString highlight() const { return highlight_; }
    /// 0 = small multiples, 1 = heat map.
    void setPage(int page);
    int page() const;

    bool busy() const { return thread_ != nullptr; }
    /// The last result (empty substances before the first one or after an error).
    const DoseResponseResult& result() const { return result_; }
    /// The figure shown now (null when there is none).
    std::shared_ptr<const Figure> currentFigure() const;
    /// The figure of `page` (0 small multiples, 1 heat map) for the current result and
    /// emphasis, whichever page is shown; null before a result.
    std::shared_ptr<Figure> figureOfPage(int page) const;
    /// What the view shows instead of a figure, or the notes of the analysis.
    QString statusText() const;
    FigureWidget* figureWidget() const { return figure_; }

Q_SIGNALS:
    void substanceSelected(const QString& substance);
    /// A result (or an error message) is shown.
    void finished();
    /// The user asked to export the shown figure.
    void exportRequested();

private:
    void start(const RunRecord& run, const Dataset& dataset);
    void showResult();
    void stop();

    QComboBox* substances_ = nullptr;
    QTabBar* pages_ = nullptr;
    QToolButton* export_ = nullptr;
    QLabel* status_ = nullptr;
    FigureWidget* figure_ = nullptr;
    QThread* thread_ = nullptr;
    std::shared_ptr<JobContext> context_;
    int generation_ = 0;
    DoseResponseResult result_;
    QString runName_;
    QString highlight_;
    QString doseTitle_;
};

} // namespace embedscope::ui
