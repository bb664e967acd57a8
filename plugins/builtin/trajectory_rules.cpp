#include "trajectory_rules.h"

#include "csv_text.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>

namespace embedscope::plugins {

std::string toString(LengthOutcome outcome) {
    switch (outcome) {
    case LengthOutcome::Kept:
        return "kept";
    case LengthOutcome::Padded:
        return "padded";
    case LengthOutcome::Cut:
        return "cut";
    case LengthOutcome::Dropped:
        return "dropped";
    }
    return "unknown";
}

LengthRules seedLengthRules() {
    return LengthRules{83000, 90000};
}

LengthOutcome applyLengthRules(std::vector<std::vector<double>>& channels,
                               const LengthRules& rules) {
    const int64_t length = channels.empty() ? 0 : static_cast<int64_t>(channels.front().size());
    if (length < rules.minSteps || length == 0)
        return LengthOutcome::Dropped;
    if (rules.padTo <= 0 || length == rules.padTo)
        return LengthOutcome::Kept;
    const auto target = static_cast<std::size_t>(rules.padTo);
    for (auto& channel : channels) {
        // Padding repeats the last value: the animal stays where it was last seen.
        const double last = channel.back();
        channel.resize(target, last);
    }
    return length < rules.padTo ? LengthOutcome::Padded : LengthOutcome::Cut;
}

int64_t interpolateInvalid(std::vector<double>& values, const std::vector<bool>& valid) {
    const std::size_t n = values.size();
    std::size_t first = 0;
    while (first < n && !valid[first])
        ++first;
    if (first == n)
        return n == 0 ? 0 : -1;
    int64_t replaced = 0;
    for (std::size_t i = 0; i < first; ++i, ++replaced)
        values[i] = values[first];
    std::size_t previous = first;
    for (std::size_t i = first + 1; i < n; ++i) {
        if (!valid[i])
            continue;
        // Fill the gap (previous, i) on the straight line between the two valid values.
        const std::size_t gap = i - previous;
        for (std::size_t k = previous + 1; k < i; ++k, ++replaced) {
            const double w = static_cast<double>(k - previous) / static_cast<double>(gap);
            values[k] = values[previous] + w * (values[i] - values[previous]);
        }
        previous = i;
    }
    for (std::size_t i = previous + 1; i < n; ++i, ++replaced)
        values[i] = values[previous];
    return replaced;
}

double medianStep(const std::vector<double>& times) {
    if (times.size() < 2)
        return 0.0;
    std::vector<double> steps(times.size() - 1);
    for (std::size_t i = 1; i < times.size(); ++i)
        steps[i - 1] = times[i] - times[i - 1];
    const auto middle = steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2);
    std::nth_element(steps.begin(), middle, steps.end());
    return *middle;
}

std::vector<double> regularGrid(double start, double end, double rateHz) {
    std::vector<double> grid;
    if (!(rateHz > 0) || end < start)
        return grid;
    const auto count = static_cast<std::size_t>(std::floor((end - start) * rateHz + 1e-9)) + 1;
    grid.reserve(count);
    for (std::size_t k = 0; k < count; ++k)
        grid.push_back(start + static_cast<double>(k) / rateHz);
    return grid;
}

std::vector<double> resample(const std::vector<double>& times, const std::vector<double>& values,
                             const std::vector<double>& grid, bool nearest) {
    std::vector<double> out(grid.size());
    if (times.empty())
        return out;
    std::size_t j = 0; // times[j] <= t < times[j + 1] as t moves along the grid
    for (std::size_t k = 0; k < grid.size(); ++k) {
        const double t = grid[k];
        while (j + 1 < times.size() && times[j + 1] <= t)
            ++j;
        if (j + 1 >= times.size() || t <= times[j]) {
            out[k] = values[j];
            continue;
        }
        const double span = times[j + 1] - times[j];
        const double w = (t - times[j]) / span;
        if (nearest)
            out[k] = w <= 0.5 ? values[j] : values[j + 1];
        else
            out[k] = values[j] + w * (values[j + 1] - values[j]);
    }
    return out;
}

double mapToUnit(double v, double lo, double hi) {
    constexpr double kEdge = 0.999; // mapped positions stay strictly inside (-1, 1)
    return std::clamp(2.0 * (v - lo) / (hi - lo) - 1.0, -kEdge, kEdge);
}

