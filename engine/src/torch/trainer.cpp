// The training loop: pair sampler, Adam, validation, best-checkpoint keeping, embedding.
// SPEC S0 "Loss and sampling": each sample is an anchor once per epoch plus one random positive
// of its group -> batches of 2N; Adam (0.9, 0.999) with optional weight decay; keep the
// minimum-validation-loss checkpoint. epochs = 0 gives the untrained reference run (seed §4.1).
#include "embedscope/engine/training.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/trajectory_transforms.h"
#include "torch/cell_model.h"
#include "torch/generative_trainer.h"
#include "torch/losses.h"
#include "torch/models.h"
#include "torch/optimizers.h"
#include "torch/sampler.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <random>
#include <sstream>

namespace embedscope {
namespace {

using Clock = std::chrono::steady_clock;
using torchimpl::anyPositive;
using torchimpl::ContrastiveModelImpl;
using torchimpl::PairSampler;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The validation batches are drawn with this fixed seed, whatever the training seed, so val
// losses of runs with different seeds are comparable.
constexpr uint64_t kValidationSeed = 0x5eed0a11ULL;
// The augmentation draws have their own stream (seeded from the training seed), so turning
// augmentation on leaves the sampler's batches as they were.
constexpr uint64_t kAugmentSeedSalt = 0xa06e57a7e5ULL;
// Intra-op threads when the config says 0. Measured on the 2-core reference machine, demo data
// (80 x (3, 15000)), 5 epochs: 1 thread 0.72-0.80 s, 2 threads 0.63 s when the machine is idle
// but 4.8-6.6 s as soon as anything else runs (OpenMP workers spin against the other load).
// One thread is the robust choice for these small encoders; raise `threads` on big machines.
constexpr int kDefaultThreads = 1;
// Samples per forward pass when embedding: bounded so a batch stays ~32 MB of input.
constexpr int64_t kEmbedValuesPerBatch = int64_t(8) << 20;

struct InputShape {
    int64_t channels = 1;
    int64_t length = 1;
};

/// Per-sample transforms of trajectory_transforms.h. The coordinate representation applies to
/// every sample (train, validation, embedding); the augmentations to training batches only
/// (seed §4.3.2: "For validation and evaluation, the augmentations are turned off").
struct SampleTransforms {
    bool egocentric = false; ///< seed §4.3.3, eqs 4.1-4.3
    bool dihedral = false;   ///< seed §4.3.2, training only
    bool egoAugment = false; ///< seed §4.3.3, training only
    bool any() const { return egocentric || dihedral || egoAugment; }
};

SampleTransforms transformsOf(const TrainConfig& cfg) {
    SampleTransforms t;
    t.egocentric = cfg.coordinates == "egocentric";
    t.dihedral = cfg.augment == "dihedral";
    t.egoAugment = cfg.egoAugment;
    return t;
}

/// `augmentRng` null: no augmentation (validation, embedding).
void transformSample(float* sample, const InputShape& shape, const SampleTransforms& t,
                     std::mt19937_64* augmentRng) {
    // The dihedral map acts on the stored Cartesian (x, y), before any change of
    // representation: with egocentric coordinates a rotation then only moves the few headings
    // that the seed's ν_{-1} = π and no-move rules pin to absolute directions, and a flip
    // turns θ into -θ.
    if (augmentRng && t.dihedral)
        applyDihedral(sample, shape.channels, shape.length,
                      std::uniform_int_distribution<int>(0, kDihedralCount - 1)(*augmentRng));
    if (t.egocentric)
        egocentricCoordinates(sample, sample, shape.channels, shape.length);
    if (augmentRng && t.egoAugment) {
        // Seed §4.3.3: η ~ N(1, √0.25), i.e. standard deviation 0.5; τ = ±1 with p = 0.5.
        const float eta =
            static_cast<float>(std::normal_distribution<double>(1.0, 0.5)(*augmentRng));
        const int sign = std::bernoulli_distribution(0.5)(*augmentRng) ? 1 : -1;
        applyEgoAugment(sample, shape.channels, shape.length, eta, sign);
    }
}

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + ")";
}

/// (T) is treated as (1, T). Anything else than (C, T) / (T) is not a sequence.
InputShape inputShapeOf(const Dataset& data) {
    const auto& s = data.sampleShape;
    if (s.size() == 1)
        return {1, s[0]};
    if (s.size() == 2)
        return {s[0], s[1]};
    throw DataError("dataset '" + data.name + "': sample shape " + shapeText(s) +
                    " is not a sequence (C, T) or (T)");
}

/// Group label of every sample, as small ints (string or numeric column).
std::vector<int> groupLabels(const Dataset& data, const std::string& column) {
    const MetadataColumn& col = data.metadata.column(column);
    std::map<std::string, int> codes;
    std::vector<int> labels(col.size());
    for (std::size_t i = 0; i < col.size(); ++i)
        labels[i] = codes.emplace(col.text(i), static_cast<int>(codes.size())).first->second;
    return labels;
}

torch::Tensor gatherSamples(const Dataset& data, const std::vector<int64_t>& rows,
                            const InputShape& shape, const SampleTransforms& transforms,
                            std::mt19937_64* augmentRng) {
    auto x = torch::empty({static_cast<int64_t>(rows.size()), shape.channels, shape.length},
                          torch::kFloat32);
    const std::size_t size = data.sampleSize();
    float* out = x.data_ptr<float>();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::memcpy(out + i * size, data.sample(static_cast<std::size_t>(rows[i])),
                    size * sizeof(float));
        if (transforms.any())
            transformSample(out + i * size, shape, transforms, augmentRng);
    }
    return x;
}

