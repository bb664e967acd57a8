// Cell-profile views (issue 8 GUI). A hand-made CellAnalysis: 8 wells on 2 plates (2 DMSO
// controls per plate, compounds X and Y), PCA points chosen by hand; hand-made retrieval
// results (one with an infinite odds ratio, b = 0), a second source whose "before" retrieval
// failed; a consensus table of 4 profiles where rows 0 and 2 are nearly identical; crops of
// 5 channels (DNA, ER, RNA, AGP, Mito) with 3 / 0 / 8 / 1 cells for the 4 profiles. Checked:
// colour by control gives 2 colours, plate 2, well row numbers; a click on a point emits
// wellPicked and rings that well in both panels; the plotted series equal the inputs and the
// infinite odds ratio is an edge marker with its legend row; the headline table; the
// neighbours of row 0 (row 2 first, r by hand), the crop counts and the false colour; PNG
// baselines of the three figures.
#include "embedscope/engine/cell_analysis.h"
#include "embedscope/ui/cell_profile_figures.h"
#include "embedscope/ui/cell_profiles_view.h"
#include "embedscope/ui/figure_widget.h"

#include "figure_render.h"
#include "image_baseline.h"

#include <QComboBox>
#include <QPainter>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace embedscope;
using namespace embedscope::ui;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const char* const kPlates[] = {"P1", "P1", "P1", "P1", "P2", "P2", "P2", "P2"};
const char* const kWells[] = {"A01", "A02", "B01", "B02", "A01", "A02", "B01", "B02"};
const char* const kCompounds[] = {"DMSO", "DMSO", "X", "Y", "DMSO", "DMSO", "X", "Y"};

EmbeddingTable wells() {
    EmbeddingTable t;
    t.featureNames = {"f0", "f1"};
    t.rows = 8;
    std::vector<std::string> plate, well, compound, moa, batch;
    std::vector<double> dose, control;
    for (int i = 0; i < 8; ++i) {
        t.features.push_back(i);
        t.features.push_back(i * i);
        plate.push_back(kPlates[i]);
        well.push_back(kWells[i]);
        compound.push_back(kCompounds[i]);
        moa.push_back(i % 4 < 2 ? "control" : (i % 4 == 2 ? "m1" : "m2"));
        batch.push_back(i < 4 ? "b1" : "b2");
        dose.push_back(i % 4 < 2 ? 0 : 1);
        control.push_back(i % 4 < 2 ? 1 : 0);
    }
    t.metadata.addStrings("Plate", plate);
    t.metadata.addStrings("Well", well);
    t.metadata.addStrings("Batch", batch);
    t.metadata.addStrings("compound", compound);
    t.metadata.addNumbers("dose", dose);
    t.metadata.addStrings("moa", moa);
    t.metadata.addNumbers("control", control);
    return t;
}

/// Rows 0 and 2 nearly identical; 1 and 3 other shapes (r computed by hand in the test).
const double kConsensus[4][3] = {{1, 2, 3}, {3, 1, 2}, {1, 2, 3.1}, {2, 3, 1}};

EmbeddingTable consensus() {
    EmbeddingTable t;
    t.featureNames = {"f0", "f1", "f2"};
    t.rows = 4;
    for (const auto& row : kConsensus)
        t.features.insert(t.features.end(), row, row + 3);
    t.metadata.addStrings("compound", {"X", "Y", "Z", "W"});
    t.metadata.addNumbers("dose", {1, 1, 1, 1});
    t.metadata.addStrings("moa", {"m1", "m2", "m1", "m3"});
    return t;
}

RetrievalResult retrieval(double scale, bool infinite) {
    RetrievalResult r;
    r.nProfiles = 4;
    r.nClasses = 2;
    r.ks = {1, 2, 3};
    r.precisionAtK = {0.5 * scale, 0.4 * scale, 0.3 * scale};
    r.precisionAtR = 0.45 * scale;
    r.meanAveragePrecision = 0.6 * scale;
    for (double p : {95.0, 99.0, 99.5}) {
        EnrichmentPoint e;
        e.percentile = p;
        e.a = 3;
        e.b = p == 99.5 && infinite ? 0 : 2;
        e.c = 4;
        e.d = 10;
        e.oddsRatio = e.b == 0 ? kInf : (double(e.a) / e.b) / (double(e.c) / e.d) * scale;
        r.enrichment.push_back(e);
    }
    return r;
}

