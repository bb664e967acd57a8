// ProjectFile: the HDF5 store for data sets and runs (layout in project.h).
#include "embedscope/engine/project.h"

#include "embedscope/engine/error.h"
#include "hdf5_util.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace embedscope {
namespace {

using h5::Handle;

/// Held across every read-copy-rename of a project: an advisory flock on "<file>.lock" so that
/// writers in other processes (a sweep collecting runs while the GUI saves one) take turns
/// instead of renaming over each other's copies and losing runs. Threads of one process are
/// serialised by the library mutex, taken first (always in this order: no deadlock).
class WriteLock {
public:
    explicit WriteLock(const std::string& path) : library_(h5::libraryMutex()) {
        std::error_code ec;
        // The link's target is the file replaced, so its lock is the one shared.
        const std::string target = std::filesystem::is_symlink(path, ec)
                                       ? std::filesystem::canonical(path, ec).string()
                                       : path;
        const std::string lockPath = (ec ? path : target) + ".lock";
        fd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd_ < 0)
            throw IoError(path + ": cannot open the write lock " + lockPath + " (" +
                          std::strerror(errno) + ")");
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) {
                const std::string reason = std::strerror(errno);
                ::close(fd_);
                throw IoError(path + ": cannot lock " + lockPath + " (" + reason + ")");
            }
        }
    }
    ~WriteLock() { ::close(fd_); } // closing releases the flock
    WriteLock(const WriteLock&) = delete;
    WriteLock& operator=(const WriteLock&) = delete;

private:
    std::lock_guard<std::recursive_mutex> library_;
    int fd_ = -1;
};

constexpr const char* kDatasetsGroup = "datasets";
constexpr const char* kRunsGroup = "runs";

/// "file.h5: /runs/run-001" (+ "/leaf"): the prefix of every message about a stored object.
std::string fieldName(const std::string& path, const char* group, const std::string& link,
                      const std::string& leaf = "") {
    return path + ": /" + group + "/" + link + (leaf.empty() ? "" : "/" + leaf);
}

std::vector<std::string> memberNames(const std::string& path, const char* group) {
    Handle file = h5::openProjectReadOnly(path);
    std::vector<std::string> names;
    if (!h5::linkExists(file.get(), group))
        return names;
    Handle g = h5::openGroup(file.get(), group, path + ": /" + group);
    for (const auto& link : h5::childNames(g.get(), path + ": /" + group))
        names.push_back(h5::unescapeName(link));
    return names;
}

bool hasMember(const std::string& path, const char* group, const std::string& name) {
    Handle file = h5::openProjectReadOnly(path);
    if (name.empty() || !h5::linkExists(file.get(), group))
        return false;
    Handle g = h5::openGroup(file.get(), group, path + ": /" + group);
    return h5::linkExists(g.get(), h5::escapeName(name));
}

/// Opens /<group>/<name>; DataError when there is no such member.
Handle openMember(hid_t file, const std::string& path, const char* group, const std::string& name,
                  const char* what) {
    const std::string link = h5::escapeName(name);
    if (!h5::linkExists(file, group))
        throw DataError(path + ": no " + what + " named '" + name + "'");
    Handle g = h5::openGroup(file, group, path + ": /" + group);
    if (!h5::linkExists(g.get(), link))
        throw DataError(path + ": no " + what + " named '" + name + "'");
    return h5::openGroup(g.get(), link, fieldName(path, group, link));
}

