// Open-field simulator: the built-in demo data, with a documented dose-dependent ground truth.
//
// Model (one rat, time step dt = 1/rateHz, t in seconds, cage [0, L]^2 with L = cageCm)
// -------------------------------------------------------------------------------------
// Habituation. Exploration fades over the session:
//     h(t) = h_inf + (1 - h_inf) * exp(-t / tau),   h_inf = 0.35, tau = 10 min.
// Behavioural state. A two-state Markov chain moving <-> resting, per step:
//     P(resting -> moving) = onset * h(t) * dt,     onset = 0.4 / s  * m_onset
//     P(moving -> resting) = stop * dt,             stop  = 0.2 / s  * m_stop
// Speed. Ornstein-Uhlenbeck on the scalar speed v (cm/s), clamped at 0:
//     v += theta * (v* - v) * dt + sigma * sqrt(dt) * N(0,1),   theta = 2.5 / s,
//     v* = 12 cm/s * m_speed * (0.6 + 0.4 h(t)) when moving, 0 when resting,
//     sigma = 5 cm/s^1.5 when moving, 0.4 when resting (small shifts of position).
// Heading. Correlated random walk with a turning bias and thigmotaxis (wall attraction):
//     phi += (omega + k_wall * w(d) * (u x n)) * dt + 1.5 * sqrt(dt) * N(0,1)
//   u = (cos phi, sin phi); n = unit vector towards the nearest wall; d = distance to it;
//   u x n = sin(angle(n) - phi) turns the rat towards the wall; w(d) = clamp((d - 2)/6, 0, 1)
//   (no pull within 2 cm of a wall, full pull beyond 8 cm); k_wall = 2.5 rad/s * m_thigmotaxis.
//   omega = individual side preference + circling direction (+-1) * turn_bias (rad/s).
// Position. x += v cos(phi) dt, y += v sin(phi) dt, reflected off the walls (the heading's
//   normal component flips). Start: the cage centre +-2 cm, random heading, moving.
// Rearing. z is a second two-state Markov chain; while z = 1 the rat stands still (v = 0) and
//   the moving/resting chain is frozen:
//     P(z 0 -> 1) = rear * h(t) * g(d) * dt,  rear = 0.035 / s * m_rearing,
//     g(d) = 1.25 within 5 cm of a wall, else 0.75 (rats rear more against the walls);
//     P(z 1 -> 0) = dt / 1.8 s (episodes last ~1-3 s).
// Individual differences (per animal, log-normal factors exp(sigma * N(0,1))): speed
//   sigma 0.15; activity sigma 0.25 (multiplies onset, divides stop); thigmotaxis 0.25;
//   rearing 0.3; side preference omega_0 ~ N(0, 0.15) rad/s; circling direction +-1.
//
// Substances and doses (the ground truth)
// ----------------------------------------
// Dose effect (Hill curve, dose levels are ordinal so the half-effect dose sits mid-range):
//     E(d) = d^2 / (d^2 + c^2),   c = (D + 1) / 2,   E(0) = 0 (control), increasing in d.
// Each substance s has log-effects a_s[p] on the parameters p = speed, move_onset, move_stop,
// thigmotaxis, rearing and an additive turn bias b_s (rad/s). At dose d:
//     m_p = exp(E(d) * a_s[p]),   turn_bias = E(d) * b_s.
// Base profiles (multiplier at full effect E = 1):
//     stimulant-like  (S1): speed 2.0, onset 3.0, stop 0.4, thigmotaxis 1,    rearing 2.5
//     sedative-like   (S2): speed 0.45, onset 0.3, stop 2.5, thigmotaxis 1,   rearing 0.25
//     anxiolytic-like (S3): speed 1.0, onset 1.2, stop 1.0, thigmotaxis 0.1,  rearing 1.0
//     stereotypy-like (S4): speed 0.8, onset 1.0, stop 0.6, thigmotaxis 1,    rearing 0.3,
//                           turn bias 2.5 rad/s (circling)
// Substance s > 4 mixes two profiles: k = (s-1) div 4, primary p = (s-1) mod 4 with weight 1,
// secondary q = (p + k) mod 4 (or p + 1 when that equals p) with weight
// 0.2 + 0.6 * frac(k * 0.618034); a_s = sum of weight * ln(multiplier), b_s likewise.
//
// Determinism: every animal has its own std::mt19937_64 seeded from splitmix64(seed, animal
// index); normals come from Box-Muller on its raw output (no implementation-defined
// distributions), so results do not depend on the standard library or the order of animals.
#include "embedscope/engine/openfield.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Baseline behaviour (see the model above).
constexpr double kHabituationFloor = 0.35;
constexpr double kHabituationTauS = 600.0;
constexpr double kOnsetPerS = 0.4;
constexpr double kStopPerS = 0.2;
constexpr double kSpeedCmS = 12.0;
constexpr double kSpeedRelaxPerS = 2.5;
constexpr double kSpeedNoiseMoving = 5.0;
constexpr double kSpeedNoiseResting = 0.4;
constexpr double kTurnNoise = 1.5;
constexpr double kWallPullRadS = 2.5;
constexpr double kWallFreeCm = 2.0;
constexpr double kWallFullCm = 8.0;
constexpr double kRearPerS = 0.035;
constexpr double kRearDurationS = 1.8;
constexpr double kRearWallCm = 5.0;
constexpr double kHillSlope = 2.0;
constexpr double kEdge = 0.999; // keeps mapped positions strictly inside (-1, 1)

