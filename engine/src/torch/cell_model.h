#pragma once
// Private: the cell CNN module (seed 004 §3.2.2), its registry entries, its loss and the
// training loop train() hands cell-CNN configs to. Torch types are allowed here.
#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/model_info.h"
#include "embedscope/engine/registry.h"

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace embedscope::torchimpl {

/// Registry entries: model "cell-cnn" (kind "classifier") and loss "cross-entropy".
std::vector<ComponentInfo> cellModelInfos();
const ComponentInfo* findCellModel(const std::string& name);
std::vector<ComponentInfo> cellLossInfos();
const ComponentInfo* findCellLoss(const std::string& name);

/// Resolved architecture of one cell CNN.
struct CellCnnArgs {
    int64_t channels = 5; ///< C of the crops
    int64_t size = 64;    ///< S of the crops
    int64_t width = 32;   ///< stage widths w, 2w, 4w, 8w
    int64_t blocks = 1;   ///< residual blocks per stage
    int64_t classes = 0;  ///< 0: no classifier layer (model-info before the data is known)
};
/// From registry params (missing keys take their defaults) and the input shape (C, S, S).
CellCnnArgs cellCnnArgs(const std::map<std::string, double>& params,
                        const std::vector<int64_t>& inputShape);

/// Basic residual block: conv3x3(s) BN ReLU conv3x3 BN + shortcut (1x1 conv(s) + BN when the
/// shape changes), ReLU. Convs carry no bias (the BN after them has one).
class CellBlockImpl : public torch::nn::Module {
public:
    CellBlockImpl(int64_t in, int64_t out, int64_t stride);
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, shortcutBn{nullptr};
};
TORCH_MODULE(CellBlock);

/// Stem conv3x3 stride 2 + BN + ReLU, four stages (strides 1, 2, 2, 2), global average pool
/// -> features F = 8w, linear classifier F -> classes.
class CellCnnImpl : public torch::nn::Module {
public:
    explicit CellCnnImpl(const CellCnnArgs& args);
    /// Penultimate features (B, F) of crops (B, C, S, S).
    torch::Tensor features(const torch::Tensor& x);
    /// Logits (B, classes) of features.
    torch::Tensor classify(const torch::Tensor& features);
    int64_t featureDim() const { return args_.width * 8; }
    const CellCnnArgs& args() const { return args_; }
    /// Output shapes and own parameters per layer for a (1, C, S, S) input (model-info).
    std::vector<LayerShape> layerShapes();

private:
    CellCnnArgs args_;
    torch::nn::Conv2d stem_{nullptr};
    torch::nn::BatchNorm2d stemBn_{nullptr};
    std::vector<CellBlock> blocks_;
    std::vector<std::string> blockNames_;
    torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(CellCnn);

/// Label-smoothed cross entropy (seed eq. 3.2), mean over rows; logits (B, Nc), labels int64.
torch::Tensor smoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   double smoothing);
/// Seed eq. 3.1 penalty λ Σ β² over the conv and linear weights (not BN, not biases).
torch::Tensor l2Penalty(CellCnnImpl& model, double lambda);

std::vector<uint8_t> saveCellCnn(CellCnnImpl& model);
void loadCellCnn(CellCnnImpl& model, const std::vector<uint8_t>& bytes);

/// Runs a cell-CNN config (called by train()).
RunRecord trainCellCnn(const Dataset& data, const TrainConfig& cfg, const JobContext& ctx,
                       const TrainCallbacks& callbacks, bool keepPartialOnCancel);

} // namespace embedscope::torchimpl
