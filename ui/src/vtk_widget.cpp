#include "embedscope/ui/vtk_widget.h"

#include "vtk_gl_window.h"

#include <QSurfaceFormat>
#include <QVBoxLayout>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>

namespace embedscope::ui {

VtkWidget::VtkWidget(QWidget* parent) : QWidget(parent) {
    setMinimumSize(120, 90);
    window_ = new detail::VtkGLWindow(this);
    container_ = QWidget::createWindowContainer(window_, this);
    container_->setObjectName(QStringLiteral("vtkWindowContainer"));
    container_->setFocusPolicy(Qt::StrongFocus); // focus activates the window: keys reach VTK
    container_->setMinimumSize(1, 1);
    setFocusPolicy(Qt::StrongFocus);
    setFocusProxy(container_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(container_);

    connect(window_, &detail::VtkGLWindow::mousePressed, this,
            [this](QPointF pos, Qt::MouseButton button) {
                Q_EMIT mousePressed(fromWindow(pos), button);
            });
    connect(window_, &detail::VtkGLWindow::mouseReleased, this,
            [this](QPointF pos, Qt::MouseButton button) {
                Q_EMIT mouseReleased(fromWindow(pos), button);
            });
    connect(window_, &detail::VtkGLWindow::mouseMoved, this,
            [this](QPointF pos, Qt::MouseButtons buttons) {
                Q_EMIT mouseMoved(fromWindow(pos), buttons);
            });
    connect(window_, &detail::VtkGLWindow::mouseLeft, this, &VtkWidget::mouseLeft);
}

// The container deletes the window (and with it the VTK objects) when QWidget deletes it.
VtkWidget::~VtkWidget() = default;

void VtkWidget::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(0);
    format.setSamples(0);
    QSurfaceFormat::setDefaultFormat(format);
}

vtkRenderWindow* VtkWidget::renderWindow() const {
    return window_->renderWindow();
}

vtkRenderWindowInteractor* VtkWidget::interactor() const {
    return window_->interactor();
}

QWindow* VtkWidget::glWindow() const {
    return window_;
}

void VtkWidget::setInteractionMode(InteractionMode mode) {
    mode_ = mode;
    window_->setInteractionMode(mode);
}

void VtkWidget::requestRender() {
    window_->requestRender();
}

QImage VtkWidget::grabScene() {
    return window_->grabScene();
}

bool VtkWidget::exportPng(const QString& path, int scale, QString* error) {
    return window_->exportPng(path, scale, error);
}

QPointF VtkWidget::fromWindow(const QPointF& windowPos) const {
    return windowPos + QPointF(container_->pos());
}

QPointF VtkWidget::toDisplay(const QPointF& widgetPos) const {
    return window_->toDisplay(widgetPos - QPointF(container_->pos()));
}

QPointF VtkWidget::fromDisplay(double displayX, double displayY) const {
    return fromWindow(window_->fromDisplay(displayX, displayY));
}

} // namespace embedscope::ui
