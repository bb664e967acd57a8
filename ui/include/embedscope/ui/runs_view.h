#pragma once
// The runs table of a project (issue 6 "GUI"): one row per run with its status, hyperparameters
// and best-checkpoint metrics (engine runsTable), read on a worker thread so the GUI stays
// responsive while many runs load (refresh() again while a sweep writes). Sortable by any
// column (numbers as numbers, missing values last in both orders), filtered by a line edit
// (text in any column, or `column>value`, `column<value`, `column=value`; an invalid expression
// says why in red and leaves the rows as they were), columns chosen in the header's context
// menu (parameters that do not vary are hidden until shown; the choice survives refreshes),
// numbers to 4 significant digits (full value in the tooltip), failed runs with a red status
// cell and their error as its tooltip. Brushing in the parallel coordinates narrows the rows to
// the runs inside the brushes (setBrushedRuns), on top of the line edit's filter.
#include "embedscope/engine/runs_table.h"

#include <QHash>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QThread;

namespace embedscope::ui {

/// The RunsTable as an item model. Qt::DisplayRole: 4 significant digits; Qt::ToolTipRole: the
/// full value (failed runs: the error); kSortRole: the number (NaN = missing) or the text.
class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kSortRole = Qt::UserRole + 1;
    explicit RunsTableModel(QObject* parent = nullptr);

    void setTable(std::shared_ptr<const RunsTable> table);
    std::shared_ptr<const RunsTable> table() const { return table_; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// A number to 4 significant digits; integers below 10^6 in full; NaN as "".
    static QString formatNumber(double value);

private:
    std::shared_ptr<const RunsTable> table_;
};

/// Sorts numbers as numbers with missing values (NaN, "") last in either order, and filters by
/// a text or a `column op value` expression.
class RunsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunsFilterProxy(QObject* parent = nullptr);

    /// Parses and applies `expression`. Returns "" on success; otherwise why it is invalid (the
    /// filter in force is then left unchanged). "" clears the filter.
    QString setExpression(const QString& expression);
    /// Keeps only the rows of `runs` as well (parallel-coordinates brushing; an empty list keeps
    /// none); clearRunFilter() lifts it.
    void setRunFilter(const QStringList& runs);
    void clearRunFilter();
    bool hasRunFilter() const { return runFilterOn_; }

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    enum class Op { None, Text, Less, LessEqual, Greater, GreaterEqual, Equal };
    Op op_ = Op::None;
    int column_ = -1;
    double number_ = 0;
    QString text_;
    bool runFilterOn_ = false;
    QSet<QString> runFilter_;
};

class RunsView : public QWidget {
    Q_OBJECT
public:
    explicit RunsView(QWidget* parent = nullptr);
    ~RunsView() override;

    /// Reads the runs of the project at `path` on a worker thread (tableLoaded() when done);
    /// "" clears the table.
    void setProject(const QString& path);
    QString projectPath() const { return path_; }
    /// Reads the project again (a refresh asked while one is running runs after it).
    void refresh();
    bool loading() const { return thread_ != nullptr; }

    /// The table shown (never null; empty before the first read).
    std::shared_ptr<const RunsTable> table() const { return model_->table(); }
    /// Selects the run's row (scrolled into view) without emitting runSelected; "" clears.
    void selectRun(const QString& name);
    QString selectedRun() const { return selected_; }

    /// Applies a filter as typed into the line edit; returns the error shown ("" when valid).
    QString setFilter(const QString& expression);
    QString filterError() const;
    /// Run names of the rows shown, in the order shown.
    QStringList visibleRuns() const;
    /// Shows only `runs` (those inside the parallel-coordinates brushes), combined with the
    /// filter; the status line says "N of M runs (brushed in parallel coordinates)".
    void setBrushedRuns(const QStringList& runs);
    /// Every run again (the brushes were cleared).
    void clearBrushedRuns();
    bool brushed() const { return proxy_->hasRunFilter(); }

    void setColumnVisible(const QString& column, bool visible);
    bool isColumnVisible(const QString& column) const;
    /// The header's context menu: one checkable entry per column (caller owns it).
    QMenu* createColumnMenu(QWidget* parent);
    /// The status line under the table (errors reading the project, row counts).
    QString statusText() const;

    QTableView* tableView() const { return view_; }
    RunsFilterProxy* proxy() const { return proxy_; }
    RunsTableModel* model() const { return model_; }
    QLineEdit* filterEdit() const { return filter_; }

Q_SIGNALS:
    void runSelected(const QString& name);
    /// Shift-click on a second row: `a` is the selected run, `b` the clicked one.
    void compareRequested(const QString& a, const QString& b);
    /// A read finished and table() holds its result.
    void tableLoaded();
    void loadFailed(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void startRead();
    void applyTable(std::shared_ptr<const RunsTable> table);
    void applyColumnVisibility();
    void updateStatus();
    QString runAtProxyRow(int row) const;

    QString path_;
    QString selected_;
    QString loadError_;
    QLineEdit* filter_ = nullptr;
    QLabel* filterError_ = nullptr;
    QTableView* view_ = nullptr;
    QLabel* status_ = nullptr;
    RunsTableModel* model_ = nullptr;
    RunsFilterProxy* proxy_ = nullptr;
    QThread* thread_ = nullptr;
    bool pending_ = false;
    int generation_ = 0;
    /// Columns the user showed or hid, by name (kept across refreshes and projects).
    QHash<QString, bool> userVisible_;
    /// Parameters that read the same in every row (hidden unless the user shows them).
    QStringList constant_;
};

} // namespace embedscope::ui
