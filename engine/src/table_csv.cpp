// Embedding tables as CSV: feature columns + Metadata_<name> columns, RFC 4180 quoting.
// Numbers go through to_chars/from_chars: independent of the C locale (Qt sets it from the
// environment, and a decimal comma would corrupt the file).
#include "embedscope/engine/table.h"

#include "csv_records.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/profiling.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

namespace embedscope {

using csv_detail::forEachRecord;

namespace {

const std::string kMetadataPrefix = "Metadata_";

bool hasMetadataPrefix(const std::string& name) {
    return name.compare(0, kMetadataPrefix.size(), kMetadataPrefix) == 0;
}

// ---- writing ----------------------------------------------------------------------------

void appendField(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char c : field) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

/// `precision` 0: the shortest text that reads back as the same double.
void appendNumber(std::string& out, double value, int precision) {
    char buffer[64];
    const auto result = precision > 0 ? std::to_chars(buffer, buffer + sizeof buffer, value,
                                                      std::chars_format::general, precision)
                                      : std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

class TempFileWriter {
public:
    TempFileWriter(const std::string& path)
        : path_(path), temp_(path + ".tmp-" + std::to_string(::getpid())) {
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd_ < 0)
            fail("cannot create " + temp_);
    }
    ~TempFileWriter() {
        if (fd_ >= 0)
            ::close(fd_);
        if (!committed_)
            ::unlink(temp_.c_str());
    }
    void write(const std::string& data) {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                fail("cannot write " + temp_);
            done += static_cast<std::size_t>(n);
        }
    }
    /// fsync, rename over the target, fsync the directory.
    void commit() {
        if (::fsync(fd_) != 0)
            fail("cannot flush " + temp_);
        const int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0)
            fail("cannot close " + temp_);
        if (::rename(temp_.c_str(), path_.c_str()) != 0)
            fail("cannot replace the file");
        committed_ = true;
        std::string dir = std::filesystem::path(path_).parent_path().string();
        const int dirFd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
        if (dirFd >= 0) {
            ::fsync(dirFd);
            ::close(dirFd);
        }
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw IoError(path_ + ": " + what + " (" + std::strerror(errno) + ")");
    }
    std::string path_;
    std::string temp_;
    int fd_ = -1;
    bool committed_ = false;
};

// ---- reading ----------------------------------------------------------------------------

[[noreturn]] void csvFail(const std::string& path, std::size_t line, std::size_t column,
                          const std::string& what) {
    throw FormatError(path + ": line " + std::to_string(line) + ", column " +
                      std::to_string(column) + ": " + what);
}

bool parseNumber(const std::string& text, double& value) {
    std::size_t begin = text.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return false;
    const std::size_t end = text.find_last_not_of(" \t") + 1;
    if (text[begin] == '+' && begin + 1 < end && text[begin + 1] != '-')
        ++begin;
    const auto result = std::from_chars(text.data() + begin, text.data() + end, value);
    return result.ec == std::errc() && result.ptr == text.data() + end;
}

bool isBlank(const std::string& text) {
    return text.find_first_not_of(" \t") == std::string::npos;
}

/// readProfileCsv only: a missing feature value (pandas writes NaN as "" or "NaN", R as "NA").
bool isMissingToken(const std::string& text) {
    return isBlank(text) || text == "NA" || text == "NaN" || text == "nan";
}

/// What the first pass learns about one column.
struct ColumnScan {
    std::string header;
    bool allNumbers = true; ///< every non-blank cell parses as a number
    bool anyNumber = false;
    bool anyMissing = false;        ///< readProfileCsv: a missing token in a non-Metadata_ column
    std::size_t firstBlankLine = 0; ///< 0: none
    std::size_t firstNonFiniteLine = 0; ///< 0: none
    bool feature = false;
};

} // namespace