std::shared_ptr<const CellAnalysis> analysis() {
    auto a = std::make_shared<CellAnalysis>();
    a->source = "raw crop features";
    a->before.name = "before spherizing";
    a->after.name = "after spherizing";
    for (CellProfileStage* s : {&a->before, &a->after}) {
        s->wells = wells();
        s->consensus = consensus();
        s->pca.resize(8, 2);
    }
    for (int i = 0; i < 8; ++i) {
        a->before.pca.row(i) << i, (i * 3) % 5;
        a->after.pca.row(i) << -i, i % 3;
    }
    a->before.explained << 0.5, 0.25;
    a->after.explained << 0.3, 0.2;
    a->before.retrieval = retrieval(1, false);
    a->after.retrieval = retrieval(1.5, true);
    return a;
}

std::shared_ptr<const CellAnalysis> cnnAnalysis() {
    auto a = std::make_shared<CellAnalysis>(*analysis());
    a->source = "run cnn";
    a->before.retrievalError = "fewer than 2 classes of 2 profiles";
    a->before.retrieval = RetrievalResult();
    a->after.retrieval = retrieval(0.8, false);
    return a;
}

/// Crops (5, 8, 8): 3 of X, 8 of Z, 1 of W (none of Y); DNA a disc, ER a gradient.
std::shared_ptr<const Dataset> crops() {
    auto d = std::make_shared<Dataset>();
    d->name = "cells";
    d->kind = DataKind::Image;
    d->sampleShape = {5, 8, 8};
    d->attributesJson = R"({"channels": ["DNA", "ER", "RNA", "AGP", "Mito"]})";
    std::vector<std::string> compound;
    const std::pair<const char*, int> counts[] = {{"X", 3}, {"Z", 8}, {"W", 1}};
    int n = 0;
    for (const auto& [name, count] : counts)
        for (int k = 0; k < count; ++k, ++n) {
            compound.push_back(name);
            for (int c = 0; c < 5; ++c)
                for (int y = 0; y < 8; ++y)
                    for (int x = 0; x < 8; ++x) {
                        const double r = std::hypot(x - 3.5, y - 3.5);
                        const double v = c == 0   ? (r < 1.5 + 0.2 * k ? 0.8 : 0.1)
                                         : c == 1 ? 0.1 * x
                                         : c == 3 ? (r > 2.5 ? 0.5 : 0.05)
                                         : c == 4 ? 0.05 * y
                                                  : 0.3;
                        d->values.push_back(float(v));
                    }
        }
    d->metadata.addStrings("compound", compound);
    d->metadata.addNumbers("dose", std::vector<double>(std::size_t(n), 1.0));
    return d;
}

double pearson(const double* a, const double* b, int n) {
    double ma = 0, mb = 0;
    for (int i = 0; i < n; ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; ++i) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) * (a[i] - ma);
        bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

FigureOptions baselineOptions() {
    FigureOptions o;
    o.width = 160;
    o.height = 90;
    o.dpi = 110;
    o.fontPt = 8;
    return o;
}

QImage render(const Figure& figure, const FigureOptions& o) {
    return renderFigure(figure, o);
}

void checkBaseline(const Figure& figure, const QString& name) {
    const QString why = embedscope::testing::imageBaselineMismatch(
        render(figure, baselineOptions()), name,
        QStringLiteral(EMBEDSCOPE_SOURCE_DIR "/tests/ui/baselines"),
        QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR));
    if (!why.isEmpty())
        QFAIL(qPrintable(why));
}

} // namespace

class TestCellProfilesView : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<CellProfilesView> view_;

