// TrainConfig <-> JSON, with "key=value" overrides, validated against the model/loss registry.
// Every error names the origin (file or "config"), the key and what was expected.
#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

namespace embedscope {
namespace {

using nlohmann::json;

enum class KeyType { Int, UInt, Double, String, Bool, Object, Shape, StringList };

struct KeyInfo {
    const char* key;
    KeyType type;
};

// "input_shape" is written by train() into a run's config; it is accepted and ignored here so
// a run's config can be fed back as a training config.
const std::vector<KeyInfo>& topLevelKeys() {
    static const std::vector<KeyInfo> keys = {
        {"model", KeyType::String},
        {"model_params", KeyType::Object},
        {"loss", KeyType::String},
        {"loss_params", KeyType::Object},
        {"epochs", KeyType::Int},
        {"batch_size", KeyType::Int},
        {"learning_rate", KeyType::Double},
        {"weight_decay", KeyType::Double},
        {"optimizer", KeyType::String},
        {"optimizer_params", KeyType::Object},
        {"schedule", KeyType::String},
        {"schedule_params", KeyType::Object},
        {"clip_norm", KeyType::Double},
        {"seed", KeyType::UInt},
        {"device", KeyType::String},
        {"threads", KeyType::Int},
        {"group_column", KeyType::String},
        {"label_column", KeyType::String},
        {"substance_column", KeyType::String},
        {"dose_column", KeyType::String},
        {"individual_column", KeyType::String},
        {"time_column", KeyType::String},
        {"holdout", KeyType::StringList},
        {"run_name", KeyType::String},
        {"augment", KeyType::String},
        {"coordinates", KeyType::String},
        {"ego_augment", KeyType::Bool},
        {"metrics_every", KeyType::Int},
        {"input_shape", KeyType::Shape},
    };
    return keys;
}

const KeyInfo* findKey(const std::string& key) {
    for (const auto& k : topLevelKeys())
        if (key == k.key)
            return &k;
    return nullptr;
}

std::string knownTopLevel() {
    std::string s;
    for (const auto& k : topLevelKeys())
        s += (s.empty() ? "" : ", ") + std::string(k.key);
    return s;
}

std::string knownParams(const ComponentInfo& info) {
    std::string s;
    for (const auto& p : info.params)
        s += (s.empty() ? "" : ", ") + p.key;
    return s.empty() ? "none" : s;
}

std::string typeName(const json& v) {
    if (v.is_number_integer())
        return "integer";
    if (v.is_number_float())
        return "number";
    return v.type_name();
}

std::string number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

[[noreturn]] void fail(const std::string& origin, const std::string& message) {
    throw ConfigError(origin + ": " + message);
}

int64_t readInt(const json& v, const std::string& key, const std::string& origin) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))
        fail(origin, "'" + key + "' is too large");
    if (v.is_number_integer())
        return v.get<int64_t>();
    if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
        std::abs(v.get<double>()) < 9e15)
        return static_cast<int64_t>(v.get<double>());
    fail(origin, "'" + key + "' must be an integer, got " + typeName(v));
}

double readNumber(const json& v, const std::string& key, const std::string& origin) {
    if (!v.is_number())
        fail(origin, "'" + key + "' must be a number, got " + typeName(v));
    return v.get<double>();
}

std::string readString(const json& v, const std::string& key, const std::string& origin) {
    if (!v.is_string())
        fail(origin, "'" + key + "' must be a string, got " + typeName(v));
    return v.get<std::string>();
}

bool readBool(const json& v, const std::string& key, const std::string& origin) {
    if (v.is_boolean())
        return v.get<bool>();
    if (v.is_number_integer() && (v == 0 || v == 1))
        return v.get<int>() != 0;
    fail(origin, "'" + key + "' must be a boolean, got " + typeName(v));
}

/// A string key restricted to `choices`.
std::string readChoice(const json& v, const std::string& key,
                       const std::vector<std::string>& choices, const std::string& origin) {
    const std::string value = readString(v, key, origin);
    std::string list;
    for (const auto& c : choices) {
        if (c == value)
            return value;
        list += (list.empty() ? "" : ", ") + c;
    }
    fail(origin, "'" + key + "' must be one of " + list + ", got '" + value + "'");
}

