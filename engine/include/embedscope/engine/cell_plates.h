#pragma once
// Synthetic Cell-Painting plates, the demo data of seed 004 (SPEC S4, issue 8 "Data"): plates of
// wells with DMSO controls and compounds of known mechanism of action (MOA) at several doses,
// sites per well, five channels per site written as TIFF, with the plate map, the image index
// (CellProfiler LoadData / DeepProfiler style) and the nucleus locations beside them.
//
// Layout (seed §3.1: plates -> wells -> sites, 5 channels, DMSO controls, 24 per 384-well plate):
//   nMoa = min(moas, 5) MOAs of the table below, compoundsPerMoa compounds each; with
//   dualMoaCompound the last compound of the last MOA is replaced by one acting through the last
//   and the first MOA: its Metadata_moa is "last|first" (an atomic class of its own, seed §3.1
//   "Polypharmacology"). Every compound at every dose is one treatment; a plate holds each
//   treatment replicatesPerPlate times plus controlsPerPlate DMSO wells (dose 0, moa "control",
//   control 1): 15 x 3 + 3 = 48 wells by default (3 = 24 / 384 of 48). Wells are named row letter
//   + two-digit column ("B03") on a grid of plateColumns columns, the treatments shuffled over the
//   positions per plate (each plate its own map). Plate p (0-based) is "P0<p+1>" in batch
//   "batch<p / platesPerBatch + 1>".
//
// Ground truth (per cell; s = strength of the well's compound, 0 for DMSO):
//   s = d / (d + EC50), d the dose (uM), EC50 = 0.3, 1, 3 uM for compounds 1, 2, 3 of an MOA
//   (then 0.3 again...), 1 uM for the dual compound, whose effects are the sum of both MOAs'.
//   A quantity with base value b and MOA effect e becomes b (1 + e s) (texture: b + e s).
//   Effects at s = 1 (channels DNA, ER, RNA, AGP, Mito; nothing else changes):
//     dna_damage      nucleus radius +35 %, DNA intensity +30 %, cells per site -30 %
//     tubulin         cell radius -20 %, cell aspect -20 % (rounder), DNA texture +0.25,
//                     AGP intensity +35 %
//     er_stress       ER intensity +70 %, ER texture +0.20, RNA intensity +25 %
//     mito_uncoupler  Mito intensity -45 %, Mito texture +0.30
//     actin           AGP intensity -40 %, cell radius +25 %, cell aspect +50 % (elongated)
//   Base cell (pixels): nucleus radius nucleusRadius (geometric mean of the semi-axes), nucleus
//   aspect 1.15, cell radius 2.2 x nucleus radius, cell aspect 1.3 (aspects clamped to >= 1);
//   per cell x exp(0.08 N) on each radius, (1 + 0.08 N) on each aspect, a uniform orientation,
//   the nucleus 0.1 cell radius off the cell centre. Intensities (fraction of full scale) DNA 0.45,
//   ER 0.25, RNA 0.20, AGP 0.22, Mito 0.25, per cell x exp(0.1 N) per channel; texture
//   amplitudes DNA 0.10, ER 0.15, RNA 0.10, AGP 0.10, Mito 0.40.
//   Cells per site: round(cellsPerSite (1 + e s)) + U{-2..2}, at least 1.
//   Off-target effects (compoundEffect = c > 0): every compound adds its own effect, drawn once
//   per compound as c N(0, 1) on nucleus radius, cell radius, cell aspect and each channel's
//   intensity and c/2 N(0, 1) on each texture, so compounds of one MOA are alike but not
//   identical and some compounds of different MOAs resemble each other (real screens); the
//   radius factors 1 + e s are kept >= 0.3.
// Rendering (pixel centres at integer coordinates, x = column, y = row): an ellipse's coverage
//   is clamp(0.5 + dist / 1.5, 0, 1), dist the signed distance to its edge along the ray from
//   its centre (soft edges 1.5 px wide). With n and c the nucleus and cell coverages, r in
//   [0, 1] the normalised radius inside the cell ellipse and T_k(x, y) a per-site, per-channel
//   texture field (white noise smoothed by two 3 x 3 box filters, scaled to SD 1), each cell
//   adds I_k t_k m_k with t_k = max(0, 1 + A_k T_k) and
//     DNA  m = n;  ER  m = c (1 - 0.5 n)(1 - 0.6 r);  RNA  m = c (1 - 0.4 n);
//     AGP  m = c (1 - 0.5 n)(0.5 + 0.5 r^2);  Mito  m = c (1 - n).
//   Contributions add (fluorescence); the background is 0.02 in every channel.
// Plate and batch effects (what per-plate normalisation has to correct), per channel k:
//   gain G = exp(batchEffect N_batch,k + plateEffect N_plate,k), offset O = plateOffset U(0, 1),
//   well gain W = exp(wellEffect N_well,k) (1 + positionEffect (col - (C-1)/2) / (C-1)),
//   illumination L(x, y) = (1 + illumination (u cos a + v sin a)) (1 - 0.25 (u^2 + v^2)) with
//   u = x / S - 0.5, v = y / S - 0.5 and an angle a ~ U(0, 2 pi) per plate. The stored value is
//   clamp(O + G W L (0.02 + signal) + noise N, 0, 1) at bitDepth bits.
// Files under outDir: images/<plate>/<plate>_<well>_s<site>_<channel>.tif (one 1-page TIFF per
//   channel) or images/<plate>/<plate>_<well>_s<site>.tif (multiPage: 5 pages in channel
//   order); platemap.csv (Metadata_Plate, Metadata_Well, Metadata_Batch, Metadata_compound,
//   Metadata_dose, Metadata_moa, Metadata_control), images.csv (Metadata_Plate, Metadata_Well,
//   Metadata_Site (1-based), FileName_<channel> relative to outDir), locations.csv
//   (Metadata_Plate, Metadata_Well, Metadata_Site, Nuclei_Location_Center_X/Y: the nucleus
//   centre in pixels) and ground_truth.json (parameters, MOA effects, compounds with EC50,
//   per-plate gains, offsets and illumination, per-well strength and cell count).
//   Nucleus centres lie in [borderMargin, S - 1 - borderMargin] (at least 1.5 base cell radii
//   apart when 50 draws allow it); a crop wider than 2 borderMargin skips some cells near the
//   border.
// Determinism: splitmix64 streams per plate and per site seeded with (seed, index), so the
// files depend on the parameters only (same seed -> same bytes).
#include "embedscope/engine/job.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope {

