#pragma once
// A VTK scene showing an embedding as a 2-D or 3-D scatter plot: round markers coloured by
// category, a legend, axes with titles, a white background. Built from plain data so the
// engine and the tests need no VTK types; the renderer is handed to whatever window shows it.
#include <array>
#include <memory>
#include <string>
#include <vector>

class vtkRenderer;

namespace embedscope::viewer {

/// What to draw. Sizes of the per-point vectors must be 0 or the number of points.
struct ScatterData {
    int dims = 2;                        ///< 2 (parallel top view) or 3 (perspective)
    std::vector<double> xyz;             ///< n*3 coordinates, z = 0 for 2-D
    std::vector<std::string> categories; ///< per point, for colour; empty = one colour
    std::vector<std::string> labels;     ///< per point, tooltip text; may be empty
    std::string colorTitle;              ///< shown above the legend (e.g. the column name)
    std::vector<std::string> axisTitles; ///< x, y[, z]; missing ones default to "x", "y", "z"
    std::vector<double> pointSizes;      ///< optional per-point scale (1 = default size)
    /// Optional per-point marker colour (n*3 RGB) replacing the category colour, e.g. time or
    /// dose in viridis under principal curves; the legend still shows the categories.
    std::vector<unsigned char> pointColors;

    std::size_t pointCount() const { return xyz.size() / 3; }
};

/// Owns one vtkRenderer. Not thread-safe: use on the GUI thread only.
class ScatterScene {
public:
    ScatterScene();
    ~ScatterScene();
    ScatterScene(const ScatterScene&) = delete;
    ScatterScene& operator=(const ScatterScene&) = delete;

    /// The renderer to add to a render window (the scene keeps its own reference).
    vtkRenderer* renderer() const;

    /// Replaces the points, colours, legend and axes, then resets the camera (unless
    /// `keepCamera`, e.g. when only the colouring changed). Clears the highlight.
    /// Throws DataError when xyz is not n*3, a coordinate is not finite, dims is not 2 or 3, or
    /// a per-point vector has a wrong size.
    void setData(const ScatterData& data, bool keepCamera = false);
    const ScatterData& data() const;
    std::size_t pointCount() const;

    /// 2-D: parallel projection looking down -z; 3-D: perspective from above one corner.
    /// Leaves room on the right for the legend. Uses the render window's current aspect.
    void resetCamera();

    /// Index of the point nearest to display position (x, y) (pixels, origin bottom-left,
    /// as vtkRenderer::WorldToDisplay), or -1 if none lies within maxPixels. Ties in 3-D go
    /// to the point nearest the camera. Needs the renderer to be in a render window.
    int pickNearest(double displayX, double displayY, double maxPixels = 12) const;
    /// Display position of point `index` (pixels, origin bottom-left); {-1, -1} if invalid.
    std::array<double, 2> displayPosition(int index) const;

    /// Shows or hides the markers (axes, legend and overlays stay). Kept across setData.
    void setPointsVisible(bool visible);
    bool pointsVisible() const;
    /// Radius of a default-size marker in data units (set by setData), for overlays.
    double markerRadius() const;

    /// Draws a ring around point `index`; -1 (or any invalid index) clears it.
    void highlight(int index);
    int highlighted() const;

    /// Label of point `index` ("" when there are no labels or the index is invalid).
    std::string labelOf(int index) const;

    /// Colour-blind-friendly qualitative palette in assignment order (Okabe–Ito, then
    /// Tableau 10 without its grey). Categories beyond its length reuse it cyclically.
    static std::vector<std::array<unsigned char, 3>> palette();
    /// The neutral grey every category named "control" (any case) gets.
    static std::array<unsigned char, 3> controlColor();
    /// Seed 000 Fig 4.8: "other" groups recede: a light grey, listed last in the legend (the
    /// caller also draws them smaller through pointSizes).
    static constexpr const char* kOtherCategory = "other";
    static bool isOtherCategory(const std::string& category);
    static std::array<unsigned char, 3> otherColor();
    /// Colour of a category of the current data; controlColor() for "control"; unknown
    /// categories get controlColor() too.
    std::array<unsigned char, 3> colorOfCategory(const std::string& category) const;
    /// Distinct categories of the current data in legend order: "control" first, then the
    /// others in natural order ("dose 2" before "dose 10"), which is also palette order.
    std::vector<std::string> categoryOrder() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace embedscope::viewer
