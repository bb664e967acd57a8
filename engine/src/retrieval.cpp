// Retrieval metrics per query (seed 004 §3.4.1, §3.4.3): Precision@K, Recall@K, Precision@R,
// average precision / mAP and Hit@K, from the ranks of each query's same-class neighbours in its
// similarity row; the rows are streamed in blocks (retrieval_internal.h), never all held.
#include "retrieval_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <sstream>

namespace embedscope {
namespace retrieval_detail {

void checkOptions(const RetrievalOptions& o) {
    for (int k : o.ks)
        if (k < 1)
            throw ConfigError("retrieval: K must be >= 1 (got " + std::to_string(k) + ")");
    for (double p : o.percentiles)
        if (!(p > 0 && p < 100))
            throw ConfigError("retrieval: an enrichment percentile must lie in (0, 100) (got " +
                              std::to_string(p) + ")");
    if (o.hitBinWidth < 1)
        throw ConfigError("retrieval: the Hit@K bin width must be >= 1");
    if (o.blockRows < 1 || o.histogramBins < 2 || o.maxCollected < 1)
        throw ConfigError("retrieval: blockRows and maxCollected must be >= 1, histogramBins >= 2");
}

PreparedProfiles prepareProfiles(const Eigen::MatrixXd& profiles,
                                 const std::vector<std::string>& labels,
                                 const std::vector<std::string>& featureNames, bool needClasses) {
    const Eigen::Index n = profiles.rows(), d = profiles.cols();
    if (needClasses && labels.size() != std::size_t(n))
        throw DataError("retrieval: " + std::to_string(labels.size()) + " labels for " +
                        std::to_string(n) + " profiles");
    if (d < 2)
        throw DataError("retrieval: Pearson similarity needs at least 2 feature columns (got " +
                        std::to_string(d) + ")");
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index k = 0; k < d; ++k)
            if (!std::isfinite(profiles(i, k)))
                throw DataError("retrieval: row " + std::to_string(i + 1) + ", feature column " +
                                (std::size_t(k) < featureNames.size() ? featureNames[std::size_t(k)]
                                                                      : std::to_string(k + 1)) +
                                " is " + (std::isnan(profiles(i, k)) ? "NaN" : "Inf"));
    PreparedProfiles out;
    // Rows kept before the class-size rule: labelled, not constant.
    std::vector<Eigen::Index> kept;
    std::size_t firstConstant = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (needClasses) {
            std::string l = labels[std::size_t(i)];
            std::transform(l.begin(), l.end(), l.begin(),
                           [](unsigned char ch) { return std::tolower(ch); });
            if (l.empty() || l == "nan") {
                ++out.dropped.unlabelledRows;
                continue;
            }
        }
        const Eigen::RowVectorXd row = profiles.row(i);
        const double scale = row.cwiseAbs().maxCoeff();
        const double norm = (row.array() - row.mean()).matrix().norm();
        // Constant up to rounding: Pearson undefined (its centred norm is 0).
        if (!(norm > 1e-12 * std::sqrt(double(d)) * scale)) {
            if (out.dropped.zeroVarianceRows++ == 0)
                firstConstant = std::size_t(i) + 1;
            continue;
        }
        kept.push_back(i);
    }
    if (out.dropped.zeroVarianceRows > 0)
        out.notes.push_back(std::to_string(out.dropped.zeroVarianceRows) +
                            " row(s) with constant features left out (Pearson undefined), the "
                            "first row " +
                            std::to_string(firstConstant));
    if (out.dropped.unlabelledRows > 0)
        out.notes.push_back(std::to_string(out.dropped.unlabelledRows) +
                            " row(s) without a label left out");
    // Classes: the whole label string (seed 004 §4.1: "a|b" is its own class).
    std::map<std::string, std::vector<Eigen::Index>> byLabel;
    for (Eigen::Index i : kept)
        byLabel[needClasses ? labels[std::size_t(i)] : std::string()].push_back(i);
    std::vector<Eigen::Index> used;
    std::vector<int> classOfInput(std::size_t(n), -1);
    for (const auto& [label, rows] : byLabel) {
        if (needClasses && rows.size() < 2) {
            ++out.dropped.smallClasses;
            out.dropped.smallClassRows += rows.size();
            continue;
        }
        for (Eigen::Index i : rows)
            classOfInput[std::size_t(i)] = int(out.classNames.size());
        out.classNames.push_back(label);
    }
    if (out.dropped.smallClasses > 0)
        out.notes.push_back(std::to_string(out.dropped.smallClasses) +
                            " class(es) with a single profile left out (" +
                            std::to_string(out.dropped.smallClassRows) + " row(s))");
    for (Eigen::Index i : kept)
        if (classOfInput[std::size_t(i)] >= 0)
            used.push_back(i);
    if (needClasses && out.classNames.size() < 2) {
        std::ostringstream m;
        m << "retrieval: fewer than 2 classes with at least 2 profiles (" << out.classNames.size()
          << " usable of " << byLabel.size() << " label value(s); " << out.dropped.unlabelledRows
          << " unlabelled and " << out.dropped.zeroVarianceRows << " constant row(s) dropped)";
        throw DataError(m.str());
    }
    out.unit.resize(Eigen::Index(used.size()), d);
    out.members.assign(out.classNames.size(), {});
    for (std::size_t r = 0; r < used.size(); ++r) {
        const Eigen::RowVectorXd row = profiles.row(used[r]);
        const Eigen::RowVectorXd centred = (row.array() - row.mean()).matrix();
        out.unit.row(Eigen::Index(r)) = centred / centred.norm();
        const int c = classOfInput[std::size_t(used[r])];
        out.classOf.push_back(c);
        out.members[std::size_t(c)].push_back(Eigen::Index(r));
        out.rows.push_back(std::size_t(used[r]));
    }
    return out;
}

