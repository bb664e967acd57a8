// Reader "signal": 1-D traces (e.g. membrane potentials) from CSV, NPY or an HDF5 data set.
//
//   embedscope-cli import traces.csv --out sig.h5 --reader signal --option metadata_columns=cell
//   embedscope-cli import traces.npy --out sig.h5
//   embedscope-cli import rec.h5 --out sig.h5 --reader signal --option dataset=/traces
//
// CSV: one trace per row (default) or per column (orientation=columns). A header line is
// detected (header=auto: a cell of the first line is not a number where the second line's is)
// or forced (header=true|false). Rows: the columns named by `metadata_columns` (names, or
// 0-based indices without a header) and every column with a non-numeric cell become metadata;
// the rest are the trace. Columns: the named columns (e.g. a time column) and non-numeric ones
// are left out; every other column is a trace, its header name kept as metadata `name`.
// NPY: format 1.0-3.0, little/big-endian float16/32/64, (u)int8-64 and bool, C or Fortran
// order; shape (T) is one trace, (N, T) or (N, 1, T) are N traces.
// HDF5 (any file that is not an embedscope file): option `dataset=/path` (default: the only
// numeric data set of rank 1 or 2); (N, T) rows are traces, orientation=columns takes (T, N).
// Output: kind Signal, shape (1, T), float32; metadata `source` (file name), `trace` (index in
// its file) plus the metadata columns; a side table (--metadata) joins on `id` (a metadata
// column of that name, else the trace index). Several files are concatenated (same T).
// Errors: ragged rows, an empty or NaN/Inf value (names file, trace and position), no traces.
#include "csv_text.h"
#include "image_codecs.h"
#include "readers.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace embedscope::plugins {
namespace {

const char* const kReader = "signal";

/// Traces of one file before they are appended to the data set.
struct Traces {
    int64_t length = -1;
    std::vector<float> values;
    std::vector<std::string> metaNames;
    std::vector<std::vector<std::string>> metaValues; ///< per column, one per trace
    std::vector<std::string> names;                   ///< trace names (columns orientation)
    std::size_t count = 0;
};

void checkFinite(double v, const std::string& path, std::size_t trace, std::size_t position,
                 const std::string& where) {
    if (!std::isfinite(v))
        throw DataError(path + ": trace " + std::to_string(trace) + where + ", position " +
                        std::to_string(position) + " is " + (std::isnan(v) ? "NaN" : "infinite"));
}

// ---- CSV -------------------------------------------------------------------------------------

bool isNumberCell(const std::string& cell) {
    double v = 0;
    return parseNumber(cell, v);
}

Traces readCsv(const std::string& path, const ReaderOptions& options, const JobContext& ctx) {
    const std::string text = readWholeFile(path);
    LineReader reader(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lineNumbers;
    std::vector<std::string> fields;
    while (reader.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
        if (!rows.empty() && fields.size() != rows.front().size())
            throw FormatError(path + ", line " + std::to_string(number) + ": " +
                              std::to_string(fields.size()) + " fields, line " +
                              std::to_string(lineNumbers.front()) + " has " +
                              std::to_string(rows.front().size()) + " (ragged rows)");
        rows.push_back(fields);
        lineNumbers.push_back(number);
        if (rows.size() % 4096 == 0)
            ctx.throwIfCancelled();
    }
    if (rows.empty())
        throw DataError(path + ": the file is empty");
    const std::size_t width = rows.front().size();

    const std::string headerMode = options.get("header", "auto");
    bool header = headerMode == "true";
    if (headerMode == "auto") {
        for (std::size_t c = 0; c < width; ++c) {
            const bool firstText = !isNumberCell(rows[0][c]) && !isMissingCell(rows[0][c]);
            if (firstText && (rows.size() == 1 || isNumberCell(rows[1][c])))
                header = true;
        }
    } else if (headerMode != "true" && headerMode != "false") {
        throw ConfigError("signal: option 'header' must be auto, true or false, got '" +
                          headerMode + "'");
    }
    std::vector<std::string> names;
    for (std::size_t c = 0; c < width; ++c)
        names.push_back(header ? rows[0][c] : "column " + std::to_string(c));
    const std::size_t firstRow = header ? 1 : 0;
    if (rows.size() <= firstRow)
        throw DataError(path + ": no data rows after the header");

    // Metadata columns: named (or by index), plus any column holding text.
    std::set<std::size_t> meta;
    for (const std::string& want : splitList(options.get("metadata_columns", ""))) {
        std::size_t found = width;
        for (std::size_t c = 0; c < width; ++c)
            if (header && names[c] == want)
                found = c;
        double index = 0;
        if (found == width && !header && parseNumber(want, index) && index >= 0 && index < width)
            found = std::size_t(index);
        if (found == width)
            throw ConfigError("signal: metadata column '" + want + "' is not in " + path);
        meta.insert(found);
    }
    for (std::size_t c = 0; c < width; ++c)
        for (std::size_t r = firstRow; r < rows.size() && !meta.count(c); ++r)
            if (!isNumberCell(rows[r][c]) && !isMissingCell(rows[r][c]))
                meta.insert(c);

    Traces out;
    const bool byColumns = options.get("orientation", "rows") == "columns";
    if (!byColumns) {
        for (std::size_t c : meta) {
            out.metaNames.push_back(names[c]);
            out.metaValues.emplace_back();
        }
        out.length = int64_t(width - meta.size());
        if (out.length == 0)
            throw DataError(path + ": no numeric columns to read as a trace");
        for (std::size_t r = firstRow; r < rows.size(); ++r) {
            const std::size_t trace = r - firstRow;
            const std::string where = " (line " + std::to_string(lineNumbers[r]) + ")";
            std::size_t position = 0, m = 0;
            for (std::size_t c = 0; c < width; ++c) {
                if (meta.count(c)) {
                    out.metaValues[m++].push_back(rows[r][c]);
                    continue;
                }
                double v = 0;
                if (!parseNumber(rows[r][c], v))
                    throw DataError(path + ": trace " + std::to_string(trace) + where +
                                    ", position " + std::to_string(position) + " is empty");
                checkFinite(v, path, trace, position, where);
                out.values.push_back(float(v));
                ++position;
            }
            ++out.count;
        }
        return out;
    }
    out.length = int64_t(rows.size() - firstRow);
    for (std::size_t c = 0; c < width; ++c) {
        if (meta.count(c))
            continue;
        const std::size_t trace = out.count;
        const std::string where = " (column '" + names[c] + "')";
        for (std::size_t r = firstRow; r < rows.size(); ++r) {
            double v = 0;
            if (!parseNumber(rows[r][c], v))
                throw DataError(path + ": trace " + std::to_string(trace) + where + ", position " +
                                std::to_string(r - firstRow) + " (line " +
                                std::to_string(lineNumbers[r]) + ") is empty");
            checkFinite(v, path, trace, r - firstRow, where);
            out.values.push_back(float(v));
        }
        out.names.push_back(names[c]);
        ++out.count;
    }
    if (out.count == 0)
        throw DataError(path + ": no numeric columns to read as traces");
    return out;
}

// ---- NPY -------------------------------------------------------------------------------------

/// The value of `key` in the NPY header dict, as raw text up to the next top-level comma.
std::string dictValue(const std::string& dict, const std::string& key, const std::string& path) {
    auto pos = dict.find("'" + key + "'");
    if (pos == std::string::npos)
        throw FormatError(path + ": NPY header lacks '" + key + "'");
    pos = dict.find(':', pos);
    if (pos == std::string::npos)
        throw FormatError(path + ": malformed NPY header");
    ++pos;
    int depth = 0;
    std::size_t end = pos;
    for (; end < dict.size(); ++end) {
        const char ch = dict[end];
        if (ch == '(' || ch == '[')
            ++depth;
        else if (ch == ')' || ch == ']')
            --depth;
        else if ((ch == ',' || ch == '}') && depth <= 0)
            break;
    }
    return std::string(trim(std::string_view(dict).substr(pos, end - pos)));
}

Traces readNpy(const std::string& path, const JobContext& ctx) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open the NPY file");
    char magic[10] = {};
    if (!in.read(magic, 10) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
        throw FormatError(path + ": not an NPY file (bad magic string)");
    const int major = static_cast<unsigned char>(magic[6]);
    uint64_t headerLen = static_cast<unsigned char>(magic[8]) |
                         (uint64_t(static_cast<unsigned char>(magic[9])) << 8);
    uint64_t prefix = 10;
    if (major >= 2) {
        unsigned char more[2] = {};
        if (!in.read(reinterpret_cast<char*>(more), 2))
            throw FormatError(path + ": truncated NPY header");
        headerLen |= (uint64_t(more[0]) << 16) | (uint64_t(more[1]) << 24);
        prefix = 12;
    }
    if (major < 1 || major > 3 || headerLen > (1u << 20))
        throw FormatError(path + ": unsupported NPY version " + std::to_string(major) +
                          " or header length " + std::to_string(headerLen));
    std::string dict(std::size_t(headerLen), '\0');
    if (!in.read(dict.data(), std::streamsize(headerLen)))
        throw FormatError(path + ": truncated NPY header");

    std::string descr = dictValue(dict, "descr", path);
    if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"'))
        throw FormatError(path + ": structured NPY dtype " + descr + " is not supported");
    descr = descr.substr(1, descr.size() - 2);
    const char endian = descr[0];
    const char kind = descr[1];
    double itemSizeD = 0;
    if (!parseNumber(descr.substr(2), itemSizeD))
        throw FormatError(path + ": NPY dtype '" + descr + "' is not understood");
    const int itemSize = int(itemSizeD);
    const bool known = (kind == 'f' && (itemSize == 2 || itemSize == 4 || itemSize == 8)) ||
                       ((kind == 'i' || kind == 'u') &&
                        (itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8)) ||
                       (kind == 'b' && itemSize == 1);
    if (!known)
        throw FormatError(path + ": NPY dtype '" + descr +
                          "' is not supported (float16/32/64, (u)int8-64, bool)");
    const bool swap = endian == '>' && itemSize > 1;
    const bool fortran = dictValue(dict, "fortran_order", path) == "True";

    std::vector<uint64_t> shape;
    const std::string shapeText = dictValue(dict, "shape", path);
    for (const std::string& part : splitList(shapeText.substr(1, shapeText.size() - 2))) {
        double d = 0;
        if (!parseNumber(part, d) || d < 0 || d != std::floor(d) || d > 9e15)
            throw FormatError(path + ": NPY shape " + shapeText + " is malformed");
        shape.push_back(uint64_t(d));
    }
    uint64_t n = 1, t = 0;
    if (shape.size() == 1)
        t = shape[0];
    else if (shape.size() == 2)
        n = shape[0], t = shape[1];
    else if (shape.size() == 3 && shape[1] == 1)
        n = shape[0], t = shape[2];
    else
        throw FormatError(path + ": NPY shape " + shapeText + " is not (T), (N, T) or (N, 1, T)");
    if (n == 0 || t == 0)
        throw DataError(path + ": NPY array of shape " + shapeText + " holds no values");
    if (t > (uint64_t(1) << 31) / n)
        throw FormatError(path + ": NPY shape " + shapeText + " is too large");
    const uint64_t bytes = n * t * uint64_t(itemSize);
    in.seekg(0, std::ios::end);
    const uint64_t fileSize = uint64_t(in.tellg());
    if (fileSize < prefix + headerLen + bytes)
        throw FormatError(path + ": truncated: shape " + shapeText + " needs " +
                          std::to_string(bytes) + " data bytes, the file holds " +
                          std::to_string(fileSize - prefix - headerLen));
    in.seekg(std::streamoff(prefix + headerLen));
    std::vector<unsigned char> raw(bytes);
    if (!in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(bytes)))
        throw IoError(path + ": cannot read the NPY data");
    ctx.throwIfCancelled();

    Traces out;
    out.length = int64_t(t);
    out.count = std::size_t(n);
    out.values.resize(std::size_t(n * t));
    for (uint64_t k = 0; k < n * t; ++k) {
        unsigned char b[8];
        std::memcpy(b, raw.data() + k * itemSize, std::size_t(itemSize));
        if (swap)
            std::reverse(b, b + itemSize);
        double v = 0;
        if (kind == 'f' && itemSize == 8) {
            std::memcpy(&v, b, 8);
        } else if (kind == 'f' && itemSize == 4) {
            float f;
            std::memcpy(&f, b, 4);
            v = f;
        } else if (kind == 'f') { // IEEE half
            const uint16_t h = uint16_t(b[0] | (b[1] << 8));
            const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
            v = e == 0    ? std::ldexp(m, -24)
                : e == 31 ? (m ? NAN : INFINITY)
                          : std::ldexp(m + 1024, e - 25);
            if (h & 0x8000)
                v = -v;
        } else {
            uint64_t u = 0;
            std::memcpy(&u, b, std::size_t(itemSize)); // little-endian host
            if (kind == 'i' && itemSize < 8 && (u >> (8 * itemSize - 1)) & 1)
                u |= ~uint64_t(0) << (8 * itemSize);
            v = kind == 'i' ? double(int64_t(u)) : double(u);
        }
        // C order: k = trace * t + position; Fortran order: k = position * n + trace.
        const uint64_t trace = fortran ? k % n : k / t;
        const uint64_t position = fortran ? k / n : k % t;
        checkFinite(v, path, std::size_t(trace), std::size_t(position), "");
        out.values[std::size_t(trace * t + position)] = float(v);
    }
    return out;
}

// ---- HDF5 ------------------------------------------------------------------------------------

Traces readHdf5(const std::string& path, const ReaderOptions& options) {
    if (isEmbedscopeH5(path))
        throw ConfigError(path + " is an embedscope data file: read it with --reader "
                                 "embedscope-h5");
    std::string name = options.get("dataset", "");
    if (name.empty()) {
        const auto sets = listH5NumericDatasets(path);
        if (sets.size() != 1) {
            std::string list;
            for (const auto& s : sets)
                list += (list.empty() ? "" : ", ") + s;
            throw ConfigError(path + ": option dataset=/path is needed (numeric data sets: " +
                              (list.empty() ? "none" : list) + ")");
        }
        name = sets.front();
    }
    H5Numeric data = readH5Numeric(path, name);
    if (data.dims.size() > 2)
        throw FormatError(path + ", data set '" + name + "': rank " +
                          std::to_string(data.dims.size()) + " (expected 1 or 2)");
    const bool byColumns = options.get("orientation", "rows") == "columns";
    uint64_t n = data.dims.size() == 2 ? data.dims[0] : 1;
    uint64_t t = data.dims.back();
    if (byColumns && data.dims.size() == 2)
        std::swap(n, t);
    if (n == 0 || t == 0)
        throw DataError(path + ", data set '" + name + "' holds no values");
    Traces out;
    out.length = int64_t(t);
    out.count = std::size_t(n);
    out.values.resize(std::size_t(n * t));
    const std::string where = " of data set '" + name + "'";
    for (uint64_t i = 0; i < n; ++i)
        for (uint64_t j = 0; j < t; ++j) {
            const double v = byColumns && data.dims.size() == 2 ? data.values[j * n + i]
                                                                : data.values[i * t + j];
            checkFinite(v, path, std::size_t(i), std::size_t(j), where);
            out.values[std::size_t(i * t + j)] = float(v);
        }
    return out;
}

class SignalReader : public Reader {
public:
    std::string name() const override { return kReader; }
    std::string description() const override {
        return "1-D traces from CSV (rows or columns), NPY or an HDF5 data set; options "
               "orientation, header, metadata_columns, dataset";
    }

