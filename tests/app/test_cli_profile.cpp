// embedscope-cli profile end to end: a single-cell CSV with NA cells through a JSON pipeline
// (aggregate, drop_na_columns, normalize, spherize, consensus), the JSON summary (rows and
// features in/out, what each step dropped, the spherize rank) and the written consensus table;
// an unknown step and a table without Metadata_Plate fail with messages naming them.
#include "embedscope/engine/table.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

#include "cli_runner.h"

#include <random>

using namespace embedscope;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

void writeText(const QString& path, const std::string& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text.data(), qint64(text.size()));
}

/// 2 plates x 8 wells (4 DMSO controls, 4 wells of compounds A and B at dose 1) x 3 cells;
/// feature "bad" is missing in every cell of the odd wells ("NA", "", "nan"), so NA after
/// aggregation in half the wells.
std::string singleCellCsv(bool withPlate) {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0, 1);
    std::string csv = "f1,f2,f3,bad,";
    csv += withPlate ? "Metadata_Plate," : "";
    csv += "Metadata_Well,Metadata_control,Metadata_compound,Metadata_dose,Metadata_Cell\n";
    const char* missing[] = {"NA", "", "nan"};
    int cell = 0;
    for (int p = 0; p < 2; ++p)
        for (int w = 0; w < 8; ++w)
            for (int c = 0; c < 3; ++c, ++cell) {
                const bool control = w < 4;
                for (int f = 0; f < 3; ++f)
                    csv +=
                        std::to_string(5.0 * p + g(rng) + (!control && f == w % 3 ? 3 : 0)) + ",";
                csv += w % 2 ? std::string(missing[c]) : std::to_string(g(rng));
                csv += ",";
                if (withPlate)
                    csv += "P" + std::to_string(p) + ",";
                csv += "W" + std::to_string(w) + "," + (control ? "1,DMSO,0," : "0,") +
                       (control ? "" : std::string(w % 2 ? "A" : "B") + ",1,") + std::to_string(c) +
                       "\n";
            }
    return csv;
}

const char* kConfig = R"({"steps": [
  {"step": "aggregate", "method": "median"},
  {"step": "drop_na_columns", "cutoff": 0.05},
  {"step": "normalize", "method": "standardize", "samples": "controls"},
  {"step": "spherize", "method": "PCA"},
  {"step": "consensus", "method": "median", "by": ["compound", "dose"]}
]})";

} // namespace

class TestCliProfile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsTheConfiguredPipeline() {
        const QString in = tmpPath("profile_cells.csv"), config = tmpPath("profile_pipe.json"),
                      out = tmpPath("profile_consensus.csv");
        writeText(in, singleCellCsv(true));
        writeText(config, kConfig);
        QFile::remove(out);
        const CliResult r = runCli(
            {"profile", "--table", in, "--config", config, "--out", out, "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("rows_in").toInt(), 48);
        QCOMPARE(r.json.value("features_in").toInt(), 4);
        QCOMPARE(r.json.value("features_out").toInt(), 3);
        QCOMPARE(r.json.value("rows_out").toInt(), 3); // DMSO, A, B
        QCOMPARE(r.json.value("spherize_rank").toInt(), 3);
        const QJsonArray dropped =
            r.json.value("dropped_by_step").toObject().value("2:drop_na_columns").toArray();
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(dropped.at(0).toString(), QStringLiteral("bad"));
        const QJsonArray steps = r.json.value("steps").toArray();
        QCOMPARE(steps.size(), 5);
        QCOMPARE(steps.at(0).toObject().value("rows_out").toInt(), 16); // 2 plates x 8 wells

        const EmbeddingTable back = readEmbeddingCsv(out.toStdString());
        QCOMPARE(back.rows, std::size_t(3));
        QCOMPARE(back.featureNames, (std::vector<std::string>{"PC1", "PC2", "PC3"}));
        QCOMPARE(back.metadata.column("compound").strings,
                 (std::vector<std::string>{"DMSO", "B", "A"}));
        QCOMPARE(back.metadata.column("replicates").numbers, (std::vector<double>{8, 4, 4}));
    }

    void hostileInputIsNamed() {
        const QString in = tmpPath("profile_cells_bad.csv"), config = tmpPath("profile_bad.json"),
                      out = tmpPath("profile_bad_out.csv");
        writeText(in, singleCellCsv(true));
        writeText(config, R"({"steps": [{"step": "aggregate"}, {"step": "whiten"}]})");
        CliResult r = runCli({"profile", "--table", in, "--config", config, "--out", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("step 2") && r.err.contains("unknown step 'whiten'"),
                 qPrintable(r.err));

        writeText(in, singleCellCsv(false));
        r = runCli({"profile", "--table", in, "--out", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Metadata_Plate") && r.err.contains("aggregate"),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliProfile)
#include "test_cli_profile.moc"
