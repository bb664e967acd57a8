// The torch optimizers behind OptimizerConfig: torch's Adam, AdamW and SGD, and NAdamW as seed
// 001 §3.3.1 writes it; learning-rate setting, gradient clipping and the public test helpers.
#include "torch/optimizers.h"

#include "embedscope/engine/error.h"

#include <cmath>
#include <string>
#include <tuple>

namespace embedscope::torchimpl {

NAdamW::NAdamW(std::vector<torch::Tensor> params, const NAdamWOptions& defaults)
    : Optimizer({torch::optim::OptimizerParamGroup(std::move(params))},
                std::make_unique<NAdamWOptions>(defaults)) {}

// Seed 001 §3.3.1, for t > 0 (t = 1 at the first step), S_0 = (0, 0):
//   m_t = β1 m_{t-1} + (1 − β1) g_t
//   v_t = β2 v_{t-1} + (1 − β2) g_t²
//   m̂_t = β1 m_t / (1 − β1^(t+1)) + (1 − β1) g_t / (1 − β1^t)
//   v̂_t = v_t / (1 − β2^t)
//   u_t = −α_t (m̂_t / (√(v̂_t + ε̄) + ε) + λ θ_t),   θ_{t+1} = θ_t + u_t
// Ordering: m_t and v_t are updated first and m̂_t uses the *new* m_t with β1^(t+1) (the
// Nesterov look-ahead), plus the current gradient with β1^t; the decay term uses θ_t before the
// update and is scaled by α_t (like torch's AdamW, unlike a decay applied after the step).
torch::Tensor NAdamW::step(LossClosure closure) {
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const NAdamWOptions&>(group.options());
        const double b1 = o.beta1(), b2 = o.beta2();
        for (auto& p : group.params()) {
            if (!p.grad().defined())
                continue;
            const torch::Tensor& g = p.grad();
            if (g.is_sparse())
                throw ConfigError("optimizer.name: nadamw does not support sparse gradients");
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            if (state_.find(key) == state_.end()) {
                auto fresh = std::make_unique<NAdamWParamState>();
                fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state_[key] = std::move(fresh);
            }
            auto& s = static_cast<NAdamWParamState&>(*state_[key]);
            const int64_t t = s.step() + 1;
            s.step(t);
            torch::Tensor& m = s.exp_avg();
            torch::Tensor& v = s.exp_avg_sq();
            m.mul_(b1).add_(g, 1.0 - b1);
            v.mul_(b2).addcmul_(g, g, 1.0 - b2);
            const double c1Next = 1.0 - std::pow(b1, double(t + 1));
            const double c1 = 1.0 - std::pow(b1, double(t));
            const double c2 = 1.0 - std::pow(b2, double(t));
            torch::Tensor mHat = m * (b1 / c1Next) + g * ((1.0 - b1) / c1);
            torch::Tensor denom = (v / c2 + o.eps_root()).sqrt_().add_(o.eps());
            torch::Tensor direction = mHat.div_(denom);
            if (o.weight_decay() != 0)
                direction.add_(p, o.weight_decay());
            p.add_(direction, -o.lr());
        }
    }
    return loss;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& c,
                                                       std::vector<torch::Tensor> params) {
    validate(c);
    const auto betas = std::make_tuple(c.beta1, c.beta2);
    if (c.name == "adam")
        return std::make_unique<torch::optim::Adam>(std::move(params),
                                                    torch::optim::AdamOptions(c.learningRate)
                                                        .betas(betas)
                                                        .eps(c.eps)
                                                        .weight_decay(c.weightDecay));
    if (c.name == "adamw")
        return std::make_unique<torch::optim::AdamW>(std::move(params),
                                                     torch::optim::AdamWOptions(c.learningRate)
                                                         .betas(betas)
                                                         .eps(c.eps)
                                                         .weight_decay(c.weightDecay));
    if (c.name == "sgd")
        return std::make_unique<torch::optim::SGD>(std::move(params),
                                                   torch::optim::SGDOptions(c.learningRate)
                                                       .momentum(c.momentum)
                                                       .dampening(0.0)
                                                       .nesterov(c.nesterov)
                                                       .weight_decay(c.weightDecay));
    return std::make_unique<NAdamW>(std::move(params), NAdamWOptions(c.learningRate)
                                                           .beta1(c.beta1)
                                                           .beta2(c.beta2)
                                                           .eps(c.eps)
                                                           .eps_root(c.epsRoot)
                                                           .weight_decay(c.weightDecay));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(lr);
}

double clipGradients(const std::vector<torch::Tensor>& params, double maxNorm) {
    if (maxNorm > 0)
        return torch::nn::utils::clip_grad_norm_(params, maxNorm);
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> norms;
    for (const auto& p : params)
        if (p.grad().defined())
            norms.push_back(p.grad().norm());
    if (norms.empty())
        return 0.0;
    return torch::stack(norms).norm().item<double>();
}

} // namespace embedscope::torchimpl

namespace embedscope {
namespace {

torch::Tensor toTensor(const std::vector<double>& values) {
    return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

std::vector<double> toVector(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().contiguous().to(torch::kFloat64);
    const double* data = c.data_ptr<double>();
    return std::vector<double>(data, data + c.numel());
}

} // namespace

std::vector<std::vector<double>> optimizerTrajectory(const OptimizerConfig& config,
                                                     const std::vector<double>& theta0,
                                                     const std::vector<std::vector<double>>& grads,
                                                     const std::vector<double>& learningRates) {
    validate(config);
    if (!learningRates.empty() && learningRates.size() != grads.size())
        throw DataError("optimizerTrajectory: " + std::to_string(learningRates.size()) +
                        " learning rates for " + std::to_string(grads.size()) + " steps");
    for (std::size_t k = 0; k < grads.size(); ++k)
        if (grads[k].size() != theta0.size())
            throw DataError("optimizerTrajectory: gradient " + std::to_string(k) + " has " +
                            std::to_string(grads[k].size()) + " values, theta has " +
                            std::to_string(theta0.size()));
    torch::Tensor theta = toTensor(theta0).requires_grad_(true);
    auto optimizer = torchimpl::makeOptimizer(config, {theta});
    std::vector<std::vector<double>> trajectory;
    for (std::size_t k = 0; k < grads.size(); ++k) {
        if (!learningRates.empty())
            torchimpl::setLearningRate(*optimizer, learningRates[k]);
        theta.mutable_grad() = toTensor(grads[k]);
        optimizer->step();
        trajectory.push_back(toVector(theta));
    }
    return trajectory;
}

double clipGlobalNorm(std::vector<std::vector<double>>& grads, double maxNorm) {
    std::vector<torch::Tensor> params;
    for (const auto& g : grads) {
        torch::Tensor p = torch::zeros({int64_t(g.size())}, torch::kFloat64).requires_grad_(true);
        p.mutable_grad() = toTensor(g);
        params.push_back(p);
    }
    const double norm = torchimpl::clipGradients(params, maxNorm);
    for (std::size_t k = 0; k < grads.size(); ++k)
        grads[k] = toVector(params[k].grad());
    return norm;
}

} // namespace embedscope
