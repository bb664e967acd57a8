#pragma once
// The seed 000 metrics of a run's embedding (seed §3.4.7, SPEC S0 "Metrics"): labels read from a
// data set's metadata, PCA 10 fitted on the train + val rows, the metrics of metrics.h, and the
// run's metrics JSON (per epoch and at the best checkpoint) as stored in RunRecord::metricsJson.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/metrics.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace embedscope {

/// The metadata columns the metrics read. Missing optional columns switch their metric off.
struct MetricColumns {
    std::string group = "group";         ///< required: positives / groups (§3.4)
    std::string substance = "substance"; ///< DR: primary substance
    std::string dose = "dose";           ///< DR: numeric dose, 0 = control
    std::string secondarySubstance = "secondary_substance";
    std::string secondaryDose = "secondary_dose";
    std::string indication = "indication"; ///< classifier labels (§3.4.5)
};

/// The numeric doses of metadata column `name` (text columns are parsed; empty text = 0).
/// Throws DataError naming the data set, column and row of a value that is not a number >= 0.
std::vector<double> doseValues(const Dataset& data, const std::string& name);

/// Labels of every sample. Throws DataError naming the data set when the group column is
/// missing or a dose is not a finite number >= 0 (naming the row).
MetricLabels metricLabelsOf(const Dataset& data, const MetricColumns& columns = {});

/// Every metric whose labels exist: DR when substances and doses are known and some row has
/// dose 0 (the control the distances are measured from); F1 when indications exist and
/// `withClassifier` (it trains an MLP for 200 epochs: at the best checkpoint, not per epoch).
MetricOptions availableMetrics(const MetricLabels& labels, bool withClassifier);

/// PCA to `components` fitted on the train + val rows (openFieldFitRows), then the metrics of
/// those rows (a test split stays out, as in the seed's evaluation §3.4.7); the
/// classifier sees the embedding itself. `embedding` is rows x cols, row-major, one row per
/// sample of `data`. Throws DataError for a row count that differs from the data set's.
MetricValues evaluateEmbedding(const std::vector<float>& embedding, std::size_t rows,
                               std::size_t cols, const Dataset& data, const MetricLabels& labels,
                               const MetricOptions& options, const JobContext& ctx,
                               int components = 10);

/// A run's metrics: one value per epoch for each key, and the values at the best checkpoint.
/// JSON: {"pca_components": 10, "epochs": {"wss_tss": [..], ...}, "best": {"wss_tss": v, ...}
/// [, "error": "..."]} (NaN is written as null).
struct RunMetrics {
    int pcaComponents = 10;
    std::map<std::string, std::vector<double>> perEpoch;
    std::vector<std::pair<std::string, double>> best; ///< metricKeys() order
    /// Why the metrics stopped (e.g. a collapsed embedding); empty when they did not.
    std::string error;
    bool empty() const { return perEpoch.empty() && best.empty(); }
    /// The best-checkpoint value of `key`, NaN when absent.
    double bestValue(const std::string& key) const;
    /// Appends one epoch's values (keys absent this epoch get NaN so the curves stay aligned).
    void appendEpoch(const MetricValues& values);
};

std::string toJson(const RunMetrics& metrics);
/// Reads RunRecord::metricsJson; "{}" or a malformed text give an empty RunMetrics (an old or
/// damaged run still opens; its metrics are simply not shown).
RunMetrics parseRunMetrics(const std::string& json);

/// Human names of the metric keys for charts and tables ("WSS/TSS", "%PNN@3", ...), and whether
/// lower is better (WSS-TSS, GA WSS-TSS, DR and Davies-Bouldin) or higher (%PNN@3, F1).
std::string metricTitle(const std::string& key);
bool metricLowerIsBetter(const std::string& key);

} // namespace embedscope
