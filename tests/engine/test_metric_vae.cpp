// The metric-VAE of seed 003 (issue 5 "Model"): NT-Xent and triplet terms against hand
// values, the positive sampler's rules (self_target_prob, time_window, time_only_flag, the
// individual column), a short metric-elbo training run, the hold-out and bad configs.
#include "embedscope/engine/error.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"
#include "expect_error.h"
// The sampler is private to the engine (torch-free header); its rules are tested directly.
#include "../../engine/src/torch/metric_vae.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>
#include <set>

using namespace embedscope;
using torchimpl::MetricSpec;
using torchimpl::PositiveSampler;

namespace {

/// Metadata only: group A has individuals a1..a3, group B has b1; each is sampled at times
/// 0, 1 and 2 (rows 3k + t belong to individual k).
Dataset lineageTable() {
    Dataset d;
    d.name = "lineage";
    d.kind = DataKind::Signal;
    d.sampleShape = {1};
    std::vector<std::string> group, individual;
    std::vector<double> time;
    const char* names[] = {"a1", "a2", "a3", "b1"};
    for (int k = 0; k < 4; ++k)
        for (int t = 0; t < 3; ++t) {
            group.push_back(k < 3 ? "A" : "B");
            individual.push_back(names[k]);
            time.push_back(t);
            d.values.push_back(0.0f);
        }
    d.metadata.addStrings("perturbation", group);
    d.metadata.addStrings("individual", individual);
    d.metadata.addNumbers("time", time);
    return d;
}

TrainConfig metricConfig(const std::vector<std::string>& overrides) {
    std::vector<std::string> all = {"model=vae-mlp", "loss=metric-elbo",
                                    "group_column=perturbation"};
    all.insert(all.end(), overrides.begin(), overrides.end());
    return parseTrainConfig("{}", all);
}

PositiveSampler samplerOf(const Dataset& d, const TrainConfig& cfg) {
    const MetricSpec spec = torchimpl::metricSpecOf(cfg);
    std::vector<std::size_t> rows(d.sampleCount());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    return PositiveSampler(torchimpl::positiveTableOf(d, cfg, spec), rows, spec);
}

/// 8 x 8 images in [0, 1]: the group brightens the left or the right half, the time the top or
/// the bottom, plus noise. 10 individuals per group, each at times 0 and 1; individuals 8 and 9
/// of each group are the val split.
Dataset developmentImages(uint64_t seed) {
    Dataset d;
    d.name = "development";
    d.kind = DataKind::Image;
    d.sampleShape = {1, 8, 8};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> noise(0.0f, 0.2f);
    std::vector<std::string> group, individual, split;
    std::vector<double> time;
    for (int g = 0; g < 2; ++g)
        for (int k = 0; k < 10; ++k)
            for (int t = 0; t < 2; ++t) {
                for (int y = 0; y < 8; ++y)
                    for (int x = 0; x < 8; ++x)
                        d.values.push_back(0.4f * float((x >= 4) == (g == 1)) +
                                           0.4f * float((y >= 4) == (t == 1)) + noise(rng));
                group.push_back(g == 0 ? "wt" : "mut");
                individual.push_back(std::to_string(g) + "-" + std::to_string(k));
                time.push_back(24.0 * (t + 1));
                split.push_back(k >= 8 ? "val" : "train");
            }
    d.metadata.addStrings("perturbation", group);
    d.metadata.addStrings("individual", individual);
    d.metadata.addNumbers("time", time);
    d.metadata.addStrings(Dataset::kSplitColumn, split);
    return d;
}

} // namespace

