#include "embedscope/ui/vtk_widget.h"

#include "embedscope/viewer/png_export.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLState.h>

#include <exception>

namespace embedscope::ui {
namespace {

// VTK's default key bindings include 'q'/'e' (exit), 'w'/'s' (wireframe), '3' (stereo), 'f'
// (fly-to) and 'r' (a reset that ignores the legend margin): none belong in an embedded view.
class RotateStyle : public vtkInteractorStyleTrackballCamera {
public:
    static RotateStyle* New();
    vtkTypeMacro(RotateStyle, vtkInteractorStyleTrackballCamera);
    void OnChar() override {}
};
vtkStandardNewMacro(RotateStyle);

// 2-D: the left button pans instead of rotating; right drag and the wheel still zoom.
class PanZoomStyle : public RotateStyle {
public:
    static PanZoomStyle* New();
    vtkTypeMacro(PanZoomStyle, RotateStyle);
    void OnLeftButtonDown() override {
        const int* pos = Interactor->GetEventPosition();
        FindPokedRenderer(pos[0], pos[1]);
        if (CurrentRenderer == nullptr)
            return;
        GrabFocus(EventCallbackCommand);
        StartPan();
    }
};
vtkStandardNewMacro(PanZoomStyle);

} // namespace

VtkWidget::VtkWidget(QWidget* parent) : QOpenGLWidget(parent) {
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(120, 90);

    window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
    window_->SetReadyForRendering(false); // until initializeGL has a context
    window_->SetFrameBlitModeToNoBlit();  // paintGL blits into the widget's framebuffer
    window_->SetMultiSamples(0);
    for (unsigned long id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                             vtkCommand::WindowFrameEvent}) {
        windowObservers_.push_back(window_->AddObserver(id, this, &VtkWidget::onRenderWindowEvent));
    }

    interactor_ = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    interactor_->SetRenderWindow(window_);
    // Qt decides when to paint: the interactor only reports that a render is wanted.
    interactor_->EnableRenderOff();
    interactorObserver_ =
        interactor_->AddObserver(vtkCommand::RenderEvent, this, &VtkWidget::onInteractorRender);
    panZoomStyle_ = vtkSmartPointer<PanZoomStyle>::New();
    rotateStyle_ = vtkSmartPointer<RotateStyle>::New();
    interactor_->SetInteractorStyle(rotateStyle_);
    interactor_->Initialize();
}

VtkWidget::~VtkWidget() {
    makeCurrent();
    releaseGraphics();
    // ~QOpenGLWidget destroys the context after our members are gone: no callback then.
    if (context() != nullptr)
        disconnect(context(), nullptr, this, nullptr);
    interactor_->RemoveObserver(interactorObserver_);
    for (unsigned long id : windowObservers_)
        window_->RemoveObserver(id);
}

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
    return window_;
}
vtkRenderWindowInteractor* VtkWidget::interactor() const {
    return interactor_;
}

void VtkWidget::setInteractionMode(InteractionMode mode) {
    mode_ = mode;
    interactor_->SetInteractorStyle(mode == InteractionMode::Pan2D ? panZoomStyle_ : rotateStyle_);
}

void VtkWidget::requestRender() {
    needsRender_ = true;
    update();
}

void VtkWidget::initializeGL() {
    // VTK keeps a cache of GL state: start it from what Qt left behind.
    window_->GetState()->Reset();
    window_->GetState()->vtkglDepthFunc(GL_LEQUAL); // Qt's default is GL_LESS
    window_->SetReadyForRendering(true);
    window_->SetOwnContext(false);
    window_->OpenGLInitContext();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkWidget::releaseGraphics,
            Qt::UniqueConnection);
    needsRender_ = true;
    updateSize();
}

void VtkWidget::releaseGraphics() {
    if (!window_->GetReadyForRendering())
        return;
    window_->Finalize();
    window_->SetReadyForRendering(false);
}

void VtkWidget::resizeGL(int /*width*/, int /*height*/) {
    updateSize();
}

void VtkWidget::updateSize() {
    const double dpr = devicePixelRatioF();
    const int w = static_cast<int>(width() * dpr + 0.5);
    const int h = static_cast<int>(height() * dpr + 0.5);
    interactor_->UpdateSize(w, h); // also sizes the render window
    window_->SetSize(w, h);
    window_->SetDPI(static_cast<int>(72 * dpr + 0.5)); // keeps text readable on HiDPI
    needsRender_ = true;
}