void forEachSimilarityRow(const Eigen::MatrixXd& unit, std::size_t blockRows, const JobContext& ctx,
                          const std::string& stage,
                          const std::function<void(Eigen::Index, const double*)>& visit) {
    const Eigen::Index n = unit.rows();
    Eigen::MatrixXd block; // n × blockRows: column c = similarities of query i0 + c
    for (Eigen::Index i0 = 0; i0 < n; i0 += Eigen::Index(blockRows)) {
        ctx.throwIfCancelled();
        const Eigen::Index m = std::min<Eigen::Index>(Eigen::Index(blockRows), n - i0);
        block.resize(n, m);
        block.noalias() = unit * unit.middleRows(i0, m).transpose();
        for (Eigen::Index c = 0; c < m; ++c)
            visit(i0 + c, block.col(c).data());
        ctx.report(double(i0 + m) / double(n), stage);
    }
}

} // namespace retrieval_detail

using namespace retrieval_detail;

double averagePrecision(std::vector<std::size_t> relevantRanks, std::size_t nRelevant) {
    if (nRelevant == 0)
        throw DataError("average precision: no relevant items");
    std::sort(relevantRanks.begin(), relevantRanks.end());
    double sum = 0;
    for (std::size_t j = 0; j < relevantRanks.size(); ++j)
        sum += double(j + 1) / double(relevantRanks[j]); // P(m) at each relevant rank m
    return sum / double(nRelevant);
}

std::vector<std::string> retrievalLabels(const EmbeddingTable& table, const std::string& column,
                                         const std::string& path) {
    const std::string name = column.rfind("Metadata_", 0) == 0 ? column.substr(9) : column;
    if (!table.metadata.has(name)) {
        std::string there;
        for (const MetadataColumn& c : table.metadata.columns())
            there += (there.empty() ? "" : ", ") + ("Metadata_" + c.name);
        throw DataError(path + ": no label column Metadata_" + name +
                        " (there are: " + (there.empty() ? "none" : there) + ")");
    }
    const MetadataColumn& c = table.metadata.column(name);
    std::vector<std::string> out(table.rows);
    for (std::size_t r = 0; r < table.rows; ++r)
        out[r] = c.numeric && !std::isfinite(c.numbers[r]) ? std::string() : c.text(r);
    return out;
}

