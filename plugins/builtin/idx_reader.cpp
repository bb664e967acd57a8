// Reader "idx": MNIST / Fashion-MNIST IDX files, plain or gzip (zlib's gzread reads both).
//
//   embedscope-cli import train-images-idx3-ubyte.gz t10k-images-idx3-ubyte.gz --out mnist.h5
//       --option binarize=true --option labels=0-3
//
// Inputs are image files (magic 0x00000803: N x rows x cols unsigned bytes) and optionally
// label files (0x00000801: N unsigned bytes), told apart by their magic number. Each image file
// is paired with a label file given in the inputs (same name with images-idx3 -> labels-idx1,
// or the only one), else the one of that name next to it; without one, the samples have no
// `label`. Several image files are concatenated. Output: kind Image, shape (1, rows, cols),
// values byte/255 in [0, 1]; metadata `label`, `label_name` (Fashion-MNIST class names when the
// path says "fashion", option label_names=auto|fashion|none), `split` (*t10k* / *test* ->
// "test", else "train"; `val_fraction` of train becomes "val" with `split_seed`), `index` (row
// in its file) and `source` (file name).
// Options: binarize (seed 001 §3.1.1: byte >= 127 -> 1, else 0), labels (subset like "0-3" or
// "0,1,2,3"; SPEC S1 uses 0-3), limit (first N samples per file after the label filter),
// val_fraction (0.1), split_seed (0), label_names.
// Header sizes are checked against the file size before any allocation (plain files); gzip
// files are read in chunks and fail at their end when shorter than their header says.
#include "csv_text.h"
#include "image_codecs.h"
#include "readers.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <sys/stat.h>

