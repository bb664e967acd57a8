// Reader "cell-plate": a Cell-Painting plate layout -> single-cell crops (seed 004 §3.2.1,
// DeepProfiler's export: crops of fixed side around each cell, all channels together).
//
//   embedscope-cli import plates/platemap.csv --reader cell-plate --out cells.h5
//       --option crop=48 --option split=well
//
// Input: the plate map CSV (or the folder holding platemap.csv): one row per well with
// Metadata_Plate, Metadata_Well and any other columns (Metadata_compound, Metadata_dose,
// Metadata_moa, Metadata_control, Metadata_Batch ...), all carried into the crops' metadata
// without the Metadata_ prefix. Beside it (options `images`, `locations` name other files):
// images.csv (Metadata_Plate, Metadata_Well, Metadata_Site, FileName_<channel> per channel,
// optional PathName_<channel>; paths relative to images.csv; when several channels of a row
// name the same file, its pages are those channels in column order) and locations.csv
// (Metadata_Plate, Metadata_Well, Metadata_Site and the x / y columns, default
// Nuclei_Location_Center_X / _Y, pixels with pixel centres at integers, x = column).
// Output: kind Image, shape (C, S, S) with S = option crop (default 128, seed §3.2.1), the
// channels in option `channels` order (default the FileName_ columns' order), values in
// [0, 1] (8-bit / 255, 16-bit / 65535, each file by its own depth). The crop of a cell at
// (x, y) covers rows round(y) - S/2 .. round(y) - S/2 + S - 1 (columns likewise), so its pixel
// (S/2, S/2) is the image pixel at the location; cells whose crop leaves the image are skipped
// and counted (skipped_border), locations outside the image too (skipped_outside).
// Metadata: the plate map's columns, Site, Cell (index of the cell in its site's rows of
// locations.csv), X, Y, and `split`.
// Split (option split, default "well"): seed §4.8.3 trains on some replicate wells of a
// compound and validates on another (data-split two); validating on other cells of the same
// wells (data-split three) let the classifier recognise wells, not phenotypes (validation
// accuracy 0.33 -> 0.72, Table 4.20). So by default, per compound (option group_column,
// default "compound"), round(val_fraction x n) >= 1 of its n >= 2 wells, drawn with
// split_seed, are "val", the rest "train" (a compound in one well stays train). "site" puts the
// last round(val_fraction x sites) >= 1 sites of every well with >= 2 sites in val (leaks well
// effects, for comparison); "none" writes no split column.
// Bad input (issue 8): a missing or unreadable channel file, channels of one site with different
// sizes, images of a well not in the map: that site is skipped with a note naming the file and
// the row; wells of the map without images, sites without locations, locations of sites without
// images, a plate without control wells (control column 1 or compound DMSO), 8- and 16-bit files
// mixed, sites of different sizes: notes. All notes and counts are in attributesJson.
// Memory: more than max_cells_per_site cells in a site keeps the first ones (noted); crops x C x
// S^2 above max_values (default 2^28) is refused before any image is decoded.
#include "cell_plate_tables.h"
#include "csv_text.h"
#include "image_codecs.h"
#include "readers.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace embedscope::plugins {
namespace {

namespace fs = std::filesystem;
const char* const kReader = "cell-plate";

std::string stripPrefix(const std::string& name) {
    return name.rfind("Metadata_", 0) == 0 ? name.substr(9) : name;
}

/// The plate map path of the input (the file, or platemap.csv in the folder).
std::string platemapPath(const std::string& input) {
    std::error_code ec;
    if (fs::is_directory(input, ec))
        return (fs::path(input) / "platemap.csv").string();
    return input;
}

class CellPlateReader : public Reader {
public:
    std::string name() const override { return kReader; }
    std::string description() const override {
        return "Cell-Painting plate layout (platemap.csv + images.csv + locations.csv, TIFF per "
               "channel or multi-page) -> single-cell crops; options crop, channels, images, "
               "locations, x_column, y_column, split, val_fraction, split_seed, group_column, "
               "max_cells_per_site, max_values";
    }

