// The SPEC S0 pair sampler (seed §3.3.2): every id an anchor exactly once per epoch, one random
// positive of its group each, batches of 2N rows laid out anchors-then-positives.
#include "embedscope/engine/error.h"
#include "embedscope/engine/training.h"

#include <QtTest>

#include <algorithm>
#include <map>
#include <vector>

using namespace embedscope;

namespace {

/// 40 samples in groups of sizes 1, 2, 3, 4, 6, 24 (group g = label g); samples 34..39 are not
/// sampled (another split), so group 5 has 18 sampled members.
std::vector<int> groupsOf40() {
    std::vector<int> groups;
    const int sizes[] = {1, 2, 3, 4, 6, 24};
    for (int g = 0; g < 6; ++g)
        groups.insert(groups.end(), sizes[g], g);
    return groups;
}

std::vector<std::size_t> firstIndices(std::size_t count) {
    std::vector<std::size_t> idx(count);
    for (std::size_t i = 0; i < count; ++i)
        idx[i] = i;
    return idx;
}

} // namespace

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyIdIsAnAnchorOncePerEpoch() {
        const auto groups = groupsOf40();
        const auto indices = firstIndices(34);
        for (uint64_t seed : {1u, 2u, 3u}) {
            const auto batches = pairSamplerEpoch(indices, groups, 8, seed);
            std::vector<int> seen(groups.size(), 0);
            for (const auto& rows : batches) {
                QCOMPARE(rows.size() % 2, std::size_t(0));
                for (std::size_t k = 0; k < rows.size() / 2; ++k)
                    ++seen[std::size_t(rows[k])];
            }
            for (std::size_t i = 0; i < groups.size(); ++i)
                QCOMPARE(seen[i], i < 34 ? 1 : 0);
        }
    }

    void positivesShareTheGroupAndDifferInId() {
        const auto groups = groupsOf40();
        const auto indices = firstIndices(34);
        std::map<int, int> sampledSize;
        for (std::size_t i : indices)
            ++sampledSize[groups[i]];
        for (uint64_t seed = 0; seed < 20; ++seed)
            for (const auto& rows : pairSamplerEpoch(indices, groups, 8, seed)) {
                const std::size_t half = rows.size() / 2;
                for (std::size_t k = 0; k < half; ++k) {
                    const int64_t anchor = rows[k], positive = rows[half + k];
                    QVERIFY(positive < 34); // never a sample of another split
                    QCOMPARE(groups[positive], groups[anchor]);
                    if (sampledSize[groups[anchor]] >= 2)
                        QVERIFY(positive != anchor);
                    else
                        QCOMPARE(positive, anchor); // alone: a duplicate the loss skips
                }
            }
    }

    void batchesHold2NRows() {
        const auto groups = groupsOf40();
        // 32 anchors / N = 8: four full batches of 16 rows.
        auto sizes = [&](std::size_t count) {
            std::vector<std::size_t> s;
            for (const auto& rows : pairSamplerEpoch(firstIndices(count), groups, 8, 4))
                s.push_back(rows.size());
            return s;
        };
        QCOMPARE(sizes(32), (std::vector<std::size_t>{16, 16, 16, 16}));
        // A remainder of at least N/2 anchors is its own batch, a smaller one joins the last.
        QCOMPARE(sizes(36), (std::vector<std::size_t>{16, 16, 16, 16, 8}));
        QCOMPARE(sizes(35), (std::vector<std::size_t>{16, 16, 16, 22}));
        QCOMPARE(sizes(5), (std::vector<std::size_t>{10}));
    }

    void positivesAreUniformOverTheOthers() {
        // Group 3 = samples 6..9. Over 3000 epochs, sample 6 draws each of 7, 8, 9 about 1000
        // times (binomial sd ~26; the bound is ~6 sd).
        const auto groups = groupsOf40();
        const auto indices = firstIndices(34);
        std::map<int64_t, int> drawn;
        for (uint64_t seed = 0; seed < 3000; ++seed)
            for (const auto& rows : pairSamplerEpoch(indices, groups, 16, seed)) {
                const std::size_t half = rows.size() / 2;
                for (std::size_t k = 0; k < half; ++k)
                    if (rows[k] == 6)
                        ++drawn[rows[half + k]];
            }
        QCOMPARE(drawn.size(), std::size_t(3));
        for (const auto& [sample, count] : drawn) {
            QVERIFY(sample >= 7 && sample <= 9);
            QVERIFY2(std::abs(count - 1000) < 150, qPrintable(QString::number(count)));
        }
    }

    void seedDecidesTheOrder() {
        const auto groups = groupsOf40();
        const auto indices = firstIndices(34);
        QVERIFY(pairSamplerEpoch(indices, groups, 8, 11) ==
                pairSamplerEpoch(indices, groups, 8, 11));
        QVERIFY(pairSamplerEpoch(indices, groups, 8, 11) !=
                pairSamplerEpoch(indices, groups, 8, 12));
    }

    void badArgumentsThrow() {
        const auto groups = groupsOf40();
        QVERIFY_THROWS_EXCEPTION(ConfigError, pairSamplerEpoch(firstIndices(4), groups, 0, 1));
        QVERIFY_THROWS_EXCEPTION(DataError, pairSamplerEpoch({0, 1, 40}, groups, 2, 1));
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "test_sampler.moc"
