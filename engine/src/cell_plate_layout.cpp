// The plate layout of a crops data set and the site images behind it (cell_plate_layout.h;
// issue 8 GUI "Plate view"). Plates -> wells -> sites as in seed 004 §3.1; images.csv is the
// CellProfiler LoadData-style index the cell-plate reader cut the crops from.
#include "embedscope/engine/cell_plate_layout.h"
#include "embedscope/engine/error.h"

#include "csv_records.h"

#include <nlohmann/json.hpp>
#include <tiffio.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace embedscope {
namespace {

namespace fs = std::filesystem;

struct TiffCloser {
    void operator()(TIFF* t) const {
        if (t)
            TIFFClose(t);
    }
};

// libtiff reports through global handlers; keep it quiet and report by exception instead.
void silentHandler(const char*, const char*, va_list) {}

std::string origin(const Dataset& crops) {
    return "dataset '" + crops.name + "'";
}

/// Columns that vary from cell to cell (or site to site) inside a well: never well metadata.
bool perCellColumn(const std::string& name) {
    return name == "Plate" || name == "Well" || name == "Site" || name == "Cell" || name == "X" ||
           name == "Y" || name == Dataset::kSplitColumn;
}

struct CsvRows {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines; ///< 1-based line of each row
    int find(const std::string& name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        return it == header.end() ? -1 : int(it - header.begin());
    }
};

CsvRows readCsvRows(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open the site image index (" + std::strerror(errno) +
                      "; was the plate folder moved?)");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": cannot read the site image index");
    CsvRows csv;
    csv_detail::forEachRecord(
        text.str(), path, [&](const std::vector<std::string>& fields, std::size_t number) {
            if (csv.header.empty()) {
                csv.header = fields;
                return;
            }
            if (fields.size() != csv.header.size())
                throw FormatError(path + ": line " + std::to_string(number) + ": " +
                                  std::to_string(fields.size()) + " fields, expected " +
                                  std::to_string(csv.header.size()) + " as in the header");
            csv.rows.push_back(fields);
            csv.lines.push_back(number);
        });
    if (csv.header.empty())
        throw FormatError(path + ": empty file (no header line)");
    return csv;
}

std::size_t requireColumn(const CsvRows& csv, const std::string& path, const std::string& name) {
    const int c = csv.find(name);
    if (c < 0)
        throw FormatError(path + ": no column " + name);
    return std::size_t(c);
}

/// Site numbers are integers ("1", "1.0" from pandas); anything else sorts by text order last.
int siteNumber(const std::string& text, const std::string& where) {
    double v = 0;
    const char* b = text.data();
    const auto r = std::from_chars(b, b + text.size(), v);
    if (r.ec != std::errc() || r.ptr != b + text.size() || v != double(int(v)))
        throw FormatError(where + ": Metadata_Site '" + text + "' is not an integer");
    return int(v);
}

} // namespace

bool parseCellWellName(const std::string& well, int& row, int& column) {
    std::size_t i = 0;
    long r = 0;
    while (i < well.size() && std::isalpha(static_cast<unsigned char>(well[i]))) {
        // Bijective base 26: A = 1 .. Z = 26, AA = 27 (1536-well plates use AA..AF).
        r = r * 26 + (std::toupper(static_cast<unsigned char>(well[i])) - 'A' + 1);
        if (++i > 3)
            return false;
    }
    const std::size_t letters = i;
    long c = 0;
    while (i < well.size() && std::isdigit(static_cast<unsigned char>(well[i]))) {
        c = c * 10 + (well[i] - '0');
        if (++i - letters > 4)
            return false;
    }
    if (letters == 0 || i == letters || i != well.size() || c < 1)
        return false;
    row = int(r - 1);
    column = int(c - 1);
    return true;
}

