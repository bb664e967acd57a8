#pragma once
// A grid of small aligned embedding thumbnails, one per run (issue 6 "GUI"): each run's
// embedding reduced to its first two principal components (pca.h) and aligned onto a reference
// run's (the selected run, else the first) with the consistency matrix's similarity transform
// (runConsistency: Kabsch with Umeyama's scale, mirrored when that fits better), so runs that
// learnt the same geometry look the same. All thumbnails share one equal-aspect range in the
// reference's units; points are coloured by one metadata column for every run; each is titled
// with its run and the aligned RMSE. Computed on demand on a worker thread with progress and
// Cancel. A click selects the run (runSelected), a shift-click compares it with the selected
// one (compareRequested). File ▸ Export figure: figure() (viewName "aligned-embeddings").
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/background_task.h"
#include "embedscope/ui/figure.h"

#include <QColor>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <Eigen/Dense>

#include <map>
#include <memory>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

/// One run's first two principal components, aligned onto the reference run's.
struct AlignedEmbedding {
    std::string run;
    Eigen::MatrixXd xy;    ///< samples × 2 in the reference's PCA units; empty when `error`
    double rmse = 0;       ///< aligned RMSE against the reference (0 for the reference itself)
    double scale = 1;      ///< Umeyama's scale applied to the run
    bool mirrored = false; ///< its second component was negated (embeddings have no handedness)
    std::string error;     ///< why the run has no thumbnail ("" when it has one)
};

struct AlignedEmbeddings {
    std::string reference;  ///< the run the others are aligned onto
    std::string dataset;    ///< the reference's data set
    MetadataTable metadata; ///< of that data set (no columns when absent or of other rows)
    std::vector<AlignedEmbedding> runs; ///< in the order asked
};

/// Reads `names` from `project` (embeddings only), takes the first two principal components of
/// each, and aligns each onto those of `reference` (or of the first run with an embedding when
/// `reference` is "" or has none) with runConsistency's transform. Progress per run;
/// cancellable. Throws ConfigError for an unknown run, DataError when no run holds an
/// embedding, CancelledError. A run that cannot be aligned (no embedding, another data set or
/// row count) keeps its reason in `error` and the rest go on.
AlignedEmbeddings alignEmbeddings(const ProjectFile& project, const std::vector<std::string>& names,
                                  const std::string& reference, const JobContext& ctx);

class AlignedThumbnailsFigure : public Figure {
public:
    /// `categories`: the colour column's text per sample (empty: one colour); `selected`: the
    /// run framed as selected ("" none).
    AlignedThumbnailsFigure(std::shared_ptr<const AlignedEmbeddings> data,
                            std::vector<std::string> categories, QString colorTitle,
                            QString selected = {});
    QString viewName() const override { return QStringLiteral("aligned-embeddings"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Thumbnails per row of the grid (chosen for the largest square plots that fit).
    int gridColumns(const QRectF& rect, const FigureOptions& options) const;
    /// Thumbnail i's cell (its title included) and its square data frame, in points.
    QRectF cellRect(const QRectF& rect, const FigureOptions& options, int index) const;
    QRectF plotRect(const QRectF& rect, const FigureOptions& options, int index) const;
    /// The thumbnail under `point`, -1 for none.
    int thumbnailAt(const QRectF& rect, const FigureOptions& options, QPointF point) const;
    /// Where sample `sample` of thumbnail `index` is drawn (points).
    QPointF pointAt(const QRectF& rect, const FigureOptions& options, int index, int sample) const;
    /// "run · RMSE 0.0123", "run · reference" or "run · <why none>".
    QString caption(int index) const;
    const AlignedEmbeddings& data() const { return *data_; }
    QColor colorOf(const std::string& category) const;
    const std::vector<std::string>& categoryOrder() const { return order_; }

private:
    double legendWidth(const FigureOptions& options) const;
    QRectF gridRect(const QRectF& rect, const FigureOptions& options) const;

    std::shared_ptr<const AlignedEmbeddings> data_;
    std::vector<std::string> categories_;
    std::vector<std::string> order_;
    std::map<std::string, QColor> colors_;
    QString colorTitle_;
    QString selected_;
    double cx_ = 0, cy_ = 0, span_ = 1; ///< the shared data square: centre and side
};

class AlignedThumbnailsView : public QWidget {
    Q_OBJECT
public:
    explicit AlignedThumbnailsView(QWidget* parent = nullptr);
    ~AlignedThumbnailsView() override; ///< cancels and waits for a computation in flight

    /// Aligns `runs` of the project at `path` onto `reference` ("" or absent: the first) on a
    /// worker thread; a computation in flight is cancelled and its result dropped.
    void setRuns(const QString& path, const QStringList& runs, const QString& reference = {});
    void cancel();
    bool running() const { return task_->running(); }

    /// The metadata column that colours every thumbnail ("" one colour); false when unknown.
    bool setColorColumn(const QString& column);
    QString colorColumn() const;
    /// Frames `name`'s thumbnail as selected (no signal); "" clears.
    void setSelectedRun(const QString& name);
    QString selectedRun() const { return selected_; }

    /// The last finished result (null before one finished).
    std::shared_ptr<const AlignedEmbeddings> result() const { return result_; }
    /// A copy of what is shown for File ▸ Export figure; null while there is nothing.
    std::shared_ptr<Figure> figure() const { return figure_; }
    std::shared_ptr<const AlignedThumbnailsFigure> canvasFigure() const { return figure_; }
    QString statusText() const;
    QWidget* canvas() const;
    QRectF canvasRect() const;
    FigureOptions canvasOptions() const;
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    QComboBox* colorBox() const { return color_; }
    /// The centre of thumbnail `index` on the canvas (tests, callers).
    QPointF thumbnailCenter(int index) const;

Q_SIGNALS:
    void runSelected(const QString& name);
    /// Shift-click: `a` the selected run (else the reference), `b` the clicked one.
    void compareRequested(const QString& a, const QString& b);
    void finished();
    void failed(const QString& message);

private:
    friend class AlignedThumbnailsCanvas;
    void clickedAt(QPointF at, bool shift);
    void rebuild();
    void fillColors();
    void stop();

    BackgroundTask* task_ = nullptr;
    std::shared_ptr<const AlignedEmbeddings> result_;
    std::shared_ptr<AlignedThumbnailsFigure> figure_;
    QString selected_;
    bool syncing_ = false;
    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QComboBox* color_ = nullptr;
    QWidget* canvas_ = nullptr;
};

} // namespace embedscope::ui
