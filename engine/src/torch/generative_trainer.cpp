// The training loop of the generative models (seed 001 §3.3, seed 002 §4): mini-batches, a
// per-step learning-rate schedule, optional global-norm clipping, the ELBO and its two terms
// per epoch, the min-val-ELBO checkpoint, μ as the embedding, reconstruction metrics.
#include "torch/generative_trainer.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/run_metrics.h"
#include "torch/dec_clustering.h"
#include "torch/generative_common.h"
#include "torch/optimizers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace embedscope::torchimpl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Validation MMD draws its prior samples from this fixed stream so val curves are comparable.
constexpr uint64_t kValidationSeed = 0x5eed0a11ULL;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct EpochTerms {
    double total = 0, recon = 0, latent = 0;
    std::size_t samples = 0;
    void add(const ElboTerms& t, std::size_t n) {
        total += t.total.item<double>() * double(n);
        recon += t.recon.item<double>() * double(n);
        latent += t.latent.item<double>() * double(n);
        samples += n;
    }
    double mean(double sum) const { return samples ? sum / double(samples) : kNaN; }
};

/// The ELBO terms of `rows` in eval mode with z = μ (no sampling noise in the curves).
/// The ELBO terms of a batch; DEC's latent term comes from the clustering (null otherwise).
ElboTerms batchTerms(const GenerativeOutput& out, const torch::Tensor& x, const ElboSpec& spec,
                     const DecClustering* dec, const std::vector<std::size_t>* trainRows,
                     at::Generator* prior = nullptr) {
    if (!dec)
        return elbo(out, x, spec, prior);
    ElboSpec reconOnly = spec;
    reconOnly.latent = "none";
    ElboTerms t = elbo(out, x, reconOnly);
    t.latent = trainRows ? dec->trainingLoss(out.z, *trainRows) : dec->evaluationLoss(out.z);
    t.total = t.recon + spec.beta * t.latent;
    return t;
}

EpochTerms evaluateTerms(GenerativeModelImpl& model, const Dataset& data,
                         const std::vector<std::size_t>& rows, const SampleShape& shape,
                         const ElboSpec& spec, int batchSize, torch::Device device,
                         const JobContext& ctx, const DecClustering* dec) {
    model.eval();
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(kValidationSeed);
    EpochTerms terms;
    for (std::size_t start = 0; start < rows.size(); start += std::size_t(batchSize)) {
        ctx.throwIfCancelled();
        const std::vector<std::size_t> batch(rows.begin() + long(start),
                                             rows.begin() +
                                                 long(std::min(rows.size(), start + batchSize)));
        const auto x = gatherBatch(data, batch, shape).to(device);
        const auto out = model.forward(x, false);
        terms.add(batchTerms(out, x, spec, dec, nullptr, &generator), batch.size());
    }
    return terms;
}

std::vector<std::size_t> rowsOfSplit(const Dataset& data, const std::string& split) {
    if (!data.metadata.has(Dataset::kSplitColumn))
        return split == "train" ? data.indicesOfSplit("train") : std::vector<std::size_t>{};
    return data.indicesOfSplit(split);
}

/// Seed 001 eqs 3.4-3.6 on the evaluation rows at the best checkpoint.
std::vector<std::pair<std::string, double>>
reconstructionMetrics(GenerativeModelImpl& model, const Dataset& data,
                      const std::vector<std::size_t>& rows, const SampleShape& shape,
                      const ElboSpec& spec, torch::Device device) {
    model.eval();
    torch::NoGradGuard noGrad;
    double squared = 0, bce = 0, kld = 0;
    for (std::size_t start = 0; start < rows.size(); start += 256) {
        const std::vector<std::size_t> batch(
            rows.begin() + long(start), rows.begin() + long(std::min(rows.size(), start + 256)));
        const auto x = gatherBatch(data, batch, shape).to(device);
        const auto out = model.forward(x, false);
        const auto recon = reconstructionOf(out.logits, spec.recon);
        squared += (recon - x).pow(2).sum().item<double>();
        if (spec.recon == "bce")
            bce += torch::binary_cross_entropy_with_logits(out.logits, x, {}, {},
                                                           torch::Reduction::Sum)
                       .item<double>();
        if (spec.latent == "kld") // other latent losses leave log σ² untrained
            kld += klDivergence(out.mu, out.logvar).sum().item<double>();
    }
    const double n = double(rows.size());
    std::vector<std::pair<std::string, double>> out = {
        {"recon_mse", squared / (n * double(shape.size()))}};
    if (spec.recon == "bce")
        out.emplace_back("recon_bce", bce / n);
    if (spec.latent == "kld")
        out.emplace_back("kld", kld / n);
    out.emplace_back("eval_samples", n);
    return out;
}

} // namespace

