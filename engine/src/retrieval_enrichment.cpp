// Enrichment (seed 004 §3.4.2, Table 3.1, eq. 3.15) and the streaming, exact percentile search
// over all pair similarities that it needs; the batch enrichment score (§4.8, Table 4.19).
//
// The percentile of M = N(N−1)/2 pair values without holding them: pass 1 histograms the values
// over [−1, 1] (count, same-class count, min and max per bin). The bin holding each wanted order
// statistic is known from the cumulative counts; pass 2 keeps only the values of those bins and
// selects exactly (nth_element). A bin holding more than maxCollected values is histogrammed
// again over its own [min, max] in a further pass (its min and max fall in different sub-bins,
// so every refinement shrinks it). Bin membership is decided by recomputing the same bin indices
// (monotone in the value), never by comparing with rounded edges, so the passes agree exactly.
#include "retrieval_internal.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>

namespace embedscope::retrieval_detail {
namespace {

struct Level {
    double lo = -1;
    double scale = 1; ///< bins / (hi − lo)
    std::size_t bins = 2;
    std::size_t bin = 0;
};

std::size_t binOf(double v, double lo, double scale, std::size_t bins) {
    const double x = (v - lo) * scale;
    if (!(x > 0))
        return 0;
    if (x >= double(bins))
        return bins - 1;
    return std::min(bins - 1, std::size_t(x));
}

struct Histogram {
    std::vector<uint64_t> count, same;
    std::vector<double> min, max;
    explicit Histogram(std::size_t bins = 0)
        : count(bins, 0), same(bins, 0), min(bins, HUGE_VAL), max(bins, -HUGE_VAL) {}
    void add(std::size_t b, double v, bool isSame) {
        ++count[b];
        same[b] += isSame;
        min[b] = std::min(min[b], v);
        max[b] = std::max(max[b], v);
    }
};

/// A set of values (a histogram cell, refined along `chain`) holding some wanted order statistics.
struct Cell {
    std::vector<Level> chain;
    uint64_t below = 0; ///< values before the cell in ascending order
    uint64_t count = 0;
    double min = 0, max = 0;
    enum Mode { Constant, Collect, Refine } mode = Collect;
    std::vector<double> values; ///< Collect
    std::vector<char> same;     ///< Collect: same-class flag per value
    Histogram hist;             ///< Refine: over [min, max]
    bool member(double v) const {
        for (const Level& l : chain)
            if (binOf(v, l.lo, l.scale, l.bins) != l.bin)
                return false;
        return true;
    }
};

/// Every pair i < j with its value and same-class flag, streamed; `row` (when set) also sees
/// every whole similarity row of the same pass.
template <class F>
void forEachPair(const Eigen::MatrixXd& unit, const std::vector<int>& classOf,
                 const RetrievalOptions& options, const JobContext& ctx, const std::string& stage,
                 F f, const RowVisitor& row = {}) {
    const Eigen::Index n = unit.rows();
    forEachSimilarityRow(unit, options.blockRows, ctx, stage, [&](Eigen::Index i, const double* s) {
        if (row)
            row(i, s);
        if (classOf.empty()) {
            for (Eigen::Index j = i + 1; j < n; ++j)
                f(s[j], false);
            return;
        }
        const int c = classOf[std::size_t(i)];
        for (Eigen::Index j = i + 1; j < n; ++j)
            f(s[j], classOf[std::size_t(j)] == c);
    });
}

/// The cell of rank r (0-based ascending) inside a histogram whose values lie after `below`.
Cell cellFor(const Histogram& h, const std::vector<Level>& parent, const Level& level,
             uint64_t below, uint64_t r, std::size_t maxCollected) {
    uint64_t cum = below;
    std::size_t b = 0;
    while (b + 1 < h.count.size() && cum + h.count[b] <= r)
        cum += h.count[b++];
    Cell cell;
    cell.chain = parent;
    cell.chain.push_back(level);
    cell.chain.back().bin = b;
    cell.below = cum;
    cell.count = h.count[b];
    cell.min = h.min[b];
    cell.max = h.max[b];
    const double scale = double(level.bins) / (cell.max - cell.min);
    if (cell.min == cell.max)
        cell.mode = Cell::Constant;
    else if (cell.count <= maxCollected || !std::isfinite(scale))
        cell.mode = Cell::Collect;
    else {
        cell.mode = Cell::Refine;
        cell.hist = Histogram(level.bins);
    }
    return cell;
}

bool sameChain(const Cell& a, const Cell& b) {
    if (a.chain.size() != b.chain.size())
        return false;
    for (std::size_t i = 0; i < a.chain.size(); ++i)
        if (a.chain[i].bin != b.chain[i].bin || a.chain[i].lo != b.chain[i].lo)
            return false;
    return true;
}

double oddsRatio(const EnrichmentPoint& p) {
    const double ad = double(p.a) * double(p.d), bc = double(p.b) * double(p.c);
    if (bc == 0)
        return ad > 0 ? HUGE_VAL : std::nan("");
    return ad / bc;
}

} // namespace

std::vector<EnrichmentPoint> enrichmentOf(const Eigen::MatrixXd& unit,
                                          const std::vector<int>& classOf,
                                          const RetrievalOptions& options, const JobContext& ctx,
                                          const RowVisitor& firstPass) {
    const uint64_t n = uint64_t(unit.rows());
    if (n < 2)
        throw DataError("pair similarities need at least 2 profiles");
    const uint64_t pairs = n * (n - 1) / 2;
    const std::size_t bins = options.histogramBins;
    const Level level0{-1.0, double(bins) / 2.0, bins, 0};

    // Pass 1: the histogram of all pair values (seed 004 §3.4.2: the fully connected graph).
    Histogram h0(bins);
    uint64_t sameTotal = 0;
    forEachPair(
        unit, classOf, options, ctx, "similarity histogram",
        [&](double v, bool same) {
            h0.add(binOf(v, level0.lo, level0.scale, bins), v, same);
            sameTotal += same;
        },
        firstPass);

    // The order statistics numpy's linear interpolation needs.
    std::vector<uint64_t> ranks;
    for (double p : options.percentiles) {
        const double h = double(pairs - 1) * p / 100.0;
        const uint64_t k = uint64_t(std::floor(h));
        ranks.push_back(k);
        if (k + 1 < pairs)
            ranks.push_back(k + 1);
    }
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());

