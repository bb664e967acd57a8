#pragma once
// Saves what a VTK render window shows as a PNG (publication export of the scatter views).
#include <string>

class vtkRenderWindow;

namespace embedscope::viewer {

/// Renders `window` (its back buffer, so overlapping windows do not matter) and writes it to
/// `path` as an RGB PNG. `scale` > 1 renders tiles for an image `scale` times larger (e.g. 3
/// for print). The window's context must be usable (for a Qt widget: call makeCurrent()).
/// Throws IoError naming the path when the file cannot be written, std::invalid_argument for
/// a null window or scale < 1.
void exportPng(vtkRenderWindow* window, const std::string& path, int scale = 1);

} // namespace embedscope::viewer
