#pragma once
// Private: the torch optimizers behind OptimizerConfig (optimization.h), the seed 001 NAdamW,
// the per-step learning rate and global-norm gradient clipping used by the trainer.
#include "embedscope/engine/optimization.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace embedscope::torchimpl {

/// NAdamW hyperparameters (seed 001 §3.3.1): α (lr), β1, β2, ε outside and ε̄ inside the root,
/// λ (decoupled weight decay).
struct NAdamWOptions : public torch::optim::OptimizerCloneableOptions<NAdamWOptions> {
    NAdamWOptions(double lr = 1e-3) : lr_(lr) {} // NOLINT: implicit like torch's options
    TORCH_ARG(double, lr) = 1e-3;
    TORCH_ARG(double, beta1) = 0.9;
    TORCH_ARG(double, beta2) = 0.999;
    TORCH_ARG(double, eps) = 1e-8;
    TORCH_ARG(double, eps_root) = 0.0;
    TORCH_ARG(double, weight_decay) = 0.0;

public:
    double get_lr() const override { return lr(); }
    void set_lr(const double lr) override { this->lr(lr); }
};

/// Per-parameter state S_t = (m_t, v_t) and the step counter t (1 at the first step).
struct NAdamWParamState : public torch::optim::OptimizerCloneableParamState<NAdamWParamState> {
    TORCH_ARG(int64_t, step) = 0;
    TORCH_ARG(torch::Tensor, exp_avg);
    TORCH_ARG(torch::Tensor, exp_avg_sq);
};

/// NAdamW exactly as seed 001 §3.3.1 writes it (see optimizers.cpp). No save/load: the trainer
/// keeps weights, not optimizer state.
class NAdamW : public torch::optim::Optimizer {
public:
    explicit NAdamW(std::vector<torch::Tensor> params, const NAdamWOptions& defaults = {});
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// The optimizer named by config.name over `params`: adam / adamw / sgd are torch's own
/// (torch::optim::Adam, AdamW, SGD), nadamw is NAdamW above. Throws ConfigError (validate()).
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& config,
                                                       std::vector<torch::Tensor> params);

/// Sets the learning rate of every param group (all four optimizers); the trainer calls it each
/// step with learningRateAt(...).
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

/// Global L2-norm clipping, torch::nn::utils::clip_grad_norm_ over the params' gradients
/// (scale min(1, maxNorm / (norm + 1e-6))). maxNorm <= 0: off, the gradients are left alone.
/// Returns the total norm before clipping either way (0 when no gradient is defined).
double clipGradients(const std::vector<torch::Tensor>& params, double maxNorm);

} // namespace embedscope::torchimpl
