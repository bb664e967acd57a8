// writeGrayTiff (cell_plates.h): gray 8- or 16-bit pages through libtiff, uncompressed strips,
// one page per channel, readable by the plugins' decodeTiff and by any TIFF tool.
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/error.h"

#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace embedscope {
namespace {

struct TiffCloser {
    void operator()(TIFF* t) const {
        if (t)
            TIFFClose(t);
    }
};

// libtiff reports through global handlers; keep it quiet and report by exception instead.
void silentHandler(const char*, const char*, va_list) {}

} // namespace

void writeGrayTiff(const std::string& path, int width, int height, int bitDepth,
                   const std::vector<std::vector<float>>& pages) {
    if (bitDepth != 8 && bitDepth != 16)
        throw ConfigError(path + ": TIFF bit depth " + std::to_string(bitDepth) +
                          " must be 8 or 16");
    if (pages.empty() || width < 1 || height < 1)
        throw ConfigError(path + ": no page or an empty image to write");
    const std::size_t plane = std::size_t(width) * height;
    for (std::size_t p = 0; p < pages.size(); ++p)
        if (pages[p].size() != plane)
            throw ConfigError(path + ": page " + std::to_string(p + 1) + " holds " +
                              std::to_string(pages[p].size()) + " values, " +
                              std::to_string(width) + " x " + std::to_string(height) + " expected");
    TIFFSetErrorHandler(silentHandler);
    TIFFSetWarningHandler(silentHandler);
    std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(path.c_str(), "w"));
    if (!tif)
        throw IoError(path + ": cannot create the TIFF file");
    const double full = bitDepth == 16 ? 65535.0 : 255.0;
    const std::size_t bytes = std::size_t(bitDepth / 8);
    std::vector<unsigned char> row(std::size_t(width) * bytes);
    for (std::size_t p = 0; p < pages.size(); ++p) {
        TIFF* t = tif.get();
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, uint32_t(width));
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, uint32_t(height));
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, uint16_t(1));
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, uint16_t(bitDepth));
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
        if (pages.size() > 1) {
            TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(t, TIFFTAG_PAGENUMBER, uint16_t(p), uint16_t(pages.size()));
        }
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const float v = pages[p][std::size_t(y) * width + x];
                const double clamped = std::isfinite(v) ? std::clamp(double(v), 0.0, 1.0) : 0.0;
                const auto q = uint32_t(std::lround(clamped * full));
                if (bytes == 2) {
                    const uint16_t s = uint16_t(q);
                    std::copy_n(reinterpret_cast<const unsigned char*>(&s), 2, &row[2 * x]);
                } else {
                    row[x] = static_cast<unsigned char>(q);
                }
            }
            if (TIFFWriteScanline(t, row.data(), uint32_t(y), 0) < 0)
                throw IoError(path + ": cannot write row " + std::to_string(y) + " of page " +
                              std::to_string(p + 1));
        }
        if (!TIFFWriteDirectory(t))
            throw IoError(path + ": cannot write page " + std::to_string(p + 1));
    }
}

} // namespace embedscope
