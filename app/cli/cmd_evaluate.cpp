// embedscope-cli evaluate --table TABLE.csv [--metrics LIST] [--group-by COLS] [--split S]
// The seed 000 §3.4 metrics of an embedding table (z_* or pc_* + Metadata_* columns, as
// `embed` writes it): PCA to K = 10 fitted on train+val (§3.4.7), then WSS-TSS, group-average
// WSS-TSS, %PNN@3, DR, Davies-Bouldin and, with indication labels, the classifier micro-F1.
// --classify COL / --kmeans K add the seed 002 §4 evaluation: logistic regression (70/30 split
// and few-label protocol, mean ± SE) and k-means with the adjusted Rand index.
#include "cli_common.h"
#include "evaluate_curves.h"

#include "embedscope/engine/classification.h"
#include "embedscope/engine/clustering.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"
#include "embedscope/engine/table.h"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

namespace embedscope::cli {
namespace {

struct EvaluateOptions {
    CommonOptions common;
    std::string table;
    std::string metrics;
    std::string groupBy;
    std::string split;
    int pca = 10;
    uint64_t seed = 1;
    std::string classify; ///< --classify COLUMN (Metadata_ prefix optional)
    int kmeans = 0;       ///< --kmeans K; 0 = none
    int repeats = 10;     ///< few-label repeats (seed 002 §4: N = 10)
    double labelFraction = 0.15;
    CurveCliOptions curves; ///< --curves / --order-by (seed 003, evaluate_curves.cpp)
};

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.rfind("Metadata_", 0) == 0)
            item = item.substr(9);
        if (!item.empty())
            out.push_back(item);
    }
    return out;
}

/// Metadata lookups that name the file, the column and the (1-based data) row.
class TableView {
public:
    TableView(const EmbeddingTable& table, std::string path)
        : table_(table), path_(std::move(path)) {}

    bool has(const std::string& name) const { return table_.metadata.has(name); }

    const MetadataColumn& column(const std::string& name) const {
        if (!has(name)) {
            std::string names;
            for (const auto& c : table_.metadata.columns())
                names += (names.empty() ? "" : ", ") + ("Metadata_" + c.name);
            throw DataError(path_ + ": no column 'Metadata_" + name +
                            "' (metadata columns: " + (names.empty() ? "none" : names) + ")");
        }
        return table_.metadata.column(name);
    }

    std::vector<std::string> strings(const std::string& name) const {
        const MetadataColumn& c = column(name);
        std::vector<std::string> out(table_.rows);
        for (std::size_t r = 0; r < table_.rows; ++r)
            out[r] = c.text(r);
        return out;
    }

    /// Numeric values; a blank cell is `blankValue` when allowed (NaN = not allowed).
    std::vector<double> numbers(const std::string& name, double blankValue) const {
        const MetadataColumn& c = column(name);
        std::vector<double> out(table_.rows);
        for (std::size_t r = 0; r < table_.rows; ++r) {
            double value = 0;
            if (c.numeric) {
                value = c.numbers[r];
            } else {
                std::string text = c.strings[r];
                text.erase(0, text.find_first_not_of(" \t"));
                text.erase(text.find_last_not_of(" \t") + 1);
                if (text.empty() && !std::isnan(blankValue)) {
                    value = blankValue;
                } else {
                    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
                    if (text.empty() || res.ec != std::errc() ||
                        res.ptr != text.data() + text.size())
                        fail(r, "Metadata_" + name + " '" + c.strings[r] + "' is not a number");
                }
            }
            if (!std::isfinite(value))
                fail(r, "Metadata_" + name + " is " + (std::isnan(value) ? "NaN" : "infinite"));
            if (value < 0)
                fail(r, "Metadata_" + name + " is negative (" + c.text(r) + ")");
            out[r] = value;
        }
        return out;
    }

    [[noreturn]] void fail(std::size_t row, const std::string& what) const {
        throw DataError(path_ + ": row " + std::to_string(row + 1) + ": " + what);
    }

private:
    const EmbeddingTable& table_;
    std::string path_;
};

