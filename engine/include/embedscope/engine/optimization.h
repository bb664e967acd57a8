#pragma once
// Optimizers, learning-rate schedules and gradient clipping, configured by name. No torch here:
// the trainer builds the torch optimizer from an OptimizerConfig (src/torch/optimizers.h).
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

/// Which optimizer and its hyperparameters. Every field is used by the optimizers named in its
/// comment and ignored by the others.
struct OptimizerConfig {
    std::string name = "adam";  ///< adam | adamw | nadamw | sgd
    double learningRate = 1e-3; ///< base rate; the schedule scales it per step
    double beta1 = 0.9, beta2 = 0.999;
    double eps = 1e-8;    ///< ε outside the root (seed 001 §3.3.1)
    double epsRoot = 0.0; ///< ε̄ inside the root (seed 001 §3.3.1); used by nadamw only
    /// adam: L2 added to the gradient; adamw / nadamw: decoupled λθ (scaled by the rate);
    /// sgd: L2 added to the gradient.
    double weightDecay = 0.0;
    double momentum = 0.9; ///< sgd only
    bool nesterov = false; ///< sgd only (needs momentum > 0)
};

/// The learning-rate schedule, applied per optimizer step to OptimizerConfig::learningRate.
struct ScheduleConfig {
    std::string name = "constant"; ///< constant | step | cosine | cosine-warmup
    double finalFraction = 1e-2;   ///< α of the cosine schedules (final lr = α·I)
    double power = 1.0;            ///< p of the cosine schedule
    /// cosine-warmup: linear 0 → I over these steps, then the cosine over the rest.
    int64_t warmupSteps = 0;
    int64_t stepSize = 0; ///< step: multiply by gamma every stepSize steps
    double gamma = 0.1;   ///< step: factor per stepSize steps
};

/// Names for GUIs / CLI validation, in a stable order.
const std::vector<std::string>& optimizerNames();
const std::vector<std::string>& scheduleNames();

/// Throws ConfigError naming the field ("optimizer.beta1", ...) for an unknown name, a
/// learning rate <= 0 or non-finite, betas outside [0, 1), eps / epsRoot / weightDecay < 0 or
/// non-finite, and for sgd a momentum outside [0, 1) or nesterov with momentum 0.
void validate(const OptimizerConfig& config);
/// Throws ConfigError naming the field ("schedule.stepSize", ...) for an unknown name, a step
/// schedule with stepSize < 1 or gamma <= 0, warmupSteps < 0, finalFraction outside [0, 1],
/// power <= 0 or any non-finite number.
void validate(const ScheduleConfig& config);

/// The learning rate at step `step` (0-based) of `totalSteps` for the base rate `base`.
///  - constant: base.
///  - step: base · gamma^⌊step / stepSize⌋.
///  - cosine (SPEC S1; seed 001 eq. 3.3 as corrected there, T = totalSteps, t >= T gives α·I):
///        lr(t) = I·[(1 − α)·(½(1 + cos(π t/T)))^p + α]
///  - cosine-warmup: t < W → base·(t+1)/W, then the cosine above over T − W steps (t − W).
/// Throws ConfigError for a negative step or totalSteps, or an invalid config.
double learningRateAt(const ScheduleConfig& config, double base, int64_t step, int64_t totalSteps);

/// For tests and tools: runs grads.size() steps of exactly the torch optimizer the trainer uses
/// on a parameter vector θ0 (double precision), one gradient vector per step (same size as
/// θ0), and returns θ after each step. The rate is config.learningRate, or learningRates[k] at
/// step k when given (set through the trainer's setLearningRate; size = grads.size()).
/// Throws ConfigError for an invalid config and DataError for mismatched sizes.
std::vector<std::vector<double>> optimizerTrajectory(const OptimizerConfig& config,
                                                     const std::vector<double>& theta0,
                                                     const std::vector<std::vector<double>>& grads,
                                                     const std::vector<double>& learningRates = {});

/// Global-norm clipping on plain vectors, through the trainer's clipGradients: scales every
/// gradient by min(1, maxNorm / total_norm) (total = L2 norm over all of them); maxNorm <= 0
/// leaves them alone. Returns the total norm before clipping.
double clipGlobalNorm(std::vector<std::vector<double>>& grads, double maxNorm);

} // namespace embedscope
