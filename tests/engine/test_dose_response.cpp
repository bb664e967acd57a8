// Per-substance dose response (issue 7): hand-placed centroids give exact distances and
// inversion marks consistent with the seed-000 DR metric; the bootstrap intervals cover the true
// distance and shrink as 1/√n; the Hill fit is plumbed through; secondary-only references, one
// dose, no control and bad rows leave the rest of the analysis standing.
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/error.h"

#include "../support/expect_error.h"

#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

using namespace embedscope;

namespace {

/// Rows of an embedding and their labels, built row by row.
struct Table {
    std::vector<std::vector<double>> points;
    MetricLabels labels;
    void add(std::vector<double> p, const std::string& substance, double dose,
             const std::string& secondary = "", double secondaryDose = 0) {
        points.push_back(std::move(p));
        labels.substance.push_back(substance);
        labels.dose.push_back(dose);
        labels.secondarySubstance.push_back(secondary);
        labels.secondaryDose.push_back(secondaryDose);
    }
    /// Two rows at c ± (0.5, 0): their centroid is c.
    void pair(double x, double y, const std::string& substance, double dose) {
        add({x - 0.5, y}, substance, dose);
        add({x + 0.5, y}, substance, dose);
    }
    void control() { // centroid at the origin
        for (auto [x, y] : {std::pair{1.0, 0.0}, {-1.0, 0.0}, {0.0, 1.0}, {0.0, -1.0}})
            add({x, y}, "none", 0);
    }
    Eigen::MatrixXd z() const {
        Eigen::MatrixXd m(static_cast<Eigen::Index>(points.size()),
                          static_cast<Eigen::Index>(points.front().size()));
        for (std::size_t r = 0; r < points.size(); ++r)
            for (std::size_t c = 0; c < points[r].size(); ++c)
                m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = points[r][c];
        return m;
    }
};

DoseResponseResult analyse(const Table& t, int bootstrap = 200, uint64_t seed = 1) {
    DoseResponseOptions o;
    o.bootstrap = bootstrap;
    o.seed = seed;
    return analyseDoseResponse(t.z(), t.labels, o, JobContext());
}

bool contains(const std::vector<std::string>& notes, const std::string& a,
              const std::string& b = "") {
    for (const auto& n : notes)
        if (n.find(a) != std::string::npos && n.find(b) != std::string::npos)
            return true;
    return false;
}

double fourPl(double x) {
    return 0.5 + (4.0 - 0.5) / (1 + std::pow(3.0 / x, 1.5));
}

/// Control and one dose level, n rows each, N(centre, I) in 2-D; true distance 3.
Table gaussianPair(int n, std::mt19937_64& rng) {
    std::normal_distribution<double> noise(0, 1);
    Table t;
    for (int i = 0; i < n; ++i)
        t.add({noise(rng), noise(rng)}, "none", 0);
    for (int i = 0; i < n; ++i)
        t.add({3 + noise(rng), noise(rng)}, "S1", 1);
    return t;
}

} // namespace

