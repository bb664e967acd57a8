#pragma once
// What the cell-profiling views show (issue 8 GUI): the single-cell features of a crops data set
// (the raw crop features of cell_features.h, or a cell-CNN run's penultimate layer) through the
// profile pipeline (profiling.h, the seed-004 defaults), cut at the spherize step so that well
// profiles, their PCA, consensus profiles and retrieval metrics exist both before and after
// spherizing (seed 004 §3.3.1 "Spherizing", §4.7: what whitening on the controls changes).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/profiling.h"
#include "embedscope/engine/retrieval.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/table.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace embedscope {

struct CellAnalysisOptions {
    std::string labelColumn = "moa"; ///< the retrieval class (metadata name, no Metadata_)
    int maxK = 20; ///< precision/recall@K for K = 1 .. min(maxK, usable profiles − 1)
    /// Enrichment curve percentiles (seed 004 Table 3.1 uses 97–99.5; the curve starts lower).
    std::vector<double> percentiles = {90, 92, 94, 95, 96, 97, 97.5, 98, 98.5, 99, 99.5};
    ProfilePipeline pipeline = defaultProfilePipeline();
};

/// The profiles at one side of the spherize step.
struct CellProfileStage {
    std::string name;     ///< "before spherizing" / "after spherizing"
    EmbeddingTable wells; ///< well profiles (one row per Plate + Well) at this stage
    Eigen::MatrixXd pca;  ///< wells.rows x 2: PC1, PC2 of the well profiles
    Eigen::Vector2d explained = Eigen::Vector2d::Zero(); ///< their explained variance ratios
    EmbeddingTable consensus;   ///< the pipeline's steps after spherize (consensus) applied
    RetrievalResult retrieval;  ///< of `consensus` by the label; see retrievalError
    std::string retrievalError; ///< why retrieval could not be computed ("" when it was)
};

struct CellAnalysis {
    std::string source; ///< "raw crop features" or "run NAME" / "run NAME, epoch E"
    std::size_t cells = 0;
    std::size_t cellFeatures = 0;
    CellProfileStage before, after;
    ProfileSummary summary; ///< the steps of the whole pipeline (after-spherize branch)
    std::vector<std::string> notes;
};

/// Single-cell features of the crops: `run` null = cellCropFeatures (cell_features.h), else the
/// penultimate layer of that cell-CNN run at `epoch` (−1: best), features cnn_0.. Both keep
/// the crops' metadata. Throws as those functions; ConfigError when `run` is not a cell CNN.
EmbeddingTable cellSourceFeatures(const Dataset& crops, const RunRecord* run, int epoch,
                                  const JobContext& ctx);

/// Runs options.pipeline on the single-cell table, split at its (first) spherize step: the
/// steps before it give before.wells, the spherize step after.wells, and the steps after it
/// (consensus) are applied to each. A pipeline without spherize gives after = before with a
/// note; steps after consensus are not expected. Each stage gets its PCA (2 components; fewer
/// than 2 wells or features: zeros) and retrieval (options.labelColumn, K = 1..maxK capped,
/// options.percentiles); a retrieval that cannot be computed (fewer than 2 classes of 2)
/// leaves the metrics empty and says why in retrievalError. Throws as runProfilePipeline
/// (messages start with `source`); CancelledError between steps.
CellAnalysis analyseCellProfiles(const EmbeddingTable& cellFeatures, const std::string& source,
                                 const CellAnalysisOptions& options, const JobContext& ctx);

struct ProfileNeighbour {
    std::size_t row = 0;
    double similarity = 0; ///< Pearson r with the query profile
};

/// The k rows of `table` most Pearson-similar to `row` (itself excluded), by descending
/// similarity, ties by ascending row; rows with constant features (r undefined) are left out.
/// Rows are prepared as retrieval prepares them (evaluateRetrieval: the same constant-row test).
/// Throws DataError for `row` out of range, a constant query row, NaN/Inf or fewer than 2
/// feature columns.
std::vector<ProfileNeighbour> nearestProfiles(const EmbeddingTable& table, std::size_t row,
                                              std::size_t k);

/// Sample indices of the crops whose metadata equals profile `row` of `profiles` in every
/// column of `by` that both have (compared as text, so dose 1 matches "1"), at most `limit`,
/// spread evenly over the matches (deterministic). Throws DataError for `row` out of range or
/// when no column of `by` is in both tables.
std::vector<std::size_t> cropsOfProfile(const Dataset& crops, const EmbeddingTable& profiles,
                                        std::size_t row, const std::vector<std::string>& by,
                                        std::size_t limit);

} // namespace embedscope
