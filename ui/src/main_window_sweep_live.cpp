// MainWindow: running a sweep from the GUI (issue 6 "Live"). The sweep is one job on the job
// runner (the backend's child processes or Slurm tasks do the training); each run's state
// change updates the Sweep dock's Run page, and every finished run re-reads the Runs table so
// runs appear in the table, scatter and parallel coordinates while the sweep goes on.
#include "embedscope/engine/demo.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/sweep.h"
#include "embedscope/ui/job_runner.h"
#include "embedscope/ui/main_window.h"
#include "embedscope/ui/runs_dock.h"
#include "embedscope/ui/sweep_panel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace embedscope::ui {

QString MainWindow::cliPath() {
    const QByteArray overridePath = qgetenv("EMBEDSCOPE_CLI");
    if (!overridePath.isEmpty())
        return QString::fromLocal8Bit(overridePath);
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("embedscope-cli"));
    return QFileInfo(beside).isExecutable() ? beside : QString();
}

SweepPanel* MainWindow::buildSweepRunPage() {
    sweepPanel_ = new SweepPanel;
    connect(sweepPanel_, &SweepPanel::startRequested, this, &MainWindow::startSweep);
    connect(sweepPanel_, &SweepPanel::cancelRequested, this, &MainWindow::cancelJob);
    connect(sweepPanel_, &SweepPanel::demoSpecRequested, this, [this] {
        sweepPanel_->setSpec(QString::fromStdString(demoSweepSpecJson()),
                             QFileInfo(projectPath_).absolutePath());
    });
    connect(sweepPanel_, &SweepPanel::runActivated, this, [this](const QString& run) {
        if (sweepPanel_->runState(run) == QLatin1String("finished") ||
            sweepPanel_->runState(run) == QLatin1String("skipped"))
            showRun(run);
    });
    connect(runner_, &JobRunner::finished, this, [this](bool ok, bool cancelled, const QString&) {
        if (demoSweepPending_) {
            demoSweepPending_ = false;
            if (ok)
                QTimer::singleShot(0, this, &MainWindow::startDemoSweep);
        }
        if (!sweepRunning_)
            return;
        sweepRunning_ = false;
        sweepPanel_->setRunning(false);
        sweepPanel_->setStatus(cancelled ? tr("Cancelled: start again to resume.")
                               : ok      ? tr("Done: %1 of %2 runs ended.")
                                          .arg(sweepPanel_->finishedCount())
                                          .arg(sweepPanel_->runCount())
                                    : tr("Stopped: see the log."));
        runs_->refresh();
    });
    return sweepPanel_;
}

void MainWindow::startSweep() {
    if (projectPath_.isEmpty()) {
        showError(tr("Sweep"), tr("Open a project (or the demo project) first: the runs train on "
                                  "its data set and are saved into it."));
        return;
    }
    if (runner_->isRunning()) {
        sweepPanel_->setStatus(tr("Wait for \"%1\" to finish first.").arg(runner_->title()));
        return;
    }
    SweepSpec spec;
    try {
        spec = parseSweepSpec(sweepPanel_->specText().toStdString(), "the sweep spec",
                              sweepPanel_->specDirectory().toStdString());
    } catch (const Error& e) {
        sweepPanel_->setStatus(QString::fromStdString(e.what()));
        showError(tr("Sweep"), QString::fromStdString(e.what()));
        return;
    }
    SweepOptions options;
    options.dataPath = projectPath_.toStdString(); // the project holds its data set
    options.dataset = datasetName_.toStdString();
    options.projectPath = projectPath_.toStdString();
    options.cliPath = cliPath().toStdString();
    options.jobs = sweepPanel_->jobs();
    if (options.cliPath.empty()) {
        showError(tr("Sweep"),
                  tr("embedscope-cli was not found beside the application (or in "
                     "$EMBEDSCOPE_CLI): each run of a sweep is one of its processes."));
        return;
    }
    runSweepJob(spec, options, sweepPanel_->backend());
}

void MainWindow::runSweepJob(const SweepSpec& spec, const SweepOptions& options,
                             const QString& backend) {
    const std::vector<SweepRunSpec> runs = expandSweep(spec);
    std::vector<QString> logs;
    for (const auto& run : runs)
        logs.push_back(QString::fromStdString(sweepRunLogPath(spec, options, run.name)));
    const bool slurm = backend == QLatin1String("slurm");
    const bool started = runner_->start(tr("Sweep"), [this, spec, options, slurm](JobContext& ctx) {
        const SweepProgressFn progress = [this](const SweepRunStatus& status) {
            runner_->postToGui([this, status] {
                sweepPanel_->setRunStatus(status);
                if (status.state == "finished" || status.state == "failed")
                    runs_->refresh(); // the run is in the project now
            });
        };
        if (slurm)
            runSweepSlurm(spec, options, ctx, progress);
        else
            runSweepLocal(spec, options, ctx, progress);
    });
    if (!started) {
        sweepPanel_->setStatus(tr("Wait for \"%1\" to finish first.").arg(runner_->title()));
        return;
    }
    sweepRunning_ = true;
    sweepPanel_->beginSweep(runs, logs);
    sweepPanel_->setRunning(true);
    sweepPanel_->setStatus(tr("Sweep '%1': %2 runs, %3 backend.")
                               .arg(QString::fromStdString(spec.name))
                               .arg(runs.size())
                               .arg(slurm ? tr("Slurm") : tr("%1 local jobs").arg(options.jobs)));
    log(tr("sweep '%1' started: %2 runs").arg(QString::fromStdString(spec.name)).arg(runs.size()));
}

// The demo's sweep, started once the demo project is open when it has none of its runs: the
// user sees the comparison views fill while the runs end (and a restart resumes it).
void MainWindow::startDemoSweep() {
    if (projectPath_.isEmpty() || runner_->isRunning())
        return;
    const QString cli = cliPath();
    if (cli.isEmpty()) {
        log(tr("demo sweep skipped: embedscope-cli not found beside the application"));
        return;
    }
    const QString dir = QFileInfo(projectPath_).absolutePath();
    sweepPanel_->setSpec(QString::fromStdString(demoSweepSpecJson()), dir);
    // Beside the project, to re-run or edit: embedscope-cli sweep --spec demo-sweep.json ...
    QSaveFile specFile(QDir(dir).filePath(QStringLiteral("demo-sweep.json")));
    if (specFile.open(QIODevice::WriteOnly)) {
        specFile.write(QByteArray::fromStdString(demoSweepSpecJson()));
        specFile.commit();
    }
    const SweepSpec spec = parseSweepSpec(demoSweepSpecJson(), "demo sweep", dir.toStdString());
    SweepOptions options;
    options.dataPath = projectPath_.toStdString();
    options.dataset = kDemoOpenFieldDataset;
    options.projectPath = projectPath_.toStdString();
    options.cliPath = cli.toStdString();
    options.jobs = std::max(1, QThread::idealThreadCount());
    runSweepJob(spec, options, QStringLiteral("local"));
}

bool MainWindow::projectLacksDemoSweep(const std::string& path) {
    const auto names = ProjectFile::open(path).runNames();
    const std::string prefix = std::string(kDemoSweepName) + "-";
    return std::none_of(names.begin(), names.end(),
                        [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
}

} // namespace embedscope::ui
