// The generative models: ELBO terms against hand computations, model shapes in the 1-D and
// 2-D forms, a short training run that learns, and GenerativeRunModel round trips.
#include "embedscope/engine/error.h"
#include "embedscope/engine/generative.h"
#include "embedscope/engine/model_info.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

/// Two classes of 1 x 8 x 8 images in [0, 1]: the left or the right half bright, plus noise.
Dataset halvesImages(std::size_t perClass, uint64_t seed) {
    Dataset d;
    d.name = "halves";
    d.kind = DataKind::Image;
    d.sampleShape = {1, 8, 8};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> noise(0.0f, 0.2f);
    std::vector<std::string> labels, splits;
    for (std::size_t i = 0; i < 2 * perClass; ++i) {
        const bool right = i % 2 == 1;
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x)
                d.values.push_back(((x >= 4) == right ? 0.8f : 0.0f) + noise(rng));
        labels.push_back(right ? "right" : "left");
        splits.push_back(i % 10 == 0 ? "val" : i % 10 == 1 ? "test" : "train");
    }
    d.metadata.addStrings("label", labels);
    d.metadata.addStrings(Dataset::kSplitColumn, splits);
    return d;
}

double bestMetric(const RunRecord& run, const std::string& key) {
    return parseRunMetrics(run.metricsJson).bestValue(key);
}

} // namespace

class TestGenerative : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void kldMatchesEquation34() {
        // Seed 001 eq 3.4 by hand: sample 1 has mu = (0, 1), logvar = (0, log 2):
        // -1/2 [(1 + 0 - 0 - 1) + (1 + ln2 - 1 - 2)] = -1/2 (ln2 - 2) = 1 - ln2/2.
        // Sample 2 has mu = 0, logvar = 0: KLD 0. Mean over the two samples: (1 - ln2/2)/2.
        const double got = klDivergenceValue({0, 1, 0, 0}, {0, std::log(2.0), 0, 0}, 2, 2);
        QVERIFY(std::abs(got - (1 - std::log(2.0) / 2) / 2) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(DataError, klDivergenceValue({0}, {0, 0}, 1, 1));
    }

