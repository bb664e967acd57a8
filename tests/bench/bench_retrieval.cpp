// Memory and speed of the retrieval metrics (issue 8) on random consensus profiles:
//   bench_retrieval [--rows 20000] [--dims 500] [--classes 2000]
// Prints seconds and the peak resident set size (getrusage) before and after, so the growth
// shows that no N × N similarity matrix is held (20,000² doubles would be 3.2 GB).
#include "bench_args.h"
#include "embedscope/engine/retrieval.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace embedscope;
using bench::arg;

namespace {

double peakRssMb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kB on Linux
}

} // namespace

int main(int argc, char** argv) {
    const long rows = std::stol(arg(argc, argv, "--rows", "20000"));
    const long dims = std::stol(arg(argc, argv, "--dims", "500"));
    const int classes = std::stoi(arg(argc, argv, "--classes", "2000"));
    std::mt19937_64 rng(2026);
    std::normal_distribution<double> g(0, 1);
    std::uniform_int_distribution<int> u(0, classes - 1);
    Eigen::MatrixXd x(rows, dims);
    for (long i = 0; i < rows; ++i)
        for (long k = 0; k < dims; ++k)
            x(i, k) = g(rng);
    std::vector<std::string> labels;
    for (long i = 0; i < rows; ++i)
        labels.push_back("moa" + std::to_string(u(rng)));
    const double before = peakRssMb();
    std::printf("retrieval: %ld profiles × %ld features, %d random classes; input %.1f MB, "
                "peak RSS before %.1f MB\n",
                rows, dims, classes, 8.0 * double(rows * dims) / 1e6, before);
    const auto start = std::chrono::steady_clock::now();
    const RetrievalResult r = evaluateRetrieval(x, labels, RetrievalOptions(), JobContext());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double after = peakRssMb();
    std::printf("  %.1f s; peak RSS after %.1f MB (+%.1f MB)\n", seconds, after, after - before);
    std::printf("  used %zu profiles in %zu classes; Precision@R %.4f, mAP %.4f, P@10 %.4f\n",
                r.nProfiles, r.nClasses, r.precisionAtR, r.meanAveragePrecision,
                r.precisionAtK.back());
    for (const EnrichmentPoint& e : r.enrichment)
        std::printf("  enrichment %g %%: threshold %.5f, odds ratio %.3f\n", e.percentile,
                    e.threshold, e.oddsRatio);
    return 0;
}
