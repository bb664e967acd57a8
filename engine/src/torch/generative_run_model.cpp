// GenerativeRunModel: a trained generative run loaded once for reconstructions, prior samples
// and latent traversals (the reconstructions view), plus isGenerativeRun.
#include "embedscope/engine/error.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/registry.h"
#include "torch/generative_common.h"

#include <nlohmann/json.hpp>

namespace embedscope {
namespace {

std::vector<float> toFloats(const torch::Tensor& t) {
    const auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

} // namespace

struct GenerativeRunModel::Impl {
    torchimpl::LoadedGenerativeRun run;

    /// Decoded values in the data's units for latents z (n, D).
    std::vector<float> decode(const torch::Tensor& z) {
        torch::NoGradGuard noGrad;
        return toFloats(torchimpl::reconstructionOf(run.model->decode(z), run.recon));
    }

    void check(const Dataset& data, const std::vector<std::size_t>& rows) const {
        torchimpl::checkSampleShape(run, data);
        for (std::size_t r : rows)
            if (r >= data.sampleCount())
                throw DataError("dataset '" + data.name + "': row " + std::to_string(r) +
                                " is out of range (" + std::to_string(data.sampleCount()) +
                                " samples)");
    }
};

bool isGenerativeRun(const RunRecord& run) {
    try {
        const auto stored = nlohmann::json::parse(run.configJson);
        return stored.is_object() && stored.contains("model") && stored["model"].is_string() &&
               isGenerativeModel(stored["model"].get<std::string>());
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

GenerativeRunModel::GenerativeRunModel(const RunRecord& run) : impl_(std::make_unique<Impl>()) {
    impl_->run = torchimpl::loadGenerativeRun(run, torch::kCPU);
}

GenerativeRunModel::~GenerativeRunModel() = default;

const std::vector<int64_t>& GenerativeRunModel::sampleShape() const {
    return impl_->run.storedShape;
}

std::size_t GenerativeRunModel::sampleSize() const {
    return impl_->run.shape.size();
}

std::size_t GenerativeRunModel::latentDim() const {
    return std::size_t(impl_->run.model->latentDim());
}

std::string GenerativeRunModel::modelName() const {
    return impl_->run.config.model;
}

std::string GenerativeRunModel::reconstructionLoss() const {
    return impl_->run.recon;
}

std::vector<float> GenerativeRunModel::encode(const Dataset& data,
                                              const std::vector<std::size_t>& rows) const {
    impl_->check(data, rows);
    return torchimpl::encodeRows(*impl_->run.model, data, rows, impl_->run.shape, torch::kCPU,
                                 nullptr);
}

std::vector<float> GenerativeRunModel::reconstruct(const Dataset& data,
                                                   const std::vector<std::size_t>& rows) const {
    impl_->check(data, rows);
    if (rows.empty())
        return {};
    torch::NoGradGuard noGrad;
    const auto out =
        impl_->run.model->forward(torchimpl::gatherBatch(data, rows, impl_->run.shape), false);
    return toFloats(torchimpl::reconstructionOf(out.logits, impl_->run.recon));
}

std::vector<float> GenerativeRunModel::decode(const std::vector<float>& latents,
                                              std::size_t n) const {
    const std::size_t d = latentDim();
    if (latents.size() != n * d)
        throw DataError("decode: expected " + std::to_string(n) + " x " + std::to_string(d) +
                        " latent values, got " + std::to_string(latents.size()));
    if (n == 0)
        return {};
    return impl_->decode(torch::tensor(latents, torch::kFloat32).view({int64_t(n), int64_t(d)}));
}

std::vector<float> GenerativeRunModel::samplePrior(std::size_t n, uint64_t seed) const {
    if (n == 0)
        return {};
    auto generator = at::detail::createCPUGenerator(seed);
    return impl_->decode(torch::randn({int64_t(n), int64_t(latentDim())}, generator));
}

std::vector<float> GenerativeRunModel::traverse(const std::vector<float>& base, std::size_t dim,
                                                const std::vector<double>& values) const {
    const std::size_t d = latentDim();
    if (base.size() != d)
        throw DataError("latent traversal: the base point has " + std::to_string(base.size()) +
                        " values, the latent space " + std::to_string(d));
    if (dim >= d)
        throw DataError("latent traversal: dimension " + std::to_string(dim) +
                        " does not exist (latent size " + std::to_string(d) + ")");
    std::vector<float> latents;
    for (double v : values) {
        std::vector<float> z = base;
        z[dim] = static_cast<float>(v);
        latents.insert(latents.end(), z.begin(), z.end());
    }
    return decode(latents, values.size());
}

std::vector<std::vector<float>>
GenerativeRunModel::reconstructionSteps(const Dataset& data,
                                        const std::vector<std::size_t>& rows) const {
    impl_->check(data, rows);
    if (rows.empty())
        return {};
    torch::NoGradGuard noGrad;
    const auto out =
        impl_->run.model->forward(torchimpl::gatherBatch(data, rows, impl_->run.shape), false);
    std::vector<std::vector<float>> steps;
    for (const auto& logits : out.stepLogits)
        steps.push_back(toFloats(torchimpl::reconstructionOf(logits, impl_->run.recon)));
    return steps;
}

} // namespace embedscope
