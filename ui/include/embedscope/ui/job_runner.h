#pragma once
// Runs one engine job at a time on a worker thread; the UI thread never blocks.
// Progress is sampled on the GUI thread at ~20 Hz (so a chatty engine cannot flood the event
// loop); results reach the GUI thread through queued calls; errors become a message.
#include "embedscope/engine/job.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace embedscope::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    /// The job body, run on the worker thread. Throwing embedscope::Error reports a failure;
    /// CancelledError reports a cancellation.
    using Task = std::function<void(JobContext&)>;

    explicit JobRunner(QObject* parent = nullptr);
    /// Cancels a running job and waits for the worker to stop (within one batch).
    ~JobRunner() override;

    bool isRunning() const;
    QString title() const { return title_; }
    /// Starts `task`; returns false (and does nothing) while another job runs.
    bool start(const QString& title, Task task);
    /// Asks the running job to stop at its next cancellation point.
    void cancel();
    /// Blocks until the worker has finished (used on close).
    void wait();

    /// Calls `fn` on the GUI thread (queued). Safe from the worker.
    void postToGui(std::function<void()> fn);

Q_SIGNALS:
    void started(const QString& title);
    void progressChanged(double fraction, const QString& stage, double etaSeconds);
    /// ok: finished normally; cancelled: stopped by cancel(); else `error` says why.
    void finished(bool ok, bool cancelled, const QString& error);

private:
    void pollProgress();
    void onThreadFinished();

    QThread* thread_ = nullptr;
    QTimer progressTimer_;
    QString title_;
    std::shared_ptr<JobContext> context_;

    std::mutex mutex_; // guards the fields below, written by the worker
    Progress latest_;
    bool progressDirty_ = false;
    bool outcomeOk_ = false;
    bool outcomeCancelled_ = false;
    QString outcomeError_;
};

} // namespace embedscope::ui
