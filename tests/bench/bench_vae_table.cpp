// The README's seed-001/002 table: Hodgkin-Huxley traces and Fashion-MNIST with the Conv-β-VAE.
//   bench_vae_table hh [--n 10000] [--epochs 20] [--batch 64] [--latent 2,10,20] [--beta 1]
//   bench_vae_table fashion [--limit 0] [--epochs 10] [--batch 64] [--latent 20] [--beta 1,2]
// Prints one line per run: test MSE (HH) or test BCE per image and few-label logistic-regression
// accuracy (Fashion-MNIST), seconds per epoch. Threads: EMBEDSCOPE_THREADS (default 1).
#include "bench_args.h"
#include "embedscope/engine/hodgkin_huxley.h"
#include "embedscope/engine/reader.h"
#include "embedscope/engine/run_metrics.h"
#include "embedscope/engine/training.h"
#include "embedscope/plugins/builtin.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace embedscope;

using bench::arg;
using bench::list;

namespace {

double best(const RunRecord& run, const std::string& key) {
    return parseRunMetrics(run.metricsJson).bestValue(key);
}

void trainAndReport(const Dataset& data, const std::string& what, int epochs, int batch,
                    const std::vector<std::string>& latents,
                    const std::vector<std::string>& betas) {
    const char* threads = std::getenv("EMBEDSCOPE_THREADS");
    for (const auto& latent : latents)
        for (const auto& beta : betas) {
            const TrainConfig cfg = parseTrainConfig(
                R"({"model": "vae-conv"})",
                {"epochs=" + std::to_string(epochs), "batch_size=" + std::to_string(batch),
                 "model_params.latent_dim=" + latent, "loss_params.beta=" + beta,
                 std::string("threads=") + (threads ? threads : "1")});
            const RunRecord run = train(data, cfg, JobContext());
            std::printf("%s latent=%s beta=%s epochs=%d batch=%d best_epoch=%d test_mse=%.6f "
                        "test_bce_per_sample=%.3f test_kld=%.3f logreg_accuracy=%.4f+-%.4f "
                        "kmeans_ari=%.3f s_per_epoch=%.1f\n",
                        what.c_str(), latent.c_str(), beta.c_str(), epochs, batch,
                        run.bestEpoch + 1, best(run, "recon_mse"), best(run, "recon_bce"),
                        best(run, "kld"), best(run, "logreg_accuracy"),
                        best(run, "logreg_accuracy_se"), best(run, "kmeans_ari"),
                        run.seconds / std::max(1, epochs));
            std::fflush(stdout);
        }
}

} // namespace

int main(int argc, char** argv) {
    const std::string which = argc > 1 ? argv[1] : "hh";
    try {
        if (which == "hh") {
            HHDatasetParams params;
            params.n = std::stoul(arg(argc, argv, "--n", "10000"));
            const Dataset data = simulateHodgkinHuxleyDataset(params);
            trainAndReport(data, "hh", std::stoi(arg(argc, argv, "--epochs", "20")),
                           std::stoi(arg(argc, argv, "--batch", "64")),
                           list(arg(argc, argv, "--latent", "2,10,20")),
                           list(arg(argc, argv, "--beta", "1")));
        } else if (which == "fashion") {
            plugins::registerBuiltinReaders();
            const std::string dir = arg(argc, argv, "--dir", "/usr/share/datasets/fashion-mnist");
            ReaderOptions options;
            options.values["limit"] = arg(argc, argv, "--limit", "0");
            const Reader& idx = ReaderRegistry::instance().byName("idx");
            Dataset data =
                idx.read({dir + "/train-images-idx3-ubyte.gz", dir + "/t10k-images-idx3-ubyte.gz"},
                         options, JobContext());
            trainAndReport(data, "fashion-mnist", std::stoi(arg(argc, argv, "--epochs", "10")),
                           std::stoi(arg(argc, argv, "--batch", "64")),
                           list(arg(argc, argv, "--latent", "20")),
                           list(arg(argc, argv, "--beta", "1,2")));
        } else {
            std::fprintf(stderr, "usage: bench_vae_table hh|fashion [options]\n");
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_vae_table: %s\n", e.what());
        return 1;
    }
    return 0;
}
