// Reader "deeplabcut": DeepLabCut pose files (CSV with 3 or 4 header rows, HDF5 "table" or
// "fixed" pandas layouts). One file is one trajectory (id = file stem), or one per individual
// of a multi-animal file (id = stem/individual). The position is one body part or the
// "centroid" (mean of the parts whose likelihood is >= the cutoff); frames without a valid
// position are interpolated linearly. Frames are at `fps` Hz (default 25) and are resampled to
// `rate`; x, y are mapped from the cage (default: the extent of the file's valid positions) to
// (-1, 1); z = 0 (no rearing). Then the seed's length rules apply (83,000 / 90,000 by default;
// min_steps=0 pad_to=0 or rules=none for short recordings).
#include "csv_text.h"
#include "dlc_table.h"
#include "readers.h"
#include "trajectory_metadata.h"
#include "trajectory_rules.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace embedscope::plugins {
namespace {

struct Settings {
    TrajectoryRules rules;
    bool cageGiven = false;
    std::string bodypart = "centroid";
    double cutoff = 0.6;
    double fps = 25.0;
    std::string individual; ///< empty: every individual
};

Settings parseSettings(const ReaderOptions& options) {
    Settings s;
    parseTrajectoryRules(options, "deeplabcut", {"bodypart", "likelihood", "fps", "individual"},
                         s.rules);
    s.cageGiven = options.values.count("cage") > 0;
    s.bodypart = options.get("bodypart", s.bodypart);
    s.fps = positiveOption(options, "deeplabcut", "fps", s.fps);
    s.individual = options.get("individual", "");
    const std::string cutoff = options.get("likelihood", "0.6");
    if (!parseNumber(cutoff, s.cutoff) || !(s.cutoff >= 0 && s.cutoff <= 1))
        throw ConfigError("deeplabcut option 'likelihood' must be a number in [0, 1] (got '" +
                          cutoff + "')");
    return s;
}

/// The extent of the valid positions of a file's tracks (the cage when none is given).
Cage extentOf(const std::vector<DlcTrack>& tracks, const std::string& path) {
    const double inf = std::numeric_limits<double>::infinity();
    Cage cage{inf, inf, -inf, -inf};
    for (const auto& track : tracks)
        for (std::size_t f = 0; f < track.x.size(); ++f)
            if (track.valid[f]) {
                cage.x0 = std::min(cage.x0, track.x[f]);
                cage.x1 = std::max(cage.x1, track.x[f]);
                cage.y0 = std::min(cage.y0, track.y[f]);
                cage.y1 = std::max(cage.y1, track.y[f]);
            }
    if (!(cage.x1 > cage.x0) || !(cage.y1 > cage.y0))
        throw DataError(path + ": the valid positions span no area (all frames below the "
                               "likelihood cutoff, or the animal never moved); give the cage "
                               "option");
    return cage;
}

class DeepLabCutReader : public Reader {
public:
    std::string name() const override { return "deeplabcut"; }
    std::string description() const override {
        return "DeepLabCut pose files (.csv with scorer/[individuals/]bodyparts/coords rows, .h5); "
               "options bodypart (centroid), likelihood (0.6), fps (25), individual, cage "
               "(SIZE or X0,Y0,X1,Y1; default: extent of the data), rate (25), rules "
               "(seed|none), min_steps (83000), pad_to (90000)";
    }

