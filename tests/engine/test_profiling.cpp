// The profile pipeline (issue 8, seed 004 §3.3.1) on hand-made tables: every number below is a
// hand computation or an invariant (identity covariance, zero mean), not an output of the code.
#include "embedscope/engine/error.h"
#include "embedscope/engine/profiling.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

constexpr double kTol = 1e-9;

/// Well rows: plate, well, control flag, compound, dose, then the features column by column.
struct Row {
    std::string plate, well;
    int control;
    std::string compound;
    double dose;
    std::vector<double> x;
};

EmbeddingTable makeTable(const std::vector<std::string>& features, const std::vector<Row>& rows) {
    EmbeddingTable t;
    t.featureNames = features;
    t.rows = rows.size();
    std::vector<std::string> plate, well, compound;
    std::vector<double> control, dose;
    for (const Row& r : rows) {
        t.features.insert(t.features.end(), r.x.begin(), r.x.end());
        plate.push_back(r.plate);
        well.push_back(r.well);
        control.push_back(r.control);
        compound.push_back(r.compound);
        dose.push_back(r.dose);
    }
    t.metadata.addStrings("Plate", plate);
    t.metadata.addStrings("Well", well);
    t.metadata.addNumbers("control", control);
    t.metadata.addStrings("compound", compound);
    t.metadata.addNumbers("dose", dose);
    return t;
}

double at(const EmbeddingTable& t, std::size_t row, const std::string& feature) {
    for (std::size_t f = 0; f < t.featureNames.size(); ++f)
        if (t.featureNames[f] == feature)
            return t.features[row * t.featureNames.size() + f];
    qFatal("no feature %s", feature.c_str());
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool anyNoteHas(const ProfileStepReport& r, const std::string& text) {
    for (const auto& n : r.notes)
        if (n.find(text) != std::string::npos)
            return true;
    return false;
}

Eigen::MatrixXd matrixOf(const EmbeddingTable& t) {
    Eigen::MatrixXd m(Eigen::Index(t.rows), Eigen::Index(t.featureNames.size()));
    for (std::size_t r = 0; r < t.rows; ++r)
        for (std::size_t f = 0; f < t.featureNames.size(); ++f)
            m(Eigen::Index(r), Eigen::Index(f)) = t.features[r * t.featureNames.size() + f];
    return m;
}

Eigen::MatrixXd sampleCovariance(const Eigen::MatrixXd& x) {
    const Eigen::MatrixXd c = x.rowwise() - x.colwise().mean();
    return c.transpose() * c / double(x.rows() - 1);
}

template <typename E, typename F>
void expectError(F&& f, std::initializer_list<const char*> parts) {
    try {
        f();
        QFAIL("no exception");
    } catch (const E& e) {
        const std::string what = e.what();
        for (const char* p : parts)
            QVERIFY2(what.find(p) != std::string::npos, what.c_str());
    }
}

/// Controls: correlated Gaussian rows (x = z A), `n` per plate; treated rows shifted.
EmbeddingTable correlatedTable(int n, int d, int plates, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 1);
    Eigen::MatrixXd a(d, d);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j)
            a(i, j) = g(rng) + (i == j ? 2.0 : 0.0);
    std::vector<std::string> names;
    for (int f = 0; f < d; ++f)
        names.push_back("f" + std::to_string(f));
    std::vector<Row> rows;
    for (int p = 0; p < plates; ++p)
        for (int i = 0; i < n; ++i) {
            Eigen::RowVectorXd z(d);
            for (int f = 0; f < d; ++f)
                z(f) = g(rng);
            const bool control = i % 2 == 0;
            Eigen::RowVectorXd x = z * a;
            if (!control)
                x(0) += 3.0;
            rows.push_back({"P" + std::to_string(p), "W" + std::to_string(i), control ? 1 : 0,
                            control ? "DMSO" : "C" + std::to_string(i % 3), control ? 0.0 : 1.0,
                            std::vector<double>(x.data(), x.data() + d)});
        }
    return makeTable(names, rows);
}

} // namespace

