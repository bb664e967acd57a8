#include "embedscope/viewer/curve_overlay.h"

#include "arrow_heads.h"
#include "embedscope/engine/error.h"

#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCellArray.h>
#include <vtkGlyph3DMapper.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSphereSource.h>
#include <vtkTextProperty.h>
#include <vtkTubeFilter.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace embedscope::viewer {
namespace {

using Rgb = std::array<unsigned char, 3>;

// Viridis at 9 stops (matplotlib's table, every 32nd entry); linear in between. Also the
// trajectory inspector's time colouring (CurveOverlay::viridis).
constexpr std::array<std::array<int, 3>, 9> kViridis = {{{68, 1, 84},
                                                         {71, 44, 122},
                                                         {59, 81, 139},
                                                         {44, 113, 142},
                                                         {33, 144, 141},
                                                         {39, 173, 129},
                                                         {92, 200, 99},
                                                         {170, 220, 50},
                                                         {253, 231, 37}}};

// 2-D layering: the scene's markers lie at z = 0 and its camera sees z in (-1, 0.99); the
// overlay stacks above them in this order so curves cross points and centres sit on curves.
constexpr double kHaloZ = 0.02;
constexpr double kCurveZ = 0.03;
constexpr double kCentreZ = 0.04;
constexpr double kCentreEdgeZ = 0.05;
constexpr double kCurvePixels = 3.5; // 2-D curve width at 72 DPI; the white halo adds 3
constexpr double kTextGrey = 0.15;   // as the scene's legend text
const Rgb kCentreEdge{40, 40, 40};

void checkTriples(const std::vector<double>& v, std::size_t minCount, const std::string& what) {
    if (v.size() % 3 != 0 || v.size() / 3 < minCount)
        throw DataError("curve overlay: " + what + " has " + std::to_string(v.size()) +
                        " values; needs 3 per point and at least " + std::to_string(minCount) +
                        " points");
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw DataError("curve overlay: " + what + ", coordinate " + std::to_string(i % 3) +
                            " of point " + std::to_string(i / 3) + " is not finite");
}

vtkNew<vtkUnsignedCharArray> rgbArray() {
    vtkNew<vtkUnsignedCharArray> rgb;
    rgb->SetName("colors");
    rgb->SetNumberOfComponents(3);
    return rgb;
}

void flatLook(vtkActor* actor) { // exact colours, independent of lights
    actor->GetProperty()->SetAmbient(1.0);
    actor->GetProperty()->SetDiffuse(0.0);
    actor->GetProperty()->SetSpecular(0.0);
}

} // namespace

struct CurveOverlay::Impl {
    ScatterScene& scene;
    CurveOverlayData data;
    bool curvesOn = true, centresOn = true, pointsOn = true;
    bool anyCentres = false;
    bool anyHeads = false;
    std::size_t headCount = 0;

    vtkNew<vtkPolyData> lines; // all curves, colour per point
    vtkNew<vtkPolyDataMapper> haloMapper, curveMapper;
    vtkNew<vtkActor> halo, curve;
    vtkNew<vtkTubeFilter> tubes; // 3-D: lines as tubes
    vtkNew<vtkPolyData> centres; // 3-D: centre positions for sphere glyphs
    vtkNew<vtkGlyph3DMapper> centreGlyphs;
    vtkNew<vtkPolyData> discs, rings; // 2-D: explicit discs and their dark edges
    vtkNew<vtkPolyDataMapper> discMapper, ringMapper;
    vtkNew<vtkActor> centreActor, ringActor;
    vtkNew<vtkPolyData> heads; // arrowheads of paths with `arrows`
    vtkNew<vtkPolyDataMapper> headMapper;
    vtkNew<vtkActor> headActor;
    vtkNew<vtkLookupTable> lut;
    vtkNew<vtkScalarBarActor> bar;
    vtkNew<vtkCallbackCommand> beforeRender; // lays out the colour bar for each render

