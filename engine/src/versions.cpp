// The versions recorded with every run (SPEC: a run is saved like a CEBRA estimator, with the
// versions that produced it).
#include "embedscope/engine/run.h"

#include "build_info.h"

#include <hdf5.h>

#include <ctime>
#include <torch/version.h> // macros only; <torch/torch.h> stays in engine/src/torch

namespace embedscope {

Versions currentVersions() {
    Versions v;
    v.embedscope = EMBEDSCOPE_VERSION_STRING;
    v.gitCommit = EMBEDSCOPE_GIT_COMMIT;
    v.libtorch = TORCH_VERSION;
    unsigned major = 0, minor = 0, release = 0;
    if (H5get_libversion(&major, &minor, &release) >= 0)
        v.hdf5 =
            std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
    return v;
}

std::string currentUtcTime() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace embedscope
