#pragma once
// The context every long engine call takes: progress reporting and cooperative cancellation.
#include "embedscope/engine/error.h"

#include <atomic>
#include <functional>
#include <string>

namespace embedscope {

struct Progress {
    double fraction = 0.0;    ///< 0..1 of the whole job
    std::string stage;        ///< e.g. "epoch 3/10, batch 5/12"
    double etaSeconds = -1.0; ///< <0 when unknown
};

/// Engine calls are synchronous and thread-free; the caller (CLI, GUI worker) supplies this.
/// The progress callback may be invoked often; callers throttle what they display.
class JobContext {
public:
    using ProgressFn = std::function<void(const Progress&)>;

    JobContext() = default;
    explicit JobContext(ProgressFn progress) : progress_(std::move(progress)) {}
    /// A part of `parent`'s job (which must outlive it): its progress maps onto [from, to] of
    /// the parent's, and a cancel of the parent cancels it.
    JobContext(const JobContext& parent, double from, double to)
        : parent_(&parent), from_(from), to_(to) {}

    void setProgressCallback(ProgressFn fn) { progress_ = std::move(fn); }
    void report(const Progress& p) const {
        if (parent_)
            parent_->report(Progress{from_ + (to_ - from_) * p.fraction, p.stage, -1.0});
        else if (progress_)
            progress_(p);
    }
    void report(double fraction, const std::string& stage, double eta = -1.0) const {
        report(Progress{fraction, stage, eta});
    }

    /// Thread-safe: may be called from any thread.
    void requestCancel() { cancel_.store(true); }
    bool cancelRequested() const {
        return cancel_.load() || (parent_ && parent_->cancelRequested());
    }
    /// Throws CancelledError when cancellation was requested. Long loops call this at least once
    /// per batch / per unit of work.
    void throwIfCancelled() const {
        if (cancelRequested())
            throw CancelledError();
    }

private:
    ProgressFn progress_;
    std::atomic<bool> cancel_{false};
    const JobContext* parent_ = nullptr;
    double from_ = 0.0;
    double to_ = 1.0;
};

} // namespace embedscope
