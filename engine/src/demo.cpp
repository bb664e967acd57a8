#include "embedscope/engine/demo.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"

#include <filesystem>

namespace embedscope {
namespace {
// Bump when the simulator or the demo parameters change, so stale demo files are remade.
constexpr const char* kDemoTag = "\"demo_version\":4";
constexpr const char* kDemoDataset = "openfield";
} // namespace

OpenFieldParams demoOpenFieldParams() {
    OpenFieldParams p;
    p.substances = 3;
    p.doses = 3;
    p.animalsPerGroup = 16;
    p.minutes = 10.0;
    p.experiments = 4;
    p.valFraction = 0.25;
    p.seed = 2026;
    return p;
}

std::string ensureDemoProject(const std::string& directory, const JobContext& ctx) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        throw IoError(directory + ": cannot create the demo directory (" + ec.message() + ")");
    const std::string path = (fs::path(directory) / "embedscope-demo.h5").string();
    if (fs::exists(path)) {
        try {
            ProjectFile existing = ProjectFile::open(path);
            if (existing.hasDataset(kDemoDataset) &&
                existing.readDatasetHeader(kDemoDataset).attributesJson.find(kDemoTag) !=
                    std::string::npos)
                return path;
        } catch (const Error&) {
            // unreadable or stale: remade below
        }
    }
    Dataset data = simulateOpenField(demoOpenFieldParams(), ctx);
    data.name = kDemoDataset;
    // Tag the attributes so a later version can tell its own demo file.
    std::string attrs = data.attributesJson;
    const auto brace = attrs.find('{');
    if (brace != std::string::npos)
        attrs.insert(brace + 1, std::string(kDemoTag) + (attrs.size() > brace + 2 ? "," : ""));
    data.attributesJson = attrs;
    ProjectFile project = ProjectFile::create(path, true);
    project.writeDataset(data);
    return path;
}

} // namespace embedscope
