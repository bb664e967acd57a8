// The runs table (issue 6): columns and cells of runs written directly with ProjectFile, CSV
// text by hand, Spearman against scipy.stats.spearmanr's documented example and closed forms of
// the t distribution (df 1: Cauchy, df 2, df 3), repeats against hand means and σ, and the
// consistency of rotated / mirrored / unrelated embeddings.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/runs_table.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <Eigen/Geometry>

#include <cmath>
#include <random>

using namespace embedscope;

namespace {

QString tmpPath(const QString& name) {
    return QDir(QStringLiteral(EMBEDSCOPE_TEST_TMP_DIR)).filePath(name);
}

RunRecord makeRun(const std::string& name, const std::string& dataset, const std::string& config,
                  const std::string& metrics, const std::string& status = "finished") {
    RunRecord run;
    run.name = name;
    run.datasetName = dataset;
    run.status = status;
    run.configJson = config;
    run.metricsJson = metrics;
    run.createdUtc = "2026-11-23T07:15:39Z";
    if (status != "failed") {
        run.trainLoss = {1.0, 0.8, 0.9};
        run.valLoss = {1.1, 0.7, 0.75};
        run.bestEpoch = 1;
        run.seconds = 12.5;
    }
    return run;
}

/// A sweep-like run: learning rate, channels and seed given; one best metric.
RunRecord sweepRun(const std::string& name, double lr, int channels, int seed, double wss,
                   const std::string& status = "finished") {
    char config[256];
    std::snprintf(config, sizeof config,
                  R"({"model": "mlp", "model_params": {"channels": %d}, "learning_rate": %.17g,)"
                  R"( "optimizer": "adam", "seed": %d, "run_name": "%s"})",
                  channels, lr, seed, name.c_str());
    const std::string metrics = std::isnan(wss)
                                    ? std::string("{}")
                                    : R"({"best": {"wss_tss": )" + std::to_string(wss) + "}}";
    return makeRun(name, "of", config, metrics, status);
}

ProjectFile projectWith(const QString& file, const std::vector<RunRecord>& runs) {
    ProjectFile project = ProjectFile::create(tmpPath(file).toStdString(), true);
    for (const RunRecord& run : runs)
        project.writeRun(run);
    return project;
}

RunRecord embeddingRun(const std::string& name, const Eigen::MatrixXd& z,
                       const std::string& dataset = "of") {
    RunRecord run = makeRun(name, dataset, "{}", "{}");
    run.embeddingRows = std::size_t(z.rows());
    run.embeddingCols = std::size_t(z.cols());
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (Eigen::Index c = 0; c < z.cols(); ++c)
            run.embedding.push_back(float(z(r, c)));
    return run;
}

Eigen::MatrixXd gaussian(int rows, int cols, double sd, std::mt19937_64& rng) {
    std::normal_distribution<double> normal(0, sd);
    Eigen::MatrixXd m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = normal(rng);
    return m;
}

QString fileText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

} // namespace

class TestRunsTable : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tableColumnsAndCells() {
        const ProjectFile project = projectWith(
            "runs_table.h5",
            {makeRun("lr-000", "of",
                     R"({"model": "conv", "model_params": {"channels": 16, "kernels": [11, 5, 3],)"
                     R"( "batchnorm": true}, "loss_params": {"margin": 2}, "learning_rate": 0.001,)"
                     R"( "seed": 1, "run_name": "lr-000", "holdout": []})",
                     R"({"best": {"pnn3": 30.5, "wss_tss": 0.2}})"),
             makeRun("lr-001", "of",
                     R"({"model": "conv", "model_params": {"channels": 32, "kernels": [11, 5, 3],)"
                     R"( "batchnorm": true}, "loss_params": {"margin": "auto"},)"
                     R"( "learning_rate": 0.003, "seed": 2, "run_name": "lr-001", "holdout": []})",
                     R"({"best": {"wss_tss": null, "recon_bce": 55.25}})"),
             makeRun("zz-fail", "hh", "{}",
                     "{\"error\": \"train exited with 1: out of memory, \\\"big\\\"\"}",
                     "failed")});
        const RunsTable t = runsTable(project);
        QCOMPARE(t.rows.size(), std::size_t(3));
        const std::vector<std::string> info = {"name",           "status",     "error",
                                               "dataset",        "created",    "seconds",
                                               "epochs_trained", "best_epoch", "best_val_loss"};
        QVERIFY(t.columnNames(RunsColumn::Kind::Info) == info);
        // Config order, nested keys dotted, run_name left out; margin is text in one run.
        const std::vector<std::string> params = {"model",
                                                 "model_params.channels",
                                                 "model_params.kernels",
                                                 "model_params.batchnorm",
                                                 "loss_params.margin",
                                                 "learning_rate",
                                                 "seed",
                                                 "holdout"};
        QVERIFY(t.columnNames(RunsColumn::Kind::Parameter) == params);
        const std::vector<std::string> metrics = {"wss_tss", "pnn3", "recon_bce"};
        QVERIFY(t.columnNames(RunsColumn::Kind::Metric) == metrics);
        QCOMPARE(t.find("run_name"), -1);

