#include "vtk_gl_window.h"

#include "embedscope/viewer/png_export.h"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLState.h>
#include <vtkUnsignedCharArray.h>

#include <cstring>
#include <exception>
#include <string>

namespace embedscope::ui::detail {
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

unsigned long pressEventFor(Qt::MouseButton button) {
    switch (button) {
    case Qt::LeftButton:
        return vtkCommand::LeftButtonPressEvent;
    case Qt::MiddleButton:
        return vtkCommand::MiddleButtonPressEvent;
    case Qt::RightButton:
        return vtkCommand::RightButtonPressEvent;
    default:
        return vtkCommand::NoEvent;
    }
}

unsigned long releaseEventFor(Qt::MouseButton button) {
    switch (button) {
    case Qt::LeftButton:
        return vtkCommand::LeftButtonReleaseEvent;
    case Qt::MiddleButton:
        return vtkCommand::MiddleButtonReleaseEvent;
    case Qt::RightButton:
        return vtkCommand::RightButtonReleaseEvent;
    default:
        return vtkCommand::NoEvent;
    }
}

} // namespace

VtkGLWindow::VtkGLWindow(QObject* keyTarget)
    : QOpenGLWindow(QOpenGLWindow::NoPartialUpdate), keyTarget_(keyTarget) {
    window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
    window_->SetReadyForRendering(false); // until initializeGL has a context
    window_->SetFrameBlitModeToNoBlit();  // paintGL blits into the window's framebuffer
    window_->SetMultiSamples(0);
    for (unsigned long id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                             vtkCommand::WindowFrameEvent}) {
        windowObservers_.push_back(
            window_->AddObserver(id, this, &VtkGLWindow::onRenderWindowEvent));
    }

    interactor_ = vtkSmartPointer<vtkGenericRenderWindowInteractor>::New();
    interactor_->SetRenderWindow(window_);
    // Qt decides when to paint: the interactor only reports that a render is wanted.
    interactor_->EnableRenderOff();
    interactorObserver_ =
        interactor_->AddObserver(vtkCommand::RenderEvent, this, &VtkGLWindow::onInteractorRender);
    panZoomStyle_ = vtkSmartPointer<PanZoomStyle>::New();
    rotateStyle_ = vtkSmartPointer<RotateStyle>::New();
    interactor_->SetInteractorStyle(rotateStyle_);
    interactor_->Initialize();

    // Moving to a screen with another scale factor changes the device-pixel size.
    connect(this, &QWindow::screenChanged, this, [this] {
        updateSize();
        requestRender();
    });
}

VtkGLWindow::~VtkGLWindow() {
    makeCurrent(); // works without a platform window too (offscreen surface)
    releaseGraphics();
    // ~QOpenGLWindow destroys the context after our members are gone: no callback then.
    if (context() != nullptr)
        disconnect(context(), nullptr, this, nullptr);
    interactor_->RemoveObserver(interactorObserver_);
    for (unsigned long id : windowObservers_)
        window_->RemoveObserver(id);
}

vtkGenericOpenGLRenderWindow* VtkGLWindow::renderWindow() const {
    return window_;
}

vtkGenericRenderWindowInteractor* VtkGLWindow::interactor() const {
    return interactor_;
}

void VtkGLWindow::setInteractionMode(VtkWidget::InteractionMode mode) {
    interactor_->SetInteractorStyle(mode == VtkWidget::InteractionMode::Pan2D ? panZoomStyle_
                                                                              : rotateStyle_);
}

void VtkGLWindow::requestRender() {
    needsRender_ = true;
    update();
}

void VtkGLWindow::initializeGL() {
    // VTK keeps a cache of GL state: start it from what Qt left behind.
    window_->GetState()->Reset();
    window_->GetState()->vtkglDepthFunc(GL_LEQUAL); // Qt's default is GL_LESS
    window_->SetReadyForRendering(true);
    window_->SetOwnContext(false);
    window_->OpenGLInitContext();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkGLWindow::releaseGraphics,
            Qt::UniqueConnection);
    needsRender_ = true;
    updateSize();
}

void VtkGLWindow::releaseGraphics() {
    if (!window_->GetReadyForRendering())
        return;
    window_->Finalize();
    window_->SetReadyForRendering(false);
}

void VtkGLWindow::resizeGL(int /*width*/, int /*height*/) {
    updateSize();
}

