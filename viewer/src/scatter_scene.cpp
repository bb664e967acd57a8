#include "embedscope/viewer/scatter_scene.h"

#include "embedscope/engine/error.h"

#include <vtkActor.h>
#include <vtkAxisActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellData.h>
#include <vtkCubeAxesActor.h>
#include <vtkFloatArray.h>
#include <vtkFollower.h>
#include <vtkGlyph3DMapper.h>
#include <vtkLegendBoxActor.h>
#include <vtkMath.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRegularPolygonSource.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSphereSource.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace embedscope::viewer {
namespace {

constexpr double kTextGrey = 0.15;        // axes, labels and legend text: near-black
constexpr double kMarkerFraction = 0.012; // marker radius as a fraction of the data diagonal
constexpr std::size_t kMaxLegendEntries = 20;
constexpr double kLegendWidth = 0.2; // of the viewport, reserved on the right by resetCamera

bool isControl(const std::string& category) {
    std::string lower(category);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower == "control";
}

// "dose 2" < "dose 10": digit runs compare as numbers, everything else as characters.
bool naturalLess(const std::string& a, const std::string& b) {
    std::size_t i = 0;
    std::size_t j = 0;
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ie = i;
            std::size_t je = j;
            while (ie < a.size() && digit(a[ie]))
                ++ie;
            while (je < b.size() && digit(b[je]))
                ++je;
            std::string na = a.substr(i, ie - i);
            std::string nb = b.substr(j, je - j);
            na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
            nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
            if (na.size() != nb.size())
                return na.size() < nb.size();
            if (na != nb)
                return na < nb;
            i = ie;
            j = je;
        } else {
            if (a[i] != b[j])
                return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

vtkSmartPointer<vtkPolyData> diskPolyData(double radius, bool filled, int sides = 32) {
    vtkNew<vtkRegularPolygonSource> disk;
    disk->SetNumberOfSides(sides);
    disk->SetRadius(radius);
    disk->SetGeneratePolygon(filled);
    disk->SetGeneratePolyline(!filled);
    disk->Update();
    return disk->GetOutput();
}

// vtkCubeAxesActor keeps its axis actors protected; the 2-D title offsets live there.
class ScatterAxes : public vtkCubeAxesActor {
public:
    static ScatterAxes* New();
    vtkTypeMacro(ScatterAxes, vtkCubeAxesActor);

    /// Moves the 2-D-mode titles away from the tick labels (pixels).
    void setTitleOffsets2D(double xTitleBelow, double yTitleLeft) {
        for (int i = 0; i < NUMBER_OF_ALIGNED_AXIS; ++i) {
            XAxes[i]->SetVerticalOffsetXTitle2D(-xTitleBelow);
            YAxes[i]->SetHorizontalOffsetYTitle2D(-yTitleLeft);
        }
    }
};
vtkStandardNewMacro(ScatterAxes);

// A unit disk whose cells carry `rgb` as colour scalars (a legend symbol).
vtkSmartPointer<vtkPolyData> coloredDisk(const std::array<unsigned char, 3>& rgb) {
    auto disk = vtkSmartPointer<vtkPolyData>::New();
    disk->DeepCopy(diskPolyData(1.0, true));
    vtkNew<vtkUnsignedCharArray> colors;
    colors->SetNumberOfComponents(3);
    colors->SetNumberOfTuples(disk->GetNumberOfCells());
    for (vtkIdType c = 0; c < disk->GetNumberOfCells(); ++c)
        for (int k = 0; k < 3; ++k)
            colors->SetTypedComponent(c, k, rgb[static_cast<std::size_t>(k)]);
    disk->GetCellData()->SetScalars(colors);
    return disk;
}

} // namespace

struct ScatterScene::Impl {
    ScatterData data;
    std::vector<std::string> order;                                       // legend order
    std::unordered_map<std::string, std::array<unsigned char, 3>> colors; // by category
    double markerRadius = 1.0;
    double bounds[6] = {0, 1, 0, 1, 0, 0};
    int highlighted = -1;
    bool pointsVisible = true;

    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkPolyData> points;
    vtkNew<vtkGlyph3DMapper> mapper;
    vtkNew<vtkActor> actor;
    vtkNew<vtkLegendBoxActor> legend;
    vtkNew<vtkTextActor> legendTitle;
    vtkNew<vtkTextActor> zTitle;             // 3-D: VTK's 2-D-mode z title sits on its labels
    vtkNew<vtkCallbackCommand> beforeRender; // lays out legend and zTitle for each render
    vtkNew<ScatterAxes> axes;
    vtkNew<vtkPolyDataMapper> ringMapper;
    vtkNew<vtkFollower> ring;

