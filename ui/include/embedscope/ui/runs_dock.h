#pragma once
// The Runs dock (issue 6 GUI): the runs table (RunsView, top) and the selection scatter
// (RunsScatter, bottom) of one project in a vertical splitter, sharing one RunsTable and one
// selection: a run picked in either is selected in the other.
//
// Usage (main window):
//     auto* runs = new RunsDock(this);
//     dock->setWidget(runs);
//     runs->setProject(projectPath);                 // reads on a worker thread
//     connect(runs, &RunsDock::runSelected, this, &MainWindow::showRun);      // every view follows
//     connect(runs, &RunsDock::compareRequested, this, &MainWindow::compareRuns); // side by side
//     runs->selectRun(name);   // when the run is picked elsewhere (no runSelected echo)
//     runs->refresh();         // after training / while a sweep writes (e.g. on a QTimer)
//     exportFigure(*runs->scatter()->figure(), ...);  // File ▸ Export figure ("runs-scatter")
#include <QString>
#include <QWidget>

class QSplitter;

namespace embedscope::ui {

class RunsScatter;
class RunsView;

class RunsDock : public QWidget {
    Q_OBJECT
public:
    explicit RunsDock(QWidget* parent = nullptr);

    /// Reads the project's runs (worker thread); "" clears both views.
    void setProject(const QString& path);
    QString projectPath() const;
    /// Reads the project again; the scatter follows when the read is done.
    void refresh();
    /// Selects the run in the table and rings it in the scatter, without emitting.
    void selectRun(const QString& name);
    QString selectedRun() const;

    RunsView* view() const { return view_; }
    RunsScatter* scatter() const { return scatter_; }
    QSplitter* splitter() const { return splitter_; }

Q_SIGNALS:
    void runSelected(const QString& name);
    void compareRequested(const QString& a, const QString& b);

private:
    RunsView* view_ = nullptr;
    RunsScatter* scatter_ = nullptr;
    QSplitter* splitter_ = nullptr;
};

} // namespace embedscope::ui
