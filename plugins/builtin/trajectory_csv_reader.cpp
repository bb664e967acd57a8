// Reader "trajectory-csv": long-format CSV, one row per time step of one trajectory.
//
//   id,time,x,y,z,animal_weight
//   rat-1,0.00,20.1,13.4,0,312
//   rat-1,0.04,20.3,13.5,0,312
//
// `time` in seconds, x/y in cm in [0, cage], optional binary z (rearing; empty/NA -> 0). Rows
// of a trajectory need not be contiguous and are sorted by time. Positions outside the cage or
// NaN/Inf/empty are interpolated from the nearest valid ones; recordings at another rate are
// resampled (linear, z nearest) to `rate`; then the length rules (min_steps, pad_to) apply.
// Extra columns constant within every trajectory become metadata, as do the columns of a side
// table (ReaderOptions::metadataPath) joined on `id`.
#include "csv_text.h"
#include "readers.h"
#include "trajectory_rules.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <unordered_map>

namespace embedscope::plugins {
namespace {

constexpr double kEdge = 0.999; // mapped positions stay strictly inside (-1, 1)
constexpr std::size_t npos = static_cast<std::size_t>(-1);

struct Settings {
    double cageCm = 40.0;
    double rateHz = 25.0;
    LengthRules rules;
};

double positiveOption(const ReaderOptions& options, const std::string& key, double fallback) {
    const auto it = options.values.find(key);
    if (it == options.values.end())
        return fallback;
    double v = 0;
    if (!parseNumber(it->second, v) || !std::isfinite(v) || v <= 0)
        throw ConfigError("trajectory-csv option '" + key + "' must be a positive number (got '" +
                          it->second + "')");
    return v;
}

int64_t countOption(const ReaderOptions& options, const std::string& key) {
    const auto it = options.values.find(key);
    if (it == options.values.end())
        return 0;
    double v = 0;
    if (!parseNumber(it->second, v) || v < 0 || v > 1e12 || v != std::floor(v))
        throw ConfigError("trajectory-csv option '" + key + "' must be a whole number >= 0 (got '" +
                          it->second + "')");
    return static_cast<int64_t>(v);
}

Settings parseSettings(const ReaderOptions& options) {
    static const std::set<std::string> known = {"cage", "rate", "min_steps", "pad_to"};
    for (const auto& [key, value] : options.values)
        if (!known.count(key))
            throw ConfigError("trajectory-csv: unknown option '" + key +
                              "' (known: cage, rate, min_steps, pad_to)");
    Settings s;
    s.cageCm = positiveOption(options, "cage", s.cageCm);
    s.rateHz = positiveOption(options, "rate", s.rateHz);
    s.rules.minSteps = countOption(options, "min_steps");
    s.rules.padTo = countOption(options, "pad_to");
    return s;
}

/// One trajectory as read, before the rules.
struct Track {
    std::string id;
    std::size_t file = 0;
    std::vector<double> t, x, y, z;
    std::vector<std::string> extra; ///< first value of each extra column of its file
    std::vector<bool> constant;     ///< per extra column: same value on every row so far
};

struct FileInfo {
    std::string path;
    std::vector<std::string> extraNames;
};

std::string listColumns(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "'" : ", '") + n + "'";
    return out.empty() ? "none" : out;
}

class FileParser {
public:
    FileParser(std::vector<Track>& tracks, std::unordered_map<std::string, std::size_t>& byId,
               std::vector<FileInfo>& files)
        : tracks_(tracks), byId_(byId), files_(files) {}