void VtkGLWindow::updateSize() {
    const double dpr = devicePixelRatio();
    const int w = static_cast<int>(width() * dpr + 0.5);
    const int h = static_cast<int>(height() * dpr + 0.5);
    interactor_->UpdateSize(w, h); // also sizes the render window
    window_->SetSize(w, h);
    window_->SetDPI(static_cast<int>(72 * dpr + 0.5)); // keeps text readable on HiDPI
    needsRender_ = true;
}

void VtkGLWindow::beginVtk() {
    if (QOpenGLContext::currentContext() != context())
        makeCurrent();
    vtkOpenGLState* state = window_->GetState();
    state->Reset(); // Qt may have changed GL state (it binds its own framebuffer)
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
}

void VtkGLWindow::renderIfNeeded() {
    if (!needsRender_)
        return;
    inPaint_ = true;
    window_->Render();
    inPaint_ = false;
    needsRender_ = false;
}

void VtkGLWindow::paintGL() {
    if (!window_->GetReadyForRendering())
        return;
    beginVtk();
    renderIfNeeded();
    makeCurrent(); // a render may have made another context current

    // Copy VTK's display framebuffer into the window's framebuffer.
    vtkOpenGLState* state = window_->GetState();
    QOpenGLExtraFunctions* f = context()->extraFunctions();
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    // The window system's framebuffer (0 on xcb) names its buffers differently from an FBO.
    const GLenum drawBuffer =
        defaultFramebufferObject() == 0 ? GLenum(GL_BACK_LEFT) : GLenum(GL_COLOR_ATTACHMENT0);
    f->glDrawBuffers(1, &drawBuffer);
    state->vtkglDisable(GL_SCISSOR_TEST); // the scissor box clips blits too
    f->glDisable(GL_SCISSOR_TEST);
    const int* size = window_->GetSize();
    window_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, size[0], size[1],
                                    GL_COLOR_BUFFER_BIT, GL_NEAREST);
    // VTK leaves alpha 0 where it drew the background; with an alpha channel in the window's
    // format a compositor would show that as transparent. Make it opaque.
    state->vtkglColorMask(false, false, false, true);
    state->vtkglClearColor(0.0, 0.0, 0.0, 1.0);
    state->vtkglClear(GL_COLOR_BUFFER_BIT);
    state->Pop();
}

