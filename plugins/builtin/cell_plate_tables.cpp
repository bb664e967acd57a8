// CSV tables of the "cell-plate" reader (cell_plate_tables.h).
#include "cell_plate_tables.h"

#include "csv_text.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>

namespace embedscope::plugins {

int CsvTable::find(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
}

std::size_t CsvTable::require(const std::string& name, const std::string& why) const {
    const int c = find(name);
    if (c < 0)
        throw FormatError(path + ": no column '" + name + "' (" + why + ")");
    return std::size_t(c);
}

std::string CsvTable::where(std::size_t row) const {
    return path + ", line " + std::to_string(lines.at(row));
}

CsvTable readCsvTable(const std::string& path) {
    CsvTable table;
    table.path = path;
    const std::string text = readWholeFile(path);
    LineReader reader(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::string> fields;
    bool haveHeader = false;
    while (reader.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
        if (!haveHeader) {
            table.header = fields;
            haveHeader = true;
            continue;
        }
        if (fields.size() != table.header.size())
            throw FormatError(path + ", line " + std::to_string(number) + ": " +
                              std::to_string(fields.size()) + " fields, the header has " +
                              std::to_string(table.header.size()));
        table.rows.push_back(fields);
        table.lines.push_back(number);
    }
    if (!haveHeader)
        throw FormatError(path + ": the file is empty (a header row is expected)");
    return table;
}

std::string siteText(const std::string& value, const std::string& where) {
    double v = 0;
    if (!parseNumber(value, v) || !std::isfinite(v) || v < 0 || v != std::floor(v) || v > 1e9)
        throw FormatError(where + ": Metadata_Site '" + value + "' is not a whole number >= 0");
    return std::to_string(static_cast<long long>(v));
}

std::string wellKey(const std::string& plate, const std::string& well) {
    return plate + '\x1f' + well;
}

std::string siteKey(const std::string& plate, const std::string& well, const std::string& site) {
    return plate + '\x1f' + well + '\x1f' + site;
}

unsigned long long fnv1a(const std::string& text) {
    unsigned long long h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace embedscope::plugins
