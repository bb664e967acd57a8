#pragma once
// Private helpers shared by the generative trainer and GenerativeRunModel: the (C, H, W) view
// of a data set, batches, checkpoints, the ELBO spec of a config, loading a run.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"
#include "torch/generative_models.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace embedscope::torchimpl {

/// A sample as (C, H, W): images as stored, signals (T) as (1, 1, T) and (C, T) as (C, 1, T).
struct SampleShape {
    int64_t channels = 1, height = 1, width = 1;
    std::size_t size() const { return std::size_t(channels * height * width); }
};
/// Throws DataError naming the data set for a shape of rank 0 or > 3.
SampleShape sampleShapeOf(const Dataset& data);
SampleShape sampleShapeOf(const std::vector<int64_t>& shape, const std::string& origin);

std::vector<std::size_t> allRows(const Dataset& data);
/// The rows' samples as a float tensor (B, C, H, W) on the CPU.
torch::Tensor gatherBatch(const Dataset& data, const std::vector<std::size_t>& rows,
                          const SampleShape& shape);

std::shared_ptr<GenerativeModelImpl> makeGenerativeModel(const TrainConfig& cfg,
                                                         const SampleShape& shape);
/// The loss params of a config; recon "auto" becomes bce for images, mse otherwise.
ElboSpec elboSpecOf(const TrainConfig& cfg, const Dataset& data);
/// BCE needs targets in [0, 1]: DataError naming the data set, the first bad value and the fix.
void checkReconstructionRange(const Dataset& data, const ElboSpec& spec, const std::string& origin);

std::vector<uint8_t> saveModule(torch::nn::Module& module);
void loadModule(torch::nn::Module& module, const std::vector<uint8_t>& bytes, torch::Device device);

/// μ of the rows, rows.size() x latentDim, in eval mode; checks `ctx` per batch when given.
std::vector<float> encodeRows(GenerativeModelImpl& model, const Dataset& data,
                              const std::vector<std::size_t>& rows, const SampleShape& shape,
                              torch::Device device, const JobContext* ctx);

/// A run's model at its checkpoint, with what decoding needs.
struct LoadedGenerativeRun {
    std::shared_ptr<GenerativeModelImpl> model;
    TrainConfig config;
    SampleShape shape;
    std::vector<int64_t> storedShape; ///< the data set's sample shape the run was trained on
    std::string recon;                ///< bce | mse
    std::string origin;               ///< "run 'name'" for messages
};
/// Throws DataError for a run that is not generative, lacks weights or an input_shape, or
/// whose weights do not fit its model.
LoadedGenerativeRun loadGenerativeRun(const RunRecord& run, torch::Device device);
/// DataError when `data`'s sample shape differs from the run's.
void checkSampleShape(const LoadedGenerativeRun& run, const Dataset& data);

/// With a label column in the data: few-label logistic regression on μ (seed 002 §4: 15 %
/// labelled per class, 70/30 inside, 10 repeats) appended to `metrics.best` as
/// logreg_accuracy, logreg_accuracy_se, logreg_f1_macro, logreg_f1_macro_se, and the
/// adjusted Rand index of K-means on μ (K = classes, k-means++, 3 restarts, at most 10,000
/// evenly spaced samples) as kmeans_ari; a failure is kept in metrics.error instead.
void appendLatentClassification(const RunRecord& run, const Dataset& data, const TrainConfig& cfg,
                                RunMetrics& metrics);

/// With a label column: the adjusted Rand index of `clusters` (one per sample) against the
/// labels, appended to metrics.best as `key`.
void appendClusterAgreement(const RunRecord& run, const Dataset& data, const TrainConfig& cfg,
                            const std::vector<int>& clusters, const std::string& key,
                            RunMetrics& metrics);

} // namespace embedscope::torchimpl