private Q_SLOTS:
    void initTestCase() {
        view_ = std::make_unique<CellProfilesView>();
        view_->resize(1000, 600);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
        view_->setAnalyses({analysis(), cnnAnalysis()}, 0, crops());
    }

    void pcaColours() {
        QCOMPARE(view_->colorChoices(),
                 QStringList({"control / treated", "Batch", "Plate", "Well row", "Well column",
                              "moa", "compound", "dose"}));
        QVERIFY(view_->setColorBy(QStringLiteral("control / treated")));
        auto fig = view_->pcaCanvasFigure();
        QVERIFY(fig);
        QCOMPARE(fig->viewName(), QStringLiteral("well-pca"));
        QCOMPARE(fig->categories(), QStringList({"control", "treated"}));
        QCOMPARE(fig->data().panels.size(), std::size_t(2));
        for (int panel = 0; panel < 2; ++panel) {
            QSet<QRgb> colours;
            for (std::size_t i = 0; i < 8; ++i)
                colours.insert(fig->pointColor(panel, i).rgb());
            QCOMPARE(colours.size(), 2);
            QCOMPARE(fig->pointColor(panel, 0), controlGrey()); // a DMSO well
        }
        QCOMPARE(fig->data().panels[0].x[3], 3.0);
        QCOMPARE(fig->data().panels[0].y[3], 4.0); // (3 · 3) % 5
        QCOMPARE(fig->data().panels[1].x[3], -3.0);
        QCOMPARE(fig->data().panels[0].xTitle, QStringLiteral("PC1 (50.0 %)"));
        QCOMPARE(fig->data().panels[1].yTitle, QStringLiteral("PC2 (20.0 %)"));
        QCOMPARE(fig->data().panels[1].title, QStringLiteral("After spherizing"));

        QVERIFY(view_->setColorBy(QStringLiteral("Plate")));
        QCOMPARE(view_->pcaCanvasFigure()->categories(), QStringList({"P1", "P2"}));
        QVERIFY(view_->setColorBy(QStringLiteral("Well row")));
        fig = view_->pcaCanvasFigure();
        QVERIFY(fig->data().colorKind == WellPcaData::ColorKind::Numeric);
        QCOMPARE(fig->data().panels[0].colorValue, std::vector<double>({1, 1, 2, 2, 1, 1, 2, 2}));
        QVERIFY(view_->setColorBy(QStringLiteral("Well column")));
        QCOMPARE(view_->pcaCanvasFigure()->data().panels[1].colorValue,
                 std::vector<double>({1, 2, 1, 2, 1, 2, 1, 2}));
        QVERIFY(!view_->setColorBy(QStringLiteral("nope")));
        QCOMPARE(view_->colorBy(), QStringLiteral("Well column"));
        QVERIFY(view_->setColorBy(QStringLiteral("control / treated")));
    }

    void pcaClick() {
        view_->setCurrentTab(CellProfilesView::PcaPage);
        QTest::qWait(20);
        QSignalSpy picked(view_.get(), &CellProfilesView::wellPicked);
        // Point 7 (P2 B02) in the "before" panel.
        const QPointF at = view_->pcaPointPosition(0, 7);
        QVERIFY(view_->pcaCanvas()->rect().contains(at.toPoint()));
        QTest::mouseClick(view_->pcaCanvas(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.at(0).at(0).toString(), QStringLiteral("P2"));
        QCOMPARE(picked.at(0).at(1).toString(), QStringLiteral("B02"));
        QCOMPARE(view_->pcaCanvasFigure()->data().selected, QStringLiteral("P2/B02"));
        for (const auto& panel : view_->pcaCanvasFigure()->data().panels)
            QCOMPARE(panel.keys[7], QStringLiteral("P2/B02")); // ringed in both panels
        // The well's consensus profile (compound Y, dose 1) is picked on the neighbours page.
        QCOMPARE(view_->selectedProfile(), 1);

        // A click in the other panel finds the same well by its own position there.
        const auto hit = view_->pcaCanvasFigure()->pointAt(QRectF(view_->pcaCanvas()->rect()),
                                                           view_->pcaCanvas()->screenOptions(),
                                                           view_->pcaPointPosition(1, 2));
        QCOMPARE(hit.panel, 1);
        QCOMPARE(hit.point, 2);
        // Far from every point: nothing.
        QTest::mouseClick(view_->pcaCanvas(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(picked.count(), 1);

        // From outside (the plate view): no signal, ring and profile follow.
        view_->selectWell(QStringLiteral("P1"), QStringLiteral("B01"));
        QCOMPARE(picked.count(), 1);
        QCOMPARE(view_->pcaCanvasFigure()->data().selected, QStringLiteral("P1/B01"));
        QCOMPARE(view_->selectedProfile(), 0); // compound X, dose 1
    }

    void retrievalCurves() {
        auto fig = view_->retrievalCanvasFigure();
        QVERIFY(fig);
        QCOMPARE(fig->viewName(), QStringLiteral("retrieval-curves"));
        // raw before, raw after, cnn after (cnn before failed).
        QCOMPARE(fig->series().size(), std::size_t(3));
        const RetrievalResult in = retrieval(1.5, true);
        const RetrievalSeries& s = fig->series()[1];
        QCOMPARE(s.source, QStringLiteral("raw crop features"));
        QVERIFY(s.after);
        QCOMPARE(s.k, std::vector<double>({1, 2, 3}));
        QCOMPARE(s.precisionAtK, in.precisionAtK);
        QCOMPARE(s.percentile, std::vector<double>({95, 99, 99.5}));
        QCOMPARE(s.oddsRatio[0], in.enrichment[0].oddsRatio);
        QVERIFY(std::isinf(s.oddsRatio[2]));
        QVERIFY(!fig->series()[0].after);
        QCOMPARE(fig->series()[0].colorIndex, fig->series()[1].colorIndex);
        QVERIFY(fig->series()[2].colorIndex != fig->series()[1].colorIndex);
        // The infinite odds ratio is drawn as the edge marker, named in the legend.
        QCOMPARE(fig->edgeMarkers().size(), std::size_t(1));
        QCOMPARE(fig->edgeMarkers()[0].series, 1);
        QCOMPARE(fig->edgeMarkers()[0].percentile, 99.5);
        QVERIFY(fig->edgeMarkers()[0].infinite);
        QCOMPARE(fig->edgeMarkers()[0].text, QStringLiteral("∞ (b = 0)"));
        bool legendRow = false;
        for (const LegendEntry& e : fig->legend())
            legendRow = legendRow ||
                        (e.text == QStringLiteral("∞ (b = 0)") && e.shape == MarkerShape::Triangle);
        QVERIFY(legendRow);
        // The log axis spans the finite odds ratios: (3/2)/(4/10) = 3.75 × 0.8 .. × 1.5.
        QVERIFY(fig->oddsScale().min <= 3.75 * 0.8 && fig->oddsScale().max >= 3.75 * 1.5);

        QTableWidget* t = view_->headlineTable();
        QCOMPARE(t->rowCount(), 4);
        QCOMPARE(t->item(1, 1)->text(), QStringLiteral("after spherizing"));
        QCOMPARE(t->item(1, 2)->text(), QStringLiteral("0.675")); // 0.45 × 1.5
        QCOMPARE(t->item(1, 3)->text(), QStringLiteral("0.900"));
        QCOMPARE(t->item(1, 4)->text(), QStringLiteral("∞"));
        QCOMPARE(t->item(0, 4)->text(), QStringLiteral("3.75"));
        QCOMPARE(t->item(2, 0)->text(), QStringLiteral("run cnn"));
        QCOMPARE(t->item(2, 2)->text(), QStringLiteral("—"));
        QCOMPARE(t->item(2, 2)->toolTip(), QStringLiteral("fewer than 2 classes of 2 profiles"));
    }

    void neighbours() {
        view_->selectProfile(0);
        const auto& n = view_->neighbours();
        QCOMPARE(n.size(), std::size_t(3)); // k = 8 capped by the 3 other profiles
        QCOMPARE(n[0].row, std::size_t(2));
        QVERIFY(std::fabs(n[0].similarity - pearson(kConsensus[0], kConsensus[2], 3)) < 1e-12);
        QVERIFY(n[0].similarity > 0.999);
        for (std::size_t i = 1; i < n.size(); ++i)
            QVERIFY(n[i].similarity <= n[i - 1].similarity);
        // Crops: query X has 3, Z (rank 1) 8 capped at 6, then Y 0 and W 1 in r order.
        const auto& crops = view_->neighbourCrops();
        QCOMPARE(crops.size(), std::size_t(4));
        QCOMPARE(crops[0].size(), std::size_t(3));
        QCOMPARE(crops[1].size(), std::size_t(6));
        auto fig = view_->neighboursCanvasFigure();
        QVERIFY(fig);
        QCOMPARE(fig->viewName(), QStringLiteral("profile-neighbours"));
        QCOMPARE(fig->data().rows.size(), std::size_t(4));
        QCOMPARE(fig->data().rows[0].rank, QStringLiteral("query"));
        QCOMPARE(fig->data().rows[1].compound, QStringLiteral("Z"));
        QVERIFY(fig->data().rows[1].sameClass); // m1 = m1
        for (std::size_t i = 0; i < 4; ++i)
            QCOMPARE(fig->data().rows[i].crops.size(), crops[i].size());
        for (std::size_t i = 2; i < 4; ++i)
            QVERIFY(!fig->data().rows[i].sameClass);
        QCOMPARE(view_->profileList()->rowCount(), 4);
        // The other stage keeps the pick; a row out of range clears it.
        view_->setNeighbourStage(false);
        QCOMPARE(view_->selectedProfile(), 0);
        view_->selectProfile(9);
        QCOMPARE(view_->selectedProfile(), -1);
        QVERIFY(!view_->neighboursFigure());
        view_->setNeighbourStage(true);
        view_->selectProfile(0);
    }

    void baselines() {
        view_->setColorBy(QStringLiteral("control / treated"));
        view_->selectWell(QStringLiteral("P1"), QStringLiteral("B01"));
        view_->selectProfile(0);
        checkBaseline(*view_->pcaFigure(), QStringLiteral("cell_well_pca"));
        checkBaseline(*view_->retrievalFigure(), QStringLiteral("cell_retrieval_curves"));
        checkBaseline(*view_->neighboursFigure(), QStringLiteral("cell_profile_neighbours"));
    }

    void cleanupTestCase() { view_.reset(); }
};

QTEST_MAIN(TestCellProfilesView)
#include "test_cell_profiles_view.moc"
