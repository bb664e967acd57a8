// embedscope-cli evaluate --curves / align end to end (seed 003, SPEC S3) on tables the test
// writes: rays from a common origin (known angles), a rotated copy that must align back, and
// tables whose sides do not match.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include "cli_runner.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

QString writeCsv(const QString& name, const QByteArray& text) {
    const QString path = QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text);
    return path;
}

QByteArray num(double v) {
    return QByteArray::number(v, 'g', 17);
}

struct Row {
    Eigen::Vector3d p;
    QByteArray group;
    double time;
    int id;
};

/// Three rays from the origin (pairwise cosines 0.6, 0.6, 0.36), `per` points each at
/// t ~ U(0, 10), noise σ = 0.02 + 0.01 t, and a group "tiny" of 3 points; ids 0.. in order.
std::vector<Row> rays(int per, uint64_t seed) {
    const Eigen::Vector3d u[3] = {{1, 0, 0}, {0.6, 0.8, 0}, {0.6, 0, 0.8}};
    const char* names[3] = {"ray1", "ray2", "ray10"};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> time(0.0, 10.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<Row> rows;
    for (int g = 0; g < 3; ++g)
        for (int i = 0; i < per; ++i) {
            const double t = time(rng), s = 0.02 + 0.01 * t;
            rows.push_back({t * u[g] + s * Eigen::Vector3d(noise(rng), noise(rng), noise(rng)),
                            names[g], t, 0});
        }
    for (int i = 0; i < 3; ++i)
        rows.push_back({Eigen::Vector3d(-1.0 - i, 1, 1), "tiny", double(i), 0});
    std::shuffle(rows.begin(), rows.end(), rng);
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].id = static_cast<int>(i);
    return rows;
}

/// Rows as CSV, each point moved by p -> R p + t; rows written in `order` (default: as given).
QByteArray toCsv(const std::vector<Row>& rows,
                 const Eigen::Matrix3d& r = Eigen::Matrix3d::Identity(),
                 const Eigen::Vector3d& t = Eigen::Vector3d::Zero(), bool reverse = false) {
    QByteArray text = "z_0,z_1,z_2,Metadata_perturbation,Metadata_time,Metadata_id\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const Row& row = rows[reverse ? rows.size() - 1 - k : k];
        const Eigen::Vector3d p = r * row.p + t;
        text += num(p(0)) + "," + num(p(1)) + "," + num(p(2)) + "," + row.group + "," +
                num(row.time) + ",id" + QByteArray::number(row.id) + "\n";
    }
    return text;
}

Eigen::Matrix3d rotation() {
    return Eigen::AngleAxisd(0.8, Eigen::Vector3d(1, 2, -1).normalized()).toRotationMatrix();
}

} // namespace

