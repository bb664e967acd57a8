#pragma once
// Per-substance dose response (issue 7, "Dose-response (engine + view)"): for every substance
// (combination) the embedding centroid per dose, the distance of each dose centroid and of each
// row to the reference centroid (control; secondary-only for double-substance groups, as the
// seed-000 DR metric §3.4.3 / SPEC S0 defines it) with bootstrap confidence intervals, the
// inversions of the dose order marked, and a four-parameter logistic (Hill) fit of the row
// distances against dose. Eigen + std only; the result is plain vectors for the views.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/hill_fit.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/metrics.h"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace embedscope {

struct DoseResponseOptions {
    int bootstrap = 1000;     ///< resamples per dose level (0 = no confidence intervals)
    double confidence = 0.95; ///< percentile interval, in (0, 1)
    uint64_t seed = 1;        ///< the resamples are deterministic for a seed
};

/// One dose level of one substance.
struct DoseLevel {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double dose = 0;
    std::size_t n = 0;            ///< rows at this dose
    std::vector<double> centroid; ///< d values
    double distance = kNaN; ///< ‖centroid − reference centroid‖; NaN without a reference
    double ciLow = kNaN;    ///< bootstrap percentile interval of `distance`
    double ciHigh = kNaN;
    bool inverted = false; ///< distance lower than the previous (lower) dose's (seed-000 DR)
};

/// One row (animal / trajectory) of a substance.
struct DoseRow {
    std::size_t index = 0; ///< row of the embedding matrix (0-based)
    double dose = 0;
    double distance = DoseLevel::kNaN; ///< to the reference centroid; NaN without a reference
};

struct SubstanceResponse {
    std::string name;      ///< "S1", or "S1 + S2@0.5" for a double-substance group
    std::string substance; ///< the primary substance
    std::string secondary; ///< "" or the secondary substance (with "@dose" when doses are given)
    std::string reference; ///< "control" or the secondary-only group's name (= secondary)
    bool hasReference = false;
    std::vector<double> referenceCentroid; ///< empty without a reference
    std::size_t referenceCount = 0;
    std::vector<DoseLevel> levels; ///< ascending dose
    std::vector<DoseRow> rows;     ///< ascending dose, then row order
    std::size_t inversions = 0;    ///< inversionCount of the level distances (0 without reference)
    HillFit hill; ///< row distances against dose; !ok with a reason when not fitted
};

struct DoseResponseResult {
    std::vector<SubstanceResponse> substances; ///< natural order, single before combinations
    std::size_t inversionCount = 0;            ///< summed over the substances
    std::size_t skippedRows = 0;               ///< rows left out (bad dose or no substance name)
    std::vector<std::string> notes;            ///< human sentences about what was not computed
};

/// The analysis. Rows with dose 0 form the reference groups, rows with dose > 0 the substances.
/// A problem of one substance (one dose, no reference rows) only leaves that substance's
/// distances or fit out, with a note; rows with a negative or non-finite (secondary) dose, or a
/// dose > 0 without a substance name, are skipped with a note naming the first (rows in notes
/// and messages count from 1). Throws DataError for label vectors whose length differs from
/// z's rows, NaN/Inf in z, no substance or dose labels, no dosed rows; ConfigError for
/// bootstrap < 0 or a confidence outside (0, 1); CancelledError (checked inside the bootstrap
/// loop). Progress is reported per substance.
DoseResponseResult analyseDoseResponse(const Eigen::MatrixXd& z, const MetricLabels& labels,
                                       const DoseResponseOptions& options, const JobContext& ctx);

/// The metadata columns the labels come from (names without the Metadata_ prefix; a prefix is
/// accepted and removed).
struct DoseColumns {
    std::string substance = "substance";
    std::string dose = "dose";
    std::string secondarySubstance = "secondary_substance"; ///< optional: absent = single
    std::string secondaryDose = "secondary_dose";           ///< optional
};

/// Substance, dose and (when those columns exist) secondary labels of `table`. Doses may be
/// numeric columns or text (blank = 0; "nan" or negative values pass through, the analysis
/// skips those rows). Throws DataError naming `origin` (a file), the column and the row
/// (counting from 1) for a dose that is not a number, and for a missing substance or dose
/// column, listing the Metadata_ columns there are.
MetricLabels doseLabelsOf(const MetadataTable& table, const DoseColumns& columns,
                          const std::string& origin);

/// The per-dose table as CSV: substance, reference, dose, n, distance, ci_low, ci_high,
/// inverted (NaN as an empty cell). Crash-safe (temp + rename); throws IoError naming the path.
void writeDoseResponseCsv(const DoseResponseResult& result, const std::string& path);

/// "S2" < "S10": digit runs compare by value. Used to order substances.
bool naturalLess(const std::string& a, const std::string& b);

} // namespace embedscope
