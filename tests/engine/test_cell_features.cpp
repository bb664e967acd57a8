// Raw single-cell features (cell_features.h) on hand-made crops with hand-computed answers: a
// constant crop (sd 0, mean = the constant), a nucleus rectangle inside a cell rectangle (areas,
// eccentricities, quartiles, Haralick contrast / homogeneity, gradient), metadata carried over,
// and the input checks.
#include "embedscope/engine/cell_features.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace embedscope;

namespace {

Dataset crops(int channels, int S, std::vector<float> values, const std::string& attrs) {
    Dataset d;
    d.name = "cells";
    d.kind = DataKind::Image;
    d.sampleShape = {channels, S, S};
    d.values = std::move(values);
    d.attributesJson = attrs;
    const std::size_t n = d.values.size() / (std::size_t(channels) * S * S);
    d.metadata.addStrings("Well", std::vector<std::string>(n, "B03"));
    d.metadata.addNumbers("dose", std::vector<double>(n, 0.5));
    return d;
}

double feature(const EmbeddingTable& t, std::size_t row, const std::string& name) {
    const auto it = std::find(t.featureNames.begin(), t.featureNames.end(), name);
    if (it == t.featureNames.end())
        throw std::runtime_error("no feature " + name);
    return t.features[row * t.featureNames.size() + std::size_t(it - t.featureNames.begin())];
}

} // namespace