enum Param { Speed, MoveOnset, MoveStop, Thigmotaxis, Rearing, kParamCount };
const std::array<const char*, kParamCount> kParamNames = {"speed", "move_onset", "move_stop",
                                                          "thigmotaxis", "rearing"};

struct Profile {
    const char* name;
    std::array<double, kParamCount> maxMultiplier;
    double turnBiasRadS;
    const char* expected;
};

const std::array<Profile, 4> kProfiles = {{
    {"stimulant-like",
     {2.0, 3.0, 0.4, 1.0, 2.5},
     0.0,
     "faster locomotion, less resting, more rearing"},
    {"sedative-like",
     {0.45, 0.3, 2.5, 1.0, 0.25},
     0.0,
     "slower locomotion, more resting, less rearing"},
    {"anxiolytic-like",
     {1.0, 1.2, 1.0, 0.1, 1.0},
     0.0,
     "more time in the centre (weaker thigmotaxis); rearing slightly lower as rats leave "
     "the walls"},
    {"stereotypy-like",
     {0.8, 1.0, 0.6, 1.0, 0.3},
     2.5,
     "circling (turning bias), less rearing, slightly slower"},
}};

/// Substance s (1-based): which profiles it mixes, with what weights.
struct SubstanceEffect {
    std::vector<std::pair<int, double>> weights; // (profile index, weight)
    std::array<double, kParamCount> logEffect{};
    double turnBiasRadS = 0.0;
};

SubstanceEffect substanceEffect(int s) {
    SubstanceEffect e;
    const int primary = (s - 1) % 4;
    const int k = (s - 1) / 4;
    e.weights.push_back({primary, 1.0});
    if (k > 0) {
        int secondary = (primary + k) % 4;
        if (secondary == primary)
            secondary = (primary + 1) % 4;
        const double golden = k * 0.618034;
        e.weights.push_back({secondary, 0.2 + 0.6 * (golden - std::floor(golden))});
    }
    for (const auto& [profile, w] : e.weights) {
        for (int p = 0; p < kParamCount; ++p)
            e.logEffect[p] += w * std::log(kProfiles[profile].maxMultiplier[p]);
        e.turnBiasRadS += w * kProfiles[profile].turnBiasRadS;
    }
    return e;
}

