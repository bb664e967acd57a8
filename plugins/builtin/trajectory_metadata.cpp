#include "trajectory_metadata.h"

#include "csv_text.h"

#include "embedscope/engine/error.h"

#include <cmath>

namespace embedscope::plugins {
namespace {

/// Names that stand for "no substance".
bool namesNoSubstance(const std::string& substance) {
    const std::string s = toLower(std::string(trim(substance)));
    return s.empty() || s == "control" || s == "vehicle" || s == "none" || s == "saline";
}

bool inactive(const std::string& substance, const std::string& dose) {
    double d = 0;
    const bool zeroDose = parseNumber(dose, d) && d == 0;
    return namesNoSubstance(substance) || zeroDose;
}

std::string textOrEmpty(const MetadataTable& metadata, const char* name, std::size_t row) {
    return metadata.has(name) ? metadata.column(name).text(row) : std::string();
}

} // namespace

std::string groupLabel(const std::string& substance, const std::string& dose,
                       const std::string& secondary, const std::string& secondaryDose) {
    const bool primary = !inactive(substance, dose);
    const bool second = !inactive(secondary, secondaryDose);
    const auto part = [](const std::string& name, const std::string& amount) {
        return amount.empty() ? name : name + "@" + amount;
    };
    std::string label = primary ? part(substance, dose) : std::string();
    if (second)
        label += (label.empty() ? "" : "+") + part(secondary, secondaryDose);
    return label.empty() ? "control" : label;
}

std::vector<std::string> completeTrajectoryMetadata(MetadataTable& metadata) {
    std::vector<std::string> added;
    const std::size_t n = metadata.rowCount();
    if (!metadata.has("group") && metadata.has("substance")) {
        std::vector<std::string> group(n);
        for (std::size_t r = 0; r < n; ++r)
            group[r] =
                groupLabel(metadata.column("substance").text(r), textOrEmpty(metadata, "dose", r),
                           textOrEmpty(metadata, "secondary_substance", r),
                           textOrEmpty(metadata, "secondary_dose", r));
        metadata.addStrings("group", std::move(group));
        added.push_back("group");
    }
    if (!metadata.has("animal") && metadata.has("rat")) {
        std::vector<std::string> animal(n);
        for (std::size_t r = 0; r < n; ++r) {
            const std::string experiment = textOrEmpty(metadata, "experiment", r);
            const std::string rat = metadata.column("rat").text(r);
            animal[r] = experiment.empty() ? rat : experiment + "/" + rat;
        }
        metadata.addStrings("animal", std::move(animal));
        added.push_back("animal");
    }
    return added;
}

void checkTrajectories(const Dataset& data, const std::string& origin) {
    const MetadataTable& m = data.metadata;
    const auto rowName = [&](std::size_t r) {
        return "row " + std::to_string(r + 1) +
               (m.has("id") ? " (id '" + m.column("id").text(r) + "')" : std::string());
    };
    // A track that never moves: the tracker lost the animal, or the file holds a placeholder.
    if (data.sampleShape.size() == 2 && data.sampleShape[0] >= 2) {
        const std::size_t T = static_cast<std::size_t>(data.sampleShape[1]);
        const std::size_t C = static_cast<std::size_t>(data.sampleShape[0]);
        for (std::size_t r = 0; r < data.sampleCount(); ++r) {
            const float* x = data.values.data() + r * C * T;
            const float* y = x + T;
            bool moves = false;
            for (std::size_t t = 1; t < T && !moves; ++t)
                moves = x[t] != x[0] || y[t] != y[0];
            if (!moves)
                throw DataError(origin + ": trajectory " + rowName(r) +
                                " never moves: x and y "
                                "are constant over all " +
                                std::to_string(T) +
                                " steps (a frozen or lost track); remove it or fix the tracking");
        }
    }
    // Doses are numbers >= 0 and belong to a substance.
    for (const auto& [doseName, substanceName] :
         {std::pair<const char*, const char*>{"dose", "substance"},
          std::pair<const char*, const char*>{"secondary_dose", "secondary_substance"}}) {
        if (!m.has(doseName))
            continue;
        const MetadataColumn& dose = m.column(doseName);
        for (std::size_t r = 0; r < dose.size(); ++r) {
            double d = 0;
            const std::string text = dose.text(r);
            const bool blank = std::string(trim(text)).empty();
            if (!blank && (!parseNumber(text, d) || !std::isfinite(d) || d < 0))
                throw DataError(origin + ": column '" + doseName + "', " + rowName(r) + ": '" +
                                text + "' is not a dose (a number >= 0; 0 = none)");
            const std::string substance = textOrEmpty(m, substanceName, r);
            if (d > 0 && namesNoSubstance(substance))
                throw DataError(origin + ": " + rowName(r) + " has " + doseName + " " + text +
                                " but " + substanceName + " '" + substance +
                                "' names no substance; give the substance or set the dose to 0");
        }
    }
}

} // namespace embedscope::plugins
