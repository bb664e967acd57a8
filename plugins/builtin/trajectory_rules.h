#pragma once
// Rules that turn raw tracked positions into equal-length trajectories (SPEC S0 "Data", seed
// 000 §3.1.2): positions outside the cage are interpolated from the nearest valid ones,
// recordings are resampled to one rate (25 Hz), x and y are mapped from the cage to (-1, 1),
// z stays in {0, 1}, and the length rules drop, pad or cut them (the seed: < 83,000 steps
// dropped, padded with the last position up to 90,000, cut at 90,000).
#include "embedscope/engine/reader.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace embedscope::plugins {

struct LengthRules {
    int64_t minSteps = 0; ///< trajectories shorter than this are dropped (0: none)
    int64_t padTo = 0;    ///< > 0: pad with the last value up to padTo and cut longer ones
};

enum class LengthOutcome { Kept, Padded, Cut, Dropped };
std::string toString(LengthOutcome outcome);

/// The seed's rules at 25 Hz: minSteps 83,000, padTo 90,000 (seed 000 §3.1.2).
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

/// The cage in source units: x in [x0, x1], y in [y0, y1]. The seed's cage is 40 x 40 cm.
struct Cage {
    double x0 = 0, y0 = 0, x1 = 40, y1 = 40;
    bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

/// Maps v from [lo, hi] to (-1, 1), clamped to +-0.999 so mapped positions stay strictly inside.
double mapToUnit(double v, double lo, double hi);

/// Every preprocessing setting; the defaults are the seed's (25 Hz, 40 cm cage, 83,000/90,000).
struct TrajectoryRules {
    Cage cage;
    double rateHz = 25.0;
    LengthRules length = seedLengthRules();
};

/// One trajectory as read: ascending times [s], positions in cage units, z (0/1), and an
/// optional per-row validity from the source (e.g. tracking likelihood); empty = all valid.
struct RawTrack {
    std::vector<double> t, x, y, z;
    std::vector<bool> valid;
};

struct PreprocessResult {
    LengthOutcome outcome = LengthOutcome::Kept;
    int64_t interpolated = 0;   ///< rows replaced by interpolation (invalid or outside)
    double resampledFromHz = 0; ///< source rate when resampled, else 0
    std::vector<std::vector<double>> channels; ///< x, y mapped to (-1, 1); z in {0, 1}
};

/// Runs the rules on one trajectory (consumed): invalid rows (source-invalid, non-finite or
/// outside the cage) are interpolated linearly from the nearest valid ones, the track is
/// resampled to rules.rateHz when its median step differs by more than 1 % (x, y linear, z
/// nearest), mapped, and the length rules applied. Throws DataError naming `where` when no row
/// is valid.
PreprocessResult preprocessTrack(RawTrack track, const TrajectoryRules& rules,
                                 const std::string& where);

/// Reads the shared options into `rules` (starting from its values): cage (SIZE for
/// [0, SIZE]^2, or X0,Y0,X1,Y1), rate (Hz), min_steps, pad_to, rules (seed|none). Throws
/// ConfigError naming the reader and the option for a bad value, and for a key that is neither
/// shared nor in `readerKeys`.
void parseTrajectoryRules(const ReaderOptions& options, const std::string& reader,
                          const std::set<std::string>& readerKeys, TrajectoryRules& rules);

/// A positive finite number option (ConfigError otherwise), or `fallback` when absent.
double positiveOption(const ReaderOptions& options, const std::string& reader,
                      const std::string& key, double fallback);

} // namespace embedscope::plugins
