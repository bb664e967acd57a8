// Sweep specs (issue 6): parsing with field-naming errors, and expansion into runs: grid
// products, or random draws (seed 002 §4.3: random search with per-parameter scales), each
// configuration repeated with seeds seed, seed + 1, ... (seed 000: repeats for μ ± 2σ).
#include "embedscope/engine/sweep.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"
#include "embedscope/engine/training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

namespace embedscope {
namespace {

using json = nlohmann::ordered_json;

constexpr long long kMaxRuns = 10000;

[[noreturn]] void fail(const std::string& origin, const std::string& field,
                       const std::string& message) {
    throw ConfigError(origin + ": " + field + ": " + message);
}

std::string typeName(const json& v) {
    return v.type_name();
}

/// The text `train --set key=` receives for a spec value (numbers as JSON writes them).
std::string valueText(const json& v, const std::string& origin, const std::string& field) {
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_number())
        return v.dump();
    if (v.is_array()) {
        std::string out;
        for (const auto& item : v) {
            if (item.is_array() || item.is_object() || item.is_null())
                fail(origin, field, "a list value may hold only numbers, text or booleans");
            out += (out.empty() ? "" : ",") + valueText(item, origin, field);
        }
        return out;
    }
    fail(origin, field, "expected a number, text, boolean or list, got " + typeName(v));
}

/// Whether the base config accepts `key=value` (parseTrainConfig names the problem).
void checkValue(const std::string& base, const std::string& key, const std::string& value,
                const std::string& origin, const std::string& field) {
    try {
        parseTrainConfig(base, {key + "=" + value}, origin + ": " + field);
    } catch (const ConfigError& e) {
        throw ConfigError(e.what());
    }
}

double readNumber(const json& object, const char* name, const std::string& origin,
                  const std::string& field) {
    if (!object.contains(name))
        fail(origin, field, std::string("missing '") + name + "'");
    if (!object[name].is_number())
        fail(origin, field + "." + name, "expected a number, got " + typeName(object[name]));
    const double v = object[name].get<double>();
    if (!std::isfinite(v))
        fail(origin, field + "." + name, "expected a finite number");
    return v;
}

std::string formatDouble(double v) {
    char text[40];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

SweepParameter parseParameter(const std::string& key, const json& v, const std::string& method,
                              const std::string& base, const std::string& origin) {
    const std::string field = "parameters." + key;
    if (key == "seed" || key == "run_name")
        fail(origin, field,
             "cannot be swept ('repeats' and 'seed' set the run seeds, the sweep "
             "names the runs)");
    SweepParameter p;
    p.key = key;
    if (v.is_array()) {
        if (v.empty())
            fail(origin, field, "empty list of values");
        p.kind = method == "grid" ? SweepParameter::Kind::Values : SweepParameter::Kind::Choice;
        for (const auto& item : v)
            p.values.push_back(valueText(item, origin, field));
    } else if (v.is_object()) {
        if (method == "grid")
            fail(origin, field,
                 "a distribution in a grid sweep (use a list of values, or \"method\": "
                 "\"random\")");
        for (const auto& item : v.items())
            if (item.key() != "distribution" && item.key() != "low" && item.key() != "high" &&
                item.key() != "values")
                fail(origin, field + "." + item.key(),
                     "unknown key (known: distribution, low, high, values)");
        if (!v.contains("distribution") || !v["distribution"].is_string())
            fail(origin, field + ".distribution",
                 "expected one of \"uniform\", \"log-uniform\", \"int\", \"choice\"");
        const std::string d = v["distribution"].get<std::string>();
        if (d == "choice") {
            if (!v.contains("values") || !v["values"].is_array() || v["values"].empty())
                fail(origin, field + ".values", "expected a non-empty list");
            p.kind = SweepParameter::Kind::Choice;
            for (const auto& item : v["values"])
                p.values.push_back(valueText(item, origin, field + ".values"));
        } else if (d == "uniform" || d == "log-uniform" || d == "int") {
            p.kind = d == "uniform"       ? SweepParameter::Kind::Uniform
                     : d == "log-uniform" ? SweepParameter::Kind::LogUniform
                                          : SweepParameter::Kind::Integer;
            p.low = readNumber(v, "low", origin, field);
            p.high = readNumber(v, "high", origin, field);
            if (p.low >= p.high)
                fail(origin, field,
                     "low (" + formatDouble(p.low) + ") must be below high (" +
                         formatDouble(p.high) + ")");
            if (p.kind == SweepParameter::Kind::LogUniform && p.low <= 0)
                fail(origin, field + ".low", "log-uniform needs low > 0");
            if (p.kind == SweepParameter::Kind::Integer &&
                (p.low != std::floor(p.low) || p.high != std::floor(p.high)))
                fail(origin, field, "int bounds must be whole numbers");
            // Both ends must be acceptable values of the key.
            for (const double bound : {p.low, p.high})
                p.values.push_back(p.kind == SweepParameter::Kind::Integer
                                       ? std::to_string(static_cast<long long>(bound))
                                       : formatDouble(bound));
        } else {
            fail(origin, field + ".distribution",
                 "unknown distribution '" + d + "' (known: uniform, log-uniform, int, choice)");
        }
    } else {
        fail(origin, field,
             "expected a list of values or a {\"distribution\": ...} object, got " + typeName(v));
    }
    for (const auto& value : p.values)
        checkValue(base, key, value, origin, field);
    if (p.kind == SweepParameter::Kind::Uniform || p.kind == SweepParameter::Kind::LogUniform ||
        p.kind == SweepParameter::Kind::Integer)
        p.values.clear(); // they were only the bounds, for the check
    return p;
}

std::string readBaseFile(const std::string& path, const std::string& origin) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(origin, "base_config", "cannot read '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Configurations of a spec (grid product or random trials); capped to detect overflow.
long long configurationCount(const SweepSpec& spec) {
    if (spec.method == "random")
        return spec.trials;
    long long n = 1;
    for (const auto& p : spec.parameters)
        n = std::min(n * static_cast<long long>(p.values.size()), kMaxRuns + 1);
    return n;
}

/// A uniform double in [0, 1) from 53 random bits: the same on every standard library.
double unit(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

std::string draw(const SweepParameter& p, std::mt19937_64& rng) {
    const double u = unit(rng);
    switch (p.kind) {
    case SweepParameter::Kind::Uniform:
        return formatDouble(p.low + u * (p.high - p.low));
    case SweepParameter::Kind::LogUniform:
        return formatDouble(std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low))));
    case SweepParameter::Kind::Integer: {
        const long long span = static_cast<long long>(p.high - p.low) + 1; // inclusive bounds
        const long long k = std::min(span - 1, static_cast<long long>(u * double(span)));
        return std::to_string(static_cast<long long>(p.low) + k);
    }
    case SweepParameter::Kind::Values:
    case SweepParameter::Kind::Choice:
        break;
    }
    const std::size_t n = p.values.size();
    return p.values[std::min(n - 1, static_cast<std::size_t>(u * double(n)))];
}

} // namespace

