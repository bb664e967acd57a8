#include "embedscope/ui/embedding_view.h"

#include "embedscope/engine/error.h"
#include "embedscope/ui/export_figure_dialog.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/vtk_widget.h"

#include "curve_controls.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <algorithm>

namespace embedscope::ui {
namespace {

constexpr int kClickSlop = 4;      // logical pixels a click may move and still pick
constexpr double kPickRadius = 12; // device pixels around a marker that count as a hit

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(tip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

EmbeddingView::EmbeddingView(QWidget* parent)
    : QWidget(parent), scene_(std::make_unique<viewer::ScatterScene>()) {
    overlay_ = std::make_unique<viewer::CurveOverlay>(*scene_);
    doseOverlay_ = std::make_unique<viewer::CurveOverlay>(*scene_);
    button2d_ = toolButton(tr("2-D"), tr("Flat view of the first two coordinates"), this);
    button2d_->setObjectName(QStringLiteral("dims2dButton"));
    button3d_ = toolButton(tr("3-D"), tr("Rotatable view of three coordinates"), this);
    button3d_->setObjectName(QStringLiteral("dims3dButton"));
    for (QToolButton* b : {button2d_, button3d_})
        b->setCheckable(true);
    dimsGroup_ = new QButtonGroup(this);
    dimsGroup_->setExclusive(true);
    dimsGroup_->addButton(button2d_, 2);
    dimsGroup_->addButton(button3d_, 3);
    connect(dimsGroup_, &QButtonGroup::idClicked, this, [this](int dims) {
        userDims_ = dims;
        setDimensions(dims);
    });

    colorBy_ = new QComboBox(this);
    colorBy_->setObjectName(QStringLiteral("colorByCombo"));
    colorBy_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    colorBy_->setToolTip(tr("Metadata column that colours the points"));
    connect(colorBy_, &QComboBox::currentTextChanged, this, [this](const QString& column) {
        if (!column.isEmpty())
            Q_EMIT colorColumnChanged(column);
    });

    emphasis_ = new QComboBox(this);
    emphasis_->setObjectName(QStringLiteral("emphasisCombo"));
    emphasis_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    emphasis_->setToolTip(tr("Show one group against the rest: the others are drawn smaller, in "
                             "grey, as \"other\""));
    connect(emphasis_, &QComboBox::currentIndexChanged, this, [this] {
        if (data_.pointCount() > 0)
            showData(/*keepCamera=*/true);
        Q_EMIT emphasisChanged(emphasis());
    });

    resetButton_ = toolButton(tr("Reset view"), tr("Fit all points in the view"), this);
    resetButton_->setObjectName(QStringLiteral("resetViewButton"));
    connect(resetButton_, &QToolButton::clicked, this, &EmbeddingView::resetCamera);
    exportButton_ = toolButton(
        tr("Export…"), tr("Save the plot as PNG, SVG (2-D) or PDF at a chosen size and DPI"), this);
    exportButton_->setObjectName(QStringLiteral("exportPngButton"));
    connect(exportButton_, &QToolButton::clicked, this, &EmbeddingView::exportWithDialog);
    countLabel_ = new QLabel(this);

    curvesButton_ = toolButton(
        tr("Curves…"), tr("Principal curves per group, points coloured by time/dose"), this);
    curvesButton_->setObjectName(QStringLiteral("curvesButton"));
    curveControls_ = new CurveControls(this);
    connect(curvesButton_, &QToolButton::clicked, this, &EmbeddingView::showCurveControls);
    connect(curveControls_, &CurveControls::columnsChanged, this, &EmbeddingView::refreshCurves);
    connect(curveControls_, &CurveControls::layersChanged, this, [this] {
        applyCurveLayers();
        vtk_->requestRender();
    });
    doseButton_ = toolButton(tr("Dose paths"),
                             tr("Arrows from the control centroid through each substance's dose "
                                "centroids, lowest to highest"),
                             this);
    doseButton_->setObjectName(QStringLiteral("dosePathsButton"));
    doseButton_->setCheckable(true);
    connect(doseButton_, &QToolButton::toggled, this, &EmbeddingView::setDosePathsVisible);
    curveStatusLabel_ = new QLabel(this);
    curveStatusLabel_->setObjectName(QStringLiteral("curveStatusLabel"));
    curveStatusLabel_->setStyleSheet(QStringLiteral("color: #a33;"));

    auto* toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(4, 2, 4, 2);
    toolbar->addWidget(button2d_);
    toolbar->addWidget(button3d_);
    toolbar->addSpacing(12);
    toolbar->addWidget(new QLabel(tr("Colour by:"), this));
    toolbar->addWidget(colorBy_);
    toolbar->addWidget(new QLabel(tr("Emphasise:"), this));
    toolbar->addWidget(emphasis_);
    toolbar->addWidget(curvesButton_);
    toolbar->addWidget(doseButton_);
    toolbar->addSpacing(12);
    toolbar->addWidget(resetButton_);
    toolbar->addWidget(exportButton_);
    toolbar->addStretch(1);
    toolbar->addWidget(curveStatusLabel_);
    toolbar->addSpacing(8);
    toolbar->addWidget(countLabel_);

    vtk_ = new VtkWidget(this);
    vtk_->renderWindow()->AddRenderer(scene_->renderer());
    // Clicks and hovers, before VTK's camera handling. The events go to the VtkWidget's native
    // GL window, so no widget event filter (nor QEvent::ToolTip) sees them.
    connect(vtk_, &VtkWidget::mousePressed, this, &EmbeddingView::onMousePressed);
    connect(vtk_, &VtkWidget::mouseReleased, this, &EmbeddingView::onMouseReleased);
    connect(vtk_, &VtkWidget::mouseMoved, this, &EmbeddingView::onMouseMoved);
    connect(vtk_, &VtkWidget::mouseLeft, this, &EmbeddingView::onMouseLeft);
    hoverTimer_ = new QTimer(this);
    hoverTimer_->setSingleShot(true);
    hoverTimer_->setInterval(style()->styleHint(QStyle::SH_ToolTip_WakeUpDelay, nullptr, this));
    connect(hoverTimer_, &QTimer::timeout, this, &EmbeddingView::showHoverTip);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(toolbar);
    layout->addWidget(vtk_, 1);
    updateControls();
}

EmbeddingView::~EmbeddingView() {
    stopCurveJob();
    doseOverlay_.reset(); // removes its actors from the scene's renderer
    overlay_.reset();
    // The widget's render window would keep the renderer alive after the scene is gone.
    vtk_->renderWindow()->RemoveRenderer(scene_->renderer());
}

void EmbeddingView::setEmbedding(const viewer::ScatterData& data) {
    viewer::ScatterData copy = data;
    if (data.dims == 2 || data.dims == 3) // anything else: let setData report it
        copy.dims = std::min(userDims_ != 0 ? userDims_ : 2, data.dims); // 2-D until asked
    scene_->setData(displayed(copy)); // validates: throws before anything here changes
    data_ = data;
    dims_ = copy.dims;
    refreshCurves(); // a new run: new coordinates for the curves
    refreshEmphasisList();
    applyDosePaths();
    vtk_->setInteractionMode(dims_ == 3 ? VtkWidget::InteractionMode::Rotate3D
                                        : VtkWidget::InteractionMode::Pan2D);
    updateControls();
    vtk_->requestRender();
}

void EmbeddingView::setCategories(const std::vector<std::string>& categories,
                                  const QString& title) {
    viewer::ScatterData copy = data_;
    copy.dims = dims_;
    copy.categories = categories;
    copy.colorTitle = title.toStdString();
    const int selected = scene_->highlighted();
    {
        // A new colouring starts with every category shown.
        const QSignalBlocker block(emphasis_);
        emphasis_->setCurrentIndex(0);
    }
    scene_->setData(displayed(copy), /*keepCamera=*/true);
    overlay_->setData(curvesActive_ ? curveData_ : viewer::CurveOverlayData{});
    scene_->highlight(selected);
    data_.categories = categories;
    data_.colorTitle = copy.colorTitle;
    refreshEmphasisList();
    applyDosePaths();
    vtk_->requestRender();
}

void EmbeddingView::clear() {
    data_ = viewer::ScatterData{};
    scene_->setData(data_);
    recomputeCurves();
    overlay_->clear();
    doseOverlay_->clear();
    refreshEmphasisList();
    updateControls();
    vtk_->requestRender();
}

void EmbeddingView::setColorColumns(const QStringList& columns, const QString& current) {
    const QSignalBlocker block(colorBy_);
    colorBy_->clear();
    colorBy_->addItems(columns);
    const int index = columns.indexOf(current);
    colorBy_->setCurrentIndex(index >= 0 ? index : (columns.isEmpty() ? -1 : 0));
    updateControls();
}

QString EmbeddingView::colorColumn() const {
    return colorBy_->currentText();
}

void EmbeddingView::setDimensions(int dims) {
    const int shown = (dims == 3 && data_.dims == 3) ? 3 : 2;
    const bool changed = shown != dims_;
    dims_ = shown;
    recomputeCurves(); // the curves live in the displayed coordinates
    showData(/*keepCamera=*/false);
    vtk_->setInteractionMode(dims_ == 3 ? VtkWidget::InteractionMode::Rotate3D
                                        : VtkWidget::InteractionMode::Pan2D);
    updateControls();
    if (changed)
        Q_EMIT dimensionsChanged(dims_);
}

void EmbeddingView::showData(bool keepCamera) {
    viewer::ScatterData copy = data_;
    copy.dims = dims_;
    const int selected = scene_->highlighted();
    scene_->setData(displayed(copy), keepCamera);
    overlay_->setData(curvesActive_ ? curveData_ : viewer::CurveOverlayData{});
    applyCurveLayers();
    applyDosePaths();
    scene_->highlight(selected);
    vtk_->requestRender();
}

void EmbeddingView::resetCamera() {
    scene_->resetCamera();
    vtk_->requestRender();
}

int EmbeddingView::pick(QPoint vtkWidgetPos) const {
    const QPointF display = vtk_->toDisplay(QPointF(vtkWidgetPos));
    return scene_->pickNearest(display.x(), display.y(), kPickRadius * vtk_->devicePixelRatioF());
}

QPoint EmbeddingView::widgetPosition(int index) const {
    const auto display = scene_->displayPosition(index);
    if (display[0] < 0)
        return {-1, -1};
    return vtk_->fromDisplay(display[0], display[1]).toPoint();
}

void EmbeddingView::highlight(int index) {
    scene_->highlight(index);
    vtk_->requestRender();
}

int EmbeddingView::highlighted() const {
    return scene_->highlighted();
}

bool EmbeddingView::exportPng(const QString& path, int scale) {
    lastError_.clear();
    if (!vtk_->exportPng(path, scale, &lastError_))
        return false;
    Q_EMIT exported(path);
    return true;
}

void EmbeddingView::exportWithDialog() {
    // The same dialog and figure as File > Export figure: 2-D as vectors, 3-D at any DPI.
    if (auto f = figure())
        ExportFigureDialog::exportWithDialog(this, *f);
}

void EmbeddingView::updateControls() {
    const bool has3d = data_.dims == 3;
    button3d_->setEnabled(has3d);
    (dims_ == 3 ? button3d_ : button2d_)->setChecked(true);
    const bool hasPoints = data_.pointCount() > 0;
    resetButton_->setEnabled(hasPoints);
    exportButton_->setEnabled(hasPoints);
    colorBy_->setEnabled(colorBy_->count() > 0 && !curvesActive_);
    colorBy_->setToolTip(curvesActive_ ? tr("Curves are on: points are coloured by their order "
                                            "column, the legend lists the curve groups")
                                       : tr("Metadata column that colours the points"));
    curvesButton_->setEnabled(metadata_.rowCount() > 0);
    doseButton_->setEnabled(hasPoints && dosePathsAvailable());
    countLabel_->setText(hasPoints ? tr("%n point(s)", nullptr, int(data_.pointCount()))
                                   : QString());
}

void EmbeddingView::onMousePressed(QPointF pos, Qt::MouseButton button) {
    hoverTimer_->stop();
    if (hoverIndex_ >= 0) {
        hoverIndex_ = -1;
        QToolTip::hideText();
    }
    if (button == Qt::LeftButton) {
        pressPos_ = pos.toPoint();
        leftPressed_ = true;
    }
}

void EmbeddingView::onMouseReleased(QPointF pos, Qt::MouseButton button) {
    if (button != Qt::LeftButton || !leftPressed_)
        return;
    leftPressed_ = false;
    const QPoint at = pos.toPoint();
    if ((at - pressPos_).manhattanLength() > kClickSlop)
        return; // a drag moved the camera: not a selection
    const int index = pick(at);
    highlight(index);
    if (index >= 0)
        Q_EMIT pointPicked(index);
}

void EmbeddingView::onMouseMoved(QPointF pos, Qt::MouseButtons buttons) {
    hoverPos_ = pos.toPoint();
    if (buttons != Qt::NoButton) { // dragging the camera: no tooltips
        hoverTimer_->stop();
        return;
    }
    if (hoverIndex_ >= 0)
        showHoverTip(); // a tip is up: follow the pointer without the delay
    else
        hoverTimer_->start();
}

void EmbeddingView::onMouseLeft() {
    hoverTimer_->stop();
    if (hoverIndex_ >= 0) {
        hoverIndex_ = -1;
        QToolTip::hideText();
    }
}

void EmbeddingView::showHoverTip() {
    const int index = pick(hoverPos_);
    const QString label = QString::fromStdString(scene_->labelOf(index));
    if (index >= 0 && !label.isEmpty()) {
        if (index != hoverIndex_ || !QToolTip::isVisible())
            QToolTip::showText(vtk_->mapToGlobal(hoverPos_), label, vtk_);
        hoverIndex_ = index;
    } else if (hoverIndex_ >= 0) {
        hoverIndex_ = -1;
        QToolTip::hideText();
    }
}

} // namespace embedscope::ui

namespace embedscope::ui {

void EmbeddingView::setEmphasis(const QString& category) {
    const int i = category.isEmpty() ? 0 : emphasis_->findData(category);
    if (i >= 0)
        emphasis_->setCurrentIndex(i);
}

QString EmbeddingView::emphasis() const {
    return emphasis_->currentData().toString();
}

void EmbeddingView::refreshEmphasisList() {
    std::vector<std::string> unique = shownCategories();
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    const QString previous = emphasis();
    const QSignalBlocker block(emphasis_);
    emphasis_->clear();
    emphasis_->addItem(tr("(all groups)"), QString());
    for (const std::string& c : unique)
        if (!viewer::ScatterScene::isOtherCategory(c))
            emphasis_->addItem(QString::fromStdString(c), QString::fromStdString(c));
    const int keep = emphasis_->findData(previous);
    emphasis_->setCurrentIndex(keep >= 0 ? keep : 0);
    emphasis_->setEnabled(emphasis_->count() > 2);
}

viewer::ScatterData EmbeddingView::displayed(const viewer::ScatterData& d) const {
    viewer::ScatterData out = d;
    if (curvesActive_ && curvePointGroups_.size() == out.pointCount()) {
        out.categories = curvePointGroups_; // legend = curve colours
        out.colorTitle = curveGroupColumn().toStdString();
        out.pointColors = curvePointColors_; // by time/dose, or empty = by group
    }
    const std::string focus = emphasis().toStdString();
    bool anyOther = false;
    for (std::size_t i = 0; i < out.categories.size(); ++i) {
        std::string& c = out.categories[i];
        if (!focus.empty() && c != focus)
            c = viewer::ScatterScene::kOtherCategory;
        const bool other = viewer::ScatterScene::isOtherCategory(c);
        anyOther = anyOther || other;
        if (other && !out.pointColors.empty()) {
            const auto grey = viewer::ScatterScene::otherColor();
            std::copy(grey.begin(), grey.end(), out.pointColors.begin() + long(3 * i));
        }
    }
    if (anyOther && out.pointSizes.empty()) {
        out.pointSizes.assign(out.pointCount(), 1.0);
        for (std::size_t i = 0; i < out.categories.size(); ++i)
            if (viewer::ScatterScene::isOtherCategory(out.categories[i]))
                out.pointSizes[i] = kOtherPointScale;
    }
    return out;
}

} // namespace embedscope::ui
