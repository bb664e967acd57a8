#include "hdf5_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

namespace embedscope::h5 {
namespace {

/// Sizes at which an array gets chunked + compressed, and the target chunk size.
constexpr std::size_t kCompressFromBytes = 64 * 1024;
constexpr std::size_t kChunkBytes = 1024 * 1024;
constexpr unsigned kDeflateLevel = 4;

std::string withDetail(const std::string& message) {
    const std::string detail = errorDetail();
    return detail.empty() ? message : message + " (" + detail + ")";
}

[[noreturn]] void formatFail(const std::string& where, const std::string& what) {
    throw FormatError(withDetail(where + ": " + what));
}

[[noreturn]] void writeFail(const std::string& where, const std::string& what) {
    throw IoError(withDetail(where + ": " + what));
}

herr_t collectError(unsigned, const H5E_error2_t* error, void* out) {
    auto* text = static_cast<std::string*>(out);
    if (text->empty() && error && error->desc && *error->desc)
        *text = error->desc;
    return 0;
}

herr_t collectLinkName(hid_t, const char* name, const H5L_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

/// Text is stored fixed-length (null-padded UTF-8, as wide as the longest value) rather than
/// variable-length: variable-length strings live in HDF5's global heap, which has no checksum,
/// and HDF5 1.10 crashes on a corrupted one instead of reporting an error.
Handle fixedStringType(std::size_t width) {
    Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), std::max<std::size_t>(1, width));
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    return type;
}

std::size_t widestOf(const std::vector<std::string>& values) {
    std::size_t width = 1;
    for (const auto& v : values)
        width = std::max(width, v.size());
    return width;
}

std::vector<char> packStrings(const std::vector<std::string>& values, std::size_t width) {
    std::vector<char> packed(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i)
        std::copy(values[i].begin(), values[i].end(), packed.begin() + i * width);
    return packed;
}

/// Reads every element of a string attribute or data set whose file type is `fileType`.
/// `read(memType, buffer)` performs the H5Aread / H5Dread.
std::vector<std::string> readStringElements(hid_t fileType, hid_t space, std::size_t count,
                                            const std::function<herr_t(hid_t, void*)>& read,
                                            const std::string& where) {
    std::vector<std::string> out;
    out.reserve(count);
    if (count == 0)
        return out;
    if (H5Tget_class(fileType) != H5T_STRING)
        formatFail(where, "expected text");
    if (H5Tis_variable_str(fileType) > 0) {
        Handle memType(H5Tcopy(H5T_C_S1));
        H5Tset_size(memType.get(), H5T_VARIABLE);
        H5Tset_cset(memType.get(), H5Tget_cset(fileType));
        std::vector<char*> pointers(count, nullptr);
        if (read(memType.get(), pointers.data()) < 0)
            formatFail(where, "cannot read text");
        for (char* p : pointers)
            out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(memType.get(), space, H5P_DEFAULT, pointers.data());
        return out;
    }
    const std::size_t size = H5Tget_size(fileType);
    Handle memType(H5Tcopy(fileType));
    std::vector<char> buffer(size * count + 1, '\0');
    if (read(memType.get(), buffer.data()) < 0)
        formatFail(where, "cannot read text");
    for (std::size_t i = 0; i < count; ++i) {
        const char* begin = buffer.data() + i * size;
        out.emplace_back(begin, strnlen(begin, size));
    }
    return out;
}

std::size_t spaceElementCount(hid_t space) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    return n < 0 ? 0 : static_cast<std::size_t>(n);
}

