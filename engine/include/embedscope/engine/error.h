#pragma once
// One error family for the engine: every message names the file/field and the problem.
#include <stdexcept>
#include <string>

namespace embedscope {

/// Base of every error the engine throws on purpose.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A file could not be opened, read or written (names the path).
class IoError : public Error {
public:
    using Error::Error;
};

/// A file was readable but its content is malformed (names the path and what is wrong).
class FormatError : public Error {
public:
    using Error::Error;
};

/// Data that is well-formed but unusable: NaN/Inf, empty sets, wrong shapes, too few groups.
class DataError : public Error {
public:
    using Error::Error;
};

/// A configuration key is unknown, has the wrong type or an out-of-range value.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// A long call was cancelled through its JobContext.
class CancelledError : public Error {
public:
    CancelledError() : Error("cancelled") {}
};

} // namespace embedscope
