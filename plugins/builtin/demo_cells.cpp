// ensureDemoCells (demo_cells.h): simulate the demo plates, cut their crops, store them.
#include "embedscope/plugins/demo_cells.h"

#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/demo.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include <filesystem>

namespace embedscope::plugins {

bool ensureDemoCells(const std::string& projectPath, const std::string& directory,
                     const JobContext& ctx) {
    {
        const ProjectFile project = ProjectFile::open(projectPath);
        if (project.hasDataset(kDemoCellsDataset))
            return false;
    }
    const std::string plates = (std::filesystem::path(directory) / kDemoCellPlatesFolder).string();
    simulateCellPlates(demoCellPlateParams(), plates, JobContext(ctx, 0.0, 0.4));
    registerBuiltinReaders();
    ReaderOptions options;
    options.values["crop"] = std::to_string(kDemoCellCrop);
    Dataset crops = ReaderRegistry::instance()
                        .byName("cell-plate")
                        .read({(std::filesystem::path(plates) / "platemap.csv").string()}, options,
                              JobContext(ctx, 0.4, 0.95));
    crops.name = kDemoCellsDataset;
    ProjectFile project = ProjectFile::open(projectPath);
    project.writeDataset(crops);
    ctx.report(1.0, "demo cells written");
    return true;
}

} // namespace embedscope::plugins
