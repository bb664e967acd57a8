// Learning-rate schedules and the validation of optimizer / schedule configs. No torch here;
// the optimizers themselves are in torch/optimizers.cpp.
#include "embedscope/engine/optimization.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string str(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

[[noreturn]] void bad(const std::string& field, const std::string& problem) {
    throw ConfigError(field + ": " + problem);
}

void requireFinite(const std::string& field, double v) {
    if (!std::isfinite(v))
        bad(field, "must be a finite number, got " + str(v));
}

void requireNonNegative(const std::string& field, double v) {
    requireFinite(field, v);
    if (v < 0)
        bad(field, "must be >= 0, got " + str(v));
}

void requireUnitInterval(const std::string& field, double v) {
    requireFinite(field, v);
    if (v < 0 || v >= 1)
        bad(field, "must be in [0, 1), got " + str(v));
}

/// SPEC S1 form of seed 001 eq. 3.3: the printed formula adds α outside the I factor and puts
/// the power on the cosine only, so it neither starts at I nor ends at α·I as the text says.
double cosineDecay(const ScheduleConfig& c, double base, int64_t t, int64_t T) {
    if (T <= 0 || t >= T)
        return base * c.finalFraction;
    const double half = 0.5 * (1.0 + std::cos(kPi * double(t) / double(T)));
    return base * ((1.0 - c.finalFraction) * std::pow(half, c.power) + c.finalFraction);
}

} // namespace

const std::vector<std::string>& optimizerNames() {
    static const std::vector<std::string> names = {"adam", "adamw", "nadamw", "sgd"};
    return names;
}

const std::vector<std::string>& scheduleNames() {
    static const std::vector<std::string> names = {"constant", "step", "cosine", "cosine-warmup"};
    return names;
}

void validate(const OptimizerConfig& c) {
    if (!contains(optimizerNames(), c.name))
        bad("optimizer.name",
            "unknown optimizer '" + c.name + "' (known: " + joined(optimizerNames()) + ")");
    requireFinite("optimizer.learningRate", c.learningRate);
    if (c.learningRate <= 0)
        bad("optimizer.learningRate", "must be > 0, got " + str(c.learningRate));
    requireUnitInterval("optimizer.beta1", c.beta1);
    requireUnitInterval("optimizer.beta2", c.beta2);
    requireNonNegative("optimizer.eps", c.eps);
    requireNonNegative("optimizer.epsRoot", c.epsRoot);
    requireNonNegative("optimizer.weightDecay", c.weightDecay);
    if (c.name == "sgd") {
        requireUnitInterval("optimizer.momentum", c.momentum);
        // torch's SGD: Nesterov momentum needs a momentum (and no dampening, which we never set).
        if (c.nesterov && c.momentum == 0)
            bad("optimizer.nesterov", "needs momentum > 0");
    }
}

void validate(const ScheduleConfig& c) {
    if (!contains(scheduleNames(), c.name))
        bad("schedule.name",
            "unknown schedule '" + c.name + "' (known: " + joined(scheduleNames()) + ")");
    requireFinite("schedule.finalFraction", c.finalFraction);
    if (c.finalFraction < 0 || c.finalFraction > 1)
        bad("schedule.finalFraction", "must be in [0, 1], got " + str(c.finalFraction));
    requireFinite("schedule.power", c.power);
    if (c.power <= 0)
        bad("schedule.power", "must be > 0, got " + str(c.power));
    if (c.warmupSteps < 0)
        bad("schedule.warmupSteps", "must be >= 0, got " + std::to_string(c.warmupSteps));
    requireFinite("schedule.gamma", c.gamma);
    if (c.name == "step") {
        if (c.stepSize < 1)
            bad("schedule.stepSize",
                "the step schedule needs stepSize >= 1, got " + std::to_string(c.stepSize));
        if (c.gamma <= 0)
            bad("schedule.gamma", "must be > 0, got " + str(c.gamma));
    }
}

double learningRateAt(const ScheduleConfig& c, double base, int64_t step, int64_t totalSteps) {
    validate(c);
    if (step < 0)
        bad("schedule step", "must be >= 0, got " + std::to_string(step));
    if (totalSteps < 0)
        bad("schedule totalSteps", "must be >= 0, got " + std::to_string(totalSteps));
    if (c.name == "step")
        return base * std::pow(c.gamma, double(step / c.stepSize));
    if (c.name == "cosine")
        return cosineDecay(c, base, step, totalSteps);
    if (c.name == "cosine-warmup") {
        const int64_t w = c.warmupSteps;
        if (step < w)
            return base * double(step + 1) / double(w);
        return cosineDecay(c, base, step - w, totalSteps - w);
    }
    return base; // constant
}

} // namespace embedscope
