// The "deeplabcut" reader on real DeepLabCut files (../shared/data/formats/deeplabcut, see its
// README: 116 / 451 / 100 / 97 / 962 frames) and on small hand-made files with known values.
// Real-file values are checked against the files' own text (CSV cells, h5dump output).
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace embedscope;

namespace {

const std::string kDir = std::string(EMBEDSCOPE_TEST_DATA_DIR) + "/formats/deeplabcut/";
const std::string kPranav = "DLCexample_openfield-Pranav_CollectedData_Pranav";
const std::string kArena = "deepof_testDLC_square_arena";
const std::string kMadlcH5 = "deepof_testDLC_h5_table_madlc";
const std::string kMadlcCsv = "deepof_testDLC_csv_table_madlc";
const std::string kEpm = "DLCAnalyzer_EPM_15DeepCut_resnet50_epmMay17shuffle1_1030000";

const Reader& dlc() {
    return ReaderRegistry::instance().byName("deeplabcut");
}

/// Channel c (0 x, 1 y, 2 z) at step t of sample i.
float at(const Dataset& d, std::size_t i, int c, int64_t t) {
    return d.sample(i)[c * d.sampleShape[1] + t];
}

/// x in [0, 1000] pixels mapped to (-1, 1) as the reader does with cage=0,0,1000,1000.
double px(double v) {
    return 2.0 * v / 1000.0 - 1.0;
}

using Options = std::map<std::string, std::string>;

/// Short recordings: no length rules; a fixed 1000 x 1000 px cage so values are hand-checkable.
Options shortOptions(Options extra = {}) {
    Options o{{"min_steps", "0"}, {"pad_to", "0"}, {"cage", "0,0,1000,1000"}};
    for (auto& [k, v] : extra)
        o[k] = v;
    return o;
}

Dataset read(const std::vector<std::string>& paths, Options values,
             const std::string& metadata = "") {
    ReaderOptions options;
    options.values = std::move(values);
    options.metadataPath = metadata;
    return dlc().read(paths, options, JobContext());
}

} // namespace

class TestDeepLabCutReader : public QObject {
    Q_OBJECT

    std::string tmp(const std::string& name, const std::string& text) {
        const std::string path = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/dlc_" + name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    static bool haveData() {
        return QFileInfo::exists(QString::fromStdString(kDir + kPranav + ".csv"));
    }

    // Two body parts a, b with likelihoods; a is unsure in frames 1, 2 (values 99 and 0 are
    // wrong on purpose), b in frame 2.
    std::string smallCsv() {
        return tmp("small.csv", "scorer,S,S,S,S,S,S\n"
                                "bodyparts,a,a,a,b,b,b\n"
                                "coords,x,y,likelihood,x,y,likelihood\n"
                                "0,10,10,0.9,30,30,0.9\n"
                                "1,99,10,0.1,40,35,0.95\n"
                                "2,0,10,0.2,50,30,0.3\n"
                                "3,40,10,0.9,60,40,0.9\n");
    }

private Q_SLOTS:
    void initTestCase() { plugins::registerBuiltinReaders(); }

    void frameCountsOfRealFiles() {
        if (!haveData())
            QSKIP("real DeepLabCut files absent (../shared/data/formats/deeplabcut)");
        const struct {
            std::string file;
            std::size_t samples;
            int64_t frames;
        } cases[] = {{kPranav + ".csv", 1, 116},  {kPranav + ".h5", 1, 116},
                     {kArena + ".h5", 1, 451},    {kMadlcH5 + ".h5", 2, 100},
                     {kMadlcCsv + ".csv", 2, 97}, {kEpm + ".csv", 1, 962}};
        for (const auto& c : cases) {
            QCOMPARE(dlc().score(kDir + c.file), 90);
            QCOMPARE(&ReaderRegistry::instance().choose(kDir + c.file), &dlc());
            const Dataset d = read({kDir + c.file}, shortOptions());
            QCOMPARE(d.sampleCount(), c.samples);
            QCOMPARE(d.sampleShape, (std::vector<int64_t>{3, c.frames}));
            for (int64_t t = 0; t < c.frames; ++t)
                QCOMPARE(at(d, 0, 2, t), 0.0f); // no rearing from DeepLabCut
        }
    }

