// Training configs: defaults, JSON, overrides, and errors that name the key.
#include "embedscope/engine/error.h"
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <string>

using namespace embedscope;

namespace {

/// The ConfigError message of parsing (json, overrides); fails the test when nothing throws.
std::string configError(const std::string& json, const std::vector<std::string>& overrides = {}) {
    try {
        parseTrainConfig(json, overrides, "cfg.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no ConfigError)";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

class TestTrainConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults() {
        const TrainConfig c = parseTrainConfig("", {});
        QCOMPARE(c.model, std::string("conv1d-small"));
        QCOMPARE(c.modelParams.at("channels"), 32.0);
        QCOMPARE(c.modelParams.at("embedding_dim"), 8.0);
        QCOMPARE(c.modelParams.at("projection_dim"), 0.0);
        QCOMPARE(c.loss, std::string("supcon"));
        QCOMPARE(c.lossParams.at("temperature"), 1.0);
        QCOMPARE(c.lossChoices.at("similarity"), std::string("euclidean"));
        QCOMPARE(c.epochs, 40);
        QCOMPARE(c.batchSize, 16);
        QCOMPARE(c.learningRate, 3e-3);
        QCOMPARE(c.device, std::string("auto"));
        QCOMPARE(c.groupColumn, std::string("group"));
    }

    void parsesJson() {
        const TrainConfig c = parseTrainConfig(R"({
            "model": "conv1d-small", "model_params": {"channels": 16, "projection_dim": 4},
            "loss": "supcon", "loss_params": {"temperature": 0.5, "similarity": "cosine"},
            "epochs": 3, "batch_size": 64, "learning_rate": 1e-4, "weight_decay": 0.01,
            "seed": 42, "device": "cpu", "threads": 2, "group_column": "dose", "run_name": "r1"
        })",
                                               {});
        QCOMPARE(c.modelParams.at("channels"), 16.0);
        QCOMPARE(c.modelParams.at("projection_dim"), 4.0);
        QCOMPARE(c.modelParams.at("embedding_dim"), 8.0); // default filled in
        QCOMPARE(c.lossParams.at("temperature"), 0.5);
        QCOMPARE(c.lossChoices.at("similarity"), std::string("cosine"));
        QCOMPARE(c.epochs, 3);
        QCOMPARE(c.batchSize, 64);
        QCOMPARE(c.learningRate, 1e-4);
        QCOMPARE(c.weightDecay, 0.01);
        QCOMPARE(c.seed, uint64_t(42));
        QCOMPARE(c.device, std::string("cpu"));
        QCOMPARE(c.threads, 2);
        QCOMPARE(c.groupColumn, std::string("dose"));
        QCOMPARE(c.runName, std::string("r1"));
    }

    void overrides() {
        const TrainConfig c = parseTrainConfig(
            R"({"epochs": 5})", {"epochs=7", "model_params.channels=30", "learning_rate=2.5e-4",
                                 "loss_params.similarity=manhattan", "loss_params.temperature=0.1",
                                 "run_name=a=b", "seed=9"});
        QCOMPARE(c.epochs, 7);
        QCOMPARE(c.modelParams.at("channels"), 30.0);
        QCOMPARE(c.learningRate, 2.5e-4);
        QCOMPARE(c.lossChoices.at("similarity"), std::string("manhattan"));
        QCOMPARE(c.lossParams.at("temperature"), 0.1);
        QCOMPARE(c.runName, std::string("a=b")); // split at the first '='
        QCOMPARE(c.seed, uint64_t(9));
    }

    void roundTripsThroughJson() {
        const TrainConfig a = parseTrainConfig(
            R"({"model_params": {"channels": 20}, "epochs": 4, "learning_rate": 0.003})",
            {"loss_params.similarity=cosine"});
        const TrainConfig b = parseTrainConfig(toJson(a), {});
        QCOMPARE(toJson(b), toJson(a));
        QCOMPARE(b.modelParams, a.modelParams);
        QCOMPARE(b.lossChoices, a.lossChoices);
        QCOMPARE(b.learningRate, 0.003);
        // A run's config carries input_shape; it is accepted (and ignored) on the way back.
        QCOMPARE(parseTrainConfig(R"({"input_shape": [3, 512]})", {}).epochs, 40);
    }

    void unknownKeys() {
        std::string m = configError(R"({"epochz": 3})");
        QVERIFY2(contains(m, "cfg.json") && contains(m, "unknown key 'epochz'") &&
                     contains(m, "epochs"),
                 m.c_str());
        m = configError(R"({"model_params": {"chanels": 3}})");
        QVERIFY2(contains(m, "model_params.chanels") && contains(m, "channels"), m.c_str());
        m = configError("{}", {"foo=1"});
        QVERIFY2(contains(m, "unknown key 'foo'"), m.c_str());
        m = configError("{}", {"loss_params.margin=1"});
        QVERIFY2(contains(m, "loss_params.margin"), m.c_str());
        m = configError("{}", {"optimizer.lr=1"});
        QVERIFY2(contains(m, "optimizer.lr"), m.c_str());
    }

    void wrongTypes() {
        std::string m = configError(R"({"epochs": "ten"})");
        QVERIFY2(contains(m, "cfg.json: 'epochs' must be an integer, got string"), m.c_str());
        m = configError(R"({"learning_rate": true})");
        QVERIFY2(contains(m, "'learning_rate' must be a number, got boolean"), m.c_str());
        m = configError(R"({"model_params": {"channels": 3.5}})");
        QVERIFY2(contains(m, "'model_params.channels' must be an integer, got number"), m.c_str());
        m = configError(R"({"model_params": []})");
        QVERIFY2(contains(m, "'model_params' must be an object"), m.c_str());
        m = configError(R"([1, 2])");
        QVERIFY2(contains(m, "JSON object"), m.c_str());
    }

    void outOfRange() {
        // epochs = 0 is the untrained reference run; below that is out of range.
        std::string m = configError(R"({"epochs": -1})");
        QVERIFY2(contains(m, "'epochs'") && contains(m, "[0, "), m.c_str());
        m = configError(R"({"batch_size": 1})");
        QVERIFY2(contains(m, "'batch_size'"), m.c_str());
        m = configError(R"({"learning_rate": -0.1})");
        QVERIFY2(contains(m, "'learning_rate'"), m.c_str());
        // 0 stands for the model kind's default (training.h).
        QCOMPARE(parseTrainConfig(R"({"learning_rate": 0})", {}).learningRate, 3e-3);
        m = configError(R"({"optimizer": "rmsprop"})");
        QVERIFY2(contains(m, "rmsprop"), m.c_str());
        m = configError(R"({"schedule": "step"})");
        QVERIFY2(contains(m, "step_epochs"), m.c_str());
        m = configError(R"({"optimizer_params": {"beta1": 1.5}})");
        QVERIFY2(contains(m, "beta1"), m.c_str());
        m = configError("{}", {"schedule_params.bogus=1"});
        QVERIFY2(contains(m, "schedule_params.bogus"), m.c_str());
        m = configError(R"({"weight_decay": -1})");
        QVERIFY2(contains(m, "'weight_decay'"), m.c_str());
        m = configError("{}", {"model_params.channels=3"});
        QVERIFY2(contains(m, "'model_params.channels' must be in [4, 512], got 3"), m.c_str());
        m = configError("{}", {"loss_params.temperature=0"});
        QVERIFY2(contains(m, "'loss_params.temperature'"), m.c_str());
        m = configError("{}", {"loss_params.similarity=chebyshev"});
        QVERIFY2(contains(m, "'loss_params.similarity' must be one of euclidean"), m.c_str());
        m = configError(R"({"device": "gpu"})");
        QVERIFY2(contains(m, "'device'"), m.c_str());
        m = configError(R"({"seed": -1})");
        QVERIFY2(contains(m, "'seed'"), m.c_str());
    }

    void unknownModelAndLoss() {
        std::string m = configError(R"({"model": "resnet-9000"})");
        QVERIFY2(contains(m, "'model'") && contains(m, "resnet-9000") &&
                     contains(m, "conv1d-small"),
                 m.c_str());
        m = configError("{}", {"loss=triplett"});
        QVERIFY2(contains(m, "'loss'") && contains(m, "triplett") && contains(m, "supcon"),
                 m.c_str());
        // A loss of another model kind is refused when the config is read, naming both.
        m = configError(R"({"model": "conv1d-small", "loss": "cross-entropy"})");
        QVERIFY2(contains(m, "cross-entropy") && contains(m, "conv1d-small") &&
                     contains(m, "contrastive"),
                 m.c_str());
        m = configError(R"({"model": "cell-cnn", "loss": "supcon"})");
        QVERIFY2(contains(m, "classifier") && contains(m, "'cross-entropy'"), m.c_str());
        m = configError(R"({"model": "vae-mlp", "loss": "cross-entropy"})");
        QVERIFY2(contains(m, "generative"), m.c_str());
        QVERIFY_THROWS_EXCEPTION(ConfigError, findModel("nope"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, findLoss("nope"));
        QVERIFY(!modelRegistry().empty());
        QCOMPARE(findLoss("supcon").params.size(),
                 std::size_t(3)); // temperature, similarity, semi_positive
    }

    void malformedInput() {
        std::string m = configError(R"({"epochs": 3,})");
        QVERIFY2(contains(m, "cfg.json: malformed JSON") && contains(m, "line 1"), m.c_str());
        m = configError("{}", {"epochs"});
        QVERIFY2(contains(m, "key=value"), m.c_str());
        m = configError("{}", {"=3"});
        QVERIFY2(contains(m, "key=value"), m.c_str());
        m = configError("{}", {"epochs=abc"});
        QVERIFY2(contains(m, "'epochs' must be an integer, got 'abc'"), m.c_str());
        m = configError("{}", {"learning_rate=1e-3x"});
        QVERIFY2(contains(m, "'learning_rate' must be a number"), m.c_str());
    }
};

QTEST_GUILESS_MAIN(TestTrainConfig)
#include "test_train_config.moc"