/// Per-sample labels the loss needs; substances / doses stay empty unless it asks for them.
struct SampleLabels {
    std::vector<int> groups;
    std::vector<int> substances;
    std::vector<double> doses;
};

/// Seed §4.4.3 semi-positives read the primary substance and dose of every sample.
void readSubstanceAndDose(const Dataset& data, const TrainConfig& cfg, SampleLabels& labels) {
    for (const std::string* column : {&cfg.substanceColumn, &cfg.doseColumn})
        if (!data.metadata.has(*column))
            throw ConfigError("loss '" + cfg.loss +
                              "' with semi-positives needs metadata column '" + *column +
                              "', which dataset '" + data.name +
                              "' does not have (set substance_column / dose_column)");
    labels.substances = groupLabels(data, cfg.substanceColumn);
    labels.doses = doseValues(data, cfg.doseColumn);
}

/// The loss labels of a batch (rows = sample indices, also their ids) on `device`.
torchimpl::BatchLabels batchLabels(const std::vector<int64_t>& rows, const SampleLabels& labels,
                                   torch::Device device) {
    torchimpl::BatchLabels out;
    std::vector<int64_t> g(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        g[i] = labels.groups[static_cast<std::size_t>(rows[i])];
    out.groups = torch::tensor(g, torch::kInt64).to(device);
    out.ids = torch::tensor(rows, torch::kInt64).to(device);
    if (!labels.substances.empty()) {
        std::vector<int64_t> s(rows.size());
        std::vector<double> d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            s[i] = labels.substances[static_cast<std::size_t>(rows[i])];
            d[i] = labels.doses[static_cast<std::size_t>(rows[i])];
        }
        out.substances = torch::tensor(s, torch::kInt64).to(device);
        out.doses = torch::tensor(d, torch::kFloat64).to(device);
    }
    return out;
}

std::vector<uint8_t> saveWeights(ContrastiveModelImpl& model) {
    torch::serialize::OutputArchive archive;
    model.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    const std::string bytes = out.str();
    return {bytes.begin(), bytes.end()};
}

void loadWeights(ContrastiveModelImpl& model, const std::vector<uint8_t>& bytes,
                 torch::Device device) {
    torch::serialize::InputArchive archive;
    archive.load_from(reinterpret_cast<const char*>(bytes.data()), bytes.size(), device);
    model.load(archive);
}

/// z of every sample (rows in data order), row-major. Checks `ctx` per batch when given.
std::vector<float> embedAll(ContrastiveModelImpl& model, const Dataset& data,
                            const InputShape& shape, const SampleTransforms& transforms,
                            torch::Device device, const JobContext* ctx, std::size_t& cols) {
    model.eval();
    torch::NoGradGuard noGrad;
    const std::size_t n = data.sampleCount();
    const std::size_t perBatch = static_cast<std::size_t>(
        std::clamp<int64_t>(kEmbedValuesPerBatch / (shape.channels * shape.length), 1, 256));
    std::vector<float> out;
    for (std::size_t start = 0; start < n; start += perBatch) {
        if (ctx)
            ctx->throwIfCancelled();
        std::vector<int64_t> rows;
        for (std::size_t i = start; i < std::min(n, start + perBatch); ++i)
            rows.push_back(static_cast<int64_t>(i));
        const auto z = model.embed(gatherSamples(data, rows, shape, transforms, nullptr).to(device))
                           .to(torch::kCPU, torch::kFloat32)
                           .contiguous();
        cols = static_cast<std::size_t>(z.size(1));
        out.insert(out.end(), z.data_ptr<float>(), z.data_ptr<float>() + z.numel());
    }
    return out;
}

