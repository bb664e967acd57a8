// The DeepLabCut HDF5 layouts, read with the HDF5 C API (pandas' HDFStore, written by PyTables):
//  - "table" (DeepLabCut's own df_with_missing): <key>/table is a compound dataset with an
//    `index` field and `values_block_0` (an array of k float64 per row); the column labels are
//    the pickled (protocol 0, text) `non_index_axes` attribute of <key>:
//    [(1, [(scorer, [individual,] bodypart, coord), ...])].
//  - "fixed" (DataFrame.to_hdf default): <key>/block0_values (rows x k, stored transposed) with
//    the labels as level strings block0_items_level<i> and integer codes block0_items_label<i>.
#include "csv_text.h"
#include "dlc_table.h"

#include "embedscope/engine/error.h"

#include <hdf5.h>

#include <cstring>
#include <map>
#include <memory>
#include <variant>

namespace embedscope::plugins {
namespace {

/// Closes an HDF5 handle when it goes out of scope.
class Handle {
public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Handle() {
        if (id_ >= 0)
            close_(id_);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// Silences HDF5's automatic error printing for its lifetime (failures become exceptions).
class QuietErrors {
public:
    QuietErrors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// ---- a minimal reader of pickle protocol 0 (text), enough for lists/tuples of strings ------
struct PyValue;
using PyPtr = std::shared_ptr<PyValue>;
struct PyValue {
    enum Kind { None, Int, Float, Str, List, Tuple, Dict, Mark } kind = None;
    double number = 0;
    std::string text;
    std::vector<PyPtr> items; // list/tuple items; dict as key, value, key, value, ...
};

std::string unescapeUnicode(const std::string& s) {
    // raw-unicode-escape: \uXXXX (and \UXXXXXXXX) become UTF-8; everything else is literal.
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const int digits = s[i] == '\\' && i + 1 < s.size() ? (s[i + 1] == 'u'   ? 4
                                                               : s[i + 1] == 'U' ? 8
                                                                                 : 0)
                                                            : 0;
        if (digits == 0 || i + 2 + digits > s.size()) {
            out.push_back(s[i]);
            continue;
        }
        const unsigned long cp = std::stoul(s.substr(i + 2, digits), nullptr, 16);
        i += 1 + digits;
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

/// Evaluates a protocol-0 pickle; throws std::runtime_error on anything it does not know.
PyPtr unpickle0(const std::string& data) {
    std::vector<PyPtr> stack;
    std::map<std::string, PyPtr> memo;
    std::size_t pos = 0;
    const auto line = [&] {
        const std::size_t end = data.find('\n', pos);
        if (end == std::string::npos)
            throw std::runtime_error("truncated pickle");
        std::string out = data.substr(pos, end - pos);
        pos = end + 1;
        return out;
    };
    const auto make = [](PyValue::Kind kind) {
        auto v = std::make_shared<PyValue>();
        v->kind = kind;
        return v;
    };
    const auto pop = [&] {
        if (stack.empty())
            throw std::runtime_error("pickle stack underflow");
        PyPtr v = stack.back();
        stack.pop_back();
        return v;
    };
    const auto popToMark = [&] {
        std::vector<PyPtr> items;
        while (!stack.empty() && stack.back()->kind != PyValue::Mark)
            items.insert(items.begin(), pop());
        if (stack.empty())
            throw std::runtime_error("pickle mark missing");
        stack.pop_back();
        return items;
    };
    while (pos < data.size()) {
        const char op = data[pos++];
        switch (op) {
        case '(':
            stack.push_back(make(PyValue::Mark));
            break;
        case 'l':
        case 't':
        case 'd': {
            auto v = make(op == 'l' ? PyValue::List : op == 't' ? PyValue::Tuple : PyValue::Dict);
            v->items = popToMark();
            stack.push_back(v);
            break;
        }
        case ']':
            stack.push_back(make(PyValue::List));
            break;
        case ')':
            stack.push_back(make(PyValue::Tuple));
            break;
        case '}':
            stack.push_back(make(PyValue::Dict));
            break;
        case 'a': {
            PyPtr item = pop();
            if (stack.empty())
                throw std::runtime_error("append without list");
            stack.back()->items.push_back(item);
            break;
        }
        case 'e': {
            auto items = popToMark();
            if (stack.empty())
                throw std::runtime_error("appends without list");
            for (auto& i : items)
                stack.back()->items.push_back(i);
            break;
        }
        case 's': {
            PyPtr value = pop(), key = pop();
            if (stack.empty())
                throw std::runtime_error("setitem without dict");
            stack.back()->items.push_back(key);
            stack.back()->items.push_back(value);
            break;
        }
        case 'V': {
            auto v = make(PyValue::Str);
            v->text = unescapeUnicode(line());
            stack.push_back(v);
            break;
        }
        case 'S': {
            std::string s = line();
            if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"'))
                s = s.substr(1, s.size() - 2);
            auto v = make(PyValue::Str);
            v->text = s;
            stack.push_back(v);
            break;
        }
        case 'I':
        case 'L':
        case 'F': {
            std::string s = line();
            if (!s.empty() && s.back() == 'L')
                s.pop_back();
            auto v = make(op == 'F' ? PyValue::Float : PyValue::Int);
            if (!parseNumber(s, v->number))
                throw std::runtime_error("bad number '" + s + "'");
            stack.push_back(v);
            break;
        }
        case 'N':
            stack.push_back(make(PyValue::None));
            break;
        case 'p':
            if (stack.empty())
                throw std::runtime_error("put on empty stack");
            memo[line()] = stack.back();
            break;
        case 'g': {
            const auto it = memo.find(line());
            if (it == memo.end())
                throw std::runtime_error("unknown memo");
            stack.push_back(it->second);
            break;
        }
        case '.':
            if (stack.size() != 1)
                throw std::runtime_error("pickle ends with " + std::to_string(stack.size()) +
                                         " values");
            return stack.back();
        default:
            throw std::runtime_error(std::string("unsupported pickle opcode '") + op + "'");
        }
    }
    throw std::runtime_error("pickle without STOP");
}

// ---- HDF5 helpers ---------------------------------------------------------------------------

std::string readStringAttribute(hid_t object, const char* name) {
    if (H5Aexists(object, name) <= 0)
        return {};
    Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0)
        return {};
    const std::size_t size = H5Tget_size(type.get());
    std::string out(size, '\0');
    if (H5Aread(attr.get(), type.get(), out.data()) < 0)
        return {};
    return out.substr(0, std::strlen(out.c_str()));
}

/// A 1-D dataset of fixed-length strings.
std::vector<std::string> readStrings(hid_t group, const std::string& name,
                                     const std::string& path) {
    Handle set(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.ok())
        throw DataError(path + ": missing dataset '" + name + "'");
    Handle type(H5Dget_type(set.get()), H5Tclose);
    Handle space(H5Dget_space(set.get()), H5Sclose);
    if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0)
        throw DataError(path + ": '" + name + "' is not a fixed-length string array");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    const std::size_t size = H5Tget_size(type.get());
    std::string buffer(static_cast<std::size_t>(n) * size, '\0');
    if (n > 0 && H5Dread(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
        throw DataError(path + ": cannot read '" + name + "'");
    std::vector<std::string> out;
    for (hssize_t i = 0; i < n; ++i) {
        std::string s = buffer.substr(static_cast<std::size_t>(i) * size, size);
        out.push_back(s.substr(0, std::strlen(s.c_str())));
    }
    return out;
}

std::vector<int64_t> readCodes(hid_t group, const std::string& name, const std::string& path) {
    Handle set(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.ok())
        throw DataError(path + ": missing dataset '" + name + "'");
    Handle space(H5Dget_space(set.get()), H5Sclose);
    std::vector<int64_t> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    if (!out.empty() &&
        H5Dread(set.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        throw DataError(path + ": cannot read '" + name + "'");
    return out;
}

int64_t readIntAttribute(hid_t object, const char* name, int64_t fallback) {
    if (H5Aexists(object, name) <= 0)
        return fallback;
    Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
    int64_t v = fallback;
    return H5Aread(attr.get(), H5T_NATIVE_INT64, &v) < 0 ? fallback : v;
}

/// Turns label tuples (scorer, [individual,] bodypart, coord) into columns.
void setColumns(DlcTable& table, const std::vector<std::vector<std::string>>& labels) {
    for (std::size_t c = 0; c < labels.size(); ++c) {
        const auto& l = labels[c];
        if (l.size() == 3)
            table.columns.push_back({"", l[1], l[2]});
        else if (l.size() == 4)
            table.columns.push_back({l[1], l[2], l[3]});
        else
            throw DataError(table.path + ": column " + std::to_string(c + 1) + " has " +
                            std::to_string(l.size()) +
                            " label levels (expected scorer, [individuals,] bodyparts, coords)");
    }
}

void readTableLayout(hid_t group, const std::string& key, DlcTable& table) {
    const std::string path = table.path;
    Handle set(H5Dopen2(group, "table", H5P_DEFAULT), H5Dclose);
    Handle ftype(H5Dget_type(set.get()), H5Tclose);
    const int member = H5Tget_member_index(ftype.get(), "values_block_0");
    if (H5Tget_class(ftype.get()) != H5T_COMPOUND || member < 0)
        throw DataError(path + ": '" + key + "/table' has no values_block_0 field");
    if (H5Tget_member_index(ftype.get(), "values_block_1") >= 0)
        throw DataError(path + ": '" + key +
                        "/table' has several value blocks (mixed column "
                        "types are not a DeepLabCut pose table)");
    Handle mtype(H5Tget_member_type(ftype.get(), static_cast<unsigned>(member)), H5Tclose);
    hsize_t k = 0;
    if (H5Tget_class(mtype.get()) != H5T_ARRAY || H5Tget_array_ndims(mtype.get()) != 1 ||
        H5Tget_array_dims2(mtype.get(), &k) < 0 || k == 0)
        throw DataError(path + ": values_block_0 of '" + key + "/table' is not a 1-D array");
    Handle space(H5Dget_space(set.get()), H5Sclose);
    const auto rows = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));

    // The labels: the pickled non_index_axes; by order (x, y, likelihood per part) if unreadable.
    std::vector<std::vector<std::string>> labels;
    try {
        const PyPtr axes = unpickle0(readStringAttribute(group, "non_index_axes"));
        for (const auto& axis : axes->items)
            if (axis->kind == PyValue::Tuple && axis->items.size() == 2 &&
                axis->items[0]->number == 1)
                for (const auto& label : axis->items[1]->items) {
                    std::vector<std::string> parts;
                    for (const auto& p : label->items)
                        parts.push_back(p->text);
                    labels.push_back(parts);
                }
        table.layout = "hdf5 table, labels from non_index_axes";
    } catch (const std::exception&) {
        labels.clear();
    }
    if (labels.size() != k) {
        if (k % 3 != 0)
            throw DataError(path + ": cannot read the column labels of '" + key + "' and its " +
                            std::to_string(k) +
                            " columns are not x/y/likelihood "
                            "triples");
        labels.clear();
        for (hsize_t c = 0; c < k; ++c)
            labels.push_back({"", "part" + std::to_string(c / 3),
                              c % 3 == 0   ? "x"
                              : c % 3 == 1 ? "y"
                                           : "likelihood"});
        table.layout = "hdf5 table, labels unreadable: x/y/likelihood by order";
    }
    setColumns(table, labels);

    Handle array(H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &k), H5Tclose);
    Handle memory(H5Tcreate(H5T_COMPOUND, sizeof(double) * k), H5Tclose);
    H5Tinsert(memory.get(), "values_block_0", 0, array.get());
    table.values.resize(rows * k);
    if (rows > 0 &&
        H5Dread(set.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, table.values.data()) < 0)
        throw DataError(path + ": cannot read '" + key + "/table'");
    table.frames = rows;
}

void readFixedLayout(hid_t group, const std::string& key, DlcTable& table) {
    const std::string path = table.path;
    if (readIntAttribute(group, "nblocks", 1) != 1)
        throw DataError(path + ": '" + key + "' has several value blocks (not a pose table)");
    const int64_t levels = readIntAttribute(group, "block0_items_nlevels", 1);
    if (levels != 3 && levels != 4)
        throw DataError(path + ": '" + key + "' has " + std::to_string(levels) +
                        " column levels (expected scorer, [individuals,] bodyparts, coords)");
    std::vector<std::vector<std::string>> labels;
    for (int64_t l = 0; l < levels; ++l) {
        const auto names = readStrings(group, "block0_items_level" + std::to_string(l), path);
        const auto codes = readCodes(group, "block0_items_label" + std::to_string(l), path);
        labels.resize(codes.size());
        for (std::size_t c = 0; c < codes.size(); ++c) {
            if (codes[c] < 0 || codes[c] >= static_cast<int64_t>(names.size()))
                throw DataError(path + ": column " + std::to_string(c + 1) + " has label code " +
                                std::to_string(codes[c]) + " outside level " + std::to_string(l));
            labels[c].push_back(names[static_cast<std::size_t>(codes[c])]);
        }
    }
    setColumns(table, labels);
    const std::size_t k = labels.size();
    Handle set(H5Dopen2(group, "block0_values", H5P_DEFAULT), H5Dclose);
    Handle space(H5Dget_space(set.get()), H5Sclose);
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space.get()) != 2 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0)
        throw DataError(path + ": '" + key + "/block0_values' is not 2-D");
    std::vector<double> raw(static_cast<std::size_t>(dims[0] * dims[1]));
    if (!raw.empty() &&
        H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
        throw DataError(path + ": cannot read '" + key + "/block0_values'");
    // pandas stores the (columns x rows) block transposed, i.e. as rows x columns.
    if (dims[1] == k) {
        table.frames = dims[0];
        table.values = std::move(raw);
    } else if (dims[0] == k) {
        table.frames = dims[1];
        table.values.resize(raw.size());
        for (std::size_t r = 0; r < table.frames; ++r)
            for (std::size_t c = 0; c < k; ++c)
                table.values[r * k + c] = raw[c * table.frames + r];
    } else {
        throw DataError(path + ": '" + key + "/block0_values' is " + std::to_string(dims[0]) +
                        " x " + std::to_string(dims[1]) + " but there are " + std::to_string(k) +
                        " column labels");
    }
    table.layout = "hdf5 fixed";
}

/// The first top-level group holding a pandas frame ("table" or "block0_values"), or "".
std::string findFrameGroup(hid_t file) {
    hsize_t count = 0;
    H5G_info_t info;
    if (H5Gget_info(file, &info) < 0)
        return {};
    count = info.nlinks;
    for (hsize_t i = 0; i < count; ++i) {
        const ssize_t len =
            H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len <= 0)
            continue;
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                           H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));
        Handle group(H5Gopen2(file, name.c_str(), H5P_DEFAULT), H5Gclose);
        if (group.ok() && readStringAttribute(group.get(), "pandas_type").size() > 0 &&
            (H5Lexists(group.get(), "table", H5P_DEFAULT) > 0 ||
             H5Lexists(group.get(), "block0_values", H5P_DEFAULT) > 0))
            return name;
    }
    return {};
}

} // namespace

bool looksLikeDlcH5(const std::string& path) {
    try {
        const QuietErrors quiet;
        Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        return file.ok() && !findFrameGroup(file.get()).empty();
    } catch (...) {
        return false;
    }
}

DlcTable readDlcH5(const std::string& path) {
    DlcTable table;
    table.path = path;
    {
        const QuietErrors quiet;
        Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (!file.ok())
            throw IoError(path + ": cannot open as HDF5");
        const std::string key = findFrameGroup(file.get());
        if (key.empty())
            throw DataError(path + ": no pandas DataFrame group (expected e.g. 'df_with_missing' "
                                   "with a 'table' or 'block0_values' dataset)");
        Handle group(H5Gopen2(file.get(), key.c_str(), H5P_DEFAULT), H5Gclose);
        if (H5Lexists(group.get(), "table", H5P_DEFAULT) > 0)
            readTableLayout(group.get(), key, table);
        else
            readFixedLayout(group.get(), key, table);
    }
    if (table.frames == 0)
        throw DataError(path + ": the pose table has no rows");
    checkDlcColumns(table);
    return table;
}

} // namespace embedscope::plugins