    explicit Impl(ScatterScene& s) : scene(s) {
        vtkRenderer* ren = scene.renderer();
        haloMapper->SetInputData(lines);
        haloMapper->ScalarVisibilityOff();
        halo->SetMapper(haloMapper);
        halo->GetProperty()->SetColor(1.0, 1.0, 1.0);
        flatLook(halo);
        halo->PickableOff();
        curveMapper->SetColorModeToDirectScalars();
        curveMapper->ScalarVisibilityOn();
        curve->SetMapper(curveMapper);
        curve->PickableOff();
        tubes->SetInputData(lines);
        tubes->SetNumberOfSides(12);
        tubes->CappingOn();

        centreGlyphs->SetInputData(centres);
        centreGlyphs->SetColorModeToDirectScalars();
        centreGlyphs->ScalarVisibilityOn();
        centreGlyphs->ScalingOff();
        centreGlyphs->OrientOff();
        discMapper->SetInputData(discs);
        discMapper->SetColorModeToDirectScalars();
        ringMapper->SetInputData(rings);
        ringMapper->ScalarVisibilityOff();
        centreActor->PickableOff();
        ringActor->SetMapper(ringMapper);
        ringActor->GetProperty()->SetColor(kCentreEdge[0] / 255.0, kCentreEdge[1] / 255.0,
                                           kCentreEdge[2] / 255.0);
        flatLook(ringActor);
        ringActor->PickableOff();
        headMapper->SetInputData(heads);
        headMapper->SetColorModeToDirectScalars();
        headActor->SetMapper(headMapper);
        headActor->PickableOff();

        lut->SetNumberOfTableValues(256);
        for (int i = 0; i < 256; ++i) {
            const Rgb c = CurveOverlay::viridis(i / 255.0);
            lut->SetTableValue(i, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 1.0);
        }
        bar->SetLookupTable(lut);
        bar->SetOrientationToVertical();
        bar->SetNumberOfLabels(3);
        bar->SetLabelFormat("%-#6.3g");
        bar->UnconstrainedFontSizeOn();
        bar->SetTextPositionToSucceedScalarBar();
        bar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        for (vtkTextProperty* text : {bar->GetTitleTextProperty(), bar->GetLabelTextProperty()}) {
            text->SetColor(kTextGrey, kTextGrey, kTextGrey);
            text->SetFontFamilyToArial();
            text->ShadowOff();
            text->ItalicOff();
        }
        bar->GetTitleTextProperty()->BoldOn();
        bar->GetLabelTextProperty()->BoldOff();
        bar->PickableOff();

        for (vtkActor* a :
             {halo.Get(), curve.Get(), centreActor.Get(), ringActor.Get(), headActor.Get()}) {
            a->VisibilityOff();
            ren->AddActor(a);
        }
        bar->VisibilityOff();
        ren->AddActor2D(bar);
        beforeRender->SetClientData(this);
        beforeRender->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
            static_cast<Impl*>(self)->placeBar();
        });
        ren->AddObserver(vtkCommand::StartEvent, beforeRender);
    }

    ~Impl() {
        vtkRenderer* ren = scene.renderer();
        ren->RemoveObserver(beforeRender);
        for (vtkActor* a :
             {halo.Get(), curve.Get(), centreActor.Get(), ringActor.Get(), headActor.Get()})
            ren->RemoveActor(a);
        ren->RemoveActor2D(bar);
    }

    bool flat() const { return scene.data().dims != 3; }

    double dpiScale() const {
        vtkRenderWindow* window = scene.renderer()->GetRenderWindow();
        return window ? window->GetDPI() / 72.0 : 1.0;
    }

    // Diagonal of the scene's points and the curves: sizes of tubes and centres follow it.
    double diagonal() const {
        double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
        auto add = [&](const std::vector<double>& xyz) {
            for (std::size_t i = 0; i + 2 < xyz.size(); i += 3)
                for (int k = 0; k < (flat() ? 2 : 3); ++k) {
                    lo[k] = std::min(lo[k], xyz[i + std::size_t(k)]);
                    hi[k] = std::max(hi[k], xyz[i + std::size_t(k)]);
                }
        };
        add(scene.data().xyz);
        for (const auto& c : data.curves)
            add(c.polyline);
        double d2 = 0;
        for (int k = 0; k < (flat() ? 2 : 3); ++k)
            d2 += hi[k] > lo[k] ? (hi[k] - lo[k]) * (hi[k] - lo[k]) : 0.0;
        return d2 > 0 ? std::sqrt(d2) : 1.0;
    }

    void build() {
        const bool is2d = flat();
        const double diag = diagonal();
        const double marker = scene.markerRadius();
        // Centres and tubes stay visible when crowded clouds shrink the markers.
        const double centreRadius = std::max(1.6 * marker, 0.007 * diag);
        const double tubeRadius = std::max(0.45 * marker, 0.0025 * diag);

        vtkNew<vtkPoints> pts;
        pts->SetDataTypeToDouble();
        vtkNew<vtkCellArray> cells;
        auto colours = rgbArray();
        vtkNew<vtkPoints> centrePts;
        centrePts->SetDataTypeToDouble();
        auto centreColours = rgbArray();
        vtkNew<vtkPoints> headPts;
        headPts->SetDataTypeToDouble();
        vtkNew<vtkCellArray> headPolys;
        auto headColours = rgbArray();
        detail::ArrowHeadShape head;
        head.flat = is2d;
        head.flatZ = kCentreEdgeZ; // above the curve and the centres' discs
        head.length = std::max(4.0 * tubeRadius, 0.03 * diag);
        head.radius = 0.4 * head.length;
        for (const OverlayCurve& c : data.curves) {
            const Rgb rgb = c.color ? *c.color : scene.colorOfCategory(c.category);
            const std::size_t k = c.polyline.size() / 3;
            cells->InsertNextCell(static_cast<vtkIdType>(k));
            for (std::size_t i = 0; i < k; ++i) {
                const double z = is2d ? kCurveZ : c.polyline[3 * i + 2];
                cells->InsertCellPoint(
                    pts->InsertNextPoint(c.polyline[3 * i], c.polyline[3 * i + 1], z));
                colours->InsertNextTypedTuple(rgb.data());
            }
            head.inset = c.centres.empty() ? 0.0 : centreRadius;
            for (std::size_t i = 0; c.arrows && i + 1 < k; ++i)
                detail::appendArrowHead(
                    headPts, headPolys, headColours,
                    {c.polyline[3 * i], c.polyline[3 * i + 1], c.polyline[3 * i + 2]},
                    {c.polyline[3 * i + 3], c.polyline[3 * i + 4], c.polyline[3 * i + 5]}, head,
                    rgb);
            // LPC piles centres up where a walk stalls at the end of the data: draw only
            // those at least a radius from the last one drawn, so ends do not turn into blobs.
            std::array<double, 3> last{1e300, 1e300, 1e300};
            for (std::size_t i = 0; i + 2 < c.centres.size(); i += 3) {
                const std::array<double, 3> p{c.centres[i], c.centres[i + 1],
                                              is2d ? kCentreZ : c.centres[i + 2]};
                if (std::hypot(p[0] - last[0], p[1] - last[1], p[2] - last[2]) < centreRadius)
                    continue;
                last = p;
                centrePts->InsertNextPoint(p.data());
                centreColours->InsertNextTypedTuple(rgb.data());
            }
        }
        lines->Initialize();
        lines->SetPoints(pts);
        lines->SetLines(cells);
        lines->GetPointData()->SetScalars(colours);
        anyCentres = centrePts->GetNumberOfPoints() > 0;
        heads->Initialize();
        heads->SetPoints(headPts);
        heads->SetPolys(headPolys);
        heads->GetPointData()->SetScalars(headColours);
        headCount = std::size_t(headPolys->GetNumberOfCells()) / (is2d ? 1 : 24);
        anyHeads = headCount > 0;
        if (is2d)
            flatLook(headActor);
        else {
            headActor->GetProperty()->SetAmbient(0.3);
            headActor->GetProperty()->SetDiffuse(0.75);
        }

        if (is2d) {
            curveMapper->SetInputData(lines);
            flatLook(curve);
            const double px = dpiScale();
            curve->GetProperty()->SetLineWidth(float(kCurvePixels * px));
            halo->GetProperty()->SetLineWidth(float((kCurvePixels + 3) * px));
            // The halo lies just below the coloured line.
            halo->SetPosition(0, 0, kHaloZ - kCurveZ);
            buildDiscs(centrePts, centreColours, centreRadius);
            centreActor->SetMapper(discMapper);
            flatLook(centreActor);
        } else {
            tubes->SetRadius(tubeRadius);
            curveMapper->SetInputConnection(tubes->GetOutputPort());
            curve->GetProperty()->SetAmbient(0.3);
            curve->GetProperty()->SetDiffuse(0.75);
            curve->GetProperty()->SetSpecular(0.2);
            curve->GetProperty()->SetSpecularPower(20);
            centres->Initialize();
            centres->SetPoints(centrePts);
            centres->GetPointData()->SetScalars(centreColours);
            vtkNew<vtkSphereSource> sphere;
            sphere->SetRadius(centreRadius);
            sphere->SetThetaResolution(14);
            sphere->SetPhiResolution(10);
            centreGlyphs->SetSourceConnection(sphere->GetOutputPort());
            centreActor->SetMapper(centreGlyphs);
            // No outline in 3-D: a darker, glossier shade sets centres apart from markers.
            centreActor->GetProperty()->SetAmbient(0.15);
            centreActor->GetProperty()->SetDiffuse(0.7);
            centreActor->GetProperty()->SetSpecular(0.5);
            centreActor->GetProperty()->SetSpecularPower(40);
        }

        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (double v : data.values)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        if (!(hi > lo)) { // constant or no finite value: a unit range around it
            lo = std::isfinite(lo) ? lo - 0.5 : 0.0;
            hi = lo + 1.0;
        }
        lut->SetTableRange(lo, hi);
        bar->SetTitle(data.valueTitle.c_str());
        updateVisibility();
    }

    // 2-D centres: filled discs in the curve colour with a dark edge, built explicitly (a
    // glyph mapper cannot give each disc both a fill and an outline colour).
    void buildDiscs(vtkPoints* at, vtkUnsignedCharArray* rgb, double radius) {
        constexpr int kSides = 20;
        vtkNew<vtkPoints> discPts, ringPts;
        vtkNew<vtkCellArray> polys, loops;
        auto colours = rgbArray();
        for (vtkIdType c = 0; c < at->GetNumberOfPoints(); ++c) {
            double p[3];
            at->GetPoint(c, p);
            unsigned char fill[3];
            rgb->GetTypedTuple(c, fill);
            polys->InsertNextCell(kSides);
            loops->InsertNextCell(kSides + 1);
            vtkIdType first = -1;
            for (int s = 0; s < kSides; ++s) {
                const double a = 2.0 * M_PI * s / kSides;
                const double x = p[0] + radius * std::cos(a);
                const double y = p[1] + radius * std::sin(a);
                polys->InsertCellPoint(discPts->InsertNextPoint(x, y, kCentreZ));
                colours->InsertNextTypedTuple(fill);
                const vtkIdType id = ringPts->InsertNextPoint(x, y, kCentreEdgeZ);
                loops->InsertCellPoint(id);
                first = s == 0 ? id : first;
            }
            loops->InsertCellPoint(first);
        }
        discs->Initialize();
        discs->SetPoints(discPts);
        discs->SetPolys(polys);
        discs->GetPointData()->SetScalars(colours);
        rings->Initialize();
        rings->SetPoints(ringPts);
        rings->SetLines(loops);
        ringActor->GetProperty()->SetLineWidth(float(1.5 * dpiScale()));
    }

    void updateVisibility() {
        const bool hasCurves = !data.curves.empty();
        halo->SetVisibility(curvesOn && hasCurves && flat());
        curve->SetVisibility(curvesOn && hasCurves);
        headActor->SetVisibility(curvesOn && anyHeads);
        centreActor->SetVisibility(centresOn && anyCentres);
        ringActor->SetVisibility(centresOn && anyCentres && flat());
        bar->SetVisibility(pointsOn && !data.values.empty() && scene.pointCount() > 0);
    }

    // The colour bar sits in the scene's legend strip (right 20 % of the viewport), below the
    // legend: the legend's height is estimated with the scene's layout (19 px per entry, a
    // 22 px title, 8 px margin at 72 DPI).
    void placeBar() {
        if (!bar->GetVisibility())
            return;
        const int* size = scene.renderer()->GetSize();
        const double w = size[0] > 0 ? size[0] : 400.0;
        const double h = size[1] > 0 ? size[1] : 300.0;
        const double px = dpiScale();
        const std::size_t entries = std::min<std::size_t>(scene.categoryOrder().size(), 21);
        const double legendPixels =
            scene.data().categories.empty()
                ? 0.0
                : (8.0 + (scene.data().colorTitle.empty() ? 0.0 : 22.0) + 19.0 * entries) * px;
        const double bottom = 12.0 * px / h;
        const double top = std::min(0.55, 1.0 - (legendPixels + 12.0 * px) / h);
        const double height = std::max(top - bottom, 60.0 * px / h);
        bar->SetPosition(0.80, bottom);
        bar->SetPosition2(std::min(0.18, 70.0 * px / w), height);
        bar->SetBarRatio(0.3);
        bar->GetTitleTextProperty()->SetFontSize(int(std::lround(12 * px)));
        bar->GetLabelTextProperty()->SetFontSize(int(std::lround(11 * px)));
    }
};

