// Reader "detector-events": point sets (x, y, t, charge) of detector events (AT-TPC-like,
// SPEC S2, seed 002 §4.4), grouped by an event id and rasterized to x-y images with the charge
// as intensity (engine/detector_events.h: each image scaled to [0, 1]).
//
//   embedscope-cli import events.csv --out ev.h5 --metadata classes.csv --option size=64
//
//   events.csv:  event,x,y,t,charge,label        classes.csv:  id,run
//                17,-3.2,10.5,200,1.3,proton                   17,r1
//                17,-2.9,11.0,201,1.1,proton                   18,r2
//
// CSV: a header with the event, x, y and charge columns (names set by event_column, x_column,
// y_column, charge_column; t_column optional, default "t"); rows of one event need not be
// contiguous; events keep the order of their first row. HDF5: one 1-D data set per column in a
// group (option `group`, default "/"), the same names, all of one length.
// Every other column that is constant within each event (e.g. `label`) becomes metadata;
// columns that vary within an event are left out and listed in the attribute
// "varying_columns". A side table (--metadata, keyed by `id` = event id) adds metadata; an id
// listed there without points is an error (an event with no points).
// Options: size (image width = height, default 128), extent "xmin,xmax,ymin,ymax" (default:
// the extent of all events jointly), the column names, group.
// Output: kind Image, shape (1, size, size); metadata `event`, `points` and the constant columns.
#include "csv_text.h"
#include "image_codecs.h"
#include "readers.h"

#include "embedscope/engine/detector_events.h"
#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <unordered_map>

