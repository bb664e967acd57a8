#pragma once
// Raw single-cell features of image crops (issue 8 "Demo and check": the hand-made baseline the
// CNN is compared with; a small CellProfiler-like set, seed 004 §1.2.1 / §4.3.1), named like
// CellProfiler's columns so the profile pipeline treats them like any feature table.
//
// Masks (per crop, S x S): the cell mask is the pixels of the mean over all channels above its
// Otsu threshold (256 bins between the crop's min and max), reduced to the 4-connected component
// holding the centre pixel (S/2, S/2) when the centre is in the mask; the nucleus mask is the
// same on the DNA channel (the channel named "DNA", any case; else channel 0). A crop whose
// image is constant (max - min < 1e-6) has the whole crop as mask.
// Features, in this order, for each channel <ch> (names from the data set's attributesJson
// "channels", else Ch1, Ch2, ...), over the cell mask:
//   Cells_Intensity_MeanIntensity_<ch>, Cells_Intensity_StdIntensity_<ch> (population SD),
//   Cells_Intensity_MedianIntensity_<ch>, Cells_Intensity_LowerQuartileIntensity_<ch>,
//   Cells_Intensity_UpperQuartileIntensity_<ch> (quantiles by linear interpolation at
//   q (n - 1) of the sorted values, numpy's default), Cells_Intensity_IntegratedIntensity_<ch>
//   (sum), Cells_Texture_GradientMean_<ch> (mean |grad| with central differences, one-sided at
//   the crop edge), Cells_Texture_Contrast_<ch>_1 and Cells_Texture_Homogeneity_<ch>_1
//   (Haralick: symmetric grey-level co-occurrence of horizontal and vertical neighbours at
//   distance 1, both in the mask, on 8 levels min(7, floor(8 (v - lo) / (hi - lo))) between the
//   masked min lo and max hi; contrast = sum P(i,j) (i-j)^2, homogeneity = sum P(i,j) / (1 +
//   |i-j|); 0 and 1 without pairs or when hi = lo);
// then Nuclei_AreaShape_Area, Nuclei_AreaShape_Eccentricity, Cells_AreaShape_Area,
// Cells_AreaShape_Eccentricity (pixels; eccentricity sqrt(1 - l2 / l1) of the mask's second
// central moments, l1 >= l2, 0 for a single pixel).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/table.h"

#include <cstddef>
#include <string>
#include <vector>

namespace embedscope {

/// The feature names above for these channel names.
std::vector<std::string> cellFeatureNames(const std::vector<std::string>& channels);

/// Otsu's threshold of n values: the value t (a bin edge, 256 bins between min and max) that
/// maximises the between-class variance of {v <= t} and {v > t}; min when all are equal.
double otsuThreshold(const float* values, std::size_t n);

/// One row per crop, the features above, the crops' metadata carried over (split included).
/// Throws DataError naming the data set when it is not of kind Image with shape (C, S, S),
/// S >= 2, or empty; ConfigError when attributesJson names a different number of channels.
/// Checks ctx every 64 crops.
EmbeddingTable cellCropFeatures(const Dataset& crops, const JobContext& ctx = JobContext());

} // namespace embedscope
