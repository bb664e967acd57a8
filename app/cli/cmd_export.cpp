// embedscope-cli export --project P.h5 --run NAME --view VIEW --format png|svg|pdf --out FILE
// [--width W --height H (mm, or px with --px) --dpi D --font-size PT --title T --no-legend
//  --dark --dims 2|3 --color-by COL --dose-paths --highlight S --metric KEY --label COL]
// Issue 7: every view of a run as a publishable file, the same figure the GUI exports. Needs
// the GUI build (Qt charts, VTK); the headless build says so.
#include "cli_common.h"

#include "embedscope/engine/error.h"

#ifdef EMBEDSCOPE_CLI_WITH_GUI
#include "embedscope/ui/figure.h"
#include "embedscope/ui/run_figures.h"

#include <QApplication>
#include <QFileInfo>
#endif

#include <cstdlib>
#include <sstream>

namespace embedscope::cli {
namespace {

struct ExportOptions {
    CommonOptions common;
    std::string project, run, view, format, out;
    double width = 160, height = 100, dpi = 300, fontPt = 9;
    bool pixels = false, noLegend = false, dark = false, dosePaths = false;
    std::string title, colorBy, highlight, metric, label;
    int dims = 2;
};

#ifdef EMBEDSCOPE_CLI_WITH_GUI
int runExport(const ExportOptions& o) {
    using namespace embedscope::ui;
    // Charts are Qt widgets: a QApplication is needed, with no display the offscreen platform
    // (2-D figures paint with QPainter; 3-D ones need GL, i.e. an X display or xvfb-run).
    const bool hasDisplay = std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY");
    if (!hasDisplay && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "embedscope-cli";
    static char* argv[] = {name, nullptr};
    QApplication app(argc, argv);

    FigureOptions options;
    options.width = o.width;
    options.height = o.height;
    options.unit = o.pixels ? FigureOptions::Unit::Pixels : FigureOptions::Unit::Millimetres;
    options.dpi = o.dpi;
    options.fontPt = o.fontPt;
    options.title = QString::fromStdString(o.title);
    options.legend = !o.noLegend;
    options.lightBackground = !o.dark;
    options.validate();
    const QString out = QString::fromStdString(o.out);
    FigureFormat format;
    if (!o.format.empty())
        format = parseFigureFormat(QString::fromStdString(o.format));
    else if (auto fromPath = figureFormatOfPath(out))
        format = *fromPath;
    else
        throw ConfigError("--out " + o.out +
                          ": no --format given and the suffix is not .png, .svg or .pdf");

    RunFigureInput input =
        loadRunFigureInput(QString::fromStdString(o.project), QString::fromStdString(o.run));
    input.colorColumn = QString::fromStdString(o.colorBy);
    input.dims = o.dims;
    input.dosePaths = o.dosePaths;
    input.highlight = QString::fromStdString(o.highlight);
    input.metric = QString::fromStdString(o.metric);
    input.labelColumn = QString::fromStdString(o.label);
    const auto figure =
        makeRunFigure(QString::fromStdString(o.view), input, cliJobContext(o.common));
    if (figure->raster() && !hasDisplay)
        throw ConfigError("view '" + o.view +
                          "' is a 3-D scene rendered with OpenGL: run under an X display "
                          "(e.g. xvfb-run embedscope-cli export ...) or use --dims 2");
    exportFigure(*figure, options, format, out);

    const QSize px = options.sizePixels();
    nlohmann::json result{{"out", QFileInfo(out).absoluteFilePath().toStdString()},
                          {"view", o.view},
                          {"run", o.run},
                          {"format", figureFormatName(format).toStdString()},
                          {"width_mm", options.sizePoints().width() * 25.4 / 72.0},
                          {"height_mm", options.sizePoints().height() * 25.4 / 72.0},
                          {"dpi", options.dpi},
                          {"raster", figure->raster()}};
    if (format == FigureFormat::Png) {
        result["width_px"] = px.width();
        result["height_px"] = px.height();
    }
    std::ostringstream human;
    human << "wrote " << result["out"].get<std::string>() << " (" << o.view << " of " << o.run
          << ", " << figureFormatName(format).toStdString() << ")\n";
    printResult(o.common, result, human.str());
    return 0;
}
#else
int runExport(const ExportOptions&) {
    throw ConfigError("export draws Qt and VTK figures: this embedscope-cli was built without "
                      "them (EMBEDSCOPE_BUILD_GUI=OFF); use a build with the GUI");
}
#endif

} // namespace

void addExportCommand(CLI::App& app) {
    auto o = std::make_shared<ExportOptions>();
    auto* cmd = app.add_subcommand(
        "export", "Export a view of a run as a figure: PNG at a DPI, or SVG/PDF vectors (2-D "
                  "views; 3-D views embed a raster in PDF)");
    cmd->add_option("--project", o->project, "Project file (.h5)")->required();
    cmd->add_option("--run", o->run, "Run name")->required();
    cmd->add_option("--view", o->view,
                    "embedding, loss, metrics, explained-variance, confusion, dose-response or "
                    "dose-heatmap")
        ->required();
    cmd->add_option("--out", o->out, "Output file")->required();
    cmd->add_option("--format", o->format, "png, svg or pdf (default: from --out's suffix)");
    cmd->add_option("--width", o->width, "Width in mm (or px with --px); default 160 mm");
    cmd->add_option("--height", o->height, "Height in mm (or px with --px); default 100 mm");
    cmd->add_flag("--px", o->pixels, "--width/--height are pixels at --dpi");
    cmd->add_option("--dpi", o->dpi, "PNG resolution (and 3-D raster in PDF); default 300");
    cmd->add_option("--font-size", o->fontPt, "Base font size in points; default 9");
    cmd->add_option("--title", o->title, "Figure title (default none)");
    cmd->add_flag("--no-legend", o->noLegend, "Leave the legend out");
    cmd->add_flag("--dark", o->dark, "Dark background instead of white");
    cmd->add_option("--dims", o->dims, "Embedding: 2 (vector) or 3 (raster)")
        ->check(CLI::IsMember({2, 3}));
    cmd->add_option("--color-by", o->colorBy, "Embedding: metadata column for colours");
    cmd->add_flag("--dose-paths", o->dosePaths,
                  "Embedding: arrows control → lowest → highest dose centroid per substance");
    cmd->add_option("--highlight", o->highlight, "Substance (or category) to emphasise");
    cmd->add_option("--metric", o->metric, "Metrics view: metric key (default the first)");
    cmd->add_option("--label", o->label,
                    "Confusion view: class column (default indication or label)");
    addCommonOptions(cmd, o->common);
    cmd->callback([o] { setExitCode(runCommand("export", [&] { return runExport(*o); })); });
}

} // namespace embedscope::cli
