#pragma once
// Shows the metadata of the picked sample.
#include "embedscope/engine/dataset.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace embedscope::ui {

class SampleInspector : public QWidget {
    Q_OBJECT
public:
    explicit SampleInspector(QWidget* parent = nullptr);
    /// Shows row `index` of `metadata` (index < 0 clears).
    void showSample(const MetadataTable& metadata, int index);
    QString valueOf(const QString& column) const;

private:
    QLabel* title_ = nullptr;
    QTableWidget* table_ = nullptr;
};

} // namespace embedscope::ui
