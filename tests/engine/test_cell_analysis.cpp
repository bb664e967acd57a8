// The cell views' computation (cell_analysis.h, issue 8 GUI): the pipeline cut at spherize
// must give what the uncut pipeline gives, PCA and retrieval on both sides, nearest profiles
// (hand-computed Pearson r) and the crops of a profile.
#include "embedscope/engine/cell_analysis.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

// Single cells of 2 plates: 4 DMSO wells and 4 treated wells per plate (MOA "A": compounds a1,
// a2 raise features 0 and 1; MOA "B": b1, b2 raise features 2 and 3), 5 cells per well, plate 2
// with a gain of 1.5 on every feature (what per-plate normalisation removes).
EmbeddingTable makeCells() {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    EmbeddingTable t;
    t.featureNames = {"f0", "f1", "f2", "f3", "f4"};
    std::vector<std::string> plate, well, compound, moa;
    std::vector<double> control, dose;
    const std::vector<std::pair<std::string, std::string>> treated = {
        {"a1", "A"}, {"a2", "A"}, {"b1", "B"}, {"b2", "B"}};
    for (int p = 0; p < 2; ++p) {
        const double gain = p == 0 ? 1.0 : 1.5;
        for (int w = 0; w < 8; ++w) {
            const bool isControl = w < 4;
            const std::string c = isControl ? "DMSO" : treated[std::size_t(w - 4)].first;
            const std::string m = isControl ? "control" : treated[std::size_t(w - 4)].second;
            for (int cell = 0; cell < 5; ++cell) {
                std::vector<double> x(5);
                for (double& v : x)
                    v = 10.0 + noise(rng);
                if (m == "A")
                    x[0] += 8.0, x[1] += 6.0 + 2.0 * (c == "a2");
                if (m == "B")
                    x[2] += 8.0, x[3] += 6.0 + 2.0 * (c == "b2");
                for (double v : x)
                    t.features.push_back(gain * v);
                plate.push_back("P0" + std::to_string(p + 1));
                well.push_back(std::string("B0") + char('1' + w));
                compound.push_back(c);
                moa.push_back(m);
                control.push_back(isControl ? 1 : 0);
                dose.push_back(isControl ? 0 : 1);
                ++t.rows;
            }
        }
    }
    t.metadata.addStrings("Plate", plate);
    t.metadata.addStrings("Well", well);
    t.metadata.addStrings("compound", compound);
    t.metadata.addNumbers("dose", dose);
    t.metadata.addStrings("moa", moa);
    t.metadata.addNumbers("control", control);
    return t;
}

void requireSameTable(const EmbeddingTable& a, const EmbeddingTable& b) {
    QCOMPARE(a.rows, b.rows);
    QCOMPARE(a.featureNames, b.featureNames);
    for (std::size_t i = 0; i < a.features.size(); ++i)
        QVERIFY2(std::abs(a.features[i] - b.features[i]) < 1e-9, qPrintable(QString::number(i)));
}

} // namespace

class TestCellAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cutPipelineEqualsWholePipeline() {
        const EmbeddingTable cells = makeCells();
        const CellAnalysis a = analyseCellProfiles(cells, "raw", {}, JobContext());
        QCOMPARE(a.cells, std::size_t(80));
        QCOMPARE(a.before.wells.rows, std::size_t(16));
        QCOMPARE(a.after.wells.rows, std::size_t(16));
        QCOMPARE(a.after.consensus.rows, std::size_t(5)); // a1, a2, b1, b2, DMSO

        EmbeddingTable whole = cells;
        const ProfileSummary summary =
            runProfilePipeline(whole, defaultProfilePipeline(), "whole", JobContext());
        requireSameTable(a.after.consensus, whole);
        QCOMPARE(a.summary.steps.size(), summary.steps.size());
        QCOMPARE(a.summary.spherizeRank, summary.spherizeRank);

        // Before: the default steps up to spherize, then consensus.
        ProfilePipeline head = defaultProfilePipeline();
        head.steps.erase(head.steps.end() - 2); // spherize (consensus is last)
        EmbeddingTable noSpherize = cells;
        runProfilePipeline(noSpherize, head, "head", JobContext());
        requireSameTable(a.before.consensus, noSpherize);

