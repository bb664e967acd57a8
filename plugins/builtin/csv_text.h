#pragma once
// Small text helpers shared by the built-in readers: whole-file reads, CSV lines, numbers,
// and the side-table join (a CSV keyed by sample id whose columns become metadata).
#include "embedscope/engine/dataset.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace embedscope::plugins {

/// The whole file as text; throws IoError naming the path.
std::string readWholeFile(const std::string& path);
/// At most `maxBytes` from the start of the file; empty when it cannot be read. Never throws.
std::string readFileStart(const std::string& path, std::size_t maxBytes);

/// The lower-cased extension with its dot (".csv"), or "".
std::string lowerExtension(const std::string& path);
/// The file name without directories and extension.
std::string fileStem(const std::string& path);
std::string toLower(std::string text);
std::string_view trim(std::string_view text);

/// Splits one CSV line (RFC 4180 quotes, no line breaks inside quotes) into trimmed fields.
/// A trailing '\r' is ignored. Returns false for an unterminated quote.
bool splitCsvLine(std::string_view line, std::vector<std::string>& fields);

/// Iterates over the lines of a text (LF or CRLF), skipping a UTF-8 byte-order mark.
class LineReader {
public:
    explicit LineReader(const std::string& text);
    /// The next line (without its end) and its 1-based number; false at the end.
    bool next(std::string_view& line, std::size_t& number);
    /// Bytes consumed so far, for progress.
    std::size_t position() const { return pos_; }

private:
    const std::string& text_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

/// Parses a whole field as a number (C locale; "nan"/"inf" accepted). False if not a number.
bool parseNumber(std::string_view text, double& value);
/// True for cells that mean "no value": empty, NA, NaN, null (any case).
bool isMissingCell(std::string_view text);

/// A metadata column from text values: numeric when every value is a finite number.
MetadataColumn columnFromText(const std::string& name, std::vector<std::string> values);

/// A side table: CSV with an `id` column; every other column is metadata.
struct SideTable {
    std::string path;
    std::vector<std::string> columns;                     ///< without the id column
    std::map<std::string, std::vector<std::string>> rows; ///< id -> values in column order
};
/// Throws IoError, FormatError (no id column, ragged row, duplicate id; names file and line).
SideTable readSideTable(const std::string& path);

/// Adds the side table's columns to `metadata` (row i belongs to sample id ids[i]), replacing
/// columns of the same name. Throws DataError naming the side table and the first id it lacks
/// (and `dataOrigin`). Returns the side-table ids that matched no sample (ignored).
std::vector<std::string> joinSideTable(MetadataTable& metadata, const std::vector<std::string>& ids,
                                       const SideTable& table, const std::string& dataOrigin);

} // namespace embedscope::plugins
