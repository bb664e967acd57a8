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
// table (ReaderOptions::metadataPath) joined on `id`: experiment, rat, substance, dose,
// secondary_substance, secondary_dose, indication, ... (seed 000 §3.1.1); "group" is built from
// the substances and doses and "animal" from experiment + rat when they are not given.
// Defaults: cage 40 cm, 25 Hz, no length rules (rules=seed applies 83,000 / 90,000).
#include "csv_text.h"
#include "readers.h"
#include "trajectory_metadata.h"
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

constexpr std::size_t npos = static_cast<std::size_t>(-1);

/// This reader's defaults: the seed's cage and rate, no length rules unless asked for
/// (rules=seed or min_steps/pad_to), so short recordings can be read as they are.
TrajectoryRules parseSettings(const ReaderOptions& options) {
    TrajectoryRules rules;
    rules.length = LengthRules{};
    parseTrajectoryRules(options, "trajectory-csv", {}, rules);
    return rules;
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
        return "Long-format CSV trajectories (id, time [s], x, y [cm], optional z) with metadata "
               "as constant columns or a side table; options cage (cm, 40, or X0,Y0,X1,Y1), "
               "rate (Hz, 25), rules (none|seed: 83000/90000), min_steps, pad_to";
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
    const TrajectoryRules settings = parseSettings(options);

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

        PreprocessResult processed = preprocessTrack(
            RawTrack{
                std::move(track.t), std::move(track.x), std::move(track.y), std::move(track.z), {}},
            settings, path + ": trajectory '" + track.id + "'");
        interpolated += processed.interpolated;
        if (processed.resampledFromHz > 0)
            resampledFrom.insert(processed.resampledFromHz);
        std::vector<std::vector<double>> channels = std::move(processed.channels);
        const LengthOutcome outcome = processed.outcome;
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
            " trajectories are shorter than min_steps=" + std::to_string(settings.length.minSteps));

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
    notes["derived_columns"] = completeTrajectoryMetadata(data.metadata);
    checkTrajectories(data, paths.front());

    notes["reader"] = name();
    notes["files"] = paths;
    notes["cage_cm"] = settings.cage.x1 - settings.cage.x0; // read by the GUI's cage outline
    notes["cage"] = {settings.cage.x0, settings.cage.y0, settings.cage.x1, settings.cage.y1};
    notes["rate_hz"] = settings.rateHz;
    notes["min_steps"] = settings.length.minSteps;
    notes["pad_to"] = settings.length.padTo;
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
