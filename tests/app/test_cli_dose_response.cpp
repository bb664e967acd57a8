// embedscope-cli dose-response end to end: a table written with writeEmbeddingCsv, the CLI's
// EC50 and inversion count against the engine on the same (read back) table, the per-dose CSV,
// and a missing column named with the ones there are.
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/table.h"

#include <QDir>
#include <QFile>
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

/// Control rows around the origin (centroid exactly 0); S1 rows exactly at 4PL(dose) (EC50 3,
/// h 1.5, bottom 0.5, top 4) on the x axis, so the fit must give those values back; S2 at
/// distances 3, 1, 2 (+ noise) for doses 1, 2, 4 (two inversions).
EmbeddingTable makeTable() {
    std::mt19937_64 rng(21);
    std::normal_distribution<double> noise(0, 0.1);
    EmbeddingTable t;
    t.featureNames = {"z_0", "z_1"};
    std::vector<std::string> substance;
    std::vector<double> dose;
    auto add = [&](double x, double y, const std::string& s, double d) {
        t.features.push_back(x);
        t.features.push_back(y);
        substance.push_back(s);
        dose.push_back(d);
        ++t.rows;
    };
    for (auto [x, y] : {std::pair{0.1, 0.0}, {-0.1, 0.0}, {0.0, 0.1}, {0.0, -0.1}})
        add(x, y, "control", 0);
    for (double d : {0.3, 1.0, 3.0, 10.0, 30.0, 100.0})
        for (int k = 0; k < 2; ++k)
            add(0.5 + 3.5 / (1 + std::pow(3.0 / d, 1.5)), 0, "S1", d);
    const double distance[] = {3, 1, 2};
    for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k)
            add(noise(rng), distance[i] + noise(rng), "S2", std::pow(2.0, i));
    t.metadata.addStrings("substance", substance);
    t.metadata.addNumbers("dose", dose);
    return t;
}

} // namespace

class TestCliDoseResponse : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTheEngine() {
        const QString csv = tmpPath("dose_response_table.csv");
        const QString out = tmpPath("dose_response_levels.csv");
        QFile::remove(out);
        writeEmbeddingCsv(makeTable(), csv.toStdString());
        const CliResult r = runCli({"dose-response", "--table", csv, "--bootstrap", "200", "--seed",
                                    "4", "--csv", out, "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // The engine on the table as the CLI reads it (9 significant digits in the file).
        const EmbeddingTable back = readEmbeddingCsv(csv.toStdString());
        Eigen::MatrixXd z(static_cast<Eigen::Index>(back.rows), 2);
        for (std::size_t i = 0; i < back.rows; ++i)
            z.row(static_cast<Eigen::Index>(i)) << back.features[2 * i], back.features[2 * i + 1];
        DoseResponseOptions o;
        o.bootstrap = 200;
        o.seed = 4;
        const DoseResponseResult e = analyseDoseResponse(
            z, doseLabelsOf(back.metadata, DoseColumns{}, "t"), o, JobContext());

        QCOMPARE(r.json.value("inversion_count").toInt(), int(e.inversionCount));
        QCOMPARE(int(e.inversionCount), 2); // S2: inv([3, 1, 2]) = 2
        const QJsonArray substances = r.json.value("substances").toArray();
        QCOMPARE(substances.size(), 2);
        const QJsonObject s1 = substances[0].toObject();
        QCOMPARE(s1.value("name").toString(), QString("S1"));
        QCOMPARE(s1.value("reference").toString(), QString("control"));
        QVERIFY(s1.value("fit").toBool());
        QVERIFY(s1.value("no_fit_reason").isNull());
        const double ec50 = s1.value("ec50").toDouble();
        QVERIFY(std::abs(ec50 - e.substances[0].hill.ec50) < 1e-9 * ec50);
        QVERIFY(std::abs(s1.value("hill_slope").toDouble() - e.substances[0].hill.hill) < 1e-9);
        // Exact 4PL positions, written with 9 significant digits: the known parameters back.
        QVERIFY(std::abs(ec50 - 3) < 1e-6);
        QVERIFY(std::abs(s1.value("hill_slope").toDouble() - 1.5) < 1e-6);
        QVERIFY(std::abs(s1.value("top").toDouble() - 4) < 1e-6);
        QVERIFY(std::abs(s1.value("bottom").toDouble() - 0.5) < 1e-6);
        QCOMPARE(s1.value("inversions").toInt(), 0);
        QCOMPARE(s1.value("n_doses").toInt(), 6);
        QCOMPARE(s1.value("inversions").toInt(), int(e.substances[0].inversions));

        const QJsonObject s2 = substances[1].toObject();
        QCOMPARE(s2.value("inversions").toInt(), 2);
        QVERIFY(!s2.value("fit").toBool()); // three doses: no Hill fit
        QVERIFY(!s2.value("no_fit_reason").toString().isEmpty());
        QVERIFY(s2.value("ec50").isNull());
        const QJsonArray doses = s2.value("doses").toArray();
        QCOMPARE(doses.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const QJsonObject d = doses[i].toObject();
            const DoseLevel& l = e.substances[1].levels[std::size_t(i)];
            QCOMPARE(d.value("dose").toDouble(), std::pow(2.0, i));
            QCOMPARE(d.value("n").toInt(), 3);
            QVERIFY(std::abs(d.value("distance").toDouble() - l.distance) < 1e-12);
            QVERIFY(std::abs(d.value("ci_low").toDouble() - l.ciLow) < 1e-12);
            QVERIFY(std::abs(d.value("ci_high").toDouble() - l.ciHigh) < 1e-12);
            QCOMPARE(d.value("inverted").toBool(), i == 1);
        }
        QVERIFY(r.json.value("notes").toArray().isEmpty());

        QFile levels(out);
        QVERIFY(levels.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = levels.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 6 + 3);
        QCOMPARE(lines[0],
                 QByteArray("substance,reference,dose,n,distance,ci_low,ci_high,inverted"));
        QVERIFY(lines[8].startsWith("S2,control,2,3,") && lines[8].endsWith(",true"));

        // Human output: one line per substance.
        const CliResult human = runCli({"dose-response", "--table", csv, "--bootstrap", "50"});
        QVERIFY2(human.exitCode == 0, qPrintable(human.err));
        QVERIFY(human.out.contains("S1 vs control: 6 dose(s)") && human.out.contains("EC50"));
        QVERIFY(human.out.contains("S2 vs control: 3 dose(s), 2 inversion(s), no fit"));
    }

    void missingColumnIsNamed() {
        const QString csv = tmpPath("dose_response_missing.csv");
        writeEmbeddingCsv(makeTable(), csv.toStdString());
        const CliResult r =
            runCli({"dose-response", "--table", csv, "--dose-column", "concentration", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Metadata_concentration") && r.err.contains(csv) &&
                     r.err.contains("Metadata_dose") && r.err.contains("Metadata_substance"),
                 qPrintable(r.err));
        const CliResult s = runCli(
            {"dose-response", "--table", csv, "--secondary-column", "co_treatment", "--json"});
        QCOMPARE(s.exitCode, 1);
        QVERIFY2(s.err.contains("Metadata_co_treatment"), qPrintable(s.err));
    }
};

QTEST_GUILESS_MAIN(TestCliDoseResponse)
#include "test_cli_dose_response.moc"
