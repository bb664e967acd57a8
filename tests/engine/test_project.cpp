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
        const RunRecord big = makeRun("run-big", 1 << 20, 1);
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
        // An HDF5 file that is not ours: rename the root attribute in place (object headers
        // of the default file format carry no checksum).
        const std::string path = freshPath();
        ProjectFile::create(path);
        std::string bytes = readBytes(path);
        const auto at = bytes.find("embedscope_format");
        QVERIFY(at != std::string::npos);
        bytes[at] = 'x';
        writeBytes(path, bytes);
        try {
            ProjectFile::open(path);
            QFAIL("no exception");
        } catch (const FormatError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path) != std::string::npos, e.what());
            QVERIFY2(message.find("embedscope_format") != std::string::npos, e.what());
        }
    }

    void malformedRunNamesField() {
        const std::string path = freshPath();
        ProjectFile project = ProjectFile::create(path);
        project.writeRun(makeRun("run-001", 0, 1));
        std::string bytes = readBytes(path);
        const auto at = bytes.find("best_epoch");
        QVERIFY(at != std::string::npos);
        bytes[at + 9] = 'x';
        writeBytes(path, bytes);
        try {
            project.readRun("run-001");
            QFAIL("no exception");
        } catch (const FormatError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path + ": /runs/run-001/best_epoch") != std::string::npos,
                     e.what());
        }
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