    Impl() {
        renderer->SetBackground(1.0, 1.0, 1.0);
        renderer->UseFXAAOn(); // smooth marker edges without multisampling
        mapper->SetInputData(points);
        mapper->SetColorModeToDirectScalars();
        mapper->ScalarVisibilityOn();
        mapper->OrientOff();
        actor->SetMapper(mapper);
        renderer->AddActor(actor);

        legend->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        legend->GetPosition2Coordinate()->SetCoordinateSystemToNormalizedViewport();
        legend->BorderOff();
        legend->SetUseBackground(1);
        legend->SetBackgroundColor(1.0, 1.0, 1.0);
        legend->SetBackgroundOpacity(0.85);
        legend->GetEntryTextProperty()->SetColor(kTextGrey, kTextGrey, kTextGrey);
        legend->GetEntryTextProperty()->SetFontFamilyToArial();
        legend->GetEntryTextProperty()->ShadowOff();
        legend->GetEntryTextProperty()->BoldOff();
        legend->GetEntryTextProperty()->ItalicOff();
        renderer->AddActor2D(legend);

        legendTitle->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        legendTitle->GetTextProperty()->SetFontSize(13);
        legendTitle->GetTextProperty()->BoldOn();
        legendTitle->GetTextProperty()->SetColor(kTextGrey, kTextGrey, kTextGrey);
        legendTitle->GetTextProperty()->SetVerticalJustificationToTop();
        renderer->AddActor2D(legendTitle);

        axes->SetCamera(renderer->GetActiveCamera());
        axes->SetTickLocationToOutside();
        axes->XAxisMinorTickVisibilityOff();
        axes->YAxisMinorTickVisibilityOff();
        axes->ZAxisMinorTickVisibilityOff();
        for (int i = 0; i < 3; ++i) {
            for (vtkTextProperty* text :
                 {axes->GetTitleTextProperty(i), axes->GetLabelTextProperty(i)}) {
                text->SetColor(kTextGrey, kTextGrey, kTextGrey);
                text->SetFontSize(12);
            }
        }
        for (vtkProperty* line : {axes->GetXAxesLinesProperty(), axes->GetYAxesLinesProperty(),
                                  axes->GetZAxesLinesProperty()}) {
            line->SetColor(0.3, 0.3, 0.3);
        }
        renderer->AddActor(axes);

        zTitle->GetTextProperty()->SetFontSize(12);
        zTitle->GetTextProperty()->SetColor(kTextGrey, kTextGrey, kTextGrey);
        zTitle->GetTextProperty()->SetJustificationToCentered();
        zTitle->GetTextProperty()->SetVerticalJustificationToCentered();
        zTitle->VisibilityOff();
        renderer->AddActor2D(zTitle);
        beforeRender->SetClientData(this);
        beforeRender->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
            auto* impl = static_cast<Impl*>(self);
            impl->axes->setTitleOffsets2D(30 * impl->dpiScale(), 46 * impl->dpiScale());
            impl->placeLegend();
            impl->placeZTitle();
        });
        renderer->AddObserver(vtkCommand::StartEvent, beforeRender);

