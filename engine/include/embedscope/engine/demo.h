#pragma once
// The built-in demo project: a small simulated open-field data set, made on first use.
#include "embedscope/engine/job.h"
#include "embedscope/engine/openfield.h"

#include <string>

namespace embedscope {

/// The demo's parameters: 3 substances x 3 doses + control, 16 animals per group, 10 minutes
/// (15,000 steps), 4 cohorts (3 train, 1 val), fixed seed.
OpenFieldParams demoOpenFieldParams();

/// Returns `directory`/embedscope-demo.h5, simulating and writing it when missing or made by
/// an older demo version. The project holds the data set "openfield" and no runs at first.
std::string ensureDemoProject(const std::string& directory, const JobContext& ctx = JobContext());

} // namespace embedscope
