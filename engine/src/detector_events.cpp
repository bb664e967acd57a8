// Detector events: the x-y rasterizer and the TPC-like track simulator (see the header for the
// physics approximations; seed 002 §4.4).
#include "embedscope/engine/detector_events.h"

#include "splitmix_rng.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxImageSide = 4096;
constexpr double kTimeBuckets = 512.0; // AT-TPC digitisation depth

using Rng = SplitMixRng;

struct ClassModel {
    double thetaMinDeg, thetaMaxDeg, rangeMin, rangeMax, kappaMin, kappaMax, stepMm, k;
};
// See the header: protons long, bent, sparse and faint; carbon short, straight, dense, bright.
const ClassModel kProton{20.0, 80.0, 80.0, 250.0, 1.0 / 900.0, 1.0 / 300.0, 2.5, 1.0};
const ClassModel kCarbon{30.0, 70.0, 12.0, 40.0, 0.0, 1.0 / 2000.0, 1.2, 8.0};
constexpr double kBraggExponent = -0.43;
constexpr double kBraggOffsetMm = 2.0;
constexpr double kGainSigma = 0.25;
constexpr double kNoiseChargeMean = 0.5;

void checkParams(const TpcParams& p) {
    auto bad = [](const std::string& what) { throw ConfigError("TPC simulator: " + what); };
    if (p.perClass == 0)
        bad("perClass must be at least 1");
    if (!(p.noisePoints >= 0.0 && p.noisePoints <= 1000.0))
        bad("noisePoints = " + std::to_string(p.noisePoints) + " must be in [0, 1000]");
    if (p.imageSize < 8 || p.imageSize > kMaxImageSide)
        bad("imageSize = " + std::to_string(p.imageSize) + " must be in [8, 4096]");
    if (!(p.radiusMm > 0.0) || !(p.lengthMm > 0.0) || !std::isfinite(p.radiusMm + p.lengthMm))
        bad("radiusMm and lengthMm must be positive");
    if (!(p.valFraction >= 0.0) || !(p.testFraction >= 0.0) ||
        !(p.valFraction + p.testFraction < 1.0))
        bad("valFraction and testFraction must be >= 0 with a sum below 1");
}

} // namespace

std::vector<float> rasterizeEvents(const std::vector<DetectorEvent>& events,
                                   const RasterOptions& options, const std::string& origin) {
    return rasterizeEvents(events, options, origin, nullptr);
}

