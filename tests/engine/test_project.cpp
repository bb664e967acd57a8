// ProjectFile: round trips of data sets and runs, replacing/removing, and malformed files.
#include "embedscope/engine/error.h"
#include "embedscope/engine/project.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace embedscope;

namespace {

std::string readBytes(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

void writeBytes(const std::string& path, const std::string& bytes) {
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes.data(), static_cast<qint64>(bytes.size())),
             static_cast<qint64>(bytes.size()));
}

template <typename T> bool sameBits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

/// A trajectory data set with awkward values and every kind of metadata column.
Dataset makeDataset(const std::string& name) {
    Dataset d;
    d.name = name;
    d.kind = DataKind::Trajectory;
    d.sampleShape = {2, 5};
    const std::size_t n = 6;
    for (std::size_t i = 0; i < n * 10; ++i)
        d.values.push_back(static_cast<float>(i) * 0.1f - 2.5f);
    d.values[3] = -0.0f;
    d.values[7] = std::numeric_limits<float>::denorm_min();
    d.values[11] = std::numeric_limits<float>::max();
    d.values[12] = std::numeric_limits<float>::lowest();
    // Deliberately not alphabetical: the stored order must survive.
    d.metadata.addNumbers("zeta", {0, 1.5, -2, 1e300, 0.1, 3});
    d.metadata.addStrings("alpha", {"Müller", "a,b", "", "quote \"x\"", "line\nbreak", "α/β"});
    d.metadata.addStrings("site/well", {"A1", "A2", "A3", "B1", "B2", "B3"});
    d.metadata.addStrings(Dataset::kSplitColumn, {"train", "train", "val", "test", "train", "val"});
    d.attributesJson = R"({"source":"unit test","seed":7})";
    return d;
}

RunRecord makeRun(const std::string& name, std::size_t checkpointBytes, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
    RunRecord r;
    r.name = name;
    r.datasetName = "traj";
    r.status = "cancelled";
    r.configJson = R"({"model":"conv1d-small","epochs":4})";
    r.trainLoss = {2.5, 1.25, 0.75, 0.5};
    r.valLoss = {std::numeric_limits<double>::quiet_NaN(), 1.5, 1.0 / 3.0, -0.0};
    r.bestEpoch = 2;
    r.seconds = 12.345678901234567;
    r.checkpoint.resize(checkpointBytes);
    for (auto& b : r.checkpoint)
        b = static_cast<uint8_t>(rng());
    r.embeddingRows = 6;
    r.embeddingCols = 3;
    for (std::size_t i = 0; i < 18; ++i)
        r.embedding.push_back(uniform(rng));
    r.metricsJson = R"({"knn_accuracy":0.875})";
    r.versions = Versions{"0.1.0", "1.13.1", "1.10.8", "abc1234"};
    r.createdUtc = "2026-11-02T10:11:12Z";
    return r;
}

/// "" when equal in every field (floating point compared bit for bit).
std::string runDifference(const RunRecord& a, const RunRecord& b) {
    if (a.name != b.name)
        return "name";
    if (a.datasetName != b.datasetName)
        return "datasetName";
    if (a.status != b.status)
        return "status";
    if (a.configJson != b.configJson)
        return "configJson";
    if (!sameBits(a.trainLoss, b.trainLoss))
        return "trainLoss";
    if (!sameBits(a.valLoss, b.valLoss))
        return "valLoss";
    if (a.bestEpoch != b.bestEpoch)
        return "bestEpoch";
    if (std::memcmp(&a.seconds, &b.seconds, sizeof(double)) != 0)
        return "seconds";
    if (a.checkpoint != b.checkpoint)
        return "checkpoint";
    if (a.embeddingRows != b.embeddingRows || a.embeddingCols != b.embeddingCols)
        return "embedding shape";
    if (!sameBits(a.embedding, b.embedding))
        return "embedding";
    if (a.metricsJson != b.metricsJson)
        return "metricsJson";
    if (a.versions.embedscope != b.versions.embedscope ||
        a.versions.libtorch != b.versions.libtorch || a.versions.hdf5 != b.versions.hdf5 ||
        a.versions.gitCommit != b.versions.gitCommit)
        return "versions";
    if (a.createdUtc != b.createdUtc)
        return "createdUtc";
    return "";
}

} // namespace

