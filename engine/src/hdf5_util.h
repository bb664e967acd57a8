#pragma once
// Small helpers over the HDF5 C API for the project file: an owning handle, attribute and
// array I/O, and error conversion. Every message names `where` ("file.h5: /runs/x/field").
#include "embedscope/engine/error.h"

#include <hdf5.h>

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace embedscope::h5 {

/// Owns one HDF5 identifier (file, group, data set, space, type, attribute, property list)
/// and closes it with the matching H5?close on destruction.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            close();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    ~Handle() { close(); }

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    /// Closes now; returns the H5?close status (a file close reports flush failures).
    herr_t close();

private:
    hid_t id_ = H5I_INVALID_HID;
};

/// Serialises the engine's HDF5 use (temporary file names are per process).
std::recursive_mutex& libraryMutex();
/// Turns HDF5's automatic error printing off for the calling thread (the setting is
/// per-thread in a thread-safe HDF5 build).
void quietErrors();
/// The innermost message of the calling thread's HDF5 error stack, or "".
std::string errorDetail();

/// Link names cannot hold '/' or be "."; names are percent-escaped ('%', '/', leading '.').
std::string escapeName(const std::string& name);
std::string unescapeName(const std::string& link);

/// Opens `path` read-only after checking that it exists and is an embedscope HDF5 file.
/// IoError: missing/unreadable; FormatError: not HDF5, corrupt, or not an embedscope file.
Handle openProjectReadOnly(const std::string& path);
/// The format version written into the root attribute "embedscope_format".
constexpr long long kFormatVersion = 1;

bool linkExists(hid_t loc, const std::string& name);
/// Names of the links in a group, sorted by name.
std::vector<std::string> childNames(hid_t group, const std::string& where);
Handle openGroup(hid_t loc, const std::string& name, const std::string& where);
Handle createGroup(hid_t loc, const std::string& name, const std::string& where);

bool hasAttr(hid_t loc, const std::string& name);
void writeStringAttr(hid_t loc, const std::string& name, const std::string& value,
                     const std::string& where);
/// Text attributes are fixed-length UTF-8 (see hdf5_util.cpp); readers accept both kinds.
void writeStringArrayAttr(hid_t loc, const std::string& name,
                          const std::vector<std::string>& values, const std::string& where,
                          bool scalar = false);
void writeInt64Attr(hid_t loc, const std::string& name, long long value, const std::string& where);
void writeDoubleAttr(hid_t loc, const std::string& name, double value, const std::string& where);
void writeInt64ArrayAttr(hid_t loc, const std::string& name, const std::vector<int64_t>& values,
                         const std::string& where);
/// Readers throw FormatError("<where>/<name>: ...") when missing or of the wrong type.
std::string readStringAttr(hid_t loc, const std::string& name, const std::string& where);
std::vector<std::string> readStringArrayAttr(hid_t loc, const std::string& name,
                                             const std::string& where);
long long readInt64Attr(hid_t loc, const std::string& name, const std::string& where);
double readDoubleAttr(hid_t loc, const std::string& name, const std::string& where);
std::vector<int64_t> readInt64ArrayAttr(hid_t loc, const std::string& name,
                                        const std::string& where);

/// Class, element size and dimensions of a stored data set.
struct ArrayInfo {
    H5T_class_t typeClass = H5T_NO_CLASS;
    std::size_t typeSize = 0;
    std::vector<hsize_t> dims;
    std::size_t elementCount() const;
};
/// FormatError naming `where` when the data set is missing.
ArrayInfo inspectArray(hid_t loc, const std::string& name, const std::string& where);
/// Writes a numeric array; large ones are chunked, shuffled and deflated (level 4).
void writeArray(hid_t loc, const std::string& name, hid_t fileType, hid_t memType,
                const std::vector<hsize_t>& dims, const void* data, const std::string& where);
/// Reads the whole data set converting to `memType`; `buffer` holds elementCount() values.
void readArray(hid_t loc, const std::string& name, hid_t memType, void* buffer,
               const std::string& where);
/// 1-D fixed-length UTF-8 strings (chunked + deflated when large).
void writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                  const std::string& where);
/// Reads a 1-D string data set (variable or fixed length).
std::vector<std::string> readStrings(hid_t loc, const std::string& name, const std::string& where);

/// Copies object `name` of group `src` into group `dst` (chunks are copied as stored).
void copyObject(hid_t src, const std::string& name, hid_t dst, const std::string& where);

/// The crash-safe write (hdf5_rewrite.cpp): builds `<path>.tmp-<pid>` from the objects of the
/// current file (when `copyExisting`) minus /<skipGroup>/<skipLink>, lets `write` add to it,
/// fsyncs it and renames it over `path`. On failure the temporary is removed and `path` is
/// untouched. Throws IoError naming `path`.
void rewriteProjectFile(const std::string& path, bool copyExisting, const std::string& skipGroup,
                        const std::string& skipLink, const std::function<void(hid_t file)>& write);
/// Called by rewriteProjectFile after `write` and before the temporary is closed and renamed.
void setRewriteHookForTesting(std::function<void()> hook);

} // namespace embedscope::h5