RetrievalResult evaluateRetrieval(const Eigen::MatrixXd& profiles,
                                  const std::vector<std::string>& labels,
                                  const RetrievalOptions& options, const JobContext& ctx,
                                  const std::vector<std::string>& featureNames) {
    checkOptions(options);
    const PreparedProfiles p = prepareProfiles(profiles, labels, featureNames, true);
    const Eigen::Index n = p.unit.rows();
    for (int k : options.ks)
        if (k >= n)
            throw ConfigError("retrieval: K = " + std::to_string(k) + " needs more than " +
                              std::to_string(k) + " usable profiles (there are " +
                              std::to_string(n) + ")");
    RetrievalResult r;
    r.nProfiles = std::size_t(n);
    r.nClasses = p.classNames.size();
    r.dropped = p.dropped;
    r.rows = p.rows;
    r.notes = p.notes;
    r.ks = options.ks;
    const std::size_t nk = options.ks.size();
    r.averagePrecision.assign(std::size_t(n), 0.0);
    r.queryPrecisionAtR.assign(std::size_t(n), 0.0);
    r.queryPrecisionAtK.assign(std::size_t(n), std::vector<double>(nk, 0.0));
    std::vector<double> recall(nk, 0.0);
    const std::size_t width = std::size_t(options.hitBinWidth);
    r.hit.binWidth = options.hitBinWidth;
    r.hit.counts.assign((std::size_t(n) - 1 + width - 1) / width, 0);

    // Per query: the 1-based rank of each same-class neighbour = its position among the
    // positives + the other-class rows at least as similar (ties count against the query).
    std::vector<double> pos;
    std::vector<uint64_t> ahead;
    // Runs inside the first pass of the enrichment's percentile search (one GEMM pass fewer).
    const RowVisitor ranks = [&](Eigen::Index i, const double* s) {
        const int c = p.classOf[std::size_t(i)];
        pos.clear();
        for (Eigen::Index j : p.members[std::size_t(c)])
            if (j != i)
                pos.push_back(s[j]);
        std::sort(pos.begin(), pos.end(), std::greater<double>());
        const std::size_t nr = pos.size();
        ahead.assign(nr + 1, 0);
        const double last = pos.back();
        for (Eigen::Index j = 0; j < n; ++j) {
            if (p.classOf[std::size_t(j)] == c || s[j] < last)
                continue;
            ahead[std::size_t(
                std::lower_bound(pos.begin(), pos.end(), s[j], std::greater<double>()) -
                pos.begin())]++;
        }
        const std::size_t q = std::size_t(i);
        uint64_t before = 0, atR = 0;
        std::vector<uint64_t> atK(nk, 0);
        double ap = 0;
        for (std::size_t m = 0; m < nr; ++m) {
            before += ahead[m];
            const uint64_t rank = m + 1 + before;
            ap += double(m + 1) / double(rank); // seed 004 eq. 3.13
            atR += rank <= nr;
            for (std::size_t t = 0; t < nk; ++t)
                atK[t] += rank <= uint64_t(options.ks[t]);
            r.hit.counts[(rank - 1) / width]++;
        }
        r.averagePrecision[q] = ap / double(nr);
        r.queryPrecisionAtR[q] = double(atR) / double(nr); // eq. 3.11
        for (std::size_t t = 0; t < nk; ++t) {
            r.queryPrecisionAtK[q][t] = double(atK[t]) / options.ks[t];
            recall[t] += double(atK[t]) / double(nr);
        }
        r.hit.nHits += nr;
    };
    r.enrichment = enrichmentOf(p.unit, p.classOf, options, ctx, ranks);
    // Macro over samples (seed 004 eq. 3.10, 3.14).
    r.precisionAtK.assign(nk, 0.0);
    for (std::size_t q = 0; q < std::size_t(n); ++q) {
        r.meanAveragePrecision += r.averagePrecision[q] / double(n);
        r.precisionAtR += r.queryPrecisionAtR[q] / double(n);
        for (std::size_t t = 0; t < nk; ++t)
            r.precisionAtK[t] += r.queryPrecisionAtK[q][t] / double(n);
    }
    for (std::size_t t = 0; t < nk; ++t)
        r.recallAtK.push_back(recall[t] / double(n));
    // Hit@K normalised accumulated score (§3.4.3): cumulative histogram − uniform expectation.
    r.hit.expectedPerBin = double(r.hit.nHits) / double(r.hit.counts.size());
    double cum = 0;
    for (uint64_t count : r.hit.counts) {
        cum += double(count) - r.hit.expectedPerBin;
        r.hit.cumulativeExcess.push_back(cum);
    }
    return r;
}

RetrievalResult evaluateRetrieval(const EmbeddingTable& table, const std::string& labelColumn,
                                  const RetrievalOptions& options, const JobContext& ctx,
                                  const std::string& path) {
    const std::vector<std::string> labels = retrievalLabels(table, labelColumn, path);
    const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
        x(table.features.data(), Eigen::Index(table.rows), Eigen::Index(table.featureNames.size()));
    try {
        return evaluateRetrieval(Eigen::MatrixXd(x), labels, options, ctx, table.featureNames);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
}

} // namespace embedscope
