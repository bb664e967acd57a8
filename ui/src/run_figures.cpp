#include "embedscope/ui/run_figures.h"

#include "embedscope/engine/classification.h"
#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reference_runs.h"
#include "embedscope/ui/chart_figure.h"
#include "embedscope/ui/dose_paths.h"
#include "embedscope/ui/dose_response_figures.h"
#include "embedscope/ui/embedding_figure.h"
#include "embedscope/ui/loss_chart.h"
#include "embedscope/ui/metrics_chart.h"
#include "embedscope/ui/standard_figures.h"

#include <QChartView>
#include <QObject>

#include <map>
#include <set>

namespace embedscope::ui {
namespace {

Eigen::MatrixXd embeddingOf(const RunRecord& run) {
    if (run.embeddingRows == 0 || run.embedding.empty())
        throw DataError("run '" + run.name + "' has no embedding");
    return toMatrix(run.embedding.data(), run.embeddingRows, run.embeddingCols);
}

void requireRows(const RunRecord& run, const Dataset& dataset) {
    if (run.embeddingRows != dataset.metadata.rowCount())
        throw DataError("run '" + run.name + "': embedding rows (" +
                        std::to_string(run.embeddingRows) + ") differ from data set '" +
                        dataset.name + "' (" + std::to_string(dataset.metadata.rowCount()) + ")");
}

/// Train + val rows (all rows without a split column): what the seed-000 PCA is
/// fitted on.
std::vector<bool> fitRowsOf(const Dataset& dataset) {
    const std::size_t n = dataset.metadata.rowCount();
    std::vector<bool> fit(n, true);
    if (dataset.metadata.has(Dataset::kSplitColumn)) {
        const auto& split = dataset.metadata.column(Dataset::kSplitColumn);
        for (std::size_t i = 0; i < n; ++i)
            fit[i] = split.text(i) != "test";
    }
    return fit;
}

QString defaultColorColumn(const Dataset& dataset) {
    for (const char* c : {"substance", "group", "perturbation", "label", "class"})
        if (dataset.metadata.has(c))
            return QString::fromLatin1(c);
    return {};
}

viewer::ScatterData scatterOf(const RunFigureInput& in) {
    const Eigen::MatrixXd z = embeddingOf(in.run);
    const PcaModel pca = fitPca(z, 3);
    viewer::ScatterData data = projectionScatter(pca.transform(z), pca.explainedVarianceRatio);
    if (data.dims == 3 && in.dims != 3)
        data.dims = 2;
    const std::size_t n = data.pointCount();
    const QString column =
        in.colorColumn.isEmpty() ? defaultColorColumn(in.dataset) : in.colorColumn;
    if (!column.isEmpty()) {
        if (!in.dataset.metadata.has(column.toStdString()))
            throw DataError("embedding: data set '" + in.dataset.name + "' has no column '" +
                            column.toStdString() + "' to colour by");
        const auto& c = in.dataset.metadata.column(column.toStdString());
        for (std::size_t i = 0; i < n; ++i)
            data.categories.push_back(c.text(i));
        data.colorTitle = column.toStdString();
    }
    // Seed 000 Fig 4.8: the highlighted category stands out, the others recede as "other".
    const std::string highlight = in.highlight.toStdString();
    if (!highlight.empty() && std::find(data.categories.begin(), data.categories.end(),
                                        highlight) != data.categories.end()) {
        data.pointSizes.assign(n, 1.0);
        for (std::size_t i = 0; i < n; ++i)
            if (data.categories[i] != highlight && data.categories[i] != "control") {
                data.categories[i] = viewer::ScatterScene::kOtherCategory;
                data.pointSizes[i] = 0.5;
            }
    }
    return data;
}

std::shared_ptr<Figure> confusionFigure(const RunFigureInput& in, const JobContext& ctx) {
    QString column = in.labelColumn;
    if (column.isEmpty())
        for (const char* c : {"indication", "label", "class", "substance"})
            if (in.dataset.metadata.has(c)) {
                column = QString::fromLatin1(c);
                break;
            }
    if (column.isEmpty() || !in.dataset.metadata.has(column.toStdString()))
        throw DataError("confusion: data set '" + in.dataset.name + "' has no class column" +
                        (column.isEmpty() ? std::string(" (indication, label, class)")
                                          : " '" + column.toStdString() + "'"));
    const auto& labels = in.dataset.metadata.column(column.toStdString());
    const Eigen::MatrixXd z = embeddingOf(in.run);
    const std::size_t n = std::size_t(z.rows()), d = std::size_t(z.cols());
    // Classes in natural order; "other" and empty labels take no part (seed 000 §3.4.5).
    std::set<std::string> names;
    for (std::size_t i = 0; i < n; ++i)
        if (!labels.text(i).empty() && labels.text(i) != "other")
            names.insert(labels.text(i));
    std::vector<std::string> classes(names.begin(), names.end());
    std::sort(classes.begin(), classes.end(), naturalLess);
    if (classes.size() < 2)
        throw DataError("confusion: column '" + column.toStdString() +
                        "' has fewer than two classes");
    std::map<std::string, int> index;
    for (std::size_t k = 0; k < classes.size(); ++k)
        index[classes[k]] = int(k);
    // Fit on the train rows, report the others (val + test): the embedding's own split.
    const bool hasSplit = in.dataset.metadata.has(Dataset::kSplitColumn);
    std::vector<double> trainX, testX;
    std::vector<int> trainY, testY;
    for (std::size_t i = 0; i < n; ++i) {
        auto it = index.find(labels.text(i));
        if (it == index.end())
            continue;
        const bool train =
            hasSplit ? in.dataset.metadata.column(Dataset::kSplitColumn).text(i) == "train"
                     : (i % 10) < 7; // no split: a fixed 70/30 by row
        auto& x = train ? trainX : testX;
        for (std::size_t k = 0; k < d; ++k)
            x.push_back(z(Eigen::Index(i), Eigen::Index(k)));
        (train ? trainY : testY).push_back(it->second);
    }
    if (trainY.empty() || testY.empty())
        throw DataError("confusion: needs labelled rows in the train split and outside it");
    ctx.throwIfCancelled();
    const LogisticModel model = fitLogisticRegression(trainX, trainY.size(), d, trainY);
    const std::vector<int> predicted = predict(model, testX, testY.size());
    std::vector<std::string> classNames = classes;
    const QString subtitle =
        QObject::tr("%1 · logistic regression fitted on the train rows").arg(column);
    return std::make_shared<ConfusionMatrixFigure>(testY, predicted, classNames, subtitle);
}

} // namespace

viewer::ScatterData projectionScatter(const Eigen::MatrixXd& projection,
                                      const Eigen::VectorXd& explainedRatio) {
    viewer::ScatterData data;
    data.dims = projection.cols() >= 3 ? 3 : 2;
    const auto n = static_cast<std::size_t>(projection.rows());
    data.xyz.assign(n * 3, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < std::min<int>(3, int(projection.cols())); ++k)
            data.xyz[i * 3 + std::size_t(k)] = projection(Eigen::Index(i), k);
    for (int k = 0; k < 3; ++k) {
        const double pct = k < explainedRatio.size() ? 100.0 * explainedRatio(k) : 0.0;
        data.axisTitles.push_back("PC" + std::to_string(k + 1) + " (" +
                                  QString::number(pct, 'f', 1).toStdString() + "%)");
    }
    return data;
}

QStringList runFigureViews() {
    return {QStringLiteral("embedding"),   QStringLiteral("loss"),
            QStringLiteral("metrics"),     QStringLiteral("explained-variance"),
            QStringLiteral("confusion"),   QStringLiteral("dose-response"),
            QStringLiteral("dose-heatmap")};
}

QString runFigureTitle(const QString& view) {
    static const std::map<QString, QString> titles = {
        {QStringLiteral("embedding"), QObject::tr("Embedding (PCA projection)")},
        {QStringLiteral("loss"), QObject::tr("Loss curves")},
        {QStringLiteral("metrics"), QObject::tr("Metric per epoch")},
        {QStringLiteral("explained-variance"), QObject::tr("Explained variance")},
        {QStringLiteral("confusion"), QObject::tr("Confusion matrix")},
        {QStringLiteral("dose-response"), QObject::tr("Dose response per substance")},
        {QStringLiteral("dose-heatmap"), QObject::tr("Dose-response heat map")}};
    auto it = titles.find(view);
    return it == titles.end() ? view : it->second;
}

RunFigureInput loadRunFigureInput(const QString& projectPath, const QString& runName) {
    const ProjectFile project = ProjectFile::open(projectPath.toStdString());
    RunFigureInput in;
    in.run = project.readRun(runName.toStdString());
    std::string dataName = in.run.datasetName;
    if (dataName.empty() || !project.hasDataset(dataName)) {
        const auto names = project.datasetNames();
        if (names.empty())
            throw DataError(projectPath.toStdString() + ": no data set for run '" +
                            runName.toStdString() + "'");
        dataName = names.front();
    }
    in.dataset = project.readDatasetHeader(dataName);
    requireRows(in.run, in.dataset);
    for (const auto& [kind, ref] : latestReferenceRuns(project, dataName))
        in.references[kind] = parseRunMetrics(ref.metricsJson);
    return in;
}

DoseResponseResult doseResponseOfRun(const RunRecord& run, const Dataset& dataset,
                                     const JobContext& ctx, int bootstrap) {
    requireRows(run, dataset);
    const MetricLabels labels = doseLabelsOf(dataset.metadata, DoseColumns{}, dataset.name);
    const Eigen::MatrixXd space = projectForMetrics(embeddingOf(run), fitRowsOf(dataset), 10);
    DoseResponseOptions options;
    options.bootstrap = bootstrap;
    return analyseDoseResponse(space, labels, options, ctx);
}

std::shared_ptr<Figure> makeRunFigure(const QString& view, const RunFigureInput& in,
                                      const JobContext& ctx) {
    requireRows(in.run, in.dataset);
    const QString runName = QString::fromStdString(in.run.name);
    if (view == QLatin1String("embedding")) {
        viewer::ScatterData data = scatterOf(in);
        std::vector<SceneFigure::Overlay> overlays;
        if (in.dosePaths) {
            const MetricLabels labels =
                doseLabelsOf(in.dataset.metadata, DoseColumns{}, in.dataset.name);
            SceneFigure::Overlay paths;
            paths.data = dosePathOverlay(data.xyz, data.dims, labels, in.highlight);
            overlays.push_back(std::move(paths));
        }
        return makeEmbeddingFigure(std::move(data), std::move(overlays));
    }
    if (view == QLatin1String("loss")) {
        LossChart chart;
        chart.setCurves(in.run.trainLoss, in.run.valLoss, in.run.bestEpoch, in.run.curves);
        return std::make_shared<ChartFigure>(*chart.chartView()->chart(), view);
    }
    if (view == QLatin1String("metrics")) {
        MetricsChart chart;
        chart.setRun(runName, parseRunMetrics(in.run.metricsJson), in.run.bestEpoch);
        QMap<QString, RunMetrics> refs;
        for (const auto& [kind, m] : in.references)
            refs.insert(QString::fromStdString(kind), m);
        chart.setReferences(refs);
        if (chart.availableMetrics().isEmpty())
            throw DataError("metrics: run '" + in.run.name + "' has no per-epoch metrics");
        if (!in.metric.isEmpty()) {
            if (!chart.availableMetrics().contains(in.metric))
                throw ConfigError("metrics: run '" + in.run.name + "' has no metric '" +
                                  in.metric.toStdString() + "' (it has " +
                                  chart.availableMetrics().join(", ").toStdString() + ")");
            chart.setCurrentMetric(in.metric);
        }
        return std::make_shared<ChartFigure>(*chart.chart(), view);
    }
    if (view == QLatin1String("explained-variance")) {
        const Eigen::MatrixXd z = embeddingOf(in.run);
        const PcaModel pca = fitPca(z, 10);
        std::vector<double> ratio(pca.explainedVarianceRatio.data(),
                                  pca.explainedVarianceRatio.data() +
                                      pca.explainedVarianceRatio.size());
        return std::make_shared<ExplainedVarianceFigure>(ratio, 10);
    }
    if (view == QLatin1String("confusion"))
        return confusionFigure(in, ctx);
    if (view == QLatin1String("dose-response") || view == QLatin1String("dose-heatmap")) {
        DoseResponseResult result = doseResponseOfRun(in.run, in.dataset, ctx);
        DoseFigureLabels labels;
        labels.doseTitle = QStringLiteral("Dose");
        labels.highlight = in.highlight;
        if (view == QLatin1String("dose-heatmap"))
            return std::make_shared<DoseHeatmapFigure>(std::move(result), labels);
        return std::make_shared<DoseResponseFigure>(std::move(result), labels);
    }
    throw ConfigError("unknown view '" + view.toStdString() +
                      "' (views: " + runFigureViews().join(", ").toStdString() + ")");
}

} // namespace embedscope::ui