/// "a,b" or ["a", "b"] (numbers allowed in the array) -> trimmed, non-empty, distinct texts;
/// "" or [] = none.
std::vector<std::string> readStringList(const json& v, const std::string& key,
                                        const std::string& origin) {
    std::vector<std::string> items;
    const auto trimmed = [](const std::string& s) {
        const auto first = s.find_first_not_of(" \t");
        const auto last = s.find_last_not_of(" \t");
        return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
    };
    if (v.is_string()) {
        const std::string text = v.get<std::string>();
        if (trimmed(text).empty())
            return items;
        std::stringstream in(text);
        std::string part;
        while (std::getline(in, part, ','))
            items.push_back(trimmed(part));
        if (text.back() == ',')
            items.emplace_back();
    } else if (v.is_array()) {
        for (const auto& item : v) {
            if (item.is_string())
                items.push_back(trimmed(item.get<std::string>()));
            else if (item.is_number())
                items.push_back(number(item.get<double>()));
            else
                fail(origin, "'" + key + "' must list strings or numbers, got " + typeName(item));
        }
    } else {
        fail(origin, "'" + key + "' must be a string \"a,b\" or an array, got " + typeName(v));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].empty())
            fail(origin,
                 "'" + key + "' has an empty entry (at position " + std::to_string(i + 1) + ")");
        if (std::find(items.begin(), items.begin() + long(i), items[i]) != items.begin() + long(i))
            fail(origin, "'" + key + "' lists '" + items[i] + "' twice");
    }
    return items;
}

void checkRange(double value, double lo, double hi, const std::string& key,
                const std::string& origin) {
    if (!(value >= lo && value <= hi))
        fail(origin, "'" + key + "' must be in [" + number(lo) + ", " + number(hi) + "], got " +
                         number(value));
}

const ComponentInfo& lookup(bool model, const std::string& name, const std::string& origin) {
    try {
        return model ? findModel(name) : findLoss(name);
    } catch (const ConfigError& e) {
        fail(origin, std::string("'") + (model ? "model" : "loss") + "': " + e.what());
    }
}

/// An IntList param: "11,5,3" or [11, 5, 3] -> canonical "11,5,3", each value in range.
std::string readIntList(const json& v, const ParamSpec& spec, const std::string& key,
                        const std::string& origin) {
    std::vector<int64_t> values;
    if (v.is_array()) {
        for (const auto& item : v)
            values.push_back(readInt(item, key, origin));
    } else if (v.is_string()) {
        // "11,5,3" or, from a command line, "[11, 5, 3]".
        std::string text = v.get<std::string>();
        if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
            text = text.substr(1, text.size() - 2);
        std::stringstream in(text);
        std::string part;
        while (std::getline(in, part, ',')) {
            const auto first = part.find_first_not_of(" \t");
            const auto last = part.find_last_not_of(" \t");
            const std::string trimmed =
                first == std::string::npos ? "" : part.substr(first, last - first + 1);
            int64_t value = 0;
            const auto r = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
            if (trimmed.empty() || r.ec != std::errc() || r.ptr != trimmed.data() + trimmed.size())
                fail(origin, "'" + key + "' must list integers like \"11,5,3\", got '" +
                                 v.get<std::string>() + "'");
            values.push_back(value);
        }
    } else {
        fail(origin, "'" + key + "' must be a list of integers, got " + typeName(v));
    }
    if (values.empty() || (spec.maxItems && values.size() > spec.maxItems))
        fail(origin, "'" + key + "' must list 1 to " + std::to_string(spec.maxItems) +
                         " integers, got " + std::to_string(values.size()));
    std::string text;
    for (int64_t value : values) {
        checkRange(double(value), spec.minValue, spec.maxValue, key, origin);
        text += (text.empty() ? "" : ",") + std::to_string(value);
    }
    return text;
}

