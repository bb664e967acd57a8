// The untrained reference run (seed §4.1: "embeddings using the randomly initiated model
// weights"): epochs = 0 keeps the initial weights of the seed, evaluates the losses once, and
// is reachable from the CLI. Also the trainer feeding substance / dose to the semi-positives.
#include "embedscope/engine/error.h"
#include "embedscope/engine/training.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace embedscope;

namespace {

/// 4 groups (2 substances x doses 1 / 3) x 8 trajectories (3, 256), every 4th one "val".
Dataset smallTrajectories() {
    Dataset d;
    d.name = "small";
    d.sampleShape = {3, 256};
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.1f);
    std::vector<std::string> group, split, substance;
    std::vector<double> dose;
    for (int g = 0; g < 4; ++g)
        for (int a = 0; a < 8; ++a) {
            const float f = 0.01f * float(1 + g);
            for (int c = 0; c < 3; ++c)
                for (int t = 0; t < 256; ++t)
                    d.values.push_back(
                        c == 2 ? float((t / 16 + g) % 2)
                               : std::clamp(0.5f * std::sin(6.28f * f * t + c) + noise(rng), -0.99f,
                                            0.99f));
            group.push_back("G" + std::to_string(g));
            split.push_back(a % 4 == 3 ? "val" : "train");
            substance.push_back(g < 2 ? "S" : "T");
            dose.push_back(g % 2 ? 3.0 : 1.0);
        }
    d.metadata.addStrings("group", group);
    d.metadata.addStrings("split", split);
    d.metadata.addStrings("substance", substance);
    d.metadata.addNumbers("dose", dose);
    return d;
}

TrainConfig config(int epochs, double learningRate = 0.01, uint64_t seed = 5) {
    TrainConfig c = parseTrainConfig(R"({"model_params": {"channels": 8, "embedding_dim": 4},
                                        "batch_size": 8, "device": "cpu"})",
                                     {});
    c.epochs = epochs;
    c.learningRate = learningRate;
    c.seed = seed;
    return c;
}

float maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
    float m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

} // namespace

class TestUntrainedRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void epochsZeroKeepsTheInitialWeights() {
        const Dataset data = smallTrajectories();
        int reports = 0;
        TrainCallbacks callbacks;
        callbacks.onEpoch = [&](const EpochReport&) { ++reports; };
        const RunRecord untrained = train(data, config(0), JobContext(), callbacks);
        QCOMPARE(untrained.status, std::string("finished"));
        QCOMPARE(untrained.trainLoss.size(), std::size_t(1));
        QCOMPARE(untrained.valLoss.size(), std::size_t(1));
        QVERIFY(std::isfinite(untrained.trainLoss[0]) && std::isfinite(untrained.valLoss[0]));
        QCOMPARE(untrained.bestEpoch, 0);
        QCOMPARE(reports, 0); // no epoch was trained
        QVERIFY(!untrained.checkpoint.empty());
        QCOMPARE(untrained.embeddingRows, data.sampleCount());
        QCOMPARE(untrained.embedding.size(), data.sampleCount() * 4);
        QVERIFY(untrained.configJson.find("\"epochs\": 0") != std::string::npos);

        // Same seed, same initial weights; another seed, other weights.
        QVERIFY(train(data, config(0), JobContext()).embedding == untrained.embedding);
        QVERIFY(maxDifference(train(data, config(0, 0.01, 6), JobContext()).embedding,
                              untrained.embedding) > 1e-3f);

        // One epoch at lr 1e-9 (Adam moves each weight by ~1e-9) ends where the untrained run
        // starts: same embedding, and the same validation loss on the same fixed val batches.
        const RunRecord barely = train(data, config(1, 1e-9), JobContext());
        QVERIFY2(maxDifference(barely.embedding, untrained.embedding) < 1e-4f,
                 qPrintable(QString::number(maxDifference(barely.embedding, untrained.embedding))));
        QVERIFY2(std::abs(barely.valLoss[0] - untrained.valLoss[0]) < 1e-4,
                 qPrintable(QString("%1 vs %2").arg(barely.valLoss[0]).arg(untrained.valLoss[0])));

        // Real training moves away from the initial weights and lowers the val loss.
        const RunRecord trained = train(data, config(6), JobContext());
        QVERIFY(maxDifference(trained.embedding, untrained.embedding) > 1e-2f);
        qInfo("untrained val loss %.4f, trained best %.4f", untrained.valLoss[0],
              trained.valLoss[trained.bestEpoch]);
        QVERIFY(trained.valLoss[trained.bestEpoch] < untrained.valLoss[0]);