std::shared_ptr<ContrastiveModelImpl> makeModel(const TrainConfig& cfg, const InputShape& shape) {
    torchimpl::ModelArgs args;
    args.params = cfg.modelParams;
    args.choices = cfg.modelChoices;
    args.inChannels = shape.channels;
    args.length = shape.length;
    return torchimpl::buildModel(cfg.model, std::move(args));
}

/// Mean loss over fixed batches, no gradient, eval mode; NaN when no batch has a term.
double evaluate(ContrastiveModelImpl& model, const torchimpl::LossFn& loss, const Dataset& data,
                const InputShape& shape, const SampleTransforms& transforms,
                const std::vector<std::vector<int64_t>>& batches, const SampleLabels& labels,
                torch::Device device, const JobContext& ctx) {
    model.eval();
    torch::NoGradGuard noGrad;
    double sum = 0;
    int counted = 0;
    for (const auto& rows : batches) {
        ctx.throwIfCancelled();
        if (!anyPositive(rows, labels.groups))
            continue;
        const auto x = gatherSamples(data, rows, shape, transforms, nullptr).to(device);
        const auto value = loss(model.project(model.embed(x)), batchLabels(rows, labels, device));
        if (!value.defined())
            continue;
        sum += value.item<double>();
        ++counted;
    }
    return counted ? sum / counted : kNaN;
}

/// The transforms need x and y: (C, T) samples with C >= 2.
void checkTransformsFit(const SampleTransforms& t, const InputShape& shape,
                        const std::string& origin) {
    if (t.any() && shape.channels < 2)
        throw DataError(origin + ": samples of shape " + shapeText({shape.channels, shape.length}) +
                        " have no x and y channels, which 'augment' = dihedral, 'coordinates' = "
                        "egocentric and 'ego_augment' need");
}

} // namespace

bool cudaAvailable() {
    return torch::cuda::is_available();
}

std::string resolveDevice(const std::string& requested) {
    if (requested == "auto")
        return cudaAvailable() ? "cuda" : "cpu";
    if (requested == "cpu")
        return "cpu";
    if (requested == "cuda") {
        if (!cudaAvailable())
            throw ConfigError("device 'cuda' requested, but this LibTorch has no usable CUDA "
                              "device; use 'auto' or 'cpu'");
        return "cuda";
    }
    throw ConfigError("unknown device '" + requested + "' (known: auto, cpu, cuda)");
}

namespace {

/// Per-epoch and best-checkpoint metrics of a training run (run_metrics.h).
class EpochMetrics {
public:
    EpochMetrics(const Dataset& data, const TrainConfig& cfg)
        : data_(data), every_(cfg.metricsEvery) {
        MetricColumns columns;
        columns.group = cfg.groupColumn;
        columns.substance = cfg.substanceColumn;
        columns.dose = cfg.doseColumn;
        try {
            labels_ = metricLabelsOf(data, columns);
            options_ = availableMetrics(labels_, false);
        } catch (const DataError& e) {
            metrics_.error = e.what();
        }
    }

    bool due(int epoch) const {
        return metrics_.error.empty() && every_ > 0 && (epoch + 1) % every_ == 0;
    }

    std::vector<std::pair<std::string, double>> measure(const std::vector<float>& z,
                                                        std::size_t cols, const JobContext& ctx) {
        try {
            const MetricValues v =
                evaluateEmbedding(z, data_.sampleCount(), cols, data_, labels_, options_, ctx);
            metrics_.appendEpoch(v);
            return v.named();
        } catch (const DataError& e) {
            metrics_.error = e.what();
            return {};
        }
    }

