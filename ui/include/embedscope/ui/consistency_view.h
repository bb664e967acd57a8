#pragma once
// The cross-run consistency matrix of a sweep (issue 6 "GUI"; CEBRA's consistency): R² of every
// pair of runs' embeddings after alignment (engine consistencyMatrix), computed on a worker
// thread with a progress line and a Cancel button, shown as a runs × runs heat map (viridis
// 0..1, the value in each cell, run names on both axes). Clicking an off-diagonal cell asks to
// compare the two runs.
//
// Wiring for the lead (RunsDock / MainWindow):
//     consistency->setRuns(projectPath, runsDock->view()->visibleRuns());   // starts the work
//     connect(consistency, &ConsistencyView::compareRequested, geometryDock, /* compare a, b */);
//     File ▸ Export figure: consistency->figure() (viewName "consistency"; null until done).
#include "embedscope/engine/runs_table.h"
#include "embedscope/ui/background_task.h"
#include "embedscope/ui/figure.h"
#include "embedscope/ui/plot_painter.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPushButton;

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

class FigureWidget;

class ConsistencyFigure : public Figure {
public:
    /// Throws DataError when the matrix is not names × names.
    ConsistencyFigure(std::vector<QString> runs, Eigen::MatrixXd r2);
    QString viewName() const override { return QStringLiteral("consistency"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    PlotArea plotArea(const QRectF& rect, const FigureOptions& options) const;
    /// The cell of row (run) i and column j, in points.
    QRectF cellRect(const QRectF& rect, const FigureOptions& options, int row, int column) const;
    /// {row, column} under `point`, nullopt outside the matrix.
    std::optional<std::pair<int, int>> cellAt(const QRectF& rect, const FigureOptions& options,
                                              QPointF point) const;
    const std::vector<QString>& runs() const { return runs_; }
    const Eigen::MatrixXd& r2() const { return r2_; }
    static QColor cellColor(double r2); ///< viridis over 0..1 (NaN: grey)

private:
    std::vector<QString> runs_;
    Eigen::MatrixXd r2_;
};

class ConsistencyView : public QWidget {
    Q_OBJECT
public:
    explicit ConsistencyView(QWidget* parent = nullptr);
    ~ConsistencyView() override; ///< cancels and waits for a computation in flight

    /// Computes the matrix of `runs` of the project at `path` on a worker thread (a computation
    /// in flight is cancelled and its result dropped).
    void setRuns(const QString& path, const QStringList& runs);
    /// Asks the worker to stop; the result of a cancelled computation is never shown.
    void cancel();
    bool running() const { return task_->running(); }

    /// The last finished matrix (empty runs before one finished).
    const ConsistencyMatrix& matrix() const { return matrix_; }
    /// A copy of what is shown for File ▸ Export figure; nullptr while there is no matrix.
    std::shared_ptr<Figure> figure() const;
    QString statusText() const;
    QWidget* canvas() const;
    QPushButton* cancelButton() const { return cancel_; }
    /// Cell centre of (row i, column j) on the canvas, for tests and callers.
    QPointF cellCenter(int row, int column) const;

Q_SIGNALS:
    void compareRequested(const QString& a, const QString& b);
    void finished();
    void failed(const QString& message);

private:
    void clickedAt(QPointF at);
    void stop();

    BackgroundTask* task_ = nullptr;
    ConsistencyMatrix matrix_;
    std::shared_ptr<ConsistencyFigure> figure_;
    QLabel* status_ = nullptr;
    QPushButton* cancel_ = nullptr;
    FigureWidget* canvas_ = nullptr;
};

} // namespace embedscope::ui
