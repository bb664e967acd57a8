// embedscope-cli cell-report --data CROPS.h5 [--dataset cells] [--project P.h5 --run R
//     [--epoch E]] [--config PIPE.json] [--label moa] [--out-dir DIR] --json
// What the GUI's Cells dock computes, headless (issue 8): single-cell features of the crops
// (raw crop features, or a cell-CNN run's penultimate layer), the profile pipeline cut at its
// spherize step, and retrieval of the consensus profiles before and after spherizing (seed 004
// §3.3.1, §3.4). With --out-dir the well and consensus profiles of both sides are written as
// wells_before.csv, wells_after.csv, consensus_before.csv, consensus_after.csv.
#include "cli_common.h"

#include "embedscope/engine/cell_analysis.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace embedscope::cli {
namespace {

struct CellReportOptions {
    CommonOptions common;
    std::string data;
    std::string dataset = "cells";
    std::string project;
    std::string run;
    int epoch = 0; ///< 1-based; 0 = the best checkpoint
    std::string config;
    std::string label = "moa";
    std::string outDir;
};

nlohmann::json stageJson(const CellProfileStage& s) {
    nlohmann::json j = {{"wells", s.wells.rows},
                        {"features", s.wells.featureNames.size()},
                        {"consensus_profiles", s.consensus.rows},
                        {"pca_explained", {s.explained(0), s.explained(1)}}};
    if (!s.retrievalError.empty()) {
        j["retrieval_error"] = s.retrievalError;
        return j;
    }
    const RetrievalResult& r = s.retrieval;
    j["n_profiles"] = r.nProfiles;
    j["n_classes"] = r.nClasses;
    j["precision_at_r"] = r.precisionAtR;
    j["map"] = r.meanAveragePrecision;
    nlohmann::json pk = nlohmann::json::object();
    for (std::size_t t = 0; t < r.ks.size(); ++t)
        pk[std::to_string(r.ks[t])] = r.precisionAtK[t];
    j["precision_at_k"] = pk;
    nlohmann::json detail;
    j["enrichment_odds_ratio"] = enrichmentJson(r.enrichment, detail);
    j["enrichment"] = detail;
    return j;
}

std::string oddsText(const CellProfileStage& s, double percentile) {
    for (const EnrichmentPoint& e : s.retrieval.enrichment)
        if (e.percentile == percentile) {
            if (std::isinf(e.oddsRatio))
                return "inf (a=" + std::to_string(e.a) + ", b=0)";
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.2f", e.oddsRatio);
            return buffer;
        }
    return "-";
}

int runCellReport(const CellReportOptions& o) {
    const auto started = std::chrono::steady_clock::now();
    JobContext& ctx = cliJobContext(o.common);
    const ProjectFile dataFile = ProjectFile::open(o.data);
    if (!dataFile.hasDataset(o.dataset))
        throw ConfigError(o.data + ": no data set named '" + o.dataset + "'");
    const Dataset crops = dataFile.readDataset(o.dataset);

    RunRecord run;
    std::string source = "raw crop features";
    if (!o.run.empty()) {
        const ProjectFile project = ProjectFile::open(o.project.empty() ? o.data : o.project);
        if (!project.hasRun(o.run))
            throw ConfigError(project.path() + ": no run named '" + o.run + "'");
        run = project.readRun(o.run);
        source = "run " + o.run + (o.epoch > 0 ? ", epoch " + std::to_string(o.epoch) : "");
    }
    const EmbeddingTable cells =
        cellSourceFeatures(crops, o.run.empty() ? nullptr : &run, o.epoch - 1, {ctx, 0.0, 0.5});
    const double featureSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    CellAnalysisOptions options;
    options.labelColumn = o.label;
    if (!o.config.empty())
        options.pipeline = readProfilePipeline(o.config);
    const CellAnalysis a = analyseCellProfiles(cells, source, options, {ctx, 0.5, 1.0});

    if (!o.outDir.empty()) {
        std::filesystem::create_directories(o.outDir);
        writeEmbeddingCsv(a.before.wells, o.outDir + "/wells_before.csv");
        writeEmbeddingCsv(a.after.wells, o.outDir + "/wells_after.csv");
        writeEmbeddingCsv(a.before.consensus, o.outDir + "/consensus_before.csv");
        writeEmbeddingCsv(a.after.consensus, o.outDir + "/consensus_after.csv");
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    nlohmann::json result = {{"data", o.data},
                             {"source", source},
                             {"cells", a.cells},
                             {"cell_features", a.cellFeatures},
                             {"feature_seconds", featureSeconds},
                             {"seconds", seconds},
                             {"label", o.label},
                             {"before_spherize", stageJson(a.before)},
                             {"after_spherize", stageJson(a.after)},
                             {"pipeline", toJson(a.summary)},
                             {"notes", a.notes}};
    std::ostringstream human;
    human << source << ": " << a.cells << " cells x " << a.cellFeatures << " features -> "
          << a.after.wells.rows << " wells -> " << a.after.consensus.rows
          << " consensus profiles\n";
    for (const CellProfileStage* s : {&a.before, &a.after}) {
        human << "  " << s->name << ": ";
        if (!s->retrievalError.empty()) {
            human << s->retrievalError << "\n";
            continue;
        }
        human << "Precision@R " << s->retrieval.precisionAtR << ", mAP "
              << s->retrieval.meanAveragePrecision << ", OR@99.5 " << oddsText(*s, 99.5)
              << ", OR@97 " << oddsText(*s, 97) << " (" << s->retrieval.nProfiles << " profiles, "
              << s->retrieval.nClasses << " classes of " << o.label << ")\n";
    }
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addCellReportCommand(CLI::App& app) {
    auto options = std::make_shared<CellReportOptions>();
    auto* cmd = app.add_subcommand(
        "cell-report", "Cell profiles before and after spherizing and their retrieval metrics "
                       "(the Cells dock's computation): raw crop features or a cell-cnn run");
    cmd->add_option("--data", options->data, "HDF5 file holding the crops")->required();
    cmd->add_option("--dataset", options->dataset, "Crops data set (default: cells)");
    cmd->add_option("--project", options->project,
                    "Project holding --run (default: the --data file)");
    cmd->add_option("--run", options->run, "A cell-cnn run: profile its penultimate layer");
    cmd->add_option("--epoch", options->epoch, "Epoch of the run (1-based; default: the best)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--config", options->config, "Pipeline JSON (default: the seed's pipeline)");
    cmd->add_option("--label", options->label, "Retrieval class column (default: moa)");
    cmd->add_option("--out-dir", options->outDir, "Write the well and consensus profiles here");
    addCommonOptions(cmd, options->common);
    cmd->callback([options] {
        setExitCode(runCommand("cell-report", [&] { return runCellReport(*options); }));
    });
}

} // namespace embedscope::cli