        // After spherizing, the control wells' covariance is the identity.
        const std::size_t d = a.after.wells.featureNames.size();
        const auto& control = a.after.wells.metadata.column("control");
        Eigen::MatrixXd x(8, Eigen::Index(d));
        Eigen::Index n = 0;
        for (std::size_t i = 0; i < a.after.wells.rows; ++i)
            if (control.numbers[i] == 1)
                for (std::size_t j = 0; j < d; ++j)
                    x(n, Eigen::Index(j)) = a.after.wells.features[i * d + j], n += (j + 1 == d);
        QCOMPARE(n, Eigen::Index(8));
        const Eigen::MatrixXd c = x.rowwise() - x.colwise().mean();
        const Eigen::MatrixXd cov = c.transpose() * c / 7.0;
        QVERIFY2((cov - Eigen::MatrixXd::Identity(Eigen::Index(d), Eigen::Index(d)))
                         .cwiseAbs()
                         .maxCoeff() < 1e-4,
                 "control covariance after spherizing is not the identity");
    }

    void pcaAndRetrievalOnBothSides() {
        const CellAnalysis a = analyseCellProfiles(makeCells(), "raw", {}, JobContext());
        for (const CellProfileStage* s : {&a.before, &a.after}) {
            QCOMPARE(s->pca.rows(), Eigen::Index(16));
            QVERIFY(s->explained(0) >= s->explained(1));
            QVERIFY(s->explained.sum() <= 1.0 + 1e-12);
            // Each score column's variance over the total variance is its explained ratio.
            Eigen::MatrixXd w(16, Eigen::Index(s->wells.featureNames.size()));
            for (Eigen::Index i = 0; i < w.rows(); ++i)
                for (Eigen::Index j = 0; j < w.cols(); ++j)
                    w(i, j) = s->wells.features[std::size_t(i * w.cols() + j)];
            const double total = (w.rowwise() - w.colwise().mean()).squaredNorm();
            for (int k = 0; k < 2; ++k) {
                const Eigen::VectorXd pc = s->pca.col(k).array() - s->pca.col(k).mean();
                QVERIFY(std::abs(pc.squaredNorm() / total - s->explained(k)) < 1e-9);
            }
            // "control" has one consensus profile: dropped; A and B keep 2 each, so K <= 3.
            QVERIFY2(s->retrievalError.empty(), s->retrievalError.c_str());
            QCOMPARE(s->retrieval.nProfiles, std::size_t(4));
            QCOMPARE(s->retrieval.ks, (std::vector<int>{1, 2, 3}));
            // Each compound's nearest profile is its MOA sibling (the effects dwarf the noise).
            QCOMPARE(s->retrieval.precisionAtK[0], 1.0);
            QCOMPARE(s->retrieval.meanAveragePrecision, 1.0);
        }
    }

    void withoutSpherizeAfterIsBefore() {
        CellAnalysisOptions o;
        o.pipeline.steps.erase(o.pipeline.steps.end() - 2);
        const CellAnalysis a = analyseCellProfiles(makeCells(), "raw", o, JobContext());
        requireSameTable(a.before.wells, a.after.wells);
        QCOMPARE(a.notes.size(), std::size_t(1));
        QCOMPARE(a.summary.spherizeRank, -1);
    }

    void tooFewClassesIsAMessageNotAThrow() {
        CellAnalysisOptions o;
        o.labelColumn = "Plate"; // consensus drops Plate: the label column is missing
        const CellAnalysis a = analyseCellProfiles(makeCells(), "raw", o, JobContext());
        QVERIFY(a.after.retrievalError.find("Plate") != std::string::npos);
        QCOMPARE(a.after.retrieval.nProfiles, std::size_t(0));
    }

    void nearestProfilesByPearson() {
        EmbeddingTable t;
        t.featureNames = {"x0", "x1", "x2", "x3"};
        t.rows = 4;
        t.features = {1, 2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 5, 2, 2, 2, 2};
        const auto nn = nearestProfiles(t, 0, 5);
        QCOMPARE(nn.size(), std::size_t(2)); // row 3 is constant: left out
        QCOMPARE(nn[0].row, std::size_t(2));
        // Hand: dx = (-1.5, -.5, .5, 1.5), dy = (-1.75, -.75, .25, 2.25): 6.5 / sqrt(5 * 8.75).
        QVERIFY(std::abs(nn[0].similarity - 6.5 / std::sqrt(43.75)) < 1e-12);
        QCOMPARE(nn[1].row, std::size_t(1));
        QVERIFY(std::abs(nn[1].similarity + 1.0) < 1e-12);
        QCOMPARE(nearestProfiles(t, 0, 1).size(), std::size_t(1));
        QVERIFY_THROWS_EXCEPTION(DataError, nearestProfiles(t, 3, 2));
        QVERIFY_THROWS_EXCEPTION(DataError, nearestProfiles(t, 4, 2));
    }

    void cropsOfAProfileAreSpread() {
        Dataset crops;
        crops.name = "cells";
        crops.kind = DataKind::Image;
        crops.sampleShape = {1, 2, 2};
        crops.values.assign(10 * 4, 0.5f);
        crops.metadata.addStrings("compound", {"a", "b", "a", "a", "b", "a", "b", "a", "b", "a"});
        crops.metadata.addNumbers("dose", {1, 1, 1, 3, 1, 1, 1, 1, 1, 1});
        EmbeddingTable profiles;
        profiles.featureNames = {"x"};
        profiles.rows = 2;
        profiles.features = {0, 1};
        profiles.metadata.addStrings("compound", {"b", "a"});
        profiles.metadata.addNumbers("dose", {1, 1});
        // a at dose 1: crops 0, 2, 5, 7, 9 (crop 3 is dose 3); 3 of 5 spread: matches
        // floor(j * 5 / 3) = 0, 1, 3 -> crops 0, 2, 7.
        QCOMPARE(cropsOfProfile(crops, profiles, 1, {"compound", "dose"}, 3),
                 (std::vector<std::size_t>{0, 2, 7}));
        QCOMPARE(cropsOfProfile(crops, profiles, 0, {"compound", "dose"}, 10),
                 (std::vector<std::size_t>{1, 4, 6, 8}));
        QVERIFY_THROWS_EXCEPTION(DataError, cropsOfProfile(crops, profiles, 2, {"compound"}, 3));
        QVERIFY_THROWS_EXCEPTION(DataError, cropsOfProfile(crops, profiles, 0, {"moa"}, 3));
    }
};

QTEST_GUILESS_MAIN(TestCellAnalysis)
#include "test_cell_analysis.moc"
