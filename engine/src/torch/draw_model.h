#pragma once
// Private: the DRAW model (seed 002 §2.9.4, Gregor et al. 2015) for the generative registry.
// Torch types are allowed here; included only by engine/src/torch/*.cpp.
#include "torch/generative_models.h"

#include <memory>
#include <vector>

namespace embedscope::torchimpl {

/// The registry params of "draw": hidden, steps, latent_dim, attention, read_size, write_size,
/// delta.
std::vector<ParamSpec> drawParams();

/// Builds DRAW for images (C, H, W); throws DataError for a signal (H = 1).
std::shared_ptr<GenerativeModelImpl> makeDraw(const GenerativeArgs& args);

/// Seed 002 eqs 2.76/2.82: the Gaussian filterbank (B, N, size) for centres (B) and variances
/// (B) with the fixed stride `delta`; pixel coordinates are 1 ... size (so the centre
/// (size + 1)/2 of eq 2.79 is the middle of the image); every row sums to 1.
torch::Tensor drawFilterbank(const torch::Tensor& centre, const torch::Tensor& variance,
                             double delta, int64_t n, int64_t size);

} // namespace embedscope::torchimpl