void VtkGLWindow::onRenderWindowEvent(vtkObject*, unsigned long eventId, void* callData) {
    switch (eventId) {
    case vtkCommand::WindowMakeCurrentEvent:
        // VTK asks for this many times per frame. QOpenGLWindow::makeCurrent() also binds the
        // window's framebuffer behind VTK's state cache, after which VTK would attach its
        // textures to Qt's framebuffer: switch only when another context is current.
        if (context() != nullptr && QOpenGLContext::currentContext() != context()) {
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
        // A render finished outside paintGL (an export, a grab): show it. Inside paintGL the
        // blit follows anyway.
        if (!inPaint_) {
            needsRender_ = false;
            update();
        }
        break;
    default:
        break;
    }
}

void VtkGLWindow::onInteractorRender(vtkObject*, unsigned long, void*) {
    requestRender();
}

QImage VtkGLWindow::grabScene() {
    if (!isValid() || !window_->GetReadyForRendering())
        return {};
    beginVtk();
    const bool rendered = needsRender_;
    renderIfNeeded();
    // Read VTK's display framebuffer (what paintGL blits): the window's own back buffer is
    // undefined after a swap.
    const int* size = window_->GetSize();
    const int w = size[0];
    const int h = size[1];
    vtkNew<vtkUnsignedCharArray> rgb;
    const bool ok = w > 0 && h > 0 &&
                    window_->GetPixelData(0, 0, w - 1, h - 1, /*front=*/1, rgb, /*right=*/0) != 0;
    window_->GetState()->Pop();
    if (rendered)
        update(); // the window shows the new frame too
    if (!ok || rgb->GetNumberOfValues() < vtkIdType(w) * h * 3)
        return {};
    QImage image(w, h, QImage::Format_RGB888);
    const unsigned char* src = rgb->GetPointer(0);
    for (int y = 0; y < h; ++y) // VTK rows go bottom-up
        std::memcpy(image.scanLine(h - 1 - y), src + std::size_t(y) * w * 3, std::size_t(w) * 3);
    image = std::move(image).convertToFormat(QImage::Format_RGB32);
    image.setDevicePixelRatio(devicePixelRatio());
    return image;
}

bool VtkGLWindow::exportPng(const QString& path, int scale, QString* error) {
    if (!isValid() || !window_->GetReadyForRendering()) {
        if (error)
            *error = tr("the view is not shown yet");
        return false;
    }
    makeCurrent();
    vtkOpenGLState* state = window_->GetState();
    state->Reset();
    state->Push();
    bool ok = true;
    inPaint_ = true; // the exporter's renders are not frames to show
    try {
        viewer::exportPng(window_, path.toStdString(), scale);
    } catch (const std::exception& e) {
        ok = false;
        if (error)
            *error = QString::fromStdString(e.what());
    }
    inPaint_ = false;
    state->Pop();
    doneCurrent();
    requestRender(); // tiled export moves the camera around: repaint the real view
    return ok;
}

QPointF VtkGLWindow::toDisplay(const QPointF& pos) const {
    const double dpr = devicePixelRatio();
    const int* size = interactor_->GetSize();
    return {pos.x() * dpr, size[1] - pos.y() * dpr - 1.0};
}

QPointF VtkGLWindow::fromDisplay(double displayX, double displayY) const {
    const double dpr = devicePixelRatio();
    const int* size = interactor_->GetSize();
    return {displayX / dpr, (size[1] - 1.0 - displayY) / dpr};
}

bool VtkGLWindow::event(QEvent* event) {
    switch (event->type()) {
    case QEvent::Enter:
        interactor_->InvokeEvent(vtkCommand::EnterEvent, event);
        break;
    case QEvent::Leave:
        Q_EMIT mouseLeft();
        interactor_->InvokeEvent(vtkCommand::LeaveEvent, event);
        break;
    default:
        break;
    }
    return QOpenGLWindow::event(event);
}

void VtkGLWindow::forwardMouse(QMouseEvent* event, unsigned long vtkEvent) {
    if (vtkEvent == vtkCommand::NoEvent)
        return;
    const double dpr = devicePixelRatio();
    const Qt::KeyboardModifiers mods = event->modifiers();
    // The second press of a double click: Qt delivers it as a press flagged so, then a
    // MouseButtonDblClick that is ignored below.
    const bool repeat = event->type() == QEvent::MouseButtonPress &&
                        (event->flags() & Qt::MouseEventCreatedDoubleClick);
    interactor_->SetEventInformationFlipY(static_cast<int>(event->position().x() * dpr + 0.5),
                                          static_cast<int>(event->position().y() * dpr + 0.5),
                                          (mods & Qt::ControlModifier) ? 1 : 0,
                                          (mods & Qt::ShiftModifier) ? 1 : 0, 0, repeat ? 1 : 0);
    interactor_->SetAltKey((mods & Qt::AltModifier) ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
}

void VtkGLWindow::mousePressEvent(QMouseEvent* event) {
    Q_EMIT mousePressed(event->position(), event->button());
    forwardMouse(event, pressEventFor(event->button()));
    event->accept();
}

void VtkGLWindow::mouseDoubleClickEvent(QMouseEvent* event) {
    event->accept(); // the press before it already reached VTK (as a repeat)
}

void VtkGLWindow::mouseReleaseEvent(QMouseEvent* event) {
    Q_EMIT mouseReleased(event->position(), event->button());
    forwardMouse(event, releaseEventFor(event->button()));
    event->accept();
}

void VtkGLWindow::mouseMoveEvent(QMouseEvent* event) {
    Q_EMIT mouseMoved(event->position(), event->buttons());
    forwardMouse(event, vtkCommand::MouseMoveEvent);
    event->accept();
}

void VtkGLWindow::wheelEvent(QWheelEvent* event) {
    const double dpr = devicePixelRatio();
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

void VtkGLWindow::forwardKey(QKeyEvent* event, unsigned long vtkEvent) {
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

void VtkGLWindow::passKeyOn(QKeyEvent* event) {
    // A native window has no parent widgets to propagate to: hand the key to the hosting
    // widget, from where QApplication passes it up the widget tree if nobody takes it.
    if (keyTarget_ == nullptr)
        return;
    QKeyEvent copy(event->type(), event->key(), event->modifiers(), event->nativeScanCode(),
                   event->nativeVirtualKey(), event->nativeModifiers(), event->text(),
                   event->isAutoRepeat(), event->count(), event->device());
    copy.ignore();
    QCoreApplication::sendEvent(keyTarget_, &copy);
    event->setAccepted(copy.isAccepted());
}

void VtkGLWindow::keyPressEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyPressEvent);
    forwardKey(event, vtkCommand::CharEvent);
    passKeyOn(event);
}

void VtkGLWindow::keyReleaseEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyReleaseEvent);
    passKeyOn(event);
}

} // namespace embedscope::ui::detail
