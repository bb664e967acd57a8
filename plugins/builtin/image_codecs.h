#pragma once
// Private helpers of the image, signal and event readers: PNG / TIFF decoding to floats in
// [0, 1], numeric HDF5 data sets, and the option parsing they share (booleans, label subsets,
// known-option checks).
#include "embedscope/engine/reader.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace embedscope::plugins {

/// One decoded image: channels x height x width floats in [0, 1], row-major per channel.
struct DecodedImage {
    int channels = 0;
    int height = 0;
    int width = 0;
    int bitDepth = 0; ///< bits per sample as stored (8 or 16)
    std::vector<float> values;
};

/// PNG via libpng. Gray, gray+alpha, RGB, RGBA are kept as 1, 2, 3, 4 channels (alpha is a
/// channel like any other); palettes expand to RGB(A), 1/2/4-bit gray to 8 bits. 8-bit values
/// are scaled by 1/255, 16-bit by 1/65535. `binarize` maps samples >= 127/255 of full scale to 1,
/// else 0 (seed 001 §3.1.1). Throws IoError (cannot open) or FormatError (corrupt, too large),
/// naming the file.
DecodedImage decodePng(const std::string& path, bool binarize);

/// TIFF via libtiff: 8- or 16-bit unsigned samples, strips (not tiles), contiguous or planar;
/// every page adds its samples per pixel as channels (a multi-page stack of gray pages becomes
/// one channel per page); all pages must share width and height. Min-is-white is inverted.
/// Throws IoError / FormatError naming the file (and the page).
DecodedImage decodeTiff(const std::string& path, bool binarize);

/// Largest number of values (all channels) one image may have: 2^28 (1 GiB of floats).
constexpr uint64_t kMaxImageValues = uint64_t(1) << 28;

/// A numeric HDF5 data set read as doubles (integers and floats of any width convert).
struct H5Numeric {
    std::vector<uint64_t> dims;
    std::vector<double> values;
};
/// Reads data set `name` of an HDF5 file. Throws IoError (cannot open), FormatError (not HDF5,
/// no such data set listing the numeric ones, not numeric, more than `maxValues` values),
/// naming the file and the data set.
H5Numeric readH5Numeric(const std::string& path, const std::string& name,
                        uint64_t maxValues = uint64_t(1) << 31);
/// Paths ("/group/name") of the numeric data sets of rank 1 or 2 in an HDF5 file, in visit
/// order; empty when the file cannot be opened. Never throws.
std::vector<std::string> listH5NumericDatasets(const std::string& path);
/// True when the HDF5 file's root carries embedscope's format attribute. Never throws.
bool isEmbedscopeH5(const std::string& path);

/// "1", "true", "yes", "on" -> true; "0", "false", "no", "off", "" -> false; else ConfigError
/// naming the reader and the option.
bool parseBoolOption(const ReaderOptions& options, const std::string& key,
                     const std::string& reader);
/// A non-negative integer option (or `fallback` when absent); ConfigError otherwise.
int64_t parseCountOption(const ReaderOptions& options, const std::string& key, int64_t fallback,
                         const std::string& reader);
/// A number option (or `fallback`); ConfigError when not a finite number in [lo, hi].
double parseNumberOption(const ReaderOptions& options, const std::string& key, double fallback,
                         double lo, double hi, const std::string& reader);

/// A label subset such as "0-3", "0,1,2,3", "0-3,7" or "cat,dog": the labels as text (integer
/// ranges expanded), to compare with MetadataColumn::text(). Empty text: no subset (empty set).
/// Throws ConfigError for a malformed or reversed range, naming the reader.
std::set<std::string> parseLabelSubset(const std::string& text, const std::string& reader);

/// Throws ConfigError naming the reader, the first unknown option and the known ones.
void checkKnownOptions(const ReaderOptions& options, const std::string& reader,
                       const std::vector<std::string>& known);

/// Splits "a,b , c" into trimmed non-empty parts.
std::vector<std::string> splitList(const std::string& text);

} // namespace embedscope::plugins
