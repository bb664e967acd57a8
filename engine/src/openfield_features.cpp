// Hand-made open-field features of one trajectory (the seed-000 "manual" baseline).
//
// Notation (every formula below uses it)
// --------------------------------------
// T frames, dt = 1 / rateHz, L = cageCm, B = timeBins, n = T - 1 steps.
// Positions in cm: x_i = (x_raw_i + 1) / 2 * L, likewise y, then smoothed by a centred moving
//   average of `smoothingFrames` = 2h + 1 frames whose half-width shrinks near the ends
//   (h_i = min(h, i, T-1-i)), so a straight line at constant speed is reproduced exactly.
//   All kinematic and zone measures use the smoothed positions p_i = (x_i, y_i).
// Rearing r_i = [z_i >= 0.5].
// Step i (0 <= i < n): d_i = p_{i+1} - p_i, length l_i = |d_i| (cm), speed v_i = l_i / dt (cm/s).
// Bins: frame i lies in bin b(i) = floor(i * B / T); step i belongs to the bin of frame i, so
//   the per-bin distances add up to the total.
// Moving step: v_i >= immobileSpeedCmS. Immobile step: v_i < immobileSpeedCmS and no rearing at
//   frame i or i+1 (a rearing rat is active although it does not travel). An immobility bout is
//   a maximal run of immobile steps lasting at least minImmobileBoutS
//   (>= max(1, round(minImmobileBoutS / dt)) steps).
// Heading of a moving step: phi_i = atan2(d_i.y, d_i.x) — the mathematical convention with y
//   pointing up, so counter-clockwise turning is POSITIVE. Turning is measured between
//   consecutive moving steps only: dphi_i = wrap(phi_i - phi_{i-1}) in (-pi, pi] for every i
//   with steps i-1 and i both moving ("turning pairs", P of them).
// Wall distance w_i = max(0, min(x_i, L - x_i, y_i, L - y_i)).
// Zones: centre c_i = |x_i - L/2| < f L / 2 and |y_i - L/2| < f L / 2 (f = centreFraction);
//   wall zone w_i < wallCm; corner zone min(x_i, L - x_i) < cornerCm and min(y_i, L - y_i) <
//   cornerCm.
// Statistics over an empty set (no moving step, no bout, no rearing ...) are 0 unless stated.
#include "embedscope/engine/openfield_features.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinWindowPathCm = 1.0; // tortuosity windows with less travel are skipped
constexpr double kMaxTortuosity = 50.0;  // cap of path / net displacement for one window

