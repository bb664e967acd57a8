#pragma once
// The engine's one CSV record reader (RFC 4180), shared by the table CSV reader (table_csv.cpp)
// and the plate folder's image index (cell_plate_layout.cpp); not part of the engine's API.
#include <functional>
#include <string>
#include <vector>

namespace embedscope::csv_detail {

using RecordFn = std::function<void(const std::vector<std::string>& fields, std::size_t line)>;

/// Calls `onRecord` for every record of `text` with the 1-based line it starts on. A UTF-8
/// byte-order mark and blank lines are skipped; quoted fields may hold commas, doubled quotes
/// and line breaks. Throws FormatError naming `path`, the line and the column.
void forEachRecord(const std::string& text, const std::string& path, const RecordFn& onRecord);

} // namespace embedscope::csv_detail
