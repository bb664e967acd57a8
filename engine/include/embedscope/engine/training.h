#pragma once
// Training a contrastive encoder on a data set. Torch stays in the .cpp files.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/optimization.h"
#include "embedscope/engine/run.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace embedscope {

/// The resolved training configuration. JSON keys are the field names below plus
/// "model_params" / "loss_params" / "optimizer_params" / "schedule_params" objects validated
/// against the registry. Empty names and a zero learning rate mean "the default of the model's
/// kind", resolved by parseTrainConfig: encoders (seed 000) supcon, adam, constant, 3e-3;
/// generative models (seed 001 §3.3) elbo, nadamw, cosine, 1e-3.
struct TrainConfig {
    std::string model = "conv1d-small";
    std::map<std::string, double> modelParams;       ///< numeric/bool params (bool as 0/1)
    std::map<std::string, std::string> modelChoices; ///< choices and int lists (as text)
    std::string loss;
    std::map<std::string, double> lossParams;
    std::map<std::string, std::string> lossChoices;
    /// 0 trains nothing: the run keeps the initial weights (the seed's "untrained" reference,
    /// §4.1) with the losses evaluated once.
    int epochs = 40;         ///< on the demo 40 beat the untrained run on every metric (20 did not)
    int batchSize = 16;      ///< N anchors; the batch holds 2N samples (anchor + positive)
    double learningRate = 0; ///< 0: the kind's default (3e-3 tuned on the seed-000 demo)
    double weightDecay = 0.0; ///< adam/sgd: L2 on the gradient; adamw/nadamw: decoupled λθ
    /// Optimizer name and its own params (beta1, beta2, eps, eps_root, momentum, nesterov);
    /// learningRate and weightDecay above are copied into it.
    OptimizerConfig optimizer{""};
    /// Learning-rate schedule over all training steps (batches), e.g. seed 001 cosine decay.
    /// The config gives warm-up and step size in epochs (warmup_epochs, step_epochs).
    ScheduleConfig schedule{""};
    double warmupEpochs = 0;
    double stepEpochs = 0;
    /// Global-norm gradient clipping (seed 002 §4); 0 = off.
    double clipNorm = 0;
    uint64_t seed = 1;
    std::string device = "auto";       ///< auto | cpu | cuda
    int threads = 0;                   ///< intra-op threads; 0 = engine default
    std::string groupColumn = "group"; ///< metadata column defining positives
    /// Generative runs: the metadata column of class labels for the latent-space evaluation
    /// (few-label logistic regression, seed 002 §4); empty or missing = no classification.
    std::string labelColumn = "label";
    /// Metadata columns read by supcon's semi_positive (seed §4.4.3): the primary substance
    /// (any type) and its dose (numbers >= 0).
    std::string substanceColumn = "substance";
    std::string doseColumn = "dose";
    /// Loss "metric-elbo" (seed 003): the metadata column naming the individual a sample comes
    /// from (e.g. an embryo of a time-lapse); missing from the data = each sample its own.
    std::string individualColumn = "individual";
    /// Loss "metric-elbo": the numeric time (or dose) column positives are matched on.
    std::string timeColumn = "time";
    /// Values of groupColumn whose rows a generative run leaves out of its train and val rows
    /// (seed 003 "hld" instances); the embedding still covers every row. JSON: "a,b" or
    /// ["a", "b"]. Encoders refuse it (ConfigError).
    std::vector<std::string> holdout;
    std::string runName; ///< empty: chosen by the project
    /// Training-only augmentation of (x, y): "none" | "dihedral" (one of the 8 rotations /
    /// flips of seed §4.3.2, uniformly per sample per batch; see trajectory_transforms.h).
    std::string augment = "none";
    /// Sample representation: "cartesian" (x, y, z as stored) | "egocentric" ((d, θ, z), seed
    /// §4.3.3, eqs 4.1-4.3). Applied to every sample: train, validation and embedding.
    std::string coordinates = "cartesian";
    /// Seed §4.3.3 egocentric augmentations, training only: d · η, η ~ N(1, sd 0.5), and
    /// θ · ±1 (p = 0.5), drawn per sample per batch. Needs coordinates = "egocentric".
    bool egoAugment = false;
    /// Seed 000 metrics (run_metrics.h: PCA 10 on train + val) of the whole data set every
    /// `metricsEvery` epochs; 0 = only at the best checkpoint. The classifier F1 is computed at
    /// the best checkpoint only (200 MLP epochs).
    int metricsEvery = 1;
};

/// Parses JSON (an object; unknown keys or wrong types throw ConfigError naming `origin` and
/// the key), then applies "key=value" overrides ("model_params.channels=30" for nested).
/// Missing keys keep their defaults. Validates model/loss names and params against the registry.
TrainConfig parseTrainConfig(const std::string& json, const std::vector<std::string>& overrides,
                             const std::string& origin = "config");
