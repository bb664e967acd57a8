// GeometryView's "All vs held-out" tab (seed-003 lab note, SPEC S3): run B read and checked
// against A, curves by group in PCA 3 of each embedding, compareInstances (Kabsch, quaternion
// method in 3-D) on a worker thread, then B's points carried into A's frame; the default run B.
// Split from geometry_view.cpp to keep both files short.
#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/pca.h"
#include "embedscope/engine/project.h"
#include "embedscope/ui/geometry_view.h"
#include "embedscope/ui/instance_comparison_view.h"
#include "embedscope/ui/vtk_widget.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QPainter>
#include <QSignalBlocker>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace embedscope::ui {
namespace {

struct ComparisonOut {
    bool cancelled = false;
    QString error;
    Eigen::MatrixXd a, bAligned; ///< A's PCA 3 coordinates, B's in A's frame
    InstanceComparison comparison;
    double millis = 0;
};

viewer::ScatterData scatterOf(const Eigen::MatrixXd& xyz, const MetadataTable& metadata,
                              const std::string& groupColumn, const QString& frame) {
    viewer::ScatterData d;
    d.dims = 3;
    const auto n = std::size_t(xyz.rows());
    d.xyz.assign(n * 3, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < std::min<int>(3, int(xyz.cols())); ++k)
            d.xyz[i * 3 + std::size_t(k)] = xyz(Eigen::Index(i), k);
    if (metadata.has(groupColumn))
        for (std::size_t i = 0; i < n; ++i)
            d.categories.push_back(metadata.column(groupColumn).text(i));
    for (std::size_t i = 0; i < n; ++i) {
        std::string label;
        for (const auto& c : metadata.columns())
            label += c.name + ": " + c.text(i) + "\n";
        d.labels.push_back(label);
    }
    d.colorTitle = groupColumn;
    for (int k = 1; k <= 3; ++k)
        d.axisTitles.push_back(QStringLiteral("PC%1 %2").arg(k).arg(frame).toStdString());
    return d;
}

} // namespace

QString GeometryView::defaultPartner(const QString& runA, bool aHasHoldout,
                                     const std::vector<std::pair<QString, bool>>& candidates) {
    const QString suffix = QStringLiteral("-hld");
    for (const auto& [name, held] : candidates)
        if (name == runA + suffix ||
            (runA.endsWith(suffix) && name == runA.left(runA.size() - suffix.size())))
            return name;
    QString best;
    int bestPrefix = -1;
    for (const auto& [name, held] : candidates) {
        if (held == aHasHoldout)
            continue;
        int prefix = 0;
        while (prefix < std::min(name.size(), runA.size()) && name[prefix] == runA[prefix])
            ++prefix;
        if (prefix > bestPrefix) {
            best = name;
            bestPrefix = prefix;
        }
    }
    if (!best.isEmpty() || candidates.empty())
        return best;
    return candidates.front().first;
}

void GeometryView::setComparisonRun(const QString& run) {
    runB_ = run;
    if (comparison_->runB() != run) {
        const QSignalBlocker blocker(comparison_->runBBox());
        comparison_->runBBox()->setCurrentIndex(comparison_->runBBox()->findText(run));
    }
    if (comparisonContext_)
        comparisonContext_->requestCancel();
    ++comparisonGeneration_;
    comparisonRunning_ = false;
    comparisonDirty_ = true;
    startPending();
}

