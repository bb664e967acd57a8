#include "embedscope/ui/job_runner.h"

#include "embedscope/engine/error.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QThread>

namespace embedscope::ui {

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
    progressTimer_.setInterval(50); // 20 Hz
    connect(&progressTimer_, &QTimer::timeout, this, &JobRunner::pollProgress);
}

JobRunner::~JobRunner() {
    cancel();
    wait();
}

bool JobRunner::isRunning() const {
    return thread_ != nullptr;
}

bool JobRunner::start(const QString& title, Task task) {
    if (thread_)
        return false;
    title_ = title;
    context_ = std::make_shared<JobContext>();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        latest_ = Progress{};
        progressDirty_ = true;
        outcomeOk_ = outcomeCancelled_ = false;
        outcomeError_.clear();
    }
    context_->setProgressCallback([this](const Progress& p) {
        std::lock_guard<std::mutex> lock(mutex_);
        latest_ = p;
        progressDirty_ = true;
    });
    auto context = context_;
    thread_ = QThread::create([this, context, task = std::move(task)] {
        bool ok = false, cancelled = false;
        QString error;
        try {
            task(*context);
            ok = true;
        } catch (const CancelledError&) {
            cancelled = true;
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        } catch (...) {
            error = QStringLiteral("unknown error");
        }
        std::lock_guard<std::mutex> lock(mutex_);
        outcomeOk_ = ok;
        outcomeCancelled_ = cancelled || (!ok && context->cancelRequested() && error.isEmpty());
        outcomeError_ = error;
    });
    connect(thread_, &QThread::finished, this, &JobRunner::onThreadFinished);
    thread_->start();
    progressTimer_.start();
    Q_EMIT started(title_);
    return true;
}

void JobRunner::cancel() {
    if (context_)
        context_->requestCancel();
}

void JobRunner::wait() {
    if (!thread_)
        return;
    thread_->wait();
    // Deliver the results the worker queued, then the finished signal, before returning.
    QCoreApplication::sendPostedEvents(this);
    onThreadFinished();
}

void JobRunner::postToGui(std::function<void()> fn) {
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

void JobRunner::pollProgress() {
    Progress p;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!progressDirty_)
            return;
        progressDirty_ = false;
        p = latest_;
    }
    Q_EMIT progressChanged(p.fraction, QString::fromStdString(p.stage), p.etaSeconds);
}

void JobRunner::onThreadFinished() {
    if (!thread_)
        return;
    QThread* finishedThread = thread_;
    thread_ = nullptr;
    progressTimer_.stop();
    pollProgress();
    finishedThread->deleteLater();
    bool ok, cancelled;
    QString error;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ok = outcomeOk_;
        cancelled = outcomeCancelled_;
        error = outcomeError_;
    }
    Q_EMIT finished(ok, cancelled, error);
}

} // namespace embedscope::ui
