// Profiling: site/well aggregation of single-cell features (seed 004 §3.3.1 "Aggregation":
// "the median of all the single-cell profiles within a well is aggregated to one profile per
// well"; "DeepProfiler Processing": mean or median onto the site, well or plate level) and the
// helpers the other steps share.
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace embedscope {
namespace profiling_detail {

void requireNonEmpty(const EmbeddingTable& table, const std::string& step) {
    if (table.rows == 0)
        throw DataError(step + ": the table has no rows");
    if (table.featureNames.empty())
        throw DataError(step + ": the table has no feature columns left");
}

void requireFinite(const EmbeddingTable& table, const std::string& step) {
    const std::size_t d = table.featureNames.size();
    for (std::size_t f = 0; f < d; ++f) {
        std::size_t count = 0, first = 0;
        for (std::size_t r = 0; r < table.rows; ++r)
            if (!std::isfinite(table.features[r * d + f]) && count++ == 0)
                first = r;
        if (count)
            throw DataError(step + ": feature '" + table.featureNames[f] + "' has " +
                            std::to_string(count) + " missing (NA) or infinite value(s), the " +
                            "first in row " + std::to_string(first + 1) +
                            "; put a drop_na_columns step before it (\"cutoff\": 0 drops every "
                            "feature with a missing value)");
    }
}

const MetadataColumn& requireColumn(const EmbeddingTable& table, const std::string& name,
                                    const std::string& step) {
    if (!table.metadata.has(name)) {
        std::string known;
        for (const auto& c : table.metadata.columns())
            known += (known.empty() ? "" : ", ") + ("Metadata_" + c.name);
        throw DataError(step + ": the table has no column 'Metadata_" + name +
                        "' (metadata columns: " + (known.empty() ? "none" : known) + ")");
    }
    return table.metadata.column(name);
}

std::vector<bool> controlMask(const EmbeddingTable& table, const ProfileColumns& columns,
                              const std::string& step) {
    const MetadataColumn& c = requireColumn(table, columns.control, step);
    std::vector<bool> mask(table.rows);
    double number = std::numeric_limits<double>::quiet_NaN();
    try {
        number = std::stod(columns.controlValue);
    } catch (const std::exception&) {
    }
    for (std::size_t r = 0; r < table.rows; ++r)
        mask[r] = c.numeric ? c.numbers[r] == number : c.strings[r] == columns.controlValue;
    return mask;
}

std::vector<std::vector<std::size_t>> groupRows(const EmbeddingTable& table,
                                                const std::vector<std::string>& by,
                                                const std::string& step) {
    std::vector<const MetadataColumn*> keys;
    for (const auto& name : by)
        keys.push_back(&requireColumn(table, name, step));
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t r = 0; r < table.rows; ++r) {
        std::string key;
        for (const MetadataColumn* c : keys)
            key += c->text(r) + '\x1f';
        const auto [it, added] = index.emplace(key, groups.size());
        if (added)
            groups.emplace_back();
        groups[it->second].push_back(r);
    }
    return groups;
}

MetadataTable groupMetadata(const MetadataTable& metadata,
                            const std::vector<std::vector<std::size_t>>& groups,
                            std::vector<std::string>& notes) {
    MetadataTable out;
    std::vector<std::string> varying;
    std::vector<std::size_t> firsts;
    for (const auto& g : groups)
        firsts.push_back(g.front());
    for (const MetadataColumn& c : metadata.columns()) {
        bool constant = true;
        for (std::size_t k = 0; k < groups.size() && constant; ++k)
            for (std::size_t r : groups[k])
                if (c.numeric ? !(c.numbers[r] == c.numbers[firsts[k]] ||
                                  (std::isnan(c.numbers[r]) && std::isnan(c.numbers[firsts[k]])))
                              : c.strings[r] != c.strings[firsts[k]]) {
                    constant = false;
                    break;
                }
        if (!constant) {
            varying.push_back("Metadata_" + c.name);
            continue;
        }
        MetadataColumn kept{c.name, c.numeric, {}, {}};
        for (std::size_t r : firsts)
            c.numeric ? kept.numbers.push_back(c.numbers[r]) : kept.strings.push_back(c.strings[r]);
        out.setColumn(std::move(kept));
    }
    if (!varying.empty())
        notes.push_back("metadata varying within a group dropped: " + joinNames(varying));
    return out;
}

EmbeddingTable selectRows(const EmbeddingTable& table, const std::vector<std::size_t>& rows) {
    EmbeddingTable out;
    out.featureNames = table.featureNames;
    out.rows = rows.size();
    const std::size_t d = table.featureNames.size();
    out.features.reserve(rows.size() * d);
    for (std::size_t r : rows)
        out.features.insert(out.features.end(), table.features.begin() + long(r * d),
                            table.features.begin() + long((r + 1) * d));
    out.metadata = table.metadata.subset(rows);
    return out;
}

double medianOf(std::vector<double>& v) {
    return quantileOf(v, 0.5);
}

double quantileOf(std::vector<double>& v, double q) {
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double position = q * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(position));
    std::nth_element(v.begin(), v.begin() + long(lo), v.end());
    const double a = v[lo];
    if (lo + 1 >= v.size() || position == double(lo))
        return a;
    const double b = *std::min_element(v.begin() + long(lo) + 1, v.end());
    return a + (position - double(lo)) * (b - a);
}

std::string joinNames(const std::vector<std::string>& names, std::size_t limit) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < limit; ++i)
        s += (i ? ", " : "") + names[i];
    if (names.size() > limit)
        s += " and " + std::to_string(names.size() - limit) + " more";
    return s;
}

} // namespace profiling_detail

using namespace profiling_detail;

EmbeddingTable aggregateProfiles(const EmbeddingTable& table, const AggregateOptions& options,
                                 const ProfileColumns& columns, ProfileStepReport& report) {
    const std::string step = "aggregate";
    requireNonEmpty(table, step);
    const std::vector<std::string> by =
        options.by.empty() ? std::vector<std::string>{columns.plate, columns.well} : options.by;
    const auto groups = groupRows(table, by, step);

    EmbeddingTable out;
    out.featureNames = table.featureNames;
    out.rows = groups.size();
    const std::size_t d = table.featureNames.size();
    out.features.assign(out.rows * d, 0.0);
    std::vector<double> values;
    std::size_t emptyCells = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        for (std::size_t f = 0; f < d; ++f) {
            values.clear();
            for (std::size_t r : groups[g]) {
                const double x = table.features[r * d + f];
                if (!std::isnan(x)) // pandas' mean/median skip NA
                    values.push_back(x);
            }
            double v = std::numeric_limits<double>::quiet_NaN();
            if (values.empty())
                ++emptyCells;
            else if (options.method == AggregateMethod::Median)
                v = medianOf(values);
            else {
                double sum = 0;
                for (double x : values)
                    sum += x;
                v = sum / double(values.size());
            }
            out.features[g * d + f] = v;
        }
    }
    out.metadata = groupMetadata(table.metadata, groups, report.notes);
    if (!options.countColumn.empty()) {
        std::vector<double> counts;
        for (const auto& g : groups)
            counts.push_back(double(g.size()));
        out.metadata.addNumbers(options.countColumn, std::move(counts));
    }
    report.notes.push_back(std::to_string(table.rows) + " rows -> " + std::to_string(out.rows) +
                           " groups of " + joinNames(by) + " (" +
                           (options.method == AggregateMethod::Median ? "median" : "mean") + ")");
    if (emptyCells)
        report.notes.push_back(std::to_string(emptyCells) +
                               " group x feature cell(s) had only missing values and stay NA");
    return out;
}

} // namespace embedscope