Handle openAttr(hid_t loc, const std::string& name, const std::string& where) {
    if (H5Aexists(loc, name.c_str()) <= 0)
        throw FormatError(where + "/" + name + ": missing attribute");
    Handle attr(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
    if (!attr.valid())
        formatFail(where + "/" + name, "cannot open attribute");
    return attr;
}

Handle createAttr(hid_t loc, const std::string& name, hid_t type, hid_t space,
                  const std::string& where) {
    if (H5Aexists(loc, name.c_str()) > 0)
        H5Adelete(loc, name.c_str());
    Handle attr(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid())
        writeFail(where + "/" + name, "cannot create attribute");
    return attr;
}

/// Reads a numeric attribute of `expectedClass` (any size) as `memType` into `count` values.
template <typename T>
std::vector<T> readNumericAttr(hid_t loc, const std::string& name, hid_t memType,
                               std::initializer_list<H5T_class_t> classes, const char* expected,
                               const std::string& where) {
    Handle attr = openAttr(loc, name, where);
    Handle type(H5Aget_type(attr.get()));
    Handle space(H5Aget_space(attr.get()));
    const H5T_class_t cls = H5Tget_class(type.get());
    if (std::find(classes.begin(), classes.end(), cls) == classes.end() ||
        H5Sget_simple_extent_ndims(space.get()) > 1)
        throw FormatError(where + "/" + name + ": expected " + expected);
    std::vector<T> values(spaceElementCount(space.get()));
    if (!values.empty() && H5Aread(attr.get(), memType, values.data()) < 0)
        formatFail(where + "/" + name, "cannot read attribute");
    return values;
}

} // namespace

herr_t Handle::close() {
    if (id_ < 0)
        return 0;
    herr_t status = 0;
    switch (H5Iget_type(id_)) {
    case H5I_FILE:
        status = H5Fclose(id_);
        break;
    case H5I_GROUP:
        status = H5Gclose(id_);
        break;
    case H5I_DATASET:
        status = H5Dclose(id_);
        break;
    case H5I_DATASPACE:
        status = H5Sclose(id_);
        break;
    case H5I_DATATYPE:
        status = H5Tclose(id_);
        break;
    case H5I_ATTR:
        status = H5Aclose(id_);
        break;
    case H5I_GENPROP_LST:
        status = H5Pclose(id_);
        break;
    default:
        status = H5Idec_ref(id_) < 0 ? -1 : 0;
        break;
    }
    id_ = H5I_INVALID_HID;
    return status;
}

std::recursive_mutex& libraryMutex() {
    static std::recursive_mutex mutex;
    return mutex;
}

void quietErrors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::string errorDetail() {
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collectError, &text);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

std::string escapeName(const std::string& name) {
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '%')
            out += "%25";
        else if (c == '/')
            out += "%2F";
        else if (c == '.' && i == 0)
            out += "%2E";
        else
            out += c;
    }
    return out;
}

std::string unescapeName(const std::string& link) {
    std::string out;
    for (std::size_t i = 0; i < link.size(); ++i) {
        if (link[i] == '%' && i + 2 < link.size()) {
            const std::string code = link.substr(i + 1, 2);
            if (code == "25" || code == "2F" || code == "2E") {
                out += code == "25" ? '%' : code == "2F" ? '/' : '.';
                i += 2;
                continue;
            }
        }
        out += link[i];
    }
    return out;
}

Handle openProjectReadOnly(const std::string& path) {
    quietErrors();
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw IoError(path + ": " + (errno == ENOENT ? "no such file" : std::strerror(errno)));
    if (S_ISDIR(info.st_mode))
        throw IoError(path + ": is a directory, not a file");
    if (::access(path.c_str(), R_OK) != 0)
        throw IoError(path + ": cannot read (" + std::strerror(errno) + ")");
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw FormatError(path + ": not an HDF5 file");
    }
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file.valid())
        formatFail(path, "corrupt or truncated HDF5 file");
    if (!hasAttr(file.get(), "embedscope_format"))
        throw FormatError(path +
                          ": not an embedscope file (no 'embedscope_format' attribute on /)");
    const long long version = readInt64Attr(file.get(), "embedscope_format", path + ": ");
    if (version > kFormatVersion)
        throw FormatError(path + ": written by a newer embedscope (format " +
                          std::to_string(version) + ", this build reads up to " +
                          std::to_string(kFormatVersion) + ")");
    if (version < 1)
        throw FormatError(path + ": invalid embedscope_format " + std::to_string(version));
    return file;
}

bool linkExists(hid_t loc, const std::string& name) {
    return !name.empty() && H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> childNames(hid_t group, const std::string& where) {
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collectLinkName, &names) < 0)
        formatFail(where, "cannot list the group");
    return names;
}

Handle openGroup(hid_t loc, const std::string& name, const std::string& where) {
    if (!linkExists(loc, name))
        throw FormatError(where + ": missing group");
    Handle group(H5Gopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!group.valid())
        formatFail(where, "expected a group");
    return group;
}

