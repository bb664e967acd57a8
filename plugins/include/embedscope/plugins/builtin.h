#pragma once
// The data readers that ship with embedscope:
//   "embedscope-h5"   a data set from an embedscope HDF5 file (data file or project);
//   "trajectory-csv"  long-format CSV trajectories (id, time, x, y[, z]) of an open field;
//   "deeplabcut"      DeepLabCut pose files (.csv, .h5), one trajectory per file/individual.
namespace embedscope::plugins {

/// Registers the built-in readers into ReaderRegistry::instance(). Safe to call repeatedly.
void registerBuiltinReaders();

} // namespace embedscope::plugins
