#pragma once
// The Plate view of issue 8 ("wells coloured by any metric or metadata, click a well -> its
// sites and crops"): the plates of a crops data set (cellPlateLayout) as grids of round wells,
// coloured by the cell count, any well metadata column or a per-well profile feature; a click
// selects a well and the pane below shows its site images (read from the plate folder on a
// worker thread; missing files are reported, the crops stay) and its crops, both in Cell
// Painting false colour. File > Export figure: figure() ("plate-map") and wellFigure()
// ("well-crops").
#include "embedscope/engine/cell_plate_layout.h"
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/table.h"
#include "embedscope/ui/cell_false_colour.h"
#include "embedscope/ui/figure.h"

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;

namespace embedscope::ui {

class BackgroundTask;
class FigureWidget;

/// How the wells are coloured: a colour per well (invalid = the well has no value) and the key.
struct CellPlateColors {
    QString title; ///< the choice: "cells", "compound", "cnn: f3", ...
    bool numeric = false;
    double min = 0, max = 1;                            ///< numeric: the colour bar's range
    std::vector<std::pair<QString, QColor>> categories; ///< categorical: the legend
    std::vector<std::vector<QColor>> wells; ///< per plate, per well (cellPlateLayout order)
};

/// The plate map: plates side by side (wrapped to use the room best), each a grid of round
/// wells with row letters and column numbers; wells absent from the data set are outlines,
/// the selected well is ringed; a legend or colour bar on the right.
class CellPlateMapFigure : public Figure {
public:
    /// `selectedPlate` / `selectedWell`: indices into plates and their wells (-1: none).
    CellPlateMapFigure(std::shared_ptr<const std::vector<CellPlate>> plates, CellPlateColors colors,
                       int selectedPlate = -1, int selectedWell = -1);
    QString viewName() const override { return QStringLiteral("plate-map"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// Where well (row, column) of plate `plate` is drawn, and the wells' radius (points).
    QPointF wellCentre(const QRectF& rect, const FigureOptions& options, int plate, int row,
                       int column) const;
    double wellRadius(const QRectF& rect, const FigureOptions& options) const;
    /// (plate index, well index) of the data set's well under `point`; (-1, -1) for none.
    std::pair<int, int> wellAt(const QRectF& rect, const FigureOptions& options,
                               QPointF point) const;
    const CellPlateColors& colors() const { return colors_; }

private:
    struct Geometry {
        QRectF body, legend;
        double cell = 0;            ///< side of one well's square cell
        double titleH = 0;          ///< plate title band
        int perRow = 1;             ///< plates per row of plates
        std::vector<QPointF> grids; ///< top-left of each plate's well grid
    };
    Geometry geometry(const QRectF& rect, const FigureOptions& options) const;
    double legendWidth(const FigureOptions& options, double bodyWidth) const;
    void paintLegend(QPainter& painter, const QRectF& area, const FigureOptions& options) const;

    std::shared_ptr<const std::vector<CellPlate>> plates_;
    CellPlateColors colors_;
    int selectedPlate_, selectedWell_;
    int rows_ = 1, columns_ = 1; ///< the common grid of every plate
};

/// A site composite or a crop, with its caption.
struct CellPicture {
    QImage image;
    QString caption;
};

/// The selected well: its site composites in a row, a note when they are not available, and
/// the grid of its crops.
class CellWellFigure : public Figure {
public:
    CellWellFigure(QString title, std::vector<CellPicture> sites, QString siteNote,
                   std::vector<QImage> crops, QString cropTitle);
    QString viewName() const override { return QStringLiteral("well-crops"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;
    int siteCount() const { return int(sites_.size()); }
    int cropCount() const { return int(crops_.size()); }

private:
    QString title_, siteNote_, cropTitle_;
    std::vector<CellPicture> sites_;
    std::vector<QImage> crops_;
};

class CellPlateView : public QWidget {
    Q_OBJECT
public:
    explicit CellPlateView(QWidget* parent = nullptr);
    ~CellPlateView() override; ///< stops a site load in flight

    /// The crops (kind Image, (C, S, S), metadata Plate and Well): lays out the plates; an error
    /// is shown as the view's message. Null clears the view.
    void setCrops(std::shared_ptr<const Dataset> crops);
    /// Per-well numeric values (metadata Plate and Well, one row per well; features are
    /// columns) offered as colour choices "<stage>: <feature>". Replaces earlier profiles; an
    /// empty table clears them. A table without Plate / Well sets the message and is ignored.
    void setWellProfiles(const EmbeddingTable& wells, const QString& stage);

    /// "cells", a well metadata column or "<stage>: <feature>"; unknown choices are ignored.
    /// Numbers colour by viridis at t = (v - min) / (max - min) over all wells with a value
    /// (0.5 when all are equal); text (and the control column) by the categorical palette,
    /// controls ("DMSO", "control", control = 1) in the control grey.
    void setColorBy(const QString& choice);
    QString colorBy() const;
    QStringList colorChoices() const;

    /// Selects a well (no signal), loads its sites in the background and shows its crops;
    /// an unknown well or "" clears the selection.
    void selectWell(const QString& plate, const QString& well);
    QString selectedWell() const; ///< "P01 B03", "" for none

    int wellCount() const; ///< wells of the data set over all plates
    /// The well's fill colour; invalid for an absent well or one without a value.
    QColor wellColor(const QString& plate, const QString& well) const;
    /// The centre of a well on the map canvas (widget coordinates of mapCanvas()).
    QPointF wellCentre(const QString& plate, const QString& well) const;
    QWidget* mapCanvas() const;
    /// The layout error or profile problem shown above the map ("" when none).
    QString message() const;
    /// "loading…", "2 site(s)", "site images not available: <reason>".
    QString siteStatus() const;

    /// Channels of the crops and whether each is shown in the composites.
    QStringList channels() const;
    void setChannelVisible(const QString& channel, bool visible);
    int shownCropCount() const;
    int shownSiteCount() const; ///< after sitesLoaded

    std::shared_ptr<Figure> figure() const;
    std::shared_ptr<Figure> wellFigure() const; ///< null while no well is selected
    const std::vector<CellPlate>& plates() const;

    /// At most this many crops of a well are shown (the first ones, data set order).
    static constexpr int kMaxCrops = 240;

Q_SIGNALS:
    void wellPicked(const QString& plate, const QString& well);
    void sitesLoaded(int count);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Site {
        int number = 0;
        int width = 0, height = 0;
        std::vector<std::vector<float>> pages;
        std::vector<std::pair<float, float>> ranges;
    };
    void fillChoices();
    void rebuildMap();
    void rebuildDetail();
    void loadSites();
    void clickedAt(QPointF at);
    CellPlateColors colorsFor(const QString& choice) const;
    QString wellTip(int plate, int well) const;
    std::pair<int, int> find(const QString& plate, const QString& well) const;
    std::vector<QColor> channelColors() const;
    static std::string profileKey(const std::string& plate, const std::string& well);

    std::shared_ptr<const Dataset> crops_;
    std::shared_ptr<const std::vector<CellPlate>> plates_;
    std::map<std::string, std::map<std::string, double>> profiles_; ///< choice -> well key -> v
    QStringList profileChoices_;
    std::shared_ptr<CellPlateMapFigure> map_;
    std::shared_ptr<CellWellFigure> well_;
    int selPlate_ = -1, selWell_ = -1;
    std::vector<Site> sites_;
    QString siteStatus_;
    bool syncing_ = false;

    BackgroundTask* task_ = nullptr;
    QComboBox* color_ = nullptr;
    QLabel* message_ = nullptr;
    FigureWidget* canvas_ = nullptr;
    QLabel* header_ = nullptr;
    QHBoxLayout* channelBar_ = nullptr;
    std::vector<QCheckBox*> channelBoxes_;
    QLabel* siteLabel_ = nullptr;
    FigureWidget* detail_ = nullptr;
};

} // namespace embedscope::ui