Handle createGroup(hid_t loc, const std::string& name, const std::string& where) {
    Handle group(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!group.valid())
        writeFail(where, "cannot create group");
    return group;
}

bool hasAttr(hid_t loc, const std::string& name) {
    return H5Aexists(loc, name.c_str()) > 0;
}

void writeStringAttr(hid_t loc, const std::string& name, const std::string& value,
                     const std::string& where) {
    writeStringArrayAttr(loc, name, {value}, where, true);
}

void writeStringArrayAttr(hid_t loc, const std::string& name,
                          const std::vector<std::string>& values, const std::string& where,
                          bool scalar) {
    const std::size_t width = widestOf(values);
    Handle type = fixedStringType(width);
    const hsize_t dims[1] = {values.size()};
    Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr));
    Handle attr = createAttr(loc, name, type.get(), space.get(), where);
    const std::vector<char> packed = packStrings(values, width);
    if (!values.empty() && H5Awrite(attr.get(), type.get(), packed.data()) < 0)
        writeFail(where + "/" + name, "cannot write attribute");
}

void writeInt64Attr(hid_t loc, const std::string& name, long long value, const std::string& where) {
    Handle space(H5Screate(H5S_SCALAR));
    Handle attr = createAttr(loc, name, H5T_STD_I64LE, space.get(), where);
    if (H5Awrite(attr.get(), H5T_NATIVE_LLONG, &value) < 0)
        writeFail(where + "/" + name, "cannot write attribute");
}

void writeDoubleAttr(hid_t loc, const std::string& name, double value, const std::string& where) {
    Handle space(H5Screate(H5S_SCALAR));
    Handle attr = createAttr(loc, name, H5T_IEEE_F64LE, space.get(), where);
    if (H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        writeFail(where + "/" + name, "cannot write attribute");
}

void writeInt64ArrayAttr(hid_t loc, const std::string& name, const std::vector<int64_t>& values,
                         const std::string& where) {
    const hsize_t dims[1] = {values.size()};
    Handle space(H5Screate_simple(1, dims, nullptr));
    Handle attr = createAttr(loc, name, H5T_STD_I64LE, space.get(), where);
    if (!values.empty() && H5Awrite(attr.get(), H5T_NATIVE_INT64, values.data()) < 0)
        writeFail(where + "/" + name, "cannot write attribute");
}

std::string readStringAttr(hid_t loc, const std::string& name, const std::string& where) {
    const auto values = readStringArrayAttr(loc, name, where);
    if (values.size() != 1)
        throw FormatError(where + "/" + name + ": expected one text value");
    return values.front();
}

std::vector<std::string> readStringArrayAttr(hid_t loc, const std::string& name,
                                             const std::string& where) {
    Handle attr = openAttr(loc, name, where);
    Handle type(H5Aget_type(attr.get()));
    Handle space(H5Aget_space(attr.get()));
    const std::string field = where + "/" + name;
    if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_ndims(space.get()) > 1)
        throw FormatError(field + ": expected text");
    return readStringElements(
        type.get(), space.get(), spaceElementCount(space.get()),
        [&](hid_t memType, void* buffer) { return H5Aread(attr.get(), memType, buffer); }, field);
}

long long readInt64Attr(hid_t loc, const std::string& name, const std::string& where) {
    const auto values = readNumericAttr<long long>(loc, name, H5T_NATIVE_LLONG, {H5T_INTEGER},
                                                   "one integer", where);
    if (values.size() != 1)
        throw FormatError(where + "/" + name + ": expected one integer");
    return values.front();
}

double readDoubleAttr(hid_t loc, const std::string& name, const std::string& where) {
    const auto values = readNumericAttr<double>(loc, name, H5T_NATIVE_DOUBLE,
                                                {H5T_FLOAT, H5T_INTEGER}, "one number", where);
    if (values.size() != 1)
        throw FormatError(where + "/" + name + ": expected one number");
    return values.front();
}

std::vector<int64_t> readInt64ArrayAttr(hid_t loc, const std::string& name,
                                        const std::string& where) {
    return readNumericAttr<int64_t>(loc, name, H5T_NATIVE_INT64, {H5T_INTEGER}, "1-D integers",
                                    where);
}