        ringMapper->SetInputData(diskPolyData(1.0, false));
        ring->SetMapper(ringMapper);
        ring->SetCamera(renderer->GetActiveCamera());
        ring->GetProperty()->SetColor(0.0, 0.0, 0.0);
        ring->GetProperty()->SetLineWidth(2.5);
        ring->GetProperty()->LightingOff();
        ring->PickableOff();
        ring->VisibilityOff();
        renderer->AddActor(ring);
    }

    ~Impl() {
        // The renderer may outlive this scene (a render window holds it): unhook the callback
        // that points back here.
        renderer->RemoveObserver(beforeRender);
    }

    std::array<double, 3> point(std::size_t i) const {
        const double z = data.dims == 3 ? data.xyz[3 * i + 2] : 0.0;
        return {data.xyz[3 * i], data.xyz[3 * i + 1], z};
    }

    void assignColors() {
        order.clear();
        colors.clear();
        std::vector<std::string> regular, others;
        for (const std::string& c : data.categories) {
            if (colors.count(c) != 0)
                continue;
            colors[c] = controlColor();
            if (ScatterScene::isOtherCategory(c)) {
                colors[c] = otherColor();
                others.push_back(c);
            } else {
                (isControl(c) ? order : regular).push_back(c);
            }
        }
        std::sort(regular.begin(), regular.end(), naturalLess);
        const auto pal = palette();
        for (std::size_t i = 0; i < regular.size(); ++i)
            colors[regular[i]] = pal[i % pal.size()];
        // Controls are the reference: listed first, always the same neutral grey; "other"
        // comes last.
        std::sort(order.begin(), order.end());
        order.insert(order.end(), regular.begin(), regular.end());
        order.insert(order.end(), others.begin(), others.end());
    }

    void buildPoints() {
        const std::size_t n = data.pointCount();
        vtkNew<vtkPoints> pts;
        pts->SetDataTypeToDouble();
        pts->SetNumberOfPoints(static_cast<vtkIdType>(n));
        vtkNew<vtkUnsignedCharArray> rgb;
        rgb->SetName("colors");
        rgb->SetNumberOfComponents(3);
        rgb->SetNumberOfTuples(static_cast<vtkIdType>(n));
        const auto single = palette().front();
        for (std::size_t i = 0; i < n; ++i) {
            const auto p = point(i);
            pts->SetPoint(static_cast<vtkIdType>(i), p.data());
            auto c = data.categories.empty() ? single : colors.at(data.categories[i]);
            if (!data.pointColors.empty())
                c = {data.pointColors[3 * i], data.pointColors[3 * i + 1],
                     data.pointColors[3 * i + 2]};
            for (int k = 0; k < 3; ++k)
                rgb->SetTypedComponent(static_cast<vtkIdType>(i), k, c[static_cast<size_t>(k)]);
        }
        points->Initialize();
        points->SetPoints(pts);
        points->GetPointData()->SetScalars(rgb);
        if (!data.pointSizes.empty()) {
            vtkNew<vtkFloatArray> scale;
            scale->SetName("scale");
            scale->SetNumberOfTuples(static_cast<vtkIdType>(n));
            for (std::size_t i = 0; i < n; ++i)
                scale->SetValue(static_cast<vtkIdType>(i),
                                static_cast<float>(std::max(0.0, data.pointSizes[i])));
            points->GetPointData()->AddArray(scale);
        }
        points->ComputeBounds();
        points->GetBounds(bounds);
        if (n == 0)
            std::fill(bounds, bounds + 6, 0.0);
    }

    void buildGlyphs() {
        const double dx = bounds[1] - bounds[0];
        const double dy = bounds[3] - bounds[2];
        const double dz = bounds[5] - bounds[4];
        const double diagonal = std::sqrt(dx * dx + dy * dy + dz * dz);
        // Smaller markers for bigger clouds, so dense clusters stay readable.
        const double crowding = std::clamp(
            std::sqrt(100.0 / std::max<double>(1.0, double(data.pointCount()))), 0.25, 1.0);
        markerRadius = diagonal > 0 ? kMarkerFraction * crowding * diagonal : 0.05;
        // Big clouds get small markers: fewer triangles per marker keep software GL usable
        // (70k points: about 1 s per 3-D frame on llvmpipe with 2 cores, 4.5 s at full detail).
        const std::size_t n = data.pointCount();
        const int detail = n <= 2000 ? 2 : (n <= 20000 ? 1 : 0);
        if (data.dims == 3) {
            vtkNew<vtkSphereSource> sphere;
            sphere->SetRadius(markerRadius);
            sphere->SetThetaResolution(std::array<int, 3>{6, 10, 16}[detail]);
            sphere->SetPhiResolution(std::array<int, 3>{5, 8, 12}[detail]);
            mapper->SetSourceConnection(sphere->GetOutputPort());
            // Shaded spheres read as 3-D; a little ambient keeps dark sides coloured.
            actor->GetProperty()->SetAmbient(0.25);
            actor->GetProperty()->SetDiffuse(0.8);
            actor->GetProperty()->SetSpecular(0.15);
            actor->GetProperty()->SetSpecularPower(20);
        } else {
            mapper->SetSourceData(
                diskPolyData(markerRadius, true, std::array<int, 3>{10, 16, 32}[detail]));
            // Flat disks: the exact palette colour, independent of lights.
            actor->GetProperty()->SetAmbient(1.0);
            actor->GetProperty()->SetDiffuse(0.0);
            actor->GetProperty()->SetSpecular(0.0);
        }
        if (data.pointSizes.empty()) {
            mapper->ScalingOff();
        } else {
            mapper->ScalingOn();
            mapper->SetScaleArray("scale");
            mapper->SetScaleModeToScaleByMagnitude();
            mapper->SetScaleFactor(1.0);
        }
        actor->SetVisibility(pointsVisible && data.pointCount() > 0);
    }

    void buildLegend() {
        const bool show = !data.categories.empty() && data.pointCount() > 0;
        legend->SetVisibility(show);
        legendTitle->SetVisibility(show && !data.colorTitle.empty());
        legendTitle->SetInput(data.colorTitle.c_str());
        if (!show)
            return;
        const std::size_t shown = std::min(order.size(), kMaxLegendEntries);
        const bool more = order.size() > shown;
        const int entries = static_cast<int>(shown + (more ? 1 : 0));
        legend->SetNumberOfEntries(entries);
        // Entry colours would also tint the text: colour the symbols through their own
        // scalars instead and leave the entry colour unset (-1) so the text stays dark.
        double unset[3] = {-1.0, -1.0, -1.0};
        for (std::size_t i = 0; i < shown; ++i) {
            const std::string text = order[i].empty() ? "(none)" : order[i];
            legend->SetEntry(static_cast<int>(i), coloredDisk(colors.at(order[i])), text.c_str(),
                             unset);
        }
        if (more) {
            const std::string text = "+" + std::to_string(order.size() - shown) + " more";
            legend->SetEntry(entries - 1, coloredDisk({255, 255, 255}), text.c_str(), unset);
        }
    }

    // Legend geometry in pixels (entry height follows the DPI, so the text keeps a readable,
    // constant size whatever the window size); converted to the renderer's normalized
    // viewport. Runs before every render.
    void placeLegend() {
        if (!legend->GetVisibility())
            return;
        const auto [w, h] = viewportSize();
        const double dpiScale = this->dpiScale();
        const double entryPixels = 19.0 * dpiScale;
        const double titlePixels = data.colorTitle.empty() ? 0.0 : 22.0 * dpiScale;
        const double top = 1.0 - (8.0 * dpiScale + titlePixels) / h;
        const double height = std::min(top - 0.02, entryPixels * legend->GetNumberOfEntries() / h);
        legend->SetPosition(1.0 - kLegendWidth - 0.01, top - height);
        legend->SetPosition2(kLegendWidth, height);
        legendTitle->SetPosition(1.0 - kLegendWidth - 0.01, 1.0 - 6.0 * dpiScale / h);
    }

    void buildAxes() {
        axes->SetVisibility(data.pointCount() > 0);
        // Pad so the axes do not run through the outermost markers.
        double padded[6];
        for (int a = 0; a < 3; ++a) {
            const double pad = std::max(0.04 * (bounds[2 * a + 1] - bounds[2 * a]), markerRadius);
            padded[2 * a] = bounds[2 * a] - pad;
            padded[2 * a + 1] = bounds[2 * a + 1] + pad;
        }
        if (data.dims != 3)
            padded[4] = padded[5] = 0.0;
        axes->SetBounds(padded);
        const char* defaults[3] = {"x", "y", "z"};
        std::string titles[3];
        for (std::size_t a = 0; a < 3; ++a)
            titles[a] = a < data.axisTitles.size() ? data.axisTitles[a] : defaults[a];
        axes->SetXTitle(titles[0].c_str());
        axes->SetYTitle(titles[1].c_str());
        axes->SetZTitle("");
        zTitle->SetInput(titles[2].c_str());
        zTitle->SetVisibility(data.dims == 3 && data.pointCount() > 0);
        axes->SetZAxisVisibility(data.dims == 3);
        if (data.dims == 3)
            axes->SetFlyModeToOuterEdges();
        else
            axes->SetFlyModeToStaticTriad(); // x along the bottom, y along the left
        axes->SetUse2DMode(1);               // crisp screen-aligned text
    }

    // Puts the z title beside the z axis, on the side away from the box centre, turned along
    // the axis. The outer-edges axes put z on a silhouette edge; the leftmost vertical edge is
    // the one they use for the default view. Runs before every render.
    void placeZTitle() {
        if (!zTitle->GetVisibility() || !renderer->GetRenderWindow())
            return;
        double box[6];
        axes->GetBounds(box);
        auto toDisplay = [this](double x, double y, double z) {
            renderer->SetWorldPoint(x, y, z, 1.0);
            renderer->WorldToDisplay();
            double d[3];
            renderer->GetDisplayPoint(d);
            return std::array<double, 2>{d[0], d[1]};
        };
        std::array<double, 2> a{};
        std::array<double, 2> b{};
        double leftmost = std::numeric_limits<double>::infinity();
        for (int corner = 0; corner < 4; ++corner) {
            const double x = box[corner & 1];
            const double y = box[2 + (corner >> 1)];
            const auto lo = toDisplay(x, y, box[4]);
            const auto hi = toDisplay(x, y, box[5]);
            if (lo[0] + hi[0] < leftmost) {
                leftmost = lo[0] + hi[0];
                a = lo;
                b = hi;
            }
        }
        const auto c =
            toDisplay((box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[4] + box[5]) / 2);
        double dx = b[0] - a[0];
        double dy = b[1] - a[1];
        const double length = std::hypot(dx, dy);
        if (length < 1e-6)
            return;
        dx /= length;
        dy /= length;
        double nx = -dy;
        double ny = dx;
        const double mx = (a[0] + b[0]) / 2;
        const double my = (a[1] + b[1]) / 2;
        if (nx * (c[0] - mx) + ny * (c[1] - my) > 0) {
            nx = -nx;
            ny = -ny;
        }
        const double clearance = 42 * dpiScale(); // pixels: past the tick labels
        zTitle->SetDisplayPosition(static_cast<int>(mx + clearance * nx),
                                   static_cast<int>(my + clearance * ny));
        double angle = std::atan2(dy, dx) * 180.0 / M_PI; // keep the text upright
        if (angle > 90)
            angle -= 180;
        if (angle <= -90)
            angle += 180;
        zTitle->GetTextProperty()->SetOrientation(angle);
    }

    // Text is sized in points: 1 at 72 DPI, 2 on a HiDPI screen whose widget sets DPI 144.
    double dpiScale() const {
        vtkRenderWindow* window = renderer->GetRenderWindow();
        return window ? window->GetDPI() / 72.0 : 1.0;
    }

    // Renderer size in pixels; a 4:3 guess before the window has a size.
    std::array<double, 2> viewportSize() const {
        const int* size = renderer->GetSize();
        if (size[0] > 0 && size[1] > 0)
            return {double(size[0]), double(size[1])};
        return {400.0, 300.0};
    }

    // Pans and zooms the camera (keeping its direction) so the projected corners of `box` fill
    // the viewport minus margins for the axis labels and the legend. Exact for the parallel
    // 2-D view; for perspective a few rounds converge well enough.
    void fitCamera(const double box[6]) {
        vtkCamera* camera = renderer->GetActiveCamera();
        const auto [w, h] = viewportSize();
        const double aspect = w / h;
        const bool flat = data.dims != 3;
        const double px = dpiScale(); // margins hold text, which scales with the DPI
        const double left = (flat ? 64 : 44) * px;
        const double bottom = (flat ? 48 : 36) * px;
        const double right = legend->GetVisibility() ? (kLegendWidth + 0.02) * w + 6 * px : 16 * px;
        const double top = 12 * px;
        const double t0x = -1 + 2 * left / w;
        const double t1x = 1 - 2 * right / w;
        const double t0y = -1 + 2 * bottom / h;
        const double t1y = 1 - 2 * top / h;
        if (t1x <= t0x || t1y <= t0y)
            return; // window too small for margins: keep the plain view

        for (int round = 0; round < (flat ? 1 : 4); ++round) {
            vtkMatrix4x4* m = camera->GetCompositeProjectionTransformMatrix(aspect, -1, 1);
            double lo[2] = {1e300, 1e300};
            double hi[2] = {-1e300, -1e300};
            for (int c = 0; c < 8; ++c) {
                const double p[4] = {box[c & 1], box[2 + ((c >> 1) & 1)], box[4 + (c >> 2)], 1};
                double v[4];
                m->MultiplyPoint(p, v);
                if (v[3] <= 0)
                    continue;
                for (int k = 0; k < 2; ++k) {
                    lo[k] = std::min(lo[k], v[k] / v[3]);
                    hi[k] = std::max(hi[k], v[k] / v[3]);
                }
            }
            if (hi[0] <= lo[0] || hi[1] <= lo[1])
                return;
            const double zoom = std::clamp(
                std::min((t1x - t0x) / (hi[0] - lo[0]), (t1y - t0y) / (hi[1] - lo[1])), 0.2, 5.0);
            // Pan so the box centre lands where, after zooming about the view centre, it
            // reaches the target's centre.
            const double panX = (lo[0] + hi[0]) / 2 - (t0x + t1x) / 2 / zoom;
            const double panY = (lo[1] + hi[1]) / 2 - (t0y + t1y) / 2 / zoom;
            const double halfHeight =
                camera->GetParallelProjection()
                    ? camera->GetParallelScale()
                    : camera->GetDistance() * std::tan(camera->GetViewAngle() * M_PI / 360.0);
            double dir[3];
            double up[3];
            camera->GetDirectionOfProjection(dir);
            camera->GetViewUp(up);
            double right3[3];
            vtkMath::Cross(dir, up, right3);
            vtkMath::Normalize(right3);
            vtkMath::Cross(right3, dir, up); // orthogonal up
            double pos[3];
            double focal[3];
            camera->GetPosition(pos);
            camera->GetFocalPoint(focal);
            for (int k = 0; k < 3; ++k) {
                const double shift =
                    panX * halfHeight * aspect * right3[k] + panY * halfHeight * up[k];
                pos[k] += shift;
                focal[k] += shift;
            }
            camera->SetPosition(pos);
            camera->SetFocalPoint(focal);
            if (camera->GetParallelProjection())
                camera->SetParallelScale(camera->GetParallelScale() / zoom);
            else
                camera->Dolly(zoom);
        }
    }
};

