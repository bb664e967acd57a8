#pragma once
// Command-line helpers shared by the bench programs: "--key value" lookup and comma lists.
#include <sstream>
#include <string>
#include <vector>

namespace embedscope::bench {

inline std::string arg(int argc, char** argv, const std::string& key, const std::string& fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == key)
            return argv[i + 1];
    return fallback;
}

inline std::vector<std::string> list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        out.push_back(part);
    return out;
}

} // namespace embedscope::bench