class TestMetricVae : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ntXentMatchesTheHandFormula() {
        // B = 2: anchors a0 = (1, 0), a1 = (0, 2), positives p0 = (1, 1), p1 = (-1, 1).
        // Cosines with c = 1/√2: (a0,p0) = c, (a0,a1) = 0, (a0,p1) = -c; (a1,p1) = c,
        // (a1,p0) = c; (p0,p1) = 0. With k = c/τ, row terms -k + log Σ_{j≠i} e^{s_ij}:
        // a0: log(1 + e^k + e^-k), a1: log(1 + 2e^k), p0: log(1 + 2e^k), p1: log(1 + e^k + e^-k).
        const double tau = 0.5, k = 1.0 / std::sqrt(2.0) / tau;
        const double expected =
            -k +
            (2 * std::log(1 + std::exp(k) + std::exp(-k)) + 2 * std::log(1 + 2 * std::exp(k))) / 4;
        const LossLabels labels{{0, 1, 0, 1}, {0, 1, 2, 3}, {}, {}};
        const double got = lossValue("metric-elbo", {{"temperature", tau}}, {},
                                     {1, 0, 0, 2, 1, 1, -1, 1}, 4, 2, labels);
        QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString::number(got)));
        // The metric weight does not enter the term itself.
        QCOMPARE(lossValue("metric-elbo", {{"temperature", tau}, {"metric_weight", 50}}, {},
                           {1, 0, 0, 2, 1, 1, -1, 1}, 4, 2, labels),
                 got);
        // One pair: the partner is the only other row, so each term is -log 1 = 0.
        QVERIFY(std::abs(lossValue("metric-elbo", {}, {}, {1, 2, -3, 1}, 2, 2,
                                   LossLabels{{0, 0}, {0, 1}, {}, {}})) < 1e-12);
        // An odd row count has no anchor/positive layout.
        QVERIFY_THROWS_EXCEPTION(DataError, lossValue("metric-elbo", {}, {}, {1, 2, 3}, 3, 1,
                                                      LossLabels{{0, 0, 0}, {0, 1, 2}, {}, {}}));
    }

    void tripletMatchesHandValues() {
        // a0 = (0,0), a1 = (0,3), p0 = (1,0), p1 = (0,-3); groups 0, 1, 0, 1; margin 5.
        // a0: d(a,p) = 1, its negatives (group 1) a1 and p1 are both 3 away: 1 - 3 + 5 = 3.
        // a1: d(a,p) = 6, negative a0 (d 3): 8, or p0 (d √10): 11 - √10. Mean over anchors.
        const std::vector<double> z = {0, 0, 0, 3, 1, 0, 0, -3};
        const LossLabels labels{{0, 1, 0, 1}, {0, 1, 2, 3}, {}, {}};
        const double withA0 = (3.0 + 8.0) / 2, withP0 = (3.0 + 11.0 - std::sqrt(10.0)) / 2;
        std::set<int> seen;
        for (uint64_t seed = 0; seed < 24; ++seed) {
            const double v =
                lossValue("metric-elbo", {{"margin", 5}}, {{"metric_loss_type", "triplet"}}, z, 4,
                          2, labels, nullptr, seed);
            const bool a = std::abs(v - withA0) < 1e-9, p = std::abs(v - withP0) < 1e-9;
            QVERIFY2(a || p, qPrintable(QString::number(v)));
            seen.insert(a ? 0 : 1);
        }
        QCOMPARE(int(seen.size()), 2); // the negative is drawn at random
        // Margin 1: a0 is satisfied (1 - 3 + 1 < 0); a1 gives 6 - 3 + 1 = 4 or 7 - √10.
        const double m1 = lossValue("metric-elbo", {{"margin", 1}},
                                    {{"metric_loss_type", "triplet"}}, z, 4, 2, labels, nullptr, 0);
        QVERIFY(std::abs(m1 - 2.0) < 1e-9 || std::abs(m1 - (7 - std::sqrt(10.0)) / 2) < 1e-9);
        // Every row in one group: no negative, no term.
        QVERIFY(std::isnan(lossValue("metric-elbo", {}, {{"metric_loss_type", "triplet"}}, z, 4, 2,
                                     LossLabels{{0, 0, 0, 0}, {0, 1, 2, 3}, {}, {}})));
    }

    void selfTargetProbabilityIsHonoured() {
        const Dataset d = lineageTable();
        for (double p : {0.0, 0.25, 0.5, 1.0}) {
            const PositiveSampler s =
                samplerOf(d, metricConfig({"loss_params.self_target_prob=" + std::to_string(p)}));
            std::mt19937_64 rng(11);
            int same = 0, draws = 0;
            for (int rep = 0; rep < 500; ++rep)
                for (std::size_t a = 0; a < 9; ++a) { // group A: always another individual
                    const std::size_t q = s.positiveFor(a, rng);
                    same += s.table().individual[q] == s.table().individual[a];
                    ++draws;
                }
            const double f = double(same) / draws;
            QVERIFY2(std::abs(f - p) < 0.03, qPrintable(QString("p %1: %2").arg(p).arg(f)));
        }
    }

    void positivesFollowIndividualTimeAndGroup() {
        const Dataset d = lineageTable();
        std::mt19937_64 rng(5);
        // Self only, window 0: no other sample of an individual shares its time, so the
        // nearest in time (|Δt| = 1) is taken; the middle time picks both sides.
        {
            const PositiveSampler s =
                samplerOf(d, metricConfig({"loss_params.self_target_prob=1"}));
            std::set<std::size_t> fromMiddle;
            for (int rep = 0; rep < 200; ++rep)
                for (std::size_t a = 0; a < 12; ++a) {
                    const std::size_t q = s.positiveFor(a, rng);
                    QCOMPARE(q / 3, a / 3); // same individual
                    QCOMPARE(std::abs(double(q % 3) - double(a % 3)), 1.0);
                    if (a == 4)
                        fromMiddle.insert(q);
                }
            QVERIFY((fromMiddle == std::set<std::size_t>{3, 5}));
        }
        // Others only, window 0: another individual of the same group at the same time; b1
        // has no other individual in B, so it falls back to itself at the nearest time.
        {
            const PositiveSampler s =
                samplerOf(d, metricConfig({"loss_params.self_target_prob=0"}));
            std::set<std::size_t> seen;
            for (int rep = 0; rep < 200; ++rep)
                for (std::size_t a = 0; a < 12; ++a) {
                    const std::size_t q = s.positiveFor(a, rng);
                    if (a < 9) {
                        QVERIFY(q / 3 != a / 3 && q < 9);
                        QCOMPARE(q % 3, a % 3);
                    } else {
                        QCOMPARE(q / 3, std::size_t(3));
                    }
                    if (a == 0)
                        seen.insert(q);
                }
            QVERIFY((seen == std::set<std::size_t>{3, 6}));
            QVERIFY(s.related(0, 3) && s.related(0, 1) && !s.related(0, 4) && !s.related(0, 9));
        }
        // Window 1: any time within one step, still only group A.
        {
            const PositiveSampler s = samplerOf(
                d, metricConfig({"loss_params.self_target_prob=0", "loss_params.time_window=1"}));
            std::set<std::size_t> seen;
            for (int rep = 0; rep < 400; ++rep) {
                const std::size_t q = s.positiveFor(0, rng);
                QVERIFY(q % 3 <= 1 && q >= 3 && q < 9);
                seen.insert(q);
            }
            QVERIFY((seen == std::set<std::size_t>{3, 4, 6, 7}));
            QVERIFY(s.related(0, 4) && !s.related(0, 5));
        }
        // Time only: b1 now pairs with a1..a3 at its time; group no longer matters.
        {
            const PositiveSampler s = samplerOf(d, metricConfig({"loss_params.self_target_prob=0",
                                                                 "loss_params.time_only_flag=1"}));
            std::set<std::size_t> seen;
            for (int rep = 0; rep < 300; ++rep) {
                const std::size_t q = s.positiveFor(10, rng); // b1 at time 1
                QCOMPARE(q % 3, std::size_t(1));
                seen.insert(q);
            }
            QVERIFY((seen == std::set<std::size_t>{1, 4, 7}));
            QVERIFY(s.related(10, 1) && !s.related(10, 0));
        }
        // Without the individual column every sample is its own individual: "self" is itself.
        {
            const PositiveSampler s = samplerOf(
                d, metricConfig({"loss_params.self_target_prob=1", "individual_column=embryo"}));
            for (std::size_t a = 0; a < 12; ++a)
                QCOMPARE(s.positiveFor(a, rng), a);
        }
        // Continuous times: no other individual at t = 0, so the nearest in time (0.4, not 1.0).
        {
            Dataset c;
            c.name = "continuous";
            c.kind = DataKind::Signal;
            c.sampleShape = {1};
            c.values = {0, 0, 0};
            c.metadata.addStrings("perturbation", {"A", "A", "A"});
            c.metadata.addStrings("individual", {"x", "y", "z"});
            c.metadata.addNumbers("time", {0.0, 0.4, 1.0});
            const PositiveSampler s =
                samplerOf(c, metricConfig({"loss_params.self_target_prob=0"}));
            for (int rep = 0; rep < 50; ++rep)
                QCOMPARE(s.positiveFor(0, rng), std::size_t(1));
        }
    }

    void samplerNamesBadMetadata() {
        Dataset d = lineageTable();
        expectError<DataError>([&] { samplerOf(d, metricConfig({"time_column=age"})); },
                               {"lineage", "'age'", "time_column"});
        expectError<DataError>([&] { samplerOf(d, metricConfig({"group_column=dose"})); },
                               {"'dose'", "time_only_flag"});
        // time_only does not need the group column.
        samplerOf(d, metricConfig({"group_column=dose", "loss_params.time_only_flag=1"}));
        std::vector<std::string> text(12, "3.5");
        text[7] = "late";
        d.metadata.addStrings("stage", text);
        expectError<DataError>([&] { samplerOf(d, metricConfig({"time_column=stage"})); },
                               {"'stage'", "row 7", "late"});
    }

    void trainingLowersTheMetricTerm() {
        const Dataset data = developmentImages(3);
        const std::vector<std::string> base = {"epochs=12",
                                               "batch_size=8",
                                               "learning_rate=0.003",
                                               "model_params.latent_dim=2",
                                               "loss_params.metric_weight=10",
                                               "loss_params.self_target_prob=0.25"};
        std::vector<std::string> untrained = base;
        untrained[0] = "epochs=0";
        const RunRecord before = train(data, metricConfig(untrained), JobContext());
        const RunRecord run = train(data, metricConfig(base), JobContext());
        for (const char* key : {"train_recon", "train_latent", "train_metric", "val_recon",
                                "val_latent", "val_metric"}) {
            QCOMPARE(int(run.curves.at(key).size()), 12);
            for (double v : run.curves.at(key))
                QVERIFY2(std::isfinite(v), key);
        }
        const double start = before.curves.at("val_metric").front();
        const double end = run.curves.at("val_metric").back();
        QVERIFY2(end < 0.9 * start, qPrintable(QString("%1 -> %2").arg(start).arg(end)));
        // total = recon + β·KLD + w·metric (β = 1, w = 10) on every epoch.
        for (std::size_t e = 0; e < run.valLoss.size(); ++e)
            QVERIFY(std::abs(run.valLoss[e] - run.curves.at("val_recon")[e] -
                             run.curves.at("val_latent")[e] - 10 * run.curves.at("val_metric")[e]) <
                    1e-5 * run.valLoss[e]);
        QCOMPARE(run.embeddingRows, std::size_t(40));
        // The data has groups over time, so the run carries the seed-003 measures: the groups
        // (left vs right half brighter) are told apart, and curves run through both groups.
        const RunMetrics m = parseRunMetrics(run.metricsJson);
        qInfo("f1_score_all %.3f, colinearity %.3f, dispersion first %.3f last %.3f (%s)",
              m.bestValue("f1_score_all"), m.bestValue("segment_colinearity_mean_within"),
              m.bestValue("dispersion_first_n"), m.bestValue("dispersion_last_n"), m.error.c_str());
        QVERIFY(m.bestValue("f1_score_all") > 0.9 && m.bestValue("f1_score_all") <= 1.0);
        const double colinearity = m.bestValue("segment_colinearity_mean_within");
        QVERIFY(std::isfinite(colinearity) && std::abs(colinearity) <= 1.0 + 1e-12);
        QVERIFY(m.bestValue("dispersion_first_n") >= 0);
        // The triplet form trains too.
        const RunRecord triplet =
            train(data,
                  metricConfig({"epochs=2", "batch_size=8", "loss_params.metric_loss_type=triplet",
                                "loss_params.margin=2", "model_params.latent_dim=2"}),
                  JobContext());
        for (double v : triplet.curves.at("val_metric"))
            QVERIFY(std::isfinite(v) && v >= 0);
    }

    void holdoutLeavesGroupsOutOfTraining() {
        const Dataset data = developmentImages(4);
        const auto samples = [](const RunRecord& run, const char* key) {
            return parseRunMetrics(run.metricsJson).bestValue(key);
        };
        const RunRecord all = train(data, metricConfig({"epochs=1", "batch_size=8"}), JobContext());
        QCOMPARE(samples(all, "train_samples"), 32.0);
        QCOMPARE(samples(all, "val_samples"), 8.0);
        // Plain ELBO and metric-elbo alike: the "mut" rows leave train and val, not the embedding.
        for (const char* loss : {"elbo", "metric-elbo"}) {
            const RunRecord hld =
                train(data,
                      parseTrainConfig(R"({"holdout": "mut"})",
                                       {"model=vae-mlp", std::string("loss=") + loss, "epochs=1",
                                        "batch_size=8", "group_column=perturbation"}),
                      JobContext());
            QCOMPARE(samples(hld, "train_samples"), 16.0);
            QCOMPARE(samples(hld, "val_samples"), 4.0);
            QCOMPARE(hld.embeddingRows, std::size_t(40));
            // The stored config (loss, holdout) loads back: μ of every row again.
            std::size_t cols = 0;
            const auto again = embedWithRun(hld, data, JobContext(), &cols);
            QCOMPARE(again.size(), hld.embedding.size());
            QVERIFY(std::abs(again[77] - hld.embedding[77]) < 1e-5);
        }
        expectError<DataError>(
            [&] {
                train(data, metricConfig({"epochs=1", "holdout=mut,lmx1b"}), JobContext());
            },
            {"'lmx1b'", "'perturbation'"});
        expectError<DataError>(
            [&] {
                train(data, metricConfig({"epochs=1", "holdout=mut", "group_column=dose"}),
                      JobContext());
            },
            {"'dose'", "holdout"});
    }

    void holdoutConfigParses() {
        const TrainConfig a = metricConfig({"holdout=lmx1b, gdf3"});
        QVERIFY((a.holdout == std::vector<std::string>{"lmx1b", "gdf3"}));
        const TrainConfig b = parseTrainConfig(toJson(a), {});
        QVERIFY((b.holdout == a.holdout));
        QCOMPARE(b.timeColumn, std::string("time"));
        QCOMPARE(b.individualColumn, std::string("individual"));
        const TrainConfig c = parseTrainConfig(
            R"({"model": "vae-mlp", "holdout": ["x", 2.5], "time_column": "hpf"})", {});
        QVERIFY((c.holdout == std::vector<std::string>{"x", "2.5"}));
        QCOMPARE(c.timeColumn, std::string("hpf"));
        QVERIFY(metricConfig({"holdout="}).holdout.empty());
        expectError<ConfigError>([] { metricConfig({"holdout=a,,b"}); }, {"holdout", "empty"});
        expectError<ConfigError>([] { metricConfig({"holdout=a,a"}); }, {"holdout", "twice"});
        expectError<ConfigError>(
            [] { parseTrainConfig(R"({"model": "vae-mlp", "holdout": {"a": 1}})", {}); },
            {"holdout"});
        // The contrastive trainer has no hold-out: refused rather than ignored.
        expectError<ConfigError>([] { parseTrainConfig(R"({"holdout": "a"})", {}); },
                                 {"holdout", "generative"});
        expectError<ConfigError>([] { metricConfig({"time_column="}); }, {"time_column"});
    }

    void badMetricConfigIsNamed() {
        const TrainConfig d = metricConfig({});
        QCOMPARE(d.lossChoices.at("metric_loss_type"), std::string("nt-xent"));
        QCOMPARE(d.lossParams.at("metric_weight"), 25.0);
        QCOMPARE(d.lossParams.at("temperature"), 0.1);
        QCOMPARE(d.lossParams.at("self_target_prob"), 0.5);
        QCOMPARE(d.lossParams.at("time_window"), 0.0);
        expectError<ConfigError>([] { metricConfig({"loss_params.metric_loss_type=hinge"}); },
                                 {"metric_loss_type", "nt-xent", "triplet", "hinge"});
        expectError<ConfigError>([] { metricConfig({"loss_params.margin=-1"}); },
                                 {"loss_params.margin"});
        expectError<ConfigError>([] { metricConfig({"loss_params.self_target_prob=1.5"}); },
                                 {"loss_params.self_target_prob"});
        expectError<ConfigError>([] { metricConfig({"loss_params.self_target_prob=-0.1"}); },
                                 {"loss_params.self_target_prob"});
        expectError<ConfigError>([] { metricConfig({"loss_params.latent=mmd"}); },
                                 {"loss_params.latent"});
        // An encoder does not train with it.
        expectError<ConfigError>(
            [] { parseTrainConfig(R"({"model": "conv1d-small", "loss": "metric-elbo"})", {}); },
            {"metric-elbo"});
        // A data set without the time column fails before training, naming the key.
        Dataset data = developmentImages(1);
        expectError<DataError>(
            [&] {
                train(data, metricConfig({"epochs=1", "time_column=hpf"}), JobContext());
            },
            {"'hpf'", "time_column"});
    }
};

QTEST_GUILESS_MAIN(TestMetricVae)
#include "test_metric_vae.moc"
