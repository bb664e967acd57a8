// Sites of the "cell-plate" reader: decoding a site's channels, the notes, the control check
// and the train / val split (declared in cell_plate_tables.h).
#include "cell_plate_tables.h"
#include "csv_text.h"
#include "image_codecs.h"

#include "embedscope/engine/error.h"

#include <algorithm>
#include <cmath>

namespace embedscope::plugins {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxNotes = 40;

/// splitmix64 for the split draws.
unsigned long long mix(unsigned long long& state) {
    unsigned long long z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// "train" / "val" per well key (rule "well" of the cell_plate_reader.cpp header comment).
std::map<std::string, std::string> splitByWell(const std::vector<std::string>& wellKeys,
                                               const std::vector<std::string>& groups,
                                               double valFraction, unsigned long long seed) {
    std::map<std::string, std::vector<std::string>> byGroup;
    for (std::size_t i = 0; i < wellKeys.size(); ++i)
        byGroup[groups[i]].push_back(wellKeys[i]);
    std::map<std::string, std::string> out;
    for (auto& [group, wells] : byGroup) {
        std::sort(wells.begin(), wells.end());
        wells.erase(std::unique(wells.begin(), wells.end()), wells.end());
        for (const auto& w : wells)
            out[w] = "train";
        if (wells.size() < 2)
            continue;
        unsigned long long state = seed ^ fnv1a(group);
        for (std::size_t k = wells.size(); k > 1; --k)
            std::swap(wells[k - 1], wells[mix(state) % k]);
        const std::size_t nVal = std::clamp<std::size_t>(
            std::size_t(std::lround(valFraction * wells.size())), 1, wells.size() - 1);
        for (std::size_t k = 0; k < nVal; ++k)
            out[wells[k]] = "val";
    }
    return out;
}

} // namespace

void CellNotes::add(const std::string& text) {
    if (list_.size() < kMaxNotes)
        list_.push_back(text);
    else
        ++dropped_;
}

nlohmann::json CellNotes::json() const {
    nlohmann::json out = list_;
    if (dropped_)
        out.push_back("... and " + std::to_string(dropped_) + " more notes");
    return out;
}

std::string CellNotes::first() const {
    return list_.empty() ? "" : "; " + list_.front();
}

std::string resolveCellPath(const fs::path& base, const std::string& path) {
    const fs::path p(path);
    return p.is_absolute() ? p.string() : (base / p).lexically_normal().string();
}

void checkPlateControls(const CsvTable& map, std::size_t plateCol, CellNotes& notes) {
    const int control = map.find("Metadata_control");
    const int compound = map.find("Metadata_compound");
    if (control < 0 && compound < 0)
        return;
    std::map<std::string, int> controls;
    for (const auto& row : map.rows) {
        const bool isControl = (control >= 0 && trim(row[std::size_t(control)]) == "1") ||
                               (compound >= 0 && row[std::size_t(compound)] == "DMSO");
        controls[row[plateCol]] += isControl ? 1 : 0;
    }
    for (const auto& [plate, n] : controls)
        if (n == 0)
            notes.add(map.path + ": plate " + plate +
                      " has no control wells (Metadata_control "
                      "= 1 or compound DMSO): per-plate normalisation to controls cannot use it");
}

bool decodeCellSite(const CsvTable& images, const fs::path& imageBase, const CellSite& s,
                    const std::vector<std::size_t>& fileCol, const std::vector<int>& pathCol,
                    const std::vector<std::string>& channels, std::vector<float>& planes,
                    int& width, int& height, std::set<int>& depths, CellNotes& notes) {
    const auto& row = images.rows[s.imageRow];
    const std::string where = images.where(s.imageRow);
    std::map<std::string, DecodedImage> decoded;
    std::map<std::string, int> used; // pages of a file taken so far
    std::string firstFile;
    for (std::size_t k = 0; k < channels.size(); ++k) {
        std::string file = row[fileCol[k]];
        if (pathCol[k] >= 0 && !row[std::size_t(pathCol[k])].empty())
            file = (fs::path(row[std::size_t(pathCol[k])]) / file).string();
        if (trim(file).empty()) {
            notes.add(where + ": FileName_" + channels[k] + " is empty (site skipped)");
            return false;
        }
        const std::string path = resolveCellPath(imageBase, file);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            notes.add(where + ": channel " + channels[k] + " file " + path +
                      " does not exist (site skipped)");
            return false;
        }
        if (!decoded.count(path)) {
            try {
                const std::string ext = lowerExtension(path);
                decoded[path] = ext == ".png" ? decodePng(path, false) : decodeTiff(path, false);
            } catch (const Error& e) {
                notes.add(where + ": " + e.what() + " (site skipped)");
                return false;
            }
            depths.insert(decoded[path].bitDepth);
        }
        const DecodedImage& img = decoded[path];
        if (k == 0) {
            width = img.width;
            height = img.height;
            firstFile = path;
            planes.assign(channels.size() * std::size_t(width) * height, 0.0f);
        } else if (img.width != width || img.height != height) {
            notes.add(where + ": channel " + channels[k] + " (" + path + ") is " +
                      std::to_string(img.width) + " x " + std::to_string(img.height) +
                      ", channel " + channels[0] + " (" + firstFile + ") " + std::to_string(width) +
                      " x " + std::to_string(height) + " (site skipped)");
            return false;
        }
        const int page = used[path]++;
        if (page >= img.channels) {
            notes.add(where + ": " + path + " has " + std::to_string(img.channels) +
                      " channel(s) but " + std::to_string(page + 1) +
                      " columns name it (site skipped)");
            return false;
        }
        const std::size_t plane = std::size_t(width) * height;
        std::copy_n(img.values.begin() + std::size_t(page) * plane, plane,
                    planes.begin() + k * plane);
    }
    return true;
}

std::vector<std::string> cellPlateSplit(const std::string& rule, const std::vector<CellSite>& sites,
                                        const std::vector<std::size_t>& cropSite,
                                        const std::vector<std::string>& wellKeys,
                                        const std::vector<std::string>& groups, double valFraction,
                                        unsigned long long seed) {
    const std::size_t N = cropSite.size();
    std::vector<std::string> split(N, "train");
    if (rule == "well") {
        const auto byWell = splitByWell(wellKeys, groups, valFraction, seed);
        for (std::size_t i = 0; i < N; ++i)
            split[i] = byWell.at(wellKeys[i]);
        return split;
    }
    // "site": the last sites of each well (by number) go to val.
    std::map<std::string, std::vector<long long>> wellSites;
    for (std::size_t i = 0; i < N; ++i)
        wellSites[wellKeys[i]].push_back(std::stoll(sites[cropSite[i]].site));
    for (auto& [w, v] : wellSites) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    for (std::size_t i = 0; i < N; ++i) {
        const auto& v = wellSites[wellKeys[i]];
        if (v.size() < 2)
            continue;
        const std::size_t nVal = std::clamp<std::size_t>(
            std::size_t(std::lround(valFraction * v.size())), 1, v.size() - 1);
        const long long siteNo = std::stoll(sites[cropSite[i]].site);
        if (siteNo >= v[v.size() - nVal])
            split[i] = "val";
    }
    return split;
}

} // namespace embedscope::plugins
