#pragma once
// Hodgkin-Huxley simulator (SPEC S1; seed 001 §2.5 eqs 2.4a-d, Table 2.1, data protocol §3.1.2).
//
// Model: the 1952 squid-axon model in the modern convention (rest near -65 mV), units mV, ms,
// mS/cm^2, uA/cm^2, uF/cm^2:
//   Cm dV/dt = -gK n^4 (V - EK) - gNa m^3 h (V - ENa) - gL (V - EL) + I(t)
//   dx/dt = a_x(V) (1 - x) - b_x(V) x,  x in {n, m, h}
//   a_n = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10)),   b_n = 0.125 exp(-(V + 65) / 80)
//   a_m = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10)),    b_m = 4 exp(-(V + 65) / 18)
//   a_h = 0.07 exp(-(V + 65) / 20),                     b_h = 1 / (1 + exp(-(V + 35) / 10))
// The removable singularities of a_n at V = -55 and a_m at V = -40 are evaluated exactly:
// u / (1 - exp(-u)) is taken from its Taylor series 1 + u/2 + u^2/12 - u^4/720 for |u| < 1e-3
// (truncation error < 2e-15), from expm1 elsewhere; the limits are a_n(-55) = 0.1 and
// a_m(-40) = 1.
//
// Numerics: classical fourth-order Runge-Kutta with a fixed step dt / substeps (default: one
// step per output sample, dt = 0.01 ms as the seed states). The injected current is piecewise
// constant over each step: I of the step [t, t + h] is the protocol's current at t + h / 2, so
// an onset on the grid (10 ms) switches on exactly at that sample.
//
// Protocol (seed §3.1.2): start from the steady state n_inf, m_inf, h_inf at V = -65 mV, settle
// `settleMs` (200) with I = 0, then record `recordMs` (50) ms = round(recordMs / dtMs) samples
// (5000), sample k at time k * dtMs of the recorded window (k = 0 is the state after settling);
// the step current `currentUA` (15) is on for stepOnsetMs <= t < stepOffsetMs (10 .. end).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace embedscope {

/// Table 2.1 of seed 001.
struct HHParams {
    double cm = 1.0;    ///< membrane capacitance, uF/cm^2
    double gK = 36.0;   ///< maximum potassium conductance, mS/cm^2
    double gNa = 120.0; ///< maximum sodium conductance, mS/cm^2
    double gL = 0.3;    ///< leak conductance, mS/cm^2
    double eK = -77.0;  ///< reversal potentials, mV
    double eNa = 50.0;
    double eL = -54.4;
};

/// Simulation protocol (defaults: seed 001 §3.1.2).
struct HHProtocol {
    double settleMs = 200.0;   ///< simulated with I = 0 before recording starts
    double recordMs = 50.0;    ///< recorded window
    double dtMs = 0.01;        ///< output sampling step
    int substeps = 1;          ///< RK4 steps per output sample (step = dtMs / substeps)
    double stepOnsetMs = 10.0; ///< current on from here (time within the recorded window)
    double stepOffsetMs = std::numeric_limits<double>::infinity(); ///< ... until here
    double currentUA = 15.0;                                       ///< step amplitude, uA/cm^2
    double initialV = -65.0; ///< V at the start of settling; n, m, h at their steady state
};

/// The six rate functions at one voltage (1/ms).
struct HHRates {
    double alphaN, betaN, alphaM, betaM, alphaH, betaH;
};
HHRates hodgkinHuxleyRates(double vMilliVolt);

/// The recorded window: V (mV) and the gating variables, one value per output sample.
struct HHTrace {
    std::vector<double> v, n, m, h;
};

/// Number of recorded samples: round(recordMs / dtMs). Throws ConfigError for a non-positive or
/// non-finite dtMs / recordMs, negative settleMs, substeps < 1, or non-positive cm.
std::size_t hodgkinHuxleySamples(const HHProtocol& protocol);

/// Simulates one neuron; returns the recorded window. Throws ConfigError (see above).
HHTrace simulateHodgkinHuxleyTrace(const HHParams& params, const HHProtocol& protocol);
/// Only V (mV) of the recorded window.
std::vector<double> simulateHodgkinHuxley(const HHParams& params, const HHProtocol& protocol);

/// The seed 001 data set (§3.1.2).
struct HHDatasetParams {
    std::size_t n = 10000;
    uint64_t seed = 1;
    double gKMin = 26.0, gKMax = 46.0;     ///< gK ~ U(gKMin, gKMax)
    double gNaMin = 110.0, gNaMax = 130.0; ///< gNa ~ U(gNaMin, gNaMax)
    double trainFraction = 0.8;            ///< seed: 8,000 train / 2,000 test
    double valFraction = 0.1;              ///< of the train part, marked "val" for model selection
    int threads = 0;                       ///< worker threads; 0 = hardware concurrency (at most 8)
    HHProtocol protocol;                   ///< per-trace protocol (defaults: the seed's)
    HHParams base;                         ///< everything but gK and gNa (Table 2.1)
};

/// Simulates `n` traces with gK, gNa drawn per trace, min-max scales each to [0, 1] (seed
/// eq 3.1; a flat trace, impossible with the default current, becomes all zeros and is counted
/// in attributes "flat_traces"). kind Signal, sampleShape (1, T). Metadata: numeric `gK`, `gNa`,
/// `v_min`, `v_max` (mV, before scaling), string `split`: trace i < round(trainFraction * n) is
/// train, and the last round(valFraction * that) of those are "val" instead (default 7,200
/// train / 800 val / 2,000 test, in index order: the traces are i.i.d.). attributesJson holds
/// every parameter under "params". Deterministic: trace i draws from its own splitmix64 stream
/// seeded with (seed, i), so the result does not depend on the thread count.
/// Traces run on `threads` worker threads that are joined before returning; progress and
/// cancellation are handled on the calling thread (CancelledError within ~0.1 s).
/// Throws ConfigError for n = 0, empty or inverted ranges, fractions outside [0, 1].
Dataset simulateHodgkinHuxleyDataset(const HHDatasetParams& params,
                                     const JobContext& ctx = JobContext());

} // namespace embedscope
