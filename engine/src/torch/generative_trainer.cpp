// The training loop of the generative models (seed 001 §3.3, seed 002 §4): mini-batches, a
// per-step learning-rate schedule, optional global-norm clipping, the ELBO and its two terms
// per epoch, the min-val-ELBO checkpoint, μ as the embedding, reconstruction metrics. With loss
// "metric-elbo" (seed 003) each batch is B anchors plus a positive of each, and the metric term
// on μ joins the loss (metric_vae.h); "holdout" groups stay out of the train and val rows.
#include "torch/generative_trainer.h"

#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/run_metrics.h"
#include "torch/dec_clustering.h"
#include "torch/generative_common.h"
#include "torch/metric_vae.h"
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
    double total = 0, recon = 0, latent = 0, metric = 0;
    std::size_t samples = 0;
    void add(const ElboTerms& t, std::size_t n, double metricTerm = 0) {
        total += t.total.item<double>() * double(n);
        recon += t.recon.item<double>() * double(n);
        latent += t.latent.item<double>() * double(n);
        metric += metricTerm * double(n);
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

/// The metric-VAE part of a run: the positive rule over the train and over the val rows.
struct MetricPart {
    MetricSpec spec;
    std::unique_ptr<PositiveSampler> train, val;
};

/// Batches in which to evaluate `rows`: plain slices of `batchSize`; with a sampler the rows
/// are first shuffled once (fixed seed) so a batch mixes groups and times as a training batch
/// does (data sets are often stored group by group: in-order slices would hold one group's
/// neighbouring times as negatives, a much harder task than training's), each slice is
/// followed by its positives drawn from the fixed validation stream, and a last slice of one
/// anchor joins the one before (an anchor alone has no negative).
std::vector<std::vector<std::size_t>>
evaluationBatches(std::vector<std::size_t> rows, int batchSize, const PositiveSampler* sampler) {
    std::vector<std::vector<std::size_t>> batches;
    std::mt19937_64 rng(kValidationSeed);
    if (sampler)
        std::shuffle(rows.begin(), rows.end(), rng);
    const std::size_t size = std::size_t(batchSize);
    std::size_t start = 0;
    while (start < rows.size()) {
        std::size_t end = std::min(rows.size(), start + size);
        if (sampler && rows.size() - end == 1)
            end = rows.size();
        std::vector<std::size_t> batch(rows.begin() + long(start), rows.begin() + long(end));
        batches.push_back(sampler ? sampler->pairBatch(batch, rng) : batch);
        start = end;
    }
    return batches;
}

EpochTerms evaluateTerms(GenerativeModelImpl& model, const Dataset& data,
                         const std::vector<std::vector<std::size_t>>& batches,
                         const SampleShape& shape, const ElboSpec& spec, torch::Device device,
                         const JobContext& ctx, const DecClustering* dec,
                         const MetricSpec* metric = nullptr,
                         const PositiveSampler* sampler = nullptr) {
    model.eval();
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(kValidationSeed);
    std::mt19937_64 negatives(kValidationSeed); // triplet negatives: the same every epoch
    EpochTerms terms;
    for (const auto& batch : batches) {
        ctx.throwIfCancelled();
        const auto x = gatherBatch(data, batch, shape).to(device);
        const auto out = model.forward(x, false);
        ElboTerms t = batchTerms(out, x, spec, dec, nullptr, &generator);
        double m = 0;
        if (metric && sampler) {
            const auto term = metricTerm(out.mu, batch, *sampler, *metric, negatives);
            t.total = t.total + metric->weight * term;
            m = term.item<double>();
        }
        terms.add(t, batch.size(), m);
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

/// Seed-003 lab note measures (principal curves per group over time, F1 of the group) when the
/// data has the group column and a numeric time column, e.g. the development demo.
static void appendGeometryMetrics(const RunRecord& run, const Dataset& data, const TrainConfig& cfg,
                                  RunMetrics& metrics, const JobContext& ctx) {
    const MetadataTable& meta = data.metadata;
    if (!meta.has(cfg.groupColumn) || !meta.has(cfg.timeColumn) ||
        !meta.column(cfg.timeColumn).numeric)
        return;
    std::vector<std::string> groups(data.sampleCount());
    for (std::size_t i = 0; i < groups.size(); ++i)
        groups[i] = meta.column(cfg.groupColumn).text(i);
    std::string problem;
    for (auto& kv :
         embeddingGeometryMetrics(run.embedding, run.embeddingRows, run.embeddingCols, groups,
                                  meta.column(cfg.timeColumn).numbers, cfg.seed, &problem, ctx))
        metrics.best.push_back(std::move(kv));
    if (!problem.empty())
        metrics.error += (metrics.error.empty() ? "" : "; ") + ("geometry: " + problem);
}

RunRecord trainGenerative(const Dataset& data, const TrainConfig& cfg, const JobContext& ctx,
                          const TrainCallbacks& callbacks, bool keepPartialOnCancel) {
    const auto started = Clock::now();
    const std::string origin = "dataset '" + data.name + "'";
    const SampleShape shape = sampleShapeOf(data);
    const ElboSpec spec = elboSpecOf(cfg, data);
    checkReconstructionRange(data, spec, origin);

    // Seed 003 "hld": the held-out groups leave the train and val rows (not the embedding).
    const std::vector<std::size_t> trainIdx = withoutHeldOut(
        data, cfg,
        rowsOfSplit(data, "train").empty() && !data.metadata.has(Dataset::kSplitColumn)
            ? allRows(data)
            : rowsOfSplit(data, "train"));
    const std::vector<std::size_t> valIdx = withoutHeldOut(data, cfg, rowsOfSplit(data, "val"));
    if (trainIdx.size() < 2)
        throw DataError(origin + ": the train split has " + std::to_string(trainIdx.size()) +
                        " samples; a generative model needs at least 2");
    std::vector<std::size_t> evalIdx = rowsOfSplit(data, "test");
    if (evalIdx.empty())
        evalIdx = valIdx.empty() ? trainIdx : valIdx;

    std::unique_ptr<MetricPart> metric;
    if (usesMetricLoss(cfg)) {
        metric = std::make_unique<MetricPart>();
        metric->spec = metricSpecOf(cfg);
        const PositiveTable table = positiveTableOf(data, cfg, metric->spec);
        metric->train = std::make_unique<PositiveSampler>(table, trainIdx, metric->spec);
        metric->val = std::make_unique<PositiveSampler>(table, valIdx, metric->spec);
    }
    const MetricSpec* metricSpec = metric ? &metric->spec : nullptr;
    // Validation pairs are drawn once (fixed seed), so val curves compare across epochs.
    const auto valBatches =
        evaluationBatches(valIdx, cfg.batchSize, metric ? metric->val.get() : nullptr);

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
        if (metric) {
            run.curves["train_metric"].push_back(train.mean(train.metric));
            run.curves["val_metric"].push_back(val.mean(val.metric));
        }
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
            const PositiveSampler* trainSampler = metric ? metric->train.get() : nullptr;
            record(evaluateTerms(*model, data,
                                 evaluationBatches(trainIdx, cfg.batchSize, trainSampler), shape,
                                 spec, device, ctx, dec.get(), metricSpec, trainSampler),
                   evaluateTerms(*model, data, valBatches, shape, spec, device, ctx, dec.get(),
                                 metricSpec, metric ? metric->val.get() : nullptr),
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
                std::vector<std::size_t> rows(order.begin() + long(from), order.begin() + long(to));
                if (metric) // B anchors, then a positive of each (metric_vae.h)
                    rows = metric->train->pairBatch(rows, rng);
                const auto x = gatherBatch(data, rows, shape).to(device);
                lr = learningRateAt(schedule, cfg.learningRate, step, totalSteps);
                setLearningRate(*optimizer, lr);
                const auto out = model->forward(x, spec.stochastic());
                auto terms = batchTerms(out, x, spec, dec.get(), &rows);
                double metricValue = 0;
                if (metric) {
                    const auto term = metricTerm(out.mu, rows, *metric->train, metric->spec, rng);
                    terms.total = terms.total + metric->spec.weight * term;
                    metricValue = term.item<double>();
                }
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
                trainTerms.add(terms, rows.size(), metricValue);
                ++step;
                done += 1;
                progress(epochText + ", batch " + std::to_string(b + 1) + "/" +
                         std::to_string(batchesPerEpoch));
            }
            const EpochTerms valTerms =
                evaluateTerms(*model, data, valBatches, shape, spec, device, ctx, dec.get(),
                              metricSpec, metric ? metric->val.get() : nullptr);
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
    // The rows the model was fitted and validated on (fewer than the data with a hold-out).
    metrics.best.emplace_back("train_samples", double(trainIdx.size()));
    metrics.best.emplace_back("val_samples", double(valIdx.size()));
    if (dec) {
        dec->restoreSnapshot();
        appendClusterAgreement(run, data, cfg, dec->assign(run.embedding, run.embeddingRows),
                               "dec_ari", metrics);
    }
    appendLatentClassification(run, data, cfg, metrics);
    appendGeometryMetrics(run, data, cfg, metrics, ctx);
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
