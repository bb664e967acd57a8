// Per-substance dose response (issue 7): centroids per dose, distances to the reference
// centroid with bootstrap intervals, inversion marks and a Hill fit per substance. The grouping
// is the seed-000 DR metric's (§3.4.3, engine/src/metrics_dose_response.cpp): a substance is the
// primary substance, or "primary + secondary@dose" for double-substance rows; its reference is
// the control (dose 0, no secondary) or the rows that received only that secondary substance.
#include "embedscope/engine/dose_response.h"

#include "atomic_text_file.h"
#include "embedscope/engine/error.h"
#include "metrics_internal.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <map>
#include <random>
#include <sstream>
#include <string_view>
#include <utility>

namespace embedscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using metricsimpl::doseText; // as the DR metric names secondary groups

std::vector<double> toVector(const Eigen::RowVectorXd& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
}

Eigen::RowVectorXd centroidOf(const Eigen::MatrixXd& z, const std::vector<std::size_t>& rows) {
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(z.cols());
    for (std::size_t r : rows)
        sum += z.row(static_cast<Eigen::Index>(r));
    return sum / static_cast<double>(rows.size());
}

/// A stable seed per (substance, level): the intervals of one substance do not change when
/// other substances are added to or removed from the table.
uint64_t fnv1a(const std::string& text) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

/// Linear interpolation between order statistics (R's type 7, numpy's default).
double quantileSorted(const std::vector<double>& sorted, double p) {
    const double h = p * static_cast<double>(sorted.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

/// Percentile bootstrap of ‖mean(level rows) − mean(reference rows)‖: each resample draws the
/// level's rows and the reference's rows with replacement. A side of one row always resamples
/// to that row, so a level of 1 row gets an interval from the reference side's spread only
/// (and a degenerate one, low = high = distance, when the reference is a single row too).
std::pair<double, double> bootstrapInterval(const Eigen::MatrixXd& z,
                                            const std::vector<std::size_t>& levelRows,
                                            const std::vector<std::size_t>& referenceRows,
                                            const DoseResponseOptions& options, uint64_t key,
                                            const JobContext& ctx) {
    if (options.bootstrap == 0)
        return {kNaN, kNaN};
    std::seed_seq seq{static_cast<uint32_t>(options.seed),
                      static_cast<uint32_t>(options.seed >> 32), static_cast<uint32_t>(key),
                      static_cast<uint32_t>(key >> 32)};
    std::mt19937_64 rng(seq);
    auto resampledMean = [&](const std::vector<std::size_t>& rows) {
        std::uniform_int_distribution<std::size_t> pick(0, rows.size() - 1);
        Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(z.cols());
        for (std::size_t i = 0; i < rows.size(); ++i)
            sum += z.row(static_cast<Eigen::Index>(rows[pick(rng)]));
        return Eigen::RowVectorXd(sum / static_cast<double>(rows.size()));
    };
    std::vector<double> distances(static_cast<std::size_t>(options.bootstrap));
    for (std::size_t b = 0; b < distances.size(); ++b) {
        if (b % 16 == 0)
            ctx.throwIfCancelled();
        distances[b] = (resampledMean(levelRows) - resampledMean(referenceRows)).norm();
    }
    std::sort(distances.begin(), distances.end());
    const double alpha = 1.0 - options.confidence;
    return {quantileSorted(distances, alpha / 2), quantileSorted(distances, 1.0 - alpha / 2)};
}

/// A dosed substance (combination) while rows are collected.
struct Collected {
    std::string substance;
    std::string secondary;                             ///< "" = compared with the control
    std::map<double, std::vector<std::size_t>> levels; ///< ascending dose
};

SubstanceResponse analyseSubstance(const Eigen::MatrixXd& z, const Collected& c,
                                   const std::vector<std::size_t>* referenceRows,
                                   const DoseResponseOptions& options, const JobContext& ctx,
                                   std::vector<std::string>& notes) {
    SubstanceResponse s;
    s.substance = c.substance;
    s.secondary = c.secondary;
    s.name = c.secondary.empty() ? c.substance : c.substance + " + " + c.secondary;
    s.reference = c.secondary.empty() ? "control" : c.secondary;
    s.hasReference = referenceRows != nullptr;
    Eigen::RowVectorXd reference;
    if (s.hasReference) {
        reference = centroidOf(z, *referenceRows);
        s.referenceCentroid = toVector(reference);
        s.referenceCount = referenceRows->size();
    } else {
        notes.push_back(
            c.secondary.empty()
                ? "no control rows (dose 0 without a secondary substance) to compare '" + s.name +
                      "' with: its centroids are kept, distances and fit left out"
                : "no rows with only the secondary substance '" + c.secondary +
                      "' (dose 0) to compare '" + s.name +
                      "' with: its centroids are kept, distances and fit left out");
    }

    std::vector<double> levelDistances;
    std::size_t levelIndex = 0;
    for (const auto& [dose, rows] : c.levels) {
        DoseLevel level;
        level.dose = dose;
        level.n = rows.size();
        const Eigen::RowVectorXd centroid = centroidOf(z, rows);
        level.centroid = toVector(centroid);
        if (s.hasReference) {
            level.distance = (centroid - reference).norm();
            const uint64_t key = fnv1a(s.name) ^ (0x9E3779B97F4A7C15ull * ++levelIndex);
            std::tie(level.ciLow, level.ciHigh) =
                bootstrapInterval(z, rows, *referenceRows, options, key, ctx);
            level.inverted = !levelDistances.empty() && level.distance < levelDistances.back();
            levelDistances.push_back(level.distance);
        }
        for (std::size_t r : rows) {
            DoseRow row{r, dose, kNaN};
            if (s.hasReference)
                row.distance = (z.row(static_cast<Eigen::Index>(r)) - reference).norm();
            s.rows.push_back(row);
        }
        s.levels.push_back(std::move(level));
    }
    s.inversions = inversionCount(levelDistances);

    if (!s.hasReference) {
        s.hill.reason = "no reference group to measure distances from";
        return s;
    }
    std::vector<double> x, y;
    for (const DoseRow& row : s.rows) {
        x.push_back(row.dose);
        y.push_back(row.distance);
    }
    try {
        s.hill = fitHill(x, y);
    } catch (const DataError& e) { // cannot happen for doses > 0 and finite distances
        s.hill = HillFit{};
        s.hill.reason = e.what();
    }
    if (s.levels.size() == 1)
        notes.push_back("'" + s.name + "' has one dose (" + doseText(s.levels[0].dose) +
                        "): its distance is computed, no dose-response curve fitted");
    return s;
}

} // namespace

bool naturalLess(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    auto digit = [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && digit(a[ei]))
                ++ei;
            while (ej < b.size() && digit(b[ej]))
                ++ej;
            std::size_t si = i, sj = j; // leading zeros do not change the value
            while (si + 1 < ei && a[si] == '0')
                ++si;
            while (sj + 1 < ej && b[sj] == '0')
                ++sj;
            const std::string_view da(a.data() + si, ei - si), db(b.data() + sj, ej - sj);
            if (da.size() != db.size())
                return da.size() < db.size();
            if (da != db)
                return da < db;
            i = ei;
            j = ej;
            continue;
        }
        if (a[i] != b[j])
            return a[i] < b[j];
        ++i;
        ++j;
    }
    if ((a.size() - i) != (b.size() - j))
        return a.size() - i < b.size() - j;
    return a < b; // equal up to leading zeros: any strict order
}

