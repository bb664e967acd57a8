#include "embedscope/engine/run_metrics.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/openfield_features.h"
#include "embedscope/engine/pca.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <cmath>
#include <limits>

namespace embedscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> textColumn(const Dataset& data, const std::string& name) {
    const MetadataColumn& column = data.metadata.column(name);
    std::vector<std::string> out(column.size());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = column.text(i);
    return out;
}

} // namespace

std::vector<double> doseValues(const Dataset& data, const std::string& name) {
    const MetadataColumn& column = data.metadata.column(name);
    std::vector<double> out(column.size(), kNaN);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (column.numeric) {
            out[i] = column.numbers[i];
        } else {
            const std::string& s = column.strings[i];
            try {
                std::size_t used = 0;
                out[i] = s.empty() ? 0.0 : std::stod(s, &used);
                if (!s.empty() && used != s.size())
                    out[i] = kNaN;
            } catch (const std::exception&) {
            }
        }
        if (!std::isfinite(out[i]) || out[i] < 0)
            throw DataError("dataset '" + data.name + "', column '" + name + "', row " +
                            std::to_string(i) + ": a dose must be a number >= 0, got '" +
                            column.text(i) + "'");
    }
    return out;
}

namespace {

double valueOf(const MetricValues& v, const std::string& key) {
    if (key == "wss_tss")
        return v.wssTss;
    if (key == "ga_wss_tss")
        return v.gaWssTss;
    if (key == "pnn3")
        return v.pnn;
    if (key == "dr")
        return v.doseResponse;
    if (key == "davies_bouldin")
        return v.daviesBouldin;
    if (key == "f1_micro")
        return v.f1Micro;
    return kNaN;
}

double number(const nlohmann::json& j) {
    return j.is_number() ? j.get<double>() : kNaN;
}

} // namespace

MetricLabels metricLabelsOf(const Dataset& data, const MetricColumns& columns) {
    if (!data.metadata.has(columns.group))
        throw DataError("dataset '" + data.name + "': the metrics need the group column '" +
                        columns.group + "', which the metadata does not have");
    MetricLabels labels;
    labels.group = textColumn(data, columns.group);
    if (data.metadata.has(columns.substance) && data.metadata.has(columns.dose)) {
        labels.substance = textColumn(data, columns.substance);
        labels.dose = doseValues(data, columns.dose);
        if (data.metadata.has(columns.secondarySubstance)) {
            labels.secondarySubstance = textColumn(data, columns.secondarySubstance);
            if (data.metadata.has(columns.secondaryDose))
                labels.secondaryDose = doseValues(data, columns.secondaryDose);
        }
    }
    if (data.metadata.has(columns.indication))
        labels.indication = textColumn(data, columns.indication);
    return labels;
}

MetricOptions availableMetrics(const MetricLabels& labels, bool withClassifier) {
    MetricOptions options;
    bool hasControl = false;
    for (double d : labels.dose)
        hasControl = hasControl || d == 0;
    options.doseResponse = !labels.substance.empty() && hasControl;
    options.f1 = withClassifier && !labels.indication.empty();
    return options;
}

MetricValues evaluateEmbedding(const std::vector<float>& embedding, std::size_t rows,
                               std::size_t cols, const Dataset& data, const MetricLabels& labels,
                               const MetricOptions& options, const JobContext& ctx,
                               int components) {
    if (rows != data.sampleCount() || embedding.size() != rows * cols || cols == 0)
        throw DataError("metrics of dataset '" + data.name + "': the embedding has " +
                        std::to_string(rows) + " x " + std::to_string(cols) + " values for " +
                        std::to_string(data.sampleCount()) + " samples");
    const Eigen::MatrixXd z = toMatrix(embedding.data(), rows, cols);
    // Seed §3.4.7: the PCA and the metrics see the train + val rows (a test split stays out).
    const std::vector<std::size_t> fitRows = openFieldFitRows(data);
    std::vector<bool> fit(rows, false);
    for (std::size_t r : fitRows)
        fit[r] = true;
    const Eigen::MatrixXd projected = projectForMetrics(z, fit, components);
    if (fitRows.size() == rows)
        return computeMetrics(projected, labels, options, ctx, &z);
    const auto idx = Eigen::Map<const Eigen::Matrix<std::size_t, Eigen::Dynamic, 1>>(
        fitRows.data(), Eigen::Index(fitRows.size()));
    const Eigen::MatrixXd projectedFit = projected(idx, Eigen::all);
    const Eigen::MatrixXd zFit = z(idx, Eigen::all);
    const auto pick = [&](const auto& v) {
        std::decay_t<decltype(v)> out;
        if (!v.empty())
            for (std::size_t r : fitRows)
                out.push_back(v[r]);
        return out;
    };
    MetricLabels fitLabels;
    fitLabels.group = pick(labels.group);
    fitLabels.substance = pick(labels.substance);
    fitLabels.dose = pick(labels.dose);
    fitLabels.secondarySubstance = pick(labels.secondarySubstance);
    fitLabels.secondaryDose = pick(labels.secondaryDose);
    fitLabels.indication = pick(labels.indication);
    return computeMetrics(projectedFit, fitLabels, options, ctx, &zFit);
}

