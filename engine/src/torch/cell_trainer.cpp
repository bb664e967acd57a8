// Training loop of the cell CNN (seed 004 §3.2.2): shuffled mini-batches of crops classified by
// compound, label-smoothed cross entropy + L2 (eqs 3.1-3.2), per-sample augmentation, the
// configured schedule per step; per epoch train/val loss and accuracy, throughput, the weights
// (for profiling from any epoch) and the min-val-loss checkpoint; the embedding is the
// penultimate feature of every crop at that checkpoint.
#include "embedscope/engine/error.h"
#include "embedscope/engine/run_metrics.h"
#include "torch/cell_model.h"
#include "torch/optimizers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>

namespace embedscope {
namespace torchimpl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Augmentation draws have their own stream, so switching augmentation leaves the batches alone.
constexpr uint64_t kAugmentSalt = 0xa06e57a7e5ULL;
constexpr std::size_t kEvalBatch = 256;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

bool flag(const std::map<std::string, double>& params, const char* key) {
    const auto it = params.find(key);
    return it != params.end() && it->second != 0;
}

torch::Tensor gatherCrops(const Dataset& data, const std::vector<std::size_t>& rows,
                          const CellCnnArgs& a, std::mt19937_64* augmentRng) {
    auto x = torch::empty({int64_t(rows.size()), a.channels, a.size, a.size}, torch::kFloat32);
    const std::size_t size = data.sampleSize();
    float* out = x.data_ptr<float>();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::memcpy(out + i * size, data.sample(rows[i]), size * sizeof(float));
        if (augmentRng)
            augmentCell(out + i * size, a.channels, a.size, *augmentRng);
    }
    return x;
}

struct Scores {
    double loss = kNaN, accuracy = kNaN;
};

/// Cross entropy (with the run's smoothing) and accuracy of `rows`, eval mode, no augmentation.
Scores evaluateRows(CellCnnImpl& model, const Dataset& data, const std::vector<std::size_t>& rows,
                    const std::vector<int64_t>& labels, double smoothing, torch::Device device,
                    const JobContext& ctx) {
    if (rows.empty())
        return {};
    model.eval();
    torch::NoGradGuard noGrad;
    double loss = 0, correct = 0;
    for (std::size_t start = 0; start < rows.size(); start += kEvalBatch) {
        ctx.throwIfCancelled();
        const std::vector<std::size_t> batch(rows.begin() + long(start),
                                             rows.begin() +
                                                 long(std::min(rows.size(), start + kEvalBatch)));
        std::vector<int64_t> y(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i)
            y[i] = labels[batch[i]];
        const auto target = torch::tensor(y, torch::kInt64).to(device);
        const auto logits = model.classify(
            model.features(gatherCrops(data, batch, model.args(), nullptr).to(device)));
        loss +=
            smoothedCrossEntropy(logits, target, smoothing).item<double>() * double(batch.size());
        correct += logits.argmax(1).eq(target).sum().item<double>();
    }
    return {loss / double(rows.size()), correct / double(rows.size())};
}

std::vector<float> featuresOf(CellCnnImpl& model, const Dataset& data, torch::Device device,
                              const JobContext* ctx) {
    model.eval();
    torch::NoGradGuard noGrad;
    std::vector<float> out;
    const std::size_t n = data.sampleCount();
    out.reserve(n * std::size_t(model.featureDim()));
    for (std::size_t start = 0; start < n; start += kEvalBatch) {
        if (ctx)
            ctx->throwIfCancelled();
        std::vector<std::size_t> rows;
        for (std::size_t i = start; i < std::min(n, start + kEvalBatch); ++i)
            rows.push_back(i);
        const auto f = model.features(gatherCrops(data, rows, model.args(), nullptr).to(device))
                           .to(torch::kCPU, torch::kFloat32)
                           .contiguous();
        out.insert(out.end(), f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
    }
    return out;
}

std::vector<std::size_t> splitRows(const Dataset& data, const std::string& split) {
    if (data.metadata.has(Dataset::kSplitColumn))
        return data.indicesOfSplit(split);
    std::vector<std::size_t> all;
    if (split == "train")
        for (std::size_t i = 0; i < data.sampleCount(); ++i)
            all.push_back(i);
    return all;
}

} // namespace

