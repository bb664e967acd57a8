// The synthetic Cell-Painting plate generator (model in cell_plates.h).
#include "embedscope/engine/cell_plates.h"

#include "atomic_text_file.h"
#include "splitmix_rng.h"

#include "embedscope/engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace embedscope {
namespace {

namespace fs = std::filesystem;
constexpr double kPi = 3.14159265358979323846;
constexpr double kEdge = 1.5; // soft edge width of an ellipse, pixels
constexpr double kBackground = 0.02;
constexpr std::array<double, kCellChannels> kBaseIntensity = {0.45, 0.25, 0.20, 0.22, 0.25};
constexpr std::array<double, kCellChannels> kBaseTexture = {0.10, 0.15, 0.10, 0.10, 0.40};
constexpr double kEc50[] = {0.3, 1.0, 3.0};

using Rng = SplitMixRng;

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

struct Compound {
    std::string name;
    std::string moa;
    std::vector<int> moaIndex;
    double ec50 = 1.0;
    CellMoaEffect own; ///< the compound's own (off-target) effect, compoundEffect > 0
};

struct Well {
    std::string name;
    int row = 0, column = 0;
    int compound = -1; ///< -1: DMSO
    double dose = 0.0;
    double strength = 0.0;
    std::array<double, kCellChannels> gain{};
};

struct PlateFx {
    std::string name, batch;
    std::array<double, kCellChannels> gain{}, offset{};
    double angle = 0.0;
};

/// An ellipse with its normalised radius and signed edge distance at a point.
struct Ellipse {
    double cx = 0, cy = 0, a = 1, b = 1, c = 1, s = 0;
    void at(double x, double y, double& r, double& dist) const {
        const double dx = x - cx, dy = y - cy;
        const double u = dx * c + dy * s, v = -dx * s + dy * c;
        r = std::sqrt((u / a) * (u / a) + (v / b) * (v / b));
        const double len = std::sqrt(dx * dx + dy * dy);
        dist = r < 1e-9 ? std::min(a, b) : len / r - len; // boundary along the ray minus here
    }
};

double coverage(double dist) {
    return std::clamp(0.5 + dist / kEdge, 0.0, 1.0);
}

void checkParams(const CellPlateSimParams& p) {
    auto bad = [](const std::string& what) { throw ConfigError("cell plate simulator: " + what); };
    auto atLeast1 = [&](int v, const char* name) {
        if (v < 1)
            bad(std::string(name) + " = " + std::to_string(v) + " must be >= 1");
    };
    atLeast1(p.plates, "plates");
    atLeast1(p.platesPerBatch, "platesPerBatch");
    atLeast1(p.plateColumns, "plateColumns");
    atLeast1(p.moas, "moas");
    atLeast1(p.compoundsPerMoa, "compoundsPerMoa");
    atLeast1(p.replicatesPerPlate, "replicatesPerPlate");
    atLeast1(p.sites, "sites");
    atLeast1(p.cellsPerSite, "cellsPerSite");
    if (p.moas > int(cellMoaEffects().size()))
        bad("moas = " + std::to_string(p.moas) + " exceeds the " +
            std::to_string(cellMoaEffects().size()) + " MOAs of the ground-truth table");
    if (p.controlsPerPlate < 0)
        bad("controlsPerPlate must be >= 0");
    if (p.doses.empty())
        bad("no doses");
    for (double d : p.doses)
        if (!(d > 0.0) || !std::isfinite(d))
            bad("dose " + num(d) + " must be finite and > 0");
    if (p.bitDepth != 8 && p.bitDepth != 16)
        bad("bitDepth = " + std::to_string(p.bitDepth) + " must be 8 or 16");
    if (p.imageSize < 32 || p.imageSize > 4096)
        bad("imageSize = " + std::to_string(p.imageSize) + " must be in [32, 4096]");
    if (!(p.borderMargin >= 0.0) || !(p.borderMargin < p.imageSize / 2.0 - 1.0))
        bad("borderMargin = " + num(p.borderMargin) + " must be in [0, imageSize / 2 - 1)");
    if (!(p.nucleusRadius > 0.5) || !(p.nucleusRadius < p.imageSize / 4.0))
        bad("nucleusRadius = " + num(p.nucleusRadius) + " must be in (0.5, imageSize / 4)");
    const std::pair<double, const char*> sds[] = {{p.noise, "noise"},
                                                  {p.batchEffect, "batchEffect"},
                                                  {p.plateEffect, "plateEffect"},
                                                  {p.plateOffset, "plateOffset"},
                                                  {p.wellEffect, "wellEffect"},
                                                  {p.positionEffect, "positionEffect"},
                                                  {p.illumination, "illumination"},
                                                  {p.compoundEffect, "compoundEffect"}};
    for (const auto& [v, name] : sds)
        if (!(v >= 0.0) || !std::isfinite(v))
            bad(std::string(name) + " = " + num(v) + " must be finite and >= 0");
    const long wells =
        long(p.moas) * p.compoundsPerMoa * long(p.doses.size()) * p.replicatesPerPlate +
        p.controlsPerPlate;
    if ((wells + p.plateColumns - 1) / p.plateColumns > 26)
        bad(std::to_string(wells) + " wells per plate need more than 26 rows of " +
            std::to_string(p.plateColumns) + " columns");
}

std::vector<Compound> makeCompounds(const CellPlateSimParams& p) {
    const auto& moas = cellMoaEffects();
    std::vector<Compound> out;
    for (int m = 0; m < p.moas; ++m)
        for (int k = 0; k < p.compoundsPerMoa; ++k) {
            Compound c;
            c.name = moas[m].name + "_" + char('a' + k % 26) + (k >= 26 ? std::to_string(k) : "");
            c.moa = moas[m].name;
            c.moaIndex = {m};
            c.ec50 = kEc50[k % 3];
            out.push_back(c);
        }
    if (p.dualMoaCompound && p.moas >= 2) {
        // seed §3.1 "Polypharmacology": the concatenated MOAs are one class of their own.
        Compound& c = out.back();
        c.moaIndex = {p.moas - 1, 0};
        c.moa = moas[p.moas - 1].name + "|" + moas[0].name;
        c.name = moas[p.moas - 1].name + "_" + moas[0].name;
        c.ec50 = 1.0;
    }
    // Each compound's own effect, from a stream of its own (the other draws do not move).
    for (std::size_t i = 0; i < out.size(); ++i) {
        Rng rng(streamSeed(p.seed, int(i), 0xC0F0Dull));
        CellMoaEffect& own = out[i].own;
        own.name = out[i].name;
        own.nucleusRadius = p.compoundEffect * rng.normal();
        own.cellRadius = p.compoundEffect * rng.normal();
        own.cellAspect = p.compoundEffect * rng.normal();
        for (std::size_t k = 0; k < kCellChannels; ++k) {
            own.intensity[k] = p.compoundEffect * rng.normal();
            own.texture[k] = 0.5 * p.compoundEffect * rng.normal();
        }
    }
    return out;
}

/// Unit-SD smoothed noise, size x size (white noise through two 3 x 3 box filters).
std::vector<float> textureField(Rng& rng, int size) {
    const std::size_t n = std::size_t(size) * size;
    std::vector<float> a(n), b(n);
    for (auto& v : a)
        v = float(rng.normal());
    for (int pass = 0; pass < 2; ++pass) {
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                float s = 0;
                for (int dx = -1; dx <= 1; ++dx)
                    s += a[std::size_t(y) * size + std::clamp(x + dx, 0, size - 1)];
                b[std::size_t(y) * size + x] = s;
            }
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                float s = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    s += b[std::size_t(std::clamp(y + dy, 0, size - 1)) * size + x];
                a[std::size_t(y) * size + x] = s;
            }
    }
    double sum = 0, sq = 0;
    for (float v : a) {
        sum += v;
        sq += double(v) * v;
    }
    const double mean = sum / n, sd = std::sqrt(std::max(sq / n - mean * mean, 1e-12));
    for (auto& v : a)
        v = float((v - mean) / sd);
    return a;
}

