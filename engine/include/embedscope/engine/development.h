#pragma once
// Simulated development with a branching structure over time, the demo data set of seed 003
// (SPEC S3, issue 5 "Demo and check"): perturbations leave a common wild-type trajectory at
// their own onset times and rates, so the groups form a tree (a trunk that branches), with the
// ground truth stored beside every image. Group names are labels only: "gdf3" and "lmx1b" are
// the lab note's held-out pair (seed 003, "hld (holding out lm1b and gdf3)"); no biology is
// claimed for any of them.
//
// Morphology state: K = 6 factors, physical units (lengths are fractions of the image side):
//   k  factor           wt(t) = a + b s, s = (t - tStart) / (tEnd - tStart)   unit u_k
//   0  body_length      L  = 0.45 + 0.30 s   (arc length of the body axis)     0.10
//   1  body_curvature   th = 2.60 - 2.30 s   (total bend angle, rad; > 0 ventral) 0.60
//   2  head_size        Rh = 0.075 + 0.030 s (head disc radius)                0.015
//   3  yolk_size        Y  = 0.15 - 0.07 s   (yolk semi-major axis)            0.025
//   4  tail_length      T  = 0.20 + 0.15 s   (fraction of the axis that tapers) 0.06
//   5  pigment          P  = 0.55 + 0.35 s   (grey level of body and head)      0.10
// The early embryo is short and curled over a large yolk; it lengthens, straightens, grows its
// head and tail, darkens (brightens here) and uses up its yolk. Normalised coordinates are
// z_k = m_k / u_k; the wt trunk is about 7.5 units long from 12 to 48 hpf.
//
// Perturbation g (onset t_g, rate r_g per hour, unit direction d_g in normalised coordinates):
//   m_g(t) = m_wt(t) + u * d_g * r_g * max(0, t - t_g)     (u * d: component-wise)
//   gt_divergence(g, t) = |z_g(t) - z_wt(t)| = r_g * max(0, t - t_g)  (0 for wt, 0 before t_g,
//   linear after). Defaults (direction before normalisation, over L th Rh Y T P):
//   gdf3   early, fast:  t 15 hpf, r 0.12 /h, d (-0.6, 0.5, 0, 0.4, -0.3, -0.4): short, stays
//          curled, keeps its yolk, short tail, pale; 3.96 units from wt at 48 hpf.
//   lmx1b  late, slow:   t 32 hpf, r 0.08 /h, d (0, -0.3, -0.5, 0, 0.5, -0.6): small head,
//          long tail, pale; 1.28 units at 48 hpf.
//   tbx6   strong:       t 20 hpf, r 0.16 /h, d (-0.5, 0, 0.3, -0.3, -0.7, 0): short body and
//          tail, big head, yolk used up fast; 4.48 units at 48 hpf.
//   chd    middle:       t 24 hpf, r 0.10 /h, d (0, -0.8, 0.4, 0.3, 0, 0): bends dorsally
//          (th < 0 after ~40 hpf), big head and yolk; 2.40 units at 48 hpf.
// Embryo e of group g: a fixed offset o_e ~ N(0, embryoSpread^2) per normalised factor, so
//   m_e(t) = m_g(t) + u * o_e, clamped to the renderable ranges L [0.2, 0.85], th [-3, 3.2],
//   Rh [0.03, 0.15], Y [0, 0.25], T [0.05, 0.8], P [0.2, 1] (the default groups' means stay
//   inside them; the gt_<factor> columns hold the clamped, rendered state).
// Times: timePoints nominal times tStart + j (tEnd - tStart) / (timePoints - 1), each moved by
//   U(-a, a), a = min(timeJitterHpf, spacing / 3), and clamped to [tStart, tEnd]; the image is
//   rendered at the moved time, which the `time` column holds.
//
// Rendering (coordinates in units of the image side, y down, pixel centres (c + 0.5) / S):
// - Body axis: a circular arc of length L with heading phi(v) = -th/2 + th v, v in [0, 1] from
//   head to tail (a constant-curvature arc, its chord horizontal before the pose jitter); the
//   ventral normal is n(v) = (-sin phi, cos phi). Half-width w(v) = 0.045, tapering linearly
//   over the last T of the axis to 15 %.
// - Head: a disc of radius Rh centred 0.3 Rh behind the axis start; an eye, a disc of radius
//   0.35 Rh at 0.3 Rh ventral and 0.1 Rh anterior of the head centre, at 40 % of the pigment.
// - Yolk: an ellipse with semi-axes Y (along the axis) and 0.7 Y, centred at the axis point
//   v = 0.4 moved ventrally by 0.045 + 0.56 Y (it touches the body), grey level 0.78.
// - Grey levels: background 0.04, then yolk, body and head (pigment P), eye painted over one
//   another with coverage alpha = clamp(0.5 + d S / 1.2, 0, 1), d the signed distance to the
//   shape's edge (positive inside): soft edges about 1.2 pixels wide.
// - Pose: the shapes' bounding box is centred, then rotated by N(0, rotationDeg^2) degrees
//   about the image centre and shifted by N(0, shift^2) (fraction of the side) per axis, per
//   image. Pixel noise N(0, noise^2) is added and the value clamped to [0, 1].
// Determinism: every embryo draws from its own splitmix64 stream seeded with (seed, embryo),
// so the data set depends on the seed and the parameters only.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

