// Multinomial logistic regression with an L2 penalty solved by torch's LBFGS, the standard
// classification report and the seed 002 §4 few-label protocol (SPEC S2). The report and the
// protocol need no torch; they live here to keep the evaluation in one unit.
#include "embedscope/engine/classification.h"
#include "embedscope/engine/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace embedscope {
namespace {

void checkMatrix(const std::vector<double>& x, std::size_t n, std::size_t d, const char* what) {
    if (x.size() != n * d)
        throw DataError(std::string(what) + ": " + std::to_string(x.size()) + " values for " +
                        std::to_string(n) + " rows × " + std::to_string(d) + " columns");
    for (std::size_t i = 0; i < n * d; ++i)
        if (!std::isfinite(x[i]))
            throw DataError(std::string(what) + ": row " + std::to_string(i / d) + ", column " +
                            std::to_string(i % d) + " is not finite");
}

/// Fisher-Yates with our own engine: std::shuffle's draws differ between standard libraries.
template <class T> void shuffleInPlace(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[rng() % i]);
}

torch::Tensor standardised(const LogisticModel& m, const std::vector<double>& x, std::size_t n) {
    torch::Tensor t =
        torch::empty({static_cast<int64_t>(n), static_cast<int64_t>(m.dims)}, torch::kDouble);
    double* p = t.data_ptr<double>();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < m.dims; ++k)
            p[i * m.dims + k] = (x[i * m.dims + k] - m.mean[k]) / m.scale[k];
    return t;
}

} // namespace

LogisticModel fitLogisticRegression(const std::vector<double>& x, std::size_t n, std::size_t d,
                                    const std::vector<int>& labels, double c, int maxIter) {
    if (!(c > 0) || !std::isfinite(c))
        throw ConfigError("logistic regression: C must be a positive number, got " +
                          std::to_string(c));
    if (maxIter < 1)
        throw ConfigError("logistic regression: maxIter must be >= 1");
    if (n == 0 || d == 0)
        throw DataError("logistic regression: no rows or no feature columns");
    checkMatrix(x, n, d, "logistic regression");
    if (labels.size() != n)
        throw DataError("logistic regression: " + std::to_string(labels.size()) + " labels for " +
                        std::to_string(n) + " rows");
    int maxLabel = -1;
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] < 0)
            throw DataError("logistic regression: row " + std::to_string(i) + " has label " +
                            std::to_string(labels[i]));
        maxLabel = std::max(maxLabel, labels[i]);
    }
    const std::size_t classes = static_cast<std::size_t>(maxLabel) + 1;
    std::vector<std::size_t> count(classes, 0);
    for (int y : labels)
        ++count[static_cast<std::size_t>(y)];
    for (std::size_t k = 0; k < classes; ++k)
        if (count[k] == 0) // its intercept would run to −inf (b is not penalised)
            throw DataError("logistic regression: class " + std::to_string(k) +
                            " has no training rows");
    if (classes < 2)
        throw DataError("logistic regression: need at least two classes");

    LogisticModel m;
    m.dims = d;
    m.classes = classes;
    m.c = c;
    m.mean.assign(d, 0.0);
    m.scale.assign(d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k)
            m.mean[k] += x[i * d + k];
    for (std::size_t k = 0; k < d; ++k)
        m.mean[k] /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k)
            m.scale[k] += (x[i * d + k] - m.mean[k]) * (x[i * d + k] - m.mean[k]);
    for (std::size_t k = 0; k < d; ++k) {
        m.scale[k] = std::sqrt(m.scale[k] / static_cast<double>(n));
        if (!(m.scale[k] > 1e-12)) // a constant column: leave it centred at 0
            m.scale[k] = 1.0;
    }

    const torch::Tensor xt = standardised(m, x, n);
    std::vector<int64_t> y64(labels.begin(), labels.end());
    const torch::Tensor yt = torch::tensor(y64, torch::kLong);
    const auto K = static_cast<int64_t>(classes);
    torch::Tensor w = torch::zeros({K, static_cast<int64_t>(d)}, torch::kDouble).requires_grad_();
    torch::Tensor b = torch::zeros({K}, torch::kDouble).requires_grad_();
    const double penalty = 1.0 / (2.0 * c * static_cast<double>(n));

    torch::optim::LBFGSOptions options(1.0);
    options.max_iter(maxIter)
        .max_eval(maxIter * 5 / 4 + 1)
        .history_size(10)
        .tolerance_grad(1e-10)
        .tolerance_change(1e-14)
        .line_search_fn("strong_wolfe");
    torch::optim::LBFGS optimizer({w, b}, options);
    namespace F = torch::nn::functional;
    auto objective = [&] {
        return F::cross_entropy(xt.mm(w.t()) + b, yt) + penalty * w.pow(2).sum();
    };
    int evaluations = 0;
    auto closure = [&] {
        optimizer.zero_grad();
        torch::Tensor loss = objective();
        loss.backward();
        ++evaluations;
        return loss;
    };
    optimizer.step(closure);

    // Value and gradient at the returned point (LBFGS may end just after a parameter update).
    optimizer.zero_grad();
    const torch::Tensor loss = objective();
    loss.backward();
    m.objective = loss.item<double>();
    m.gradientMax =
        std::max(w.grad().abs().max().item<double>(), b.grad().abs().max().item<double>());
    m.evaluations = evaluations;
    if (!std::isfinite(m.objective))
        throw DataError("logistic regression: the objective is not finite after fitting");
    const torch::Tensor wc = w.detach().contiguous();
    const torch::Tensor bc = b.detach().contiguous();
    m.weights.assign(wc.data_ptr<double>(), wc.data_ptr<double>() + K * static_cast<int64_t>(d));
    m.intercept.assign(bc.data_ptr<double>(), bc.data_ptr<double>() + K);
    return m;
}

