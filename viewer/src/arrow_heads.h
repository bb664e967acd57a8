#pragma once
// Arrowheads for overlay paths (issue 7: dose paths control → lowest → highest dose): explicit
// triangles, so each head takes its path's colour without a glyph orientation array.
#include <vtkCellArray.h>
#include <vtkPoints.h>
#include <vtkUnsignedCharArray.h>

#include <array>

namespace embedscope::viewer::detail {

struct ArrowHeadShape {
    double length = 1;   ///< along the segment
    double radius = 0.4; ///< half-width of the base
    double inset = 0;    ///< the tip stops this far before the segment's end (a centre's radius)
    bool flat = true;    ///< 2-D: one triangle at z = flatZ; 3-D: a 12-sided cone
    double flatZ = 0;
};

/// Appends a head pointing from `from` to `to`, its tip `inset` before `to`. Nothing is added
/// when the segment is shorter than inset + length / 2 (the head would cover its start).
void appendArrowHead(vtkPoints* points, vtkCellArray* polys, vtkUnsignedCharArray* colours,
                     const std::array<double, 3>& from, const std::array<double, 3>& to,
                     const ArrowHeadShape& shape, const std::array<unsigned char, 3>& rgb);

} // namespace embedscope::viewer::detail