std::vector<float> rasterizeEvents(const std::vector<DetectorEvent>& events, const RasterOptions& o,
                                   const std::string& origin, RasterStats* stats) {
    if (o.width < 1 || o.width > kMaxImageSide || o.height < 1 || o.height > kMaxImageSide)
        throw ConfigError(origin + ": raster size " + std::to_string(o.width) + " x " +
                          std::to_string(o.height) + " must be between 1 and 4096 per side");
    if (!std::isfinite(o.xMin + o.xMax + o.yMin + o.yMax))
        throw ConfigError(origin + ": raster extent must be finite");
    for (std::size_t e = 0; e < events.size(); ++e) {
        if (events[e].empty())
            throw DataError(origin + ": event " + std::to_string(e) + " has no points");
        for (std::size_t i = 0; i < events[e].size(); ++i) {
            const EventPoint& p = events[e][i];
            const char* field = !std::isfinite(p.x)        ? "x"
                                : !std::isfinite(p.y)      ? "y"
                                : !std::isfinite(p.t)      ? "t"
                                : !std::isfinite(p.charge) ? "charge"
                                                           : nullptr;
            if (field)
                throw DataError(origin + ": event " + std::to_string(e) + ", point " +
                                std::to_string(i) + ": " + field + " is NaN or infinite");
            if (p.charge < 0.0f)
                throw DataError(origin + ": event " + std::to_string(e) + ", point " +
                                std::to_string(i) + ": negative charge " +
                                std::to_string(p.charge));
        }
    }

    // Extent: given, or jointly from every point (per axis).
    double x0 = o.xMin, x1 = o.xMax, y0 = o.yMin, y1 = o.yMax;
    const bool autoX = !(x0 < x1), autoY = !(y0 < y1);
    if (autoX || autoY) {
        double lx = HUGE_VAL, hx = -HUGE_VAL, ly = HUGE_VAL, hy = -HUGE_VAL;
        for (const auto& event : events)
            for (const auto& p : event) {
                lx = std::min(lx, double(p.x));
                hx = std::max(hx, double(p.x));
                ly = std::min(ly, double(p.y));
                hy = std::max(hy, double(p.y));
            }
        if (events.empty())
            lx = ly = 0.0, hx = hy = 1.0;
        if (autoX)
            x0 = lx, x1 = hx > lx ? hx : lx + 1.0; // one x value: a unit-wide extent around it
        if (autoY)
            y0 = ly, y1 = hy > ly ? hy : ly + 1.0;
        if (autoX && hx <= lx)
            x0 -= 0.5, x1 -= 0.5;
        if (autoY && hy <= ly)
            y0 -= 0.5, y1 -= 0.5;
    }

    const std::size_t W = static_cast<std::size_t>(o.width), H = static_cast<std::size_t>(o.height);
    std::vector<float> images(events.size() * W * H, 0.0f);
    std::vector<double> image(W * H);
    std::size_t used = 0, dropped = 0;
    for (std::size_t e = 0; e < events.size(); ++e) {
        std::fill(image.begin(), image.end(), 0.0);
        for (const auto& p : events[e]) {
            if (p.x < x0 || p.x > x1 || p.y < y0 || p.y > y1) {
                ++dropped;
                continue;
            }
            const auto col = std::min<std::size_t>(
                W - 1, static_cast<std::size_t>((p.x - x0) / (x1 - x0) * double(W)));
            const auto row = std::min<std::size_t>(
                H - 1, static_cast<std::size_t>((y1 - p.y) / (y1 - y0) * double(H)));
            image[row * W + col] += p.charge;
            ++used;
        }
        const double peak = *std::max_element(image.begin(), image.end());
        float* out = images.data() + e * W * H;
        if (peak > 0.0)
            for (std::size_t k = 0; k < W * H; ++k)
                out[k] = static_cast<float>(image[k] / peak);
    }
    if (stats)
        *stats = RasterStats{used, dropped, x0, x1, y0, y1};
    return images;
}

const std::vector<std::string>& tpcClassNames() {
    static const std::vector<std::string> names = {"proton", "carbon"};
    return names;
}

TpcEvents simulateTpcEventPoints(const TpcParams& P, const JobContext& ctx) {
    checkParams(P);
    const std::size_t n = 2 * P.perClass;
    TpcEvents out;
    out.events.resize(n);
    out.labels.resize(n);
    out.trackLengthMm.resize(n);
    out.trackCharge.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 64 == 0) {
            ctx.throwIfCancelled();
            ctx.report(static_cast<double>(i) / n, "TPC events");
        }
        const int label = static_cast<int>(i % 2);
        const ClassModel& c = label == 0 ? kProton : kCarbon;
        Rng rng(streamSeed(P.seed, i, 0x7C0FFEEull));
        DetectorEvent& event = out.events[i];

        double x = 2.0 * rng.normal(), y = 2.0 * rng.normal();
        double z = P.lengthMm * rng.uniform(0.1, 0.9);
        double phi = rng.uniform(0.0, 2.0 * kPi);
        const double theta = rng.uniform(c.thetaMinDeg, c.thetaMaxDeg) * kPi / 180.0;
        const double range = rng.uniform(c.rangeMin, c.rangeMax);
        const double kappa =
            rng.uniform(c.kappaMin, c.kappaMax) * (rng.uniform() < 0.5 ? -1.0 : 1.0);
        const double dz = c.stepMm * std::cos(theta), dt = c.stepMm * std::sin(theta);

        double length = 0.0, charge = 0.0;
        for (double s = 0.0; s <= range; s += c.stepMm) {
            if (std::hypot(x, y) > P.radiusMm || z < 0.0 || z > P.lengthMm)
                break; // left the volume
            const double dEds = c.k * std::pow(range - s + kBraggOffsetMm, kBraggExponent);
            const double q = dEds * c.stepMm * std::exp(kGainSigma * rng.normal());
            const double px = x + 0.8 * rng.normal(), py = y + 0.8 * rng.normal();
            const double pz = std::clamp(z + rng.normal(), 0.0, P.lengthMm);
            event.push_back(
                {float(px), float(py), float(kTimeBuckets * pz / P.lengthMm), float(q)});
            length = s;
            charge += q;
            phi += kappa * dt;
            x += dt * std::cos(phi);
            y += dt * std::sin(phi);
            z += dz;
        }
        if (event.empty()) // vertex outside the pad plane cannot happen (|x|, |y| ~ 2 mm)
            event.push_back({float(x), float(y), float(kTimeBuckets * z / P.lengthMm), 0.1f});
        out.trackLengthMm[i] = length;
        out.trackCharge[i] = charge;

        const int noise = rng.poisson(P.noisePoints);
        for (int k = 0; k < noise; ++k) {
            const double r = P.radiusMm * std::sqrt(rng.uniform());
            const double a = rng.uniform(0.0, 2.0 * kPi);
            const double t = kTimeBuckets * rng.uniform();
            const double q = -kNoiseChargeMean * std::log(1.0 - rng.uniform());
            event.push_back({float(r * std::cos(a)), float(r * std::sin(a)), float(t), float(q)});
        }
        out.labels[i] = label;
    }
    ctx.report(1.0, "TPC events");
    return out;
}