double doseEffect(int dose, int doses) {
    if (dose <= 0)
        return 0.0;
    const double c = (doses + 1) / 2.0;
    const double dh = std::pow(dose, kHillSlope);
    return dh / (dh + std::pow(c, kHillSlope));
}

/// Behavioural parameters of one group (substance 0 = control).
struct GroupEffect {
    std::array<double, kParamCount> multiplier{1, 1, 1, 1, 1};
    double turnBiasRadS = 0.0;
};

GroupEffect groupEffect(int substance, int dose, int doses) {
    GroupEffect g;
    if (substance <= 0)
        return g;
    const SubstanceEffect e = substanceEffect(substance);
    const double effect = doseEffect(dose, doses);
    for (int p = 0; p < kParamCount; ++p)
        g.multiplier[p] = std::exp(effect * e.logEffect[p]);
    g.turnBiasRadS = effect * e.turnBiasRadS;
    return g;
}

uint64_t splitMix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// mt19937_64 with portable uniform and normal draws.
class Rng {
public:
    explicit Rng(uint64_t seed) : engine_(seed) {}
    uint64_t bits() { return engine_(); }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// Standard normal by Box-Muller (the second value is kept for the next call).
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        const double u1 = 1.0 - uniform(); // (0, 1]: log is finite
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(2.0 * kPi * u2);
        hasSpare_ = true;
        return r * std::cos(2.0 * kPi * u2);
    }

private:
    std::mt19937_64 engine_;
    bool hasSpare_ = false;
    double spare_ = 0.0;
};

void check(bool ok, const std::string& key, const std::string& rule, double value) {
    if (ok)
        return;
    char text[64];
    std::snprintf(text, sizeof text, "%g", value);
    throw ConfigError("openfield parameter '" + key + "' must be " + rule + " (got " + text + ")");
}

void validateParams(const OpenFieldParams& p) {
    check(p.substances >= 1 && p.substances <= 50, "substances", "in 1..50", p.substances);
    check(p.doses >= 1 && p.doses <= 10, "doses", "in 1..10", p.doses);
    check(p.animalsPerGroup >= 1 && p.animalsPerGroup <= 1000, "animals", "in 1..1000",
          p.animalsPerGroup);
    check(p.minutes > 0 && p.minutes <= 600, "minutes", "> 0 and <= 600", p.minutes);
    check(p.rateHz > 0 && p.rateHz <= 1000, "rateHz", "> 0 and <= 1000", p.rateHz);
    check(p.cageCm > 0 && std::isfinite(p.cageCm), "cageCm", "> 0", p.cageCm);
    check(p.experiments >= 1, "experiments", ">= 1", p.experiments);
    check(p.valFraction >= 0 && p.valFraction < 1, "valFraction", "in [0, 1)", p.valFraction);
    check(openFieldSteps(p) >= 1, "minutes", "long enough for one step", p.minutes);
    // Refuse sizes that cannot fit in memory with a clear message instead of bad_alloc.
    const double groups = p.substances * p.doses + 1.0;
    const double values = groups * p.animalsPerGroup * 3.0 * openFieldSteps(p);
    check(values <= 2.0e9, "animals",
          "small enough for (S*D+1)*A*3*T <= 2e9 values; reduce animals, minutes or substances",
          p.animalsPerGroup);
}

struct Animal {
    double speedCmS, onsetPerS, stopPerS, wallPullRadS, rearPerS, omegaRadS;
};

