#include "image_codecs.h"

#include "csv_text.h"

#include "embedscope/engine/error.h"

#include <hdf5.h>
#include <png.h>
#include <tiffio.h>

#include <cmath>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <memory>

namespace embedscope::plugins {
namespace {

// ---- PNG -------------------------------------------------------------------------------------

/// State shared with libpng's error callback; libpng longjmps back to decodePng on errors.
/// Buffers live here (not in decodePng's frame) so that their state is well defined after a
/// longjmp: libpng holds this object's address, so it is kept in memory.
struct PngState {
    std::string message;
    std::vector<unsigned char> pixels;
    std::vector<png_bytep> rows;
};

void pngError(png_structp png, png_const_charp text) {
    auto* state = static_cast<PngState*>(png_get_error_ptr(png));
    if (state)
        state->message = text ? text : "unknown libpng error";
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f)
            std::fclose(f);
    }
};

/// Converts raw samples (8 or 16 bit, interleaved) of one row into planar floats.
void storeRow(const unsigned char* row, int bitDepth, int width, int spp, int firstChannel, int y,
              int height, bool binarize, bool invert, std::vector<float>& out) {
    const double full = bitDepth == 16 ? 65535.0 : 255.0;
    for (int x = 0; x < width; ++x)
        for (int s = 0; s < spp; ++s) {
            const std::size_t k = std::size_t(x) * spp + s;
            uint32_t raw = bitDepth == 16 ? reinterpret_cast<const uint16_t*>(row)[k] : row[k];
            if (invert)
                raw = uint32_t(full) - raw;
            float v;
            if (binarize) // >= 127/255 of full scale, exact in integers (seed 001 §3.1.1)
                v = double(raw) * 255.0 >= 127.0 * full ? 1.0f : 0.0f;
            else
                v = static_cast<float>(raw / full);
            out[(std::size_t(firstChannel + s) * height + y) * width + x] = v;
        }
}

/// Empty when the size is acceptable, else the problem.
std::string sizeProblem(uint64_t width, uint64_t height, uint64_t channels) {
    if (width == 0 || height == 0 || channels == 0)
        return "image has an empty size (" + std::to_string(width) + " x " +
               std::to_string(height) + ", " + std::to_string(channels) + " channels)";
    if (width > (1u << 20) || height > (1u << 20) || width * height * channels > kMaxImageValues)
        return "image of " + std::to_string(width) + " x " + std::to_string(height) + " x " +
               std::to_string(channels) + " values is too large";
    return {};
}

void checkSize(const std::string& path, uint64_t width, uint64_t height, uint64_t channels) {
    const std::string problem = sizeProblem(width, height, channels);
    if (!problem.empty())
        throw FormatError(path + ": " + problem);
}

// ---- TIFF ------------------------------------------------------------------------------------

thread_local std::string tiffMessage;

void tiffError(const char* module, const char* fmt, va_list args) {
    char buffer[512];
    std::vsnprintf(buffer, sizeof buffer, fmt, args);
    tiffMessage = std::string(module ? module : "libtiff") + ": " + buffer;
}

void tiffWarning(const char*, const char*, va_list) {}

struct TiffCloser {
    void operator()(TIFF* t) const {
        if (t)
            TIFFClose(t);
    }
};

// ---- HDF5 ------------------------------------------------------------------------------------

