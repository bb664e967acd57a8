// embedscope-cli export (issue 7): every view of a run to PNG/SVG/PDF from the command line.
// PNG pixel size from mm and DPI (read from the IHDR chunk), SVG as XML with the axis titles as
// text, PDF magic, 3-D views needing a display, and clear errors for unknown views, runs and
// unwritable paths. A headless build (EMBEDSCOPE_BUILD_GUI=OFF) must say it cannot export.
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "cli_runner.h"

namespace {

/// Width and height from a PNG's IHDR chunk (big-endian at bytes 16..23); {-1, -1} if not PNG.
QPair<int, int> pngSize(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {-1, -1};
    const QByteArray head = f.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG"))
        return {-1, -1};
    auto be = [&](int at) {
        return (uchar(head[at]) << 24) | (uchar(head[at + 1]) << 16) | (uchar(head[at + 2]) << 8) |
               uchar(head[at + 3]);
    };
    return {be(16), be(20)};
}

QStringList svgTexts(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {QStringLiteral("cannot open")};
    QXmlStreamReader xml(&f);
    QStringList texts;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("text"))
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).simplified();
    }
    if (xml.hasError())
        return {QStringLiteral("XML error: ") + xml.errorString()};
    return texts;
}

} // namespace

class TestCliExport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString project_;
    QString run_;
    bool gui_ = true;

    QString path(const QString& name) const { return dir_.filePath(name); }
    CliResult exportView(const QStringList& extra) {
        return runCli(
            QStringList{"export", "--project", project_, "--run", run_, "--json", "--quiet"} +
            extra);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString data = path("data.h5");
        project_ = path("project.h5");
        // (2 substances x 4 doses + control) x 6 animals: enough for a Hill fit per substance.
        const CliResult sim =
            runCli({"simulate", "openfield", "--out", data, "--substances", "2", "--doses", "4",
                    "--animals", "6", "--minutes", "1", "--seed", "5", "--json", "--quiet"});
        QVERIFY2(sim.exitCode == 0, qPrintable(sim.err));
        const CliResult train =
            runCli({"train", "--data", data, "--project", project_, "--epochs", "2", "--seed", "3",
                    "--set", "batch_size=8", "--json", "--quiet"});
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        run_ = train.json.value("run").toString();
        QVERIFY(!run_.isEmpty());
        const CliResult probe = exportView({"--view", "loss", "--out", path("probe.svg")});
        if (probe.exitCode != 0 && probe.err.contains("built without")) {
            gui_ = false; // the headless build: the message is the behaviour under test
            QVERIFY(probe.err.contains("EMBEDSCOPE_BUILD_GUI=OFF"));
        }
    }

    void pngHasTheSizeOfMillimetresAtTheDpi() {
        if (!gui_)
            QSKIP("headless build: export is not available (checked in initTestCase)");
        const QString out = path("loss.png");
        const CliResult r = exportView(
            {"--view", "loss", "--out", out, "--width", "160", "--height", "100", "--dpi", "300"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // 160 mm = 6.299 in -> 1890 px at 300 dpi; 100 mm -> 1181 px.
        QCOMPARE(pngSize(out), qMakePair(1890, 1181));
        QCOMPARE(r.json.value("width_px").toInt(), 1890);
        QCOMPARE(r.json.value("format").toString(), QStringLiteral("png"));
        const CliResult px = exportView({"--view", "loss", "--out", path("loss_px.png"), "--px",
                                         "--width", "800", "--height", "500", "--dpi", "96"});
        QVERIFY2(px.exitCode == 0, qPrintable(px.err));
        QCOMPARE(pngSize(path("loss_px.png")), qMakePair(800, 500));
    }

    void svgViewsKeepTheirText_data() {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QStringList>("texts");
        QTest::newRow("loss") << "loss" << QStringList{"epoch", "train", "validation"};
        QTest::newRow("dose-response") << "dose-response" << QStringList{"S1", "S2", "Dose"};
        QTest::newRow("dose-heatmap") << "dose-heatmap" << QStringList{"S1", "Substance"};
        QTest::newRow("explained-variance")
            << "explained-variance" << QStringList{"PC1", "Explained variance"};
        QTest::newRow("embedding") << "embedding" << QStringList{"PC1", "control", "S2"};
        QTest::newRow("confusion") << "confusion" << QStringList{"True class", "Predicted class"};
    }
    void svgViewsKeepTheirText() {
        if (!gui_)
            QSKIP("headless build: export is not available (checked in initTestCase)");
        QFETCH(QString, view);
        QFETCH(QStringList, texts);
        const QString out = path(view + ".svg");
        QStringList args{"--view", view, "--out", out, "--title", "Figure of " + view};
        if (view == "confusion")
            args << "--label"
                 << "substance";
        const CliResult r = exportView(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList found = svgTexts(out);
        const QString all = found.join(QLatin1Char('|'));
        QVERIFY2(!all.startsWith("XML error"), qPrintable(all));
        for (const QString& t : texts + QStringList{"Figure of " + view})
            QVERIFY2(all.contains(t), qPrintable(t + " not in " + all.left(400)));
    }

    void pdfAndTheThreeDimensionalView() {
        if (!gui_)
            QSKIP("headless build: export is not available (checked in initTestCase)");
        const QString pdf = path("dose.pdf");
        const CliResult r = exportView({"--view", "dose-response", "--out", pdf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
        // 3-D is a raster of an OpenGL scene: SVG is refused, PNG needs a display.
        const CliResult svg3d =
            exportView({"--view", "embedding", "--dims", "3", "--out", path("e3.svg")});
        QCOMPARE(svg3d.exitCode, 1);
        const CliResult png3d = exportView(
            {"--view", "embedding", "--dims", "3", "--dose-paths", "--out", path("e3.png")});
        if (qEnvironmentVariableIsEmpty("DISPLAY")) {
            QCOMPARE(png3d.exitCode, 1);
            QVERIFY2(png3d.err.contains("xvfb-run"), qPrintable(png3d.err));
        } else {
            QVERIFY2(png3d.exitCode == 0, qPrintable(png3d.err));
            QCOMPARE(pngSize(path("e3.png")).first, 1890);
        }
    }

    void badInputIsExplained() {
        if (!gui_)
            QSKIP("headless build: export is not available (checked in initTestCase)");
        const CliResult view = exportView({"--view", "nonsense", "--out", path("x.png")});
        QCOMPARE(view.exitCode, 1);
        QVERIFY2(view.err.contains("nonsense") && view.err.contains("dose-response"),
                 qPrintable(view.err));
        const CliResult run = runCli({"export", "--project", project_, "--run", "no-such-run",
                                      "--view", "loss", "--out", path("y.png")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no-such-run"), qPrintable(run.err));
        const QString unwritable = path("missing-dir/z.svg");
        const CliResult dir = exportView({"--view", "loss", "--out", unwritable});
        QCOMPARE(dir.exitCode, 1);
        QVERIFY2(dir.err.contains(unwritable), qPrintable(dir.err));
        QVERIFY(!QFile::exists(unwritable));
        const CliResult suffix = exportView({"--view", "loss", "--out", path("figure.tiff")});
        QCOMPARE(suffix.exitCode, 1);
        QVERIFY2(suffix.err.contains("--format"), qPrintable(suffix.err));
        const CliResult dpi = exportView({"--view", "loss", "--out", path("d.png"), "--dpi", "5"});
        QCOMPARE(dpi.exitCode, 1);
        QVERIFY2(dpi.err.contains("dpi"), qPrintable(dpi.err));
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