RunRecord trainGenerative(const Dataset& data, const TrainConfig& cfg, const JobContext& ctx,
                          const TrainCallbacks& callbacks, bool keepPartialOnCancel) {
    const auto started = Clock::now();
    const std::string origin = "dataset '" + data.name + "'";
    const SampleShape shape = sampleShapeOf(data);
    const ElboSpec spec = elboSpecOf(cfg, data);
    checkReconstructionRange(data, spec, origin);

    const std::vector<std::size_t> trainIdx =
        rowsOfSplit(data, "train").empty() && !data.metadata.has(Dataset::kSplitColumn)
            ? allRows(data)
            : rowsOfSplit(data, "train");
    const std::vector<std::size_t> valIdx = rowsOfSplit(data, "val");
    if (trainIdx.size() < 2)
        throw DataError(origin + ": the train split has " + std::to_string(trainIdx.size()) +
                        " samples; a generative model needs at least 2");
    std::vector<std::size_t> evalIdx = rowsOfSplit(data, "test");
    if (evalIdx.empty())
        evalIdx = valIdx.empty() ? trainIdx : valIdx;

    const torch::Device device(resolveDevice(cfg.device));
    torch::set_num_threads(cfg.threads > 0 ? cfg.threads : 1);
    torch::manual_seed(cfg.seed);
    auto model = makeGenerativeModel(cfg, shape);
    model->to(device);
    auto optimizer = makeOptimizer(cfg.optimizer, model->parameters());
    std::unique_ptr<DecClustering> dec;
    if (spec.latent == "dec") {
        dec = std::make_unique<DecClustering>(spec.clusters, spec.decUpdateEpochs, cfg.learningRate,
                                              cfg.seed);
        dec->initialise(*model, data, trainIdx, shape, device);
    }

    const int64_t batchesPerEpoch =
        std::max<int64_t>(1, int64_t(trainIdx.size()) / cfg.batchSize +
                                 (int64_t(trainIdx.size()) % cfg.batchSize >= 2 ? 1 : 0));
    const int64_t totalSteps = batchesPerEpoch * std::max(1, cfg.epochs);
    ScheduleConfig schedule = cfg.schedule;
    schedule.warmupSteps = std::llround(cfg.warmupEpochs * double(batchesPerEpoch));
    schedule.stepSize =
        std::max<int64_t>(1, std::llround(cfg.stepEpochs * double(batchesPerEpoch)));

    RunRecord run;
    run.name = cfg.runName;
    run.datasetName = data.name;
    run.versions = currentVersions();
    run.createdUtc = currentUtcTime();
    nlohmann::ordered_json resolved = nlohmann::ordered_json::parse(toJson(cfg));
    resolved["input_shape"] = data.sampleShape;
    resolved["loss_params"]["recon"] = spec.recon; // "auto" resolved for this data
    run.configJson = resolved.dump(2);

    const auto record = [&](const EpochTerms& train, const EpochTerms& val, double lr) {
        run.trainLoss.push_back(train.mean(train.total));
        run.valLoss.push_back(val.mean(val.total));
        run.curves["train_recon"].push_back(train.mean(train.recon));
        run.curves["train_latent"].push_back(train.mean(train.latent));
        run.curves["val_recon"].push_back(val.mean(val.recon));
        run.curves["val_latent"].push_back(val.mean(val.latent));
        run.curves["lr"].push_back(lr);
    };

    std::mt19937_64 rng(cfg.seed);
    int64_t step = 0;
    double bestScore = std::numeric_limits<double>::infinity();
    bool cancelled = false;
    const double totalUnits = double(std::max(1, cfg.epochs)) * double(batchesPerEpoch + 1);
    double done = 0;
    const auto progress = [&](const std::string& stage) {
        const double f = std::min(1.0, done / totalUnits);
        const double elapsed = secondsSince(started);
        ctx.report(f, stage, f > 0 ? elapsed / f * (1 - f) : -1.0);
    };
    try {
        if (cfg.epochs == 0) { // the untrained reference: initial weights evaluated once
            record(evaluateTerms(*model, data, trainIdx, shape, spec, cfg.batchSize, device, ctx,
                                 dec.get()),
                   evaluateTerms(*model, data, valIdx, shape, spec, cfg.batchSize, device, ctx,
                                 dec.get()),
                   cfg.learningRate);
            run.bestEpoch = 0;
            run.checkpoint = saveModule(*model);
        }
        for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const std::string epochText =
                "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs);
            std::vector<std::size_t> order = trainIdx;
            std::shuffle(order.begin(), order.end(), rng);
            if (dec)
                dec->updateTargets(epoch, *model, data, trainIdx, shape, device);
            model->train();
            EpochTerms trainTerms;
            double lr = cfg.learningRate;
            for (int64_t b = 0; b < batchesPerEpoch; ++b) {
                ctx.throwIfCancelled();
                const std::size_t from = std::size_t(b) * std::size_t(cfg.batchSize);
                const std::size_t to = b + 1 == batchesPerEpoch
                                           ? order.size()
                                           : std::min(order.size(), from + cfg.batchSize);
                const std::vector<std::size_t> rows(order.begin() + long(from),
                                                    order.begin() + long(to));
                const auto x = gatherBatch(data, rows, shape).to(device);
                lr = learningRateAt(schedule, cfg.learningRate, step, totalSteps);
                setLearningRate(*optimizer, lr);
                const auto out = model->forward(x, spec.stochastic());
                const auto terms = batchTerms(out, x, spec, dec.get(), &rows);
                const double value = terms.total.item<double>();
                if (!std::isfinite(value))
                    throw DataError(
                        "training stopped at epoch " + std::to_string(epoch + 1) + ", batch " +
                        std::to_string(b + 1) + ": the loss is " +
                        (std::isnan(value) ? "NaN" : "infinite") +
                        " (likely cause: a learning rate too high for this model — try a lower "
                        "learning_rate or clip_norm — or inputs far outside the decoder's range)");
                optimizer->zero_grad();
                if (dec)
                    dec->zeroGrad();
                terms.total.backward();
                clipGradients(model->parameters(), cfg.clipNorm);
                optimizer->step();
                if (dec)
                    dec->step();
                trainTerms.add(terms, rows.size());
                ++step;
                done += 1;
                progress(epochText + ", batch " + std::to_string(b + 1) + "/" +
                         std::to_string(batchesPerEpoch));
            }
            const EpochTerms valTerms = evaluateTerms(*model, data, valIdx, shape, spec,
                                                      cfg.batchSize, device, ctx, dec.get());
            done += 1;
            record(trainTerms, valTerms, lr);
            const double score = valTerms.samples ? valTerms.mean(valTerms.total)
                                                  : trainTerms.mean(trainTerms.total);
            const bool improved = score < bestScore;
            if (improved) {
                bestScore = score;
                run.bestEpoch = epoch;
                run.checkpoint = saveModule(*model);
                if (dec)
                    dec->snapshot();
            }
            progress(epochText + ", validation");
            if (callbacks.onEpoch) {
                EpochReport report{epoch,
                                   cfg.epochs,
                                   run.trainLoss.back(),
                                   run.valLoss.back(),
                                   improved,
                                   secondsSince(epochStart),
                                   {},
                                   {}};
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
        loadModule(*model, run.checkpoint, device);
    progress("embedding " + std::to_string(data.sampleCount()) + " samples");
    run.embedding =
        encodeRows(*model, data, allRows(data), shape, device, cancelled ? nullptr : &ctx);
    run.embeddingRows = data.sampleCount();
    run.embeddingCols = std::size_t(model->latentDim());

    RunMetrics metrics;
    metrics.best = reconstructionMetrics(*model, data, evalIdx, shape, spec, device);
    if (dec) {
        dec->restoreSnapshot();
        appendClusterAgreement(run, data, cfg, dec->assign(run.embedding, run.embeddingRows),
                               "dec_ari", metrics);
    }
    appendLatentClassification(run, data, cfg, metrics);
    run.metricsJson = toJson(metrics);
    run.status = cancelled ? "cancelled" : "finished";
    run.seconds = secondsSince(started);
    ctx.report(1.0, cancelled ? "cancelled" : "finished", 0.0);
    return run;
}

std::vector<float> embedGenerative(const RunRecord& run, const Dataset& data, const JobContext& ctx,
                                   std::size_t& cols) {
    LoadedGenerativeRun loaded = loadGenerativeRun(run, torch::kCPU);
    checkSampleShape(loaded, data);
    cols = std::size_t(loaded.model->latentDim());
    return encodeRows(*loaded.model, data, allRows(data), loaded.shape, torch::kCPU, &ctx);
}

} // namespace embedscope::torchimpl
