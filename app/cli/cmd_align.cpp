// embedscope-cli align --table A.csv --table B.csv [--key COL | --curves COL --order-by COL]
// Kabsch alignment of B's embedding onto A's (seed-003 lab note: quaternion Kabsch between two
// model instances, RMSE before and after; SPEC S3). Rows correspond by a key column or by
// order; with --curves the principal-curve spline points of like groups are aligned instead.
#include "cli_common.h"
#include "evaluate_curves.h"

#include "embedscope/engine/alignment.h"
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/table.h"

#include <iomanip>
#include <map>
#include <sstream>

namespace embedscope::cli {
namespace {

struct AlignOptions {
    CommonOptions common;
    std::vector<std::string> tables;
    std::string key;
    std::string curves;
    std::string orderBy;
    int curvePca = 3;
    bool scale = false;
    std::string method = "auto";
};

KabschMethod parseMethod(const std::string& m) {
    return m == "quaternion" ? KabschMethod::Quaternion
           : m == "svd"      ? KabschMethod::Svd
                             : KabschMethod::Automatic;
}

nlohmann::json matrixJson(const Eigen::MatrixXd& m) {
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            row.push_back(m(r, c));
        rows.push_back(row);
    }
    return rows;
}

void addAlignment(const Alignment& al, nlohmann::json& result, std::ostringstream& human) {
    result["initial_rmse"] = al.initialRmse;
    result["aligned_rmse"] = al.alignedRmse;
    result["scale"] = al.scale;
    result["rotation"] = matrixJson(al.rotation);
    result["method"] = al.method;
    // aligned = scale · (b − centroid_b) Rᵀ + centroid_a
    result["centroid_a"] = matrixJson(al.centroidFixed)[0];
    result["centroid_b"] = matrixJson(al.centroidMoving)[0];
    human << "  initial RMSE " << al.initialRmse << ", aligned RMSE " << al.alignedRmse
          << ", scale " << al.scale << " (" << al.method << ")\n  rotation:\n";
    for (Eigen::Index r = 0; r < al.rotation.rows(); ++r) {
        human << "   ";
        for (Eigen::Index c = 0; c < al.rotation.cols(); ++c)
            human << " " << std::setw(10) << std::fixed << std::setprecision(6)
                  << al.rotation(r, c);
        human << "\n";
    }
    human << std::defaultfloat;
}

/// Rows of A and B that correspond: by --key (unique values on each side) or by position.
void matchRows(const AlignOptions& o, const EmbeddingTable& a, const EmbeddingTable& b,
               std::vector<std::size_t>& rowsA, std::vector<std::size_t>& rowsB,
               nlohmann::json& result) {
    const std::string& pa = o.tables[0];
    const std::string& pb = o.tables[1];
    if (o.key.empty()) {
        if (a.rows != b.rows)
            throw DataError("tables do not match: " + pa + " has " + std::to_string(a.rows) +
                            " rows but " + pb + " has " + std::to_string(b.rows) +
                            " rows; give --key COLUMN to match rows by a metadata column");
        for (std::size_t r = 0; r < a.rows; ++r) {
            rowsA.push_back(r);
            rowsB.push_back(r);
        }
        result["matched_by"] = "row order";
        return;
    }
    auto index = [&](const EmbeddingTable& t, const std::string& path) {
        const std::vector<std::string> keys = metadataText(t, path, o.key);
        std::map<std::string, std::size_t> at;
        for (std::size_t r = 0; r < keys.size(); ++r) {
            if (keys[r].empty())
                throw DataError(path + ": row " + std::to_string(r + 1) + ": Metadata_" +
                                metadataName(o.key) + " is blank");
            const auto [it, fresh] = at.emplace(keys[r], r);
            if (!fresh)
                throw DataError(path + ": Metadata_" + metadataName(o.key) + " '" + keys[r] +
                                "' appears in rows " + std::to_string(it->second + 1) + " and " +
                                std::to_string(r + 1) + "; --key must identify one row");
        }
        return std::make_pair(keys, at);
    };
    const auto [keysA, atA] = index(a, pa);
    const auto [keysB, atB] = index(b, pb);
    (void)atA;
    for (std::size_t r = 0; r < keysA.size(); ++r) {
        const auto it = atB.find(keysA[r]);
        if (it == atB.end())
            continue;
        rowsA.push_back(r);
        rowsB.push_back(it->second);
    }
    if (rowsA.size() < 2)
        throw DataError("tables do not match: " + pa + " and " + pb + " share " +
                        std::to_string(rowsA.size()) + " value(s) of Metadata_" +
                        metadataName(o.key) + ", need at least 2");
    result["matched_by"] = "Metadata_" + metadataName(o.key);
    result["unmatched_a"] = keysA.size() - rowsA.size();
    result["unmatched_b"] = keysB.size() - rowsB.size();
}

int runAlign(const AlignOptions& o) {
    if (o.tables.size() != 2)
        throw ConfigError("align: give exactly two tables (--table A.csv --table B.csv), got " +
                          std::to_string(o.tables.size()));
    if (o.curves.empty() != o.orderBy.empty())
        throw ConfigError("align: --curves and --order-by go together");
    if (!o.curves.empty() && !o.key.empty())
        throw ConfigError("align: --key matches rows, --curves matches groups; give one");
    const std::string& pa = o.tables[0];
    const std::string& pb = o.tables[1];
    const EmbeddingTable a = readEmbeddingCsv(pa);
    const EmbeddingTable b = readEmbeddingCsv(pb);
    nlohmann::json result = {{"table_a", pa}, {"table_b", pb}};
    std::ostringstream human;
    human << "align " << pb << " onto " << pa << "\n";

    if (o.curves.empty()) {
        std::vector<std::size_t> rowsA, rowsB;
        matchRows(o, a, b, rowsA, rowsB, result);
        const Eigen::MatrixXd xa = tableFeatures(a, pa, rowsA);
        const Eigen::MatrixXd xb = tableFeatures(b, pb, rowsB);
        if (xa.cols() != xb.cols())
            throw DataError("tables do not match: " + pa + " has " + std::to_string(xa.cols()) +
                            " feature columns but " + pb + " has " + std::to_string(xb.cols()));
        Alignment al;
        try {
            al = kabschAlign(xa, xb, o.scale, parseMethod(o.method));
        } catch (const DataError& e) {
            throw DataError(pa + " vs " + pb + ": " + e.what());
        }
        result["rows"] = rowsA.size();
        result["dims"] = xa.cols();
        human << "  " << rowsA.size() << " rows matched by "
              << result["matched_by"].get<std::string>() << ", " << xa.cols() << " dimensions\n";
        addAlignment(al, result, human);
        printResult(o.common, result, human.str());
        return 0;
    }

    // --curves: one curve per like group on each side, spline points aligned together.
    CurveAnalysisOptions opts;
    opts.pcaDims = o.curvePca;
    auto analyse = [&](const EmbeddingTable& t, const std::string& path, const JobContext& ctx) {
        try {
            return analyseCurves(tableFeatures(t, path), metadataText(t, path, o.curves),
                                 metadataNumbers(t, path, o.orderBy), opts, ctx);
        } catch (const DataError& e) {
            throw DataError(path + " (--curves Metadata_" + metadataName(o.curves) +
                            "): " + e.what());
        }
    };
    const JobContext& ctx = cliJobContext(o.common);
    const CurveAnalysis ca = analyse(a, pa, JobContext(ctx, 0.0, 0.5));
    const CurveAnalysis cb = analyse(b, pb, JobContext(ctx, 0.5, 1.0));
    InstanceComparison cmp;
    try {
        // compareInstances also tries B mirrored (a principal axis has no sign).
        cmp = compareInstances(ca, cb, o.scale, parseMethod(o.method), o.curvePca > 0);
    } catch (const DataError& e) {
        throw DataError("tables do not match: " + pa + " vs " + pb + ": " + e.what());
    }
    result["b_last_axis_negated"] = cmp.bMirrored;
    result["curves_column"] = "Metadata_" + metadataName(o.curves);
    result["order_by"] = "Metadata_" + metadataName(o.orderBy);
    result["dims"] = ca.coordinates.cols();
    result["segment_colinearity"] = finiteJson(cmp.colinearityMean);
    addAlignment(cmp.alignment, result, human);
    nlohmann::json groups = nlohmann::json::object();
    for (std::size_t g = 0; g < cmp.groups.size(); ++g) {
        groups[cmp.groups[g]] = {{"segment_colinearity", finiteJson(cmp.colinearity[g])},
                                 {"initial_rmse", cmp.initialRmse[g]},
                                 {"aligned_rmse", cmp.alignedRmse[g]}};
        human << "    " << std::left << std::setw(14) << cmp.groups[g] << "colinearity "
              << cmp.colinearity[g] << ", RMSE " << cmp.initialRmse[g] << " -> "
              << cmp.alignedRmse[g] << "\n";
    }
    result["groups"] = groups;
    result["skipped"] = cmp.skipped;
    for (const auto& s : cmp.skipped)
        human << "    skipped " << s << "\n";
    result["curves_a"] = curveGroupsJson(ca);
    result["curves_b"] = curveGroupsJson(cb);
    human << "  segment colinearity (raw) " << cmp.colinearityMean << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addAlignCommand(CLI::App& app) {
    auto options = std::make_shared<AlignOptions>();
    auto* cmd = app.add_subcommand(
        "align", "Kabsch alignment of two embedding tables (B onto A): RMSE before and after, "
                 "rotation; with --curves per like group along principal curves (seed 003)");
    cmd->add_option("--table", options->tables,
                    "The two tables: --table A.csv --table B.csv (B is moved onto A)")
        ->required();
    cmd->add_option("--key", options->key,
                    "Metadata column identifying a row on both sides (default: row order, "
                    "then the row counts must be equal)");
    cmd->add_option("--curves", options->curves,
                    "Align the principal curves of like groups of this column instead of rows");
    cmd->add_option("--order-by", options->orderBy, "Time/dose column the curves start from");
    cmd->add_option("--curve-pca", options->curvePca,
                    "Principal components the curves are fitted in (0 = raw features)")
        ->check(CLI::Range(0, 1000));
    cmd->add_flag("--scale", options->scale, "Also fit a uniform scale (Umeyama)");
    cmd->add_option("--method", options->method,
                    "auto (quaternion for 3-D, else SVD), quaternion or svd")
        ->check(CLI::IsMember({"auto", "quaternion", "svd"}));
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("align", [&] { return runAlign(*options); })); });
}

} // namespace embedscope::cli
