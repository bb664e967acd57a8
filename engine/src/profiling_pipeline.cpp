// Profiling: the configurable pipeline (issue 8) - a JSON list of steps with their options, run
// in order on one table, with a summary of what each step dropped. Defaults: profiling.h.
#include "profiling_internal.h"

#include "embedscope/engine/error.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace embedscope {

using namespace profiling_detail;
using nlohmann::json;

namespace {

const std::vector<std::pair<ProfileStepKind, const char*>>& stepNames() {
    static const std::vector<std::pair<ProfileStepKind, const char*>> names = {
        {ProfileStepKind::Aggregate, "aggregate"},
        {ProfileStepKind::Normalize, "normalize"},
        {ProfileStepKind::VarianceThreshold, "variance_threshold"},
        {ProfileStepKind::CorrelationThreshold, "correlation_threshold"},
        {ProfileStepKind::DropNaColumns, "drop_na_columns"},
        {ProfileStepKind::DropOutliers, "drop_outliers"},
        {ProfileStepKind::Blocklist, "blocklist"},
        {ProfileStepKind::Spherize, "spherize"},
        {ProfileStepKind::Consensus, "consensus"},
    };
    return names;
}

/// Reads one step's options, checking names, types and ranges; every error names the origin,
/// the step's index and name, and the key.
class StepReader {
public:
    StepReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw ConfigError(where_ + ", option '" + key + "': " + what);
    }
    double number(const std::string& key, double fallback, double lo, double hi) {
        if (!take(key))
            return fallback;
        const json& v = object_.at(key);
        if (!v.is_number())
            fail(key, "expected a number, got " + v.dump());
        const double x = v.get<double>();
        if (!(x >= lo && x <= hi))
            fail(key, "must be in [" + fmt(lo) + ", " + fmt(hi) + "], got " + v.dump());
        return x;
    }
    bool boolean(const std::string& key, bool fallback) {
        if (!take(key))
            return fallback;
        if (!object_.at(key).is_boolean())
            fail(key, "expected true or false, got " + object_.at(key).dump());
        return object_.at(key).get<bool>();
    }
    std::string choice(const std::string& key, const std::string& fallback,
                       const std::vector<std::string>& allowed) {
        if (!take(key))
            return fallback;
        const json& v = object_.at(key);
        std::string s = v.is_string() ? v.get<std::string>() : "";
        for (const auto& a : allowed)
            if (a == s)
                return s;
        std::string list;
        for (const auto& a : allowed)
            list += (list.empty() ? "" : ", ") + a;
        fail(key, "expected one of " + list + ", got " + v.dump());
    }
    std::vector<std::string> strings(const std::string& key, std::vector<std::string> fallback) {
        if (!take(key))
            return fallback;
        const json& v = object_.at(key);
        std::vector<std::string> out;
        if (v.is_string())
            return {v.get<std::string>()};
        if (!v.is_array())
            fail(key, "expected a list of names, got " + v.dump());
        for (const json& e : v) {
            if (!e.is_string() || e.get<std::string>().empty())
                fail(key, "expected a list of non-empty names, got " + v.dump());
            out.push_back(e.get<std::string>());
        }
        return out;
    }
    std::string text(const std::string& key, const std::string& fallback) {
        if (!take(key))
            return fallback;
        const json& v = object_.at(key);
        if (v.is_string())
            return v.get<std::string>();
        if (v.is_number())
            return v.dump();
        fail(key, "expected a string, got " + v.dump());
    }
    /// After reading: any key not asked for is unknown.
    void finish(const std::string& stepName) const {
        for (const auto& [key, value] : object_.items())
            if (key != "step" && !taken_.count(key)) {
                std::string known;
                for (const auto& k : taken_)
                    known += (known.empty() ? "" : ", ") + k;
                throw ConfigError(where_ + ": unknown option '" + key + "' for step '" + stepName +
                                  "' (options: " + (known.empty() ? "none" : known) + ")");
            }
    }

private:
    bool take(const std::string& key) {
        taken_.insert(key);
        return object_.contains(key);
    }
    static std::string fmt(double x) {
        std::ostringstream s;
        s << x;
        return s.str();
    }
    const json& object_;
    std::string where_;
    std::set<std::string> taken_;
};