constexpr std::size_t kDevelopmentFactors = 6;
using MorphState = std::array<double, kDevelopmentFactors>;

/// "body_length", "body_curvature", "head_size", "yolk_size", "tail_length", "pigment".
const std::vector<std::string>& developmentFactorNames();
/// The unit u_k of each factor (normalised coordinate z_k = m_k / u_k).
const MorphState& developmentFactorUnits();

struct DevelopmentPerturbation {
    std::string name;
    double onsetHpf = 24.0; ///< t_g: identical to wt before this time
    double rate = 0.1;      ///< r_g: normalised units per hour after the onset
    MorphState direction{}; ///< d_g in normalised coordinates; normalised to length 1
};

/// gdf3, lmx1b, tbx6, chd as in the header comment.
std::vector<DevelopmentPerturbation> defaultDevelopmentPerturbations();

struct DevelopmentParams {
    std::size_t embryosPerGroup = 24;
    std::size_t timePoints = 12;
    double tStartHpf = 12.0;
    double tEndHpf = 48.0;
    double timeJitterHpf = 1.0; ///< per image, uniform +-, at most a third of the spacing
    int imageSize = 32;         ///< images are 1 x imageSize x imageSize
    double noise = 0.03;        ///< SD of the per-pixel Gaussian noise
    double embryoSpread = 0.15; ///< SD of the per-embryo offset, normalised units per factor
    double rotationDeg = 4.0;   ///< SD of the per-image rotation
    double shift = 0.015;       ///< SD of the per-image shift, fraction of the side
    uint64_t seed = 1;
    double valFraction = 0.15; ///< of the embryos of each group
    double testFraction = 0.15;
    std::vector<DevelopmentPerturbation> perturbations = defaultDevelopmentPerturbations();
};

/// Wild-type state at time t (hpf): the linear trunk of the header comment.
MorphState wildTypeState(double tHpf, const DevelopmentParams& params);
/// Mean state of a perturbation at time t (no embryo offset, no clamping).
MorphState perturbationState(const DevelopmentPerturbation& p, double tHpf,
                             const DevelopmentParams& params);
/// r_g * max(0, t - t_g) for a direction of non-zero length (normalised units).
double perturbationDivergence(const DevelopmentPerturbation& p, double tHpf);

/// Per-image pose: rotation (degrees) and shift (fraction of the side).
struct EmbryoPose {
    double rotationDeg = 0.0;
    double shiftX = 0.0;
    double shiftY = 0.0;
};
/// One noise-free image, size x size floats in [0, 1] (row-major, row 0 at the top), of the
/// state clamped to the renderable ranges. Throws ConfigError for size outside [16, 1024].
std::vector<float> renderEmbryo(const MorphState& state, int size,
                                const EmbryoPose& pose = EmbryoPose());
/// The state clamped to the renderable ranges of the header comment.
MorphState clampMorphState(const MorphState& state);

/// The data set: groups "wt" then the perturbations, embryosPerGroup embryos each, timePoints
/// images per embryo, in that order (sample (g * E + e) * T + j). kind Image, shape
/// (1, imageSize, imageSize), values in [0, 1]. Metadata: `perturbation` (group name),
/// `perturbation_id` (0 = wt, then 1..), `individual` ("gdf3-07"), `time` (hpf), `time_index`
/// (j), `split` (by individual: per group a fixed shuffle of its embryos puts
/// round(testFraction * E) in test, round(valFraction * E) in val, the rest in train: 16 / 4 /
/// 4 by default), and the ground truth: `gt_divergence` (normalised distance of the group's
/// state from wt at `time`), `gt_onset` (t_g; tEnd for wt, which never departs), and
/// `gt_<factor>` for the six factors (the embryo's rendered state). attributesJson holds the
/// parameters, factor units and perturbations.
/// Throws ConfigError for 0 embryos, fewer than 2 time points, imageSize outside [16, 1024],
/// negative or non-finite noise / spread / jitter / pose SDs, tEnd <= tStart, fractions with
/// val + test >= 1, or a perturbation with an empty, repeated or "wt" name, a non-finite onset,
/// a negative rate or a zero / non-finite direction. Checks ctx once per embryo.
Dataset simulateDevelopment(const DevelopmentParams& params, const JobContext& ctx = JobContext());

} // namespace embedscope