Dataset readDatasetFrom(const std::string& path, const std::string& name, bool loadValues) {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    Handle file = h5::openProjectReadOnly(path);
    Handle group = openMember(file.get(), path, kDatasetsGroup, name, "data set");
    const std::string where = fieldName(path, kDatasetsGroup, h5::escapeName(name));

    Dataset d;
    d.name = name;
    const std::string kind = h5::readStringAttr(group.get(), "kind", where);
    try {
        d.kind = dataKindFromString(kind);
    } catch (const FormatError& e) {
        throw FormatError(where + "/kind: " + e.what());
    }
    d.sampleShape = h5::readInt64ArrayAttr(group.get(), "shape", where);
    if (d.sampleShape.empty())
        throw FormatError(where + "/shape: expected at least one dimension");
    for (int64_t dim : d.sampleShape)
        if (dim <= 0)
            throw FormatError(where + "/shape: expected positive dimensions, found " +
                              std::to_string(dim));
    if (h5::hasAttr(group.get(), "attributes_json"))
        d.attributesJson = h5::readStringAttr(group.get(), "attributes_json", where);

    const std::size_t sampleSize = d.sampleSize();
    const auto values = h5::inspectArray(group.get(), "values", where + "/values");
    if (values.typeClass != H5T_FLOAT || values.dims.size() != 2 || values.dims[1] != sampleSize)
        throw FormatError(where + "/values: expected 2-D float32 (samples x " +
                          std::to_string(sampleSize) + ")");
    const std::size_t n = values.dims[0];
    d.headerSampleCount = n;
    if (loadValues) {
        d.values.resize(n * sampleSize);
        h5::readArray(group.get(), "values", H5T_NATIVE_FLOAT, d.values.data(), where + "/values");
    }

    if (!h5::linkExists(group.get(), "metadata"))
        return d;
    Handle meta = h5::openGroup(group.get(), "metadata", where + "/metadata");
    std::vector<std::string> order;
    if (h5::hasAttr(meta.get(), "order"))
        order = h5::readStringArrayAttr(meta.get(), "order", where + "/metadata");
    else
        for (const auto& link : h5::childNames(meta.get(), where + "/metadata"))
            order.push_back(h5::unescapeName(link));
    for (const auto& columnName : order) {
        const std::string link = h5::escapeName(columnName);
        const std::string columnWhere = where + "/metadata/" + link;
        const auto info = h5::inspectArray(meta.get(), link, columnWhere);
        if (info.dims.size() != 1 || info.dims[0] != n)
            throw FormatError(columnWhere + ": expected a 1-D column of " + std::to_string(n) +
                              " values (one per sample)");
        MetadataColumn column;
        column.name = columnName;
        if (info.typeClass == H5T_FLOAT || info.typeClass == H5T_INTEGER) {
            column.numeric = true;
            column.numbers.resize(n);
            h5::readArray(meta.get(), link, H5T_NATIVE_DOUBLE, column.numbers.data(), columnWhere);
        } else if (info.typeClass == H5T_STRING) {
            column.strings = h5::readStrings(meta.get(), link, columnWhere);
        } else {
            throw FormatError(columnWhere + ": expected 1-D float64 or text");
        }
        d.metadata.setColumn(std::move(column));
    }
    return d;
}

void writeDatasetInto(hid_t file, const std::string& path, const Dataset& d) {
    Handle datasets = h5::openGroup(file, kDatasetsGroup, path + ": /datasets");
    const std::string link = h5::escapeName(d.name);
    const std::string where = fieldName(path, kDatasetsGroup, link);
    Handle group = h5::createGroup(datasets.get(), link, where);
    h5::writeStringAttr(group.get(), "kind", toString(d.kind), where);
    h5::writeInt64ArrayAttr(group.get(), "shape", d.sampleShape, where);
    h5::writeStringAttr(group.get(), "attributes_json", d.attributesJson, where);
    const std::vector<hsize_t> dims = {d.sampleCount(), d.sampleSize()};
    h5::writeArray(group.get(), "values", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims, d.values.data(),
                   where + "/values");

    Handle meta = h5::createGroup(group.get(), "metadata", where + "/metadata");
    std::vector<std::string> order;
    for (const auto& column : d.metadata.columns()) {
        const std::string columnLink = h5::escapeName(column.name);
        const std::string columnWhere = where + "/metadata/" + columnLink;
        if (column.numeric)
            h5::writeArray(meta.get(), columnLink, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                           {column.numbers.size()}, column.numbers.data(), columnWhere);
        else
            h5::writeStrings(meta.get(), columnLink, column.strings, columnWhere);
        order.push_back(column.name);
    }
    h5::writeStringArrayAttr(meta.get(), "order", order, where + "/metadata");
}

