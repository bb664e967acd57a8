#pragma once
// The weakly supervised cell CNN of DeepProfiler (seed 004 §3.2.2): a compact ResNet-style
// network that classifies single-cell crops (C, S, S) by compound; its penultimate layer (the
// global-average-pooled features) is the single-cell profile (seed §3.2.3: "the second-to-last
// feature level"). Trained through train() (training.h) with model "cell-cnn" and loss
// "cross-entropy"; this header holds what tools and tests need without torch.
//
// Config (TrainConfig JSON), with the seed's choices:
//  - model "cell-cnn", model_params: width (stage widths w, 2w, 4w, 8w; feature F = 8w),
//    blocks (residual blocks per stage), augment (bool; seed §3.2.2 "Augmentation"),
//    keep_epoch_checkpoints (bool: weights after every epoch in the run, for "profile from any
//    saved epoch"), classes (0 = the number of labels in the data; set it for model-info).
//  - loss "cross-entropy", loss_params: label_smoothing l (seed eq. 3.2, target
//    v(1 − l) + l/Nc), l2 λ (seed eq. 3.1: l = l_c + λ Σ β², β the conv and linear weights;
//    BatchNorm scales and biases are not penalised; default 1e-4 as in the seed's runs). The
//    optimizer's own weight_decay stays separate (default 0).
//  - label column: `label_column` when the data has it; with the default "label" absent from
//    the data, "compound" (the plate-map column of issue 8).
//  - schedules: constant, step (step_epochs, gamma) or cosine-warmup with warmup_epochs = 5
//    (seed §3.2.2 "Types of learning schedules": linear from 0 over five epochs, then cosine).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/optimization.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/table.h"
#include "embedscope/engine/training.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace embedscope {

inline constexpr const char* kCellCnnModel = "cell-cnn";
inline constexpr const char* kCrossEntropyLoss = "cross-entropy";

/// True for a registered model of kind "classifier" (the cell CNN).
bool isCellCnnModel(const std::string& model);
/// True when the run's stored config names a cell CNN.
bool isCellCnnRun(const RunRecord& run);

/// The label column a cell-CNN run reads from `data` for `cfg` (see above); throws ConfigError
/// naming both candidates when neither exists.
std::string cellLabelColumn(const Dataset& data, const TrainConfig& cfg);

/// Penultimate-layer features (rows = samples, cols = F) of every sample with the weights of
/// `epoch` (0-based; -1 = the best checkpoint), eval mode, no augmentation. Throws DataError
/// when the run kept no checkpoint for that epoch or the data does not fit the model.
std::vector<float> cellCnnFeatures(const RunRecord& run, const Dataset& data, int epoch,
                                   const JobContext& ctx, std::size_t* cols = nullptr);

/// The single-cell feature table: features cnn_0.. and every metadata column of `data`.
EmbeddingTable cellFeatureTable(const std::vector<float>& features, std::size_t cols,
                                const Dataset& data);

/// Label-smoothed cross entropy (seed eq. 3.2) on plain logits, n x classes row-major, mean
/// over rows: −Σ_k v_s,k log softmax(z)_k with v_s = onehot·(1 − l) + l/Nc.
double labelSmoothedCrossEntropy(const std::vector<double>& logits, std::size_t n,
                                 std::size_t classes, const std::vector<int>& labels,
                                 double smoothing);

/// The per-step schedule of a cell-CNN run for `trainSamples` train crops: warm-up and step
/// size converted from epochs to steps. Steps per epoch: ⌊N / B⌋ batches of B, plus one for a
/// remainder of two or more (a remainder of one joins the last batch: BatchNorm needs two).
struct CellSchedule {
    ScheduleConfig schedule;
    int64_t stepsPerEpoch = 1;
    int64_t totalSteps = 1;
};
CellSchedule cellCnnSchedule(const TrainConfig& cfg, std::size_t trainSamples);

// --- Augmentations of one crop (C, S, S) in place; seed §3.2.2 "Augmentation". ---
/// Mirror left-right.
void cellFlipHorizontal(float* crop, int64_t channels, int64_t size);
/// Rotate by quarterTurns × 90° counter-clockwise.
void cellRotate90(float* crop, int64_t channels, int64_t size, int quarterTurns);
/// Multiply every value by `factor` (brightness ±10 %: factor in [0.9, 1.1]).
void cellBrightness(float* crop, int64_t channels, int64_t size, float factor);
/// Per channel (x − mean)·factor + mean (contrast 0.8–1.2; the channel means are unchanged).
void cellContrast(float* crop, int64_t channels, int64_t size, float factor);
/// Crop the square [y0, y0 + side) × [x0, x0 + side) and resize it back to size × size
/// (bilinear, pixel centres aligned as torch's align_corners = false).
void cellCropResize(float* crop, int64_t channels, int64_t size, int64_t x0, int64_t y0,
                    int64_t side);
/// The whole training augmentation with draws from `rng`: crop with p = 0.5 to a random
/// 80–100 % square, horizontal flip p = 0.5, k·90° with k uniform in 0..3, brightness
/// U(0.9, 1.1), contrast U(0.8, 1.2).
void augmentCell(float* crop, int64_t channels, int64_t size, std::mt19937_64& rng);

} // namespace embedscope
