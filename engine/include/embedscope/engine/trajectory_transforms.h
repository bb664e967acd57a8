#pragma once
// Pure transforms of one trajectory sample (C, T), row-major float: channel 0 = x, 1 = y, the
// rest (z, rearing) untouched. No torch here; the trainer applies them per batch.
//  - the 8 dihedral maps of the (x, y) plane (seed §4.3.2, SPEC S0 "Augmentation"),
//  - the egocentric coordinate representation (seed §4.3.3, eqs 4.1-4.3) and its two
//    augmentations (distance noise, turn-direction flip).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

// ---- dihedral group D4 on (x, y) -----------------------------------------------------------

/// Number of maps: 0 identity, 1 rotation 90° (counter-clockwise), 2 rotation 180°,
/// 3 rotation 270°, 4 flip about the x axis, 5 flip about the y axis, 6 flip about y = x,
/// 7 flip about y = -x. Seed §4.3.2: "rotations by 0, 90, 180 or 270 degrees ... flips in four
/// different axes: x, y, y = x and y = -x", each chosen with probability 1/8.
constexpr int kDihedralCount = 8;

/// Map k as a 2 x 2 integer matrix {a, b, c, d}: x' = a x + b y, y' = c x + d y.
/// Throws DataError for k outside [0, 8).
std::array<int, 4> dihedralMatrix(int k);
/// Short name of map k ("identity", "rot90", ..., "flip_y=-x").
std::string dihedralName(int k);
/// The index of "first b, then a" (matrix product A·B); the set is closed under it.
int dihedralCompose(int a, int b);
/// The index of the inverse of map k (dihedralCompose(k, inverse) == 0).
int dihedralInverse(int k);
/// Applies map k to channels 0 and 1 of a (C, T) sample in place. Values in (-1, 1) stay
/// there (every map permutes and negates coordinates). Throws DataError when C < 2.
void applyDihedral(float* sample, int64_t channels, int64_t length, int k);

// ---- egocentric coordinates ----------------------------------------------------------------

/// 3-sample running mean (seed §4.3.3: "three consecutive positions are averaged").
/// The seed does not say what happens at the ends. Choice: a centred window
/// out[i] = (in[i-1] + in[i] + in[i+1]) / 3, and at the two ends the mean of the two samples
/// that exist (out[0] = (in[0] + in[1]) / 2, out[T-1] = (in[T-2] + in[T-1]) / 2), so the
/// length is kept and there is no phase shift. T = 1: out = in. Computed in double.
std::vector<double> runningMean3(const float* in, int64_t length);

/// Eqs 4.1-4.3 on a path of positions (x[i], y[i]), no smoothing here. Writes d and θ
/// (length T each):
///   Δ_i = p_i - p_{i-1};  ν_i = 0 if Δ_i = 0, else atan2(Δy_i, Δx_i)   (4.1)
///   d_i = |Δ_i|, d_0 = 0                                                 (4.2)
///   θ_i = ν_i - ν_j wrapped to (-π, π], j < i the last index with d_j ≠ 0 (4.3)
/// with ν_{-1} = π (the seed's "arbitrary non-zero starting value") used while no move has
/// happened yet. Index 0 has no Δ: it counts as "no move" (ν_0 = 0, as d_0 = 0), so
/// θ_0 = wrap(0 - π) = π. Taken literally as printed: on a step without movement ν_i = 0, so
/// θ_i = wrap(-ν_j) (the heading of the last move, negated), not 0; a path that never moves
/// has θ = π throughout. Consequences: a straight run has θ = 0 from its second move on, and
/// its first move has θ = wrap(ν_1 - π) (an absolute heading); a left (counter-clockwise) turn
/// of 90° gives +π/2, a right turn -π/2, a reversal π (never -π). Rotating the path leaves d and
/// every θ after the first move unchanged only while the animal keeps moving: the stationary
/// steps carry -ν_j, which rotates with the path (the seed's claim that rotations become
/// irrelevant, §4.3.3, holds exactly only for θ = 0 on stationary steps). A mirror image
/// negates the θ of every move after the first (turns change side), except π.
void egocentricFromPositions(const double* x, const double* y, int64_t length, float* d,
                             float* theta);

/// The seed's representation of a (C, T) sample: channels 0, 1 = (x, y) are replaced by
/// (d, θ) computed from the 3-sample running mean of (x, y); channels >= 2 (z) are copied.
/// `in` and `out` may be the same buffer. Throws DataError when C < 2.
void egocentricCoordinates(const float* in, float* out, int64_t channels, int64_t length);

/// Seed §4.3.3 augmentation of an egocentric sample in place: d · eta and θ · sign
/// (sign = +1 or -1). The trainer draws eta ~ N(1, sd 0.5) (the seed's N(1, √0.25)) and
/// sign = ±1 with p = 0.5 once per sample. Throws DataError when C < 2 or sign is not ±1.
void applyEgoAugment(float* sample, int64_t channels, int64_t length, float eta, int sign);

} // namespace embedscope
