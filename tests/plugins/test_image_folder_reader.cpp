// Reader "image-folder": PNG and TIFF files written here with libpng / libtiff (8-bit gray,
// 16-bit, RGB, gray+alpha, multi-page TIFF) read back exactly; the metadata CSV, label subset,
// binarize; mixed shapes, corrupt files and CSV rows for missing files are errors.
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include "../app/cli_runner.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>
#include <png.h>
#include <tiffio.h>

#include <cstdio>
#include <fstream>

using namespace embedscope;

namespace {

const Reader& reader() {
    return ReaderRegistry::instance().byName("image-folder");
}

/// Sample value s of pixel (x, y), channel c: distinct per position, within `full`.
uint32_t pattern(int x, int y, int c, uint32_t full) {
    return uint32_t(x * 37 + y * 101 + c * 59) * (full == 255 ? 1u : 257u) % (full + 1);
}

/// Writes an interleaved PNG with libpng (16-bit samples big-endian as PNG stores them).
void writePng(const std::string& path, int width, int height, int colorType, int depth) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, depth, colorType, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    const int channels = colorType == PNG_COLOR_TYPE_GRAY         ? 1
                         : colorType == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                         : colorType == PNG_COLOR_TYPE_RGB        ? 3
                                                                  : 4;
    const uint32_t full = depth == 16 ? 65535 : 255;
    std::vector<unsigned char> row(std::size_t(width) * channels * depth / 8);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c) {
                const uint32_t v = pattern(x, y, c, full);
                const std::size_t k = std::size_t(x) * channels + c;
                if (depth == 16) {
                    row[2 * k] = (v >> 8) & 0xff;
                    row[2 * k + 1] = v & 0xff;
                } else {
                    row[k] = v;
                }
            }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
}

/// Writes a TIFF with one page per entry of `pageChannels` (contiguous samples); page p's
/// channel c holds pattern(x, y, p * 10 + c).
void writeTiff(const std::string& path, int width, int height, int depth,
               const std::vector<int>& pageChannels) {
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    const uint32_t full = depth == 16 ? 65535 : 255;
    for (std::size_t p = 0; p < pageChannels.size(); ++p) {
        const int spp = pageChannels[p];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(width));
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(height));
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, uint16_t(spp));
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, uint16_t(depth));
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, uint32_t(1));
        if (pageChannels.size() > 1) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, uint16_t(p), uint16_t(pageChannels.size()));
        }
        std::vector<unsigned char> row(std::size_t(width) * spp * depth / 8);
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < spp; ++c) {
                    const uint32_t v = pattern(x, y, int(p) * 10 + c, full);
                    const std::size_t k = std::size_t(x) * spp + c;
                    if (depth == 16)
                        reinterpret_cast<uint16_t*>(row.data())[k] = uint16_t(v);
                    else
                        row[k] = uint8_t(v);
                }
            TIFFWriteScanline(tif, row.data(), uint32_t(y), 0);
        }
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
}

/// Value of channel c at (x, y) of sample i.
float at(const Dataset& d, std::size_t i, int c, int y, int x) {
    return d.sample(i)[(std::size_t(c) * d.sampleShape[1] + y) * d.sampleShape[2] + x];
}

} // namespace

