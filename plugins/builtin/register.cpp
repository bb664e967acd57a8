#include "embedscope/plugins/builtin.h"

#include "readers.h"

#include <mutex>

namespace embedscope::plugins {

void registerBuiltinReaders() {
    // The registry ignores duplicate names too; the once-flag also avoids building readers twice.
    static std::once_flag once;
    std::call_once(once, [] {
        auto& registry = ReaderRegistry::instance();
        registry.add(makeEmbedscopeH5Reader());
        registry.add(makeTrajectoryCsvReader());
        registry.add(makeDeepLabCutReader());
        registry.add(makeIdxReader());
        registry.add(makeImageFolderReader());
        registry.add(makeSignalReader());
        registry.add(makeDetectorEventReader());
        registry.add(makeCellPlateReader());
    });
}

} // namespace embedscope::plugins