std::vector<CellPlate> cellPlateLayout(const Dataset& crops) {
    const MetadataTable& meta = crops.metadata;
    for (const char* name : {"Plate", "Well"})
        if (!meta.has(name))
            throw DataError(origin(crops) + ": no metadata column " + name +
                            " (the plate view needs the crops' Metadata_Plate and Metadata_Well)");
    const std::size_t n = meta.rowCount();
    if (n == 0)
        throw DataError(origin(crops) + ": no samples");
    const MetadataColumn& plateCol = meta.column("Plate");
    const MetadataColumn& wellCol = meta.column("Well");
    const MetadataColumn* siteCol = meta.has("Site") ? &meta.column("Site") : nullptr;
    std::vector<const MetadataColumn*> others;
    for (const MetadataColumn& c : meta.columns())
        if (!perCellColumn(c.name))
            others.push_back(&c);

    std::vector<CellPlate> plates;
    std::map<std::string, std::size_t> plateIndex;
    std::vector<std::map<std::string, std::size_t>> wellIndex;
    // Per well: the first row, and which of `others` are still constant.
    std::vector<std::vector<std::size_t>> firstRow;
    std::vector<std::vector<std::vector<bool>>> constant;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string plate = plateCol.text(i), well = wellCol.text(i);
        auto [pit, newPlate] = plateIndex.emplace(plate, plates.size());
        if (newPlate) {
            plates.push_back(CellPlate{plate, 1, 1, {}});
            wellIndex.emplace_back();
            firstRow.emplace_back();
            constant.emplace_back();
        }
        const std::size_t p = pit->second;
        CellPlate& cp = plates[p];
        auto [wit, newWell] = wellIndex[p].emplace(well, cp.wells.size());
        if (newWell) {
            CellWell w;
            w.plate = plate;
            w.well = well;
            if (!parseCellWellName(well, w.row, w.column))
                throw DataError(origin(crops) + ": sample " + std::to_string(i) + " (plate " +
                                plate + "): well '" + well +
                                "' is not a well name (letters then digits, e.g. B03)");
            cp.rows = std::max(cp.rows, w.row + 1);
            cp.columns = std::max(cp.columns, w.column + 1);
            cp.wells.push_back(std::move(w));
            firstRow[p].push_back(i);
            constant[p].emplace_back(others.size(), true);
        }
        const std::size_t w = wit->second;
        CellWell& cw = cp.wells[w];
        cw.crops.push_back(i);
        ++cw.cells;
        if (siteCol) {
            const int site = siteCol->numeric ? int(siteCol->numbers[i])
                                              : std::atoi(siteCol->strings[i].c_str());
            const auto at = std::lower_bound(cw.sites.begin(), cw.sites.end(), site);
            if (at == cw.sites.end() || *at != site)
                cw.sites.insert(at, site);
        }
        const std::size_t f = firstRow[p][w];
        for (std::size_t k = 0; k < others.size(); ++k) {
            if (!constant[p][w][k] || f == i)
                continue;
            const MetadataColumn& c = *others[k];
            const bool same =
                c.numeric ? c.numbers[i] == c.numbers[f] ||
                                (c.numbers[i] != c.numbers[i] && c.numbers[f] != c.numbers[f])
                          : c.strings[i] == c.strings[f];
            if (!same)
                constant[p][w][k] = false;
        }
    }
    for (std::size_t p = 0; p < plates.size(); ++p)
        for (std::size_t w = 0; w < plates[p].wells.size(); ++w)
            for (std::size_t k = 0; k < others.size(); ++k)
                if (constant[p][w][k])
                    plates[p].wells[w].metadata[others[k]->name] = others[k]->text(firstRow[p][w]);
    return plates;
}

std::vector<std::vector<float>> readGrayTiff(const std::string& path, int& width, int& height) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw IoError(path + ": the image file does not exist (was the plate folder moved?)");
    TIFFSetErrorHandler(silentHandler);
    TIFFSetWarningHandler(silentHandler);
    std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(path.c_str(), "r"));
    if (!tif)
        throw IoError(path + ": cannot read the file as a TIFF image");
    TIFF* t = tif.get();
    std::vector<std::vector<float>> pages;
    width = height = 0;
    do {
        const std::string page = "page " + std::to_string(pages.size() + 1);
        uint32_t w = 0, h = 0;
        uint16_t bits = 1, format = SAMPLEFORMAT_UINT, spp = 1;
        TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
        TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
        TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &format);
        TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
        if (w == 0 || h == 0)
            throw FormatError(path + ": " + page + " is empty");
        if (spp != 1)
            throw FormatError(path + ": " + page + " has " + std::to_string(spp) +
                              " samples per pixel; a gray image (1) is expected");
        const bool uint8 = format == SAMPLEFORMAT_UINT && bits == 8;
        const bool uint16 = format == SAMPLEFORMAT_UINT && bits == 16;
        const bool float32 = format == SAMPLEFORMAT_IEEEFP && bits == 32;
        if (!uint8 && !uint16 && !float32)
            throw FormatError(path + ": " + page + " has " + std::to_string(bits) +
                              "-bit samples of format " + std::to_string(format) +
                              "; 8- or 16-bit unsigned or 32-bit float are read");
        if (TIFFIsTiled(t))
            throw FormatError(path + ": " + page + " is tiled; strip TIFFs are read");
        if (pages.empty()) {
            width = int(w);
            height = int(h);
        } else if (int(w) != width || int(h) != height) {
            throw FormatError(path + ": " + page + " is " + std::to_string(w) + " x " +
                              std::to_string(h) + ", page 1 " + std::to_string(width) + " x " +
                              std::to_string(height));
        }
        std::vector<unsigned char> line(std::size_t(TIFFScanlineSize(t)));
        if (line.size() < std::size_t(w) * (bits / 8))
            throw FormatError(path + ": " + page + " has a short scanline");
        std::vector<float> values(std::size_t(w) * h);
        const float full = uint16 ? 65535.0f : 255.0f;
        for (uint32_t y = 0; y < h; ++y) {
            if (TIFFReadScanline(t, line.data(), y, 0) < 0)
                throw IoError(path + ": cannot read row " + std::to_string(y) + " of " + page);
            float* out = values.data() + std::size_t(y) * w;
            for (uint32_t x = 0; x < w; ++x) {
                if (uint8) {
                    out[x] = line[x] / full;
                } else if (uint16) {
                    uint16_t s;
                    std::memcpy(&s, &line[2 * x], 2);
                    out[x] = s / full;
                } else {
                    std::memcpy(&out[x], &line[4 * x], 4);
                }
            }
        }
        pages.push_back(std::move(values));
    } while (TIFFReadDirectory(t));
    return pages;
}