/// Reads "model_params" / "loss_params" against the component's specs; fills defaults.
void readParams(const json* obj, const ComponentInfo& info, const std::string& objectKey,
                const std::string& origin, std::map<std::string, double>& params,
                std::map<std::string, std::string>& choices) {
    if (obj && !obj->is_object())
        fail(origin, "'" + objectKey + "' must be an object, got " + typeName(*obj));
    if (obj) {
        for (const auto& item : obj->items()) {
            bool known = false;
            for (const auto& spec : info.params)
                known = known || spec.key == item.key();
            if (!known)
                fail(origin, "unknown key '" + objectKey + "." + item.key() + "' for '" +
                                 info.name + "' (known: " + knownParams(info) + ")");
        }
    }
    params.clear();
    choices.clear();
    for (const auto& spec : info.params) {
        const std::string key = objectKey + "." + spec.key;
        const json* v = obj && obj->contains(spec.key) ? &obj->at(spec.key) : nullptr;
        switch (spec.type) {
        case ParamSpec::Type::Int: {
            const double value = v ? double(readInt(*v, key, origin)) : spec.defaultValue;
            checkRange(value, spec.minValue, spec.maxValue, key, origin);
            params[spec.key] = value;
            break;
        }
        case ParamSpec::Type::Double: {
            const double value = v ? readNumber(*v, key, origin) : spec.defaultValue;
            checkRange(value, spec.minValue, spec.maxValue, key, origin);
            params[spec.key] = value;
            break;
        }
        case ParamSpec::Type::Bool:
            if (v && !v->is_boolean() && !(v->is_number_integer() && (*v == 0 || *v == 1)))
                fail(origin, "'" + key + "' must be a boolean, got " + typeName(*v));
            params[spec.key] =
                v ? double(v->is_boolean() ? v->get<bool>() : v->get<int>()) : spec.defaultValue;
            break;
        case ParamSpec::Type::Choice: {
            const std::string value = v ? readString(*v, key, origin) : spec.defaultChoice;
            bool ok = false;
            std::string list;
            for (const auto& c : spec.choices) {
                ok = ok || c == value;
                list += (list.empty() ? "" : ", ") + c;
            }
            if (!ok)
                fail(origin, "'" + key + "' must be one of " + list + ", got '" + value + "'");
            choices[spec.key] = value;
            break;
        }
        case ParamSpec::Type::IntList:
            choices[spec.key] = v ? readIntList(*v, spec, key, origin) : spec.defaultChoice;
            break;
        }
    }
}

std::string defaultLossFor(const std::string& model);

/// An override's text value as JSON of the type the target expects.
json overrideValue(const std::string& key, KeyType type, const std::string& text,
                   const std::string& where) {
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    switch (type) {
    case KeyType::Int:
    case KeyType::UInt: {
        int64_t v = 0;
        const auto r = std::from_chars(begin, end, v);
        if (r.ec != std::errc() || r.ptr != end)
            fail(where, "'" + key + "' must be an integer, got '" + text + "'");
        return v;
    }
    case KeyType::Double: {
        double v = 0;
        const auto r = std::from_chars(begin, end, v);
        if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v))
            fail(where, "'" + key + "' must be a number, got '" + text + "'");
        return v;
    }
    case KeyType::String:
    case KeyType::StringList: // "a,b" is split by readStringList
        return text;
    case KeyType::Bool:
        if (text == "true" || text == "1" || text == "yes" || text == "on")
            return true;
        if (text == "false" || text == "0" || text == "no" || text == "off")
            return false;
        fail(where, "'" + key + "' must be true or false, got '" + text + "'");
    case KeyType::Object:
    case KeyType::Shape:
        try {
            return json::parse(text);
        } catch (const json::exception& e) {
            fail(where, "'" + key + "' must be JSON: " + e.what());
        }
    }
    return text;
}

