// Spearman, repeats and cross-run consistency of the runs table (issue 6; runs_table.h).
#include "embedscope/engine/alignment.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/runs_table.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace embedscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "(none)" : out;
}

} // namespace

// ---- Spearman -------------------------------------------------------------------------------

namespace {

/// 1-based ranks, ties get the mean of the ranks they span.
std::vector<double> averageRanks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> ranks(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
            ++j;
        const double rank = 0.5 * double(i + j) + 1.0;
        for (std::size_t k = i; k <= j; ++k)
            ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

} // namespace

SpearmanResult spearman(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size())
        throw DataError("spearman: x has " + std::to_string(x.size()) + " values but y has " +
                        std::to_string(y.size()));
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isnan(x[i]) && !std::isnan(y[i])) {
            xs.push_back(x[i]);
            ys.push_back(y[i]);
        }
    SpearmanResult r;
    r.n = xs.size();
    r.rho = r.p = kNaN;
    if (r.n < 3) {
        r.reason = "n < 3 (" + std::to_string(r.n) + " pairs without NaN)";
        return r;
    }
    const std::vector<double> rx = averageRanks(xs), ry = averageRanks(ys);
    const double mean = 0.5 * double(r.n + 1); // the mean of any averaged ranks
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < r.n; ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (sxx == 0 || syy == 0) {
        r.reason = std::string(sxx == 0 ? "x" : "y") + " is constant";
        return r;
    }
    r.rho = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
    const double df = double(r.n - 2);
    const double rest = 1.0 - r.rho * r.rho;
    if (rest <= 0) {
        r.p = 0; // |ρ| = 1: t is infinite
        return r;
    }
    const double t = r.rho * std::sqrt(df / rest);
    const boost::math::students_t_distribution<double> dist(df);
    r.p = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(dist, std::abs(t))));
    return r;
}

SpearmanTable spearmanTable(const RunsTable& table, const std::string& metric) {
    const int m = table.find(metric);
    if (m < 0 || !table.columns[m].numeric || table.columns[m].kind == RunsColumn::Kind::Parameter)
        throw ConfigError("spearman: no metric '" + metric + "' in the runs table; available: " +
                          joinNames(table.numericMetricNames()));
    SpearmanTable out;
    out.metric = metric;
    const std::vector<double> y = table.numbers(metric);
    for (const RunsColumn& column : table.columns) {
        if (column.kind != RunsColumn::Kind::Parameter)
            continue;
        if (column.name == "seed") {
            out.skipped.emplace_back(column.name, "the run seed is not a hyperparameter");
            continue;
        }
        if (!column.numeric) {
            out.skipped.emplace_back(column.name, "text values have no order");
            continue;
        }
        const std::vector<double> x = table.numbers(column.name);
        std::set<double> distinct;
        for (double v : x)
            if (!std::isnan(v))
                distinct.insert(v);
        if (distinct.size() < 2) {
            out.skipped.emplace_back(column.name, "constant over the runs");
            continue;
        }
        out.parameters.emplace_back(column.name, spearman(x, y));
    }
    return out;
}

// ---- Repeats (seed 000 Table 4.2: 9 repeats, μ ± 2σ) ----------------------------------------

namespace {

MetricSummary summarise(const std::vector<double>& values) {
    MetricSummary s;
    double sum = 0;
    for (double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++s.n;
        }
    s.mean = s.n ? sum / double(s.n) : kNaN;
    s.sd = s.se = s.low = s.high = kNaN;
    if (s.n < 2)
        return s;
    double ss = 0;
    for (double v : values)
        if (std::isfinite(v))
            ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / double(s.n - 1));
    s.se = s.sd / std::sqrt(double(s.n));
    s.low = s.mean - 2 * s.sd;
    s.high = s.mean + 2 * s.sd;
    return s;
}

} // namespace

std::vector<RepeatGroup> groupRepeats(const RunsTable& table) {
    std::vector<RepeatGroup> groups;
    std::map<std::string, std::size_t> byKey;
    const int status = table.find("status"), dataset = table.find("dataset");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (table.rows[r][status].text != "finished")
            continue;
        RepeatGroup g;
        g.dataset = table.rows[r][dataset].text;
        std::string key = g.dataset;
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            if (table.columns[c].kind == RunsColumn::Kind::Parameter &&
                table.columns[c].name != "seed") {
                g.parameters.emplace_back(table.columns[c].name, table.text(r, int(c)));
                key += '\x1f' + g.parameters.back().second;
            }
        const auto [it, fresh] = byKey.emplace(key, groups.size());
        if (fresh)
            groups.push_back(std::move(g));
        groups[it->second].rows.push_back(r);
        groups[it->second].runs.push_back(table.runName(r));
    }
    for (RepeatGroup& g : groups)
        for (const std::string& metric : table.numericMetricNames()) {
            const std::vector<double> all = table.numbers(metric);
            std::vector<double> values;
            for (std::size_t r : g.rows)
                values.push_back(all[r]);
            g.metrics.emplace_back(metric, summarise(values));
        }
    return groups;
}