std::vector<std::string> readBlocklistFile(const std::string& file, const std::string& origin,
                                           const std::string& where) {
    std::filesystem::path path(file);
    if (path.is_relative() && std::filesystem::is_regular_file(origin))
        path = std::filesystem::path(origin).parent_path() / path;
    std::ifstream in(path);
    if (!in)
        throw ConfigError(where + ", option 'file': cannot open '" + path.string() + "'");
    std::vector<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty() && line != "blocklist") // pycytominer's CSV has a "blocklist" header
            names.push_back(line);
    }
    return names;
}

ProfileStepConfig parseStep(const json& item, std::size_t index, const std::string& origin) {
    const std::string at = origin + ": step " + std::to_string(index + 1);
    if (!item.is_object() || !item.contains("step") || !item.at("step").is_string())
        throw ConfigError(at + ": expected an object with \"step\": \"<name>\", got " +
                          item.dump());
    const std::string name = item.at("step").get<std::string>();
    ProfileStepConfig s;
    bool found = false;
    for (const auto& [kind, n] : stepNames())
        if (name == n) {
            s.kind = kind;
            found = true;
        }
    if (!found) {
        std::string known;
        for (const auto& [kind, n] : stepNames())
            known += (known.empty() ? "" : ", ") + std::string(n);
        throw ConfigError(at + ": unknown step '" + name + "' (steps: " + known + ")");
    }
    StepReader r(item, at + " '" + name + "'");
    switch (s.kind) {
    case ProfileStepKind::Aggregate:
        s.aggregate.method = r.choice("method", "median", {"mean", "median"}) == "mean"
                                 ? AggregateMethod::Mean
                                 : AggregateMethod::Median;
        s.aggregate.by = r.strings("by", {});
        s.aggregate.countColumn = r.text("count_column", s.aggregate.countColumn);
        break;
    case ProfileStepKind::Normalize: {
        const std::string m =
            r.choice("method", "mad_robustize", {"standardize", "robustize", "mad_robustize"});
        s.normalize.method = m == "standardize" ? NormalizeMethod::Standardize
                             : m == "robustize" ? NormalizeMethod::Robustize
                                                : NormalizeMethod::MadRobustize;
        s.normalize.overControls = r.choice("samples", "controls", {"all", "controls"}) != "all";
        s.normalize.missingControls =
            r.choice("missing_controls", "drop", {"drop", "all_wells"}) == "drop"
                ? MissingControls::Drop
                : MissingControls::AllWells;
        break;
    }
    case ProfileStepKind::VarianceThreshold:
        s.variance.freqCut = r.number("freq_cut", s.variance.freqCut, 0, 1);
        s.variance.uniqueCut = r.number("unique_cut", s.variance.uniqueCut, 0, 1);
        s.variance.minVariance = r.number("min_variance", s.variance.minVariance, 0, 1e300);
        break;
    case ProfileStepKind::CorrelationThreshold:
        s.correlation.threshold = r.number("threshold", s.correlation.threshold, 0, 1);
        s.correlation.absolute = r.boolean("absolute", s.correlation.absolute);
        break;
    case ProfileStepKind::DropNaColumns:
        s.naCutoff = r.number("cutoff", s.naCutoff, 0, 1);
        break;
    case ProfileStepKind::DropOutliers:
        s.outlierCutoff = r.number("cutoff", s.outlierCutoff, 0, 1e300);
        break;
    case ProfileStepKind::Blocklist: {
        s.blocklist = r.strings("features", {});
        const std::string file = r.text("file", "");
        if (!file.empty()) {
            const auto more = readBlocklistFile(file, origin, at + " 'blocklist'");
            s.blocklist.insert(s.blocklist.end(), more.begin(), more.end());
        }
        break;
    }
    case ProfileStepKind::Spherize:
        s.spherize.method = r.choice("method", "ZCA", {"ZCA", "PCA", "zca", "pca"}) == "ZCA" ||
                                    item.value("method", "") == "zca"
                                ? SpherizeMethod::Zca
                                : SpherizeMethod::Pca;
        s.spherize.epsilon = r.number("epsilon", s.spherize.epsilon, 0, 1e300);
        s.spherize.fitOnControls = r.choice("samples", "controls", {"all", "controls"}) != "all";
        break;
    case ProfileStepKind::Consensus:
        s.consensus.method = r.choice("method", "median", {"median", "modz"}) == "modz"
                                 ? ConsensusMethod::Modz
                                 : ConsensusMethod::Median;
        s.consensus.by = r.strings("by", s.consensus.by);
        s.consensus.minWeight = r.number("min_weight", s.consensus.minWeight, 0, 1);
        break;
    }
    r.finish(name);
    return s;
}

} // namespace

