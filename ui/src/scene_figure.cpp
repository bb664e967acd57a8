#include "embedscope/ui/scene_figure.h"

#include "embedscope/engine/error.h"

#include <QPainter>

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <cstring>
#include <memory>

namespace embedscope::ui {

SceneFigure::SceneFigure(viewer::ScatterData data, std::vector<Overlay> overlays, QString viewName)
    : data_(std::move(data)), overlays_(std::move(overlays)), viewName_(std::move(viewName)) {}

QImage SceneFigure::render(QSize pixels, double dpi) const {
    viewer::ScatterScene scene;
    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(8); // smooth edges: an exported figure is looked at closely
    window->SetSize(pixels.width(), pixels.height());
    window->SetDPI(int(std::lround(dpi)));
    window->AddRenderer(scene.renderer());
    scene.setData(data_);
    std::vector<std::unique_ptr<viewer::CurveOverlay>> drawn;
    for (const Overlay& o : overlays_) {
        drawn.push_back(std::make_unique<viewer::CurveOverlay>(scene));
        drawn.back()->setData(o.data);
        drawn.back()->setCurvesVisible(o.curves);
        drawn.back()->setCentresVisible(o.centres);
        if (!o.points)
            drawn.back()->setPointsVisible(false);
    }
    scene.resetCamera(); // with the final aspect
    window->Render();
    vtkNew<vtkUnsignedCharArray> rgb;
    const int w = pixels.width(), h = pixels.height();
    if (window->GetPixelData(0, 0, w - 1, h - 1, /*front=*/0, rgb, /*right=*/0) == 0 ||
        rgb->GetNumberOfValues() < vtkIdType(w) * h * 3)
        throw Error("embedding figure: VTK could not render off screen (no GL context?)");
    QImage image(w, h, QImage::Format_RGB888);
    const unsigned char* src = rgb->GetPointer(0);
    for (int y = 0; y < h; ++y) // VTK rows go bottom-up
        std::memcpy(image.scanLine(h - 1 - y), src + std::size_t(y) * w * 3, std::size_t(w) * 3);
    drawn.clear();
    window->RemoveRenderer(scene.renderer());
    window->Finalize();
    return image;
}

void SceneFigure::paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const {
    painter.save();
    painter.fillRect(rect, Qt::white); // the VTK scene has a white background
    QRectF area = rect;
    if (!options.title.isEmpty()) {
        const QFont font = figureFont(options, 1.2, true);
        const double height = 1.6 * font.pixelSize();
        painter.setFont(font);
        painter.setPen(QColor(30, 30, 30));
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), height), Qt::AlignCenter,
                         options.title);
        area.setTop(rect.top() + height);
    }
    // Pixels at the export DPI whatever the device (a PDF painter may work at 72 units/in); VTK's
    // text is sized in points at its DPI, scaled so 12-pt legend text follows fontPt.
    const double scale = options.dpi / 72.0;
    const QSize pixels(std::max(1, int(std::lround(area.width() * scale))),
                       std::max(1, int(std::lround(area.height() * scale))));
    const QImage image = render(pixels, options.dpi * options.fontPt / 10.0);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(area, image);
    painter.restore();
}

} // namespace embedscope::ui
