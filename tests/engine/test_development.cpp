// Simulated branching development (seed 003 demo, SPEC S3): the trunk and branch formulas by
// hand, the renderer's grey levels and pose, the data set's shape, metadata, split by embryo,
// determinism, and the branching structure of the ground truth and of the images.
#include "embedscope/engine/development.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "expect_error.h"

using namespace embedscope;

namespace {

DevelopmentParams small() {
    DevelopmentParams p;
    p.embryosPerGroup = 6;
    p.timePoints = 5;
    p.imageSize = 16;
    return p;
}

/// Normalised distance between two states.
double distance(const MorphState& a, const MorphState& b) {
    const MorphState& u = developmentFactorUnits();
    double s = 0.0;
    for (std::size_t k = 0; k < kDevelopmentFactors; ++k)
        s += std::pow((a[k] - b[k]) / u[k], 2);
    return std::sqrt(s);
}

/// Per group name, the mean image of the samples with the given time_index.
std::map<std::string, std::vector<double>> groupMeans(const Dataset& d, int timeIndex) {
    std::map<std::string, std::vector<double>> sum;
    std::map<std::string, int> count;
    const std::size_t n = d.sampleSize();
    for (std::size_t i = 0; i < d.sampleCount(); ++i) {
        if (d.metadata.column("time_index").numbers[i] != timeIndex)
            continue;
        const std::string& g = d.metadata.column("perturbation").strings[i];
        auto& s = sum[g];
        s.resize(n, 0.0);
        for (std::size_t k = 0; k < n; ++k)
            s[k] += d.sample(i)[k];
        ++count[g];
    }
    for (auto& [g, s] : sum)
        for (double& v : s)
            v /= count[g];
    return sum;
}

/// Mean over group pairs of the mean absolute pixel difference of their mean images.
double meanGroupDistance(const std::map<std::string, std::vector<double>>& means) {
    double total = 0.0;
    int pairs = 0;
    for (auto a = means.begin(); a != means.end(); ++a)
        for (auto b = std::next(a); b != means.end(); ++b, ++pairs) {
            double s = 0.0;
            for (std::size_t k = 0; k < a->second.size(); ++k)
                s += std::abs(a->second[k] - b->second[k]);
            total += s / double(a->second.size());
        }
    return total / pairs;
}

} // namespace

