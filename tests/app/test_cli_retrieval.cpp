// embedscope-cli retrieval end to end: a consensus table written with writeEmbeddingCsv, the
// CLI's JSON keys and values against the engine on the same (read back) table, the label given
// without its Metadata_ prefix, the batch enrichment score, and a missing label column named.
#include "embedscope/engine/retrieval.h"
#include "embedscope/engine/table.h"

#include <QDir>
#include <QJsonArray>
#include <QtTest>

#include "cli_runner.h"

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

/// 8 MOAs × 5 compounds around MOA centres (+ one single-compound MOA), 20 DMSO controls in two
/// batches that share a batch direction.
EmbeddingTable makeTable() {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> g(0, 1);
    const int d = 16;
    EmbeddingTable t;
    for (int k = 0; k < d; ++k)
        t.featureNames.push_back("f" + std::to_string(k));
    std::vector<std::vector<double>> centre(10, std::vector<double>(d));
    for (auto& c : centre)
        for (double& v : c)
            v = g(rng);
    std::vector<std::string> moa, compound, batch;
    std::vector<double> control;
    auto add = [&](const std::vector<double>& c, double spread, const std::string& m,
                   const std::string& cp, const std::string& b, double isControl) {
        for (int k = 0; k < d; ++k)
            t.features.push_back(c[std::size_t(k)] + spread * g(rng));
        moa.push_back(m);
        compound.push_back(cp);
        batch.push_back(b);
        control.push_back(isControl);
        ++t.rows;
    };
    for (int m = 0; m < 8; ++m)
        for (int c = 0; c < 5; ++c)
            add(centre[std::size_t(m)], 1.0, m == 7 ? "m1|m2" : "m" + std::to_string(m),
                "c" + std::to_string(m * 5 + c), "b" + std::to_string(c % 2), 0);
    add(centre[8], 1.0, "lonely", "c99", "b0", 0);
    for (int i = 0; i < 20; ++i)
        add(centre[std::size_t(8 + i % 2)], 0.5, "", "DMSO", "b" + std::to_string(i % 2), 1);
    t.metadata.addStrings("moa", moa);
    t.metadata.addStrings("compound", compound);
    t.metadata.addStrings("Batch", batch);
    t.metadata.addNumbers("control", control);
    return t;
}

} // namespace

class TestCliRetrieval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonMatchesEngine() {
        const QString path = tmpPath("retrieval_consensus.csv");
        writeEmbeddingCsv(makeTable(), path.toStdString());
        const CliResult r = runCli({"retrieval", "--table", path, "--label", "moa", "--k", "1,5",
                                    "--batch", "Metadata_Batch", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json;
        for (const char* key : {"precision_at_r", "precision_at_k", "recall_at_k",
                                "enrichment_odds_ratio", "hit_at_k", "map", "n_profiles",
                                "n_classes", "dropped", "batch_enrichment_odds_ratio"})
            QVERIFY2(j.contains(key), key);

        RetrievalOptions o;
        o.ks = {1, 5};
        const EmbeddingTable back = readEmbeddingCsv(path.toStdString());
        const RetrievalResult e = evaluateRetrieval(back, "Metadata_moa", o, JobContext());
        QCOMPARE(j["n_profiles"].toInt(), 40); // 8 × 5; the single "lonely" and DMSO rows out
        QCOMPARE(qint64(e.nProfiles), qint64(40));
        QCOMPARE(j["n_classes"].toInt(), 8);
        QCOMPARE(j["dropped"].toObject()["classes"].toInt(), 1);
        QCOMPARE(j["dropped"].toObject()["unlabelled_rows"].toInt(), 20);
        QVERIFY(std::abs(j["precision_at_r"].toDouble() - e.precisionAtR) < 1e-12);
        QVERIFY(std::abs(j["map"].toDouble() - e.meanAveragePrecision) < 1e-12);
        QVERIFY(std::abs(j["precision_at_k"].toObject()["5"].toDouble() - e.precisionAtK[1]) <
                1e-12);
        QVERIFY(std::abs(j["recall_at_k"].toObject()["1"].toDouble() - e.recallAtK[0]) < 1e-12);
        const QJsonObject odds = j["enrichment_odds_ratio"].toObject();
        QCOMPARE(odds.keys().size(), 6);
        QVERIFY(odds.contains("99.5") && odds.contains("97"));
        const QJsonArray detail = j["enrichment"].toArray();
        QCOMPARE(qint64(detail.at(5).toObject()["a"].toDouble()), qint64(e.enrichment[5].a));
        QVERIFY(e.precisionAtR > 0.5); // clustered MOAs retrieve each other
        const QJsonArray counts = j["hit_at_k"].toObject()["counts"].toArray();
        QCOMPARE(qint64(counts.at(0).toDouble()), qint64(e.hit.counts[0]));
        // Batch enrichment: 20 controls in 2 batches, strongly batch-clustered.
        const QJsonObject batch = j["batch_enrichment"].toObject();
        QCOMPARE(batch["control_rows"].toInt(), 20);
        QCOMPARE(batch["batches"].toInt(), 2);
    }

    void missingLabelIsNamed() {
        const QString path = tmpPath("retrieval_consensus_missing.csv");
        writeEmbeddingCsv(makeTable(), path.toStdString());
        const CliResult r =
            runCli({"retrieval", "--table", path, "--label", "Metadata_target", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Metadata_target") && r.err.contains("Metadata_moa"),
                 qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliRetrieval)
#include "test_cli_retrieval.moc"