    void bodyPartAndCentroidMatchTheFileText() {
        if (!haveData())
            QSKIP("real DeepLabCut files absent (../shared/data/formats/deeplabcut)");
        // First row of the Pranav CSV: snout 21.521,265.428; leftear 33.819,265.941;
        // rightear 19.984,250.05599999999998; tailbase 87.11,152.69799999999998.
        for (const std::string ext : {".csv", ".h5"}) {
            const Dataset snout =
                read({kDir + kPranav + ext}, shortOptions({{"bodypart", "snout"}}));
            QCOMPARE(snout.metadata.column("id").strings[0], kPranav);
            QCOMPARE(at(snout, 0, 0, 0), float(px(21.521)));
            QCOMPARE(at(snout, 0, 1, 0), float(px(265.428)));
            const Dataset centroid = read({kDir + kPranav + ext}, shortOptions());
            QCOMPARE(at(centroid, 0, 0, 0), float(px((21.521 + 33.819 + 19.984 + 87.11) / 4)));
            QCOMPARE(at(centroid, 0, 1, 0),
                     float(px((265.428 + 265.941 + 250.05599999999998 + 152.69799999999998) / 4)));
        }
        // The h5 and CSV copies of the Pranav labels give identical trajectories.
        const Dataset a = read({kDir + kPranav + ".csv"}, shortOptions());
        const Dataset b = read({kDir + kPranav + ".h5"}, shortOptions());
        QVERIFY(a.values == b.values);

        // h5dump of deepof_testDLC_square_arena.h5, row 0: Nose 225.902, 253.36, 0.999995.
        const Dataset arena = read({kDir + kArena + ".h5"}, shortOptions({{"bodypart", "Nose"}}));
        QVERIFY(std::fabs(at(arena, 0, 0, 0) - px(225.902)) < 1e-5);
        QVERIFY(std::fabs(at(arena, 0, 1, 0) - px(253.36)) < 1e-5);
        expectError<ConfigError>(
            [&] {
                read({kDir + kArena + ".h5"}, shortOptions({{"bodypart", "fin"}}));
            },
            {kArena, "'fin'", "'Nose'", "'Tail_base'", "centroid"});
    }

    void multiAnimal() {
        if (!haveData())
            QSKIP("real DeepLabCut files absent (../shared/data/formats/deeplabcut)");
        // h5dump /tracks/block0_values row 0: mouse_black_tail Nose 188.547, 379.996, 0.991.
        const Dataset h5 = read({kDir + kMadlcH5 + ".h5"}, shortOptions({{"bodypart", "Nose"}}));
        QCOMPARE(h5.metadata.column("id").strings,
                 (std::vector<std::string>{kMadlcH5 + "/mouse_black_tail",
                                           kMadlcH5 + "/mouse_white_tail"}));
        QCOMPARE(h5.metadata.column("individual").strings[1], std::string("mouse_white_tail"));
        QVERIFY(std::fabs(at(h5, 0, 0, 0) - px(188.547)) < 1e-5);
        QVERIFY(std::fabs(at(h5, 0, 1, 0) - px(379.996)) < 1e-5);
        // CSV with 4 header rows and ".1" scorer suffixes: same individuals, first Nose 188.547.
        const Dataset csv = read({kDir + kMadlcCsv + ".csv"}, shortOptions({{"bodypart", "Nose"}}));
        QCOMPARE(csv.metadata.column("individual").strings,
                 (std::vector<std::string>{"mouse_black_tail", "mouse_white_tail"}));
        QVERIFY(std::fabs(at(csv, 0, 0, 0) - px(188.547)) < 1e-5);
        // One individual on request.
        const Dataset one =
            read({kDir + kMadlcCsv + ".csv"}, shortOptions({{"individual", "mouse_white_tail"}}));
        QCOMPARE(one.sampleCount(), std::size_t(1));
        expectError<ConfigError>(
            [&] {
                read({kDir + kMadlcCsv + ".csv"}, shortOptions({{"individual", "cat"}}));
            },
            {kMadlcCsv, "'cat'", "'mouse_black_tail'"});
    }