void applyOverride(json& root, const std::string& text, bool nestedPass,
                   const std::string& origin) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        fail(origin, "override '" + text +
                         "' must look like key=value (e.g. epochs=20, model_params.channels=30)");
    const std::string key = text.substr(0, eq);
    const std::string value = text.substr(eq + 1);
    const std::string where = origin + ": override '" + text + "'";
    const auto dot = key.find('.');
    if ((dot != std::string::npos) != nestedPass)
        return;
    if (dot == std::string::npos) {
        const KeyInfo* info = findKey(key);
        if (!info)
            fail(where, "unknown key '" + key + "' (known: " + knownTopLevel() + ")");
        root[key] = overrideValue(key, info->type, value, where);
        return;
    }
    const std::string parent = key.substr(0, dot);
    const std::string child = key.substr(dot + 1);
    if (parent == "optimizer_params" || parent == "schedule_params") {
        // Checked by fromJson against the optimizer / schedule keys.
        if (!root.contains(parent))
            root[parent] = json::object();
        if (!root[parent].is_object())
            fail(origin, "'" + parent + "' must be an object, got " + typeName(root[parent]));
        const bool boolKey = child == "nesterov";
        root[parent][child] =
            overrideValue(key, boolKey ? KeyType::Bool : KeyType::Double, value, where);
        return;
    }
    if (parent != "model_params" && parent != "loss_params")
        fail(where, "unknown key '" + key +
                        "' (only model_params.<name>, loss_params.<name>, "
                        "optimizer_params.<name> and schedule_params.<name> take a dot)");
    const bool isModel = parent == "model_params";
    const TrainConfig defaults;
    const std::string model =
        root.contains("model") ? readString(root["model"], "model", origin) : defaults.model;
    const char* nameKey = isModel ? "model" : "loss";
    const std::string name =
        isModel ? model
        : root.contains("loss") && !readString(root["loss"], "loss", origin).empty()
            ? readString(root["loss"], "loss", origin)
            : defaultLossFor(model);
    const ComponentInfo& info = lookup(isModel, name, origin);
    const ParamSpec* spec = nullptr;
    for (const auto& p : info.params)
        if (p.key == child)
            spec = &p;
    if (!spec)
        fail(where,
             "unknown key '" + key + "' for '" + name + "' (known: " + knownParams(info) + ")");
    json parsed;
    switch (spec->type) {
    case ParamSpec::Type::Int:
        parsed = overrideValue(key, KeyType::Int, value, where);
        break;
    case ParamSpec::Type::Double:
        parsed = overrideValue(key, KeyType::Double, value, where);
        break;
    case ParamSpec::Type::Bool:
        if (value == "true" || value == "1" || value == "yes" || value == "on")
            parsed = true;
        else if (value == "false" || value == "0" || value == "no" || value == "off")
            parsed = false;
        else
            fail(where, "'" + key + "' must be true or false, got '" + value + "'");
        break;
    case ParamSpec::Type::Choice:
    case ParamSpec::Type::IntList:
        parsed = value;
        break;
    }
    if (!root.contains(parent))
        root[parent] = json::object();
    if (!root[parent].is_object())
        fail(origin, "'" + parent + "' must be an object, got " + typeName(root[parent]));
    root[parent][child] = parsed;
}

/// The loss of a model kind when the config names none (see TrainConfig).
std::string defaultLossFor(const std::string& model) {
    if (isCellCnnModel(model)) // seed 004 §3.2.2: compound classification
        return kCrossEntropyLoss;
    bool generative = false;
    try {
        generative = isGenerativeModel(model);
    } catch (const ConfigError&) {
    }
    return generative ? "elbo" : "supcon";
}