std::string toString(ProfileStepKind kind) {
    for (const auto& [k, n] : stepNames())
        if (k == kind)
            return n;
    return "?";
}

ProfilePipeline defaultProfilePipeline() {
    ProfilePipeline p;
    for (ProfileStepKind kind :
         {ProfileStepKind::Aggregate, ProfileStepKind::Normalize,
          ProfileStepKind::VarianceThreshold, ProfileStepKind::CorrelationThreshold,
          ProfileStepKind::DropNaColumns, ProfileStepKind::DropOutliers, ProfileStepKind::Spherize,
          ProfileStepKind::Consensus}) {
        ProfileStepConfig s;
        s.kind = kind;
        p.steps.push_back(s);
    }
    return p;
}

ProfilePipeline parseProfilePipeline(const json& config, const std::string& origin) {
    ProfilePipeline p;
    const json* steps = nullptr;
    if (config.is_array()) {
        steps = &config;
    } else if (config.is_object()) {
        static const std::set<std::string> known = {"steps", "plate_column", "well_column",
                                                    "control_column", "control_value"};
        for (const auto& [key, value] : config.items())
            if (!known.count(key))
                throw ConfigError(origin + ": unknown key '" + key +
                                  "' (keys: steps, plate_column, well_column, control_column, "
                                  "control_value)");
        StepReader r(config, origin);
        p.columns.plate = r.text("plate_column", p.columns.plate);
        p.columns.well = r.text("well_column", p.columns.well);
        p.columns.control = r.text("control_column", p.columns.control);
        p.columns.controlValue = r.text("control_value", p.columns.controlValue);
        for (std::string* c : {&p.columns.plate, &p.columns.well, &p.columns.control})
            if (c->rfind("Metadata_", 0) == 0)
                *c = c->substr(9); // the file's name works too
        if (config.contains("steps"))
            steps = &config.at("steps");
    } else {
        throw ConfigError(origin + ": expected a JSON object or a list of steps");
    }
    if (!steps) {
        p.steps = defaultProfilePipeline().steps;
        return p;
    }
    if (!steps->is_array())
        throw ConfigError(origin + ": 'steps' must be a list of step objects");
    if (steps->empty())
        throw ConfigError(origin + ": 'steps' is empty (leave it out for the default pipeline)");
    for (std::size_t i = 0; i < steps->size(); ++i)
        p.steps.push_back(parseStep(steps->at(i), i, origin));
    return p;
}

ProfilePipeline readProfilePipeline(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw IoError(path + ": cannot open the pipeline configuration");
    json config;
    try {
        config = json::parse(in);
    } catch (const json::parse_error& e) {
        throw ConfigError(path + ": not valid JSON (" + e.what() + ")");
    }
    return parseProfilePipeline(config, path);
}