ScatterScene::ScatterScene() : impl_(std::make_unique<Impl>()) {}
ScatterScene::~ScatterScene() = default;

vtkRenderer* ScatterScene::renderer() const {
    return impl_->renderer;
}
const ScatterData& ScatterScene::data() const {
    return impl_->data;
}
std::size_t ScatterScene::pointCount() const {
    return impl_->data.pointCount();
}
int ScatterScene::highlighted() const {
    return impl_->highlighted;
}

void ScatterScene::setData(const ScatterData& data, bool keepCamera) {
    if (data.xyz.size() % 3 != 0)
        throw DataError("scatter: xyz has " + std::to_string(data.xyz.size()) +
                        " values, not a multiple of 3");
    if (data.dims != 2 && data.dims != 3)
        throw DataError("scatter: dims must be 2 or 3, got " + std::to_string(data.dims));
    const std::size_t n = data.pointCount();
    auto checkSize = [n](std::size_t size, const char* what) {
        if (size != 0 && size != n)
            throw DataError(std::string("scatter: ") + what + " has " + std::to_string(size) +
                            " entries for " + std::to_string(n) + " points");
    };
    checkSize(data.categories.size(), "categories");
    checkSize(data.labels.size(), "labels");
    checkSize(data.pointSizes.size(), "pointSizes");
    if (!data.pointColors.empty() && data.pointColors.size() != 3 * n)
        throw DataError("scatter: pointColors has " + std::to_string(data.pointColors.size()) +
                        " values for " + std::to_string(n) + " points (3 per point)");
    for (std::size_t i = 0; i < data.xyz.size(); ++i) {
        if (!std::isfinite(data.xyz[i]))
            throw DataError("scatter: coordinate " + std::to_string(i % 3) + " of point " +
                            std::to_string(i / 3) + " is not finite");
    }

    impl_->data = data;
    impl_->assignColors();
    impl_->buildPoints();
    impl_->buildGlyphs();
    impl_->buildLegend();
    impl_->buildAxes();
    highlight(-1);
    if (!keepCamera)
        resetCamera();
}

