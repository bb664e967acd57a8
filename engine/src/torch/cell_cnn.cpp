// The cell CNN of seed 004 §3.2.2 (module, registry entries, loss) and its torch-free helpers
// (augmentations, schedule, label-smoothed cross entropy on plain arrays, feature table).
// The training loop is in cell_trainer.cpp.
#include "embedscope/engine/error.h"
#include "param_specs.h"
#include "torch/cell_model.h"
#include "torch/models.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace embedscope {
namespace torchimpl {
namespace {

using specs::number;
using Type = ParamSpec::Type;

ComponentInfo cellModelInfo() {
    ComponentInfo info;
    info.name = kCellCnnModel;
    info.kind = "classifier";
    info.description =
        "Weakly supervised cell CNN (DeepProfiler, seed 004 §3.2.2): crops (C, S, S) with all "
        "channels as input -> stem conv3x3/2 + BN + ReLU -> 4 stages of residual blocks "
        "(widths w, 2w, 4w, 8w; strides 1, 2, 2, 2) -> global average pool = the feature "
        "(F = 8w, the profile) -> linear classifier over the label column (compound).";
    info.params = {
        number("width", Type::Int, "Base width (w)",
               "Stage widths w, 2w, 4w, 8w; the feature has 8w values", 32, 4, 256),
        number("blocks", Type::Int, "Blocks per stage", "Residual blocks in each of the 4 stages",
               1, 1, 4),
        number("augment", Type::Bool, "Augment",
               "Seed §3.2.2 training augmentation: crop p=0.5 at 80-100 %, horizontal flip, "
               "90° rotations, brightness ±10 %, contrast 0.8-1.2 (never for val/features)",
               1, 0, 1),
        number("keep_epoch_checkpoints", Type::Bool, "Keep every epoch",
               "Store the weights after every epoch so features can be computed from any epoch", 1,
               0, 1),
        number("classes", Type::Int, "Classes",
               "Classifier outputs; 0 = the number of labels in the training data (set it for "
               "model-info)",
               0, 0, 1e6),
    };
    return info;
}

ComponentInfo crossEntropyInfo() {
    ComponentInfo info;
    info.name = kCrossEntropyLoss;
    info.kind = "classifier";
    info.description =
        "Cross entropy with label smoothing (seed eq. 3.2, target v(1 - l) + l/Nc) plus the L2 "
        "penalty of seed eq. 3.1 (λ Σ β² over conv and linear weights).";
    info.params = {
        number("label_smoothing", Type::Double, "Label smoothing (l)",
               "Seed eq. 3.2; 0.1 gave the best enrichment in seed Table 4.12", 0.1, 0, 0.99),
        number("l2", Type::Double, "L2 (λ)",
               "Seed eq. 3.1 weight penalty added to the loss; the seed used 1e-4", 1e-4, 0, 1),
    };
    return info;
}

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

int64_t ownParams(torch::nn::Module& m) {
    return parameterCount(m);
}

} // namespace

std::vector<ComponentInfo> cellModelInfos() {
    return {cellModelInfo()};
}

const ComponentInfo* findCellModel(const std::string& name) {
    static const ComponentInfo info = cellModelInfo();
    return name == info.name ? &info : nullptr;
}

std::vector<ComponentInfo> cellLossInfos() {
    return {crossEntropyInfo()};
}

const ComponentInfo* findCellLoss(const std::string& name) {
    static const ComponentInfo info = crossEntropyInfo();
    return name == info.name ? &info : nullptr;
}

CellCnnArgs cellCnnArgs(const std::map<std::string, double>& params,
                        const std::vector<int64_t>& inputShape) {
    const auto get = [&](const char* key, double def) {
        const auto it = params.find(key);
        return std::llround(it == params.end() ? def : it->second);
    };
    if (inputShape.size() != 3 || inputShape[1] != inputShape[2] || inputShape[0] < 1)
        throw DataError("cell-cnn needs square crops (C, S, S), got " +
                        std::to_string(inputShape.size()) + "-D samples");
    if (inputShape[1] < 8)
        throw DataError("cell-cnn needs crops of at least 8 x 8 pixels, got " +
                        std::to_string(inputShape[1]));
    CellCnnArgs a;
    a.channels = inputShape[0];
    a.size = inputShape[1];
    a.width = get("width", 32);
    a.blocks = get("blocks", 1);
    a.classes = get("classes", 0);
    return a;
}

CellBlockImpl::CellBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv3x3(in, out, stride));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(out));
    conv2 = register_module("conv2", conv3x3(out, out, 1));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(out));
    if (in != out || stride != 1) {
        shortcut = register_module(
            "shortcut",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
        shortcutBn = register_module("shortcut_bn", torch::nn::BatchNorm2d(out));
    }
}