    /// The metrics JSON of the run: the curves plus every metric (F1 included) at `z`.
    std::string finish(const std::vector<float>& z, std::size_t cols, const JobContext& ctx) {
        if (metrics_.error.empty()) {
            try {
                const MetricOptions withF1 = availableMetrics(labels_, true);
                metrics_.best =
                    evaluateEmbedding(z, data_.sampleCount(), cols, data_, labels_, withF1, ctx)
                        .named();
            } catch (const DataError& e) {
                metrics_.error = e.what();
            }
        }
        return toJson(metrics_);
    }

private:
    const Dataset& data_;
    int every_ = 1;
    MetricLabels labels_;
    MetricOptions options_;
    RunMetrics metrics_;
};

} // namespace

RunRecord train(const Dataset& data, const TrainConfig& config, const JobContext& ctx,
                const TrainCallbacks& callbacks, bool keepPartialOnCancel) {
    const auto started = Clock::now();
    // Validates and fills registry defaults, whether the config came from JSON or from code.
    const TrainConfig cfg = parseTrainConfig(toJson(config), {}, "training config");
    const std::string origin = "dataset '" + data.name + "'";
    data.validate(origin);
    if (isGenerativeModel(cfg.model))
        return torchimpl::trainGenerative(data, cfg, ctx, callbacks, keepPartialOnCancel);
    if (isCellCnnModel(cfg.model))
        return torchimpl::trainCellCnn(data, cfg, ctx, callbacks, keepPartialOnCancel);
    const InputShape shape = inputShapeOf(data);
    const SampleTransforms transforms = transformsOf(cfg);
    checkTransformsFit(transforms, shape, origin);
    SampleLabels labels;
    labels.groups = groupLabels(data, cfg.groupColumn);
    const std::vector<int>& groups = labels.groups;

    std::vector<std::size_t> trainIdx, valIdx;
    if (data.metadata.has(Dataset::kSplitColumn)) {
        trainIdx = data.indicesOfSplit("train");
        valIdx = data.indicesOfSplit("val");
    } else {
        trainIdx.resize(data.sampleCount());
        for (std::size_t i = 0; i < trainIdx.size(); ++i)
            trainIdx[i] = i;
    }
    if (trainIdx.empty())
        throw DataError(origin + ": the train split is empty (no row of column 'split' is "
                                 "\"train\")");
    const PairSampler trainSampler(trainIdx, groups);
    if (trainSampler.groupCount() < 2)
        throw DataError(origin + ": the train split has only one group in column '" +
                        cfg.groupColumn + "'; contrastive training needs at least two");
    if (!trainSampler.hasPositivePairs())
        throw DataError(origin + ": no group in column '" + cfg.groupColumn +
                        "' has two or more train samples, so there are no positive pairs");

    const std::string deviceName = resolveDevice(cfg.device);
    const torch::Device device(deviceName);
    torch::set_num_threads(cfg.threads > 0 ? cfg.threads : kDefaultThreads);
    torch::manual_seed(cfg.seed);
    auto model = makeModel(cfg, shape);
    model->to(device);
    const torchimpl::Loss builtLoss =
        torchimpl::buildLoss(cfg.loss, cfg.lossParams, cfg.lossChoices);
    const torchimpl::LossFn& loss = builtLoss.fn;
    if (builtLoss.needsSubstanceAndDose)
        readSubstanceAndDose(data, cfg, labels);
    // Default adam (0.9, 0.999) with L2 weight decay, constant rate: the seed-000 set-up.
    auto optimizer = torchimpl::makeOptimizer(cfg.optimizer, model->parameters());

    std::mt19937_64 rng(cfg.seed);
    std::mt19937_64 augmentRng(cfg.seed ^ kAugmentSeedSalt);
    std::mt19937_64 valRng(kValidationSeed);
    const auto valBatches = valIdx.empty()
                                ? std::vector<std::vector<int64_t>>{}
                                : PairSampler(valIdx, groups).epoch(cfg.batchSize, valRng);

    RunRecord run;
    run.name = cfg.runName;
    run.datasetName = data.name;
    run.versions = currentVersions();
    run.createdUtc = currentUtcTime();
    nlohmann::ordered_json resolved = nlohmann::ordered_json::parse(toJson(cfg));
    resolved["input_shape"] = {shape.channels, shape.length};
    run.configJson = resolved.dump(2);

    const double trainBatchesPerEpoch =
        std::max<double>(1.0, std::floor(double(trainIdx.size()) / cfg.batchSize));
    const double totalUnits =
        std::max(1, cfg.epochs) * (trainBatchesPerEpoch + double(valBatches.size()));
    double doneUnits = 0;
    const auto progress = [&](const std::string& stage) {
        const double elapsed = seconds(started);
        const double fraction = std::min(1.0, doneUnits / totalUnits);
        ctx.report(fraction, stage, fraction > 0 ? elapsed / fraction * (1 - fraction) : -1.0);
    };

    // Seed 000 metrics of the whole data set per epoch (§4.1: Figs 4.4-4.7 plot them over
    // epochs). A metric failure (e.g. an embedding collapsed to a point) never stops training:
    // the message is kept in the run's metrics JSON instead.
    EpochMetrics epochMetrics(data, cfg);
    const auto measureEpoch = [&](int epoch) -> std::vector<std::pair<std::string, double>> {
        if (!epochMetrics.due(epoch))
            return {};
        std::size_t cols = 0;
        const auto z = embedAll(*model, data, shape, transforms, device, &ctx, cols);
        return epochMetrics.measure(z, cols, ctx);
    };

    // The schedule runs over optimizer steps; the config gives warm-up and step size in epochs.
    const int64_t stepsPerEpoch = std::llround(trainBatchesPerEpoch);
    const int64_t totalSteps = stepsPerEpoch * std::max(1, cfg.epochs);
    ScheduleConfig schedule = cfg.schedule;
    schedule.warmupSteps = std::llround(cfg.warmupEpochs * double(stepsPerEpoch));
    schedule.stepSize = std::max<int64_t>(1, std::llround(cfg.stepEpochs * double(stepsPerEpoch)));
    int64_t step = 0;

    double bestScore = std::numeric_limits<double>::infinity();
    bool cancelled = false;
    if (cfg.epochs == 0) {
        // The untrained reference (seed §4.1): the initial weights, their losses evaluated once
        // (no step, no augmentation), bestEpoch 0 so the curves and metrics read as one point.
        const auto trainBatches = trainSampler.epoch(cfg.batchSize, rng);
        run.trainLoss.push_back(
            evaluate(*model, loss, data, shape, transforms, trainBatches, labels, device, ctx));
        run.valLoss.push_back(
            evaluate(*model, loss, data, shape, transforms, valBatches, labels, device, ctx));
        doneUnits = totalUnits;
        measureEpoch(0);
        run.bestEpoch = 0;
        run.checkpoint = saveWeights(*model);
        progress("untrained: losses of the initial weights");
    }
    try {
        for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const std::string epochText =
                "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs);
            const auto batches = trainSampler.epoch(cfg.batchSize, rng);
            model->train();
            double sum = 0;
            int counted = 0;
            for (std::size_t b = 0; b < batches.size(); ++b) {
                ctx.throwIfCancelled();
                const auto& rows = batches[b];
                const auto x =
                    anyPositive(rows, groups)
                        ? gatherSamples(data, rows, shape, transforms, &augmentRng).to(device)
                        : torch::Tensor();
                // An undefined loss: the batch has no term (e.g. no triplet), nothing to learn.
                const auto value = x.defined() ? loss(model->project(model->embed(x)),
                                                      batchLabels(rows, labels, device))
                                               : torch::Tensor();
                if (value.defined()) {
                    const double v = value.item<double>();
                    if (!std::isfinite(v))
                        throw DataError("training diverged at epoch " + std::to_string(epoch + 1) +
                                        " (loss is NaN); lower the learning rate");
                    torchimpl::setLearningRate(
                        *optimizer, learningRateAt(schedule, cfg.learningRate, step++, totalSteps));
                    optimizer->zero_grad();
                    value.backward();
                    torchimpl::clipGradients(model->parameters(), cfg.clipNorm);
                    optimizer->step();
                    sum += v;
                    ++counted;
                }
                doneUnits += trainBatchesPerEpoch / double(batches.size());
                progress(epochText + ", batch " + std::to_string(b + 1) + "/" +
                         std::to_string(batches.size()));
            }
            const double trainLoss = counted ? sum / counted : kNaN;
            const double valLoss =
                evaluate(*model, loss, data, shape, transforms, valBatches, labels, device, ctx);
            doneUnits += double(valBatches.size());
            run.trainLoss.push_back(trainLoss);
            run.valLoss.push_back(valLoss);
            // Best = min val loss; without validation, min train loss.
            const double score = std::isnan(valLoss) ? trainLoss : valLoss;
            const bool improved = score < bestScore;
            if (improved) {
                bestScore = score;
                run.bestEpoch = epoch;
                run.checkpoint = saveWeights(*model);
            }
            progress(epochText + ", validation");
            auto metrics = measureEpoch(epoch);
            if (callbacks.onEpoch)
                callbacks.onEpoch(EpochReport{epoch, cfg.epochs, trainLoss, valLoss, improved,
                                              seconds(epochStart), std::move(metrics)});
        }
    } catch (const CancelledError&) {
        if (!keepPartialOnCancel || run.trainLoss.empty())
            throw;
        cancelled = true;
    }

    // The best weights come back for the embedding (the last epoch is not always the best).
    if (!run.checkpoint.empty())
        loadWeights(*model, run.checkpoint, device);
    progress("embedding " + std::to_string(data.sampleCount()) + " samples");
    // After a kept cancel the embedding runs to the end: the flag is still set.
    run.embedding = embedAll(*model, data, shape, transforms, device, cancelled ? nullptr : &ctx,
                             run.embeddingCols);
    run.embeddingRows = data.sampleCount();
    progress("metrics at the best checkpoint");
    const JobContext uncancellable; // after a kept cancel the flag is still set
    run.metricsJson =
        epochMetrics.finish(run.embedding, run.embeddingCols, cancelled ? uncancellable : ctx);
    run.status = cancelled ? "cancelled" : "finished";
    run.seconds = seconds(started);
    ctx.report(1.0, cancelled ? "cancelled" : "finished", 0.0);
    return run;
}