PreprocessResult preprocessTrack(RawTrack track, const TrajectoryRules& rules,
                                 const std::string& where) {
    const std::size_t n = track.t.size();
    if (track.z.size() != n)
        track.z.assign(n, 0.0);
    std::vector<bool> valid(n);
    for (std::size_t k = 0; k < n; ++k)
        valid[k] = (track.valid.empty() || track.valid[k]) && std::isfinite(track.x[k]) &&
                   std::isfinite(track.y[k]) && rules.cage.contains(track.x[k], track.y[k]);
    PreprocessResult result;
    // Seed §3.1.2: positions outside the cage are interpolated from the nearest valid ones.
    result.interpolated = interpolateInvalid(track.x, valid);
    if (result.interpolated < 0 || n == 0)
        throw DataError(where + " has no valid position (all " + std::to_string(n) +
                        " rows are outside the cage, not finite or below the likelihood cutoff)");
    interpolateInvalid(track.y, valid);
    for (double& z : track.z)
        z = std::isfinite(z) && z >= 0.5 ? 1.0 : 0.0; // z in {0, 1}

    result.channels = {std::move(track.x), std::move(track.y), std::move(track.z)};
    const double step = medianStep(track.t);
    if (step > 0 && std::fabs(1.0 / step - rules.rateHz) > 0.01 * rules.rateHz) {
        const auto grid = regularGrid(track.t.front(), track.t.back(), rules.rateHz);
        for (std::size_t c = 0; c < 3; ++c)
            result.channels[c] = resample(track.t, result.channels[c], grid, c == 2);
        result.resampledFromHz = std::round(1000.0 / step) / 1000.0;
    }
    for (double& v : result.channels[0])
        v = mapToUnit(v, rules.cage.x0, rules.cage.x1);
    for (double& v : result.channels[1])
        v = mapToUnit(v, rules.cage.y0, rules.cage.y1);
    result.outcome = applyLengthRules(result.channels, rules.length);
    return result;
}

double positiveOption(const ReaderOptions& options, const std::string& reader,
                      const std::string& key, double fallback) {
    const auto it = options.values.find(key);
    if (it == options.values.end())
        return fallback;
    double v = 0;
    if (!parseNumber(it->second, v) || !std::isfinite(v) || v <= 0)
        throw ConfigError(reader + " option '" + key + "' must be a positive number (got '" +
                          it->second + "')");
    return v;
}

namespace {

int64_t countOption(const ReaderOptions& options, const std::string& reader, const std::string& key,
                    int64_t fallback) {
    const auto it = options.values.find(key);
    if (it == options.values.end())
        return fallback;
    double v = 0;
    if (!parseNumber(it->second, v) || v < 0 || v > 1e12 || v != std::floor(v))
        throw ConfigError(reader + " option '" + key + "' must be a whole number >= 0 (got '" +
                          it->second + "')");
    return static_cast<int64_t>(v);
}

Cage parseCage(const std::string& text, const std::string& reader) {
    std::vector<std::string> parts;
    splitCsvLine(text, parts);
    std::vector<double> v;
    for (const auto& p : parts) {
        double x = 0;
        if (!parseNumber(p, x) || !std::isfinite(x)) {
            v.clear();
            break;
        }
        v.push_back(x);
    }
    const std::string bad = reader + " option 'cage' must be a positive size or X0,Y0,X1,Y1 with " +
                            "X0 < X1 and Y0 < Y1 (got '" + text + "')";
    if (v.size() == 1 && v[0] > 0)
        return Cage{0, 0, v[0], v[0]};
    if (v.size() == 4 && v[0] < v[2] && v[1] < v[3])
        return Cage{v[0], v[1], v[2], v[3]};
    throw ConfigError(bad);
}

} // namespace

void parseTrajectoryRules(const ReaderOptions& options, const std::string& reader,
                          const std::set<std::string>& readerKeys, TrajectoryRules& rules) {
    static const std::set<std::string> shared = {"cage", "rate", "min_steps", "pad_to", "rules"};
    for (const auto& [key, value] : options.values)
        if (!shared.count(key) && !readerKeys.count(key)) {
            std::string known;
            std::set<std::string> all = shared;
            all.insert(readerKeys.begin(), readerKeys.end());
            for (const auto& k : all)
                known += (known.empty() ? "" : ", ") + k;
            throw ConfigError(reader + ": unknown option '" + key + "' (known: " + known + ")");
        }
    const std::string preset = options.get("rules", "");
    if (preset == "seed")
        rules.length = seedLengthRules();
    else if (preset == "none")
        rules.length = LengthRules{};
    else if (!preset.empty())
        throw ConfigError(reader + " option 'rules' must be 'seed' or 'none' (got '" + preset +
                          "')");
    if (options.values.count("cage"))
        rules.cage = parseCage(options.values.at("cage"), reader);
    rules.rateHz = positiveOption(options, reader, "rate", rules.rateHz);
    rules.length.minSteps = countOption(options, reader, "min_steps", rules.length.minSteps);
    rules.length.padTo = countOption(options, reader, "pad_to", rules.length.padTo);
}

} // namespace embedscope::plugins