        auto cell = [&](std::size_t r, const char* c) { return t.rows[r][t.find(c)]; };
        QCOMPARE(t.runName(0), std::string("lr-000"));
        QCOMPARE(cell(2, "status").text, std::string("failed"));
        QCOMPARE(cell(2, "error").text, std::string("train exited with 1: out of memory, \"big\""));
        QCOMPARE(cell(2, "dataset").text, std::string("hh"));
        QCOMPARE(cell(0, "seconds").number, 12.5);
        QCOMPARE(cell(0, "epochs_trained").number, 3.0);
        QCOMPARE(cell(0, "best_epoch").number, 1.0);
        QCOMPARE(cell(0, "best_val_loss").number, 0.7);
        QVERIFY(std::isnan(cell(2, "best_epoch").number));
        QVERIFY(std::isnan(cell(2, "best_val_loss").number));

        QVERIFY(t.columns[t.find("model_params.channels")].numeric);
        QCOMPARE(cell(1, "model_params.channels").number, 32.0);
        QCOMPARE(cell(0, "model_params.batchnorm").number, 1.0);
        QVERIFY(!t.columns[t.find("model_params.kernels")].numeric);
        QCOMPARE(cell(0, "model_params.kernels").text, std::string("11,5,3"));
        QVERIFY(!t.columns[t.find("loss_params.margin")].numeric);
        QCOMPARE(cell(0, "loss_params.margin").text, std::string("2"));
        QCOMPARE(cell(1, "loss_params.margin").text, std::string("auto"));
        QCOMPARE(cell(2, "loss_params.margin").text, std::string());
        QCOMPARE(cell(1, "learning_rate").number, 0.003);
        QVERIFY(std::isnan(cell(2, "learning_rate").number));

        QCOMPARE(cell(0, "wss_tss").number, 0.2);
        QVERIFY(std::isnan(cell(1, "wss_tss").number));   // null
        QVERIFY(std::isnan(cell(0, "recon_bce").number)); // absent
        QCOMPARE(cell(1, "recon_bce").number, 55.25);
        QVERIFY_THROWS_EXCEPTION(ConfigError, t.numbers("model"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, t.numbers("no_such_column"));

        // CSV: header and rows by hand; NaN is an empty cell, text with , and " is quoted.
        const QString csv = tmpPath("runs_table.csv");
        writeRunsCsv(t, csv.toStdString());
        const QStringList lines = fileText(csv).split('\n');
        QCOMPARE(lines.size(), 5); // 3 rows + header + the final newline
        QCOMPARE(lines[0],
                 QStringLiteral("name,status,error,dataset,created,seconds,epochs_trained,"
                                "best_epoch,best_val_loss,model,model_params.channels,"
                                "model_params.kernels,model_params.batchnorm,loss_params.margin,"
                                "learning_rate,seed,holdout,wss_tss,pnn3,recon_bce"));
        QCOMPARE(lines[1], QStringLiteral("lr-000,finished,,of,2026-11-23T07:15:39Z,12.5,3,1,0.7,"
                                          "conv,16,\"11,5,3\",1,2,0.001,1,,0.2,30.5,"));
        QCOMPARE(lines[3],
                 QStringLiteral("zz-fail,failed,\"train exited with 1: out of memory, "
                                "\"\"big\"\"\",hh,2026-11-23T07:15:39Z,0,0,,,,,,,,,,,,,"));
        QVERIFY(lines[4].isEmpty());
    }

    void filtersAndVaryingColumns() {
        const ProjectFile project =
            projectWith("runs_filter.h5",
                        {sweepRun("lr-000", 1e-3, 16, 1, 0.2), sweepRun("lr-001", 3e-3, 16, 2, 0.3),
                         sweepRun("other-000", 1e-3, 64, 1, 0.4)});
        RunsTableOptions o;
        o.prefix = "lr-";
        QCOMPARE(runsTable(project, o).rows.size(), std::size_t(2));
        o.onlyVarying = true;
        const RunsTable varying = runsTable(project, o);
        const std::vector<std::string> expected = {"learning_rate", "seed"};
        QVERIFY(varying.columnNames(RunsColumn::Kind::Parameter) == expected);
        o = {};
        o.dataset = "no-such-set";
        const RunsTable none = runsTable(project, o);
        QCOMPARE(none.rows.size(), std::size_t(0));
        QCOMPARE(none.columns.size(), std::size_t(9));

        const ProjectFile empty = projectWith("runs_empty.h5", {});
        QCOMPARE(runsTable(empty).rows.size(), std::size_t(0));
    }

