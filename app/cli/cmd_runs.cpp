// embedscope-cli runs --project P.h5 [--dataset D] [--prefix SWEEP] [--varying] [--csv FILE]
//                     [--spearman METRIC] [--repeats [--reference RUN]] [--consistency] --json
// The runs table of a project (issue 6): every hyperparameter and every best-checkpoint metric
// per run, Spearman ρ of the parameters against a metric (seed 002 Table 4.5), repeats as
// mean ± σ with the μ ± 2σ band (seed 000 Table 4.2) and the runs × runs consistency matrix.
#include "cli_common.h"
#include "evaluate_curves.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/runs_table.h"

#include <iomanip>
#include <sstream>

namespace embedscope::cli {
namespace {

struct RunsOptions {
    CommonOptions common;
    std::string project;
    std::string dataset;
    std::string prefix;
    bool varying = false;
    std::string csv;
    std::string spearman;
    bool repeats = false;
    std::string reference;
    bool consistency = false;
};

nlohmann::json cellJson(const RunsTable& table, std::size_t row, std::size_t column) {
    return table.columns[column].numeric ? finiteJson(table.rows[row][column].number)
                                         : nlohmann::json(table.rows[row][column].text);
}

nlohmann::json summaryJson(const MetricSummary& s) {
    return {{"n", s.n},
            {"mean", finiteJson(s.mean)},
            {"sd", finiteJson(s.sd)},
            {"se", finiteJson(s.se)},
            {"low", finiteJson(s.low)},
            {"high", finiteJson(s.high)}};
}

nlohmann::json matrixJson(const Eigen::MatrixXd& m) {
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            row.push_back(finiteJson(m(r, c)));
        rows.push_back(row);
    }
    return rows;
}

void addSpearman(const RunsTable& table, const std::string& metric, nlohmann::json& result,
                 std::ostringstream& human) {
    const SpearmanTable st = spearmanTable(table, metric);
    nlohmann::json params = nlohmann::json::object();
    human << "\nSpearman rho against " << metric << ":\n";
    for (const auto& [name, r] : st.parameters) {
        params[name] = {{"rho", finiteJson(r.rho)}, {"p", finiteJson(r.p)}, {"n", r.n}};
        if (!r.reason.empty())
            params[name]["reason"] = r.reason;
        human << "  " << std::left << std::setw(32) << name << " rho " << std::setw(10) << r.rho
              << " p " << std::setw(10) << r.p << " n " << r.n
              << (r.reason.empty() ? "" : " (" + r.reason + ")") << "\n";
    }
    nlohmann::json skipped = nlohmann::json::object();
    for (const auto& [name, why] : st.skipped)
        skipped[name] = why;
    result["spearman"] = {{"metric", metric}, {"parameters", params}, {"skipped", skipped}};
}

void addRepeats(const RunsOptions& o, const RunsTable& table, nlohmann::json& result,
                std::ostringstream& human) {
    const std::vector<RepeatGroup> groups = groupRepeats(table);
    nlohmann::json out = nlohmann::json::array();
    human << "\nrepeats: " << groups.size() << " configuration(s)\n";
    const RepeatGroup* reference = nullptr;
    for (const RepeatGroup& g : groups) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [k, v] : g.parameters)
            params[k] = v;
        nlohmann::json metrics = nlohmann::json::object();
        human << "  " << g.runs.size() << " run(s): " << g.runs.front()
              << (g.runs.size() > 1 ? " ..." : "") << "\n";
        for (const auto& [k, s] : g.metrics) {
            metrics[k] = summaryJson(s);
            if (s.n > 0)
                human << "    " << std::left << std::setw(28) << k << s.mean
                      << (s.n > 1 ? " ± " + std::to_string(s.sd) : std::string()) << " (n " << s.n
                      << ")\n";
        }
        out.push_back({{"dataset", g.dataset},
                       {"parameters", params},
                       {"runs", g.runs},
                       {"metrics", metrics}});
        for (const std::string& run : g.runs)
            if (run == o.reference)
                reference = &g;
    }
    result["repeats"] = {{"groups", out}};
    if (o.reference.empty())
        return;
    if (!reference)
        throw ConfigError("runs --reference: '" + o.reference +
                          "' is not a finished run of the table (check --dataset / --prefix)");
    nlohmann::json outside = nlohmann::json::object();
    for (const auto& [metric, s] : reference->metrics) {
        if (s.n < 2)
            continue;
        nlohmann::json flags = nlohmann::json::array();
        for (const BandFlag& f : flagOutsideBand(table, *reference, metric)) {
            flags.push_back(
                {{"run", f.run}, {"value", f.value}, {"side", f.below ? "below" : "above"}});
            human << "  outside the band of " << o.reference << ": " << f.run << " " << metric
                  << " " << f.value << (f.below ? " < " : " > ") << (f.below ? s.low : s.high)
                  << "\n";
        }
        outside[metric] = flags;
    }
    result["repeats"]["reference"] = {
        {"run", o.reference}, {"runs", reference->runs}, {"outside", outside}};
}

