// Sweep specs (issue 6): every bad input names its field; grid products in order; random draws
// (seed 002 §4.3) deterministic, in bounds and with the right spread; repeats' seeds (seed 000).
#include "embedscope/engine/demo.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/sweep.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <string>

using namespace embedscope;

namespace {

std::string grid(int a, int b) {
    std::string lr, bs;
    for (int i = 0; i < a; ++i)
        lr += (i ? "," : "") + std::to_string(0.001 * (i + 1));
    for (int i = 0; i < b; ++i)
        bs += (i ? "," : "") + std::to_string(4 + i);
    return R"({"name": "s", "parameters": {"learning_rate": [)" + lr + R"(], "batch_size": [)" +
           bs + "]}}";
}

std::vector<double> numbers(const std::vector<SweepRunSpec>& runs, const std::string& key) {
    std::vector<double> out;
    for (const auto& r : runs)
        for (const auto& [k, v] : r.overrides)
            if (k == key)
                out.push_back(std::stod(v));
    return out;
}

} // namespace

class TestSweepSpec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badInput_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("field");
        QTest::newRow("malformed") << "{\"name\": "
                                   << "malformed JSON";
        QTest::newRow("not an object") << "[1, 2]"
                                       << "JSON object";
        QTest::newRow("unknown top key") << R"({"name": "s", "paramters": {}})"
                                         << "paramters";
        QTest::newRow("no name") << R"({"parameters": {}})"
                                 << "name";
        QTest::newRow("name with slash") << R"({"name": "a/b"})"
                                         << "name";
        QTest::newRow("unknown parameter")
            << R"({"name": "s", "parameters": {"learning_rat": [0.1]}})"
            << "parameters.learning_rat";
        QTest::newRow("ill-typed value")
            << R"({"name": "s", "parameters": {"batch_size": ["big"]}})"
            << "parameters.batch_size";
        QTest::newRow("out of range")
            << R"({"name": "s", "parameters": {"model_params.channels": [2]}})"
            << "parameters.model_params.channels";
        QTest::newRow("empty list") << R"({"name": "s", "parameters": {"learning_rate": []}})"
                                    << "parameters.learning_rate: empty";
        QTest::newRow("low >= high")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"learning_rate": {"distribution": "uniform", "low": 1, "high": 1}}})"
            << "parameters.learning_rate: low";
        QTest::newRow("log-uniform low <= 0")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"weight_decay": {"distribution": "log-uniform", "low": 0, "high": 1}}})"
            << "parameters.weight_decay.low";
        QTest::newRow("missing high")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"weight_decay": {"distribution": "uniform", "low": 0}}})"
            << "parameters.weight_decay: missing 'high'";
        QTest::newRow("unknown distribution")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"weight_decay": {"distribution": "normal", "low": 0, "high": 1}}})"
            << "parameters.weight_decay.distribution";
        QTest::newRow("int with fractions")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"model_params.channels": {"distribution": "int", "low": 8.5, "high": 16}}})"
            << "parameters.model_params.channels";
        QTest::newRow("bound out of range")
            << R"({"name": "s", "method": "random", "trials": 3, "parameters":
                  {"model_params.channels": {"distribution": "int", "low": 8, "high": 5000}}})"
            << "parameters.model_params.channels";
        QTest::newRow("distribution in a grid")
            << R"({"name": "s", "parameters":
                  {"learning_rate": {"distribution": "uniform", "low": 0.1, "high": 1}}})"
            << "parameters.learning_rate: a distribution in a grid";
        QTest::newRow("random without trials")
            << R"({"name": "s", "method": "random", "parameters": {"learning_rate": [0.1]}})"
            << "trials";
        QTest::newRow("trials 0") << R"({"name": "s", "method": "random", "trials": 0,
                                         "parameters": {"learning_rate": [0.1]}})"
                                  << "trials";
        QTest::newRow("trials in a grid") << R"({"name": "s", "trials": 4})"
                                          << "trials";
        QTest::newRow("repeats 0") << R"({"name": "s", "repeats": 0})"
                                   << "repeats";
        QTest::newRow("unknown method") << R"({"name": "s", "method": "bayes"})"
                                        << "method";
        QTest::newRow("too many random runs")
            << R"({"name": "s", "method": "random", "trials": 5000, "repeats": 3,
                  "parameters": {"learning_rate": [0.1]}})"
            << "trials: the sweep would make more than 10000 runs";
        QTest::newRow("too many grid runs")
            << QString::fromStdString(grid(101, 100)) << "parameters: the sweep would make";
        QTest::newRow("unknown metric") << R"({"name": "s", "metrics": ["wss_tss", "accuracy"]})"
                                        << "metrics: unknown metric 'accuracy'";
        QTest::newRow("base not object") << R"({"name": "s", "base": 3})"
                                         << "base";
        QTest::newRow("base unknown key") << R"({"name": "s", "base": {"epoch": 3}})"
                                          << "base";
        QTest::newRow("seed swept") << R"({"name": "s", "parameters": {"seed": [1, 2]}})"
                                    << "parameters.seed";
        QTest::newRow("base and base_config")
            << R"({"name": "s", "base": {}, "base_config": "b.json"})"
            << "base";
        QTest::newRow("missing base_config") << R"({"name": "s", "base_config": "nope.json"})"
                                             << "base_config";
    }
    void badInput() {
        QFETCH(QString, json);
        QFETCH(QString, field);
        try {
            parseSweepSpec(json.toStdString(), "spec.json");
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            const QString message = e.what();
            QVERIFY2(message.startsWith("spec.json: "), qPrintable(message));
            QVERIFY2(message.contains(field), qPrintable(message));
        }
    }

    void gridProductOrderAndRepeats() {
        const SweepSpec spec = parseSweepSpec(
            R"({"name": "lr", "seed": 7, "repeats": 2, "base": {"epochs": 1},
                "parameters": {"learning_rate": [0.001, 0.01, 0.1], "batch_size": [4, 8]}})",
            "spec");
        QCOMPARE(spec.parameters.size(), std::size_t(2));
        QCOMPARE(spec.parameters[0].key, std::string("learning_rate")); // spec order kept
        const auto runs = expandSweep(spec);
        QCOMPARE(runs.size(), std::size_t(3 * 2 * 2));
        const char* lr[] = {"0.001", "0.001", "0.01", "0.01", "0.1", "0.1"};
        const char* bs[] = {"4", "8", "4", "8", "4", "8"};
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const auto& r = runs[i];
            const std::size_t c = i / 2; // repeats together; the last parameter varies fastest
            QCOMPARE(r.configuration, int(c));
            QCOMPARE(r.repeat, int(i % 2));
            QCOMPARE(r.seed, uint64_t(7 + i % 2));
            QCOMPARE(r.overrides.size(), std::size_t(2));
            QCOMPARE(r.overrides[0].first, std::string("learning_rate"));
            QCOMPARE(r.overrides[0].second, std::string(lr[c]));
            QCOMPARE(r.overrides[1].second, std::string(bs[c]));
            char name[32];
            std::snprintf(name, sizeof name, "lr-%03zu-r%zu", c + 1, i % 2 + 1);
            QCOMPARE(r.name, std::string(name));
        }
        std::set<std::string> names;
        for (const auto& r : runs)
            names.insert(r.name);
        QCOMPARE(names.size(), runs.size());
    }

    void gridSizes() {
        QCOMPARE(expandSweep(parseSweepSpec(grid(4, 5), "s")).size(), std::size_t(20));
        const auto three = expandSweep(parseSweepSpec(
            R"({"name": "g", "parameters": {"optimizer": ["adam", "sgd"],
                "learning_rate": [0.1, 0.2, 0.3], "model_params.channels": [8, 16, 32, 64]}})",
            "s"));
        QCOMPARE(three.size(), std::size_t(24));
        QCOMPARE(three[0].name, std::string("g-001")); // no repeat suffix with one repeat
        QCOMPARE(three[23].overrides[0].second, std::string("sgd"));
        QCOMPARE(three[23].overrides[2].second, std::string("64"));
        QCOMPARE(three[4].overrides[1].second, std::string("0.2")); // 4 = (0, 1, 0)
        QCOMPARE(three[4].overrides[2].second, std::string("8"));
        // No parameters: one configuration, repeated (a seed ablation).
        const auto repeats = expandSweep(parseSweepSpec(R"({"name": "r", "repeats": 9})", "s"));
        QCOMPARE(repeats.size(), std::size_t(9));
        QCOMPARE(repeats[8].seed, uint64_t(9));
        QCOMPARE(repeats[8].name, std::string("r-001-r9"));
    }

    void randomDraws() {
        const std::string text = R"({"name": "rs", "method": "random", "trials": 2000, "seed": 3,
            "parameters": {
              "loss_params.temperature": {"distribution": "uniform", "low": 0.1, "high": 1},
              "weight_decay": {"distribution": "log-uniform", "low": 1e-6, "high": 1e-2},
              "model_params.channels": {"distribution": "int", "low": 8, "high": 12},
              "optimizer": {"distribution": "choice", "values": ["adam", "nadamw", "sgd"]}}})";
        const auto runs = expandSweep(parseSweepSpec(text, "s"));
        QCOMPARE(runs.size(), std::size_t(2000));
        // Deterministic for the seed; another seed draws otherwise.
        const auto again = expandSweep(parseSweepSpec(text, "s"));
        for (std::size_t i = 0; i < runs.size(); ++i)
            QCOMPARE(runs[i].overrides, again[i].overrides);
        std::string other = text;
        other.replace(other.find("\"seed\": 3"), 9, "\"seed\": 4");
        QVERIFY(expandSweep(parseSweepSpec(other, "s"))[0].overrides != runs[0].overrides);

        const auto t = numbers(runs, "loss_params.temperature");
        double mean = 0;
        for (double v : t) {
            QVERIFY(v >= 0.1 && v <= 1.0);
            mean += v / t.size();
        }
        // Uniform on [0.1, 1]: mean 0.55, SE 0.26 / sqrt(2000) = 0.0058.
        QVERIFY2(std::abs(mean - 0.55) < 0.025, qPrintable(QString::number(mean)));

        // Log-uniform: log10 uniform on [-6, -2]: mean -4 (SE 1.155 / sqrt(2000) = 0.026),
        // half below 1e-4, a quarter in each decade pair.
        const auto wd = numbers(runs, "weight_decay");
        double logMean = 0;
        int below = 0, lowestDecade = 0;
        for (double v : wd) {
            QVERIFY(v >= 1e-6 * (1 - 1e-5) && v <= 1e-2 * (1 + 1e-5));
            logMean += std::log10(v) / wd.size();
            below += v < 1e-4;
            lowestDecade += v < 1e-5;
        }
        QVERIFY2(std::abs(logMean + 4) < 0.1, qPrintable(QString::number(logMean)));
        QVERIFY(std::abs(below / 2000.0 - 0.5) < 0.05);
        QVERIFY(std::abs(lowestDecade / 2000.0 - 0.25) < 0.04);

        // Int: inclusive bounds, every value drawn about equally often (400 each).
        std::map<int, int> counts;
        for (double v : numbers(runs, "model_params.channels")) {
            QCOMPARE(v, std::floor(v));
            ++counts[int(v)];
        }
        QCOMPARE(counts.size(), std::size_t(5));
        QCOMPARE(counts.begin()->first, 8);
        QCOMPARE(counts.rbegin()->first, 12);
        for (const auto& [value, n] : counts)
            QVERIFY2(n > 320 && n < 480, qPrintable(QString::number(n)));

        std::set<std::string> choices;
        for (const auto& r : runs)
            choices.insert(r.overrides[3].second);
        QCOMPARE(choices, (std::set<std::string>{"adam", "nadamw", "sgd"}));
    }

    void randomRepeatsShareDraws() {
        const auto runs = expandSweep(parseSweepSpec(
            R"({"name": "r", "method": "random", "trials": 3, "repeats": 3, "seed": 5,
                "parameters": {"learning_rate": {"distribution": "log-uniform",
                                                 "low": 1e-4, "high": 1e-1}}})",
            "s"));
        QCOMPARE(runs.size(), std::size_t(9));
        for (std::size_t i = 0; i < runs.size(); ++i) {
            QCOMPARE(runs[i].seed, uint64_t(5 + i % 3));
            QCOMPARE(runs[i].overrides, runs[i - i % 3].overrides);
        }
        QVERIFY(runs[0].overrides != runs[3].overrides);
        // A plain list in a random sweep is a choice.
        const auto listed = expandSweep(parseSweepSpec(
            R"({"name": "c", "method": "random", "trials": 50,
                "parameters": {"batch_size": [4, 8]}})",
            "s"));
        std::set<std::string> seen;
        for (const auto& r : listed)
            seen.insert(r.overrides[0].second);
        QCOMPARE(seen, (std::set<std::string>{"4", "8"}));
    }

    void demoSweepIsTwelveRuns() {
        const SweepSpec spec = parseSweepSpec(demoSweepSpecJson(), "demo");
        QCOMPARE(spec.name, std::string(kDemoSweepName));
        const auto runs = expandSweep(spec);
        QCOMPARE(runs.size(), std::size_t(12));
        std::set<std::pair<std::string, std::string>> combos;
        for (const auto& run : runs) {
            QCOMPARE(run.overrides.size(), std::size_t(2));
            combos.insert({run.overrides[0].second, run.overrides[1].second});
            QVERIFY(run.seed == 1 || run.seed == 2);
        }
        QCOMPARE(combos.size(), std::size_t(6)); // 3 learning rates x 2 temperatures
        QVERIFY(combos.count({"0.01", "0.1"}));
    }

    void baseConfigFileAndMetrics() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::ofstream(dir.filePath("b.json").toStdString())
            << R"({"model": "vae-mlp", "epochs": 3, "batch_size": 8})";
        const SweepSpec spec = parseSweepSpec(
            R"({"name": "f", "base_config": "b.json", "metrics": ["wss_tss", "logreg_f1_macro"],
                "parameters": {"learning_rate": [1e-4, "0.5"], "holdout": [["a", "b"]]}})",
            "s", dir.path().toStdString());
        QVERIFY(spec.baseConfigJson.find("\"epochs\": 3") != std::string::npos);
        QCOMPARE(spec.metrics, (std::vector<std::string>{"wss_tss", "logreg_f1_macro"}));
        QCOMPARE(spec.parameters[0].values, (std::vector<std::string>{"0.0001", "0.5"}));
        QCOMPARE(spec.parameters[1].values, (std::vector<std::string>{"a,b"}));
    }
};

QTEST_GUILESS_MAIN(TestSweepSpec)
#include "test_sweep_spec.moc"