std::string toJson(const TrainConfig& config);

/// Resolves "auto" to "cuda" when the LibTorch in use has a usable GPU, else "cpu".
/// Throws ConfigError for "cuda" when none is available.
std::string resolveDevice(const std::string& requested);
/// True when this LibTorch was built with CUDA and sees a device.
bool cudaAvailable();

struct EpochReport {
    int epoch = 0; ///< 0-based
    int epochs = 0;
    double trainLoss = 0;
    double valLoss = 0; ///< NaN when there are no validation samples
    bool improved = false;
    double seconds = 0;
    /// This epoch's metrics, (key, value) in metricKeys() order; empty when not evaluated.
    std::vector<std::pair<std::string, double>> metrics;
    /// Extra per-epoch curves (RunRecord::curves keys), e.g. train_recon, val_latent, lr.
    std::vector<std::pair<std::string, double>> curves;
};

struct TrainCallbacks {
    std::function<void(const EpochReport&)> onEpoch;
};

/// Trains on the "train" split with Adam (betas 0.9, 0.999; L2 weight decay), validates on
/// "val" after every epoch, keeps the weights of the minimum val loss and returns a run with
/// curves, the best checkpoint and the embedding of every sample at that checkpoint. With
/// epochs = 0 the run is the untrained reference: one curve entry (train and val loss of the
/// initial weights, no step taken), bestEpoch 0, the initial weights and their embedding; the
/// same seed gives the same initial weights as a trained run. Cancellation (checked every batch)
/// throws CancelledError unless `keepPartialOnCancel`, in which case the run so far is returned
/// with status "cancelled" (when at least one epoch finished). Throws DataError when the data
/// cannot be trained on (fewer than two groups in train, no positives, NaN).
RunRecord train(const Dataset& data, const TrainConfig& config, const JobContext& ctx,
                const TrainCallbacks& callbacks = {}, bool keepPartialOnCancel = false);

/// Re-embeds a data set with a run's saved weights (e.g. a new data file). Rows = samples.
std::vector<float> embedWithRun(const RunRecord& run, const Dataset& data, const JobContext& ctx,
                                std::size_t* cols = nullptr);

/// The loss on plain matrices, for tests and tools: `z` is n x d row-major, `groups` the
/// positive-defining label of each row, `ids` the sample id of each row (rows sharing an id
/// are duplicates and are excluded from each other's terms). SPEC S0 eq. 3.1.
double supconLossValue(const std::vector<float>& z, std::size_t n, std::size_t d,
                       const std::vector<int>& groups, const std::vector<int64_t>& ids,
                       double temperature, const std::string& similarity = "euclidean");

/// Labels of the rows of a loss batch, for lossValue.
struct LossLabels {
    std::vector<int> groups;     ///< positive-defining label per row
    std::vector<int64_t> ids;    ///< sample id per row; equal ids = sampler duplicates
    std::vector<int> substances; ///< substance code per row (supcon semi_positive only)
    std::vector<double> doses;   ///< primary dose per row, >= 0 (supcon semi_positive only)
};

/// Any registered loss (lossRegistry()) on plain matrices, in double precision, for tests and
/// tools: `z` is n x d row-major; missing params take their defaults. For "ntxent" the rows
/// follow the sampler's layout (n/2 anchors, then their positives in the same order). Returns
/// NaN when the batch has no term. `gradient`: d loss / d z (n x d) when given. `seed` seeds
/// the global torch generator for the triplet's random negatives.
double lossValue(const std::string& loss, const std::map<std::string, double>& params,
                 const std::map<std::string, std::string>& choices, const std::vector<double>& z,
                 std::size_t n, std::size_t d, const LossLabels& labels,
                 std::vector<double>* gradient = nullptr, uint64_t seed = 0);

/// Seed eq. 4.5: 1 - |a - b| / (a + b), 1 when both are 0. Throws DataError for a negative dose.
double semiPositiveWeight(double doseA, double doseB);

/// One epoch of the SPEC S0 pair sampler (seed §3.3.2) as the trainer draws it: every index is
/// an anchor exactly once; a batch lists its anchors, then one random other member of each
/// anchor's group in the same order (the anchor itself when it is alone). Batches hold
/// `anchorsPerBatch` anchors; a remainder below half of that joins the last batch.
std::vector<std::vector<int64_t>> pairSamplerEpoch(const std::vector<std::size_t>& indices,
                                                   const std::vector<int>& groups,
                                                   std::size_t anchorsPerBatch, uint64_t seed);

/// Total trainable parameters of a model for an input shape (C, T).
int64_t modelParameterCount(const std::string& model, const std::map<std::string, double>& params,
                            const std::vector<int64_t>& inputShape,
                            const std::map<std::string, std::string>& choices = {});

} // namespace embedscope
