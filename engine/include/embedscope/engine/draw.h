#pragma once
// DRAW (seed 002 §2.9.4, Gregor et al. 2015) without torch types: the Gaussian attention of
// eqs 2.76-2.85 exactly as the model computes it, and the per-step posterior of a trained run.
// Training, reconstructions and the canvas after each step go through training.h and
// GenerativeRunModel (generative.h) like every generative model.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/run.h"

#include <cstddef>
#include <vector>

namespace embedscope {

/// Eqs 2.76 and 2.82: the N x size filterbank (row-major) of centre g, stride δ and variance
/// σ²: row i (1-based) is a Gaussian at μ_i = g + (i - N/2 - 0.5) δ over the pixel
/// coordinates 1 ... size, normalised to sum 1. Throws DataError for n or size 0 or σ² <= 0.
std::vector<double> drawFilterbank(std::size_t n, std::size_t size, double centre, double delta,
                                   double variance);

/// Eq 2.84 on one image (C x H x W, row-major): γ F_y x F_xᵀ per channel, C x N x N, with the
/// same N, δ and σ² on both axes. Throws DataError when image.size() != C·H·W.
std::vector<double> drawGlimpse(const std::vector<double>& image, std::size_t channels,
                                std::size_t height, std::size_t width, std::size_t n, double gx,
                                double gy, double delta, double variance, double gamma);

/// Eq 2.85 as Gregor et al. write it: (1/γ) F_yᵀ w F_x per channel for a patch w (C x N x N),
/// giving C x H x W. (The seed prints γ̂ instead of 1/γ̂; with log γ̂ a free output of the
/// attention head the two are the same family.) Throws DataError when patch.size() != C·N·N.
std::vector<double> drawWrite(const std::vector<double>& patch, std::size_t channels,
                              std::size_t height, std::size_t width, std::size_t n, double gx,
                              double gy, double delta, double variance, double gamma);

/// μ and log σ² of every step of a DRAW run for some rows of `data`, z = μ (no sampling).
/// Row r holds step 0's latentPerStep values, then step 1's, ...: exactly the run's embedding
/// row, and the KLD of the ELBO over these rows is the sum of the per-step KLDs.
struct DrawPosterior {
    std::size_t rows = 0;
    std::size_t steps = 0;
    std::size_t latentPerStep = 0;
    std::vector<double> mu;     ///< rows x (steps · latentPerStep)
    std::vector<double> logvar; ///< rows x (steps · latentPerStep)
};

/// Throws DataError when the run is not a DRAW run, its weights do not fit, the data's sample
/// shape differs from the run's or a row is out of range.
DrawPosterior drawPosterior(const RunRecord& run, const Dataset& data,
                            const std::vector<std::size_t>& rows);

} // namespace embedscope
