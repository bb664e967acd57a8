#pragma once
// Reference runs of seed 000: the "manual" model (IRLAB's hand-made features, here the documented
// open-field set of openfield_features.h) and the "combined" model of §4.5 (a learned embedding
// and the manual features, each standardised, concatenated, PCA 10). They are stored in a project
// exactly like trained runs (RunRecord: config JSON, embedding of every sample, versions), so the
// runs list, the embedding view, `embedscope-cli embed` and the metrics treat them the same; they
// have no checkpoint, no loss curves (bestEpoch -1) and a config whose "model" is "manual" or
// "combined".
//
// Config JSON of a manual run:
//   {"model": "manual", "dataset": ..., "feature_count": F, "feature_names": [...],
//    "feature_options": {"rate_hz", "cage_cm", ...}, "fit_rows": m, "standardisation": "...",
//    "constant_features": [...]}
// of a combined run: the same plus "base_run", "base_model", "base_dims", "components" (asked),
// "columns" (kept) and "explained_variance_ratio" (per kept component, descending).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/openfield_features.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/run.h"
#include "embedscope/engine/training.h"

#include <map>
#include <string>
#include <vector>

namespace embedscope {

constexpr const char* kManualModel = "manual";
constexpr const char* kCombinedModel = "combined";
/// Seed 000 §4.5 / §3.4.7: the combined embedding is projected to 10 dimensions.
constexpr int kCombinedComponents = 10;

/// Feature options for a data set: `rate_hz` and `cage_cm` from its attributes JSON (top level,
/// or under "params" as the simulator writes them) when present and positive, the rest from
/// `base`. Malformed attributes leave `base` unchanged.
OpenFieldFeatureOptions openFieldOptionsFor(const Dataset& data, OpenFieldFeatureOptions base = {});

/// The manual reference run: hand-made features of every sample, z-scored per feature with the
/// mean and population sd of the train + val rows (openFieldFitRows; test rows are transformed,
/// never fitted). Features constant on the fit rows are KEPT as all-zero columns, so column j
/// is always feature j of openFieldFeatureNames (they add nothing to any distance); the config
/// lists them under "constant_features". `name` is left empty for the caller. Throws DataError
/// for a data set that is not (3, T) trajectories or has no train/val rows; CancelledError.
RunRecord makeManualRun(const Dataset& data, const OpenFieldFeatureOptions& options = {},
                        const JobContext& ctx = JobContext());

/// The combined reference run from a learned run of the same data set: its embedding and the
/// hand-made features, each standardised feature by feature on the train + val rows,
/// concatenated [learned | manual], projected on the first `components` principal components of
/// a PCA fitted on the train + val rows (combinedEmbedding). Throws DataError when the learned
/// run holds no embedding, was made from another data set, or its row count differs from the
/// data set's sample count; ConfigError when `learned` is itself a reference run or components
/// < 1; CancelledError.
RunRecord makeCombinedRun(const Dataset& data, const RunRecord& learned,
                          const OpenFieldFeatureOptions& options = {},
                          int components = kCombinedComponents,
                          const JobContext& ctx = JobContext());

/// "manual" or "combined" for a reference run, "" for a trained run (or an unreadable config).
std::string referenceKind(const RunRecord& run);

/// "manual", "combined", "untrained" (a run of epochs = 0, seed §4.1) or "trained".
std::string runKind(const RunRecord& run);

/// Sets `run.metricsJson` to the seed 000 metrics of its embedding (run_metrics.h: PCA 10 on
/// train + val; every metric the labels allow, the classifier F1 included) under "best", for
/// reference runs, which have no epochs. A metric failure is kept as "error" in the JSON.
void attachRunMetrics(RunRecord& run, const Dataset& data, const JobContext& ctx);

/// Adds the seed's two references for data set `datasetName` to `project`: the untrained run
/// (`base` with epochs = 0: its initial weights) and, for (3, T) trajectories, the manual run
/// (hand-made features). Both carry their metrics. Returns the names written ("untrained-NNN",
/// "manual-NNN"). CancelledError leaves the project unchanged for the run in progress.
std::vector<std::string> addReferenceRuns(ProjectFile& project, const std::string& datasetName,
                                          TrainConfig base, const JobContext& ctx = JobContext());

/// The newest run of each reference kind ("untrained", "manual", "combined") made from data set
/// `datasetName`, read as summaries (no embedding): the lines the metrics panel draws.
std::map<std::string, RunRecord> latestReferenceRuns(const ProjectFile& project,
                                                     const std::string& datasetName);

} // namespace embedscope
