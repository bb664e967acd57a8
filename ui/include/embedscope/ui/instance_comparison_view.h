#pragma once
// "All" vs "held-out" (seed-003 lab note, SPEC S3: the paired "Local Principal Curves for
// Multiple Perturbations (all)" / "(hld)" plots): two embedding views side by side, run A in
// PCA 3 of its own embedding and run B Kabsch-aligned onto it, each with principal curves by
// the group column, and a summary line (initial / aligned RMSE, SegmentColinearity, F1 of
// each side) whose tooltip lists the per-group values. The numbers come from the caller
// (GeometryView computes them off the GUI thread).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/viewer/scatter_scene.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <array>
#include <limits>

class QComboBox;
class QLabel;

namespace embedscope::ui {

class EmbeddingView;

class InstanceComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit InstanceComparisonView(QWidget* parent = nullptr);
    ~InstanceComparisonView() override;

    /// Fills the run-B list (runs on A's data set) and selects `current`, without emitting
    /// runBSelected.
    void setRunChoices(const QStringList& runs, const QString& current);
    QString runB() const;

    /// Shows A's points (`a`, in its PCA 3) and B's aligned points (`bAligned`, already in A's
    /// frame), both with curves by `groupColumn` ordered by `orderColumn` of `metadata`, and
    /// the summary of `comparison`. Throws DataError for inconsistent point data.
    void showComparison(const QString& runA, const QString& runB, const viewer::ScatterData& a,
                        const viewer::ScatterData& bAligned, const MetadataTable& metadata,
                        const QString& groupColumn, const QString& orderColumn,
                        const InstanceComparison& comparison);
    /// The F1 (binnedF1 macro ± SE) of A (F1_score_all) and B (F1_score_hld); NaN = not yet.
    void setF1(double f1A, double seA, double f1B, double seB);
    /// Hides the views and shows `message` (computing, no partner, different data sets).
    void clear(const QString& message);

    /// The message shown instead of the views; empty when they are shown.
    QString message() const;
    /// The summary line and its tooltip (per-group values).
    QString summary() const;
    QString perGroupText() const;
    bool hasComparison() const { return hasComparison_; }
    const InstanceComparison& comparison() const { return comparison_; }
    EmbeddingView* viewA() const { return viewA_; }
    EmbeddingView* viewB() const { return viewB_; }
    QComboBox* runBBox() const { return runB_; }

Q_SIGNALS:
    /// The user picked another run B.
    void runBSelected(const QString& run);

private:
    void updateSummary();
    /// Both views look through one camera (B is drawn in A's frame): turning one turns both.
    void linkCameras();
    void onCameraModified();

    QComboBox* runB_ = nullptr;
    QLabel* message_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* captionA_ = nullptr;
    QLabel* captionB_ = nullptr;
    QWidget* views_ = nullptr;
    EmbeddingView* viewA_ = nullptr;
    EmbeddingView* viewB_ = nullptr;
    unsigned long cameraObserver_ = 0;
    std::array<double, 10> cameraPose_{}; ///< position, focal point, view up, parallel scale
    int dims_ = 3; ///< both views show 2-D or 3-D together; 3-D until the user picks 2-D
    bool hasComparison_ = false;
    InstanceComparison comparison_;
    QString runAName_, runBName_;
    double f1A_ = std::numeric_limits<double>::quiet_NaN();
    double seA_ = std::numeric_limits<double>::quiet_NaN();
    double f1B_ = std::numeric_limits<double>::quiet_NaN();
    double seB_ = std::numeric_limits<double>::quiet_NaN();
};

} // namespace embedscope::ui
