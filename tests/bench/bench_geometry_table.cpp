// The README's seed-003 table: the metric-VAE on the simulated development at β = 0.1 and 10,
// each trained on all perturbations ("all") and with gdf3 and lmx1b held out ("hld"), with the
// lab note's columns: F1_score_all, F1_score_hld, initial and aligned RMSE between like
// perturbations, SegmentColinearity (all vs hld), SegmentColinearity_mean_within_all,
// dispersion_first_n_all, dispersion_last_n_all, disp_coefficient_all.
//   bench_geometry_table [--embryos 24] [--epochs 30] [--beta 0.1,10] [--latent 10]
//                        [--weight 50] [--margin 2] [--self 0.25] [--loss nt-xent]
// Threads: EMBEDSCOPE_THREADS (default 1).
#include "bench_args.h"
#include "embedscope/engine/development.h"
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace embedscope;

using bench::arg;
using bench::list;

namespace {

CurveAnalysis curvesOf(const RunRecord& run, const Dataset& data) {
    const Eigen::MatrixXd z = toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);
    std::vector<std::string> groups(data.sampleCount());
    for (std::size_t i = 0; i < groups.size(); ++i)
        groups[i] = data.metadata.column("perturbation").text(i);
    const auto& time = data.metadata.column("time").numbers;
    return analyseCurves(z, groups,
                         Eigen::Map<const Eigen::VectorXd>(time.data(), Eigen::Index(time.size())));
}

} // namespace

int main(int argc, char** argv) {
    DevelopmentParams params;
    params.embryosPerGroup = std::size_t(std::stoul(arg(argc, argv, "--embryos", "24")));
    params.seed = 2026;
    Dataset data = simulateDevelopment(params);
    data.name = "development";
    const char* threads = std::getenv("EMBEDSCOPE_THREADS");
    const std::string epochs = arg(argc, argv, "--epochs", "30");
    std::printf("development: %zu images; metric-elbo %s, weight %s, margin %s, "
                "self_target_prob %s, latent %s, %s epochs\n",
                data.sampleCount(), arg(argc, argv, "--loss", "nt-xent").c_str(),
                arg(argc, argv, "--weight", "50").c_str(), arg(argc, argv, "--margin", "2").c_str(),
                arg(argc, argv, "--self", "0.25").c_str(),
                arg(argc, argv, "--latent", "10").c_str(), epochs.c_str());
    for (const std::string& beta : list(arg(argc, argv, "--beta", "0.1,10"))) {
        std::vector<std::string> overrides = {
            "model=vae-mlp",
            "loss=metric-elbo",
            "group_column=perturbation",
            "epochs=" + epochs,
            "batch_size=32",
            "model_params.latent_dim=" + arg(argc, argv, "--latent", "10"),
            "loss_params.beta=" + beta,
            "loss_params.metric_loss_type=" + arg(argc, argv, "--loss", "nt-xent"),
            "loss_params.metric_weight=" + arg(argc, argv, "--weight", "50"),
            "loss_params.margin=" + arg(argc, argv, "--margin", "2"),
            "loss_params.self_target_prob=" + arg(argc, argv, "--self", "0.25"),
            "loss_params.time_window=3",
            std::string("threads=") + (threads ? threads : "1")};
        const auto started = std::chrono::steady_clock::now();
        const RunRecord all = train(data, parseTrainConfig("{}", overrides), JobContext());
        const RunRecord hld =
            train(data, parseTrainConfig(R"({"holdout": "gdf3,lmx1b"})", overrides), JobContext());
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const RunMetrics ma = parseRunMetrics(all.metricsJson);
        const RunMetrics mh = parseRunMetrics(hld.metricsJson);
        const CurveAnalysis ca = curvesOf(all, data);
        const CurveAnalysis cb = curvesOf(hld, data);
        const InstanceComparison cmp = compareInstances(ca, cb);
        std::printf("beta=%s F1_all=%.3f F1_hld=%.3f initial_rmse=%.3f aligned_rmse=%.3f "
                    "seg_colinearity=%.3f colinearity_within_all=%.3f disp_first_n_all=%.3f "
                    "disp_last_n_all=%.3f disp_coefficient_all=%.3f recon_bce=%.1f kld=%.2f "
                    "mirrored=%d best_epochs=%d/%d seconds=%.0f %s%s\n",
                    beta.c_str(), ma.bestValue("f1_score_all"), mh.bestValue("f1_score_all"),
                    cmp.initialRmseAll, cmp.alignedRmseAll, cmp.colinearityMean,
                    ma.bestValue("segment_colinearity_mean_within"),
                    ma.bestValue("dispersion_first_n"), ma.bestValue("dispersion_last_n"),
                    ma.bestValue("disp_coefficient"), ma.bestValue("recon_bce"),
                    ma.bestValue("kld"), int(cmp.bMirrored), all.bestEpoch + 1, hld.bestEpoch + 1,
                    seconds, ma.error.c_str(), mh.error.c_str());
        std::fflush(stdout);
    }
    return 0;
}
