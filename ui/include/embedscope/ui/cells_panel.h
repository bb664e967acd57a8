#pragma once
// The Cells dock (issue 8, seed 004): the crops data set of the open project, where its
// profiles come from (raw crop features or a cell-CNN run at an epoch), and the views of the
// result: the plate view and the profile views (well PCA before / after spherizing, retrieval
// curves, nearest neighbours with their crops). Loading the crops and computing the profiles
// run on a BackgroundTask (a few seconds on the demo), beside the main window's job runner.
#include "embedscope/engine/cell_analysis.h"
#include "embedscope/engine/dataset.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace embedscope::ui {

class BackgroundTask;
class CellPlateView;
class CellProfilesView;

class CellsPanel : public QWidget {
    Q_OBJECT
public:
    explicit CellsPanel(QWidget* parent = nullptr);
    ~CellsPanel() override;

    /// Lists the project's crop data sets (kind Image with Plate and Well metadata) and its
    /// cell-CNN runs, in the background; with auto-compute on (the default) the first crop data
    /// set's raw-feature profiles are computed next. An empty path clears the dock.
    void setProject(const QString& path);
    /// Re-lists the cell-CNN runs (after a training finished) in the background, keeping the
    /// choice.
    void refreshRuns();
    /// Computes the profiles of the chosen data set and source (replacing a result of the same
    /// source; results of other sources stay for the retrieval curves).
    void compute();
    void cancel();
    void setAutoCompute(bool on) { autoCompute_ = on; }
    bool busy() const;

    QStringList datasets() const;
    /// "raw crop features", then one entry per cell-CNN run.
    QStringList sources() const;
    void setSource(const QString& source);
    void setEpoch(int epoch); ///< 1-based; 0 = the run's best checkpoint
    QString statusText() const;
    std::shared_ptr<const CellAnalysis> currentAnalysis() const { return current_; }
    std::shared_ptr<const Dataset> crops() const { return crops_; }
    CellPlateView* plateView() const { return plate_; }
    CellProfilesView* profilesView() const { return profiles_; }
    /// Shows the Plate (0) or Profiles (1) page.
    void showPage(int page);

    static QString rawSourceName();

Q_SIGNALS:
    /// Crops and runs listed (the combos are filled).
    void projectScanned();
    void analysisReady(const QString& source);
    void failed(const QString& message);

private:
    void applyScan(const QStringList& datasets, const QStringList& runs);
    /// The source choices: raw crop features, then `runs`; keeps the current choice.
    void setRuns(const QStringList& runs);
    void showAnalyses();
    void setBusy(bool busy, const QString& text);

    QString projectPath_;
    QComboBox* dataset_ = nullptr;
    QComboBox* source_ = nullptr;
    QSpinBox* epoch_ = nullptr;
    QPushButton* compute_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    CellPlateView* plate_ = nullptr;
    CellProfilesView* profiles_ = nullptr;
    BackgroundTask* task_ = nullptr;     ///< listing the project, computing profiles
    BackgroundTask* runsTask_ = nullptr; ///< re-listing the runs beside a computation
    bool autoCompute_ = true;
    int scanGeneration_ = 0;

    QString cropsName_; ///< the data set `crops_` holds
    std::shared_ptr<const Dataset> crops_;
    /// Results by source (of `cropsName_`), in the order computed.
    std::vector<std::pair<QString, std::shared_ptr<const CellAnalysis>>> analyses_;
    std::shared_ptr<const CellAnalysis> current_;
};

} // namespace embedscope::ui
