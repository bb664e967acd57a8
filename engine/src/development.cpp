// Simulated branching development (seed 003 demo, SPEC S3): the morphology model, the
// stylised-embryo renderer and the data set (see the header for the formulas and numbers).
#include "embedscope/engine/development.h"

#include "splitmix_rng.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace embedscope {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t K = kDevelopmentFactors;

// wt(t) = a + b s (header table).
constexpr MorphState kWtStart = {0.45, 2.60, 0.075, 0.15, 0.20, 0.55};
constexpr MorphState kWtSlope = {0.30, -2.30, 0.030, -0.07, 0.15, 0.35};
constexpr MorphState kUnits = {0.10, 0.60, 0.015, 0.025, 0.06, 0.10};
constexpr MorphState kMin = {0.20, -3.0, 0.03, 0.0, 0.05, 0.2};
constexpr MorphState kMax = {0.85, 3.2, 0.15, 0.25, 0.80, 1.0};

// Renderer constants (header "Rendering").
constexpr double kHalfWidth = 0.045;
constexpr double kTipWidth = 0.15;
constexpr double kYolkAt = 0.4;
constexpr double kYolkAspect = 0.7;
constexpr double kYolkGrey = 0.78;
constexpr double kBackground = 0.04;
constexpr double kEyeGrey = 0.4;
constexpr double kEdgePixels = 1.2;
constexpr int kAxisPoints = 48;

using Rng = SplitMixRng;

double norm(const MorphState& d) {
    double s = 0.0;
    for (double v : d)
        s += v * v;
    return std::sqrt(s);
}

void checkParams(const DevelopmentParams& p) {
    auto bad = [](const std::string& what) { throw ConfigError("development simulator: " + what); };
    auto sd = [&](double v, const char* name) {
        if (!(v >= 0.0) || !std::isfinite(v))
            bad(std::string(name) + " = " + std::to_string(v) + " must be finite and >= 0");
    };
    if (p.embryosPerGroup == 0)
        bad("embryosPerGroup must be at least 1");
    if (p.timePoints < 2)
        bad("timePoints = " + std::to_string(p.timePoints) + " must be at least 2");
    if (p.imageSize < 16 || p.imageSize > 1024)
        bad("imageSize = " + std::to_string(p.imageSize) + " must be in [16, 1024]");
    sd(p.noise, "noise");
    sd(p.embryoSpread, "embryoSpread");
    sd(p.timeJitterHpf, "timeJitterHpf");
    sd(p.rotationDeg, "rotationDeg");
    sd(p.shift, "shift");
    if (!std::isfinite(p.tStartHpf) || !std::isfinite(p.tEndHpf) || !(p.tEndHpf > p.tStartHpf))
        bad("tEndHpf must be finite and greater than tStartHpf");
    if (!(p.valFraction >= 0.0) || !(p.testFraction >= 0.0) ||
        !(p.valFraction + p.testFraction < 1.0))
        bad("valFraction and testFraction must be >= 0 with a sum below 1");
    std::set<std::string> names = {"wt"};
    for (std::size_t i = 0; i < p.perturbations.size(); ++i) {
        const auto& g = p.perturbations[i];
        const std::string where = "perturbation " + std::to_string(i) + " '" + g.name + "': ";
        if (g.name.empty() || !names.insert(g.name).second)
            bad(where + "name must be non-empty, not 'wt' and unique");
        if (!std::isfinite(g.onsetHpf))
            bad(where + "onsetHpf must be finite");
        if (!(g.rate >= 0.0) || !std::isfinite(g.rate))
            bad(where + "rate must be finite and >= 0");
        const double n = norm(g.direction);
        if (!(n > 0.0) || !std::isfinite(n))
            bad(where + "direction must be finite and non-zero");
    }
}

struct Vec {
    double x, y;
};

/// Signed distance (positive inside) of q to the ellipse with centre c, unit axis a (semi-axis
/// ra) and the perpendicular semi-axis rb: radial distance to the boundary along the ray from c.
double ellipseDepth(Vec q, Vec c, Vec a, double ra, double rb) {
    const double dx = q.x - c.x, dy = q.y - c.y;
    const double u = dx * a.x + dy * a.y, v = -dx * a.y + dy * a.x;
    const double r = std::hypot(u, v);
    if (r < 1e-12)
        return std::min(ra, rb);
    const double cu = u / r, cv = v / r;
    const double boundary = ra * rb / std::sqrt(rb * rb * cu * cu + ra * ra * cv * cv);
    return boundary - r;
}

} // namespace