constexpr std::size_t kCellChannels = 5;
/// "DNA", "ER", "RNA", "AGP", "Mito" (Cell Painting, seed §3.1).
const std::vector<std::string>& cellPaintingChannels();

/// One MOA's effect at full strength (s = 1), as in the header comment.
struct CellMoaEffect {
    std::string name;
    double nucleusRadius = 0.0; ///< relative change
    double cellRadius = 0.0;
    double cellAspect = 0.0;
    double cellCount = 0.0;
    std::array<double, kCellChannels> intensity{}; ///< relative change per channel
    std::array<double, kCellChannels> texture{};   ///< added to the texture amplitude
};
/// dna_damage, tubulin, er_stress, mito_uncoupler, actin.
const std::vector<CellMoaEffect>& cellMoaEffects();

/// s = d / (d + ec50) for d > 0, else 0.
double cellEffectStrength(double dose, double ec50);

struct CellPlateSimParams {
    int plates = 2;
    int platesPerBatch = 1;
    int plateColumns = 8;
    int moas = 5;
    int compoundsPerMoa = 3;
    bool dualMoaCompound = true;
    std::vector<double> doses = {0.1, 1.0, 10.0}; ///< uM
    int replicatesPerPlate = 1;
    int controlsPerPlate = 3;
    int sites = 2;
    int cellsPerSite = 14;
    int imageSize = 160;          ///< site images are imageSize x imageSize
    double nucleusRadius = 5.5;   ///< pixels
    double borderMargin = 20.0;   ///< pixels between a cell centre and the image edge
    int bitDepth = 16;            ///< 8 or 16
    bool multiPage = false;       ///< one 5-page TIFF per site instead of one file per channel
    double noise = 0.01;          ///< SD of the pixel noise (fraction of full scale)
    double batchEffect = 0.10;    ///< SD of the log gain per batch and channel
    double plateEffect = 0.06;    ///< SD of the log gain per plate and channel
    double plateOffset = 0.03;    ///< largest additive offset per plate and channel
    double wellEffect = 0.03;     ///< SD of the log gain per well and channel
    double positionEffect = 0.06; ///< relative gain change from the first to the last column
    double illumination = 0.20;   ///< linear illumination gradient across the image
    /// SD of each compound's own (off-target) effect at s = 1 on nucleus and cell radius, cell
    /// aspect and every channel's intensity (texture: half of it); 0: the compounds of an MOA
    /// differ only by EC50.
    double compoundEffect = 0.0;
    uint64_t seed = 1;
};

struct CellPlateSimResult {
    std::string outDir;
    std::size_t plates = 0;
    std::size_t wells = 0;
    std::size_t controlWells = 0;
    std::size_t compounds = 0;
    std::size_t sites = 0;
    std::size_t cells = 0;
    std::size_t imageFiles = 0;
};

/// Writes the plate folder described in the header comment (creating outDir; existing files of
/// the same names are replaced). Throws ConfigError for counts < 1 (plates, columns, MOAs,
/// compounds, doses, sites, cells, replicates; controls < 0; moas > 5), doses <= 0 or not
/// finite, bitDepth other than 8 / 16, imageSize outside [32, 4096], borderMargin outside
/// [0, imageSize / 2 - 1), negative or non-finite effect SDs, more than 26 plate rows; IoError
/// naming the file that cannot be written. Checks ctx once per site.
CellPlateSimResult simulateCellPlates(const CellPlateSimParams& params, const std::string& outDir,
                                      const JobContext& ctx = JobContext());

/// Writes gray pages (each width x height values in [0, 1], row-major) as one TIFF with
/// libtiff, uncompressed strips, samples round(v * (2^bitDepth - 1)). Used by the simulator and
/// by tests that build plates by hand. Throws ConfigError (bitDepth not 8 / 16, a page of the
/// wrong size, no page) or IoError naming the path.
void writeGrayTiff(const std::string& path, int width, int height, int bitDepth,
                   const std::vector<std::vector<float>>& pages);

/// "A01"-style well name of 0-based row and column.
std::string cellWellName(int row, int column);

} // namespace embedscope
