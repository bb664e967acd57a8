// EmbeddingView's principal curves (seed-003 lab note, SPEC S3: "Local Principal Curves for
// Multiple Perturbations"): the Curves popup, analyseCurves on the displayed coordinates and
// the overlay. Split from embedding_view.cpp to keep both files short.
#include "embedscope/engine/embedding_geometry.h"
#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/vtk_widget.h"

#include "curve_controls.h"

#include <QElapsedTimer>
#include <QFontMetrics>
#include <QLabel>
#include <QThread>
#include <QToolButton>

#include <cmath>
#include <utility>

namespace embedscope::ui {

void EmbeddingView::setMetadata(const MetadataTable& metadata) {
    metadata_ = metadata;
    QStringList columns, numeric;
    for (const MetadataColumn& c : metadata_.columns()) {
        columns << QString::fromStdString(c.name);
        if (c.numeric)
            numeric << QString::fromStdString(c.name);
    }
    curveControls_->setColumns(columns, numeric);
    refreshCurves();
    updateControls();
}

void EmbeddingView::setCurveColumns(const QString& groupColumn, const QString& orderColumn) {
    curveControls_->setGroupColumn(groupColumn);
    curveControls_->setOrderColumn(orderColumn);
    refreshCurves();
}

QString EmbeddingView::curveGroupColumn() const {
    return curveControls_->groupColumn();
}

QString EmbeddingView::curveOrderColumn() const {
    return curveControls_->orderColumn();
}

void EmbeddingView::setCurveLayers(bool curves, bool points, bool centroids) {
    curveControls_->setLayers(curves, points, centroids);
    applyCurveLayers();
    vtk_->requestRender();
}

std::vector<std::string> EmbeddingView::curveGroups() const {
    std::vector<std::string> out;
    for (const auto& c : overlay_->data().curves)
        out.push_back(c.category);
    return out;
}

const std::vector<std::string>& EmbeddingView::shownCategories() const {
    return curvesActive_ && curvePointGroups_.size() == data_.pointCount() ? curvePointGroups_
                                                                           : data_.categories;
}

void EmbeddingView::applyCurveLayers() {
    overlay_->setCurvesVisible(curveControls_->showCurves());
    overlay_->setCentresVisible(curveControls_->showCentroids());
    // Hiding the points only makes sense under curves: without them the plot would be empty.
    overlay_->setPointsVisible(!curvesActive_ || curveControls_->showPoints());
}

void EmbeddingView::showCurveControls() {
    curveControls_->adjustSize();
    curveControls_->move(curvesButton_->mapToGlobal(QPoint(0, curvesButton_->height())));
    curveControls_->show();
}

struct EmbeddingView::CurveJob {
    unsigned generation = 0;
    Eigen::MatrixXd features;
    std::vector<std::string> groups;
    Eigen::VectorXd order;
    int dims = 2;
};

struct EmbeddingView::CurveResult {
    CurveAnalysis analysis;
    QString error;
    bool cancelled = false;
    double millis = 0;
};

void EmbeddingView::refreshCurves() {
    const bool wasActive = curvesActive_;
    recomputeCurves();
    if (data_.pointCount() > 0 && (wasActive || curvesActive_)) {
        showData(/*keepCamera=*/true);
        refreshEmphasisList();
    }
    updateControls();
    if (!curvesPending_)
        Q_EMIT curvesChanged();
}

// Prepares the colouring at once (it needs only the metadata) and fits the curves on a worker
// thread: analyseCurves took 28-135 ms (2-D) and 38-123 ms (3-D) for 2,000 points on the busy
// 2-core development machine, more than the 50 ms a UI event may take.
void EmbeddingView::recomputeCurves() {
    ++curveGeneration_;
    curvesActive_ = false;
    curvesPending_ = false;
    curveData_ = viewer::CurveOverlayData{};
    curvePointGroups_.clear();
    curvePointColors_.clear();
    curveMessage_.clear();
    const std::string groupName = curveGroupColumn().toStdString();
    const std::string orderName = curveOrderColumn().toStdString();
    const std::size_t n = data_.pointCount();
    auto finish = [this] {
        curveStatusLabel_->setToolTip(curveMessage_);
        curveStatusLabel_->setText(
            curvesPending_ ? tr("fitting curves…")
                           : curveStatusLabel_->fontMetrics().elidedText(
                                 QString(curveMessage_).replace(QLatin1Char('\n'), "; "),
                                 Qt::ElideRight, 360));
    };
    if (groupName.empty() || n == 0 || !metadata_.has(groupName)) {
        finish();
        return;
    }
    if (metadata_.rowCount() != n) {
        curveMessage_ = tr("Curves off: the metadata has %1 rows for %2 points")
                            .arg(metadata_.rowCount())
                            .arg(n);
        finish();
        return;
    }

    auto job = std::make_shared<CurveJob>();
    job->generation = curveGeneration_;
    job->dims = dims_ == 3 ? 3 : 2;
    const MetadataColumn& groupColumn = metadata_.column(groupName);
    job->groups.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        job->groups[i] = groupColumn.text(i);
    curvePointGroups_ = job->groups;
    job->order = Eigen::VectorXd::Zero(Eigen::Index(n));
    if (!orderName.empty() && metadata_.has(orderName) && metadata_.column(orderName).numeric) {
        const std::vector<double>& values = metadata_.column(orderName).numbers;
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isfinite(values[i]))
                job->order(Eigen::Index(i)) = values[i];
            else
                job->groups[i].clear(); // no order value: left out of the curve (drawn grey)
        }
        curveData_.values = values;
        curveData_.valueTitle = orderName;
        curvePointColors_ = viewer::CurveOverlay::valueColors(values);
    }
    job->features.resize(Eigen::Index(n), job->dims);
    for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < job->dims; ++k)
            job->features(Eigen::Index(i), k) = data_.xyz[3 * i + std::size_t(k)];
    curvesActive_ = true;
    curvesPending_ = true;
    finish();
    if (curveThread_) { // one fit at a time: stop the running one, start this one after it
        pendingCurveJob_ = job;
        curveContext_->requestCancel();
        return;
    }
    launchCurveJob(job);
}