std::vector<std::size_t> featureColumns(const EmbeddingTable& table, const std::string& path) {
    for (const char* prefix : {"z_", "pc_"}) {
        std::vector<std::size_t> cols;
        for (std::size_t j = 0; j < table.featureNames.size(); ++j)
            if (table.featureNames[j].rfind(prefix, 0) == 0)
                cols.push_back(j);
        if (!cols.empty())
            return cols;
    }
    throw DataError(path + ": no z_* or pc_* feature columns");
}

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& rows) {
    std::vector<T> out;
    if (v.empty())
        return out;
    for (std::size_t r : rows)
        out.push_back(v[r]);
    return out;
}

/// The seed 000 §3.4 metrics on the rows `evalRows` (PCA fitted on `fitRows`). Adds its keys to
/// `result`; `groups` receives each evaluated row's group key (for the ARI without --classify).
void addSeedMetrics(const EvaluateOptions& o, const EmbeddingTable& table, const TableView& view,
                    const std::vector<bool>& fitRows, const std::vector<std::size_t>& evalRows,
                    const std::string& which, nlohmann::json& result, std::ostringstream& human,
                    std::vector<std::string>& groups) {
    const std::vector<std::size_t> cols = featureColumns(table, o.table);
    Eigen::MatrixXd z(static_cast<Eigen::Index>(table.rows),
                      static_cast<Eigen::Index>(cols.size()));
    for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t c = 0; c < cols.size(); ++c)
            z(r, c) = table.features[r * table.featureNames.size() + cols[c]];

    const bool hasIndication = view.has("indication");
    MetricOptions options;
    if (!o.metrics.empty())
        options = parseMetricList(o.metrics);
    else
        options.f1 = hasIndication;
    options.classifier.seed = o.seed;
    if (options.f1 && !hasIndication)
        throw DataError(o.table + ": f1_micro needs a Metadata_indication column");

    // Labels (§3.4: group = same substances and doses).
    MetricLabels all;
    // Substance and dose are needed for DR and the default grouping only.
    const bool needDose = options.doseResponse || o.groupBy.empty();
    if (needDose || view.has("substance"))
        all.substance = view.strings("substance");
    if (needDose || view.has("dose"))
        all.dose = view.numbers("dose", std::nan(""));
    const bool secondary = view.has("secondary_substance");
    if (secondary) {
        all.secondarySubstance = view.strings("secondary_substance");
        if (view.has("secondary_dose"))
            all.secondaryDose = view.numbers("secondary_dose", 0.0);
    }
    for (std::size_t r = 0; r < all.dose.size() && r < all.substance.size(); ++r)
        if (all.dose[r] > 0 && all.substance[r].empty())
            view.fail(r, "Metadata_substance is empty but Metadata_dose is " +
                             view.column("dose").text(r));
    std::vector<std::string> groupBy = splitList(o.groupBy);
    if (groupBy.empty()) {
        groupBy = {"substance", "dose"};
        if (secondary)
            groupBy.push_back("secondary_substance");
        if (secondary && view.has("secondary_dose"))
            groupBy.push_back("secondary_dose");
    }
    std::vector<std::vector<std::string>> keyColumns;
    for (const auto& name : groupBy)
        keyColumns.push_back(view.strings(name));
    all.group.assign(table.rows, "");
    for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t k = 0; k < keyColumns.size(); ++k)
            all.group[r] += (k ? "\x1f" : "") + keyColumns[k][r]; // unit separator
    if (hasIndication)
        all.indication = view.strings("indication");

    MetricLabels labels;
    labels.group = pick(all.group, evalRows);
    labels.substance = pick(all.substance, evalRows);
    labels.dose = pick(all.dose, evalRows);
    labels.secondarySubstance = pick(all.secondarySubstance, evalRows);
    labels.secondaryDose = pick(all.secondaryDose, evalRows);
    labels.indication = pick(all.indication, evalRows);
    int groupCount = 0;
    groupIndices(labels.group, &groupCount);
    if (groupCount < 2) {
        std::string cols;
        for (const auto& g : groupBy)
            cols += (cols.empty() ? "" : ", ") + g;
        throw DataError(o.table + ": only " + std::to_string(groupCount) + " group (" + cols +
                        ") among the " + std::to_string(evalRows.size()) + " rows of split '" +
                        which + "' (from row " + std::to_string(evalRows.front() + 1) +
                        "), need at least two");
    }

    const Eigen::MatrixXd projected = projectForMetrics(z, fitRows, o.pca);
    Eigen::MatrixXd evalZ(static_cast<Eigen::Index>(evalRows.size()), projected.cols());
    Eigen::MatrixXd evalRaw(static_cast<Eigen::Index>(evalRows.size()), z.cols());
    for (std::size_t i = 0; i < evalRows.size(); ++i) {
        evalZ.row(i) = projected.row(evalRows[i]);
        evalRaw.row(i) = z.row(evalRows[i]);
    }
    MetricValues values;
    try {
        // §3.4.5: the classifier sees the representation itself, the distances the PCA scores.
        values = computeMetrics(evalZ, labels, options, cliJobContext(o.common), &evalRaw);
    } catch (const DataError& e) {
        throw DataError(o.table + " (split '" + which + "'): " + e.what());
    }

    result["group_by"] = groupBy;
    result["pca_components"] = projected.cols();
    result["n_samples"] = values.nSamples;
    result["n_groups"] = values.nGroups;
    human << o.table << ": " << values.nSamples << " samples, " << values.nGroups
          << " groups, split " << which << ", PCA " << projected.cols() << "\n";
    for (const auto& [key, value] : values.named()) {
        if (std::isfinite(value))
            result[key] = value;
        else
            result[key] = nullptr; // e.g. DB = inf when two group centroids coincide
        human << "  " << std::left << std::setw(16) << key << value << "\n";
    }
    groups = labels.group;
}

