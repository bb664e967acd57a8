// The crash-safe write of a project file: build a complete new file beside the old one, fsync
// it, then rename() it over the old one. A kill at any moment leaves the old or the new file.
#include "hdf5_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace embedscope::h5 {
namespace {

namespace fs = std::filesystem;

std::function<void()>& rewriteHook() {
    static std::function<void()> hook;
    return hook;
}

/// Writes go to the file a symbolic link points at, so the link survives.
std::string resolveTarget(const std::string& path) {
    std::error_code ec;
    if (fs::is_symlink(path, ec)) {
        const fs::path target = fs::canonical(path, ec);
        if (!ec)
            return target.string();
    }
    return path;
}

std::string directoryOf(const std::string& path) {
    const fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? "." : parent.string();
}

/// Removes `<file>.tmp-<pid>` left by processes that no longer exist (killed mid-write).
void removeStaleTemporaries(const std::string& target) {
    const std::string prefix = fs::path(target).filename().string() + ".tmp-";
    std::error_code ec;
    for (fs::directory_iterator it(directoryOf(target), ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

bool syncPath(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

std::string describeErrno(const std::string& what) {
    return what + " (" + std::strerror(errno) + ")";
}

void buildTemporary(const std::string& path, const std::string& temp, bool copyExisting,
                    const std::string& skipGroup, const std::string& skipLink,
                    const std::function<void(hid_t)>& write) {
    Handle source;
    if (copyExisting)
        source = openProjectReadOnly(path);
    // The 1.8+ file format checksums its metadata, so corruption is reported, not crashed on.
    // Files stay readable by HDF5 1.10 and later (h5py included).
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V110);
    Handle file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!file.valid()) {
        const std::string detail = errorDetail();
        throw IoError(path + ": cannot create the temporary file " + temp +
                      (detail.empty() ? "" : " (" + detail + ")"));
    }
    writeInt64Attr(file.get(), "embedscope_format", kFormatVersion, temp + ": ");
    {
        Handle datasets = createGroup(file.get(), "datasets", temp + ": /datasets");
        Handle runs = createGroup(file.get(), "runs", temp + ": /runs");
        if (source.valid()) {
            for (const auto& name : childNames(source.get(), path + ": /")) {
                if (name != "datasets" && name != "runs") {
                    // Unknown top-level objects (a later format) are carried over unchanged.
                    copyObject(source.get(), name, file.get(), path + ": /" + name);
                    continue;
                }
                Handle from = openGroup(source.get(), name, path + ": /" + name);
                const hid_t to = name == "datasets" ? datasets.get() : runs.get();
                for (const auto& child : childNames(from.get(), path + ": /" + name))
                    if (name != skipGroup || child != skipLink)
                        copyObject(from.get(), child, to, path + ": /" + name + "/" + child);
            }
        }
    }
    source.close();
    write(file.get());
    if (rewriteHook())
        rewriteHook()();
    if (file.close() < 0) {
        const std::string detail = errorDetail();
        throw IoError(path + ": cannot finish writing " + temp +
                      (detail.empty() ? "" : " (" + detail + ")"));
    }
}

} // namespace

void setRewriteHookForTesting(std::function<void()> hook) {
    std::lock_guard<std::recursive_mutex> lock(libraryMutex());
    rewriteHook() = std::move(hook);
}

void rewriteProjectFile(const std::string& path, bool copyExisting, const std::string& skipGroup,
                        const std::string& skipLink, const std::function<void(hid_t)>& write) {
    std::lock_guard<std::recursive_mutex> lock(libraryMutex());
    quietErrors();
    const std::string target = resolveTarget(path);
    removeStaleTemporaries(target);
    const std::string temp = target + ".tmp-" + std::to_string(::getpid());
    ::unlink(temp.c_str());
    try {
        buildTemporary(path, temp, copyExisting, skipGroup, skipLink, write);
        struct stat info {};
        if (::stat(target.c_str(), &info) == 0)
            ::chmod(temp.c_str(), info.st_mode & 07777); // keep the original's permissions
        if (!syncPath(temp, O_RDONLY))
            throw IoError(path + ": " + describeErrno("cannot flush " + temp + " to disk"));
        if (::rename(temp.c_str(), target.c_str()) != 0)
            throw IoError(path + ": " + describeErrno("cannot replace the file"));
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    // Makes the rename itself durable; some file systems refuse fsync on directories.
    syncPath(directoryOf(target), O_RDONLY | O_DIRECTORY);
}

} // namespace embedscope::h5