using curves_json = nlohmann::json;

/// RunRecord::curves as JSON {"name": [v, ...]} (NaN as null).
std::string curvesToJson(const std::map<std::string, std::vector<double>>& curves) {
    curves_json out = curves_json::object();
    for (const auto& [name, values] : curves) {
        curves_json list = curves_json::array();
        for (double v : values)
            list.push_back(std::isfinite(v) ? curves_json(v) : curves_json(nullptr));
        out[name] = list;
    }
    return out.dump();
}

std::map<std::string, std::vector<double>> curvesFromJson(const std::string& text,
                                                          const std::string& where) {
    std::map<std::string, std::vector<double>> curves;
    curves_json parsed;
    try {
        parsed = curves_json::parse(text);
    } catch (const curves_json::exception& e) {
        throw FormatError(where + "/curves_json: not valid JSON (" + e.what() + ")");
    }
    if (!parsed.is_object())
        throw FormatError(where + "/curves_json: expected an object of arrays");
    for (const auto& item : parsed.items()) {
        if (!item.value().is_array())
            throw FormatError(where + "/curves_json: '" + item.key() + "' is not an array");
        auto& values = curves[item.key()];
        for (const auto& v : item.value()) {
            if (!v.is_number() && !v.is_null())
                throw FormatError(where + "/curves_json: '" + item.key() + "' holds a non-number");
            values.push_back(v.is_number() ? v.get<double>()
                                           : std::numeric_limits<double>::quiet_NaN());
        }
    }
    return curves;
}

/// The run's attributes (everything but the arrays).
void readRunAttributes(hid_t group, const std::string& where, RunRecord& run) {
    run.datasetName = h5::readStringAttr(group, "dataset", where);
    run.status = h5::readStringAttr(group, "status", where);
    run.configJson = h5::readStringAttr(group, "config_json", where);
    run.metricsJson = h5::readStringAttr(group, "metrics_json", where);
    if (h5::hasAttr(group, "curves_json")) // absent in projects written before the curves
        run.curves = curvesFromJson(h5::readStringAttr(group, "curves_json", where), where);
    run.bestEpoch = static_cast<int>(h5::readInt64Attr(group, "best_epoch", where));
    run.seconds = h5::readDoubleAttr(group, "seconds", where);
    run.createdUtc = h5::readStringAttr(group, "created_utc", where);
    run.versions.embedscope = h5::readStringAttr(group, "embedscope_version", where);
    run.versions.libtorch = h5::readStringAttr(group, "libtorch_version", where);
    run.versions.hdf5 = h5::readStringAttr(group, "hdf5_version", where);
    run.versions.gitCommit = h5::readStringAttr(group, "git_commit", where);
}

/// Checks a run array's type and rank; returns its dimensions.
std::vector<hsize_t> checkRunArray(hid_t group, const char* name, H5T_class_t typeClass,
                                   std::size_t rank, const char* expected,
                                   const std::string& where) {
    const std::string field = where + "/" + name;
    const auto info = h5::inspectArray(group, name, field);
    if (info.typeClass != typeClass || info.dims.size() != rank ||
        (typeClass == H5T_INTEGER && info.typeSize != 1))
        throw FormatError(field + ": expected " + expected);
    return info.dims;
}