    void parse(const std::string& path, const JobContext& ctx, double progressFrom,
               double progressTo) {
        const std::size_t fileIndex = files_.size();
        files_.push_back({path, {}});
        const std::string text = readWholeFile(path);
        LineReader lines(text);
        std::string_view line;
        std::size_t number = 0;
        bool haveHeader = false;
        while (lines.next(line, number))
            if (!trim(line).empty()) {
                haveHeader = true;
                break;
            }
        if (!haveHeader)
            throw FormatError(path + ": the file is empty (expected a header with id, time, x, y)");
        std::vector<std::string> fields;
        if (!splitCsvLine(line, fields))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
        const std::vector<std::string> header = fields;
        std::size_t idC = npos, timeC = npos, xC = npos, yC = npos, zC = npos;
        std::vector<std::size_t> extraC;
        for (std::size_t c = 0; c < header.size(); ++c) {
            const std::string name = toLower(header[c]);
            std::size_t* slot = name == "id"     ? &idC
                                : name == "time" ? &timeC
                                : name == "x"    ? &xC
                                : name == "y"    ? &yC
                                : name == "z"    ? &zC
                                                 : nullptr;
            if (slot && *slot == npos) {
                *slot = c;
            } else if (!header[c].empty()) {
                extraC.push_back(c);
                files_[fileIndex].extraNames.push_back(header[c]);
            }
        }
        std::vector<std::string> missing;
        for (auto [column, name] : {std::pair{idC, "id"}, {timeC, "time"}, {xC, "x"}, {yC, "y"}})
            if (column == npos)
                missing.push_back(name);
        if (!missing.empty())
            throw FormatError(path + ": missing column" + (missing.size() > 1 ? "s " : " ") +
                              listColumns(missing) + " (columns present: " + listColumns(header) +
                              ")");

        const auto where = [&](std::size_t line, const char* column) {
            return path + ", line " + std::to_string(line) + ", column '" + column + "'";
        };
        const auto parseCell = [&](const std::string& cell, std::size_t line, const char* column,
                                   bool missingAllowed, double missingValue) {
            if (missingAllowed && isMissingCell(cell))
                return missingValue;
            double v = 0;
            if (!parseNumber(cell, v))
                throw FormatError(where(line, column) + ": '" + cell + "' is not a number");
            return v;
        };

        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::size_t rows = 0;
        Track* track = nullptr;
        while (lines.next(line, number)) {
            if (trim(line).empty())
                continue;
            if ((number & 0xFFFF) == 0) {
                ctx.throwIfCancelled();
                const double f = static_cast<double>(lines.position()) / text.size();
                ctx.report(progressFrom + f * (progressTo - progressFrom), "reading " + path);
            }
            if (!splitCsvLine(line, fields))
                throw FormatError(path + ", line " + std::to_string(number) +
                                  ": unterminated quote");
            if (fields.size() != header.size())
                throw FormatError(path + ", line " + std::to_string(number) + ": " +
                                  std::to_string(fields.size()) + " fields, the header has " +
                                  std::to_string(header.size()));
            const std::string& id = fields[idC];
            if (id.empty())
                throw FormatError(where(number, "id") + ": empty id");
            const double t = parseCell(fields[timeC], number, "time", false, 0);
            if (!std::isfinite(t))
                throw FormatError(where(number, "time") + ": '" + fields[timeC] +
                                  "' is not a finite time");
            const double x = parseCell(fields[xC], number, "x", true, nan);
            const double y = parseCell(fields[yC], number, "y", true, nan);
            double z = zC == npos ? 0.0 : parseCell(fields[zC], number, "z", true, 0.0);
            if (!std::isfinite(z))
                z = 0.0;

            if (!track || track->id != id)
                track = &trackFor(id, fileIndex, fields, extraC);
            else
                for (std::size_t k = 0; k < extraC.size(); ++k)
                    if (track->constant[k] && fields[extraC[k]] != track->extra[k])
                        track->constant[k] = false;
            track->t.push_back(t);
            track->x.push_back(x);
            track->y.push_back(y);
            track->z.push_back(z);
            ++rows;
        }
        if (rows == 0)
            throw FormatError(path + ": no data rows after the header");
    }

private:
    Track& trackFor(const std::string& id, std::size_t fileIndex,
                    const std::vector<std::string>& fields,
                    const std::vector<std::size_t>& extraC) {
        const auto it = byId_.find(id);
        if (it == byId_.end()) {
            Track track;
            track.id = id;
            track.file = fileIndex;
            for (std::size_t c : extraC)
                track.extra.push_back(fields[c]);
            track.constant.assign(extraC.size(), true);
            byId_.emplace(id, tracks_.size());
            tracks_.push_back(std::move(track));
            return tracks_.back();
        }
        Track& track = tracks_[it->second];
        if (track.file != fileIndex)
            throw DataError(files_[fileIndex].path + ": trajectory '" + id + "' also appears in " +
                            files_[track.file].path + " (ids must be unique across files)");
        for (std::size_t k = 0; k < extraC.size(); ++k)
            if (track.constant[k] && fields[extraC[k]] != track.extra[k])
                track.constant[k] = false;
        return track;
    }