SweepSpec parseSweepSpec(const std::string& text, const std::string& origin,
                         const std::string& baseDir) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ConfigError(origin + ": malformed JSON (" + e.what() + ")");
    }
    if (!root.is_object())
        throw ConfigError(origin + ": a sweep spec must be a JSON object, got " + typeName(root));
    static const std::set<std::string> known = {"name",   "base",       "base_config",
                                                "method", "trials",     "repeats",
                                                "seed",   "parameters", "metrics"};
    for (const auto& item : root.items())
        if (!known.count(item.key()))
            fail(origin, item.key(),
                 "unknown key (known: name, base, base_config, method, trials, repeats, seed, "
                 "parameters, metrics)");

    SweepSpec spec;
    if (!root.contains("name") || !root["name"].is_string() ||
        root["name"].get<std::string>().empty())
        fail(origin, "name", "expected a non-empty text (the prefix of the run names)");
    spec.name = root["name"].get<std::string>();
    if (spec.name.find_first_of("/\\ \t\n\"'") != std::string::npos)
        fail(origin, "name", "'" + spec.name + "' may not hold slashes, quotes or spaces");

    if (root.contains("base") && root.contains("base_config"))
        fail(origin, "base", "give either 'base' or 'base_config', not both");
    if (root.contains("base")) {
        if (!root["base"].is_object())
            fail(origin, "base",
                 "expected a training config object, got " + typeName(root["base"]));
        spec.baseConfigJson = root["base"].dump();
    } else if (root.contains("base_config")) {
        if (!root["base_config"].is_string())
            fail(origin, "base_config", "expected a file name");
        std::string path = root["base_config"].get<std::string>();
        if (!baseDir.empty() && !path.empty() && path[0] != '/')
            path = baseDir + "/" + path;
        spec.baseConfigJson = readBaseFile(path, origin);
    }
    parseTrainConfig(spec.baseConfigJson, {}, origin + ": base");

    if (root.contains("method")) {
        if (!root["method"].is_string() || (root["method"] != "grid" && root["method"] != "random"))
            fail(origin, "method", "expected \"grid\" or \"random\"");
        spec.method = root["method"].get<std::string>();
    }
    const auto readInt = [&](const char* key, long long low) {
        const json& v = root[key];
        if (!v.is_number_integer() || v.get<long long>() < low)
            fail(origin, key,
                 "expected a whole number >= " + std::to_string(low) + ", got " + v.dump());
        return v.get<long long>();
    };
    if (root.contains("trials")) {
        if (spec.method != "random")
            fail(origin, "trials", "only a random sweep takes trials");
        spec.trials = static_cast<int>(std::min(readInt("trials", 1), kMaxRuns + 1));
    } else if (spec.method == "random") {
        fail(origin, "trials", "a random sweep needs trials >= 1");
    }
    if (root.contains("repeats"))
        spec.repeats = static_cast<int>(std::min(readInt("repeats", 1), kMaxRuns + 1));
    if (root.contains("seed"))
        spec.seed = static_cast<uint64_t>(readInt("seed", 0));

    if (root.contains("parameters")) {
        if (!root["parameters"].is_object())
            fail(origin, "parameters", "expected an object of key: values");
        for (const auto& item : root["parameters"].items())
            spec.parameters.push_back(
                parseParameter(item.key(), item.value(), spec.method, spec.baseConfigJson, origin));
    }
    if (spec.method == "random" && spec.parameters.empty())
        fail(origin, "parameters", "a random sweep needs at least one parameter");

    if (root.contains("metrics")) {
        if (!root["metrics"].is_array())
            fail(origin, "metrics", "expected a list of metric names");
        static const std::set<std::string> generative = {
            "recon_mse",       "recon_bce",  "kld",     "eval_samples",       "logreg_accuracy",
            "logreg_f1_macro", "kmeans_ari", "dec_ari", "logreg_accuracy_se", "logreg_f1_macro_se"};
        const auto& seed000 = metricKeys();
        for (const auto& m : root["metrics"]) {
            const std::string key = m.is_string() ? m.get<std::string>() : m.dump();
            if (!m.is_string() ||
                (std::find(seed000.begin(), seed000.end(), key) == seed000.end() &&
                 !generative.count(key) && key.rfind("f1_class_", 0) != 0))
                fail(origin, "metrics",
                     "unknown metric '" + key +
                         "' (known: wss_tss, ga_wss_tss, pnn3, dr, davies_bouldin, f1_micro, "
                         "recon_mse, recon_bce, kld, logreg_accuracy, logreg_f1_macro, "
                         "kmeans_ari, dec_ari, f1_class_<label>)");
            spec.metrics.push_back(key);
        }
    }

    const long long runs = configurationCount(spec) * spec.repeats;
    if (runs > kMaxRuns)
        fail(origin, spec.method == "random" ? "trials" : "parameters",
             "the sweep would make more than " + std::to_string(kMaxRuns) +
                 " runs (configurations x repeats)");
    return spec;
}