void ScatterScene::setPointsVisible(bool visible) {
    impl_->pointsVisible = visible;
    impl_->actor->SetVisibility(visible && pointCount() > 0);
}
bool ScatterScene::pointsVisible() const {
    return impl_->pointsVisible;
}
double ScatterScene::markerRadius() const {
    return impl_->markerRadius;
}

void ScatterScene::resetCamera() {
    Impl& d = *impl_;
    vtkCamera* camera = d.renderer->GetActiveCamera();
    double box[6]; // the axes' box: data plus padding
    d.axes->GetBounds(box);
    const double center[3] = {(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[4] + box[5]) / 2};
    if (d.data.dims != 3) {
        camera->ParallelProjectionOn();
        camera->SetFocalPoint(center[0], center[1], 0.0);
        camera->SetPosition(center[0], center[1], 1.0);
        camera->SetViewUp(0.0, 1.0, 0.0);
        camera->SetParallelScale(std::max(box[1] - box[0], box[3] - box[2]));
    } else {
        camera->ParallelProjectionOff();
        camera->SetViewAngle(30.0);
        camera->SetFocalPoint(center);
        camera->SetPosition(center[0] + 1.0, center[1] - 1.3, center[2] + 0.6);
        camera->SetViewUp(0.0, 0.0, 1.0);
        d.renderer->ResetCamera(box);
    }
    d.fitCamera(box);
    if (d.data.dims != 3) {
        // Everything lies at z = 0 (the highlight ring slightly above): a fixed range.
        camera->SetClippingRange(0.01, 2.0);
    } else {
        d.renderer->ResetCameraClippingRange(box);
    }
}

