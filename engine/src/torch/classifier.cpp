// The "informative representations" classifier (seed 000 §3.4.5, §3.4.7): an MLP with one
// hidden layer of 100 ReLU units, cross-entropy weighted by class frequency, Adam lr 1e-3,
// a fixed 200 epochs, micro-F1 on its own trajectory-level split.
#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace embedscope {
namespace {

/// Fisher-Yates with our own engine: std::shuffle's draws differ between standard libraries.
template <class T> void shuffleInPlace(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[rng() % i]);
}

/// PyTorch's default Linear initialisation, U(±1/√fan_in) for weights and bias, drawn from a
/// seeded engine so the result does not depend on (or disturb) torch's global generator.
torch::Tensor uniformParameter(std::mt19937_64& rng, int64_t rows, int64_t cols, int64_t fanIn) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    std::uniform_real_distribution<double> u(-bound, bound);
    torch::Tensor t = torch::empty({rows, cols}, torch::kFloat);
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < rows * cols; ++i)
        p[i] = static_cast<float>(u(rng));
    return t.requires_grad_(true);
}

} // namespace

ClassifierResult classifierF1(const Eigen::MatrixXd& features,
                              const std::vector<std::string>& labels,
                              const ClassifierOptions& options, const JobContext& ctx) {
    const std::size_t n = static_cast<std::size_t>(features.rows());
    const int64_t d = features.cols();
    if (labels.size() != n)
        throw DataError("classifier: " + std::to_string(labels.size()) + " labels for " +
                        std::to_string(n) + " rows");
    if (d < 1)
        throw DataError("classifier: the features have no columns");
    if (options.hidden < 1 || options.epochs < 1 || options.batchSize < 1 ||
        !(options.learningRate > 0) || !(options.testFraction > 0 && options.testFraction < 1))
        throw ConfigError("classifier: hidden, epochs, batch size and learning rate must be > 0 "
                          "and the test fraction in (0, 1)");
    for (Eigen::Index r = 0; r < features.rows(); ++r)
        for (Eigen::Index c = 0; c < d; ++c)
            if (!std::isfinite(features(r, c)))
                throw DataError("classifier: row " + std::to_string(r) + ", column " +
                                std::to_string(c) + " is not finite");

    // Seed §3.4.5: rows labelled "other" or without a label take no part.
    std::map<std::string, std::vector<std::size_t>> rowsOfClass;
    for (std::size_t r = 0; r < n; ++r) {
        const std::string& label = labels[r];
        if (label.empty() || std::find(options.ignoredLabels.begin(), options.ignoredLabels.end(),
                                       label) != options.ignoredLabels.end())
            continue;
        rowsOfClass[label].push_back(r);
    }
    if (rowsOfClass.size() < 2)
        throw DataError("classifier: need at least two label classes, got " +
                        std::to_string(rowsOfClass.size()));

    // Seed §3.4.7: reshuffle and split at trajectory level with the same proportions, so both
    // parts hold every label: stratified, each class with >= 2 rows puts >= 1 in each part.
    std::mt19937_64 rng(options.seed);
    std::vector<std::size_t> trainRows, testRows;
    std::vector<int64_t> trainClass, testClass;
    std::vector<double> classCount;
    int64_t classIndex = 0;
    for (auto& [label, rows] : rowsOfClass) {
        shuffleInPlace(rows, rng);
        std::size_t test = static_cast<std::size_t>(
            std::lround(options.testFraction * static_cast<double>(rows.size())));
        if (rows.size() >= 2)
            test = std::clamp<std::size_t>(test, 1, rows.size() - 1);
        else
            test = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            (i < test ? testRows : trainRows).push_back(rows[i]);
            (i < test ? testClass : trainClass).push_back(classIndex);
        }
        classCount.push_back(static_cast<double>(rows.size() - test));
        ++classIndex;
    }
    const int64_t classes = classIndex;
    if (testRows.empty())
        throw DataError("classifier: too few labelled rows for a test part (every class has one "
                        "row)");

    // Standardise with the training part's statistics: embeddings of different models differ
    // in scale, and a fixed lr 1e-3 should mean the same for all (the seed does not say).
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
    for (std::size_t r : trainRows)
        mean += features.row(static_cast<Eigen::Index>(r));
    mean /= static_cast<double>(trainRows.size());
    Eigen::RowVectorXd sd = Eigen::RowVectorXd::Zero(d);
    for (std::size_t r : trainRows)
        sd += (features.row(static_cast<Eigen::Index>(r)) - mean).array().square().matrix();
    sd = (sd / static_cast<double>(trainRows.size())).array().sqrt().matrix();
    for (int64_t c = 0; c < d; ++c)
        if (!(sd[c] > 1e-12))
            sd[c] = 1.0;
    auto toTensor = [&](const std::vector<std::size_t>& rows) {
        torch::Tensor t = torch::empty({static_cast<int64_t>(rows.size()), d}, torch::kFloat);
        float* p = t.data_ptr<float>();
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (int64_t c = 0; c < d; ++c)
                p[i * d + c] = static_cast<float>(
                    (features(static_cast<Eigen::Index>(rows[i]), c) - mean[c]) / sd[c]);
        return t;
    };
    const torch::Tensor xTrain = toTensor(trainRows);
    const torch::Tensor xTest = toTensor(testRows);
    const torch::Tensor yTrain = torch::tensor(trainClass, torch::kLong);

    // Class-frequency weights n / (C · n_c): every class contributes equally to the loss.
    std::vector<float> weights;
    for (double count : classCount)
        weights.push_back(count > 0 ? static_cast<float>(static_cast<double>(trainRows.size()) /
                                                         (static_cast<double>(classes) * count))
                                    : 0.0f);
    const torch::Tensor classWeight = torch::tensor(weights, torch::kFloat);

    const int64_t h = options.hidden;
    torch::Tensor w1 = uniformParameter(rng, d, h, d);
    torch::Tensor b1 = uniformParameter(rng, 1, h, d);
    torch::Tensor w2 = uniformParameter(rng, h, classes, h);
    torch::Tensor b2 = uniformParameter(rng, 1, classes, h);
    auto forward = [&](const torch::Tensor& x) { return torch::relu(x.mm(w1) + b1).mm(w2) + b2; };
    torch::optim::Adam optimizer({w1, b1, w2, b2}, torch::optim::AdamOptions(options.learningRate));
    namespace F = torch::nn::functional;
    const auto lossOptions = F::CrossEntropyFuncOptions().weight(classWeight);

    // Mini-batches of min(200, n) as scikit-learn's MLPClassifier (whose defaults the seed's
    // classifier matches: 100 ReLU units, Adam 1e-3, 200 epochs). Full batch would give only
    // 200 Adam steps of 1e-3, too few to fit thousands of rows.
    const int64_t nTrain = static_cast<int64_t>(trainRows.size());
    const int64_t batch = std::min<int64_t>(options.batchSize, nTrain);
    std::vector<int64_t> order(static_cast<std::size_t>(nTrain));
    for (int64_t i = 0; i < nTrain; ++i)
        order[static_cast<std::size_t>(i)] = i;
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        ctx.throwIfCancelled();
        shuffleInPlace(order, rng);
        const torch::Tensor perm = torch::tensor(order, torch::kLong);
        for (int64_t start = 0; start < nTrain; start += batch) {
            const torch::Tensor idx = perm.slice(0, start, std::min(start + batch, nTrain));
            optimizer.zero_grad();
            const torch::Tensor loss = F::cross_entropy(forward(xTrain.index_select(0, idx)),
                                                        yTrain.index_select(0, idx), lossOptions);
            loss.backward();
            optimizer.step();
        }
    }

    torch::NoGradGuard noGrad;
    const torch::Tensor predicted = forward(xTest).argmax(1).contiguous();
    const int64_t* p = predicted.data_ptr<int64_t>();
    // Micro-F1 = 2·TP / (2·TP + FP + FN) summed over classes; with one label per row every
    // miss is one FP and one FN, so it equals the accuracy.
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < testRows.size(); ++i) {
        if (p[i] == testClass[i]) {
            tp += 1;
        } else {
            fp += 1;
            fn += 1;
        }
    }
    ClassifierResult result;
    result.f1Micro = 2 * tp / (2 * tp + fp + fn);
    result.trainRows = trainRows.size();
    result.testRows = testRows.size();
    result.classes = static_cast<std::size_t>(classes);
    return result;
}

} // namespace embedscope
