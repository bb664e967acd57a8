#include "trajectory_metadata.h"

#include "csv_text.h"

namespace embedscope::plugins {
namespace {

bool inactive(const std::string& substance, const std::string& dose) {
    const std::string s = toLower(std::string(trim(substance)));
    double d = 0;
    const bool zeroDose = parseNumber(dose, d) && d == 0;
    return s.empty() || s == "control" || s == "vehicle" || s == "none" || s == "saline" ||
           zeroDose;
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

} // namespace embedscope::plugins