/// Simulates one rat into x, y, z rows of length T (mapped to (-1, 1) and {0, 1}).
void simulateAnimal(const OpenFieldParams& p, const GroupEffect& g, uint64_t seed,
                    const std::vector<double>& habituation, float* xRow, float* yRow, float* zRow) {
    Rng rng(seed);
    const double L = p.cageCm;
    const double dt = 1.0 / p.rateHz;
    const double sqrtDt = std::sqrt(dt);

    // Individual differences, then the group's substance effect.
    const double activity = std::exp(0.25 * rng.normal());
    Animal a;
    a.speedCmS = kSpeedCmS * std::exp(0.15 * rng.normal()) * g.multiplier[Speed];
    a.onsetPerS = kOnsetPerS * activity * g.multiplier[MoveOnset];
    a.stopPerS = kStopPerS / activity * g.multiplier[MoveStop];
    a.wallPullRadS = kWallPullRadS * std::exp(0.25 * rng.normal()) * g.multiplier[Thigmotaxis];
    a.rearPerS = kRearPerS * std::exp(0.3 * rng.normal()) * g.multiplier[Rearing];
    const double circling = (rng.bits() >> 63) ? 1.0 : -1.0;
    a.omegaRadS = 0.15 * rng.normal() + circling * g.turnBiasRadS;

    double x = L / 2 + 2.0 * (2.0 * rng.uniform() - 1.0);
    double y = L / 2 + 2.0 * (2.0 * rng.uniform() - 1.0);
    double phi = 2.0 * kPi * rng.uniform();
    double ux = std::cos(phi), uy = std::sin(phi); // heading unit vector, kept in step with phi
    double v = 0.0;
    bool moving = true;
    bool rearing = false;
    const double rearEnd = dt / kRearDurationS;
    const double toUnit = 2.0 / L;

    const std::size_t T = habituation.size();
    for (std::size_t i = 0; i < T; ++i) {
        const double h = habituation[i];
        // Nearest wall: distance and unit direction towards it.
        double d = x, nx = -1.0, ny = 0.0;
        if (L - x < d)
            d = L - x, nx = 1.0, ny = 0.0;
        if (y < d)
            d = y, nx = 0.0, ny = -1.0;
        if (L - y < d)
            d = L - y, nx = 0.0, ny = 1.0;

        // Rearing chain first: a rearing rat neither walks nor changes state.
        const double uRear = rng.uniform();
        const double uState = rng.uniform();
        if (rearing) {
            rearing = uRear >= rearEnd;
        } else {
            const double wallFactor = d < kRearWallCm ? 1.25 : 0.75;
            rearing = uRear < a.rearPerS * h * wallFactor * dt;
            if (!rearing) {
                if (moving)
                    moving = uState >= a.stopPerS * dt;
                else
                    moving = uState < a.onsetPerS * h * dt;
            }
        }

        const double noiseV = rng.normal();
        const double noisePhi = rng.normal();
        if (rearing) {
            v = 0.0;
        } else {
            const double target = moving ? a.speedCmS * (0.6 + 0.4 * h) : 0.0;
            const double sigma = moving ? kSpeedNoiseMoving : kSpeedNoiseResting;
            v += kSpeedRelaxPerS * (target - v) * dt + sigma * sqrtDt * noiseV;
            v = std::max(v, 0.0);
        }

        const double pull = std::clamp((d - kWallFreeCm) / (kWallFullCm - kWallFreeCm), 0.0, 1.0);
        const double towardsWall = ux * ny - uy * nx; // sin(angle(n) - phi)
        phi += (a.omegaRadS + a.wallPullRadS * pull * towardsWall) * dt +
               kTurnNoise * sqrtDt * noisePhi;

        ux = std::cos(phi);
        uy = std::sin(phi);
        x += v * ux * dt;
        y += v * uy * dt;
        // Reflect off the walls; the heading's normal component flips.
        if (x < 0 || x > L) {
            x = std::clamp(x < 0 ? -x : 2 * L - x, 0.0, L);
            phi = kPi - phi;
            ux = -ux;
        }
        if (y < 0 || y > L) {
            y = std::clamp(y < 0 ? -y : 2 * L - y, 0.0, L);
            phi = -phi;
            uy = -uy;
        }
        if (phi > kPi || phi < -kPi)
            phi = std::remainder(phi, 2.0 * kPi);

        xRow[i] = static_cast<float>(std::clamp(x * toUnit - 1.0, -kEdge, kEdge));
        yRow[i] = static_cast<float>(std::clamp(y * toUnit - 1.0, -kEdge, kEdge));
        zRow[i] = rearing ? 1.0f : 0.0f;
    }
}

