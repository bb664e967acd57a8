#pragma once
// A Qt 6 widget that hosts a VTK 9.1 render window (VTK's own QVTKOpenGLNativeWidget is built
// for Qt 5 on Debian). VTK renders into a native OpenGL child window (a QOpenGLWindow inside
// QWidget::createWindowContainer), so the rest of the top-level window keeps painting through
// the raster backing store: a QOpenGLWidget would make Qt composite the whole window through
// OpenGL on every repaint of any widget. See /work/shared/TOOLCHAIN.md for the recipe.
//
// Mouse, wheel and key events arrive at glWindow(), not at this widget: tests send them there
// (QTest::mouseClick(vtkWidget->glWindow(), ...)); observers use the mouse* signals. A
// QWidget::grab() of a parent cannot see the GL window's content: use grabScene().
#include <QImage>
#include <QPointF>
#include <QString>
#include <QWidget>

class QWindow;
class vtkRenderWindow;
class vtkRenderWindowInteractor;

namespace embedscope::ui {

namespace detail {
class VtkGLWindow;
}

class VtkWidget : public QWidget {
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
    /// The native window VTK draws into (covers this whole widget). It receives the mouse,
    /// wheel and key events; its coordinates equal this widget's.
    QWindow* glWindow() const;

    void setInteractionMode(InteractionMode mode);
    InteractionMode interactionMode() const { return mode_; }

    /// Schedules a VTK render for the next paint (call after changing the scene).
    void requestRender();

    /// Renders (if needed) and returns the scene as shown (device pixels, opaque). Null before
    /// the widget has been shown.
    QImage grabScene();
    /// Writes the current view as PNG, `scale` times the widget's device-pixel size. Returns
    /// false and fills `error` (when given) if the file cannot be written.
    bool exportPng(const QString& path, int scale = 1, QString* error = nullptr);

    /// Widget position (logical pixels, origin top-left) -> VTK display position (device
    /// pixels, origin bottom-left), and back. Same mapping the mouse events use.
    QPointF toDisplay(const QPointF& widgetPos) const;
    QPointF fromDisplay(double displayX, double displayY) const;

Q_SIGNALS:
    /// Mouse events on the view, in this widget's coordinates (logical pixels), emitted before
    /// VTK's camera handling sees them.
    void mousePressed(QPointF pos, Qt::MouseButton button);
    void mouseReleased(QPointF pos, Qt::MouseButton button);
    void mouseMoved(QPointF pos, Qt::MouseButtons buttons);
    /// The pointer left the view.
    void mouseLeft();

private:
    QPointF fromWindow(const QPointF& windowPos) const;

    detail::VtkGLWindow* window_ = nullptr; ///< owned by container_
    QWidget* container_ = nullptr;
    InteractionMode mode_ = InteractionMode::Rotate3D;
};

} // namespace embedscope::ui