class TestProject : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_{QString(EMBEDSCOPE_TEST_TMP_DIR) + "/project-XXXXXX"};
    int counter_ = 0;
    std::string freshPath() {
        return QDir(dir_.path()).filePath(QString("p%1.h5").arg(++counter_)).toStdString();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void datasetRoundTrip() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        QVERIFY(project.datasetNames().empty());
        const Dataset original = makeDataset("traj");
        project.writeDataset(original);

        const ProjectFile reopened = ProjectFile::open(path);
        QCOMPARE(reopened.datasetNames(), std::vector<std::string>{"traj"});
        QVERIFY(reopened.hasDataset("traj"));
        QVERIFY(!reopened.hasDataset("other"));
        const Dataset d = reopened.readDataset("traj");
        QCOMPARE(d.name, std::string("traj"));
        QVERIFY(d.kind == DataKind::Trajectory);
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{2, 5}));
        QVERIFY(sameBits(d.values, original.values));
        QCOMPARE(d.sampleCount(), std::size_t(6));
        QCOMPARE(d.headerSampleCount, std::size_t(6));
        QCOMPARE(d.attributesJson, original.attributesJson);

        const auto& columns = d.metadata.columns();
        QCOMPARE(columns.size(), std::size_t(4));
        QCOMPARE(columns[0].name, std::string("zeta"));
        QCOMPARE(columns[1].name, std::string("alpha"));
        QCOMPARE(columns[2].name, std::string("site/well"));
        QCOMPARE(columns[3].name, std::string("split"));
        QVERIFY(columns[0].numeric);
        QCOMPARE(columns[0].numbers, (std::vector<double>{0, 1.5, -2, 1e300, 0.1, 3}));
        QVERIFY(!columns[1].numeric);
        QCOMPARE(columns[1].strings, original.metadata.column("alpha").strings);
        QCOMPARE(columns[2].strings, original.metadata.column("site/well").strings);
        QCOMPARE(d.indicesOfSplit("val"), (std::vector<std::size_t>{2, 5}));
        QCOMPARE(d.indicesOfSplit("test"), (std::vector<std::size_t>{3}));
    }

    void datasetHeaderSkipsValues() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        const Dataset header = project.readDatasetHeader("traj");
        QVERIFY(header.values.empty());
        QCOMPARE(header.headerSampleCount, std::size_t(6));
        QCOMPARE(header.sampleShape, (std::vector<int64_t>{2, 5}));
        QCOMPARE(header.metadata.rowCount(), std::size_t(6));
        QCOMPARE(header.metadata.columns().size(), std::size_t(4));
    }

    void largeDatasetIsCompressed() {
        // 4 MB of a repeating pattern: deflate must shrink it far below the raw size.
        const std::string path = freshPath();
        Dataset d;
        d.name = "signal";
        d.kind = DataKind::Signal;
        d.sampleShape = {1000};
        for (std::size_t i = 0; i < 1000 * 1000; ++i)
            d.values.push_back(static_cast<float>(i % 17));
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(d);
        QVERIFY(QFileInfo(QString::fromStdString(path)).size() < 1000 * 1000);
        const Dataset back = project.readDataset("signal");
        QVERIFY(back.kind == DataKind::Signal);
        QVERIFY(sameBits(back.values, d.values));
        QVERIFY(back.metadata.columns().empty());
    }

    void runRoundTrip() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        RunRecord big = makeRun("run-big", 1 << 20, 1);
        big.configJson = "{\"notes\":\"" + std::string(200000, 'x') + "\"}"; // > 64 KiB attribute
        const RunRecord empty = makeRun("run-empty", 0, 2);
        project.writeRun(big);
        project.writeRun(empty);
        QCOMPARE(project.runNames(), (std::vector<std::string>{"run-big", "run-empty"}));

        const RunRecord bigBack = ProjectFile::open(path).readRun("run-big");
        QVERIFY2(runDifference(big, bigBack).empty(), runDifference(big, bigBack).c_str());
        QVERIFY(std::isnan(bigBack.valLoss[0]));
        QCOMPARE(bigBack.checkpoint.size(), std::size_t(1 << 20));
        const RunRecord emptyBack = project.readRun("run-empty");
        QVERIFY2(runDifference(empty, emptyBack).empty(), runDifference(empty, emptyBack).c_str());
        QVERIFY(emptyBack.checkpoint.empty());

        // The summary read has the curves and shapes but skips the large arrays.
        const RunRecord summary = project.readRun("run-big", ProjectFile::RunContent::Summary);
        QCOMPARE(summary.trainLoss, big.trainLoss);
        QCOMPARE(summary.embeddingRows, big.embeddingRows);
        QCOMPARE(summary.embeddingCols, big.embeddingCols);
        QCOMPARE(summary.bestEpoch, big.bestEpoch);
        QVERIFY(summary.embedding.empty());
        QVERIFY(summary.checkpoint.empty());

        RunRecord noEmbedding = makeRun("run-none", 0, 3);
        noEmbedding.embedding.clear();
        noEmbedding.embeddingRows = 0;
        noEmbedding.embeddingCols = 0;
        noEmbedding.trainLoss.clear();
        noEmbedding.valLoss.clear();
        project.writeRun(noEmbedding);
        const RunRecord noneBack = project.readRun("run-none");
        QVERIFY2(runDifference(noEmbedding, noneBack).empty(),
                 runDifference(noEmbedding, noneBack).c_str());
    }

    void runWithInconsistentEmbeddingIsRejected() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        RunRecord r = makeRun("bad", 0, 4);
        r.embeddingCols = 4; // 6 x 4 != 18 values
        QVERIFY_THROWS_EXCEPTION(DataError, project.writeRun(r));
        QVERIFY(!project.hasRun("bad"));
    }

    void replacingRunKeepsOneCopyAndFileSize() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        project.writeRun(makeRun("a", 1 << 20, 10));
        const qint64 sizeAfterFirst = QFileInfo(QString::fromStdString(path)).size();
        RunRecord replacement;
        for (uint32_t seed = 11; seed < 15; ++seed) {
            replacement = makeRun("a", 1 << 20, seed);
            replacement.status = "finished";
            project.writeRun(replacement);
        }
        QCOMPARE(project.runNames(), std::vector<std::string>{"a"});
        const RunRecord back = project.readRun("a");
        QVERIFY2(runDifference(replacement, back).empty(),
                 runDifference(replacement, back).c_str());
        // Replaced objects must not leave dead space behind.
        const qint64 sizeNow = QFileInfo(QString::fromStdString(path)).size();
        QVERIFY2(sizeNow < sizeAfterFirst + 64 * 1024,
                 qPrintable(QString("%1 vs %2").arg(sizeNow).arg(sizeAfterFirst)));
        QVERIFY(project.hasDataset("traj"));
        QVERIFY(sameBits(project.readDataset("traj").values, makeDataset("traj").values));
        // No temporaries are left beside the file.
        QCOMPARE(
            QDir(dir_.path())
                .entryList({QString::fromStdString(
                    QFileInfo(QString::fromStdString(path)).fileName().toStdString() + ".tmp-*")})
                .size(),
            0);
    }

    void replacingDatasetKeepsRuns() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        const RunRecord run = makeRun("r", 100, 5);
        project.writeRun(run);
        Dataset changed = makeDataset("traj");
        changed.values[0] = 42.0f;
        project.writeDataset(changed);
        QCOMPARE(project.readDataset("traj").values[0], 42.0f);
        QVERIFY(runDifference(run, project.readRun("r")).empty());
    }

    void removeRun() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        const RunRecord keep = makeRun("keep", 10, 6);
        project.writeRun(keep);
        project.writeRun(makeRun("drop", 10, 7));
        project.removeRun("drop");
        QVERIFY(!project.hasRun("drop"));
        QCOMPARE(project.runNames(), std::vector<std::string>{"keep"});
        QVERIFY(runDifference(keep, project.readRun("keep")).empty());
        QVERIFY_THROWS_EXCEPTION(DataError, project.removeRun("drop"));
        QVERIFY_THROWS_EXCEPTION(DataError, project.readRun("drop"));
    }

    void uniqueRunName() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        QCOMPARE(project.uniqueRunName("run"), std::string("run-001"));
        project.writeRun(makeRun("run-001", 0, 1));
        project.writeRun(makeRun("run-003", 0, 1));
        QCOMPARE(project.uniqueRunName("run"), std::string("run-002"));
        project.writeRun(makeRun("run-002", 0, 1));
        QCOMPARE(project.uniqueRunName("run"), std::string("run-004"));
        QCOMPARE(project.uniqueRunName("supcon"), std::string("supcon-001"));
    }

    void describeFile() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        project.writeRun(makeRun("run-001", 1000, 8));
        const auto info = nlohmann::json::parse(describeFileJson(path));
        QCOMPARE(info["datasets"].size(), std::size_t(1));
        const auto& d = info["datasets"][0];
        QCOMPARE(d["name"].get<std::string>(), std::string("traj"));
        QCOMPARE(d["kind"].get<std::string>(), std::string("trajectory"));
        QCOMPARE(d["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{2, 5}));
        QCOMPARE(d["samples"].get<int>(), 6);
        QCOMPARE(d["metadata"].size(), std::size_t(4));
        QCOMPARE(d["metadata"][0]["name"].get<std::string>(), std::string("zeta"));
        QCOMPARE(d["metadata"][0]["type"].get<std::string>(), std::string("number"));
        QCOMPARE(d["metadata"][1]["type"].get<std::string>(), std::string("text"));
        QCOMPARE(d["splits"]["train"].get<int>(), 3);
        QCOMPARE(d["splits"]["val"].get<int>(), 2);
        QCOMPARE(info["runs"].size(), std::size_t(1));
        const auto& r = info["runs"][0];
        QCOMPARE(r["name"].get<std::string>(), std::string("run-001"));
        QCOMPARE(r["dataset"].get<std::string>(), std::string("traj"));
        QCOMPARE(r["status"].get<std::string>(), std::string("cancelled"));
        QCOMPARE(r["epochs"].get<int>(), 4);
        QCOMPARE(r["best_epoch"].get<int>(), 2);
        QCOMPARE(r["embedding_shape"].get<std::vector<int>>(), (std::vector<int>{6, 3}));

        const std::string text = QDir(dir_.path()).filePath("notes.h5").toStdString();
        writeBytes(text, "just some text\n");
        try {
            describeFileJson(text);
            QFAIL("describeFileJson accepted a text file");
        } catch (const FormatError& e) {
            QVERIFY(std::string(e.what()).find(text) != std::string::npos);
        }
    }

    void createRefusesToOverwrite() {
        const std::string path = freshPath();
        ProjectFile::create(path).writeRun(makeRun("r", 0, 1));
        QVERIFY_THROWS_EXCEPTION(IoError, ProjectFile::create(path));
        QVERIFY(ProjectFile::openOrCreate(path).hasRun("r"));
        QVERIFY(!ProjectFile::create(path, true).hasRun("r"));
        QVERIFY_THROWS_EXCEPTION(
            IoError, ProjectFile::create(dir_.path().toStdString() + "/no/such/dir.h5"));
    }

    void missingFileIsIoError() {
        const std::string path = QDir(dir_.path()).filePath("missing.h5").toStdString();
        try {
            ProjectFile::open(path);
            QFAIL("no exception");
        } catch (const IoError& e) {
            QVERIFY(std::string(e.what()).find(path) != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(IoError, ProjectFile::open(dir_.path().toStdString()));
    }

    void textFileIsFormatError() {
        const std::string path = QDir(dir_.path()).filePath("text.h5").toStdString();
        writeBytes(path, "name,value\na,1\n");
        try {
            ProjectFile::open(path);
            QFAIL("no exception");
        } catch (const FormatError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path) != std::string::npos, e.what());
            QVERIFY2(message.find("not an HDF5 file") != std::string::npos, e.what());
        }
        writeBytes(path, "");
        QVERIFY_THROWS_EXCEPTION(FormatError, ProjectFile::open(path));
    }

    void truncatedFileIsFormatError() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        project.writeRun(makeRun("r", 200000, 9));
        const std::string bytes = readBytes(path);
        QVERIFY(bytes.size() > 200000);
        const std::string cut = QDir(dir_.path()).filePath("cut.h5").toStdString();
        for (std::size_t size : {bytes.size() / 2, bytes.size() / 10, bytes.size() * 9 / 10,
                                 bytes.size() - 1, std::size_t(100)}) {
            writeBytes(cut, bytes.substr(0, size));
            try {
                const ProjectFile opened = ProjectFile::open(cut);
                opened.readDataset("traj");
                opened.readRun("r");
                QFAIL(qPrintable(QString("truncated to %1 bytes was accepted").arg(size)));
            } catch (const FormatError& e) {
                QVERIFY2(std::string(e.what()).find(cut) != std::string::npos, e.what());
            }
        }
    }

    void hdf5WithoutMarkerIsFormatError() {
        // A valid HDF5 file from another tool (`h5mkgrp -p foreign.h5 /datasets`, 1832 bytes,
        // zlib-compressed in qCompress format): it has a "datasets" group but no marker.
        const QByteArray foreign = qUncompress(QByteArray::fromBase64(
            "AAAHKHja6/RwcePlkuJiAAEODgYWBgEGZPAfCjTYUfkw+QQozQilO6D0CiaYOCNYTgIqLgg1H11dSJCrK0j1"
            "fzQAs+cBK4TmYBgFIxF4uDoGgOgIKB+Wnk4woapLSSxJLE4tKWZAS5cOZNqLK/16MEP4GazI6ZcBZ/odBaPp"
            "Fzn9wsqxDlb09AYBAVSyN9jP3wWUgmH2KTCj2oOejkcBdgAAqOlDZQ=="));
        QCOMPARE(foreign.size(), 1832);
        const std::string path = QDir(dir_.path()).filePath("foreign.h5").toStdString();
        writeBytes(path, foreign.toStdString());
        try {
            ProjectFile::open(path);
            QFAIL("no exception");
        } catch (const FormatError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path) != std::string::npos, e.what());
            QVERIFY2(message.find("not an embedscope file") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(FormatError, describeFileJson(path));
    }

    void corruptedBytesAreFormatErrors() {
        // Flipped bits in the file's metadata (first 4 KiB): every outcome must be a clean
        // FormatError or a successful read, never a crash. Checksummed metadata catches most.
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        project.writeRun(makeRun("r", 5000, 3));
        const std::string bytes = readBytes(path);
        const std::string bad = QDir(dir_.path()).filePath("flipped.h5").toStdString();
        std::mt19937 rng(11);
        int rejected = 0;
        for (int i = 0; i < 60; ++i) {
            std::string copy = bytes;
            copy[rng() % std::min<std::size_t>(4096, copy.size())] ^= char(1 << (rng() % 8));
            writeBytes(bad, copy);
            try {
                const ProjectFile opened = ProjectFile::open(bad);
                for (const auto& name : opened.datasetNames())
                    opened.readDataset(name);
                for (const auto& name : opened.runNames())
                    opened.readRun(name);
                describeFileJson(bad);
            } catch (const FormatError& e) {
                QVERIFY2(std::string(e.what()).find(bad) != std::string::npos, e.what());
                ++rejected;
            } catch (const DataError&) {
                ++rejected; // e.g. a renamed member: "no data set named ..."
            }
        }
        QVERIFY(rejected > 0);
    }

    void fileFromAnotherWriter() {
        // Written with the HDF5 C API directly, the way h5py writes (format 0, variable-length
        // UTF-8 strings): a valid data set "traj" (shape (1, 2), 3 samples, metadata group/dose),
        // run-001 whose best_epoch is the text "two", run-002 whose train_loss is 2 x 2.
        // 18640 bytes, zlib-compressed in qCompress format.
        const QByteArray fixture = qUncompress(QByteArray::fromBase64(
            "AABI0Hja7Vs9bNtGFD6Slk1bUiL/JJb7q7QuEKCwS6lu6/"
            "5BKmInGtrGaDMYXRSaoi3GEimQlJuiKKrR3TJ29Gigi+"
            "eiQA10MdAlY8aOLbpozObw5066O4kS5dK1E90HC+d3PD3yju/dfe/"
            "d6afi2u3k1EtTwIUogjGQAjhOIR4XSRldvw9L"
            "Dpb7sDzkUb3gXUvD+hTUnxHI79/"
            "7an3dbX1KAd2nMO6XacAwiiiuf7bhlptQzsDyhCfblWVbtlTbQrLZ0C3cPleHvO"
            "80tFfarhOgAO17xvlfBGptSy1bilFXS9uGWZNtZO+i41a+BRN+0ik5wj/Q/Q6hf5zEwvlH0fdgeC+GUfcPNIv/"
            "HSPb"
            "2ab8ALe/4n+879df3l3jAN+2u6ZA2jdtx8jOT94k2zWX/"
            "PLgndF8fxyI9VwnH8WHWycrr7J5gM0D3etka5JstydXG6"
            "qzMtZUW3bXTECtS6tnmge4tt3tT5D6jqD8eJK9o35Aft96GfozoPlGDMw5o7yr6WVXXuA47xup9liLxLi7tKAV"
            "77yL"
            "O7fufs5hCwTeDq0PqmIb5ne+jOgVfH3giz9+"
            "q1ZVE8Bp3YkX4PvPFrK4jErFNqtuGaPqy4aluiWk9e3rO6bRqGP3G6"
            "PWLWRfqNzWdM2qqGVkVuh5v/+B7BddD4fEGUsfOSn3/pKUdf7uSdJH3t83/"
            "riTzyctS8tuR5NQRs+fXc6+61640l0v"
            "LTvOdJXqj27oKr5Oo/G0vzUgD+zd/5mA/s8G9HMuoP5ayP5fD+j/fED/"
            "0wH9XwjoP0I9yXyfgYGBgYGBgYGBgYEhSq"
            "D9BTofk4CZYM6J3BJOFGdV5LoboHXtX3AcEU+ikuuSx/06Dsk3/"
            "ZLniHiXp+Lfjpz2vjqdeR3GjBkwL4L5H9vxqOhd"
            "53lfoQgjT4FrwcwyuVM4g+VF/"
            "vlV2O1kVv4foDw5ivePXiPH7QmUn2bI+H7zFWazOIL2kwHcP2jC+kF58uYb5DgzjB"
            "boPDmyp/QNsh3KR6J8JfLXwpntl54X08S8KlDzIZoHg/K8nXkQUPOguOhrkAbMgw8v9D3Q82Lr7f7tkb/"
            "WbzAbJu2q"
            "9zmCHvuqeaf2d9+EC85n3/"
            "kcFNw1Fu0TjMEPkl1bnMBkvuvurTzpFrQswjIV4noz33m2pvdsABwXOF44d9UMDAwMDA"
            "wvLk84G/"
            "+czuTbeYCVOFg5FQbF4auL4eLwi+WfiCfR8XcCnrhyx2vO6YNhllWzDw8PyovEMN40TvGqWIg49UkOxbkM"
            "LE7teNMxdU7SbOhLkpSFZS6CODXZ+9z+ii8/FMLlWQ5Xe80CDKNqv+i8cTNHtrNNWdNLVcOCJ/"
            "f35ComAf98fVnTd6"
            "CsVFRlt25oug0AnpdJUXkFlC9IS2S7ApTvU/"
            "Nr5lOyXRHKlfxovj+0PtLj1TmPKHrnEeHvLgaeR8TXvwlCz4Snx7Jl"
            "u2ENPtcoYnpEgO9fJDw9iqFvazulB5ahe/"
            "WD9PGYvklCX9LTV1NtU1OstsJh9E31ej5TlW21XGrYSqjnm8P0xT19G/"
            "D6rKcP+/"
            "3JnmpaGuz2QL04P0kQeqc9vVVtyzZMpUJqHax3HNOb7DGelfL2e7jOYfRdIfTFPX07ml1SjFpNs8M9H26H"
            "V3vo21Itu6TWDaUSTp+A6Ut5+lYJ/7BUxyLLViCP5give5ofxNPpc7Zn5+kbkKdnLjVP9+fzsfa59NQn/"
            "dvfRP983L"
            "8dWh9+/qB/O8RfWh++2PFfdHZVfy7s6uL2qR+FjI8rl8o+uvMDKa9p8L4U3e/"
            "DRVJDUL+bl8RfesdBf0E+WAkZB22u"
            "sTiIxUHdcdB+/nzjIMTf6TgmCv4+HRF/n4mYv89GzN/nIubv186Jv18/J/4+HzF/T0fM3xcIvh33fo9P8/"
            "dBv8OPnq"
            "+TPILOC/OBPGJYnvVLSJ51EefdOnz9+E44vn50OxxfL94Kx9cP1hlfD2dHfzK+3nd8/"
            "h1Rvi689Tzx9WfBIi7C"));
        QCOMPARE(fixture.size(), 18640);
        const std::string path = QDir(dir_.path()).filePath("foreign-writer.h5").toStdString();
        writeBytes(path, fixture.toStdString());

        ProjectFile project = ProjectFile::open(path);
        const Dataset d = project.readDataset("traj");
        QCOMPARE(d.sampleShape, (std::vector<int64_t>{1, 2}));
        QCOMPARE(d.values, (std::vector<float>{0.5f, -1, 2, 3, 4.25f, 5}));
        QCOMPARE(d.metadata.columns().size(), std::size_t(2));
        QCOMPARE(d.metadata.columns()[0].name, std::string("group"));
        QCOMPARE(d.metadata.column("group").strings,
                 (std::vector<std::string>{"ctrl", "S1@1", "Müller"}));
        QCOMPARE(d.metadata.column("dose").numbers, (std::vector<double>{0, 1, 2}));
        try {
            project.readRun("run-001");
            QFAIL("text best_epoch accepted");
        } catch (const FormatError& e) {
            QVERIFY2(std::string(e.what()).find(path + ": /runs/run-001/best_epoch") !=
                         std::string::npos,
                     e.what());
        }
        try {
            project.readRun("run-002");
            QFAIL("2-D train_loss accepted");
        } catch (const FormatError& e) {
            QVERIFY2(std::string(e.what()).find(path + ": /runs/run-002/train_loss: expected 1-D "
                                                       "float64") != std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(FormatError, describeFileJson(path));

        // Writing carries the foreign objects over unchanged.
        project.removeRun("run-001");
        project.removeRun("run-002");
        const RunRecord run = makeRun("mine", 10, 1);
        project.writeRun(run);
        QVERIFY(runDifference(run, project.readRun("mine")).empty());
        QCOMPARE(project.readDataset("traj").metadata.column("group").strings[2],
                 std::string("Müller"));
        QCOMPARE(nlohmann::json::parse(describeFileJson(path))["runs"].size(), std::size_t(1));
    }

    void invalidDatasetLeavesFileUnchanged() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeDataset(makeDataset("traj"));
        const std::string before = readBytes(path);
        Dataset bad = makeDataset("traj");
        bad.values[17] = std::numeric_limits<float>::quiet_NaN();
        try {
            project.writeDataset(bad);
            QFAIL("NaN accepted");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("NaN") != std::string::npos, e.what());
        }
        QVERIFY(readBytes(path) == before);
        QVERIFY(sameBits(project.readDataset("traj").values, makeDataset("traj").values));
        Dataset unnamed = makeDataset("");
        QVERIFY_THROWS_EXCEPTION(DataError, project.writeDataset(unnamed));
        QVERIFY(readBytes(path) == before);
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