void writeEmbeddingCsv(const EmbeddingTable& table, const std::string& path) {
    const std::size_t featureCount = table.featureNames.size();
    if (table.features.size() != table.rows * featureCount)
        throw DataError(path + ": the table holds " + std::to_string(table.features.size()) +
                        " feature values, expected " + std::to_string(table.rows) + " rows x " +
                        std::to_string(featureCount));
    if (!table.metadata.columns().empty() && table.metadata.rowCount() != table.rows)
        throw DataError(path + ": metadata has " + std::to_string(table.metadata.rowCount()) +
                        " rows, the table " + std::to_string(table.rows));
    for (const auto& name : table.featureNames)
        if (name.empty() || hasMetadataPrefix(name))
            throw DataError(path + ": invalid feature column name '" + name + "'");
    for (std::size_t i = 0; i < table.features.size(); ++i)
        if (!std::isfinite(table.features[i]))
            throw DataError(path + ": row " + std::to_string(i / featureCount) + ", feature '" +
                            table.featureNames[i % featureCount] + "' is not finite");

    TempFileWriter file(path);
    std::string out;
    std::vector<std::string> header = table.featureNames;
    for (const auto& c : table.metadata.columns())
        header.push_back(kMetadataPrefix + c.name);
    for (std::size_t j = 0; j < header.size(); ++j) {
        if (j)
            out += ',';
        appendField(out, header[j]);
    }
    out += '\n';
    for (std::size_t r = 0; r < table.rows; ++r) {
        for (std::size_t f = 0; f < featureCount; ++f) {
            if (f)
                out += ',';
            appendNumber(out, table.features[r * featureCount + f], 9);
        }
        bool first = featureCount == 0;
        for (const auto& c : table.metadata.columns()) {
            if (!first)
                out += ',';
            first = false;
            if (c.numeric)
                appendNumber(out, c.numbers[r], 0);
            else
                appendField(out, c.strings[r]);
        }
        out += '\n';
        if (out.size() > (1u << 20)) {
            file.write(out);
            out.clear();
        }
    }
    file.write(out);
    file.commit();
}

namespace {

/// `missingAsNaN`: feature cells "", "NA", "NaN", "nan" read as NaN (readProfileCsv).
EmbeddingTable readCsv(const std::string& path, bool missingAsNaN) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": cannot read");
    const std::string text = buffer.str();

    // Pass 1: header, row shape, and which columns are numeric.
    std::vector<ColumnScan> columns;
    std::size_t rows = 0;
    forEachRecord(text, path, [&](const std::vector<std::string>& fields, std::size_t line) {
        if (columns.empty()) {
            std::set<std::string> seen;
            for (std::size_t j = 0; j < fields.size(); ++j) {
                if (!seen.insert(fields[j]).second)
                    csvFail(path, line, j + 1, "duplicate column name '" + fields[j] + "'");
                if (fields[j] == kMetadataPrefix)
                    csvFail(path, line, j + 1, "column 'Metadata_' has no name");
                columns.push_back(ColumnScan{fields[j]});
            }
            return;
        }
        if (fields.size() != columns.size())
            throw FormatError(path + ": line " + std::to_string(line) + ": " +
                              std::to_string(fields.size()) + " fields, expected " +
                              std::to_string(columns.size()) + " as in the header");
        ++rows;
        for (std::size_t j = 0; j < fields.size(); ++j) {
            ColumnScan& c = columns[j];
            double value = 0;
            if (missingAsNaN && !hasMetadataPrefix(c.header) && isMissingToken(fields[j])) {
                c.anyMissing = true;
            } else if (isBlank(fields[j])) {
                if (!c.firstBlankLine)
                    c.firstBlankLine = line;
            } else if (!parseNumber(fields[j], value)) {
                c.allNumbers = false;
            } else {
                c.anyNumber = true;
                if (!std::isfinite(value) && !c.firstNonFiniteLine)
                    c.firstNonFiniteLine = line;
            }
        }
    });
    if (columns.empty())
        throw FormatError(path + ": empty file (no header line)");

    EmbeddingTable table;
    table.rows = rows;
    std::vector<std::size_t> featureColumns;
    for (std::size_t j = 0; j < columns.size(); ++j) {
        ColumnScan& c = columns[j];
        // Unnamed columns (e.g. a pandas index) are neither features nor metadata.
        if (c.header.empty() || hasMetadataPrefix(c.header))
            continue;
        c.feature = c.allNumbers && (c.anyNumber || c.anyMissing || rows == 0);
        if (!c.feature)
            continue;
        if (c.firstBlankLine)
            csvFail(path, c.firstBlankLine, j + 1,
                    "empty value in feature column '" + c.header + "'");
        if (c.firstNonFiniteLine)
            csvFail(path, c.firstNonFiniteLine, j + 1,
                    "NaN or infinite value in feature column '" + c.header +
                        "' (feature values must be finite)");
        featureColumns.push_back(j);
        table.featureNames.push_back(c.header);
    }
    if (featureColumns.empty())
        throw FormatError(path + ": line 1: no feature columns (numeric columns without the "
                                 "Metadata_ prefix)");

    // Pass 2: the values.
    const std::size_t featureCount = featureColumns.size();
    table.features.resize(rows * featureCount);
    std::vector<MetadataColumn> metadata(columns.size());
    for (std::size_t j = 0; j < columns.size(); ++j) {
        const ColumnScan& c = columns[j];
        const bool prefixed = hasMetadataPrefix(c.header);
        metadata[j].name = prefixed ? c.header.substr(kMetadataPrefix.size()) : c.header;
        metadata[j].numeric = prefixed && c.allNumbers && c.anyNumber && !c.firstBlankLine;
    }
    std::size_t row = 0;
    bool header = true;
    forEachRecord(text, path, [&](const std::vector<std::string>& fields, std::size_t) {
        if (std::exchange(header, false))
            return;
        std::size_t f = 0;
        for (std::size_t j = 0; j < fields.size(); ++j) {
            const ColumnScan& c = columns[j];
            if (c.header.empty())
                continue;
            double value = 0;
            if (c.feature) {
                if (!parseNumber(fields[j], value)) // only missing tokens get here
                    value = std::numeric_limits<double>::quiet_NaN();
                table.features[row * featureCount + f++] = value;
            } else if (metadata[j].numeric) {
                parseNumber(fields[j], value);
                metadata[j].numbers.push_back(value);
            } else {
                metadata[j].strings.push_back(fields[j]);
            }
        }
        ++row;
    });
    for (std::size_t j = 0; j < columns.size(); ++j) {
        if (columns[j].feature || columns[j].header.empty())
            continue;
        if (table.metadata.has(metadata[j].name))
            csvFail(path, 1, j + 1, "metadata column '" + metadata[j].name + "' appears twice");
        table.metadata.setColumn(std::move(metadata[j]));
    }
    return table;
}

} // namespace