struct Effects {
    double nucleus = 0, cell = 0, aspect = 0, count = 0;
    std::array<double, kCellChannels> intensity{}, texture{};
};

Effects wellEffects(const Well& w, const std::vector<Compound>& compounds) {
    Effects e;
    if (w.compound < 0)
        return e;
    std::vector<const CellMoaEffect*> parts;
    for (int m : compounds[w.compound].moaIndex)
        parts.push_back(&cellMoaEffects()[m]);
    parts.push_back(&compounds[w.compound].own);
    for (const CellMoaEffect* part : parts) {
        const auto& fx = *part;
        e.nucleus += fx.nucleusRadius * w.strength;
        e.cell += fx.cellRadius * w.strength;
        e.aspect += fx.cellAspect * w.strength;
        e.count += fx.cellCount * w.strength;
        for (std::size_t k = 0; k < kCellChannels; ++k) {
            e.intensity[k] += fx.intensity[k] * w.strength;
            e.texture[k] += fx.texture[k] * w.strength;
        }
    }
    return e;
}

struct Cell {
    double x = 0, y = 0;
};

/// Renders one site's signal (5 x S x S, before plate effects) and returns its nucleus centres.
std::vector<Cell> renderSite(const CellPlateSimParams& p, const Effects& e, Rng& rng,
                             std::vector<float>& signal) {
    const int S = p.imageSize;
    const std::size_t plane = std::size_t(S) * S;
    signal.assign(kCellChannels * plane, 0.0f);
    std::vector<std::vector<float>> texture;
    for (std::size_t k = 0; k < kCellChannels; ++k)
        texture.push_back(textureField(rng, S));
    const double jitter = double(int(rng.next() % 5)) - 2.0;
    const int count =
        std::max(1, int(std::lround(p.cellsPerSite * std::max(0.0, 1.0 + e.count) + jitter)));
    const double baseCell = 2.2 * p.nucleusRadius;
    const double lo = p.borderMargin, hi = S - 1 - p.borderMargin;
    std::vector<Cell> cells;
    for (int i = 0; i < count; ++i) {
        Cell c;
        for (int attempt = 0; attempt < 50; ++attempt) {
            c.x = lo + (hi - lo) * rng.uniform();
            c.y = lo + (hi - lo) * rng.uniform();
            bool clear = true;
            for (const auto& o : cells)
                clear = clear && std::hypot(o.x - c.x, o.y - c.y) >= 1.5 * baseCell;
            if (clear)
                break;
        }
        cells.push_back(c);
        const double rn =
            p.nucleusRadius * std::max(0.3, 1.0 + e.nucleus) * std::exp(0.08 * rng.normal());
        const double rc = baseCell * std::max(0.3, 1.0 + e.cell) * std::exp(0.08 * rng.normal());
        const double an = std::max(1.0, 1.15 * (1.0 + 0.08 * rng.normal()));
        const double ac = std::max(1.0, 1.3 * (1.0 + e.aspect) * (1.0 + 0.08 * rng.normal()));
        const double theta = kPi * rng.uniform(), phi = 2.0 * kPi * rng.uniform();
        std::array<double, kCellChannels> intensity{}, amplitude{};
        for (std::size_t k = 0; k < kCellChannels; ++k) {
            intensity[k] = kBaseIntensity[k] * std::max(0.0, 1.0 + e.intensity[k]) *
                           std::exp(0.1 * rng.normal());
            amplitude[k] = std::max(0.0, kBaseTexture[k] + e.texture[k]);
        }
        const Ellipse nucleus{
            c.x, c.y, rn * std::sqrt(an), rn / std::sqrt(an), std::cos(theta), std::sin(theta)};
        const Ellipse body{c.x + 0.1 * rc * std::cos(phi),
                           c.y + 0.1 * rc * std::sin(phi),
                           rc * std::sqrt(ac),
                           rc / std::sqrt(ac),
                           std::cos(theta),
                           std::sin(theta)};
        const double reach = body.a + 0.1 * rc + 2.0 * kEdge;
        const int x0 = std::max(0, int(std::floor(c.x - reach))),
                  x1 = std::min(S - 1, int(std::ceil(c.x + reach)));
        const int y0 = std::max(0, int(std::floor(c.y - reach))),
                  y1 = std::min(S - 1, int(std::ceil(c.y + reach)));
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                double rN, dN, rC, dC;
                nucleus.at(x, y, rN, dN);
                body.at(x, y, rC, dC);
                const double n = coverage(dN), cov = std::max(coverage(dC), n);
                if (cov <= 0.0)
                    continue;
                const double r = std::min(rC, 1.0);
                const std::array<double, kCellChannels> m = {
                    n, cov * (1 - 0.5 * n) * (1 - 0.6 * r), cov * (1 - 0.4 * n),
                    cov * (1 - 0.5 * n) * (0.5 + 0.5 * r * r), cov * (1 - n)};
                const std::size_t at = std::size_t(y) * S + x;
                for (std::size_t k = 0; k < kCellChannels; ++k) {
                    const double t = std::max(0.0, 1.0 + amplitude[k] * texture[k][at]);
                    signal[k * plane + at] += float(intensity[k] * t * m[k]);
                }
            }
    }
    return cells;
}