/// --classify (seed 002 §4: logistic regression, few-label protocol) and --kmeans (ARI) on every
/// numeric non-Metadata column of the rows `evalRows`.
void addClassification(const EvaluateOptions& o, const EmbeddingTable& table, const TableView& view,
                       const std::vector<std::size_t>& evalRows,
                       const std::vector<std::string>& groups, nlohmann::json& result,
                       std::ostringstream& human) {
    const std::size_t d = table.featureNames.size();
    if (d == 0)
        throw DataError(o.table + ": no numeric feature columns");
    const std::size_t n = evalRows.size();
    std::vector<double> x;
    x.reserve(n * d);
    for (std::size_t r : evalRows)
        x.insert(x.end(), table.features.begin() + static_cast<std::ptrdiff_t>(r * d),
                 table.features.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
    result["n_samples"] = n;
    result["n_features"] = d;

    // Class labels: blank cells are unlabelled (-1); classes in sorted order.
    std::vector<int> y;
    std::vector<std::string> names;
    std::string column;
    if (!o.classify.empty()) {
        const std::vector<std::string> parsed = splitList(o.classify);
        if (parsed.size() != 1)
            throw ConfigError("--classify takes one column, got '" + o.classify + "'");
        column = parsed[0];
        std::vector<std::string> text = pick(view.strings(column), evalRows);
        std::map<std::string, int> index;
        for (std::string& t : text) {
            t.erase(0, t.find_first_not_of(" \t"));
            t.erase(t.find_last_not_of(" \t") + 1);
            if (!t.empty())
                index.emplace(t, 0);
        }
        for (auto& [name, i] : index) {
            i = static_cast<int>(names.size());
            names.push_back(name);
        }
        for (const std::string& t : text)
            y.push_back(t.empty() ? -1 : index.at(t));
        const std::string where = o.table + " (Metadata_" + column + "): ";
        try {
            // One stratified 70/30 split of all labelled rows, then the few-label protocol.
            const FewLabelResult all =
                fewLabelEvaluation(x, n, d, y, names, 1.0, 0.7, 1, o.seed, 1.0);
            const FewLabelResult few =
                fewLabelEvaluation(x, n, d, y, names, o.labelFraction, 0.7, o.repeats, o.seed, 1.0,
                                   cliJobContext(o.common));
            const ClassificationReport& r = all.runs[0].report;
            result["classify"] = "Metadata_" + column;
            result["logreg_accuracy"] = r.accuracy;
            result["logreg_f1_macro"] = r.f1Macro;
            result["logreg_f1_micro"] = r.f1Micro;
            result["logreg_train_rows"] = all.runs[0].trainRows.size();
            result["logreg_test_rows"] = all.runs[0].testRows.size();
            nlohmann::json perClass = nlohmann::json::object();
            for (const ClassReport& c : r.perClass)
                perClass[c.label] = {{"precision", c.precision},
                                     {"recall", c.recall},
                                     {"f1", c.f1},
                                     {"support", c.support}};
            result["per_class"] = perClass;
            nlohmann::json f = {{"fraction", few.fraction},
                                {"train_fraction", few.trainFraction},
                                {"repeats", few.repeats},
                                {"accuracy_mean", few.accuracy.mean},
                                {"accuracy_se", finiteJson(few.accuracy.se)},
                                {"f1_macro_mean", few.f1Macro.mean},
                                {"f1_macro_se", finiteJson(few.f1Macro.se)},
                                {"f1_micro_mean", few.f1Micro.mean},
                                {"f1_micro_se", finiteJson(few.f1Micro.se)}};
            nlohmann::json fewClass = nlohmann::json::object();
            for (const ClassSpread& c : few.perClass)
                fewClass[c.label] = {{"precision_mean", c.precision.mean},
                                     {"precision_se", finiteJson(c.precision.se)},
                                     {"recall_mean", c.recall.mean},
                                     {"recall_se", finiteJson(c.recall.se)},
                                     {"f1_mean", c.f1.mean},
                                     {"f1_se", finiteJson(c.f1.se)},
                                     {"support_mean", c.support}};
            f["per_class"] = fewClass;
            result["few_label"] = f;
            human << "  logistic regression on Metadata_" << column << " (70/30 of "
                  << all.runs[0].trainRows.size() + all.runs[0].testRows.size()
                  << " labelled rows): accuracy " << r.accuracy << ", F1 macro " << r.f1Macro
                  << ", F1 micro " << r.f1Micro << "\n";
            for (const ClassReport& c : r.perClass)
                human << "    " << std::left << std::setw(14) << c.label << "P " << c.precision
                      << "  R " << c.recall << "  F1 " << c.f1 << "  n " << c.support << "\n";
            human << "  few-label (" << few.fraction * 100 << " % labelled, " << few.repeats
                  << " repeats): accuracy " << few.accuracy.mean << " ± " << few.accuracy.se
                  << ", F1 macro " << few.f1Macro.mean << " ± " << few.f1Macro.se << "\n";
        } catch (const DataError& e) {
            throw DataError(where + e.what());
        } catch (const ConfigError& e) {
            throw ConfigError(where + e.what());
        }
    }

    if (o.kmeans > 0) {
        KMeansOptions k;
        k.k = o.kmeans;
        k.seed = o.seed;
        KMeansResult km;
        try {
            km = kmeans(x, n, d, k);
        } catch (const ConfigError& e) { // k > rows
            throw ConfigError(o.table + ": --kmeans " + std::to_string(o.kmeans) + ": " + e.what());
        } catch (const DataError& e) { // fewer distinct points than k
            throw DataError(o.table + ": --kmeans " + std::to_string(o.kmeans) + ": " + e.what());
        }
        result["kmeans_k"] = o.kmeans;
        result["kmeans_inertia"] = km.inertia;
        human << "  k-means k = " << o.kmeans << ": inertia " << km.inertia;
        // ARI against --classify's labels (labelled rows only), else against the groups.
        std::vector<int> truth, found;
        std::string reference;
        if (!y.empty()) {
            reference = "Metadata_" + column;
            for (std::size_t i = 0; i < n; ++i)
                if (y[i] >= 0) {
                    truth.push_back(y[i]);
                    found.push_back(km.labels[i]);
                }
        } else if (!groups.empty()) {
            reference = "group";
            int count = 0;
            truth = groupIndices(groups, &count);
            found = km.labels;
        }
        if (!truth.empty()) {
            result["ari"] = adjustedRandIndex(truth, found);
            result["nmi"] = normalizedMutualInformation(truth, found);
            result["ari_reference"] = reference;
            human << ", ARI " << result["ari"].get<double>() << " vs " << reference;
        }
        human << "\n";
    }
}

int runEvaluate(const EvaluateOptions& o) {
    const EmbeddingTable table = readEmbeddingCsv(o.table);
    const TableView view(table, o.table);
    if (table.rows < 2)
        throw DataError(o.table + ": " + std::to_string(table.rows) + " rows, need at least 2");

    // Rows: PCA on train+val (§3.4.7); evaluate on --split (default: the same rows).
    const bool hasSplit = view.has("split");
    std::vector<std::string> split(table.rows, "train");
    if (hasSplit) {
        split = view.strings("split");
        for (std::size_t r = 0; r < table.rows; ++r)
            if (split[r] != "train" && split[r] != "val" && split[r] != "test")
                view.fail(r, "Metadata_split '" + split[r] + "' is not train, val or test");
    }
    const std::string which = o.split.empty() ? (hasSplit ? "train+val" : "all") : o.split;
    std::vector<bool> fitRows(table.rows);
    std::vector<std::size_t> evalRows;
    for (std::size_t r = 0; r < table.rows; ++r) {
        fitRows[r] = split[r] != "test";
        const bool use =
            which == "all" || which == split[r] || (which == "train+val" && split[r] != "test");
        if (use)
            evalRows.push_back(r);
    }
    if (evalRows.size() < 2)
        throw DataError(o.table + ": " + std::to_string(evalRows.size()) + " rows in split '" +
                        which + "', need at least 2");

    // With --classify / --kmeans the seed 000 metrics run only where the table can have them
    // (asked for, or the default substance/dose grouping present).
    const bool curves = curvesRequested(o.curves);
    const bool extra = !o.classify.empty() || o.kmeans > 0 || curves;
    const bool seedMetrics = !extra || !o.metrics.empty() || !o.groupBy.empty() ||
                             (view.has("substance") && view.has("dose"));
    nlohmann::json result = {{"table", o.table}, {"split", which}};
    std::ostringstream human;
    std::vector<std::string> groups;
    if (seedMetrics)
        addSeedMetrics(o, table, view, fitRows, evalRows, which, result, human, groups);
    else
        human << o.table << ": " << evalRows.size() << " samples, split " << which << "\n";
    if (extra)
        addClassification(o, table, view, evalRows, groups, result, human);
    if (curves)
        addCurveEvaluation(o.curves, table, o.table, evalRows, o.seed, cliJobContext(o.common),
                           result, human);
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addEvaluateCommand(CLI::App& app) {
    auto options = std::make_shared<EvaluateOptions>();
    auto* cmd = app.add_subcommand(
        "evaluate", "Seed 000 §3.4 metrics of an embedding table (WSS-TSS, %PNN, DR, DB, F1); "
                    "seed 002 §4 logistic regression and k-means");
    cmd->add_option("--table", options->table,
                    "CSV with z_* (or pc_*) and Metadata_substance, Metadata_dose (0 = control) "
                    "[, Metadata_secondary_substance, Metadata_secondary_dose, "
                    "Metadata_indication, Metadata_split]")
        ->required();
    cmd->add_option("--metrics", options->metrics,
                    "Comma-separated subset of wss_tss, ga_wss_tss, pnn3, dr, davies_bouldin, "
                    "f1_micro (default: all; f1_micro when Metadata_indication exists)");
    cmd->add_option("--group-by", options->groupBy,
                    "Comma-separated metadata columns defining a group (default: substance,dose "
                    "[,secondary_substance,secondary_dose])");
    cmd->add_option("--split", options->split,
                    "Rows to evaluate: all, train, val, test or train+val (default: train+val "
                    "with Metadata_split, else all); the PCA is always fitted on train+val")
        ->check(CLI::IsMember({"all", "train", "val", "test", "train+val"}));
    cmd->add_option("--pca", options->pca, "Principal components kept (seed: 10)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--classify", options->classify,
                    "Metadata column of class labels (blank = unlabelled): multinomial logistic "
                    "regression (L2, C = 1) on all numeric non-Metadata columns, on a 70/30 "
                    "split of the labelled rows and with the seed 002 few-label protocol");
    cmd->add_option("--kmeans", options->kmeans,
                    "K-means with K clusters (k-means++, 10 restarts) and its adjusted Rand index "
                    "against --classify's labels (else the groups)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--repeats", options->repeats, "Repeats of the few-label protocol")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--label-fraction", options->labelFraction,
                    "Labelled fraction of each class in the few-label protocol (seed 002: 0.15)")
        ->check(CLI::Range(1e-9, 1.0));
    cmd->add_option("--seed", options->seed,
                    "Seed of the classifiers' splits and weights and of k-means");
    addCurveOptions(cmd, options->curves);
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("evaluate", [&] { return runEvaluate(*options); })); });
}

} // namespace embedscope::cli
