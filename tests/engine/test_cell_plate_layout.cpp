// The plate layout of a crops data set and its site images (cell_plate_layout.h). The crops
// are made here from a small simulated plate folder (simulateCellPlates): one 1 x 1 "crop" per
// row of its locations.csv with the plate map's columns joined in, as the cell-plate reader
// does (the engine tests do not link the plugins). Checked: well names (bijective base 26,
// bad names), the layout's wells / cells / grid against the simulator's counts and files,
// per-well metadata (constant columns only), readGrayTiff round trips of writeGrayTiff,
// readCellWellSites against the TIFF files (one file per channel and multi-page), a moved
// folder and a data set without an image index.
#include "embedscope/engine/cell_plate_layout.h"
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/error.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

using namespace embedscope;
namespace fs = std::filesystem;

namespace {

std::string freshDir(const std::string& name) {
    const fs::path p = fs::path(EMBEDSCOPE_TEST_TMP_DIR) / ("cell_plate_layout_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

/// The rows of a plain CSV (the simulator writes no quotes), header first.
std::vector<std::vector<std::string>> readPlainCsv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::stringstream s(line);
        std::string f;
        while (std::getline(s, f, ','))
            fields.push_back(f);
        rows.push_back(fields);
    }
    return rows;
}

CellPlateSimParams smallParams(bool multiPage) {
    CellPlateSimParams p;
    p.plates = 2;
    p.plateColumns = 4;
    p.moas = 5;
    p.compoundsPerMoa = 1;
    p.dualMoaCompound = false;
    p.doses = {1.0};
    p.controlsPerPlate = 2; // 5 + 2 = 7 wells per plate: rows A (4 wells) and B (3 wells)
    p.sites = 2;
    p.cellsPerSite = 4;
    p.imageSize = 96;
    p.borderMargin = 16;
    p.multiPage = multiPage;
    return p;
}

/// Crops of every located cell: metadata Plate, Well, Site, Cell, X, plate-map columns,
/// and "area" (varies inside wells); attributes as the cell-plate reader writes them.
Dataset cropsOf(const std::string& dir) {
    const auto map = readPlainCsv(dir + "/platemap.csv");
    const auto loc = readPlainCsv(dir + "/locations.csv");
    std::map<std::string, std::vector<std::string>> mapRow;
    for (std::size_t r = 1; r < map.size(); ++r)
        mapRow[map[r][0] + " " + map[r][1]] = map[r];
    const std::size_t n = loc.size() - 1;
    std::vector<std::string> plate(n), well(n), compound(n), moa(n);
    std::vector<double> site(n), cell(n), x(n), dose(n), area(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& row = loc[i + 1];
        plate[i] = row[0];
        well[i] = row[1];
        site[i] = std::stod(row[2]);
        cell[i] = double(i % 3);
        x[i] = std::stod(row[3]);
        const auto& m = mapRow.at(row[0] + " " + row[1]);
        compound[i] = m[3];
        dose[i] = std::stod(m[4]);
        moa[i] = m[5];
        area[i] = double(i);
    }
    Dataset d;
    d.name = "cells";
    d.kind = DataKind::Image;
    d.sampleShape = {5, 1, 1};
    d.values.assign(n * 5, 0.5f);
    d.metadata.addStrings("Plate", plate);
    d.metadata.addStrings("Well", well);
    d.metadata.addStrings("compound", compound);
    d.metadata.addNumbers("dose", dose);
    d.metadata.addStrings("moa", moa);
    d.metadata.addNumbers("Site", site);
    d.metadata.addNumbers("Cell", cell);
    d.metadata.addNumbers("X", x);
    d.metadata.addNumbers("area", area);
    d.attributesJson = nlohmann::json{{"reader", "cell-plate"},
                                      {"images", dir + "/images.csv"},
                                      {"channels", cellPaintingChannels()}}
                           .dump();
    return d;
}

std::vector<float> ramp(int w, int h, int salt) {
    std::vector<float> v(std::size_t(w) * h);
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = float((i * 37 + std::size_t(salt) * 11) % 101) / 100.0f;
    return v;
}

} // namespace

class TestCellPlateLayout : public QObject {
    Q_OBJECT
private:
    std::string dir_, multiDir_;
    CellPlateSimResult sim_;

private Q_SLOTS:
    void initTestCase() {
        dir_ = freshDir("files");
        sim_ = simulateCellPlates(smallParams(false), dir_);
        multiDir_ = freshDir("multipage");
        simulateCellPlates(smallParams(true), multiDir_);
    }

