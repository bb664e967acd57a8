#pragma once
// A training run as saved in a project, like a CEBRA estimator: hyperparameters, curves,
// best weights, embedding, metrics and the versions that produced it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace embedscope {

/// Library versions recorded with every run.
struct Versions {
    std::string embedscope;
    std::string libtorch;
    std::string hdf5;
    std::string gitCommit;
};
/// The versions of this build (engine, LibTorch, HDF5, git commit).
Versions currentVersions();
/// Now as ISO-8601 UTC, e.g. "2026-11-23T07:15:39Z" (RunRecord::createdUtc).
std::string currentUtcTime();

struct RunRecord {
    std::string name;
    std::string datasetName;
    std::string status = "finished"; ///< finished | cancelled | failed
    std::string configJson = "{}";   ///< full, resolved training config
    std::vector<double> trainLoss;   ///< per epoch
    std::vector<double> valLoss;     ///< per epoch (NaN where no validation samples)
    /// Further per-epoch curves by name: generative runs log train_recon, val_recon,
    /// train_latent, val_latent (the two ELBO terms, seed 002 Figs 4.5/4.6) and lr.
    std::map<std::string, std::vector<double>> curves;
    int bestEpoch = -1; ///< 0-based epoch of the min val loss checkpoint
    double seconds = 0.0;
    std::vector<uint8_t> checkpoint; ///< serialized weights of the best epoch
    /// Serialized weights after every epoch (cell-cnn runs, seed 004 "profile from any saved
    /// epoch"); empty for other runs and for projects written before the field.
    std::vector<std::vector<uint8_t>> epochCheckpoints;
    /// Embedding of every sample of the data set at the best checkpoint: rows x cols, row-major.
    std::size_t embeddingRows = 0;
    std::size_t embeddingCols = 0;
    std::vector<float> embedding;
    std::string metricsJson = "{}";
    Versions versions;
    std::string createdUtc; ///< ISO-8601
};

} // namespace embedscope