void addConsistency(const RunsOptions& o, const ProjectFile& project, const RunsTable& table,
                    nlohmann::json& result, std::ostringstream& human) {
    std::vector<std::string> names; // failed runs have no embedding to compare
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        if (table.rows[r][table.find("status")].text != "failed")
            names.push_back(table.runName(r));
    if (names.size() < 2)
        throw DataError("runs --consistency: " + o.project + " has " +
                        std::to_string(names.size()) +
                        " run(s) that did not fail in the table; need at least 2");
    const ConsistencyMatrix m = consistencyMatrix(project, names, cliJobContext(o.common));
    result["consistency"] = {
        {"runs", m.runs}, {"r2", matrixJson(m.r2)}, {"rmse", matrixJson(m.rmse)}};
    human << "\nconsistency R² (aligned, mean of both directions):\n";
    for (Eigen::Index i = 0; i < m.r2.rows(); ++i) {
        human << "  " << std::left << std::setw(24) << m.runs[std::size_t(i)];
        for (Eigen::Index j = 0; j < m.r2.cols(); ++j)
            human << " " << std::fixed << std::setprecision(3) << m.r2(i, j);
        human << std::defaultfloat << "\n";
    }
}

int runRuns(const RunsOptions& o) {
    const ProjectFile project = ProjectFile::open(o.project);
    RunsTableOptions options;
    options.dataset = o.dataset;
    options.prefix = o.prefix;
    options.onlyVarying = o.varying;
    const RunsTable table = runsTable(project, options);
    if (table.rows.empty()) {
        const auto all = project.runNames();
        std::string filter;
        if (!o.dataset.empty())
            filter += " of data set '" + o.dataset + "'";
        if (!o.prefix.empty())
            filter += " named '" + o.prefix + "...'";
        throw DataError(o.project + ": no runs" + filter +
                        (all.empty() ? " (the project holds none)"
                                     : " (the project holds " + std::to_string(all.size()) +
                                           ", e.g. '" + all.front() + "')"));
    }
    if (!o.reference.empty() && !o.repeats)
        throw ConfigError("runs: --reference goes with --repeats");

    nlohmann::json result;
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        nlohmann::json row = nlohmann::json::object();
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            row[table.columns[c].name] = cellJson(table, r, c);
        rows.push_back(row);
    }
    result["runs"] = rows;
    result["columns"] = {{"info", table.columnNames(RunsColumn::Kind::Info)},
                         {"parameters", table.columnNames(RunsColumn::Kind::Parameter)},
                         {"metrics", table.columnNames(RunsColumn::Kind::Metric)}};

    std::ostringstream human;
    human << table.rows.size() << " run(s), " << result["columns"]["parameters"].size()
          << " parameter and " << result["columns"]["metrics"].size() << " metric columns\n";
    const int status = table.find("status"), error = table.find("error");
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        human << "  " << std::left << std::setw(28) << table.runName(r) << " "
              << table.rows[r][status].text
              << (table.rows[r][error].text.empty() ? "" : ": " + table.rows[r][error].text)
              << "\n";
    if (!o.csv.empty()) {
        writeRunsCsv(table, o.csv);
        result["csv"] = o.csv;
        human << "wrote " << o.csv << "\n";
    }
    if (!o.spearman.empty())
        addSpearman(table, o.spearman, result, human);
    if (o.repeats)
        addRepeats(o, table, result, human);
    if (o.consistency)
        addConsistency(o, project, table, result, human);
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addRunsCommand(CLI::App& app) {
    auto options = std::make_shared<RunsOptions>();
    auto* cmd = app.add_subcommand(
        "runs", "The runs table of a project (hyperparameters and best-checkpoint metrics), "
                "Spearman rho per parameter, repeats (mean, sd, mu ± 2 sd) and consistency");
    cmd->add_option("--project", options->project, "Project file")->required();
    cmd->add_option("--dataset", options->dataset, "Only runs of this data set");
    cmd->add_option("--prefix", options->prefix, "Only runs whose name starts with this (a sweep)");
    cmd->add_flag("--varying", options->varying,
                  "Only the parameter columns whose values differ between the runs shown");
    cmd->add_option("--csv", options->csv, "Write the table as CSV");
    cmd->add_option("--spearman", options->spearman,
                    "Spearman rho and p of every varying numeric parameter against this metric");
    cmd->add_flag("--repeats", options->repeats,
                  "Group runs that differ only in the seed: mean, sd, se, mu ± 2 sd per metric");
    cmd->add_option("--reference", options->reference,
                    "With --repeats: flag runs outside the mu ± 2 sd band of this run's group");
    cmd->add_flag("--consistency", options->consistency,
                  "Runs x runs R² and RMSE of Kabsch-aligned embeddings (CEBRA's consistency)");
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("runs", [&] { return runRuns(*options); })); });
}

} // namespace embedscope::cli
