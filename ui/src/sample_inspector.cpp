#include "embedscope/ui/sample_inspector.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace embedscope::ui {

SampleInspector::SampleInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Click a point to see its metadata"));
    layout->addWidget(title_);
    table_ = new QTableWidget(0, 2);
    table_->setHorizontalHeaderLabels({tr("Field"), tr("Value")});
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(table_, 1);
}

void SampleInspector::showSample(const MetadataTable& metadata, int index) {
    table_->setRowCount(0);
    if (index < 0 || static_cast<std::size_t>(index) >= metadata.rowCount()) {
        title_->setText(tr("Click a point to see its metadata"));
        return;
    }
    title_->setText(tr("Sample %1").arg(index));
    const auto& columns = metadata.columns();
    table_->setRowCount(static_cast<int>(columns.size()));
    for (std::size_t c = 0; c < columns.size(); ++c) {
        table_->setItem(int(c), 0, new QTableWidgetItem(QString::fromStdString(columns[c].name)));
        table_->setItem(int(c), 1,
                        new QTableWidgetItem(QString::fromStdString(columns[c].text(index))));
    }
}

QString SampleInspector::valueOf(const QString& column) const {
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, 0)->text() == column)
            return table_->item(r, 1)->text();
    return {};
}

} // namespace embedscope::ui