    void likelihoodCutoffOnRealFile() {
        if (!haveData())
            QSKIP("real DeepLabCut files absent (../shared/data/formats/deeplabcut)");
        // EPM row 0: nose 556.3345530331135, 502.4065797328949, likelihood 0.00046: kept with a
        // cutoff of 0, replaced by interpolation with the default 0.6.
        const Dataset all =
            read({kDir + kEpm + ".csv"}, shortOptions({{"bodypart", "nose"}, {"likelihood", "0"}}));
        QCOMPARE(at(all, 0, 0, 0), float(px(556.3345530331135)));
        QCOMPARE(at(all, 0, 1, 0), float(px(502.4065797328949)));
        const Dataset sure = read({kDir + kEpm + ".csv"}, shortOptions({{"bodypart", "nose"}}));
        QVERIFY(at(sure, 0, 0, 0) != at(all, 0, 0, 0));
        QVERIFY(nlohmann::json::parse(sure.attributesJson)["interpolated_positions"].get<int>() >
                0);
        // The seed's length rules (the default) drop recordings this short.
        expectError<DataError>([&] { read({kDir + kEpm + ".csv"}, {}); },
                               {kEpm, "min_steps=83000"});
    }

    void likelihoodInterpolationByHand() {
        const auto path = smallCsv();
        const Options o{{"min_steps", "0"}, {"pad_to", "0"}, {"cage", "100"}};
        auto with = [&](Options extra) {
            Options all = o;
            for (auto& [k, v] : extra)
                all[k] = v;
            return read({path}, all);
        };
        // a: x = 10, (20), (30), 40 after interpolating the unsure frames; y = 10.
        const Dataset a = with({{"bodypart", "a"}});
        const float ax[] = {-0.8f, -0.6f, -0.4f, -0.2f};
        for (int t = 0; t < 4; ++t) {
            QCOMPARE(at(a, 0, 0, t), ax[t]);
            QCOMPARE(at(a, 0, 1, t), -0.8f);
        }
        QCOMPARE(nlohmann::json::parse(a.attributesJson)["interpolated_positions"].get<int>(), 2);
        // Centroid of the sure parts: (20,20), (40,35) b only, none -> (45,30), (50,25).
        const Dataset c = with({});
        const float cx[] = {-0.6f, -0.2f, -0.1f, 0.0f}, cy[] = {-0.6f, -0.3f, -0.4f, -0.5f};
        for (int t = 0; t < 4; ++t) {
            QCOMPARE(at(c, 0, 0, t), cx[t]);
            QCOMPARE(at(c, 0, 1, t), cy[t]);
        }
        // A cutoff of 0.05 trusts every frame: a's x = 99 stays.
        QCOMPARE(at(with({{"bodypart", "a"}, {"likelihood", "0.05"}}), 0, 0, 1), 0.98f);
        // 50 fps resampled to 25 Hz keeps frames 0 and 2.
        const Dataset slow = with({{"bodypart", "a"}, {"fps", "50"}});
        QCOMPARE(slow.sampleShape, (std::vector<int64_t>{3, 2}));
        QCOMPARE(at(slow, 0, 0, 1), -0.4f);
        // Without a cage the extent of the valid positions maps to (-1, 1).
        const Dataset extent =
            read({path}, {{"min_steps", "0"}, {"pad_to", "0"}, {"bodypart", "b"}});
        // b's sure frames span x [30, 60], y [30, 40]; frame 2 is interpolated to (50, 37.5).
        QCOMPARE(at(extent, 0, 0, 0), -0.999f);
        QCOMPARE(at(extent, 0, 0, 1), float(2.0 * 10 / 30 - 1));
        QCOMPARE(at(extent, 0, 0, 2), float(2.0 * 20 / 30 - 1));
        QCOMPARE(at(extent, 0, 1, 2), 0.5f);
        QCOMPARE(at(extent, 0, 0, 3), 0.999f);
    }

