#pragma once
// Open-field simulator: the built-in demo data with a known, documented ground truth.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"

#include <cstdint>
#include <string>

namespace embedscope {

struct OpenFieldParams {
    int substances = 3;      ///< S active substances
    int doses = 3;           ///< D doses per substance (dose levels 1..D)
    int animalsPerGroup = 8; ///< A animals in every group (control included)
    double minutes = 60.0;   ///< recording length; 60 min = 90,000 steps at 25 Hz
    double rateHz = 25.0;
    double cageCm = 40.0;
    int experiments = 4;       ///< cohorts: animal a of every group belongs to experiment a % E
    double valFraction = 0.25; ///< fraction of experiments in "val"
    uint64_t seed = 1;
};

/// Steps in a recording: round(minutes * 60 * rateHz).
int64_t openFieldSteps(const OpenFieldParams& params);

/// Simulates (S * D + 1) * A rats. Sample shape (3, T): x, y in (-1, 1) (cage mapped from
/// [0, cageCm]), z in {0, 1} (rearing). Metadata columns: animal, experiment, substance
/// ("control" or "S1".."SS"), dose (0 for control, else 1..D), group ("control", "S1@2", ...),
/// indication (the primary profile: "stimulant-like", ... or "control"),
/// split ("train"/"val", by experiment). Deterministic for a seed. Throws ConfigError for
/// out-of-range parameters; checks ctx for cancellation once per animal.
Dataset simulateOpenField(const OpenFieldParams& params, const JobContext& ctx = JobContext());

/// The documented dose effect of substance s (1-based) on each behavioural parameter, for
/// reports and tests. Returns JSON text.
std::string openFieldGroundTruthJson(const OpenFieldParams& params);

} // namespace embedscope
