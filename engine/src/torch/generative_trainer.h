#pragma once
// Private: the training loop of the generative models, called by train() (training.h) when the
// config names one. Torch stays in the .cpp.
#include "embedscope/engine/training.h"

namespace embedscope::torchimpl {

/// Trains a generative model on the "train" split: shuffled mini-batches, the configured
/// optimizer and learning-rate schedule per step, optional global-norm clipping; per epoch the
/// ELBO and its two terms on train and val; keeps the minimum-val-ELBO checkpoint. The
/// embedding is μ of every sample. Metrics at the best checkpoint on the test split (else val,
/// else train): mean squared error per value (eq 3.6), BCE summed per sample, KLD per sample,
/// and with a label column the few-label logistic regression of seed 002 §4 on μ.
RunRecord trainGenerative(const Dataset& data, const TrainConfig& cfg, const JobContext& ctx,
                          const TrainCallbacks& callbacks, bool keepPartialOnCancel);

/// μ of every sample with a generative run's weights (embedWithRun for generative runs).
std::vector<float> embedGenerative(const RunRecord& run, const Dataset& data, const JobContext& ctx,
                                   std::size_t& cols);

} // namespace embedscope::torchimpl