RunRecord trainCellCnn(const Dataset& data, const TrainConfig& cfg, const JobContext& ctx,
                       const TrainCallbacks& callbacks, bool keepPartialOnCancel) {
    const auto started = Clock::now();
    const std::string origin = "dataset '" + data.name + "'";
    if (cfg.loss != kCrossEntropyLoss)
        throw ConfigError("model 'cell-cnn' trains with loss 'cross-entropy', not '" + cfg.loss +
                          "'");
    CellCnnArgs args = cellCnnArgs(cfg.modelParams, data.sampleShape);

    // Weak supervision (seed §3.2.2): the class of a crop is its compound (label column).
    const std::string labelColumn = cellLabelColumn(data, cfg);
    const MetadataColumn& column = data.metadata.column(labelColumn);
    std::map<std::string, int64_t> codes;
    for (std::size_t i = 0; i < column.size(); ++i)
        codes.emplace(column.text(i), 0);
    int64_t next = 0;
    for (auto& kv : codes)
        kv.second = next++;
    std::vector<int64_t> labels(column.size());
    for (std::size_t i = 0; i < column.size(); ++i)
        labels[i] = codes.at(column.text(i));
    if (codes.size() < 2)
        throw DataError(origin + ": label column '" + labelColumn +
                        "' has one value; classification needs at least two");
    if (args.classes > 0 && args.classes < int64_t(codes.size()))
        throw ConfigError("model_params.classes = " + std::to_string(args.classes) + " but " +
                          origin + " has " + std::to_string(codes.size()) + " labels in '" +
                          labelColumn + "'");
    args.classes = std::max<int64_t>(args.classes, int64_t(codes.size()));

    const std::vector<std::size_t> trainIdx = splitRows(data, "train");
    const std::vector<std::size_t> valIdx = splitRows(data, "val");
    if (trainIdx.size() < 2)
        throw DataError(origin + ": the train split has " + std::to_string(trainIdx.size()) +
                        " crops; the cell CNN needs at least 2 (BatchNorm)");

    const double smoothing = cfg.lossParams.at("label_smoothing");
    const double lambda = cfg.lossParams.at("l2");
    const bool augment = flag(cfg.modelParams, "augment");
    const bool keepEpochs = flag(cfg.modelParams, "keep_epoch_checkpoints");
    const torch::Device device(resolveDevice(cfg.device));
    torch::set_num_threads(cfg.threads > 0 ? cfg.threads : 1);
    torch::manual_seed(cfg.seed);
    CellCnn model(args);
    model->to(device);
    auto optimizer = makeOptimizer(cfg.optimizer, model->parameters());
    const CellSchedule plan = cellCnnSchedule(cfg, trainIdx.size());

    RunRecord run;
    run.name = cfg.runName;
    run.datasetName = data.name;
    run.versions = currentVersions();
    run.createdUtc = currentUtcTime();
    nlohmann::ordered_json resolved = nlohmann::ordered_json::parse(toJson(cfg));
    resolved["model_params"]["classes"] = args.classes;
    resolved["label_column"] = labelColumn;
    resolved["input_shape"] = data.sampleShape;
    run.configJson = resolved.dump(2);

    std::mt19937_64 rng(cfg.seed);
    std::mt19937_64 augmentRng(cfg.seed ^ kAugmentSalt);
    const int64_t batchSize = cfg.batchSize;
    int64_t step = 0;
    double bestScore = std::numeric_limits<double>::infinity();
    double trainSeconds = 0, trainedCells = 0;
    bool cancelled = false;
    const double totalUnits = double(std::max(1, cfg.epochs)) * double(plan.stepsPerEpoch + 1);
    double done = 0;
    const auto progress = [&](const std::string& stage) {
        const double f = std::min(1.0, done / totalUnits);
        const double elapsed = secondsSince(started);
        ctx.report(f, stage, f > 0 ? elapsed / f * (1 - f) : -1.0);
    };
    const auto record = [&](const Scores& train, const Scores& val, double lr, double cellsPerS) {
        run.trainLoss.push_back(train.loss);
        run.valLoss.push_back(val.loss);
        run.curves["train_accuracy"].push_back(train.accuracy);
        run.curves["val_accuracy"].push_back(val.accuracy);
        run.curves["lr"].push_back(lr);
        run.curves["cells_per_second"].push_back(cellsPerS);
    };
    try {
        if (cfg.epochs == 0) { // the untrained reference: initial weights evaluated once
            record(evaluateRows(*model, data, trainIdx, labels, smoothing, device, ctx),
                   evaluateRows(*model, data, valIdx, labels, smoothing, device, ctx),
                   cfg.learningRate, kNaN);
            run.bestEpoch = 0;
            run.checkpoint = saveCellCnn(*model);
            if (keepEpochs)
                run.epochCheckpoints.push_back(run.checkpoint);
        }
        for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const std::string epochText =
                "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs);
            std::vector<std::size_t> order = trainIdx;
            std::shuffle(order.begin(), order.end(), rng);
            model->train();
            double lossSum = 0, correct = 0, lr = cfg.learningRate;
            for (int64_t b = 0; b < plan.stepsPerEpoch; ++b) {
                ctx.throwIfCancelled();
                const std::size_t from = std::size_t(b * batchSize);
                const std::size_t to = b + 1 == plan.stepsPerEpoch
                                           ? order.size()
                                           : std::min(order.size(), from + std::size_t(batchSize));
                const std::vector<std::size_t> rows(order.begin() + long(from),
                                                    order.begin() + long(to));
                std::vector<int64_t> y(rows.size());
                for (std::size_t i = 0; i < rows.size(); ++i)
                    y[i] = labels[rows[i]];
                const auto target = torch::tensor(y, torch::kInt64).to(device);
                const auto x =
                    gatherCrops(data, rows, args, augment ? &augmentRng : nullptr).to(device);
                lr = learningRateAt(plan.schedule, cfg.learningRate, step, plan.totalSteps);
                setLearningRate(*optimizer, lr);
                const auto logits = model->classify(model->features(x));
                const auto ce = smoothedCrossEntropy(logits, target, smoothing);
                const auto total = lambda > 0 ? ce + l2Penalty(*model, lambda) : ce;
                const double value = ce.item<double>();
                if (!std::isfinite(value))
                    throw DataError("cell-cnn training stopped at epoch " +
                                    std::to_string(epoch + 1) + ", batch " + std::to_string(b + 1) +
                                    ": the loss is not finite; lower the learning_rate");
                optimizer->zero_grad();
                total.backward();
                clipGradients(model->parameters(), cfg.clipNorm);
                optimizer->step();
                ++step;
                lossSum += value * double(rows.size());
                correct += logits.argmax(1).eq(target).sum().item<double>();
                done += 1;
                const double cellsPerS = double(to) / std::max(1e-9, secondsSince(epochStart));
                progress(epochText + ", batch " + std::to_string(b + 1) + "/" +
                         std::to_string(plan.stepsPerEpoch) + ", " +
                         std::to_string(std::lround(cellsPerS)) + " cells/s");
            }
            const double epochTrainSeconds = secondsSince(epochStart);
            trainSeconds += epochTrainSeconds;
            trainedCells += double(order.size());
            const double cellsPerS = double(order.size()) / std::max(1e-9, epochTrainSeconds);
            // Train loss / accuracy: running values over the epoch's (augmented) batches.
            const Scores train{lossSum / double(order.size()), correct / double(order.size())};
            const Scores val = evaluateRows(*model, data, valIdx, labels, smoothing, device, ctx);
            done += 1;
            record(train, val, lr, cellsPerS);
            if (keepEpochs)
                run.epochCheckpoints.push_back(saveCellCnn(*model));
            const double score = std::isnan(val.loss) ? train.loss : val.loss;
            const bool improved = score < bestScore;
            if (improved) {
                bestScore = score;
                run.bestEpoch = epoch;
                run.checkpoint = keepEpochs ? run.epochCheckpoints.back() : saveCellCnn(*model);
            }
            progress(epochText + ", validation");
            if (callbacks.onEpoch) {
                EpochReport report{epoch,    cfg.epochs, train.loss,
                                   val.loss, improved,   secondsSince(epochStart),
                                   {},       {}};
                for (const auto& [key, values] : run.curves)
                    report.curves.emplace_back(key, values.back());
                callbacks.onEpoch(report);
            }
        }
    } catch (const CancelledError&) {
        if (!keepPartialOnCancel || run.trainLoss.empty())
            throw;
        cancelled = true;
    }

    if (!run.checkpoint.empty())
        loadCellCnn(*model, run.checkpoint);
    model->to(device);
    progress("features of " + std::to_string(data.sampleCount()) + " crops");
    run.embedding = featuresOf(*model, data, device, cancelled ? nullptr : &ctx);
    run.embeddingRows = data.sampleCount();
    run.embeddingCols = std::size_t(model->featureDim());

    RunMetrics metrics;
    const std::size_t best = std::size_t(std::max(0, run.bestEpoch));
    metrics.best = {
        {"train_accuracy", run.curves["train_accuracy"][best]},
        {"val_accuracy", run.curves["val_accuracy"][best]},
        {"train_loss", run.trainLoss[best]},
        {"val_loss", run.valLoss[best]},
        {"cells_per_second", trainSeconds > 0 ? trainedCells / trainSeconds : kNaN},
        {"train_samples", double(trainIdx.size())},
        {"val_samples", double(valIdx.size())},
        {"classes", double(args.classes)},
    };
    metrics.perEpoch["train_accuracy"] = run.curves["train_accuracy"];
    metrics.perEpoch["val_accuracy"] = run.curves["val_accuracy"];
    metrics.perEpoch["cells_per_second"] = run.curves["cells_per_second"];
    run.metricsJson = toJson(metrics);
    run.status = cancelled ? "cancelled" : "finished";
    run.seconds = secondsSince(started);
    ctx.report(1.0, cancelled ? "cancelled" : "finished", 0.0);
    return run;
}

} // namespace torchimpl

