#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"

namespace embedscope {

std::string ReaderOptions::get(const std::string& key, const std::string& fallback) const {
    auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
}

ReaderRegistry& ReaderRegistry::instance() {
    static ReaderRegistry registry;
    return registry;
}

void ReaderRegistry::add(std::unique_ptr<Reader> reader) {
    for (const auto& r : readers_)
        if (r->name() == reader->name())
            return; // registering twice is harmless
    readers_.push_back(std::move(reader));
}

std::vector<const Reader*> ReaderRegistry::readers() const {
    std::vector<const Reader*> out;
    for (const auto& r : readers_)
        out.push_back(r.get());
    return out;
}

const Reader& ReaderRegistry::byName(const std::string& name) const {
    std::string known;
    for (const auto& r : readers_) {
        if (r->name() == name)
            return *r;
        known += (known.empty() ? "" : ", ") + r->name();
    }
    throw ConfigError("unknown reader '" + name + "' (known: " + known + ")");
}

const Reader& ReaderRegistry::choose(const std::string& path) const {
    const Reader* best = nullptr;
    int bestScore = 0;
    for (const auto& r : readers_) {
        const int s = r->score(path);
        if (s > bestScore) {
            best = r.get();
            bestScore = s;
        }
    }
    if (!best)
        throw FormatError(path + ": no reader recognises this file (try --reader NAME)");
    return *best;
}

} // namespace embedscope