    std::vector<Track>& tracks_;
    std::unordered_map<std::string, std::size_t>& byId_;
    std::vector<FileInfo>& files_;
};

/// Sorts the rows of a track by time and rejects duplicate time stamps.
void sortByTime(Track& track, const std::string& path) {
    if (!std::is_sorted(track.t.begin(), track.t.end())) {
        std::vector<std::size_t> order(track.t.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return track.t[a] < track.t[b]; });
        for (auto* v : {&track.t, &track.x, &track.y, &track.z}) {
            std::vector<double> sorted(v->size());
            for (std::size_t i = 0; i < order.size(); ++i)
                sorted[i] = (*v)[order[i]];
            *v = std::move(sorted);
        }
    }
    for (std::size_t i = 1; i < track.t.size(); ++i)
        if (track.t[i] == track.t[i - 1])
            throw FormatError(path + ": trajectory '" + track.id + "' has two rows at time " +
                              std::to_string(track.t[i]) + " s");
}

class TrajectoryCsvReader : public Reader {
public:
    std::string name() const override { return "trajectory-csv"; }
    std::string description() const override {
        return "Long-format CSV trajectories (id, time [s], x, y [cm], optional z); options "
               "cage (cm, 40), rate (Hz, 25), min_steps, pad_to";
    }

