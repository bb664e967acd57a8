// Reader "image-folder": a folder (or a list) of PNG / TIFF images plus a metadata CSV.
//
//   embedscope-cli import scans/ --out scans.h5 --metadata labels.csv
//       --option labels=0-3 --option binarize=true
//
//   labels.csv:  file,label,plate
//                a.png,0,P1
//                b.tif,3,P2
//
// Inputs: directories (their *.png, *.tif, *.tiff files, not recursive, sorted by name) and/or
// files. The CSV (ReaderOptions::metadataPath or option `metadata`) maps the file name (without
// directories) to labels: every column other than `file` becomes metadata, numeric when every
// value is a number. A CSV row whose file is not among the images is an error; images without
// a CSV row are skipped and counted (attribute "skipped_without_row"), so one folder can hold
// unlabelled images; without a CSV every image is read with only `file` as metadata.
// Channels as stored: gray 1, gray+alpha 2, RGB 3, RGBA 4 (alpha kept as a channel); a
// multi-page TIFF adds its pages as channels. Values in [0, 1]: 8-bit / 255, 16-bit / 65535.
// Output kind Image, shape (C, H, W); every image must have the same shape.
// Options: metadata, binarize (>= 127/255 of full scale -> 1, seed 001 §3.1.1), labels (subset
// like "0-3" or "cat,dog" on `label_column`, default "label"), label_column.
#include "csv_text.h"
#include "image_codecs.h"
#include "readers.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace embedscope::plugins {
namespace {

namespace fs = std::filesystem;
const char* const kReader = "image-folder";

bool isImageExtension(const std::string& ext) {
    return ext == ".png" || ext == ".tif" || ext == ".tiff";
}

std::string baseName(const std::string& path) {
    return fs::path(path).filename().string();
}

/// The metadata CSV: `file` column -> the other columns' values.
struct LabelTable {
    std::string path;
    std::vector<std::string> columns;
    std::map<std::string, std::vector<std::string>> rows; ///< file name -> values
    std::map<std::string, std::size_t> lines;             ///< file name -> CSV line
};

LabelTable readLabelTable(const std::string& path) {
    LabelTable table;
    table.path = path;
    const std::string text = readWholeFile(path);
    LineReader lines(text);
    std::string_view line;
    std::size_t number = 0;
    std::vector<std::string> fields;
    std::size_t fileColumn = 0;
    bool haveHeader = false;
    while (lines.next(line, number)) {
        if (trim(line).empty())
            continue;
        if (!splitCsvLine(line, fields))
            throw FormatError(path + ", line " + std::to_string(number) + ": unterminated quote");
        if (!haveHeader) {
            const auto it = std::find(fields.begin(), fields.end(), "file");
            if (it == fields.end())
                throw FormatError(path + ": the metadata CSV needs a 'file' column (line " +
                                  std::to_string(number) + ")");
            fileColumn = std::size_t(it - fields.begin());
            for (std::size_t c = 0; c < fields.size(); ++c)
                if (c != fileColumn)
                    table.columns.push_back(fields[c]);
            haveHeader = true;
            continue;
        }
        if (fields.size() != table.columns.size() + 1)
            throw FormatError(path + ", line " + std::to_string(number) + ": " +
                              std::to_string(fields.size()) + " fields, the header has " +
                              std::to_string(table.columns.size() + 1));
        const std::string key = baseName(fields[fileColumn]);
        if (key.empty())
            throw FormatError(path + ", line " + std::to_string(number) + ": empty file name");
        if (table.rows.count(key))
            throw FormatError(path + ", line " + std::to_string(number) + ": file '" + key +
                              "' is listed twice (first on line " +
                              std::to_string(table.lines[key]) + ")");
        std::vector<std::string> values;
        for (std::size_t c = 0; c < fields.size(); ++c)
            if (c != fileColumn)
                values.push_back(fields[c]);
        table.rows[key] = std::move(values);
        table.lines[key] = number;
    }
    if (!haveHeader)
        throw FormatError(path + ": the metadata CSV is empty");
    return table;
}

/// The image files of the inputs: directories listed (sorted), files kept in order.
std::vector<std::string> listImages(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(p, ec))
                if (entry.is_regular_file(ec) &&
                    isImageExtension(lowerExtension(entry.path().string())))
                    found.push_back(entry.path().string());
            if (ec)
                throw IoError(p + ": cannot list the folder (" + ec.message() + ")");
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            if (!isImageExtension(lowerExtension(p)))
                throw FormatError(p + ": not a PNG or TIFF file name (.png, .tif, .tiff)");
            out.push_back(p);
        } else {
            throw IoError(p + ": no such file or folder");
        }
    }
    return out;
}

std::string shapeText(const DecodedImage& image) {
    return std::to_string(image.channels) + " x " + std::to_string(image.height) + " x " +
           std::to_string(image.width);
}

class ImageFolderReader : public Reader {
public:
    std::string name() const override { return kReader; }
    std::string description() const override {
        return "PNG / TIFF images (a folder or files) with a metadata CSV (file -> labels); "
               "options metadata, binarize, labels, label_column";
    }

