#pragma once
// The "Run" page of the Sweep dock (issue 6 "Live"): a sweep spec (loaded from a file, the
// demo's, or edited in place), the backend (local processes or Slurm) and the number of local
// jobs, Start / Cancel, an overall progress bar and one row per run with its state, its own
// progress (read once a second from the run's log, sweepLogProgress) and its time; a failed
// run shows its error as the row's tooltip. The panel only shows: MainWindow runs the sweep on
// the job runner and feeds the rows with setRunStatus().
#include "embedscope/engine/sweep.h"

#include <QHash>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace embedscope::ui {

class SweepPanel : public QWidget {
    Q_OBJECT
public:
    explicit SweepPanel(QWidget* parent = nullptr);

    /// The spec as edited, and the folder its relative paths (base_config) resolve against.
    QString specText() const;
    QString specDirectory() const { return specDirectory_; }
    void setSpec(const QString& text, const QString& directory);
    /// Reads a spec file into the editor; false (and the reason in the status line) otherwise.
    bool loadSpecFile(const QString& path);
    QString backend() const; ///< "local" | "slurm"
    int jobs() const;
    void setJobs(int jobs);

    /// A sweep starts: one row per run (pending, or as `states` says), log paths to follow.
    void beginSweep(const std::vector<SweepRunSpec>& runs, const std::vector<QString>& logPaths);
    /// A backend's report for one run (running, finished, failed, skipped).
    void setRunStatus(const SweepRunStatus& status);
    /// Switches between idle (Start enabled) and running (Cancel enabled) states.
    void setRunning(bool running);
    void setStatus(const QString& text);
    QString statusText() const;

    int runCount() const;
    QString runState(const QString& run) const;
    /// The run's progress 0..1 as last shown (finished = 1, unknown = -1).
    double runProgress(const QString& run) const;
    int finishedCount() const { return finished_; }
    /// Reads the running runs' logs now (the timer does it once a second).
    void pollLogs();

    QPushButton* startButton() const { return start_; }
    QPushButton* cancelButton() const { return cancel_; }
    QPushButton* demoButton() const { return demo_; }
    QProgressBar* overallBar() const { return overall_; }
    QTableWidget* table() const { return table_; }

Q_SIGNALS:
    void startRequested();
    void cancelRequested();
    /// The user asked for the demo's spec (MainWindow fills it in: it knows the project).
    void demoSpecRequested();
    /// A row was double-clicked: show that run (when it is in the project).
    void runActivated(const QString& run);

private:
    void browseSpec();
    void setProgressCell(int row, double fraction);
    void updateOverall();

    QPlainTextEdit* spec_ = nullptr;
    QComboBox* backend_ = nullptr;
    QSpinBox* jobs_ = nullptr;
    QPushButton* load_ = nullptr;
    QPushButton* demo_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* overall_ = nullptr;
    QLabel* status_ = nullptr;
    QTableWidget* table_ = nullptr;
    QTimer logTimer_;
    QString specDirectory_;
    QHash<QString, int> rowOf_;
    std::vector<QString> logPaths_;
    int finished_ = 0; ///< finished, failed or skipped
};

} // namespace embedscope::ui
