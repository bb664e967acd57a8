// CellPlateView (cell_plate_view.h): the controls, the layout of the crops, the colour choices,
// selection by click and the accessors. The well colours and tooltips are in cell_plate_map.cpp,
// the selected well's pane (sites on a BackgroundTask, crops) in cell_well_detail.cpp.
#include "embedscope/ui/cell_plate_view.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/ui/background_task.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/plot_painter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace embedscope::ui {
namespace {

const QString kCells = QStringLiteral("cells");

} // namespace

CellPlateView::CellPlateView(QWidget* parent) : QWidget(parent) {
    task_ = new BackgroundTask(this);
    color_ = new QComboBox(this);
    color_->setObjectName(QStringLiteral("plateColor"));
    color_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(color_, &QComboBox::currentIndexChanged, this, [this] {
        if (!syncing_)
            rebuildMap();
    });
    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("plateMessage"));
    message_->setWordWrap(true);
    canvas_ = new FigureWidget(this);
    canvas_->setObjectName(QStringLiteral("plateCanvas"));
    canvas_->setMinimumSize(240, 120); // the map scales to fit: a short dock still shows every well
    canvas_->setPlaceholderText(tr("No cell crops: import a plate with the cell-plate reader"));
    canvas_->setClickHandler([this](QPointF at) { clickedAt(at); });
    canvas_->installEventFilter(this);

    header_ = new QLabel(tr("Click a well to see its sites and crops"), this);
    header_->setObjectName(QStringLiteral("wellHeader"));
    siteLabel_ = new QLabel(this);
    siteLabel_->setObjectName(QStringLiteral("wellSites"));
    detail_ = new FigureWidget(this);
    detail_->setObjectName(QStringLiteral("wellDetail"));
    detail_->setPlaceholderText(tr("No well selected"));
    channelBar_ = new QHBoxLayout;
    channelBar_->setContentsMargins(0, 0, 0, 0);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(new QLabel(tr("Colour by:"), this));
    bar->addWidget(color_);
    bar->addSpacing(12);
    bar->addWidget(message_, 1);
    bar->addStretch();
    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(bar);
    topLayout->addWidget(canvas_, 1);
    auto* pane = new QWidget(this);
    auto* paneLayout = new QVBoxLayout(pane);
    paneLayout->setContentsMargins(4, 0, 4, 0);
    auto* info = new QHBoxLayout;
    info->addWidget(header_, 1);
    info->addLayout(channelBar_);
    paneLayout->addLayout(info);
    paneLayout->addWidget(siteLabel_);
    paneLayout->addWidget(detail_, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(pane);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    message_->hide();
}

CellPlateView::~CellPlateView() {
    task_->stop();
}

