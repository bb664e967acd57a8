// Cell Painting false colour (cell_false_colour.h).
#include "embedscope/ui/cell_false_colour.h"

#include "embedscope/ui/plot_painter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {

QColor cellChannelColor(const std::string& channel, int index) {
    // The usual Cell Painting display colours (seed 004 §3.1 channels): DNA blue, ER green,
    // RNA cyan, AGP orange, Mito red; additive, so overlaps mix like fluorescence.
    if (channel == "DNA")
        return QColor(40, 90, 255);
    if (channel == "ER")
        return QColor(0, 220, 0);
    if (channel == "RNA")
        return QColor(0, 150, 150);
    if (channel == "AGP")
        return QColor(255, 150, 0);
    if (channel == "Mito")
        return QColor(255, 0, 40);
    return categoryColor(index);
}

std::pair<float, float> cellStretchRange(const float* values, std::size_t n) {
    if (n == 0)
        return {0.0f, 1.0f};
    std::vector<float> v(values, values + n);
    const auto at = [&](double q) {
        const std::size_t k = std::min(n - 1, std::size_t(std::floor(q * double(n - 1) + 0.5)));
        std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
        return v[k];
    };
    const float lo = at(0.005), hi = at(0.995);
    return {lo, hi > lo ? hi : lo + 1e-6f};
}

QImage cellComposite(const std::vector<const float*>& pages, int width, int height,
                     const std::vector<QColor>& colors,
                     const std::vector<std::pair<float, float>>& ranges) {
    QImage image(width, height, QImage::Format_RGB32);
    const std::size_t plane = std::size_t(width) * height;
    std::vector<float> rgb(plane * 3, 0.0f);
    // Each colour component is divided by its sum over the shown channels (when above 1), so
    // that all channels at full scale give at most white: five channels, four of them in the
    // cytoplasm, would otherwise saturate every cell to white.
    float sum[3] = {0, 0, 0};
    for (std::size_t k = 0; k < pages.size() && k < colors.size() && k < ranges.size(); ++k)
        if (colors[k].isValid()) {
            sum[0] += float(colors[k].redF());
            sum[1] += float(colors[k].greenF());
            sum[2] += float(colors[k].blueF());
        }
    for (float& s : sum)
        s = std::max(s, 1.0f);
    for (std::size_t k = 0; k < pages.size() && k < colors.size() && k < ranges.size(); ++k) {
        if (!colors[k].isValid())
            continue;
        const float lo = ranges[k].first, scale = 1.0f / (ranges[k].second - ranges[k].first);
        const float cr = float(colors[k].redF()) / sum[0], cg = float(colors[k].greenF()) / sum[1],
                    cb = float(colors[k].blueF()) / sum[2];
        for (std::size_t i = 0; i < plane; ++i) {
            const float t = std::clamp((pages[k][i] - lo) * scale, 0.0f, 1.0f);
            rgb[3 * i] += t * cr;
            rgb[3 * i + 1] += t * cg;
            rgb[3 * i + 2] += t * cb;
        }
    }
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const float* c = &rgb[3 * (std::size_t(y) * width + x)];
            line[x] = qRgb(int(std::lround(255 * std::min(c[0], 1.0f))),
                           int(std::lround(255 * std::min(c[1], 1.0f))),
                           int(std::lround(255 * std::min(c[2], 1.0f))));
        }
    }
    return image;
}

QStringList cellChannelNames(const Dataset& crops) {
    QStringList names;
    if (crops.sampleShape.size() != 3)
        return names;
    const auto attributes = nlohmann::json::parse(crops.attributesJson, nullptr, false);
    if (attributes.is_object() && attributes.contains("channels") &&
        attributes["channels"].is_array() &&
        int64_t(attributes["channels"].size()) == crops.sampleShape[0])
        for (const auto& c : attributes["channels"])
            names << QString::fromStdString(c.is_string() ? c.get<std::string>() : "?");
    else
        for (int64_t k = 0; k < crops.sampleShape[0]; ++k)
            names << QStringLiteral("ch%1").arg(k + 1);
    return names;
}

std::vector<QColor> cellChannelColors(const QStringList& names) {
    std::vector<QColor> colors;
    for (int k = 0; k < names.size(); ++k)
        colors.push_back(cellChannelColor(names[k].toStdString(), k));
    return colors;
}

std::vector<std::pair<float, float>> cellCropRanges(const Dataset& crops,
                                                    const std::vector<std::size_t>& samples) {
    std::vector<std::pair<float, float>> ranges;
    if (crops.sampleShape.size() != 3)
        return ranges;
    const std::size_t C = std::size_t(crops.sampleShape[0]);
    const std::size_t plane = std::size_t(crops.sampleShape[1] * crops.sampleShape[2]);
    for (std::size_t k = 0; k < C; ++k) {
        std::vector<float> pooled;
        pooled.reserve(samples.size() * plane);
        for (std::size_t s : samples) {
            const float* v = crops.sample(s) + k * plane;
            pooled.insert(pooled.end(), v, v + plane);
        }
        ranges.push_back(cellStretchRange(pooled.data(), pooled.size()));
    }
    return ranges;
}

QImage cellCropImage(const Dataset& crops, std::size_t sample, const std::vector<QColor>& colors,
                     const std::vector<std::pair<float, float>>& ranges) {
    const auto& shape = crops.sampleShape;
    const std::size_t plane = std::size_t(shape[1] * shape[2]);
    std::vector<const float*> pages;
    for (int64_t k = 0; k < shape[0]; ++k)
        pages.push_back(crops.sample(sample) + std::size_t(k) * plane);
    return cellComposite(pages, int(shape[2]), int(shape[1]), colors, ranges);
}

} // namespace embedscope::ui
