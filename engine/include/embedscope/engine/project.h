#pragma once
// The HDF5 file format shared by data files and projects.
//
// Layout:
//   /                      attribute "embedscope_format" = 1
//   /datasets/<name>/      attributes kind, shape, attributes_json; data set "values" (N x S
//                          float32, chunked + deflate); group "metadata" with one data set per
//                          column (float64 or UTF-8 text), attribute "order"
//   /runs/<name>/          attributes status, config_json, metrics_json, dataset, versions...;
//                          data sets train_loss, val_loss, embedding (rows x cols), checkpoint
//                          (uint8)
//
// Crash safety: every write goes to a temporary copy beside the file (<file>.tmp-<pid>), which
// is flushed, fsync'ed and then renamed over the original (rename is atomic on POSIX). A kill
// at any moment leaves either the old or the new complete file; stale temporaries are ignored.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/run.h"

#include <functional>
#include <string>
#include <vector>

namespace embedscope {

class ProjectFile {
public:
    /// Opens an existing file. Throws IoError if it does not exist / cannot be read,
    /// FormatError if it is not HDF5 or not an embedscope file (names the path).
    static ProjectFile open(const std::string& path);
    /// Creates an empty file (crash-safe); throws IoError. Overwrites only if `overwrite`.
    static ProjectFile create(const std::string& path, bool overwrite = false);
    /// Opens if it exists, else creates.
    static ProjectFile openOrCreate(const std::string& path);

    const std::string& path() const { return path_; }

    std::vector<std::string> datasetNames() const;
    bool hasDataset(const std::string& name) const;
    /// Throws FormatError naming the file and the field when the stored data set is malformed.
    Dataset readDataset(const std::string& name) const;
    /// The sample shape/count and metadata, without loading values.
    Dataset readDatasetHeader(const std::string& name) const;
    /// Validates then writes (replacing a data set of the same name). Crash-safe.
    void writeDataset(const Dataset& dataset);
    /// The values of sample `index` of data set `name` (sampleSize floats), read alone (the
    /// inspector shows one trajectory without loading the whole set). Throws DataError for an
    /// index out of range.
    std::vector<float> readSample(const std::string& name, std::size_t index) const;

    std::vector<std::string> runNames() const;
    bool hasRun(const std::string& name) const;
    /// What readRun loads: everything, or the attributes and curves only (embedding shape
    /// set, embedding values and checkpoint left empty) for listing many runs cheaply.
    enum class RunContent { Everything, Summary };
    RunRecord readRun(const std::string& name, RunContent content = RunContent::Everything) const;
    /// Writes (replacing a run of the same name). Crash-safe.
    void writeRun(const RunRecord& run);
    void removeRun(const std::string& name);

    /// A fresh run name not yet used in this project: "<prefix>-001", "<prefix>-002", ...
    std::string uniqueRunName(const std::string& prefix) const;

    /// Test hook: called inside every write after the temporary copy has been partly written
    /// and before it is renamed. The crash-safety test kills the process from here.
    static void setWriteHookForTesting(std::function<void()> hook);

private:
    explicit ProjectFile(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

/// A one-paragraph description of a file for `embedscope-cli info`, as JSON text.
std::string describeFileJson(const std::string& path);

} // namespace embedscope
