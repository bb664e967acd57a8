#pragma once
// The data/runs panel: what the open project holds.
#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace embedscope::ui {

struct RunSummary {
    QString name;
    QString status;
    int epochs = 0;
    int bestEpoch = -1;
    double bestValLoss = 0;
};

class ProjectPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProjectPanel(QWidget* parent = nullptr);

    void setProject(const QString& path, const QStringList& datasets,
                    const QList<RunSummary>& runs);
    void clear();
    void selectRun(const QString& name);
    QString selectedRun() const;
    int runCount() const;
    QTreeWidget* tree() const { return tree_; }

Q_SIGNALS:
    void runSelected(const QString& name);
    /// A data set was picked in the tree (the one training and the embedding view use).
    void datasetSelected(const QString& name);
    void openRequested();
    void demoRequested();

private:
    QLabel* path_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    QTreeWidgetItem* datasetsRoot_ = nullptr;
    QTreeWidgetItem* runsRoot_ = nullptr;
};

} // namespace embedscope::ui
