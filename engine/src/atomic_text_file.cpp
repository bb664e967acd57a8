#include "atomic_text_file.h"

#include "embedscope/engine/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace embedscope {

void writeTextFileAtomically(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    const auto fail = [&](const std::string& what, int fd) {
        const int error = errno;
        if (fd >= 0)
            ::close(fd);
        ::unlink(temp.c_str());
        throw IoError(path + ": " + what + " (" + std::strerror(error) + ")");
    };
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        throw IoError(path + ": cannot create " + temp + " (" + std::strerror(errno) + ")");
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            fail("cannot write", fd);
        done += static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0)
        fail("cannot flush", fd);
    if (::close(fd) != 0)
        fail("cannot close", -1);
    if (::rename(temp.c_str(), path.c_str()) != 0)
        fail("cannot replace the file", -1);
}

} // namespace embedscope
