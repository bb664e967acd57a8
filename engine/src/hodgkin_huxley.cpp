// Hodgkin-Huxley simulator: RK4 integration and the seed 001 §3.1.2 data set. See the header
// for the model, the numerics and the protocol.
#include "embedscope/engine/hodgkin_huxley.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace embedscope {
namespace {

/// u / (1 - exp(-u)) given e = exp(-u); exact at the removable singularity u = 0.
inline double ratioExpm1(double u, double expMinusU) {
    if (std::abs(u) < 1e-3)
        return 1.0 + u * (0.5 + u * (1.0 / 12.0 - u * u / 720.0));
    return u / (1.0 - expMinusU);
}

// exp(-(V + 65) / 10) times these gives the other exponentials with denominator 10.
const double kExpPlus1 = std::exp(1.0);  // -(V + 55) / 10 = -(V + 65) / 10 + 1
const double kExpPlus25 = std::exp(2.5); // -(V + 40) / 10 = -(V + 65) / 10 + 2.5
const double kExpPlus3 = std::exp(3.0);  // -(V + 35) / 10 = -(V + 65) / 10 + 3

/// All six rates from three exponentials and no divisions by constants (the inner loop runs
/// 10^9 times for the seed's data set).
inline HHRates rates(double v) {
    const double x = v + 65.0;
    const double e10 = std::exp(-0.1 * x);          // exp(-(V + 65) / 10)
    const double e18 = std::exp(-x * (1.0 / 18.0)); // exp(-(V + 65) / 18)
    const double e80 = std::exp(-0.0125 * x);       // exp(-(V + 65) / 80)
    const double uN = 0.1 * x - 1.0;                // (V + 55) / 10
    const double uM = 0.1 * x - 2.5;                // (V + 40) / 10
    HHRates r;
    r.alphaN = 0.1 * ratioExpm1(uN, e10 * kExpPlus1); // 0.01 (V+55)/(1-e) = 0.1 u/(1-e)
    r.betaN = 0.125 * e80;
    r.alphaM = ratioExpm1(uM, e10 * kExpPlus25); // 0.1 (V+40)/(1-e) = u/(1-e)
    r.betaM = 4.0 * e18;
    r.alphaH = 0.07 * std::sqrt(e10); // exp(-(V + 65) / 20)
    r.betaH = 1.0 / (1.0 + e10 * kExpPlus3);
    return r;
}

struct State {
    double v, n, m, h;
};

inline State derivative(const State& s, const HHParams& p, double current) {
    const HHRates r = rates(s.v);
    const double n2 = s.n * s.n;
    const double iK = p.gK * n2 * n2 * (s.v - p.eK);
    const double iNa = p.gNa * s.m * s.m * s.m * s.h * (s.v - p.eNa);
    const double iL = p.gL * (s.v - p.eL);
    return {(current - iK - iNa - iL) / p.cm, r.alphaN * (1.0 - s.n) - r.betaN * s.n,
            r.alphaM * (1.0 - s.m) - r.betaM * s.m, r.alphaH * (1.0 - s.h) - r.betaH * s.h};
}

inline State axpy(const State& s, double a, const State& d) {
    return {s.v + a * d.v, s.n + a * d.n, s.m + a * d.m, s.h + a * d.h};
}

inline State rk4Step(const State& s, const HHParams& p, double current, double h) {
    const State k1 = derivative(s, p, current);
    const State k2 = derivative(axpy(s, 0.5 * h, k1), p, current);
    const State k3 = derivative(axpy(s, 0.5 * h, k2), p, current);
    const State k4 = derivative(axpy(s, h, k3), p, current);
    const double w = h / 6.0;
    return {s.v + w * (k1.v + 2.0 * (k2.v + k3.v) + k4.v),
            s.n + w * (k1.n + 2.0 * (k2.n + k3.n) + k4.n),
            s.m + w * (k1.m + 2.0 * (k2.m + k3.m) + k4.m),
            s.h + w * (k1.h + 2.0 * (k2.h + k3.h) + k4.h)};
}

State steadyState(double v) {
    const HHRates r = rates(v);
    return {v, r.alphaN / (r.alphaN + r.betaN), r.alphaM / (r.alphaM + r.betaM),
            r.alphaH / (r.alphaH + r.betaH)};
}

void checkProtocol(const HHProtocol& q) {
    auto bad = [](const std::string& field, double value, const std::string& rule) {
        throw ConfigError("Hodgkin-Huxley protocol: " + field + " = " + std::to_string(value) +
                          " " + rule);
    };
    if (!(q.dtMs > 0.0) || !std::isfinite(q.dtMs))
        bad("dtMs", q.dtMs, "must be a positive number");
    if (!(q.recordMs >= q.dtMs) || !std::isfinite(q.recordMs))
        bad("recordMs", q.recordMs, "must be finite and at least dtMs");
    if (!(q.settleMs >= 0.0) || !std::isfinite(q.settleMs))
        bad("settleMs", q.settleMs, "must be finite and >= 0");
    if (q.substeps < 1)
        bad("substeps", q.substeps, "must be >= 1");
    if (!std::isfinite(q.currentUA) || !std::isfinite(q.initialV))
        bad("currentUA/initialV", q.currentUA, "must be finite");
}

/// splitmix64: one independent, portable stream per trace.
uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
double uniform01(uint64_t& state) {
    return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

} // namespace

HHRates hodgkinHuxleyRates(double vMilliVolt) {
    return rates(vMilliVolt);
}

std::size_t hodgkinHuxleySamples(const HHProtocol& protocol) {
    checkProtocol(protocol);
    return static_cast<std::size_t>(std::llround(protocol.recordMs / protocol.dtMs));
}

HHTrace simulateHodgkinHuxleyTrace(const HHParams& p, const HHProtocol& q) {
    const std::size_t samples = hodgkinHuxleySamples(q);
    if (!(p.cm > 0.0) || !std::isfinite(p.cm))
        throw ConfigError("Hodgkin-Huxley parameters: cm = " + std::to_string(p.cm) +
                          " must be a positive number");
    const double h = q.dtMs / q.substeps;
    State s = steadyState(q.initialV);
    const auto settleSteps = static_cast<int64_t>(std::llround(q.settleMs / h));
    for (int64_t i = 0; i < settleSteps; ++i)
        s = rk4Step(s, p, 0.0, h);

    HHTrace trace;
    for (auto* x : {&trace.v, &trace.n, &trace.m, &trace.h})
        x->resize(samples);
    for (std::size_t k = 0; k < samples; ++k) {
        trace.v[k] = s.v;
        trace.n[k] = s.n;
        trace.m[k] = s.m;
        trace.h[k] = s.h;
        for (int j = 0; j < q.substeps; ++j) {
            const double mid = (static_cast<double>(k) + (j + 0.5) / q.substeps) * q.dtMs;
            const double current =
                (mid >= q.stepOnsetMs && mid < q.stepOffsetMs) ? q.currentUA : 0.0;
            s = rk4Step(s, p, current, h);
        }
    }
    return trace;
}

std::vector<double> simulateHodgkinHuxley(const HHParams& params, const HHProtocol& protocol) {
    return simulateHodgkinHuxleyTrace(params, protocol).v;
}

Dataset simulateHodgkinHuxleyDataset(const HHDatasetParams& P, const JobContext& ctx) {
    if (P.n == 0)
        throw ConfigError("Hodgkin-Huxley data set: n must be at least 1");
    if (!(P.gKMin <= P.gKMax) || !(P.gNaMin <= P.gNaMax) || !std::isfinite(P.gKMin + P.gKMax) ||
        !std::isfinite(P.gNaMin + P.gNaMax) || P.gKMin < 0.0 || P.gNaMin < 0.0)
        throw ConfigError("Hodgkin-Huxley data set: conductance ranges must be finite, >= 0 and "
                          "min <= max (gK " +
                          std::to_string(P.gKMin) + ".." + std::to_string(P.gKMax) + ", gNa " +
                          std::to_string(P.gNaMin) + ".." + std::to_string(P.gNaMax) + ")");
    if (!(P.trainFraction >= 0.0 && P.trainFraction <= 1.0) ||
        !(P.valFraction >= 0.0 && P.valFraction <= 1.0))
        throw ConfigError("Hodgkin-Huxley data set: trainFraction and valFraction must be in "
                          "[0, 1]");
    const std::size_t T = hodgkinHuxleySamples(P.protocol);
    const std::size_t n = P.n;

    // Conductances first (cheap, sequential, independent of the thread count).
    std::vector<double> gK(n), gNa(n);
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t state = P.seed * 0x9E3779B97F4A7C15ull ^ (0xD1B54A32D192ED03ull * (i + 1));
        splitmix64(state);
        gK[i] = P.gKMin + (P.gKMax - P.gKMin) * uniform01(state);
        gNa[i] = P.gNaMin + (P.gNaMax - P.gNaMin) * uniform01(state);
    }

