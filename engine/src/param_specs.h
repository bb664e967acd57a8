#pragma once
// Private: builders of registry ParamSpecs, shared by the model and loss registries.
#include "embedscope/engine/registry.h"

#include <string>
#include <utility>
#include <vector>

namespace embedscope::specs {

/// An Int, Double or Bool (0/1) parameter with its default and range.
inline ParamSpec number(std::string key, ParamSpec::Type type, std::string label, std::string help,
                        double def, double lo, double hi) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = type;
    p.label = std::move(label);
    p.help = std::move(help);
    p.defaultValue = def;
    p.minValue = lo;
    p.maxValue = hi;
    return p;
}

inline ParamSpec choice(std::string key, std::string label, std::string help,
                        std::vector<std::string> choices, std::string def) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamSpec::Type::Choice;
    p.label = std::move(label);
    p.help = std::move(help);
    p.choices = std::move(choices);
    p.defaultChoice = std::move(def);
    return p;
}

/// A list of integers each in [lo, hi], at most `maxItems`, default as text ("11,5,3").
inline ParamSpec intList(std::string key, std::string label, std::string help, std::string def,
                         double lo, double hi, std::size_t maxItems) {
    ParamSpec p = number(std::move(key), ParamSpec::Type::IntList, std::move(label),
                         std::move(help), 0, lo, hi);
    p.defaultChoice = std::move(def);
    p.maxItems = maxItems;
    return p;
}

} // namespace embedscope::specs
