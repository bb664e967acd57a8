#pragma once
// Clustering of an embedding (seed 002, clustering section; SPEC S2): K-means with k-means++
// initialisation and restarts, the adjusted Rand index and normalised mutual information
// against known labels, and the DEC helpers of Xie et al. (2016) — soft assignment Q, target
// distribution P and KL(P‖Q) — as plain functions on row-major vectors (no torch here).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace embedscope {

struct KMeansOptions {
    int k = 2;
    int nInit = 10;    ///< restarts; the one with the lowest inertia is kept
    int maxIter = 300; ///< Lloyd iterations per restart (stops earlier when nothing changes)
    uint64_t seed = 1; ///< restart r draws from a generator seeded by (seed, r)
};

struct KMeansResult {
    std::vector<int> labels;            ///< n, 0..k−1
    std::vector<double> centres;        ///< k × d, row-major
    double inertia = 0;                 ///< Σ_i ‖x_i − μ_{label_i}‖²
    int iterations = 0;                 ///< Lloyd iterations of the kept restart
    int bestRestart = 0;                ///< which restart was kept
    std::vector<double> restartInertia; ///< final inertia of every restart, in order
};

/// K-means (Lloyd) from k-means++ seeds, nInit restarts. An empty cluster takes the point
/// farthest from its centre. Restart r does not depend on nInit, so more restarts never give a
/// higher inertia. Deterministic for a seed. Throws ConfigError (k < 1, k > n, nInit < 1,
/// maxIter < 1) and DataError (size mismatch, NaN/Inf naming row and column, fewer than k
/// distinct points).
KMeansResult kmeans(const std::vector<double>& x, std::size_t n, std::size_t d,
                    const KMeansOptions& options);

/// The k-means++ seeding of Arthur & Vassilvitskii (2007): the first centre uniformly, each next
/// one with probability ∝ D(x)², D = distance to the nearest chosen centre. Returns the chosen
/// row indices (distinct points). Same errors as kmeans.
std::vector<std::size_t> kmeansPlusPlus(const std::vector<double>& x, std::size_t n, std::size_t d,
                                        int k, uint64_t seed);

/// Adjusted Rand index (Hubert & Arabie 1985) from the contingency table n_ij with row sums a_i
/// and column sums b_j: (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E),
/// E = Σ C(a_i,2) Σ C(b_j,2) / C(n,2). 1 when the denominator is 0 (both partitions trivial
/// and equal, as scikit-learn). Label values are arbitrary integers. Throws DataError for
/// different lengths or no rows.
double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b);

/// Normalised mutual information, MI / ((H(a) + H(b)) / 2) (scikit-learn's default
/// "arithmetic" normalisation), natural logarithms; 1 when both partitions have one cluster.
double normalizedMutualInformation(const std::vector<int>& a, const std::vector<int>& b);

/// DEC soft assignment (Xie et al. 2016 eq 1): q_ij = (1 + ‖z_i − μ_j‖²/α)^(−(α+1)/2),
/// normalised over j. z is n × d, centres k × d; returns n × k. Throws DataError on sizes,
/// ConfigError for α <= 0.
std::vector<double> decSoftAssignment(const std::vector<double>& z, std::size_t n, std::size_t d,
                                      const std::vector<double>& centres, std::size_t k,
                                      double alpha = 1.0);

/// DEC target distribution (eq 3): p_ij = (q_ij² / f_j) / Σ_j' (q_ij'² / f_j'),
/// f_j = Σ_i q_ij. q is n × k. Throws DataError on sizes.
std::vector<double> decTargetDistribution(const std::vector<double>& q, std::size_t n,
                                          std::size_t k);

/// KL(P‖Q) = Σ_i Σ_j p_ij log(p_ij / q_ij), summed over rows (eq 2; 0·log 0 = 0). Throws
/// DataError for different sizes or q = 0 where p > 0.
double klDivergence(const std::vector<double>& p, const std::vector<double>& q);

} // namespace embedscope