namespace embedscope::plugins {
namespace {

const char* const kReader = "detector-events";

/// Column names of the point table.
struct Columns {
    std::string event, x, y, t, charge;
};

/// Events as read: points, the ids, and per extra column its per-event value (or varying).
struct EventTable {
    std::vector<std::string> ids;
    std::vector<DetectorEvent> events;
    std::vector<std::string> extraNames;
    std::vector<std::vector<std::string>> extraValues; ///< [column][event]
    std::vector<bool> varying;                         ///< per extra column
};

/// Adds one row (already parsed) to the table.
class EventBuilder {
public:
    explicit EventBuilder(EventTable& table) : table_(table) {}
    void add(const std::string& id, const EventPoint& p, const std::vector<std::string>& extras) {
        auto it = index_.find(id);
        if (it == index_.end()) {
            it = index_.emplace(id, table_.ids.size()).first;
            table_.ids.push_back(id);
            table_.events.emplace_back();
            for (std::size_t c = 0; c < extras.size(); ++c)
                table_.extraValues[c].push_back(extras[c]);
        } else {
            for (std::size_t c = 0; c < extras.size(); ++c)
                if (table_.extraValues[c][it->second] != extras[c])
                    table_.varying[c] = true;
        }
        table_.events[it->second].push_back(p);
    }

private:
    EventTable& table_;
    std::unordered_map<std::string, std::size_t> index_;
};

float checkedValue(const std::string& text, const std::string& where, const std::string& column,
                   bool required) {
    double v = 0;
    if (!parseNumber(text, v)) {
        if (!required && trim(text).empty())
            return 0.0f;
        throw DataError(where + ": column '" + column + "' is not a number ('" + text + "')");
    }
    if (!std::isfinite(v))
        throw DataError(where + ": column '" + column + "' is " +
                        (std::isnan(v) ? "NaN" : "infinite"));
    return float(v);
}

std::string listNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

EventTable readCsv(const std::string& path, const Columns& names, const JobContext& ctx) {
    const std::string text = readWholeFile(path);
    LineReader lines(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::string> fields, header;
    while (header.empty() && lines.next(line, number))
        if (!trim(line).empty() && !splitCsvLine(line, header))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
    if (header.empty())
        throw DataError(path + ": the file is empty");
    const auto find = [&](const std::string& name, bool required) {
        for (std::size_t c = 0; c < header.size(); ++c)
            if (header[c] == name)
                return c;
        if (required)
            throw FormatError(path + ": missing column '" + name +
                              "' (columns: " + listNames(header) + ")");
        return header.size();
    };
    const std::size_t ce = find(names.event, true), cx = find(names.x, true),
                      cy = find(names.y, true), cq = find(names.charge, true),
                      ct = find(names.t, false);
    EventTable table;
    std::vector<std::size_t> extraColumns;
    for (std::size_t c = 0; c < header.size(); ++c)
        if (c != ce && c != cx && c != cy && c != cq && c != ct) {
            extraColumns.push_back(c);
            table.extraNames.push_back(header[c]);
        }
    table.extraValues.resize(extraColumns.size());
    table.varying.assign(extraColumns.size(), false);
    EventBuilder builder(table);
    std::vector<std::string> extras(extraColumns.size());
    while (lines.next(line, number)) {
        if (trim(line).empty())
            continue;
        const std::string where = path + ", line " + std::to_string(number);
        if (!splitCsvLine(line, fields))
            throw FormatError(where + ": unterminated quote");
        if (fields.size() != header.size())
            throw FormatError(where + ": " + std::to_string(fields.size()) +
                              " fields, the header has " + std::to_string(header.size()));
        if (trim(fields[ce]).empty())
            throw DataError(where + ": empty event id");
        EventPoint p{checkedValue(fields[cx], where, names.x, true),
                     checkedValue(fields[cy], where, names.y, true),
                     ct < header.size() ? checkedValue(fields[ct], where, names.t, false) : 0.0f,
                     checkedValue(fields[cq], where, names.charge, true)};
        for (std::size_t e = 0; e < extraColumns.size(); ++e)
            extras[e] = fields[extraColumns[e]];
        builder.add(fields[ce], p, extras);
        if (number % 65536 == 0) {
            ctx.throwIfCancelled();
            ctx.report(0.5 * double(lines.position()) / double(text.size() + 1), "reading points");
        }
    }
    return table;
}

EventTable readHdf5(const std::string& path, const std::string& group, const Columns& names,
                    const JobContext& ctx) {
    if (isEmbedscopeH5(path))
        throw ConfigError(path + " is an embedscope data file: read it with --reader "
                                 "embedscope-h5");
    std::string prefix = group.empty() || group == "/" ? "" : group;
    if (!prefix.empty() && prefix.front() != '/')
        prefix = "/" + prefix;
    const std::vector<std::string> sets = listH5NumericDatasets(path);
    const auto column = [&](const std::string& name, bool required) -> std::vector<double> {
        const std::string full = prefix + "/" + name;
        if (std::find(sets.begin(), sets.end(), full) == sets.end()) {
            if (!required)
                return {};
            throw FormatError(path + ": missing column data set '" + full +
                              "' (numeric data sets: " + listNames(sets) + ")");
        }
        H5Numeric data = readH5Numeric(path, full);
        if (data.dims.size() != 1)
            throw FormatError(path + ", data set '" + full + "': expected 1-D, rank " +
                              std::to_string(data.dims.size()));
        return std::move(data.values);
    };
    const std::vector<double> ev = column(names.event, true), x = column(names.x, true),
                              y = column(names.y, true), q = column(names.charge, true),
                              t = column(names.t, false);
    ctx.throwIfCancelled();
    const std::size_t n = ev.size();
    for (const auto* v : {&x, &y, &q})
        if (v->size() != n)
            throw FormatError(path + ": the column data sets differ in length (" +
                              std::to_string(n) + " event ids, " + std::to_string(v->size()) +
                              " values)");
    if (!t.empty() && t.size() != n)
        throw FormatError(path + ": data set '" + names.t + "' has " + std::to_string(t.size()) +
                          " values for " + std::to_string(n) + " points");
    EventTable table;
    std::vector<std::vector<double>> extras;
    for (const auto& s : sets) {
        const auto slash = s.find_last_of('/');
        const std::string parent = s.substr(0, slash), leaf = s.substr(slash + 1);
        if (parent != prefix || leaf == names.event || leaf == names.x || leaf == names.y ||
            leaf == names.t || leaf == names.charge)
            continue;
        H5Numeric data = readH5Numeric(path, s);
        if (data.dims.size() == 1 && data.values.size() == n) {
            table.extraNames.push_back(leaf);
            extras.push_back(std::move(data.values));
        }
    }
    table.extraValues.resize(extras.size());
    table.varying.assign(extras.size(), false);
    EventBuilder builder(table);
    std::vector<std::string> rowExtras(extras.size());
    const auto text = [](double v) {
        MetadataColumn c;
        c.numeric = true;
        c.numbers = {v};
        return c.text(0);
    };
    for (std::size_t i = 0; i < n; ++i) {
        const std::string where = path + ", point " + std::to_string(i);
        if (!std::isfinite(ev[i]))
            throw DataError(where + ": event id is not finite");
        for (const auto& [v, name] : {std::pair{&x, &names.x}, {&y, &names.y}, {&q, &names.charge}})
            if (!std::isfinite((*v)[i]))
                throw DataError(where + ": '" + *name + "' is " +
                                (std::isnan((*v)[i]) ? "NaN" : "infinite"));
        if (!t.empty() && !std::isfinite(t[i]))
            throw DataError(where + ": '" + names.t + "' is not finite");
        for (std::size_t e = 0; e < extras.size(); ++e)
            rowExtras[e] = text(extras[e][i]);
        builder.add(
            text(ev[i]),
            EventPoint{float(x[i]), float(y[i]), t.empty() ? 0.0f : float(t[i]), float(q[i])},
            rowExtras);
    }
    return table;
}

class DetectorEventReader : public Reader {
public:
    std::string name() const override { return kReader; }
    std::string description() const override {
        return "Detector events: points (event, x, y, t, charge) from CSV or HDF5, rasterized "
               "to x-y charge images; options size, extent, *_column, group";
    }

    int score(const std::string& path) const override {
        try {
            const std::string ext = lowerExtension(path);
            if (ext != ".csv")
                return 0;
            std::string head = readFileStart(path, 2048);
            head = head.substr(0, head.find('\n'));
            std::vector<std::string> fields;
            if (!splitCsvLine(head, fields))
                return 0;
            int found = 0;
            for (const auto& f : fields)
                found += f == "event" || f == "x" || f == "y" || f == "charge";
            return found == 4 ? 85 : 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        checkKnownOptions(options, kReader,
                          {"size", "extent", "event_column", "x_column", "y_column", "t_column",
                           "charge_column", "group"});
        if (paths.size() != 1)
            throw ConfigError("detector-events reads one file at a time (got " +
                              std::to_string(paths.size()) + ")");
        const std::string& path = paths.front();
        RasterOptions raster;
        raster.width = raster.height =
            int(parseNumberOption(options, "size", 128, 1, 4096, kReader));
        const std::string extentText = options.get("extent", "");
        if (!extentText.empty()) {
            const auto parts = splitList(extentText);
            double v[4] = {};
            bool ok = parts.size() == 4;
            for (std::size_t k = 0; ok && k < 4; ++k)
                ok = parseNumber(parts[k], v[k]) && std::isfinite(v[k]);
            if (!ok || v[0] >= v[1] || v[2] >= v[3])
                throw ConfigError("detector-events: option 'extent' must be "
                                  "\"xmin,xmax,ymin,ymax\" with min < max, got '" +
                                  extentText + "'");
            raster.xMin = v[0], raster.xMax = v[1], raster.yMin = v[2], raster.yMax = v[3];
        }
        const Columns names{options.get("event_column", "event"), options.get("x_column", "x"),
                            options.get("y_column", "y"), options.get("t_column", "t"),
                            options.get("charge_column", "charge")};
        ctx.report(0.0, "reading " + path);
        const std::string ext = lowerExtension(path);
        EventTable table = ext == ".h5" || ext == ".hdf5"
                               ? readHdf5(path, options.get("group", "/"), names, ctx)
                               : readCsv(path, names, ctx);
        if (table.events.empty())
            throw DataError(path + ": no events (no point rows)");
        ctx.throwIfCancelled();
        ctx.report(0.5, "rasterizing " + std::to_string(table.events.size()) + " events");

        Dataset data;
        data.kind = DataKind::Image;
        data.sampleShape = {1, raster.height, raster.width};
        RasterStats stats;
        data.values = rasterizeEvents(table.events, raster, path, &stats);

        std::vector<double> points;
        for (const auto& e : table.events)
            points.push_back(double(e.size()));
        data.metadata.setColumn(columnFromText("event", table.ids));
        data.metadata.addNumbers("points", std::move(points));
        std::vector<std::string> varying;
        for (std::size_t c = 0; c < table.extraNames.size(); ++c) {
            if (table.varying[c])
                varying.push_back(table.extraNames[c]);
            else
                data.metadata.setColumn(
                    columnFromText(table.extraNames[c], std::move(table.extraValues[c])));
        }
        if (!options.metadataPath.empty()) {
            const SideTable side = readSideTable(options.metadataPath);
            const auto unmatched = joinSideTable(data.metadata, table.ids, side, path);
            if (!unmatched.empty())
                throw DataError(options.metadataPath + ": event '" + unmatched.front() +
                                "' has no points in " + path + " (" +
                                std::to_string(unmatched.size()) +
                                " listed events without points)");
        }
        data.name = fileStem(path);
        data.attributesJson = nlohmann::json{
            {"reader", kReader},
            {"source", path},
            {"extent", {stats.xMin, stats.xMax, stats.yMin, stats.yMax}},
            {"points_used", stats.pointsUsed},
            {"points_dropped", stats.pointsDropped},
            {"varying_columns",
             varying}}.dump();
        ctx.report(1.0, "read " + std::to_string(table.events.size()) + " events");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeDetectorEventReader() {
    return std::make_unique<DetectorEventReader>();
}

} // namespace embedscope::plugins
