#pragma once
// Experiment-level train / val / test splits (SPEC S0 "Splits", seed 000 §3.3.2): every
// trajectory of one experiment goes to the same split, so a model is validated on experiments
// (and substances) it has not seen. A held-out test set of experiments, named or counted, is
// kept for visual inspection only.
//
// Determinism: the result depends only on the set of experiment names, the options and the
// seed, never on sample order, platform or standard library: the distinct names are sorted
// (byte order), shuffled by Fisher-Yates with a splitmix64 stream seeded with `seed`, and the
// first `testCount` (after removing named test experiments) become test, the next
// round(valFraction * remaining) become val (at least 1 and at most remaining - 1 when 2 or
// more experiments remain), the rest train.
#include "embedscope/engine/dataset.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace embedscope {

struct SplitOptions {
    double valFraction = 0.25;                ///< seed: 75 / 25 train / val
    uint64_t seed = 0;                        ///< fixed so every run gets the same split
    std::vector<std::string> testExperiments; ///< held out by name
    int testCount = 0;                        ///< or this many, drawn after the named ones
};

/// experiment name -> "train", "val" or "test". Throws ConfigError for a fraction outside
/// [0, 1), a negative count, a named test experiment that does not exist, or a test set that
/// would leave no training experiment.
std::map<std::string, std::string> splitExperiments(const std::vector<std::string>& experiments,
                                                    const SplitOptions& options);

/// The split of every sample from its experiment (same length and order as `experiments`).
std::vector<std::string> assignSplits(const std::vector<std::string>& experiments,
                                      const SplitOptions& options);

/// Sets data's split column from its "experiment" column. Throws DataError naming the data
/// set when it has no experiment column or an empty experiment name.
void addExperimentSplit(Dataset& data, const SplitOptions& options);

} // namespace embedscope