    std::vector<Cell> cells;
    std::vector<std::size_t> cellOf(ranks.size());
    auto place = [&](Cell cell, std::size_t target, std::vector<Cell>& into) {
        for (std::size_t c = 0; c < into.size(); ++c)
            if (sameChain(into[c], cell)) {
                cellOf[target] = c;
                return;
            }
        cellOf[target] = into.size();
        into.push_back(std::move(cell));
    };
    for (std::size_t t = 0; t < ranks.size(); ++t)
        place(cellFor(h0, {}, level0, 0, ranks[t], options.maxCollected), t, cells);

    std::vector<double> value(ranks.size(), 0.0);
    std::vector<const Cell*> level0Collected; // for the exact counts without another pass
    std::vector<Cell> done;
    for (int pass = 2;; ++pass) {
        bool active = false;
        for (const Cell& c : cells)
            active = active || c.mode != Cell::Constant;
        if (active)
            forEachPair(
                unit, classOf, options, ctx, "similarity percentiles, pass " + std::to_string(pass),
                [&](double v, bool same) {
                    const std::size_t b0 = binOf(v, level0.lo, level0.scale, bins);
                    for (Cell& c : cells) {
                        if (c.mode == Cell::Constant || c.chain[0].bin != b0 || !c.member(v))
                            continue;
                        if (c.mode == Cell::Collect) {
                            c.values.push_back(v);
                            c.same.push_back(char(same));
                        } else {
                            const double scale = double(bins) / (c.max - c.min);
                            c.hist.add(binOf(v, c.min, scale, bins), v, same);
                        }
                    }
                });
        std::vector<Cell> next;
        for (std::size_t t = 0; t < ranks.size(); ++t) {
            if (cellOf[t] == std::size_t(-1))
                continue;
            Cell& c = cells[cellOf[t]];
            if (c.mode == Cell::Refine) { // cellOf[t] now indexes `next`
                const Level level{c.min, double(bins) / (c.max - c.min), bins, 0};
                place(cellFor(c.hist, c.chain, level, c.below, ranks[t], options.maxCollected), t,
                      next);
                continue;
            }
            if (c.mode == Cell::Constant) {
                value[t] = c.min;
            } else {
                std::vector<double> v = c.values;
                const auto k = std::ptrdiff_t(ranks[t] - c.below);
                std::nth_element(v.begin(), v.begin() + k, v.end());
                value[t] = v[std::size_t(k)];
            }
            cellOf[t] = std::size_t(-1);
        }
        for (Cell& c : cells)
            if (c.mode != Cell::Refine)
                done.push_back(std::move(c));
        if (next.empty())
            break;
        cells = std::move(next);
    }
    for (const Cell& c : done)
        if (c.chain.size() == 1)
            level0Collected.push_back(&c);