std::vector<float> cellCnnFeatures(const RunRecord& run, const Dataset& data, int epoch,
                                   const JobContext& ctx, std::size_t* cols) {
    const std::string origin = "run '" + run.name + "'";
    if (!isCellCnnRun(run))
        throw DataError(origin + " is not a cell-cnn run");
    const TrainConfig cfg = parseTrainConfig(run.configJson, {}, origin + " config");
    const auto stored = nlohmann::json::parse(run.configJson);
    if (!stored.contains("input_shape") || !stored["input_shape"].is_array())
        throw DataError(origin + ": the stored config has no input_shape");
    const auto trained = stored["input_shape"].get<std::vector<int64_t>>();
    data.validate("dataset '" + data.name + "'");
    if (data.sampleShape != trained)
        throw DataError("dataset '" + data.name + "' has crops of another shape than " + origin +
                        " was trained on (" + std::to_string(trained.size()) + "-D, " +
                        std::to_string(trained.empty() ? 0 : trained.back()) + " px)");
    const std::vector<uint8_t>* weights = nullptr;
    if (epoch < 0)
        weights = &run.checkpoint;
    else if (std::size_t(epoch) < run.epochCheckpoints.size())
        weights = &run.epochCheckpoints[std::size_t(epoch)];
    else if (epoch == run.bestEpoch)
        weights = &run.checkpoint;
    if (!weights || weights->empty())
        throw DataError(origin + " kept no weights for epoch " + std::to_string(epoch) + " (" +
                        std::to_string(run.epochCheckpoints.size()) +
                        " epoch checkpoints; best epoch " + std::to_string(run.bestEpoch) + ")");
    torch::set_num_threads(cfg.threads > 0 ? cfg.threads : 1);
    torchimpl::CellCnn model(torchimpl::cellCnnArgs(cfg.modelParams, trained));
    try {
        torchimpl::loadCellCnn(*model, *weights);
    } catch (const c10::Error& e) {
        throw DataError(origin + ": the saved weights do not fit the cell-cnn config (" +
                        e.what_without_backtrace() + ")");
    }
    if (cols)
        *cols = std::size_t(model->featureDim());
    return torchimpl::featuresOf(*model, data, torch::kCPU, &ctx);
}

} // namespace embedscope
