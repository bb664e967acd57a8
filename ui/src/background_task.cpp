#include "embedscope/ui/background_task.h"

#include <QThread>

#include <cmath>

namespace embedscope::ui {

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {}

BackgroundTask::~BackgroundTask() {
    stop();
}

void BackgroundTask::stop() {
    ++generation_; // whatever the old worker reports is dropped
    if (thread_) {
        ctx_->requestCancel();
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
}

bool BackgroundTask::cancel() {
    if (!thread_)
        return false;
    ctx_->requestCancel();
    return true;
}

void BackgroundTask::start(Work work, ProgressFn progress, DoneFn done) {
    stop();
    const int generation = generation_;
    ctx_ = std::make_shared<JobContext>();
    // Progress comes from the worker: hand it to the GUI thread (dropped once stale).
    ctx_->setProgressCallback([this, generation, progress](const Progress& p) {
        const QString text = QString::fromStdString(p.stage);
        const int percent = int(std::lround(100 * p.fraction));
        QMetaObject::invokeMethod(
            this,
            [this, generation, progress, text, percent] {
                if (generation == generation_ && thread_ && progress)
                    progress(percent, text);
            },
            Qt::QueuedConnection);
    });
    auto error = std::make_shared<QString>();
    auto cancelled = std::make_shared<bool>(false);
    thread_ = QThread::create([work = std::move(work), ctx = ctx_, error, cancelled] {
        try {
            work(*ctx);
        } catch (const CancelledError&) {
            *cancelled = true;
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    connect(thread_, &QThread::finished, this, [this, generation, error, cancelled, done] {
        if (generation != generation_)
            return; // stop() already reaped that thread
        const bool userCancelled = ctx_->cancelRequested();
        thread_->deleteLater();
        thread_ = nullptr;
        if (done)
            done(*cancelled || userCancelled, *error);
    });
    thread_->start(QThread::LowPriority);
}

} // namespace embedscope::ui
