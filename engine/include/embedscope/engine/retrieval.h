#pragma once
// Retrieval metrics on consensus profiles (issue 8, SPEC S4, seed 004 §3.4): Pearson similarity
// between profiles (one row per compound/treatment), self-pairs excluded; Precision@K and
// Recall@K macro-averaged over the query rows (§3.4.1 eq. 3.10), Precision@R (eq. 3.11),
// average precision and mAP (eqs. 3.13–3.14), the enrichment odds ratio at similarity
// percentiles (§3.4.2, Table 3.1, eq. 3.15), Hit@K (§3.4.3, bins of 5, cumulative excess over
// the uniform expectation) and the batch enrichment score (§4.8: enrichment over the control
// wells with the batch as the class).
//
// Classes: the label string as a whole is the class, so a multi-MOA "a|b" is its own class and
// does not match "a" (seed 004 §4.1, "composite" MOAs). Rows with an empty / "nan" label, rows
// whose features are constant (zero variance: Pearson undefined) and then every class with
// fewer than 2 remaining members are dropped from queries and neighbours alike, and counted.
// Precision@R uses R = the query's other class members (class size − 1, the matches it can
// have once its self-pair is excluded). A same-class and an other-class neighbour of equal
// similarity rank the other-class one first (ties never flatter a profile).
//
// Memory stays bounded for 20,000+ profiles: the N × N similarity matrix is never held. Rows are
// centred and scaled to unit norm once (Pearson = dot product); similarities are computed in
// blocks of `blockRows` queries (one GEMM, N × blockRows) and consumed at once. The global
// similarity percentiles are exact without storing the N(N−1)/2 pairs: a first pass fills a
// histogram over [−1, 1] (counts, same-class counts, per-bin min/max), a second pass keeps only
// the values of the bins that hold the wanted order statistics (refined by further histogram
// passes over the bin's [min, max] while a bin holds more than `maxCollected` values; the 2 × 2
// counts then need one more pass). The per-query ranks are taken inside the first pass, so the
// usual cost is two similarity passes (2 · N² · D multiply-adds). Peak working memory ≈ 8·N·D
// (normalised copy; the table overload adds one more copy of the input) + 8·N·blockRows (one
// similarity block) + 32·histogramBins + ≤ 9·maxCollected per bin holding a wanted order
// statistic (usually a few thousand values) + 8·N·(|K| + 6) (per-query scores). Measured with
// tests/bench/bench_retrieval.cpp on N = 20,000, D = 500 (random, 2,000 classes): +101 MB peak
// RSS over the input, 111 s CPU (297 s wall on the shared 2-core machine), vs 3.2 GB for the
// all-pairs matrix. Single-threaded (Eigen's GEMM); the passes compute identical blocks, so
// their values agree bit for bit.
#include "embedscope/engine/job.h"
#include "embedscope/engine/table.h"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace embedscope {

struct RetrievalOptions {
    std::vector<int> ks = {1, 5, 10};                                 ///< Precision/Recall@K
    std::vector<double> percentiles = {97, 97.5, 98, 98.5, 99, 99.5}; ///< enrichment, in (0, 100)
    int hitBinWidth = 5;                 ///< Hit@K bin width in ranks (seed 004 Fig 3.3)
    std::size_t blockRows = 128;         ///< queries per similarity block
    std::size_t histogramBins = 1 << 16; ///< bins of each percentile-search histogram
    std::size_t maxCollected = 1 << 20;  ///< pair values one pass may hold per search
};

/// One row of the enrichment table (seed 004 Table 3.1): a/b same/other class above the
/// threshold, c/d same/other class at or below it; oddsRatio = (a/b)/(c/d) (+inf when b·c = 0
/// and a·d > 0, NaN when both are 0).
struct EnrichmentPoint {
    double percentile = 0;
    double threshold = 0; ///< the percentile of all pair similarities (linear interpolation)
    uint64_t a = 0, b = 0, c = 0, d = 0;
    double oddsRatio = std::numeric_limits<double>::quiet_NaN();
};

/// Hit@K (seed 004 §3.4.3): the 0-based rank of every same-class neighbour of every query,
/// histogrammed in bins of `binWidth`; cumulativeExcess[b] = Σ_{i ≤ b} (counts[i] − expected)
/// with expected = nHits / counts.size() (the uniform expectation; ≈ 0 for random profiles).
struct HitAtK {
    int binWidth = 5;
    uint64_t nHits = 0;
    double expectedPerBin = 0;
    std::vector<uint64_t> counts;
    std::vector<double> cumulativeExcess;
};

