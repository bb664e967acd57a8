#pragma once
// A Qt 6 widget that hosts a VTK 9.1 render window (VTK's own QVTKOpenGLNativeWidget is built
// for Qt 5 on Debian). VTK renders into its own framebuffer inside the widget's GL context;
// paintGL blits the result into the widget. See /work/shared/TOOLCHAIN.md for the recipe.
#include <QImage>
#include <QOpenGLWidget>
#include <QPointF>
#include <QString>

#include <vtkSmartPointer.h>

#include <vector>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkInteractorObserver;
class vtkObject;
class vtkRenderWindow;
class vtkRenderWindowInteractor;

namespace embedscope::ui {

class VtkWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    /// Mouse mapping: Pan2D = left drag pans, right drag / wheel zoom, no rotation (for the
    /// parallel 2-D view); Rotate3D = trackball camera (left rotates, middle/shift pans,
    /// right / wheel zoom).
    enum class InteractionMode { Pan2D, Rotate3D };

    explicit VtkWidget(QWidget* parent = nullptr);
    ~VtkWidget() override;

    /// OpenGL 3.2 core, 8-bit RGBA, depth, no stencil, no multisampling. Call once before the
    /// QApplication is created (VTK needs a core profile context).
    static void setDefaultSurfaceFormat();

    vtkRenderWindow* renderWindow() const;
    vtkRenderWindowInteractor* interactor() const;

    void setInteractionMode(InteractionMode mode);
    InteractionMode interactionMode() const { return mode_; }

    /// Schedules a VTK render for the next paint (call after changing the scene).
    void requestRender();

    /// Renders and returns the widget's image (device pixels).
    QImage grabScene();
    /// Writes the current view as PNG, `scale` times the widget's device-pixel size. Returns
    /// false and fills `error` (when given) if the file cannot be written.
    bool exportPng(const QString& path, int scale = 1, QString* error = nullptr);

    /// Widget position (logical pixels, origin top-left) -> VTK display position (device
    /// pixels, origin bottom-left), and back. Same mapping the mouse events use.
    QPointF toDisplay(const QPointF& widgetPos) const;
    QPointF fromDisplay(double displayX, double displayY) const;

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void onRenderWindowEvent(vtkObject* caller, unsigned long eventId, void* callData);
    void onInteractorRender(vtkObject* caller, unsigned long eventId, void* callData);
    void releaseGraphics();
    void updateSize();
    void forwardMouse(QMouseEvent* event, unsigned long vtkEvent, bool repeat = false);
    void forwardKey(QKeyEvent* event, unsigned long vtkEvent);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
    vtkSmartPointer<vtkInteractorObserver> panZoomStyle_;
    vtkSmartPointer<vtkInteractorObserver> rotateStyle_;
    std::vector<unsigned long> windowObservers_;
    unsigned long interactorObserver_ = 0;
    InteractionMode mode_ = InteractionMode::Rotate3D;
    bool needsRender_ = true; ///< paintGL must ask VTK to render, not only blit
    bool inPaint_ = false;    ///< a render inside paintGL must not schedule another paint
};

} // namespace embedscope::ui