const std::vector<std::string>& developmentFactorNames() {
    static const std::vector<std::string> names = {"body_length", "body_curvature", "head_size",
                                                   "yolk_size",   "tail_length",    "pigment"};
    return names;
}

const MorphState& developmentFactorUnits() {
    return kUnits;
}

std::vector<DevelopmentPerturbation> defaultDevelopmentPerturbations() {
    return {{"gdf3", 15.0, 0.12, {-0.6, 0.5, 0.0, 0.4, -0.3, -0.4}},
            {"lmx1b", 32.0, 0.08, {0.0, -0.3, -0.5, 0.0, 0.5, -0.6}},
            {"tbx6", 20.0, 0.16, {-0.5, 0.0, 0.3, -0.3, -0.7, 0.0}},
            {"chd", 24.0, 0.10, {0.0, -0.8, 0.4, 0.3, 0.0, 0.0}}};
}

MorphState wildTypeState(double t, const DevelopmentParams& p) {
    const double s = (t - p.tStartHpf) / (p.tEndHpf - p.tStartHpf);
    MorphState m;
    for (std::size_t k = 0; k < K; ++k)
        m[k] = kWtStart[k] + kWtSlope[k] * s;
    return m;
}

double perturbationDivergence(const DevelopmentPerturbation& g, double t) {
    return g.rate * std::max(0.0, t - g.onsetHpf);
}

MorphState perturbationState(const DevelopmentPerturbation& g, double t,
                             const DevelopmentParams& p) {
    MorphState m = wildTypeState(t, p);
    const double step = perturbationDivergence(g, t) / norm(g.direction);
    for (std::size_t k = 0; k < K; ++k)
        m[k] += kUnits[k] * g.direction[k] * step;
    return m;
}

MorphState clampMorphState(const MorphState& m) {
    MorphState c;
    for (std::size_t k = 0; k < K; ++k)
        c[k] = std::clamp(m[k], kMin[k], kMax[k]);
    return c;
}

