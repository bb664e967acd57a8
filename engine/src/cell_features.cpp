// Raw single-cell features of crops (definitions in cell_features.h).
#include "embedscope/engine/cell_features.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace embedscope {
namespace {

constexpr int kBins = 256;
constexpr int kLevels = 8;
const char* const kIntensity[] = {"MeanIntensity",          "StdIntensity",
                                  "MedianIntensity",        "LowerQuartileIntensity",
                                  "UpperQuartileIntensity", "IntegratedIntensity"};

std::vector<std::string> channelNames(const Dataset& d, std::size_t C) {
    std::vector<std::string> names;
    const auto attrs = nlohmann::json::parse(d.attributesJson, nullptr, false);
    if (attrs.is_object() && attrs.contains("channels") && attrs["channels"].is_array()) {
        for (const auto& c : attrs["channels"])
            if (c.is_string())
                names.push_back(c.get<std::string>());
        if (names.size() != C)
            throw ConfigError("dataset '" + d.name + "': attributes name " +
                              std::to_string(names.size()) + " channels, the crops have " +
                              std::to_string(C));
        return names;
    }
    for (std::size_t k = 0; k < C; ++k)
        names.push_back("Ch" + std::to_string(k + 1));
    return names;
}

/// Pixels above Otsu, the centre's 4-connected component when the centre is among them.
std::vector<char> objectMask(const float* image, int S) {
    const std::size_t n = std::size_t(S) * S;
    const auto [lo, hi] = std::minmax_element(image, image + n);
    std::vector<char> mask(n, 1);
    if (*hi - *lo < 1e-6f)
        return mask;
    const double t = otsuThreshold(image, n);
    for (std::size_t i = 0; i < n; ++i)
        mask[i] = image[i] > t;
    const std::size_t centre = std::size_t(S / 2) * S + S / 2;
    if (!mask[centre])
        return mask;
    std::vector<char> component(n, 0);
    std::vector<std::size_t> stack = {centre};
    component[centre] = 1;
    while (!stack.empty()) {
        const std::size_t p = stack.back();
        stack.pop_back();
        const int y = int(p / S), x = int(p % S);
        const int nx[] = {x - 1, x + 1, x, x}, ny[] = {y, y, y - 1, y + 1};
        for (int k = 0; k < 4; ++k) {
            if (nx[k] < 0 || ny[k] < 0 || nx[k] >= S || ny[k] >= S)
                continue;
            const std::size_t q = std::size_t(ny[k]) * S + nx[k];
            if (mask[q] && !component[q]) {
                component[q] = 1;
                stack.push_back(q);
            }
        }
    }
    return component;
}

double quantile(const std::vector<float>& sorted, double q) {
    const double pos = q * double(sorted.size() - 1);
    const std::size_t i = std::size_t(std::floor(pos));
    const double f = pos - double(i);
    return i + 1 < sorted.size() ? sorted[i] + f * (double(sorted[i + 1]) - sorted[i]) : sorted[i];
}

/// Area and eccentricity of a mask.
std::array<double, 2> shape(const std::vector<char>& mask, int S) {
    double n = 0, sx = 0, sy = 0;
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x)
            if (mask[std::size_t(y) * S + x]) {
                n += 1;
                sx += x;
                sy += y;
            }
    if (n == 0)
        return {0.0, 0.0};
    const double mx = sx / n, my = sy / n;
    double xx = 0, yy = 0, xy = 0;
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x)
            if (mask[std::size_t(y) * S + x]) {
                xx += (x - mx) * (x - mx);
                yy += (y - my) * (y - my);
                xy += (x - mx) * (y - my);
            }
    xx /= n;
    yy /= n;
    xy /= n;
    const double mean = 0.5 * (xx + yy), diff = std::sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
    const double l1 = mean + diff, l2 = std::max(0.0, mean - diff);
    return {n, l1 > 1e-12 ? std::sqrt(std::max(0.0, 1.0 - l2 / l1)) : 0.0};
}

/// The 9 features of one channel over the mask, appended to `out`.
void channelFeatures(const float* v, const std::vector<char>& mask, int S,
                     std::vector<float>& scratch, double* out) {
    scratch.clear();
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) {
            scratch.push_back(v[i]);
            sum += v[i];
        }
    const double n = double(scratch.size());
    const double mean = sum / n;
    for (float x : scratch)
        sq += (x - mean) * (x - mean);
    std::sort(scratch.begin(), scratch.end());
    out[0] = mean;
    out[1] = std::sqrt(sq / n);
    out[2] = quantile(scratch, 0.5);
    out[3] = quantile(scratch, 0.25);
    out[4] = quantile(scratch, 0.75);
    out[5] = sum;
    // Gradient magnitude, central differences (one-sided at the edge), mean over the mask.
    double grad = 0;
    auto at = [&](int x, int y) { return double(v[std::size_t(y) * S + x]); };
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x) {
            if (!mask[std::size_t(y) * S + x])
                continue;
            const int x0 = std::max(0, x - 1), x1 = std::min(S - 1, x + 1);
            const int y0 = std::max(0, y - 1), y1 = std::min(S - 1, y + 1);
            const double gx = (at(x1, y) - at(x0, y)) / double(x1 - x0);
            const double gy = (at(x, y1) - at(x, y0)) / double(y1 - y0);
            grad += std::sqrt(gx * gx + gy * gy);
        }
    out[6] = grad / n;
    // Haralick contrast and homogeneity, distance 1, horizontal + vertical, symmetric.
    const double lo = scratch.front(), hi = scratch.back();
    double contrast = 0, homogeneity = 1;
    if (hi - lo > 1e-12) {
        auto level = [&](std::size_t i) {
            return std::min(kLevels - 1, int(std::floor(kLevels * (v[i] - lo) / (hi - lo))));
        };
        std::array<double, kLevels * kLevels> glcm{};
        double pairs = 0;
        for (int y = 0; y < S; ++y)
            for (int x = 0; x < S; ++x) {
                const std::size_t p = std::size_t(y) * S + x;
                if (!mask[p])
                    continue;
                const std::size_t right = p + 1, down = p + S;
                for (const std::size_t q : {right, down}) {
                    if ((q == right && x + 1 >= S) || (q == down && y + 1 >= S) || !mask[q])
                        continue;
                    const int a = level(p), b = level(q);
                    glcm[a * kLevels + b] += 1;
                    glcm[b * kLevels + a] += 1;
                    pairs += 2;
                }
            }
        if (pairs > 0) {
            homogeneity = 0;
            for (int i = 0; i < kLevels; ++i)
                for (int j = 0; j < kLevels; ++j) {
                    const double pij = glcm[i * kLevels + j] / pairs;
                    contrast += pij * (i - j) * (i - j);
                    homogeneity += pij / (1.0 + std::abs(i - j));
                }
        }
    }
    out[7] = contrast;
    out[8] = homogeneity;
}

} // namespace

