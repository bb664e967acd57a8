// The encoder of seed 000 (§3.2, Tables A.1 / A.2) through the public API: parameter counts of
// §4.2.1 / Table 4.4, the per-block shapes and parameters of Table A.1, BatchNorm (§4.2.3) and
// the projection head (§4.2.2). Expected values are the seed's printed numbers or are computed
// here by hand from the printed layer sizes, never taken from the model itself.
#include "embedscope/engine/error.h"
#include "embedscope/engine/model_info.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace embedscope;

namespace {

const std::vector<int64_t> kSeedInput = {3, 90000};

/// The channel list printed in SPEC S0 / Table A.1 (6, 12, 18, 30, 48, 75) and implied by the
/// counts for C = 150 (120) and C = 300 (192), capped at C. Enough for C <= 300.
std::vector<int64_t> printedSchedule(int64_t cap) {
    const int64_t printed[] = {6, 12, 18, 30, 48, 75, 120, 192};
    std::vector<int64_t> widths;
    for (int b = 0; b < 15; ++b)
        widths.push_back(std::min(b < 8 ? printed[b] : cap, cap));
    return widths;
}

/// Conv1d(in, out, k) has in·out·k weights and out biases.
int64_t convParams(int64_t in, int64_t out, int64_t k) {
    return in * out * k + out;
}

int64_t handEncoderParams(int64_t cap) {
    int64_t total = 0;
    int64_t in = 3;
    for (int64_t out : printedSchedule(cap)) {
        total += convParams(in, out, 2) + convParams(out, out, 3);
        in = out;
    }
    return total;
}

std::map<std::string, double> seedParams(double channels, bool batchnorm = false,
                                         double projection = 0) {
    return {{"channels", channels},
            {"batchnorm", batchnorm ? 1.0 : 0.0},
            {"projection_dim", projection}};
}

const LayerShape* findLayer(const std::vector<LayerShape>& layers, const std::string& name) {
    for (const auto& l : layers)
        if (l.name == name)
            return &l;
    return nullptr;
}

int64_t sumParams(const std::vector<LayerShape>& layers) {
    int64_t total = 0;
    for (const auto& l : layers)
        total += l.params;
    return total;
}

using Shape = std::vector<int64_t>;

} // namespace

class TestSeedEncoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Seed Table 4.4 / SPEC S0: the encoder's size for each output size C.
    void parameterCounts_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("C=10") << 10 << qint64(7356);
        QTest::newRow("C=30") << 30 << qint64(56196);
        QTest::newRow("C=70") << 70 << qint64(259244);
        QTest::newRow("C=100") << 100 << qint64(486949);
        QTest::newRow("C=150") << 150 << qint64(994989);
        QTest::newRow("C=300") << 300 << qint64(3348045);
    }
    void parameterCounts() {
        QFETCH(int, channels);
        QFETCH(qint64, expected);
        // The printed schedule and conv sizes reproduce the printed count ...
        QCOMPARE(handEncoderParams(channels), int64_t(expected));
        // ... and so does the model, counted by torch and summed over the traced layers.
        QCOMPARE(modelParameterCount("seed-encoder", seedParams(channels), kSeedInput),
                 int64_t(expected));
        const auto layers = modelLayerShapes("seed-encoder", seedParams(channels), kSeedInput);
        QCOMPARE(sumParams(layers), int64_t(expected));
        // Defaults: the base model is C = 100 without BN or head.
        if (channels == 100)
            QCOMPARE(modelParameterCount("seed-encoder", {}, kSeedInput), int64_t(expected));
    }

    // Table A.1, base model (C = 100), row by row.
    void tableA1Shapes() {
        struct Row {
            int64_t channels, length, stridedParams, convParams;
        };
        const Row rows[15] = {
            {6, 45000, 42, 114},      {12, 22500, 156, 444},    {18, 11250, 450, 990},
            {30, 5625, 1110, 2730},   {48, 2813, 2928, 6960},   {75, 1407, 7275, 16950},
            {100, 704, 15100, 30100}, {100, 352, 20100, 30100}, {100, 176, 20100, 30100},
            {100, 88, 20100, 30100},  {100, 44, 20100, 30100},  {100, 22, 20100, 30100},
            {100, 11, 20100, 30100},  {100, 6, 20100, 30100},   {100, 3, 20100, 30100},
        };
        const std::map<int, int64_t> pads = {{4, 5626}, {5, 2814}, {6, 1408}, {13, 12}};
        const auto layers = modelLayerShapes("seed-encoder", seedParams(100), kSeedInput);
        QVERIFY(!findLayer(layers, "input.zero_pad")); // 90,000 is even
        int64_t inChannels = 3;
        for (int b = 1; b <= 15; ++b) {
            const Row& r = rows[b - 1];
            const std::string p = "block" + std::to_string(b) + ".";
            const LayerShape* strided = findLayer(layers, p + "strided_conv");
            const LayerShape* conv = findLayer(layers, p + "conv");
            const LayerShape* pool = findLayer(layers, p + "residual_pool");
            QVERIFY2(strided && conv && pool, p.c_str());
            QCOMPARE(strided->shape, (Shape{r.channels, r.length}));
            QCOMPARE(conv->shape, (Shape{r.channels, r.length}));
            QCOMPARE(strided->params, r.stridedParams);
            QCOMPARE(conv->params, r.convParams);
            QCOMPARE(pool->params, int64_t(0));
            // Residual column of Table A.1: AveragePool keeps the input's channels; AddZeros
            // only where the block widens (blocks 1-7).
            QCOMPARE(pool->shape, (Shape{inChannels, r.length}));
            const LayerShape* zeros = findLayer(layers, p + "add_zeros");
            QCOMPARE(zeros != nullptr, r.channels > inChannels);
            if (zeros)
                QCOMPARE(zeros->shape, (Shape{r.channels, r.length}));
            const LayerShape* pad = findLayer(layers, p + "zero_pad");
            const auto it = pads.find(b);
            QCOMPARE(pad != nullptr, it != pads.end());
            if (pad)
                QCOMPARE(pad->shape, (Shape{r.channels, it->second}));
            QVERIFY(!findLayer(layers, p + "batchnorm1"));
            inChannels = r.channels;
        }
        const LayerShape* finalPool = findLayer(layers, "final_pool"); // Table A.2 k3, s1
        QVERIFY(finalPool);
        QCOMPARE(finalPool->shape, (Shape{100, 1}));
        QCOMPARE(layers.back().name, std::string("flatten"));
        QCOMPARE(layers.back().shape, (Shape{100}));
    }

    // SPEC S0: 6, 12, 18, 30, 48, 75, 120, 192, ... capped at C.
    void channelSchedule() {
        for (int64_t cap : {10, 30, 70, 100, 150, 300}) {
            const auto layers =
                modelLayerShapes("seed-encoder", seedParams(double(cap)), kSeedInput);
            std::vector<int64_t> widths;
            for (int b = 1; b <= 15; ++b)
                widths.push_back(
                    findLayer(layers, "block" + std::to_string(b) + ".conv")->shape.at(0));
            QCOMPARE(widths, printedSchedule(cap));
        }
        // Past 192 the seed prints nothing; the widths keep growing up to C and stay there.
        const auto layers = modelLayerShapes("seed-encoder", seedParams(1000), kSeedInput);
        int64_t previous = 0;
        for (int b = 1; b <= 15; ++b) {
            const int64_t w = findLayer(layers, "block" + std::to_string(b) + ".conv")->shape.at(0);
            if (b <= 8)
                QCOMPARE(w, printedSchedule(192)[std::size_t(b - 1)]);
            QVERIFY(w > previous || w == 1000);
            QVERIFY(w <= 1000);
            previous = w;
        }
        QCOMPARE(previous, int64_t(1000));
    }

    // Seed §4.2.3: BN after every conv, before the activation, 30 layers. The seed counts no BN
    // parameters; its §2.4.4 names γ and β as the learnable ones, so a BN layer over k channels
    // adds 2k trainable parameters (running mean / variance are buffers, not parameters).
    void batchNorm_data() {
        QTest::addColumn<int>("channels");
        QTest::newRow("C=10") << 10;
        QTest::newRow("C=100") << 100;
        QTest::newRow("C=300") << 300;
    }
    void batchNorm() {
        QFETCH(int, channels);
        int64_t convChannels = 0; // sum of the output channels of all 30 convs
        for (int64_t w : printedSchedule(channels))
            convChannels += 2 * w;
        const int64_t plain = modelParameterCount("seed-encoder", seedParams(channels), kSeedInput);
        const int64_t withBn =
            modelParameterCount("seed-encoder", seedParams(channels, true), kSeedInput);
        QCOMPARE(withBn - plain, 2 * convChannels);
        if (channels == 100)
            QCOMPARE(convChannels, int64_t(2178));

        const auto layers =
            modelLayerShapes("seed-encoder", seedParams(channels, true), kSeedInput);
        QCOMPARE(sumParams(layers), withBn);
        int bnLayers = 0;
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const std::string& name = layers[i].name;
            if (name.find("batchnorm") == std::string::npos)
                continue;
            ++bnLayers;
            // Directly after its conv, same shape, 2 parameters per channel.
            QVERIFY(i > 0);
            const LayerShape& conv = layers[i - 1];
            QVERIFY2(conv.name.size() >= 4 && conv.name.substr(conv.name.size() - 4) == "conv",
                     name.c_str());
            QCOMPARE(layers[i].shape, conv.shape);
            QCOMPARE(layers[i].params, 2 * conv.shape.at(0));
        }
        QCOMPARE(bnLayers, 30);
    }

    // Seed §4.2.2: h(z) = W2 σ(W1 z), first layer ⌈(O_enc + O_proj) / 2⌉ wide.
    void projectionHead_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("projection");
        QTest::addColumn<int>("hidden");
        QTest::newRow("100->50") << 100 << 50 << 75;
        QTest::newRow("100->21 (odd sum rounds up)") << 100 << 21 << 61;
        QTest::newRow("300->100") << 300 << 100 << 200;
        QTest::newRow("30->20 (odd sum)") << 30 << 20 << 25;
    }
    void projectionHead() {
        QFETCH(int, channels);
        QFETCH(int, projection);
        QFETCH(int, hidden);
        const int64_t w1 = int64_t(channels) * hidden + hidden;
        const int64_t w2 = int64_t(hidden) * projection + projection;
        const auto params = seedParams(channels, false, projection);
        QCOMPARE(modelParameterCount("seed-encoder", params, kSeedInput),
                 handEncoderParams(channels) + w1 + w2);
        const auto layers = modelLayerShapes("seed-encoder", params, kSeedInput);
        QCOMPARE(layers.size() >= 4, true);
        const std::size_t n = layers.size();
        QCOMPARE(layers[n - 4].name, std::string("flatten")); // z, the embedding, before the head
        QCOMPARE(layers[n - 4].shape, (Shape{channels}));
        QCOMPARE(layers[n - 3].name, std::string("head.linear1"));
        QCOMPARE(layers[n - 3].shape, (Shape{hidden}));
        QCOMPARE(layers[n - 3].params, w1);
        QCOMPARE(layers[n - 2].name, std::string("head.relu"));
        QCOMPARE(layers[n - 2].params, int64_t(0));
        QCOMPARE(layers[n - 1].name, std::string("head.linear2"));
        QCOMPARE(layers[n - 1].shape, (Shape{projection}));
        QCOMPARE(layers[n - 1].params, w2);
    }

    // Other lengths: odd T is padded first; the last pool becomes the mean over time.
    void otherLengths() {
        const int64_t shortest = 16385; // 2^14 + 1: block 15 still gets two steps
        const auto layers = modelLayerShapes("seed-encoder", seedParams(30), {3, shortest});
        const LayerShape* inputPad = findLayer(layers, "input.zero_pad");
        QVERIFY(inputPad);
        QCOMPARE(inputPad->shape, (Shape{3, shortest + 1}));
        QCOMPARE(findLayer(layers, "block14.conv")->shape, (Shape{30, 2}));
        QCOMPARE(findLayer(layers, "block15.conv")->shape, (Shape{30, 1}));
        QVERIFY(findLayer(layers, "final_adaptive_pool"));
        QCOMPARE(layers.back().shape, (Shape{30}));
        QCOMPARE(sumParams(layers), int64_t(56196)); // parameters do not depend on T
    }

    void badInput() {
        // Too short: 2^14 steps leave block 15 one real step and one pad.
        try {
            modelParameterCount("seed-encoder", {}, {3, 16384});
            QFAIL("a 16384-step input was accepted");
        } catch (const DataError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("seed-encoder") != std::string::npos, e.what());
            QVERIFY2(what.find("16385") != std::string::npos, e.what());
            QVERIFY2(what.find("16384") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DataError, modelLayerShapes("seed-encoder", {}, {3, 100}));
        // The zero-channel shortcut only widens: 8 input channels cannot go into 6.
        QVERIFY_THROWS_EXCEPTION(DataError, modelParameterCount("seed-encoder", {}, {8, 90000}));
        QVERIFY_THROWS_EXCEPTION(DataError, modelParameterCount("seed-encoder", {}, {1, 3, 90000}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, modelLayerShapes("no-such-model", {}, kSeedInput));
    }
};

QTEST_GUILESS_MAIN(TestSeedEncoder)
#include "test_seed_encoder.moc"
