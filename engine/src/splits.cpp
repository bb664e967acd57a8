#include "embedscope/engine/splits.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace embedscope {
namespace {

uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// Uniform in [0, n) without modulo bias (rejection), so the split is the same everywhere.
uint64_t below(uint64_t& state, uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r = splitMix64(state);
    while (r >= limit)
        r = splitMix64(state);
    return r % n;
}

} // namespace

std::map<std::string, std::string> splitExperiments(const std::vector<std::string>& experiments,
                                                    const SplitOptions& options) {
    if (!(options.valFraction >= 0 && options.valFraction < 1))
        throw ConfigError("split: val fraction must be in [0, 1) (got " +
                          std::to_string(options.valFraction) + ")");
    if (options.testCount < 0)
        throw ConfigError("split: test count must be >= 0 (got " +
                          std::to_string(options.testCount) + ")");
    const std::set<std::string> distinct(experiments.begin(), experiments.end());
    std::map<std::string, std::string> out;
    for (const auto& name : options.testExperiments) {
        if (!distinct.count(name))
            throw ConfigError("split: test experiment '" + name + "' is not in the data (" +
                              std::to_string(distinct.size()) + " experiments)");
        out[name] = "test";
    }
    std::vector<std::string> rest;
    for (const auto& name : distinct) // sorted: independent of sample order
        if (!out.count(name))
            rest.push_back(name);
    uint64_t state = options.seed;
    for (std::size_t i = rest.size(); i > 1; --i)
        std::swap(rest[i - 1], rest[below(state, i)]);
    const auto tests = static_cast<std::size_t>(options.testCount);
    if (tests > 0 && tests >= rest.size())
        throw ConfigError("split: a test set of " + std::to_string(tests) + " experiments leaves " +
                          "no training experiment (" + std::to_string(rest.size()) + " left)");
    if (rest.empty() && !distinct.empty())
        throw ConfigError("split: the named test experiments leave no training experiment");
    std::size_t i = 0;
    for (; i < tests; ++i)
        out[rest[i]] = "test";
    const std::size_t remaining = rest.size() - tests;
    auto val = static_cast<std::size_t>(std::llround(options.valFraction * remaining));
    if (remaining >= 2 && options.valFraction > 0)
        val = std::clamp<std::size_t>(val, 1, remaining - 1);
    else if (remaining < 2)
        val = 0;
    for (std::size_t k = 0; k < val; ++k, ++i)
        out[rest[i]] = "val";
    for (; i < rest.size(); ++i)
        out[rest[i]] = "train";
    return out;
}

std::vector<std::string> assignSplits(const std::vector<std::string>& experiments,
                                      const SplitOptions& options) {
    const auto byExperiment = splitExperiments(experiments, options);
    std::vector<std::string> out;
    out.reserve(experiments.size());
    for (const auto& e : experiments)
        out.push_back(byExperiment.at(e));
    return out;
}

void addExperimentSplit(Dataset& data, const SplitOptions& options) {
    if (!data.metadata.has("experiment"))
        throw DataError("dataset '" + data.name +
                        "': no 'experiment' column to split by (give one in the metadata)");
    const MetadataColumn& column = data.metadata.column("experiment");
    std::vector<std::string> experiments;
    for (std::size_t r = 0; r < column.size(); ++r) {
        experiments.push_back(column.text(r));
        if (experiments.back().empty())
            throw DataError("dataset '" + data.name + "', row " + std::to_string(r) +
                            ": empty experiment name");
    }
    data.metadata.addStrings(Dataset::kSplitColumn, assignSplits(experiments, options));
}

} // namespace embedscope