    void wellNames() {
        const std::vector<std::tuple<std::string, int, int>> good = {
            {"A01", 0, 0},  {"B03", 1, 2},   {"B3", 1, 2},     {"p24", 15, 23},
            {"Z10", 25, 9}, {"AA01", 26, 0}, {"AF48", 31, 47}, {"BA2", 52, 1}};
        for (const auto& [name, row, column] : good) {
            int r = -5, c = -5;
            QVERIFY2(parseCellWellName(name, r, c), name.c_str());
            QCOMPARE(r, row);
            QCOMPARE(c, column);
        }
        for (const std::string bad :
             {"", "B", "03", "3B", "B03x", "B00", "B-3", "B 3", "ABCD1", "B123456", "Ä1"}) {
            int r = 0, c = 0;
            QVERIFY2(!parseCellWellName(bad, r, c), bad.c_str());
        }
    }

    void layoutOfSimulatedPlates() {
        const Dataset crops = cropsOf(dir_);
        const auto plates = cellPlateLayout(crops);
        QCOMPARE(plates.size(), std::size_t(2));
        QCOMPARE(plates[0].name, std::string("P01"));
        QCOMPARE(plates[1].name, std::string("P02"));
        std::size_t wells = 0, cells = 0, controls = 0;
        std::set<std::size_t> seen;
        const auto map = readPlainCsv(dir_ + "/platemap.csv");
        for (const CellPlate& p : plates) {
            QCOMPARE(p.rows, 2);    // 7 wells in 4 columns
            QCOMPARE(p.columns, 4); // row A is full
            wells += p.wells.size();
            for (const CellWell& w : p.wells) {
                QCOMPARE(w.plate, p.name);
                QCOMPARE(w.cells, w.crops.size());
                cells += w.cells;
                QCOMPARE(w.sites, std::vector<int>({1, 2}));
                QCOMPARE(cellWellName(w.row, w.column), w.well);
                for (std::size_t i : w.crops) {
                    QVERIFY(seen.insert(i).second);
                    QCOMPARE(crops.metadata.column("Well").text(i), w.well);
                    QCOMPARE(crops.metadata.column("Plate").text(i), p.name);
                }
                // Constant columns only: compound, dose, moa; not Site, Cell, X, area.
                QCOMPARE(w.metadata.size(), std::size_t(3));
                for (const auto& row : map)
                    if (row[0] == p.name && row[1] == w.well) {
                        QCOMPARE(w.metadata.at("compound"), row[3]);
                        QCOMPARE(std::stod(w.metadata.at("dose")), std::stod(row[4]));
                        QCOMPARE(w.metadata.at("moa"), row[5]);
                    }
                controls += w.metadata.at("compound") == "DMSO" ? 1 : 0;
            }
        }
        QCOMPARE(wells, sim_.wells);
        QCOMPARE(cells, sim_.cells);
        QCOMPARE(controls, sim_.controlWells);
        QCOMPARE(seen.size(), crops.metadata.rowCount());
        // First-appearance order of the wells follows the data set.
        QCOMPARE(plates[0].wells.front().crops.front(), std::size_t(0));
    }

    void layoutErrors() {
        Dataset d;
        d.name = "mine";
        d.metadata.addStrings("Plate", {"P1", "P1"});
        expectError<DataError>([&] { cellPlateLayout(d); }, {"dataset 'mine'", "Well"});
        d.metadata.addStrings("Well", {"B03", "B3x"});
        expectError<DataError>([&] { cellPlateLayout(d); }, {"dataset 'mine'", "'B3x'", "P1"});
        Dataset empty;
        empty.name = "none";
        empty.metadata.addStrings("Plate", {});
        empty.metadata.addStrings("Well", {});
        expectError<DataError>([&] { cellPlateLayout(empty); }, {"dataset 'none'", "no samples"});
        // "AA01" lies below "Z01": 27 rows.
        Dataset tall;
        tall.metadata.addStrings("Plate", {"P", "P"});
        tall.metadata.addStrings("Well", {"AA01", "C12"});
        const auto plates = cellPlateLayout(tall);
        QCOMPARE(plates[0].rows, 27);
        QCOMPARE(plates[0].columns, 12);
        QVERIFY(plates[0].wells[0].sites.empty()); // no Site column
    }