/// Rows and classes that were left out, and why.
struct RetrievalDropped {
    std::size_t unlabelledRows = 0;   ///< empty or "nan" label
    std::size_t zeroVarianceRows = 0; ///< constant features: Pearson undefined
    std::size_t smallClassRows = 0;   ///< rows of classes with < 2 remaining members
    std::size_t smallClasses = 0;     ///< those classes
};

struct RetrievalResult {
    std::size_t nProfiles = 0; ///< rows used (queries = neighbours)
    std::size_t nClasses = 0;  ///< classes with >= 2 members
    RetrievalDropped dropped;
    std::vector<std::size_t> rows; ///< the input row of each used profile
    std::vector<int> ks;
    std::vector<double> precisionAtK; ///< by ks, macro over the queries
    std::vector<double> recallAtK;
    double precisionAtR = 0;              ///< R = the query's other class members (size − 1)
    double meanAveragePrecision = 0;      ///< mAP
    std::vector<double> averagePrecision; ///< per used profile
    std::vector<double> queryPrecisionAtR;
    std::vector<std::vector<double>> queryPrecisionAtK; ///< [profile][k index]
    std::vector<EnrichmentPoint> enrichment;            ///< by percentile
    HitAtK hit;
    std::vector<std::string> notes;
};

/// The metrics for profiles (rows) with one class label per row. Throws DataError for a label
/// count differing from the rows, NaN/Inf features (naming the row, from 1, and the feature
/// column: `featureNames` when given, else its index), fewer than 2 feature columns, fewer than
/// 2 usable classes after dropping; ConfigError for K < 1 or K ≥ the usable profiles, a
/// percentile outside (0, 100), a bin width < 1 or blockRows / histogramBins / maxCollected
/// < 1 (histogramBins < 2); CancelledError (checked per block).
RetrievalResult evaluateRetrieval(const Eigen::MatrixXd& profiles,
                                  const std::vector<std::string>& labels,
                                  const RetrievalOptions& options, const JobContext& ctx,
                                  const std::vector<std::string>& featureNames = {});

/// The label column of a table (with or without the Metadata_ prefix) as text. Throws
/// DataError naming `path` and the columns there are when it is missing.
std::vector<std::string> retrievalLabels(const EmbeddingTable& table, const std::string& column,
                                         const std::string& path);

/// The same on a table: `labelColumn` with or without the Metadata_ prefix. Throws as
/// retrievalLabels and evaluateRetrieval, messages naming `path`.
RetrievalResult evaluateRetrieval(const EmbeddingTable& table, const std::string& labelColumn,
                                  const RetrievalOptions& options, const JobContext& ctx,
                                  const std::string& path = "table");

/// Only the enrichment (odds ratios at options.percentiles) of profiles with class labels;
/// rows dropped as in evaluateRetrieval (counts in `dropped` when given). Throws as
/// evaluateRetrieval.
std::vector<EnrichmentPoint> similarityEnrichment(const Eigen::MatrixXd& profiles,
                                                  const std::vector<std::string>& labels,
                                                  const RetrievalOptions& options,
                                                  const JobContext& ctx,
                                                  RetrievalDropped* dropped = nullptr);

struct BatchEnrichmentResult {
    std::size_t controlRows = 0; ///< control rows used
    std::size_t batches = 0;     ///< batches with >= 2 control rows
    RetrievalDropped dropped;
    std::vector<EnrichmentPoint> enrichment;
};

/// The batch enrichment score (seed 004 §4.8, Table 4.19): the enrichment over the control rows
/// (controlColumn truthy: a number ≠ 0, "true" or "yes") with `batchColumn` as the class. High
/// when control profiles of one batch are more alike than across batches. Throws DataError for
/// a missing column (naming `path`), no control rows, < 2 batches with >= 2 controls.
BatchEnrichmentResult batchEnrichment(const EmbeddingTable& table, const std::string& batchColumn,
                                      const std::string& controlColumn,
                                      const RetrievalOptions& options, const JobContext& ctx,
                                      const std::string& path = "table");

/// The exact percentiles (numpy's linear interpolation over the sorted values) of the Pearson
/// similarities of all pairs i < j of the rows, computed by the streaming search (no pair list).
/// Throws DataError for NaN/Inf, constant rows or fewer than 2 rows; ConfigError as above.
std::vector<double> pairSimilarityPercentiles(const Eigen::MatrixXd& profiles,
                                              const std::vector<double>& percentiles,
                                              const RetrievalOptions& options,
                                              const JobContext& ctx);

/// Average precision of one query (seed 004 eq. 3.13): (1/nRelevant) Σ_j j / rank_j over the
/// 1-based ranks of its relevant items in the ranked neighbour list (any order).
double averagePrecision(std::vector<std::size_t> relevantRanks, std::size_t nRelevant);

} // namespace embedscope
