#pragma once
// The "Curves" popup of the embedding view's toolbar: which metadata column groups the points
// into curves (one per perturbation), which numeric column orders them (time, dose) and
// colours the points, and which layers show (curves, points, centroids).
#include <QFrame>
#include <QString>
#include <QStringList>

class QCheckBox;
class QComboBox;

namespace embedscope::ui {

class CurveControls : public QFrame {
    Q_OBJECT
public:
    /// A Qt::Popup frame; `parent` owns it (so findChild on the parent finds its controls).
    explicit CurveControls(QWidget* parent);

    /// Fills the lists: any column can group, numeric ones can order. Keeps the current
    /// choices when still present, else picks the defaults: group by "perturbation" (any
    /// case, with or without a "Metadata_" prefix) or off; order by "time", then "dose".
    /// Emits nothing.
    void setColumns(const QStringList& columns, const QStringList& numericColumns);
    /// Empty = off (group) / none (order). Unknown names select off / none. Emit nothing.
    void setGroupColumn(const QString& column);
    void setOrderColumn(const QString& column);
    QString groupColumn() const;
    QString orderColumn() const;

    void setLayers(bool curves, bool points, bool centroids); ///< emits nothing
    bool showCurves() const;
    bool showPoints() const;
    bool showCentroids() const;

    /// The default grouping / ordering column among `columns` ("" if none).
    static QString defaultGroupColumn(const QStringList& columns);
    static QString defaultOrderColumn(const QStringList& numericColumns);

Q_SIGNALS:
    void columnsChanged(); ///< the user picked another group or order column
    void layersChanged();  ///< the user toggled a layer

private:
    QComboBox* groupBy_ = nullptr;
    QComboBox* orderBy_ = nullptr;
    QCheckBox* curves_ = nullptr;
    QCheckBox* points_ = nullptr;
    QCheckBox* centroids_ = nullptr;
};

} // namespace embedscope::ui
