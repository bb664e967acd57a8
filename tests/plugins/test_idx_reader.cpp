// Reader "idx": hand-written IDX files (plain and gzip) read back exactly, the options, every
// bad header case, the real Fashion-MNIST files of Debian's dataset-fashion-mnist, and the CLI.
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include "../app/cli_runner.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <fstream>
#include <map>

using namespace embedscope;

namespace {

const Reader& idx() {
    return ReaderRegistry::instance().byName("idx");
}

/// The big-endian IDX header: magic 0x0000 08 <ndims>, then the sizes.
std::string header(int ndims, const std::vector<uint32_t>& dims) {
    std::string out{'\0', '\0', '\x08', char(ndims)};
    for (uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(char((d >> shift) & 0xff));
    return out;
}

/// n images of rows x cols, pixel k of image i = (i * 40 + k * 7) % 256.
std::string images(uint32_t n, uint32_t rows, uint32_t cols) {
    std::string out = header(3, {n, rows, cols});
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t k = 0; k < rows * cols; ++k)
            out.push_back(char((i * 40 + k * 7) % 256));
    return out;
}

std::string labels(const std::vector<int>& values) {
    std::string out = header(1, {uint32_t(values.size())});
    for (int v : values)
        out.push_back(char(v));
    return out;
}

Dataset readIdx(const std::vector<std::string>& paths,
                std::map<std::string, std::string> values = {}) {
    ReaderOptions options;
    options.values = std::move(values);
    return idx().read(paths, options, JobContext());
}

} // namespace