    std::vector<EnrichmentPoint> points;
    bool needCount = false;
    for (double p : options.percentiles) {
        const double h = double(pairs - 1) * p / 100.0;
        const uint64_t k = uint64_t(std::floor(h));
        const double frac = h - double(k);
        const auto at = [&](uint64_t r) {
            return value[std::size_t(std::lower_bound(ranks.begin(), ranks.end(), r) -
                                     ranks.begin())];
        };
        const double lo = at(k);
        const double hi = k + 1 < pairs ? at(k + 1) : lo;
        EnrichmentPoint point;
        point.percentile = p;
        point.threshold = frac == 0 ? lo : lo + (hi - lo) * frac;
        // Counts above the threshold from the level-0 histogram; the threshold's own bin from
        // its collected values (or its min/max when all of it lies on one side).
        const std::size_t bt = binOf(point.threshold, level0.lo, level0.scale, bins);
        uint64_t above = 0, aboveSame = 0;
        for (std::size_t b = bt + 1; b < bins; ++b) {
            above += h0.count[b];
            aboveSame += h0.same[b];
        }
        if (h0.count[bt] > 0 && h0.min[bt] > point.threshold) {
            above += h0.count[bt];
            aboveSame += h0.same[bt];
        } else if (h0.count[bt] > 0 && h0.max[bt] > point.threshold) {
            const Cell* cell = nullptr;
            for (const Cell* c : level0Collected)
                if (c->chain[0].bin == bt && c->mode == Cell::Collect)
                    cell = c;
            if (!cell)
                needCount = true;
            else
                for (std::size_t i = 0; i < cell->values.size(); ++i)
                    if (cell->values[i] > point.threshold) {
                        ++above;
                        aboveSame += uint64_t(cell->same[i]);
                    }
        }
        point.a = aboveSame;
        point.b = above - aboveSame;
        point.c = sameTotal - aboveSame;
        point.d = (pairs - sameTotal) - point.b;
        points.push_back(point);
    }
    if (needCount) { // a refined bin holds a threshold: count every pair once more
        for (EnrichmentPoint& p : points)
            p.a = p.b = 0;
        forEachPair(unit, classOf, options, ctx, "enrichment counts", [&](double v, bool same) {
            for (EnrichmentPoint& p : points)
                if (v > p.threshold)
                    ++(same ? p.a : p.b);
        });
        for (EnrichmentPoint& p : points) {
            p.c = sameTotal - p.a;
            p.d = (pairs - sameTotal) - p.b;
        }
    }
    for (EnrichmentPoint& p : points)
        p.oddsRatio = oddsRatio(p);
    return points;
}

} // namespace embedscope::retrieval_detail