    int score(const std::string& path) const override {
        try {
            if (lowerExtension(path) != ".csv")
                return 0;
            const std::string head = readFileStart(path, 4096);
            const std::string firstLine = head.substr(0, head.find('\n'));
            std::vector<std::string> fields;
            if (!splitCsvLine(firstLine, fields))
                return 10;
            std::set<std::string> names;
            for (const auto& f : fields)
                names.insert(toLower(f));
            if (!fields.empty() && fields[0].rfind("\xEF\xBB\xBF", 0) == 0)
                names.insert(toLower(fields[0].substr(3)));
            for (const char* required : {"id", "time", "x", "y"})
                if (!names.count(required))
                    return 10;
            return 80;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override;
};

Dataset TrajectoryCsvReader::read(const std::vector<std::string>& paths,
                                  const ReaderOptions& options, const JobContext& ctx) const {
    if (paths.empty())
        throw ConfigError("trajectory-csv: no input files");
    const Settings settings = parseSettings(options);

    std::vector<Track> tracks;
    std::unordered_map<std::string, std::size_t> byId;
    std::vector<FileInfo> files;
    FileParser parser(tracks, byId, files);
    for (std::size_t f = 0; f < paths.size(); ++f)
        parser.parse(paths[f], ctx, 0.6 * f / paths.size(), 0.6 * (f + 1) / paths.size());

    nlohmann::json notes;
    std::set<double> resampledFrom;
    int64_t interpolated = 0;
    std::vector<std::string> dropped, padded, cut;
    std::vector<std::size_t> kept;
    std::vector<std::vector<std::vector<double>>> channelsOf;
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        ctx.throwIfCancelled();
        ctx.report(0.6 + 0.3 * i / tracks.size(), "trajectory " + tracks[i].id);
        Track& track = tracks[i];
        const std::string& path = files[track.file].path;
        sortByTime(track, path);

        std::vector<bool> valid(track.t.size());
        for (std::size_t k = 0; k < valid.size(); ++k)
            valid[k] = std::isfinite(track.x[k]) && std::isfinite(track.y[k]) && track.x[k] >= 0 &&
                       track.x[k] <= settings.cageCm && track.y[k] >= 0 &&
                       track.y[k] <= settings.cageCm;
        const int64_t replaced = interpolateInvalid(track.x, valid);
        if (replaced < 0)
            throw DataError(path + ": trajectory '" + track.id + "' has no valid position (all " +
                            std::to_string(track.t.size()) + " rows are outside [0, " +
                            std::to_string(settings.cageCm) + "] cm or not finite)");
        interpolateInvalid(track.y, valid);
        interpolated += replaced;

        std::vector<std::vector<double>> channels{std::move(track.x), std::move(track.y),
                                                  std::move(track.z)};
        const double step = medianStep(track.t);
        if (step > 0 && std::fabs(1.0 / step - settings.rateHz) > 0.01 * settings.rateHz) {
            const auto grid = regularGrid(track.t.front(), track.t.back(), settings.rateHz);
            for (std::size_t c = 0; c < 3; ++c)
                channels[c] = resample(track.t, channels[c], grid, c == 2);
            resampledFrom.insert(std::round(1000.0 / step) / 1000.0);
        }
        track.t.clear();
        for (std::size_t c = 0; c < 2; ++c)
            for (double& v : channels[c])
                v = std::clamp(2.0 * v / settings.cageCm - 1.0, -kEdge, kEdge);

        const LengthOutcome outcome = applyLengthRules(channels, settings.rules);
        if (outcome == LengthOutcome::Dropped) {
            dropped.push_back(track.id);
            continue;
        }
        if (outcome == LengthOutcome::Padded)
            padded.push_back(track.id);
        if (outcome == LengthOutcome::Cut)
            cut.push_back(track.id);
        kept.push_back(i);
        channelsOf.push_back(std::move(channels));
    }
    if (kept.empty())
        throw DataError(
            paths.front() + ": all " + std::to_string(tracks.size()) +
            " trajectories are shorter than min_steps=" + std::to_string(settings.rules.minSteps));

    // Every trajectory must end with the same length.
    const std::size_t T = channelsOf.front()[0].size();
    std::string mismatch;
    int listed = 0;
    for (std::size_t k = 0; k < kept.size(); ++k) {
        if (channelsOf[k][0].size() == T && k > 0)
            continue;
        if (listed++ < 10)
            mismatch += (mismatch.empty() ? "'" : ", '") + tracks[kept[k]].id + "' " +
                        std::to_string(channelsOf[k][0].size()) + " steps";
    }
    if (listed > 1)
        throw DataError(paths.front() + ": trajectories differ in length (" + mismatch +
                        (listed > 10 ? ", ..." : "") +
                        "); set the pad_to option to pad or cut them to one length");

    Dataset data;
    data.name = fileStem(paths.front());
    data.kind = DataKind::Trajectory;
    data.sampleShape = {3, static_cast<int64_t>(T)};
    data.values.resize(kept.size() * 3 * T);
    std::vector<std::string> ids;
    for (std::size_t k = 0; k < kept.size(); ++k) {
        float* out = data.values.data() + k * 3 * T;
        for (std::size_t c = 0; c < 3; ++c)
            for (std::size_t t = 0; t < T; ++t)
                out[c * T + t] = static_cast<float>(channelsOf[k][c][t]);
        ids.push_back(tracks[kept[k]].id);
    }
    channelsOf.clear();
    data.metadata.addStrings("id", ids);

    // Extra columns that are constant within every trajectory become metadata.
    std::vector<std::string> extraNames, ignored;
    for (const auto& file : files)
        for (const auto& n : file.extraNames)
            if (std::find(extraNames.begin(), extraNames.end(), n) == extraNames.end())
                extraNames.push_back(n);
    for (const auto& name : extraNames) {
        std::vector<std::string> values;
        bool constant = true;
        for (std::size_t k = 0; k < kept.size() && constant; ++k) {
            const Track& track = tracks[kept[k]];
            const auto& names = files[track.file].extraNames;
            const auto at = std::find(names.begin(), names.end(), name) - names.begin();
            if (at == static_cast<std::ptrdiff_t>(names.size())) {
                values.emplace_back();
                continue;
            }
            constant = track.constant[at];
            values.push_back(track.extra[at]);
        }
        if (constant)
            data.metadata.setColumn(columnFromText(name, std::move(values)));
        else
            ignored.push_back(name);
    }

    if (!options.metadataPath.empty()) {
        const SideTable side = readSideTable(options.metadataPath);
        const auto unmatched = joinSideTable(data.metadata, ids, side, paths.front());
        if (!unmatched.empty())
            notes["metadata_ids_without_trajectory"] = unmatched; // a warning, not an error
    }

    notes["reader"] = name();
    notes["files"] = paths;
    notes["cage_cm"] = settings.cageCm;
    notes["rate_hz"] = settings.rateHz;
    notes["min_steps"] = settings.rules.minSteps;
    notes["pad_to"] = settings.rules.padTo;
    notes["resampled_from_hz"] = std::vector<double>(resampledFrom.begin(), resampledFrom.end());
    notes["interpolated_positions"] = interpolated;
    notes["dropped"] = dropped;
    notes["padded"] = padded;
    notes["cut"] = cut;
    notes["ignored_columns"] = ignored;
    if (!options.metadataPath.empty())
        notes["metadata_table"] = options.metadataPath;
    data.attributesJson = notes.dump();
    data.validate(paths.front());
    ctx.report(1.0, "read " + std::to_string(kept.size()) + " trajectories");
    return data;
}

} // namespace

std::unique_ptr<Reader> makeTrajectoryCsvReader() {
    return std::make_unique<TrajectoryCsvReader>();
}

} // namespace embedscope::plugins