DoseResponseResult analyseDoseResponse(const Eigen::MatrixXd& z, const MetricLabels& labels,
                                       const DoseResponseOptions& options, const JobContext& ctx) {
    if (options.bootstrap < 0)
        throw ConfigError("dose response: bootstrap must be >= 0, got " +
                          std::to_string(options.bootstrap));
    if (!(options.confidence > 0 && options.confidence < 1))
        throw ConfigError("dose response: confidence must lie in (0, 1), got " +
                          doseText(options.confidence));
    const std::size_t n = static_cast<std::size_t>(z.rows());
    metricsimpl::checkDoseLabels(labels, n, "dose response");
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            if (!std::isfinite(z(r, c)))
                throw DataError("dose response: embedding row " + std::to_string(r + 1) +
                                ", column " + std::to_string(c + 1) + " is not finite");

    DoseResponseResult result;
    std::map<std::string, std::vector<std::size_t>> references; // "" = control
    std::map<std::string, Collected> collected;
    std::string firstSkipped;
    for (std::size_t r = 0; r < n; ++r) {
        const double dose = labels.dose[r];
        auto skip = [&](const std::string& why) {
            if (result.skippedRows++ == 0)
                firstSkipped = "row " + std::to_string(r + 1) + " " + why;
        };
        if (!std::isfinite(dose) || dose < 0) {
            skip("has dose " + doseText(dose));
            continue;
        }
        const std::optional<std::string> group = metricsimpl::secondaryGroup(labels, r);
        if (!group) {
            skip("has secondary dose " + doseText(labels.secondaryDose[r]));
            continue;
        }
        const std::string& secondary = *group;
        if (dose == 0) {
            references[secondary].push_back(r);
            continue;
        }
        if (labels.substance[r].empty()) {
            skip("has dose " + doseText(dose) + " but no substance name");
            continue;
        }
        const std::string key = labels.substance[r] + '\x1f' + secondary;
        Collected& c = collected[key];
        c.substance = labels.substance[r];
        c.secondary = secondary;
        c.levels[dose].push_back(r);
    }
    if (result.skippedRows > 0)
        result.notes.push_back(std::to_string(result.skippedRows) +
                               " row(s) skipped (a dose must be a finite number >= 0, 0 = "
                               "control; a dose > 0 needs a substance); the first: " +
                               firstSkipped);
    if (collected.empty())
        throw DataError("dose response: no dosed rows (no row has a dose > 0 and a substance)");

    std::vector<const Collected*> order;
    for (const auto& entry : collected)
        order.push_back(&entry.second);
    std::sort(order.begin(), order.end(), [](const Collected* a, const Collected* b) {
        if (a->secondary.empty() != b->secondary.empty())
            return a->secondary.empty(); // single substances first
        if (a->substance != b->substance)
            return naturalLess(a->substance, b->substance);
        return naturalLess(a->secondary, b->secondary);
    });
    const double count = static_cast<double>(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Collected& c = *order[i];
        const std::string name =
            c.secondary.empty() ? c.substance : c.substance + " + " + c.secondary;
        ctx.report(static_cast<double>(i) / count, "dose response: '" + name + "' (" +
                                                       std::to_string(i + 1) + "/" +
                                                       std::to_string(order.size()) + ")");
        const auto ref = references.find(c.secondary);
        result.substances.push_back(analyseSubstance(
            z, c, ref == references.end() ? nullptr : &ref->second, options, ctx, result.notes));
        result.inversionCount += result.substances.back().inversions;
    }
    ctx.report(1.0, "dose response: done");
    return result;
}

