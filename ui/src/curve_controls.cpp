#include "curve_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSignalBlocker>

namespace embedscope::ui {
namespace {

// "perturbation", "Perturbation" and "Metadata_perturbation" all match "perturbation".
QString findColumn(const QStringList& columns, const QString& wanted) {
    for (const QString& c : columns) {
        QString bare = c;
        if (bare.startsWith(QLatin1String("Metadata_"), Qt::CaseInsensitive))
            bare = bare.mid(9);
        if (bare.compare(wanted, Qt::CaseInsensitive) == 0)
            return c;
    }
    return {};
}

void fill(QComboBox* box, const QString& noneText, const QStringList& items,
          const QString& select) {
    const QSignalBlocker block(box);
    box->clear();
    box->addItem(noneText, QString());
    for (const QString& item : items)
        box->addItem(item, item);
    const int i = select.isEmpty() ? 0 : box->findData(select);
    box->setCurrentIndex(i >= 0 ? i : 0);
}

} // namespace

CurveControls::CurveControls(QWidget* parent) : QFrame(parent, Qt::Popup) {
    setObjectName(QStringLiteral("curveControls"));
    setFrameShape(QFrame::StyledPanel);
    groupBy_ = new QComboBox(this);
    groupBy_->setObjectName(QStringLiteral("curvesByCombo"));
    groupBy_->setToolTip(tr("One principal curve per value of this column (e.g. perturbation)"));
    orderBy_ = new QComboBox(this);
    orderBy_->setObjectName(QStringLiteral("orderByCombo"));
    orderBy_->setToolTip(tr("Numeric column the curves start low on (time, dose); it also "
                            "colours the points (viridis)"));
    curves_ = new QCheckBox(tr("Curves"), this);
    curves_->setObjectName(QStringLiteral("showCurvesCheck"));
    points_ = new QCheckBox(tr("Points"), this);
    points_->setObjectName(QStringLiteral("showPointsCheck"));
    centroids_ = new QCheckBox(tr("Centroids"), this);
    centroids_->setObjectName(QStringLiteral("showCentroidsCheck"));
    centroids_->setToolTip(tr("The local centres of mass the curve was fitted through"));
    setLayers(true, true, true);
    fill(groupBy_, tr("(off)"), {}, {});
    fill(orderBy_, tr("(none)"), {}, {});

    auto* layers = new QHBoxLayout;
    layers->addWidget(curves_);
    layers->addWidget(points_);
    layers->addWidget(centroids_);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(8, 8, 8, 8);
    form->addRow(tr("Curves by:"), groupBy_);
    form->addRow(tr("Order by:"), orderBy_);
    form->addRow(tr("Show:"), layers);

    connect(groupBy_, &QComboBox::currentIndexChanged, this, &CurveControls::columnsChanged);
    connect(orderBy_, &QComboBox::currentIndexChanged, this, &CurveControls::columnsChanged);
    for (QCheckBox* box : {curves_, points_, centroids_})
        connect(box, &QCheckBox::toggled, this, &CurveControls::layersChanged);
}

QString CurveControls::defaultGroupColumn(const QStringList& columns) {
    return findColumn(columns, QStringLiteral("perturbation"));
}

QString CurveControls::defaultOrderColumn(const QStringList& numericColumns) {
    const QString time = findColumn(numericColumns, QStringLiteral("time"));
    return time.isEmpty() ? findColumn(numericColumns, QStringLiteral("dose")) : time;
}

void CurveControls::setColumns(const QStringList& columns, const QStringList& numericColumns) {
    const QString group =
        columns.contains(groupColumn()) ? groupColumn() : defaultGroupColumn(columns);
    const QString order =
        numericColumns.contains(orderColumn()) ? orderColumn() : defaultOrderColumn(numericColumns);
    fill(groupBy_, tr("(off)"), columns, group);
    fill(orderBy_, tr("(none)"), numericColumns, order);
}

void CurveControls::setGroupColumn(const QString& column) {
    const QSignalBlocker block(groupBy_);
    const int i = column.isEmpty() ? 0 : groupBy_->findData(column);
    groupBy_->setCurrentIndex(i >= 0 ? i : 0);
}

void CurveControls::setOrderColumn(const QString& column) {
    const QSignalBlocker block(orderBy_);
    const int i = column.isEmpty() ? 0 : orderBy_->findData(column);
    orderBy_->setCurrentIndex(i >= 0 ? i : 0);
}

QString CurveControls::groupColumn() const {
    return groupBy_->currentData().toString();
}

QString CurveControls::orderColumn() const {
    return orderBy_->currentData().toString();
}

void CurveControls::setLayers(bool curves, bool points, bool centroids) {
    const QSignalBlocker b1(curves_);
    const QSignalBlocker b2(points_);
    const QSignalBlocker b3(centroids_);
    curves_->setChecked(curves);
    points_->setChecked(points);
    centroids_->setChecked(centroids);
}

bool CurveControls::showCurves() const {
    return curves_->isChecked();
}
bool CurveControls::showPoints() const {
    return points_->isChecked();
}
bool CurveControls::showCentroids() const {
    return centroids_->isChecked();
}

} // namespace embedscope::ui