std::vector<double> predictProbabilities(const LogisticModel& model, const std::vector<double>& x,
                                         std::size_t n) {
    if (model.classes == 0 || model.weights.size() != model.classes * model.dims)
        throw DataError("logistic regression: the model is not fitted");
    checkMatrix(x, n, model.dims, "logistic regression predict");
    std::vector<double> out(n * model.classes);
    std::vector<double> logit(model.classes);
    for (std::size_t i = 0; i < n; ++i) {
        double top = -std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < model.classes; ++k) {
            double s = model.intercept[k];
            for (std::size_t j = 0; j < model.dims; ++j)
                s += model.weights[k * model.dims + j] * (x[i * model.dims + j] - model.mean[j]) /
                     model.scale[j];
            logit[k] = s;
            top = std::max(top, s);
        }
        double sum = 0;
        for (std::size_t k = 0; k < model.classes; ++k)
            sum += std::exp(logit[k] - top); // shifted: no overflow
        for (std::size_t k = 0; k < model.classes; ++k)
            out[i * model.classes + k] = std::exp(logit[k] - top) / sum;
    }
    return out;
}

std::vector<int> predict(const LogisticModel& model, const std::vector<double>& x, std::size_t n) {
    const std::vector<double> p = predictProbabilities(model, x, n);
    std::vector<int> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto row = p.begin() + static_cast<std::ptrdiff_t>(i * model.classes);
        out[i] = static_cast<int>(
            std::max_element(row, row + static_cast<std::ptrdiff_t>(model.classes)) - row);
    }
    return out;
}

