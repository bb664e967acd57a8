#pragma once
// Principal curves drawn over a ScatterScene (seed-003 lab note, SPEC S3: "Local Principal
// Curves for Multiple Perturbations"): one thick polyline per group in the group's legend
// colour, its local centres of mass as small dark-edged discs (2-D) or spheres (3-D), and a
// colour bar for the continuous value (time, dose) the markers are coloured by. Plain data in,
// VTK inside; the owner keeps the scene's point colours in step (see valueColors).
#include "embedscope/viewer/scatter_scene.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace embedscope::viewer {

/// One group's curve, in the scene's coordinates (z ignored in 2-D).
struct OverlayCurve {
    std::string category;         ///< the scene category whose colour the curve takes
    std::vector<double> polyline; ///< k*3, k >= 2: the smoothed curve from start to end
    std::vector<double> centres;  ///< m*3: the local centres of mass (may be empty)
    /// Arrowheads at the end of every polyline segment (dose paths: control → lowest →
    /// highest dose, issue 7); principal curves have none.
    bool arrows = false;
    /// Overrides the scene's colour of `category` (e.g. a substance while the points are
    /// coloured by another column).
    std::optional<std::array<unsigned char, 3>> color;
};

struct CurveOverlayData {
    std::vector<OverlayCurve> curves;
    /// Per scene point, the order variable the markers are coloured by (NaN = unknown); empty
    /// = no colour bar.
    std::vector<double> values;
    std::string valueTitle; ///< colour bar title (the column name)
};

/// Adds its actors to the scene's renderer; removes them when destroyed. The scene must
/// outlive the overlay. GUI thread only, like the scene.
class CurveOverlay {
public:
    explicit CurveOverlay(ScatterScene& scene);
    ~CurveOverlay();
    CurveOverlay(const CurveOverlay&) = delete;
    CurveOverlay& operator=(const CurveOverlay&) = delete;

    /// Replaces the curves and the colour bar. Call after the scene's setData (curve colours,
    /// marker size and 2-D/3-D come from the scene's current data). Throws DataError (nothing
    /// changes then) when a polyline is not k*3 with k >= 2, centres are not m*3, a coordinate
    /// is not finite, or `values` is neither empty nor one per scene point.
    void setData(const CurveOverlayData& data);
    const CurveOverlayData& data() const;
    void clear();

    /// Toggles; they persist across setData. Points are the scene's markers (and the colour
    /// bar, which describes them).
    void setCurvesVisible(bool visible);
    void setCentresVisible(bool visible);
    void setPointsVisible(bool visible);
    bool curvesVisible() const;
    bool centresVisible() const;
    bool pointsVisible() const;

    /// Number of curves drawn (0 after clear()).
    std::size_t curveCount() const;
    /// Whether the curve, centre and colour-bar actors are currently visible (what a render
    /// shows: the flag and something to draw).
    bool curvesShown() const;
    bool centresShown() const;
    bool colorBarShown() const;
    /// Arrowheads drawn (paths with `arrows`, segments long enough for a head).
    std::size_t arrowHeadCount() const;

    /// Viridis (matplotlib) at t in [0, 1]; t outside is clamped, NaN gives the start.
    static std::array<unsigned char, 3> viridis(double t);
    /// Marker colours (n*3, for ScatterData::pointColors) of `values` mapped linearly from
    /// their finite minimum (viridis start) to maximum (end); NaN values get the control grey.
    /// A constant column maps to the middle of the map.
    static std::vector<unsigned char> valueColors(const std::vector<double>& values);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace embedscope::viewer