nlohmann::json effectJson(const CellMoaEffect& fx) {
    nlohmann::json intensity, texture;
    for (std::size_t k = 0; k < kCellChannels; ++k) {
        intensity[cellPaintingChannels()[k]] = fx.intensity[k];
        texture[cellPaintingChannels()[k]] = fx.texture[k];
    }
    return {{"nucleus_radius", fx.nucleusRadius},
            {"cell_radius", fx.cellRadius},
            {"cell_aspect", fx.cellAspect},
            {"cell_count", fx.cellCount},
            {"intensity", intensity},
            {"texture", texture}};
}

} // namespace

const std::vector<std::string>& cellPaintingChannels() {
    static const std::vector<std::string> names = {"DNA", "ER", "RNA", "AGP", "Mito"};
    return names;
}

const std::vector<CellMoaEffect>& cellMoaEffects() {
    // The ground-truth table of cell_plates.h; channel order DNA, ER, RNA, AGP, Mito.
    static const std::vector<CellMoaEffect> table = {
        {"dna_damage", 0.35, 0.0, 0.0, -0.30, {0.30, 0, 0, 0, 0}, {0, 0, 0, 0, 0}},
        {"tubulin", 0.0, -0.20, -0.20, 0.0, {0, 0, 0, 0.35, 0}, {0.25, 0, 0, 0, 0}},
        {"er_stress", 0.0, 0.0, 0.0, 0.0, {0, 0.70, 0.25, 0, 0}, {0, 0.20, 0, 0, 0}},
        {"mito_uncoupler", 0.0, 0.0, 0.0, 0.0, {0, 0, 0, 0, -0.45}, {0, 0, 0, 0, 0.30}},
        {"actin", 0.0, 0.25, 0.50, 0.0, {0, 0, 0, -0.40, 0}, {0, 0, 0, 0, 0}},
    };
    return table;
}