void VtkWidget::paintGL() {
    if (!window_->GetReadyForRendering())
        return;
    vtkOpenGLState* state = window_->GetState();
    state->Reset(); // Qt may have changed GL state (it binds its own framebuffer)
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    if (needsRender_) {
        inPaint_ = true;
        window_->Render();
        inPaint_ = false;
        needsRender_ = false;
    }
    makeCurrent(); // a render may have made another context current

    // Copy VTK's display framebuffer into the widget's framebuffer.
    QOpenGLExtraFunctions* f = context()->extraFunctions();
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const GLenum colorAttachment = GL_COLOR_ATTACHMENT0;
    f->glDrawBuffers(1, &colorAttachment);
    state->vtkglDisable(GL_SCISSOR_TEST); // the scissor box clips blits too
    f->glDisable(GL_SCISSOR_TEST);
    const int* size = window_->GetSize();
    window_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, size[0], size[1],
                                    GL_COLOR_BUFFER_BIT, GL_NEAREST);
    // VTK leaves alpha 0 where it drew the background; Qt composites (and grabs) the widget
    // as premultiplied ARGB, so that would read as transparent black. Make it opaque.
    state->vtkglColorMask(false, false, false, true);
    state->vtkglClearColor(0.0, 0.0, 0.0, 1.0);
    state->vtkglClear(GL_COLOR_BUFFER_BIT);
    state->Pop();
}

void VtkWidget::onRenderWindowEvent(vtkObject*, unsigned long eventId, void* callData) {
    switch (eventId) {
    case vtkCommand::WindowMakeCurrentEvent:
        // VTK asks for this many times per frame. QOpenGLWidget::makeCurrent() also binds the
        // widget's framebuffer behind VTK's state cache, after which VTK would attach its
        // textures to Qt's framebuffer: switch only when another context is current.
        if (QOpenGLContext::currentContext() != context()) {
            makeCurrent();
            window_->GetState()->Reset();
        }
        break;
    case vtkCommand::WindowIsCurrentEvent: {
        // VTK skips rendering unless told that its context is current.
        QOpenGLContext* current = QOpenGLContext::currentContext();
        *static_cast<bool*>(callData) = current != nullptr && current == context();
        break;
    }
    case vtkCommand::WindowFrameEvent:
        // A render finished: show it. Inside paintGL the blit follows anyway.
        if (!inPaint_) {
            needsRender_ = false;
            update();
        }
        break;
    default:
        break;
    }
}

void VtkWidget::onInteractorRender(vtkObject*, unsigned long, void*) {
    requestRender();
}

QImage VtkWidget::grabScene() {
    return grabFramebuffer();
}

bool VtkWidget::exportPng(const QString& path, int scale, QString* error) {
    if (!window_->GetReadyForRendering()) {
        if (error)
            *error = tr("the view is not shown yet");
        return false;
    }
    makeCurrent();
    vtkOpenGLState* state = window_->GetState();
    state->Reset();
    state->Push();
    bool ok = true;
    try {
        viewer::exportPng(window_, path.toStdString(), scale);
    } catch (const std::exception& e) {
        ok = false;
        if (error)
            *error = QString::fromStdString(e.what());
    }
    state->Pop();
    doneCurrent();
    requestRender(); // tiled export moves the camera around: repaint the real view
    return ok;
}

QPointF VtkWidget::toDisplay(const QPointF& widgetPos) const {
    const double dpr = devicePixelRatioF();
    const int* size = interactor_->GetSize();
    return {widgetPos.x() * dpr, size[1] - widgetPos.y() * dpr - 1.0};
}

QPointF VtkWidget::fromDisplay(double displayX, double displayY) const {
    const double dpr = devicePixelRatioF();
    const int* size = interactor_->GetSize();
    return {displayX / dpr, (size[1] - 1.0 - displayY) / dpr};
}