CurveOverlay::CurveOverlay(ScatterScene& scene) : impl_(std::make_unique<Impl>(scene)) {}
CurveOverlay::~CurveOverlay() = default;

void CurveOverlay::setData(const CurveOverlayData& data) {
    for (std::size_t c = 0; c < data.curves.size(); ++c) {
        const std::string what =
            "curve " + std::to_string(c) + " ('" + data.curves[c].category + "')";
        checkTriples(data.curves[c].polyline, 2, what + " polyline");
        checkTriples(data.curves[c].centres, 0, what + " centres");
    }
    const std::size_t n = impl_->scene.pointCount();
    if (!data.values.empty() && data.values.size() != n)
        throw DataError("curve overlay: " + std::to_string(data.values.size()) + " values for " +
                        std::to_string(n) + " points");
    impl_->data = data;
    impl_->build();
}

const CurveOverlayData& CurveOverlay::data() const {
    return impl_->data;
}

void CurveOverlay::clear() {
    impl_->data = CurveOverlayData{};
    impl_->build();
}

void CurveOverlay::setCurvesVisible(bool visible) {
    impl_->curvesOn = visible;
    impl_->updateVisibility();
}
void CurveOverlay::setCentresVisible(bool visible) {
    impl_->centresOn = visible;
    impl_->updateVisibility();
}
void CurveOverlay::setPointsVisible(bool visible) {
    impl_->pointsOn = visible;
    impl_->scene.setPointsVisible(visible);
    impl_->updateVisibility();
}
bool CurveOverlay::curvesVisible() const {
    return impl_->curvesOn;
}
bool CurveOverlay::centresVisible() const {
    return impl_->centresOn;
}
bool CurveOverlay::pointsVisible() const {
    return impl_->pointsOn;
}
std::size_t CurveOverlay::curveCount() const {
    return impl_->data.curves.size();
}
bool CurveOverlay::curvesShown() const {
    return impl_->curve->GetVisibility() != 0;
}
bool CurveOverlay::centresShown() const {
    return impl_->centreActor->GetVisibility() != 0;
}
std::size_t CurveOverlay::arrowHeadCount() const {
    return impl_->headCount;
}
bool CurveOverlay::colorBarShown() const {
    return impl_->bar->GetVisibility() != 0;
}

std::array<unsigned char, 3> CurveOverlay::viridis(double t) {
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (kViridis.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), kViridis.size() - 2);
    const double f = t - static_cast<double>(i);
    Rgb out{};
    for (std::size_t c = 0; c < 3; ++c)
        out[c] = static_cast<unsigned char>(
            std::lround(kViridis[i][c] * (1 - f) + kViridis[i + 1][c] * f));
    return out;
}

std::vector<unsigned char> CurveOverlay::valueColors(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    std::vector<unsigned char> out;
    out.reserve(3 * values.size());
    const Rgb unknown = ScatterScene::controlColor();
    for (double v : values) {
        const Rgb c = !std::isfinite(v) ? unknown : viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5);
        out.insert(out.end(), c.begin(), c.end());
    }
    return out;
}

} // namespace embedscope::viewer
