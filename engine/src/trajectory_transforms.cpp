// Trajectory transforms (no torch): dihedral maps (seed §4.3.2) and egocentric coordinates
// with their augmentations (seed §4.3.3, eqs 4.1-4.3).
#include "embedscope/engine/trajectory_transforms.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Rows: identity, rot90, rot180, rot270, flip about x, flip about y, flip about y = x,
// flip about y = -x. (x, y) -> (a x + b y, c x + d y).
constexpr std::array<std::array<int, 4>, kDihedralCount> kMatrices = {{
    {1, 0, 0, 1},   // identity
    {0, -1, 1, 0},  // rotation 90°: (x, y) -> (-y, x)
    {-1, 0, 0, -1}, // rotation 180°: (-x, -y)
    {0, 1, -1, 0},  // rotation 270°: (y, -x)
    {1, 0, 0, -1},  // flip about the x axis: (x, -y)
    {-1, 0, 0, 1},  // flip about the y axis: (-x, y)
    {0, 1, 1, 0},   // flip about y = x: (y, x)
    {0, -1, -1, 0}, // flip about y = -x: (-y, -x)
}};

const char* const kNames[kDihedralCount] = {"identity", "rot90",  "rot180",   "rot270",
                                            "flip_x",   "flip_y", "flip_y=x", "flip_y=-x"};

void checkIndex(int k) {
    if (k < 0 || k >= kDihedralCount)
        throw DataError("dihedral map index must be in [0, 8), got " + std::to_string(k));
}

void checkXY(int64_t channels, const char* what) {
    if (channels < 2)
        throw DataError(std::string(what) +
                        " needs x and y channels (C >= 2), got C = " + std::to_string(channels));
}

/// Eq 4.3: δ in (-2π, 2π) -> (-π, π].
double wrapAngle(double delta) {
    if (delta <= -kPi)
        return delta + 2 * kPi;
    if (delta > kPi)
        return delta - 2 * kPi;
    return delta;
}

/// An angle in (-π, π] as float. float(π) lies just above π, and a value just above -π would
/// round to -float(π): that one is the same direction as π, so it becomes float(π).
float toAngle(double wrapped) {
    const float f = static_cast<float>(wrapped);
    return f <= -static_cast<float>(kPi) ? static_cast<float>(kPi) : f;
}

} // namespace

std::array<int, 4> dihedralMatrix(int k) {
    checkIndex(k);
    return kMatrices[static_cast<std::size_t>(k)];
}

std::string dihedralName(int k) {
    checkIndex(k);
    return kNames[k];
}

int dihedralCompose(int a, int b) {
    const auto A = dihedralMatrix(a);
    const auto B = dihedralMatrix(b);
    const std::array<int, 4> product = {A[0] * B[0] + A[1] * B[2], A[0] * B[1] + A[1] * B[3],
                                        A[2] * B[0] + A[3] * B[2], A[2] * B[1] + A[3] * B[3]};
    for (int k = 0; k < kDihedralCount; ++k)
        if (kMatrices[static_cast<std::size_t>(k)] == product)
            return k;
    throw DataError("dihedral composition left the group (a bug)");
}

int dihedralInverse(int k) {
    checkIndex(k);
    for (int i = 0; i < kDihedralCount; ++i)
        if (dihedralCompose(k, i) == 0)
            return i;
    throw DataError("dihedral map without inverse (a bug)");
}

void applyDihedral(float* sample, int64_t channels, int64_t length, int k) {
    checkXY(channels, "the dihedral augmentation");
    const auto m = dihedralMatrix(k);
    if (k == 0)
        return;
    float* x = sample;
    float* y = sample + length;
    for (int64_t t = 0; t < length; ++t) {
        const float a = x[t], b = y[t];
        // Entries are 0 / ±1: exact in float, so no rounding and (-1, 1) stays (-1, 1).
        x[t] = float(m[0]) * a + float(m[1]) * b;
        y[t] = float(m[2]) * a + float(m[3]) * b;
    }
}

std::vector<double> runningMean3(const float* in, int64_t length) {
    std::vector<double> out(static_cast<std::size_t>(std::max<int64_t>(length, 0)));
    if (length == 1)
        out[0] = in[0];
    if (length < 2)
        return out;
    // Seed §4.3.3 gives no boundary rule: the ends average the two samples that exist.
    // Three equal floats sum exactly in double (3a needs 26 bits) and (3a) / 3 == a, so a
    // resting animal keeps exactly its position and d = 0 there, never a rounding "move".
    out[0] = (double(in[0]) + double(in[1])) / 2.0;
    for (int64_t i = 1; i + 1 < length; ++i)
        out[i] = (double(in[i - 1]) + double(in[i]) + double(in[i + 1])) / 3.0;
    out[length - 1] = (double(in[length - 2]) + double(in[length - 1])) / 2.0;
    return out;
}

void egocentricFromPositions(const double* x, const double* y, int64_t length, float* d,
                             float* theta) {
    if (length <= 0)
        return;
    // ν_{-1} = π: the reference heading until the first move (seed §4.3.3).
    double lastHeading = kPi;
    // i = 0: d_0 = 0 and no Δ, i.e. "no move": ν_0 = 0, θ_0 = wrap(0 - π) = π.
    d[0] = 0.0f;
    theta[0] = toAngle(wrapAngle(0.0 - lastHeading));
    for (int64_t i = 1; i < length; ++i) {
        const double dx = x[i] - x[i - 1];
        const double dy = y[i] - y[i - 1];
        const bool moved = dx != 0.0 || dy != 0.0;
        const double nu = moved ? std::atan2(dy, dx) : 0.0;      // eq 4.1
        d[i] = static_cast<float>(std::sqrt(dx * dx + dy * dy)); // eq 4.2
        theta[i] = toAngle(wrapAngle(nu - lastHeading));         // eq 4.3
        if (moved) // j = the most recent index with d_j != 0
            lastHeading = nu;
    }
}

void egocentricCoordinates(const float* in, float* out, int64_t channels, int64_t length) {
    checkXY(channels, "egocentric coordinates");
    const std::vector<double> x = runningMean3(in, length);
    const std::vector<double> y = runningMean3(in + length, length);
    if (out != in)
        for (int64_t c = 2; c < channels; ++c)
            std::copy(in + c * length, in + (c + 1) * length, out + c * length);
    egocentricFromPositions(x.data(), y.data(), length, out, out + length);
}

void applyEgoAugment(float* sample, int64_t channels, int64_t length, float eta, int sign) {
    checkXY(channels, "the egocentric augmentation");
    if (sign != 1 && sign != -1)
        throw DataError("the turn-direction factor must be +1 or -1, got " + std::to_string(sign));
    float* d = sample;
    float* theta = sample + length;
    for (int64_t t = 0; t < length; ++t) {
        d[t] *= eta;
        // θ = π flipped would be -π, outside (-π, π]: keep π (a reversal has no side).
        const float flipped = theta[t] * float(sign);
        theta[t] = flipped <= -static_cast<float>(kPi) ? -flipped : flipped;
    }
}

} // namespace embedscope