RasterOptions tpcRasterOptions(const TpcParams& params) {
    RasterOptions o;
    o.width = o.height = params.imageSize;
    o.xMin = o.yMin = -params.radiusMm;
    o.xMax = o.yMax = params.radiusMm;
    return o;
}

Dataset simulateTpcEvents(const TpcParams& P, const JobContext& ctx) {
    const JobContext simulate(ctx, 0.0, 0.8);
    const TpcEvents sim = simulateTpcEventPoints(P, simulate);
    ctx.report(0.8, "rasterizing");
    RasterStats stats;
    Dataset data;
    data.name = "tpc";
    data.kind = DataKind::Image;
    data.sampleShape = {1, P.imageSize, P.imageSize};
    data.values = rasterizeEvents(sim.events, tpcRasterOptions(P), "TPC simulator", &stats);
    ctx.throwIfCancelled();

    const std::size_t n = sim.events.size();
    std::vector<std::string> label(n), split(n, "train");
    std::vector<double> labelId(n), points(n), length(n), perMm(n);
    for (std::size_t i = 0; i < n; ++i) {
        label[i] = tpcClassNames()[sim.labels[i]];
        labelId[i] = sim.labels[i];
        points[i] = static_cast<double>(sim.events[i].size());
        length[i] = sim.trackLengthMm[i];
        perMm[i] = sim.trackCharge[i] / std::max(sim.trackLengthMm[i], 1.0);
    }
    // Stratified split: per class a fixed Fisher-Yates shuffle of its events.
    const auto nTest = static_cast<std::size_t>(std::llround(P.testFraction * P.perClass));
    const auto nVal = static_cast<std::size_t>(std::llround(P.valFraction * P.perClass));
    for (std::size_t c = 0; c < 2; ++c) {
        std::vector<std::size_t> order(P.perClass);
        std::iota(order.begin(), order.end(), std::size_t(0));
        Rng rng(streamSeed(P.seed, c, 0x5B117ull));
        for (std::size_t k = order.size(); k > 1; --k)
            std::swap(order[k - 1], order[rng.next() % k]);
        for (std::size_t k = 0; k < order.size(); ++k) {
            const std::size_t event = 2 * order[k] + c;
            split[event] = k < nTest ? "test" : k < nTest + nVal ? "val" : "train";
        }
    }
    data.metadata.addStrings("label", std::move(label));
    data.metadata.addNumbers("label_id", std::move(labelId));
    data.metadata.addNumbers("points", std::move(points));
    data.metadata.addNumbers("track_length_mm", std::move(length));
    data.metadata.addNumbers("charge_per_mm", std::move(perMm));
    data.metadata.addStrings(Dataset::kSplitColumn, std::move(split));

    nlohmann::json attributes = {
        {"simulator", "tpc-events"},
        {"source", "seed 002 section 4.4 (approximations documented in detector_events.h)"},
        {"raster", "x-y projection, charge summed per pixel, each image / its maximum"},
        {"points_dropped", stats.pointsDropped},
        {"params",
         {{"per_class", P.perClass},
          {"noise_points", P.noisePoints},
          {"seed", P.seed},
          {"image_size", P.imageSize},
          {"radius_mm", P.radiusMm},
          {"length_mm", P.lengthMm},
          {"val_fraction", P.valFraction},
          {"test_fraction", P.testFraction}}}};
    data.attributesJson = attributes.dump();
    ctx.report(1.0, "TPC events done");
    return data;
}

} // namespace embedscope