std::array<double, 2> ScatterScene::displayPosition(int index) const {
    const Impl& d = *impl_;
    vtkRenderer* ren = d.renderer;
    if (index < 0 || static_cast<std::size_t>(index) >= pointCount() || !ren->GetRenderWindow())
        return {-1.0, -1.0};
    const auto p = d.point(static_cast<std::size_t>(index));
    ren->SetWorldPoint(p[0], p[1], p[2], 1.0);
    ren->WorldToDisplay();
    double out[3];
    ren->GetDisplayPoint(out);
    return {out[0], out[1]};
}

int ScatterScene::pickNearest(double displayX, double displayY, double maxPixels) const {
    const Impl& d = *impl_;
    vtkRenderer* ren = d.renderer;
    vtkRenderWindow* window = ren->GetRenderWindow();
    if (!window || pointCount() == 0)
        return -1;
    const int* size = window->GetSize();
    if (size[0] <= 0 || size[1] <= 0)
        return -1;
    // Same transform as vtkRenderer::WorldToDisplay, with the matrix computed once.
    vtkMatrix4x4* m = ren->GetActiveCamera()->GetCompositeProjectionTransformMatrix(
        ren->GetTiledAspectRatio(), 0, 1);
    const double* vp = ren->GetViewport();
    const double sx = size[0] * (vp[2] - vp[0]) / 2.0;
    const double sy = size[1] * (vp[3] - vp[1]) / 2.0;
    const double ox = size[0] * vp[0];
    const double oy = size[1] * vp[1];

    int best = -1;
    double bestDist2 = maxPixels * maxPixels;
    double bestDepth = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < pointCount(); ++i) {
        const auto p = d.point(i);
        double view[4];
        for (int r = 0; r < 4; ++r)
            view[r] = m->GetElement(r, 0) * p[0] + m->GetElement(r, 1) * p[1] +
                      m->GetElement(r, 2) * p[2] + m->GetElement(r, 3);
        if (view[3] <= 0)
            continue; // behind the camera
        const double x = (view[0] / view[3] + 1.0) * sx + ox;
        const double y = (view[1] / view[3] + 1.0) * sy + oy;
        const double depth = view[2] / view[3];
        const double dist2 = (x - displayX) * (x - displayX) + (y - displayY) * (y - displayY);
        if (dist2 < bestDist2 - 1e-9 ||
            (std::abs(dist2 - bestDist2) <= 1e-9 && depth < bestDepth)) {
            best = static_cast<int>(i);
            bestDist2 = dist2;
            bestDepth = depth;
        }
    }
    return best;
}

