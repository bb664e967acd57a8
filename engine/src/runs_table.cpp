// The runs table of a project and its CSV (issue 6; runs_table.h). Spearman, repeats and
// consistency are in runs_compare.cpp.
#include "embedscope/engine/runs_table.h"

#include "atomic_text_file.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/run_metrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

namespace embedscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kInfoColumns[] = {"name",           "status",     "error",
                                    "dataset",        "created",    "seconds",
                                    "epochs_trained", "best_epoch", "best_val_loss"};
constexpr int kTextInfoColumns = 5; // name .. created are text, the rest numbers

std::string shortest(double value) {
    if (!std::isfinite(value))
        return {};
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

/// A flattened config value: a number, a text, or missing (JSON null).
struct Value {
    enum class Type { Missing, Number, Text } type = Type::Missing;
    double number = kNaN;
    std::string text;
    std::string asText() const { return type == Type::Number ? shortest(number) : text; }
};

void flatten(const nlohmann::ordered_json& j, const std::string& key,
             std::vector<std::pair<std::string, Value>>& out) {
    Value v;
    if (j.is_object()) {
        for (const auto& [k, child] : j.items())
            flatten(child, key.empty() ? k : key + "." + k, out);
        return;
    }
    if (j.is_array()) {
        v.type = Value::Type::Text;
        for (std::size_t i = 0; i < j.size(); ++i) {
            const auto& e = j[i];
            v.text += (i ? "," : "") + (e.is_string()   ? e.get<std::string>()
                                        : e.is_number() ? shortest(e.get<double>())
                                                        : e.dump());
        }
    } else if (j.is_boolean() || j.is_number()) {
        v.type = Value::Type::Number;
        v.number = j.is_boolean() ? double(j.get<bool>()) : j.get<double>();
    } else if (j.is_string()) {
        v.type = Value::Type::Text;
        v.text = j.get<std::string>();
    }
    out.emplace_back(key, std::move(v));
}

bool matches(const RunRecord& run, const RunsTableOptions& options) {
    return (options.dataset.empty() || run.datasetName == options.dataset) &&
           run.name.compare(0, options.prefix.size(), options.prefix) == 0;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "(none)" : out;
}

} // namespace

// ---- RunsTable ------------------------------------------------------------------------------

int RunsTable::find(const std::string& column) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].name == column)
            return int(c);
    return -1;
}