void writeRunInto(hid_t file, const std::string& path, const RunRecord& run) {
    Handle runs = h5::openGroup(file, kRunsGroup, path + ": /runs");
    const std::string link = h5::escapeName(run.name);
    const std::string where = fieldName(path, kRunsGroup, link);
    Handle g = h5::createGroup(runs.get(), link, where);
    h5::writeStringAttr(g.get(), "dataset", run.datasetName, where);
    h5::writeStringAttr(g.get(), "status", run.status, where);
    h5::writeStringAttr(g.get(), "config_json", run.configJson, where);
    h5::writeStringAttr(g.get(), "metrics_json", run.metricsJson, where);
    h5::writeStringAttr(g.get(), "curves_json", curvesToJson(run.curves), where);
    h5::writeInt64Attr(g.get(), "best_epoch", run.bestEpoch, where);
    h5::writeDoubleAttr(g.get(), "seconds", run.seconds, where);
    h5::writeStringAttr(g.get(), "created_utc", run.createdUtc, where);
    h5::writeStringAttr(g.get(), "embedscope_version", run.versions.embedscope, where);
    h5::writeStringAttr(g.get(), "libtorch_version", run.versions.libtorch, where);
    h5::writeStringAttr(g.get(), "hdf5_version", run.versions.hdf5, where);
    h5::writeStringAttr(g.get(), "git_commit", run.versions.gitCommit, where);
    h5::writeArray(g.get(), "train_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {run.trainLoss.size()},
                   run.trainLoss.data(), where + "/train_loss");
    h5::writeArray(g.get(), "val_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {run.valLoss.size()},
                   run.valLoss.data(), where + "/val_loss");
    h5::writeArray(g.get(), "embedding", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                   {run.embeddingRows, run.embeddingCols}, run.embedding.data(),
                   where + "/embedding");
    h5::writeArray(g.get(), "checkpoint", H5T_STD_U8LE, H5T_NATIVE_UINT8, {run.checkpoint.size()},
                   run.checkpoint.data(), where + "/checkpoint");
    if (!run.epochCheckpoints.empty()) { // cell-cnn: the weights after every epoch, concatenated
        std::vector<uint8_t> all;
        std::vector<int64_t> sizes;
        for (const auto& bytes : run.epochCheckpoints) {
            all.insert(all.end(), bytes.begin(), bytes.end());
            sizes.push_back(static_cast<int64_t>(bytes.size()));
        }
        h5::writeArray(g.get(), "epoch_checkpoints", H5T_STD_U8LE, H5T_NATIVE_UINT8, {all.size()},
                       all.data(), where + "/epoch_checkpoints");
        h5::writeInt64ArrayAttr(g.get(), "epoch_checkpoint_sizes", sizes, where);
    }
}

} // namespace

ProjectFile ProjectFile::open(const std::string& path) {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    h5::openProjectReadOnly(path);
    return ProjectFile(path);
}

ProjectFile ProjectFile::create(const std::string& path, bool overwrite) {
    WriteLock lock(path);
    struct stat info {};
    if (!overwrite && ::stat(path.c_str(), &info) == 0)
        throw IoError(path + ": already exists (not overwritten)");
    h5::rewriteProjectFile(path, false, "", "", [](hid_t) {});
    return ProjectFile(path);
}

ProjectFile ProjectFile::openOrCreate(const std::string& path) {
    {
        // Checked under the lock: two processes creating the same project at once must not
        // replace each other's first writes with an empty file.
        WriteLock lock(path);
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0)
            h5::rewriteProjectFile(path, false, "", "", [](hid_t) {});
    }
    return open(path);
}

std::vector<std::string> ProjectFile::datasetNames() const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    return memberNames(path_, kDatasetsGroup);
}

bool ProjectFile::hasDataset(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    return hasMember(path_, kDatasetsGroup, name);
}

Dataset ProjectFile::readDataset(const std::string& name) const {
    return readDatasetFrom(path_, name, true);
}

Dataset ProjectFile::readDatasetHeader(const std::string& name) const {
    return readDatasetFrom(path_, name, false);
}