/// Reads an object of numbers/bools by key; unknown keys fail listing the known ones.
void readNumberObject(const json* obj, const std::string& objectKey,
                      const std::vector<std::string>& known, const std::string& origin,
                      const std::function<void(const std::string&, const json&)>& apply) {
    if (!obj)
        return;
    if (!obj->is_object())
        fail(origin, "'" + objectKey + "' must be an object, got " + typeName(*obj));
    std::string list;
    for (const auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
    for (const auto& item : obj->items()) {
        if (std::find(known.begin(), known.end(), item.key()) == known.end())
            fail(origin,
                 "unknown key '" + objectKey + "." + item.key() + "' (known: " + list + ")");
        apply(objectKey + "." + item.key(), item.value());
    }
}

/// optimizer / schedule / clipping keys; names and rates resolved by the model's kind.
void readOptimization(const json& root, TrainConfig& c, bool generative,
                      const std::string& origin) {
    const auto get = [&](const char* key) { return root.contains(key) ? &root.at(key) : nullptr; };
    if (auto v = get("optimizer"))
        c.optimizer.name = readString(*v, "optimizer", origin);
    if (c.optimizer.name.empty())
        c.optimizer.name = generative ? "nadamw" : "adam";
    readNumberObject(get("optimizer_params"), "optimizer_params",
                     {"beta1", "beta2", "eps", "eps_root", "momentum", "nesterov"}, origin,
                     [&](const std::string& key, const json& v) {
                         if (key == "optimizer_params.nesterov")
                             c.optimizer.nesterov = readBool(v, key, origin);
                         else if (key == "optimizer_params.beta1")
                             c.optimizer.beta1 = readNumber(v, key, origin);
                         else if (key == "optimizer_params.beta2")
                             c.optimizer.beta2 = readNumber(v, key, origin);
                         else if (key == "optimizer_params.eps")
                             c.optimizer.eps = readNumber(v, key, origin);
                         else if (key == "optimizer_params.eps_root")
                             c.optimizer.epsRoot = readNumber(v, key, origin);
                         else
                             c.optimizer.momentum = readNumber(v, key, origin);
                     });
    if (auto v = get("schedule"))
        c.schedule.name = readString(*v, "schedule", origin);
    if (c.schedule.name.empty())
        c.schedule.name = generative ? "cosine" : "constant";
    readNumberObject(get("schedule_params"), "schedule_params",
                     {"final_fraction", "power", "warmup_epochs", "step_epochs", "gamma"}, origin,
                     [&](const std::string& key, const json& v) {
                         const double x = readNumber(v, key, origin);
                         if (key == "schedule_params.final_fraction")
                             c.schedule.finalFraction = x;
                         else if (key == "schedule_params.power")
                             c.schedule.power = x;
                         else if (key == "schedule_params.warmup_epochs")
                             c.warmupEpochs = x;
                         else if (key == "schedule_params.step_epochs")
                             c.stepEpochs = x;
                         else
                             c.schedule.gamma = x;
                     });
    checkRange(c.warmupEpochs, 0, 1e6, "schedule_params.warmup_epochs", origin);
    checkRange(c.stepEpochs, 0, 1e6, "schedule_params.step_epochs", origin);
    if (c.schedule.name == "step" && !(c.stepEpochs > 0))
        fail(origin, "schedule 'step' needs 'schedule_params.step_epochs' > 0");
    if (auto v = get("clip_norm"))
        c.clipNorm = readNumber(*v, "clip_norm", origin);
    checkRange(c.clipNorm, 0, 1e9, "clip_norm", origin);
    c.optimizer.learningRate = c.learningRate;
    c.optimizer.weightDecay = c.weightDecay;
    // Steps are not known here; validate the schedule with placeholder step counts.
    ScheduleConfig probe = c.schedule;
    probe.stepSize = std::max<int64_t>(1, probe.stepSize);
    try {
        validate(c.optimizer);
        validate(probe);
    } catch (const ConfigError& e) {
        fail(origin, e.what());
    }
}

TrainConfig fromJson(const json& root, const std::string& origin) {
    for (const auto& item : root.items())
        if (!findKey(item.key()))
            fail(origin, "unknown key '" + item.key() + "' (known: " + knownTopLevel() + ")");
    TrainConfig c;
    const auto get = [&](const char* key) { return root.contains(key) ? &root.at(key) : nullptr; };
    if (auto v = get("model"))
        c.model = readString(*v, "model", origin);
    readParams(get("model_params"), lookup(true, c.model, origin), "model_params", origin,
               c.modelParams, c.modelChoices);
    const bool generative = findModel(c.model).kind == "generative";
    if (auto v = get("loss"))
        c.loss = readString(*v, "loss", origin);
    if (c.loss.empty())
        c.loss = defaultLossFor(c.model);
    const ComponentInfo& lossInfo = lookup(false, c.loss, origin);
    // Each model kind trains with its own kind of loss: encoder - contrastive, generative -
    // generative, classifier (the cell CNN) - classifier. Caught here, not at the first batch.
    const std::string& modelKind = findModel(c.model).kind;
    const std::string wantedLoss = modelKind == "encoder" ? "contrastive" : modelKind;
    if (lossInfo.kind != wantedLoss)
        fail(origin, "loss '" + c.loss + "' does not fit model '" + c.model + "' (" +
                         (generative ? "a generative model trains with 'elbo' or 'metric-elbo'"
                          : modelKind == "classifier"
                              ? "a classifier trains with 'cross-entropy'"
                              : "an encoder trains with a contrastive loss, not '" + c.loss + "'") +
                         ")");
    readParams(get("loss_params"), lossInfo, "loss_params", origin, c.lossParams, c.lossChoices);
    if (auto v = get("epochs"))
        c.epochs =
            static_cast<int>(std::clamp<int64_t>(readInt(*v, "epochs", origin), -1, 1 << 30));
    // 0 = the untrained reference run (initial weights, losses evaluated once).
    checkRange(c.epochs, 0, 1e6, "epochs", origin);
    if (auto v = get("batch_size"))
        c.batchSize =
            static_cast<int>(std::clamp<int64_t>(readInt(*v, "batch_size", origin), -1, 1 << 30));
    checkRange(c.batchSize, 2, 1e6, "batch_size", origin);
    if (auto v = get("learning_rate"))
        c.learningRate = readNumber(*v, "learning_rate", origin);
    if (c.learningRate == 0) // seed 001 §3.3.2: I = 1e-3; 3e-3 was tuned on the seed-000 demo
        c.learningRate = generative ? 1e-3 : 3e-3;
    if (!(c.learningRate > 0 && c.learningRate <= 10))
        fail(origin, "'learning_rate' must be in (0, 10], got " + number(c.learningRate));
    if (auto v = get("weight_decay"))
        c.weightDecay = readNumber(*v, "weight_decay", origin);
    checkRange(c.weightDecay, 0, 1e3, "weight_decay", origin);
    readOptimization(root, c, generative, origin);
    if (auto v = get("seed")) {
        if (v->is_number_unsigned())
            c.seed = v->get<uint64_t>();
        else if (readInt(*v, "seed", origin) >= 0)
            c.seed = static_cast<uint64_t>(readInt(*v, "seed", origin));
        else
            fail(origin, "'seed' must be >= 0, got " + v->dump());
    }
    if (auto v = get("device"))
        c.device = readString(*v, "device", origin);
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
        fail(origin, "'device' must be one of auto, cpu, cuda, got '" + c.device + "'");
    if (auto v = get("threads"))
        c.threads =
            static_cast<int>(std::clamp<int64_t>(readInt(*v, "threads", origin), -1, 1 << 20));
    checkRange(c.threads, 0, 1024, "threads", origin);
    if (auto v = get("group_column"))
        c.groupColumn = readString(*v, "group_column", origin);
    if (c.groupColumn.empty())
        fail(origin, "'group_column' must not be empty");
    if (auto v = get("label_column"))
        c.labelColumn = readString(*v, "label_column", origin);
    if (auto v = get("substance_column"))
        c.substanceColumn = readString(*v, "substance_column", origin);
    if (auto v = get("dose_column"))
        c.doseColumn = readString(*v, "dose_column", origin);
    if (c.substanceColumn.empty() || c.doseColumn.empty())
        fail(origin, "'substance_column' and 'dose_column' must not be empty");
    // Seed 003 metric-VAE: positives matched on individual and time; "hld" instances.
    if (auto v = get("individual_column"))
        c.individualColumn = readString(*v, "individual_column", origin);
    if (auto v = get("time_column"))
        c.timeColumn = readString(*v, "time_column", origin);
    if (c.timeColumn.empty())
        fail(origin, "'time_column' must not be empty");
    if (auto v = get("holdout"))
        c.holdout = readStringList(*v, "holdout", origin);
    if (!c.holdout.empty() && !generative)
        fail(origin, "'holdout' leaves groups out of the training of generative models only; "
                     "the encoder '" +
                         c.model +
                         "' would train on every group (remove 'holdout' or filter "
                         "the data set)");
    if (auto v = get("run_name"))
        c.runName = readString(*v, "run_name", origin);
    // Seed §4.3.2 / §4.3.3: augmentations (training only) and the coordinate representation.
    if (auto v = get("augment"))
        c.augment = readChoice(*v, "augment", {"none", "dihedral"}, origin);
    if (auto v = get("coordinates"))
        c.coordinates = readChoice(*v, "coordinates", {"cartesian", "egocentric"}, origin);
    if (auto v = get("ego_augment"))
        c.egoAugment = readBool(*v, "ego_augment", origin);
    if (c.egoAugment && c.coordinates != "egocentric")
        fail(origin, "'ego_augment' scales d and flips θ of egocentric coordinates: it needs "
                     "'coordinates' = egocentric, got '" +
                         c.coordinates + "'");
    if (auto v = get("metrics_every"))
        c.metricsEvery = static_cast<int>(
            std::clamp<int64_t>(readInt(*v, "metrics_every", origin), -1, 1 << 30));
    checkRange(c.metricsEvery, 0, 1e6, "metrics_every", origin);
    if (auto v = get("input_shape"); v && !v->is_array())
        fail(origin, "'input_shape' must be an array, got " + typeName(*v));
    return c;
}

/// Params as typed JSON in spec order (unknown components/keys: raw values, so a bad config
/// built in code still reaches the parser's error messages).
nlohmann::ordered_json paramsJson(bool model, const std::string& name,
                                  const std::map<std::string, double>& params,
                                  const std::map<std::string, std::string>& choices) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    const ComponentInfo* info = nullptr;
    try {
        info = model ? &findModel(name) : &findLoss(name);
    } catch (const ConfigError&) {
    }
    if (info) {
        for (const auto& spec : info->params) {
            const auto p = params.find(spec.key);
            const double v = p == params.end() ? spec.defaultValue : p->second;
            switch (spec.type) {
            case ParamSpec::Type::Int:
                out[spec.key] = static_cast<int64_t>(std::llround(v));
                break;
            case ParamSpec::Type::Double:
                out[spec.key] = v;
                break;
            case ParamSpec::Type::Bool:
                out[spec.key] = v != 0;
                break;
            case ParamSpec::Type::Choice:
            case ParamSpec::Type::IntList: {
                const auto c = choices.find(spec.key);
                out[spec.key] = c == choices.end() ? spec.defaultChoice : c->second;
                break;
            }
            }
        }
    }
    for (const auto& [k, v] : params)
        if (!out.contains(k))
            out[k] = v;
    for (const auto& [k, v] : choices)
        if (!out.contains(k))
            out[k] = v;
    return out;
}

} // namespace

