#pragma once
// Per-trajectory metadata of the seed (000 §3.1.1): experiment, rat id, primary substance and
// dose, secondary substance and dose, indication. The demo's column names are kept (animal,
// experiment, substance, dose, group, split); the others keep their own names (rat,
// secondary_substance, secondary_dose, indication).
#include "embedscope/engine/dataset.h"

#include <string>

namespace embedscope::plugins {

/// The group label of one trajectory: "control" without an active substance (empty, "control",
/// "vehicle", "none" or dose 0), else "substance@dose"; a secondary substance adds
/// "+secondary@dose" (seed §3.1.1: group = primary, secondary and their doses).
std::string groupLabel(const std::string& substance, const std::string& dose,
                       const std::string& secondary, const std::string& secondaryDose);

/// Fills the derived columns when the metadata lacks them: "group" from substance and dose
/// (and secondary_substance / secondary_dose when present); "animal" from "rat", prefixed with
/// the experiment when there is one (seed: the rat id is unique only within its experiment).
/// Returns the names of the columns it added.
std::vector<std::string> completeTrajectoryMetadata(MetadataTable& metadata);

/// Hostile-input checks every trajectory reader runs last (the message names `origin`, the row
/// and its id): a trajectory whose x and y never change (a frozen or lost track); a dose column
/// with a value that is not a number >= 0; a dose > 0 given to no substance (empty, "control",
/// "vehicle", ...) or a substance without any dose column. Throws DataError.
void checkTrajectories(const Dataset& data, const std::string& origin);

} // namespace embedscope::plugins
