// embedscope-cli model-info: the seed-000 encoder's size and Table A.1 shapes through the CLI,
// the --json convention, the human table, and errors on stderr with a non-zero exit.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "cli_runner.h"

namespace {

QJsonObject findLayer(const QJsonObject& result, const QString& name) {
    for (const auto& v : result.value("layers").toArray())
        if (v.toObject().value("name").toString() == name)
            return v.toObject();
    return {};
}

QList<qint64> shapeOf(const QJsonObject& layer) {
    QList<qint64> shape;
    for (const auto& v : layer.value("shape").toArray())
        shape.push_back(v.toInteger());
    return shape;
}

} // namespace

class TestCliModelInfo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void seedBaseModelJson() {
        // Default input 3 x 90000 and default C = 100: seed Table 4.4 / A.1.
        const CliResult r = runCli({"model-info", "--model", "seed-encoder", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("model").toString(), QString("seed-encoder"));
        QCOMPARE(r.json.value("parameter_count").toInteger(), qint64(486949));
        QCOMPARE(r.json.value("input_shape").toArray(), QJsonArray({3, 90000}));
        QCOMPARE(r.json.value("params").toObject().value("channels").toInteger(), qint64(100));
        QCOMPARE(r.json.value("params").toObject().value("batchnorm").toBool(true), false);
        const QJsonObject block15 = findLayer(r.json, "block15.conv");
        QCOMPARE(shapeOf(block15), (QList<qint64>{100, 3}));
        QCOMPARE(block15.value("params").toInteger(), qint64(30100)); // Table A.1
        QCOMPARE(shapeOf(findLayer(r.json, "block1.strided_conv")), (QList<qint64>{6, 45000}));
        QCOMPARE(shapeOf(findLayer(r.json, "final_pool")), (QList<qint64>{100, 1}));
        qint64 sum = 0;
        for (const auto& v : r.json.value("layers").toArray())
            sum += v.toObject().value("params").toInteger();
        QCOMPARE(sum, qint64(486949));
    }

    void setAndInput() {
        // C = 30 (seed: 56,196) through --set; model_params.<key> is accepted too.
        const CliResult r = runCli({"model-info", "--model", "seed-encoder", "--set", "channels=30",
                                    "--input", "3,90000", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("parameter_count").toInteger(), qint64(56196));
        QCOMPARE(shapeOf(findLayer(r.json, "block15.conv")), (QList<qint64>{30, 3}));
        const CliResult nested =
            runCli({"model-info", "--model", "seed-encoder", "--set", "model_params.channels=30",
                    "--set", "batchnorm=true", "--json"});
        QVERIFY2(nested.exitCode == 0, qPrintable(nested.err));
        // BN adds γ and β per conv output channel: 2 x 792 for C = 30.
        QCOMPARE(nested.json.value("parameter_count").toInteger(), qint64(56196 + 2 * 792));
        // Another length: (3, 20000) has no Table A.1 row; the count does not depend on T.
        const CliResult shorter = runCli({"model-info", "--model", "seed-encoder", "--set",
                                          "channels=30", "--input", "3,20000", "--json"});
        QVERIFY2(shorter.exitCode == 0, qPrintable(shorter.err));
        QCOMPARE(shorter.json.value("parameter_count").toInteger(), qint64(56196));
        QCOMPARE(shorter.json.value("input_shape").toArray(), QJsonArray({3, 20000}));
    }

    void humanTable() {
        const CliResult r = runCli({"model-info", "--model", "seed-encoder"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("block15.conv"));
        QVERIFY(r.out.contains("(100, 3)"));
        QVERIFY(r.out.contains("486949"));
        QVERIFY(r.json.isEmpty()); // no JSON without --json
    }

    void help() {
        const CliResult r = runCli({"model-info", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--model"));
        QVERIFY(r.out.contains("--input"));
    }

    void errors() {
        const CliResult unknown = runCli({"model-info", "--model", "no-such-model", "--json"});
        QVERIFY(unknown.exitCode != 0);
        QVERIFY2(unknown.err.contains("no-such-model"), qPrintable(unknown.err));
        QVERIFY2(unknown.err.contains("seed-encoder"), qPrintable(unknown.err)); // lists known
        QVERIFY(unknown.json.isEmpty());

        const CliResult badKey =
            runCli({"model-info", "--model", "seed-encoder", "--set", "chanels=30"});
        QVERIFY(badKey.exitCode != 0);
        QVERIFY2(badKey.err.contains("chanels"), qPrintable(badKey.err));

        const CliResult tooShort =
            runCli({"model-info", "--model", "seed-encoder", "--input", "3,1000"});
        QVERIFY(tooShort.exitCode != 0);
        QVERIFY2(tooShort.err.contains("16385"), qPrintable(tooShort.err));

        const CliResult badInput =
            runCli({"model-info", "--model", "seed-encoder", "--input", "3x90000"});
        QVERIFY(badInput.exitCode != 0);
        QVERIFY2(badInput.err.contains("--input"), qPrintable(badInput.err));

        const CliResult missing = runCli({"model-info"});
        QVERIFY(missing.exitCode != 0);
        QVERIFY2(missing.err.contains("--model"), qPrintable(missing.err));
    }
};

QTEST_GUILESS_MAIN(TestCliModelInfo)
#include "test_cli_model_info.moc"