        // The saved weights are the initial ones: re-embedding reproduces the embedding.
        const auto again = embedWithRun(untrained, data, JobContext());
        QVERIFY(maxDifference(again, untrained.embedding) < 1e-5f);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseTrainConfig(R"({"epochs": -1})", {}));
    }

    void semiPositivesReadSubstanceAndDose() {
        const Dataset data = smallTrajectories();
        TrainConfig semi = config(2);
        semi.lossParams["semi_positive"] = 1;
        const RunRecord run = train(data, semi, JobContext());
        QVERIFY(std::isfinite(run.trainLoss[0]) && std::isfinite(run.valLoss[1]));
        // Semi-positives add positives (w = 0.5 between doses 1 and 3 of a substance): the
        // untrained loss differs from the plain SupCon one on the same batches.
        TrainConfig semi0 = config(0);
        semi0.lossParams["semi_positive"] = 1;
        QVERIFY(std::abs(train(data, semi0, JobContext()).valLoss[0] -
                         train(data, config(0), JobContext()).valLoss[0]) > 1e-3);

        Dataset noDose = data;
        MetadataTable kept;
        for (const char* c : {"group", "split", "substance"})
            kept.setColumn(data.metadata.column(c));
        noDose.metadata = kept;
        try {
            train(noDose, semi, JobContext());
            QFAIL("no ConfigError for a missing dose column");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("'dose'") != std::string::npos, e.what());
        }
        // The plain loss does not need the column.
        QCOMPARE(train(noDose, config(1), JobContext()).trainLoss.size(), std::size_t(1));

        Dataset badDose = data;
        std::vector<std::string> doses(data.sampleCount(), "1");
        doses[5] = "high";
        badDose.metadata.addStrings("dose", doses);
        try {
            train(badDose, semi, JobContext());
            QFAIL("no DataError for a dose that is no number");
        } catch (const DataError& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("row 5") != std::string::npos && m.find("high") != std::string::npos,
                     e.what());
        }
    }

    void everyLossTrains() {
        const Dataset data = smallTrajectories();
        for (const char* loss : {"triplet", "pair", "ntxent"}) {
            TrainConfig c = config(2);
            c.loss = loss;
            c.lossParams.clear();
            c.lossChoices.clear();
            const RunRecord run = train(data, c, JobContext());
            QVERIFY2(std::isfinite(run.trainLoss[0]) && std::isfinite(run.trainLoss[1]), loss);
            QVERIFY2(run.configJson.find(std::string("\"loss\": \"") + loss + "\"") !=
                         std::string::npos,
                     loss);
        }
    }

    void cliTrainsTheUntrainedRun() {
        const QString cli = QStringLiteral(EMBEDSCOPE_CLI_PATH);
        if (!QFileInfo::exists(cli))
            QSKIP("embedscope-cli is not built");
        QTemporaryDir dir;
        const auto run = [&](const QStringList& args) {
            QProcess p;
            p.start(cli, args);
            if (!p.waitForFinished(120000))
                qFatal("embedscope-cli timed out");
            const QByteArray out = p.readAllStandardOutput().trimmed();
            if (p.exitCode() != 0)
                qWarning("%s", p.readAllStandardError().constData());
            return std::make_pair(p.exitCode(),
                                  QJsonDocument::fromJson(out.split('\n').back()).object());
        };
        const QString data = dir.filePath("data.h5"), project = dir.filePath("project.h5");
        QCOMPARE(run({"simulate", "openfield", "--out", data, "--substances", "1", "--doses", "2",
                      "--animals", "4", "--minutes", "1", "--seed", "3", "--json", "--quiet"})
                     .first,
                 0);
        const QStringList common = {"train",        "--data",   data,     "--project",
                                    project,        "--epochs", "0",      "--set",
                                    "batch_size=4", "--json",   "--quiet"};
        const auto [rc, json] = run(common);
        QCOMPARE(rc, 0);
        QVERIFY2(json.value("run").toString().contains("untrained"),
                 qPrintable(json.value("run").toString()));
        QCOMPARE(json.value("val_loss").toArray().size(), 1);
        QCOMPARE(json.value("best_epoch").toInt(-1), 0);
        // The simulator writes substance and dose: semi-positives work from the CLI too, and a
        // given name wins.
        const auto [rc2, json2] =
            run(common + QStringList{"--name", "semi0", "--set", "loss_params.semi_positive=1"});
        QCOMPARE(rc2, 0);
        QCOMPARE(json2.value("run").toString(), QString("semi0"));
    }
};

QTEST_GUILESS_MAIN(TestUntrainedRun)
#include "test_untrained_run.moc"
