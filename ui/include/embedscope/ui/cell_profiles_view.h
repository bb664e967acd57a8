#pragma once
// The profile views of issue 8 (GUI: "PCA of well profiles coloured by control/treated, batch,
// plate and well position, before and after spherizing; precision@K and enrichment curves;
// crops of the nearest neighbours of a picked profile"). Three pages, each painted by the
// figure its export uses (cell_profile_figures.h):
//  - "Well PCA": the well profiles' first two principal components before and after
//    spherizing side by side, one "Colour by" shared; a click picks a well in both panels.
//  - "Retrieval": Precision@K and the enrichment odds ratio of every analysis shown (colour per
//    source; solid after, dashed before spherizing) and a table of the headline numbers.
//  - "Neighbours": the current analysis' consensus profiles of one stage; picking one lists its
//    8 nearest profiles (Pearson r) with up to 6 crops each in Cell-Painting false colour.
// The widget only draws engine results (analyseCellProfiles runs elsewhere, off this thread);
// the neighbour search on a consensus table (hundreds of rows) is done here on demand.
#include "embedscope/engine/cell_analysis.h"
#include "embedscope/engine/dataset.h"
#include "embedscope/ui/cell_profile_figures.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;
class QTabWidget;

namespace embedscope::ui {

class FigureWidget;

class CellProfilesView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kNeighbours = 8;  ///< k of the neighbour list
    static constexpr int kCropsPerRow = 6; ///< crops per profile
    enum Page { PcaPage = 0, RetrievalPage = 1, NeighboursPage = 2 };

    explicit CellProfilesView(QWidget* parent = nullptr);

    /// The analyses to show: all in the retrieval curves; `current` (clamped; -1 or empty: none)
    /// in the PCA and the neighbours. `crops` (may be null) gives the neighbours' crops; its
    /// attributesJson "channels" names the channels (cell-plate reader). Keeps the colour
    /// choice, the picked well and the neighbour stage where they still exist.
    void setAnalyses(std::vector<std::shared_ptr<const CellAnalysis>> analyses, int current,
                     std::shared_ptr<const Dataset> crops);
    const std::vector<std::shared_ptr<const CellAnalysis>>& analyses() const { return analyses_; }
    int currentAnalysis() const { return current_; }

    /// "control / treated", "Batch", "Plate", "Well row", "Well column", "moa", "compound",
    /// "dose": those whose column the current analysis' wells have.
    QStringList colorChoices() const;
    /// False (nothing changes) for a choice not in colorChoices().
    bool setColorBy(const QString& choice);
    QString colorBy() const;

    /// Rings the well in both PCA panels and picks its consensus profile (compound + dose) on
    /// the neighbours page; no wellPicked. An unknown well clears the ring.
    void selectWell(const QString& plate, const QString& well);
    QString selectedPlate() const { return plate_; }
    QString selectedWell() const { return well_; }

    /// The stage of the neighbours page: true after spherizing (the default).
    void setNeighbourStage(bool after);
    bool neighbourStageAfter() const { return stageAfter_; }
    /// Picks consensus row `consensusRow` of that stage (-1 clears) and lists its neighbours.
    void selectProfile(int consensusRow);
    int selectedProfile() const { return profile_; }
    /// The neighbours listed for the picked profile (rows of the stage's consensus table).
    const std::vector<ProfileNeighbour>& neighbours() const { return neighbours_; }
    /// The crops (sample indices of `crops`) shown per row, the query first.
    const std::vector<std::vector<std::size_t>>& neighbourCrops() const { return cropRows_; }

    int currentTab() const;
    void setCurrentTab(int page);

    /// Copies of what the pages show, for File ▸ Export figure (null while there is nothing).
    std::shared_ptr<Figure> pcaFigure() const { return pca_; }
    std::shared_ptr<Figure> retrievalFigure() const { return retrieval_; }
    std::shared_ptr<Figure> neighboursFigure() const { return neighboursFig_; }
    std::shared_ptr<const WellPcaFigure> pcaCanvasFigure() const { return pca_; }
    std::shared_ptr<const RetrievalCurvesFigure> retrievalCanvasFigure() const {
        return retrieval_;
    }
    std::shared_ptr<const ProfileNeighboursFigure> neighboursCanvasFigure() const {
        return neighboursFig_;
    }

    FigureWidget* pcaCanvas() const { return pcaCanvas_; }
    FigureWidget* retrievalCanvas() const { return retrievalCanvas_; }
    FigureWidget* neighboursCanvas() const { return neighboursCanvas_; }
    QTableWidget* headlineTable() const { return headline_; }
    QTableWidget* profileList() const { return profiles_; }
    QComboBox* colorBox() const { return color_; }
    /// Where point `point` of PCA panel `panel` is on pcaCanvas() (tests, callers).
    QPointF pcaPointPosition(int panel, int point) const;

Q_SIGNALS:
    void wellPicked(const QString& plate, const QString& well);

private:
    QWidget* buildNeighboursPage();
    void rebuildPca();
    void rebuildRetrieval();
    void fillProfiles();
    void rebuildNeighbours();
    void pcaClicked(QPointF at);
    /// The consensus row of the stage shown whose compound and dose are the well's; -1 none.
    int profileOfWell(const QString& plate, const QString& well) const;
    const CellProfileStage* neighbourStage() const;
    const CellAnalysis* currentAnalysisPtr() const;

    std::vector<std::shared_ptr<const CellAnalysis>> analyses_;
    int current_ = -1;
    std::shared_ptr<const Dataset> crops_;
    QString plate_, well_;
    bool stageAfter_ = true;
    int profile_ = -1;
    bool syncing_ = false;
    std::vector<ProfileNeighbour> neighbours_;
    std::vector<std::vector<std::size_t>> cropRows_;

    std::shared_ptr<WellPcaFigure> pca_;
    std::shared_ptr<RetrievalCurvesFigure> retrieval_;
    std::shared_ptr<ProfileNeighboursFigure> neighboursFig_;
    QTabWidget* tabs_ = nullptr;
    QComboBox* color_ = nullptr;
    QComboBox* stage_ = nullptr;
    QLabel* neighboursStatus_ = nullptr;
    FigureWidget* pcaCanvas_ = nullptr;
    FigureWidget* retrievalCanvas_ = nullptr;
    FigureWidget* neighboursCanvas_ = nullptr;
    QTableWidget* headline_ = nullptr;
    QTableWidget* profiles_ = nullptr;
};

} // namespace embedscope::ui
