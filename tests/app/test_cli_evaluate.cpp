// embedscope-cli evaluate end to end: a hand-computed table (values as fractions in the
// comments), the split and option handling, and bad tables (non-zero exit, file and row named).
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "cli_runner.h"

#include <cmath>

namespace {

QString writeCsv(const QString& name, const QByteArray& text) {
    const QString path = QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text);
    return path;
}

bool near(const QJsonObject& o, const char* key, double expected, double tol = 1e-9) {
    const double v = o.value(key).toDouble(std::nan(""));
    if (std::abs(v - expected) <= tol)
        return true;
    qWarning("%s = %.12g, expected %.12g", key, v, expected);
    return false;
}

// Groups on a line (y = 0): control {0, 2}, S@2 {10, 11, 12}, S@1 {16, 24}; one far-away
// test row that only --split all / test sees.
const QByteArray kHandTable = "z_0,z_1,Metadata_substance,Metadata_dose,Metadata_split\n"
                              "0,0,control,0,train\n"
                              "2,0,control,0,val\n"
                              "10,0,S,2,train\n"
                              "11,0,S,2,train\n"
                              "12,0,S,2,val\n"
                              "16,0,S,1,train\n"
                              "24,0,S,1,val\n"
                              "100,5,control,0,test\n";

} // namespace

class TestCliEvaluate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handComputedTable() {
        const QString csv = writeCsv("evaluate_hand.csv", kHandTable);
        const CliResult r = runCli({"evaluate", "--table", csv, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("n_samples").toInt(), 7); // the test row is left out
        QCOMPARE(r.json.value("n_groups").toInt(), 3);
        // PCA of 2 columns keeps 2 components: a rigid motion, so the distances are the line's.
        // TSS = 1201 - 75²/7 = 2782/7; WSS = 2 + 2 + 32 = 36 -> 36·7/2782 = 126/1391.
        QVERIFY(near(r.json, "wss_tss", 126.0 / 1391.0));
        // (1/3)(2/2 + 2/3 + 32/2) / ((2782/7)/7) = 2597/25038
        QVERIFY(near(r.json, "ga_wss_tss", 2597.0 / 25038.0));
        // 16's three nearest are 12, 11, 10: the only row without a same-group neighbour.
        QVERIFY(near(r.json, "pnn3", 600.0 / 7.0));
        // Control centroid 1; dose 1 centroid 20 (distance 19), dose 2 centroid 11 (10):
        // one inversion over D = 2 doses, D̄ = 2, |S| = 1 -> DR = 1.
        QVERIFY(near(r.json, "dr", 1.0));
        // s = 1, 2/3, 4 at centroids 1, 11, 20: (5/19 + 14/27 + 14/27)/3 = 667/1539.
        QVERIFY(near(r.json, "davies_bouldin", 667.0 / 1539.0));
        QVERIFY(!r.json.contains("f1_micro")); // no indication labels
    }

    void splitMetricsAndGrouping() {
        const QString csv = writeCsv("evaluate_hand2.csv", kHandTable);
        const CliResult all = runCli({"evaluate", "--table", csv, "--split", "all", "--json"});
        QVERIFY2(all.exitCode == 0, qPrintable(all.err));
        QCOMPARE(all.json.value("n_samples").toInt(), 8);

        const CliResult one =
            runCli({"evaluate", "--table", csv, "--metrics", "pnn3", "--json", "--quiet"});
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        QVERIFY(near(one.json, "pnn3", 600.0 / 7.0));
        QVERIFY(!one.json.contains("wss_tss") && !one.json.contains("dr"));

        // Grouped by substance only: control {0, 2} and S {10, 11, 12, 16, 24}.
        // WSS = 2 + (Σx² 1197 - 73²/5) = 2 + 131.2; TSS = 2782/7.
        const CliResult bySubstance = runCli({"evaluate", "--table", csv, "--group-by", "substance",
                                              "--metrics", "wss_tss", "--json"});
        QVERIFY2(bySubstance.exitCode == 0, qPrintable(bySubstance.err));
        QCOMPARE(bySubstance.json.value("n_groups").toInt(), 2);
        QVERIFY(near(bySubstance.json, "wss_tss", 133.2 * 7.0 / 2782.0));
    }

    void indicationGivesF1() {
        QByteArray text = "z_0,z_1,z_2,Metadata_substance,Metadata_dose,Metadata_indication\n";
        // Two well separated clusters, 20 rows each, with their own indication.
        for (int i = 0; i < 40; ++i) {
            const bool b = i >= 20;
            const double jitter = ((i * 37) % 11 - 5) * 0.1;
            text += QByteArray::number((b ? 10.0 : 0.0) + jitter) + "," +
                    QByteArray::number(((i * 13) % 7 - 3) * 0.1) + "," +
                    QByteArray::number(jitter * 0.5) + (b ? ",S,1,stim\n" : ",control,0,none\n");
        }
        const QString csv = writeCsv("evaluate_f1.csv", text);
        const CliResult r = runCli({"evaluate", "--table", csv, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(near(r.json, "f1_micro", 1.0, 1e-12));
        QVERIFY(near(r.json, "pnn3", 100.0));
        QVERIFY(near(r.json, "dr", 0.0)); // one dose level: no inversion possible
    }

    void badTables_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("missing dose column")
            << QByteArray("z_0,Metadata_substance\n0,a\n1,b\n") << "Metadata_dose";
        QTest::newRow("dose not a number")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,control,0\n1,S,1\n2,S,abc\n")
            << "row 3";
        QTest::newRow("dose NaN")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,control,0\n1,S,nan\n")
            << "row 2";
        QTest::newRow("one group")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,S,1\n1,S,1\n2,S,1\n") << "group";
        QTest::newRow("NaN feature")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,control,0\nnan,S,1\n")
            << "line 3";
        QTest::newRow("unknown split")
            << QByteArray("z_0,Metadata_substance,Metadata_dose,Metadata_split\n"
                          "0,control,0,train\n1,S,1,holdout\n")
            << "row 2";
        QTest::newRow("no control for DR")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,S,1\n1,S,1\n5,S,2\n6,S,2\n")
            << "control";
        QTest::newRow("unknown group-by column")
            << QByteArray("z_0,Metadata_substance,Metadata_dose\n0,control,0\n1,S,1\n")
            << "Metadata_cohort";
    }
    void badTables() {
        QFETCH(QByteArray, text);
        QFETCH(QString, fragment);
        const QString csv = writeCsv("evaluate_bad.csv", text);
        QStringList args{"evaluate", "--table", csv, "--json"};
        if (fragment == "Metadata_cohort")
            args << "--group-by"
                 << "cohort";
        const CliResult r = runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("evaluate_bad.csv"), qPrintable(r.err));
        QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliEvaluate)
#include "test_cli_evaluate.moc"
