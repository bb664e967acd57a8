#pragma once
// A data set: N samples of one fixed shape plus a metadata table and a split column.
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

/// A column of per-sample metadata: either numeric or string.
struct MetadataColumn {
    std::string name;
    bool numeric = false;
    std::vector<double> numbers;      ///< used when numeric
    std::vector<std::string> strings; ///< used when !numeric
    std::size_t size() const { return numeric ? numbers.size() : strings.size(); }
    /// Value as text (numbers printed compactly, e.g. "3" or "0.5").
    std::string text(std::size_t row) const;
};

/// Per-sample metadata, one row per sample.
class MetadataTable {
public:
    std::size_t rowCount() const { return rows_; }
    const std::vector<MetadataColumn>& columns() const { return columns_; }
    bool has(const std::string& name) const;
    /// Throws DataError naming the column when it is missing.
    const MetadataColumn& column(const std::string& name) const;
    /// Adds or replaces a column; throws DataError if its length differs from rowCount()
    /// (the first column added sets rowCount()).
    void setColumn(MetadataColumn column);
    void addStrings(const std::string& name, std::vector<std::string> values);
    void addNumbers(const std::string& name, std::vector<double> values);
    /// A copy holding only the given rows, in that order.
    MetadataTable subset(const std::vector<std::size_t>& rows) const;

private:
    std::vector<MetadataColumn> columns_;
    std::size_t rows_ = 0;
};

enum class DataKind { Trajectory, Signal, Image, Table };
std::string toString(DataKind kind);
/// Throws FormatError for an unknown name.
DataKind dataKindFromString(const std::string& name);

/// Samples stored contiguously as float32, row-major: sample i occupies
/// values[i*sampleSize() .. (i+1)*sampleSize()).
/// Shapes: trajectory (C, T), signal (T), image (C, H, W).
class Dataset {
public:
    std::string name;
    DataKind kind = DataKind::Trajectory;
    std::vector<int64_t> sampleShape;
    std::vector<float> values;
    MetadataTable metadata;
    /// Name of the metadata column holding "train" / "val" / "test".
    static constexpr const char* kSplitColumn = "split";
    /// Free-form attributes (e.g. simulator parameters as JSON, source file).
    std::string attributesJson = "{}";
    /// Samples stored in the file, set by ProjectFile::readDataset / readDatasetHeader (the
    /// header leaves `values` empty, so sampleCount() is 0 there; use this instead).
    std::size_t headerSampleCount = 0;

    std::size_t sampleCount() const;
    std::size_t sampleSize() const;
    const float* sample(std::size_t i) const { return values.data() + i * sampleSize(); }

    /// Checks the invariants: non-empty, shape > 0, values.size() == N * sampleSize, every
    /// value finite, metadata rows == N, split values in {train, val, test} when present.
    /// Throws DataError naming `origin` (a file or "dataset 'name'") and the first problem,
    /// e.g. "sample 12, value 3041 is NaN".
    void validate(const std::string& origin) const;
    /// A number from attributesJson: the top-level key, else the same key under "params" (the
    /// simulator's layout), else `fallback` (also for malformed JSON or a non-number).
    double attributeNumber(const std::string& key, double fallback) const;

    /// Indices of samples whose split column equals `split` (all samples if no split column).
    std::vector<std::size_t> indicesOfSplit(const std::string& split) const;
};

} // namespace embedscope
