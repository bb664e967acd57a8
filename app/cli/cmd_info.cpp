// embedscope-cli info FILE.h5
#include "cli_common.h"

#include "embedscope/engine/project.h"

#include <sstream>

namespace embedscope::cli {

void addInfoCommand(CLI::App& app) {
    struct Options {
        CommonOptions common;
        std::string path;
    };
    auto options = std::make_shared<Options>();
    auto* info = app.add_subcommand("info", "Describe what an embedscope HDF5 file holds");
    info->add_option("FILE", options->path, "Data or project file")->required();
    addCommonOptions(info, options->common);
    info->callback([options] {
        setExitCode(runCommand("info", [&] {
            const auto described = nlohmann::json::parse(describeFileJson(options->path));
            std::ostringstream human;
            human << options->path << "\n";
            for (const auto& d : described.value("datasets", nlohmann::json::array())) {
                human << "  data set " << d.value("name", "?") << ": " << d.dump() << "\n";
            }
            for (const auto& r : described.value("runs", nlohmann::json::array())) {
                human << "  run " << r.value("name", "?") << ": " << r.dump() << "\n";
            }
            printResult(options->common, described, human.str());
            return 0;
        }));
    });
}

} // namespace embedscope::cli