torch::Tensor CellBlockImpl::forward(const torch::Tensor& x) {
    auto h = torch::relu(bn1->forward(conv1->forward(x)));
    h = bn2->forward(conv2->forward(h));
    const auto skip = shortcut ? shortcutBn->forward(shortcut->forward(x)) : x;
    return torch::relu(h + skip);
}

CellCnnImpl::CellCnnImpl(const CellCnnArgs& args) : args_(args) {
    stem_ = register_module("stem", conv3x3(args.channels, args.width, 2));
    stemBn_ = register_module("stem_bn", torch::nn::BatchNorm2d(args.width));
    int64_t in = args.width;
    for (int stage = 0; stage < 4; ++stage) {
        const int64_t out = args.width << stage;
        for (int64_t b = 0; b < args.blocks; ++b) {
            const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
            blockNames_.push_back("stage" + std::to_string(stage + 1) + "_block" +
                                  std::to_string(b + 1));
            blocks_.push_back(register_module(blockNames_.back(), CellBlock(in, out, stride)));
            in = out;
        }
    }
    if (args.classes > 0)
        classifier_ = register_module("classifier", torch::nn::Linear(in, args.classes));
}

torch::Tensor CellCnnImpl::features(const torch::Tensor& x) {
    auto h = torch::relu(stemBn_->forward(stem_->forward(x)));
    for (auto& block : blocks_)
        h = block->forward(h);
    return torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1);
}

torch::Tensor CellCnnImpl::classify(const torch::Tensor& features) {
    if (!classifier_)
        throw ConfigError("cell-cnn built without classes cannot classify");
    return classifier_->forward(features);
}

std::vector<LayerShape> CellCnnImpl::layerShapes() {
    eval();
    torch::NoGradGuard noGrad;
    std::vector<LayerShape> out;
    const auto add = [&](const std::string& name, const torch::Tensor& t, int64_t params) {
        LayerShape l;
        l.name = name;
        for (int64_t i = 1; i < t.dim(); ++i)
            l.shape.push_back(t.size(i));
        l.params = params;
        out.push_back(std::move(l));
    };
    auto h = torch::zeros({1, args_.channels, args_.size, args_.size});
    h = torch::relu(stemBn_->forward(stem_->forward(h)));
    add("stem", h, ownParams(*stem_) + ownParams(*stemBn_));
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
        h = blocks_[b]->forward(h);
        add(blockNames_[b], h, ownParams(*blocks_[b]));
    }
    h = torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1);
    add("global_avg_pool (feature)", h, 0);
    if (classifier_)
        add("classifier", classifier_->forward(h), ownParams(*classifier_));
    return out;
}

torch::Tensor smoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   double smoothing) {
    // Seed eq. 3.2: v_s = v_o (1 - l) + l / Nc, then the cross entropy against log softmax.
    const int64_t classes = logits.size(1);
    const auto onehot = torch::one_hot(labels, classes).to(logits.scalar_type());
    const auto target = onehot * (1.0 - smoothing) + smoothing / double(classes);
    return -(target * torch::log_softmax(logits, 1)).sum(1).mean();
}

torch::Tensor l2Penalty(CellCnnImpl& model, double lambda) {
    // Seed eq. 3.1: λ Σ_j β_j², β the weights of the conv and linear layers.
    torch::Tensor sum;
    for (const auto& item : model.named_parameters()) {
        const std::string& key = item.key();
        const bool isWeight = key.size() >= 6 && key.compare(key.size() - 6, 6, "weight") == 0;
        if (!isWeight || item.value().dim() < 2) // BN weights are 1-D
            continue;
        const auto squares = item.value().pow(2).sum();
        sum = sum.defined() ? sum + squares : squares;
    }
    return sum.defined() ? lambda * sum : torch::zeros({});
}