std::vector<SweepRunSpec> expandSweep(const SweepSpec& spec) {
    std::vector<std::vector<std::pair<std::string, std::string>>> configs;
    if (spec.method == "random") {
        std::mt19937_64 rng(spec.seed); // the draws depend on spec.seed only
        for (int t = 0; t < spec.trials; ++t) {
            std::vector<std::pair<std::string, std::string>> c;
            for (const auto& p : spec.parameters)
                c.emplace_back(p.key, draw(p, rng));
            configs.push_back(std::move(c));
        }
    } else {
        // Mixed-radix counter: the last parameter varies fastest.
        const long long n = configurationCount(spec);
        for (long long i = 0; i < n; ++i) {
            std::vector<std::pair<std::string, std::string>> c(spec.parameters.size());
            long long rest = i;
            for (std::size_t k = spec.parameters.size(); k-- > 0;) {
                const auto& values = spec.parameters[k].values;
                const long long size = static_cast<long long>(values.size());
                c[k] = {spec.parameters[k].key, values[static_cast<std::size_t>(rest % size)]};
                rest /= size;
            }
            configs.push_back(std::move(c));
        }
    }
    std::vector<SweepRunSpec> runs;
    for (std::size_t c = 0; c < configs.size(); ++c) {
        for (int r = 0; r < spec.repeats; ++r) {
            SweepRunSpec run;
            char suffix[48];
            if (spec.repeats > 1)
                std::snprintf(suffix, sizeof suffix, "-%03zu-r%d", c + 1, r + 1);
            else
                std::snprintf(suffix, sizeof suffix, "-%03zu", c + 1);
            run.name = spec.name + suffix;
            run.configuration = static_cast<int>(c);
            run.repeat = r;
            run.seed = spec.seed + static_cast<uint64_t>(r);
            run.overrides = configs[c];
            runs.push_back(std::move(run));
        }
    }
    return runs;
}

} // namespace embedscope