std::string number(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

void require(bool ok, const std::string& key, const std::string& rule, double value) {
    if (!ok)
        throw ConfigError("open-field feature option '" + key + "' must be " + rule + " (got " +
                          number(value) + ")");
}

void validateOptions(const OpenFieldFeatureOptions& o) {
    require(std::isfinite(o.rateHz) && o.rateHz > 0, "rateHz", "> 0", o.rateHz);
    require(std::isfinite(o.cageCm) && o.cageCm > 0, "cageCm", "> 0", o.cageCm);
    require(o.centreFraction > 0 && o.centreFraction < 1, "centreFraction", "in (0, 1)",
            o.centreFraction);
    require(o.wallCm > 0 && o.wallCm <= o.cageCm / 2, "wallCm", "in (0, cageCm / 2]", o.wallCm);
    require(o.cornerCm > 0 && o.cornerCm <= o.cageCm / 2, "cornerCm", "in (0, cageCm / 2]",
            o.cornerCm);
    require(std::isfinite(o.immobileSpeedCmS) && o.immobileSpeedCmS >= 0, "immobileSpeedCmS",
            ">= 0", o.immobileSpeedCmS);
    require(std::isfinite(o.minImmobileBoutS) && o.minImmobileBoutS >= 0, "minImmobileBoutS",
            ">= 0", o.minImmobileBoutS);
    require(o.timeBins >= 1 && o.timeBins <= 1000, "timeBins", "in 1..1000", o.timeBins);
    require(o.smoothingFrames >= 1 && o.smoothingFrames % 2 == 1 && o.smoothingFrames <= 1001,
            "smoothingFrames", "odd, in 1..1001", o.smoothingFrames);
    require(std::isfinite(o.tortuosityWindowS) && o.tortuosityWindowS > 0, "tortuosityWindowS",
            "> 0", o.tortuosityWindowS);
    require(o.occupancyGrid >= 1 && o.occupancyGrid <= 1000, "occupancyGrid", "in 1..1000",
            o.occupancyGrid);
}

/// Appends (name, value) pairs; names and values always stay in step.
struct Sink {
    std::vector<std::string> names;
    std::vector<double> values;
    void add(const std::string& name, double value) {
        names.push_back(name);
        values.push_back(std::isfinite(value) ? value : 0.0); // belt and braces: never NaN
    }
};

std::string binName(const char* stem, int b, const char* unit) {
    return std::string(stem) + "_bin_" + std::to_string(b + 1) + unit;
}

double safeRatio(double num, double den) {
    return den > 0 ? num / den : 0.0;
}

/// Mean, population sd, median and 90th percentile (linear interpolation between order
/// statistics, numpy's default) of `v`; all 0 when empty.
struct Summary {
    double mean = 0, sd = 0, median = 0, p90 = 0;
};

double quantileSorted(const std::vector<double>& s, double q) {
    const double pos = q * static_cast<double>(s.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, s.size() - 1);
    return s[lo] + (pos - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

Summary summarise(std::vector<double> v) {
    Summary s;
    if (v.empty())
        return s;
    double sum = 0;
    for (double x : v)
        sum += x;
    s.mean = sum / static_cast<double>(v.size());
    double ss = 0;
    for (double x : v)
        ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(v.size()));
    std::sort(v.begin(), v.end());
    s.median = quantileSorted(v, 0.5);
    s.p90 = quantileSorted(v, 0.9);
    return s;
}

/// Least-squares slope of y_b against b = 0..B-1 (0 when B < 2).
double slopeOverBins(const std::vector<double>& y) {
    const std::size_t B = y.size();
    if (B < 2)
        return 0.0;
    const double bMean = (static_cast<double>(B) - 1.0) / 2.0;
    double yMean = 0;
    for (double v : y)
        yMean += v;
    yMean /= static_cast<double>(B);
    double num = 0, den = 0;
    for (std::size_t b = 0; b < B; ++b) {
        num += (b - bMean) * (y[b] - yMean);
        den += (b - bMean) * (b - bMean);
    }
    return num / den;
}

/// Centred moving average with a symmetric window shrinking near the ends (see the header).
std::vector<double> smooth(const std::vector<double>& v, int window) {
    const int64_t T = static_cast<int64_t>(v.size());
    const int64_t h = (window - 1) / 2;
    if (h == 0)
        return v;
    std::vector<double> prefix(v.size() + 1, 0.0);
    for (int64_t i = 0; i < T; ++i)
        prefix[i + 1] = prefix[i] + v[i];
    std::vector<double> out(v.size());
    for (int64_t i = 0; i < T; ++i) {
        const int64_t hi = std::min({h, i, T - 1 - i});
        out[i] = (prefix[i + hi + 1] - prefix[i - hi]) / static_cast<double>(2 * hi + 1);
    }
    return out;
}

double wrapAngle(double a) {
    a = std::remainder(a, 2.0 * kPi); // [-pi, pi]
    return a <= -kPi ? a + 2.0 * kPi : a;
}

void compute(const float* sample, int64_t T, const OpenFieldFeatureOptions& o,
             const std::string& origin, Sink& out) {
    validateOptions(o);
    const int B = o.timeBins;
    if (T < 2 * static_cast<int64_t>(B))
        throw DataError(origin + ": " + std::to_string(T) + " frames is too short for " +
                        std::to_string(B) + " time bins (each bin needs at least 2 frames)");
    const char* rowNames[3] = {"x", "y", "z"};
    for (int r = 0; r < 3; ++r)
        for (int64_t i = 0; i < T; ++i)
            if (!std::isfinite(sample[r * T + i]))
                throw DataError(origin + ": " + rowNames[r] + " at frame " + std::to_string(i) +
                                " is " + (std::isnan(sample[r * T + i]) ? "NaN" : "infinite"));

    const double L = o.cageCm;
    const double dt = 1.0 / o.rateHz;
    const std::size_t nFrames = static_cast<std::size_t>(T);
    const std::size_t n = nFrames - 1; // steps
    const double durationS = static_cast<double>(T) * dt;

    std::vector<double> xr(nFrames), yr(nFrames);
    std::vector<char> rear(nFrames);
    for (std::size_t i = 0; i < nFrames; ++i) {
        xr[i] = (sample[i] + 1.0) / 2.0 * L;
        yr[i] = (sample[T + i] + 1.0) / 2.0 * L;
        rear[i] = sample[2 * T + i] >= 0.5f;
    }
    const std::vector<double> x = smooth(xr, o.smoothingFrames);
    const std::vector<double> y = smooth(yr, o.smoothingFrames);
    auto binOf = [&](std::size_t i) { return static_cast<int>(static_cast<int64_t>(i) * B / T); };
    std::vector<double> framesPerBin(B, 0.0);
    for (std::size_t i = 0; i < nFrames; ++i)
        framesPerBin[binOf(i)] += 1.0;

    // Steps: length l_i, speed v_i, moving flag, immobile flag.
    std::vector<double> len(n), speed(n);
    std::vector<char> moving(n), immobile(n);
    for (std::size_t i = 0; i < n; ++i) {
        len[i] = std::hypot(x[i + 1] - x[i], y[i + 1] - y[i]);
        speed[i] = len[i] / dt;
        moving[i] = speed[i] >= o.immobileSpeedCmS;
        immobile[i] = !moving[i] && !rear[i] && !rear[i + 1];
    }

    // ---- Locomotion -------------------------------------------------------------------------
    double total = 0;
    std::vector<double> binDistance(B, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        total += len[i];
        binDistance[binOf(i)] += len[i];
    }
    out.add("distance_total_cm", total); // sum_i l_i
    for (int b = 0; b < B; ++b)
        out.add(binName("distance", b, "_cm"), binDistance[b]); // sum of l_i over steps in bin b
    // Habituation: least-squares slope of the bin distances D_b against b = 0..B-1 (cm per bin;
    // negative when activity fades), and the same divided by mean_b D_b (0 when no travel).
    const double slope = slopeOverBins(binDistance);
    out.add("distance_habituation_slope_cm_per_bin", slope);
    out.add("distance_habituation_slope_relative", safeRatio(slope, total / B));

    const Summary all = summarise(speed);
    out.add("speed_mean_cm_s", all.mean); // mean_i v_i over all steps (= total / (n dt))
    out.add("speed_median_cm_s", all.median);
    out.add("speed_sd_cm_s", all.sd); // population sd of v_i
    out.add("speed_p90_cm_s", all.p90);
    std::vector<double> movingSpeed;
    for (std::size_t i = 0; i < n; ++i)
        if (moving[i])
            movingSpeed.push_back(speed[i]);
    const Summary mov = summarise(movingSpeed);
    out.add("moving_speed_mean_cm_s", mov.mean); // same statistics over moving steps only
    out.add("moving_speed_median_cm_s", mov.median);
    out.add("moving_speed_sd_cm_s", mov.sd);
    out.add("moving_speed_p90_cm_s", mov.p90);
    // #moving steps / n
    out.add("moving_fraction", static_cast<double>(movingSpeed.size()) / static_cast<double>(n));

    // Immobility bouts (runs of immobile steps >= minBoutSteps) and the activity periods between
    // them (maximal runs of steps outside immobility bouts).
    const std::size_t minBoutSteps =
        static_cast<std::size_t>(std::max<long long>(1, std::llround(o.minImmobileBoutS / dt)));
    std::vector<char> inBout(n, 0);
    std::size_t boutCount = 0, boutSteps = 0, firstBout = n;
    for (std::size_t i = 0; i < n;) {
        if (!immobile[i]) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < n && immobile[j])
            ++j;
        if (j - i >= minBoutSteps) {
            ++boutCount;
            boutSteps += j - i;
            firstBout = std::min(firstBout, i);
            std::fill(inBout.begin() + i, inBout.begin() + j, 1);
        }
        i = j;
    }
    std::size_t activityCount = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (!inBout[i] && (i == 0 || inBout[i - 1]))
            ++activityCount;
    // steps in immobility bouts / n (1 for an animal that never moves)
    out.add("immobility_fraction", static_cast<double>(boutSteps) / static_cast<double>(n));
    out.add("immobility_bout_count", static_cast<double>(boutCount));
    // (steps in bouts) dt / bout count
    out.add("immobility_bout_mean_s",
            safeRatio(static_cast<double>(boutSteps) * dt, static_cast<double>(boutCount)));
    // first step of the first bout * dt; n dt (the whole recording) when there is no bout
    out.add("immobility_latency_s", static_cast<double>(firstBout) * dt);
    out.add("activity_bout_count", static_cast<double>(activityCount));
    // (steps outside immobility bouts) dt / activity periods
    out.add("activity_bout_mean_s",
            safeRatio(static_cast<double>(n - boutSteps) * dt, static_cast<double>(activityCount)));

    // ---- Space ------------------------------------------------------------------------------
    const double half = o.centreFraction * L / 2.0;
    std::vector<char> centre(nFrames);
    std::vector<double> wall(nFrames);
    double centreFrames = 0, wallFrames = 0, cornerFrames = 0, wallSum = 0, xMean = 0, yMean = 0;
    std::vector<double> centreBin(B, 0.0);
    std::size_t entries = 0, visits = 0;
    for (std::size_t i = 0; i < nFrames; ++i) {
        centre[i] = std::abs(x[i] - L / 2) < half && std::abs(y[i] - L / 2) < half;
        const double wx = std::min(x[i], L - x[i]), wy = std::min(y[i], L - y[i]);
        wall[i] = std::max(0.0, std::min(wx, wy));
        centreFrames += centre[i];
        centreBin[binOf(i)] += centre[i];
        wallFrames += wall[i] < o.wallCm;
        cornerFrames += wx < o.cornerCm && wy < o.cornerCm;
        wallSum += wall[i];
        xMean += x[i];
        yMean += y[i];
        if (centre[i] && (i == 0 || !centre[i - 1]))
            ++visits;
        if (centre[i] && i > 0 && !centre[i - 1])
            ++entries;
    }
    const double Td = static_cast<double>(T);
    xMean /= Td;
    yMean /= Td;
    double centreDistance = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (centre[i])
            centreDistance += len[i];
    out.add("centre_time_fraction", centreFrames / Td); // #{i : c_i} / T
    for (int b = 0; b < B; ++b)                         // #{i in bin b : c_i} / #{i in bin b}
        out.add(binName("centre_time", b, "_fraction"), centreBin[b] / framesPerBin[b]);
    // sum of l_i over steps starting in the centre / total distance (0 without travel)
    out.add("centre_distance_fraction", safeRatio(centreDistance, total));
    out.add("centre_entries", static_cast<double>(entries)); // #{i >= 1 : !c_{i-1} and c_i}
    // centre frames * dt / centre visits (maximal runs of centre frames, the first included)
    out.add("centre_visit_mean_s", safeRatio(centreFrames * dt, static_cast<double>(visits)));
    out.add("wall_time_fraction", wallFrames / Td);     // #{i : w_i < wallCm} / T
    out.add("corner_time_fraction", cornerFrames / Td); // #{i : corner zone} / T
    out.add("wall_distance_mean_cm", wallSum / Td);     // mean_i w_i
    double gyration = 0;
    for (std::size_t i = 0; i < nFrames; ++i)
        gyration += (x[i] - xMean) * (x[i] - xMean) + (y[i] - yMean) * (y[i] - yMean);
    out.add("radius_of_gyration_cm", std::sqrt(gyration / Td)); // sqrt(mean_i |p_i - mean p|^2)
    // Occupancy of a G x G grid: q_c = frames in cell c / T. Entropy -sum q_c ln q_c / ln(G^2)
    // in [0, 1] (0 when G = 1); coverage = #{c : q_c > 0} / G^2.
    const int G = o.occupancyGrid;
    std::vector<double> cells(static_cast<std::size_t>(G) * G, 0.0);
    for (std::size_t i = 0; i < nFrames; ++i) {
        const int cx = std::clamp(static_cast<int>(std::floor(x[i] / L * G)), 0, G - 1);
        const int cy = std::clamp(static_cast<int>(std::floor(y[i] / L * G)), 0, G - 1);
        cells[static_cast<std::size_t>(cy) * G + cx] += 1.0;
    }
    double entropy = 0, covered = 0;
    for (double c : cells)
        if (c > 0) {
            entropy -= (c / Td) * std::log(c / Td);
            covered += 1;
        }
    out.add("occupancy_entropy", G > 1 ? entropy / std::log(static_cast<double>(G) * G) : 0.0);
    out.add("occupancy_coverage", covered / static_cast<double>(cells.size()));

    // ---- Turning ----------------------------------------------------------------------------
    double turnSum = 0, turnAbs = 0, turnLength = 0;
    std::size_t pairs = 0;
    for (std::size_t i = 1; i < n; ++i) {
        if (!moving[i] || !moving[i - 1])
            continue;
        const double a = std::atan2(y[i + 1] - y[i], x[i + 1] - x[i]);
        const double b = std::atan2(y[i] - y[i - 1], x[i] - x[i - 1]);
        const double dphi = wrapAngle(a - b);
        turnSum += dphi;
        turnAbs += std::abs(dphi);
        turnLength += len[i];
        ++pairs;
    }
    const double pairTime = static_cast<double>(pairs) * dt;
    out.add("angular_speed_mean_rad_s", safeRatio(turnAbs, pairTime)); // sum |dphi| / (P dt)
    // sum dphi / (P dt): circling bias, > 0 counter-clockwise
    out.add("angular_velocity_mean_rad_s", safeRatio(turnSum, pairTime));
    out.add("net_turns", turnSum / (2.0 * kPi));               // sum dphi / 2 pi
    out.add("net_turns_abs", std::abs(turnSum) / (2.0 * kPi)); // |sum dphi| / 2 pi
    out.add("turn_bias_index", safeRatio(turnSum, turnAbs));   // sum dphi / sum |dphi| in [-1, 1]
    out.add("turn_bias_index_abs", safeRatio(std::abs(turnSum), turnAbs));
    // sum |dphi| / sum of l_i over the second steps of the turning pairs
    out.add("meander_rad_per_cm", safeRatio(turnAbs, turnLength));
    // Tortuosity over consecutive non-overlapping windows of W = round(tortuosityWindowS / dt)
    // steps (one window of all n steps when n < W; a last partial window is dropped): per window
    // path S = sum l_i, net displacement N = |p_end - p_start|; windows with S < 1 cm are
    // skipped; tortuosity = S / max(N, S / 50) (capped at 50), straightness = N / S. Means over
    // the kept windows; both 1 (a straight path) when no window is kept.
    const std::size_t W = std::min<std::size_t>(n, static_cast<std::size_t>(std::max<long long>(
                                                       1, std::llround(o.tortuosityWindowS / dt))));
    double tortSum = 0, straightSum = 0;
    std::size_t windows = 0;
    for (std::size_t s = 0; s + W <= n; s += W) {
        double path = 0;
        for (std::size_t i = s; i < s + W; ++i)
            path += len[i];
        if (path < kMinWindowPathCm)
            continue;
        const double net = std::hypot(x[s + W] - x[s], y[s + W] - y[s]);
        tortSum += path / std::max(net, path / kMaxTortuosity);
        straightSum += std::min(1.0, net / path);
        ++windows;
    }
    out.add("tortuosity_mean", windows ? tortSum / windows : 1.0);
    out.add("straightness_mean", windows ? straightSum / windows : 1.0);

    // ---- Rearing ----------------------------------------------------------------------------
    // Bouts are maximal runs of r_i = 1: the count equals the 0 -> 1 transitions plus one when
    // the recording starts with a rearing.
    double rearFrames = 0, rearWall = 0;
    std::size_t rearBouts = 0;
    std::vector<double> rearBin(B, 0.0);
    for (std::size_t i = 0; i < nFrames; ++i) {
        if (!rear[i])
            continue;
        rearFrames += 1;
        rearWall += wall[i] < o.wallCm;
        if (i == 0 || !rear[i - 1]) {
            ++rearBouts;
            rearBin[binOf(i)] += 1; // bouts are counted in the bin where they start
        }
    }
    const double bouts = static_cast<double>(rearBouts);
    out.add("rearing_count", bouts);
    out.add("rearing_per_min", bouts / (durationS / 60.0));            // count / (T dt / 60)
    out.add("rearing_time_fraction", rearFrames / Td);                 // #{i : r_i} / T
    out.add("rearing_bout_mean_s", safeRatio(rearFrames * dt, bouts)); // rearing frames dt / count
    // #{i : r_i and w_i < wallCm} / #{i : r_i}
    out.add("rearing_wall_fraction", safeRatio(rearWall, rearFrames));
    for (int b = 0; b < B; ++b)
        out.add(binName("rearing_count", b, ""), rearBin[b]);
    // least-squares slope of the bin rearing counts against b (rearings per bin per bin)
    out.add("rearing_habituation_slope_per_bin", slopeOverBins(rearBin));
}

} // namespace

std::vector<std::string> openFieldFeatureNames(const OpenFieldFeatureOptions& options) {
    validateOptions(options);
    // The names come from the same code path as the values: a still trajectory of minimal length.
    const int64_t T = 2 * static_cast<int64_t>(options.timeBins);
    const std::vector<float> still(static_cast<std::size_t>(3 * T), 0.0f);
    Sink sink;
    compute(still.data(), T, options, "feature names", sink);
    return sink.names;
}

std::vector<double> openFieldFeatures(const float* sample3xT, int64_t T,
                                      const OpenFieldFeatureOptions& options,
                                      const std::string& origin) {
    if (sample3xT == nullptr && T > 0)
        throw DataError(origin + ": no sample data");
    Sink sink;
    compute(sample3xT, T, options, origin, sink);
    return sink.values;
}

} // namespace embedscope
