#pragma once
// Private: the SPEC S0 pair sampler. No torch here; used by trainer.cpp.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace embedscope::torchimpl {

/// SPEC S0 sampler. A batch lists its anchors first, then their positives (same order).
class PairSampler {
public:
    PairSampler(std::vector<std::size_t> indices, const std::vector<int>& groups)
        : indices_(std::move(indices)), groups_(groups) {
        for (std::size_t i : indices_)
            members_[groups_[i]].push_back(i);
    }

    std::size_t groupCount() const { return members_.size(); }
    bool hasPositivePairs() const {
        for (const auto& m : members_)
            if (m.second.size() >= 2)
                return true;
        return false;
    }

    /// Every index is an anchor once, in shuffled order, paired with a random other member of
    /// its group (itself when it is alone: that duplicate is excluded by the loss). A short
    /// remainder (< N/2 anchors) joins the last batch so no batch is degenerate.
    std::vector<std::vector<int64_t>> epoch(std::size_t anchorsPerBatch,
                                            std::mt19937_64& rng) const {
        std::vector<std::size_t> order = indices_;
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<std::size_t> sizes(order.size() / anchorsPerBatch, anchorsPerBatch);
        const std::size_t rest = order.size() % anchorsPerBatch;
        if (rest > 0) {
            if (sizes.empty() || 2 * rest >= anchorsPerBatch)
                sizes.push_back(rest);
            else
                sizes.back() += rest;
        }
        std::vector<std::vector<int64_t>> batches;
        std::size_t next = 0;
        for (std::size_t size : sizes) {
            std::vector<int64_t> rows(2 * size);
            for (std::size_t k = 0; k < size; ++k) {
                const std::size_t anchor = order[next++];
                rows[k] = static_cast<int64_t>(anchor);
                rows[size + k] = static_cast<int64_t>(positiveFor(anchor, rng));
            }
            batches.push_back(std::move(rows));
        }
        return batches;
    }

private:
    std::size_t positiveFor(std::size_t anchor, std::mt19937_64& rng) const {
        const auto& group = members_.at(groups_[anchor]);
        if (group.size() < 2)
            return anchor;
        std::uniform_int_distribution<std::size_t> pick(0, group.size() - 2);
        const std::size_t k = pick(rng);
        return group[k] == anchor ? group.back() : group[k]; // uniform over the others
    }

    std::vector<std::size_t> indices_;
    const std::vector<int>& groups_;
    std::map<int, std::vector<std::size_t>> members_;
};

/// False when no row has a positive (a batch made only of lone-group anchors): skipped.
inline bool anyPositive(const std::vector<int64_t>& rows, const std::vector<int>& groups) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = i + 1; j < rows.size(); ++j)
            if (rows[i] != rows[j] && groups[rows[i]] == groups[rows[j]])
                return true;
    return false;
}

} // namespace embedscope::torchimpl
