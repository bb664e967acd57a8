#pragma once
// The "Geometry" dock (seed-003 lab note, SPEC S3) for the selected run: per-group F1 over
// time/dose ("F1 over time", binnedF1 on the run's embedding) and the run beside its held-out
// instance ("All vs held-out": PCA 3 of each, curves by group, B Kabsch-aligned onto A). The
// group and order columns are chosen at the top (defaults "perturbation" and "time"/"dose").
// Everything is computed on worker threads (binnedF1 fits several logistic regressions) and
// only while the dock is visible; results of an older run or column choice are dropped.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/embedding_geometry.h"

#include <QImage>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <Eigen/Dense>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QTabWidget;
class QThread;

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

class F1TimeChart;
class InstanceComparisonView;

class GeometryView : public QWidget {
    Q_OBJECT
public:
    enum Tab { F1Tab = 0, ComparisonTab = 1 };
    static constexpr int kF1Bins = 8;    ///< bins of the order column
    static constexpr int kF1Repeats = 5; ///< stratified 70/30 splits (mean ± SE)

    explicit GeometryView(QWidget* parent = nullptr);
    ~GeometryView() override;

    /// Shows run `run` of the project at `projectPath` (run A): reads its embedding, its data
    /// set's metadata and the other runs on that data set (run B candidates). An empty run or
    /// a read error clears the view with a message (no exception).
    void setRun(const QString& projectPath, const QString& run);
    void clear(const QString& message = QString());

    /// Unknown names fall back to the defaults; an empty order means none (one bin).
    void setColumns(const QString& groupColumn, const QString& orderColumn);
    QString groupColumn() const;
    QString orderColumn() const;
    /// Run B of the comparison: any run of the project; one on another data set (or with
    /// another number of rows) shows a message instead of the views.
    void setComparisonRun(const QString& run);
    QString comparisonRun() const { return runB_; }
    void setCurrentTab(Tab tab);

    /// The default run B for `runA` among `candidates` (name, has a non-empty "holdout" in its
    /// config): A's name + "-hld"; for a "-hld" run, the name without it; else the candidate on
    /// the other side of the holdout rule (with holdout when A has none, and vice versa) that
    /// shares the longest name prefix with A; else the first candidate; "" when none.
    static QString defaultPartner(const QString& runA, bool aHasHoldout,
                                  const std::vector<std::pair<QString, bool>>& candidates);

    QString runA() const { return runA_; }
    /// A computation for the shown run and columns is running.
    bool busy() const;
    QString busyText() const;
    /// The view's message when no run can be shown ("" otherwise).
    QString message() const;
    F1TimeChart* f1Chart() const { return f1Chart_; }
    InstanceComparisonView* comparisonView() const { return comparison_; }
    /// binnedF1 of run A for the current columns, when computed (else nullptr).
    const BinnedF1* f1OfA() const;
    /// Milliseconds the last binnedF1 / curves + alignment job took.
    double lastF1Millis() const { return f1Millis_; }
    double lastComparisonMillis() const { return comparisonMillis_; }
    /// The view as shown, the VTK scenes painted in (QWidget::grab cannot see them).
    QImage grabImage();

Q_SIGNALS:
    /// The F1 chart shows run A's result (or its error) for the current columns.
    void f1Shown();
    /// The comparison tab shows a comparison or a message for the current A, B and columns.
    void comparisonShown();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Job;
    struct F1Entry;
    /// Starts what the visible tab needs and has not been computed.
    void startPending();
    /// On screen: shown, and when docked, its dock not tabbed behind another (Qt keeps those
    /// "visible", moved off-screen).
    bool onScreen() const;
    void onDockVisibility(bool visible);
    /// Enlarges the enclosing dock for the side-by-side views (comparison tab on screen).
    void makeRoom();
    void startF1(const std::string& key, const Eigen::MatrixXd& z);
    void startComparison(); ///< defined in geometry_comparison.cpp
    void showF1();
    void fillColumnBoxes();
    void invalidate();
    void cancelJobs();
    void updateBusy();
    /// `work` on a worker thread, `done` on the GUI thread after it (not after destruction).
    void launch(std::function<void(const JobContext&)> work, std::function<void()> done,
                std::shared_ptr<JobContext> context = nullptr);
    std::string f1Key(const QString& run, const std::string& created) const;
    void showComparisonF1();
    const BinnedF1* f1Of(const QString& run, const std::string& created) const;
    void inputs(std::vector<std::string>& groups, Eigen::VectorXd& order) const;

    QComboBox* groupBox_ = nullptr;
    QComboBox* orderBox_ = nullptr;
    QLabel* busy_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    F1TimeChart* f1Chart_ = nullptr;
    InstanceComparisonView* comparison_ = nullptr;

    QString message_; ///< why nothing is shown, or empty
    QString projectPath_;
    QString runA_, runB_;
    std::string datasetName_;
    std::string createdA_;
    std::string configGroupColumn_; ///< run A's config group_column (a default)
    MetadataTable metadata_;
    Eigen::MatrixXd zA_;
    std::vector<std::unique_ptr<Job>> jobs_;
    std::map<std::string, std::shared_ptr<F1Entry>> f1_; ///< by f1Key: done or running
    unsigned comparisonGeneration_ = 0;
    bool comparisonDirty_ = false;
    bool comparisonRunning_ = false;
    std::shared_ptr<JobContext> comparisonContext_;
    std::string runBCreated_; ///< of the run B the comparison shows (its F1 key)
    double f1Millis_ = 0;
    double comparisonMillis_ = 0;
    int dockShown_ = -1; ///< the enclosing dock's last visibilityChanged; -1 = none yet
};

} // namespace embedscope::ui