double RunMetrics::bestValue(const std::string& key) const {
    for (const auto& [k, v] : best)
        if (k == key)
            return v;
    return kNaN;
}

void RunMetrics::appendEpoch(const MetricValues& values) {
    std::size_t epochs = 0;
    for (const auto& [key, curve] : perEpoch)
        epochs = std::max(epochs, curve.size());
    for (const std::string& key : metricKeys()) {
        const double v = valueOf(values, key);
        auto it = perEpoch.find(key);
        if (it == perEpoch.end()) {
            if (std::isnan(v))
                continue;
            it = perEpoch.emplace(key, std::vector<double>(epochs, kNaN)).first;
        }
        it->second.resize(epochs, kNaN);
        it->second.push_back(v);
    }
}

std::string toJson(const RunMetrics& metrics) {
    nlohmann::json j;
    j["pca_components"] = metrics.pcaComponents;
    j["epochs"] = nlohmann::json::object();
    for (const auto& [key, curve] : metrics.perEpoch) {
        nlohmann::json values = nlohmann::json::array();
        for (double v : curve)
            values.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
        j["epochs"][key] = values;
    }
    j["best"] = nlohmann::json::object();
    for (const auto& [key, v] : metrics.best)
        j["best"][key] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
    if (!metrics.error.empty())
        j["error"] = metrics.error;
    return j.dump();
}

RunMetrics parseRunMetrics(const std::string& text) {
    RunMetrics out;
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return out;
    if (j.contains("pca_components") && j["pca_components"].is_number_integer())
        out.pcaComponents = j["pca_components"].get<int>();
    if (j.contains("epochs") && j["epochs"].is_object())
        for (const auto& [key, values] : j["epochs"].items()) {
            if (!values.is_array())
                continue;
            std::vector<double>& curve = out.perEpoch[key];
            for (const auto& v : values)
                curve.push_back(number(v));
        }
    if (j.contains("best") && j["best"].is_object()) {
        // The seed-000 keys in their order, then any others (generative runs' metrics).
        const auto known = metricKeys();
        for (const std::string& key : known)
            if (j["best"].contains(key))
                out.best.emplace_back(key, number(j["best"][key]));
        for (const auto& [key, value] : j["best"].items())
            if (std::find(known.begin(), known.end(), key) == known.end())
                out.best.emplace_back(key, number(value));
    }
    if (j.contains("error") && j["error"].is_string())
        out.error = j["error"].get<std::string>();
    return out;
}

std::string metricTitle(const std::string& key) {
    // Generative runs (seed 001 eqs 3.4-3.6, seed 002 §4).
    if (key == "recon_mse")
        return "Reconstruction MSE";
    if (key == "recon_bce")
        return "Reconstruction BCE / sample";
    if (key == "kld")
        return "KLD / sample";
    if (key == "logreg_accuracy")
        return "Few-label accuracy";
    if (key == "logreg_f1_macro")
        return "Few-label macro-F1";
    if (key == "kmeans_ari")
        return "K-means ARI";
    if (key == "dec_ari")
        return "DEC clusters ARI";
    if (key == "wss_tss")
        return "WSS/TSS";
    if (key == "ga_wss_tss")
        return "GA WSS/TSS";
    if (key == "pnn3")
        return "%PNN@3";
    if (key == "dr")
        return "Dose response DR";
    if (key == "davies_bouldin")
        return "Davies-Bouldin";
    if (key == "f1_micro")
        return "Classifier micro-F1";
    return key;
}

bool metricLowerIsBetter(const std::string& key) {
    return key != "pnn3" && key != "f1_micro" && key.rfind("logreg_", 0) != 0 &&
           key.rfind("f1_class_", 0) != 0 && key.find("ari") == std::string::npos;
}

} // namespace embedscope
