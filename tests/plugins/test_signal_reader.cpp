// Reader "signal": CSV (rows, columns, header detection, metadata columns), NPY written byte by
// byte here (dtypes, endianness, Fortran order, versions) and HDF5 data sets, read back
// exactly; ragged rows, NaN, empty and truncated input are errors naming file, trace, position.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
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

#include <cmath>
#include <cstring>
#include <fstream>

using namespace embedscope;

namespace {

const Reader& reader() {
    return ReaderRegistry::instance().byName("signal");
}

/// An NPY file: magic, version, header dict padded with spaces to a multiple of 64, data.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data,
                bool fortran = false, int major = 1) {
    std::string dict = "{'descr': '" + descr +
                       "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
    const std::size_t prefix = major == 1 ? 10 : 12;
    while ((prefix + dict.size() + 1) % 64 != 0)
        dict += ' ';
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += char(major);
    out += '\0';
    const uint32_t len = uint32_t(dict.size());
    out += char(len & 0xff);
    out += char((len >> 8) & 0xff);
    if (major != 1) {
        out += char((len >> 16) & 0xff);
        out += char((len >> 24) & 0xff);
    }
    return out + dict + data;
}

template <class T> std::string bytes(const std::vector<T>& values, bool bigEndian = false) {
    std::string out;
    for (T v : values) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        if (bigEndian)
            std::reverse(b, b + sizeof(T));
        out.append(b, sizeof(T));
    }
    return out;
}

std::vector<float> trace(const Dataset& d, std::size_t i) {
    return std::vector<float>(d.sample(i), d.sample(i) + d.sampleSize());
}

} // namespace

class TestSignalReader : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string write(const QString& name, const std::string& text) {
        const std::string path = dir_.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    Dataset read(const std::vector<std::string>& paths,
                 std::map<std::string, std::string> values = {}, const std::string& side = "") {
        ReaderOptions options;
        options.values = std::move(values);
        options.metadataPath = side;
        return reader().read(paths, options, JobContext());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        plugins::registerBuiltinReaders();
    }