std::size_t ArrayInfo::elementCount() const {
    std::size_t n = 1;
    for (hsize_t d : dims)
        n *= static_cast<std::size_t>(d);
    return n;
}

ArrayInfo inspectArray(hid_t loc, const std::string& name, const std::string& where) {
    if (!linkExists(loc, name))
        throw FormatError(where + ": missing data set");
    Handle dset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!dset.valid())
        formatFail(where, "expected a data set");
    Handle type(H5Dget_type(dset.get()));
    Handle space(H5Dget_space(dset.get()));
    ArrayInfo info;
    info.typeClass = H5Tget_class(type.get());
    info.typeSize = H5Tget_size(type.get());
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        formatFail(where, "unreadable data space");
    info.dims.resize(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), info.dims.data(), nullptr);
    // A corrupted extent must not make the caller allocate terabytes: deflate expands at most
    // ~1032x, so more than 1100x the stored bytes (+1 MiB) cannot be genuine.
    std::size_t bytes = info.typeSize;
    for (hsize_t d : info.dims)
        if (__builtin_mul_overflow(bytes, static_cast<std::size_t>(d), &bytes))
            throw FormatError(where + ": implausible size (corrupt file?)");
    const std::size_t stored = H5Dget_storage_size(dset.get());
    if (bytes / 1100 > stored + (1u << 20) / 1100)
        throw FormatError(where + ": declares " + std::to_string(info.elementCount()) +
                          " values but stores only " + std::to_string(stored) +
                          " bytes (corrupt file?)");
    return info;
}

void writeArray(hid_t loc, const std::string& name, hid_t fileType, hid_t memType,
                const std::vector<hsize_t>& dims, const void* data, const std::string& where) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    std::size_t count = 1;
    for (hsize_t d : dims)
        count *= static_cast<std::size_t>(d);
    const std::size_t elementSize = H5Tget_size(memType);
    if (count * elementSize >= kCompressFromBytes && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
        // Chunks of about 1 MiB: whole rows where they fit, so a row reads from one chunk.
        const hsize_t target = std::max<hsize_t>(1, kChunkBytes / elementSize);
        std::vector<hsize_t> chunk(dims.size());
        chunk.back() = std::min(dims.back(), target);
        if (dims.size() == 2)
            chunk[0] = std::clamp<hsize_t>(target / chunk[1], 1, dims[0]);
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
        if (elementSize > 1)
            H5Pset_shuffle(dcpl.get());
        H5Pset_deflate(dcpl.get(), kDeflateLevel);
    }
    Handle dset(
        H5Dcreate2(loc, name.c_str(), fileType, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
    if (!dset.valid())
        writeFail(where, "cannot create data set");
    if (count > 0 && H5Dwrite(dset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        writeFail(where, "cannot write data set");
}

void readArray(hid_t loc, const std::string& name, hid_t memType, void* buffer,
               const std::string& where) {
    Handle dset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!dset.valid())
        formatFail(where, "cannot open data set");
    Handle space(H5Dget_space(dset.get()));
    if (spaceElementCount(space.get()) == 0)
        return;
    if (H5Dread(dset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
        formatFail(where, "cannot read data set (corrupt file?)");
}

void writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                  const std::string& where) {
    const std::size_t width = widestOf(values);
    Handle type = fixedStringType(width);
    const std::vector<char> packed = packStrings(values, width);
    writeArray(loc, name, type.get(), type.get(), {values.size()}, packed.data(), where);
}

std::vector<std::string> readStrings(hid_t loc, const std::string& name, const std::string& where) {
    Handle dset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!dset.valid())
        formatFail(where, "cannot open data set");
    Handle type(H5Dget_type(dset.get()));
    Handle space(H5Dget_space(dset.get()));
    if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_ndims(space.get()) != 1)
        throw FormatError(where + ": expected 1-D text");
    return readStringElements(
        type.get(), space.get(), spaceElementCount(space.get()),
        [&](hid_t memType, void* buffer) {
            return H5Dread(dset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        },
        where);
}

void copyObject(hid_t src, const std::string& name, hid_t dst, const std::string& where) {
    if (H5Ocopy(src, name.c_str(), dst, name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
        writeFail(where, "cannot copy into the new file");
}

} // namespace embedscope::h5