class TestDevelopment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void wildTypeTrunkByHand() {
        const DevelopmentParams p;
        const MorphState start = wildTypeState(12.0, p), end = wildTypeState(48.0, p);
        const MorphState wantStart = {0.45, 2.60, 0.075, 0.15, 0.20, 0.55};
        const MorphState wantEnd = {0.75, 0.30, 0.105, 0.08, 0.35, 0.90};
        for (std::size_t k = 0; k < kDevelopmentFactors; ++k) {
            QVERIFY(std::abs(start[k] - wantStart[k]) < 1e-12);
            QVERIFY(std::abs(end[k] - wantEnd[k]) < 1e-12);
        }
        // Half way: 30 hpf, body length 0.45 + 0.15.
        QVERIFY(std::abs(wildTypeState(30.0, p)[0] - 0.60) < 1e-12);
    }

    void branchesByHand() {
        const DevelopmentParams p;
        QCOMPARE(p.perturbations.size(), std::size_t(4));
        QCOMPARE(p.perturbations[0].name, std::string("gdf3"));
        QCOMPARE(p.perturbations[1].name, std::string("lmx1b"));
        // gdf3: onset 15, rate 0.12: 1.2 units at 25 hpf; 0 at and before the onset.
        const auto& gdf3 = p.perturbations[0];
        QVERIFY(std::abs(perturbationDivergence(gdf3, 25.0) - 1.2) < 1e-12);
        QCOMPARE(perturbationDivergence(gdf3, 15.0), 0.0);
        QCOMPARE(perturbationDivergence(gdf3, 12.0), 0.0);
        for (const auto& g : p.perturbations) {
            // At the start every branch is on the trunk ...
            QVERIFY(distance(perturbationState(g, 12.0, p), wildTypeState(12.0, p)) < 1e-12);
            // ... and the state's normalised distance from wt is the divergence.
            for (double t : {20.0, 30.0, 40.0, 48.0})
                QVERIFY(std::abs(distance(perturbationState(g, t, p), wildTypeState(t, p)) -
                                 perturbationDivergence(g, t)) < 1e-9);
        }
        // chd bends dorsally late: its total bend angle is negative at 48 hpf, wt's positive.
        QVERIFY(perturbationState(p.perturbations[3], 48.0, p)[1] < 0.0);
        QVERIFY(wildTypeState(48.0, p)[1] > 0.0);
    }

    void rendererGreyLevels() {
        // No yolk: the brightest pixel lies fully inside the body (grey = pigment), the darkest
        // is background (0.04); with a yolk, its grey 0.78 appears.
        MorphState m = {0.6, 1.0, 0.08, 0.0, 0.3, 0.6};
        const std::vector<float> image = renderEmbryo(m, 48);
        QCOMPARE(image.size(), std::size_t(48 * 48));
        QCOMPARE(*std::max_element(image.begin(), image.end()), 0.6f);
        QCOMPARE(*std::min_element(image.begin(), image.end()), 0.04f);
        m[3] = 0.15;
        m[5] = 0.3;
        const std::vector<float> withYolk = renderEmbryo(m, 48);
        QCOMPARE(*std::max_element(withYolk.begin(), withYolk.end()), 0.78f);
        // A state outside the renderable ranges is clamped (pigment 3 -> 1).
        m[3] = 0.0;
        m[5] = 3.0;
        const std::vector<float> bright = renderEmbryo(m, 48);
        QCOMPARE(*std::max_element(bright.begin(), bright.end()), 1.0f);
    }

    void rendererShiftMovesPixels() {
        // A shift of exactly 3 pixels moves the picture by 3 columns and 2 rows.
        const MorphState m = {0.5, 2.0, 0.08, 0.12, 0.25, 0.7};
        const int S = 40;
        const std::vector<float> a = renderEmbryo(m, S);
        EmbryoPose pose;
        pose.shiftX = 3.0 / S;
        pose.shiftY = 2.0 / S;
        const std::vector<float> b = renderEmbryo(m, S, pose);
        double worst = 0.0;
        for (int r = 0; r + 2 < S; ++r)
            for (int c = 0; c + 3 < S; ++c)
                worst = std::max(worst, double(std::abs(a[r * S + c] - b[(r + 2) * S + c + 3])));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        QVERIFY(a != b);
    }

    void shapeAndMetadata() {
        const DevelopmentParams p = small();
        const Dataset d = simulateDevelopment(p);
        d.validate("development");
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 16, 16}));
        QCOMPARE(d.sampleCount(), std::size_t(5 * 6 * 5));
        for (const char* c :
             {"perturbation", "perturbation_id", "individual", "time", "time_index", "split",
              "gt_divergence", "gt_onset", "gt_body_length", "gt_body_curvature", "gt_head_size",
              "gt_yolk_size", "gt_tail_length", "gt_pigment"})
            QVERIFY2(d.metadata.has(c), c);
        std::map<std::string, int> perGroup;
        std::set<std::string> individuals;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            ++perGroup[d.metadata.column("perturbation").strings[i]];
            individuals.insert(d.metadata.column("individual").strings[i]);
        }
        QCOMPARE(perGroup,
                 (std::map<std::string, int>{
                     {"wt", 30}, {"gdf3", 30}, {"lmx1b", 30}, {"tbx6", 30}, {"chd", 30}}));
        QCOMPARE(individuals.size(), std::size_t(30));
        // Sample (g * E + e) * T + j: group 1 (gdf3), embryo 6, time 2.
        const std::size_t i = (1 * 6 + 5) * 5 + 2;
        QCOMPARE(d.metadata.column("individual").strings[i], std::string("gdf3-06"));
        QCOMPARE(d.metadata.column("perturbation_id").numbers[i], 1.0);
        QCOMPARE(d.metadata.column("time_index").numbers[i], 2.0);
        QCOMPARE(d.metadata.column("gt_onset").numbers[i], 15.0);
        QCOMPARE(d.metadata.column("gt_onset").numbers[0], 48.0); // wt never departs
        QCOMPARE(d.attributeNumber("embryos_per_group", 0), 6.0);

        // Values in [0, 1]; times of one embryo increase and stay within a third of the
        // 9-hour spacing (jitter +-1 h) of the nominal time.
        for (float v : d.values)
            QVERIFY(v >= 0.0f && v <= 1.0f);
        const auto& time = d.metadata.column("time").numbers;
        for (std::size_t s = 0; s < d.sampleCount(); ++s) {
            const double nominal = 12.0 + 9.0 * double(s % 5);
            QVERIFY(std::abs(time[s] - nominal) <= 1.0 + 1e-12);
            QVERIFY(time[s] >= 12.0 && time[s] <= 48.0);
            if (s % 5 > 0)
                QVERIFY(time[s] > time[s - 1]);
        }
    }

    void splitByIndividual() {
        const DevelopmentParams p; // 24 embryos: round(0.15 * 24) = 4 test, 4 val, 16 train
        const Dataset d = simulateDevelopment(p);
        std::map<std::string, std::string> splitOf;
        std::map<std::string, std::map<std::string, int>> perGroup; // group -> split -> embryos
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            const std::string& id = d.metadata.column("individual").strings[i];
            const std::string& s = d.metadata.column("split").strings[i];
            const auto [it, fresh] = splitOf.emplace(id, s);
            QCOMPARE(it->second, s); // one individual, one split
            if (fresh)
                ++perGroup[d.metadata.column("perturbation").strings[i]][s];
        }
        QCOMPARE(perGroup.size(), std::size_t(5));
        for (const auto& [g, counts] : perGroup)
            QCOMPARE(counts, (std::map<std::string, int>{{"test", 4}, {"train", 16}, {"val", 4}}));
    }

    void deterministic() {
        const Dataset a = simulateDevelopment(small()), b = simulateDevelopment(small());
        QCOMPARE(a.values, b.values);
        QCOMPARE(a.metadata.column("time").numbers, b.metadata.column("time").numbers);
        QCOMPARE(a.metadata.column("split").strings, b.metadata.column("split").strings);
        DevelopmentParams other = small();
        other.seed = 2;
        const Dataset c = simulateDevelopment(other);
        QVERIFY(a.values != c.values);
        QVERIFY(a.metadata.column("time").numbers != c.metadata.column("time").numbers);
    }

    void groundTruthBranches() {
        const DevelopmentParams p;
        const Dataset d = simulateDevelopment(p);
        const auto& group = d.metadata.column("perturbation").strings;
        const auto& time = d.metadata.column("time").numbers;
        const auto& div = d.metadata.column("gt_divergence").numbers;
        const auto& onset = d.metadata.column("gt_onset").numbers;
        const std::size_t T = p.timePoints;
        for (std::size_t i = 0; i < d.sampleCount(); ++i) {
            if (group[i] == "wt") {
                QCOMPARE(div[i], 0.0);
                continue;
            }
            // 0 up to the onset, then growing with time within each embryo.
            QCOMPARE(div[i] == 0.0, time[i] <= onset[i]);
            if (i % T > 0 && time[i] > onset[i])
                QVERIFY(div[i] > div[i - 1]);
        }

        // The stored states: per group and time index the mean normalised state. At the first
        // time every group sits on the trunk (mean embryo offsets ~ 0.15 / sqrt(24) = 0.03
        // units, time jitter +-1 h moves wt by < 0.25 units); at the last time the branches are
        // far from wt (gdf3 ~3.9, tbx6 ~4.4, chd 2.4, lmx1b 1.3 units by construction).
        const auto& units = developmentFactorUnits();
        auto meanState = [&](const std::string& g, std::size_t j) {
            MorphState m{};
            int n = 0;
            for (std::size_t i = j; i < d.sampleCount(); i += T)
                if (group[i] == g) {
                    for (std::size_t k = 0; k < kDevelopmentFactors; ++k)
                        m[k] += d.metadata.column("gt_" + developmentFactorNames()[k]).numbers[i] /
                                units[k];
                    ++n;
                }
            for (double& v : m)
                v /= n;
            return m;
        };
        auto dist = [](const MorphState& a, const MorphState& b) {
            double s = 0.0;
            for (std::size_t k = 0; k < kDevelopmentFactors; ++k)
                s += (a[k] - b[k]) * (a[k] - b[k]);
            return std::sqrt(s);
        };
        const MorphState wtFirst = meanState("wt", 0), wtLast = meanState("wt", T - 1);
        const std::map<std::string, double> lastAtLeast = {
            {"gdf3", 3.0}, {"lmx1b", 0.8}, {"tbx6", 3.5}, {"chd", 1.8}};
        for (const auto& [g, bound] : lastAtLeast) {
            const double first = dist(meanState(g, 0), wtFirst);
            const double last = dist(meanState(g, T - 1), wtLast);
            QVERIFY2(first < 0.3,
                     qPrintable(QString::fromStdString(g) + " " + QString::number(first)));
            QVERIFY2(last > bound,
                     qPrintable(QString::fromStdString(g) + " " + QString::number(last)));
        }
        // wt's stored states follow the trunk up to the embryo offsets (mean ~ 0).
        for (std::size_t j = 0; j < T; ++j) {
            const std::size_t i0 = j; // wt embryo 1, time j
            QVERIFY(distance(clampMorphState(wildTypeState(time[i0], p)), [&] {
                        MorphState m;
                        for (std::size_t k = 0; k < kDevelopmentFactors; ++k)
                            m[k] =
                                d.metadata.column("gt_" + developmentFactorNames()[k]).numbers[i0];
                        return m;
                    }()) < 6 * p.embryoSpread * std::sqrt(6.0));
        }
    }

    void imagesDivergeOverTime() {
        // Mean pixel distance between group mean images grows from the first to the last time.
        const DevelopmentParams p;
        const Dataset d = simulateDevelopment(p);
        const auto first = groupMeans(d, 0), last = groupMeans(d, int(p.timePoints) - 1);
        QCOMPARE(first.size(), std::size_t(5));
        const double a = meanGroupDistance(first), b = meanGroupDistance(last);
        QVERIFY2(b > 2.5 * a, qPrintable(QString("first %1, last %2").arg(a).arg(b)));
    }

    void badParams() {
        auto expectConfig = [](DevelopmentParams p, const std::string& part) {
            expectError<ConfigError>([&] { simulateDevelopment(p); }, {"development", part});
        };
        DevelopmentParams p = small();
        p.embryosPerGroup = 0;
        expectConfig(p, "embryosPerGroup");
        p = small();
        p.imageSize = 15;
        expectConfig(p, "imageSize");
        p = small();
        p.noise = -0.1;
        expectConfig(p, "noise");
        p = small();
        p.timePoints = 1;
        expectConfig(p, "timePoints");
        p = small();
        p.tEndHpf = p.tStartHpf;
        expectConfig(p, "tEndHpf");
        p = small();
        p.perturbations[1].name = "gdf3";
        expectConfig(p, "unique");
        p = small();
        p.perturbations[0].name = "wt";
        expectConfig(p, "'wt'");
        p = small();
        p.perturbations[2].direction = MorphState{};
        expectConfig(p, "direction");
        p = small();
        p.perturbations[2].rate = -1.0;
        expectConfig(p, "rate");
        expectError<ConfigError>([] { renderEmbryo(MorphState{}, 8); }, {"size"});
    }

    void cancel() {
        JobContext ctx;
        ctx.requestCancel();
        QVERIFY_THROWS_EXCEPTION(CancelledError, simulateDevelopment(small(), ctx));
    }
};

QTEST_GUILESS_MAIN(TestDevelopment)
#include "test_development.moc"