void ScatterScene::highlight(int index) {
    Impl& d = *impl_;
    if (index < 0 || static_cast<std::size_t>(index) >= pointCount()) {
        d.highlighted = -1;
        d.ring->VisibilityOff();
        return;
    }
    d.highlighted = index;
    auto p = d.point(static_cast<std::size_t>(index));
    double scale = 1.9 * d.markerRadius;
    if (!d.data.pointSizes.empty())
        scale *= std::max(1.0, d.data.pointSizes[static_cast<std::size_t>(index)]);
    if (d.data.dims != 3)
        p[2] += 0.5 * d.markerRadius; // in front of the flat disks
    d.ring->SetPosition(p.data());
    d.ring->SetScale(scale);
    d.ring->VisibilityOn();
}

std::string ScatterScene::labelOf(int index) const {
    const auto& labels = impl_->data.labels;
    if (index < 0 || static_cast<std::size_t>(index) >= labels.size())
        return {};
    return labels[static_cast<std::size_t>(index)];
}

std::vector<std::array<unsigned char, 3>> ScatterScene::palette() {
    return {
        // Okabe & Ito (2008), black moved to the end (it reads as "axis", not "group").
        {0, 114, 178},   // blue
        {230, 159, 0},   // orange
        {0, 158, 115},   // bluish green
        {213, 94, 0},    // vermillion
        {204, 121, 167}, // reddish purple
        {86, 180, 233},  // sky blue
        {240, 228, 66},  // yellow
        {0, 0, 0},       // black
        // Tableau 10 (2016), without its grey (reserved for controls).
        {78, 121, 167},
        {242, 142, 43},
        {225, 87, 89},
        {118, 183, 178},
        {89, 161, 79},
        {237, 201, 72},
        {176, 122, 161},
        {255, 157, 167},
        {156, 117, 95},
    };
}

std::array<unsigned char, 3> ScatterScene::controlColor() {
    return {153, 153, 153};
}

bool ScatterScene::isOtherCategory(const std::string& category) {
    std::string lower(category);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower == kOtherCategory;
}

std::array<unsigned char, 3> ScatterScene::otherColor() {
    return {210, 210, 210};
}

std::array<unsigned char, 3> ScatterScene::colorOfCategory(const std::string& category) const {
    if (isControl(category))
        return controlColor();
    if (isOtherCategory(category))
        return otherColor();
    auto it = impl_->colors.find(category);
    return it == impl_->colors.end() ? controlColor() : it->second;
}

std::vector<std::string> ScatterScene::categoryOrder() const {
    return impl_->order;
}

} // namespace embedscope::viewer