std::vector<CellSiteImage> readCellWellSites(const Dataset& crops, const std::string& plate,
                                             const std::string& well) {
    nlohmann::json attributes;
    try {
        attributes = nlohmann::json::parse(crops.attributesJson);
    } catch (const nlohmann::json::exception&) {
        throw DataError(origin(crops) + ": its attributes are not JSON, so they name no "
                                        "images.csv (crops not cut by the cell-plate reader)");
    }
    if (!attributes.is_object() || !attributes.contains("images") ||
        !attributes["images"].is_string() || attributes["images"].get<std::string>().empty())
        throw DataError(origin(crops) + ": its attributes name no images.csv (\"images\"): the "
                                        "crops were not cut by the cell-plate reader");
    const std::string index = attributes["images"].get<std::string>();
    const CsvRows csv = readCsvRows(index);
    std::vector<std::string> channels;
    if (attributes.contains("channels") && attributes["channels"].is_array())
        for (const auto& c : attributes["channels"])
            if (c.is_string())
                channels.push_back(c.get<std::string>());
    if (channels.empty())
        for (const auto& h : csv.header)
            if (h.rfind("FileName_", 0) == 0)
                channels.push_back(h.substr(9));
    if (channels.empty())
        throw FormatError(index + ": no FileName_<channel> column");
    const std::size_t cPlate = requireColumn(csv, index, "Metadata_Plate");
    const std::size_t cWell = requireColumn(csv, index, "Metadata_Well");
    const std::size_t cSite = requireColumn(csv, index, "Metadata_Site");
    std::vector<std::size_t> fileCol;
    for (const auto& ch : channels)
        fileCol.push_back(requireColumn(csv, index, "FileName_" + ch));
    const fs::path base = fs::path(index).parent_path();

    std::vector<std::pair<int, std::size_t>> rows; // (site, row)
    for (std::size_t r = 0; r < csv.rows.size(); ++r)
        if (csv.rows[r][cPlate] == plate && csv.rows[r][cWell] == well)
            rows.emplace_back(
                siteNumber(csv.rows[r][cSite], index + ": line " + std::to_string(csv.lines[r])),
                r);
    std::sort(rows.begin(), rows.end());

    std::vector<CellSiteImage> sites;
    for (const auto& [site, r] : rows) {
        const auto& row = csv.rows[r];
        const std::string where = index + ", line " + std::to_string(csv.lines[r]);
        CellSiteImage image{plate, well, site, 0, 0, channels, {}};
        std::map<std::string, std::vector<std::vector<float>>> files;
        // Several FileName_ columns naming one file: its pages in column order (header order,
        // whatever order the channels are asked in).
        std::map<std::size_t, std::string> pathOf;       // FileName_ column -> resolved path
        std::map<std::size_t, std::size_t> pageOfColumn; // FileName_ column -> page
        std::map<std::string, std::size_t> pagesSeen;
        for (std::size_t c = 0; c < csv.header.size(); ++c) {
            if (csv.header[c].rfind("FileName_", 0) != 0)
                continue;
            fs::path file = row[c];
            const int pc = csv.find("PathName_" + csv.header[c].substr(9));
            if (pc >= 0 && !row[std::size_t(pc)].empty())
                file = fs::path(row[std::size_t(pc)]) / file;
            if (!file.is_absolute())
                file = (base / file).lexically_normal();
            pathOf[c] = file.string();
            pageOfColumn[c] = pagesSeen[file.string()]++;
        }
        for (std::size_t k = 0; k < channels.size(); ++k) {
            const std::string path = pathOf.at(fileCol[k]);
            auto it = files.find(path);
            int w = 0, h = 0;
            if (it == files.end()) {
                it = files.emplace(path, readGrayTiff(path, w, h)).first;
                if (image.pages.empty()) {
                    image.width = w;
                    image.height = h;
                } else if (w != image.width || h != image.height) {
                    throw FormatError(where + ": channel " + channels[k] + " (" + path + ") is " +
                                      std::to_string(w) + " x " + std::to_string(h) + ", channel " +
                                      channels[0] + " " + std::to_string(image.width) + " x " +
                                      std::to_string(image.height));
                }
            }
            const std::size_t pageNo = pageOfColumn.at(fileCol[k]);
            if (pageNo >= it->second.size())
                throw FormatError(where + ": " + path + " has " +
                                  std::to_string(it->second.size()) + " page(s) but " +
                                  std::to_string(pageNo + 1) + " channel columns name it");
            image.pages.push_back(it->second[pageNo]);
        }
        sites.push_back(std::move(image));
    }
    return sites;
}

} // namespace embedscope
