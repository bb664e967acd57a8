// embedscope-cli import INPUT... --out DATA.h5 [--reader NAME] [--metadata META.csv]
//                      [--option key=value ...] [--val-fraction F] [--split-seed N]
//                      [--test-experiments A,B | --test-count K]
// When the imported metadata has experiments and no split, the split is made at experiment
// level (seed 000 §3.3.2: 75 / 25 train / val, fixed seed; optional held-out test experiments).
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reader.h"
#include "embedscope/engine/splits.h"

#include <sstream>

namespace embedscope::cli {
namespace {

struct ImportOptions {
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string out;
    std::string reader;
    std::string metadata;
    std::string name;
    std::vector<std::string> readerOptions;
    SplitOptions split;
    bool listReaders = false;
};

int runImport(const ImportOptions& o) {
    auto& registry = ReaderRegistry::instance();
    if (o.listReaders) {
        nlohmann::json list = nlohmann::json::array();
        std::ostringstream human;
        for (const Reader* r : registry.readers()) {
            list.push_back({{"name", r->name()}, {"description", r->description()}});
            human << r->name() << "\t" << r->description() << "\n";
        }
        printResult(o.common, {{"readers", list}}, human.str());
        return 0;
    }
    if (o.inputs.empty() || o.out.empty())
        throw ConfigError("import needs INPUT... and --out (or --list-readers)");
    const Reader& reader =
        o.reader.empty() ? registry.choose(o.inputs.front()) : registry.byName(o.reader);
    ReaderOptions options;
    options.metadataPath = o.metadata;
    for (const auto& kv : o.readerOptions) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError("--option '" + kv + "' must look like key=value");
        options.values[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    Dataset data = reader.read(o.inputs, options, cliJobContext(o.common));
    if (!o.name.empty())
        data.name = o.name;
    if (data.name.empty())
        data.name = "imported";
    std::string splitNote = "none";
    if (data.metadata.has(Dataset::kSplitColumn)) {
        splitNote = "given";
    } else if (data.metadata.has("experiment")) {
        addExperimentSplit(data, o.split);
        splitNote = "by experiment";
    }
    data.validate(o.inputs.front());
    ProjectFile::openOrCreate(o.out).writeDataset(data);

    nlohmann::json result = {{"out", o.out},
                             {"dataset", data.name},
                             {"reader", reader.name()},
                             {"samples", data.sampleCount()},
                             {"shape", data.sampleShape},
                             {"split", splitNote}};
    std::ostringstream human;
    human << "read " << data.sampleCount() << " samples with '" << reader.name() << "' into "
          << o.out << " as '" << data.name << "'\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addImportCommand(CLI::App& app) {
    auto options = std::make_shared<ImportOptions>();
    auto* cmd = app.add_subcommand("import", "Read files of a supported format into a data set");
    cmd->add_option("INPUT", options->inputs, "Input files");
    cmd->add_option("--out", options->out, "Output HDF5 file (created or extended)");
    cmd->add_option("--reader", options->reader, "Reader name (default: the best-scoring one)");
    cmd->add_option("--metadata", options->metadata, "Side table CSV keyed by sample id");
    cmd->add_option("--name", options->name, "Data set name");
    cmd->add_option("--option", options->readerOptions, "Reader option key=value");
    cmd->add_option("--val-fraction", options->split.valFraction,
                    "Share of experiments in the validation split (default 0.25)");
    cmd->add_option("--split-seed", options->split.seed,
                    "Seed of the experiment split (default 0)");
    cmd->add_option("--test-experiments", options->split.testExperiments,
                    "Experiments held out as the test split")
        ->delimiter(',');
    cmd->add_option("--test-count", options->split.testCount,
                    "Number of experiments held out as the test split (drawn with the seed)");
    cmd->add_flag("--list-readers", options->listReaders, "List the readers and exit");
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("import", [&] { return runImport(*options); })); });
}

} // namespace embedscope::cli