class TestCellFeatures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesLikeCellProfiler() {
        const auto names = cellFeatureNames({"DNA", "ER"});
        QCOMPARE(names.size(), std::size_t(2 * 9 + 4));
        QCOMPARE(names.front(), std::string("Cells_Intensity_MeanIntensity_DNA"));
        QCOMPARE(names[9 + 7], std::string("Cells_Texture_Contrast_ER_1"));
        QCOMPARE(names.back(), std::string("Cells_AreaShape_Eccentricity"));
    }

    void constantCrop() {
        const int S = 8;
        std::vector<float> v(2 * S * S, 0.3f);
        std::fill(v.begin() + S * S, v.end(), 0.7f);
        const auto t = cellCropFeatures(crops(2, S, v, R"({"channels": ["DNA", "ER"]})"));
        QCOMPARE(t.rows, std::size_t(1));
        for (const auto& [ch, c] : {std::pair<std::string, double>{"DNA", 0.3}, {"ER", 0.7}}) {
            QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_MeanIntensity_" + ch) - c) < 1e-6);
            QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_StdIntensity_" + ch)) < 1e-6);
            QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_MedianIntensity_" + ch) - c) < 1e-6);
            QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_LowerQuartileIntensity_" + ch) - c) <
                    1e-6);
            QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_IntegratedIntensity_" + ch) -
                             c * S * S) < 1e-4);
            QCOMPARE(feature(t, 0, "Cells_Texture_GradientMean_" + ch), 0.0);
            QCOMPARE(feature(t, 0, "Cells_Texture_Contrast_" + ch + "_1"), 0.0);
            QCOMPARE(feature(t, 0, "Cells_Texture_Homogeneity_" + ch + "_1"), 1.0);
        }
        QCOMPARE(feature(t, 0, "Cells_AreaShape_Area"), double(S * S));
        QCOMPARE(feature(t, 0, "Cells_AreaShape_Eccentricity"), 0.0); // a square
        QCOMPARE(feature(t, 0, "Nuclei_AreaShape_Area"), double(S * S));
        // Metadata carried over.
        QCOMPARE(t.metadata.column("Well").strings.front(), std::string("B03"));
        QCOMPARE(t.metadata.column("dose").numbers.front(), 0.5);
    }

    void nucleusInsideCell() {
        // S = 12: cell 5 wide x 7 tall (columns 4-8, rows 3-9) of ER = 1; nucleus 3 x 5 (columns
        // 5-7, rows 4-8) of DNA = 1; the rest 0. Mean image: 1 in the nucleus, 0.5 in the ring,
        // 0 outside; Otsu splits {0} | {0.5, 1} (between-class 109*35*0.714^2 > 129*15*0.922^2).
        const int S = 12;
        std::vector<float> v(2 * S * S, 0.0f);
        for (int y = 3; y <= 9; ++y)
            for (int x = 4; x <= 8; ++x) {
                v[S * S + y * S + x] = 1.0f;
                if (y >= 4 && y <= 8 && x >= 5 && x <= 7)
                    v[y * S + x] = 1.0f;
            }
        const auto t = cellCropFeatures(crops(2, S, v, R"({"channels": ["DNA", "ER"]})"));
        QCOMPARE(feature(t, 0, "Nuclei_AreaShape_Area"), 15.0);
        // Rectangle w x h: variances (w^2 - 1) / 12 and (h^2 - 1) / 12.
        QVERIFY(std::abs(feature(t, 0, "Nuclei_AreaShape_Eccentricity") - std::sqrt(1 - 1.0 / 3)) <
                1e-9);
        QCOMPARE(feature(t, 0, "Cells_AreaShape_Area"), 35.0);
        QVERIFY(std::abs(feature(t, 0, "Cells_AreaShape_Eccentricity") - std::sqrt(0.5)) < 1e-9);
        // DNA over the cell mask: 15 ones and 20 zeros.
        const double p = 15.0 / 35.0;
        QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_MeanIntensity_DNA") - p) < 1e-9);
        QVERIFY(std::abs(feature(t, 0, "Cells_Intensity_StdIntensity_DNA") -
                         std::sqrt(p * (1 - p))) < 1e-9);
        QCOMPARE(feature(t, 0, "Cells_Intensity_IntegratedIntensity_DNA"), 15.0);
        QCOMPARE(feature(t, 0, "Cells_Intensity_MedianIntensity_DNA"), 0.0); // position 17
        QCOMPARE(feature(t, 0, "Cells_Intensity_LowerQuartileIntensity_DNA"), 0.0);
        QCOMPARE(feature(t, 0, "Cells_Intensity_UpperQuartileIntensity_DNA"), 1.0); // 25.5
        // Co-occurrence inside the 5 x 7 mask: 28 horizontal + 30 vertical pairs, 10 + 6 of them
        // across the nucleus edge (levels 0 and 7).
        QVERIFY(std::abs(feature(t, 0, "Cells_Texture_Contrast_DNA_1") - 16.0 / 58 * 49) < 1e-9);
        QVERIFY(std::abs(feature(t, 0, "Cells_Texture_Homogeneity_DNA_1") -
                         (42.0 / 58 + 16.0 / 58 / 8)) < 1e-9);
        // ER is 1 on the whole mask: no texture, but the mask's rim sees the 0 outside in its
        // central differences: 16 edge pixels |g| = 0.5, 4 corners |g| = sqrt(0.5).
        QCOMPARE(feature(t, 0, "Cells_Texture_Contrast_ER_1"), 0.0);
        QCOMPARE(feature(t, 0, "Cells_Intensity_StdIntensity_ER"), 0.0);
        QVERIFY(std::abs(feature(t, 0, "Cells_Texture_GradientMean_ER") -
                         (16 * 0.5 + 4 * std::sqrt(0.5)) / 35) < 1e-6);
    }

    void otsu() {
        const std::vector<float> v = {0, 0, 0, 0.1f, 0.9f, 1, 1};
        const double t = otsuThreshold(v.data(), v.size());
        QVERIFY2(t > 0.1 && t < 0.9, std::to_string(t).c_str());
        const std::vector<float> c = {0.4f, 0.4f};
        QCOMPARE(otsuThreshold(c.data(), c.size()), double(0.4f));
    }

    void badInput() {
        Dataset signal;
        signal.name = "sig";
        signal.kind = DataKind::Signal;
        signal.sampleShape = {16};
        signal.values.assign(16, 0.f);
        QVERIFY_THROWS_EXCEPTION(DataError, cellCropFeatures(signal));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 cellCropFeatures(crops(2, 4, std::vector<float>(32, 0.f),
                                                        R"({"channels": ["DNA", "ER", "RNA"]})")));
        // Without channel names: Ch1, Ch2.
        const auto t = cellCropFeatures(crops(2, 4, std::vector<float>(32, 0.25f), "{}"));
        QCOMPARE(feature(t, 0, "Cells_Intensity_MeanIntensity_Ch2"), 0.25);
    }
};

QTEST_APPLESS_MAIN(TestCellFeatures)
#include "test_cell_features.moc"
