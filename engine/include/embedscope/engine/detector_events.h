#pragma once
// Detector events of an active-target time projection chamber (SPEC S2; seed 002 §4.4): an
// event is a set of peak-only points (x, y, t, charge); the models see the x-y projection with
// the charge as pixel intensity, scaled to [0, 1].
//
// Simulator (for the demo and tests; the seed used NSCL's pytpc, which is not reproduced here).
// Approximations, all in mm, in a cylinder of radius `radiusMm` (pad plane) and length
// `lengthMm` along the beam axis z:
// - Vertex on the beam axis: x, y ~ N(0, 2 mm), z ~ U(0.1, 0.9) * length.
// - Direction: azimuth U(0, 2 pi); polar angle to the beam U(20, 80) deg for protons, U(30, 70)
//   for carbon (recoils).
// - Range: protons U(80, 250) mm, carbon U(12, 40) mm (a heavy ion stops fast). The track is cut
//   where it leaves the volume.
// - Curvature: the solenoid field bends the x-y projection into an arc; the transverse direction
//   turns by kappa per mm of transverse path, kappa ~ U(1/900, 1/300) / mm for protons (sign
//   random, the charge sign is the same but the field orientation is not modelled) and
//   U(0, 1/2000) for carbon (rigid).
// - Points: one every `stepMm` of path (protons 2.5 mm, carbon 1.2 mm: denser), each displaced
//   by N(0, 0.8 mm) in x, y and N(0, 1 mm) in z (diffusion). t is the drift time bucket
//   t = 512 * z / length (the AT-TPC digitises 512 buckets).
// - Charge: Bragg-Kleeman energy loss dE/ds = k (R - s + a)^(-0.43) (range-energy law
//   R ~ E^1.75, a = 2 mm keeps the peak finite), so a proton brightens towards its stopping
//   point; k = 1 for protons and 8 for carbon (brighter per mm; the physical ratio, about Z^2
//   at equal velocity, is larger: a documented choice, not a fit). Each point's charge is
//   dE/ds * stepMm times a log-normal gain factor (sigma 0.25).
// - Noise: Poisson(noisePoints) extra points per event, uniform in the volume, charge
//   exponential with mean 0.5 (a proton point is about 1-2).
// Per-event random streams (splitmix64 seeded with seed and event index) make every event
// reproducible on its own.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

struct EventPoint {
    float x, y, t, charge;
};
using DetectorEvent = std::vector<EventPoint>;

struct RasterOptions {
    int width = 128;
    int height = 128;
    /// Extent of the image in x and y. An axis with min >= max takes its extent from all points
    /// of all events given (jointly, so the events share one scale).
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
};

/// What rasterizeEvents did besides the images.
struct RasterStats {
    std::size_t pointsUsed = 0;
    std::size_t pointsDropped = 0;                 ///< outside the extent
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0; ///< the extent used
};

/// The x-y projection of each event as an image, events.size() x height x width floats
/// (row-major; row 0 is the top, i.e. y near yMax; column 0 is x near xMin). A point falls in
/// column floor((x - xMin) / (xMax - xMin) * width), clamped to width - 1 at x = xMax (rows
/// likewise from yMax down); its charge is summed into that pixel. Points outside the closed
/// extent are dropped and counted. Each image is then divided by its own maximum, so its
/// brightest pixel is 1 (seed 002 §2.9 / §4.4: data in [0, 1] for a BCE reconstruction); an
/// image whose points were all dropped or have zero charge stays all zeros.
/// Throws DataError naming `origin` and the event index for an event without points, a NaN or
/// infinite coordinate or charge, or a negative charge; ConfigError for width or height outside
/// [1, 4096] or a non-finite extent.
std::vector<float> rasterizeEvents(const std::vector<DetectorEvent>& events,
                                   const RasterOptions& options, const std::string& origin);
/// The same, also reporting dropped points and the extent used (`stats` may be null).
std::vector<float> rasterizeEvents(const std::vector<DetectorEvent>& events,
                                   const RasterOptions& options, const std::string& origin,
                                   RasterStats* stats);

struct TpcParams {
    std::size_t perClass = 1000; ///< events per class (the seed had 4000)
    double noisePoints = 10.0;   ///< mean number of uniform noise points per event
    uint64_t seed = 1;
    int imageSize = 128;     ///< images are imageSize x imageSize
    double radiusMm = 275.0; ///< detector volume (AT-TPC pad plane radius)
    double lengthMm = 1000.0;
    double valFraction = 0.15; ///< per class; train gets the rest after val and test
    double testFraction = 0.15;
};

/// Raw simulated events: event i has class labels[i] (0 proton, 1 carbon); the classes
/// alternate (even i proton) so any prefix is balanced.
struct TpcEvents {
    std::vector<DetectorEvent> events;
    std::vector<int> labels;
    std::vector<double> trackLengthMm; ///< path length inside the volume (noise excluded)
    std::vector<double> trackCharge;   ///< summed charge of the track points (noise excluded)
};
/// Class names by label id: "proton", "carbon".
const std::vector<std::string>& tpcClassNames();

/// Throws ConfigError for perClass = 0, noisePoints outside [0, 1000], imageSize outside
/// [8, 4096], non-positive volume or fractions with val + test >= 1. Checks ctx once per event.
TpcEvents simulateTpcEventPoints(const TpcParams& params, const JobContext& ctx = JobContext());

/// The fixed raster extent of the simulated detector: x, y in [-radius, radius], imageSize^2.
RasterOptions tpcRasterOptions(const TpcParams& params);

/// The simulated events rasterized with tpcRasterOptions: kind Image, sampleShape
/// (1, imageSize, imageSize). Metadata: `label` ("proton"/"carbon"), numeric `label_id`,
/// `points`, `track_length_mm`, `charge_per_mm`, and `split`: per class, a fixed shuffle
/// (seed) puts round(testFraction * perClass) in test, round(valFraction * perClass) in val,
/// the rest in train (70 / 15 / 15 by default). attributesJson holds the parameters.
Dataset simulateTpcEvents(const TpcParams& params, const JobContext& ctx = JobContext());

} // namespace embedscope