std::vector<uint8_t> saveCellCnn(CellCnnImpl& model) {
    torch::serialize::OutputArchive archive;
    model.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    const std::string bytes = out.str();
    return {bytes.begin(), bytes.end()};
}

void loadCellCnn(CellCnnImpl& model, const std::vector<uint8_t>& bytes) {
    torch::serialize::InputArchive archive;
    archive.load_from(reinterpret_cast<const char*>(bytes.data()), bytes.size(), torch::kCPU);
    model.load(archive);
}

} // namespace torchimpl

bool isCellCnnModel(const std::string& model) {
    return torchimpl::findCellModel(model) != nullptr;
}

bool isCellCnnRun(const RunRecord& run) {
    try {
        const auto stored = nlohmann::json::parse(run.configJson);
        return stored.is_object() && stored.contains("model") && stored["model"].is_string() &&
               isCellCnnModel(stored["model"].get<std::string>());
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

std::string cellLabelColumn(const Dataset& data, const TrainConfig& cfg) {
    if (data.metadata.has(cfg.labelColumn))
        return cfg.labelColumn;
    if (cfg.labelColumn == "label" && data.metadata.has("compound"))
        return "compound";
    throw ConfigError("dataset '" + data.name + "' has no label column '" + cfg.labelColumn + "'" +
                      (cfg.labelColumn == "label" ? " (nor 'compound')" : "") +
                      "; set label_column to the metadata column to classify by");
}

double labelSmoothedCrossEntropy(const std::vector<double>& logits, std::size_t n,
                                 std::size_t classes, const std::vector<int>& labels,
                                 double smoothing) {
    if (n == 0 || classes == 0 || logits.size() != n * classes || labels.size() != n)
        throw DataError("cross entropy: expected " + std::to_string(n) + " x " +
                        std::to_string(classes) + " logits and " + std::to_string(n) +
                        " labels, got " + std::to_string(logits.size()) + " and " +
                        std::to_string(labels.size()));
    for (int l : labels)
        if (l < 0 || std::size_t(l) >= classes)
            throw DataError("cross entropy: label " + std::to_string(l) + " outside 0.." +
                            std::to_string(classes - 1));
    const auto z = torch::tensor(logits, torch::kFloat64).view({int64_t(n), int64_t(classes)});
    const auto y = torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()), torch::kInt64);
    return torchimpl::smoothedCrossEntropy(z, y, smoothing).item<double>();
}

CellSchedule cellCnnSchedule(const TrainConfig& cfg, std::size_t trainSamples) {
    const int64_t n = int64_t(trainSamples), b = cfg.batchSize;
    CellSchedule s;
    s.stepsPerEpoch = std::max<int64_t>(1, n / b + (n % b >= 2 ? 1 : 0));
    s.totalSteps = s.stepsPerEpoch * std::max(1, cfg.epochs);
    s.schedule = cfg.schedule;
    s.schedule.warmupSteps = std::llround(cfg.warmupEpochs * double(s.stepsPerEpoch));
    s.schedule.stepSize =
        std::max<int64_t>(1, std::llround(cfg.stepEpochs * double(s.stepsPerEpoch)));
    return s;
}

void cellFlipHorizontal(float* crop, int64_t channels, int64_t size) {
    for (int64_t r = 0; r < channels * size; ++r)
        std::reverse(crop + r * size, crop + (r + 1) * size);
}

void cellRotate90(float* crop, int64_t channels, int64_t size, int quarterTurns) {
    const int k = ((quarterTurns % 4) + 4) % 4;
    std::vector<float> tmp(static_cast<std::size_t>(size * size));
    for (int turn = 0; turn < k; ++turn)
        for (int64_t c = 0; c < channels; ++c) {
            float* p = crop + c * size * size;
            // Counter-clockwise: out(i, j) = in(j, S - 1 - i).
            for (int64_t i = 0; i < size; ++i)
                for (int64_t j = 0; j < size; ++j)
                    tmp[std::size_t(i * size + j)] = p[j * size + (size - 1 - i)];
            std::copy(tmp.begin(), tmp.end(), p);
        }
}

void cellBrightness(float* crop, int64_t channels, int64_t size, float factor) {
    for (int64_t i = 0; i < channels * size * size; ++i)
        crop[i] *= factor;
}

