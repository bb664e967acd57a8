#pragma once
// The embedding scatter plot: a VtkWidget showing a viewer::ScatterScene, with a toolbar
// (2-D/3-D, colour by, reset view, export PNG). Clicking a point selects it; hovering shows its
// label. The owner supplies the data and recolours on colorColumnChanged.
#include "embedscope/viewer/scatter_scene.h"

#include <QPoint>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <string>
#include <vector>

class QButtonGroup;
class QComboBox;
class QLabel;
class QTimer;
class QToolButton;

namespace embedscope::ui {

class VtkWidget;

class EmbeddingView : public QWidget {
    Q_OBJECT
public:
    explicit EmbeddingView(QWidget* parent = nullptr);
    ~EmbeddingView() override;

    /// Shows `data` (see viewer::ScatterData) and resets the camera. Shown in 3-D when
    /// data.dims == 3 unless the user picked 2-D before; 2-D data cannot be shown in 3-D.
    /// Throws DataError for inconsistent data (nothing changes then).
    void setEmbedding(const viewer::ScatterData& data);
    const viewer::ScatterData& embedding() const { return data_; }
    /// Replaces only the colouring (same points, camera kept). `categories` must be empty or
    /// one per point; throws DataError otherwise.
    void setCategories(const std::vector<std::string>& categories, const QString& title);
    void clear();

    /// Fills the "Colour by" list (metadata column names) and selects `current` if present,
    /// without emitting colorColumnChanged.
    void setColorColumns(const QStringList& columns, const QString& current = QString());
    QString colorColumn() const;

    /// Fig 4.8 of seed 000: one category of the colouring stands out, every other one is drawn
    /// as "other" (smaller, light grey). An empty `category` shows all categories. Categories
    /// literally named "other" are always drawn that way.
    void setEmphasis(const QString& category);
    QString emphasis() const;
    /// Relative marker size of "other" points.
    static constexpr double kOtherPointScale = 0.5;

    /// 2 or 3 (clamped to what the data has). Resets the camera.
    void setDimensions(int dims);
    int dimensions() const { return dims_; }
    void resetCamera();

    /// Index of the point under `vtkWidgetPos` (VtkWidget coordinates, logical pixels), or -1
    /// if none within 12 device pixels.
    int pick(QPoint vtkWidgetPos) const;
    /// Where point `index` appears, in VtkWidget coordinates; (-1, -1) if invalid.
    QPoint widgetPosition(int index) const;
    /// Rings point `index` (-1 clears) without emitting pointPicked.
    void highlight(int index);
    int highlighted() const;

    /// Writes the plot as PNG (`scale` × the widget's device pixels). False (and lastError())
    /// if it cannot be written.
    bool exportPng(const QString& path, int scale = 1);
    QString lastError() const { return lastError_; }

    VtkWidget* vtkWidget() const { return vtk_; }
    const viewer::ScatterScene& scene() const { return *scene_; }

Q_SIGNALS:
    /// A left click (press and release within 4 px) landed on point `index`, now highlighted.
    void pointPicked(int index);
    void colorColumnChanged(const QString& column);
    void dimensionsChanged(int dims);
    void exported(const QString& path);

private:
    // Mouse events from the VtkWidget (its coordinates), before VTK's camera handling.
    void onMousePressed(QPointF pos, Qt::MouseButton button);
    void onMouseReleased(QPointF pos, Qt::MouseButton button);
    void onMouseMoved(QPointF pos, Qt::MouseButtons buttons);
    void onMouseLeft();
    void showHoverTip();
    void showData(bool keepCamera);
    void exportWithDialog();
    void updateControls();
    /// `d` as drawn: the emphasis applied and "other" points shrunk.
    viewer::ScatterData displayed(const viewer::ScatterData& d) const;
    void refreshEmphasisList();

    VtkWidget* vtk_ = nullptr;
    std::unique_ptr<viewer::ScatterScene> scene_;
    viewer::ScatterData data_;
    int dims_ = 2;
    int userDims_ = 0; ///< 2 or 3 once the user chose; 0 = follow the data
    QToolButton* button2d_ = nullptr;
    QToolButton* button3d_ = nullptr;
    QButtonGroup* dimsGroup_ = nullptr;
    QComboBox* colorBy_ = nullptr;
    QComboBox* emphasis_ = nullptr;
    QToolButton* resetButton_ = nullptr;
    QToolButton* exportButton_ = nullptr;
    QLabel* countLabel_ = nullptr;
    QPoint pressPos_;
    bool leftPressed_ = false;
    QTimer* hoverTimer_ = nullptr; ///< the tooltip delay after the pointer stops
    QPoint hoverPos_;
    int hoverIndex_ = -1; ///< point whose label the tooltip shows, -1 = none
    QString lastError_;
    QString lastExportDir_;
};

} // namespace embedscope::ui
