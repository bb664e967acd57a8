// The trajectory rules (SPEC S0 "Data", seed 000 §3.1.2) on hand-made tracks: outside-cage
// interpolation, resampling to 25 Hz, mapping, the length rules, option parsing, and the
// metadata completion (group, animal) of the trajectory readers.
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include "../../plugins/builtin/trajectory_metadata.h"
#include "../../plugins/builtin/trajectory_rules.h"

#include <QtTest/QtTest>

#include <cmath>
#include <fstream>

using namespace embedscope;
using namespace embedscope::plugins;

namespace {

using Options = std::map<std::string, std::string>;

RawTrack track(std::vector<double> t, std::vector<double> x, std::vector<double> y,
               std::vector<double> z = {}) {
    return RawTrack{std::move(t), std::move(x), std::move(y), std::move(z), {}};
}

std::vector<double> steps(int n, double rate) {
    std::vector<double> t(n);
    for (int k = 0; k < n; ++k)
        t[k] = k / rate;
    return t;
}

TrajectoryRules noLengthRules() {
    TrajectoryRules r;
    r.length = LengthRules{};
    return r;
}

} // namespace

class TestTrajectoryPreprocessing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void outsideCageIsInterpolated() {
        // Cage 40 cm: x = 50 and -2 are outside; they lie between x = 10 (k 0) and 40 (k 3).
        auto r = preprocessTrack(track(steps(5, 25), {10, 50, -2, 40, 20}, {5, 5, 5, 5, 45}),
                                 noLengthRules(), "hand");
        QCOMPARE(r.interpolated, int64_t(3)); // k 1, 2 (x) and k 4 (y = 45)
        // Row 4 is invalid as a whole (y = 45): x and y both come from row 3.
        const std::vector<double> x{-0.5, 0.0, 0.5, 0.999, 0.999};
        for (int k = 0; k < 5; ++k)
            QCOMPARE(r.channels[0][k], x[k]);
        QCOMPARE(r.channels[1][4], -0.75); // y = 5 copied from the last valid row
        QCOMPARE(r.channels[2], (std::vector<double>(5, 0.0)));
        QCOMPARE(r.resampledFromHz, 0.0);

        // Source validity (e.g. likelihood) counts as invalid too.
        RawTrack withValid = track(steps(3, 25), {10, 39, 30}, {10, 10, 10});
        withValid.valid = {true, false, true};
        QCOMPARE(preprocessTrack(withValid, noLengthRules(), "hand").channels[0][1], 0.0);

        // A rectangular cage maps each axis on its own.
        TrajectoryRules rect = noLengthRules();
        rect.cage = Cage{100, 0, 300, 50};
        auto m = preprocessTrack(track(steps(2, 25), {150, 250}, {10, 40}), rect, "hand");
        QCOMPARE(m.channels[0][0], -0.5);
        QCOMPARE(m.channels[0][1], 0.5);
        QCOMPARE(m.channels[1][0], -0.6);
        QCOMPARE(m.channels[1][1], 0.6);

