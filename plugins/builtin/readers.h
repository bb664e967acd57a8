#pragma once
// Factories of the built-in readers (registered by register.cpp).
#include "embedscope/engine/reader.h"

#include <memory>

namespace embedscope::plugins {

std::unique_ptr<Reader> makeEmbedscopeH5Reader();
std::unique_ptr<Reader> makeTrajectoryCsvReader();
std::unique_ptr<Reader> makeDeepLabCutReader();
std::unique_ptr<Reader> makeIdxReader();
std::unique_ptr<Reader> makeImageFolderReader();
std::unique_ptr<Reader> makeSignalReader();
std::unique_ptr<Reader> makeDetectorEventReader();
std::unique_ptr<Reader> makeCellPlateReader();

} // namespace embedscope::plugins
