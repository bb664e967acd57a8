#pragma once
// Private helpers of the "cell-plate" reader: the three CSV tables of a plate layout (plate map,
// image index, cell locations) loaded with their line numbers, so every message can name the
// file and the row; the sites, their decoding, the notes and the split (cell_plate_sites.cpp).
#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace embedscope::plugins {

/// A CSV with a header row; rows keep their 1-based line numbers.
struct CsvTable {
    std::string path;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines;
    /// Column index or -1.
    int find(const std::string& name) const;
    /// Column index; throws FormatError naming the file, the column and what it is needed for.
    std::size_t require(const std::string& name, const std::string& why) const;
    /// "<path>, line N".
    std::string where(std::size_t row) const;
};

/// Reads a CSV; blank lines are skipped. Throws IoError (cannot read), FormatError (empty,
/// unterminated quote, a row with another number of fields than the header; names file + line).
CsvTable readCsvTable(const std::string& path);

/// The site number as canonical text ("2" for "2", "2.0", " 2"); FormatError naming `where`
/// when it is not a whole number >= 0.
std::string siteText(const std::string& value, const std::string& where);

/// Key of a well / a site: plate, well (and site) joined by an unprintable separator.
std::string wellKey(const std::string& plate, const std::string& well);
std::string siteKey(const std::string& plate, const std::string& well, const std::string& site);

/// FNV-1a of a text: a portable hash for seeding per-group shuffles.
unsigned long long fnv1a(const std::string& text);

/// A cell location and its line in locations.csv.
struct CellLoc {
    double x = 0, y = 0;
    std::size_t line = 0;
};

/// One site of the image index with its plate-map row and its cells.
struct CellSite {
    std::string plate, well, site, key;
    std::size_t mapRow = 0, imageRow = 0;
    std::vector<CellLoc> cells;
};

/// Non-fatal messages of a read, at most 40 kept (then a count).
class CellNotes {
public:
    void add(const std::string& text);
    nlohmann::json json() const;
    /// "; <first note>" or "".
    std::string first() const;

private:
    std::vector<std::string> list_;
    std::size_t dropped_ = 0;
};

/// `path` itself when absolute, else base / path.
std::string resolveCellPath(const std::filesystem::path& base, const std::string& path);

/// A note for each plate of the map without a control well (control 1 or compound DMSO).
void checkPlateControls(const CsvTable& map, std::size_t plateCol, CellNotes& notes);

/// Decodes the channels of one site (FileName_ / PathName_ columns fileCol / pathCol, relative
/// to imageBase; a file named by several channels gives its pages in that order) into C planes
/// of width x height; false with a note naming the row and the file when it cannot (missing,
/// unreadable, sizes differ, too few pages). Adds the bit depths seen to `depths`.
bool decodeCellSite(const CsvTable& images, const std::filesystem::path& imageBase,
                    const CellSite& s, const std::vector<std::size_t>& fileCol,
                    const std::vector<int>& pathCol, const std::vector<std::string>& channels,
                    std::vector<float>& planes, int& width, int& height, std::set<int>& depths,
                    CellNotes& notes);

/// "train" / "val" per crop by rule "well" or "site" (cell_plate_reader.cpp's header comment).
std::vector<std::string> cellPlateSplit(const std::string& rule, const std::vector<CellSite>& sites,
                                        const std::vector<std::size_t>& cropSite,
                                        const std::vector<std::string>& wellKeys,
                                        const std::vector<std::string>& groups, double valFraction,
                                        unsigned long long seed);

} // namespace embedscope::plugins