ProfileSummary runProfilePipeline(EmbeddingTable& table, const ProfilePipeline& pipeline,
                                  const std::string& origin, const JobContext& context) {
    ProfileSummary summary;
    summary.rowsIn = table.rows;
    summary.featuresIn = table.featureNames.size();
    if (table.rows == 0)
        throw DataError(origin + ": the table has no rows");
    const ProfileColumns& columns = pipeline.columns;
    for (std::size_t i = 0; i < pipeline.steps.size(); ++i) {
        context.throwIfCancelled();
        const ProfileStepConfig& s = pipeline.steps[i];
        const std::string name = toString(s.kind);
        context.report(double(i) / double(pipeline.steps.size()),
                       "step " + std::to_string(i + 1) + "/" +
                           std::to_string(pipeline.steps.size()) + ": " + name);
        ProfileStepReport report;
        report.step = name;
        report.rowsIn = table.rows;
        report.featuresIn = table.featureNames.size();
        const std::string where = origin + ": step " + std::to_string(i + 1) + " ";
        try {
            switch (s.kind) {
            case ProfileStepKind::Aggregate:
                table = aggregateProfiles(table, s.aggregate, columns, report);
                break;
            case ProfileStepKind::Normalize:
                normalizeProfiles(table, s.normalize, columns, report);
                break;
            case ProfileStepKind::VarianceThreshold:
                report.dropped = varianceThresholdFeatures(table, s.variance);
                break;
            case ProfileStepKind::CorrelationThreshold:
                report.dropped = correlationThresholdFeatures(table, s.correlation);
                break;
            case ProfileStepKind::DropNaColumns:
                report.dropped = naColumnFeatures(table, s.naCutoff);
                break;
            case ProfileStepKind::DropOutliers:
                report.dropped = outlierFeatures(table, s.outlierCutoff);
                break;
            case ProfileStepKind::Blocklist: {
                const std::set<std::string> present(table.featureNames.begin(),
                                                    table.featureNames.end());
                std::vector<std::string> absent;
                for (const auto& f : s.blocklist)
                    (present.count(f) ? report.dropped : absent).push_back(f);
                if (!absent.empty())
                    report.notes.push_back("blocklisted but not in the table: " +
                                           joinNames(absent));
                break;
            }
            case ProfileStepKind::Spherize:
                spherizeProfiles(table, s.spherize, columns, report);
                summary.spherizeRank = report.rank;
                break;
            case ProfileStepKind::Consensus:
                table = consensusProfiles(table, s.consensus, report);
                break;
            }
            if (s.kind != ProfileStepKind::Normalize)
                dropProfileFeatures(table, report.dropped);
            if (table.featureNames.empty())
                throw DataError(name + ": every feature was dropped (" +
                                std::to_string(report.dropped.size()) + " by this step)");
        } catch (const DataError& e) {
            throw DataError(where + e.what());
        } catch (const ConfigError& e) {
            throw ConfigError(where + e.what());
        }
        report.rowsOut = table.rows;
        report.featuresOut = table.featureNames.size();
        summary.steps.push_back(std::move(report));
    }
    context.report(1.0, "done");
    summary.rowsOut = table.rows;
    summary.featuresOut = table.featureNames.size();
    return summary;
}

json toJson(const ProfileSummary& summary) {
    json steps = json::array();
    json droppedBy = json::object();
    for (std::size_t i = 0; i < summary.steps.size(); ++i) {
        const ProfileStepReport& r = summary.steps[i];
        json step = {{"step", r.step},
                     {"rows_in", r.rowsIn},
                     {"rows_out", r.rowsOut},
                     {"features_in", r.featuresIn},
                     {"features_out", r.featuresOut},
                     {"dropped", r.dropped},
                     {"notes", r.notes}};
        if (r.rank >= 0)
            step["rank"] = r.rank;
        steps.push_back(step);
        if (!r.dropped.empty())
            droppedBy[std::to_string(i + 1) + ":" + r.step] = r.dropped;
    }
    return {{"rows_in", summary.rowsIn},
            {"rows_out", summary.rowsOut},
            {"features_in", summary.featuresIn},
            {"features_out", summary.featuresOut},
            {"spherize_rank", summary.spherizeRank >= 0 ? json(summary.spherizeRank) : json()},
            {"dropped_by_step", droppedBy},
            {"steps", steps}};
}

} // namespace embedscope
