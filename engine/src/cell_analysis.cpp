// The cell-profiling views' computation (cell_analysis.h): the profile pipeline cut at its
// spherize step, PCA and retrieval on both sides, nearest profiles and the crops behind them.
#include "embedscope/engine/cell_analysis.h"

#include "embedscope/engine/cell_cnn.h"
#include "embedscope/engine/cell_features.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"

#include "profiling_internal.h"
#include "retrieval_internal.h"

#include <algorithm>
#include <cmath>

namespace embedscope {
namespace {

Eigen::MatrixXd featureMatrix(const EmbeddingTable& t) {
    return profiling_detail::featureMatrix(t);
}

void fillPca(CellProfileStage& stage) {
    const EmbeddingTable& w = stage.wells;
    stage.pca = Eigen::MatrixXd::Zero(Eigen::Index(w.rows), 2);
    stage.explained.setZero();
    if (w.rows < 3 || w.featureNames.size() < 2)
        return;
    const Eigen::MatrixXd x = featureMatrix(w);
    const PcaModel model = fitPca(x, 2);
    const Eigen::MatrixXd scores = model.transform(x);
    for (Eigen::Index c = 0; c < std::min<Eigen::Index>(2, scores.cols()); ++c) {
        stage.pca.col(c) = scores.col(c);
        stage.explained(c) = model.explainedVarianceRatio(c);
    }
}

void fillRetrieval(CellProfileStage& stage, const CellAnalysisOptions& options,
                   const JobContext& ctx) {
    try {
        const std::vector<std::string> labels =
            retrievalLabels(stage.consensus, options.labelColumn, stage.name);
        // The profiles retrieval keeps (labelled, non-constant, classes of >= 2; fewer than 2
        // such classes throw), so that K stays below their count.
        const std::size_t usable =
            retrieval_detail::prepareProfiles(featureMatrix(stage.consensus), labels, {}, true)
                .rows.size();
        RetrievalOptions ro;
        ro.percentiles = options.percentiles;
        ro.ks.clear();
        for (int k = 1; k <= std::max(1, options.maxK) && std::size_t(k) < usable; ++k)
            ro.ks.push_back(k);
        stage.retrieval =
            evaluateRetrieval(stage.consensus, options.labelColumn, ro, ctx, stage.name);
    } catch (const CancelledError&) {
        throw;
    } catch (const Error& e) {
        stage.retrievalError = e.what();
    }
}

ProfilePipeline subPipeline(const ProfilePipeline& p, std::size_t from, std::size_t to) {
    ProfilePipeline sub;
    sub.columns = p.columns;
    sub.steps.assign(p.steps.begin() + long(from), p.steps.begin() + long(to));
    return sub;
}

void append(ProfileSummary& into, const ProfileSummary& part) {
    into.steps.insert(into.steps.end(), part.steps.begin(), part.steps.end());
    into.rowsOut = part.rowsOut;
    into.featuresOut = part.featuresOut;
    if (part.spherizeRank >= 0)
        into.spherizeRank = part.spherizeRank;
}

} // namespace

EmbeddingTable cellSourceFeatures(const Dataset& crops, const RunRecord* run, int epoch,
                                  const JobContext& ctx) {
    if (!run)
        return cellCropFeatures(crops, ctx);
    if (!isCellCnnRun(*run))
        throw ConfigError("run '" + run->name +
                          "' is not a cell CNN: its features cannot profile cells");
    std::size_t cols = 0;
    const std::vector<float> f = cellCnnFeatures(*run, crops, epoch, ctx, &cols);
    return cellFeatureTable(f, cols, crops);
}

CellAnalysis analyseCellProfiles(const EmbeddingTable& cellFeatures, const std::string& source,
                                 const CellAnalysisOptions& options, const JobContext& ctx) {
    CellAnalysis out;
    out.source = source;
    out.cells = cellFeatures.rows;
    out.cellFeatures = cellFeatures.featureNames.size();
    const ProfilePipeline& p = options.pipeline;
    const auto sph = std::find_if(p.steps.begin(), p.steps.end(), [](const ProfileStepConfig& s) {
        return s.kind == ProfileStepKind::Spherize;
    });
    const std::size_t cut = std::size_t(sph - p.steps.begin());
    const bool hasSpherize = sph != p.steps.end();
    const std::size_t restFrom = hasSpherize ? cut + 1 : cut;

    // Before spherizing: 60 % of the progress; spherize and the two consensus runs share the rest.
    EmbeddingTable wells = cellFeatures;
    out.summary = runProfilePipeline(wells, subPipeline(p, 0, cut), source, {ctx, 0.0, 0.6});
    out.before.name = "before spherizing";
    out.after.name = "after spherizing";
    out.before.wells = wells;
    if (hasSpherize) {
        append(out.summary,
               runProfilePipeline(wells, subPipeline(p, cut, cut + 1), source, {ctx, 0.6, 0.7}));
    } else {
        out.notes.push_back("the pipeline has no spherize step: after = before");
    }
    out.after.wells = std::move(wells);

    const ProfilePipeline rest = subPipeline(p, restFrom, p.steps.size());
    out.before.consensus = out.before.wells;
    runProfilePipeline(out.before.consensus, rest, source + " (before spherizing)",
                       {ctx, 0.7, 0.75});
    out.after.consensus = out.after.wells;
    append(out.summary, runProfilePipeline(out.after.consensus, rest, source, {ctx, 0.75, 0.8}));

    fillPca(out.before);
    fillPca(out.after);
    ctx.report(0.8, "retrieval before spherizing");
    fillRetrieval(out.before, options, {ctx, 0.8, 0.9});
    ctx.report(0.9, "retrieval after spherizing");
    fillRetrieval(out.after, options, {ctx, 0.9, 1.0});
    ctx.report(1.0, "done");
    return out;
}

std::vector<ProfileNeighbour> nearestProfiles(const EmbeddingTable& table, std::size_t row,
                                              std::size_t k) {
    if (row >= table.rows)
        throw DataError("profile " + std::to_string(row + 1) + " asked for, the table has " +
                        std::to_string(table.rows));
    // Rows centred to unit norm (Pearson r = dot product), constant rows left out, as retrieval.
    const retrieval_detail::PreparedProfiles p =
        retrieval_detail::prepareProfiles(featureMatrix(table), {}, {}, false);
    const auto at = std::find(p.rows.begin(), p.rows.end(), row);
    if (at == p.rows.end())
        throw DataError("profile " + std::to_string(row + 1) +
                        " has constant features: its Pearson similarity is undefined");
    const Eigen::VectorXd r = p.unit * p.unit.row(at - p.rows.begin()).transpose();
    std::vector<ProfileNeighbour> all;
    for (std::size_t i = 0; i < p.rows.size(); ++i)
        if (p.rows[i] != row)
            all.push_back({p.rows[i], std::clamp(r(Eigen::Index(i)), -1.0, 1.0)});
    std::stable_sort(all.begin(), all.end(),
                     [](const ProfileNeighbour& a, const ProfileNeighbour& b) {
                         return a.similarity > b.similarity;
                     });
    if (all.size() > k)
        all.resize(k);
    return all;
}

std::vector<std::size_t> cropsOfProfile(const Dataset& crops, const EmbeddingTable& profiles,
                                        std::size_t row, const std::vector<std::string>& by,
                                        std::size_t limit) {
    if (row >= profiles.rows)
        throw DataError("profile " + std::to_string(row + 1) + " asked for, the table has " +
                        std::to_string(profiles.rows));
    std::vector<std::pair<const MetadataColumn*, std::string>> keys;
    for (const std::string& name : by)
        if (crops.metadata.has(name) && profiles.metadata.has(name))
            keys.emplace_back(&crops.metadata.column(name),
                              profiles.metadata.column(name).text(row));
    if (keys.empty())
        throw DataError("the crops of data set '" + crops.name +
                        "' and the profiles share none of the columns that identify a profile");
    std::vector<std::size_t> match;
    const std::size_t n = crops.metadata.rowCount();
    for (std::size_t i = 0; i < n; ++i) {
        bool all = true;
        for (const auto& [column, value] : keys)
            if (column->text(i) != value) {
                all = false;
                break;
            }
        if (all)
            match.push_back(i);
    }
    if (match.size() <= limit)
        return match;
    // Evenly spread picks: the crops of several wells and sites, not the first well's only.
    std::vector<std::size_t> picked;
    for (std::size_t j = 0; j < limit; ++j)
        picked.push_back(match[(j * match.size()) / limit]);
    return picked;
}

} // namespace embedscope