std::string substanceName(int s) {
    return s == 0 ? "control" : "S" + std::to_string(s);
}

std::string animalId(std::size_t index) {
    char text[32];
    std::snprintf(text, sizeof text, "rat-%04zu", index + 1);
    return text;
}

nlohmann::json paramsJson(const OpenFieldParams& p) {
    return {{"substances", p.substances},
            {"doses", p.doses},
            {"animals", p.animalsPerGroup},
            {"minutes", p.minutes},
            {"rate_hz", p.rateHz},
            {"cage_cm", p.cageCm},
            {"experiments", p.experiments},
            {"val_fraction", p.valFraction},
            {"seed", p.seed},
            {"steps", openFieldSteps(p)}};
}

nlohmann::json groundTruth(const OpenFieldParams& p) {
    nlohmann::json truth;
    truth["model"] = "openfield-1";
    truth["params"] = paramsJson(p);
    truth["baseline"] = {{"speed_cm_s", kSpeedCmS},
                         {"move_onset_per_s", kOnsetPerS},
                         {"move_stop_per_s", kStopPerS},
                         {"thigmotaxis_rad_s", kWallPullRadS},
                         {"rearing_onset_per_s", kRearPerS},
                         {"rearing_duration_s", kRearDurationS},
                         {"turn_bias_rad_s", 0.0},
                         {"turn_noise_rad_per_sqrt_s", kTurnNoise},
                         {"habituation_tau_s", kHabituationTauS},
                         {"habituation_floor", kHabituationFloor}};
    truth["individual_log_sd"] = {{"speed", 0.15},
                                  {"activity", 0.25},
                                  {"thigmotaxis", 0.25},
                                  {"rearing", 0.3},
                                  {"side_preference_rad_s", 0.15}};
    truth["dose_response"] = {{"formula", "E(d) = d^h / (d^h + c^h), multiplier = exp(E(d) * a)"},
                              {"hill_slope", kHillSlope},
                              {"half_effect_dose", (p.doses + 1) / 2.0}};
    nlohmann::json substances = nlohmann::json::array();
    for (int s = 1; s <= p.substances; ++s) {
        const SubstanceEffect e = substanceEffect(s);
        nlohmann::json sub;
        sub["name"] = substanceName(s);
        sub["profile"] = kProfiles[e.weights[0].first].name;
        sub["expected"] = kProfiles[e.weights[0].first].expected;
        nlohmann::json mix = nlohmann::json::object();
        for (const auto& [profile, w] : e.weights)
            mix[kProfiles[profile].name] = w;
        sub["profile_weights"] = mix;
        nlohmann::json doses = nlohmann::json::array();
        for (int d = 1; d <= p.doses; ++d) {
            const GroupEffect g = groupEffect(s, d, p.doses);
            nlohmann::json m = nlohmann::json::object();
            for (int k = 0; k < kParamCount; ++k)
                m[kParamNames[k]] = g.multiplier[k];
            doses.push_back({{"dose", d},
                             {"group", substanceName(s) + "@" + std::to_string(d)},
                             {"effect", doseEffect(d, p.doses)},
                             {"multipliers", m},
                             {"turn_bias_rad_s", g.turnBiasRadS}});
        }
        sub["doses"] = doses;
        substances.push_back(sub);
    }
    truth["substances"] = substances;
    return truth;
}

} // namespace

int64_t openFieldSteps(const OpenFieldParams& params) {
    const double steps = params.minutes * 60.0 * params.rateHz;
    if (!std::isfinite(steps) || steps < 0 || steps > 1e12)
        return 0;
    return static_cast<int64_t>(std::llround(steps));
}

std::string openFieldGroundTruthJson(const OpenFieldParams& params) {
    validateParams(params);
    return groundTruth(params).dump(2);
}

