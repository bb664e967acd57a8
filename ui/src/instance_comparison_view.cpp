#include "embedscope/ui/instance_comparison_view.h"

#include "embedscope/ui/embedding_view.h"
#include "embedscope/ui/vtk_widget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <cmath>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace embedscope::ui {
namespace {

QString number(double v, int decimals = 3) {
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

QLabel* caption() {
    auto* label = new QLabel;
    label->setAlignment(Qt::AlignCenter);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

} // namespace

InstanceComparisonView::InstanceComparisonView(QWidget* parent) : QWidget(parent) {
    runB_ = new QComboBox;
    runB_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    runB_->setToolTip(tr("Run B, drawn on the right in run A's frame (Kabsch-aligned): by "
                         "default the held-out instance of A (config 'holdout', or the name "
                         "A + \"-hld\")"));
    summary_ = new QLabel;
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long summary must not widen the dock (a relayout re-renders both VTK views).
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignCenter);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    viewA_ = new EmbeddingView;
    viewB_ = new EmbeddingView;
    // Two full toolbars side by side would widen the main window past its default width;
    // narrower, a view's toolbar is cut at the right (the count label goes first).
    for (EmbeddingView* view : {viewA_, viewB_})
        view->setMinimumWidth(360);
    captionA_ = caption();
    captionB_ = caption();
    views_ = new QWidget;
    auto* grid = new QHBoxLayout(views_);
    grid->setContentsMargins(0, 0, 0, 0);
    for (auto [label, view] : {std::pair{captionA_, viewA_}, std::pair{captionB_, viewB_}}) {
        auto* column = new QVBoxLayout;
        column->setSpacing(1);
        column->addWidget(label);
        column->addWidget(view, 1);
        grid->addLayout(column, 1);
    }

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Compare with")));
    top->addWidget(runB_);
    top->addWidget(summary_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(message_);
    layout->addWidget(views_, 1);
    // The two sides are looked at together: a 2-D/3-D choice in one applies to both.
    for (EmbeddingView* view : {viewA_, viewB_})
        connect(view, &EmbeddingView::dimensionsChanged, this, [this](int dims) {
            dims_ = dims;
            for (EmbeddingView* v : {viewA_, viewB_})
                if (v->dimensions() != dims)
                    v->setDimensions(dims);
        });
    linkCameras();
    connect(runB_, &QComboBox::currentTextChanged, this, [this](const QString& run) {
        if (!run.isEmpty())
            Q_EMIT runBSelected(run);
    });
    clear(tr("Select a run to compare it with its held-out instance."));
}

InstanceComparisonView::~InstanceComparisonView() {
    viewA_->scene().renderer()->GetActiveCamera()->RemoveObserver(cameraObserver_);
}

void InstanceComparisonView::linkCameras() {
    vtkCamera* camera = viewA_->scene().renderer()->GetActiveCamera();
    viewB_->scene().renderer()->SetActiveCamera(camera);
    auto command = vtkSmartPointer<vtkCallbackCommand>::New();
    command->SetClientData(this);
    command->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
        static_cast<InstanceComparisonView*>(self)->onCameraModified();
    });
    cameraObserver_ = camera->AddObserver(vtkCommand::ModifiedEvent, command);
}

void InstanceComparisonView::onCameraModified() {
    // Only a new pose re-renders: a render that touches the camera (e.g. its clipping range)
    // must not make the two views render each other forever.
    vtkCamera* camera = viewA_->scene().renderer()->GetActiveCamera();
    std::array<double, 10> pose{};
    camera->GetPosition(pose.data());
    camera->GetFocalPoint(pose.data() + 3);
    camera->GetViewUp(pose.data() + 6);
    pose[9] = camera->GetParallelScale();
    if (pose == cameraPose_)
        return;
    cameraPose_ = pose;
    viewA_->vtkWidget()->requestRender();
    viewB_->vtkWidget()->requestRender();
}

void InstanceComparisonView::setRunChoices(const QStringList& runs, const QString& current) {
    const QSignalBlocker blocker(runB_);
    runB_->clear();
    runB_->addItems(runs);
    runB_->setCurrentIndex(runs.indexOf(current));
}

QString InstanceComparisonView::runB() const {
    return runB_->currentText();
}