std::vector<float> renderEmbryo(const MorphState& state, int size, const EmbryoPose& pose) {
    if (size < 16 || size > 1024)
        throw ConfigError("development simulator: image size " + std::to_string(size) +
                          " must be in [16, 1024]");
    const MorphState m = clampMorphState(state);
    const double L = m[0], th = m[1], Rh = m[2], Y = m[3], T = m[4], P = m[5];

    // Body axis: constant-curvature arc, heading -th/2 .. th/2 (chord horizontal).
    std::vector<Vec> axis(kAxisPoints), normal(kAxisPoints);
    std::vector<double> width(kAxisPoints);
    const double phi0 = -th / 2.0;
    for (int i = 0; i < kAxisPoints; ++i) {
        const double v = double(i) / (kAxisPoints - 1), phi = phi0 + th * v;
        if (std::abs(th) > 1e-9)
            axis[i] = {L / th * (std::sin(phi) - std::sin(phi0)),
                       -L / th * (std::cos(phi) - std::cos(phi0))};
        else
            axis[i] = {L * v, 0.0};
        normal[i] = {-std::sin(phi), std::cos(phi)};
        const double taper = std::clamp((v - (1.0 - T)) / T, 0.0, 1.0);
        width[i] = kHalfWidth * (1.0 - (1.0 - kTipWidth) * taper);
    }
    const Vec t0 = {std::cos(phi0), std::sin(phi0)};
    const Vec head = {axis[0].x - 0.3 * Rh * t0.x, axis[0].y - 0.3 * Rh * t0.y};
    const Vec eye = {head.x + Rh * (0.3 * normal[0].x + 0.1 * t0.x),
                     head.y + Rh * (0.3 * normal[0].y + 0.1 * t0.y)};
    const double eyeR = 0.35 * Rh;
    const int iy = static_cast<int>(std::lround(kYolkAt * (kAxisPoints - 1)));
    const double phiY = phi0 + th * double(iy) / (kAxisPoints - 1);
    const Vec yolkAxis = {std::cos(phiY), std::sin(phiY)};
    const double yolkB = kYolkAspect * Y, yolkOffset = kHalfWidth + 0.8 * yolkB;
    const Vec yolk = {axis[iy].x + yolkOffset * normal[iy].x,
                      axis[iy].y + yolkOffset * normal[iy].y};

    // Centre the bounding box of all shapes (the yolk bounded by its larger semi-axis).
    double x0 = head.x - Rh, x1 = head.x + Rh, y0 = head.y - Rh, y1 = head.y + Rh;
    for (int i = 0; i < kAxisPoints; ++i) {
        x0 = std::min(x0, axis[i].x - width[i]), x1 = std::max(x1, axis[i].x + width[i]);
        y0 = std::min(y0, axis[i].y - width[i]), y1 = std::max(y1, axis[i].y + width[i]);
    }
    if (Y > 0.0) {
        x0 = std::min(x0, yolk.x - Y), x1 = std::max(x1, yolk.x + Y);
        y0 = std::min(y0, yolk.y - Y), y1 = std::max(y1, yolk.y + Y);
    }
    const Vec centre = {(x0 + x1) / 2.0, (y0 + y1) / 2.0};

    const double S = size, edge = kEdgePixels / S;
    const double a = pose.rotationDeg * kPi / 180.0, ca = std::cos(a), sa = std::sin(a);
    const double reach = kHalfWidth + edge, reach2 = reach * reach;
    auto alpha = [edge](double depth) { return std::clamp(0.5 + depth / edge, 0.0, 1.0); };
    std::vector<float> image(static_cast<std::size_t>(size) * size);
    for (int r = 0; r < size; ++r)
        for (int c = 0; c < size; ++c) {
            // Pixel centre in shape coordinates: undo shift and rotation about the centre.
            const double px = (c + 0.5) / S - 0.5 - pose.shiftX;
            const double py = (r + 0.5) / S - 0.5 - pose.shiftY;
            const Vec q = {centre.x + ca * px + sa * py, centre.y - sa * px + ca * py};

            // Tube: only segments within reach of an edge matter (sqrt is the cost here).
            double body = -reach;
            for (int i = 0; i + 1 < kAxisPoints; ++i) {
                const Vec p = axis[i], e = {axis[i + 1].x - p.x, axis[i + 1].y - p.y};
                const double ee = e.x * e.x + e.y * e.y;
                const double f =
                    ee > 0.0 ? std::clamp(((q.x - p.x) * e.x + (q.y - p.y) * e.y) / ee, 0.0, 1.0)
                             : 0.0;
                const double dx = q.x - p.x - f * e.x, dy = q.y - p.y - f * e.y;
                const double dd = dx * dx + dy * dy;
                if (dd < reach2)
                    body = std::max(body, width[i] + f * (width[i + 1] - width[i]) - std::sqrt(dd));
            }
            const double hx = q.x - head.x, hy = q.y - head.y;
            body = std::max(body, Rh - std::sqrt(hx * hx + hy * hy));
            const double eyeDepth = eyeR - std::hypot(q.x - eye.x, q.y - eye.y);

            double value = kBackground;
            if (Y > 0.0) {
                const double ay = alpha(ellipseDepth(q, yolk, yolkAxis, Y, yolkB));
                value = value * (1.0 - ay) + kYolkGrey * ay;
            }
            const double ab = alpha(body);
            value = value * (1.0 - ab) + P * ab;
            const double ae = alpha(eyeDepth);
            value = value * (1.0 - ae) + kEyeGrey * P * ae;
            image[static_cast<std::size_t>(r) * size + c] = static_cast<float>(value);
        }
    return image;
}

