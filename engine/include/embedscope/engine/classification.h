#pragma once
// Few-label evaluation of an embedding (seed 002 §4 "semi-supervised classification", SPEC S2):
// multinomial logistic regression with an L2 penalty on the latent space, per-class precision,
// recall and F1, accuracy, micro / macro F1, and the protocol "15 % of each class labelled,
// 70/30 inside it, repeated N times -> mean ± standard error". No torch types here; the solver
// (torch LBFGS) lives in engine/src/torch/logistic_regression.cpp.
#include "embedscope/engine/job.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace embedscope {

/// A fitted multinomial logistic regression. The weights act on standardised features
/// x̃_k = (x_k − mean_k) / scale_k (mean and population σ of the training rows; σ = 0 -> 1).
struct LogisticModel {
    std::size_t dims = 0;
    std::size_t classes = 0;
    std::vector<double> mean;      ///< dims
    std::vector<double> scale;     ///< dims
    std::vector<double> weights;   ///< classes × dims, row-major (W)
    std::vector<double> intercept; ///< classes (b)
    double c = 1.0;                ///< inverse regularisation strength
    double objective = std::numeric_limits<double>::quiet_NaN();   ///< J at the returned optimum
    double gradientMax = std::numeric_limits<double>::quiet_NaN(); ///< max |∂J| there
    int evaluations = 0; ///< objective + gradient evaluations LBFGS used
};

/// Fits W, b by minimising (like scikit-learn's LogisticRegression(multi_class='multinomial',
/// solver='lbfgs', C) divided by C·n):
///   J(W, b) = (1/n) Σ_i −log softmax(W x̃_i + b)_{y_i} + (1 / (2·C·n)) ‖W‖²_F
/// (no penalty on b) with torch's LBFGS (strong Wolfe line search) in double precision from
/// W = 0, b = 0. `x` is n × d row-major; labels are 0..K−1 and every class must occur.
/// Throws DataError (sizes, NaN/Inf naming row and column, a label < 0, a class without rows,
/// fewer than two classes) and ConfigError (c <= 0, maxIter < 1).
LogisticModel fitLogisticRegression(const std::vector<double>& x, std::size_t n, std::size_t d,
                                    const std::vector<int>& labels, double c = 1.0,
                                    int maxIter = 200);

/// Class probabilities softmax(W x̃ + b), n × K row-major. Throws DataError on a size mismatch.
std::vector<double> predictProbabilities(const LogisticModel& model, const std::vector<double>& x,
                                         std::size_t n);
/// The most probable class of each row (the lowest index on a tie).
std::vector<int> predict(const LogisticModel& model, const std::vector<double>& x, std::size_t n);

struct ClassReport {
    std::string label;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    std::size_t support = 0; ///< rows of this class in the truth
};

struct ClassificationReport {
    std::vector<ClassReport> perClass; ///< one per label name, in class-index order
    double accuracy = 0;
    double f1Macro = 0; ///< mean F1 over the classes present in the truth or the predictions
    double f1Micro = 0; ///< from the summed TP, FP, FN (= accuracy for one label per row)
};

/// Standard definitions: precision = TP/(TP+FP), recall = TP/(TP+FN), F1 their harmonic mean
/// (seed 002 eqs 4.2/4.3 swap the names of precision and recall; we do not). A class never
/// predicted has precision 0, one never in the truth recall 0, and 0/0 F1 is 0 (scikit-learn's
/// zero_division=0). Throws DataError for different lengths, no rows or a class outside
/// 0..labelNames.size()−1.
ClassificationReport classificationReport(const std::vector<int>& truth,
                                          const std::vector<int>& predicted,
                                          const std::vector<std::string>& labelNames);

/// Mean and standard error σ/√N of N values (σ with N − 1). SE is NaN for N = 1.
struct MeanSe {
    double mean = std::numeric_limits<double>::quiet_NaN();
    double se = std::numeric_limits<double>::quiet_NaN();
};
/// Throws DataError for no values.
MeanSe meanStandardError(const std::vector<double>& values);

struct ClassSpread {
    std::string label;
    MeanSe precision, recall, f1;
    double support = 0; ///< mean test rows of the class per repeat
};

/// One repeat of the protocol: the rows it drew and its report on the test part.
struct FewLabelRepeat {
    std::vector<std::size_t> trainRows;
    std::vector<std::size_t> testRows;
    ClassificationReport report;
};

struct FewLabelResult {
    double fraction = 0;
    double trainFraction = 0;
    int repeats = 0;
    std::vector<FewLabelRepeat> runs;
    MeanSe accuracy, f1Macro, f1Micro;
    std::vector<ClassSpread> perClass;
};

/// Rows each class puts into the labelled set, and how that set splits (seed 002 §4: 15 % of
/// each class labelled, 30 % of it for test). labelled = max(2, round(fraction·rows)) capped at
/// rows; test = round((1 − trainFraction)·labelled) clamped to [1, labelled − 1]; train = rest.
struct FewLabelCounts {
    std::size_t labelled = 0, train = 0, test = 0;
};
FewLabelCounts fewLabelCounts(std::size_t classRows, double fraction, double trainFraction);

/// The protocol: for r = 0..repeats−1 draw (seeded by `seed` and r) each class's labelled rows,
/// split them as fewLabelCounts says (stratified), fit fitLogisticRegression(c) on the train
/// part and report on the test part; then mean ± SE of every metric over the repeats.
/// Rows with label −1 take no part. Throws DataError (sizes, NaN/Inf, a class with < 2 rows,
/// fewer than two classes, a label outside −1..labelNames.size()−1), ConfigError (fractions
/// outside (0, 1], trainFraction outside (0, 1), repeats < 1), CancelledError.
FewLabelResult fewLabelEvaluation(const std::vector<double>& x, std::size_t n, std::size_t d,
                                  const std::vector<int>& labels,
                                  const std::vector<std::string>& labelNames,
                                  double fraction = 0.15, double trainFraction = 0.7,
                                  int repeats = 10, uint64_t seed = 1, double c = 1.0,
                                  const JobContext& ctx = JobContext());

} // namespace embedscope