ClassificationReport classificationReport(const std::vector<int>& truth,
                                          const std::vector<int>& predicted,
                                          const std::vector<std::string>& labelNames) {
    if (truth.size() != predicted.size())
        throw DataError("classification report: " + std::to_string(truth.size()) +
                        " true labels but " + std::to_string(predicted.size()) + " predictions");
    if (truth.empty())
        throw DataError("classification report: no rows");
    const std::size_t K = labelNames.size();
    std::vector<double> tp(K, 0), fp(K, 0), fn(K, 0);
    std::vector<std::size_t> support(K, 0), predictedCount(K, 0);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const int t = truth[i], p = predicted[i];
        if (t < 0 || p < 0 || static_cast<std::size_t>(t) >= K || static_cast<std::size_t>(p) >= K)
            throw DataError("classification report: row " + std::to_string(i) + " has class " +
                            std::to_string(t < 0 || static_cast<std::size_t>(t) >= K ? t : p) +
                            " outside 0.." + std::to_string(static_cast<long>(K) - 1));
        ++support[static_cast<std::size_t>(t)];
        ++predictedCount[static_cast<std::size_t>(p)];
        if (t == p) {
            tp[static_cast<std::size_t>(t)] += 1;
        } else {
            fp[static_cast<std::size_t>(p)] += 1;
            fn[static_cast<std::size_t>(t)] += 1;
        }
    }
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; }; // zero_division = 0
    ClassificationReport r;
    double tpSum = 0, fpSum = 0, fnSum = 0, f1Sum = 0;
    std::size_t present = 0;
    for (std::size_t k = 0; k < K; ++k) {
        ClassReport c;
        c.label = labelNames[k];
        c.precision = ratio(tp[k], tp[k] + fp[k]);
        c.recall = ratio(tp[k], tp[k] + fn[k]);
        c.f1 = ratio(2 * tp[k], 2 * tp[k] + fp[k] + fn[k]); // = harmonic mean of P and R
        c.support = support[k];
        r.perClass.push_back(c);
        tpSum += tp[k];
        fpSum += fp[k];
        fnSum += fn[k];
        if (support[k] > 0 || predictedCount[k] > 0) { // scikit-learn's default label set
            f1Sum += c.f1;
            ++present;
        }
    }
    r.accuracy = tpSum / static_cast<double>(truth.size());
    r.f1Micro = ratio(2 * tpSum, 2 * tpSum + fpSum + fnSum);
    r.f1Macro = f1Sum / static_cast<double>(present);
    return r;
}

MeanSe meanStandardError(const std::vector<double>& values) {
    if (values.empty())
        throw DataError("mean and standard error of no values");
    MeanSe out;
    double sum = 0;
    for (double v : values)
        sum += v;
    const double n = static_cast<double>(values.size());
    out.mean = sum / n;
    if (values.size() > 1) {
        double ss = 0;
        for (double v : values)
            ss += (v - out.mean) * (v - out.mean);
        out.se = std::sqrt(ss / (n - 1)) / std::sqrt(n);
    }
    return out;
}

FewLabelCounts fewLabelCounts(std::size_t classRows, double fraction, double trainFraction) {
    FewLabelCounts c;
    if (classRows < 2)
        return c;
    c.labelled = std::max<std::size_t>(
        2, static_cast<std::size_t>(std::lround(fraction * static_cast<double>(classRows))));
    c.labelled = std::min(c.labelled, classRows);
    c.test = static_cast<std::size_t>(
        std::lround((1.0 - trainFraction) * static_cast<double>(c.labelled)));
    c.test = std::clamp<std::size_t>(c.test, 1, c.labelled - 1);
    c.train = c.labelled - c.test;
    return c;
}

