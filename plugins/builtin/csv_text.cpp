#include "csv_text.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace embedscope::plugins {

std::string readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open for reading");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": read error");
    return buffer.str();
}

std::string readFileStart(const std::string& path, std::size_t maxBytes) {
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return {};
        std::string text(maxBytes, '\0');
        in.read(text.data(), static_cast<std::streamsize>(maxBytes));
        text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
        return text;
    } catch (...) {
        return {};
    }
}

std::string toLower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string lowerExtension(const std::string& path) {
    const auto slash = path.find_last_of("/\\");
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    return toLower(path.substr(dot));
}

std::string fileStem(const std::string& path) {
    const auto slash = path.find_last_of("/\\");
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const auto dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

bool splitCsvLine(std::string_view line, std::vector<std::string>& fields) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    std::size_t count = 0;
    std::size_t i = 0;
    auto field = [&]() -> std::string& {
        if (fields.size() <= count)
            fields.emplace_back();
        return fields[count++];
    };
    while (true) {
        std::string& out = field();
        out.clear();
        // Skip spaces before an opening quote.
        std::size_t start = i;
        while (start < line.size() && line[start] == ' ')
            ++start;
        if (start < line.size() && line[start] == '"') {
            i = start + 1;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        out.push_back('"');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                out.push_back(line[i++]);
            }
            if (!closed)
                return false;
            while (i < line.size() && line[i] != ',')
                ++i; // text after the closing quote is ignored
        } else {
            const std::size_t end = line.find(',', i);
            const std::size_t stop = end == std::string_view::npos ? line.size() : end;
            out.assign(trim(line.substr(i, stop - i)));
            i = stop;
        }
        if (i >= line.size())
            break;
        ++i; // the comma
    }
    fields.resize(count);
    return true;
}

LineReader::LineReader(const std::string& text) : text_(text) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0)
        pos_ = 3;
}

bool LineReader::next(std::string_view& line, std::size_t& number) {
    if (pos_ >= text_.size())
        return false;
    const std::size_t end = text_.find('\n', pos_);
    const std::size_t stop = end == std::string::npos ? text_.size() : end;
    line = std::string_view(text_).substr(pos_, stop - pos_);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    pos_ = end == std::string::npos ? text_.size() : end + 1;
    number = ++number_;
    return true;
}

bool parseNumber(std::string_view text, double& value) {
    text = trim(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return false;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

bool isMissingCell(std::string_view text) {
    text = trim(text);
    if (text.empty())
        return true;
    const std::string lower = toLower(std::string(text));
    return lower == "na" || lower == "nan" || lower == "null" || lower == "n/a";
}

MetadataColumn columnFromText(const std::string& name, std::vector<std::string> values) {
    MetadataColumn column;
    column.name = name;
    std::vector<double> numbers;
    numbers.reserve(values.size());
    bool numeric = !values.empty();
    for (const auto& v : values) {
        double x = 0;
        if (!parseNumber(v, x) || !std::isfinite(x)) {
            numeric = false;
            break;
        }
        numbers.push_back(x);
    }
    column.numeric = numeric;
    if (numeric)
        column.numbers = std::move(numbers);
    else
        column.strings = std::move(values);
    return column;
}

SideTable readSideTable(const std::string& path) {
    const std::string text = readWholeFile(path);
    SideTable table;
    table.path = path;
    LineReader lines(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::string> fields;
    if (!lines.next(line, number) || trim(line).empty())
        throw FormatError(path + ": the metadata table is empty (expected a header with 'id')");
    if (!splitCsvLine(line, fields))
        throw FormatError(path + ", line 1: unterminated quote in the header");
    std::size_t idColumn = fields.size();
    for (std::size_t c = 0; c < fields.size(); ++c) {
        if (toLower(fields[c]) == "id" && idColumn == fields.size())
            idColumn = c;
        else
            table.columns.push_back(fields[c]);
    }
    if (idColumn == fields.size()) {
        std::string present;
        for (const auto& f : fields)
            present += (present.empty() ? "'" : ", '") + f + "'";
        throw FormatError(path + ": the metadata table has no 'id' column (columns: " + present +
                          ")");
    }
    const std::size_t width = fields.size();
    while (lines.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
        if (fields.size() != width)
            throw FormatError(path + ", line " + std::to_string(number) + ": " +
                              std::to_string(fields.size()) + " fields, the header has " +
                              std::to_string(width));
        const std::string id = fields[idColumn];
        if (id.empty())
            throw FormatError(path + ", line " + std::to_string(number) + ": empty id");
        std::vector<std::string> values;
        for (std::size_t c = 0; c < width; ++c)
            if (c != idColumn)
                values.push_back(fields[c]);
        if (!table.rows.emplace(id, std::move(values)).second)
            throw FormatError(path + ", line " + std::to_string(number) + ": id '" + id +
                              "' appears twice");
    }
    return table;
}

std::vector<std::string> joinSideTable(MetadataTable& metadata, const std::vector<std::string>& ids,
                                       const SideTable& table, const std::string& dataOrigin) {
    std::vector<std::vector<std::string>> columns(table.columns.size());
    std::set<std::string> used;
    for (const auto& id : ids) {
        const auto row = table.rows.find(id);
        if (row == table.rows.end())
            throw DataError(table.path + ": no metadata row for id '" + id + "' (from " +
                            dataOrigin + ")");
        used.insert(id);
        for (std::size_t c = 0; c < columns.size(); ++c)
            columns[c].push_back(row->second[c]);
    }
    for (std::size_t c = 0; c < columns.size(); ++c)
        metadata.setColumn(columnFromText(table.columns[c], std::move(columns[c])));
    std::vector<std::string> unmatched;
    for (const auto& [id, values] : table.rows)
        if (!used.count(id))
            unmatched.push_back(id);
    return unmatched;
}

} // namespace embedscope::plugins
