// Reader "detector-events": points grouped by event id and rasterized (pixels checked by hand
// on a 4 x 4 grid), constant columns as metadata, side table, HDF5 columns; missing columns,
// NaN and side-table events without points are errors naming the file.
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include "../app/cli_runner.h"

#include <QtTest/QtTest>

#include "expect_error.h"

// The tests' include path lacks HDF5's; Debian keeps the serial headers here.
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#else
#include <hdf5/serial/hdf5.h>
#endif
#include <nlohmann/json.hpp>

#include <fstream>

using namespace embedscope;

namespace {

const Reader& reader() {
    return ReaderRegistry::instance().byName("detector-events");
}

/// Pixel (row, col) of sample i of a 1 x H x W image set.
float pixel(const Dataset& d, std::size_t i, int row, int col) {
    return d.sample(i)[row * d.sampleShape[2] + col];
}

void writeColumn(hid_t group, const char* name, const std::vector<double>& values, hid_t type) {
    const hsize_t n = values.size();
    hid_t space = H5Screate_simple(1, &n, nullptr);
    hid_t set = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(set);
    H5Sclose(space);
}

} // namespace

class TestEventReader : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string write(const QString& name, const std::string& text) {
        const std::string path = dir_.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    Dataset read(const std::string& path, std::map<std::string, std::string> values = {},
                 const std::string& side = "") {
        ReaderOptions options;
        options.values = std::move(values);
        options.metadataPath = side;
        return reader().read({path}, options, JobContext());
    }

