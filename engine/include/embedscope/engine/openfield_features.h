#pragma once
// Hand-made open-field features: the "manual" baseline of seed 000 (IRLAB's ~300 engineered
// features, here a documented set of standard ones) and the "combined" model of its §4.5.
//
// Input: one trajectory (3, T), row-major: x, y in (-1, 1) (the cage [0, cageCm]^2 mapped
// linearly, x_cm = (x + 1) / 2 * cageCm), z in {0, 1} (rearing), sampled at rateHz.
// Every feature has a stable snake_case name (openFieldFeatureNames) and its formula in a comment
// next to its computation in openfield_features.cpp. No feature is ever NaN or infinite: ratios
// with an empty denominator take a documented value (usually 0).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

struct OpenFieldFeatureOptions {
    double rateHz = 25.0; ///< sampling rate (Hz)
    double cageCm = 40.0; ///< side of the square cage (cm)
    /// Centre zone: the inner square whose side is this fraction of the cage side (0.5 = inner
    /// 20 x 20 cm of a 40 cm cage, a quarter of the floor), i.e. |x| < f and |y| < f in (-1, 1).
    double centreFraction = 0.5;
    double wallCm = 5.0;    ///< wall zone: within this distance of the nearest wall (cm)
    double cornerCm = 10.0; ///< corner zone: within this distance of two walls at once (cm)
    /// A step is immobile when its (smoothed) speed is below this and the rat is not rearing.
    double immobileSpeedCmS = 2.0;
    double minImmobileBoutS = 1.0; ///< shorter runs of immobile steps are not immobility bouts
    /// Time bins of equal length covering the recording (6 = 10-min bins for 60 min; they scale
    /// with T). Each bin must hold at least 2 frames.
    int timeBins = 6;
    /// Centred moving average over this many frames applied to x and y before any kinematic or
    /// zone measure (odd; 1 = none; shrunk symmetrically at both ends so a straight line at
    /// constant speed stays exact). 5 frames = 0.2 s at 25 Hz: removes the beam-grid jitter.
    int smoothingFrames = 5;
    double tortuosityWindowS = 10.0; ///< window of the path length / net displacement ratio
    int occupancyGrid = 8;           ///< the cage is divided into grid x grid cells for entropy
};

/// Feature names in output order (depends on timeBins only). Throws ConfigError for invalid
/// options.
std::vector<std::string> openFieldFeatureNames(const OpenFieldFeatureOptions& options = {});

/// Features of one trajectory stored as (3, T) row-major (x row, y row, z row). `origin` names
/// the sample in errors (e.g. "sample 12 (rat-0013)"). Throws DataError naming `origin` when
/// T < 2 * timeBins (a bin shorter than 2 frames) or a value is NaN/infinite; ConfigError for
/// invalid options.
std::vector<double> openFieldFeatures(const float* sample3xT, int64_t T,
                                      const OpenFieldFeatureOptions& options = {},
                                      const std::string& origin = "trajectory");

/// N x F matrix of openFieldFeatures for every sample (columns in openFieldFeatureNames order).
/// The data set must be a trajectory set of shape (3, T); reports progress and checks for
/// cancellation once per sample. Errors name the sample index (and its animal id if present).
Eigen::MatrixXd openFieldFeatureMatrix(const Dataset& data,
                                       const OpenFieldFeatureOptions& options = {},
                                       const JobContext& ctx = JobContext());

/// Z-scores every column with the mean and the population standard deviation (divided by the
/// number of fit rows, as sklearn's StandardScaler) computed on `fitRows` only, then applies
/// them to all rows. Columns constant on the fit rows (sd <= 1e-12 * max(1, |mean|)) become 0.
/// Throws DataError for an empty fitRows, a row index out of range or a non-finite value.
Eigen::MatrixXd standardiseColumns(const Eigen::MatrixXd& x,
                                   const std::vector<std::size_t>& fitRows);

/// Rows of `data` whose split is "train" or "val" (all rows when there is no split column),
/// ascending: the rows every reference model fits its scaling / PCA on (never "test").
std::vector<std::size_t> openFieldFitRows(const Dataset& data);

/// The "manual" reference model (seed 000): hand-made features, standardised with
/// standardiseColumns fitted on train + val rows (openFieldFitRows). N x F. Throws DataError when
/// the data set has no train/val rows.
Eigen::MatrixXd manualEmbedding(const Dataset& data, const OpenFieldFeatureOptions& options = {},
                                const JobContext& ctx = JobContext());

/// The "combined" model (seed 000 §4.5): both blocks standardised feature by feature
/// (standardiseColumns fitted on fitRows, so every feature has the same scale and the result is
/// invariant to rescaling either block), concatenated [learned | manual] and projected on the
/// first k principal components of a PCA (fitPca) fitted on fitRows; all rows are transformed.
/// Columns: min(k, |fitRows|, D_learned + D_manual). Throws DataError when the row counts
/// differ, fitRows has fewer than 2 rows, or k < 1. `pca` (optional) receives the fitted PCA
/// (its explained variance ratios are stored with the combined reference run).
Eigen::MatrixXd combinedEmbedding(const Eigen::MatrixXd& learned, const Eigen::MatrixXd& manual,
                                  const std::vector<std::size_t>& fitRows, int k = 10,
                                  PcaModel* pca = nullptr);

} // namespace embedscope