    int score(const std::string& path) const override {
        try {
            const std::string ext = lowerExtension(path);
            if (ext == ".csv") {
                const std::string head = toLower(readFileStart(path, 16));
                return head.rfind("scorer,", 0) == 0 || head.rfind("\xEF\xBB\xBFscorer,", 0) == 0
                           ? 90
                           : 0;
            }
            if (ext == ".h5" || ext == ".hdf5")
                return looksLikeDlcH5(path) ? 90 : 0;
            return 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override;
};

Dataset DeepLabCutReader::read(const std::vector<std::string>& paths, const ReaderOptions& options,
                               const JobContext& ctx) const {
    if (paths.empty())
        throw ConfigError("deeplabcut: no input files");
    const Settings settings = parseSettings(options);

    std::vector<std::string> ids, individuals, files, dropped, padded, cut, layouts;
    std::vector<std::vector<std::vector<double>>> channelsOf;
    std::set<double> resampledFrom;
    int64_t interpolated = 0;
    nlohmann::json cages = nlohmann::json::object();
    bool multi = false;
    for (std::size_t f = 0; f < paths.size(); ++f) {
        const std::string& path = paths[f];
        ctx.throwIfCancelled();
        ctx.report(0.9 * f / paths.size(), "reading " + path);
        const std::string ext = lowerExtension(path);
        const DlcTable table = ext == ".csv" ? readDlcCsv(path) : readDlcH5(path);
        layouts.push_back(table.layout);
        std::vector<std::string> who = dlcIndividuals(table);
        const bool many = who.size() > 1 || !who.front().empty();
        if (!settings.individual.empty()) {
            if (std::find(who.begin(), who.end(), settings.individual) == who.end()) {
                std::string known;
                for (const auto& w : who)
                    known += (known.empty() ? "'" : ", '") + w + "'";
                throw ConfigError(path + ": no individual '" + settings.individual +
                                  "' (individuals: " + known + ")");
            }
            who = {settings.individual};
        }
        std::vector<DlcTrack> tracks;
        for (const auto& w : who)
            tracks.push_back(extractDlcTrack(table, w, settings.bodypart, settings.cutoff));
        TrajectoryRules rules = settings.rules;
        if (!settings.cageGiven)
            rules.cage = extentOf(tracks, path);
        cages[fileStem(path)] = {rules.cage.x0, rules.cage.y0, rules.cage.x1, rules.cage.y1};

        for (auto& track : tracks) {
            const std::string id = fileStem(path) + (many ? "/" + track.individual : "");
            if (std::find(ids.begin(), ids.end(), id) != ids.end())
                throw DataError(path + ": trajectory '" + id +
                                "' was already read from another file (ids must be unique)");
            RawTrack raw;
            raw.t.resize(table.frames);
            for (std::size_t k = 0; k < table.frames; ++k)
                raw.t[k] = static_cast<double>(k) / settings.fps;
            raw.x = std::move(track.x);
            raw.y = std::move(track.y);
            raw.z.assign(table.frames, 0.0); // DeepLabCut gives no rearing
            raw.valid = std::move(track.valid);
            PreprocessResult r = preprocessTrack(
                std::move(raw), rules,
                path + (many ? ": individual '" + track.individual + "'" : std::string()) +
                    " (body part '" + settings.bodypart + "')");
            interpolated += r.interpolated;
            if (r.resampledFromHz > 0)
                resampledFrom.insert(r.resampledFromHz);
            if (r.outcome == LengthOutcome::Dropped) {
                dropped.push_back(id);
                continue;
            }
            if (r.outcome == LengthOutcome::Padded)
                padded.push_back(id);
            if (r.outcome == LengthOutcome::Cut)
                cut.push_back(id);
            ids.push_back(id);
            individuals.push_back(track.individual);
            files.push_back(fileStem(path));
            channelsOf.push_back(std::move(r.channels));
            multi = multi || many;
        }
    }
    if (ids.empty())
        throw DataError(paths.front() + ": all " + std::to_string(dropped.size()) +
                        " trajectories are shorter than min_steps=" +
                        std::to_string(settings.rules.length.minSteps) +
                        " (use min_steps=0 pad_to=0 or rules=none for short recordings)");
    const std::size_t T = channelsOf.front()[0].size();
    for (std::size_t k = 1; k < ids.size(); ++k)
        if (channelsOf[k][0].size() != T)
            throw DataError(paths.front() + ": trajectories differ in length ('" + ids.front() +
                            "' " + std::to_string(T) + " steps, '" + ids[k] + "' " +
                            std::to_string(channelsOf[k][0].size()) +
                            "); set the pad_to option to pad or cut them to one length");

    Dataset data;
    data.name = fileStem(paths.front());
    data.kind = DataKind::Trajectory;
    data.sampleShape = {3, static_cast<int64_t>(T)};
    data.values.resize(ids.size() * 3 * T);
    for (std::size_t k = 0; k < ids.size(); ++k)
        for (std::size_t c = 0; c < 3; ++c)
            std::transform(channelsOf[k][c].begin(), channelsOf[k][c].end(),
                           data.values.begin() + static_cast<std::ptrdiff_t>((k * 3 + c) * T),
                           [](double v) { return static_cast<float>(v); });
    channelsOf.clear();
    data.metadata.addStrings("id", ids);
    data.metadata.addStrings("file", files);
    if (multi)
        data.metadata.addStrings("individual", individuals);

    nlohmann::json notes;
    if (!options.metadataPath.empty()) {
        const auto unmatched =
            joinSideTable(data.metadata, ids, readSideTable(options.metadataPath), paths.front());
        if (!unmatched.empty())
            notes["metadata_ids_without_trajectory"] = unmatched; // a warning, not an error
        notes["metadata_table"] = options.metadataPath;
    }
    notes["derived_columns"] = completeTrajectoryMetadata(data.metadata);
    checkTrajectories(data, paths.front());
    notes["reader"] = name();
    notes["files"] = paths;
    notes["layouts"] = layouts;
    notes["bodypart"] = settings.bodypart;
    notes["likelihood_cutoff"] = settings.cutoff;
    notes["fps"] = settings.fps;
    notes["rate_hz"] = settings.rules.rateHz;
    notes["cage"] = cages;
    notes["min_steps"] = settings.rules.length.minSteps;
    notes["pad_to"] = settings.rules.length.padTo;
    notes["resampled_from_hz"] = std::vector<double>(resampledFrom.begin(), resampledFrom.end());
    notes["interpolated_positions"] = interpolated;
    notes["dropped"] = dropped;
    notes["padded"] = padded;
    notes["cut"] = cut;
    data.attributesJson = notes.dump();
    data.validate(paths.front());
    ctx.report(1.0, "read " + std::to_string(ids.size()) + " trajectories");
    return data;
}

} // namespace

std::unique_ptr<Reader> makeDeepLabCutReader() {
    return std::make_unique<DeepLabCutReader>();
}

} // namespace embedscope::plugins