    void tiffRoundTrip() {
        const std::string dir = freshDir("tiff");
        for (int bits : {8, 16}) {
            const std::string path = dir + "/t" + std::to_string(bits) + ".tif";
            const std::vector<std::vector<float>> pages = {ramp(7, 5, 0), ramp(7, 5, 1),
                                                           ramp(7, 5, 2)};
            writeGrayTiff(path, 7, 5, bits, pages);
            int w = 0, h = 0;
            const auto back = readGrayTiff(path, w, h);
            QCOMPARE(w, 7);
            QCOMPARE(h, 5);
            QCOMPARE(back.size(), pages.size());
            const double step = 1.0 / ((1 << bits) - 1);
            for (std::size_t p = 0; p < pages.size(); ++p)
                for (std::size_t i = 0; i < pages[p].size(); ++i)
                    QVERIFY(std::fabs(back[p][i] - pages[p][i]) <= step);
        }
        // Exact levels come back exactly: k / 255 at 8 bits.
        writeGrayTiff(dir + "/levels.tif", 4, 1, 8, {{0.0f, 1 / 255.0f, 128 / 255.0f, 1.0f}});
        int w = 0, h = 0;
        const auto levels = readGrayTiff(dir + "/levels.tif", w, h);
        QCOMPARE(levels[0], std::vector<float>({0.0f, 1 / 255.0f, 128 / 255.0f, 1.0f}));
        expectError<IoError>([&] { readGrayTiff(dir + "/missing.tif", w, h); }, {"missing.tif"});
        std::ofstream(dir + "/text.tif") << "not a tiff";
        expectError<IoError>([&] { readGrayTiff(dir + "/text.tif", w, h); }, {"text.tif"});
    }

    void wellSitesOneFilePerChannel() {
        const Dataset crops = cropsOf(dir_);
        const auto sites = readCellWellSites(crops, "P02", "B02");
        QCOMPARE(sites.size(), std::size_t(2));
        for (int s = 0; s < 2; ++s) {
            const CellSiteImage& site = sites[std::size_t(s)];
            QCOMPARE(site.site, s + 1);
            QCOMPARE(site.width, 96);
            QCOMPARE(site.height, 96);
            QCOMPARE(site.channels, cellPaintingChannels());
            QCOMPARE(site.pages.size(), std::size_t(5));
            for (std::size_t k = 0; k < 5; ++k) {
                int w = 0, h = 0;
                const auto file =
                    readGrayTiff(dir_ + "/images/P02/P02_B02_s" + std::to_string(s + 1) + "_" +
                                     cellPaintingChannels()[k] + ".tif",
                                 w, h);
                QCOMPARE(file.size(), std::size_t(1));
                QVERIFY(site.pages[k] == file[0]);
            }
            QVERIFY(site.pages[0] != site.pages[1]); // DNA and ER differ
        }
        QVERIFY(readCellWellSites(crops, "P02", "H12").empty()); // not in images.csv
    }

    void wellSitesMultiPageInChannelOrder() {
        Dataset crops = cropsOf(multiDir_);
        crops.attributesJson = nlohmann::json{
            {"images", multiDir_ + "/images.csv"},
            {"channels",
             {"Mito", "DNA"}}}.dump();
        const auto sites = readCellWellSites(crops, "P01", "A01");
        QCOMPARE(sites.size(), std::size_t(2));
        int w = 0, h = 0;
        const auto file = readGrayTiff(multiDir_ + "/images/P01/P01_A01_s2.tif", w, h);
        QCOMPARE(file.size(), std::size_t(5));
        QCOMPARE(sites[1].channels, std::vector<std::string>({"Mito", "DNA"}));
        QCOMPARE(sites[1].pages.size(), std::size_t(2));
        QVERIFY(sites[1].pages[0] == file[4]);
        QVERIFY(sites[1].pages[1] == file[0]);
    }

    void movedFolderAndMissingIndex() {
        const std::string dir = freshDir("moved");
        fs::remove_all(dir);
        fs::copy(dir_, dir, fs::copy_options::recursive);
        Dataset crops = cropsOf(dir);
        fs::rename(dir, dir + "_elsewhere");
        expectError<IoError>([&] { readCellWellSites(crops, "P01", "A01"); },
                             {dir + "/images.csv"});
        // One image gone: the error names that file.
        fs::rename(dir + "_elsewhere", dir);
        fs::remove(dir + "/images/P01/P01_A02_s1_RNA.tif");
        expectError<IoError>([&] { readCellWellSites(crops, "P01", "A02"); },
                             {"P01_A02_s1_RNA.tif"});
        QCOMPARE(readCellWellSites(crops, "P01", "A01").size(), std::size_t(2));
        fs::remove_all(dir);

        crops.attributesJson = R"({"reader": "embedscope-h5"})";
        expectError<DataError>([&] { readCellWellSites(crops, "P01", "A01"); },
                               {"dataset 'cells'", "images.csv"});
        crops.attributesJson = "not json";
        expectError<DataError>([&] { readCellWellSites(crops, "P01", "A01"); },
                               {"dataset 'cells'"});
    }
};

QTEST_MAIN(TestCellPlateLayout)
#include "test_cell_plate_layout.moc"
