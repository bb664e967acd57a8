// embedscope-cli evaluate --classify / --kmeans end to end (seed 002 §4): logistic regression on
// a 70/30 split and with the few-label protocol, k-means and its adjusted Rand index, on tables
// the test writes; counts per class follow from the protocol's rounding (worked in comments).
#include <QDir>
#include <QFile>
#include <QJsonObject>
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

/// Three classes of `perClass` rows at the corners of a triangle (side 20·√2, jitter <= 0.5);
/// every column separates a class (a pure-noise column, standardised to unit variance, can fool
/// a regularised fit on 4 training rows per class). Optionally with substance/dose columns and
/// some rows without a label.
QByteArray separableTable(int perClass, bool withDose, int unlabelled = 0) {
    QByteArray text = "z_0,z_1,z_2,Metadata_label";
    text += withDose ? ",Metadata_substance,Metadata_dose\n" : "\n";
    const char* names[3] = {"carbon", "proton", "noise"};
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < perClass; ++i) {
            const double jx = ((i * 37 + c) % 11 - 5) * 0.1, jy = ((i * 13) % 7 - 3) * 0.1;
            text += QByteArray::number((c == 1 ? 20.0 : 0.0) + jx) + "," +
                    QByteArray::number((c == 2 ? 20.0 : 0.0) + jy) + "," +
                    QByteArray::number((c == 0 ? 20.0 : 0.0) + jx * jy) + "," +
                    (i < unlabelled ? QByteArray() : QByteArray(names[c]));
            if (withDose)
                text += c == 0 ? ",control,0" : c == 1 ? ",S,1" : ",S,2";
            text += "\n";
        }
    return text;
}

} // namespace

class TestCliEvaluateClassify : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void separableClassesAndClusters() {
        const QString csv = writeCsv("classify_sep.csv", separableTable(40, false));
        const CliResult r = runCli({"evaluate", "--table", csv, "--classify", "Metadata_label",
                                    "--kmeans", "3", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("logreg_accuracy").toDouble(), 1.0);
        QCOMPARE(r.json.value("logreg_f1_macro").toDouble(), 1.0);
        QCOMPARE(r.json.value("logreg_f1_micro").toDouble(), 1.0);
        // 40 rows per class, 30 % test: round(12) = 12 test and 28 train per class.
        QCOMPARE(r.json.value("logreg_test_rows").toInt(), 36);
        QCOMPARE(r.json.value("logreg_train_rows").toInt(), 84);
        const QJsonObject perClass = r.json.value("per_class").toObject();
        QCOMPARE(perClass.keys(), QStringList({"carbon", "noise", "proton"}));
        for (const QString& label : perClass.keys()) {
            const QJsonObject c = perClass.value(label).toObject();
            QCOMPARE(c.value("precision").toDouble(), 1.0);
            QCOMPARE(c.value("recall").toDouble(), 1.0);
            QCOMPARE(c.value("f1").toDouble(), 1.0);
            QCOMPARE(c.value("support").toInt(), 12);
        }
        // Few-label: round(0.15·40) = 6 labelled per class, round(0.3·6) = 2 of them for test.
        const QJsonObject few = r.json.value("few_label").toObject();
        QCOMPARE(few.value("fraction").toDouble(), 0.15);
        QCOMPARE(few.value("repeats").toInt(), 10);
        QCOMPARE(few.value("accuracy_mean").toDouble(), 1.0);
        QCOMPARE(few.value("accuracy_se").toDouble(-1), 0.0);
        QCOMPARE(few.value("f1_macro_mean").toDouble(), 1.0);
        const QJsonObject proton = few.value("per_class").toObject().value("proton").toObject();
        QCOMPARE(proton.value("support_mean").toDouble(), 2.0);
        QCOMPARE(proton.value("f1_mean").toDouble(), 1.0);
        // K-means finds the three corners.
        QCOMPARE(r.json.value("ari").toDouble(), 1.0);
        QCOMPARE(r.json.value("ari_reference").toString(), QString("Metadata_label"));
        QVERIFY(r.json.value("kmeans_inertia").toDouble() > 0);
        // No substance/dose columns: the seed 000 metrics are left out, not an error.
        QVERIFY(!r.json.contains("wss_tss"));
        QCOMPARE(r.json.value("n_samples").toInt(), 120);
    }

    void unlabelledRowsAndRepeats() {
        // 4 rows per class without a label: 36 labelled per class -> test round(10.8) = 11.
        const QString csv = writeCsv("classify_blank.csv", separableTable(40, false, 4));
        const CliResult r = runCli({"evaluate", "--table", csv, "--classify", "label", "--repeats",
                                    "1", "--seed", "3", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("logreg_test_rows").toInt(), 33);
        QCOMPARE(r.json.value("logreg_train_rows").toInt(), 75);
        const QJsonObject few = r.json.value("few_label").toObject();
        QCOMPARE(few.value("repeats").toInt(), 1);
        QVERIFY(few.value("accuracy_se").isNull()); // no standard error from one repeat
        QVERIFY(!r.json.contains("ari"));
    }

    void seedMetricsStayWithDoseColumns() {
        // With substance/dose the seed 000 metrics come too; --kmeans alone compares the
        // clusters with the substance/dose groups (here the same three sets).
        const QString csv = writeCsv("classify_dose.csv", separableTable(20, true));
        const CliResult r =
            runCli({"evaluate", "--table", csv, "--kmeans", "3", "--metrics", "wss_tss", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.json.contains("wss_tss"));
        QCOMPARE(r.json.value("n_groups").toInt(), 3);
        QCOMPARE(r.json.value("ari").toDouble(), 1.0);
        QCOMPARE(r.json.value("ari_reference").toString(), QString("group"));
        QVERIFY(!r.json.contains("logreg_accuracy"));
    }

    void badInput_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fragment");
        const QByteArray good = separableTable(10, false);
        QTest::newRow("unknown column")
            << good << QStringList{"--classify", "cohort"} << "Metadata_cohort";
        QTest::newRow("one-row class")
            << QByteArray("z_0,Metadata_label\n0,a\n0.1,a\n5,b\n5.2,b\n9,c\n")
            << QStringList{"--classify", "label"} << "'c'";
        QTest::newRow("k > rows") << QByteArray("z_0,Metadata_label\n0,a\n1,a\n5,b\n")
                                  << QStringList{"--kmeans", "5"} << "k = 5";
        QTest::newRow("fraction 0")
            << good << QStringList{"--classify", "label", "--label-fraction", "0"}
            << "label-fraction";
    }
    void badInput() {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, args);
        QFETCH(QString, fragment);
        const QString csv = writeCsv("classify_bad.csv", text);
        const CliResult r = runCli(QStringList{"evaluate", "--table", csv, "--json"} + args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
        if (fragment != "label-fraction") // CLI11 rejects that one before the table is read
            QVERIFY2(r.err.contains("classify_bad.csv"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliEvaluateClassify)
#include "test_cli_evaluate_classify.moc"