FewLabelResult fewLabelEvaluation(const std::vector<double>& x, std::size_t n, std::size_t d,
                                  const std::vector<int>& labels,
                                  const std::vector<std::string>& labelNames, double fraction,
                                  double trainFraction, int repeats, uint64_t seed, double c,
                                  const JobContext& ctx) {
    if (!(fraction > 0 && fraction <= 1))
        throw ConfigError("few-label evaluation: the labelled fraction must be in (0, 1], got " +
                          std::to_string(fraction));
    if (!(trainFraction > 0 && trainFraction < 1))
        throw ConfigError("few-label evaluation: the train fraction must be in (0, 1), got " +
                          std::to_string(trainFraction));
    if (repeats < 1)
        throw ConfigError("few-label evaluation: repeats must be >= 1");
    checkMatrix(x, n, d, "few-label evaluation");
    if (labels.size() != n)
        throw DataError("few-label evaluation: " + std::to_string(labels.size()) + " labels for " +
                        std::to_string(n) + " rows");
    const std::size_t K = labelNames.size();
    std::vector<std::vector<std::size_t>> rowsOfClass(K);
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] == -1)
            continue;
        if (labels[i] < -1 || static_cast<std::size_t>(labels[i]) >= K)
            throw DataError("few-label evaluation: row " + std::to_string(i) + " has label " +
                            std::to_string(labels[i]) + ", expected -1.." +
                            std::to_string(static_cast<long>(K) - 1));
        rowsOfClass[static_cast<std::size_t>(labels[i])].push_back(i);
    }
    if (K < 2)
        throw DataError("few-label evaluation: need at least two classes");
    for (std::size_t k = 0; k < K; ++k)
        if (rowsOfClass[k].size() < 2)
            throw DataError("few-label evaluation: class '" + labelNames[k] + "' has " +
                            std::to_string(rowsOfClass[k].size()) +
                            " rows, need at least 2 (one to train, one to test)");

    FewLabelResult result;
    result.fraction = fraction;
    result.trainFraction = trainFraction;
    result.repeats = repeats;
    for (int r = 0; r < repeats; ++r) {
        ctx.throwIfCancelled();
        ctx.report(static_cast<double>(r) / repeats,
                   "few-label repeat " + std::to_string(r + 1) + "/" + std::to_string(repeats));
        std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(r));
        FewLabelRepeat run;
        std::vector<int> trainY, testY;
        for (std::size_t k = 0; k < K; ++k) {
            std::vector<std::size_t> rows = rowsOfClass[k];
            shuffleInPlace(rows, rng);
            const FewLabelCounts counts = fewLabelCounts(rows.size(), fraction, trainFraction);
            for (std::size_t i = 0; i < counts.labelled; ++i) {
                const bool test = i < counts.test;
                (test ? run.testRows : run.trainRows).push_back(rows[i]);
                (test ? testY : trainY).push_back(static_cast<int>(k));
            }
        }
        auto gather = [&](const std::vector<std::size_t>& rows) {
            std::vector<double> out;
            out.reserve(rows.size() * d);
            for (std::size_t row : rows)
                out.insert(out.end(), x.begin() + static_cast<std::ptrdiff_t>(row * d),
                           x.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
            return out;
        };
        const LogisticModel model =
            fitLogisticRegression(gather(run.trainRows), run.trainRows.size(), d, trainY, c);
        const std::vector<int> predicted =
            predict(model, gather(run.testRows), run.testRows.size());
        run.report = classificationReport(testY, predicted, labelNames);
        result.runs.push_back(std::move(run));
    }

    auto spread = [&](auto get) {
        std::vector<double> v;
        for (const FewLabelRepeat& run : result.runs)
            v.push_back(get(run.report));
        return meanStandardError(v);
    };
    result.accuracy = spread([](const ClassificationReport& r) { return r.accuracy; });
    result.f1Macro = spread([](const ClassificationReport& r) { return r.f1Macro; });
    result.f1Micro = spread([](const ClassificationReport& r) { return r.f1Micro; });
    for (std::size_t k = 0; k < K; ++k) {
        ClassSpread s;
        s.label = labelNames[k];
        s.precision =
            spread([k](const ClassificationReport& r) { return r.perClass[k].precision; });
        s.recall = spread([k](const ClassificationReport& r) { return r.perClass[k].recall; });
        s.f1 = spread([k](const ClassificationReport& r) { return r.perClass[k].f1; });
        s.support = spread([k](const ClassificationReport& r) {
                        return static_cast<double>(r.perClass[k].support);
                    }).mean;
        result.perClass.push_back(s);
    }
    ctx.report(1.0, "few-label evaluation done");
    return result;
}

} // namespace embedscope