MetricLabels doseLabelsOf(const MetadataTable& table, const DoseColumns& columns,
                          const std::string& origin) {
    auto bare = [](const std::string& name) {
        return name.rfind("Metadata_", 0) == 0 ? name.substr(9) : name;
    };
    auto column = [&](const std::string& name) -> const MetadataColumn& {
        if (!table.has(name)) {
            std::string names;
            for (const auto& c : table.columns())
                names += (names.empty() ? "" : ", ") + ("Metadata_" + c.name);
            throw DataError(origin + ": no column 'Metadata_" + name +
                            "' (metadata columns: " + (names.empty() ? "none" : names) + ")");
        }
        return table.column(name);
    };
    auto trimmed = [](std::string text) {
        text.erase(0, text.find_first_not_of(" \t"));
        text.erase(text.find_last_not_of(" \t") + 1);
        return text;
    };
    auto texts = [&](const std::string& name) {
        const MetadataColumn& c = column(name);
        std::vector<std::string> out(table.rowCount());
        for (std::size_t r = 0; r < out.size(); ++r)
            out[r] = trimmed(c.text(r));
        return out;
    };
    auto doses = [&](const std::string& name) {
        const MetadataColumn& c = column(name);
        std::vector<double> out(table.rowCount(), 0.0);
        for (std::size_t r = 0; r < out.size(); ++r) {
            if (c.numeric) {
                out[r] = c.numbers[r];
                continue;
            }
            const std::string text = trimmed(c.strings[r]);
            if (text.empty())
                continue; // blank = 0, as doseValues (run_metrics.h) reads data sets
            const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
            const auto res = std::from_chars(begin, text.data() + text.size(), out[r]);
            if (res.ec != std::errc() || res.ptr != text.data() + text.size())
                throw DataError(origin + ": column 'Metadata_" + name + "', row " +
                                std::to_string(r + 1) + ": dose '" + c.strings[r] +
                                "' is not a number");
        }
        return out;
    };
    MetricLabels labels;
    labels.substance = texts(bare(columns.substance));
    labels.dose = doses(bare(columns.dose));
    const std::string secondary = bare(columns.secondarySubstance);
    if (!secondary.empty() && table.has(secondary)) {
        labels.secondarySubstance = texts(secondary);
        const std::string secondaryDose = bare(columns.secondaryDose);
        if (!secondaryDose.empty() && table.has(secondaryDose))
            labels.secondaryDose = doses(secondaryDose);
    }
    return labels;
}

void writeDoseResponseCsv(const DoseResponseResult& result, const std::string& path) {
    auto field = [](const std::string& text) {
        if (text.find_first_of(",\"\r\n") == std::string::npos)
            return text;
        std::string out = "\"";
        for (char c : text)
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    };
    auto number = [](double value) {
        if (!std::isfinite(value))
            return std::string(); // an empty cell reads as missing in pandas, R and spreadsheets
        char buffer[64];
        const auto res = std::to_chars(buffer, buffer + sizeof buffer, value);
        return std::string(buffer, res.ptr);
    };
    std::string out = "substance,reference,dose,n,distance,ci_low,ci_high,inverted\n";
    for (const SubstanceResponse& s : result.substances)
        for (const DoseLevel& l : s.levels)
            out += field(s.name) + ',' + field(s.reference) + ',' + number(l.dose) + ',' +
                   std::to_string(l.n) + ',' + number(l.distance) + ',' + number(l.ciLow) + ',' +
                   number(l.ciHigh) + ',' + (l.inverted ? "true" : "false") + '\n';

    writeTextFileAtomically(path, out); // a crash never leaves half a table
}

} // namespace embedscope