class TestImageFolderReader : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string path(const QString& name) { return dir_.filePath(name).toStdString(); }
    std::string folder(const QString& name) {
        QDir(dir_.path()).mkpath(name);
        return path(name);
    }
    std::string write(const std::string& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

    Dataset read(const std::vector<std::string>& paths,
                 std::map<std::string, std::string> values = {}, const std::string& csv = "") {
        ReaderOptions options;
        options.values = std::move(values);
        options.metadataPath = csv;
        return reader().read(paths, options, JobContext());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        plugins::registerBuiltinReaders();
    }

    void pngExact_data() {
        QTest::addColumn<int>("colorType");
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("channels");
        QTest::newRow("gray8") << int(PNG_COLOR_TYPE_GRAY) << 8 << 1;
        QTest::newRow("gray16") << int(PNG_COLOR_TYPE_GRAY) << 16 << 1;
        QTest::newRow("gray+alpha8") << int(PNG_COLOR_TYPE_GRAY_ALPHA) << 8 << 2;
        QTest::newRow("rgb8") << int(PNG_COLOR_TYPE_RGB) << 8 << 3;
        QTest::newRow("rgba16") << int(PNG_COLOR_TYPE_RGB_ALPHA) << 16 << 4;
    }
    void pngExact() {
        QFETCH(int, colorType);
        QFETCH(int, depth);
        QFETCH(int, channels);
        const std::string dir = folder(QString("png-%1-%2").arg(colorType).arg(depth));
        writePng(dir + "/a.png", 5, 3, colorType, depth);
        QCOMPARE(reader().score(dir + "/a.png"), 80);
        QCOMPARE(reader().score(dir), 50);
        const Dataset d = read({dir});
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{channels, 3, 5}));
        const double full = depth == 16 ? 65535.0 : 255.0;
        for (int c = 0; c < channels; ++c)
            for (int y = 0; y < 3; ++y)
                for (int x = 0; x < 5; ++x)
                    QCOMPARE(at(d, 0, c, y, x), float(pattern(x, y, c, uint32_t(full)) / full));
        QCOMPARE(d.metadata.column("file").strings[0], std::string("a.png"));
    }

    void tiffExactAndMultiPage() {
        const std::string dir = folder("tiff");
        writeTiff(dir + "/stack.tif", 4, 3, 8, {1, 1, 1}); // three gray pages -> 3 channels
        writeTiff(dir + "/rgb16.tiff", 4, 3, 16, {3});
        QCOMPARE(reader().score(dir + "/stack.tif"), 80);
        const Dataset stack = read({dir + "/stack.tif"});
        QCOMPARE(stack.sampleShape, (std::vector<int64_t>{3, 3, 4}));
        for (int p = 0; p < 3; ++p)
            for (int y = 0; y < 3; ++y)
                for (int x = 0; x < 4; ++x)
                    QCOMPARE(at(stack, 0, p, y, x), float(pattern(x, y, p * 10, 255) / 255.0));
        const Dataset both = read({dir}); // rgb16.tiff sorts before stack.tif
        QCOMPARE(both.sampleCount(), std::size_t(2));
        QCOMPARE(both.metadata.column("file").strings,
                 (std::vector<std::string>{"rgb16.tiff", "stack.tif"}));
        QCOMPARE(at(both, 0, 2, 2, 3), float(pattern(3, 2, 2, 65535) / 65535.0));
        // binarize: >= 127/255 of full scale.
        const Dataset bin = read({dir + "/stack.tif"}, {{"binarize", "1"}});
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 4; ++x)
                QCOMPARE(at(bin, 0, 1, y, x), pattern(x, y, 10, 255) >= 127 ? 1.0f : 0.0f);
    }

    void metadataCsvAndLabels() {
        const std::string dir = folder("labelled");
        for (const char* n : {"a.png", "b.png", "c.png", "d.png", "e.png"})
            writePng(dir + "/" + n, 2, 2, PNG_COLOR_TYPE_GRAY, 8);
        const std::string csv = write(path("labels.csv"), "file,label,plate\n"
                                                          "a.png,0,P1\n"
                                                          "b.png,5,P2\n"
                                                          "sub/c.png,3,P1\n"
                                                          "d.png,1,P3\n");
        // e.png has no row: skipped and counted.
        const Dataset d = read({dir}, {}, csv);
        QCOMPARE(d.sampleCount(), std::size_t(4));
        QCOMPARE(d.metadata.column("file").strings,
                 (std::vector<std::string>{"a.png", "b.png", "c.png", "d.png"}));
        QVERIFY(d.metadata.column("label").numeric);
        QCOMPARE(d.metadata.column("label").numbers, (std::vector<double>{0, 5, 3, 1}));
        QCOMPARE(d.metadata.column("plate").strings,
                 (std::vector<std::string>{"P1", "P2", "P1", "P3"}));
        QCOMPARE(nlohmann::json::parse(d.attributesJson)["skipped_without_row"].get<int>(), 1);

        const Dataset sub = read({dir}, {{"labels", "0-3"}, {"metadata", csv}});
        QCOMPARE(sub.metadata.column("file").strings,
                 (std::vector<std::string>{"a.png", "c.png", "d.png"}));
        const Dataset plates = read({dir}, {{"labels", "P1"}, {"label_column", "plate"}}, csv);
        QCOMPARE(plates.sampleCount(), std::size_t(2));

        const std::string missing = write(path("missing.csv"), "file,label\na.png,0\nzzz.png,1\n");
        expectError<DataError>([&] { read({dir}, {}, missing); },
                               {"missing.csv", "line 3", "zzz.png"});
        const std::string noFile = write(path("nofile.csv"), "name,label\na.png,0\n");
        expectError<FormatError>([&] { read({dir}, {}, noFile); }, {"nofile.csv", "'file'"});
        expectError<ConfigError>([&] { read({dir}, {{"labels", "1"}}); }, {"metadata CSV"});
    }

    void badImages() {
        const std::string dir = folder("mixed");
        writePng(dir + "/a.png", 4, 4, PNG_COLOR_TYPE_GRAY, 8);
        writePng(dir + "/b.png", 4, 5, PNG_COLOR_TYPE_GRAY, 8);
        expectError<DataError>([&] { read({dir}); }, {"b.png", "1 x 5 x 4", "a.png", "1 x 4 x 4"});
        const std::string rgb = folder("mixed-channels");
        writePng(rgb + "/a.png", 4, 4, PNG_COLOR_TYPE_GRAY, 8);
        writePng(rgb + "/b.png", 4, 4, PNG_COLOR_TYPE_RGB, 8);
        expectError<DataError>([&] { read({rgb}); }, {"b.png", "3 x 4 x 4", "1 x 4 x 4"});

        // A PNG cut in the middle of its data, one with garbage after the signature, a fake TIFF.
        const std::string bad = folder("corrupt");
        writePng(bad + "/whole.png", 40, 40, PNG_COLOR_TYPE_RGB, 8);
        std::ifstream in(bad + "/whole.png", std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        write(bad + "/cut.png", bytes.substr(0, bytes.size() / 2));
        expectError<FormatError>([&] { read({bad + "/cut.png"}); }, {"cut.png", "corrupt PNG"});
        write(bad + "/garbage.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(200, 'x'));
        expectError<FormatError>([&] { read({bad + "/garbage.png"}); }, {"garbage.png"});
        write(bad + "/fake.tif", "II*\0not really a tiff");
        expectError<FormatError>([&] { read({bad + "/fake.tif"}); }, {"fake.tif"});
        expectError<IoError>([&] { read({bad + "/absent.png"}); }, {"absent.png"});
        expectError<FormatError>([&] { read({path("labels.csv")}); }, {"labels.csv"});
    }

    void throughTheCli() {
        if (!QFile::exists(QStringLiteral(EMBEDSCOPE_CLI_PATH)))
            QSKIP("embedscope-cli is not built");
        const std::string dir = folder("cli");
        writePng(dir + "/x.png", 3, 3, PNG_COLOR_TYPE_GRAY, 8);
        writePng(dir + "/y.png", 3, 3, PNG_COLOR_TYPE_GRAY, 8);
        const std::string csv = write(path("cli.csv"), "file,label\nx.png,1\ny.png,2\n");
        const CliResult r =
            runCli({"import", QString::fromStdString(dir), "--reader", "image-folder", "--metadata",
                    QString::fromStdString(csv), "--out", dir_.filePath("cli.h5"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["samples"].toInt(), 2);
        QCOMPARE(r.json["reader"].toString(), QString("image-folder"));
    }
};

QTEST_GUILESS_MAIN(TestImageFolderReader)
#include "test_image_folder_reader.moc"