void VtkWidget::forwardMouse(QMouseEvent* event, unsigned long vtkEvent, bool repeat) {
    const double dpr = devicePixelRatioF();
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor_->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr + 0.5),
                                          static_cast<int>(event->position().y() * dpr + 0.5),
                                          (mods & Qt::ControlModifier) ? 1 : 0,
                                          (mods & Qt::ShiftModifier) ? 1 : 0, 0, repeat ? 1 : 0);
    interactor_->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
}

void VtkWidget::mousePressEvent(QMouseEvent* event) {
    switch (event->button()) {
    case Qt::LeftButton:
        forwardMouse(event, vtkCommand::LeftButtonPressEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(event, vtkCommand::MiddleButtonPressEvent);
        break;
    case Qt::RightButton:
        forwardMouse(event, vtkCommand::RightButtonPressEvent);
        break;
    default:
        break;
    }
}

void VtkWidget::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        forwardMouse(event, vtkCommand::LeftButtonPressEvent, true);
}

void VtkWidget::mouseReleaseEvent(QMouseEvent* event) {
    switch (event->button()) {
    case Qt::LeftButton:
        forwardMouse(event, vtkCommand::LeftButtonReleaseEvent);
        break;
    case Qt::MiddleButton:
        forwardMouse(event, vtkCommand::MiddleButtonReleaseEvent);
        break;
    case Qt::RightButton:
        forwardMouse(event, vtkCommand::RightButtonReleaseEvent);
        break;
    default:
        break;
    }
}

void VtkWidget::mouseMoveEvent(QMouseEvent* event) {
    forwardMouse(event, vtkCommand::MouseMoveEvent);
}

void VtkWidget::wheelEvent(QWheelEvent* event) {
    const double dpr = devicePixelRatioF();
    const Qt::KeyboardModifiers mods = event->modifiers();
    interactor_->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr + 0.5),
                                          static_cast<int>(event->position().y() * dpr + 0.5),
                                          (mods & Qt::ControlModifier) ? 1 : 0,
                                          (mods & Qt::ShiftModifier) ? 1 : 0);
    const int delta = event->angleDelta().y();
    if (delta > 0)
        interactor_->InvokeEvent(vtkCommand::MouseWheelForwardEvent, event);
    else if (delta < 0)
        interactor_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, event);
    event->accept();
}

void VtkWidget::forwardKey(QKeyEvent* event, unsigned long vtkEvent) {
    const Qt::KeyboardModifiers mods = event->modifiers();
    const QByteArray text = event->text().toLatin1();
    const char ascii = text.isEmpty() ? '\0' : text.at(0);
    // VTK names keys like X11 keysyms; only the common ones matter to styles/observers.
    const char* keysym = nullptr;
    switch (event->key()) {
    case Qt::Key_Left:
        keysym = "Left";
        break;
    case Qt::Key_Right:
        keysym = "Right";
        break;
    case Qt::Key_Up:
        keysym = "Up";
        break;
    case Qt::Key_Down:
        keysym = "Down";
        break;
    case Qt::Key_Escape:
        keysym = "Escape";
        break;
    case Qt::Key_Return:
        keysym = "Return";
        break;
    case Qt::Key_Space:
        keysym = "space";
        break;
    case Qt::Key_Delete:
        keysym = "Delete";
        break;
    default:
        break;
    }
    const std::string fallback(1, ascii);
    interactor_->SetKeyEventInformation(
        (mods & Qt::ControlModifier) ? 1 : 0, (mods & Qt::ShiftModifier) ? 1 : 0, ascii,
        event->isAutoRepeat() ? 1 : 0, keysym ? keysym : fallback.c_str());
    interactor_->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
}

void VtkWidget::keyPressEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyPressEvent);
    forwardKey(event, vtkCommand::CharEvent);
    QOpenGLWidget::keyPressEvent(event); // lets parents see unhandled keys
}

void VtkWidget::keyReleaseEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyReleaseEvent);
    QOpenGLWidget::keyReleaseEvent(event);
}

void VtkWidget::enterEvent(QEnterEvent* event) {
    interactor_->InvokeEvent(vtkCommand::EnterEvent, event);
    QOpenGLWidget::enterEvent(event);
}

void VtkWidget::leaveEvent(QEvent* event) {
    interactor_->InvokeEvent(vtkCommand::LeaveEvent, event);
    QOpenGLWidget::leaveEvent(event);
}

} // namespace embedscope::ui
