// embedscope-cli evaluate --table TABLE.csv [--metrics LIST] [--group-by COLS] [--split S]
// The seed 000 §3.4 metrics of an embedding table (z_* or pc_* + Metadata_* columns, as
// `embed` writes it): PCA to K = 10 fitted on train+val (§3.4.7), then WSS-TSS, group-average
// WSS-TSS, %PNN@3, DR, Davies-Bouldin and, with indication labels, the classifier micro-F1.
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/metrics.h"
#include "embedscope/engine/table.h"

#include <charconv>
#include <cmath>
#include <iomanip>
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

int runEvaluate(const EvaluateOptions& o) {
    const EmbeddingTable table = readEmbeddingCsv(o.table);
    const TableView view(table, o.table);
    if (table.rows < 2)
        throw DataError(o.table + ": " + std::to_string(table.rows) + " rows, need at least 2");
    const std::vector<std::size_t> cols = featureColumns(table, o.table);
    Eigen::MatrixXd z(static_cast<Eigen::Index>(table.rows),
                      static_cast<Eigen::Index>(cols.size()));
    for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t c = 0; c < cols.size(); ++c)
            z(r, c) = table.features[r * table.featureNames.size() + cols[c]];

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

    if (evalRows.size() < 2)
        throw DataError(o.table + ": " + std::to_string(evalRows.size()) + " rows in split '" +
                        which + "', need at least 2");
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

    nlohmann::json result = {{"table", o.table},
                             {"split", which},
                             {"group_by", groupBy},
                             {"pca_components", projected.cols()},
                             {"n_samples", values.nSamples},
                             {"n_groups", values.nGroups}};
    std::ostringstream human;
    human << o.table << ": " << values.nSamples << " samples, " << values.nGroups
          << " groups, split " << which << ", PCA " << projected.cols() << "\n";
    for (const auto& [key, value] : values.named()) {
        if (std::isfinite(value))
            result[key] = value;
        else
            result[key] = nullptr; // e.g. DB = inf when two group centroids coincide
        human << "  " << std::left << std::setw(16) << key << value << "\n";
    }
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addEvaluateCommand(CLI::App& app) {
    auto options = std::make_shared<EvaluateOptions>();
    auto* cmd = app.add_subcommand(
        "evaluate", "Seed 000 §3.4 metrics of an embedding table (WSS-TSS, %PNN, DR, DB, F1)");
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
    cmd->add_option("--seed", options->seed, "Seed of the classifier's split and weights");
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("evaluate", [&] { return runEvaluate(*options); })); });
}

} // namespace embedscope::cli