namespace embedscope::plugins {
namespace {

const char* const kReader = "idx";
constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
const char* const kFashionNames[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct GzCloser {
    void operator()(gzFile f) const {
        if (f)
            gzclose(f);
    }
};
using GzPtr = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

/// An open IDX file with its parsed header.
struct IdxFile {
    std::string path;
    GzPtr gz;
    uint32_t magic = 0;
    std::vector<uint32_t> dims;
    bool compressed = false;
};

uint32_t bigEndian(const unsigned char* b) {
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

/// Reads exactly `n` bytes; false at a short read.
bool readExact(gzFile f, unsigned char* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        const unsigned chunk = unsigned(std::min<std::size_t>(n - done, 1u << 30));
        const int got = gzread(f, out + done, chunk);
        if (got <= 0)
            return false;
        done += std::size_t(got);
    }
    return true;
}

/// Magic number of a file (first 4 bytes after decompression), or 0.
uint32_t peekMagic(const std::string& path) {
    GzPtr gz(gzopen(path.c_str(), "rb"));
    unsigned char b[4];
    if (!gz || !readExact(gz.get(), b, 4))
        return 0;
    return bigEndian(b);
}

IdxFile openIdx(const std::string& path) {
    IdxFile f;
    f.path = path;
    f.gz.reset(gzopen(path.c_str(), "rb"));
    if (!f.gz)
        throw IoError(path + ": cannot open the IDX file");
    unsigned char head[4];
    if (!readExact(f.gz.get(), head, 4))
        throw FormatError(path + ": truncated IDX header (less than 4 bytes)");
    f.compressed = gzdirect(f.gz.get()) == 0;
    f.magic = bigEndian(head);
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08)
        throw FormatError(path + ": wrong IDX magic number 0x" +
                          [&] {
                              char buf[16];
                              std::snprintf(buf, sizeof buf, "%08x", f.magic);
                              return std::string(buf);
                          }() +
                          " (expected 0x00000803 for images or 0x00000801 for labels, "
                          "unsigned bytes)");
    const unsigned ndims = head[3];
    if (ndims == 0 || ndims > 4)
        throw FormatError(path + ": IDX header declares " + std::to_string(ndims) + " dimensions");
    std::vector<unsigned char> sizes(4 * ndims);
    if (!readExact(f.gz.get(), sizes.data(), sizes.size()))
        throw FormatError(path + ": truncated IDX header (dimension sizes missing)");
    for (unsigned d = 0; d < ndims; ++d)
        f.dims.push_back(bigEndian(&sizes[4 * d]));
    return f;
}

/// Reads `count` payload bytes: a plain file is checked against its size first; a gzip file is
/// read in chunks so that a lying header fails at the end of the data, not in an allocation.
std::vector<unsigned char> readPayload(IdxFile& f, uint64_t count, const JobContext& ctx,
                                       double from, double to) {
    const uint64_t header = 4 + 4 * f.dims.size();
    if (!f.compressed) {
        struct stat st {};
        if (stat(f.path.c_str(), &st) == 0 && uint64_t(st.st_size) < header + count)
            throw FormatError(f.path + ": truncated: the header declares " + std::to_string(count) +
                              " data bytes but the file holds " +
                              std::to_string(uint64_t(st.st_size) - header));
    }
    std::vector<unsigned char> out;
    out.reserve(std::size_t(std::min<uint64_t>(count, 1u << 24)));
    const std::size_t chunk = 1u << 20;
    while (out.size() < count) {
        ctx.throwIfCancelled();
        const std::size_t n = std::size_t(std::min<uint64_t>(chunk, count - out.size()));
        const std::size_t old = out.size();
        out.resize(old + n);
        const int got = gzread(f.gz.get(), out.data() + old, unsigned(n));
        if (got < 0)
            throw FormatError(f.path + ": corrupt gzip data after " + std::to_string(old) +
                              " bytes");
        if (std::size_t(got) < n) {
            // gzread may return short reads before the end; retry until it returns 0.
            out.resize(old + std::size_t(got));
            if (got == 0)
                throw FormatError(f.path + ": truncated: the header declares " +
                                  std::to_string(count) + " data bytes but the file holds " +
                                  std::to_string(out.size()));
        }
        ctx.report(from + (to - from) * double(out.size()) / double(count),
                   "reading " + fileStem(f.path));
    }
    return out;
}

std::string baseName(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string labelsNameFor(const std::string& imagesPath) {
    std::string name = imagesPath;
    const auto pos = name.rfind("images-idx3");
    if (pos == std::string::npos)
        return {};
    return name.replace(pos, 11, "labels-idx1");
}

bool fileExists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

class IdxReader : public Reader {
public:
    std::string name() const override { return kReader; }
    std::string description() const override {
        return "MNIST / Fashion-MNIST IDX images (+ labels), plain or .gz; options binarize, "
               "labels=0-3, limit, val_fraction, split_seed, label_names";
    }

    int score(const std::string& path) const override {
        try {
            const uint32_t magic = peekMagic(path);
            return magic == kImagesMagic ? 95 : magic == kLabelsMagic ? 60 : 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        checkKnownOptions(
            options, kReader,
            {"binarize", "labels", "limit", "val_fraction", "split_seed", "label_names"});
        if (!options.metadataPath.empty())
            throw ConfigError("idx: a metadata side table is not supported (labels come from "
                              "the IDX label files)");
        const bool binarize = parseBoolOption(options, "binarize", kReader);
        const std::set<std::string> subset = parseLabelSubset(options.get("labels", ""), kReader);
        const int64_t limit = parseCountOption(options, "limit", 0, kReader);
        const double valFraction =
            parseNumberOption(options, "val_fraction", 0.1, 0.0, 0.9, kReader);
        const int64_t seed = parseCountOption(options, "split_seed", 0, kReader);
        const std::string namesMode = options.get("label_names", "auto");
        if (namesMode != "auto" && namesMode != "fashion" && namesMode != "none")
            throw ConfigError("idx: option 'label_names' must be auto, fashion or none, got '" +
                              namesMode + "'");
        if (paths.empty())
            throw ConfigError("idx: no input files");

        std::vector<std::string> images, labels;
        for (const auto& p : paths) {
            const uint32_t magic = openIdx(p).magic; // throws naming the file
            if (magic == kImagesMagic)
                images.push_back(p);
            else if (magic == kLabelsMagic)
                labels.push_back(p);
            else
                throw FormatError(p + ": IDX file of unsigned bytes with " +
                                  std::to_string(magic & 0xff) +
                                  " dimensions is neither images (3) nor labels (1)");
        }
        if (images.empty())
            throw ConfigError("idx: no images file (magic 0x00000803) among the inputs");

        bool fashion = namesMode == "fashion";
        Dataset data;
        data.kind = DataKind::Image;
        std::vector<double> labelValues, indexValues;
        std::vector<std::string> splits, sources;
        std::map<int, int64_t> labelCounts;
        nlohmann::json notes = {{"reader", kReader}, {"binarized", binarize}, {"files", {}}};
        bool anyLabels = false, allLabels = true;

        for (std::size_t fi = 0; fi < images.size(); ++fi) {
            const std::string& ipath = images[fi];
            if (namesMode == "auto" && toLower(ipath).find("fashion") != std::string::npos)
                fashion = true;
            const double from = double(fi) / images.size(), to = double(fi + 1) / images.size();
            IdxFile img = openIdx(ipath);
            if (img.dims.size() != 3)
                throw FormatError(ipath + ": images need 3 dimensions, the header declares " +
                                  std::to_string(img.dims.size()));
            const uint64_t n = img.dims[0], rows = img.dims[1], cols = img.dims[2];
            if (rows == 0 || cols == 0 || rows > 65536 || cols > 65536)
                throw FormatError(ipath + ": image size " + std::to_string(rows) + " x " +
                                  std::to_string(cols) + " is out of range");
            if (data.sampleShape.empty())
                data.sampleShape = {1, int64_t(rows), int64_t(cols)};
            else if (data.sampleShape[1] != int64_t(rows) || data.sampleShape[2] != int64_t(cols))
                throw DataError(ipath + ": images of " + std::to_string(rows) + " x " +
                                std::to_string(cols) + " differ from " + images.front() + " (" +
                                std::to_string(data.sampleShape[1]) + " x " +
                                std::to_string(data.sampleShape[2]) + ")");

            // The labels: given among the inputs (by name, or the only one), else next to it.
            std::string lpath;
            const std::string wanted = labelsNameFor(ipath);
            for (const auto& l : labels)
                if (!wanted.empty() && baseName(l) == baseName(wanted))
                    lpath = l;
            if (lpath.empty() && images.size() == 1 && labels.size() == 1)
                lpath = labels.front();
            if (lpath.empty() && !wanted.empty() && fileExists(wanted))
                lpath = wanted;

            std::vector<unsigned char> labelBytes;
            if (!lpath.empty()) {
                IdxFile lab = openIdx(lpath);
                if (lab.dims.size() != 1)
                    throw FormatError(lpath + ": labels need 1 dimension, the header declares " +
                                      std::to_string(lab.dims.size()));
                if (lab.dims[0] != n)
                    throw DataError(lpath + ": " + std::to_string(lab.dims[0]) + " labels for " +
                                    std::to_string(n) + " images in " + ipath);
                labelBytes = readPayload(lab, n, ctx, from, from);
                anyLabels = true;
            } else {
                allLabels = false;
            }
            if (!subset.empty() && lpath.empty())
                throw ConfigError("idx: option 'labels' needs a labels file for " + ipath);

            const uint64_t pixels = rows * cols;
            const std::vector<unsigned char> bytes =
                readPayload(img, n * pixels, ctx, from, from + 0.9 * (to - from));
            const std::string lowerName = toLower(baseName(ipath));
            const std::string split = lowerName.find("t10k") != std::string::npos ||
                                              lowerName.find("test") != std::string::npos
                                          ? "test"
                                          : "train";
            int64_t taken = 0;
            for (uint64_t i = 0; i < n; ++i) {
                if (limit > 0 && taken >= limit)
                    break;
                if (!labelBytes.empty() && !subset.empty() &&
                    !subset.count(std::to_string(int(labelBytes[i]))))
                    continue;
                const unsigned char* src = bytes.data() + i * pixels;
                for (uint64_t k = 0; k < pixels; ++k)
                    data.values.push_back(binarize ? (src[k] >= 127 ? 1.0f : 0.0f)
                                                   : float(src[k]) / 255.0f);
                labelValues.push_back(labelBytes.empty() ? -1.0 : double(labelBytes[i]));
                if (!labelBytes.empty())
                    ++labelCounts[labelBytes[i]];
                indexValues.push_back(double(i));
                splits.push_back(split);
                sources.push_back(baseName(ipath));
                ++taken;
            }
            notes["files"].push_back({{"images", ipath},
                                      {"labels", lpath},
                                      {"count", n},
                                      {"taken", taken},
                                      {"split", split}});
        }
        if (labelValues.empty())
            throw DataError(images.front() + ": no samples left (label subset '" +
                            options.get("labels", "") + "', limit " + std::to_string(limit) + ")");
        if (anyLabels && !allLabels)
            throw DataError("idx: some image files have a labels file and some do not (" +
                            images.front() + ")");

        // Carve "val" out of "train" with a fixed seed (a Fisher-Yates draw on mt19937_64,
        // whose sequence the C++ standard fixes).
        std::vector<std::size_t> train;
        for (std::size_t i = 0; i < splits.size(); ++i)
            if (splits[i] == "train")
                train.push_back(i);
        const auto valCount = std::size_t(std::llround(valFraction * double(train.size())));
        std::mt19937_64 rng{static_cast<uint64_t>(seed)};
        for (std::size_t k = 0; k < valCount; ++k) {
            const std::size_t j = k + std::size_t(rng() % (train.size() - k));
            std::swap(train[k], train[j]);
            splits[train[k]] = "val";
        }

        if (anyLabels) {
            data.metadata.addNumbers("label", labelValues);
            if (fashion) {
                std::vector<std::string> names;
                for (double v : labelValues)
                    names.push_back(v >= 0 && v < 10 ? kFashionNames[int(v)]
                                                     : "label " + std::to_string(int(v)));
                data.metadata.addStrings("label_name", std::move(names));
            }
            nlohmann::json counts = nlohmann::json::object();
            for (const auto& [label, count] : labelCounts)
                counts[std::to_string(label)] = count;
            notes["label_counts"] = counts;
        }
        data.metadata.addStrings(Dataset::kSplitColumn, std::move(splits));
        data.metadata.addNumbers("index", std::move(indexValues));
        data.metadata.addStrings("source", std::move(sources));
        data.name = fashion ? "fashion-mnist" : "mnist";
        notes["val_fraction"] = valFraction;
        notes["split_seed"] = seed;
        data.attributesJson = notes.dump();
        ctx.report(1.0, "read " + std::to_string(data.sampleCount()) + " images");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeIdxReader() {
    return std::make_unique<IdxReader>();
}

} // namespace embedscope::plugins
