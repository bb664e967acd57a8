#include "embedscope/ui/runs_view.h"

#include "embedscope/engine/project.h"

#include <QAction>
#include <QBrush>
#include <QCollator>
#include <QColor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSet>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <set>

namespace embedscope::ui {
namespace {

const QColor kFailedFill(200, 40, 40);

bool isFailed(const RunsTable& table, int row) {
    const int status = table.find("status");
    return status >= 0 && table.rows[std::size_t(row)][std::size_t(status)].text == "failed";
}

/// Column index by name, exact first, then ignoring case; -1 when absent.
int columnNamed(const RunsTable& table, const QString& name) {
    const int exact = table.find(name.toStdString());
    if (exact >= 0)
        return exact;
    for (std::size_t c = 0; c < table.columns.size(); ++c)
        if (QString::fromStdString(table.columns[c].name).compare(name, Qt::CaseInsensitive) == 0)
            return int(c);
    return -1;
}

} // namespace

// ---- model -----------------------------------------------------------------------------------

RunsTableModel::RunsTableModel(QObject* parent)
    : QAbstractTableModel(parent), table_(std::make_shared<RunsTable>()) {}

void RunsTableModel::setTable(std::shared_ptr<const RunsTable> table) {
    beginResetModel();
    table_ = table ? std::move(table) : std::make_shared<RunsTable>();
    endResetModel();
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(table_->rows.size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(table_->columns.size());
}

QString RunsTableModel::formatNumber(double value) {
    if (!std::isfinite(value))
        return {};
    if (value == std::floor(value) && std::fabs(value) < 1e6)
        return QString::number(qint64(value));
    return QString::number(value, 'g', 4);
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid())
        return {};
    const std::size_t row = std::size_t(index.row());
    const RunsColumn& column = table_->columns[std::size_t(index.column())];
    const RunsCell& cell = table_->rows[row][std::size_t(index.column())];
    const bool statusColumn = column.name == "status" && column.kind == RunsColumn::Kind::Info;
    switch (role) {
    case Qt::DisplayRole:
        return column.numeric ? formatNumber(cell.number) : QString::fromStdString(cell.text);
    case Qt::ToolTipRole: {
        if (isFailed(*table_, index.row()) && (statusColumn || index.column() == 0)) {
            const int error = table_->find("error");
            const std::string why = error >= 0 ? table_->rows[row][std::size_t(error)].text : "";
            return tr("failed: %1")
                .arg(why.empty() ? tr("no error was recorded") : QString::fromStdString(why));
        }
        const QString full = QString::fromStdString(table_->text(row, index.column()));
        return full.isEmpty() ? QVariant() : QVariant(full);
    }
    case Qt::TextAlignmentRole:
        return column.numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::BackgroundRole:
        if (statusColumn && isFailed(*table_, index.row()))
            return QBrush(kFailedFill);
        return {};
    case Qt::ForegroundRole:
        if (statusColumn && isFailed(*table_, index.row()))
            return QBrush(Qt::white);
        return {};
    case kSortRole:
        return column.numeric ? QVariant(cell.number) : QVariant(QString::fromStdString(cell.text));
    default:
        return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    const RunsColumn& column = table_->columns[std::size_t(section)];
    if (role == Qt::DisplayRole)
        return QString::fromStdString(column.name);
    if (role == Qt::ToolTipRole) {
        const char* kind = column.kind == RunsColumn::Kind::Info        ? "run"
                           : column.kind == RunsColumn::Kind::Parameter ? "hyperparameter"
                                                                        : "metric (best epoch)";
        return tr("%1: %2, %3")
            .arg(QString::fromStdString(column.name), tr(kind),
                 column.numeric ? tr("numeric") : tr("text"));
    }
    return {};
}

// ---- proxy -----------------------------------------------------------------------------------

RunsFilterProxy::RunsFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(RunsTableModel::kSortRole);
}

QString RunsFilterProxy::setExpression(const QString& expression) {
    auto* model = qobject_cast<RunsTableModel*>(sourceModel());
    const QString text = expression.trimmed();
    Op op = Op::None;
    int column = -1;
    double number = 0;
    QString value;
    // `column op value`: anything with a comparison sign is an expression, never a text search.
    static const QRegularExpression kCompare(QStringLiteral("^([^<>=]*)(<=|>=|<|>|=)(.*)$"));
    const auto match = kCompare.match(text);
    if (text.isEmpty()) {
        op = Op::None;
    } else if (!match.hasMatch()) {
        op = Op::Text;
        value = text;
    } else {
        const QString name = match.captured(1).trimmed();
        const QString sign = match.captured(2);
        value = match.captured(3).trimmed();
        if (name.isEmpty())
            return tr("'%1': a column name is missing before '%2'").arg(text, sign);
        if (!model)
            return tr("no table");
        const RunsTable& table = *model->table();
        column = columnNamed(table, name);
        if (column < 0)
            return tr("'%1': no column '%2'").arg(text, name);
        const RunsColumn& c = table.columns[std::size_t(column)];
        if (value.isEmpty())
            return tr("'%1': a value is missing after '%2'").arg(text, sign);
        op = sign == QLatin1String("<")    ? Op::Less
             : sign == QLatin1String("<=") ? Op::LessEqual
             : sign == QLatin1String(">")  ? Op::Greater
             : sign == QLatin1String(">=") ? Op::GreaterEqual
                                           : Op::Equal;
        if (c.numeric) {
            bool ok = false;
            number = value.toDouble(&ok);
            if (!ok || !std::isfinite(number))
                return tr("'%1': '%2' is not a number").arg(text, value);
        } else if (op != Op::Equal) {
            return tr("'%1': '%2' holds text; use '=' or type the text alone")
                .arg(text, QString::fromStdString(c.name));
        }
    }
    op_ = op;
    column_ = column;
    number_ = number;
    text_ = value;
    invalidateFilter();
    return {};
}

bool RunsFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QVariant a = left.data(RunsTableModel::kSortRole);
    const QVariant b = right.data(RunsTableModel::kSortRole);
    // Missing values go last whichever way the column is sorted (the view reverses lessThan
    // for a descending sort, so "last" means greatest ascending and least descending).
    const bool last = sortOrder() == Qt::AscendingOrder;
    if (a.typeId() == QMetaType::Double) {
        const double x = a.toDouble(), y = b.toDouble();
        if (std::isnan(x) || std::isnan(y)) {
            if (std::isnan(x) && std::isnan(y))
                return false;
            return std::isnan(x) ? !last : last;
        }
        return x < y;
    }
    const QString x = a.toString(), y = b.toString();
    if (x.isEmpty() || y.isEmpty()) {
        if (x.isEmpty() && y.isEmpty())
            return false;
        return x.isEmpty() ? !last : last;
    }
    static const QCollator collator = [] {
        QCollator c;
        c.setNumericMode(true); // run-2 before run-10
        c.setCaseSensitivity(Qt::CaseInsensitive);
        return c;
    }();
    return collator.compare(x, y) < 0;
}

