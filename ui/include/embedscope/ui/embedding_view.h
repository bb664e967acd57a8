#pragma once
// The embedding scatter plot: a VtkWidget showing a viewer::ScatterScene, with a toolbar
// (2-D/3-D, colour by, reset view, export PNG). Clicking a point selects it; hovering shows its
// label. The owner supplies the data and recolours on colorColumnChanged. With metadata
// (setMetadata), a "Curves" popup draws one principal curve per group (seed 003) over the plot.
#include "embedscope/engine/dataset.h"
#include "embedscope/viewer/curve_overlay.h"
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
class QThread;
class QTimer;
class QToolButton;

namespace embedscope {
class JobContext;
}

namespace embedscope::ui {

class CurveControls;
class Figure;
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

    // Principal curves over the projection (seed-003 lab note, SPEC S3): one curve per value
    // of a grouping column (perturbation), fitted by analyseCurves in the displayed 2-D/3-D
    // coordinates and oriented by a numeric order column (time, dose) that also colours the
    // points (viridis, with a colour bar); the legend then lists the groups in curve colours.

    /// Per-sample metadata, one row per point of the embeddings shown next. Fills the Curves
    /// popup (any column groups, numeric ones order), keeping the choices or picking the
    /// defaults (group "perturbation", order "time" then "dose"), and recomputes the curves.
    void setMetadata(const MetadataTable& metadata);
    /// Empty `groupColumn` turns the curves off; empty `orderColumn` orders by nothing.
    /// Unknown names count as empty. Recomputes.
    void setCurveColumns(const QString& groupColumn, const QString& orderColumn);
    QString curveGroupColumn() const;
    QString curveOrderColumn() const;
    void setCurveLayers(bool curves, bool points, bool centroids);
    /// Groups with a curve drawn, in drawing order (empty when the curves are off).
    std::vector<std::string> curveGroups() const;
    /// Groups without a curve and why ("group: reason", one per line), the engine's warnings
    /// about drawn curves, or why no curve could be computed; "" when all is well. Also shown
    /// in the toolbar (no dialog).
    QString curveStatus() const { return curveMessage_; }
    const viewer::CurveOverlay& curveOverlay() const { return *overlay_; }
    /// Milliseconds the last analyseCurves call took (0 when none ran).
    double curveMillis() const { return curveMillis_; }
    /// The curves are being fitted on a worker thread (30-140 ms for 2,000 points on a busy
    /// 2-core machine); curvesChanged follows. The points are already coloured.
    bool curvesPending() const { return curvesPending_; }

    // Dose paths (issue 7): per substance, arrows from the control centroid through the dose
    // centroids of the displayed coordinates (metadata columns substance and dose).

    /// Whether the metadata has substance and dose columns (the toggle is enabled then).
    bool dosePathsAvailable() const;
    void setDosePathsVisible(bool on);
    bool dosePathsVisible() const { return dosePaths_; }
    const viewer::CurveOverlay& doseOverlay() const { return *doseOverlay_; }
    /// Why some substances have no path, or why none could be drawn; "" when all is well.
    QString doseStatus() const { return doseMessage_; }

    /// The view as a figure (issue 7): what is shown, in 2-D as vectors, in 3-D as a raster,
    /// with the curves and dose paths as drawn. Null when nothing is shown.
    std::shared_ptr<Figure> figure() const;

Q_SIGNALS:
    /// The emphasised category changed (by the user or setEmphasis); "" = all.
    void emphasisChanged(const QString& category);
    /// A left click (press and release within 4 px) landed on point `index`, now highlighted.
    void pointPicked(int index);
    void colorColumnChanged(const QString& column);
    void dimensionsChanged(int dims);
    void exported(const QString& path);
    /// The curves were recomputed (or turned off).
    void curvesChanged();

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
    /// Fits the curves for data_, dims_ and the chosen columns (curve state below); does not
    /// touch the scene. Defined in embedding_view_curves.cpp.
    void recomputeCurves();
    /// recomputeCurves, then redraws (camera kept); curvesChanged when the curves are in.
    void refreshCurves();
    struct CurveJob;
    struct CurveResult;
    void launchCurveJob(std::shared_ptr<CurveJob> job);
    void applyCurveResult(const CurveJob& job, const CurveResult& result);
    /// Cancels a running fit and waits for its thread (the destructor).
    void stopCurveJob();
    void applyCurveLayers();
    void showCurveControls();
    /// Recomputes and draws the dose paths for data_, dims_ and the emphasis (after the
    /// scene's setData). Defined in embedding_view_dose.cpp.
    void applyDosePaths();
    /// Categories as drawn: the curve groups while curves are on, else data_.categories.
    const std::vector<std::string>& shownCategories() const;

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

    MetadataTable metadata_;
    std::unique_ptr<viewer::CurveOverlay> overlay_;
    CurveControls* curveControls_ = nullptr;
    QToolButton* curvesButton_ = nullptr;
    QLabel* curveStatusLabel_ = nullptr;
    bool curvesActive_ = false;                   ///< a group column is set and analysed
    viewer::CurveOverlayData curveData_;          ///< what the overlay draws when active
    std::vector<std::string> curvePointGroups_;   ///< per point, the group (legend)
    std::vector<unsigned char> curvePointColors_; ///< per point viridis by order, or empty
    QString curveMessage_;
    double curveMillis_ = 0;
    bool curvesPending_ = false;
    unsigned curveGeneration_ = 0; ///< results of older requests are dropped
    QThread* curveThread_ = nullptr;
    std::shared_ptr<JobContext> curveContext_;
    std::shared_ptr<CurveJob> pendingCurveJob_; ///< waits for the running one to stop

    std::unique_ptr<viewer::CurveOverlay> doseOverlay_;
    QToolButton* doseButton_ = nullptr;
    bool dosePaths_ = false;
    QString doseMessage_;
};

} // namespace embedscope::ui
