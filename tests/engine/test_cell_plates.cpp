// The synthetic Cell-Painting plates (cell_plates.h): deterministic bytes, the documented plate
// map counts (DMSO wells, compounds, MOAs, the dual-MOA compound), the index files, the ground
// truth's strength and cell-count effect as written, and the parameter checks.
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/error.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace embedscope;
namespace fs = std::filesystem;

namespace {

std::string tmpDir(const std::string& name) {
    const fs::path p = fs::path(EMBEDSCOPE_TEST_TMP_DIR) / ("cell_plates_" + name);
    fs::remove_all(p);
    return p.string();
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Rows of a generated CSV (no quotes in them) as maps header -> value.
std::vector<std::map<std::string, std::string>> readCsv(const fs::path& path) {
    std::istringstream in(slurp(path));
    std::string line;
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
    auto split = [](const std::string& l) {
        std::vector<std::string> out;
        std::stringstream ss(l);
        std::string f;
        while (std::getline(ss, f, ','))
            out.push_back(f);
        return out;
    };
    std::getline(in, line);
    header = split(line);
    while (std::getline(in, line)) {
        const auto f = split(line);
        if (f.size() != header.size())
            throw std::runtime_error("ragged row in " + path.string() + ": " + line);
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < f.size(); ++k)
            row[header[k]] = f[k];
        rows.push_back(row);
    }
    return rows;
}

CellPlateSimParams small() {
    CellPlateSimParams p;
    p.plates = 1;
    p.moas = 2;
    p.compoundsPerMoa = 1;
    p.dualMoaCompound = false;
    p.doses = {1.0};
    p.controlsPerPlate = 1;
    p.sites = 1;
    p.cellsPerSite = 3;
    p.imageSize = 48;
    p.borderMargin = 8;
    return p;
}

} // namespace

