#pragma once
// Shared by retrieval.cpp and retrieval_enrichment.cpp: the prepared profiles (rows kept, centred
// to unit norm so that Pearson = dot product) and the block-streamed similarity rows.
#include "embedscope/engine/retrieval.h"

#include <functional>

namespace embedscope::retrieval_detail {

struct PreparedProfiles {
    Eigen::MatrixXd unit;                           ///< kept rows, centred, unit norm (N × D)
    std::vector<int> classOf;                       ///< class id per kept row
    std::vector<std::vector<Eigen::Index>> members; ///< kept rows per class id
    std::vector<std::string> classNames;
    std::vector<std::size_t> rows; ///< input row of each kept row
    RetrievalDropped dropped;
    std::vector<std::string> notes;
};

/// Throws ConfigError for out-of-range options (K checked later against the kept rows).
void checkOptions(const RetrievalOptions& options);

/// Checks and drops as documented for evaluateRetrieval (labels may be empty: one class, no
/// dropping by class). Throws DataError; `what` names the input in messages ("table.csv").
PreparedProfiles prepareProfiles(const Eigen::MatrixXd& profiles,
                                 const std::vector<std::string>& labels,
                                 const std::vector<std::string>& featureNames, bool needClasses);

using RowVisitor = std::function<void(Eigen::Index, const double*)>;

/// visit(i, s) for every row i of `unit`, s[j] = similarity of rows i and j (s[i] ≈ 1), in
/// blocks of blockRows queries. Every call computes the same blocks, so repeated passes see
/// bit-identical values. Progress on ctx, cancellation checked per block.
void forEachSimilarityRow(const Eigen::MatrixXd& unit, std::size_t blockRows, const JobContext& ctx,
                          const std::string& stage,
                          const std::function<void(Eigen::Index, const double*)>& visit);

/// Thresholds (exact percentiles of all pair similarities i < j) and the 2 × 2 tables at them;
/// classOf empty = no pair is same-class (a = c = 0, only thresholds are meaningful).
/// `firstPass` (when set) sees every similarity row of the first pass (saves a pass of the
/// per-query metrics).
std::vector<EnrichmentPoint> enrichmentOf(const Eigen::MatrixXd& unit,
                                          const std::vector<int>& classOf,
                                          const RetrievalOptions& options, const JobContext& ctx,
                                          const RowVisitor& firstPass = {});

} // namespace embedscope::retrieval_detail