std::vector<std::vector<int64_t>> pairSamplerEpoch(const std::vector<std::size_t>& indices,
                                                   const std::vector<int>& groups,
                                                   std::size_t anchorsPerBatch, uint64_t seed) {
    if (anchorsPerBatch == 0)
        throw ConfigError("pair sampler: anchors per batch must be > 0");
    for (std::size_t i : indices)
        if (i >= groups.size())
            throw DataError("pair sampler: index " + std::to_string(i) + " has no group (" +
                            std::to_string(groups.size()) + " labels)");
    std::mt19937_64 rng(seed);
    return PairSampler(indices, groups).epoch(anchorsPerBatch, rng);
}

std::vector<float> embedWithRun(const RunRecord& run, const Dataset& data, const JobContext& ctx,
                                std::size_t* cols) {
    const std::string origin = "run '" + run.name + "'";
    if (isGenerativeRun(run)) {
        std::size_t latentCols = 0;
        auto out = torchimpl::embedGenerative(run, data, ctx, latentCols);
        if (cols)
            *cols = latentCols;
        return out;
    }
    if (isCellCnnRun(run))
        return cellCnnFeatures(run, data, -1, ctx, cols);
    nlohmann::json stored;
    try {
        stored = nlohmann::json::parse(run.configJson);
    } catch (const nlohmann::json::exception& e) {
        throw DataError(origin + ": the stored config is not valid JSON (" + e.what() + ")");
    }
    if (!stored.is_object() || !stored.contains("input_shape") ||
        !stored["input_shape"].is_array() || stored["input_shape"].size() != 2)
        throw DataError(origin + ": the stored config has no input_shape [C, T]");
    const std::vector<int64_t> trained = stored["input_shape"].get<std::vector<int64_t>>();
    if (run.checkpoint.empty())
        throw DataError(origin + " has no saved weights (checkpoint)");
    const TrainConfig cfg = parseTrainConfig(run.configJson, {}, origin + " config");

    data.validate("dataset '" + data.name + "'");
    const InputShape shape = inputShapeOf(data);
    const SampleTransforms transforms = transformsOf(cfg);
    if (shape.channels != trained[0] || shape.length != trained[1])
        throw DataError("dataset '" + data.name + "' has samples of shape " +
                        shapeText({shape.channels, shape.length}) + " but " + origin +
                        " was trained on " + shapeText(trained));

    const torch::Device device(cudaAvailable() && cfg.device != "cpu" ? "cuda" : "cpu");
    auto model = makeModel(cfg, shape);
    model->to(device);
    try {
        loadWeights(*model, run.checkpoint, device);
    } catch (const c10::Error& e) {
        throw DataError(origin + ": the saved weights do not fit model '" + cfg.model + "' (" +
                        e.what_without_backtrace() + ")");
    }
    std::size_t embeddingCols = 0;
    auto out = embedAll(*model, data, shape, transforms, device, &ctx, embeddingCols);
    if (cols)
        *cols = embeddingCols;
    return out;
}

} // namespace embedscope
