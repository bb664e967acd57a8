#pragma once
// Private: the simulators' random numbers (detector events, development, cell plates). SplitMix64
// is tiny, fast and gives the same stream on every platform and standard library (std::
// distributions do not), so a seed names the same simulated data everywhere; streamSeed gives
// each sample its own stream, so a sample does not change when others are added.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace embedscope {

class SplitMixRng {
public:
    explicit SplitMixRng(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1) from the top 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Box-Muller, one value per call (simple, and each call consumes exactly two draws).
    double normal() {
        const double u1 = 1.0 - uniform(); // (0, 1]: the log is finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
    }
    /// Knuth's method; the normal approximation above a mean of 30 (a noise count).
    int poisson(double mean) {
        if (mean <= 0.0)
            return 0;
        if (mean > 30.0)
            return std::max(0, static_cast<int>(std::lround(mean + std::sqrt(mean) * normal())));
        const double limit = std::exp(-mean);
        int k = 0;
        for (double p = uniform(); p > limit; p *= uniform())
            ++k;
        return k;
    }

private:
    uint64_t state_;
};

/// The seed of sample `index`'s own stream; `salt` separates the simulators.
inline uint64_t streamSeed(uint64_t seed, uint64_t index, uint64_t salt) {
    SplitMixRng mix(seed ^ (0xD1B54A32D192ED03ull * (index + 1)) ^ salt);
    return mix.next();
}

} // namespace embedscope