/// Closes an HDF5 handle when it goes out of scope.
class H5Handle {
public:
    H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~H5Handle() {
        if (id_ >= 0)
            close_(id_);
    }
    H5Handle(const H5Handle&) = delete;
    H5Handle& operator=(const H5Handle&) = delete;
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// Silences HDF5's automatic error printing for its lifetime (failures become exceptions).
class QuietH5 {
public:
    QuietH5() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietH5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    QuietH5(const QuietH5&) = delete;
    QuietH5& operator=(const QuietH5&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

herr_t visitNumeric(hid_t object, const char* name, const H5O_info_t* info, void* out) {
    if (info->type != H5O_TYPE_DATASET || std::string(name) == ".")
        return 0;
    H5Handle set(H5Dopen2(object, name, H5P_DEFAULT), H5Dclose);
    if (!set.ok())
        return 0;
    H5Handle type(H5Dget_type(set.get()), H5Tclose);
    H5Handle space(H5Dget_space(set.get()), H5Sclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && (rank == 1 || rank == 2))
        static_cast<std::vector<std::string>*>(out)->push_back("/" + std::string(name));
    return 0;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

} // namespace

std::vector<std::string> listH5NumericDatasets(const std::string& path) {
    std::vector<std::string> out;
    try {
        QuietH5 quiet;
        H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (file.ok())
            H5Ovisit2(file.get(), H5_INDEX_NAME, H5_ITER_INC, visitNumeric, &out, H5O_INFO_BASIC);
    } catch (...) {
    }
    return out;
}

bool isEmbedscopeH5(const std::string& path) {
    try {
        QuietH5 quiet;
        H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        return file.ok() && H5Aexists(file.get(), "embedscope_format") > 0;
    } catch (...) {
        return false;
    }
}

H5Numeric readH5Numeric(const std::string& path, const std::string& name, uint64_t maxValues) {
    QuietH5 quiet;
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        std::FILE* probe = std::fopen(path.c_str(), "rb");
        if (!probe)
            throw IoError(path + ": cannot open the file");
        std::fclose(probe);
        throw FormatError(path + ": not an HDF5 file");
    }
    H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok())
        throw IoError(path + ": cannot open the HDF5 file");
    const std::string where = path + ", data set '" + name + "'";
    if (name.empty() || H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0)
        throw FormatError(path + ": no data set '" + name +
                          "' (numeric data sets: " + joinNames(listH5NumericDatasets(path)) + ")");
    H5Handle set(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.ok())
        throw FormatError(where + ": not a data set");
    H5Handle type(H5Dget_type(set.get()), H5Tclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        throw FormatError(where + ": not numeric (integer or float)");
    H5Handle space(H5Dget_space(set.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 1 || rank > 8)
        throw FormatError(where + ": rank " + std::to_string(rank) + " is not supported");
    std::vector<hsize_t> dims(std::size_t(rank), 0);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    H5Numeric out;
    uint64_t total = 1;
    for (hsize_t d : dims) {
        out.dims.push_back(d);
        if (d != 0 && total > maxValues / d)
            throw FormatError(where + ": too many values");
        total *= d;
    }
    if (total > maxValues)
        throw FormatError(where + ": " + std::to_string(total) + " values are too many");
    out.values.resize(std::size_t(total));
    if (total > 0 &&
        H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
        throw FormatError(where + ": cannot read the values");
    return out;
}

DecodedImage decodePng(const std::string& path, bool binarize) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file)
        throw IoError(path + ": cannot open the PNG file");
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        throw FormatError(path + ": not a PNG file (bad signature)");

    PngState state;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, pngError, pngWarning);
    if (!png)
        throw FormatError(path + ": cannot initialise libpng");
    png_infop info = png_create_info_struct(png);
    // Only objects declared above survive a longjmp; nothing below needs destruction.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FormatError(path + ": corrupt PNG (" + state.message + ")");
    }
    if (!info)
        png_error(png, "out of memory");
    png_set_user_limits(png, 1u << 20, 1u << 20);
    png_init_io(png, file.get());
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);

    const png_uint_32 width = png_get_image_width(png, info);
    const png_uint_32 height = png_get_image_height(png, info);
    const int colorType = png_get_color_type(png, info);
    const int depth = png_get_bit_depth(png, info);
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (colorType == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_swap(png); // native little-endian uint16
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int channels = png_get_channels(png, info);
    const int outDepth = png_get_bit_depth(png, info);
    if (!sizeProblem(width, height, uint64_t(channels)).empty()) {
        png_destroy_read_struct(&png, &info, nullptr);
        checkSize(path, width, height, uint64_t(channels));
    }
    const std::size_t rowBytes = png_get_rowbytes(png, info);
    // Interlaced images need every row at once; the whole image is at most kMaxImageValues.
    state.pixels.assign(rowBytes * height, 0);
    state.rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y)
        state.rows[y] = state.pixels.data() + rowBytes * y;
    png_read_image(png, state.rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);

    DecodedImage image;
    image.channels = channels;
    image.height = int(height);
    image.width = int(width);
    image.bitDepth = outDepth;
    image.values.assign(std::size_t(channels) * height * width, 0.0f);
    for (png_uint_32 y = 0; y < height; ++y)
        storeRow(state.rows[y], outDepth, int(width), channels, 0, int(y), int(height), binarize,
                 false, image.values);
    return image;
}