std::vector<float> ProjectFile::readSample(const std::string& name, std::size_t index) const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    const Dataset header = readDatasetFrom(path_, name, false);
    const std::string where = fieldName(path_, kDatasetsGroup, h5::escapeName(name)) + "/values";
    if (index >= header.headerSampleCount)
        throw DataError(where + ": sample " + std::to_string(index) + " out of range (" +
                        std::to_string(header.headerSampleCount) + " samples)");
    Handle file = h5::openProjectReadOnly(path_);
    Handle group = openMember(file.get(), path_, kDatasetsGroup, name, "data set");
    Handle dset(H5Dopen2(group.get(), "values", H5P_DEFAULT));
    Handle space(dset.get() >= 0 ? H5Dget_space(dset.get()) : H5I_INVALID_HID);
    const std::size_t size = header.sampleSize();
    std::vector<float> values(size);
    const hsize_t start[2] = {index, 0};
    const hsize_t count[2] = {1, size};
    Handle memory(H5Screate_simple(1, &count[1], nullptr));
    if (dset.get() < 0 || space.get() < 0 || memory.get() < 0 ||
        H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
        H5Dread(dset.get(), H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT,
                values.data()) < 0)
        throw FormatError(where + ": cannot read sample " + std::to_string(index));
    return values;
}

void ProjectFile::writeDataset(const Dataset& dataset) {
    if (dataset.name.empty())
        throw DataError(path_ + ": a data set needs a name");
    dataset.validate(path_ + ": data set '" + dataset.name + "'");
    WriteLock lock(path_);
    h5::rewriteProjectFile(path_, true, kDatasetsGroup, h5::escapeName(dataset.name),
                           [&](hid_t file) { writeDatasetInto(file, path_, dataset); });
}

std::vector<std::string> ProjectFile::runNames() const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    return memberNames(path_, kRunsGroup);
}

bool ProjectFile::hasRun(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    return hasMember(path_, kRunsGroup, name);
}

RunRecord ProjectFile::readRun(const std::string& name, RunContent content) const {
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    Handle file = h5::openProjectReadOnly(path_);
    Handle g = openMember(file.get(), path_, kRunsGroup, name, "run");
    const std::string where = fieldName(path_, kRunsGroup, h5::escapeName(name));
    RunRecord run;
    run.name = name;
    readRunAttributes(g.get(), where, run);

    const auto train = checkRunArray(g.get(), "train_loss", H5T_FLOAT, 1, "1-D float64", where);
    run.trainLoss.resize(train[0]);
    h5::readArray(g.get(), "train_loss", H5T_NATIVE_DOUBLE, run.trainLoss.data(),
                  where + "/train_loss");
    const auto val = checkRunArray(g.get(), "val_loss", H5T_FLOAT, 1, "1-D float64", where);
    run.valLoss.resize(val[0]);
    h5::readArray(g.get(), "val_loss", H5T_NATIVE_DOUBLE, run.valLoss.data(), where + "/val_loss");
    const auto emb =
        checkRunArray(g.get(), "embedding", H5T_FLOAT, 2, "2-D float32 (rows x cols)", where);
    run.embeddingRows = emb[0];
    run.embeddingCols = emb[1];
    if (content == RunContent::Summary)
        return run;
    run.embedding.resize(run.embeddingRows * run.embeddingCols);
    h5::readArray(g.get(), "embedding", H5T_NATIVE_FLOAT, run.embedding.data(),
                  where + "/embedding");
    const auto ckpt = checkRunArray(g.get(), "checkpoint", H5T_INTEGER, 1, "1-D uint8", where);
    run.checkpoint.resize(ckpt[0]);
    h5::readArray(g.get(), "checkpoint", H5T_NATIVE_UINT8, run.checkpoint.data(),
                  where + "/checkpoint");
    if (h5::linkExists(g.get(), "epoch_checkpoints")) { // absent before the cell CNN
        const auto all =
            checkRunArray(g.get(), "epoch_checkpoints", H5T_INTEGER, 1, "1-D uint8", where);
        std::vector<uint8_t> bytes(all[0]);
        h5::readArray(g.get(), "epoch_checkpoints", H5T_NATIVE_UINT8, bytes.data(),
                      where + "/epoch_checkpoints");
        std::size_t offset = 0;
        for (int64_t size : h5::readInt64ArrayAttr(g.get(), "epoch_checkpoint_sizes", where)) {
            if (size < 0 || offset + std::size_t(size) > bytes.size())
                throw FormatError(where + "/epoch_checkpoint_sizes: the sizes exceed the " +
                                  std::to_string(bytes.size()) + " stored bytes");
            run.epochCheckpoints.emplace_back(bytes.begin() + long(offset),
                                              bytes.begin() + long(offset + std::size_t(size)));
            offset += std::size_t(size);
        }
    }
    return run;
}