    void mmdMatchesEquation269() {
        // q = {0}, p = {1} in 1-D, RBF σ = 1: k(0,0) = k(1,1) = 1, k(0,1) = e^{-1/2}.
        // MMD = 1 - 2 e^{-1/2} + 1.
        const double rbf = mmdValue({0}, {1}, 1, 1, 1, "rbf", 1.0);
        QVERIFY(std::abs(rbf - (2 - 2 * std::exp(-0.5))) < 1e-12);
        // Linear kernel: <p,p> - 2 <q,p> + <q,q> = |mean p - mean q|² for these means.
        // q = {1, 3}, p = {2, 6}: means 2 and 4 -> (4 - 2)² = 4.
        const double linear = mmdValue({1, 3}, {2, 6}, 2, 2, 1, "linear", 1.0);
        QVERIFY(std::abs(linear - 4.0) < 1e-12);
        // Identical sets: 0 for any kernel.
        QVERIFY(std::abs(mmdValue({0.5, -1}, {0.5, -1}, 2, 2, 1, "rbf", 0.7)) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(ConfigError, mmdValue({0}, {0}, 1, 1, 1, "poly", 1.0));
    }

    void modelsKeepTheSampleShape() {
        // Conv-VAE decoders crop back to the input: 28 x 28 images, 5000-point signals, odd sizes.
        for (const std::vector<int64_t>& shape :
             {std::vector<int64_t>{1, 28, 28}, {1, 5000}, {3, 13, 9}, {2, 77}}) {
            for (const char* model : {"vae-mlp", "vae-dnn", "vae-conv", "ae-conv"}) {
                const auto layers = modelLayerShapes(model, {{"latent_dim", 4}}, shape);
                QVERIFY(!layers.empty());
                std::vector<int64_t> expected = shape;
                if (expected.size() == 2)
                    expected.insert(expected.begin() + 1, 1);
                QCOMPARE(layers.back().shape, expected);
                int64_t sum = 0;
                for (const auto& l : layers)
                    sum += l.params;
                QCOMPARE(sum, modelParameterCount(model, {{"latent_dim", 4}}, shape));
            }
        }
        // Seed 001 §3.2.1 by hand, 784 inputs, latent 20: MLP 784·500+500 + 500·40+40 +
        // 20·500+500 + 500·784+784 = 392500 + 20040 + 10500 + 392784 = 815824.
        QCOMPARE(modelParameterCount("vae-mlp", {{"latent_dim", 20}}, {1, 28, 28}),
                 int64_t(815824));
    }

    void configResolvesGenerativeDefaults() {
        const TrainConfig c = parseTrainConfig(R"({"model": "vae-conv"})", {});
        QCOMPARE(c.loss, std::string("elbo"));
        QCOMPARE(c.optimizer.name, std::string("nadamw"));
        QCOMPARE(c.schedule.name, std::string("cosine"));
        QCOMPARE(c.learningRate, 1e-3); // seed 001 §3.3.2
        const TrainConfig e = parseTrainConfig("{}", {});
        QCOMPARE(e.loss, std::string("supcon"));
        QCOMPARE(e.optimizer.name, std::string("adam"));
        QCOMPARE(e.learningRate, 3e-3);
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, parseTrainConfig(R"({"model": "vae-conv", "loss": "supcon"})", {}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseTrainConfig(R"({"loss": "elbo"})", {}));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, parseTrainConfig("{}", {"model=ae-conv", "model_params.kernels=0,3"}));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError,
            parseTrainConfig("{}", {"model=ae-conv", "model_params.kernels=1,3,3,3,3,3,3"}));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, parseTrainConfig("{}", {"model=ae-conv", "model_params.kernels=3;5"}));
        const TrainConfig a =
            parseTrainConfig("{}", {"model=ae-conv", "model_params.kernels=[7, 5]",
                                    "model_params.strides=2,2", "model_params.filters=8,4"});
        QCOMPARE(a.modelChoices.at("kernels"), std::string("7,5"));
        // Even kernels cannot be mirrored exactly: the model says so.
        const TrainConfig even =
            parseTrainConfig("{}", {"model=ae-conv", "model_params.kernels=4",
                                    "model_params.strides=2", "model_params.filters=8"});
        Dataset d = halvesImages(4, 1);
        QVERIFY_THROWS_EXCEPTION(ConfigError, train(d, even, JobContext()));
    }

    void trainingLearnsAndReconstructs() {
        const Dataset data = halvesImages(60, 7);
        TrainConfig cfg = parseTrainConfig(
            R"({"model": "vae-conv", "epochs": 25, "batch_size": 16, "learning_rate": 0.003})",
            {"model_params.latent_dim=2"});
        const RunRecord run = train(data, cfg, JobContext());
        QCOMPARE(int(run.trainLoss.size()), 25);
        QCOMPARE(int(run.curves.at("val_recon").size()), 25);
        QVERIFY(run.valLoss.back() < run.valLoss.front());
        // total = recon + β latent on every epoch (β = 1).
        for (std::size_t e = 0; e < run.valLoss.size(); ++e)
            QVERIFY(std::abs(run.valLoss[e] - run.curves.at("val_recon")[e] -
                             run.curves.at("val_latent")[e]) < 1e-6 * run.valLoss[e]);
        // Cosine decay reaches α·I at the end (SPEC S1): the last epoch's rate is near 3e-5.
        QVERIFY(run.curves.at("lr").back() < 0.003 * 0.05);
        QCOMPARE(run.embeddingCols, std::size_t(2));
        // Better than predicting every pixel's mean: that MSE is the pixel variance (~0.16).
        QVERIFY2(bestMetric(run, "recon_mse") < 0.05, run.metricsJson.c_str());
        // The halves separate in the latent space (seed 002 §4 few-label protocol).
        QVERIFY(bestMetric(run, "logreg_accuracy") > 0.9);

        GenerativeRunModel model(run);
        QCOMPARE(model.latentDim(), std::size_t(2));
        QCOMPARE(model.reconstructionLoss(), std::string("bce"));
        const auto recon = model.reconstruct(data, {0, 1});
        QCOMPARE(recon.size(), std::size_t(128));
        // Sample 0 is bright on the left: its reconstruction too.
        double left = 0, right = 0;
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x)
                (x < 4 ? left : right) += recon[std::size_t(y * 8 + x)];
        QVERIFY(left > 2 * right);
        // encode + decode = reconstruct; the embedding row is μ.
        const auto mu = model.encode(data, {0});
        QVERIFY(std::abs(mu[0] - run.embedding[0]) < 1e-5);
        const auto decoded = model.decode(mu, 1);
        for (std::size_t i = 0; i < 64; ++i)
            QVERIFY(std::abs(decoded[i] - recon[i]) < 1e-5);
        const auto walk = model.traverse(mu, 1, {-2, 0, 2});
        QCOMPARE(walk.size(), std::size_t(3 * 64));
        const auto prior = model.samplePrior(5, 3);
        QCOMPARE(prior.size(), std::size_t(5 * 64));
        for (float v : prior)
            QVERIFY(v >= 0 && v <= 1);                         // sigmoid outputs for a BCE run
        QVERIFY(model.reconstructionSteps(data, {0}).empty()); // not DRAW
        QVERIFY_THROWS_EXCEPTION(DataError, model.traverse(mu, 2, {0}));
        QVERIFY_THROWS_EXCEPTION(DataError, model.reconstruct(data, {99999}));
        // embedWithRun gives μ of every sample again.
        std::size_t cols = 0;
        const auto again = embedWithRun(run, data, JobContext(), &cols);
        QCOMPARE(cols, std::size_t(2));
        QVERIFY(std::abs(again[5] - run.embedding[5]) < 1e-5);
    }

    void mmdAndPlainAutoencoderTrain() {
        const Dataset data = halvesImages(20, 3);
        for (const char* latent : {"mmd", "none"}) {
            const TrainConfig cfg = parseTrainConfig(
                R"({"model": "ae-conv", "epochs": 3, "batch_size": 8})",
                {std::string("loss_params.latent=") + latent, "model_params.kernels=3,3",
                 "model_params.strides=2,2", "model_params.filters=4,4",
                 "model_params.batchnorm=true", "model_params.activation=lrelu"});
            const RunRecord run = train(data, cfg, JobContext());
            QCOMPARE(int(run.trainLoss.size()), 3);
            if (std::string(latent) == "none")
                QCOMPARE(run.curves.at("train_latent").back(), 0.0);
            else
                QVERIFY(run.curves.at("train_latent").back() > 0);
        }
    }

    void decClusteringLossFindsTheHalves() {
        // Seed 002's clustering latent loss: K-means initial centroids, target updates, KL(P‖Q).
        const Dataset data = halvesImages(40, 5);
        const TrainConfig cfg = parseTrainConfig(
            R"({"model": "vae-conv", "epochs": 6, "batch_size": 16, "learning_rate": 0.003})",
            {"model_params.latent_dim=2", "loss_params.latent=dec", "loss_params.clusters=2",
             "loss_params.beta=0.1"});
        const RunRecord run = train(data, cfg, JobContext());
        QVERIFY(run.curves.at("train_latent").back() > 0);
        // KL(P‖Q) >= 0 and the clusters are the two halves (ARI 1 up to one stray sample).
        QVERIFY2(bestMetric(run, "dec_ari") > 0.8, run.metricsJson.c_str());
        QVERIFY2(bestMetric(run, "kmeans_ari") > 0.8, run.metricsJson.c_str());
        QVERIFY(std::isnan(bestMetric(run, "kld"))); // log σ² is not trained here
    }

    void badInputIsNamed() {
        Dataset data = halvesImages(10, 1);
        data.values[70] = 1.5f; // outside [0, 1]: BCE cannot use it
        const TrainConfig cfg = parseTrainConfig(R"({"model": "vae-mlp", "epochs": 1})", {});
        try {
            train(data, cfg, JobContext());
            QFAIL("expected a DataError");
        } catch (const DataError& e) {
            QVERIFY(std::string(e.what()).find("sample 1") != std::string::npos);
            QVERIFY(std::string(e.what()).find("recon = mse") != std::string::npos);
        }
        // A diverging run names the epoch and the likely cause.
        Dataset signal;
        signal.name = "wild";
        signal.kind = DataKind::Signal;
        signal.sampleShape = {1, 16};
        for (int i = 0; i < 32 * 16; ++i)
            signal.values.push_back(float(1e30 * ((i * 7919) % 13 - 6)));
        const TrainConfig hot =
            parseTrainConfig(R"({"model": "vae-mlp", "epochs": 2, "learning_rate": 10})", {});
        try {
            train(signal, hot, JobContext());
            QFAIL("expected a DataError");
        } catch (const DataError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find("epoch 1") != std::string::npos, message.c_str());
            QVERIFY(message.find("learning") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestGenerative)
#include "test_generative.moc"
