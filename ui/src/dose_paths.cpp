#include "embedscope/ui/dose_paths.h"

#include "embedscope/engine/dose_response.h"
#include "embedscope/engine/error.h"
#include "embedscope/ui/plot_painter.h"

#include <QColor>

namespace embedscope::ui {

viewer::CurveOverlayData dosePathOverlay(const std::vector<double>& xyz, int dims,
                                         const MetricLabels& labels, const QString& highlight,
                                         std::vector<std::string>* notes) {
    if (xyz.size() % 3 != 0)
        throw DataError("dose paths: " + std::to_string(xyz.size()) +
                        " coordinates are not x, y, z triples");
    const int d = dims == 3 ? 3 : 2;
    const Eigen::Index n = Eigen::Index(xyz.size() / 3);
    Eigen::MatrixXd z(n, d);
    for (Eigen::Index i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k)
            z(i, k) = xyz[std::size_t(i) * 3 + std::size_t(k)];
    DoseResponseOptions options;
    options.bootstrap = 0; // centroids only
    const DoseResponseResult result = analyseDoseResponse(z, labels, options, JobContext());

    viewer::CurveOverlayData overlay;
    for (std::size_t s = 0; s < result.substances.size(); ++s) {
        const SubstanceResponse& sub = result.substances[s];
        viewer::OverlayCurve path;
        path.category = sub.name;
        path.arrows = true;
        auto add = [&](const std::vector<double>& c, std::vector<double>& into) {
            into.insert(into.end(), {c[0], c[1], d == 3 ? c[2] : 0.0});
        };
        if (sub.hasReference)
            add(sub.referenceCentroid, path.polyline);
        for (const DoseLevel& level : sub.levels) {
            add(level.centroid, path.polyline);
            add(level.centroid, path.centres);
        }
        if (path.polyline.size() < 6) {
            if (notes)
                notes->push_back(sub.name + ": one dose and no reference rows, no path");
            continue;
        }
        QColor c = categoryColor(int(s));
        if (!highlight.isEmpty() && highlight != QString::fromStdString(sub.name))
            c = QColor::fromRgbF(float(0.3 * c.redF() + 0.7 * 0.85),
                                 float(0.3 * c.greenF() + 0.7 * 0.85),
                                 float(0.3 * c.blueF() + 0.7 * 0.85));
        path.color = std::array<unsigned char, 3>{static_cast<unsigned char>(c.red()),
                                                  static_cast<unsigned char>(c.green()),
                                                  static_cast<unsigned char>(c.blue())};
        overlay.curves.push_back(std::move(path));
    }
    if (notes)
        notes->insert(notes->end(), result.notes.begin(), result.notes.end());
    return overlay;
}

} // namespace embedscope::ui
