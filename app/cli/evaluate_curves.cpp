// evaluate --curves COL --order-by COL: the seed-003 lab note's measures (SPEC S3) of an
// embedding table: one local principal curve per perturbation in the PCA space, dispersion
// first/last n (n = 5) and its coefficient, SegmentColinearity_mean_within, F1_score_all
// (logistic regression, macro F1) and per-perturbation F1 by time/dose bin.
#include "evaluate_curves.h"

#include "embedscope/engine/error.h"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <map>

namespace embedscope::cli {

nlohmann::json finiteJson(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string metadataName(const std::string& column) {
    return column.rfind("Metadata_", 0) == 0 ? column.substr(9) : column;
}

Eigen::MatrixXd tableFeatures(const EmbeddingTable& table, const std::string& path,
                              const std::vector<std::size_t>& rows) {
    std::vector<std::size_t> cols;
    for (const char* prefix : {"z_", "pc_"}) {
        for (std::size_t j = 0; j < table.featureNames.size(); ++j)
            if (table.featureNames[j].rfind(prefix, 0) == 0)
                cols.push_back(j);
        if (!cols.empty())
            break;
    }
    if (cols.empty())
        for (std::size_t j = 0; j < table.featureNames.size(); ++j)
            cols.push_back(j);
    if (cols.empty())
        throw DataError(path + ": no feature columns (z_*, pc_* or other numeric columns)");
    const std::size_t width = table.featureNames.size();
    const std::size_t n = rows.empty() ? table.rows : rows.size();
    Eigen::MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t r = rows.empty() ? i : rows[i];
        for (std::size_t c = 0; c < cols.size(); ++c) {
            const double v = table.features[r * width + cols[c]];
            if (!std::isfinite(v))
                throw DataError(path + ": row " + std::to_string(r + 1) + ", column " +
                                table.featureNames[cols[c]] + " is not finite");
            x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = v;
        }
    }
    return x;
}

namespace {

const MetadataColumn& metadataColumn(const EmbeddingTable& table, const std::string& path,
                                     const std::string& column) {
    const std::string name = metadataName(column);
    if (!table.metadata.has(name)) {
        std::string names;
        for (const auto& c : table.metadata.columns())
            names += (names.empty() ? "" : ", ") + ("Metadata_" + c.name);
        throw DataError(path + ": no column 'Metadata_" + name +
                        "' (metadata columns: " + (names.empty() ? "none" : names) + ")");
    }
    return table.metadata.column(name);
}

} // namespace

std::vector<std::string> metadataText(const EmbeddingTable& table, const std::string& path,
                                      const std::string& column) {
    const MetadataColumn& c = metadataColumn(table, path, column);
    std::vector<std::string> out(table.rows);
    for (std::size_t r = 0; r < table.rows; ++r) {
        out[r] = c.text(r);
        out[r].erase(0, out[r].find_first_not_of(" \t"));
        out[r].erase(out[r].find_last_not_of(" \t") + 1);
    }
    return out;
}

Eigen::VectorXd metadataNumbers(const EmbeddingTable& table, const std::string& path,
                                const std::string& column) {
    const MetadataColumn& c = metadataColumn(table, path, column);
    Eigen::VectorXd out(static_cast<Eigen::Index>(table.rows));
    for (std::size_t r = 0; r < table.rows; ++r) {
        double v = 0;
        if (c.numeric) {
            v = c.numbers[r];
        } else {
            std::string t = c.strings[r];
            t.erase(0, t.find_first_not_of(" \t"));
            t.erase(t.find_last_not_of(" \t") + 1);
            const auto res = std::from_chars(t.data(), t.data() + t.size(), v);
            if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size())
                throw DataError(path + ": row " + std::to_string(r + 1) + ": Metadata_" + c.name +
                                " '" + c.strings[r] + "' is not a number");
        }
        if (!std::isfinite(v))
            throw DataError(path + ": row " + std::to_string(r + 1) + ": Metadata_" + c.name +
                            " is not finite");
        out(static_cast<Eigen::Index>(r)) = v;
    }
    return out;
}

nlohmann::json curveGroupsJson(const CurveAnalysis& analysis) {
    nlohmann::json out = nlohmann::json::object();
    for (const GroupCurve& g : analysis.groups) {
        nlohmann::json j = {{"points", g.rows.size()},
                            {"ok", g.ok},
                            {"order_low", g.orderLow},
                            {"order_high", g.orderHigh}};
        if (g.ok) {
            j["length"] = g.curve.length;
            j["dispersion_first_n"] = finiteJson(g.dispersion.firstN);
            j["dispersion_last_n"] = finiteJson(g.dispersion.lastN);
            j["disp_coefficient"] = finiteJson(g.dispersion.coefficient);
            j["mean_residual"] = g.projection.residual.size() ? g.projection.residual.mean() : 0.0;
            if (!g.curve.warning.empty())
                j["warning"] = g.curve.warning;
        } else {
            j["error"] = g.error;
        }
        out[g.group] = j;
    }
    return out;
}

void addCurveOptions(CLI::App* cmd, CurveCliOptions& o) {
    cmd->add_option("--curves", o.curves,
                    "Seed-003 shape measures: one principal curve per value of this metadata "
                    "column (e.g. Metadata_perturbation; blank = no group), with --order-by");
    cmd->add_option("--order-by", o.orderBy,
                    "Numeric metadata column the curves start from (low end), e.g. Metadata_time");
    cmd->add_option("--curve-pca", o.curvePca,
                    "Principal components the curves are fitted in (0 = the raw features)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--f1-bins", o.f1Bins,
                    "Bins of the order variable for the per-group F1 (one per value if fewer)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--f1-repeats", o.f1Repeats, "Stratified 70/30 splits of the binned F1")
        ->check(CLI::Range(1, 1000));
}