    void sideTableMetadata() {
        if (!haveData())
            QSKIP("real DeepLabCut files absent (../shared/data/formats/deeplabcut)");
        const auto meta = tmp("meta.csv", "id,experiment,rat,substance,dose\n" + kMadlcCsv +
                                              "/mouse_black_tail,E1,1,control,0\n" + kMadlcCsv +
                                              "/mouse_white_tail,E1,2,KET,3\n");
        const Dataset d = read({kDir + kMadlcCsv + ".csv"}, shortOptions(), meta);
        QCOMPARE(d.metadata.column("group").strings,
                 (std::vector<std::string>{"control", "KET@3"}));
        QCOMPARE(d.metadata.column("animal").strings, (std::vector<std::string>{"E1/1", "E1/2"}));
        const auto partial =
            tmp("partial.csv", "id,experiment\n" + kMadlcCsv + "/mouse_black_tail,E1\n");
        expectError<DataError>([&] { read({kDir + kMadlcCsv + ".csv"}, shortOptions(), partial); },
                               {"dlc_partial.csv", "mouse_white_tail"});
    }

    void hostileInput() {
        const auto opts = shortOptions();
        expectError<DataError>([&] { read({tmp("empty.csv", "")}, opts); },
                               {"dlc_empty.csv", "empty"});
        expectError<DataError>([&] { read({tmp("wrong.csv", "frame,x,y\n0,1,2\n")}, opts); },
                               {"dlc_wrong.csv", "line 1", "'frame'"});
        expectError<DataError>(
            [&] {
                read({tmp("nan.csv", "scorer,S,S\nbodyparts,a,a\ncoords,x,y\n0,1,2\n1,abc,2\n")},
                     opts);
            },
            {"dlc_nan.csv", "line 5", "column 2", "'abc'"});
        expectError<DataError>(
            [&] {
                read({tmp("zcol.csv", "scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,z\n0,1,2,3\n")},
                     opts);
            },
            {"dlc_zcol.csv", "column 4", "'z'"});
        expectError<DataError>(
            [&] {
                read({tmp("ragged.csv", "scorer,S,S\nbodyparts,a,a\ncoords,x,y\n0,1,2\n1,2\n")},
                     opts);
            },
            {"dlc_ragged.csv", "line 5"});
        expectError<DataError>(
            [&] { read({tmp("noy.csv", "scorer,S,S\nbodyparts,a,b\ncoords,x,x\n0,1,2\n")}, opts); },
            {"dlc_noy.csv", "'a'", "x or y"});
        expectError<DataError>(
            [&] { read({tmp("header.csv", "scorer,S,S\nbodyparts,a,a\ncoords,x,y\n")}, opts); },
            {"dlc_header.csv", "no data rows"});
        // NaN everywhere: no valid position.
        expectError<DataError>(
            [&] {
                read({tmp("allnan.csv", "scorer,S,S\nbodyparts,a,a\ncoords,x,y\n0,nan,\n1,,NaN\n")},
                     opts);
            },
            {"dlc_allnan.csv", "no valid position"});
        expectError<ConfigError>(
            [&] {
                read({smallCsv()}, shortOptions({{"colour", "red"}}));
            },
            {"'colour'", "bodypart"});
        expectError<ConfigError>(
            [&] {
                read({smallCsv()}, shortOptions({{"likelihood", "2"}}));
            },
            {"'likelihood'"});
        expectError<IoError>([&] { read({tmp("x", "") + "-absent.csv"}, opts); }, {"absent.csv"});
        QCOMPARE(dlc().score(tmp("other.csv", "id,time,x,y\n")), 0);
        QCOMPARE(dlc().score(tmp("notes.h5", "not hdf5")), 0);
    }
};

QTEST_GUILESS_MAIN(TestDeepLabCutReader)
#include "test_deeplabcut_reader.moc"