void GeometryView::startComparison() {
    comparisonDirty_ = false;
    const unsigned generation = ++comparisonGeneration_;
    auto fail = [this](const QString& message) {
        comparison_->clear(message);
        Q_EMIT comparisonShown();
    };
    if (runB_.isEmpty())
        return fail(tr("No other run on data set '%1' to compare %2 with: train its held-out "
                       "instance (a generative run with \"holdout\": \"a,b\" in its config, "
                       "named %2-hld).")
                        .arg(QString::fromStdString(datasetName_), runA_));
    RunRecord b;
    try {
        b = ProjectFile::open(projectPath_.toStdString()).readRun(runB_.toStdString());
    } catch (const std::exception& e) {
        return fail(tr("Cannot read run %1: %2").arg(runB_, QString::fromStdString(e.what())));
    }
    // Instances are compared sample by sample: both must embed the same data set.
    if (!b.datasetName.empty() && b.datasetName != datasetName_)
        return fail(tr("Run %1 embeds data set '%2' but run %3 embeds '%4': all vs held-out "
                       "compares two instances on the same samples. Pick a run on '%4'.")
                        .arg(runB_, QString::fromStdString(b.datasetName), runA_,
                             QString::fromStdString(datasetName_)));
    if (b.embeddingRows != std::size_t(zA_.rows()) || b.embeddingCols == 0)
        return fail(tr("Run %1 has %2 embedded samples, run %3 has %4: they cannot be compared "
                       "sample by sample.")
                        .arg(runB_)
                        .arg(b.embeddingRows)
                        .arg(runA_)
                        .arg(zA_.rows()));
    const Eigen::MatrixXd zB = toMatrix(b.embedding.data(), b.embeddingRows, b.embeddingCols);
    const std::string createdB = b.createdUtc;

    std::vector<std::string> groups;
    Eigen::VectorXd order;
    inputs(groups, order);
    comparison_->clear(
        tr("Fitting the principal curves of %1 and %2 and aligning them…").arg(runA_, runB_));
    comparisonRunning_ = true;
    comparisonContext_ = std::make_shared<JobContext>();
    auto out = std::make_shared<ComparisonOut>();
    launch(
        [out, zA = zA_, zB, groups = std::move(groups),
         order = std::move(order)](const JobContext& ctx) {
            QElapsedTimer timer;
            timer.start();
            try {
                CurveAnalysisOptions options;
                options.pcaDims = 3; // each instance in PCA 3 of its own embedding
                const CurveAnalysis a = analyseCurves(zA, groups, order, options, ctx);
                const CurveAnalysis b = analyseCurves(zB, groups, order, options, ctx);
                out->comparison = compareInstances(a, b);
                out->a = a.coordinates;
                out->bAligned = out->comparison.alignB(b.coordinates);
            } catch (const CancelledError&) {
                out->cancelled = true;
            } catch (const std::exception& e) {
                out->error = QString::fromStdString(e.what());
            }
            out->millis = double(timer.nsecsElapsed()) / 1e6;
        },
        [this, out, generation, zB, createdB] {
            if (out->cancelled || generation != comparisonGeneration_)
                return; // an older run, run B or column choice
            comparisonRunning_ = false;
            comparisonContext_.reset();
            comparisonMillis_ = out->millis;
            if (!out->error.isEmpty()) {
                comparison_->clear(
                    tr("No comparison of %1 and %2: %3").arg(runA_, runB_, out->error));
                Q_EMIT comparisonShown();
                return;
            }
            const std::string group = groupColumn().toStdString();
            try {
                comparison_->showComparison(
                    runA_, runB_, scatterOf(out->a, metadata_, group, tr("of A")),
                    scatterOf(out->bAligned, metadata_, group, tr("of A")), metadata_,
                    groupColumn(), orderColumn(), out->comparison);
            } catch (const std::exception& e) {
                comparison_->clear(QString::fromStdString(e.what()));
            }
            runBCreated_ = createdB;
            // F1_score_all of A and F1_score_hld of B, when not computed yet.
            for (const auto& [run, created, z] :
                 {std::tuple{runA_, createdA_, zA_}, std::tuple{runB_, createdB, zB}}) {
                const std::string key = f1Key(run, created);
                if (f1_.count(key) == 0)
                    startF1(key, z);
            }
            showComparisonF1();
            Q_EMIT comparisonShown();
        },
        comparisonContext_);
}

void GeometryView::showComparisonF1() {
    if (!comparison_->hasComparison())
        return;
    const BinnedF1* a = f1Of(runA_, createdA_);
    const BinnedF1* b = f1Of(runB_, runBCreated_);
    comparison_->setF1(a ? a->f1Macro : NAN, a ? a->f1MacroSe : NAN, b ? b->f1Macro : NAN,
                       b ? b->f1MacroSe : NAN);
}

QImage GeometryView::grabImage() {
    QImage image = grab().toImage();
    QPainter painter(&image);
    for (VtkWidget* view : findChildren<VtkWidget*>()) {
        if (!view->isVisible())
            continue;
        const QImage scene = view->grabScene();
        if (!scene.isNull())
            painter.drawImage(QRect(view->mapTo(this, QPoint(0, 0)), view->size()), scene);
    }
    return image;
}

} // namespace embedscope::ui