class TestDoseResponse : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handPlacedCentroids() {
        // S2: doses 1, 2, 4, 8 at (1,0), (3,0), (0,2), (0,4): distances 1, 3, 2, 4 — dose 4 is
        // closer than dose 2, one inversion. S10: (−3,0), (−2,0), (−1,0): 3, 2, 1, three.
        Table t;
        t.control();
        t.pair(1, 0, "S2", 1);
        t.pair(3, 0, "S2", 2);
        t.pair(0, 2, "S2", 4);
        t.pair(0, 4, "S2", 8);
        for (int k = 0; k < 3; ++k)
            t.pair(-3 + k, 0, "S10", k + 1);
        const DoseResponseResult r = analyse(t);
        QCOMPARE(r.substances.size(), std::size_t(2));
        QCOMPARE(r.substances[0].name, std::string("S2")); // natural order: S2 before S10
        QCOMPARE(r.substances[1].name, std::string("S10"));
        const SubstanceResponse& s = r.substances[0];
        QCOMPARE(s.reference, std::string("control"));
        QCOMPARE(s.referenceCount, std::size_t(4));
        QVERIFY(s.referenceCentroid == std::vector<double>({0.0, 0.0}));
        const std::vector<double> doses{1, 2, 4, 8}, distances{1, 3, 2, 4};
        const std::vector<bool> inverted{false, false, true, false};
        QCOMPARE(s.levels.size(), std::size_t(4));
        for (std::size_t i = 0; i < 4; ++i) {
            QCOMPARE(s.levels[i].dose, doses[i]);
            QCOMPARE(s.levels[i].n, std::size_t(2));
            QVERIFY(std::abs(s.levels[i].distance - distances[i]) < 1e-12);
            QCOMPARE(s.levels[i].inverted, inverted[i]);
            QVERIFY(s.levels[i].ciLow <= s.levels[i].ciHigh);
        }
        QVERIFY(s.levels[2].centroid == std::vector<double>({0.0, 2.0}));
        QCOMPARE(s.inversions, inversionCount(distances));
        QCOMPARE(s.inversions, std::size_t(1));
        QCOMPARE(r.substances[1].inversions, std::size_t(3));
        QCOMPARE(r.inversionCount, std::size_t(4));
        // Rows: ascending dose; the dose-2 rows at (2.5, 0) and (3.5, 0).
        QCOMPARE(s.rows.size(), std::size_t(8));
        QCOMPARE(s.rows[2].index, std::size_t(6));
        QCOMPARE(s.rows[2].dose, 2.0);
        QVERIFY(std::abs(s.rows[2].distance - 2.5) < 1e-12);
        QVERIFY(std::abs(s.rows[4].distance - std::sqrt(4.25)) < 1e-12); // (−0.5, 2)
        // Seed eq 3.7 by hand from these inversions: D̄ = 3.5, |S| = 2,
        // DR = 3.5/2 · (1/4 + 3/3) = 2.1875.
        QVERIFY(std::abs(doseResponseScore(t.z(), t.labels) - 2.1875) < 1e-12);
        QVERIFY(r.notes.empty());
    }

    void bootstrapCoversAndShrinks() {
        // 5 vs 80 rows per group: the interval width scales as 1/√n, ratio ≈ 4 (the bootstrap
        // of a mean of n rows has variance (n−1)/n² σ², so about 3.6 expected here).
        std::mt19937_64 rng(11);
        double width5 = 0, width80 = 0;
        int covered80 = 0;
        const int repeats = 20;
        for (int k = 0; k < repeats; ++k) {
            const DoseLevel a = analyse(gaussianPair(5, rng), 1000, k).substances[0].levels[0];
            const DoseLevel b = analyse(gaussianPair(80, rng), 1000, k).substances[0].levels[0];
            width5 += a.ciHigh - a.ciLow;
            width80 += b.ciHigh - b.ciLow;
            covered80 += b.ciLow < 3 && 3 < b.ciHigh ? 1 : 0;
            QVERIFY(b.ciLow <= b.distance && b.distance <= b.ciHigh);
        }
        const double ratio = width5 / width80;
        qInfo("CI width 5 rows %.3f, 80 rows %.3f, ratio %.2f; 80-row coverage %d/%d",
              width5 / repeats, width80 / repeats, ratio, covered80, repeats);
        QVERIFY(ratio > 2.8 && ratio < 5.2);
        QVERIFY(covered80 >= 16); // 95 % nominal: 19 of 20 expected
        // The 80-row width against the normal approximation 2·1.96·σ·√(1/80 + 1/80) = 0.620.
        QVERIFY(std::abs(width80 / repeats - 0.620) < 0.1);
    }

    void bootstrapIsDeterministicForASeed() {
        std::mt19937_64 rng(3);
        const Table t = gaussianPair(10, rng);
        const DoseLevel a = analyse(t, 500, 7).substances[0].levels[0];
        const DoseLevel b = analyse(t, 500, 7).substances[0].levels[0];
        const DoseLevel c = analyse(t, 500, 8).substances[0].levels[0];
        QCOMPARE(a.ciLow, b.ciLow);
        QCOMPARE(a.ciHigh, b.ciHigh);
        QVERIFY(a.ciLow != c.ciLow && a.ciHigh != c.ciHigh);
        QCOMPARE(a.distance, c.distance); // the point estimate does not depend on the seed
        const DoseLevel none = analyse(t, 0).substances[0].levels[0];
        QVERIFY(std::isnan(none.ciLow) && std::isnan(none.ciHigh) && !std::isnan(none.distance));
    }

    void hillFitOfRowDistances() {
        // 1-D: control at 0, rows at 4PL(dose) + noise (EC50 3, h 1.5, bottom 0.5, top 4), so
        // each row's distance is its position.
        Table t;
        for (int i = 0; i < 6; ++i)
            t.add({0.0}, "none", 0);
        std::mt19937_64 rng(5);
        std::normal_distribution<double> noise(0, 0.1);
        std::vector<double> x, y;
        for (double d : {0.3, 1.0, 3.0, 10.0, 30.0, 100.0})
            for (int k = 0; k < 4; ++k) {
                const double v = fourPl(d) + noise(rng);
                QVERIFY(v > 0);
                t.add({v}, "S1", d);
                x.push_back(d);
                y.push_back(v);
            }
        const SubstanceResponse s = analyse(t, 50).substances[0];
        QVERIFY2(s.hill.ok, s.hill.reason.c_str());
        qInfo("EC50 %.3f ± %.3f, h %.3f, bottom %.3f, top %.3f", s.hill.ec50, s.hill.seEc50,
              s.hill.hill, s.hill.bottom, s.hill.top);
        QVERIFY(std::abs(s.hill.ec50 - 3) < 2 * s.hill.seEc50);
        QVERIFY(std::abs(s.hill.hill - 1.5) < 3 * s.hill.seHill);
        const HillFit direct = fitHill(x, y); // the same points in the same order
        QCOMPARE(s.hill.ec50, direct.ec50);
        QCOMPARE(s.hill.top, direct.top);
    }

    void secondaryOnlyReference() {
        // Control at the origin; S2-only (secondary dose 1) rows at (10, 0); S1 + S2@1 at
        // (10, 1) and (10, 2): distances 1 and 2 from the S2-only centroid, not from control.
        Table t;
        t.control();
        t.add({10, 0}, "none", 0, "S2", 1);
        t.add({10, 0}, "", 0, "S2", 1);
        t.add({10, 1}, "S1", 1, "S2", 1);
        t.add({10, 2}, "S1", 2, "S2", 1);
        t.add({0, 5}, "S1", 1); // S1 alone: 5 from control
        const DoseResponseResult r = analyse(t, 100);
        QCOMPARE(r.substances.size(), std::size_t(2));
        QCOMPARE(r.substances[0].name, std::string("S1")); // single before the combination
        QCOMPARE(r.substances[0].levels[0].distance, 5.0);
        const SubstanceResponse& c = r.substances[1];
        QCOMPARE(c.name, std::string("S1 + S2@1"));
        QCOMPARE(c.reference, std::string("S2@1"));
        QCOMPARE(c.referenceCount, std::size_t(2));
        QVERIFY(c.referenceCentroid == std::vector<double>({10.0, 0.0}));
        QCOMPARE(c.levels[0].distance, 1.0);
        QCOMPARE(c.levels[1].distance, 2.0);
        // Single rows on both sides: every resample is the same, the interval is the point.
        QCOMPARE(c.levels[0].ciLow, 1.0);
        QCOMPARE(c.levels[0].ciHigh, 1.0);
    }

    void oneDoseAndNoControl() {
        Table t;
        t.control();
        t.pair(0, 3, "S3", 5); // one dose: distance 3, no fit
        t.pair(1, 0, "S1", 1);
        t.pair(2, 0, "S1", 2);
        t.add({7, 7}, "S4", 1, "X", 1); // no X-only rows
        t.add({8, 7}, "S4", 2, "X", 1);
        const DoseResponseResult r = analyse(t, 100);
        QCOMPARE(r.substances.size(), std::size_t(3));
        const SubstanceResponse& s3 = r.substances[1];
        QCOMPARE(s3.name, std::string("S3"));
        QCOMPARE(s3.levels.size(), std::size_t(1));
        QCOMPARE(s3.levels[0].distance, 3.0);
        QVERIFY(!s3.hill.ok && !s3.hill.reason.empty());
        QVERIFY(contains(r.notes, "'S3'", "one dose"));
        const SubstanceResponse& s4 = r.substances[2];
        QCOMPARE(s4.name, std::string("S4 + X@1"));
        QVERIFY(!s4.hasReference && s4.referenceCentroid.empty());
        QVERIFY(s4.levels[1].centroid == std::vector<double>({8.0, 7.0}));
        QVERIFY(std::isnan(s4.levels[0].distance) && std::isnan(s4.levels[0].ciLow));
        QVERIFY(std::isnan(s4.rows[0].distance));
        QVERIFY(!s4.hill.ok && !s4.hill.reason.empty());
        QVERIFY(contains(r.notes, "no rows with only the secondary substance 'X@1'"));
        QCOMPARE(r.substances[0].levels[1].distance, 2.0); // S1 is unaffected

        Table noControl;
        noControl.pair(1, 0, "S1", 1);
        noControl.pair(2, 0, "S1", 2);
        const DoseResponseResult n = analyse(noControl, 100);
        QVERIFY(contains(n.notes, "no control rows (dose 0", "'S1'"));
        QVERIFY(n.substances[0].levels[1].centroid == std::vector<double>({2.0, 0.0}));
        QVERIFY(std::isnan(n.substances[0].levels[1].distance));
        QCOMPARE(n.inversionCount, std::size_t(0));
    }

    void badRowsAreSkipped() {
        Table t;
        t.control();
        t.add({1, 0}, "S1", -1); // row 5
        t.pair(1, 0, "S1", 1);
        t.add({9, 9}, "S1", std::nan(""));
        t.pair(2, 0, "S1", 2);
        const DoseResponseResult r = analyse(t, 100);
        QCOMPARE(r.skippedRows, std::size_t(2));
        QVERIFY(contains(r.notes, "2 row(s) skipped", "row 5 has dose -1"));
        const SubstanceResponse& s = r.substances[0];
        QCOMPARE(s.levels.size(), std::size_t(2));
        QCOMPARE(s.rows.size(), std::size_t(4));
        QCOMPARE(s.levels[0].distance, 1.0);
        QCOMPARE(s.levels[1].distance, 2.0);
    }

    void badInputThrows() {
        Table t;
        t.control();
        t.pair(1, 0, "S1", 1);
        Table shortDose = t;
        shortDose.labels.dose.pop_back();
        expectError<DataError>([&] { analyse(shortDose); }, {"5 dose values", "6 embedding rows"});
        Table shortSecondary = t;
        shortSecondary.labels.secondarySubstance.resize(3);
        expectError<DataError>([&] { analyse(shortSecondary); }, {"secondary substance"});
        Eigen::MatrixXd z = t.z();
        z(4, 1) = std::nan("");
        expectError<DataError>(
            [&] { analyseDoseResponse(z, t.labels, DoseResponseOptions{}, JobContext()); },
            {"row 5, column 2"});
        MetricLabels none;
        expectError<DataError>(
            [&] { analyseDoseResponse(t.z(), none, DoseResponseOptions{}, JobContext()); },
            {"substance and dose"});
        Table controlsOnly;
        controlsOnly.control();
        expectError<DataError>([&] { analyse(controlsOnly); }, {"no dosed rows"});
        expectError<ConfigError>([&] { analyse(t, -1); }, {"bootstrap"});
    }

    void progressAndCancel() {
        Table t;
        t.control();
        for (const char* s : {"A", "B", "C"}) {
            t.pair(1, 0, s, 1);
            t.pair(2, 0, s, 2);
        }
        std::vector<double> fractions;
        JobContext ctx([&](const Progress& p) { fractions.push_back(p.fraction); });
        analyseDoseResponse(t.z(), t.labels, DoseResponseOptions{}, ctx);
        QCOMPARE(fractions.size(), std::size_t(4)); // one per substance and the end
        QCOMPARE(fractions.back(), 1.0);
        JobContext cancelled;
        cancelled.requestCancel();
        expectError<CancelledError>(
            [&] { analyseDoseResponse(t.z(), t.labels, DoseResponseOptions{}, cancelled); }, {});
    }

    void csvTable() {
        Table t;
        t.control();
        t.pair(1, 0, "S,1", 1); // a comma in the name is quoted
        t.pair(0.5, 0, "S,1", 2);
        t.add({5, 5}, "S4", 1, "X", 2);
        const DoseResponseResult r = analyse(t, 0);
        const std::string path = std::string(EMBEDSCOPE_TEST_TMP_DIR) + "/dose_response.csv";
        writeDoseResponseCsv(r, path);
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        QCOMPARE(text.str(), std::string("substance,reference,dose,n,distance,ci_low,ci_high,"
                                         "inverted\n"
                                         "\"S,1\",control,1,2,1,,,false\n"
                                         "\"S,1\",control,2,2,0.5,,,true\n"
                                         "S4 + X@2,X@2,1,1,,,,false\n"));
        expectError<IoError>([&] { writeDoseResponseCsv(r, "/nonexistent-dir/d.csv"); },
                             {"/nonexistent-dir/d.csv"});
    }

    void labelsFromMetadata() {
        MetadataTable m;
        m.addStrings("substance", {"none", "S1", "S1", "S2"});
        m.addStrings("dose", {"", "1", " 2.5 ", "-1"});
        m.addStrings("secondary_substance", {"", "", "X", ""});
        m.addNumbers("secondary_dose", {0, 0, 0.5, 0});
        const MetricLabels l = doseLabelsOf(m, DoseColumns{}, "t.csv");
        QVERIFY(l.dose == std::vector<double>({0, 1, 2.5, -1})); // -1 passes: the analysis skips it
        QCOMPARE(l.secondarySubstance[2], std::string("X"));
        QCOMPARE(l.secondaryDose[2], 0.5);
        DoseColumns prefixed;
        prefixed.dose = "Metadata_dose";
        QVERIFY(doseLabelsOf(m, prefixed, "t.csv").dose == l.dose);

        MetadataTable bad = m;
        bad.addStrings("dose", {"0", "1", "abc", "2"});
        expectError<DataError>([&] { doseLabelsOf(bad, DoseColumns{}, "t.csv"); },
                               {"t.csv", "Metadata_dose", "row 3", "abc"});
        DoseColumns missing;
        missing.dose = "concentration";
        expectError<DataError>([&] { doseLabelsOf(m, missing, "t.csv"); },
                               {"t.csv", "Metadata_concentration", "Metadata_dose"});
        MetadataTable single;
        single.addStrings("substance", {"S1"});
        single.addNumbers("dose", {1});
        QVERIFY(doseLabelsOf(single, DoseColumns{}, "t.csv").secondarySubstance.empty());
    }

    void naturalOrder() {
        QVERIFY(naturalLess("S2", "S10"));
        QVERIFY(!naturalLess("S10", "S2"));
        QVERIFY(naturalLess("A9b", "A10a"));
        QVERIFY(naturalLess("a", "b") && !naturalLess("b", "a") && !naturalLess("S1", "S1"));
    }
};

QTEST_APPLESS_MAIN(TestDoseResponse)
#include "test_dose_response.moc"
