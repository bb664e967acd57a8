// The built-in readers: trajectory-csv (values checked by hand) and embedscope-h5 (round trip).
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include "../../plugins/builtin/trajectory_rules.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace embedscope;

namespace {

const Reader& csvReader() {
    return ReaderRegistry::instance().byName("trajectory-csv");
}

/// Value of channel c (0 x, 1 y, 2 z) at step t of sample i.
float at(const Dataset& d, std::size_t i, int c, int64_t t) {
    return d.sample(i)[c * d.sampleShape[1] + t];
}

/// Rows "id,time,x,y,z" for one trajectory: x = x0 + k, y = 20, z = k % 2, at `rate` Hz.
std::string rows(const std::string& id, int count, double x0 = 10, double rate = 25) {
    std::string out;
    for (int k = 0; k < count; ++k)
        out += id + "," + std::to_string(k / rate) + "," + std::to_string(x0 + k) + ",20," +
               std::to_string(k % 2) + "\n";
    return out;
}

} // namespace

class TestBuiltinReaders : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::string write(const QString& name, const std::string& text) {
        const std::string path = dir_.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    Dataset readCsv(const std::string& path, std::map<std::string, std::string> values = {},
                    const std::string& metadataPath = "") {
        ReaderOptions options;
        options.values = std::move(values);
        options.metadataPath = metadataPath;
        return csvReader().read({path}, options, JobContext());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        plugins::registerBuiltinReaders();
        plugins::registerBuiltinReaders(); // idempotent
        int csv = 0, h5 = 0;
        for (const Reader* r : ReaderRegistry::instance().readers()) {
            csv += r->name() == "trajectory-csv";
            h5 += r->name() == "embedscope-h5";
        }
        QCOMPARE(csv, 1);
        QCOMPARE(h5, 1);
    }

    void scores() {
        const auto& registry = ReaderRegistry::instance();
        const auto good = write("good.csv", "id,time,x,y\nrat,0,1,1\n");
        const auto other = write("other.csv", "a,b\n1,2\n");
        const auto text = write("notes.txt", "id,time,x,y\n");
        const auto fakeH5 = write("fake.h5", "not hdf5 at all");
        QCOMPARE(csvReader().score(good), 80);
        QCOMPARE(csvReader().score(other), 10);
        QCOMPARE(csvReader().score(text), 0);
        QCOMPARE(csvReader().score(dir_.filePath("absent.csv").toStdString()), 10);
        QCOMPARE(registry.byName("embedscope-h5").score(fakeH5), 0);
        QCOMPARE(registry.byName("embedscope-h5").score(good), 0);
        QCOMPARE(&registry.choose(good), &csvReader());
    }