void RunsFilterProxy::setRunFilter(const QStringList& runs) {
    runFilterOn_ = true;
    runFilter_ = QSet<QString>(runs.begin(), runs.end());
    invalidateFilter();
}

void RunsFilterProxy::clearRunFilter() {
    if (!runFilterOn_)
        return;
    runFilterOn_ = false;
    runFilter_.clear();
    invalidateFilter();
}

bool RunsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    auto* model = qobject_cast<RunsTableModel*>(sourceModel());
    if (!model)
        return true;
    const RunsTable& table = *model->table();
    if (runFilterOn_ && sourceRow < int(table.rows.size()) &&
        !runFilter_.contains(QString::fromStdString(table.runName(std::size_t(sourceRow)))))
        return false;
    if (op_ == Op::None)
        return true;
    if (op_ == Op::Text) {
        for (int c = 0; c < int(table.columns.size()); ++c) {
            const QModelIndex index = model->index(sourceRow, c, sourceParent);
            if (index.data(Qt::DisplayRole).toString().contains(text_, Qt::CaseInsensitive) ||
                QString::fromStdString(table.text(std::size_t(sourceRow), c))
                    .contains(text_, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }
    if (column_ < 0 || column_ >= int(table.columns.size()))
        return true;
    const RunsCell& cell = table.rows[std::size_t(sourceRow)][std::size_t(column_)];
    if (!table.columns[std::size_t(column_)].numeric)
        return QString::fromStdString(cell.text).compare(text_, Qt::CaseInsensitive) == 0;
    const double v = cell.number; // NaN fails every comparison: missing values are filtered out
    switch (op_) {
    case Op::Less:
        return v < number_;
    case Op::LessEqual:
        return v <= number_;
    case Op::Greater:
        return v > number_;
    case Op::GreaterEqual:
        return v >= number_;
    case Op::Equal:
        return v == number_;
    default:
        return true;
    }
}

// ---- view ------------------------------------------------------------------------------------

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("runsFilter"));
    filter_->setClearButtonEnabled(true);
    filter_->setPlaceholderText(tr("Filter: text, or column>value, column<value, column=value"));
    filterError_ = new QLabel(this);
    filterError_->setObjectName(QStringLiteral("runsFilterError"));
    filterError_->setStyleSheet(QStringLiteral("color: #c62828;"));
    filterError_->hide();
    connect(filter_, &QLineEdit::textChanged, this,
            [this](const QString& text) { setFilter(text); });

    model_ = new RunsTableModel(this);
    proxy_ = new RunsFilterProxy(this);
    proxy_->setSourceModel(model_);
    view_ = new QTableView(this);
    view_->setObjectName(QStringLiteral("runsTable"));
    view_->setModel(proxy_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(0, Qt::AscendingOrder);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setAlternatingRowColors(true);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
    view_->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    view_->horizontalHeader()->setToolTip(tr("Right-click to choose the columns"));
    connect(view_->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this](const QPoint& at) {
                QMenu* menu = createColumnMenu(this);
                menu->setAttribute(Qt::WA_DeleteOnClose);
                menu->popup(view_->horizontalHeader()->mapToGlobal(at));
            });
    view_->viewport()->installEventFilter(this);
    connect(view_, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const QString name = runAtProxyRow(index.row());
        if (name.isEmpty())
            return;
        selected_ = name;
        Q_EMIT runSelected(name);
    });
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("runsStatus"));
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(filter_, 1);
    bar->addWidget(filterError_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);
    layout->addWidget(status_);
    updateStatus();
}

