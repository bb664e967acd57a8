#pragma once
// Crash-safe writing of a small text file (a CSV table, a config): temp file beside the target,
// fsync, rename over it. A crash or a full disk never leaves half a file under the real name.
#include <string>

namespace embedscope {

/// Writes `text` to `path` through "<path>.tmp-<pid>". Throws IoError naming the path, what
/// failed and the system's reason; the temp file is removed on failure.
void writeTextFileAtomically(const std::string& path, const std::string& text);

} // namespace embedscope
