#include "arrow_heads.h"

#include <cmath>

namespace embedscope::viewer::detail {

void appendArrowHead(vtkPoints* points, vtkCellArray* polys, vtkUnsignedCharArray* colours,
                     const std::array<double, 3>& from, const std::array<double, 3>& to,
                     const ArrowHeadShape& shape, const std::array<unsigned char, 3>& rgb) {
    std::array<double, 3> d{to[0] - from[0], to[1] - from[1], shape.flat ? 0.0 : to[2] - from[2]};
    const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (!(len > shape.inset + 0.5 * shape.length))
        return;
    for (double& v : d)
        v /= len;
    const double tipAt = len - shape.inset;
    const double baseAt = tipAt - shape.length;
    auto along = [&](double t) {
        return std::array<double, 3>{from[0] + t * d[0], from[1] + t * d[1],
                                     shape.flat ? shape.flatZ : from[2] + t * d[2]};
    };
    const std::array<double, 3> tip = along(tipAt);
    const std::array<double, 3> base = along(baseAt);
    auto add = [&](const std::array<double, 3>& p) {
        colours->InsertNextTypedTuple(rgb.data());
        return points->InsertNextPoint(p.data());
    };
    if (shape.flat) {
        const double nx = -d[1] * shape.radius, ny = d[0] * shape.radius;
        const vtkIdType ids[3] = {add(tip), add({base[0] + nx, base[1] + ny, shape.flatZ}),
                                  add({base[0] - nx, base[1] - ny, shape.flatZ})};
        polys->InsertNextCell(3, ids);
        return;
    }
    // Two unit vectors perpendicular to d span the cone's base circle.
    const std::array<double, 3> helper =
        std::abs(d[0]) < 0.9 ? std::array<double, 3>{1, 0, 0} : std::array<double, 3>{0, 1, 0};
    std::array<double, 3> u{d[1] * helper[2] - d[2] * helper[1],
                            d[2] * helper[0] - d[0] * helper[2],
                            d[0] * helper[1] - d[1] * helper[0]};
    const double un = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    for (double& v : u)
        v /= un;
    const std::array<double, 3> w{d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2],
                                  d[0] * u[1] - d[1] * u[0]};
    constexpr int kSides = 12;
    const vtkIdType tipId = add(tip);
    const vtkIdType centreId = add(base);
    vtkIdType ring[kSides];
    for (int s = 0; s < kSides; ++s) {
        const double a = 2.0 * M_PI * s / kSides;
        const double c = std::cos(a) * shape.radius, sn = std::sin(a) * shape.radius;
        ring[s] = add({base[0] + c * u[0] + sn * w[0], base[1] + c * u[1] + sn * w[1],
                       base[2] + c * u[2] + sn * w[2]});
    }
    for (int s = 0; s < kSides; ++s) {
        const vtkIdType side[3] = {tipId, ring[s], ring[(s + 1) % kSides]};
        polys->InsertNextCell(3, side);
        const vtkIdType cap[3] = {centreId, ring[(s + 1) % kSides], ring[s]};
        polys->InsertNextCell(3, cap);
    }
}

} // namespace embedscope::viewer::detail