    void csvRows() {
        const auto path = write("rows.csv", "cell,t0,t1,t2,t3\n"
                                            "A,0.5,0.25,-1,2\n"
                                            "B,1,2,3,4\n");
        const Dataset d = read({path});
        QVERIFY(d.kind == DataKind::Signal);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 4}));
        QCOMPARE(trace(d, 0), (std::vector<float>{0.5f, 0.25f, -1, 2}));
        QCOMPARE(trace(d, 1), (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(d.metadata.column("cell").strings, (std::vector<std::string>{"A", "B"}));
        QCOMPARE(d.metadata.column("trace").numbers, (std::vector<double>{0, 1}));
        d.validate("test");

        // A numeric metadata column named by option; no header: indices name columns.
        const auto gk = write("gk.csv", "gK,v0,v1,v2\n36,1,2,3\n30.5,4,5,6\n");
        const Dataset g = read({gk}, {{"metadata_columns", "gK"}});
        QCOMPARE(g.sampleShape, (std::vector<int64_t>{1, 3}));
        QVERIFY(g.metadata.column("gK").numeric);
        QCOMPARE(g.metadata.column("gK").numbers, (std::vector<double>{36, 30.5}));
        QCOMPARE(trace(g, 1), (std::vector<float>{4, 5, 6}));
        const auto plain = write("plain.csv", "7,1,2,3\n8,4,5,6\n9,7,8,9\n");
        const Dataset p = read({plain}, {{"metadata_columns", "0"}});
        QCOMPARE(p.sampleCount(), std::size_t(3));
        QCOMPARE(trace(p, 2), (std::vector<float>{7, 8, 9}));
        QCOMPARE(p.metadata.column("column 0").numbers, (std::vector<double>{7, 8, 9}));
        // Two files concatenate; a side table joins on the trace index.
        const auto side = write("side.csv", "id,cond\n0,ctrl\n1,drug\n2,ctrl\n");
        const Dataset both = read({plain}, {{"metadata_columns", "0"}}, side);
        QCOMPARE(both.metadata.column("cond").strings,
                 (std::vector<std::string>{"ctrl", "drug", "ctrl"}));
    }

    void csvColumns() {
        const auto path = write("cols.csv", "time,a,b\n0,1,4\n0.01,2,5\n0.02,3,6\n");
        const Dataset d = read({path}, {{"orientation", "columns"}, {"metadata_columns", "time"}});
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 3}));
        QCOMPARE(d.sampleCount(), std::size_t(2));
        QCOMPARE(trace(d, 0), (std::vector<float>{1, 2, 3}));
        QCOMPARE(trace(d, 1), (std::vector<float>{4, 5, 6}));
        QCOMPARE(d.metadata.column("name").strings, (std::vector<std::string>{"a", "b"}));
    }

    void csvErrors() {
        const auto ragged = write("ragged.csv", "1,2,3\n4,5,6\n7,8\n");
        expectError<FormatError>([&] { read({ragged}); }, {"ragged.csv", "line 3", "ragged"});
        const auto nan = write("nan.csv", "1,2,3\n4,5,nan\n");
        expectError<DataError>([&] { read({nan}); },
                               {"nan.csv", "trace 1", "line 2", "position 2", "NaN"});
        const auto inf = write("inf.csv", "1,inf,3\n");
        expectError<DataError>([&] { read({inf}); }, {"inf.csv", "position 1", "infinite"});
        const auto empty = write("emptycell.csv", "1,,3\n4,5,6\n");
        expectError<DataError>([&] { read({empty}); }, {"emptycell.csv", "position 1", "empty"});
        const auto none = write("none.csv", "");
        expectError<DataError>([&] { read({none}); }, {"none.csv", "empty"});
        const auto text = write("text.csv", "a,b\nx,y\n");
        expectError<DataError>([&] { read({text}); }, {"text.csv", "no numeric"});
        const auto shortOne = write("short.csv", "1,2\n");
        const auto ok = write("ok.csv", "1,2,3\n");
        expectError<DataError>([&] { read({ok, shortOne}); }, {"short.csv", "2 points", "ok.csv"});
        expectError<ConfigError>(
            [&] {
                read({nan}, {{"orientation", "diagonal"}});
            },
            {"orientation"});
    }

    void npyFormats() {
        const auto f8 = write("f8.npy", npy("<f8", "(2, 3)", bytes<double>({1, 2, 3, 4, 5, 6.5})));
        QCOMPARE(reader().score(f8), 90);
        QCOMPARE(&ReaderRegistry::instance().choose(f8), &reader());
        const Dataset d = read({f8});
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 3}));
        QCOMPARE(trace(d, 1), (std::vector<float>{4, 5, 6.5f}));

        const Dataset one =
            read({write("f4.npy", npy("<f4", "(4,)", bytes<float>({1, -2, 3, 0.125f})))});
        QCOMPARE(one.sampleCount(), std::size_t(1));
        QCOMPARE(trace(one, 0), (std::vector<float>{1, -2, 3, 0.125f}));

        const Dataset big =
            read({write("i2.npy", npy(">i2", "(1, 3)", bytes<int16_t>({-300, 7, 1000}, true)))});
        QCOMPARE(trace(big, 0), (std::vector<float>{-300, 7, 1000}));
        const Dataset u1 =
            read({write("u1.npy", npy("|u1", "(3,)", bytes<uint8_t>({0, 200, 255})))});
        QCOMPARE(trace(u1, 0), (std::vector<float>{0, 200, 255}));
        // Fortran order: memory holds column by column.
        const Dataset fo = read(
            {write("fortran.npy", npy("<f8", "(2, 3)", bytes<double>({1, 4, 2, 5, 3, 6}), true))});
        QCOMPARE(trace(fo, 0), (std::vector<float>{1, 2, 3}));
        QCOMPARE(trace(fo, 1), (std::vector<float>{4, 5, 6}));
        const Dataset v2 = read(
            {write("v2.npy", npy("<i8", "(2, 1, 2)", bytes<int64_t>({-1, 2, 3, 4}), false, 2))});
        QCOMPARE(v2.sampleShape, (std::vector<int64_t>{1, 2}));
        QCOMPARE(trace(v2, 0), (std::vector<float>{-1, 2}));
        const Dataset half =
            read({write("f2.npy", npy("<f2", "(3,)", bytes<uint16_t>({0x3c00, 0xc000, 0x3555})))});
        QCOMPARE(trace(half, 0), (std::vector<float>{1, -2, float(0x155 + 1024) / 4096.0f}));
    }

    void npyErrors() {
        const auto cut = write("cut.npy", npy("<f8", "(10, 100)", bytes<double>({1, 2, 3})));
        expectError<FormatError>([&] { read({cut}); }, {"cut.npy", "truncated", "8000"});
        const auto huge = write("huge.npy", npy("<f8", "(4000000000, 4000000000)", ""));
        expectError<FormatError>([&] { read({huge}); }, {"huge.npy", "too large"});
        const auto magic = write("magic.npy", "PK\x03\x04 not numpy");
        QCOMPARE(reader().score(magic), 0);
        expectError<FormatError>([&] { read({magic}); }, {"magic.npy", "magic"});
        const auto cube =
            write("cube.npy", npy("<f4", "(2, 2, 2)", bytes<float>({1, 2, 3, 4, 5, 6, 7, 8})));
        expectError<FormatError>([&] { read({cube}); }, {"cube.npy", "(2, 2, 2)"});
        const auto complex = write("c16.npy", npy("<c16", "(1,)", std::string(16, '\0')));
        expectError<FormatError>([&] { read({complex}); }, {"c16.npy", "not supported"});
        const auto nan = write("nan.npy", npy("<f8", "(2, 2)", bytes<double>({1, 2, 3, NAN})));
        expectError<DataError>([&] { read({nan}); }, {"nan.npy", "trace 1", "position 1", "NaN"});
        const auto empty = write("empty.npy", npy("<f8", "(0, 5)", ""));
        expectError<DataError>([&] { read({empty}); }, {"empty.npy", "no values"});
    }

    void hdf5Datasets() {
        const std::string path = dir_.filePath("traces.h5").toStdString();
        {
            hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
            hid_t group = H5Gcreate2(file, "rec", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            const hsize_t dims[2] = {2, 3};
            hid_t space = H5Screate_simple(2, dims, nullptr);
            hid_t set = H5Dcreate2(group, "v", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT);
            const double values[6] = {1, 2, 3, 4, 5, 6};
            H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
            H5Dclose(set);
            const hsize_t n = 4;
            hid_t space1 = H5Screate_simple(1, &n, nullptr);
            hid_t ids = H5Dcreate2(file, "ids", H5T_STD_I32LE, space1, H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT);
            const int idValues[4] = {9, 8, 7, 6};
            H5Dwrite(ids, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, idValues);
            H5Dclose(ids);
            H5Sclose(space1);
            H5Sclose(space);
            H5Gclose(group);
            H5Fclose(file);
        }
        QCOMPARE(reader().score(path), 20);
        const Dataset d = read({path}, {{"dataset", "/rec/v"}});
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 3}));
        QCOMPARE(trace(d, 1), (std::vector<float>{4, 5, 6}));
        const Dataset cols = read({path}, {{"dataset", "/rec/v"}, {"orientation", "columns"}});
        QCOMPARE(cols.sampleShape, (std::vector<int64_t>{1, 2}));
        QCOMPARE(trace(cols, 2), (std::vector<float>{3, 6}));
        const Dataset ints = read({path}, {{"dataset", "ids"}});
        QCOMPARE(trace(ints, 0), (std::vector<float>{9, 8, 7, 6}));
        expectError<ConfigError>([&] { read({path}); }, {"traces.h5", "/rec/v", "/ids"});
        expectError<FormatError>(
            [&] {
                read({path}, {{"dataset", "/nope"}});
            },
            {"traces.h5", "'/nope'", "/rec/v"});

        // An embedscope data file belongs to the embedscope-h5 reader.
        Dataset small;
        small.name = "s";
        small.kind = DataKind::Signal;
        small.sampleShape = {1, 2};
        small.values = {1, 2};
        small.metadata.addNumbers("x", {1});
        const std::string project = dir_.filePath("project.h5").toStdString();
        ProjectFile::openOrCreate(project).writeDataset(small);
        expectError<ConfigError>([&] { read({project}); }, {"project.h5", "embedscope-h5"});
    }

    void throughTheCli() {
        if (!QFile::exists(QStringLiteral(EMBEDSCOPE_CLI_PATH)))
            QSKIP("embedscope-cli is not built");
        const auto path =
            write("cli.npy", npy("<f4", "(3, 4)", bytes<float>(std::vector<float>(12, 0.5f))));
        const CliResult r = runCli(
            {"import", QString::fromStdString(path), "--out", dir_.filePath("cli.h5"), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["reader"].toString(), QString("signal"));
        QCOMPARE(r.json["samples"].toInt(), 3);
        const CliResult bad =
            runCli({"import", QString::fromStdString(write("bad.csv", "1,2\n3\n")), "--reader",
                    "signal", "--out", dir_.filePath("bad.h5")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("bad.csv") && bad.err.contains("line 2"), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TestSignalReader)
#include "test_signal_reader.moc"
