#pragma once
// Dose paths in the embedding projection (issue 7): per substance, an arrowed path from the
// reference centroid (control, or the secondary-only group) through the dose centroids in
// ascending dose, in the displayed 2-D/3-D coordinates, coloured like the substance.
#include "embedscope/engine/metrics.h"
#include "embedscope/viewer/curve_overlay.h"

#include <QString>

#include <string>
#include <vector>

namespace embedscope::ui {

/// `xyz` is n*3 as viewer::ScatterData (z ignored when dims == 2), `labels` one per point.
/// With `highlight` set, other substances' paths are faded. Substances without a reference
/// start at their lowest dose; those with one dose and no reference get no path (their
/// names, with the reason, go to `notes`). Throws DataError for inconsistent sizes or no
/// dosed rows (the engine's analyseDoseResponse).
viewer::CurveOverlayData dosePathOverlay(const std::vector<double>& xyz, int dims,
                                         const MetricLabels& labels, const QString& highlight,
                                         std::vector<std::string>* notes = nullptr);

} // namespace embedscope::ui
