// embedscope-cli retrieval --table CONSENSUS.csv --label Metadata_moa [--k 1,5,10]
//   [--percentiles 97,...,99.5] [--batch Metadata_Batch --control-column Metadata_control]
// The retrieval metrics of consensus profiles (issue 8, seed 004 §3.4): Precision@K, Recall@K,
// Precision@R, mAP, the enrichment odds ratio at similarity percentiles, Hit@K, and with
// --batch the batch enrichment score over the control rows (§4.8). Labels are atomic strings
// ("a|b" is its own class); classes with one profile are dropped and counted.
#include "cli_common.h"

#include "embedscope/engine/retrieval.h"
#include "embedscope/engine/table.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace embedscope::cli {

std::string percentileKey(double p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", p);
    return buffer;
}

/// NaN -> null; +inf (no "other class" pair above the threshold) -> null as well, the counts
/// next to it say why.
static nlohmann::json ratioJson(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json enrichmentJson(const std::vector<EnrichmentPoint>& points, nlohmann::json& detail) {
    nlohmann::json byPercentile = nlohmann::json::object();
    detail = nlohmann::json::array();
    for (const EnrichmentPoint& e : points) {
        byPercentile[percentileKey(e.percentile)] = ratioJson(e.oddsRatio);
        detail.push_back({{"percentile", e.percentile},
                          {"threshold", e.threshold},
                          {"a", e.a},
                          {"b", e.b},
                          {"c", e.c},
                          {"d", e.d},
                          {"odds_ratio", ratioJson(e.oddsRatio)},
                          {"infinite", std::isinf(e.oddsRatio)}});
    }
    return byPercentile;
}

namespace {

struct RetrievalCliOptions {
    CommonOptions common;
    std::string table;
    std::string label;
    std::vector<int> ks = {1, 5, 10};
    std::vector<double> percentiles = {97, 97.5, 98, 98.5, 99, 99.5};
    std::string batch;
    std::string control = "Metadata_control";
};

nlohmann::json droppedJson(const RetrievalDropped& d) {
    return {{"classes", d.smallClasses},
            {"class_rows", d.smallClassRows},
            {"unlabelled_rows", d.unlabelledRows},
            {"zero_variance_rows", d.zeroVarianceRows}};
}

int runRetrieval(const RetrievalCliOptions& o) {
    const EmbeddingTable table = readEmbeddingCsv(o.table);
    RetrievalOptions options;
    options.ks = o.ks;
    options.percentiles = o.percentiles;
    JobContext& ctx = cliJobContext(o.common);
    const RetrievalResult r = evaluateRetrieval(table, o.label, options, ctx, o.table);

    nlohmann::json result = {{"table", o.table},
                             {"label", o.label},
                             {"n_profiles", r.nProfiles},
                             {"n_classes", r.nClasses},
                             {"dropped", droppedJson(r.dropped)},
                             {"precision_at_r", r.precisionAtR},
                             {"map", r.meanAveragePrecision}};
    nlohmann::json pk = nlohmann::json::object(), rk = nlohmann::json::object();
    for (std::size_t t = 0; t < r.ks.size(); ++t) {
        pk[std::to_string(r.ks[t])] = r.precisionAtK[t];
        rk[std::to_string(r.ks[t])] = r.recallAtK[t];
    }
    result["precision_at_k"] = pk;
    result["recall_at_k"] = rk;
    nlohmann::json detail;
    result["enrichment_odds_ratio"] = enrichmentJson(r.enrichment, detail);
    result["enrichment"] = detail;
    result["hit_at_k"] = {{"bin_width", r.hit.binWidth},
                          {"n_hits", r.hit.nHits},
                          {"expected_per_bin", r.hit.expectedPerBin},
                          {"counts", r.hit.counts},
                          {"cumulative_excess", r.hit.cumulativeExcess}};
    result["notes"] = r.notes;

    std::ostringstream human;
    human << o.table << ": " << r.nProfiles << " profiles in " << r.nClasses << " classes of "
          << o.label << " (" << r.dropped.smallClasses << " single-profile class(es), "
          << r.dropped.unlabelledRows << " unlabelled and " << r.dropped.zeroVarianceRows
          << " constant row(s) dropped)\n";
    human << "  Precision@R " << r.precisionAtR << ", mAP " << r.meanAveragePrecision << "\n";
    for (std::size_t t = 0; t < r.ks.size(); ++t)
        human << "  K = " << r.ks[t] << ": Precision@K " << r.precisionAtK[t] << ", Recall@K "
              << r.recallAtK[t] << "\n";
    for (const EnrichmentPoint& e : r.enrichment)
        human << "  enrichment at " << percentileKey(e.percentile) << " % (similarity > "
              << e.threshold << "): odds ratio " << e.oddsRatio << "\n";
    if (!r.hit.counts.empty())
        human << "  Hit@K: " << r.hit.counts[0] << " of " << r.hit.nHits
              << " same-class neighbours within the first " << r.hit.binWidth << " ranks\n";

    if (!o.batch.empty()) {
        const BatchEnrichmentResult b =
            batchEnrichment(table, o.batch, o.control, options, ctx, o.table);
        nlohmann::json batchDetail;
        result["batch_enrichment_odds_ratio"] = enrichmentJson(b.enrichment, batchDetail);
        result["batch_enrichment"] = {{"batch", o.batch},
                                      {"control_column", o.control},
                                      {"control_rows", b.controlRows},
                                      {"batches", b.batches},
                                      {"dropped", droppedJson(b.dropped)},
                                      {"points", batchDetail}};
        human << "  batch enrichment over " << b.controlRows << " control rows in " << b.batches
              << " batches:";
        for (const EnrichmentPoint& e : b.enrichment)
            human << " " << percentileKey(e.percentile) << " %: " << e.oddsRatio;
        human << "\n";
    }
    for (const std::string& note : r.notes)
        human << "  note: " << note << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addRetrievalCommand(CLI::App& app) {
    auto options = std::make_shared<RetrievalCliOptions>();
    auto* cmd = app.add_subcommand(
        "retrieval",
        "Retrieval metrics of consensus profiles (Pearson similarity): Precision@K, Recall@K, "
        "Precision@R, mAP, enrichment odds ratio at similarity percentiles, Hit@K, batch "
        "enrichment score");
    cmd->add_option("--table", options->table, "Consensus profile table (Metadata_* + features)")
        ->required();
    cmd->add_option("--label", options->label,
                    "Class column, with or without the Metadata_ prefix (e.g. Metadata_moa)")
        ->required();
    cmd->add_option("--k", options->ks, "K of Precision@K and Recall@K, comma-separated")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--percentiles", options->percentiles,
                    "Similarity percentiles of the enrichment odds ratio, comma-separated")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--batch", options->batch,
                    "Batch column: also the batch enrichment score over the control rows");
    cmd->add_option("--control-column", options->control,
                    "Control flag column (1/true for control wells)")
        ->capture_default_str();
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("retrieval", [&] { return runRetrieval(*options); }));
    });
}

} // namespace embedscope::cli
