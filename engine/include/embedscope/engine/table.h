#pragma once
// Embedding tables: z_* (or pc_*) columns + Metadata_<name> columns, as CSV (pycytominer style).
#include "embedscope/engine/dataset.h"

#include <string>
#include <vector>

namespace embedscope {

struct EmbeddingTable {
    std::vector<std::string> featureNames; ///< e.g. z_0.. or pc_1..
    std::size_t rows = 0;
    std::vector<double> features; ///< rows x featureNames.size(), row-major
    MetadataTable metadata;       ///< written as Metadata_<name>
};

/// Writes CSV (RFC 4180 quoting). Throws IoError naming the path. Crash-safe (temp + rename).
void writeEmbeddingCsv(const EmbeddingTable& table, const std::string& path);
/// Reads a CSV written by writeEmbeddingCsv or by other tools: feature columns are every
/// non-Metadata_ column that is numeric. Throws FormatError naming the file, row and column.
EmbeddingTable readEmbeddingCsv(const std::string& path);

} // namespace embedscope