void cellContrast(float* crop, int64_t channels, int64_t size, float factor) {
    const int64_t area = size * size;
    for (int64_t c = 0; c < channels; ++c) {
        float* p = crop + c * area;
        double mean = 0;
        for (int64_t i = 0; i < area; ++i)
            mean += p[i];
        mean /= double(area);
        for (int64_t i = 0; i < area; ++i)
            p[i] = float((p[i] - mean) * factor + mean);
    }
}

void cellCropResize(float* crop, int64_t channels, int64_t size, int64_t x0, int64_t y0,
                    int64_t side) {
    if (side < 1 || x0 < 0 || y0 < 0 || x0 + side > size || y0 + side > size)
        throw DataError("crop window (" + std::to_string(x0) + ", " + std::to_string(y0) +
                        ", side " + std::to_string(side) + ") is outside the " +
                        std::to_string(size) + " x " + std::to_string(size) + " crop");
    const double scale = double(side) / double(size);
    const auto n = static_cast<std::size_t>(size);
    std::vector<int64_t> lo(n), hi(n);
    std::vector<double> frac(n);
    for (int64_t i = 0; i < size; ++i) {
        const double src = std::clamp((i + 0.5) * scale - 0.5, 0.0, double(side - 1));
        lo[std::size_t(i)] = int64_t(std::floor(src));
        hi[std::size_t(i)] = std::min(lo[std::size_t(i)] + 1, side - 1);
        frac[std::size_t(i)] = src - double(lo[std::size_t(i)]);
    }
    std::vector<float> out(n * n);
    for (int64_t c = 0; c < channels; ++c) {
        float* p = crop + c * size * size;
        const auto at = [&](int64_t y, int64_t x) { return double(p[(y0 + y) * size + x0 + x]); };
        for (int64_t i = 0; i < size; ++i)
            for (int64_t j = 0; j < size; ++j) {
                const auto yi = std::size_t(i), xj = std::size_t(j);
                const double top =
                    at(lo[yi], lo[xj]) * (1 - frac[xj]) + at(lo[yi], hi[xj]) * frac[xj];
                const double bottom =
                    at(hi[yi], lo[xj]) * (1 - frac[xj]) + at(hi[yi], hi[xj]) * frac[xj];
                out[std::size_t(i * size + j)] = float(top * (1 - frac[yi]) + bottom * frac[yi]);
            }
        std::copy(out.begin(), out.end(), p);
    }
}

void augmentCell(float* crop, int64_t channels, int64_t size, std::mt19937_64& rng) {
    // Seed §3.2.2 "Augmentation", in its order: crop (p = 0.5, 80-100 %), flip, 90° rotation,
    // brightness ±10 %, contrast 80-120 %.
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    if (unit(rng) < 0.5) {
        const int64_t side =
            std::clamp<int64_t>(std::llround(size * (0.8 + 0.2 * unit(rng))), 1, size);
        const int64_t x0 = std::uniform_int_distribution<int64_t>(0, size - side)(rng);
        const int64_t y0 = std::uniform_int_distribution<int64_t>(0, size - side)(rng);
        if (side < size)
            cellCropResize(crop, channels, size, x0, y0, side);
    }
    if (unit(rng) < 0.5)
        cellFlipHorizontal(crop, channels, size);
    cellRotate90(crop, channels, size, std::uniform_int_distribution<int>(0, 3)(rng));
    cellBrightness(crop, channels, size, float(0.9 + 0.2 * unit(rng)));
    cellContrast(crop, channels, size, float(0.8 + 0.4 * unit(rng)));
}

EmbeddingTable cellFeatureTable(const std::vector<float>& features, std::size_t cols,
                                const Dataset& data) {
    const std::size_t rows = data.sampleCount();
    if (features.size() != rows * cols)
        throw DataError("cell features: " + std::to_string(features.size()) + " values for " +
                        std::to_string(rows) + " crops x " + std::to_string(cols) + " features");
    EmbeddingTable table;
    table.rows = rows;
    for (std::size_t c = 0; c < cols; ++c)
        table.featureNames.push_back("cnn_" + std::to_string(c));
    table.features.assign(features.begin(), features.end());
    for (const auto& column : data.metadata.columns())
        if (column.name != Dataset::kSplitColumn)
            table.metadata.setColumn(column);
    return table;
}

} // namespace embedscope
