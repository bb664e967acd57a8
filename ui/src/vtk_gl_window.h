#pragma once
// The native OpenGL child window behind VtkWidget. VTK renders into its own framebuffer inside
// this window's context; paintGL blits the result into the window. Being a separate native
// window (embedded with QWidget::createWindowContainer), it keeps the rest of the top-level
// window on the raster backing store: a QOpenGLWidget would make Qt composite the whole
// window through OpenGL on every repaint of any widget (35-45 ms a frame under llvmpipe).
#include "embedscope/ui/vtk_widget.h"

#include <QImage>
#include <QOpenGLWindow>
#include <QPointF>
#include <QString>

#include <vtkSmartPointer.h>

#include <vector>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkInteractorObserver;
class vtkObject;

namespace embedscope::ui::detail {

class VtkGLWindow : public QOpenGLWindow {
    Q_OBJECT
public:
    /// `keyTarget` receives the key events VTK does not use (it and its parents may handle
    /// them, as they would have for a widget).
    explicit VtkGLWindow(QObject* keyTarget);
    ~VtkGLWindow() override;

    vtkGenericOpenGLRenderWindow* renderWindow() const;
    vtkGenericRenderWindowInteractor* interactor() const;

    void setInteractionMode(VtkWidget::InteractionMode mode);

    /// Schedules a VTK render for the next paint.
    void requestRender();
    /// Renders if needed and reads the scene back (device pixels, opaque). Null image before
    /// the window has a GL context.
    QImage grabScene();
    bool exportPng(const QString& path, int scale, QString* error);

    /// Window position (logical pixels, origin top-left) <-> VTK display position (device
    /// pixels, origin bottom-left).
    QPointF toDisplay(const QPointF& pos) const;
    QPointF fromDisplay(double displayX, double displayY) const;

Q_SIGNALS:
    /// Emitted before VTK sees the event; positions in window coordinates (logical pixels).
    void mousePressed(QPointF pos, Qt::MouseButton button);
    void mouseReleased(QPointF pos, Qt::MouseButton button);
    void mouseMoved(QPointF pos, Qt::MouseButtons buttons);
    void mouseLeft();

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;

    bool event(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

private:
    void onRenderWindowEvent(vtkObject* caller, unsigned long eventId, void* callData);
    void onInteractorRender(vtkObject* caller, unsigned long eventId, void* callData);
    void releaseGraphics();
    void updateSize();
    /// Makes the context current (if another one is) and starts from a fresh VTK state cache.
    void beginVtk();
    void renderIfNeeded();
    void forwardMouse(QMouseEvent* event, unsigned long vtkEvent);
    void forwardKey(QKeyEvent* event, unsigned long vtkEvent);
    void passKeyOn(QKeyEvent* event);

    QObject* keyTarget_ = nullptr;
    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
    vtkSmartPointer<vtkInteractorObserver> panZoomStyle_;
    vtkSmartPointer<vtkInteractorObserver> rotateStyle_;
    std::vector<unsigned long> windowObservers_;
    unsigned long interactorObserver_ = 0;
    bool needsRender_ = true; ///< paintGL must ask VTK to render, not only blit
    bool inPaint_ = false;    ///< a render inside paintGL/grabScene must not schedule a paint
};

} // namespace embedscope::ui::detail