RunsView::~RunsView() {
    // runsTable cannot be cancelled; a read takes about a second at most.
    ++generation_;
    if (thread_) {
        thread_->wait();
        delete thread_;
    }
}

void RunsView::setProject(const QString& path) {
    path_ = path;
    ++generation_;
    loadError_.clear();
    if (path.isEmpty()) {
        pending_ = false;
        applyTable(std::make_shared<RunsTable>());
        return;
    }
    refresh();
}

void RunsView::refresh() {
    if (path_.isEmpty())
        return;
    if (thread_) {
        pending_ = true; // the read in flight may have missed what changed
        return;
    }
    startRead();
}

void RunsView::startRead() {
    const int generation = generation_;
    auto out = std::make_shared<std::shared_ptr<const RunsTable>>();
    auto error = std::make_shared<QString>();
    thread_ = QThread::create([path = path_.toStdString(), out, error] {
        try {
            *out = std::make_shared<const RunsTable>(runsTable(ProjectFile::open(path)));
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    connect(thread_, &QThread::finished, this, [this, generation, out, error] {
        thread_->deleteLater();
        thread_ = nullptr;
        if (generation == generation_) {
            if (error->isEmpty()) {
                loadError_.clear();
                applyTable(*out);
                Q_EMIT tableLoaded();
            } else {
                // Keep the rows shown (a sweep may be rewriting the file); say why.
                loadError_ = tr("Cannot read the runs of %1: %2").arg(path_, *error);
                updateStatus();
                Q_EMIT loadFailed(loadError_);
            }
        }
        if (pending_) {
            pending_ = false;
            startRead();
        }
    });
    updateStatus();
    thread_->start(QThread::LowPriority);
}

void RunsView::applyTable(std::shared_ptr<const RunsTable> table) {
    // Parameters whose cells all read the same are hidden by default.
    constant_.clear();
    if (table)
        for (std::size_t c = 0; c < table->columns.size(); ++c) {
            if (table->columns[c].kind != RunsColumn::Kind::Parameter)
                continue;
            std::set<std::string> seen;
            for (std::size_t r = 0; r < table->rows.size(); ++r)
                seen.insert(table->text(r, int(c)));
            if (seen.size() <= 1)
                constant_ << QString::fromStdString(table->columns[c].name);
        }
    const int sortColumn = view_->horizontalHeader()->sortIndicatorSection();
    const QString sortName =
        sortColumn >= 0 && sortColumn < model_->columnCount()
            ? QString::fromStdString(model_->table()->columns[std::size_t(sortColumn)].name)
            : QString();
    const Qt::SortOrder order = view_->horizontalHeader()->sortIndicatorOrder();
    model_->setTable(std::move(table));
    // The sort and the filter follow the columns by name (columns may come and go).
    const int again = sortName.isEmpty() ? 0 : columnNamed(*model_->table(), sortName);
    view_->sortByColumn(again >= 0 ? again : 0, order);
    setFilter(filter_->text());
    applyColumnVisibility();
    selectRun(selected_);
    updateStatus();
}

void RunsView::applyColumnVisibility() {
    const RunsTable& table = *model_->table();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const QString name = QString::fromStdString(table.columns[c].name);
        view_->setColumnHidden(int(c), !isColumnVisible(name));
    }
}

void RunsView::setColumnVisible(const QString& column, bool visible) {
    userVisible_[column] = visible;
    applyColumnVisibility();
}

bool RunsView::isColumnVisible(const QString& column) const {
    const auto it = userVisible_.find(column);
    if (it != userVisible_.end())
        return it.value();
    return !constant_.contains(column);
}

QMenu* RunsView::createColumnMenu(QWidget* parent) {
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("runsColumnMenu"));
    const RunsTable& table = *model_->table();
    RunsColumn::Kind last = RunsColumn::Kind::Info;
    for (const RunsColumn& column : table.columns) {
        if (column.kind != last)
            menu->addSeparator(); // run info | hyperparameters | metrics
        last = column.kind;
        const QString name = QString::fromStdString(column.name);
        QAction* action = menu->addAction(name);
        action->setCheckable(true);
        action->setChecked(isColumnVisible(name));
        if (constant_.contains(name))
            action->setToolTip(tr("The same in every run"));
        connect(action, &QAction::toggled, this,
                [this, name](bool on) { setColumnVisible(name, on); });
    }
    return menu;
}

QString RunsView::setFilter(const QString& expression) {
    if (filter_->text() != expression) {
        filter_->setText(expression); // textChanged calls back here
        return filterError();
    }
    const QString error = proxy_->setExpression(expression);
    filterError_->setText(error);
    filterError_->setVisible(!error.isEmpty());
    filter_->setStyleSheet(error.isEmpty() ? QString()
                                           : QStringLiteral("QLineEdit { color: #c62828; }"));
    selectRun(selected_); // a selected run filtered back in is selected again
    updateStatus();
    return error;
}

QString RunsView::filterError() const {
    return filterError_->text();
}

QStringList RunsView::visibleRuns() const {
    QStringList names;
    for (int r = 0; r < proxy_->rowCount(); ++r)
        names << runAtProxyRow(r);
    return names;
}

void RunsView::setBrushedRuns(const QStringList& runs) {
    proxy_->setRunFilter(runs);
    selectRun(selected_); // a run brushed back in is selected again
    updateStatus();
}

void RunsView::clearBrushedRuns() {
    proxy_->clearRunFilter();
    selectRun(selected_);
    updateStatus();
}

QString RunsView::runAtProxyRow(int row) const {
    if (row < 0 || row >= proxy_->rowCount())
        return {};
    const QModelIndex source = proxy_->mapToSource(proxy_->index(row, 0));
    return QString::fromStdString(model_->table()->runName(std::size_t(source.row())));
}

void RunsView::selectRun(const QString& name) {
    selected_ = name;
    QItemSelectionModel* selection = view_->selectionModel();
    const RunsTable& table = *model_->table();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (name.isEmpty() || QString::fromStdString(table.runName(r)) != name)
            continue;
        const QModelIndex index = proxy_->mapFromSource(model_->index(int(r), 0));
        if (!index.isValid())
            break; // filtered out: remembered, selected again when it shows
        selection->setCurrentIndex(index,
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view_->scrollTo(index);
        return;
    }
    selection->clearSelection();
}

bool RunsView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_->viewport() && event->type() == QEvent::MouseButtonPress) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton && (mouse->modifiers() & Qt::ShiftModifier)) {
            const QString other = runAtProxyRow(view_->indexAt(mouse->position().toPoint()).row());
            if (!other.isEmpty() && !selected_.isEmpty() && other != selected_) {
                Q_EMIT compareRequested(selected_, other);
                return true; // the selection stays on the first run
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString RunsView::statusText() const {
    return status_->text();
}

void RunsView::updateStatus() {
    QString text;
    if (!loadError_.isEmpty())
        text = loadError_;
    else if (path_.isEmpty())
        text = tr("No project");
    else {
        const int all = model_->rowCount(), shown = proxy_->rowCount();
        text = proxy_->hasRunFilter()
                   ? tr("%1 of %2 runs (brushed in parallel coordinates)").arg(shown).arg(all)
               : shown == all ? tr("%n run(s)", nullptr, all)
                              : tr("%1 of %n run(s) shown", nullptr, all).arg(shown);
        if (!constant_.isEmpty())
            text += tr(" · %n parameter(s) the same in every run hidden (right-click the header)",
                       nullptr, int(constant_.size()));
    }
    if (thread_)
        text += tr(" · reading…");
    status_->setText(text);
    status_->setStyleSheet(loadError_.isEmpty() ? QString() : QStringLiteral("color: #c62828;"));
}

} // namespace embedscope::ui