std::vector<BandFlag> flagOutsideBand(const RunsTable& table, const RepeatGroup& reference,
                                      const std::string& metric) {
    const auto it = std::find_if(reference.metrics.begin(), reference.metrics.end(),
                                 [&](const auto& m) { return m.first == metric; });
    if (it == reference.metrics.end() || table.find(metric) < 0)
        throw ConfigError("repeats: no metric '" + metric +
                          "'; available: " + joinNames(table.numericMetricNames()));
    const MetricSummary& s = it->second;
    if (!std::isfinite(s.low) || !std::isfinite(s.high))
        throw DataError("repeats: the reference configuration (runs " + joinNames(reference.runs) +
                        ") has " + std::to_string(s.n) + " value(s) of '" + metric +
                        "'; its μ ± 2σ band needs at least 2");
    std::vector<BandFlag> flags;
    const std::vector<double> values = table.numbers(metric);
    for (std::size_t r = 0; r < values.size(); ++r)
        if (std::isfinite(values[r]) && (values[r] < s.low || values[r] > s.high))
            flags.push_back({r, table.runName(r), values[r], values[r] < s.low});
    return flags;
}

// ---- Consistency ----------------------------------------------------------------------------

ConsistencyResult runConsistency(const RunRecord& a, const RunRecord& b) {
    const std::string origin = "consistency of runs '" + a.name + "' and '" + b.name + "'";
    for (const RunRecord* run : {&a, &b})
        if (run->embeddingRows == 0 || run->embeddingCols == 0 ||
            run->embedding.size() != run->embeddingRows * run->embeddingCols)
            throw DataError(origin + ": run '" + run->name + "' holds no embedding");
    if (a.datasetName != b.datasetName)
        throw DataError(origin + ": they embed different data sets ('" + a.datasetName + "' and '" +
                        b.datasetName + "')");
    if (a.embeddingRows != b.embeddingRows)
        throw DataError(origin + ": they embed " + std::to_string(a.embeddingRows) + " and " +
                        std::to_string(b.embeddingRows) + " rows of data set '" + a.datasetName +
                        "'");
    ConsistencyResult out;
    out.rows = a.embeddingRows;
    Eigen::MatrixXd xa = toMatrix(a.embedding.data(), a.embeddingRows, a.embeddingCols);
    Eigen::MatrixXd xb = toMatrix(b.embedding.data(), b.embeddingRows, b.embeddingCols);
    try {
        if (xa.cols() != xb.cols()) {
            const int k = int(std::min(xa.cols(), xb.cols()));
            xa = fitPca(xa, k).transform(xa);
            xb = fitPca(xb, k).transform(xb);
            out.reduced = true;
        }
        out.dims = std::size_t(xa.cols());
        // Umeyama's scale makes the fit least-squares over similarity transforms (two runs'
        // scales are arbitrary), so R² ≥ 0; the mirror covers embeddings of either handedness.
        Alignment best = kabschAlign(xa, xb, true);
        Eigen::MatrixXd mirrored = xb;
        mirrored.col(mirrored.cols() - 1) *= -1;
        const Alignment flipped = kabschAlign(xa, mirrored, true);
        if (flipped.alignedRmse < best.alignedRmse) {
            best = flipped;
            out.mirrored = true;
        }
        out.rmse = best.alignedRmse;
        out.scale = best.scale;
    } catch (const DataError& e) {
        throw DataError(origin + ": " + e.what());
    }
    const double ssRes = out.rmse * out.rmse * double(out.rows);
    const double ssTot = (xa.rowwise() - xa.colwise().mean()).squaredNorm();
    out.r2 = ssTot > 0 ? 1.0 - ssRes / ssTot : kNaN;
    return out;
}

ConsistencyMatrix consistencyMatrix(const ProjectFile& project,
                                    const std::vector<std::string>& names, const JobContext& ctx) {
    for (const std::string& name : names)
        if (!project.hasRun(name))
            throw ConfigError(project.path() + ": no run named '" + name + "'");
    const std::size_t n = names.size();
    const double pairs = double(n * (n - 1) / 2);
    const double work = double(n) + 2 * pairs; // a read, then two alignments per pair
    std::vector<RunRecord> runs;
    for (std::size_t i = 0; i < n; ++i) {
        ctx.throwIfCancelled();
        ctx.report(double(i) / std::max(work, 1.0),
                   "reading run " + std::to_string(i + 1) + "/" + std::to_string(n));
        runs.push_back(project.readRun(names[i]));
        runs.back().checkpoint = {}; // only the embedding is needed
    }
    ConsistencyMatrix out;
    out.runs = names;
    out.r2 = Eigen::MatrixXd::Identity(Eigen::Index(n), Eigen::Index(n));
    out.rmse = Eigen::MatrixXd::Zero(Eigen::Index(n), Eigen::Index(n));
    double done = double(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            ctx.throwIfCancelled();
            ctx.report(done / work, "aligning " + names[j] + " and " + names[i]);
            const ConsistencyResult ab = runConsistency(runs[i], runs[j]);
            const ConsistencyResult ba = runConsistency(runs[j], runs[i]);
            done += 2;
            out.r2(i, j) = out.r2(j, i) = 0.5 * (ab.r2 + ba.r2);
            out.rmse(i, j) = out.rmse(j, i) = 0.5 * (ab.rmse + ba.rmse);
        }
    ctx.report(1.0, "consistency of " + std::to_string(n) + " runs");
    return out;
}

} // namespace embedscope
