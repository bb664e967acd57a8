#pragma once
// The reader SDK: data readers are plugins that score a file and read it into a Dataset.
// Built-in readers (plugins/builtin) register through the same interface.
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/job.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace embedscope {

struct ReaderOptions {
    /// Reader-specific options, e.g. {"bodypart": "centroid", "likelihood": "0.6"}.
    std::map<std::string, std::string> values;
    /// Optional side table (CSV) keyed by the trajectory/sample id.
    std::string metadataPath;
    std::string get(const std::string& key, const std::string& fallback) const;
};

class Reader {
public:
    virtual ~Reader() = default;
    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    /// 0: cannot read it; 100: certainly can. Must not throw; reads at most a few KiB.
    virtual int score(const std::string& path) const = 0;
    /// Reads one or more files into one data set. Throws IoError/FormatError/DataError naming
    /// the file and the problem.
    virtual Dataset read(const std::vector<std::string>& paths, const ReaderOptions& options,
                         const JobContext& ctx) const = 0;
};

class ReaderRegistry {
public:
    static ReaderRegistry& instance();
    void add(std::unique_ptr<Reader> reader);
    std::vector<const Reader*> readers() const;
    /// Throws ConfigError naming the unknown reader and listing the known ones.
    const Reader& byName(const std::string& name) const;
    /// The reader with the highest score for the first path; throws FormatError naming the
    /// file when no reader scores above 0.
    const Reader& choose(const std::string& path) const;

private:
    std::vector<std::unique_ptr<Reader>> readers_;
};

} // namespace embedscope
