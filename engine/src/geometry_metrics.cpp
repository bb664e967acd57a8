// embeddingGeometryMetrics: the seed-003 lab note's per-model measures of a stored embedding,
// shared by the trainer (metrics of a run whose data has groups over time) and the CLI.
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/error.h"

namespace embedscope {

std::vector<std::pair<std::string, double>>
embeddingGeometryMetrics(const std::vector<float>& embedding, std::size_t n, std::size_t d,
                         const std::vector<std::string>& groups, const std::vector<double>& order,
                         uint64_t seed, std::string* problem, const JobContext& ctx) {
    if (embedding.size() != n * d || groups.size() != n || order.size() != n)
        throw DataError("geometry metrics: " + std::to_string(embedding.size()) +
                        " embedding values, " + std::to_string(groups.size()) + " groups and " +
                        std::to_string(order.size()) + " order values for " + std::to_string(n) +
                        " rows of " + std::to_string(d));
    const Eigen::MatrixXd z = toMatrix(embedding.data(), n, d);
    const Eigen::VectorXd t = Eigen::Map<const Eigen::VectorXd>(order.data(), Eigen::Index(n));

    std::vector<std::pair<std::string, double>> out;
    std::string problems;
    auto note = [&](const std::string& what, const std::exception& e) {
        problems += (problems.empty() ? "" : "; ") + what + ": " + e.what();
    };
    try {
        const BinnedF1 f1 = binnedF1(z, groups, t, 8, 5, seed, 1.0, ctx);
        out.emplace_back("f1_score_all", f1.f1Macro);
        out.emplace_back("f1_score_all_se", f1.f1MacroSe);
    } catch (const CancelledError&) {
        throw;
    } catch (const Error& e) {
        note("F1", e);
    }
    try {
        const CurveAnalysis curves = analyseCurves(z, groups, t, CurveAnalysisOptions{}, ctx);
        out.emplace_back("dispersion_first_n", curves.dispersionFirstN);
        out.emplace_back("dispersion_last_n", curves.dispersionLastN);
        out.emplace_back("disp_coefficient", curves.dispersionCoefficient);
        out.emplace_back("segment_colinearity_mean_within", curves.colinearityWithin);
        for (const GroupCurve& g : curves.groups)
            if (!g.ok)
                problems += (problems.empty() ? "" : "; ") + g.group + ": " + g.error;
    } catch (const CancelledError&) {
        throw;
    } catch (const Error& e) {
        note("curves", e);
    }
    if (problem)
        *problem = problems;
    return out;
}

} // namespace embedscope
