#include "embedscope/engine/dataset.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <sstream>

namespace embedscope {

std::string MetadataColumn::text(std::size_t row) const {
    if (!numeric)
        return strings.at(row);
    std::ostringstream out;
    out.precision(12);
    out << numbers.at(row);
    return out.str();
}

bool MetadataTable::has(const std::string& name) const {
    for (const auto& c : columns_)
        if (c.name == name)
            return true;
    return false;
}

const MetadataColumn& MetadataTable::column(const std::string& name) const {
    for (const auto& c : columns_)
        if (c.name == name)
            return c;
    std::string known;
    for (const auto& c : columns_)
        known += (known.empty() ? "" : ", ") + c.name;
    throw DataError("metadata has no column '" + name +
                    "' (columns: " + (known.empty() ? "none" : known) + ")");
}

void MetadataTable::setColumn(MetadataColumn column) {
    if (column.name.empty())
        throw DataError("metadata column without a name");
    if (columns_.empty())
        rows_ = column.size();
    else if (column.size() != rows_)
        throw DataError("metadata column '" + column.name + "' has " +
                        std::to_string(column.size()) + " rows, expected " + std::to_string(rows_));
    for (auto& c : columns_) {
        if (c.name == column.name) {
            c = std::move(column);
            return;
        }
    }
    columns_.push_back(std::move(column));
}

void MetadataTable::addStrings(const std::string& name, std::vector<std::string> values) {
    MetadataColumn c;
    c.name = name;
    c.numeric = false;
    c.strings = std::move(values);
    setColumn(std::move(c));
}

void MetadataTable::addNumbers(const std::string& name, std::vector<double> values) {
    MetadataColumn c;
    c.name = name;
    c.numeric = true;
    c.numbers = std::move(values);
    setColumn(std::move(c));
}

MetadataTable MetadataTable::subset(const std::vector<std::size_t>& rows) const {
    MetadataTable out;
    for (const auto& c : columns_) {
        MetadataColumn s;
        s.name = c.name;
        s.numeric = c.numeric;
        for (std::size_t r : rows) {
            if (r >= rows_)
                throw DataError("metadata row " + std::to_string(r) + " out of range");
            if (c.numeric)
                s.numbers.push_back(c.numbers[r]);
            else
                s.strings.push_back(c.strings[r]);
        }
        out.setColumn(std::move(s));
    }
    return out;
}

std::string toString(DataKind kind) {
    switch (kind) {
    case DataKind::Trajectory:
        return "trajectory";
    case DataKind::Signal:
        return "signal";
    case DataKind::Image:
        return "image";
    case DataKind::Table:
        return "table";
    }
    return "unknown";
}

DataKind dataKindFromString(const std::string& name) {
    for (DataKind k : {DataKind::Trajectory, DataKind::Signal, DataKind::Image, DataKind::Table})
        if (toString(k) == name)
            return k;
    throw FormatError("unknown data kind '" + name +
                      "' (expected trajectory, signal, image or table)");
}

std::size_t Dataset::sampleSize() const {
    if (sampleShape.empty())
        return 0;
    std::size_t s = 1;
    for (int64_t d : sampleShape)
        s *= d > 0 ? static_cast<std::size_t>(d) : 0;
    return s;
}

std::size_t Dataset::sampleCount() const {
    const std::size_t s = sampleSize();
    return s == 0 ? 0 : values.size() / s;
}

void Dataset::validate(const std::string& origin) const {
    const std::string where = origin.empty() ? "dataset '" + name + "'" : origin;
    if (sampleShape.empty())
        throw DataError(where + ": sample shape is empty");
    for (int64_t d : sampleShape)
        if (d <= 0)
            throw DataError(where + ": sample shape has a non-positive dimension (" +
                            std::to_string(d) + ")");
    const std::size_t s = sampleSize();
    if (values.empty())
        throw DataError(where + ": the data set is empty (no samples)");
    if (values.size() % s != 0)
        throw DataError(where + ": " + std::to_string(values.size()) +
                        " values is not a whole number of samples of size " + std::to_string(s));
    const std::size_t n = values.size() / s;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i]))
            throw DataError(where + ": sample " + std::to_string(i / s) + ", value " +
                            std::to_string(i % s) + " is " +
                            (std::isnan(values[i]) ? "NaN" : "infinite"));
    }
    if (!metadata.columns().empty() && metadata.rowCount() != n)
        throw DataError(where + ": metadata has " + std::to_string(metadata.rowCount()) +
                        " rows but there are " + std::to_string(n) + " samples");
    if (metadata.has(kSplitColumn)) {
        const auto& split = metadata.column(kSplitColumn);
        if (split.numeric)
            throw DataError(where + ": column 'split' must hold train/val/test strings");
        for (std::size_t r = 0; r < split.strings.size(); ++r) {
            const auto& v = split.strings[r];
            if (v != "train" && v != "val" && v != "test")
                throw DataError(where + ": row " + std::to_string(r) + " has split '" + v +
                                "' (expected train, val or test)");
        }
    }
}

std::vector<std::size_t> Dataset::indicesOfSplit(const std::string& split) const {
    std::vector<std::size_t> out;
    const std::size_t n = sampleCount();
    if (!metadata.has(kSplitColumn)) {
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(i);
        return out;
    }
    const auto& col = metadata.column(kSplitColumn);
    for (std::size_t i = 0; i < n && i < col.strings.size(); ++i)
        if (col.strings[i] == split)
            out.push_back(i);
    return out;
}

double Dataset::attributeNumber(const std::string& key, double fallback) const {
    const auto attributes = nlohmann::json::parse(attributesJson, nullptr, false);
    if (!attributes.is_object())
        return fallback;
    if (auto it = attributes.find(key); it != attributes.end() && it->is_number())
        return it->get<double>();
    if (auto params = attributes.find("params"); params != attributes.end() && params->is_object())
        if (auto it = params->find(key); it != params->end() && it->is_number())
            return it->get<double>();
    return fallback;
}

} // namespace embedscope