    Dataset data;
    data.name = "hh";
    data.kind = DataKind::Signal;
    data.sampleShape = {1, static_cast<int64_t>(T)};
    data.values.assign(n * T, 0.0f);
    std::vector<double> vMin(n), vMax(n);
    std::atomic<std::size_t> next{0}, done{0}, flat{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;

    auto work = [&](bool onCallingThread) {
        try {
            for (;;) {
                if (stop.load())
                    return;
                const std::size_t i = next.fetch_add(1);
                if (i >= n)
                    return;
                HHParams p = P.base;
                p.gK = gK[i];
                p.gNa = gNa[i];
                const std::vector<double> v = simulateHodgkinHuxley(p, P.protocol);
                const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
                vMin[i] = *lo;
                vMax[i] = *hi;
                float* out = data.values.data() + i * T;
                const double range = *hi - *lo;
                if (range > 0.0) { // eq 3.1: exactly 0 at the minimum and 1 at the maximum
                    for (std::size_t k = 0; k < T; ++k)
                        out[k] = static_cast<float>((v[k] - *lo) / range);
                } else {
                    flat.fetch_add(1); // stays all zeros
                }
                done.fetch_add(1);
                if (onCallingThread) {
                    ctx.report(static_cast<double>(done.load()) / n, "Hodgkin-Huxley traces");
                    ctx.throwIfCancelled();
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            stop.store(true);
        }
    };

    unsigned threads = P.threads > 0
                           ? static_cast<unsigned>(P.threads)
                           : std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, n));
    const auto start = std::chrono::steady_clock::now();
    if (threads <= 1) {
        work(true);
    } else {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back(work, false);
        // Progress and cancellation stay on the calling thread (callbacks are not thread-safe).
        while (done.load() < n && !stop.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const double fraction = static_cast<double>(done.load()) / n;
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            ctx.report(fraction, "Hodgkin-Huxley traces",
                       fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : -1.0);
            if (ctx.cancelRequested())
                stop.store(true);
        }
        for (auto& t : pool)
            t.join();
    }
    if (failure)
        std::rethrow_exception(failure);
    ctx.throwIfCancelled();

    const auto trainEnd = static_cast<std::size_t>(std::llround(P.trainFraction * n));
    const auto valCount = static_cast<std::size_t>(std::llround(P.valFraction * trainEnd));
    std::vector<std::string> split(n, "test");
    for (std::size_t i = 0; i < trainEnd; ++i)
        split[i] = i + valCount >= trainEnd ? "val" : "train";
    data.metadata.addNumbers("gK", gK);
    data.metadata.addNumbers("gNa", gNa);
    data.metadata.addNumbers("v_min", vMin);
    data.metadata.addNumbers("v_max", vMax);
    data.metadata.addStrings(Dataset::kSplitColumn, std::move(split));

    const HHProtocol& q = P.protocol;
    const HHParams& b = P.base;
    nlohmann::json attributes = {
        {"simulator", "hodgkin-huxley"},
        {"source", "seed 001 section 3.1.2"},
        {"integrator", "classical RK4, fixed step dt_ms / substeps"},
        {"scaling", "per-trace min-max to [0, 1] (seed eq 3.1)"},
        {"flat_traces", flat.load()},
        {"params",
         {{"n", n},
          {"seed", P.seed},
          {"gK_min", P.gKMin},
          {"gK_max", P.gKMax},
          {"gNa_min", P.gNaMin},
          {"gNa_max", P.gNaMax},
          {"train_fraction", P.trainFraction},
          {"val_fraction", P.valFraction},
          {"cm", b.cm},
          {"gL", b.gL},
          {"eK", b.eK},
          {"eNa", b.eNa},
          {"eL", b.eL},
          {"settle_ms", q.settleMs},
          {"record_ms", q.recordMs},
          {"dt_ms", q.dtMs},
          {"substeps", q.substeps},
          {"step_onset_ms", q.stepOnsetMs},
          {"step_offset_ms",
           std::isfinite(q.stepOffsetMs) ? nlohmann::json(q.stepOffsetMs) : nlohmann::json("end")},
          {"current_uA_cm2", q.currentUA},
          {"initial_v_mV", q.initialV}}}};
    data.attributesJson = attributes.dump();
    ctx.report(1.0, "Hodgkin-Huxley traces done");
    return data;
}

} // namespace embedscope
