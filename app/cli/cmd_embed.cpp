// embedscope-cli embed --project PROJECT.h5 --run NAME --out TABLE.csv [--pca K]
#include "cli_common.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/table.h"

#include <sstream>

namespace embedscope::cli {
namespace {

struct EmbedOptions {
    CommonOptions common;
    std::string project;
    std::string run;
    std::string out;
    int pca = 0;
};

int runEmbed(const EmbedOptions& o) {
    ProjectFile project = ProjectFile::open(o.project);
    if (!project.hasRun(o.run))
        throw ConfigError(o.project + ": no run named '" + o.run + "'");
    const RunRecord run = project.readRun(o.run);
    if (run.embeddingRows == 0 || run.embeddingCols == 0)
        throw DataError(o.project + ": run '" + o.run + "' holds no embedding");
    const Dataset header = project.readDatasetHeader(run.datasetName);
    if (header.metadata.rowCount() != 0 && header.metadata.rowCount() != run.embeddingRows)
        throw DataError(o.project + ": run '" + o.run + "' has " +
                        std::to_string(run.embeddingRows) + " embedded samples but data set '" +
                        run.datasetName + "' has " + std::to_string(header.metadata.rowCount()));

    EmbeddingTable table;
    table.rows = run.embeddingRows;
    table.metadata = header.metadata;
    Eigen::MatrixXd z = toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);

    nlohmann::json result = {{"out", o.out}, {"run", o.run}, {"rows", table.rows}};
    if (o.pca > 0) {
        const PcaModel pca = fitPca(z, o.pca);
        z = pca.transform(z);
        for (int k = 0; k < z.cols(); ++k)
            table.featureNames.push_back("pc_" + std::to_string(k + 1));
        result["explained_variance_ratio"] = std::vector<double>(
            pca.explainedVarianceRatio.data(),
            pca.explainedVarianceRatio.data() + pca.explainedVarianceRatio.size());
    } else {
        for (std::size_t c = 0; c < run.embeddingCols; ++c)
            table.featureNames.push_back("z_" + std::to_string(c));
    }
    table.features.resize(table.rows * z.cols());
    for (std::size_t r = 0; r < table.rows; ++r)
        for (int c = 0; c < z.cols(); ++c)
            table.features[r * z.cols() + c] = z(r, c);
    writeEmbeddingCsv(table, o.out);
    result["columns"] = table.featureNames;

    std::ostringstream human;
    human << "wrote " << table.rows << " rows x " << table.featureNames.size() << " features (+"
          << table.metadata.columns().size() << " metadata columns) to " << o.out << "\n";
    printResult(o.common, result, human.str());
    return 0;
}

} // namespace

void addEmbedCommand(CLI::App& app) {
    auto options = std::make_shared<EmbedOptions>();
    auto* cmd = app.add_subcommand("embed", "Write a run's embedding with metadata as CSV");
    cmd->add_option("--project", options->project, "Project file")->required();
    cmd->add_option("--run", options->run, "Run name")->required();
    cmd->add_option("--out", options->out, "Output CSV (z_* or pc_* + Metadata_* columns)")
        ->required();
    cmd->add_option("--pca", options->pca, "Project onto the first K principal components")
        ->check(CLI::Range(1, 1000));
    addCommonOptions(cmd, options->common);
    cmd->callback(
        [options] { setExitCode(runCommand("embed", [&] { return runEmbed(*options); })); });
}

} // namespace embedscope::cli