    void csvPathErrors() {
        const ProjectFile project = projectWith("runs_csv.h5", {sweepRun("a", 1e-3, 8, 1, 0.1)});
        const std::string bad = tmpPath("no-such-dir/runs.csv").toStdString();
        try {
            writeRunsCsv(runsTable(project), bad);
            QFAIL("an unwritable path must throw");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find(bad) != std::string::npos, e.what());
        }
    }

    void spearmanKnownAnswers() {
        // scipy.stats.spearmanr([1,2,3,4,5], [5,6,7,8,7]) (scipy docs): ties in y averaged.
        SpearmanResult r = spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7});
        QVERIFY(std::abs(r.rho - 0.8207826816681233) < 1e-12);
        QVERIFY(std::abs(r.p - 0.0885870053135438) < 1e-9);
        QCOMPARE(r.n, std::size_t(5));
        QVERIFY(r.reason.empty());
        // n = 4 (df 2): t²+2 = 2/(1−ρ²), so the two-sided p is exactly 1 − |ρ|.
        // Ranks [1,3,2,4]: ρ = 1 − 6·2/(4·15) = 0.8.
        r = spearman({1, 2, 3, 4}, {1, 3, 2, 4});
        QVERIFY(std::abs(r.rho - 0.8) < 1e-12);
        QVERIFY(std::abs(r.p - 0.2) < 1e-9);
        // Ties in x: ranks [1, 2.5, 2.5, 4] vs [1..4]: ρ = 4.5/√(4.5·5); a NaN pair is dropped.
        r = spearman({1, 2, 2, 3, NAN}, {1, 2, 3, 4, 9});
        QCOMPARE(r.n, std::size_t(4));
        QVERIFY(std::abs(r.rho - 4.5 / std::sqrt(22.5)) < 1e-12);
        QVERIFY(std::abs(r.p - (1 - 4.5 / std::sqrt(22.5))) < 1e-9);
        // n = 3 (df 1, Cauchy): ρ = 0.5, t = 1/√3, p = 1 − (2/π)·atan(1/√3) = 2/3.
        r = spearman({1, 2, 3}, {1, 3, 2});
        QVERIFY(std::abs(r.rho - 0.5) < 1e-12);
        QVERIFY(std::abs(r.p - 2.0 / 3.0) < 1e-9);
        // Perfect inverse order: ρ = −1, p = 0.
        r = spearman({1, 2, 3, 4, 5, 6}, {60, 50, 40, 30, 20, 10});
        QCOMPARE(r.rho, -1.0);
        QCOMPARE(r.p, 0.0);
        // Undefined cases say why.
        r = spearman({1, 2, 3, 4}, {7, 7, 7, 7});
        QVERIFY(std::isnan(r.rho) && std::isnan(r.p));
        QCOMPARE(r.reason, std::string("y is constant"));
        r = spearman({1, 2, NAN}, {1, 2, 3});
        QVERIFY(std::isnan(r.rho));
        QVERIFY(r.reason.find("n < 3") == 0);
        QVERIFY_THROWS_EXCEPTION(DataError, spearman({1, 2, 3}, {1, 2}));
    }

    void spearmanTableOfASweep() {
        // Ranks of wss_tss [5,3,4,2,1] against lr ranks 1..5: Σd² = 38, ρ = 1 − 6·38/120 = −0.9;
        // df 3: p = 2(1 − F(|t|)), F(t) = ½ + (1/π)(t/(√3(1 + t²/3)) + atan(t/√3)).
        const ProjectFile project = projectWith(
            "runs_spearman.h5",
            {sweepRun("s-0", 1e-4, 16, 1, 0.5), sweepRun("s-1", 3e-4, 16, 2, 0.4),
             sweepRun("s-2", 1e-3, 16, 3, 0.45), sweepRun("s-3", 3e-3, 16, 4, 0.2),
             sweepRun("s-4", 1e-2, 16, 5, 0.1), sweepRun("s-5", 3e-2, 16, 6, NAN, "failed")});
        const RunsTable t = runsTable(project);
        const SpearmanTable st = spearmanTable(t, "wss_tss");
        QCOMPARE(st.parameters.size(), std::size_t(1));
        QCOMPARE(st.parameters[0].first, std::string("learning_rate"));
        const SpearmanResult& r = st.parameters[0].second;
        QCOMPARE(r.n, std::size_t(5)); // the failed run has no metric
        QVERIFY(std::abs(r.rho + 0.9) < 1e-12);
        const double a = 0.9 * std::sqrt(3 / 0.19);
        const double cdf =
            0.5 + (a / (std::sqrt(3.0) * (1 + a * a / 3)) + std::atan(a / std::sqrt(3.0))) / M_PI;
        QVERIFY(std::abs(r.p - 2 * (1 - cdf)) < 1e-9);
        QVERIFY(std::abs(r.p - 0.03738607346849854) < 1e-9);
        std::map<std::string, std::string> skipped(st.skipped.begin(), st.skipped.end());
        QVERIFY(skipped.count("seed") && skipped.count("model") && skipped.count("optimizer"));
        QCOMPARE(skipped["model_params.channels"], std::string("constant over the runs"));
        // Any numeric non-parameter column can be the metric; an unknown one lists them.
        QCOMPARE(spearmanTable(t, "best_val_loss").parameters.size(), std::size_t(1));
        try {
            spearmanTable(t, "f1_proton");
            QFAIL("an unknown metric must throw");
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("f1_proton") != std::string::npos &&
                         what.find("wss_tss") != std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, spearmanTable(t, "learning_rate"));
    }

    void repeatsAndBand() {
        // Configuration A (lr 1e-3) three times: 0.2, 0.3, 0.4 → mean 0.3, σ 0.1, band
        // [0.1, 0.5]; B (lr 3e-3) twice; a failed repeat of A is left out.
        const ProjectFile project = projectWith(
            "runs_repeats.h5",
            {sweepRun("a-r0", 1e-3, 16, 1, 0.2), sweepRun("a-r1", 1e-3, 16, 2, 0.3),
             sweepRun("a-r2", 1e-3, 16, 3, 0.4), sweepRun("a-r3", 1e-3, 16, 4, NAN, "failed"),
             sweepRun("b-r0", 3e-3, 16, 1, 0.55), sweepRun("b-r1", 3e-3, 16, 2, 0.05),
             sweepRun("c-r0", 1e-2, 16, 1, 0.45)});
        const RunsTable t = runsTable(project);
        const std::vector<RepeatGroup> groups = groupRepeats(t);
        QCOMPARE(groups.size(), std::size_t(3));
        const RepeatGroup& a = groups[0];
        QVERIFY((a.runs == std::vector<std::string>{"a-r0", "a-r1", "a-r2"}));
        QCOMPARE(a.dataset, std::string("of"));
        bool hasLr = false;
        for (const auto& [k, v] : a.parameters) {
            QVERIFY(k != "seed");
            hasLr = hasLr || (k == "learning_rate" && v == "0.001");
        }
        QVERIFY(hasLr);
        const MetricSummary* s = nullptr;
        for (const auto& [k, m] : a.metrics)
            if (k == "wss_tss")
                s = &m;
        QVERIFY(s);
        QCOMPARE(s->n, std::size_t(3));
        QVERIFY(std::abs(s->mean - 0.3) < 1e-12);
        QVERIFY(std::abs(s->sd - 0.1) < 1e-12);
        QVERIFY(std::abs(s->se - 0.1 / std::sqrt(3.0)) < 1e-12);
        QVERIFY(std::abs(s->low - 0.1) < 1e-12 && std::abs(s->high - 0.5) < 1e-12);
        QCOMPARE(groups[1].runs.size(), std::size_t(2));

        const std::vector<BandFlag> flags = flagOutsideBand(t, a, "wss_tss");
        QCOMPARE(flags.size(), std::size_t(2)); // 0.55 above, 0.05 below; 0.45 inside
        QCOMPARE(flags[0].run, std::string("b-r0"));
        QVERIFY(!flags[0].below);
        QCOMPARE(flags[1].run, std::string("b-r1"));
        QVERIFY(flags[1].below);
        QVERIFY_THROWS_EXCEPTION(ConfigError, flagOutsideBand(t, a, "nope"));
        QVERIFY_THROWS_EXCEPTION(DataError, flagOutsideBand(t, groups[2], "wss_tss"));
    }

    void consistencyOfRotatedMirroredAndUnrelated() {
        std::mt19937_64 rng(5);
        const Eigen::MatrixXd a = gaussian(300, 3, 1.0, rng);
        const Eigen::Matrix3d rot =
            Eigen::AngleAxisd(0.9, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
        const double noise = 0.01;
        const Eigen::MatrixXd b = (a * rot.transpose()).rowwise() + Eigen::RowVector3d(4, -2, 1) +
                                  gaussian(300, 3, noise, rng);
        Eigen::MatrixXd mirror = a;
        mirror.col(0) *= -1;
        Eigen::MatrixXd wide(300, 5); // a rotated copy in 5-D with two near-empty axes
        wide << b, gaussian(300, 2, noise, rng);
        const RunRecord ra = embeddingRun("a", a), rb = embeddingRun("b", b),
                        rm = embeddingRun("m", mirror), rw = embeddingRun("w", wide),
                        ru = embeddingRun("u", gaussian(300, 3, 1.0, rng));

        ConsistencyResult c = runConsistency(ra, rb);
        QVERIFY2(c.r2 > 0.999, qPrintable(QString::number(c.r2)));
        // RMSE ≈ the noise: √3 · 0.01 per row.
        QVERIFY2(std::abs(c.rmse - noise * std::sqrt(3.0)) < 0.004,
                 qPrintable(QString::number(c.rmse)));
        QVERIFY(std::abs(c.scale - 1) < 0.01);
        QVERIFY(!c.mirrored && !c.reduced);
        QCOMPARE(c.rows, std::size_t(300));
        c = runConsistency(ra, rm);
        QVERIFY(c.mirrored);
        QVERIFY(c.r2 > 0.999999);
        c = runConsistency(ra, rw);
        QVERIFY(c.reduced);
        QCOMPARE(c.dims, std::size_t(3));
        QVERIFY2(c.r2 > 0.999, qPrintable(QString::number(c.r2)));
        c = runConsistency(ra, ru);
        QVERIFY2(c.r2 >= 0 && c.r2 < 0.1, qPrintable(QString::number(c.r2)));

        // Bad pairs name both runs.
        const RunRecord empty = makeRun("empty", "of", "{}", "{}");
        const RunRecord other = embeddingRun("other", a, "hh");
        const RunRecord shorter = embeddingRun("short", a.topRows(100));
        for (const RunRecord* bad : {&empty, &other, &shorter})
            try {
                runConsistency(ra, *bad);
                QFAIL("a bad pair must throw");
            } catch (const DataError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find("'a'") != std::string::npos &&
                             what.find("'" + bad->name + "'") != std::string::npos,
                         e.what());
            }
    }

    void consistencyMatrixOfAProject() {
        std::mt19937_64 rng(7);
        const Eigen::MatrixXd a = gaussian(200, 2, 1.0, rng);
        const Eigen::Matrix2d rot = Eigen::Rotation2Dd(1.2).toRotationMatrix();
        const ProjectFile project =
            projectWith("runs_consistency.h5",
                        {embeddingRun("x", a), embeddingRun("y", 3.0 * a * rot.transpose()),
                         embeddingRun("z", gaussian(200, 2, 1.0, rng)),
                         makeRun("no-embedding", "of", "{}", "{}")});
        JobContext ctx;
        double last = -1;
        bool monotone = true;
        ctx.setProgressCallback([&](const Progress& p) {
            monotone = monotone && p.fraction >= last;
            last = p.fraction;
        });
        const ConsistencyMatrix m = consistencyMatrix(project, {"x", "y", "z"}, ctx);
        QVERIFY(monotone && last == 1.0);
        QCOMPARE(m.r2.rows(), Eigen::Index(3));
        QCOMPARE(m.r2(0, 0), 1.0);
        QCOMPARE(m.rmse(1, 1), 0.0);
        QCOMPARE(m.r2(0, 1), m.r2(1, 0));
        QCOMPARE(m.rmse(0, 2), m.rmse(2, 0));
        QVERIFY(m.r2(0, 1) > 0.999999); // a scaled rotation is fully consistent
        QVERIFY(m.rmse(0, 1) < 1e-5);
        QVERIFY(m.r2(0, 2) < 0.1 && m.r2(1, 2) < 0.1);

        QVERIFY_THROWS_EXCEPTION(ConfigError, consistencyMatrix(project, {"x", "nope"}, ctx));
        QVERIFY_THROWS_EXCEPTION(DataError, consistencyMatrix(project, {"x", "no-embedding"}, ctx));
        JobContext cancelled;
        cancelled.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, consistencyMatrix(project, {"x", "y"}, cancelled));
    }
};

QTEST_GUILESS_MAIN(TestRunsTable)
#include "test_runs_table.moc"