    void mappingAndShape() {
        const auto path = write("map.csv", "id,time,x,y,z\n"
                                           "a,0.00,0,40,0\n"
                                           "a,0.04,10,30,1\n"
                                           "a,0.08,20,20,1\n"
                                           "a,0.12,30,10,0\n"
                                           "a,0.16,40,0,0\n");
        const Dataset d = readCsv(path);
        QCOMPARE(d.name, std::string("map"));
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, 5}));
        QCOMPARE(d.sampleCount(), std::size_t(1));
        const float x[] = {-0.999f, -0.5f, 0.0f, 0.5f, 0.999f};
        const float z[] = {0, 1, 1, 0, 0};
        for (int t = 0; t < 5; ++t) {
            QCOMPARE(at(d, 0, 0, t), x[t]);
            QCOMPARE(at(d, 0, 1, t), x[4 - t]);
            QCOMPARE(at(d, 0, 2, t), z[t]);
        }
        QCOMPARE(d.metadata.column("id").strings[0], std::string("a"));

        // cage=20: x = 10 is the middle.
        const auto small = write("small.csv", "id,time,x,y\nc,0,0,5\nc,0.04,10,5\nc,0.08,20,5\n");
        const Dataset d20 = readCsv(small, {{"cage", "20"}});
        QCOMPARE(at(d20, 0, 0, 0), -0.999f);
        QCOMPARE(at(d20, 0, 0, 1), 0.0f);
        QCOMPARE(at(d20, 0, 0, 2), 0.999f);
        QCOMPARE(at(d20, 0, 1, 0), -0.5f);
    }

    void outsidePointsAreInterpolated() {
        // Rows out of order and interleaved; x = 55 (outside), y = NaN and an empty x are
        // invalid and become the midpoint of their neighbours; a leading invalid row copies
        // the first valid one.
        const auto path = write("gaps.csv", "id,time,x,y\n"
                                            "b,0.08,-3,20\n"
                                            "a,0.04,55,12\n"
                                            "a,0.00,10,10\n"
                                            "b,0.00,30,nan\n"
                                            "a,0.08,20,14\n"
                                            "b,0.04,20,20\n"
                                            "a,0.12,,16\n"
                                            "b,0.12,10,30\n"
                                            "a,0.16,40,18\n"
                                            "b,0.16,10,30\n");
        const Dataset d = readCsv(path);
        QCOMPARE(d.sampleCount(), std::size_t(2));
        QCOMPARE(d.metadata.column("id").strings, (std::vector<std::string>{"b", "a"}));
        // a: x = 10, (55 -> 15), 20, (empty -> 30), 40  in cm; mapped 2x/40 - 1.
        const float ax[] = {-0.5f, -0.25f, 0.0f, 0.5f, 0.999f};
        for (int t = 0; t < 5; ++t)
            QCOMPARE(at(d, 1, 0, t), ax[t]);
        // b: x = 30, 20, (-3 -> 15), 10, 10; y = (NaN -> 20), 20, 20, 30, 30.
        QCOMPARE(at(d, 0, 0, 2), -0.25f);
        QCOMPARE(at(d, 0, 1, 0), 0.0f);
        const auto notes = nlohmann::json::parse(d.attributesJson);
        QCOMPARE(notes["interpolated_positions"].get<int>(), 4);
    }

    void lengthRules() {
        // 5 steps: dropped; 8: padded to 10 with its last position; 12: cut to 10.
        const auto path = write("lengths.csv", "id,time,x,y,z\n" + rows("short", 5) +
                                                   rows("mid", 8) + rows("long", 12));
        const Dataset d = readCsv(path, {{"min_steps", "8"}, {"pad_to", "10"}});
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, 10}));
        QCOMPARE(d.metadata.column("id").strings, (std::vector<std::string>{"mid", "long"}));
        QCOMPARE(at(d, 0, 0, 7), float(2 * 17 / 40.0 - 1)); // last real step: x = 17
        QCOMPARE(at(d, 0, 0, 9), float(2 * 17 / 40.0 - 1)); // padded
        QCOMPARE(at(d, 0, 2, 9), 1.0f);                     // z padded with its last value
        QCOMPARE(at(d, 1, 0, 9), float(2 * 19 / 40.0 - 1)); // cut after x = 19
        const auto notes = nlohmann::json::parse(d.attributesJson);
        QCOMPARE(notes["dropped"], nlohmann::json({"short"}));
        QCOMPARE(notes["padded"], nlohmann::json({"mid"}));
        QCOMPARE(notes["cut"], nlohmann::json({"long"}));

        // Without rules, unequal lengths are an error naming the trajectories.
        expectError<DataError>([&] { readCsv(path); }, {"lengths.csv", "'short' 5", "'mid' 8"});
        expectError<DataError>(
            [&] {
                readCsv(path, {{"min_steps", "20"}});
            },
            {"lengths.csv", "min_steps"});
    }

    void ruleFunctions() {
        using namespace embedscope::plugins;
        QCOMPARE(seedLengthRules().minSteps, int64_t(83000));
        QCOMPARE(seedLengthRules().padTo, int64_t(90000));
        std::vector<std::vector<double>> c{std::vector<double>(83000, 1.0)};
        QVERIFY(applyLengthRules(c, seedLengthRules()) == LengthOutcome::Padded);
        QCOMPARE(c[0].size(), std::size_t(90000));
        c = {std::vector<double>(82999, 1.0)};
        QVERIFY(applyLengthRules(c, seedLengthRules()) == LengthOutcome::Dropped);
        c = {std::vector<double>(95000, 1.0)};
        QVERIFY(applyLengthRules(c, seedLengthRules()) == LengthOutcome::Cut);
        QCOMPARE(c[0].size(), std::size_t(90000));

        std::vector<double> v{0, 9, 9, 6, 9};
        QCOMPARE(interpolateInvalid(v, {false, true, false, false, true}), int64_t(3));
        QCOMPARE(v, (std::vector<double>{9, 9, 9, 9, 9}));
        v = {1, 2};
        QCOMPARE(interpolateInvalid(v, {false, false}), int64_t(-1));
        QCOMPARE(regularGrid(0, 0.2, 25).size(), std::size_t(6));
        QCOMPARE(resample({0, 1}, {0, 1}, {0, 0.25, 0.5, 0.75, 1}, true),
                 (std::vector<double>{0, 0, 0, 1, 1}));
    }

    void resampling() {
        // 50 Hz, x = 10 + 100 t cm over 0.2 s: at 25 Hz x is sampled at t = 0, 0.04, ..., 0.2.
        std::string text = "id,time,x,y,z\n";
        for (int k = 0; k <= 10; ++k) {
            const double t = k * 0.02;
            text += "r," + std::to_string(t) + "," + std::to_string(10 + 100 * t) + ",20," +
                    (k >= 5 ? "1" : "0") + "\n";
        }
        const Dataset d = readCsv(write("fast.csv", text));
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, 6}));
        for (int s = 0; s < 6; ++s)
            QVERIFY(std::fabs(at(d, 0, 0, s) - (2 * (10 + 100 * 0.04 * s) / 40 - 1)) < 1e-5);
        QCOMPARE(at(d, 0, 2, 2), 0.0f); // t = 0.08: row k = 4
        QCOMPARE(at(d, 0, 2, 3), 1.0f); // t = 0.12: row k = 6
        const auto notes = nlohmann::json::parse(d.attributesJson);
        QCOMPARE(notes["resampled_from_hz"], nlohmann::json({50.0}));
        // Asking for 50 Hz keeps every row.
        QCOMPARE(readCsv(write("fast.csv", text), {{"rate", "50"}}).sampleShape[1], int64_t(11));
    }

    void extraColumnsAndSideTable() {
        std::string text = "id,time,x,y,cohort,weight,note\n";
        for (const std::string id : {"r1", "r2"})
            for (int k = 0; k < 3; ++k)
                text += id + "," + std::to_string(k * 0.04) + "," + std::to_string(5 + k) + ",5," +
                        (id == "r1" ? "A" : "B") + "," + (id == "r1" ? "300" : "320.5") + "," +
                        std::to_string(k) + "\n";
        const auto path = write("extra.csv", text);
        const Dataset d = readCsv(path);
        QCOMPARE(d.metadata.column("cohort").strings, (std::vector<std::string>{"A", "B"}));
        QVERIFY(d.metadata.column("weight").numeric);
        QCOMPARE(d.metadata.column("weight").numbers, (std::vector<double>{300, 320.5}));
        QVERIFY(!d.metadata.has("note")); // not constant within a trajectory
        QCOMPARE(nlohmann::json::parse(d.attributesJson)["ignored_columns"],
                 nlohmann::json({"note"}));

        const auto side = write("side.csv", "substance,id,dose\n"
                                            "S1,r2,3\n"
                                            "\"control, saline\",r1,0\n"
                                            "S2,r9,1\n");
        const Dataset joined = readCsv(path, {}, side);
        QCOMPARE(joined.metadata.column("substance").strings,
                 (std::vector<std::string>{"control, saline", "S1"}));
        QCOMPARE(joined.metadata.column("dose").numbers, (std::vector<double>{0, 3}));
        QCOMPARE(nlohmann::json::parse(joined.attributesJson)["metadata_ids_without_trajectory"],
                 nlohmann::json({"r9"}));

        const auto partial = write("partial.csv", "id,substance\nr1,S1\n");
        expectError<DataError>([&] { readCsv(path, {}, partial); }, {"partial.csv", "'r2'"});
        const auto noId = write("noid.csv", "rat,substance\nr1,S1\n");
        expectError<FormatError>([&] { readCsv(path, {}, noId); }, {"noid.csv", "'id'"});
    }

    void errors() {
        const auto missing = write("missing.csv", "id,t,x\na,0,1\n");
        expectError<FormatError>([&] { readCsv(missing); },
                                 {"missing.csv", "'time'", "'y'", "present", "'t'"});
        const auto bad = write("bad.csv", "id,time,x,y\na,0,1,1\na,0.04,abc,1\n");
        expectError<FormatError>([&] { readCsv(bad); }, {"bad.csv", "line 3", "'x'", "abc"});
        const auto badTime = write("badtime.csv", "id,time,x,y\na,zero,1,1\n");
        expectError<FormatError>([&] { readCsv(badTime); }, {"badtime.csv", "line 2", "'time'"});
        const auto empty = write("empty.csv", "");
        expectError<FormatError>([&] { readCsv(empty); }, {"empty.csv", "empty"});
        const auto headerOnly = write("header.csv", "id,time,x,y\n");
        expectError<FormatError>([&] { readCsv(headerOnly); }, {"header.csv", "no data rows"});
        const auto ragged = write("ragged.csv", "id,time,x,y\na,0,1\n");
        expectError<FormatError>([&] { readCsv(ragged); }, {"ragged.csv", "line 2"});
        const auto lost = write("lost.csv", "id,time,x,y\nok,0,1,1\nok,0.04,1,1\n"
                                            "gone,0,-1,5\ngone,0.04,nan,5\n");
        expectError<DataError>([&] { readCsv(lost); }, {"lost.csv", "'gone'", "no valid"});
        const auto twice = write("twice.csv", "id,time,x,y\na,0,1,1\na,0,2,2\n");
        expectError<FormatError>([&] { readCsv(twice); }, {"twice.csv", "'a'", "two rows"});
        expectError<ConfigError>([&] { readCsv(bad, {{"colour", "red"}}); }, {"'colour'"});
        expectError<ConfigError>([&] { readCsv(bad, {{"cage", "-4"}}); }, {"'cage'"});
        expectError<IoError>([&] { readCsv(dir_.filePath("nope.csv").toStdString()); },
                             {"nope.csv"});
    }

    void embedscopeH5RoundTrip() {
        const auto csv = write(
            "trip.csv", "id,time,x,y,z,group\n" + [] {
                std::string t;
                for (const std::string id : {"a", "b"})
                    for (int k = 0; k < 4; ++k)
                        t += id + "," + std::to_string(k * 0.04) + "," + std::to_string(5 + k) +
                             ",7," + std::to_string(k % 2) + ",g" + id + "\n";
                return t;
            }());
        Dataset original = readCsv(csv);
        const std::string path = dir_.filePath("trip.h5").toStdString();
        auto file = ProjectFile::create(path, true);
        file.writeDataset(original);
        Dataset second = original;
        second.name = "second";
        second.values[0] = 0.25f;
        file.writeDataset(second);

        const Reader& h5 = ReaderRegistry::instance().byName("embedscope-h5");
        QCOMPARE(h5.score(path), 60);
        QCOMPARE(&ReaderRegistry::instance().choose(path), &h5);
        ReaderOptions options;
        options.values["dataset"] = "second";
        const Dataset back = h5.read({path}, options, JobContext());
        QCOMPARE(back.name, std::string("second"));
        QCOMPARE(back.sampleShape, original.sampleShape);
        QCOMPARE(back.values, second.values);
        QCOMPARE(back.metadata.column("group").strings, (std::vector<std::string>{"ga", "gb"}));

        const Dataset first = h5.read({path}, ReaderOptions(), JobContext());
        QVERIFY(first.name == "trip" || first.name == "second");

        options.values["dataset"] = "nope";
        expectError<DataError>([&] { h5.read({path}, options, JobContext()); },
                               {"trip.h5", "'nope'", "'second'"});
        options.values = {{"sheet", "1"}};
        expectError<ConfigError>([&] { h5.read({path}, options, JobContext()); }, {"'sheet'"});
    }
};

QTEST_GUILESS_MAIN(TestBuiltinReaders)
#include "test_builtin_readers.moc"
