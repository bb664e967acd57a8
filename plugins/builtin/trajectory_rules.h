#pragma once
// Rules that turn raw tracked positions into equal-length trajectories (SPEC S0 "Data"):
// invalid positions are interpolated from the nearest valid ones, recordings are resampled to
// one rate, and the length rules drop, pad or cut them (the seed: < 83,000 steps dropped,
// padded with the last position up to 90,000, cut at 90,000).
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope::plugins {

struct LengthRules {
    int64_t minSteps = 0; ///< trajectories shorter than this are dropped (0: none)
    int64_t padTo = 0;    ///< > 0: pad with the last value up to padTo and cut longer ones
};

enum class LengthOutcome { Kept, Padded, Cut, Dropped };
std::string toString(LengthOutcome outcome);

/// The seed's rules at 25 Hz: minSteps 83,000, padTo 90,000.
LengthRules seedLengthRules();

/// Applies the rules in place to the channels of one trajectory (equal lengths; padding repeats
/// each channel's last value). Dropped trajectories are left untouched.
LengthOutcome applyLengthRules(std::vector<std::vector<double>>& channels,
                               const LengthRules& rules);

/// Replaces every value whose valid[i] is false by linear interpolation between the nearest
/// valid values before and after (the nearest valid value at the ends). Returns how many were
/// replaced. Returns -1, changing nothing, when no value is valid.
int64_t interpolateInvalid(std::vector<double>& values, const std::vector<bool>& valid);

/// The median spacing of ascending time stamps (0 with fewer than two).
double medianStep(const std::vector<double>& times);

/// A regular grid start, start + 1/rate, ... up to `end` (inclusive, with a 1e-9 s tolerance).
std::vector<double> regularGrid(double start, double end, double rateHz);

/// Values at `grid` from samples at ascending `times`: linear interpolation (clamped to the
/// ends) or, with `nearest`, the value of the nearest sample (ties to the earlier one).
std::vector<double> resample(const std::vector<double>& times, const std::vector<double>& values,
                             const std::vector<double>& grid, bool nearest);

} // namespace embedscope::plugins
