#pragma once
// Cell Painting false colour (issue 8 views): one colour per channel, each channel stretched to
// its 0.5–99.5 percentile, added like fluorescence. Shared by the plate view's sites and crops
// and the neighbour crops of the profile views, so a cell looks the same everywhere.
#include "embedscope/engine/dataset.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>

#include <string>
#include <utility>
#include <vector>

namespace embedscope::ui {

/// Cell Painting false colour of a channel name (DNA blue, ER green, RNA cyan, AGP orange,
/// Mito red; other names cycle the categorical palette by `index`).
QColor cellChannelColor(const std::string& channel, int index);
/// The 0.5 and 99.5 percentiles of `n` values (the contrast stretch of one channel); hi > lo
/// (widened by 1e-6 when flat).
std::pair<float, float> cellStretchRange(const float* values, std::size_t n);
/// Channels added in their colours after the stretch (v - lo) / (hi - lo), clamped to [0, 1]
/// per colour component; channels with an invalid colour are left out (toggled off).
QImage cellComposite(const std::vector<const float*>& pages, int width, int height,
                     const std::vector<QColor>& colors,
                     const std::vector<std::pair<float, float>>& ranges);

/// The crops' channel names: attributesJson "channels" when it names C channels, else ch1..chC.
QStringList cellChannelNames(const Dataset& crops);
/// cellChannelColor of each name.
std::vector<QColor> cellChannelColors(const QStringList& names);
/// Per channel, the stretch range of the pooled pixels of `samples` (C x S x S crops).
std::vector<std::pair<float, float>> cellCropRanges(const Dataset& crops,
                                                    const std::vector<std::size_t>& samples);
/// Crop `sample` through cellComposite.
QImage cellCropImage(const Dataset& crops, std::size_t sample, const std::vector<QColor>& colors,
                     const std::vector<std::pair<float, float>>& ranges);

} // namespace embedscope::ui
