// Reader "cell-plate": hand-made layouts with known pixels and cell positions (the crop centre is
// the image pixel at the location, border and outside cells skipped and counted), 8- vs 16-bit
// files of one picture, multi-page vs one file per channel, the split by well, every bad-input
// case of issue 8 with its note or error, and the generator's ground truth seen in raw features.
#include "embedscope/engine/cell_features.h"
#include "embedscope/engine/cell_plates.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/reader.h"
#include "embedscope/plugins/builtin.h"

#include <QtTest/QtTest>

#include "expect_error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace embedscope;
namespace fs = std::filesystem;

namespace {

const Reader& reader() {
    return ReaderRegistry::instance().byName("cell-plate");
}

/// Pixel value of channel c at (x, y): k / 255, exactly representable in 8 and 16 bits.
float pattern(int x, int y, int c) {
    return float((x * 37 + y * 101 + c * 59) % 256) / 255.0f;
}

std::vector<float> picture(int w, int h, int c) {
    std::vector<float> v(std::size_t(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            v[std::size_t(y) * w + x] = pattern(x, y, c);
    return v;
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string freshDir(const std::string& name) {
    const fs::path p = fs::path(EMBEDSCOPE_TEST_TMP_DIR) / ("cell_plate_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

/// A layout: plate P1 with wells A01 (DMSO) and A02 (cmpdX), one site each, 2 channels
/// (DNA, ER) of 20 x 16 as one TIFF per channel at `depth` bits (site 2 at `depth2`).
std::string handLayout(const std::string& name, int depth = 16, int depth2 = 16) {
    const std::string dir = freshDir(name);
    writeText(fs::path(dir) / "platemap.csv",
              "Metadata_Plate,Metadata_Well,Metadata_Batch,Metadata_compound,Metadata_dose,"
              "Metadata_moa,Metadata_control\n"
              "P1,A01,b1,DMSO,0,control,1\n"
              "P1,A02,b1,cmpdX,2.5,moaM,0\n");
    std::string images = "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_DNA,FileName_ER\n";
    for (const auto& [well, d] : {std::pair<std::string, int>{"A01", depth}, {"A02", depth2}}) {
        for (int c = 0; c < 2; ++c)
            writeGrayTiff(dir + "/" + well + "_" + std::to_string(c) + ".tif", 20, 16, d,
                          {picture(20, 16, c)});
        images += "P1," + well + ",1," + well + "_0.tif," + well + "_1.tif\n";
    }
    writeText(fs::path(dir) / "images.csv", images);
    writeText(fs::path(dir) / "locations.csv",
              "Metadata_Plate,Metadata_Well,Metadata_Site,Nuclei_Location_Center_X,"
              "Nuclei_Location_Center_Y\n"
              "P1,A01,1,10,8\n"      // interior
              "P1,A01,1,1,1\n"       // too near the border for crop 6
              "P1,A01,1,25,3\n"      // outside the 20 x 16 image
              "P1,A02,1,9.6,7.4\n"); // rounds to (10, 7)
    return dir;
}

ReaderOptions opts(std::map<std::string, std::string> values) {
    ReaderOptions o;
    o.values = std::move(values);
    return o;
}

nlohmann::json attrs(const Dataset& d) {
    return nlohmann::json::parse(d.attributesJson);
}

bool hasNote(const Dataset& d, const std::string& part) {
    const nlohmann::json a = attrs(d); // kept alive for the loop
    for (const auto& n : a["notes"])
        if (n.get<std::string>().find(part) != std::string::npos)
            return true;
    return false;
}

} // namespace

class TestCellPlateReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { plugins::registerBuiltinReaders(); }

    void cropsAtLocations() {
        const auto dir = handLayout("hand");
        QCOMPARE(reader().score(dir), 90);
        QCOMPARE(reader().score(dir + "/platemap.csv"), 85);
        QCOMPARE(reader().score(dir + "/locations.csv"), 0);
        const Dataset d = reader().read({dir}, opts({{"crop", "6"}}), JobContext());
        d.validate("test");
        QVERIFY(d.kind == DataKind::Image);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{2, 6, 6}));
        QCOMPARE(d.sampleCount(), std::size_t(2));
        QCOMPARE(attrs(d)["skipped_border"].get<int>(), 1);
        QCOMPARE(attrs(d)["skipped_outside"].get<int>(), 1);
        QVERIFY(hasNote(d, "locations.csv, line 4: location (25"));
        // Crop 0: cell (10, 8); crop 1: (9.6, 7.4) -> (10, 7). Pixel (r, c) of the crop is the
        // image pixel (cy - 3 + r, cx - 3 + c); the centre (3, 3) is the location's pixel.
        const int cys[] = {8, 7};
        for (std::size_t i = 0; i < 2; ++i)
            for (int ch = 0; ch < 2; ++ch) {
                QCOMPARE(d.sample(i)[ch * 36 + 3 * 6 + 3], pattern(10, cys[i], ch));
                for (int r = 0; r < 6; ++r)
                    for (int c = 0; c < 6; ++c)
                        QCOMPARE(d.sample(i)[ch * 36 + r * 6 + c],
                                 pattern(10 - 3 + c, cys[i] - 3 + r, ch));
            }
        const auto& m = d.metadata;
        QCOMPARE(m.column("Plate").strings, (std::vector<std::string>{"P1", "P1"}));
        QCOMPARE(m.column("Well").strings, (std::vector<std::string>{"A01", "A02"}));
        QCOMPARE(m.column("compound").strings, (std::vector<std::string>{"DMSO", "cmpdX"}));
        QCOMPARE(m.column("dose").numbers, (std::vector<double>{0, 2.5}));
        QCOMPARE(m.column("control").numbers, (std::vector<double>{1, 0}));
        QCOMPARE(m.column("Batch").strings.front(), std::string("b1"));
        QCOMPARE(m.column("Site").numbers, (std::vector<double>{1, 1}));
        QCOMPARE(m.column("Cell").numbers, (std::vector<double>{0, 0}));
        QCOMPARE(m.column("X").numbers, (std::vector<double>{10, 9.6}));
        QCOMPARE(m.column("Y").numbers, (std::vector<double>{8, 7.4}));
        QVERIFY(m.has(Dataset::kSplitColumn));
        QCOMPARE(attrs(d)["channels"], nlohmann::json({"DNA", "ER"}));
        // Channel order follows the option.
        const Dataset swapped =
            reader().read({dir}, opts({{"crop", "6"}, {"channels", "ER,DNA"}}), JobContext());
        QCOMPARE(swapped.sample(0)[3 * 6 + 3], pattern(10, 8, 1));
    }

    void eightAndSixteenBit() {
        const Dataset d16 =
            reader().read({handLayout("d16", 16, 16)}, opts({{"crop", "6"}}), JobContext());
        const Dataset d8 =
            reader().read({handLayout("d8", 8, 8)}, opts({{"crop", "6"}}), JobContext());
        const Dataset mixed =
            reader().read({handLayout("mixed", 8, 16)}, opts({{"crop", "6"}}), JobContext());
        QCOMPARE(d8.values.size(), d16.values.size());
        for (std::size_t i = 0; i < d8.values.size(); ++i) {
            QVERIFY(std::abs(d8.values[i] - d16.values[i]) <= 1.0f / 255);
            QVERIFY(std::abs(mixed.values[i] - d16.values[i]) <= 1.0f / 255);
        }
        QVERIFY(!hasNote(d16, "mixed"));
        QVERIFY(hasNote(mixed, "8- and 16-bit images are mixed"));
        QCOMPARE(attrs(mixed)["bit_depths"], nlohmann::json({8, 16}));
    }

    void multiPageMatchesFilePerChannel() {
        CellPlateSimParams p;
        p.plates = 1;
        p.moas = 2;
        p.compoundsPerMoa = 1;
        p.doses = {1.0};
        p.controlsPerPlate = 1;
        p.sites = 1;
        p.cellsPerSite = 4;
        p.imageSize = 64;
        p.borderMargin = 12;
        const std::string a = freshDir("sim16"), b = freshDir("sim8multi");
        simulateCellPlates(p, a);
        p.multiPage = true;
        p.bitDepth = 8;
        simulateCellPlates(p, b);
        const Dataset da =
            reader().read({a + "/platemap.csv"}, opts({{"crop", "20"}}), JobContext());
        const Dataset db = reader().read({b}, opts({{"crop", "20"}}), JobContext());
        QCOMPARE(da.sampleShape, (std::vector<int64_t>{5, 20, 20}));
        QCOMPARE(da.values.size(), db.values.size());
        float worst = 0;
        for (std::size_t i = 0; i < da.values.size(); ++i)
            worst = std::max(worst, std::abs(da.values[i] - db.values[i]));
        QVERIFY2(worst <= 1.0f / 255, std::to_string(worst).c_str());
        QVERIFY(worst > 0); // 8-bit really quantises
    }

    void splitByWell() {
        // cmpdX in 4 wells, DMSO in one: one cmpdX well is val (round(0.25 * 4)), DMSO train.
        const std::string dir = freshDir("split");
        std::string map = "Metadata_Plate,Metadata_Well,Metadata_compound\nP1,A01,DMSO\n";
        std::string images = "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_DNA\n";
        std::string locs = "Metadata_Plate,Metadata_Well,Metadata_Site,Nuclei_Location_Center_X,"
                           "Nuclei_Location_Center_Y\n";
        writeGrayTiff(dir + "/img.tif", 16, 16, 8, {picture(16, 16, 0)});
        for (int w = 1; w <= 5; ++w) {
            const std::string well = "A0" + std::to_string(w);
            if (w > 1)
                map += "P1," + well + ",cmpdX\n";
            for (int site = 1; site <= 2; ++site) {
                images += "P1," + well + "," + std::to_string(site) + ",img.tif\n";
                locs += "P1," + well + "," + std::to_string(site) + ",8,8\n";
            }
        }
        writeText(fs::path(dir) / "platemap.csv", map);
        writeText(fs::path(dir) / "images.csv", images);
        writeText(fs::path(dir) / "locations.csv", locs);
        const Dataset d =
            reader().read({dir}, opts({{"crop", "4"}, {"val_fraction", "0.25"}}), JobContext());
        QCOMPARE(d.sampleCount(), std::size_t(10));
        std::map<std::string, std::set<std::string>> splitsOfWell;
        const auto& wells = d.metadata.column("Well").strings;
        const auto& split = d.metadata.column(Dataset::kSplitColumn).strings;
        for (std::size_t i = 0; i < 10; ++i)
            splitsOfWell[wells[i]].insert(split[i]);
        int valWells = 0;
        for (const auto& [w, s] : splitsOfWell) {
            QCOMPARE(s.size(), std::size_t(1)); // a well never straddles the split
            valWells += s.count("val") ? 1 : 0;
        }
        QCOMPARE(valWells, 1);
        QCOMPARE(*splitsOfWell["A01"].begin(), std::string("train"));
        // By site: the second site of every well is val.
        const Dataset bySite =
            reader().read({dir}, opts({{"crop", "4"}, {"split", "site"}}), JobContext());
        for (std::size_t i = 0; i < 10; ++i)
            QCOMPARE(bySite.metadata.column(Dataset::kSplitColumn).strings[i],
                     std::string(bySite.metadata.column("Site").numbers[i] == 2 ? "val" : "train"));
        const Dataset none =
            reader().read({dir}, opts({{"crop", "4"}, {"split", "none"}}), JobContext());
        QVERIFY(!none.metadata.has(Dataset::kSplitColumn));
    }

    void badInputNotes() {
        const auto dir = handLayout("bad");
        // A well without images (A03), a plate without controls (P2), an image row of a well
        // not in the map (A09), a site whose ER file is missing (A02), locations of a site
        // without images.
        writeText(fs::path(dir) / "platemap.csv",
                  "Metadata_Plate,Metadata_Well,Metadata_compound,Metadata_control\n"
                  "P1,A01,DMSO,1\nP1,A02,cmpdX,0\nP1,A03,cmpdX,0\nP2,A01,cmpdX,0\n");
        writeText(fs::path(dir) / "images.csv",
                  "Metadata_Plate,Metadata_Well,Metadata_Site,FileName_DNA,FileName_ER\n"
                  "P1,A01,1,A01_0.tif,A01_1.tif\n"
                  "P1,A02,1,A02_0.tif,gone.tif\n"
                  "P1,A09,1,A01_0.tif,A01_1.tif\n");
        writeText(fs::path(dir) / "locations.csv",
                  "Metadata_Plate,Metadata_Well,Metadata_Site,Nuclei_Location_Center_X,"
                  "Nuclei_Location_Center_Y\n"
                  "P1,A01,1,10,8\nP1,A02,1,10,8\nP2,A01,1,10,8\n");
        const Dataset d = reader().read({dir}, opts({{"crop", "6"}}), JobContext());
        QCOMPARE(d.sampleCount(), std::size_t(1));
        const auto a = attrs(d);
        QCOMPARE(a["sites_skipped"].get<int>(), 1);
        QCOMPARE(a["images_without_wells"].get<int>(), 1);
        QCOMPARE(a["wells_without_images"].get<int>(), 2); // P1 A03 and P2 A01
        QCOMPARE(a["skipped_without_images"].get<int>(), 1);
        QVERIFY(hasNote(d, "images.csv, line 3: channel ER file"));
        QVERIFY(hasNote(d, "gone.tif does not exist (site skipped)"));
        QVERIFY(hasNote(d, "images.csv, line 4: well P1 A09 is not in the plate map"));
        QVERIFY(hasNote(d, "2 wells of the plate map have no images"));
        QVERIFY(hasNote(d, "plate P2 has no control wells"));
        QVERIFY(hasNote(d, "locations.csv, line 4: site P2 A01 1 has no images"));
    }

    void sizesCapAndMemory() {
        const auto dir = handLayout("sizes");
        // A02's ER is 18 x 16 while its DNA is 20 x 16: that site is skipped with both files.
        writeGrayTiff(dir + "/A02_1.tif", 18, 16, 16, {picture(18, 16, 1)});
        const Dataset d = reader().read({dir}, opts({{"crop", "6"}}), JobContext());
        QCOMPARE(d.sampleCount(), std::size_t(1));
        QVERIFY(hasNote(d, "channel ER"));
        QVERIFY(hasNote(d, "is 18 x 16, channel DNA"));
        // Cap: one cell per site keeps the interior cell of A01 only.
        const auto capDir = handLayout("cap");
        const Dataset capped = reader().read(
            {capDir}, opts({{"crop", "6"}, {"max_cells_per_site", "1"}}), JobContext());
        QCOMPARE(attrs(capped)["skipped_over_cap"].get<int>(), 2);
        QVERIFY(hasNote(capped, "more than 1 cells in site P1 A01 1"));
        QCOMPARE(capped.sampleCount(), std::size_t(2));
        // Memory: 4 cells x 2 channels x 36 = 288 values > 100 is refused before decoding.
        expectError<DataError>(
            [&] {
                reader().read({capDir}, opts({{"crop", "6"}, {"max_values", "100"}}), JobContext());
            },
            {"4 cells x 2 channels x 6^2 = 288 values exceed max_values = 100"});
        // No crop at all: every cell too near the border for crop 18 (rows y - 9 < 0).
        expectError<DataError>(
            [&] {
                reader().read({capDir}, opts({{"crop", "18"}}), JobContext());
            },
            {"no cell crop could be made", "too near the border for crop 18"});
    }

    void malformedFiles() {
        const auto dir = handLayout("malformed");
        expectError<ConfigError>(
            [&] {
                reader().read({dir}, opts({{"split", "plate"}}), JobContext());
            },
            {"option 'split' must be well, site or none"});
        expectError<ConfigError>(
            [&] {
                reader().read({dir}, opts({{"cropsize", "6"}}), JobContext());
            },
            {"cropsize"});
        writeText(fs::path(dir) / "locations.csv",
                  "Metadata_Plate,Metadata_Well,Metadata_Site,X,Y\nP1,A01,1,10,8\n");
        expectError<FormatError>([&] { reader().read({dir}, opts({}), JobContext()); },
                                 {"locations.csv", "no column 'Nuclei_Location_Center_X'"});
        writeText(fs::path(dir) / "locations.csv",
                  "Metadata_Plate,Metadata_Well,Metadata_Site,Nuclei_Location_Center_X,"
                  "Nuclei_Location_Center_Y\nP1,A01,1,ten,8\n");
        expectError<FormatError>([&] { reader().read({dir}, opts({}), JobContext()); },
                                 {"locations.csv, line 2", "'ten'"});
        writeText(fs::path(dir) / "platemap.csv", "Metadata_Plate,Metadata_Well\nP1,A01\nP1,A01\n");
        expectError<FormatError>([&] { reader().read({dir}, opts({}), JobContext()); },
                                 {"platemap.csv, line 3", "listed twice"});
    }

    void groundTruthInRawFeatures() {
        // One plate: DMSO and the first four MOAs at a saturating dose (s >= 0.97).
        CellPlateSimParams p;
        p.plates = 1;
        p.moas = 4;
        p.compoundsPerMoa = 1;
        p.dualMoaCompound = false;
        p.doses = {10.0};
        p.replicatesPerPlate = 2;
        p.controlsPerPlate = 2;
        p.sites = 2;
        p.imageSize = 128;
        const std::string dir = freshDir("truth");
        simulateCellPlates(p, dir);
        const Dataset d = reader().read({dir}, opts({{"crop", "40"}}), JobContext());
        const EmbeddingTable t = cellCropFeatures(d);
        const auto& moa = t.metadata.column("moa").strings;
        auto mean = [&](const std::string& group, const std::string& name) {
            const auto j =
                std::size_t(std::find(t.featureNames.begin(), t.featureNames.end(), name) -
                            t.featureNames.begin());
            double s = 0;
            int n = 0;
            for (std::size_t i = 0; i < t.rows; ++i)
                if (moa[i] == group) {
                    s += t.features[i * t.featureNames.size() + j];
                    ++n;
                }
            return s / n;
        };
        // Nucleus radius x 1.34 -> area x 1.8; ER x 1.68; Mito x 0.56; AGP x 1.34 (tubulin).
        const double area =
            mean("dna_damage", "Nuclei_AreaShape_Area") / mean("control", "Nuclei_AreaShape_Area");
        QVERIFY2(area > 1.4, std::to_string(area).c_str());
        const double er = mean("er_stress", "Cells_Intensity_MeanIntensity_ER") /
                          mean("control", "Cells_Intensity_MeanIntensity_ER");
        QVERIFY2(er > 1.3, std::to_string(er).c_str());
        const double mito = mean("mito_uncoupler", "Cells_Intensity_MeanIntensity_Mito") /
                            mean("control", "Cells_Intensity_MeanIntensity_Mito");
        QVERIFY2(mito < 0.8, std::to_string(mito).c_str());
        const double cell =
            mean("tubulin", "Cells_AreaShape_Area") / mean("control", "Cells_AreaShape_Area");
        QVERIFY2(cell < 0.85, std::to_string(cell).c_str());
    }
};

QTEST_MAIN(TestCellPlateReader)
#include "test_cell_plate_reader.moc"