bool curvesRequested(const CurveCliOptions& o) {
    return !o.curves.empty() || !o.orderBy.empty();
}

void addCurveEvaluation(const CurveCliOptions& o, const EmbeddingTable& table,
                        const std::string& path, const std::vector<std::size_t>& rows,
                        uint64_t seed, const JobContext& ctx, nlohmann::json& result,
                        std::ostringstream& human) {
    if (o.curves.empty() || o.orderBy.empty())
        throw ConfigError("evaluate: --curves and --order-by go together (e.g. --curves "
                          "Metadata_perturbation --order-by Metadata_time)");
    const std::vector<std::string> allGroups = metadataText(table, path, o.curves);
    const Eigen::VectorXd allOrder = metadataNumbers(table, path, o.orderBy);
    const Eigen::MatrixXd x = tableFeatures(table, path, rows);
    std::vector<std::string> groups;
    Eigen::VectorXd order(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        groups.push_back(allGroups[rows[i]]);
        order(static_cast<Eigen::Index>(i)) = allOrder(static_cast<Eigen::Index>(rows[i]));
    }

    CurveAnalysisOptions opts;
    opts.pcaDims = o.curvePca;
    CurveAnalysis an;
    const JobContext curvesPart(ctx, 0.0, 0.6);
    try {
        an = analyseCurves(x, groups, order, opts, curvesPart);
    } catch (const DataError& e) {
        throw DataError(path + " (--curves Metadata_" + metadataName(o.curves) + "): " + e.what());
    }
    result["curves_column"] = "Metadata_" + metadataName(o.curves);
    result["order_by"] = "Metadata_" + metadataName(o.orderBy);
    result["curve_dims"] = an.coordinates.cols();
    result["dispersion_n"] = opts.dispersionN;
    result["dispersion_first_n"] = finiteJson(an.dispersionFirstN);
    result["dispersion_last_n"] = finiteJson(an.dispersionLastN);
    result["disp_coefficient"] = finiteJson(an.dispersionCoefficient);
    result["segment_colinearity_mean_within"] = finiteJson(an.colinearityWithin);
    nlohmann::json curves = curveGroupsJson(an);
    human << "  principal curves of Metadata_" << metadataName(o.curves) << " by Metadata_"
          << metadataName(o.orderBy) << " in " << an.coordinates.cols() << " dimensions:\n"
          << "    dispersion_first_n " << an.dispersionFirstN << ", dispersion_last_n "
          << an.dispersionLastN << ", disp_coefficient " << an.dispersionCoefficient
          << ", segment_colinearity_mean_within " << an.colinearityWithin << "\n";

    // F1 (lab note F1_score_all) on the embedding itself; groups too small to split are left
    // out and named rather than failing the whole evaluation.
    std::map<std::string, int> counts;
    for (const auto& g : groups)
        if (!g.empty())
            ++counts[g];
    std::vector<std::string> f1Groups = groups;
    nlohmann::json f1Skipped = nlohmann::json::array();
    for (auto& g : f1Groups)
        if (!g.empty() && counts[g] < 2)
            g.clear();
    for (const auto& [g, count] : counts)
        if (count < 2)
            f1Skipped.push_back(g + ": " + std::to_string(count) + " row, need at least 2");
    if (!f1Skipped.empty())
        result["f1_skipped"] = f1Skipped;
    try {
        const BinnedF1 f1 = binnedF1(x, f1Groups, order, o.f1Bins, o.f1Repeats, seed, 1.0,
                                     JobContext(ctx, 0.6, 1.0));
        result["f1_score_all"] = finiteJson(f1.f1Macro);
        result["f1_score_all_se"] = finiteJson(f1.f1MacroSe);
        result["f1_bin_centres"] = f1.binCentres;
        for (std::size_t k = 0; k < f1.groups.size(); ++k) {
            nlohmann::json bins = nlohmann::json::array();
            for (Eigen::Index b = 0; b < f1.perGroupBin.cols(); ++b)
                bins.push_back(finiteJson(f1.perGroupBin(static_cast<Eigen::Index>(k), b)));
            curves[f1.groups[k]]["f1"] = f1.perGroup[k];
            curves[f1.groups[k]]["f1_by_bin"] = bins;
        }
        human << "    f1_score_all " << f1.f1Macro << " ± " << f1.f1MacroSe << " (" << o.f1Repeats
              << " splits 70/30)\n";
    } catch (const DataError& e) {
        result["f1_score_all"] = nullptr;
        result["f1_error"] = e.what();
        human << "    f1_score_all: " << e.what() << "\n";
    }
    result["curves"] = curves;
    for (const GroupCurve& g : an.groups) {
        human << "    " << std::left << std::setw(14) << g.group << std::setw(6) << g.rows.size();
        if (g.ok)
            human << "length " << g.curve.length << ", dispersion " << g.dispersion.firstN << " -> "
                  << g.dispersion.lastN << " (coefficient " << g.dispersion.coefficient << ")\n";
        else
            human << "no curve: " << g.error << "\n";
    }
}

} // namespace embedscope::cli