class TestCellPlates : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameBytes() {
        const auto a = tmpDir("a"), b = tmpDir("b"), c = tmpDir("c");
        CellPlateSimParams p = small();
        simulateCellPlates(p, a);
        simulateCellPlates(p, b);
        p.seed = 2;
        simulateCellPlates(p, c);
        std::size_t files = 0;
        for (const auto& e : fs::recursive_directory_iterator(a)) {
            if (!e.is_regular_file())
                continue;
            const auto rel = fs::relative(e.path(), a);
            QVERIFY2(slurp(e.path()) == slurp(fs::path(b) / rel), rel.string().c_str());
            ++files;
        }
        // 3 wells x 1 site x 5 channels + 4 text files.
        QCOMPARE(files, std::size_t(3 * 5 + 4));
        QVERIFY(slurp(fs::path(a) / "locations.csv") != slurp(fs::path(c) / "locations.csv"));
        QVERIFY(slurp(fs::path(a) / "images/P01/P01_A01_s1_DNA.tif") !=
                slurp(fs::path(c) / "images/P01/P01_A01_s1_DNA.tif"));
        // 16-bit 48 x 48 uncompressed: the pixel data alone is 4,608 bytes.
        QVERIFY(fs::file_size(fs::path(a) / "images/P01/P01_A01_s1_DNA.tif") > 4608);
    }

    void defaultPlateMapCounts() {
        const auto dir = tmpDir("defaults");
        CellPlateSimParams p; // the documented defaults, small images to stay fast
        p.imageSize = 32;
        p.borderMargin = 4;
        p.cellsPerSite = 2;
        const CellPlateSimResult r = simulateCellPlates(p, dir);
        QCOMPARE(r.plates, std::size_t(2));
        QCOMPARE(r.wells, std::size_t(96));
        QCOMPARE(r.controlWells, std::size_t(6));
        QCOMPARE(r.compounds, std::size_t(15));
        QCOMPARE(r.sites, std::size_t(192));
        QCOMPARE(r.imageFiles, std::size_t(960));
        const auto map = readCsv(fs::path(dir) / "platemap.csv");
        QCOMPARE(map.size(), std::size_t(96));
        std::map<std::string, int> perPlateWells, controls;
        std::map<std::string, std::set<std::string>> moaCompounds;
        std::map<std::string, int> treatmentWells;
        std::set<std::string> wellKeys, batches;
        for (const auto& row : map) {
            const std::string plate = row.at("Metadata_Plate"), well = row.at("Metadata_Well");
            QVERIFY(wellKeys.insert(plate + "/" + well).second);
            QVERIFY(well.size() == 3 && well[0] >= 'A' && well[0] <= 'F');
            QVERIFY(std::stoi(well.substr(1)) >= 1 && std::stoi(well.substr(1)) <= 8);
            ++perPlateWells[plate];
            batches.insert(row.at("Metadata_Batch"));
            if (row.at("Metadata_control") == "1") {
                QCOMPARE(row.at("Metadata_compound"), std::string("DMSO"));
                QCOMPARE(row.at("Metadata_dose"), std::string("0"));
                ++controls[plate];
            } else {
                moaCompounds[row.at("Metadata_moa")].insert(row.at("Metadata_compound"));
                ++treatmentWells[row.at("Metadata_compound") + "@" + row.at("Metadata_dose")];
            }
        }
        QCOMPARE(perPlateWells["P01"], 48);
        QCOMPARE(perPlateWells["P02"], 48);
        QCOMPARE(controls["P01"], 3); // 24 per 384 wells (seed §3.1) scaled to 48
        QCOMPARE(controls["P02"], 3);
        QCOMPARE(batches, (std::set<std::string>{"batch1", "batch2"}));
        QCOMPARE(moaCompounds.size(), std::size_t(6)); // 5 MOAs + the dual class
        for (const auto& m : {"dna_damage", "tubulin", "er_stress", "mito_uncoupler"})
            QCOMPARE(moaCompounds[m].size(), std::size_t(3));
        QCOMPARE(moaCompounds["actin"].size(), std::size_t(2));
        QCOMPARE(moaCompounds["actin|dna_damage"].size(), std::size_t(1));
        QCOMPARE(treatmentWells.size(), std::size_t(45)); // 15 compounds x 3 doses
        for (const auto& [t, n] : treatmentWells)
            QCOMPARE(n, 2); // one well per plate
        // Two plates have different maps (shuffled per plate).
        std::map<std::string, std::string> p1, p2;
        for (const auto& row : map)
            (row.at("Metadata_Plate") == "P01" ? p1 : p2)[row.at("Metadata_Well")] =
                row.at("Metadata_compound") + row.at("Metadata_dose");
        QVERIFY(p1 != p2);

        const auto images = readCsv(fs::path(dir) / "images.csv");
        QCOMPARE(images.size(), std::size_t(192));
        for (const auto& ch : cellPaintingChannels())
            QVERIFY(fs::exists(fs::path(dir) / images[17].at("FileName_" + ch)));
        const auto locations = readCsv(fs::path(dir) / "locations.csv");
        QCOMPARE(locations.size(), r.cells);
        for (const auto& row : locations) {
            const double x = std::stod(row.at("Nuclei_Location_Center_X"));
            const double y = std::stod(row.at("Nuclei_Location_Center_Y"));
            QVERIFY(x >= 4 - 0.01 && x <= 32 - 1 - 4 + 0.01 && y >= 4 - 0.01 && y <= 27.01);
        }
    }

    void groundTruthInFiles() {
        // dna_damage lowers the cell count by 30 % at s = 1: visible in locations.csv.
        const auto dir = tmpDir("truth");
        CellPlateSimParams p;
        p.plates = 1;
        p.moas = 1;
        p.compoundsPerMoa = 1;
        p.doses = {100.0}; // s = 100 / 100.3
        p.replicatesPerPlate = 6;
        p.controlsPerPlate = 6;
        p.sites = 2;
        p.cellsPerSite = 20;
        p.imageSize = 128;
        simulateCellPlates(p, dir);
        std::map<std::string, std::string> compoundOf;
        for (const auto& row : readCsv(fs::path(dir) / "platemap.csv"))
            compoundOf[row.at("Metadata_Well")] = row.at("Metadata_compound");
        std::map<std::string, int> cells;
        for (const auto& row : readCsv(fs::path(dir) / "locations.csv"))
            ++cells[compoundOf.at(row.at("Metadata_Well"))];
        // 12 sites each: DMSO 20 +- 2 per site, treated round(20 * (1 - 0.3 s)) = 14 +- 2.
        QVERIFY2(cells["DMSO"] >= 12 * 18 && cells["DMSO"] <= 12 * 22,
                 std::to_string(cells["DMSO"]).c_str());
        QVERIFY2(cells["dna_damage_a"] >= 12 * 12 && cells["dna_damage_a"] <= 12 * 16,
                 std::to_string(cells["dna_damage_a"]).c_str());

        const auto truth = nlohmann::json::parse(slurp(fs::path(dir) / "ground_truth.json"));
        QCOMPARE(truth["moas"]["dna_damage"]["nucleus_radius"].get<double>(), 0.35);
        QCOMPARE(truth["compounds"][0]["ec50"].get<double>(), 0.3);
        for (const auto& w : truth["plates"][0]["wells"]) {
            const double d = w["dose"].get<double>();
            QVERIFY(std::abs(w["strength"].get<double>() - (d > 0 ? d / (d + 0.3) : 0.0)) < 1e-12);
            QCOMPARE(w["cells_per_site"].size(), std::size_t(2));
        }
        QCOMPARE(cellEffectStrength(1.0, 1.0), 0.5);
        QCOMPARE(cellEffectStrength(0.0, 1.0), 0.0);
    }

    void compoundOwnEffects() {
        // Off-target effects: c N(0, 1) per compound on 3 shape and 5 intensity quantities,
        // c/2 N(0, 1) on 5 textures, written to the ground truth; 0 leaves the files unchanged.
        CellPlateSimParams p = small();
        p.moas = 5;
        p.compoundsPerMoa = 6; // 30 compounds: 240 draws of SD c, 150 of SD c / 2
        p.cellsPerSite = 1;
        p.compoundEffect = 0.2;
        const auto dir = tmpDir("own");
        simulateCellPlates(p, dir);
        const auto truth = nlohmann::json::parse(slurp(fs::path(dir) / "ground_truth.json"));
        double sq = 0, sqTexture = 0;
        std::size_t n = 0, nTexture = 0;
        for (const auto& c : truth["compounds"]) {
            const auto& own = c["own_effect"];
            for (const char* key : {"nucleus_radius", "cell_radius", "cell_aspect"})
                sq += std::pow(own[key].get<double>(), 2), ++n;
            for (const auto& [ch, v] : own["intensity"].items())
                sq += std::pow(v.get<double>(), 2), ++n;
            for (const auto& [ch, v] : own["texture"].items())
                sqTexture += std::pow(v.get<double>(), 2), ++nTexture;
            QCOMPARE(own["cell_count"].get<double>(), 0.0);
        }
        QCOMPARE(n, std::size_t(240));
        // RMS of N(0, c^2) draws: within 15 % of c for 240 (150) draws (> 3 SE).
        QVERIFY2(std::abs(std::sqrt(sq / n) / 0.2 - 1) < 0.15, std::to_string(sq / n).c_str());
        QVERIFY(std::abs(std::sqrt(sqTexture / nTexture) / 0.1 - 1) < 0.2);

        p = small();
        const auto plain = tmpDir("own_zero"), zero = tmpDir("own_zero_explicit");
        simulateCellPlates(p, plain);
        p.compoundEffect = 0.0;
        simulateCellPlates(p, zero);
        QCOMPARE(slurp(fs::path(plain) / "locations.csv"), slurp(fs::path(zero) / "locations.csv"));
        p.compoundEffect = -0.1;
        QVERIFY_THROWS_EXCEPTION(ConfigError, simulateCellPlates(p, tmpDir("own_bad")));
    }

    void multiPageIndex() {
        const auto dir = tmpDir("multi");
        CellPlateSimParams p = small();
        p.multiPage = true;
        p.bitDepth = 8;
        const auto r = simulateCellPlates(p, dir);
        QCOMPARE(r.imageFiles, std::size_t(3));
        for (const auto& row : readCsv(fs::path(dir) / "images.csv")) {
            const std::string file = row.at("FileName_DNA");
            QVERIFY(fs::exists(fs::path(dir) / file));
            for (const auto& ch : cellPaintingChannels())
                QCOMPARE(row.at("FileName_" + ch), file);
            // 8-bit, 5 pages of 48 x 48.
            QVERIFY(fs::file_size(fs::path(dir) / file) > 5 * 48 * 48);
            QVERIFY(fs::file_size(fs::path(dir) / file) < 2 * 5 * 48 * 48);
        }
    }

    void badParameters() {
        const auto dir = tmpDir("bad");
        auto expect = [&](CellPlateSimParams p, const std::string& part) {
            try {
                simulateCellPlates(p, dir);
                QFAIL(("no error for " + part).c_str());
            } catch (const ConfigError& e) {
                QVERIFY2(std::string(e.what()).find(part) != std::string::npos, e.what());
            }
        };
        CellPlateSimParams p = small();
        p.bitDepth = 12;
        expect(p, "bitDepth = 12");
        p = small();
        p.moas = 6;
        expect(p, "moas = 6");
        p = small();
        p.doses = {1.0, 0.0};
        expect(p, "dose 0");
        p = small();
        p.borderMargin = 30;
        expect(p, "borderMargin");
        p = small();
        p.sites = 0;
        expect(p, "sites = 0");
        QVERIFY(!fs::exists(fs::path(dir) / "platemap.csv"));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 writeGrayTiff(dir + "/x.tif", 2, 2, 16, {{0.f, 1.f, 0.5f}}));
        QCOMPARE(cellWellName(1, 2), std::string("B03"));
    }
};

QTEST_APPLESS_MAIN(TestCellPlates)
#include "test_cell_plates.moc"