void InstanceComparisonView::clear(const QString& message) {
    hasComparison_ = false;
    comparison_ = InstanceComparison{};
    f1A_ = seA_ = f1B_ = seB_ = std::numeric_limits<double>::quiet_NaN();
    summary_->clear();
    summary_->setToolTip(QString());
    message_->setText(message);
    message_->setVisible(true);
    views_->setVisible(false);
}

void InstanceComparisonView::showComparison(const QString& runA, const QString& runB,
                                            const viewer::ScatterData& a,
                                            const viewer::ScatterData& bAligned,
                                            const MetadataTable& metadata,
                                            const QString& groupColumn, const QString& orderColumn,
                                            const InstanceComparison& comparison) {
    views_->setVisible(true);
    message_->setVisible(false);
    // The views fit their curves in the drawn coordinates: A's PCA 3, and B's after the
    // alignment, so B's curves are its own curves carried into A's frame.
    viewA_->setEmbedding(a);
    viewB_->setEmbedding(bAligned);
    for (EmbeddingView* view : {viewA_, viewB_}) {
        view->setColorColumns({groupColumn}, groupColumn);
        view->setMetadata(metadata);
        view->setCurveColumns(groupColumn, orderColumn);
        if (view->dimensions() != dims_)
            view->setDimensions(dims_);
    }
    runAName_ = runA;
    runBName_ = runB;
    captionA_->setText(tr("A: %1").arg(runA));
    captionB_->setText(comparison.bMirrored ? tr("B: %1 (aligned onto A, PC3 mirrored)").arg(runB)
                                            : tr("B: %1 (aligned onto A)").arg(runB));
    comparison_ = comparison;
    hasComparison_ = true;
    updateSummary();
}

void InstanceComparisonView::setF1(double f1A, double seA, double f1B, double seB) {
    f1A_ = f1A;
    seA_ = seA;
    f1B_ = f1B;
    seB_ = seB;
    updateSummary();
}

void InstanceComparisonView::updateSummary() {
    if (!hasComparison_)
        return;
    const InstanceComparison& c = comparison_;
    // Lab note names: initial RMSE, Aligned_RMSE, SegmentColinearity, F1_score_all / _hld.
    QString text =
        tr("initial RMSE %1 → aligned RMSE %2 · SegmentColinearity %3 over %4 "
           "group(s)")
            .arg(number(c.initialRmseAll), number(c.alignedRmseAll), number(c.colinearityMean))
            .arg(c.groups.size());
    if (std::isfinite(f1A_) || std::isfinite(f1B_))
        text += tr(" · F1 all (A) %1 ± %2, F1 hld (B) %3 ± %4")
                    .arg(number(f1A_), number(seA_, 3), number(f1B_), number(seB_, 3));
    if (!c.skipped.empty())
        text += tr(" · %1 skipped").arg(c.skipped.size());
    summary_->setText(text);
    summary_->setToolTip(perGroupText());
}

QString InstanceComparisonView::perGroupText() const {
    if (!hasComparison_)
        return {};
    const InstanceComparison& c = comparison_;
    QString html = QStringLiteral("<table><tr><th align=left>%1</th><th>%2</th><th>%3</th>"
                                  "<th>%4</th></tr>")
                       .arg(tr("group"), tr("initial RMSE"), tr("aligned RMSE"), tr("colinearity"));
    for (std::size_t g = 0; g < c.groups.size(); ++g)
        html += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td>"
                               "<td align=right>%4</td></tr>")
                    .arg(QString::fromStdString(c.groups[g]).toHtmlEscaped(),
                         number(g < c.initialRmse.size() ? c.initialRmse[g] : NAN),
                         number(g < c.alignedRmse.size() ? c.alignedRmse[g] : NAN),
                         number(g < c.colinearity.size() ? c.colinearity[g] : NAN));
    html += QStringLiteral("</table>");
    for (const std::string& s : c.skipped)
        html += QStringLiteral("<br>%1").arg(QString::fromStdString(s).toHtmlEscaped());
    html +=
        tr("<br>Kabsch (%1), scale %2%3")
            .arg(QString::fromStdString(c.alignment.method).toHtmlEscaped(),
                 number(c.alignment.scale),
                 c.bMirrored ? tr("; B's PC3 negated first (a PCA axis has no sign)") : QString());
    return html;
}

QString InstanceComparisonView::message() const {
    return message_->isHidden() ? QString() : message_->text();
}

QString InstanceComparisonView::summary() const {
    return summary_->text();
}

} // namespace embedscope::ui