Dataset simulateDevelopment(const DevelopmentParams& P, const JobContext& ctx) {
    checkParams(P);
    const std::size_t G = P.perturbations.size() + 1, E = P.embryosPerGroup, T = P.timePoints;
    const std::size_t S = static_cast<std::size_t>(P.imageSize), pixels = S * S, n = G * E * T;
    const auto& factors = developmentFactorNames();
    const double spacing = (P.tEndHpf - P.tStartHpf) / double(T - 1);
    const double jitter = std::min(P.timeJitterHpf, spacing / 3.0);
    const int digits = std::max<int>(2, static_cast<int>(std::to_string(E).size()));

    Dataset data;
    data.name = "development";
    data.kind = DataKind::Image;
    data.sampleShape = {1, P.imageSize, P.imageSize};
    data.values.resize(n * pixels);
    std::vector<std::string> group(n), individual(n), split(n);
    std::vector<double> groupId(n), time(n), timeIndex(n), divergence(n), onset(n);
    std::vector<std::vector<double>> gt(K, std::vector<double>(n));

    for (std::size_t g = 0; g < G; ++g) {
        const DevelopmentPerturbation* pert = g == 0 ? nullptr : &P.perturbations[g - 1];
        const std::string name = pert ? pert->name : "wt";
        for (std::size_t e = 0; e < E; ++e) {
            ctx.throwIfCancelled();
            ctx.report(double(g * E + e) / double(G * E), "development");
            Rng rng(streamSeed(P.seed, g * E + e, 0xDE7E10Full));
            MorphState offset;
            for (double& o : offset)
                o = P.embryoSpread * rng.normal();
            std::string id = std::to_string(e + 1);
            id = name + "-" + std::string(digits - std::min<int>(digits, int(id.size())), '0') + id;
            for (std::size_t j = 0; j < T; ++j) {
                const std::size_t i = (g * E + e) * T + j;
                const double t = std::clamp(P.tStartHpf + spacing * double(j) +
                                                jitter * (2.0 * rng.uniform() - 1.0),
                                            P.tStartHpf, P.tEndHpf);
                MorphState m = pert ? perturbationState(*pert, t, P) : wildTypeState(t, P);
                for (std::size_t k = 0; k < K; ++k)
                    m[k] += kUnits[k] * offset[k];
                m = clampMorphState(m);
                EmbryoPose pose;
                pose.rotationDeg = P.rotationDeg * rng.normal();
                pose.shiftX = P.shift * rng.normal();
                pose.shiftY = P.shift * rng.normal();
                const std::vector<float> image = renderEmbryo(m, P.imageSize, pose);
                float* out = data.values.data() + i * pixels;
                for (std::size_t k = 0; k < pixels; ++k) {
                    const double noisy = image[k] + (P.noise > 0.0 ? P.noise * rng.normal() : 0.0);
                    out[k] = static_cast<float>(std::clamp(noisy, 0.0, 1.0));
                }
                group[i] = name;
                individual[i] = id;
                groupId[i] = double(g);
                time[i] = t;
                timeIndex[i] = double(j);
                divergence[i] = pert ? perturbationDivergence(*pert, t) : 0.0;
                onset[i] = pert ? pert->onsetHpf : P.tEndHpf;
                for (std::size_t k = 0; k < K; ++k)
                    gt[k][i] = m[k];
            }
        }
    }

    // Split by individual, stratified: per group a fixed shuffle of its embryos.
    const auto nTest = static_cast<std::size_t>(std::llround(P.testFraction * double(E)));
    const auto nVal = static_cast<std::size_t>(std::llround(P.valFraction * double(E)));
    for (std::size_t g = 0; g < G; ++g) {
        std::vector<std::size_t> order(E);
        std::iota(order.begin(), order.end(), std::size_t(0));
        Rng rng(streamSeed(P.seed, g, 0x5B117ull));
        for (std::size_t k = order.size(); k > 1; --k)
            std::swap(order[k - 1], order[rng.next() % k]);
        for (std::size_t k = 0; k < E; ++k) {
            const char* s = k < nTest ? "test" : k < nTest + nVal ? "val" : "train";
            for (std::size_t j = 0; j < T; ++j)
                split[(g * E + order[k]) * T + j] = s;
        }
    }

    data.metadata.addStrings("perturbation", std::move(group));
    data.metadata.addNumbers("perturbation_id", std::move(groupId));
    data.metadata.addStrings("individual", std::move(individual));
    data.metadata.addNumbers("time", std::move(time));
    data.metadata.addNumbers("time_index", std::move(timeIndex));
    data.metadata.addStrings(Dataset::kSplitColumn, std::move(split));
    data.metadata.addNumbers("gt_divergence", std::move(divergence));
    data.metadata.addNumbers("gt_onset", std::move(onset));
    for (std::size_t k = 0; k < K; ++k)
        data.metadata.addNumbers("gt_" + factors[k], std::move(gt[k]));

    nlohmann::json perts = nlohmann::json::array();
    for (const auto& g : P.perturbations)
        perts.push_back({{"name", g.name},
                         {"onset_hpf", g.onsetHpf},
                         {"rate", g.rate},
                         {"direction", g.direction}});
    nlohmann::json units;
    for (std::size_t k = 0; k < K; ++k)
        units[factors[k]] = kUnits[k];
    nlohmann::json attributes = {
        {"simulator", "development"},
        {"source", "seed 003 demo: branching development (model in development.h)"},
        {"factor_units", units},
        {"perturbations", perts},
        {"params",
         {{"embryos_per_group", P.embryosPerGroup},
          {"time_points", P.timePoints},
          {"t_start_hpf", P.tStartHpf},
          {"t_end_hpf", P.tEndHpf},
          {"time_jitter_hpf", P.timeJitterHpf},
          {"image_size", P.imageSize},
          {"noise", P.noise},
          {"embryo_spread", P.embryoSpread},
          {"rotation_deg", P.rotationDeg},
          {"shift", P.shift},
          {"seed", P.seed},
          {"val_fraction", P.valFraction},
          {"test_fraction", P.testFraction}}}};
    data.attributesJson = attributes.dump();
    ctx.report(1.0, "development done");
    return data;
}

} // namespace embedscope