DecodedImage decodeTiff(const std::string& path, bool binarize) {
    TIFFSetErrorHandler(tiffError);
    TIFFSetWarningHandler(tiffWarning);
    tiffMessage.clear();
    std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(path.c_str(), "r"));
    if (!tif) {
        std::FILE* probe = std::fopen(path.c_str(), "rb");
        if (!probe)
            throw IoError(path + ": cannot open the TIFF file");
        std::fclose(probe);
        throw FormatError(path + ": not a readable TIFF file (" + tiffMessage + ")");
    }
    DecodedImage image;
    int page = 0;
    do {
        const std::string where = path + ", page " + std::to_string(page + 1);
        uint32_t width = 0, height = 0;
        uint16_t spp = 1, bits = 1, format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG,
                 photometric = PHOTOMETRIC_MINISBLACK;
        if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width) ||
            !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height))
            throw FormatError(where + ": no image width/height");
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &spp);
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLEFORMAT, &format);
        TIFFGetFieldDefaulted(tif.get(), TIFFTAG_PLANARCONFIG, &planar);
        TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric);
        if (bits != 8 && bits != 16)
            throw FormatError(where + ": " + std::to_string(bits) +
                              "-bit samples are not supported (8 or 16)");
        if (format != SAMPLEFORMAT_UINT)
            throw FormatError(where + ": only unsigned integer samples are supported");
        if (photometric == PHOTOMETRIC_PALETTE)
            throw FormatError(where + ": palette TIFF is not supported");
        if (TIFFIsTiled(tif.get()))
            throw FormatError(where + ": tiled TIFF is not supported (use strips)");
        if (page == 0) {
            image.width = int(width);
            image.height = int(height);
            image.bitDepth = bits;
        } else if (int(width) != image.width || int(height) != image.height) {
            throw FormatError(where + ": size " + std::to_string(width) + " x " +
                              std::to_string(height) + " differs from page 1 (" +
                              std::to_string(image.width) + " x " + std::to_string(image.height) +
                              ")");
        }
        checkSize(where, width, height, uint64_t(image.channels) + spp);
        const int first = image.channels;
        image.channels += spp;
        image.values.resize(std::size_t(image.channels) * height * width, 0.0f);
        const bool invert = photometric == PHOTOMETRIC_MINISWHITE;
        const tmsize_t lineBytes = TIFFScanlineSize(tif.get());
        const tmsize_t need =
            tmsize_t(width) * (planar == PLANARCONFIG_CONTIG ? spp : 1) * bits / 8;
        if (lineBytes < need)
            throw FormatError(where + ": scanline size " + std::to_string(lineBytes) +
                              " is smaller than the image needs");
        std::vector<unsigned char> line(std::size_t(lineBytes) + 2);
        const int planes = planar == PLANARCONFIG_CONTIG ? 1 : spp;
        for (int plane = 0; plane < planes; ++plane)
            for (uint32_t y = 0; y < height; ++y) {
                if (TIFFReadScanline(tif.get(), line.data(), y, uint16_t(plane)) < 0)
                    throw FormatError(where + ": cannot read row " + std::to_string(y) + " (" +
                                      tiffMessage + ")");
                if (planar == PLANARCONFIG_CONTIG)
                    storeRow(line.data(), bits, int(width), spp, first, int(y), int(height),
                             binarize, invert, image.values);
                else
                    storeRow(line.data(), bits, int(width), 1, first + plane, int(y), int(height),
                             binarize, invert, image.values);
            }
        ++page;
    } while (TIFFReadDirectory(tif.get()));
    return image;
}

bool parseBoolOption(const ReaderOptions& options, const std::string& key,
                     const std::string& reader) {
    const std::string v = toLower(options.get(key, ""));
    if (v == "1" || v == "true" || v == "yes" || v == "on")
        return true;
    if (v.empty() || v == "0" || v == "false" || v == "no" || v == "off")
        return false;
    throw ConfigError(reader + ": option '" + key + "' must be true or false, got '" +
                      options.get(key, "") + "'");
}

int64_t parseCountOption(const ReaderOptions& options, const std::string& key, int64_t fallback,
                         const std::string& reader) {
    const std::string text = options.get(key, "");
    if (text.empty())
        return fallback;
    double v = 0;
    if (!parseNumber(text, v) || !std::isfinite(v) || v < 0 || v != std::floor(v) || v > 9e15)
        throw ConfigError(reader + ": option '" + key + "' must be a non-negative integer, got '" +
                          text + "'");
    return int64_t(v);
}

double parseNumberOption(const ReaderOptions& options, const std::string& key, double fallback,
                         double lo, double hi, const std::string& reader) {
    const std::string text = options.get(key, "");
    if (text.empty())
        return fallback;
    double v = 0;
    if (!parseNumber(text, v) || !std::isfinite(v) || v < lo || v > hi)
        throw ConfigError(reader + ": option '" + key + "' must be a number in [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + text + "'");
    return v;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos)
            end = text.size();
        const auto part = trim(std::string_view(text).substr(start, end - start));
        if (!part.empty())
            out.emplace_back(part);
        start = end + 1;
    }
    return out;
}

std::set<std::string> parseLabelSubset(const std::string& text, const std::string& reader) {
    std::set<std::string> out;
    for (const std::string& part : splitList(text)) {
        const auto dash = part.find('-', 1); // a leading '-' is a sign
        double lo = 0, hi = 0;
        if (dash != std::string::npos && parseNumber(part.substr(0, dash), lo) &&
            parseNumber(part.substr(dash + 1), hi)) {
            if (lo != std::floor(lo) || hi != std::floor(hi) || hi < lo || hi - lo > 100000)
                throw ConfigError(reader + ": option 'labels': range '" + part +
                                  "' must be integers from low to high");
            for (double v = lo; v <= hi; ++v)
                out.insert(std::to_string(int64_t(v)));
            continue;
        }
        double v = 0;
        if (parseNumber(part, v) && std::isfinite(v) && v == std::floor(v))
            out.insert(std::to_string(int64_t(v)));
        else
            out.insert(part);
    }
    if (!trim(text).empty() && out.empty())
        throw ConfigError(reader + ": option 'labels' lists no label: '" + text + "'");
    return out;
}

void checkKnownOptions(const ReaderOptions& options, const std::string& reader,
                       const std::vector<std::string>& known) {
    for (const auto& [key, value] : options.values) {
        bool found = false;
        for (const auto& k : known)
            found = found || k == key;
        if (!found) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            throw ConfigError(reader + ": unknown option '" + key + "' (known: " + list + ")");
        }
    }
}

} // namespace embedscope::plugins