namespace embedscope {

using namespace retrieval_detail;

std::vector<EnrichmentPoint> similarityEnrichment(const Eigen::MatrixXd& profiles,
                                                  const std::vector<std::string>& labels,
                                                  const RetrievalOptions& options,
                                                  const JobContext& ctx,
                                                  RetrievalDropped* dropped) {
    checkOptions(options);
    const PreparedProfiles prepared = prepareProfiles(profiles, labels, {}, true);
    if (dropped)
        *dropped = prepared.dropped;
    return enrichmentOf(prepared.unit, prepared.classOf, options, ctx);
}

std::vector<double> pairSimilarityPercentiles(const Eigen::MatrixXd& profiles,
                                              const std::vector<double>& percentiles,
                                              const RetrievalOptions& options,
                                              const JobContext& ctx) {
    RetrievalOptions o = options;
    o.percentiles = percentiles;
    checkOptions(o);
    const PreparedProfiles prepared = prepareProfiles(profiles, {}, {}, false);
    if (prepared.dropped.zeroVarianceRows > 0)
        throw DataError("pair similarity percentiles: " + prepared.notes.front());
    std::vector<double> out;
    for (const EnrichmentPoint& p : enrichmentOf(prepared.unit, {}, o, ctx))
        out.push_back(p.threshold);
    return out;
}

namespace {

bool truthy(const MetadataColumn& column, std::size_t row) {
    if (column.numeric)
        return std::isfinite(column.numbers[row]) && column.numbers[row] != 0;
    std::string s = column.strings[row];
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    if (s == "true" || s == "yes" || s == "t" || s == "y")
        return true;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    return end != s.c_str() && *end == '\0' && std::isfinite(v) && v != 0;
}

} // namespace

BatchEnrichmentResult batchEnrichment(const EmbeddingTable& table, const std::string& batchColumn,
                                      const std::string& controlColumn,
                                      const RetrievalOptions& options, const JobContext& ctx,
                                      const std::string& path) {
    checkOptions(options);
    const std::vector<std::string> batch = retrievalLabels(table, batchColumn, path);
    const std::vector<std::string> control = retrievalLabels(table, controlColumn, path);
    std::string name = controlColumn;
    if (name.rfind("Metadata_", 0) == 0)
        name = name.substr(9);
    const MetadataColumn& flags = table.metadata.column(name);
    (void)control; // read for its missing-column message
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < table.rows; ++r)
        if (truthy(flags, r))
            rows.push_back(r);
    if (rows.empty())
        throw DataError(path + ": no control rows (" + controlColumn +
                        " is 0/false everywhere): the batch enrichment score needs them");
    const std::size_t d = table.featureNames.size();
    for (std::size_t r : rows) // named by the table's row before the control subset
        for (std::size_t k = 0; k < d; ++k)
            if (!std::isfinite(table.features[r * d + k]))
                throw DataError(path + ": row " + std::to_string(r + 1) + ", feature column " +
                                table.featureNames[k] + " is NaN/Inf");
    Eigen::MatrixXd z(Eigen::Index(rows.size()), Eigen::Index(d));
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t k = 0; k < d; ++k)
            z(Eigen::Index(i), Eigen::Index(k)) = table.features[rows[i] * d + k];
        labels.push_back(batch[rows[i]]);
    }
    BatchEnrichmentResult result;
    try {
        const PreparedProfiles prepared = prepareProfiles(z, labels, table.featureNames, true);
        result.controlRows = prepared.rows.size();
        result.batches = prepared.members.size();
        result.dropped = prepared.dropped;
        result.enrichment = enrichmentOf(prepared.unit, prepared.classOf, options, ctx);
    } catch (const DataError& e) {
        throw DataError(path + ": batch enrichment over the control rows (" + batchColumn +
                        " as the class): " + e.what());
    }
    return result;
}

} // namespace embedscope