void CellPlateView::setCrops(std::shared_ptr<const Dataset> crops) {
    task_->stop();
    crops_ = std::move(crops);
    plates_.reset();
    selPlate_ = selWell_ = -1;
    sites_.clear();
    siteStatus_.clear();
    QString problem;
    if (crops_) {
        try {
            plates_ = std::make_shared<const std::vector<CellPlate>>(cellPlateLayout(*crops_));
        } catch (const Error& e) {
            problem = tr("Cannot lay out the plates: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    message_->setText(problem);
    message_->setVisible(!problem.isEmpty());
    // Channel toggles: the data set's "channels" attribute when it matches C, else ch1...
    for (QCheckBox* box : channelBoxes_) {
        box->hide(); // gone from the bar now, deleted once its signals are done
        box->deleteLater();
    }
    channelBoxes_.clear();
    const QStringList names = crops_ ? cellChannelNames(*crops_) : QStringList();
    for (const QString& name : names) {
        auto* box = new QCheckBox(name, this);
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, [this] { rebuildDetail(); });
        channelBar_->addWidget(box);
        channelBoxes_.push_back(box);
    }
    fillChoices();
    rebuildMap();
    rebuildDetail();
}

void CellPlateView::setWellProfiles(const EmbeddingTable& wells, const QString& stage) {
    profiles_.clear();
    profileChoices_.clear();
    if (wells.rows > 0) {
        if (!wells.metadata.has("Plate") || !wells.metadata.has("Well")) {
            message_->setText(tr("The %1 profiles have no Metadata_Plate / Metadata_Well "
                                 "columns: they cannot colour the wells")
                                  .arg(stage));
            message_->show();
        } else {
            const MetadataColumn& plate = wells.metadata.column("Plate");
            const MetadataColumn& well = wells.metadata.column("Well");
            const std::size_t f = wells.featureNames.size();
            for (std::size_t j = 0; j < f; ++j) {
                const QString name =
                    stage + QStringLiteral(": ") + QString::fromStdString(wells.featureNames[j]);
                auto& values = profiles_[name.toStdString()];
                for (std::size_t r = 0; r < wells.rows; ++r)
                    values[profileKey(plate.text(r), well.text(r))] = wells.features[r * f + j];
                profileChoices_ << name;
            }
        }
    }
    fillChoices();
    rebuildMap();
}

void CellPlateView::fillChoices() {
    const QString keep = colorBy();
    QStringList choices;
    if (plates_) {
        choices << kCells;
        std::set<std::string> present;
        for (const CellPlate& p : *plates_)
            for (const CellWell& w : p.wells)
                for (const auto& [name, value] : w.metadata)
                    present.insert(name);
        for (const MetadataColumn& c : crops_->metadata.columns()) // the data set's order
            if (present.count(c.name))
                choices << QString::fromStdString(c.name);
        choices << profileChoices_;
    }
    syncing_ = true;
    color_->clear();
    color_->addItems(choices);
    color_->setCurrentIndex(std::max(0, int(choices.indexOf(keep))));
    syncing_ = false;
}

void CellPlateView::setColorBy(const QString& choice) {
    const int i = color_->findText(choice);
    if (i >= 0)
        color_->setCurrentIndex(i);
}

QString CellPlateView::colorBy() const {
    return color_->currentText();
}

QStringList CellPlateView::colorChoices() const {
    QStringList out;
    for (int i = 0; i < color_->count(); ++i)
        out << color_->itemText(i);
    return out;
}

void CellPlateView::rebuildMap() {
    if (!plates_) {
        map_.reset();
        canvas_->setFigure(nullptr);
        return;
    }
    map_ = std::make_shared<CellPlateMapFigure>(plates_, colorsFor(colorBy()), selPlate_, selWell_);
    canvas_->setFigure(map_);
}

std::pair<int, int> CellPlateView::find(const QString& plate, const QString& well) const {
    if (!plates_)
        return {-1, -1};
    for (std::size_t p = 0; p < plates_->size(); ++p) {
        if (QString::fromStdString((*plates_)[p].name) != plate)
            continue;
        const auto& wells = (*plates_)[p].wells;
        for (std::size_t w = 0; w < wells.size(); ++w)
            if (QString::fromStdString(wells[w].well) == well)
                return {int(p), int(w)};
    }
    return {-1, -1};
}

void CellPlateView::selectWell(const QString& plate, const QString& well) {
    const auto [p, w] = find(plate, well);
    if (p == selPlate_ && w == selWell_)
        return;
    selPlate_ = p;
    selWell_ = w;
    rebuildMap();
    loadSites();
}

QString CellPlateView::selectedWell() const {
    if (selPlate_ < 0)
        return {};
    const CellWell& w = (*plates_)[std::size_t(selPlate_)].wells[std::size_t(selWell_)];
    return QString::fromStdString(w.plate + " " + w.well);
}

void CellPlateView::clickedAt(QPointF at) {
    if (!map_)
        return;
    const auto [p, w] = map_->wellAt(QRectF(canvas_->rect()), canvas_->screenOptions(), at);
    if (p < 0)
        return;
    const CellWell& well = (*plates_)[std::size_t(p)].wells[std::size_t(w)];
    const QString plate = QString::fromStdString(well.plate),
                  name = QString::fromStdString(well.well);
    selectWell(plate, name);
    Q_EMIT wellPicked(plate, name);
}

bool CellPlateView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == canvas_ && event->type() == QEvent::ToolTip && map_) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto [p, w] =
            map_->wellAt(QRectF(canvas_->rect()), canvas_->screenOptions(), help->pos());
        if (p >= 0)
            QToolTip::showText(help->globalPos(), wellTip(p, w), canvas_);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

int CellPlateView::wellCount() const {
    int n = 0;
    if (plates_)
        for (const CellPlate& p : *plates_)
            n += int(p.wells.size());
    return n;
}

QColor CellPlateView::wellColor(const QString& plate, const QString& well) const {
    const auto [p, w] = find(plate, well);
    if (p < 0 || !map_)
        return {};
    return map_->colors().wells[std::size_t(p)][std::size_t(w)];
}

QPointF CellPlateView::wellCentre(const QString& plate, const QString& well) const {
    const auto [p, w] = find(plate, well);
    if (p < 0 || !map_)
        return {};
    const CellWell& cw = (*plates_)[std::size_t(p)].wells[std::size_t(w)];
    return map_->wellCentre(QRectF(canvas_->rect()), canvas_->screenOptions(), p, cw.row,
                            cw.column);
}

QWidget* CellPlateView::mapCanvas() const {
    return canvas_;
}

QString CellPlateView::message() const {
    return message_->text();
}

QString CellPlateView::siteStatus() const {
    return siteStatus_;
}

QStringList CellPlateView::channels() const {
    QStringList out;
    for (QCheckBox* box : channelBoxes_)
        out << box->text();
    return out;
}

void CellPlateView::setChannelVisible(const QString& channel, bool visible) {
    for (QCheckBox* box : channelBoxes_)
        if (box->text() == channel)
            box->setChecked(visible);
}

int CellPlateView::shownCropCount() const {
    return well_ ? well_->cropCount() : 0;
}

int CellPlateView::shownSiteCount() const {
    return well_ ? well_->siteCount() : 0;
}

std::shared_ptr<Figure> CellPlateView::figure() const {
    return map_;
}

std::shared_ptr<Figure> CellPlateView::wellFigure() const {
    return well_;
}

const std::vector<CellPlate>& CellPlateView::plates() const {
    static const std::vector<CellPlate> none;
    return plates_ ? *plates_ : none;
}

} // namespace embedscope::ui