    // Event a: charge 2 + 2 at (0.5, 3.5) -> row 0, col 0; 1 at (1.5, 3.5) -> row 0, col 1.
    // Event b: charge 3 at (3.5, 0.5) -> row 3, col 3. Rows interleaved; `pad` varies in a.
    const std::string events_ = "event,x,y,t,charge,label,pad\n"
                                "a,0.5,3.5,10,2,proton,1\n"
                                "b,3.5,0.5,11,3,carbon,7\n"
                                "a,1.5,3.5,12,1,proton,2\n"
                                "a,0.5,3.5,13,2,proton,3\n";

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        plugins::registerBuiltinReaders();
    }

    void csvRasterized() {
        const auto path = write("events.csv", events_);
        QCOMPARE(reader().score(path), 85);
        QCOMPARE(&ReaderRegistry::instance().choose(path), &reader());
        const Dataset d = read(path, {{"size", "4"}, {"extent", "0,4,0,4"}});
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 4, 4}));
        QCOMPARE(d.sampleCount(), std::size_t(2));
        QCOMPARE(d.metadata.column("event").strings, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(d.metadata.column("points").numbers, (std::vector<double>{3, 1}));
        QCOMPARE(d.metadata.column("label").strings,
                 (std::vector<std::string>{"proton", "carbon"}));
        QVERIFY(!d.metadata.has("pad"));
        QVERIFY(!d.metadata.has("t"));
        float sumA = 0, sumB = 0;
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
                sumA += pixel(d, 0, r, c);
                sumB += pixel(d, 1, r, c);
            }
        QCOMPARE(pixel(d, 0, 0, 0), 1.0f);
        QCOMPARE(pixel(d, 0, 0, 1), 0.25f);
        QCOMPARE(sumA, 1.25f);
        QCOMPARE(pixel(d, 1, 3, 3), 1.0f);
        QCOMPARE(sumB, 1.0f);
        const auto notes = nlohmann::json::parse(d.attributesJson);
        QCOMPARE(notes["varying_columns"], nlohmann::json({"pad"}));
        d.validate("test");

        const Dataset big = read(path);
        QCOMPARE(big.sampleShape, (std::vector<int64_t>{1, 128, 128}));
    }

    void sideTableAndColumns() {
        const auto path = write("side-events.csv", events_);
        const auto side = write("runs.csv", "id,run\nb,r2\na,r1\n");
        const Dataset d = read(path, {{"size", "4"}}, side);
        QCOMPARE(d.metadata.column("run").strings, (std::vector<std::string>{"r1", "r2"}));
        const auto extra = write("runs-extra.csv", "id,run\na,r1\nb,r2\nc,r3\n");
        expectError<DataError>([&] { read(path, {}, extra); },
                               {"runs-extra.csv", "'c'", "no points"});

        const auto renamed =
            write("renamed.csv", "id,px,py,q\n1,0.5,0.5,1\n1,1.5,1.5,1\n2,0.5,1.5,2\n");
        QCOMPARE(reader().score(renamed), 0);
        const Dataset r = read(renamed, {{"event_column", "id"},
                                         {"x_column", "px"},
                                         {"y_column", "py"},
                                         {"charge_column", "q"},
                                         {"size", "2"},
                                         {"extent", "0,2,0,2"}});
        QCOMPARE(r.sampleCount(), std::size_t(2));
        QVERIFY(r.metadata.column("event").numeric);
        QCOMPARE(r.metadata.column("event").numbers, (std::vector<double>{1, 2}));
        // (0.5, 0.5) -> row 1 (rows count from the top), col 0; (1.5, 1.5) -> row 0, col 1.
        QCOMPARE(pixel(r, 0, 1, 0), 1.0f);
        QCOMPARE(pixel(r, 0, 0, 1), 1.0f);
        QCOMPARE(pixel(r, 0, 0, 0), 0.0f);
        QCOMPARE(pixel(r, 1, 0, 0), 1.0f);
    }

    void badInput() {
        const auto noCharge = write("nocharge.csv", "event,x,y,t\n1,0,0,0\n");
        expectError<FormatError>([&] { read(noCharge); }, {"nocharge.csv", "'charge'"});
        const auto nan = write("nan.csv", "event,x,y,charge\n1,0,0,1\n1,nan,0,1\n");
        expectError<DataError>([&] { read(nan); }, {"nan.csv", "line 3", "'x'", "NaN"});
        const auto text = write("text.csv", "event,x,y,charge\n1,0,zero,1\n");
        expectError<DataError>([&] { read(text); }, {"text.csv", "line 2", "'y'"});
        const auto header = write("header.csv", "event,x,y,charge\n");
        expectError<DataError>([&] { read(header); }, {"header.csv", "no events"});
        const auto ok = write("ok.csv", "event,x,y,charge\n1,0,0,1\n");
        expectError<ConfigError>([&] { read(ok, {{"extent", "1,0,0,1"}}); }, {"extent"});
        expectError<ConfigError>([&] { read(ok, {{"size", "0"}}); }, {"size"});
        expectError<ConfigError>([&] { read(ok, {{"colour", "red"}}); }, {"colour"});
    }

    void hdf5Columns() {
        const std::string path = dir_.filePath("events.h5").toStdString();
        {
            hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            hid_t group = H5Gcreate2(file, "ev", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            writeColumn(group, "event", {5, 5, 6}, H5T_STD_I32LE);
            writeColumn(group, "x", {0.5, 1.5, 1.5}, H5T_IEEE_F32LE);
            writeColumn(group, "y", {1.5, 1.5, 0.5}, H5T_IEEE_F32LE);
            writeColumn(group, "t", {0, 1, 2}, H5T_IEEE_F64LE);
            writeColumn(group, "charge", {1, 3, 2}, H5T_IEEE_F64LE);
            writeColumn(group, "label", {0, 0, 1}, H5T_STD_I8LE);
            H5Gclose(group);
            H5Fclose(file);
        }
        const Dataset d = read(path, {{"group", "/ev"}, {"size", "2"}, {"extent", "0,2,0,2"}});
        QCOMPARE(d.sampleCount(), std::size_t(2));
        QCOMPARE(d.metadata.column("event").numbers, (std::vector<double>{5, 6}));
        QCOMPARE(d.metadata.column("label").numbers, (std::vector<double>{0, 1}));
        QCOMPARE(pixel(d, 0, 0, 0), 1.0f / 3.0f);
        QCOMPARE(pixel(d, 0, 0, 1), 1.0f);
        QCOMPARE(pixel(d, 1, 1, 1), 1.0f);
        expectError<FormatError>([&] { read(path); }, {"events.h5", "'/event'", "/ev/x"});
    }

    void throughTheCli() {
        if (!QFile::exists(QStringLiteral(EMBEDSCOPE_CLI_PATH)))
            QSKIP("embedscope-cli is not built");
        const auto path = write("cli-events.csv", events_);
        const CliResult r = runCli({"import", QString::fromStdString(path), "--out",
                                    dir_.filePath("cli.h5"), "--option", "size=16", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["reader"].toString(), QString("detector-events"));
        QCOMPARE(r.json["samples"].toInt(), 2);
        QCOMPARE(r.json["shape"].toArray().at(2).toInt(), 16);
    }
};

QTEST_GUILESS_MAIN(TestEventReader)
#include "test_event_reader.moc"
