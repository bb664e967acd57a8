// Embedding CSV tables: round trip, RFC 4180 quoting, files from other tools, malformed files.
#include "embedscope/engine/error.h"
#include "embedscope/engine/table.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <clocale>
#include <limits>

using namespace embedscope;

namespace {

void writeText(const std::string& path, const std::string& text) {
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text.data(), static_cast<qint64>(text.size()));
}

std::string readText(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

/// Features are written with 9 significant digits: exact for float32, the embeddings' type.
std::vector<float> asFloat32(const std::vector<double>& values) {
    return std::vector<float>(values.begin(), values.end());
}

EmbeddingTable makeTable() {
    EmbeddingTable t;
    t.featureNames = {"z_0", "z_1"};
    t.rows = 3;
    t.features = {double(0.1f), double(-123456.789f), double(1e-30f), 0.0,
                  2.5,          double(3.14159274f)};
    t.metadata.addNumbers("dose", {0, 1.5, 1e6});
    t.metadata.addStrings("group", {"a,b", "say \"hi\"", "two\nlines"});
    t.metadata.addStrings("name", {"Müller", "", " padded "});
    return t;
}

} // namespace

class TestTableCsv : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_{QString(EMBEDSCOPE_TEST_TMP_DIR) + "/table-csv-XXXXXX"};
    std::string file(const char* name) { return QDir(dir_.path()).filePath(name).toStdString(); }

    /// Reads `text` as CSV and expects a FormatError naming the file and containing `needles`.
    void expectFormatError(const std::string& text, std::initializer_list<const char*> needles) {
        const std::string path = file("bad.csv");
        writeText(path, text);
        try {
            readEmbeddingCsv(path);
            QFAIL(qPrintable(QString("accepted: %1").arg(QString::fromStdString(text))));
        } catch (const FormatError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(path) != std::string::npos, e.what());
            for (const char* needle : needles)
                QVERIFY2(message.find(needle) != std::string::npos,
                         qPrintable(QString("'%1' not in: %2").arg(needle).arg(e.what())));
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void roundTrip() {
        const EmbeddingTable t = makeTable();
        const std::string path = file("table.csv");
        writeEmbeddingCsv(t, path);
        const EmbeddingTable back = readEmbeddingCsv(path);
        QCOMPARE(back.featureNames, t.featureNames);
        QCOMPARE(back.rows, t.rows);
        QCOMPARE(asFloat32(back.features), asFloat32(t.features));
        const auto& columns = back.metadata.columns();
        QCOMPARE(columns.size(), std::size_t(3));
        QCOMPARE(columns[0].name, std::string("dose"));
        QVERIFY(columns[0].numeric);
        QCOMPARE(columns[0].numbers, (std::vector<double>{0, 1.5, 1e6}));
        QCOMPARE(columns[1].name, std::string("group"));
        QVERIFY(!columns[1].numeric);
        QCOMPARE(columns[1].strings, t.metadata.column("group").strings);
        QCOMPARE(columns[2].strings, t.metadata.column("name").strings);
        QCOMPARE(QDir(dir_.path()).entryList({"table.csv.tmp-*"}).size(), 0);
    }

    void quotingFollowsRfc4180() {
        const std::string path = file("quoted.csv");
        writeEmbeddingCsv(makeTable(), path);
        const std::string text = readText(path);
        QVERIFY(text.rfind("z_0,z_1,Metadata_dose,Metadata_group,Metadata_name\n", 0) == 0);
        QVERIFY(text.find("\"a,b\"") != std::string::npos);
        QVERIFY(text.find("\"say \"\"hi\"\"\"") != std::string::npos);
        QVERIFY(text.find("\"two\nlines\"") != std::string::npos);
        QVERIFY(text.find("0.100000001,-123456.789,0,a,b") == std::string::npos); // quoted
        QVERIFY(text.find("0.100000001,-123456.789,0,\"a,b\",Müller\n") != std::string::npos);
    }

    void decimalCommaLocaleDoesNotLeak() {
        const char* previous = std::setlocale(LC_NUMERIC, nullptr);
        const std::string saved = previous ? previous : "C";
        bool switched = false;
        for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE"})
            if (std::setlocale(LC_NUMERIC, name)) {
                switched = true;
                break;
            }
        const std::string path = file("locale.csv");
        writeEmbeddingCsv(makeTable(), path);
        const EmbeddingTable back = readEmbeddingCsv(path);
        std::setlocale(LC_NUMERIC, saved.c_str());
        QCOMPARE(asFloat32(back.features), asFloat32(makeTable().features));
        QVERIFY(readText(path).find("2.5") != std::string::npos);
        if (!switched)
            qInfo("no decimal-comma locale installed: checked under the current locale only");
    }

    void fileFromAnotherTool() {
        // BOM, CRLF, a pandas index column without a name, a text column without the prefix,
        // spaces around numbers, a quoted number, and a trailing blank line.
        const std::string path = file("pandas.csv");
        writeText(path, "\xEF\xBB\xBF,pc_1,pc_2,well,Metadata_Dose,Metadata_Plate\r\n"
                        "0, 1.5,-2e-3,A01,0.25,P1\r\n"
                        "1,\"3\",4,B02,1,P2\r\n"
                        "\r\n");
        const EmbeddingTable t = readEmbeddingCsv(path);
        QCOMPARE(t.featureNames, (std::vector<std::string>{"pc_1", "pc_2"}));
        QCOMPARE(t.rows, std::size_t(2));
        QCOMPARE(t.features, (std::vector<double>{1.5, -0.002, 3, 4}));
        const auto& columns = t.metadata.columns();
        QCOMPARE(columns.size(), std::size_t(3));
        QCOMPARE(columns[0].name, std::string("well"));
        QCOMPARE(columns[0].strings, (std::vector<std::string>{"A01", "B02"}));
        QCOMPARE(columns[1].name, std::string("Dose"));
        QVERIFY(columns[1].numeric);
        QCOMPARE(columns[1].numbers, (std::vector<double>{0.25, 1}));
        QCOMPARE(columns[2].name, std::string("Plate"));
        QCOMPARE(columns[2].strings, (std::vector<std::string>{"P1", "P2"}));
    }

    void headerOnlyFileHasNoRows() {
        const std::string path = file("header.csv");
        writeText(path, "z_0,z_1,Metadata_g\n");
        const EmbeddingTable t = readEmbeddingCsv(path);
        QCOMPARE(t.rows, std::size_t(0));
        QCOMPARE(t.featureNames.size(), std::size_t(2));
    }

    void malformedFiles() {
        expectFormatError("", {"empty"});
        expectFormatError("\n\r\n", {"empty"});
        expectFormatError("z_0,Metadata_a\n1,\"abc\n2,x\n", {"line 2, column 2", "unterminated"});
        expectFormatError("z_0,z_1\n1,2\n3\n", {"line 3", "1 fields, expected 2"});
        expectFormatError("z_0,z_1\n1,2\n3,4,5\n", {"line 3", "3 fields"});
        expectFormatError("z_0,Metadata_a\n1,\"ab\"c\n", {"line 2, column 2", "closing quote"});
        expectFormatError("z_0,Metadata_a\n1,ab\"c\n", {"line 2, column 2", "quote"});
        // A quoted line break: the record after it starts on line 4.
        expectFormatError("z_0,Metadata_a\n1,\"multi\nline\"\n2\n", {"line 4"});
        expectFormatError("Metadata_a,name\nx,y\n", {"no feature columns"});
        expectFormatError("z_0,z_0\n1,2\n", {"line 1, column 2", "duplicate"});
        expectFormatError("z_0,z_1\n1,,\n", {"line 2", "3 fields"});
        expectFormatError("z_0,z_1\n1,\n2,3\n", {"line 2, column 2", "empty value"});
    }

    void nonFiniteFeaturesAreRejected() {
        expectFormatError("z_0,z_1\n1,2\n3,NaN\n", {"line 3, column 2", "NaN", "z_1"});
        expectFormatError("z_0\n1\n-inf\n", {"line 3, column 1", "infinite"});
        // In metadata NaN is a value like any other.
        const std::string path = file("nan-metadata.csv");
        writeText(path, "z_0,Metadata_score\n1,nan\n2,0.5\n");
        const EmbeddingTable t = readEmbeddingCsv(path);
        QVERIFY(t.metadata.column("score").numeric);
        QVERIFY(std::isnan(t.metadata.column("score").numbers[0]));

        EmbeddingTable bad = makeTable();
        bad.features[3] = std::numeric_limits<double>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(DataError, writeEmbeddingCsv(bad, file("nan.csv")));
        QVERIFY(!QFile::exists(QString::fromStdString(file("nan.csv"))));
    }

    void ioErrors() {
        QVERIFY_THROWS_EXCEPTION(IoError, readEmbeddingCsv(file("missing.csv")));
        QVERIFY_THROWS_EXCEPTION(IoError, writeEmbeddingCsv(makeTable(), file("no/such/dir.csv")));
        EmbeddingTable ragged = makeTable();
        ragged.features.pop_back();
        QVERIFY_THROWS_EXCEPTION(DataError, writeEmbeddingCsv(ragged, file("ragged.csv")));
    }
};

QTEST_GUILESS_MAIN(TestTableCsv)
#include "test_table_csv.moc"