    int score(const std::string& path) const override {
        try {
            std::error_code ec;
            if (fs::is_directory(path, ec))
                return fs::exists(fs::path(path) / "platemap.csv", ec) ? 90 : 0;
            if (lowerExtension(path) != ".csv")
                return 0;
            const std::string head = readFileStart(path, 4096);
            const std::string first = head.substr(0, head.find('\n'));
            if (first.find("Metadata_Plate") == std::string::npos ||
                first.find("Metadata_Well") == std::string::npos ||
                first.find("FileName_") != std::string::npos ||
                first.find("Location") != std::string::npos)
                return 0;
            return fs::exists(fs::path(path).parent_path() / "images.csv", ec) ? 85 : 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        checkKnownOptions(options, kReader,
                          {"crop", "channels", "images", "locations", "x_column", "y_column",
                           "split", "val_fraction", "split_seed", "group_column",
                           "max_cells_per_site", "max_values"});
        if (paths.size() != 1)
            throw ConfigError("cell-plate: give one plate map CSV (or its folder), got " +
                              std::to_string(paths.size()) + " inputs");
        if (!options.metadataPath.empty())
            throw ConfigError("cell-plate: the plate map is the input; --metadata is not used");
        const int64_t crop = parseCountOption(options, "crop", 128, kReader);
        if (crop < 4 || crop > 4096)
            throw ConfigError("cell-plate: option 'crop' must be in [4, 4096], got " +
                              std::to_string(crop));
        const std::string splitRule = options.get("split", "well");
        if (splitRule != "well" && splitRule != "site" && splitRule != "none")
            throw ConfigError("cell-plate: option 'split' must be well, site or none, got '" +
                              splitRule + "'");
        const double valFraction =
            parseNumberOption(options, "val_fraction", 0.2, 0.0, 0.9, kReader);
        const auto splitSeed =
            (unsigned long long)parseCountOption(options, "split_seed", 0, kReader);
        const auto maxCells =
            std::size_t(parseCountOption(options, "max_cells_per_site", 10000, kReader));
        const auto maxValues =
            uint64_t(parseCountOption(options, "max_values", int64_t(1) << 28, kReader));
        const std::string xColumn = options.get("x_column", "Nuclei_Location_Center_X");
        const std::string yColumn = options.get("y_column", "Nuclei_Location_Center_Y");
        const std::string groupColumn = options.get("group_column", "compound");

        const std::string mapPath = platemapPath(paths.front());
        const fs::path base = fs::path(mapPath).parent_path();
        const CsvTable map = readCsvTable(mapPath);
        const CsvTable images =
            readCsvTable(resolveCellPath(base, options.get("images", "images.csv")));
        const CsvTable locations =
            readCsvTable(resolveCellPath(base, options.get("locations", "locations.csv")));
        const fs::path imageBase = fs::path(images.path).parent_path();
        CellNotes notes;

        // Plate map: one row per well.
        const std::size_t mPlate = map.require("Metadata_Plate", "the plate of each well");
        const std::size_t mWell = map.require("Metadata_Well", "the well name");
        std::map<std::string, std::size_t> mapRowOf;
        for (std::size_t r = 0; r < map.rows.size(); ++r) {
            const auto key = wellKey(map.rows[r][mPlate], map.rows[r][mWell]);
            if (mapRowOf.count(key))
                throw FormatError(map.where(r) + ": well " + map.rows[r][mPlate] + " " +
                                  map.rows[r][mWell] + " is listed twice (first on line " +
                                  std::to_string(map.lines[mapRowOf[key]]) + ")");
            mapRowOf[key] = r;
        }
        if (map.rows.empty())
            throw DataError(mapPath + ": the plate map has no wells");

        // Channels: FileName_<name> columns (in header order, or as option `channels` says).
        std::vector<std::string> channels = splitList(options.get("channels", ""));
        if (channels.empty())
            for (const auto& h : images.header)
                if (h.rfind("FileName_", 0) == 0)
                    channels.push_back(h.substr(9));
        if (channels.empty())
            throw FormatError(images.path + ": no FileName_<channel> column");
        std::vector<std::size_t> fileCol;
        std::vector<int> pathCol;
        for (const auto& ch : channels) {
            fileCol.push_back(images.require("FileName_" + ch, "channel " + ch));
            pathCol.push_back(images.find("PathName_" + ch));
        }
        const std::size_t C = channels.size();

        // Image index: one row per site.
        const std::size_t iPlate = images.require("Metadata_Plate", "the plate of each site");
        const std::size_t iWell = images.require("Metadata_Well", "the well of each site");
        const std::size_t iSite = images.require("Metadata_Site", "the site number");
        std::vector<CellSite> sites;
        std::map<std::string, std::size_t> siteIndex;
        std::set<std::string> wellsWithImages;
        std::size_t imagesWithoutWell = 0;
        for (std::size_t r = 0; r < images.rows.size(); ++r) {
            const auto& row = images.rows[r];
            CellSite s{row[iPlate], row[iWell], siteText(row[iSite], images.where(r)), "", 0,
                       r,           {}};
            s.key = siteKey(s.plate, s.well, s.site);
            const auto m = mapRowOf.find(wellKey(s.plate, s.well));
            if (m == mapRowOf.end()) {
                if (imagesWithoutWell++ == 0)
                    notes.add(images.where(r) + ": well " + s.plate + " " + s.well +
                              " is not in the plate map " + mapPath + " (site skipped)");
                continue;
            }
            if (siteIndex.count(s.key)) {
                notes.add(images.where(r) + ": site " + s.plate + " " + s.well + " " + s.site +
                          " is listed twice (the first row is used)");
                continue;
            }
            s.mapRow = m->second;
            wellsWithImages.insert(wellKey(s.plate, s.well));
            siteIndex[s.key] = sites.size();
            sites.push_back(std::move(s));
        }
        if (imagesWithoutWell)
            notes.add(std::to_string(imagesWithoutWell) + " image rows of " + images.path +
                      " name wells missing from the plate map (skipped)");
        std::size_t wellsWithoutImages = 0;
        std::string firstWithout;
        for (const auto& [key, r] : mapRowOf)
            if (!wellsWithImages.count(key) && wellsWithoutImages++ == 0)
                firstWithout =
                    map.where(r) + " (" + map.rows[r][mPlate] + " " + map.rows[r][mWell] + ")";
        if (wellsWithoutImages)
            notes.add(std::to_string(wellsWithoutImages) + " wells of the plate map have no " +
                      "images in " + images.path + ", the first " + firstWithout);

        // Locations: grouped by site, capped per site.
        const std::size_t lPlate = locations.require("Metadata_Plate", "the plate of each cell");
        const std::size_t lWell = locations.require("Metadata_Well", "the well of each cell");
        const std::size_t lSite = locations.require("Metadata_Site", "the site of each cell");
        const std::size_t lx = locations.require(xColumn, "the x of each cell (option x_column)");
        const std::size_t ly = locations.require(yColumn, "the y of each cell (option y_column)");
        std::size_t orphanCells = 0, cappedCells = 0;
        for (std::size_t r = 0; r < locations.rows.size(); ++r) {
            const auto& row = locations.rows[r];
            const auto key =
                siteKey(row[lPlate], row[lWell], siteText(row[lSite], locations.where(r)));
            CellLoc c;
            c.line = locations.lines[r];
            if (!parseNumber(row[lx], c.x) || !parseNumber(row[ly], c.y) || !std::isfinite(c.x) ||
                !std::isfinite(c.y))
                throw FormatError(locations.where(r) + ": the location '" + row[lx] + "', '" +
                                  row[ly] + "' is not a pair of finite numbers");
            const auto it = siteIndex.find(key);
            if (it == siteIndex.end()) {
                if (orphanCells++ == 0)
                    notes.add(locations.where(r) + ": site " + row[lPlate] + " " + row[lWell] +
                              " " + row[lSite] + " has no images (cells of such sites skipped)");
                continue;
            }
            auto& cells = sites[it->second].cells;
            if (cells.size() >= maxCells) {
                if (cappedCells++ == 0)
                    notes.add(locations.where(r) + ": more than " + std::to_string(maxCells) +
                              " cells in site " + row[lPlate] + " " + row[lWell] + " " +
                              row[lSite] + " (option max_cells_per_site): the rest skipped");
                continue;
            }
            cells.push_back(c);
        }
        std::size_t totalCells = 0, sitesWithoutCells = 0;
        for (const auto& s : sites) {
            totalCells += s.cells.size();
            if (s.cells.empty() && sitesWithoutCells++ == 0)
                notes.add(images.where(s.imageRow) + ": site " + s.plate + " " + s.well + " " +
                          s.site + " has no cell in " + locations.path);
        }
        if (sitesWithoutCells > 1)
            notes.add(std::to_string(sitesWithoutCells) + " sites have no cell locations");
        const uint64_t need = uint64_t(totalCells) * C * uint64_t(crop) * uint64_t(crop);
        if (need > maxValues)
            throw DataError("cell-plate: " + std::to_string(totalCells) + " cells x " +
                            std::to_string(C) + " channels x " + std::to_string(crop) +
                            "^2 = " + std::to_string(need) +
                            " values exceed max_values = " + std::to_string(maxValues) +
                            " (use a smaller crop, max_cells_per_site or a larger max_values)");
        checkPlateControls(map, mPlate, notes);

        // Crops, site by site.
        Dataset data;
        data.kind = DataKind::Image;
        data.sampleShape = {int64_t(C), crop, crop};
        data.values.reserve(std::size_t(need));
        std::vector<std::size_t> cropSite, cropCell;
        std::vector<double> cropX, cropY;
        std::size_t skippedBorder = 0, skippedOutside = 0, sitesSkipped = 0;
        std::set<int> depths;
        std::set<std::pair<int, int>> sizes;
        const std::size_t S = std::size_t(crop), half = S / 2;
        for (std::size_t si = 0; si < sites.size(); ++si) {
            ctx.throwIfCancelled();
            const CellSite& s = sites[si];
            ctx.report(double(si) / sites.size(), "site " + s.plate + " " + s.well + " " + s.site);
            if (s.cells.empty())
                continue;
            std::vector<float> planes;
            int width = 0, height = 0;
            if (!decodeCellSite(images, imageBase, s, fileCol, pathCol, channels, planes, width,
                                height, depths, notes)) {
                ++sitesSkipped;
                continue;
            }
            sizes.insert({width, height});
            const std::size_t plane = std::size_t(width) * height;
            for (std::size_t ci = 0; ci < s.cells.size(); ++ci) {
                const CellLoc& c = s.cells[ci];
                const long cx = std::lround(c.x), cy = std::lround(c.y);
                if (cx < 0 || cy < 0 || cx >= width || cy >= height) {
                    if (skippedOutside++ == 0)
                        notes.add(locations.path + ", line " + std::to_string(c.line) +
                                  ": location (" + std::to_string(c.x) + ", " +
                                  std::to_string(c.y) + ") is outside the " +
                                  std::to_string(width) + " x " + std::to_string(height) +
                                  " image (such cells skipped)");
                    continue;
                }
                if (cx < long(half) || cy < long(half) || cx - long(half) + long(S) > width ||
                    cy - long(half) + long(S) > height) {
                    ++skippedBorder;
                    continue;
                }
                for (std::size_t k = 0; k < C; ++k)
                    for (std::size_t r = 0; r < S; ++r) {
                        const float* src = planes.data() + k * plane +
                                           std::size_t(cy - long(half) + long(r)) * width +
                                           std::size_t(cx - long(half));
                        data.values.insert(data.values.end(), src, src + S);
                    }
                cropSite.push_back(si);
                cropCell.push_back(ci);
                cropX.push_back(c.x);
                cropY.push_back(c.y);
            }
        }
        if (depths.size() > 1)
            notes.add("8- and 16-bit images are mixed: each file is scaled to [0, 1] by its own "
                      "depth (1/255 or 1/65535)");
        if (sizes.size() > 1)
            notes.add(std::to_string(sizes.size()) + " different site image sizes (crops are " +
                      "cut from each as it is)");
        if (cropSite.empty())
            throw DataError(mapPath + ": no cell crop could be made (" +
                            std::to_string(skippedBorder) + " cells too near the border for crop " +
                            std::to_string(crop) + ", " + std::to_string(skippedOutside) +
                            " outside their image, " + std::to_string(sitesSkipped) +
                            " sites skipped" + notes.first() + ")");

        // Metadata: the plate map's columns, then Site, Cell, X, Y, split.
        const std::size_t N = cropSite.size();
        for (std::size_t c = 0; c < map.header.size(); ++c) {
            const std::string name = stripPrefix(map.header[c]);
            if (name.empty() || name == Dataset::kSplitColumn || name == "Site" || name == "Cell" ||
                name == "X" || name == "Y")
                continue;
            std::vector<std::string> values(N);
            for (std::size_t i = 0; i < N; ++i)
                values[i] = map.rows[sites[cropSite[i]].mapRow][c];
            if (c == mPlate || c == mWell || name == "Batch")
                data.metadata.addStrings(name, std::move(values));
            else
                data.metadata.setColumn(columnFromText(name, std::move(values)));
        }
        std::vector<double> siteNo(N), cellNo(N);
        std::vector<std::string> wellKeys(N), groups(N);
        const int groupCol = map.find("Metadata_" + groupColumn) >= 0
                                 ? map.find("Metadata_" + groupColumn)
                                 : map.find(groupColumn);
        for (std::size_t i = 0; i < N; ++i) {
            const CellSite& s = sites[cropSite[i]];
            siteNo[i] = std::stod(s.site);
            cellNo[i] = double(cropCell[i]);
            wellKeys[i] = wellKey(s.plate, s.well);
            groups[i] = groupCol >= 0 ? map.rows[s.mapRow][std::size_t(groupCol)] : wellKeys[i];
        }
        data.metadata.addNumbers("Site", siteNo);
        data.metadata.addNumbers("Cell", cellNo);
        data.metadata.addNumbers("X", cropX);
        data.metadata.addNumbers("Y", cropY);
        if (splitRule != "none")
            data.metadata.addStrings(Dataset::kSplitColumn,
                                     cellPlateSplit(splitRule, sites, cropSite, wellKeys, groups,
                                                    valFraction, splitSeed));
        if (splitRule == "well" && groupCol < 0)
            notes.add(mapPath + ": no column '" + groupColumn +
                      "': wells are their own group, "
                      "so every well is train (option group_column)");

        data.name = "cells";
        data.attributesJson = nlohmann::json{
            {"reader", kReader},
            {"platemap", mapPath},
            {"images", images.path},
            {"locations", locations.path},
            {"channels", channels},
            {"crop", crop},
            {"split_rule", splitRule},
            {"val_fraction", valFraction},
            {"cells_located", totalCells},
            {"crops", N},
            {"skipped_border", skippedBorder},
            {"skipped_outside", skippedOutside},
            {"skipped_over_cap", cappedCells},
            {"skipped_without_images", orphanCells},
            {"sites", sites.size()},
            {"sites_skipped", sitesSkipped},
            {"sites_without_cells", sitesWithoutCells},
            {"wells_without_images", wellsWithoutImages},
            {"images_without_wells", imagesWithoutWell},
            {"bit_depths", depths},
            {"notes",
             notes.json()}}.dump();
        ctx.report(1.0, "cut " + std::to_string(N) + " cell crops");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeCellPlateReader() {
    return std::make_unique<CellPlateReader>();
}

} // namespace embedscope::plugins