double cellEffectStrength(double dose, double ec50) {
    return dose > 0.0 ? dose / (dose + ec50) : 0.0;
}

std::string cellWellName(int row, int column) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d", char('A' + row), column + 1);
    return buf;
}

CellPlateSimResult simulateCellPlates(const CellPlateSimParams& p, const std::string& outDir,
                                      const JobContext& ctx) {
    checkParams(p);
    const auto& channels = cellPaintingChannels();
    const std::vector<Compound> compounds = makeCompounds(p);
    const int S = p.imageSize;
    const std::size_t plane = std::size_t(S) * S;
    std::error_code ec;
    fs::create_directories(fs::path(outDir) / "images", ec);
    if (ec)
        throw IoError(outDir + ": cannot create the folder (" + ec.message() + ")");

    std::ostringstream platemap, images, locations;
    platemap << "Metadata_Plate,Metadata_Well,Metadata_Batch,Metadata_compound,Metadata_dose,"
                "Metadata_moa,Metadata_control\n";
    images << "Metadata_Plate,Metadata_Well,Metadata_Site";
    for (const auto& c : channels)
        images << ",FileName_" << c;
    images << "\n";
    locations << "Metadata_Plate,Metadata_Well,Metadata_Site,Nuclei_Location_Center_X,"
                 "Nuclei_Location_Center_Y\n";

    nlohmann::json truth;
    truth["params"] = {{"plates", p.plates},
                       {"plates_per_batch", p.platesPerBatch},
                       {"plate_columns", p.plateColumns},
                       {"moas", p.moas},
                       {"compounds_per_moa", p.compoundsPerMoa},
                       {"dual_moa_compound", p.dualMoaCompound},
                       {"doses", p.doses},
                       {"replicates_per_plate", p.replicatesPerPlate},
                       {"controls_per_plate", p.controlsPerPlate},
                       {"sites", p.sites},
                       {"cells_per_site", p.cellsPerSite},
                       {"image_size", p.imageSize},
                       {"nucleus_radius", p.nucleusRadius},
                       {"border_margin", p.borderMargin},
                       {"bit_depth", p.bitDepth},
                       {"multi_page", p.multiPage},
                       {"noise", p.noise},
                       {"batch_effect", p.batchEffect},
                       {"plate_effect", p.plateEffect},
                       {"plate_offset", p.plateOffset},
                       {"well_effect", p.wellEffect},
                       {"position_effect", p.positionEffect},
                       {"illumination", p.illumination},
                       {"compound_effect", p.compoundEffect},
                       {"seed", p.seed}};
    truth["channels"] = channels;
    truth["strength"] = "s = dose / (dose + ec50); quantity = base * (1 + effect * s)";
    for (int m = 0; m < p.moas; ++m)
        truth["moas"][cellMoaEffects()[m].name] = effectJson(cellMoaEffects()[m]);
    for (const auto& c : compounds)
        truth["compounds"].push_back({{"name", c.name},
                                      {"moa", c.moa},
                                      {"ec50", c.ec50},
                                      {"own_effect", effectJson(c.own)}});

    // Batch gains: one stream per batch so plates of a batch share them.
    const int batches = (p.plates + p.platesPerBatch - 1) / p.platesPerBatch;
    std::vector<std::array<double, kCellChannels>> batchLogGain(batches);
    for (int b = 0; b < batches; ++b) {
        Rng rng(streamSeed(p.seed, b, 0xBA7C4ull));
        for (auto& g : batchLogGain[b])
            g = p.batchEffect * rng.normal();
    }

    CellPlateSimResult result;
    result.outDir = outDir;
    result.compounds = compounds.size();
    const std::size_t treatments = compounds.size() * p.doses.size();
    const std::size_t wellsPerPlate = treatments * p.replicatesPerPlate + p.controlsPerPlate;
    const std::size_t totalSites = std::size_t(p.plates) * wellsPerPlate * p.sites;
    std::size_t siteIndex = 0;
    std::vector<float> signal;
    for (int pi = 0; pi < p.plates; ++pi) {
        PlateFx fx;
        fx.name = "P" + std::string(pi + 1 < 10 ? "0" : "") + std::to_string(pi + 1);
        const int batch = pi / p.platesPerBatch;
        fx.batch = "batch" + std::to_string(batch + 1);
        Rng rng(streamSeed(p.seed, pi, 0x9147Eull));
        for (std::size_t k = 0; k < kCellChannels; ++k) {
            fx.gain[k] = std::exp(batchLogGain[batch][k] + p.plateEffect * rng.normal());
            fx.offset[k] = p.plateOffset * rng.uniform();
        }
        fx.angle = 2.0 * kPi * rng.uniform();
        // The plate map: treatments x replicates then controls, shuffled over the positions.
        std::vector<Well> wells;
        for (int r = 0; r < p.replicatesPerPlate; ++r)
            for (std::size_t c = 0; c < compounds.size(); ++c)
                for (double d : p.doses) {
                    Well w;
                    w.compound = int(c);
                    w.dose = d;
                    w.strength = cellEffectStrength(d, compounds[c].ec50);
                    wells.push_back(w);
                }
        wells.resize(wellsPerPlate); // the rest are DMSO (compound -1, dose 0)
        for (std::size_t k = wells.size(); k > 1; --k)
            std::swap(wells[k - 1], wells[rng.next() % k]);
        fs::create_directories(fs::path(outDir) / "images" / fx.name, ec);
        if (ec)
            throw IoError(outDir + "/images/" + fx.name + ": cannot create the folder (" +
                          ec.message() + ")");
        nlohmann::json plateTruth = {{"name", fx.name},
                                     {"batch", fx.batch},
                                     {"gain", fx.gain},
                                     {"offset", fx.offset},
                                     {"illumination_angle", fx.angle}};
        for (std::size_t wi = 0; wi < wells.size(); ++wi) {
            Well& w = wells[wi];
            w.row = int(wi) / p.plateColumns;
            w.column = int(wi) % p.plateColumns;
            w.name = cellWellName(w.row, w.column);
            const double position = p.plateColumns > 1
                                        ? 1.0 + p.positionEffect *
                                                    (w.column - (p.plateColumns - 1) / 2.0) /
                                                    (p.plateColumns - 1)
                                        : 1.0;
            for (auto& g : w.gain)
                g = std::exp(p.wellEffect * rng.normal()) * position;
            const bool control = w.compound < 0;
            platemap << fx.name << "," << w.name << "," << fx.batch << ","
                     << (control ? "DMSO" : compounds[w.compound].name) << "," << num(w.dose) << ","
                     << (control ? "control" : compounds[w.compound].moa) << ","
                     << (control ? 1 : 0) << "\n";
            result.controlWells += control ? 1 : 0;
            const Effects effects = wellEffects(w, compounds);
            nlohmann::json wellTruth = {{"plate", fx.name},
                                        {"well", w.name},
                                        {"compound", control ? "DMSO" : compounds[w.compound].name},
                                        {"dose", w.dose},
                                        {"strength", w.strength},
                                        {"gain", w.gain}};
            for (int site = 1; site <= p.sites; ++site, ++siteIndex) {
                ctx.throwIfCancelled();
                ctx.report(double(siteIndex) / double(totalSites), "plate " + fx.name + " well " +
                                                                       w.name + " site " +
                                                                       std::to_string(site));
                Rng siteRng(streamSeed(p.seed, siteIndex, 0x517Eull));
                const std::vector<Cell> cells = renderSite(p, effects, siteRng, signal);
                std::vector<std::vector<float>> pages(kCellChannels, std::vector<float>(plane));
                const double ca = std::cos(fx.angle), sa = std::sin(fx.angle);
                for (std::size_t k = 0; k < kCellChannels; ++k)
                    for (int y = 0; y < S; ++y)
                        for (int x = 0; x < S; ++x) {
                            const double u = double(x) / S - 0.5, v = double(y) / S - 0.5;
                            const double light = (1.0 + p.illumination * (u * ca + v * sa)) *
                                                 (1.0 - 0.25 * (u * u + v * v));
                            const std::size_t at = std::size_t(y) * S + x;
                            const double value = fx.offset[k] +
                                                 fx.gain[k] * w.gain[k] * light *
                                                     (kBackground + signal[k * plane + at]) +
                                                 (p.noise > 0.0 ? p.noise * siteRng.normal() : 0.0);
                            pages[k][at] = float(std::clamp(value, 0.0, 1.0));
                        }
                const std::string stem = "images/" + fx.name + "/" + fx.name + "_" + w.name + "_s" +
                                         std::to_string(site);
                images << fx.name << "," << w.name << "," << site;
                if (p.multiPage) {
                    writeGrayTiff((fs::path(outDir) / (stem + ".tif")).string(), S, S, p.bitDepth,
                                  pages);
                    ++result.imageFiles;
                    for (std::size_t k = 0; k < kCellChannels; ++k)
                        images << "," << stem << ".tif";
                } else {
                    for (std::size_t k = 0; k < kCellChannels; ++k) {
                        const std::string file = stem + "_" + channels[k] + ".tif";
                        writeGrayTiff((fs::path(outDir) / file).string(), S, S, p.bitDepth,
                                      {pages[k]});
                        ++result.imageFiles;
                        images << "," << file;
                    }
                }
                images << "\n";
                char xy[64];
                for (const auto& c : cells) {
                    std::snprintf(xy, sizeof xy, "%.2f,%.2f", c.x, c.y);
                    locations << fx.name << "," << w.name << "," << site << "," << xy << "\n";
                }
                wellTruth["cells_per_site"].push_back(cells.size());
                result.cells += cells.size();
                ++result.sites;
            }
            plateTruth["wells"].push_back(wellTruth);
            ++result.wells;
        }
        truth["plates"].push_back(plateTruth);
        ++result.plates;
    }
    const fs::path dir(outDir);
    writeTextFileAtomically((dir / "platemap.csv").string(), platemap.str());
    writeTextFileAtomically((dir / "images.csv").string(), images.str());
    writeTextFileAtomically((dir / "locations.csv").string(), locations.str());
    writeTextFileAtomically((dir / "ground_truth.json").string(), truth.dump(1) + "\n");
    ctx.report(1.0, "wrote " + std::to_string(result.sites) + " sites");
    return result;
}

} // namespace embedscope