std::vector<std::string> cellFeatureNames(const std::vector<std::string>& channels) {
    std::vector<std::string> names;
    for (const auto& ch : channels) {
        for (const char* f : kIntensity)
            names.push_back(std::string("Cells_Intensity_") + f + "_" + ch);
        names.push_back("Cells_Texture_GradientMean_" + ch);
        names.push_back("Cells_Texture_Contrast_" + ch + "_1");
        names.push_back("Cells_Texture_Homogeneity_" + ch + "_1");
    }
    for (const char* f : {"Nuclei_AreaShape_Area", "Nuclei_AreaShape_Eccentricity",
                          "Cells_AreaShape_Area", "Cells_AreaShape_Eccentricity"})
        names.push_back(f);
    return names;
}

double otsuThreshold(const float* values, std::size_t n) {
    if (n == 0)
        return 0.0;
    const auto [loIt, hiIt] = std::minmax_element(values, values + n);
    const double lo = *loIt, hi = *hiIt;
    if (hi - lo <= 0)
        return lo;
    std::array<double, kBins> hist{};
    const double width = (hi - lo) / kBins;
    for (std::size_t i = 0; i < n; ++i)
        hist[std::min(kBins - 1, int((values[i] - lo) / width))] += 1;
    double total = 0;
    for (int b = 0; b < kBins; ++b)
        total += hist[b] * (lo + (b + 0.5) * width);
    double w0 = 0, sum0 = 0, best = -1, threshold = lo;
    for (int b = 0; b < kBins - 1; ++b) {
        w0 += hist[b];
        sum0 += hist[b] * (lo + (b + 0.5) * width);
        const double w1 = double(n) - w0;
        if (w0 == 0 || w1 == 0)
            continue;
        const double m0 = sum0 / w0, m1 = (total - sum0) / w1;
        const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best) {
            best = between;
            threshold = lo + (b + 1) * width;
        }
    }
    return threshold;
}

EmbeddingTable cellCropFeatures(const Dataset& crops, const JobContext& ctx) {
    const std::string origin = "dataset '" + crops.name + "'";
    if (crops.kind != DataKind::Image || crops.sampleShape.size() != 3 ||
        crops.sampleShape[1] != crops.sampleShape[2] || crops.sampleShape[1] < 2 ||
        crops.sampleShape[0] < 1)
        throw DataError(origin + ": cell features need image crops of shape (C, S, S), S >= 2");
    const std::size_t N = crops.sampleCount();
    if (N == 0)
        throw DataError(origin + ": no crops");
    const std::size_t C = std::size_t(crops.sampleShape[0]);
    const int S = int(crops.sampleShape[1]);
    const std::size_t plane = std::size_t(S) * S;
    const std::vector<std::string> channels = channelNames(crops, C);
    std::size_t dna = 0;
    for (std::size_t k = 0; k < C; ++k) {
        std::string lower = channels[k];
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (lower == "dna") {
            dna = k;
            break;
        }
    }
    EmbeddingTable table;
    table.featureNames = cellFeatureNames(channels);
    const std::size_t F = table.featureNames.size();
    table.rows = N;
    table.features.assign(N * F, 0.0);
    table.metadata = crops.metadata;
    std::vector<float> meanImage(plane), scratch;
    scratch.reserve(plane);
    for (std::size_t i = 0; i < N; ++i) {
        if (i % 64 == 0) {
            ctx.throwIfCancelled();
            ctx.report(double(i) / N,
                       "cell features " + std::to_string(i) + "/" + std::to_string(N));
        }
        const float* s = crops.sample(i);
        std::fill(meanImage.begin(), meanImage.end(), 0.0f);
        for (std::size_t k = 0; k < C; ++k)
            for (std::size_t p = 0; p < plane; ++p)
                meanImage[p] += s[k * plane + p] / float(C);
        const std::vector<char> cell = objectMask(meanImage.data(), S);
        const std::vector<char> nucleus = objectMask(s + dna * plane, S);
        double* row = table.features.data() + i * F;
        for (std::size_t k = 0; k < C; ++k)
            channelFeatures(s + k * plane, cell, S, scratch, row + k * 9);
        const auto n = shape(nucleus, S), c = shape(cell, S);
        row[C * 9 + 0] = n[0];
        row[C * 9 + 1] = n[1];
        row[C * 9 + 2] = c[0];
        row[C * 9 + 3] = c[1];
    }
    ctx.report(1.0, "cell features of " + std::to_string(N) + " crops");
    return table;
}

} // namespace embedscope
