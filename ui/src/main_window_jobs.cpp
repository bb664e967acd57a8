// MainWindow's worker-thread jobs: the demo project, training, reference runs. Each job reads
// and writes the project file itself and hands results back with postToGui.
#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/demo.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/engine/training.h"
#include "embedscope/plugins/demo_cells.h"
#include "embedscope/ui/job_runner.h"
#include "embedscope/ui/loss_chart.h"
#include "embedscope/ui/main_window.h"
#include "embedscope/ui/metrics_chart.h"
#include "embedscope/ui/project_panel.h"
#include "embedscope/ui/training_panel.h"

#include <QComboBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>

namespace embedscope::ui {
namespace {

QString demoDirectory() {
    const QByteArray overrideDir = qgetenv("EMBEDSCOPE_DEMO_DIR");
    if (!overrideDir.isEmpty())
        return QString::fromLocal8Bit(overrideDir);
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
}

/// The panel's config with the thread count for this machine: keep one core for the interface
/// on small machines; torch uses the rest.
TrainConfig configForWorker(const TrainingPanel* panel) {
    TrainConfig config = panel->config();
    const int cores = QThread::idealThreadCount();
    config.threads = cores > 2 ? cores - 1 : 1;
    return config;
}

} // namespace

void MainWindow::openDemo() {
    const QString dir = demoDirectory();
    const TrainConfig base = configForWorker(training_);
    const bool started = runner_->start(tr("Demo project"), [this, dir, base](JobContext& ctx) {
        const JobContext making(ctx, 0.0, 0.5);
        const std::string path = ensureDemoProject(dir.toStdString(), making);
        // Seed 004: the Cell-Painting plates and their crops for the Cells dock (~8 s once).
        plugins::ensureDemoCells(path, dir.toStdString(), JobContext(ctx, 0.5, 0.6));
        // A fresh demo gets the seed's two references (untrained and hand-made features) on
        // the open field, so the metrics panel compares the first training with them, and the
        // HH β-VAE so that the reconstructions view has a generative run to show.
        ProjectFile project = ProjectFile::open(path);
        if (project.runNames().empty()) {
            const JobContext references(ctx, 0.6, 0.75);
            embedscope::addReferenceRuns(project,
                                         project.hasDataset(kDemoOpenFieldDataset)
                                             ? std::string(kDemoOpenFieldDataset)
                                             : project.datasetNames().front(),
                                         base, references);
            if (project.hasDataset(kDemoSignalsDataset))
                addDemoGenerativeRun(path, JobContext(ctx, 0.75, 0.85));
            // The seed-003 metric-VAEs (β = 0.1 and 10, all and held-out) for the geometry views.
            if (project.hasDataset(kDemoDevelopmentDataset))
                addDemoGeometryRuns(path, JobContext(ctx, 0.85, 1.0));
        }
        const bool sweep = projectLacksDemoSweep(path);
        runner_->postToGui([this, path, sweep] {
            openProject(QString::fromStdString(path));
            demoSweepPending_ = sweep && autoDemoSweep_;
        });
    });
    if (!started)
        log(tr("a job is already running"));
}

bool MainWindow::selectDataset(const QString& name) {
    if (projectPath_.isEmpty())
        return false;
    if (name != datasetName_) {
        try {
            useDataset(name.toStdString());
        } catch (const std::exception& e) {
            log(tr("cannot use data set '%1': %2").arg(name, QString::fromUtf8(e.what())));
            return false;
        }
        currentRun_.clear();
    }
    // Cell crops (seed 004) train the weakly supervised CNN; the other kinds keep the form.
    if (datasetHeader_.kind == DataKind::Image && datasetHeader_.metadata.has("Plate") &&
        datasetHeader_.metadata.has("Well"))
        training_->modelBox()->setCurrentText(QString::fromLatin1(kCellCnnModel));
    training_->setStatus(tr("Training uses data set '%1'.").arg(name));
    log(tr("data set '%1': %2 samples").arg(name).arg(metadata_.rowCount()));
    return true;
}

void MainWindow::addReferenceRuns() {
    if (projectPath_.isEmpty()) {
        showError(tr("Reference runs"), tr("Open a project (or the demo project) first."));
        return;
    }
    const std::string path = projectPath_.toStdString();
    const std::string datasetName = datasetName_.toStdString();
    const TrainConfig base = configForWorker(training_);
    const bool started =
        runner_->start(tr("Reference runs"), [this, path, datasetName, base](JobContext& ctx) {
            ProjectFile project = ProjectFile::open(path);
            const auto names = embedscope::addReferenceRuns(project, datasetName, base, ctx);
            QStringList written;
            for (const auto& n : names)
                written << QString::fromStdString(n);
            runner_->postToGui([this, written] {
                Q_EMIT referencesAdded(written);
                refreshProject();
                refreshReferences();
                log(tr("reference runs added: %1").arg(written.join(QStringLiteral(", "))));
            });
        });
    if (!started)
        log(tr("a job is already running"));
}

void MainWindow::startTraining() {
    if (projectPath_.isEmpty()) {
        showError(tr("Training"), tr("Open a project (or the demo project) first."));
        return;
    }
    if (runner_->isRunning()) {
        training_->setStatus(tr("Wait for \"%1\" to finish first.").arg(runner_->title()));
        return;
    }
    QString invalid;
    if (!training_->validate(&invalid)) {
        showError(tr("Training"), invalid);
        return;
    }
    TrainConfig config = configForWorker(training_);
    const std::string path = projectPath_.toStdString();
    const std::string datasetName = datasetName_.toStdString();
    lossChart_->clear();
    metricsChart_->startLive(tr("training"));
    training_->setRunning(true);
    log(tr("training %1 with %2 on '%3' for %4 epochs")
            .arg(QString::fromStdString(config.model), QString::fromStdString(config.loss),
                 datasetName_)
            .arg(config.epochs));
    runner_->start(tr("Training"), [this, config, path, datasetName](JobContext& ctx) mutable {
        ProjectFile project = ProjectFile::open(path);
        const Dataset data = project.readDataset(datasetName);
        config.runName = project.uniqueRunName(config.model);
        TrainCallbacks callbacks;
        callbacks.onEpoch = [this](const EpochReport& r) {
            runner_->postToGui([this, r] {
                lossChart_->addEpoch(r.epoch, r.trainLoss, r.valLoss, r.curves);
                metricsChart_->addEpoch(r.epoch, r.metrics);
                log(QStringLiteral("epoch %1/%2: train %3, val %4%5")
                        .arg(r.epoch + 1)
                        .arg(r.epochs)
                        .arg(r.trainLoss, 0, 'f', 4)
                        .arg(r.valLoss, 0, 'f', 4)
                        .arg(r.improved ? QStringLiteral(" (best)") : QString()));
            });
        };
        RunRecord run = train(data, config, ctx, callbacks, /*keepPartialOnCancel=*/true);
        run.name = config.runName;
        project.writeRun(run); // crash-safe: temp copy + rename
        const QString name = QString::fromStdString(run.name);
        runner_->postToGui([this, name] {
            Q_EMIT trainingCompleted(name);
            refreshProject();
            projectPanel_->selectRun(name);
            showRun(name);
        });
        if (run.status == "cancelled")
            throw CancelledError();
    });
}

} // namespace embedscope::ui