    int score(const std::string& path) const override {
        try {
            std::error_code ec;
            if (fs::is_directory(path, ec)) {
                for (const auto& entry : fs::directory_iterator(path, ec))
                    if (isImageExtension(lowerExtension(entry.path().string())))
                        return 50;
                return 0;
            }
            const std::string ext = lowerExtension(path);
            const std::string head = readFileStart(path, 8);
            if (ext == ".png")
                return head == std::string("\x89PNG\r\n\x1a\n", 8) ? 80 : 0;
            if (ext == ".tif" || ext == ".tiff")
                return head.rfind(std::string("II*\0", 4), 0) == 0 ||
                               head.rfind(std::string("MM\0*", 4), 0) == 0
                           ? 80
                           : 0;
            return 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        checkKnownOptions(options, kReader, {"metadata", "binarize", "labels", "label_column"});
        const bool binarize = parseBoolOption(options, "binarize", kReader);
        const std::set<std::string> subset = parseLabelSubset(options.get("labels", ""), kReader);
        const std::string labelColumn = options.get("label_column", "label");
        std::string csvPath = options.metadataPath;
        if (csvPath.empty())
            csvPath = options.get("metadata", "");
        if (paths.empty())
            throw ConfigError("image-folder: no input folder or files");

        const std::vector<std::string> files = listImages(paths);
        if (files.empty())
            throw DataError(paths.front() + ": no .png, .tif or .tiff images");

        LabelTable table;
        std::size_t labelIndex = 0;
        if (!csvPath.empty()) {
            table = readLabelTable(csvPath);
            std::map<std::string, std::string> present;
            for (const auto& f : files) {
                const std::string key = baseName(f);
                if (present.count(key))
                    throw DataError("image-folder: two images named '" + key + "' (" +
                                    present[key] + ", " + f + ") cannot be told apart by " +
                                    csvPath);
                present[key] = f;
            }
            for (const auto& [key, values] : table.rows)
                if (!present.count(key))
                    throw DataError(csvPath + ", line " + std::to_string(table.lines[key]) +
                                    ": file '" + key + "' is not among the images");
            const auto it = std::find(table.columns.begin(), table.columns.end(), labelColumn);
            if (it == table.columns.end() && !subset.empty())
                throw ConfigError("image-folder: option 'labels' needs the column '" + labelColumn +
                                  "' in " + csvPath);
            labelIndex = std::size_t(it - table.columns.begin());
        } else if (!subset.empty()) {
            throw ConfigError("image-folder: option 'labels' needs a metadata CSV (--metadata)");
        }

        Dataset data;
        data.kind = DataKind::Image;
        DecodedImage first;
        std::string firstPath;
        std::vector<std::string> names;
        std::vector<std::vector<std::string>> columnValues(table.columns.size());
        std::size_t skippedNoRow = 0, skippedLabel = 0;
        std::vector<std::string> skippedExamples;
        for (std::size_t i = 0; i < files.size(); ++i) {
            ctx.throwIfCancelled();
            ctx.report(double(i) / files.size(), "reading " + baseName(files[i]));
            const std::string key = baseName(files[i]);
            const std::vector<std::string>* row = nullptr;
            if (!csvPath.empty()) {
                const auto it = table.rows.find(key);
                if (it == table.rows.end()) {
                    ++skippedNoRow;
                    if (skippedExamples.size() < 5)
                        skippedExamples.push_back(key);
                    continue;
                }
                row = &it->second;
                if (!subset.empty()) {
                    double v = 0;
                    std::string label = (*row)[labelIndex];
                    if (parseNumber(label, v) && std::isfinite(v) && v == std::floor(v))
                        label = std::to_string(int64_t(v));
                    if (!subset.count(label)) {
                        ++skippedLabel;
                        continue;
                    }
                }
            }
            const std::string ext = lowerExtension(files[i]);
            DecodedImage image =
                ext == ".png" ? decodePng(files[i], binarize) : decodeTiff(files[i], binarize);
            if (firstPath.empty()) {
                first = image;
                first.values.clear();
                firstPath = files[i];
                data.sampleShape = {image.channels, image.height, image.width};
            } else if (image.channels != first.channels || image.height != first.height ||
                       image.width != first.width) {
                throw DataError(files[i] + ": shape " + shapeText(image) +
                                " (channels x height x width) differs from " + firstPath + " (" +
                                shapeText(first) + ")");
            }
            data.values.insert(data.values.end(), image.values.begin(), image.values.end());
            names.push_back(key);
            if (row)
                for (std::size_t c = 0; c < row->size(); ++c)
                    columnValues[c].push_back((*row)[c]);
        }
        if (names.empty())
            throw DataError(paths.front() + ": no image left to read (" +
                            std::to_string(skippedNoRow) + " without a row in the CSV, " +
                            std::to_string(skippedLabel) + " outside the label subset)");

        data.metadata.addStrings("file", names);
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            if (table.columns[c] != "file" && table.columns[c] != Dataset::kSplitColumn)
                data.metadata.setColumn(columnFromText(table.columns[c], columnValues[c]));
            else if (table.columns[c] == Dataset::kSplitColumn)
                data.metadata.addStrings(Dataset::kSplitColumn, columnValues[c]);
        const std::string folder = fs::path(paths.front()).filename().string();
        data.name = folder.empty() ? "images" : fileStem(folder);
        data.attributesJson = nlohmann::json{
            {"reader", kReader},
            {"binarized", binarize},
            {"metadata", csvPath},
            {"skipped_without_row", skippedNoRow},
            {"skipped_without_row_examples", skippedExamples},
            {"skipped_by_label",
             skippedLabel}}.dump();
        ctx.report(1.0, "read " + std::to_string(names.size()) + " images");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeImageFolderReader() {
    return std::make_unique<ImageFolderReader>();
}

} // namespace embedscope::plugins
