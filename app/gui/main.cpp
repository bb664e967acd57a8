// embedscope: the desktop application.
//   embedscope              opens the built-in demo project
//   embedscope --demo       same
//   embedscope PROJECT.h5   opens a project
#include "embedscope/plugins/builtin.h"
#include "embedscope/ui/cells_panel.h"
#include "embedscope/ui/main_window.h"
#include "embedscope/ui/vtk_widget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>

int main(int argc, char** argv) {
    // The GL format must be set before QApplication exists (see TOOLCHAIN.md).
    embedscope::ui::VtkWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("embedscope"));
    QApplication::setOrganizationName(QStringLiteral("embedscope"));
    QApplication::setApplicationVersion(QStringLiteral(EMBEDSCOPE_APP_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/embedscope/icon.svg")));
    embedscope::plugins::registerBuiltinReaders();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Train embeddings of behaviour, signals and images, and look at them."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demo(QStringLiteral("demo"),
                            QStringLiteral("Open the built-in demo project"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a PNG of the window after start-up and quit "
                                                 "(for documentation and checks)"),
                                  QStringLiteral("PNG"));
    QCommandLineOption run(QStringLiteral("run"),
                           QStringLiteral("Show this run once the project is open"),
                           QStringLiteral("NAME"));
    QCommandLineOption dockOption(QStringLiteral("dock"),
                                  QStringLiteral("Bring this dock to the front (its title, e.g. "
                                                 "Cells, Sweep, Runs)"),
                                  QStringLiteral("TITLE"));
    parser.addOption(demo);
    parser.addOption(screenshot);
    parser.addOption(run);
    parser.addOption(dockOption);
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("Project file (.h5)"));
    parser.process(app);

    embedscope::ui::MainWindow window;
    window.show();
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && !parser.isSet(demo))
        window.openProject(positional.front());
    else
        window.openDemo();

    if (parser.isSet(run)) {
        const QString name = parser.value(run);
        QObject::connect(
            &window, &embedscope::ui::MainWindow::projectOpened, &window, [&window, name] {
                // After the window's own choice of run for a newly opened project.
                QTimer::singleShot(0, &window, [&window, name] { window.showRun(name); });
            });
    }
    if (parser.isSet(dockOption)) {
        const QString title = parser.value(dockOption);
        QObject::connect(
            &window, &embedscope::ui::MainWindow::projectOpened, &window, [&window, title] {
                if (!window.raiseDock(title))
                    std::fprintf(stderr, "embedscope: no dock titled '%s'\n", qPrintable(title));
            });
    }
    if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        QObject::connect(&window, &embedscope::ui::MainWindow::projectOpened, &window, [&] {
            // 1.5 s for the views to draw, then until the Cells dock has its profiles (a
            // few seconds on the demo; at most a minute).
            auto waited = std::make_shared<int>(0);
            auto shoot = std::make_shared<std::function<void()>>();
            *shoot = [&window, path, waited, shoot] {
                if (window.cellsPanel()->busy() && (*waited += 200) < 60000) {
                    QTimer::singleShot(200, &window, *shoot);
                    return;
                }
                window.grabWindow().save(path);
                window.close();
            };
            QTimer::singleShot(1500, &window, *shoot);
        });
    }
    return app.exec();
}