void ProjectFile::writeRun(const RunRecord& run) {
    if (run.name.empty())
        throw DataError(path_ + ": a run needs a name");
    if (run.embedding.size() != run.embeddingRows * run.embeddingCols)
        throw DataError(path_ + ": run '" + run.name + "': embedding holds " +
                        std::to_string(run.embedding.size()) + " values, expected " +
                        std::to_string(run.embeddingRows) + " x " +
                        std::to_string(run.embeddingCols));
    WriteLock lock(path_);
    h5::rewriteProjectFile(path_, true, kRunsGroup, h5::escapeName(run.name),
                           [&](hid_t file) { writeRunInto(file, path_, run); });
}

void ProjectFile::removeRun(const std::string& name) {
    WriteLock lock(path_);
    if (!hasRun(name))
        throw DataError(path_ + ": no run named '" + name + "'");
    h5::rewriteProjectFile(path_, true, kRunsGroup, h5::escapeName(name), [](hid_t) {});
}

void ProjectFile::setWriteHookForTesting(std::function<void()> hook) {
    h5::setRewriteHookForTesting(std::move(hook));
}

std::string ProjectFile::uniqueRunName(const std::string& prefix) const {
    const std::string stem = prefix.empty() ? "run" : prefix;
    const auto existing = runNames();
    const std::set<std::string> used(existing.begin(), existing.end());
    for (int i = 1;; ++i) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, "-%03d", i);
        if (!used.count(stem + suffix))
            return stem + suffix;
    }
}

std::string describeFileJson(const std::string& path) {
    using nlohmann::json;
    std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
    const ProjectFile project = ProjectFile::open(path);
    json out = {{"path", path}, {"format", h5::kFormatVersion}};
    json datasets = json::array();
    for (const auto& name : project.datasetNames()) {
        const Dataset header = project.readDatasetHeader(name);
        json columns = json::array();
        for (const auto& c : header.metadata.columns())
            columns.push_back({{"name", c.name}, {"type", c.numeric ? "number" : "text"}});
        json entry = {{"name", name},
                      {"kind", toString(header.kind)},
                      {"shape", header.sampleShape},
                      {"samples", header.headerSampleCount},
                      {"metadata", columns}};
        if (header.metadata.has(Dataset::kSplitColumn)) {
            std::map<std::string, std::size_t> splits;
            for (const auto& s : header.metadata.column(Dataset::kSplitColumn).strings)
                ++splits[s];
            entry["splits"] = splits;
        }
        datasets.push_back(entry);
    }
    json runs = json::array();
    Handle file = h5::openProjectReadOnly(path);
    for (const auto& name : project.runNames()) {
        Handle g = openMember(file.get(), path, kRunsGroup, name, "run");
        const std::string where = fieldName(path, kRunsGroup, h5::escapeName(name));
        RunRecord run;
        readRunAttributes(g.get(), where, run);
        const auto train = checkRunArray(g.get(), "train_loss", H5T_FLOAT, 1, "1-D float64", where);
        const auto emb =
            checkRunArray(g.get(), "embedding", H5T_FLOAT, 2, "2-D float32 (rows x cols)", where);
        const auto ckpt = checkRunArray(g.get(), "checkpoint", H5T_INTEGER, 1, "1-D uint8", where);
        runs.push_back({{"name", name},
                        {"dataset", run.datasetName},
                        {"status", run.status},
                        {"epochs", train[0]},
                        {"best_epoch", run.bestEpoch},
                        {"embedding_shape", {emb[0], emb[1]}},
                        {"checkpoint_bytes", ckpt[0]},
                        {"seconds", run.seconds},
                        {"created_utc", run.createdUtc}});
    }
    out["datasets"] = datasets;
    out["runs"] = runs;
    // Invalid UTF-8 in stored text is shown as U+FFFD rather than failing the description.
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace embedscope
