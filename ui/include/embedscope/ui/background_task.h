#pragma once
// One cancellable computation of a view on its own thread (the consistency matrix, the aligned
// embeddings): starting another stops the one in flight, whatever a stopped one reports is
// dropped, and its progress and outcome reach the GUI thread. JobRunner is the main window's
// one job at a time; views compute beside it with this.
#include "embedscope/engine/job.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace embedscope::ui {

class BackgroundTask : public QObject {
    Q_OBJECT
public:
    /// Runs on the worker thread; throws CancelledError when stopped, anything else is an error.
    using Work = std::function<void(const JobContext&)>;
    /// On the GUI thread, only while this computation is the current one.
    using ProgressFn = std::function<void(int percent, const QString& stage)>;
    /// On the GUI thread: cancelled (by cancel(), or the work threw CancelledError), else the
    /// error's message ("" when the work completed).
    using DoneFn = std::function<void(bool cancelled, const QString& error)>;

    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override; ///< stops (cancels and waits for) a computation in flight

    /// Stops the computation in flight, then runs `work` at low priority.
    void start(Work work, ProgressFn progress, DoneFn done);
    /// Cancels and waits; neither callback of that computation is called afterwards.
    void stop();
    /// Asks the worker to stop (done() then says cancelled); false when nothing runs.
    bool cancel();
    bool running() const { return thread_ != nullptr; }

private:
    QThread* thread_ = nullptr;
    std::shared_ptr<JobContext> ctx_;
    int generation_ = 0; ///< bumped by stop(): reports of older computations are dropped
};

} // namespace embedscope::ui
