#include "trajectory_rules.h"

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

} // namespace embedscope::plugins