std::vector<double> RunsTable::numbers(const std::string& column) const {
    const int c = find(column);
    if (c < 0 || !columns[c].numeric) {
        std::vector<std::string> numeric;
        for (const auto& col : columns)
            if (col.numeric)
                numeric.push_back(col.name);
        throw ConfigError(
            "runs table: " + std::string(c < 0 ? "no column '" : "column holds text: '") + column +
            "'; numeric columns: " + joinNames(numeric));
    }
    std::vector<double> out(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
        out[r] = rows[r][c].number;
    return out;
}

std::string RunsTable::text(std::size_t row, int column) const {
    const RunsCell& cell = rows[row][column];
    return columns[column].numeric ? shortest(cell.number) : cell.text;
}

std::vector<std::string> RunsTable::columnNames(RunsColumn::Kind kind) const {
    std::vector<std::string> out;
    for (const auto& c : columns)
        if (c.kind == kind)
            out.push_back(c.name);
    return out;
}

std::vector<std::string> RunsTable::numericMetricNames() const {
    std::vector<std::string> out;
    for (const auto& c : columns)
        if (c.numeric && c.kind != RunsColumn::Kind::Parameter)
            out.push_back(c.name);
    return out;
}

RunsTable runsTable(const ProjectFile& project, const RunsTableOptions& options) {
    struct Row {
        RunRecord run;
        std::map<std::string, Value> params;
        RunMetrics metrics;
    };
    std::vector<Row> rows;
    std::vector<std::string> paramOrder, metricOrder;
    std::set<std::string> paramSeen, metricSeen, paramIsText;
    for (const std::string& name : project.runNames()) {
        if (name.compare(0, options.prefix.size(), options.prefix) != 0)
            continue;
        Row row;
        row.run = project.readRun(name, ProjectFile::RunContent::Summary);
        if (!matches(row.run, options))
            continue;
        // ordered: the columns follow the config's own key order (training_config.cpp toJson).
        const auto config = nlohmann::ordered_json::parse(row.run.configJson, nullptr, false);
        std::vector<std::pair<std::string, Value>> flat;
        if (config.is_object())
            flatten(config, "", flat);
        for (auto& [key, value] : flat) {
            if (key == "run_name") // the run's name, not a hyperparameter
                continue;
            if (paramSeen.insert(key).second)
                paramOrder.push_back(key);
            if (value.type == Value::Type::Text)
                paramIsText.insert(key);
            row.params[key] = std::move(value);
        }
        row.metrics = parseRunMetrics(row.run.metricsJson);
        for (const auto& [key, v] : row.metrics.best)
            if (metricSeen.insert(key).second)
                metricOrder.push_back(key);
        rows.push_back(std::move(row));
    }

    // Parameters that vary: two rows whose cells read differently (missing counts as a value).
    const auto varies = [&](const std::string& key) {
        std::set<std::string> seen;
        for (const Row& row : rows) {
            const auto it = row.params.find(key);
            seen.insert(it == row.params.end() ? std::string("\x1f") : it->second.asText());
        }
        return seen.size() > 1;
    };

    RunsTable table;
    std::set<std::string> used;
    const auto addColumn = [&](std::string name, RunsColumn::Kind kind, bool numeric,
                               const char* prefix) {
        if (!used.insert(name).second) {
            name = prefix + name;
            used.insert(name);
        }
        table.columns.push_back({name, kind, numeric});
    };
    int i = 0;
    for (const char* name : kInfoColumns)
        addColumn(name, RunsColumn::Kind::Info, i++ >= kTextInfoColumns, "");
    std::vector<std::string> params;
    for (const std::string& key : paramOrder)
        if (!options.onlyVarying || varies(key)) {
            params.push_back(key);
            addColumn(key, RunsColumn::Kind::Parameter, !paramIsText.count(key), "param.");
        }
    for (const std::string& key : metricOrder)
        addColumn(key, RunsColumn::Kind::Metric, true, "metric.");

    for (const Row& row : rows) {
        const RunRecord& run = row.run;
        std::vector<RunsCell> cells;
        for (const std::string& text :
             {run.name, run.status, row.metrics.error, run.datasetName, run.createdUtc})
            cells.push_back({kNaN, text});
        const bool hasBest = run.bestEpoch >= 0 && std::size_t(run.bestEpoch) < run.valLoss.size();
        for (double number : {run.seconds, double(run.trainLoss.size()),
                              run.bestEpoch >= 0 ? double(run.bestEpoch) : kNaN,
                              hasBest ? run.valLoss[run.bestEpoch] : kNaN})
            cells.push_back({number, {}});
        for (const std::string& key : params) {
            const auto it = row.params.find(key);
            const Value missing;
            const Value& v = it == row.params.end() ? missing : it->second;
            if (paramIsText.count(key))
                cells.push_back({kNaN, v.asText()});
            else
                cells.push_back({v.type == Value::Type::Number ? v.number : kNaN, {}});
        }
        for (const std::string& key : metricOrder)
            cells.push_back({row.metrics.bestValue(key), {}});
        table.rows.push_back(std::move(cells));
    }
    return table;
}

void writeRunsCsv(const RunsTable& table, const std::string& path) {
    const auto field = [](const std::string& text) {
        if (text.find_first_of(",\"\r\n") == std::string::npos)
            return text;
        std::string out = "\"";
        for (char c : text)
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    };
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c)
        out += (c ? "," : "") + field(table.columns[c].name);
    out += '\n';
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            out += (c ? "," : "") + field(table.text(r, int(c)));
        out += '\n';
    }
    writeTextFileAtomically(path, out); // a crash never leaves half a table
}

} // namespace embedscope
