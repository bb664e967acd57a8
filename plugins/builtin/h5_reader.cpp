// Reader "embedscope-h5": one data set from an embedscope HDF5 file (a data file written by
// `embedscope-cli simulate`/`import` or a project). Option `dataset` picks it by name; by
// default the file's first (usually only) data set is read.
#include "csv_text.h"
#include "readers.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"

namespace embedscope::plugins {
namespace {

const char kHdf5Signature[] = "\x89HDF\r\n\x1a\n";

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "'" : ", '") + n + "'";
    return out.empty() ? "none" : out;
}

class EmbedscopeH5Reader : public Reader {
public:
    std::string name() const override { return "embedscope-h5"; }
    std::string description() const override {
        return "A data set from an embedscope HDF5 file (data file or project); option "
               "dataset=NAME (default: the first)";
    }

    int score(const std::string& path) const override {
        // Cheap on purpose: the signature and the extension, without opening the HDF5 file.
        try {
            const std::string ext = lowerExtension(path);
            if (ext != ".h5" && ext != ".hdf5")
                return 0;
            return readFileStart(path, 8) == std::string(kHdf5Signature, 8) ? 60 : 0;
        } catch (...) {
            return 0;
        }
    }

    Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                 const JobContext& ctx) const override {
        if (paths.size() != 1)
            throw ConfigError("embedscope-h5 reads one file at a time (got " +
                              std::to_string(paths.size()) + ")");
        for (const auto& [key, value] : options.values)
            if (key != "dataset")
                throw ConfigError("embedscope-h5: unknown option '" + key + "' (known: dataset)");
        const std::string& path = paths.front();
        ctx.throwIfCancelled();
        ctx.report(0.0, "opening " + path);

        const ProjectFile file = ProjectFile::open(path);
        const std::vector<std::string> names = file.datasetNames();
        if (names.empty())
            throw DataError(path + ": the file holds no data sets");
        std::string wanted = options.get("dataset", "");
        if (wanted.empty())
            wanted = names.front();
        else if (!file.hasDataset(wanted))
            throw DataError(path + ": no data set '" + wanted +
                            "' (data sets: " + joinNames(names) + ")");
        ctx.report(0.1, "reading data set '" + wanted + "'");
        Dataset data = file.readDataset(wanted);

        if (!options.metadataPath.empty()) {
            // The side table's ids match the data set's `id` column, else its `animal` column.
            const char* key = data.metadata.has("id")       ? "id"
                              : data.metadata.has("animal") ? "animal"
                                                            : nullptr;
            if (!key)
                throw ConfigError(path + ": data set '" + wanted +
                                  "' has no 'id' or 'animal' column to join the metadata table " +
                                  options.metadataPath + " on");
            const MetadataColumn& idColumn = data.metadata.column(key);
            std::vector<std::string> ids;
            for (std::size_t r = 0; r < idColumn.size(); ++r)
                ids.push_back(idColumn.text(r));
            joinSideTable(data.metadata, ids, readSideTable(options.metadataPath), path);
        }
        ctx.report(1.0, "read " + std::to_string(data.sampleCount()) + " samples");
        return data;
    }
};

} // namespace

std::unique_ptr<Reader> makeEmbedscopeH5Reader() {
    return std::make_unique<EmbedscopeH5Reader>();
}

} // namespace embedscope::plugins
