// Helpers shared by the generative trainer and GenerativeRunModel (see generative_common.h).
#include "torch/generative_common.h"

#include "embedscope/engine/classification.h"
#include "embedscope/engine/clustering.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <sstream>

namespace embedscope::torchimpl {
namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + ")";
}

} // namespace

SampleShape sampleShapeOf(const std::vector<int64_t>& s, const std::string& origin) {
    for (int64_t v : s)
        if (v < 1)
            throw DataError(origin + ": sample shape " + shapeText(s) + " has an empty dimension");
    if (s.size() == 1)
        return {1, 1, s[0]};
    if (s.size() == 2)
        return {s[0], 1, s[1]};
    if (s.size() == 3)
        return {s[0], s[1], s[2]};
    throw DataError(origin + ": sample shape " + shapeText(s) +
                    " is neither a signal (C, T) nor an image (C, H, W)");
}

SampleShape sampleShapeOf(const Dataset& data) {
    return sampleShapeOf(data.sampleShape, "dataset '" + data.name + "'");
}

std::vector<std::size_t> allRows(const Dataset& data) {
    std::vector<std::size_t> rows(data.sampleCount());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    return rows;
}

torch::Tensor gatherBatch(const Dataset& data, const std::vector<std::size_t>& rows,
                          const SampleShape& shape) {
    auto x = torch::empty({int64_t(rows.size()), shape.channels, shape.height, shape.width},
                          torch::kFloat32);
    float* out = x.data_ptr<float>();
    const std::size_t size = shape.size();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] >= data.sampleCount())
            throw DataError("dataset '" + data.name + "': row " + std::to_string(rows[i]) +
                            " is out of range (" + std::to_string(data.sampleCount()) +
                            " samples)");
        std::memcpy(out + i * size, data.sample(rows[i]), size * sizeof(float));
    }
    return x;
}

std::shared_ptr<GenerativeModelImpl> makeGenerativeModel(const TrainConfig& cfg,
                                                         const SampleShape& shape) {
    GenerativeArgs args;
    args.params = cfg.modelParams;
    args.choices = cfg.modelChoices;
    args.channels = shape.channels;
    args.height = shape.height;
    args.width = shape.width;
    return buildGenerativeModel(cfg.model, std::move(args));
}

ElboSpec elboSpecOf(const TrainConfig& cfg, const Dataset& data) {
    ElboSpec spec;
    const auto number = [&](const char* key, double fallback) {
        const auto it = cfg.lossParams.find(key);
        return it == cfg.lossParams.end() ? fallback : it->second;
    };
    const auto choice = [&](const char* key, const std::string& fallback) {
        const auto it = cfg.lossChoices.find(key);
        return it == cfg.lossChoices.end() ? fallback : it->second;
    };
    spec.beta = number("beta", 1.0);
    spec.bandwidth = number("bandwidth", 1.0);
    spec.clusters = int(std::llround(number("clusters", 2)));
    spec.decUpdateEpochs = int(std::llround(number("dec_update_epochs", 1)));
    spec.latent = choice("latent", "kld");
    spec.kernel = choice("kernel", "rbf");
    spec.recon = choice("recon", "auto");
    if (spec.recon == "auto") // seed 001 §3.3.3: BCE for the images, MSE for the signals
        spec.recon = data.kind == DataKind::Image ? "bce" : "mse";
    return spec;
}

void checkReconstructionRange(const Dataset& data, const ElboSpec& spec,
                              const std::string& origin) {
    if (spec.recon != "bce")
        return;
    for (std::size_t i = 0; i < data.values.size(); ++i) {
        const float v = data.values[i];
        if (!(v >= 0.0f && v <= 1.0f))
            throw DataError(origin + ": sample " + std::to_string(i / data.sampleSize()) +
                            " has the value " + std::to_string(v) +
                            "; BCE reconstruction needs every value in [0, 1] (scale the data "
                            "or set loss_params.recon = mse)");
    }
}

std::vector<uint8_t> saveModule(torch::nn::Module& module) {
    torch::serialize::OutputArchive archive;
    module.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    const std::string bytes = out.str();
    return {bytes.begin(), bytes.end()};
}

void loadModule(torch::nn::Module& module, const std::vector<uint8_t>& bytes,
                torch::Device device) {
    torch::serialize::InputArchive archive;
    archive.load_from(reinterpret_cast<const char*>(bytes.data()), bytes.size(), device);
    module.load(archive);
}

std::vector<float> encodeRows(GenerativeModelImpl& model, const Dataset& data,
                              const std::vector<std::size_t>& rows, const SampleShape& shape,
                              torch::Device device, const JobContext* ctx) {
    model.eval();
    torch::NoGradGuard noGrad;
    // Batches of about 8 M input values (32 MB), at most 256 samples.
    const std::size_t perBatch =
        std::clamp<std::size_t>((std::size_t(8) << 20) / shape.size(), 1, 256);
    std::vector<float> out;
    out.reserve(rows.size() * std::size_t(model.latentDim()));
    for (std::size_t start = 0; start < rows.size(); start += perBatch) {
        if (ctx)
            ctx->throwIfCancelled();
        const std::vector<std::size_t> batch(rows.begin() + long(start),
                                             rows.begin() +
                                                 long(std::min(rows.size(), start + perBatch)));
        const auto mu = model.forward(gatherBatch(data, batch, shape).to(device), false)
                            .mu.to(torch::kCPU, torch::kFloat32)
                            .contiguous();
        out.insert(out.end(), mu.data_ptr<float>(), mu.data_ptr<float>() + mu.numel());
    }
    return out;
}