Dataset simulateOpenField(const OpenFieldParams& params, const JobContext& ctx) {
    validateParams(params);
    const int64_t T = openFieldSteps(params);
    const int groups = params.substances * params.doses + 1;
    const int A = params.animalsPerGroup;
    const std::size_t n = static_cast<std::size_t>(groups) * A;
    const std::size_t sampleSize = 3 * static_cast<std::size_t>(T);

    Dataset data;
    data.name = "openfield";
    data.kind = DataKind::Trajectory;
    data.sampleShape = {3, T};
    data.values.resize(n * sampleSize);

    std::vector<double> habituation(static_cast<std::size_t>(T));
    for (int64_t i = 0; i < T; ++i)
        habituation[i] = kHabituationFloor + (1.0 - kHabituationFloor) *
                                                 std::exp(-(i / params.rateHz) / kHabituationTauS);

    // Experiments (cohorts) go to "val" as a whole: shuffle them with the seed.
    const int E = params.experiments;
    std::vector<int> order(E);
    for (int e = 0; e < E; ++e)
        order[e] = e;
    Rng splitRng(splitMix64(params.seed ^ 0x5EED5EED5EEDULL));
    for (int i = E - 1; i > 0; --i)
        std::swap(order[i], order[splitRng.bits() % static_cast<uint64_t>(i + 1)]);
    int valCount = static_cast<int>(std::lround(E * params.valFraction));
    if (E >= 2 && params.valFraction > 0)
        valCount = std::max(valCount, 1);
    valCount = std::min(valCount, E - 1); // keep at least one training cohort
    std::vector<std::string> experimentSplit(E, "train");
    for (int i = 0; i < valCount; ++i)
        experimentSplit[order[i]] = "val";

    std::vector<std::string> animal, experiment, substance, group, indication, split;
    std::vector<double> dose;
    const uint64_t baseSeed = splitMix64(params.seed);
    std::size_t index = 0;
    for (int g = 0; g < groups; ++g) {
        const int s = g == 0 ? 0 : 1 + (g - 1) / params.doses;
        const int d = g == 0 ? 0 : 1 + (g - 1) % params.doses;
        const GroupEffect effect = groupEffect(s, d, params.doses);
        const std::string groupName =
            s == 0 ? "control" : substanceName(s) + "@" + std::to_string(d);
        for (int a = 0; a < A; ++a, ++index) {
            ctx.throwIfCancelled();
            float* row = data.values.data() + index * sampleSize;
            simulateAnimal(params, effect, splitMix64(baseSeed + index), habituation, row, row + T,
                           row + 2 * T);
            animal.push_back(animalId(index));
            experiment.push_back("exp-" + std::to_string(a % E + 1));
            substance.push_back(substanceName(s));
            dose.push_back(d);
            group.push_back(groupName);
            // The indication (seed 000 §3.4: the classifier's labels) is the substance's
            // primary behavioural profile, "control" for the control group.
            indication.push_back(
                s == 0 ? std::string("control")
                       : std::string(kProfiles[substanceEffect(s).weights[0].first].name));
            split.push_back(experimentSplit[a % E]);
            ctx.report(static_cast<double>(index + 1) / n,
                       "animal " + std::to_string(index + 1) + "/" + std::to_string(n));
        }
    }
    data.metadata.addStrings("animal", std::move(animal));
    data.metadata.addStrings("experiment", std::move(experiment));
    data.metadata.addStrings("substance", std::move(substance));
    data.metadata.addNumbers("dose", std::move(dose));
    data.metadata.addStrings("group", std::move(group));
    data.metadata.addStrings("indication", std::move(indication));
    data.metadata.addStrings(Dataset::kSplitColumn, std::move(split));

    nlohmann::json attributes;
    attributes["simulator"] = "openfield";
    attributes["params"] = paramsJson(params);
    attributes["ground_truth"] = groundTruth(params);
    data.attributesJson = attributes.dump();
    return data;
}

} // namespace embedscope
