// The cell-profiling chain of issue 8 through embedscope-cli, end to end on a small simulated
// plate set: simulate cellpainting -> import (cell-plate reader) -> cell-features -> profile ->
// retrieval, and cell-report (what the GUI's Cells dock computes) agreeing with that chain;
// bad input (missing data set, a run that is not a cell CNN) fails with a clear message.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

#include "cli_runner.h"

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

} // namespace

class TestCliCells : public QObject {
    Q_OBJECT
    QString dir_;
    QString crops_;
    int samples_ = 0;

private Q_SLOTS:
    void initTestCase() {
        dir_ = tmpPath(QStringLiteral("cli_cells"));
        QDir(dir_).removeRecursively();
        // 2 plates x (5 compounds x 2 doses + 4 DMSO) = 28 wells, one site each.
        const CliResult sim =
            runCli({"simulate", "cellpainting", "--out-dir", dir_,      "--plates",
                    "2",        "--compounds",  "1",         "--doses", "1",
                    "10",       "--controls",   "4",         "--sites", "1",
                    "--cells",  "10",           "--size",    "96",      "--margin",
                    "16",       "--json",       "-q"});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        QCOMPARE(sim.json.value("wells").toInt(), 28);
        QCOMPARE(sim.json.value("control_wells").toInt(), 8);
        crops_ = dir_ + "/cells.h5";
        const CliResult imp = runCli({"import", dir_ + "/platemap.csv", "--reader", "cell-plate",
                                      "--out", crops_, "--option", "crop=32", "--json", "-q"});
        QVERIFY2(imp.exitCode == 0, qPrintable(imp.err));
        samples_ = imp.json.value("samples").toInt();
        QVERIFY(samples_ > 100);
        QCOMPARE(imp.json.value("shape").toArray().size(), 3);
    }

    void chainAndReportAgree() {
        const CliResult feat = runCli({"cell-features", "--data", crops_, "--dataset", "cells",
                                       "--out", dir_ + "/cells.csv", "--json", "-q"});
        QVERIFY2(feat.exitCode == 0, qPrintable(feat.err));
        QCOMPARE(feat.json.value("cells").toInt(), samples_);
        QCOMPARE(feat.json.value("features").toInt(), 49); // 9 per channel x 5 + 4 shape

        const CliResult prof = runCli({"profile", "--table", dir_ + "/cells.csv", "--out",
                                       dir_ + "/consensus.csv", "--json", "-q"});
        QVERIFY2(prof.exitCode == 0, qPrintable(prof.err));
        // 10 treatments + DMSO.
        QCOMPARE(prof.json.value("rows_out").toInt(), 11);

        const CliResult ret = runCli({"retrieval", "--table", dir_ + "/consensus.csv", "--label",
                                      "Metadata_moa", "--k", "1,5", "--json", "-q"});
        QVERIFY2(ret.exitCode == 0, qPrintable(ret.err));
        // DMSO is a class of one: dropped; 5 MOA classes (one dual) of 2 doses each.
        QCOMPARE(ret.json.value("n_profiles").toInt(), 10);
        QCOMPARE(ret.json.value("n_classes").toInt(), 5);

        const CliResult rep = runCli(
            {"cell-report", "--data", crops_, "--out-dir", dir_ + "/report", "--json", "-q"});
        QVERIFY2(rep.exitCode == 0, qPrintable(rep.err));
        QCOMPARE(rep.json.value("cells").toInt(), samples_);
        const QJsonObject after = rep.json.value("after_spherize").toObject();
        const QJsonObject before = rep.json.value("before_spherize").toObject();
        QCOMPARE(after.value("wells").toInt(), 28);
        QCOMPARE(before.value("wells").toInt(), 28);
        QCOMPARE(after.value("consensus_profiles").toInt(), 11);
        // The dock's computation is the CLI chain: same profiles, same metrics.
        QCOMPARE(after.value("n_profiles").toInt(), 10);
        QVERIFY(std::abs(after.value("precision_at_r").toDouble() -
                         ret.json.value("precision_at_r").toDouble()) < 1e-12);
        QVERIFY(std::abs(after.value("map").toDouble() - ret.json.value("map").toDouble()) < 1e-12);
        QVERIFY(before.contains("precision_at_r"));
        for (const char* f :
             {"wells_before.csv", "wells_after.csv", "consensus_before.csv", "consensus_after.csv"})
            QVERIFY2(QFile::exists(dir_ + "/report/" + f), f);
    }

    void badInputNamesTheProblem() {
        const CliResult noSet =
            runCli({"cell-report", "--data", crops_, "--dataset", "nuclei", "--json", "-q"});
        QVERIFY(noSet.exitCode != 0);
        QVERIFY2(noSet.err.contains("nuclei"), qPrintable(noSet.err));

        const CliResult noRun =
            runCli({"cell-report", "--data", crops_, "--run", "cnn-404", "--json", "-q"});
        QVERIFY(noRun.exitCode != 0);
        QVERIFY2(noRun.err.contains("cnn-404"), qPrintable(noRun.err));

        const CliResult notCells = runCli({"cell-report", "--data", dir_ + "/platemap.csv", "-q"});
        QVERIFY(notCells.exitCode != 0);
        QVERIFY2(notCells.err.contains("platemap.csv"), qPrintable(notCells.err));
    }
};

QTEST_GUILESS_MAIN(TestCliCells)
#include "test_cli_cells.moc"
