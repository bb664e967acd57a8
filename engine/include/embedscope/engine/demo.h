#pragma once
// The built-in demo project: a small simulated open-field data set, made on first use.
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/job.h"
#include "embedscope/engine/openfield.h"

#include <string>
#include <vector>

namespace embedscope {

/// The demo's parameters: 3 substances x 3 doses + control, 16 animals per group, 10 minutes
/// (15,000 steps), 4 cohorts (3 train, 1 val), fixed seed.
OpenFieldParams demoOpenFieldParams();

/// The demo's data sets: seed-000 trajectories, seed-001 Hodgkin-Huxley traces (1,000 traces
/// of the seed's protocol), seed-002 detector events (300 proton + 300 carbon, 64 x 64).
constexpr const char* kDemoOpenFieldDataset = "openfield";
constexpr const char* kDemoSignalsDataset = "hh";
constexpr const char* kDemoEventsDataset = "tpc";
/// Seed-003 lab note: a simulated development (wt + 4 perturbations branching off over time,
/// development.h), 24 embryos per group at 12 times, 32 x 32 images.
constexpr const char* kDemoDevelopmentDataset = "development";

/// Returns `directory`/embedscope-demo.h5, simulating and writing it when missing or made by
/// an older demo version. The project holds the three data sets and no runs at first.
std::string ensureDemoProject(const std::string& directory, const JobContext& ctx = JobContext());

/// The demo's generative run "hh-vae": an MLP-β-VAE (latent 2, β = 1, 10 epochs, about 15 s;
/// seed 001 §4.2: HH traces reconstruct well even from 2 latent dimensions) on the HH traces,
/// so the reconstructions view has something to show. Written into `project`; returns its name.
std::string addDemoGenerativeRun(const std::string& projectPath,
                                 const JobContext& ctx = JobContext());

/// The demo's metric-VAE runs on the development data (seed-003 lab note, model 74's
/// settings: NT-Xent, metric_weight 50, self_target_prob 0.25, margin 2): β = 0.1 and β = 10,
/// each trained on all perturbations ("dev-mvae-b10") and with gdf3 and lmx1b held out
/// ("dev-mvae-b10-hld"), so the geometry dock can pair them. Returns the run names.
std::vector<std::string> addDemoGeometryRuns(const std::string& projectPath,
                                             const JobContext& ctx = JobContext());

/// The demo sweep (issue 6): 12 short runs of the open-field encoder, learning rate {1e-3,
/// 3e-3, 1e-2} × SupCon temperature {0.1, 1} × 2 repeats, 3 epochs each, metrics at the best
/// checkpoint only, so the runs table, selection scatter, parallel coordinates, top loss curves
/// and consistency views have a sweep to show on first start (the GUI runs it with the local
/// backend once the demo project is open, project = data file).
constexpr const char* kDemoSweepName = "demo-sweep";

/// Seed 004 (issue 8): the demo's Cell-Painting plates, 2 plates (one batch each) of 15
/// treatments (5 MOAs x 3 compounds, the last one dual-MOA) x 3 doses and 8 DMSO wells
/// (53 wells, 8 columns; 8 controls rather than the simulator's 3 so that the per-plate MAD
/// over the controls is not a median of three), off-target effects of SD 0.15 per compound (so
/// that compounds of one MOA differ, as in real screens: without them retrieval is nearly
/// perfect), 2 sites of 160 x 160 px, seed 2026. The GUI
/// cuts their crops (48 x 48 x 5, cell-plate reader) into data set "cells" of the demo
/// project; the plate folder stays beside it for the plate view's site images.
constexpr const char* kDemoCellsDataset = "cells";
constexpr const char* kDemoCellPlatesFolder = "cellpainting";
constexpr int kDemoCellCrop = 48;
CellPlateSimParams demoCellPlateParams();
std::string demoSweepSpecJson();

} // namespace embedscope