EmbeddingTable readEmbeddingCsv(const std::string& path) {
    return readCsv(path, false);
}

EmbeddingTable readProfileCsv(const std::string& path) {
    return readCsv(path, true);
}

namespace csv_detail {

void forEachRecord(const std::string& text, const std::string& path, const RecordFn& onRecord) {
    const std::size_t n = text.size();
    std::size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0; // UTF-8 byte order mark
    std::size_t line = 1;
    std::vector<std::string> fields;
    std::string field;
    auto isEnd = [&](std::size_t at) { return text[at] == '\n' || text[at] == '\r'; };
    auto skipLineBreak = [&] {
        i += (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
        ++line;
    };
    while (i < n) {
        if (isEnd(i)) {
            skipLineBreak();
            continue;
        }
        const std::size_t recordLine = line;
        fields.clear();
        for (;;) {
            field.clear();
            const std::size_t column = fields.size() + 1;
            if (i < n && text[i] == '"') {
                const std::size_t openLine = line;
                ++i;
                for (;;) {
                    if (i >= n)
                        csvFail(path, openLine, column, "unterminated quoted field");
                    const char c = text[i++];
                    if (c == '"') {
                        if (i < n && text[i] == '"') {
                            field += '"';
                            ++i;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n' || (c == '\r' && !(i < n && text[i] == '\n')))
                        ++line;
                    field += c;
                }
                if (i < n && text[i] != ',' && !isEnd(i))
                    csvFail(path, line, column, "unexpected character after a closing quote");
            } else {
                while (i < n && text[i] != ',' && !isEnd(i)) {
                    if (text[i] == '"')
                        csvFail(path, line, column,
                                "quote inside an unquoted field (quote the whole field)");
                    field += text[i++];
                }
            }
            fields.push_back(field);
            if (i < n && text[i] == ',') {
                ++i;
                continue;
            }
            if (i < n)
                skipLineBreak();
            break;
        }
        onRecord(fields, recordLine);
    }
}

} // namespace csv_detail

} // namespace embedscope
