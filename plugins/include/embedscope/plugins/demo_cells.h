#pragma once
// The demo's Cell-Painting data (issue 8): plates simulated with demoCellPlateParams() (demo.h)
// into <directory>/cellpainting and their single-cell crops cut by the "cell-plate" reader into
// data set "cells" of the demo project. Here rather than in the engine because cutting crops is
// a reader's job and readers are plugins.
#include "embedscope/engine/job.h"

#include <string>

namespace embedscope::plugins {

/// Adds data set "cells" to the project at `projectPath` when it has none (plates simulated
/// into `directory`/cellpainting first, replacing what is there). Returns true when it added
/// it. Throws IoError / DataError naming the file, CancelledError.
bool ensureDemoCells(const std::string& projectPath, const std::string& directory,
                     const JobContext& ctx);

} // namespace embedscope::plugins