void EmbeddingView::launchCurveJob(std::shared_ptr<CurveJob> job) {
    auto context = std::make_shared<JobContext>();
    auto result = std::make_shared<CurveResult>();
    curveContext_ = context;
    curveThread_ = QThread::create([job, context, result] {
        QElapsedTimer timer;
        timer.start();
        try {
            CurveAnalysisOptions options;
            options.pcaDims = 0; // fit in the plotted coordinates so the curves lie in the plot
            result->analysis =
                analyseCurves(job->features, job->groups, job->order, options, *context);
        } catch (const CancelledError&) {
            result->cancelled = true;
        } catch (const std::exception& e) {
            result->error = QString::fromStdString(e.what());
        }
        result->millis = double(timer.nsecsElapsed()) / 1e6;
    });
    connect(curveThread_, &QThread::finished, this, [this, job, result] {
        curveThread_->deleteLater();
        curveThread_ = nullptr;
        curveContext_.reset();
        if (pendingCurveJob_)
            launchCurveJob(std::exchange(pendingCurveJob_, nullptr));
        if (job->generation == curveGeneration_ && !result->cancelled)
            applyCurveResult(*job, *result);
    });
    curveThread_->start();
}

void EmbeddingView::applyCurveResult(const CurveJob& job, const CurveResult& result) {
    curvesPending_ = false;
    curveMillis_ = result.millis;
    QStringList failures;
    if (!result.error.isEmpty())
        failures << tr("No curves: %1").arg(result.error);
    auto toXyz = [&job](const Eigen::MatrixXd& m) {
        std::vector<double> xyz(std::size_t(m.rows()) * 3, 0.0);
        for (Eigen::Index r = 0; r < m.rows(); ++r)
            for (int k = 0; k < std::min<int>(job.dims, int(m.cols())); ++k)
                xyz[std::size_t(r) * 3 + std::size_t(k)] = m(r, k);
        return xyz;
    };
    for (const GroupCurve& g : result.analysis.groups) {
        if (!g.ok || g.curve.splinePoints.rows() < 2) {
            failures << QStringLiteral("%1: %2").arg(QString::fromStdString(g.group),
                                                     QString::fromStdString(g.error));
            continue;
        }
        curveData_.curves.push_back(
            {g.group, toXyz(g.curve.splinePoints), toXyz(g.curve.lpcPoints)});
        // Drawn, but worth a look (e.g. "the curve ends inside the data"); the routine note
        // that a curve was reversed to start at the low end is left out.
        for (const QString& note : QString::fromStdString(g.curve.warning).split("; ")) {
            if (!note.isEmpty() && !note.startsWith(QLatin1String("reversed")))
                failures << QStringLiteral("%1: %2").arg(QString::fromStdString(g.group), note);
        }
    }
    curveMessage_ = failures.join(QLatin1Char('\n'));
    curveStatusLabel_->setToolTip(curveMessage_);
    curveStatusLabel_->setText(curveStatusLabel_->fontMetrics().elidedText(
        QString(curveMessage_).replace(QLatin1Char('\n'), "; "), Qt::ElideRight, 360));
    if (data_.pointCount() > 0)
        showData(/*keepCamera=*/true);
    Q_EMIT curvesChanged();
}

void EmbeddingView::stopCurveJob() {
    pendingCurveJob_.reset();
    if (!curveThread_)
        return;
    curveContext_->requestCancel();
    curveThread_->wait();
    delete curveThread_;
    curveThread_ = nullptr;
}

} // namespace embedscope::ui