class TestIdxReader : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string path(const QString& name) { return dir_.filePath(name).toStdString(); }

    std::string write(const QString& name, const std::string& bytes) {
        std::ofstream(path(name), std::ios::binary) << bytes;
        return path(name);
    }

    std::string writeGz(const QString& name, const std::string& bytes) {
        gzFile f = gzopen(path(name).c_str(), "wb");
        gzwrite(f, bytes.data(), unsigned(bytes.size()));
        gzclose(f);
        return path(name);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        plugins::registerBuiltinReaders();
    }

    void plainAndGzipExact() {
        const auto img = write("train-images-idx3-ubyte", images(3, 2, 3));
        write("train-labels-idx1-ubyte", labels({5, 0, 4}));
        writeGz("t10k-images-idx3-ubyte.gz", images(3, 2, 3));
        writeGz("t10k-labels-idx1-ubyte.gz", labels({7, 2, 1}));
        const auto gz = path("t10k-images-idx3-ubyte.gz");
        QCOMPARE(idx().score(img), 95);
        QCOMPARE(idx().score(gz), 95);
        QCOMPARE(idx().score(path("train-labels-idx1-ubyte")), 60);
        QCOMPARE(&ReaderRegistry::instance().choose(gz), &idx());

        // Labels found next to the images by name.
        const Dataset d = readIdx({img}, {{"val_fraction", "0"}});
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 2, 3}));
        QCOMPARE(d.sampleCount(), std::size_t(3));
        for (int i = 0; i < 3; ++i)
            for (int k = 0; k < 6; ++k)
                QCOMPARE(d.sample(i)[k], float((i * 40 + k * 7) % 256) / 255.0f);
        QCOMPARE(d.metadata.column("label").numbers, (std::vector<double>{5, 0, 4}));
        QCOMPARE(d.metadata.column("split").strings,
                 (std::vector<std::string>{"train", "train", "train"}));
        QVERIFY(!d.metadata.has("label_name"));
        d.validate("test");

        const Dataset g = readIdx({gz});
        QCOMPARE(g.values, d.values);
        QCOMPARE(g.metadata.column("label").numbers, (std::vector<double>{7, 2, 1}));
        QCOMPARE(g.metadata.column("split").strings,
                 (std::vector<std::string>{"test", "test", "test"}));
    }

    void optionsAndConcatenation() {
        std::vector<int> trainLabels, testLabels;
        for (int i = 0; i < 40; ++i)
            trainLabels.push_back(i % 10);
        for (int i = 0; i < 10; ++i)
            testLabels.push_back(9 - i);
        const auto train = write("fashion-train-images-idx3-ubyte", images(40, 2, 2));
        const auto trainLab = write("fashion-train-labels-idx1-ubyte", labels(trainLabels));
        const auto test = writeGz("fashion-t10k-images-idx3-ubyte.gz", images(10, 2, 2));
        const auto testLab = writeGz("fashion-t10k-labels-idx1-ubyte.gz", labels(testLabels));

        // Labels 0-3 only: 16 train + 4 test; val = round(0.25 * 16) = 4 of the train ones.
        const Dataset d = readIdx({train, test, trainLab, testLab},
                                  {{"labels", "0-3"}, {"val_fraction", "0.25"}});
        QCOMPARE(d.sampleCount(), std::size_t(20));
        std::map<std::string, int> splits;
        for (const auto& s : d.metadata.column("split").strings)
            ++splits[s];
        QCOMPARE(splits["train"], 12);
        QCOMPARE(splits["val"], 4);
        QCOMPARE(splits["test"], 4);
        for (double label : d.metadata.column("label").numbers)
            QVERIFY(label >= 0 && label <= 3);
        // The 17th sample is the first test one kept: test row 6 (label 9 - 6 = 3).
        QCOMPARE(d.metadata.column("index").numbers[16], 6.0);
        QCOMPARE(d.sample(16)[1], float((6 * 40 + 7) % 256) / 255.0f);
        QCOMPARE(d.metadata.column("label_name").strings[16], std::string("Dress"));
        QCOMPARE(d.metadata.column("label_name").strings[0], std::string("T-shirt/top"));
        // The same seed gives the same val rows; "0,1,2,3" is the same subset.
        const Dataset again = readIdx({train, test, trainLab, testLab},
                                      {{"labels", "0,1,2,3"}, {"val_fraction", "0.25"}});
        QCOMPARE(again.metadata.column("split").strings, d.metadata.column("split").strings);

        // binarize: byte >= 127 -> 1 (seed 001 §3.1.1). Image 3 holds 120, 127, 134, 141.
        const Dataset b = readIdx({train}, {{"binarize", "true"}, {"limit", "5"}});
        QCOMPARE(b.sampleCount(), std::size_t(5));
        QCOMPARE(std::vector<float>(b.sample(3), b.sample(3) + 4),
                 (std::vector<float>{0, 1, 1, 1}));
        QCOMPARE(std::vector<float>(b.sample(4), b.sample(4) + 4),
                 (std::vector<float>{1, 1, 1, 1}));

        expectError<ConfigError>([&] { readIdx({train}, {{"labels", "3-1"}}); }, {"labels"});
        expectError<ConfigError>([&] { readIdx({train}, {{"bogus", "1"}}); }, {"bogus"});
        expectError<DataError>(
            [&] {
                readIdx({train}, {{"labels", "200"}});
            },
            {"fashion-train-images", "no samples"});
    }

    void badHeaders() {
        const auto magic = write("magic-images-idx3-ubyte",
                                 std::string("\x00\x00\x09\x03", 4) + images(1, 2, 2).substr(4));
        expectError<FormatError>([&] { readIdx({magic}); }, {"magic-images", "magic number"});
        const auto twoDims = write("two-images-idx3-ubyte", header(2, {4, 4}) + std::string(16, 1));
        expectError<FormatError>([&] { readIdx({twoDims}); }, {"two-images", "2 dimensions"});
        const auto empty = write("empty-images-idx3-ubyte", "");
        expectError<FormatError>([&] { readIdx({empty}); }, {"empty-images", "truncated"});
        QCOMPARE(idx().score(empty), 0);

        // Truncated data, plain and gzip; a huge declared count fails without allocating.
        const std::string cut = images(4, 3, 3).substr(0, 16 + 20);
        const auto plain = write("cut-images-idx3-ubyte", cut);
        expectError<FormatError>([&] { readIdx({plain}); }, {"cut-images", "truncated", "36"});
        const auto gz = writeGz("cutgz-images-idx3-ubyte.gz", cut);
        expectError<FormatError>([&] { readIdx({gz}); }, {"cutgz-images", "truncated"});
        const std::string huge = header(3, {0xffffffffu, 28, 28}) + std::string(784, 3);
        const auto hugePlain = write("huge-images-idx3-ubyte", huge);
        expectError<FormatError>([&] { readIdx({hugePlain}); }, {"huge-images", "truncated"});
        const auto hugeGz = writeGz("hugegz-images-idx3-ubyte.gz", huge);
        expectError<FormatError>([&] { readIdx({hugeGz}); }, {"hugegz-images", "truncated"});
        const auto zero = write("zero-images-idx3-ubyte", header(3, {1, 0, 28}));
        expectError<FormatError>([&] { readIdx({zero}); }, {"zero-images", "out of range"});
        // Corrupt gzip stream after a valid gzip header.
        std::string gzBytes;
        {
            writeGz("tmp.gz", images(50, 8, 8));
            std::ifstream in(path("tmp.gz"), std::ios::binary);
            gzBytes.assign(std::istreambuf_iterator<char>(in), {});
            for (std::size_t k = 30; k < gzBytes.size(); k += 3)
                gzBytes[k] = char(~gzBytes[k]);
        }
        const auto corrupt = write("corrupt-images-idx3-ubyte.gz", gzBytes);
        try {
            readIdx({corrupt});
            QFAIL("no exception");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("corrupt-images") != std::string::npos, e.what());
        }

        // Labels: count differs, or the file next to it is not a labels file.
        const auto img = write("mis-images-idx3-ubyte", images(3, 2, 2));
        write("mis-labels-idx1-ubyte", labels({1, 2}));
        expectError<DataError>([&] { readIdx({img}); },
                               {"mis-labels-idx1-ubyte", "2 labels for 3 images"});
        const auto img2 = write("swap-images-idx3-ubyte", images(3, 2, 2));
        write("swap-labels-idx1-ubyte", images(3, 2, 2));
        expectError<FormatError>([&] { readIdx({img2}); },
                                 {"swap-labels-idx1-ubyte", "1 dimension"});
        // Mixed image sizes across files.
        const auto first = write("first-images-idx3-ubyte", images(1, 2, 2));
        const auto other = write("other-images-idx3-ubyte", images(1, 3, 3));
        expectError<DataError>([&] { readIdx({first, other}); }, {"other-images", "3 x 3"});
    }

    void realFashionMnist() {
        const QString root = "/usr/share/datasets/fashion-mnist/";
        if (!QFile::exists(root + "train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed "
                  "(installer/install-deps.sh installs it)");
        const std::string train = (root + "train-images-idx3-ubyte.gz").toStdString();
        const std::string test = (root + "t10k-images-idx3-ubyte.gz").toStdString();
        QElapsedTimer timer;
        timer.start();
        const Dataset d = readIdx({train, test});
        qInfo("read %zu Fashion-MNIST images in %lld ms", d.sampleCount(), timer.elapsed());
        QCOMPARE(d.name, std::string("fashion-mnist"));
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 28, 28}));
        QCOMPARE(d.sampleCount(), std::size_t(70000));
        std::map<std::string, int> splits;
        std::map<int, int> trainHistogram, testHistogram;
        const auto& split = d.metadata.column("split").strings;
        const auto& label = d.metadata.column("label").numbers;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            ++splits[split[i]];
            ++(split[i] == "test" ? testHistogram : trainHistogram)[int(label[i])];
        }
        QCOMPARE(splits["train"], 54000);
        QCOMPARE(splits["val"], 6000);
        QCOMPARE(splits["test"], 10000);
        QCOMPARE(int(trainHistogram.size()), 10);
        for (const auto& [cls, count] : trainHistogram)
            QCOMPARE(count, 6000);
        for (const auto& [cls, count] : testHistogram)
            QCOMPARE(count, 1000);
        // The first training image is an ankle boot (class 9), as the data set documents.
        QCOMPARE(label[0], 9.0);
        QCOMPARE(d.metadata.column("label_name").strings[0], std::string("Ankle boot"));
        float lo = 1, hi = 0;
        for (float v : d.values) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        QCOMPARE(lo, 0.0f);
        QCOMPARE(hi, 1.0f);
    }

    void throughTheCli() {
        if (!QFile::exists(QStringLiteral(EMBEDSCOPE_CLI_PATH)))
            QSKIP("embedscope-cli is not built");
        const auto img = write("cli-images-idx3-ubyte", images(6, 4, 4));
        write("cli-labels-idx1-ubyte", labels({0, 1, 2, 3, 4, 5}));
        const QString out = dir_.filePath("cli.h5");
        const CliResult r = runCli({"import", QString::fromStdString(img), "--out", out, "--option",
                                    "labels=0-3", "--option", "binarize=true", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["reader"].toString(), QString("idx"));
        QCOMPARE(r.json["samples"].toInt(), 4);
        QCOMPARE(r.json["split"].toString(), QString("given"));
        const CliResult bad =
            runCli({"import", QString::fromStdString(img), "--out", out, "--option", "limit=x"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("limit"), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "test_idx_reader.moc"
