// The DeepLabCut CSV layout and the body-part extraction shared with the HDF5 layout.
//
//   scorer,DLC_resnet50,DLC_resnet50,DLC_resnet50,...      (pandas may add ".1", ".2" suffixes)
//   [individuals,mouse1,mouse1,mouse1,...]                  (multi-animal only)
//   bodyparts,snout,snout,snout,...
//   coords,x,y,likelihood,...
//   0,571.6,128.8,0.99,...
#include "csv_text.h"
#include "dlc_table.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace embedscope::plugins {

DlcTable readDlcCsv(const std::string& path) {
    const std::string text = readWholeFile(path);
    LineReader lines(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::string> fields;
    std::map<std::string, std::vector<std::string>> header; // row name -> cells
    std::vector<std::string> order;
    const std::string expected = "(expected DeepLabCut header rows scorer, [individuals,] "
                                 "bodyparts, coords)";
    while (order.size() < 4 && lines.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw DataError(path + ", line " + std::to_string(number) + ": unterminated quote");
        const std::string name = fields.empty() ? "" : toLower(fields[0]);
        const bool known =
            name == "scorer" || name == "individuals" || name == "bodyparts" || name == "coords";
        if (!known || header.count(name))
            throw DataError(path + ", line " + std::to_string(number) + ": header row '" +
                            (fields.empty() ? "" : fields[0]) + "' " + expected);
        header[name] = fields;
        order.push_back(name);
        if (name == "coords")
            break;
    }
    if (order.empty())
        throw DataError(path + ": the file is empty " + expected);
    if (order.front() != "scorer" || !header.count("bodyparts") || !header.count("coords"))
        throw DataError(path + ", line " + std::to_string(number) + ": incomplete header " +
                        expected);
    const auto& coords = header["coords"];
    const std::size_t width = coords.size();
    for (const auto& [name, cells] : header)
        if (cells.size() != width)
            throw DataError(path + ": header row '" + name + "' has " +
                            std::to_string(cells.size()) + " fields, 'coords' has " +
                            std::to_string(width));
    // Leading index columns (frame number, or labeled-data/video/image) have no coordinate.
    std::size_t first = 1;
    while (first < width && coords[first].empty())
        ++first;
    DlcTable table;
    table.path = path;
    table.layout = "csv, " + std::to_string(order.size()) + " header rows";
    const bool multi = header.count("individuals") > 0;
    for (std::size_t c = first; c < width; ++c)
        table.columns.push_back(
            {multi ? header["individuals"][c] : "", header["bodyparts"][c], coords[c]});
    const std::size_t k = table.columns.size();
    if (k == 0)
        throw DataError(path + ": no coordinate columns after the header " + expected);
    for (std::size_t c = 0; c < k; ++c)
        if (table.columns[c].coord != "x" && table.columns[c].coord != "y" &&
            table.columns[c].coord != "likelihood")
            throw DataError(path + ", line " + std::to_string(number) + ", column " +
                            std::to_string(first + c + 1) + ": unknown coordinate '" +
                            table.columns[c].coord + "' (expected x, y or likelihood)");

    const double nan = std::numeric_limits<double>::quiet_NaN();
    while (lines.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw DataError(path + ", line " + std::to_string(number) + ": unterminated quote");
        if (fields.size() != width)
            throw DataError(path + ", line " + std::to_string(number) + ": " +
                            std::to_string(fields.size()) + " fields, the header has " +
                            std::to_string(width));
        for (std::size_t c = first; c < width; ++c) {
            double v = nan;
            if (!isMissingCell(fields[c]) && !parseNumber(fields[c], v))
                throw DataError(path + ", line " + std::to_string(number) + ", column " +
                                std::to_string(c + 1) + " (" + table.columns[c - first].bodypart +
                                " " + table.columns[c - first].coord + "): '" + fields[c] +
                                "' is not a number");
            table.values.push_back(v);
        }
        ++table.frames;
    }
    if (table.frames == 0)
        throw DataError(path + ": no data rows after the header");
    checkDlcColumns(table);
    return table;
}

void checkDlcColumns(const DlcTable& table) {
    std::map<std::pair<std::string, std::string>, std::set<std::string>> seen;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto& col = table.columns[c];
        if (col.coord != "x" && col.coord != "y" && col.coord != "likelihood")
            throw DataError(table.path + ": column " + std::to_string(c + 1) + " (" + col.bodypart +
                            "): unknown coordinate '" + col.coord +
                            "' (expected x, y or likelihood)");
        if (!seen[{col.individual, col.bodypart}].insert(col.coord).second)
            throw DataError(table.path + ": column " + std::to_string(c + 1) + ": body part '" +
                            col.bodypart + "' has coordinate '" + col.coord + "' twice");
    }
    for (const auto& [key, set] : seen)
        if (!set.count("x") || !set.count("y"))
            throw DataError(table.path + ": body part '" + key.second + "'" +
                            (key.first.empty() ? "" : " of '" + key.first + "'") +
                            " lacks its x or y column");
}

std::vector<std::string> dlcIndividuals(const DlcTable& table) {
    std::vector<std::string> out;
    for (const auto& col : table.columns)
        if (std::find(out.begin(), out.end(), col.individual) == out.end())
            out.push_back(col.individual);
    return out;
}

DlcTrack extractDlcTrack(const DlcTable& table, const std::string& individual,
                         const std::string& bodypart, double cutoff) {
    struct Part {
        std::string name;
        std::size_t x = 0, y = 0, p = 0;
        bool hasP = false;
    };
    std::vector<Part> parts;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto& col = table.columns[c];
        if (col.individual != individual)
            continue;
        auto it = std::find_if(parts.begin(), parts.end(),
                               [&](const Part& p) { return p.name == col.bodypart; });
        if (it == parts.end()) {
            parts.push_back({col.bodypart});
            it = parts.end() - 1;
        }
        if (col.coord == "x")
            it->x = c;
        else if (col.coord == "y")
            it->y = c;
        else
            it->p = c, it->hasP = true;
    }
    if (bodypart != "centroid") {
        const auto it = std::find_if(parts.begin(), parts.end(),
                                     [&](const Part& p) { return p.name == bodypart; });
        if (it == parts.end()) {
            std::string known;
            for (const auto& p : parts)
                known += (known.empty() ? "'" : ", '") + p.name + "'";
            throw ConfigError(table.path + ": no body part '" + bodypart +
                              "' (body parts: " + known + ", or 'centroid')");
        }
        parts = {*it};
    }
    DlcTrack track;
    track.individual = individual;
    track.x.assign(table.frames, 0.0);
    track.y.assign(table.frames, 0.0);
    track.valid.assign(table.frames, false);
    for (std::size_t f = 0; f < table.frames; ++f) {
        double sx = 0, sy = 0;
        int n = 0;
        for (const auto& p : parts) {
            const double x = table.at(f, p.x), y = table.at(f, p.y);
            // Below the cutoff the network is unsure: treat the position as missing.
            const bool ok =
                std::isfinite(x) && std::isfinite(y) && (!p.hasP || table.at(f, p.p) >= cutoff);
            if (ok)
                sx += x, sy += y, ++n;
        }
        if (n > 0) {
            track.x[f] = sx / n;
            track.y[f] = sy / n;
            track.valid[f] = true;
        } else {
            track.x[f] = track.y[f] = std::numeric_limits<double>::quiet_NaN();
        }
    }
    return track;
}

} // namespace embedscope::plugins