class TestProfiling : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aggregateMeanAndMedianByHand() {
        // Well A: cells 1, 5, 2 (median 2, mean 8/3); well B: 1, NaN, 3 (NaN skipped: median 2,
        // mean 2). Metadata "Cell" varies within the wells and is dropped.
        const double nan = std::numeric_limits<double>::quiet_NaN();
        EmbeddingTable t = makeTable({"f"}, {{"P1", "A01", 1, "DMSO", 0, {1}},
                                             {"P1", "A01", 1, "DMSO", 0, {5}},
                                             {"P1", "B01", 0, "X", 1, {1}},
                                             {"P1", "A01", 1, "DMSO", 0, {2}},
                                             {"P1", "B01", 0, "X", 1, {nan}},
                                             {"P1", "B01", 0, "X", 1, {3}}});
        t.metadata.addNumbers("Cell", {0, 1, 0, 2, 1, 2});
        ProfileStepReport report;
        AggregateOptions o;
        const EmbeddingTable median = aggregateProfiles(t, o, ProfileColumns{}, report);
        QCOMPARE(median.rows, std::size_t(2));
        QCOMPARE(median.features[0], 2.0);
        QCOMPARE(median.features[1], 2.0);
        QVERIFY(!median.metadata.has("Cell"));
        QCOMPARE(median.metadata.column("compound").strings[1], std::string("X"));
        QCOMPARE(median.metadata.column("Count").numbers[0], 3.0);
        QVERIFY(anyNoteHas(report, "Metadata_Cell"));
        o.method = AggregateMethod::Mean;
        const EmbeddingTable mean = aggregateProfiles(t, o, ProfileColumns{}, report);
        QVERIFY(std::abs(mean.features[0] - 8.0 / 3.0) < kTol);
        QVERIFY(std::abs(mean.features[1] - 2.0) < kTol);
    }

    void standardizeGivesMeanZeroPopulationSdOnePerPlate() {
        // Plate P1: 1, 2, 3, 4 (mean 2.5, population sd sqrt(1.25)); P2: 10, 20, 30, 40.
        EmbeddingTable t = makeTable({"f"}, {{"P1", "A", 1, "D", 0, {1}},
                                             {"P1", "B", 0, "X", 1, {2}},
                                             {"P2", "A", 1, "D", 0, {10}},
                                             {"P1", "C", 0, "X", 1, {3}},
                                             {"P2", "B", 0, "X", 1, {20}},
                                             {"P1", "D", 0, "X", 1, {4}},
                                             {"P2", "C", 0, "X", 1, {30}},
                                             {"P2", "D", 0, "X", 1, {40}}});
        NormalizeOptions o;
        o.method = NormalizeMethod::Standardize;
        o.overControls = false;
        ProfileStepReport report;
        normalizeProfiles(t, o, ProfileColumns{}, report);
        QVERIFY(std::abs(t.features[0] - (1 - 2.5) / std::sqrt(1.25)) < kTol);
        QVERIFY(std::abs(t.features[7] - (40 - 25) / std::sqrt(125.0)) < kTol);
        for (const std::string plate : {"P1", "P2"}) {
            double sum = 0, ss = 0;
            for (std::size_t r = 0; r < t.rows; ++r)
                if (t.metadata.column("Plate").strings[r] == plate) {
                    sum += t.features[r];
                    ss += t.features[r] * t.features[r];
                }
            QVERIFY(std::abs(sum / 4) < kTol);
            QVERIFY(std::abs(ss / 4 - 1.0) < kTol); // ddof 0
        }
    }

    void robustizeAndMadOverControlsByHand() {
        // Controls 1, 2, 3, 4, 100: median 3, Q1 = 2, Q3 = 4 (positions 1 and 3 of 0..4),
        // MAD = median(2, 1, 0, 1, 97) = 1. Treated row: 7.
        std::vector<Row> rows;
        for (double v : {1.0, 2.0, 3.0, 4.0, 100.0})
            rows.push_back({"P1", "C" + std::to_string(int(v)), 1, "DMSO", 0, {v}});
        rows.push_back({"P1", "T", 0, "X", 1, {7}});
        EmbeddingTable robust = makeTable({"f"}, rows);
        NormalizeOptions o;
        o.method = NormalizeMethod::Robustize;
        ProfileStepReport report;
        normalizeProfiles(robust, o, ProfileColumns{}, report);
        QVERIFY(std::abs(robust.features[5] - (7 - 3) / 2.0) < kTol);
        QVERIFY(std::abs(robust.features[4] - (100 - 3) / 2.0) < kTol);

        EmbeddingTable mad = makeTable({"f"}, rows);
        o.method = NormalizeMethod::MadRobustize;
        normalizeProfiles(mad, o, ProfileColumns{}, report);
        QVERIFY(std::abs(mad.features[5] - (7 - 3) / 1.4826) < kTol);

        // Linear-interpolated quartiles of 1, 2, 3, 4 (numpy): Q1 1.75, Q3 3.25, median 2.5.
        EmbeddingTable four = makeTable({"f"}, {{"P", "A", 1, "D", 0, {1}},
                                                {"P", "B", 1, "D", 0, {2}},
                                                {"P", "C", 1, "D", 0, {3}},
                                                {"P", "E", 1, "D", 0, {4}}});
        o.method = NormalizeMethod::Robustize;
        normalizeProfiles(four, o, ProfileColumns{}, report);
        QVERIFY(std::abs(four.features[3] - (4 - 2.5) / 1.5) < kTol);
    }

    void plateWithoutControlsAndConstantFeatures() {
        // P2 has no control: dropped with a note (default) or normalised over its wells.
        // Feature "k" is constant over P1's controls: MAD 0 -> dropped, not divided by 0.
        const std::vector<Row> rows = {
            {"P1", "A", 1, "D", 0, {1, 5}}, {"P1", "B", 1, "D", 0, {2, 5}},
            {"P1", "C", 1, "D", 0, {3, 5}}, {"P1", "E", 0, "X", 1, {9, 6}},
            {"P2", "A", 0, "X", 1, {4, 1}}, {"P2", "B", 0, "X", 1, {6, 2}},
            {"P2", "C", 0, "X", 1, {8, 3}}};
        EmbeddingTable t = makeTable({"f", "k"}, rows);
        ProfileStepReport report;
        normalizeProfiles(t, NormalizeOptions{}, ProfileColumns{}, report);
        QCOMPARE(t.rows, std::size_t(4));
        QCOMPARE(t.featureNames, std::vector<std::string>{"f"});
        QCOMPARE(report.dropped, std::vector<std::string>{"k"});
        QVERIFY(anyNoteHas(report, "plate 'P2' has no control wells"));
        QVERIFY(anyNoteHas(report, "'k' is constant"));
        QVERIFY(std::abs(t.features[3] - (9 - 2) / 1.4826) < kTol);

        EmbeddingTable all = makeTable({"f", "k"}, rows);
        NormalizeOptions o;
        o.missingControls = MissingControls::AllWells;
        ProfileStepReport second;
        normalizeProfiles(all, o, ProfileColumns{}, second);
        QCOMPARE(all.rows, std::size_t(7));
        // P2 over its own wells: median 6, MAD 2.
        QVERIFY(std::abs(all.features[6] - (8 - 6) / (2 * 1.4826)) < kTol);

        EmbeddingTable none =
            makeTable({"f"}, {{"P1", "A", 0, "X", 1, {1}}, {"P1", "B", 0, "X", 1, {2}}});
        expectError<DataError>([&] { normalizeProfiles(none, NormalizeOptions{}, {}, report); },
                               {"no plate has control wells", "Metadata_control"});
    }

    void correlationThresholdDropsTheRightFeature() {
        // Two perfectly correlated features (x3 = 3 x1 - 1) and an unrelated one: equal counts
        // and |r| sums, so the later column goes.
        EmbeddingTable t = makeTable({"x1", "y", "x3"}, {{"P", "A", 1, "D", 0, {1, 4, 2}},
                                                         {"P", "B", 1, "D", 0, {2, 1, 5}},
                                                         {"P", "C", 1, "D", 0, {4, 3, 11}},
                                                         {"P", "E", 1, "D", 0, {3, 2, 8}}});
        QCOMPARE(correlationThresholdFeatures(t, {}), std::vector<std::string>{"x3"});
        // A chain a ~ b ~ c with r(a, b) = r(b, c) = sqrt(0.9) > 0.9 and r(a, c) = 0.8: greedy
        // drops only b, the feature with the most partners above the threshold.
        const double e1[] = {0.5, -0.5, 0.5, -0.5}, e2[] = {0.5, 0.5, -0.5, -0.5};
        std::vector<Row> rows;
        for (int i = 0; i < 4; ++i) {
            const double u = e1[i], v = 0.8 * e1[i] + 0.6 * e2[i];
            rows.push_back({"P", std::to_string(i), 1, "D", 0, {u, u + v, v}});
        }
        QCOMPARE(correlationThresholdFeatures(makeTable({"a", "b", "c"}, rows), {}),
                 std::vector<std::string>{"b"});
    }

    void outlierVarianceAndNaSelection() {
        std::vector<Row> rows;
        for (int i = 0; i < 30; ++i)
            rows.push_back(
                {"P",
                 std::to_string(i),
                 1,
                 "D",
                 0,
                 {i == 3 ? 50.0 : 0.1 * i, i == 5 ? -39.9 : 0.2 * i, 7.0, i == 29 ? 2.0 : 1.0}});
        const EmbeddingTable t = makeTable({"big", "edge", "const", "rare"}, rows);
        QCOMPARE(outlierFeatures(t, 40.0), std::vector<std::string>{"big"});
        // "const": one value; "rare": second/first count 1/29 < freq_cut 0.05.
        QCOMPARE(varianceThresholdFeatures(t, {}), (std::vector<std::string>{"const", "rare"}));

        EmbeddingTable na = t;
        na.features[4 * 0 + 1] = std::numeric_limits<double>::quiet_NaN(); // 1/30 in "edge"
        na.features[4 * 2 + 0] = std::numeric_limits<double>::quiet_NaN(); // 2/30 in "big"
        na.features[4 * 4 + 0] = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(naColumnFeatures(na, 0.05), std::vector<std::string>{"big"});
        QCOMPARE(naColumnFeatures(na, 0.0), (std::vector<std::string>{"big", "edge"}));
        expectError<DataError>([&] { outlierFeatures(na, 40); },
                               {"drop_outliers", "'big'", "row 3"});
    }

    void spherizeGivesIdentityControlCovariance() {
        for (SpherizeMethod method : {SpherizeMethod::Zca, SpherizeMethod::Pca}) {
            EmbeddingTable t = correlatedTable(200, 5, 3, 11);
            const Eigen::MatrixXd before = matrixOf(t);
            SpherizeOptions o;
            o.method = method;
            ProfileStepReport report;
            spherizeProfiles(t, o, ProfileColumns{}, report);
            QCOMPARE(report.rank, 5);
            const Eigen::MatrixXd after = matrixOf(t);
            std::vector<Eigen::Index> controls;
            for (std::size_t r = 0; r < t.rows; ++r)
                if (t.metadata.column("control").numbers[r] == 1)
                    controls.push_back(Eigen::Index(r));
            Eigen::MatrixXd c(Eigen::Index(controls.size()), 5), c0 = c;
            for (std::size_t k = 0; k < controls.size(); ++k) {
                c.row(Eigen::Index(k)) = after.row(controls[k]);
                c0.row(Eigen::Index(k)) = before.row(controls[k]);
            }
            const Eigen::MatrixXd cov = sampleCovariance(c);
            QVERIFY2((cov - Eigen::MatrixXd::Identity(5, 5)).cwiseAbs().maxCoeff() < 1e-4,
                     "control covariance is not the identity");
            QVERIFY(c.colwise().mean().cwiseAbs().maxCoeff() < 1e-9);
            if (method == SpherizeMethod::Pca) {
                QCOMPARE(t.featureNames.front(), std::string("PC1"));
                continue;
            }
            // ZCA: W symmetric, and of all whitenings the closest to the centred data: closer
            // than PCA and than rotations of itself; each feature stays correlated with itself.
            const SpherizeModel m = fitSpherize(c0, o);
            QVERIFY((m.w - m.w.transpose()).cwiseAbs().maxCoeff() < 1e-9);
            const Eigen::MatrixXd centred = c0.rowwise() - c0.colwise().mean();
            SpherizeOptions po;
            po.method = SpherizeMethod::Pca;
            const double dZca = (centred * m.w - centred).norm();
            const double dPca = (centred * fitSpherize(c0, po).w - centred).norm();
            QVERIFY(dZca < dPca);
            std::mt19937_64 rng(3);
            std::normal_distribution<double> g(0, 1);
            for (int k = 0; k < 5; ++k) {
                const Eigen::MatrixXd q =
                    Eigen::HouseholderQR<Eigen::MatrixXd>(Eigen::MatrixXd::NullaryExpr(5, 5, [&] {
                        return g(rng);
                    })).householderQ();
                QVERIFY(dZca < (centred * m.w * q - centred).norm());
            }
            for (Eigen::Index f = 0; f < 5; ++f)
                QVERIFY((centred.col(f).transpose() * (centred * m.w).col(f))(0) > 0);
        }
    }

    void spherizeWithFewerControlsThanFeatures() {
        // 4 controls, 6 features: rank 3. The null directions get the smallest resolved
        // eigenvalue, not 1/sqrt(epsilon) = 1000: treated values stay at the data's scale.
        EmbeddingTable t = correlatedTable(8, 6, 1, 5);
        ProfileStepReport report;
        spherizeProfiles(t, SpherizeOptions{}, ProfileColumns{}, report);
        QCOMPARE(report.rank, 3);
        QVERIFY(anyNoteHas(report, "rank 3"));
        QVERIFY(matrixOf(t).allFinite());
        QVERIFY(matrixOf(t).cwiseAbs().maxCoeff() < 100);

        EmbeddingTable one = correlatedTable(2, 3, 1, 5); // one control row
        expectError<DataError>([&] { spherizeProfiles(one, {}, {}, report); },
                               {"1 control row", "at least 2"});
    }

    void modzDownWeightsTheOutlierReplicate() {
        // r1 and r2 have the same ranks (rho 1), r3 the reverse (rho -1 with both): raw weights
        // 0.5, 0.5 and max(0, 0.01) = 0.01 -> 0.5/1.01, 0.5/1.01, 0.01/1.01.
        Eigen::MatrixXd rep(3, 6);
        rep << 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6, 8, 6, 5, 4, 3, 2, 1;
        const Eigen::VectorXd w = modzWeights(rep);
        QVERIFY(std::abs(w(0) - 0.5 / 1.01) < kTol);
        QVERIFY(std::abs(w(1) - 0.5 / 1.01) < kTol);
        QVERIFY(std::abs(w(2) - 0.01 / 1.01) < kTol);

        std::vector<Row> rows;
        for (int i = 0; i < 3; ++i) {
            rows.push_back({"P", std::to_string(i), 0, "X", 1, {}});
            for (int f = 0; f < 6; ++f)
                rows.back().x.push_back(rep(i, f));
        }
        EmbeddingTable t = makeTable({"a", "b", "c", "d", "e", "f"}, rows);
        ConsensusOptions o;
        o.method = ConsensusMethod::Modz;
        ProfileStepReport report;
        const EmbeddingTable c = consensusProfiles(t, o, report);
        QCOMPARE(c.rows, std::size_t(1));
        QVERIFY(std::abs(c.features[0] - (0.5 * 1 + 0.5 * 2 + 0.01 * 6) / 1.01) < kTol);
        QCOMPARE(c.metadata.column("replicates").numbers[0], 3.0);
    }

    void medianConsensusByHand() {
        // X at dose 1: 1, 5, 2 -> 2; X at dose 2: 1, 3 -> 2; DMSO: 4 -> 4. Plate and Well vary.
        EmbeddingTable t = makeTable({"f"}, {{"P1", "A", 0, "X", 1, {1}},
                                             {"P1", "B", 0, "X", 2, {1}},
                                             {"P2", "A", 0, "X", 1, {5}},
                                             {"P2", "B", 0, "X", 2, {3}},
                                             {"P3", "A", 0, "X", 1, {2}},
                                             {"P3", "C", 1, "DMSO", 0, {4}}});
        ProfileStepReport report;
        const EmbeddingTable c = consensusProfiles(t, ConsensusOptions{}, report);
        QCOMPARE(c.rows, std::size_t(3));
        QCOMPARE(c.features, (std::vector<double>{2, 2, 4}));
        QVERIFY(!c.metadata.has("Plate"));
        QCOMPARE(c.metadata.column("dose").numbers, (std::vector<double>{1, 2, 0}));
    }

    void pipelineConfigAndHostileInput() {
        using nlohmann::json;
        const ProfilePipeline p = parseProfilePipeline(
            json::parse(R"({"steps": [{"step": "normalize", "method": "standardize",
                "samples": "all"}, {"step": "drop_outliers", "cutoff": 10},
                {"step": "spherize", "method": "PCA"}], "control_column": "Metadata_ctl"})"),
            "pipe.json");
        QCOMPARE(p.steps.size(), std::size_t(3));
        QVERIFY(p.steps[0].normalize.method == NormalizeMethod::Standardize);
        QVERIFY(!p.steps[0].normalize.overControls);
        QCOMPARE(p.steps[1].outlierCutoff, 10.0);
        QVERIFY(p.steps[2].spherize.method == SpherizeMethod::Pca);
        QCOMPARE(p.columns.control, std::string("ctl"));
        QCOMPARE(parseProfilePipeline(json::object(), "x").steps.size(),
                 defaultProfilePipeline().steps.size());

        expectError<ConfigError>(
            [] {
                parseProfilePipeline(json::parse(R"({"steps": [{"step": "whiten"}]})"), "p.json");
            },
            {"p.json", "step 1", "unknown step 'whiten'", "spherize"});
        expectError<ConfigError>(
            [] {
                parseProfilePipeline(
                    json::parse(R"([{"step": "aggregate"}, {"step": "normalize", "methd": "x"}])"),
                    "p.json");
            },
            {"step 2", "unknown option 'methd'", "method"});
        expectError<ConfigError>(
            [] {
                parseProfilePipeline(
                    json::parse(R"([{"step": "correlation_threshold", "threshold": 1.5}])"), "p");
            },
            {"'threshold'", "[0, 1]"});
        expectError<ConfigError>([] { parseProfilePipeline(json::parse(R"({"stpes": []})"), "p"); },
                                 {"unknown key"});

        EmbeddingTable noPlate = makeTable({"f"}, {{"P", "A", 1, "D", 0, {1}}});
        MetadataTable m;
        m.addStrings("Well", {"A"});
        noPlate.metadata = m;
        expectError<DataError>(
            [&] { runProfilePipeline(noPlate, defaultProfilePipeline(), "t.csv", JobContext()); },
            {"t.csv", "step 1", "aggregate", "'Metadata_Plate'", "Metadata_Well"});
        EmbeddingTable empty;
        empty.featureNames = {"f"};
        expectError<DataError>(
            [&] { runProfilePipeline(empty, defaultProfilePipeline(), "e.csv", JobContext()); },
            {"e.csv", "no rows"});
    }

    void defaultPipelineAtScale() {
        // 20,000 cells x 200 features: 4 plates x 50 wells x 100 cells, plate offsets of +10 k.
        // The whole default pipeline must stay quick (O(N D) plus D x D) and give one profile per
        // compound and dose; 64 control wells over ~200 features: spherize rank 63.
        const int plates = 4, wells = 50, cells = 100, d = 200;
        std::mt19937_64 rng(8);
        std::normal_distribution<double> g(0, 1);
        EmbeddingTable t;
        for (int f = 0; f < d; ++f)
            t.featureNames.push_back("feat_" + std::to_string(f));
        std::vector<std::string> plate, well, compound;
        std::vector<double> control, dose;
        for (int p = 0; p < plates; ++p)
            for (int w = 0; w < wells; ++w)
                for (int c = 0; c < cells; ++c) {
                    const bool ctl = w < 16;
                    for (int f = 0; f < d; ++f)
                        t.features.push_back(10.0 * p + g(rng) + (!ctl && f == w % d ? 2.0 : 0));
                    plate.push_back("P" + std::to_string(p));
                    well.push_back("W" + std::to_string(w));
                    control.push_back(ctl);
                    compound.push_back(ctl ? "DMSO" : "C" + std::to_string(w));
                    dose.push_back(ctl ? 0 : 1);
                    ++t.rows;
                }
        t.metadata.addStrings("Plate", plate);
        t.metadata.addStrings("Well", well);
        t.metadata.addNumbers("control", control);
        t.metadata.addStrings("compound", compound);
        t.metadata.addNumbers("dose", dose);
        QElapsedTimer timer;
        timer.start();
        const ProfileSummary s =
            runProfilePipeline(t, defaultProfilePipeline(), "big", JobContext());
        qInfo("default pipeline on 20,000 x 200: %lld ms", static_cast<long long>(timer.elapsed()));
        QCOMPARE(s.rowsIn, std::size_t(20000));
        QCOMPARE(s.steps[0].rowsOut, std::size_t(plates * wells));
        QCOMPARE(s.rowsOut, std::size_t(1 + wells - 16)); // DMSO + 34 compounds
        QCOMPARE(s.spherizeRank, std::min(63, int(s.steps[6].featuresIn)));
        QVERIFY(matrixOf(t).allFinite());
        QVERIFY(timer.elapsed() < 15000);
    }
};

QTEST_GUILESS_MAIN(TestProfiling)
#include "test_profiling.moc"
