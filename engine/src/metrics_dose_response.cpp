// Dose response DR (seed 000 §3.4.3, eq 3.7): per substance (combination), the distances of
// its dose-level centroids (ascending dose) to a reference centroid, scored by their inversion
// number.
#include "embedscope/engine/metrics.h"

#include "embedscope/engine/error.h"
#include "metrics_internal.h"

#include <cmath>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

namespace embedscope {
namespace {

struct Accumulator {
    Eigen::RowVectorXd sum;
    std::size_t count = 0;
    void add(const Eigen::RowVectorXd& row) {
        if (count == 0)
            sum = Eigen::RowVectorXd::Zero(row.size());
        sum += row;
        ++count;
    }
    Eigen::RowVectorXd centroid() const { return sum / static_cast<double>(count); }
};

/// One tested substance (combination): its reference group and its dose levels.
struct Combination {
    std::string referenceKey;                 ///< "" = control, else the secondary substance@dose
    std::map<double, Accumulator> doseLevels; ///< ascending dose
};

} // namespace

namespace metricsimpl {

std::string doseText(double dose) {
    std::ostringstream out;
    out << std::setprecision(12) << dose;
    return out.str();
}

void checkDoseLabels(const MetricLabels& labels, std::size_t rows, const std::string& prefix) {
    if (labels.substance.empty() || labels.dose.empty())
        throw DataError(prefix + ": needs substance and dose labels, none given");
    auto check = [&](std::size_t got, const char* what) {
        if (got != rows)
            throw DataError(prefix + ": " + std::to_string(got) + " " + what + " for " +
                            std::to_string(rows) + " embedding rows");
    };
    check(labels.substance.size(), "substance labels");
    check(labels.dose.size(), "dose values");
    if (!labels.secondarySubstance.empty())
        check(labels.secondarySubstance.size(), "secondary substance labels");
    if (!labels.secondaryDose.empty())
        check(labels.secondaryDose.size(), "secondary dose values");
}

std::optional<std::string> secondaryGroup(const MetricLabels& labels, std::size_t row) {
    if (labels.secondarySubstance.empty() || labels.secondarySubstance[row].empty())
        return std::string();
    const bool doses = !labels.secondaryDose.empty();
    const double sd = doses ? labels.secondaryDose[row] : 1.0;
    if (!std::isfinite(sd) || sd < 0)
        return std::nullopt;
    if (sd == 0)
        return std::string();
    return labels.secondarySubstance[row] + (doses ? "@" + doseText(sd) : std::string());
}

} // namespace metricsimpl

std::size_t inversionCount(const std::vector<double>& v) {
    // Dose groups are few (3-6 per substance, §3.4.3), so the O(n²) pair count is fine.
    std::size_t inversions = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j)
            if (v[i] > v[j])
                ++inversions;
    return inversions;
}

double doseResponseScore(const Eigen::MatrixXd& z, const MetricLabels& labels) {
    using metricsimpl::doseText;
    const std::size_t n = static_cast<std::size_t>(z.rows());
    metricsimpl::checkFinite(z, "dose response embedding");
    // The metric's own message for missing labels; the length checks say "metrics:" as before.
    if (labels.substance.empty() || labels.dose.empty())
        throw DataError("dose response: needs substance and dose labels, none given");
    metricsimpl::checkDoseLabels(labels, n, "metrics");
    if (!labels.secondaryDose.empty() && labels.secondarySubstance.empty())
        throw DataError("dose response: secondary doses given without secondary substances");

    // Reference groups: "" = control (dose 0, no secondary substance); otherwise the rows that
    // received only that secondary substance (at that secondary dose), §3.4.3.
    std::map<std::string, Accumulator> references;
    std::map<std::string, Combination> combinations;
    for (std::size_t r = 0; r < n; ++r) {
        const double dose = labels.dose[r];
        if (!std::isfinite(dose) || dose < 0)
            throw DataError("dose response: row " + std::to_string(r) + " has dose " +
                            doseText(dose) + " (must be finite and >= 0; 0 = control)");
        const std::optional<std::string> group = metricsimpl::secondaryGroup(labels, r);
        if (!group)
            throw DataError("dose response: row " + std::to_string(r) + " has secondary dose " +
                            doseText(labels.secondaryDose[r]));
        const std::string& secondary = *group;
        const Eigen::RowVectorXd row = z.row(static_cast<Eigen::Index>(r));
        if (dose == 0) {
            references[secondary].add(row);
            continue;
        }
        const std::string key =
            labels.substance[r] + (secondary.empty() ? std::string() : " + " + secondary);
        Combination& c = combinations[key];
        c.referenceKey = secondary;
        c.doseLevels[dose].add(row);
    }
    if (combinations.empty())
        throw DataError("dose response: no dosed rows (every dose is 0)");

    // Eq 3.7: DR = (D̄/|S|) Σ_s inv(v_s)/D_s, v_s^i = ||C_s^ref − C_s^i||, i = 1..D_s by
    // ascending dose, D̄ = mean D_s. Dividing by D_s (not by the maximum D_s(D_s−1)/2) is the
    // seed's normalisation; × D̄ makes DR read as "swaps per substance".
    double sum = 0;
    double totalLevels = 0;
    for (const auto& [key, c] : combinations) {
        auto ref = references.find(c.referenceKey);
        if (ref == references.end())
            throw DataError(
                c.referenceKey.empty()
                    ? "dose response: no control rows (dose 0 without a secondary substance) "
                      "to compare substance '" +
                          key + "' with"
                    : "dose response: no rows with only the secondary substance '" +
                          c.referenceKey + "' (dose 0) to compare '" + key + "' with");
        const Eigen::RowVectorXd reference = ref->second.centroid();
        std::vector<double> distances;
        for (const auto& [dose, level] : c.doseLevels)
            distances.push_back((level.centroid() - reference).norm());
        const double levels = static_cast<double>(distances.size());
        sum += static_cast<double>(inversionCount(distances)) / levels;
        totalLevels += levels;
    }
    const double substances = static_cast<double>(combinations.size());
    const double meanLevels = totalLevels / substances;
    return meanLevels / substances * sum;
}

} // namespace embedscope
