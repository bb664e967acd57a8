// Profiling: per-plate normalisation (seed 004 §3.3.1 "Normalize": standardize eq. 3.3,
// robustize eq. 3.4, mad robustize eqs. 3.5-3.6; "computed over the whole plate or the 24 DMSO
// wells on each plate. All other methods are also calculated per plate except for spherizing").
// Constants as pycytominer (which the seed used): StandardScaler's population sd, RobustScaler's
// linear-interpolated quartiles, the MAD scaled by 1.4826.
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace embedscope {

using namespace profiling_detail;

namespace {

constexpr double kMadToSd = 1.4826; // pycytominer RobustMAD: median_abs_deviation(scale=1/1.4826)

const char* methodName(NormalizeMethod m) {
    switch (m) {
    case NormalizeMethod::Standardize:
        return "standardize";
    case NormalizeMethod::Robustize:
        return "robustize";
    case NormalizeMethod::MadRobustize:
        return "mad_robustize";
    }
    return "?";
}

/// Centre and scale of one feature over the reference values `v` (reordered).
std::pair<double, double> centreAndScale(std::vector<double>& v, NormalizeMethod method) {
    if (method == NormalizeMethod::Standardize) {
        double mean = 0;
        for (double x : v)
            mean += x;
        mean /= double(v.size());
        double ss = 0;
        for (double x : v)
            ss += (x - mean) * (x - mean);
        return {mean, std::sqrt(ss / double(v.size()))}; // ddof 0, as sklearn's StandardScaler
    }
    if (method == NormalizeMethod::Robustize) {
        const double q1 = quantileOf(v, 0.25);
        const double q3 = quantileOf(v, 0.75);
        return {medianOf(v), q3 - q1};
    }
    const double median = medianOf(v);
    for (double& x : v)
        x = std::abs(x - median);
    return {median, kMadToSd * medianOf(v)};
}

/// A scale this small relative to the centre is a constant feature (rounding noise only).
bool isZeroScale(double scale, double centre) {
    return !(scale > 1e-12 * std::max(1.0, std::abs(centre)));
}

} // namespace

void normalizeProfiles(EmbeddingTable& table, const NormalizeOptions& options,
                       const ProfileColumns& columns, ProfileStepReport& report) {
    const std::string step = "normalize";
    requireNonEmpty(table, step);
    requireFinite(table, step);
    const MetadataColumn& plateColumn = requireColumn(table, columns.plate, step);
    std::vector<bool> controls;
    if (options.overControls)
        controls = controlMask(table, columns, step);

    // Plates in order of first appearance.
    std::map<std::string, std::size_t> plateIndex;
    std::vector<std::string> plateNames;
    std::vector<std::vector<std::size_t>> plateRows;
    for (std::size_t r = 0; r < table.rows; ++r) {
        const std::string p = plateColumn.text(r);
        const auto [it, added] = plateIndex.emplace(p, plateNames.size());
        if (added) {
            plateNames.push_back(p);
            plateRows.emplace_back();
        }
        plateRows[it->second].push_back(r);
    }

    const std::size_t d = table.featureNames.size();
    std::vector<std::size_t> keptRows;
    std::map<std::size_t, std::vector<std::string>> zeroScalePlates; // feature -> plates
    std::vector<double> values;
    std::vector<double> out = table.features;
    for (std::size_t p = 0; p < plateNames.size(); ++p) {
        std::vector<std::size_t> reference;
        if (options.overControls)
            for (std::size_t r : plateRows[p])
                if (controls[r])
                    reference.push_back(r);
        // One control well has no spread: as unusable as none.
        if (options.overControls && reference.size() < 2) {
            const std::string what =
                reference.empty() ? "no control wells" : "only one control well";
            reference.clear();
            if (options.missingControls == MissingControls::Drop) {
                report.notes.push_back(
                    "plate '" + plateNames[p] + "' has " + what + " (Metadata_" + columns.control +
                    " = " + columns.controlValue + "): its " + std::to_string(plateRows[p].size()) +
                    " row(s) were dropped (\"missing_controls\": \"all_wells\" normalises it "
                    "over all its wells instead)");
                continue;
            }
            report.notes.push_back("plate '" + plateNames[p] + "' has " + what +
                                   ": normalised over all its " +
                                   std::to_string(plateRows[p].size()) + " wells");
        }
        if (reference.empty())
            reference = plateRows[p];
        for (std::size_t f = 0; f < d; ++f) {
            values.clear();
            for (std::size_t r : reference)
                values.push_back(table.features[r * d + f]);
            const auto [c, s] = centreAndScale(values, options.method);
            if (isZeroScale(s, c)) {
                zeroScalePlates[f].push_back(plateNames[p]);
                continue;
            }
            for (std::size_t r : plateRows[p])
                out[r * d + f] = (table.features[r * d + f] - c) / s;
        }
        keptRows.insert(keptRows.end(), plateRows[p].begin(), plateRows[p].end());
    }
    if (keptRows.empty())
        throw DataError(step + ": no plate has control wells (Metadata_" + columns.control + " = " +
                        columns.controlValue + "), nothing to normalise against; use " +
                        "\"samples\": \"all\" to normalise over all wells");
    table.features = std::move(out);
    if (keptRows.size() != table.rows) {
        std::sort(keptRows.begin(), keptRows.end()); // keep the input order
        table = selectRows(table, keptRows);
    }

    std::vector<std::string> dropped;
    for (const auto& [f, plates] : zeroScalePlates) {
        dropped.push_back(table.featureNames[f]);
        report.notes.push_back("feature '" + table.featureNames[f] + "' is constant over the " +
                               (options.overControls ? "controls" : "wells") + " of plate(s) " +
                               joinNames(plates, 5) + " (" + methodName(options.method) +
                               " scale 0): dropped instead of dividing by 0");
    }
    dropProfileFeatures(table, dropped);
    report.dropped = dropped;
    report.notes.push_back(std::string(methodName(options.method)) + " per plate over " +
                           (options.overControls ? "control wells" : "all wells") + ", " +
                           std::to_string(plateNames.size()) + " plate(s)");
}

void dropProfileFeatures(EmbeddingTable& table, const std::vector<std::string>& names) {
    if (names.empty())
        return;
    const std::set<std::string> drop(names.begin(), names.end());
    const std::size_t d = table.featureNames.size();
    std::vector<std::size_t> keep;
    for (std::size_t f = 0; f < d; ++f)
        if (!drop.count(table.featureNames[f]))
            keep.push_back(f);
    if (keep.size() == d)
        return;
    std::vector<double> values;
    values.reserve(table.rows * keep.size());
    for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t f : keep)
            values.push_back(table.features[r * d + f]);
    std::vector<std::string> featureNames;
    for (std::size_t f : keep)
        featureNames.push_back(table.featureNames[f]);
    table.features = std::move(values);
    table.featureNames = std::move(featureNames);
}

} // namespace embedscope