class TestCliGeometry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void evaluateCurves() {
        const QString csv = writeCsv("geometry_rays.csv", toCsv(rays(80, 7)));
        const CliResult r = runCli({"evaluate", "--table", csv, "--curves", "Metadata_perturbation",
                                    "--order-by", "Metadata_time", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject& j = r.json;
        QCOMPARE(j.value("curve_dims").toInt(), 3);
        // Noise grows along each ray: dispersion grows along the curves.
        const double first = j.value("dispersion_first_n").toDouble(-1);
        const double last = j.value("dispersion_last_n").toDouble(-1);
        QVERIFY2(first > 0 && last > first, qPrintable(QString("%1 %2").arg(first).arg(last)));
        QVERIFY(j.value("disp_coefficient").toDouble(-1) > 0);
        // Mean of the pairwise cosines (0.6 + 0.6 + 0.36) / 3 = 0.52.
        const double within = j.value("segment_colinearity_mean_within").toDouble(-9);
        QVERIFY2(std::abs(within - 0.52) < 0.05, qPrintable(QString::number(within)));
        // The rays share their start, so F1 is far above chance (1/4) but not 1.
        const double f1 = j.value("f1_score_all").toDouble(-1);
        QVERIFY2(f1 > 0.5 && f1 <= 1.0, qPrintable(QString::number(f1)));
        QCOMPARE(j.value("f1_bin_centres").toArray().size(), 8);

        const QJsonObject curves = j.value("curves").toObject();
        QCOMPARE(curves.keys(), QStringList({"ray1", "ray10", "ray2", "tiny"}));
        const QJsonObject tiny = curves.value("tiny").toObject();
        QCOMPARE(tiny.value("points").toInt(), 3);
        QCOMPARE(tiny.value("ok").toBool(true), false);
        QVERIFY(tiny.value("error").toString().contains("3 points"));
        double earlyF1 = 0, lateF1 = 0;
        for (const QString name : {"ray1", "ray2", "ray10"}) {
            const QJsonObject c = curves.value(name).toObject();
            QCOMPARE(c.value("points").toInt(), 80);
            QVERIFY(c.value("ok").toBool());
            QVERIFY(!c.contains("error"));
            QVERIFY2(c.value("length").toDouble() > 8.5 && c.value("length").toDouble() < 10.8,
                     qPrintable(name));
            QVERIFY(c.value("dispersion_last_n").toDouble() >
                    c.value("dispersion_first_n").toDouble());
            const QJsonArray bins = c.value("f1_by_bin").toArray();
            QCOMPARE(bins.size(), 8);
            earlyF1 += bins.first().toDouble();
            lateF1 += bins.last().toDouble();
        }
        // Near the common origin the rays overlap, at the far end they are apart.
        QVERIFY2(lateF1 > earlyF1, qPrintable(QString("%1 %2").arg(earlyF1).arg(lateF1)));
        QCOMPARE(lateF1, 3.0);
    }

    void evaluateCurvesBadInput() {
        const QString csv = writeCsv("geometry_rays_bad.csv", toCsv(rays(20, 3)));
        CliResult r = runCli({"evaluate", "--table", csv, "--curves", "Metadata_perturbation"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--order-by"), qPrintable(r.err));
        r = runCli({"evaluate", "--table", csv, "--curves", "Metadata_pert", "--order-by",
                    "Metadata_time"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(csv) && r.err.contains("Metadata_pert"), qPrintable(r.err));
        // Every group too small: no curve at all is an error naming the groups.
        QByteArray tiny = "z_0,z_1,Metadata_g,Metadata_t\n";
        for (int i = 0; i < 6; ++i)
            tiny += num(i) + "," + num(i * i) + "," + (i < 3 ? "a" : "b") + "," + num(i) + "\n";
        const QString small = writeCsv("geometry_small.csv", tiny);
        r = runCli({"evaluate", "--table", small, "--curves", "g", "--order-by", "t"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("no group has a curve") && r.err.contains("a: 3 points"),
                 qPrintable(r.err));
    }

    void alignRotatedCopy() {
        const std::vector<Row> rows = rays(30, 11);
        const Eigen::Matrix3d r0 = rotation();
        const Eigen::Vector3d t(3, -2, 5);
        const QString a = writeCsv("geometry_a.csv", toCsv(rows));
        const QString b = writeCsv("geometry_b.csv", toCsv(rows, r0, t, true)); // rows reversed
        const CliResult r =
            runCli({"align", "--table", a, "--table", b, "--key", "Metadata_id", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("rows").toInt(), 93);
        QCOMPARE(r.json.value("dims").toInt(), 3);
        QCOMPARE(r.json.value("method").toString(), QStringLiteral("quaternion"));
        QVERIFY(r.json.value("initial_rmse").toDouble() > 1.0);
        QVERIFY2(r.json.value("aligned_rmse").toDouble(1) < 1e-9,
                 qPrintable(QString::number(r.json.value("aligned_rmse").toDouble())));
        QCOMPARE(r.json.value("scale").toDouble(), 1.0);
        // B = A R0ᵀ + t in row form, so B is moved back by R0ᵀ.
        const QJsonArray rot = r.json.value("rotation").toArray();
        QCOMPARE(rot.size(), 3);
        for (int i = 0; i < 3; ++i)
            for (int k = 0; k < 3; ++k)
                QVERIFY(std::abs(rot[i].toArray()[k].toDouble() - r0(k, i)) < 1e-9);

        // By row order the reversed rows do not correspond: alignment cannot fix that.
        const CliResult byOrder = runCli({"align", "--table", a, "--table", b, "--json"});
        QVERIFY2(byOrder.exitCode == 0, qPrintable(byOrder.err));
        QVERIFY(byOrder.json.value("aligned_rmse").toDouble() > 1.0);
        QCOMPARE(byOrder.json.value("matched_by").toString(), QStringLiteral("row order"));

        // A scaled copy needs --scale (SVD asked for explicitly).
        const QString b2 = writeCsv("geometry_b2.csv", toCsv(rows, 2.0 * r0, t));
        const CliResult scaled =
            runCli({"align", "--table", a, "--table", b2, "--scale", "--method", "svd", "--json"});
        QVERIFY2(scaled.exitCode == 0, qPrintable(scaled.err));
        QVERIFY(std::abs(scaled.json.value("scale").toDouble() - 0.5) < 1e-9);
        QVERIFY(scaled.json.value("aligned_rmse").toDouble(1) < 1e-9);
        QCOMPARE(scaled.json.value("method").toString(), QStringLiteral("svd"));
    }

    void alignCurves() {
        const std::vector<Row> rows = rays(80, 7);
        const QString a = writeCsv("geometry_ca.csv", toCsv(rows));
        // Same table on both sides: nothing to align.
        CliResult r = runCli({"align", "--table", a, "--table", a, "--curves",
                              "Metadata_perturbation", "--order-by", "Metadata_time", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(std::abs(r.json.value("segment_colinearity").toDouble() - 1.0) < 1e-12);
        QVERIFY(r.json.value("aligned_rmse").toDouble(1) < 1e-9);
        QVERIFY(r.json.value("initial_rmse").toDouble(1) < 1e-9);
        QCOMPARE(r.json.value("groups").toObject().keys(), QStringList({"ray1", "ray10", "ray2"}));
        QVERIFY(r.json.value("skipped").toArray().first().toString().startsWith("tiny: no curve"));

        // A rotated copy: the PCA scores are the same up to the signs of the axes, so after the
        // alignment (with B's last axis negated where that fits better) nothing is left.
        const QString b = writeCsv("geometry_cb.csv", toCsv(rows, rotation(), {1, 1, 1}));
        r = runCli({"align", "--table", a, "--table", b, "--curves", "Metadata_perturbation",
                    "--order-by", "Metadata_time", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.json.value("aligned_rmse").toDouble(1) < 1e-6,
                 qPrintable(QString::number(r.json.value("aligned_rmse").toDouble())));
        QVERIFY(r.json.value("b_last_axis_negated").isBool());
        const QJsonArray rot = r.json.value("rotation").toArray();
        QCOMPARE(rot.size(), 3);

        // Without one group in B: that group is skipped, the others compared.
        std::vector<Row> fewer;
        for (const Row& row : rows)
            if (row.group != "ray2")
                fewer.push_back(row);
        const QString c = writeCsv("geometry_cc.csv", toCsv(fewer, rotation(), {1, 1, 1}));
        r = runCli({"align", "--table", a, "--table", c, "--curves", "Metadata_perturbation",
                    "--order-by", "Metadata_time", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json.value("groups").toObject().keys(), QStringList({"ray1", "ray10"}));
        const QJsonArray skipped = r.json.value("skipped").toArray();
        QVERIFY(std::any_of(skipped.begin(), skipped.end(), [](const QJsonValue& v) {
            return v.toString() == QStringLiteral("ray2: not in B");
        }));
        const QJsonObject g = r.json.value("groups").toObject().value("ray1").toObject();
        QVERIFY(g.value("aligned_rmse").toDouble() <= g.value("initial_rmse").toDouble());
        QVERIFY(std::abs(g.value("segment_colinearity").toDouble()) <= 1.0);
    }

    void alignMismatchedTables() {
        const std::vector<Row> rows = rays(30, 5);
        const QString a = writeCsv("geometry_m_a.csv", toCsv(rows));
        const QString shorter = writeCsv("geometry_m_short.csv",
                                         toCsv(std::vector<Row>(rows.begin(), rows.end() - 20)));
        CliResult r = runCli({"align", "--table", a, "--table", shorter});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(a) && r.err.contains(shorter) && r.err.contains("93 rows") &&
                     r.err.contains("73 rows"),
                 qPrintable(r.err));

        QByteArray fourD = "z_0,z_1,z_2,z_3,Metadata_id\n";
        for (std::size_t i = 0; i < rows.size(); ++i)
            fourD += "1,2,3," + num(double(i)) + ",id" + QByteArray::number(int(i)) + "\n";
        const QString wide = writeCsv("geometry_m_wide.csv", fourD);
        r = runCli({"align", "--table", a, "--table", wide, "--key", "Metadata_id"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("3 feature columns") && r.err.contains("has 4"), qPrintable(r.err));

        QByteArray dup = "z_0,z_1,z_2,Metadata_id\n1,2,3,x\n4,5,6,x\n7,8,9,y\n";
        const QString dupPath = writeCsv("geometry_m_dup.csv", dup);
        r = runCli({"align", "--table", a, "--table", dupPath, "--key", "Metadata_id"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(dupPath) && r.err.contains("'x' appears in rows 1 and 2"),
                 qPrintable(r.err));

        r = runCli({"align", "--table", a});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("exactly two tables"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliGeometry)
#include "test_cli_geometry.moc"