    int score(const std::string& path) const override {
        try {
            const std::string ext = lowerExtension(path);
            const std::string head = readFileStart(path, 4096);
            if (ext == ".npy")
                return head.rfind("\x93NUMPY", 0) == 0 ? 90 : 0;
            if (ext == ".h5" || ext == ".hdf5")
                return head.rfind("\x89HDF", 0) == 0 ? 20 : 0;
            if (ext != ".csv" && ext != ".txt" && ext != ".tsv")
                return 0;
            // Wide numeric rows look like traces; trajectory and event CSVs score higher.
            LineReader lines(head);
            std::string_view line;
            std::size_t number = 0;
            std::vector<std::string> fields;
            int numeric = 0;
            while (lines.next(line, number) && number <= 3)
                if (splitCsvLine(line, fields)) {
                    int count = 0;
                    for (const auto& f : fields)
                        count += isNumberCell(f);
                    numeric = std::max(numeric, count);
                }
            return numeric >= 8 ? 30 : 5;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        checkKnownOptions(options, kReader,
                          {"orientation", "header", "metadata_columns", "dataset"});
        const std::string orientation = options.get("orientation", "rows");
        if (orientation != "rows" && orientation != "columns")
            throw ConfigError("signal: option 'orientation' must be rows or columns, got '" +
                              orientation + "'");
        if (paths.empty())
            throw ConfigError("signal: no input files");
        Dataset data;
        data.kind = DataKind::Signal;
        std::vector<std::string> sources, traceNames;
        std::vector<double> traceIndex;
        std::map<std::string, std::vector<std::string>> meta; // column -> values (all files)
        std::string firstPath;
        for (std::size_t f = 0; f < paths.size(); ++f) {
            const std::string& path = paths[f];
            ctx.throwIfCancelled();
            ctx.report(double(f) / paths.size(), "reading " + path);
            const std::string ext = lowerExtension(path);
            Traces traces = ext == ".npy"                    ? readNpy(path, ctx)
                            : ext == ".h5" || ext == ".hdf5" ? readHdf5(path, options)
                                                             : readCsv(path, options, ctx);
            if (traces.count == 0)
                throw DataError(path + ": no traces");
            if (data.sampleShape.empty()) {
                data.sampleShape = {1, traces.length};
                firstPath = path;
            } else if (data.sampleShape[1] != traces.length) {
                throw DataError(path + ": traces of " + std::to_string(traces.length) +
                                " points differ from " + firstPath + " (" +
                                std::to_string(data.sampleShape[1]) + ")");
            }
            const std::size_t before = sources.size();
            data.values.insert(data.values.end(), traces.values.begin(), traces.values.end());
            for (std::size_t i = 0; i < traces.count; ++i) {
                sources.push_back(fileStem(path) + lowerExtension(path));
                traceIndex.push_back(double(i));
                traceNames.push_back(i < traces.names.size() ? traces.names[i] : "");
            }
            for (std::size_t m = 0; m < traces.metaNames.size(); ++m) {
                auto& column = meta[traces.metaNames[m]];
                column.resize(before, "");
                column.insert(column.end(), traces.metaValues[m].begin(),
                              traces.metaValues[m].end());
            }
        }
        data.metadata.addStrings("source", sources);
        data.metadata.addNumbers("trace", traceIndex);
        bool anyName = false;
        for (const auto& n : traceNames)
            anyName = anyName || !n.empty();
        if (anyName)
            data.metadata.addStrings("name", traceNames);
        for (auto& [name, values] : meta) {
            values.resize(sources.size(), "");
            data.metadata.setColumn(columnFromText(name, values));
        }
        if (!options.metadataPath.empty()) {
            std::vector<std::string> ids;
            const MetadataColumn* idColumn =
                data.metadata.has("id") ? &data.metadata.column("id") : nullptr;
            for (std::size_t i = 0; i < sources.size(); ++i)
                ids.push_back(idColumn ? idColumn->text(i)
                                       : std::to_string(static_cast<int64_t>(traceIndex[i])));
            joinSideTable(data.metadata, ids, readSideTable(options.metadataPath), firstPath);
        }
        data.name = fileStem(firstPath);
        data.attributesJson = nlohmann::json{{"reader", kReader}, {"files", paths}}.dump();
        ctx.report(1.0, "read " + std::to_string(sources.size()) + " traces");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeSignalReader() {
    return std::make_unique<SignalReader>();
}

} // namespace embedscope::plugins
