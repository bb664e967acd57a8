// embedscope-cli dose-response --table TABLE.csv [--substance-column ..] [--pca K] [--csv OUT]
// Per-substance dose response of an embedding table (issue 7): distances of the dose centroids
// to the control (secondary-only for double-substance groups, seed 000 §3.4.3) with bootstrap
// intervals, the DR inversions, and a Hill fit per substance (EC50, slope, top, bottom ± SE).
#include "cli_common.h"
#include "evaluate_curves.h"

#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/table.h"

#include <cmath>
#include <sstream>

namespace embedscope::cli {
namespace {

struct DoseResponseCliOptions {
    CommonOptions common;
    std::string table;
    DoseColumns columns;
    bool secondaryGiven = false; ///< --secondary-column named explicitly: it must exist
    int pca = 0;
    int bootstrap = 1000;
    double confidence = 0.95;
    uint64_t seed = 1;
    std::string csv;
};

nlohmann::json substanceJson(const SubstanceResponse& s) {
    const HillFit& h = s.hill;
    nlohmann::json doses = nlohmann::json::array();
    for (const DoseLevel& l : s.levels)
        doses.push_back({{"dose", l.dose},
                         {"n", l.n},
                         {"distance", finiteJson(l.distance)},
                         {"ci_low", finiteJson(l.ciLow)},
                         {"ci_high", finiteJson(l.ciHigh)},
                         {"inverted", l.inverted}});
    return {{"name", s.name},
            {"reference", s.reference},
            {"reference_n", s.referenceCount},
            {"n_doses", s.levels.size()},
            {"inversions", s.inversions},
            {"ec50", finiteJson(h.ec50)},
            {"ec50_se", finiteJson(h.seEc50)},
            {"hill_slope", finiteJson(h.hill)},
            {"hill_slope_se", finiteJson(h.seHill)},
            {"top", finiteJson(h.top)},
            {"top_se", finiteJson(h.seTop)},
            {"bottom", finiteJson(h.bottom)},
            {"bottom_se", finiteJson(h.seBottom)},
            {"fit", h.ok},
            {"no_fit_reason", h.ok ? nlohmann::json(nullptr) : nlohmann::json(h.reason)},
            {"doses", doses}};
}

std::string humanLine(const SubstanceResponse& s) {
    std::ostringstream out;
    out << "  " << s.name << " vs " << s.reference << ": " << s.levels.size() << " dose(s), "
        << s.inversions << " inversion(s), ";
    if (s.hill.ok)
        out << "EC50 " << s.hill.ec50 << " ± " << s.hill.seEc50 << ", slope " << s.hill.hill
            << " ± " << s.hill.seHill << ", top " << s.hill.top << " ± " << s.hill.seTop
            << ", bottom " << s.hill.bottom << " ± " << s.hill.seBottom;
    else
        out << "no fit (" << s.hill.reason << ")";
    return out.str();
}

int runDoseResponse(const DoseResponseCliOptions& o) {
    const EmbeddingTable table = readEmbeddingCsv(o.table);
    if (o.secondaryGiven && !table.metadata.has(metadataName(o.columns.secondarySubstance)))
        metadataText(table, o.table, o.columns.secondarySubstance); // throws, naming the columns
    const MetricLabels labels = doseLabelsOf(table.metadata, o.columns, o.table);
    Eigen::MatrixXd z = tableFeatures(table, o.table);
    nlohmann::json result = {{"table", o.table}, {"rows", table.rows}};
    if (o.pca > 0) {
        z = fitPca(z, o.pca).transform(z);
        result["pca_components"] = z.cols();
    }
    result["dims"] = z.cols();

    DoseResponseOptions options;
    options.bootstrap = o.bootstrap;
    options.confidence = o.confidence;
    options.seed = o.seed;
    DoseResponseResult analysis;
    try {
        analysis = analyseDoseResponse(z, labels, options, cliJobContext(o.common));
    } catch (const DataError& e) {
        throw DataError(o.table + ": " + e.what());
    }
    if (!o.csv.empty()) {
        writeDoseResponseCsv(analysis, o.csv);
        result["csv"] = o.csv;
    }

    std::ostringstream human;
    human << o.table << ": " << analysis.substances.size() << " substance(s), " << z.cols()
          << " dimension(s), " << o.bootstrap << " bootstrap resamples\n";
    nlohmann::json substances = nlohmann::json::array();
    for (const SubstanceResponse& s : analysis.substances) {
        substances.push_back(substanceJson(s));
        human << humanLine(s) << "\n";
    }
    result["substances"] = substances;
    result["inversion_count"] = analysis.inversionCount;
    result["skipped_rows"] = analysis.skippedRows;
    result["notes"] = analysis.notes;
    human << "  inversions in total: " << analysis.inversionCount << "\n";
    for (const std::string& note : analysis.notes)
        human << "  note: " << note << "\n";
    if (!o.csv.empty())
        human << "  per-dose table written to " << o.csv << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addDoseResponseCommand(CLI::App& app) {
    auto options = std::make_shared<DoseResponseCliOptions>();
    auto* cmd = app.add_subcommand(
        "dose-response",
        "Per-substance dose response of an embedding table: distances of the dose centroids to "
        "the control with bootstrap intervals, DR inversions and a Hill fit (EC50, slope, top, "
        "bottom)");
    cmd->add_option("--table", options->table, "Embedding table (z_* + Metadata_* columns)")
        ->required();
    cmd->add_option("--substance-column", options->columns.substance,
                    "Metadata column of the primary substance")
        ->capture_default_str();
    cmd->add_option("--dose-column", options->columns.dose,
                    "Metadata column of the primary dose (0 = control)")
        ->capture_default_str();
    auto* secondary = cmd->add_option("--secondary-column", options->columns.secondarySubstance,
                                      "Metadata column of the secondary substance (used when "
                                      "present)")
                          ->capture_default_str();
    cmd->add_option("--secondary-dose-column", options->columns.secondaryDose,
                    "Metadata column of the secondary dose (used when present)")
        ->capture_default_str();
    cmd->add_option("--pca", options->pca,
                    "Principal components to measure distances in (0 = the features as they are)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    cmd->add_option("--bootstrap", options->bootstrap,
                    "Bootstrap resamples per dose (0 = no confidence intervals)")
        ->check(CLI::Range(0, 1000000))
        ->capture_default_str();
    cmd->add_option("--confidence", options->confidence, "Confidence of the intervals")
        ->check(CLI::Range(0.5, 0.9999))
        ->capture_default_str();
    cmd->add_option("--seed", options->seed, "Seed of the bootstrap resamples")
        ->capture_default_str();
    cmd->add_option("--csv", options->csv, "Also write the per-dose table to this CSV file");
    addCommonOptions(cmd, options->common);
    cmd->callback([options, secondary] {
        options->secondaryGiven = secondary->count() > 0;
        setExitCode(runCommand("dose-response", [&] { return runDoseResponse(*options); }));
    });
}

} // namespace embedscope::cli