LoadedGenerativeRun loadGenerativeRun(const RunRecord& run, torch::Device device) {
    LoadedGenerativeRun loaded;
    loaded.origin = "run '" + run.name + "'";
    nlohmann::json stored;
    try {
        stored = nlohmann::json::parse(run.configJson);
    } catch (const nlohmann::json::exception& e) {
        throw DataError(loaded.origin + ": the stored config is not valid JSON (" + e.what() + ")");
    }
    if (!stored.is_object() || !stored.contains("input_shape") || !stored["input_shape"].is_array())
        throw DataError(loaded.origin + ": the stored config has no input_shape");
    try {
        loaded.storedShape = stored["input_shape"].get<std::vector<int64_t>>();
    } catch (const nlohmann::json::exception&) {
        throw DataError(loaded.origin + ": the stored input_shape is not a list of integers");
    }
    loaded.config = parseTrainConfig(run.configJson, {}, loaded.origin + " config");
    if (!isGenerativeModel(loaded.config.model))
        throw DataError(loaded.origin + " trained '" + loaded.config.model +
                        "', which is not a generative model (no decoder)");
    if (run.checkpoint.empty())
        throw DataError(loaded.origin + " has no saved weights (checkpoint)");
    loaded.shape = sampleShapeOf(loaded.storedShape, loaded.origin);
    const auto recon = loaded.config.lossChoices.find("recon");
    loaded.recon = recon == loaded.config.lossChoices.end() || recon->second == "auto"
                       ? (loaded.storedShape.size() == 3 ? "bce" : "mse")
                       : recon->second;
    loaded.model = makeGenerativeModel(loaded.config, loaded.shape);
    loaded.model->to(device);
    try {
        loadModule(*loaded.model, run.checkpoint, device);
    } catch (const c10::Error& e) {
        throw DataError(loaded.origin + ": the saved weights do not fit model '" +
                        loaded.config.model + "' (" + e.what_without_backtrace() + ")");
    }
    loaded.model->eval();
    return loaded;
}

void checkSampleShape(const LoadedGenerativeRun& run, const Dataset& data) {
    if (data.sampleShape != run.storedShape)
        throw DataError("dataset '" + data.name + "' has samples of shape " +
                        shapeText(data.sampleShape) + " but " + run.origin + " was trained on " +
                        shapeText(run.storedShape));
}

} // namespace embedscope::torchimpl

namespace embedscope::torchimpl {

namespace {

/// Class codes of the label column (empty when the config names none or the data lacks it).
std::vector<int> labelCodes(const Dataset& data, const TrainConfig& cfg,
                            std::vector<std::string>* names = nullptr) {
    if (cfg.labelColumn.empty() || !data.metadata.has(cfg.labelColumn))
        return {};
    const MetadataColumn& column = data.metadata.column(cfg.labelColumn);
    std::map<std::string, int> codes;
    std::vector<int> labels(column.size());
    for (std::size_t i = 0; i < column.size(); ++i)
        labels[i] = codes.emplace(column.text(i), int(codes.size())).first->second;
    if (names) {
        names->assign(codes.size(), "");
        for (const auto& [name, code] : codes)
            (*names)[std::size_t(code)] = name;
    }
    return labels;
}

} // namespace

void appendClusterAgreement(const RunRecord&, const Dataset& data, const TrainConfig& cfg,
                            const std::vector<int>& clusters, const std::string& key,
                            RunMetrics& metrics) {
    const std::vector<int> labels = labelCodes(data, cfg);
    if (labels.empty() || labels.size() != clusters.size())
        return;
    metrics.best.emplace_back(key, adjustedRandIndex(labels, clusters));
}

void appendLatentClassification(const RunRecord& run, const Dataset& data, const TrainConfig& cfg,
                                RunMetrics& metrics) {
    std::vector<std::string> names;
    const std::vector<int> labels = labelCodes(data, cfg, &names);
    if (labels.empty())
        return;
    const std::vector<double> z(run.embedding.begin(), run.embedding.end());
    try {
        // Seed 002 §4: 15 % of each class labelled, 70/30 inside it, N = 10 repeats.
        const FewLabelResult r = fewLabelEvaluation(z, run.embeddingRows, run.embeddingCols, labels,
                                                    names, 0.15, 0.7, 10, cfg.seed);
        metrics.best.emplace_back("logreg_accuracy", r.accuracy.mean);
        metrics.best.emplace_back("logreg_accuracy_se", r.accuracy.se);
        metrics.best.emplace_back("logreg_f1_macro", r.f1Macro.mean);
        metrics.best.emplace_back("logreg_f1_macro_se", r.f1Macro.se);
        for (const auto& c : r.perClass)
            metrics.best.emplace_back("f1_class_" + c.label, c.f1.mean);
        // K-means with K = classes on an even subsample (bounded cost on 70,000 images).
        const std::size_t n = run.embeddingRows, d = run.embeddingCols;
        const std::size_t stride = std::max<std::size_t>(1, (n + 9999) / 10000);
        std::vector<double> sub;
        std::vector<int> subLabels;
        for (std::size_t i = 0; i < n; i += stride) {
            sub.insert(sub.end(), z.begin() + long(i * d), z.begin() + long((i + 1) * d));
            subLabels.push_back(labels[i]);
        }
        KMeansOptions options;
        options.k = int(names.size());
        options.nInit = 3;
        options.seed = cfg.seed;
        const KMeansResult km = kmeans(sub, subLabels.size(), d, options);
        metrics.best.emplace_back("kmeans_ari", adjustedRandIndex(subLabels, km.labels));
    } catch (const Error& e) {
        metrics.error = std::string("latent classification: ") + e.what();
    }
}

} // namespace embedscope::torchimpl