        try {
            preprocessTrack(track(steps(2, 25), {-1, 41}, {5, 5}), noLengthRules(), "f.csv: 'r'");
            QFAIL("no exception");
        } catch (const DataError& e) {
            QVERIFY(std::string(e.what()).find("f.csv: 'r' has no valid position") !=
                    std::string::npos);
        }
    }

    void resampling50To25IsExact() {
        // 50 Hz, x = 10 + k cm, z = 1 from k = 5: 25 Hz keeps the even rows exactly.
        std::vector<double> x, z;
        for (int k = 0; k <= 8; ++k)
            x.push_back(10 + k), z.push_back(k >= 5 ? 1 : 0);
        auto r = preprocessTrack(track(steps(9, 50), x, std::vector<double>(9, 20), z),
                                 noLengthRules(), "hand");
        QCOMPARE(r.resampledFromHz, 50.0);
        QCOMPARE(r.channels[0].size(), std::size_t(5));
        for (int s = 0; s < 5; ++s)
            QCOMPARE(r.channels[0][s], 2 * (10.0 + 2 * s) / 40 - 1);
        QCOMPARE(r.channels[2], (std::vector<double>{0, 0, 0, 1, 1}));
    }

    void resampling30To25InterpolatesAndTakesNearestZ() {
        // 30 Hz, x = 3 + 30 t cm (linear, so interpolation is exact), z = k % 2. At 25 Hz the
        // grid t = 0.04 s is k = 1.2 (z of k 1), 0.08 -> 2.4 (k 2), 0.12 -> 3.6 (k 4),
        // 0.16 -> 4.8 (k 5), 0.2 -> k 6.
        std::vector<double> x, z;
        for (int k = 0; k <= 6; ++k)
            x.push_back(3 + k), z.push_back(k % 2);
        auto r = preprocessTrack(track(steps(7, 30), x, std::vector<double>(7, 20), z),
                                 noLengthRules(), "hand");
        QCOMPARE(r.resampledFromHz, 30.0);
        QCOMPARE(r.channels[0].size(), std::size_t(6));
        for (int s = 0; s < 6; ++s)
            QVERIFY2(std::fabs(r.channels[0][s] - (2 * (3 + 30 * 0.04 * s) / 40 - 1)) < 1e-12,
                     std::to_string(r.channels[0][s]).c_str());
        QCOMPARE(r.channels[2], (std::vector<double>{0, 1, 0, 0, 1, 0}));
    }

    void lengthRules() {
        TrajectoryRules rules = noLengthRules();
        rules.length = LengthRules{5, 8};
        const auto run = [&](int n) {
            std::vector<double> x(n);
            for (int k = 0; k < n; ++k)
                x[k] = k;
            return preprocessTrack(track(steps(n, 25), x, std::vector<double>(n, 20)), rules, "h");
        };
        QVERIFY(run(4).outcome == LengthOutcome::Dropped);
        QVERIFY(run(8).outcome == LengthOutcome::Kept);
        const auto padded = run(6);
        QVERIFY(padded.outcome == LengthOutcome::Padded);
        QCOMPARE(padded.channels[0].size(), std::size_t(8));
        QCOMPARE(padded.channels[0][7], 2 * 5.0 / 40 - 1); // the last position, x = 5
        const auto cut = run(10);
        QVERIFY(cut.outcome == LengthOutcome::Cut);
        QCOMPARE(cut.channels[1].size(), std::size_t(8));
        QCOMPARE(cut.channels[0][7], 2 * 7.0 / 40 - 1);

        // The defaults are the seed's: 83,000 steps are padded to 90,000, 82,999 dropped.
        const TrajectoryRules seed;
        QCOMPARE(seed.length.minSteps, int64_t(83000));
        QCOMPARE(seed.length.padTo, int64_t(90000));
        QCOMPARE(seed.rateHz, 25.0);
        auto longTrack =
            track(steps(83000, 25), std::vector<double>(83000, 30), std::vector<double>(83000, 10));
        const auto p = preprocessTrack(longTrack, seed, "h");
        QVERIFY(p.outcome == LengthOutcome::Padded);
        QCOMPARE(p.channels[0].size(), std::size_t(90000));
        QCOMPARE(p.channels[0][89999], 0.5);
        longTrack.t.pop_back(), longTrack.x.pop_back(), longTrack.y.pop_back();
        QVERIFY(preprocessTrack(longTrack, seed, "h").outcome == LengthOutcome::Dropped);
    }

    void options() {
        ReaderOptions o;
        o.values = {{"cage", "0,10,100,60"}, {"rules", "none"}, {"rate", "30"}, {"fps", "50"}};
        TrajectoryRules r;
        parseTrajectoryRules(o, "test", {"fps"}, r);
        QCOMPARE(r.cage.y0, 10.0);
        QCOMPARE(r.cage.x1, 100.0);
        QCOMPARE(r.rateHz, 30.0);
        QCOMPARE(r.length.minSteps, int64_t(0));
        QCOMPARE(r.length.padTo, int64_t(0));
        o.values = {{"rules", "seed"}, {"pad_to", "100"}, {"cage", "20"}};
        r = TrajectoryRules{};
        r.length = LengthRules{};
        parseTrajectoryRules(o, "test", {}, r);
        QCOMPARE(r.length.minSteps, int64_t(83000));
        QCOMPARE(r.length.padTo, int64_t(100));
        QCOMPARE(r.cage.x1, 20.0);
        QCOMPARE(r.cage.y1, 20.0);
        for (Options bad : std::vector<Options>{{{"cage", "1,2"}},
                                                {{"cage", "10,0,5,40"}},
                                                {{"rules", "paper"}},
                                                {{"min_steps", "-1"}},
                                                {{"rate", "0"}},
                                                {{"speed", "3"}}}) {
            o.values = bad;
            try {
                parseTrajectoryRules(o, "test", {}, r);
                QFAIL("no exception");
            } catch (const ConfigError& e) {
                QVERIFY2(std::string(e.what()).find("'" + bad.begin()->first + "'") !=
                             std::string::npos,
                         e.what());
            }
        }
    }

    void groupsAndAnimals() {
        QCOMPARE(groupLabel("A", "3", "", ""), std::string("A@3"));
        QCOMPARE(groupLabel("control", "0", "", ""), std::string("control"));
        QCOMPARE(groupLabel("saline", "", "MK", "0.3"), std::string("MK@0.3"));
        QCOMPARE(groupLabel("A", "1", "MK", "0.3"), std::string("A@1+MK@0.3"));
        QCOMPARE(groupLabel("A", "0", "", ""), std::string("control")); // dose 0: no substance

        // A trajectory-csv file with metadata columns gets "group" and "animal".
        plugins::registerBuiltinReaders();
        const std::string path = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/prep_meta.csv";
        {
            std::ofstream out(path);
            out << "id,time,x,y,experiment,rat,substance,dose,secondary_substance,"
                   "secondary_dose,indication\n";
            for (int k = 0; k < 3; ++k)
                out << "t1," << k * 0.04 << "," << 5 + k << ",5,E7,3,A,2,MK,0.3,antipsychotic\n"
                    << "t2," << k * 0.04 << ",6," << 6 + k << ",E7,4,vehicle,0,,,control\n";
        }
        const Dataset d = ReaderRegistry::instance()
                              .byName("trajectory-csv")
                              .read({path}, ReaderOptions{}, JobContext());
        QCOMPARE(d.metadata.column("group").strings,
                 (std::vector<std::string>{"A@2+MK@0.3", "control"}));
        QCOMPARE(d.metadata.column("animal").strings, (std::vector<std::string>{"E7/3", "E7/4"}));
        QCOMPARE(d.metadata.column("indication").strings[0], std::string("antipsychotic"));
        QCOMPARE(d.metadata.column("secondary_dose").text(0), std::string("0.3"));
    }

    void hostileMetadataAndFrozenTracks() {
        // Each case: one CSV body (after the header) and the words its message must hold.
        plugins::registerBuiltinReaders();
        const std::string header = "id,time,x,y,substance,dose\n";
        const auto moving = [](const std::string& id, const std::string& substance,
                               const std::string& dose) {
            std::string rows;
            for (int k = 0; k < 3; ++k)
                rows += id + "," + std::to_string(k * 0.04) + "," + std::to_string(5 + k) + ",5," +
                        substance + "," + dose + "\n";
            return rows;
        };
        struct Case {
            std::string name, body;
            std::vector<std::string> words;
        };
        const std::vector<Case> cases = {
            {"frozen.csv",
             moving("ok", "A", "1") + "still,0,7,7,A,1\nstill,0.04,7,7,A,1\nstill,0.08,7,7,A,1\n",
             {"frozen.csv", "row 2", "'still'", "never moves", "3 steps"}},
            {"dose_text.csv",
             moving("a", "A", "1") + moving("b", "A", "high"),
             {"dose_text.csv", "'dose'", "row 2", "'b'", "'high'", "not a dose"}},
            {"dose_negative.csv",
             moving("a", "A", "-2"),
             {"dose_negative.csv", "row 1", "'-2'", "not a dose"}},
            {"dose_without_substance.csv",
             moving("a", "A", "1") + moving("b", "control", "3"),
             {"dose_without_substance.csv", "row 2", "'b'", "dose 3", "'control'",
              "names no substance"}},
        };
        for (const Case& c : cases) {
            const std::string path = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/" + c.name;
            std::ofstream(path) << header << c.body;
            try {
                ReaderRegistry::instance()
                    .byName("trajectory-csv")
                    .read({path}, ReaderOptions{}, JobContext());
                QFAIL(("no DataError for " + c.name).c_str());
            } catch (const DataError& e) {
                for (const auto& w : c.words)
                    QVERIFY2(std::string(e.what()).find(w) != std::string::npos, e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestTrajectoryPreprocessing)
#include "test_trajectory_preprocessing.moc"