TrainConfig parseTrainConfig(const std::string& text, const std::vector<std::string>& overrides,
                             const std::string& origin) {
    json root = json::object();
    if (text.find_first_not_of(" \t\r\n") != std::string::npos) {
        try {
            root = json::parse(text);
        } catch (const json::parse_error& e) {
            fail(origin, std::string("malformed JSON: ") + e.what());
        }
    }
    if (!root.is_object())
        fail(origin, "a training config must be a JSON object, got " + typeName(root));
    // Top-level overrides first, so "model=..." decides which model_params.* are valid.
    for (const auto& o : overrides)
        applyOverride(root, o, false, origin);
    for (const auto& o : overrides)
        applyOverride(root, o, true, origin);
    return fromJson(root, origin);
}

std::string toJson(const TrainConfig& c) {
    nlohmann::ordered_json out;
    out["model"] = c.model;
    out["model_params"] = paramsJson(true, c.model, c.modelParams, c.modelChoices);
    out["loss"] = c.loss;
    out["loss_params"] = paramsJson(false, c.loss, c.lossParams, c.lossChoices);
    out["epochs"] = c.epochs;
    out["batch_size"] = c.batchSize;
    out["learning_rate"] = c.learningRate;
    out["weight_decay"] = c.weightDecay;
    out["optimizer"] = c.optimizer.name;
    out["optimizer_params"] = {
        {"beta1", c.optimizer.beta1},       {"beta2", c.optimizer.beta2},
        {"eps", c.optimizer.eps},           {"eps_root", c.optimizer.epsRoot},
        {"momentum", c.optimizer.momentum}, {"nesterov", c.optimizer.nesterov}};
    out["schedule"] = c.schedule.name;
    out["schedule_params"] = {{"final_fraction", c.schedule.finalFraction},
                              {"power", c.schedule.power},
                              {"warmup_epochs", c.warmupEpochs},
                              {"step_epochs", c.stepEpochs},
                              {"gamma", c.schedule.gamma}};
    out["clip_norm"] = c.clipNorm;
    out["seed"] = c.seed;
    out["device"] = c.device;
    out["threads"] = c.threads;
    out["group_column"] = c.groupColumn;
    out["label_column"] = c.labelColumn;
    out["substance_column"] = c.substanceColumn;
    out["dose_column"] = c.doseColumn;
    out["individual_column"] = c.individualColumn;
    out["time_column"] = c.timeColumn;
    out["holdout"] = c.holdout;
    out["run_name"] = c.runName;
    out["augment"] = c.augment;
    out["coordinates"] = c.coordinates;
    out["ego_augment"] = c.egoAugment;
    out["metrics_every"] = c.metricsEvery;
    return out.dump(2);
}

} // namespace embedscope
