// CellProfilesView: the widget, the well-PCA page and the retrieval page (issue 8 GUI); the
// neighbours page is in cell_neighbours_view.cpp.
#include "embedscope/ui/cell_profiles_view.h"

#include "embedscope/ui/figure_widget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace embedscope::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kControlChoice = QStringLiteral("control / treated");
const QString kRowChoice = QStringLiteral("Well row");
const QString kColumnChoice = QStringLiteral("Well column");

const MetadataColumn* columnOf(const MetadataTable& table, const std::string& name) {
    return table.has(name) ? &table.column(name) : nullptr;
}

/// The control flag as batchEnrichment reads it: a number ≠ 0, "true" or "yes".
bool truthy(const std::string& text) {
    const QString t = QString::fromStdString(text).trimmed().toLower();
    bool ok = false;
    const double v = t.toDouble(&ok);
    return ok ? v != 0 : (t == QLatin1String("true") || t == QLatin1String("yes"));
}

/// "B03" → row 2 (A = 1, …, Z = 26, AA = 27) and column 3; NaN where the part is missing.
void parseWell(const std::string& well, double* row, double* column) {
    int r = 0;
    std::size_t i = 0;
    for (; i < well.size() && std::isalpha(static_cast<unsigned char>(well[i])); ++i)
        r = 26 * r + (std::toupper(static_cast<unsigned char>(well[i])) - 'A' + 1);
    bool ok = false;
    const int c = QString::fromStdString(well.substr(i)).toInt(&ok);
    *row = r > 0 ? r : kNaN;
    *column = ok ? c : kNaN;
}

QString percentText(double ratio) {
    return QString::number(100 * ratio, 'f', 1) + QStringLiteral(" %");
}

QString capitalised(const std::string& text) {
    QString s = QString::fromStdString(text);
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

/// Fills the colour of one panel's points from its stage's well metadata.
void colourPanel(const MetadataTable& meta, const QString& choice, WellPcaPanel& panel,
                 WellPcaData::ColorKind* kind) {
    const std::size_t n = meta.rowCount();
    panel.colorText.assign(n, QString());
    panel.colorValue.assign(n, kNaN);
    *kind = WellPcaData::ColorKind::Category;
    if (choice == kControlChoice) {
        const MetadataColumn* control = columnOf(meta, "control");
        const MetadataColumn* compound = columnOf(meta, "compound");
        for (std::size_t i = 0; i < n; ++i) {
            const bool isControl =
                control ? truthy(control->text(i))
                        : QString::fromStdString(compound->text(i))
                                  .compare(QStringLiteral("DMSO"), Qt::CaseInsensitive) == 0;
            panel.colorText[i] = isControl ? QStringLiteral("control") : QStringLiteral("treated");
        }
        return;
    }
    if (choice == kRowChoice || choice == kColumnChoice) {
        *kind = WellPcaData::ColorKind::Numeric;
        const MetadataColumn& well = meta.column("Well");
        for (std::size_t i = 0; i < n; ++i) {
            double r = kNaN, c = kNaN;
            parseWell(well.text(i), &r, &c);
            panel.colorValue[i] = choice == kRowChoice ? r : c;
        }
        return;
    }
    const MetadataColumn& column = meta.column(choice.toStdString());
    bool numeric = column.numeric && choice == QLatin1String("dose");
    if (choice == QLatin1String("dose") && !column.numeric) {
        numeric = true; // a dose read as text: numeric when every value parses
        for (std::size_t i = 0; i < n && numeric; ++i)
            QString::fromStdString(column.text(i)).toDouble(&numeric);
    }
    if (numeric) {
        *kind = WellPcaData::ColorKind::Numeric;
        for (std::size_t i = 0; i < n; ++i)
            panel.colorValue[i] = column.numeric
                                      ? column.numbers[i]
                                      : QString::fromStdString(column.text(i)).toDouble();
        return;
    }
    for (std::size_t i = 0; i < n; ++i)
        panel.colorText[i] = QString::fromStdString(column.text(i));
}

QTableWidgetItem* cell(const QString& text, const QString& tip = {}) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(tip);
    return item;
}

} // namespace

CellProfilesView::CellProfilesView(QWidget* parent) : QWidget(parent) {
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("cellProfileTabs"));

    // Well PCA
    auto* pcaPage = new QWidget;
    color_ = new QComboBox(pcaPage);
    color_->setObjectName(QStringLiteral("wellPcaColor"));
    color_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(color_, &QComboBox::currentIndexChanged, this, [this] {
        if (!syncing_)
            rebuildPca();
    });
    pcaCanvas_ = new FigureWidget(pcaPage);
    pcaCanvas_->setPlaceholderText(tr("No cell-profile analysis to show"));
    pcaCanvas_->setClickHandler([this](QPointF at) { pcaClicked(at); });
    auto* pcaBar = new QHBoxLayout;
    pcaBar->setContentsMargins(4, 2, 4, 0);
    pcaBar->addWidget(new QLabel(tr("Colour by:"), pcaPage));
    pcaBar->addWidget(color_);
    pcaBar->addStretch(1);
    auto* pcaLayout = new QVBoxLayout(pcaPage);
    pcaLayout->setContentsMargins(0, 0, 0, 0);
    pcaLayout->addLayout(pcaBar);
    pcaLayout->addWidget(pcaCanvas_, 1);
    tabs_->addTab(pcaPage, tr("Well PCA"));

    // Retrieval
    auto* retrievalPage = new QWidget;
    retrievalCanvas_ = new FigureWidget(retrievalPage);
    retrievalCanvas_->setPlaceholderText(tr("No retrieval metrics to show"));
    headline_ = new QTableWidget(0, 7, retrievalPage);
    headline_->setObjectName(QStringLiteral("retrievalHeadline"));
    headline_->setHorizontalHeaderLabels({tr("Source"), tr("Stage"), tr("Precision@R"), tr("mAP"),
                                          tr("OR@99.5"), tr("Profiles"), tr("Classes")});
    headline_->verticalHeader()->hide();
    headline_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    headline_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    headline_->setMaximumHeight(150);
    auto* retrievalLayout = new QVBoxLayout(retrievalPage);
    retrievalLayout->setContentsMargins(0, 0, 0, 0);
    retrievalLayout->addWidget(retrievalCanvas_, 1);
    retrievalLayout->addWidget(headline_);
    tabs_->addTab(retrievalPage, tr("Retrieval"));

    tabs_->addTab(buildNeighboursPage(), tr("Neighbours"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs_);
}

int CellProfilesView::currentTab() const {
    return tabs_->currentIndex();
}

void CellProfilesView::setCurrentTab(int page) {
    tabs_->setCurrentIndex(page);
}

const CellAnalysis* CellProfilesView::currentAnalysisPtr() const {
    return current_ >= 0 && current_ < int(analyses_.size())
               ? analyses_[std::size_t(current_)].get()
               : nullptr;
}

void CellProfilesView::setAnalyses(std::vector<std::shared_ptr<const CellAnalysis>> analyses,
                                   int current, std::shared_ptr<const Dataset> crops) {
    analyses_ = std::move(analyses);
    current_ = analyses_.empty() ? -1 : std::clamp(current, -1, int(analyses_.size()) - 1);
    if (current_ >= 0 && !analyses_[std::size_t(current_)])
        current_ = -1;
    crops_ = std::move(crops);
    const QString keep = color_->currentText();
    syncing_ = true;
    color_->clear();
    color_->addItems(colorChoices());
    const int at = color_->findText(keep);
    color_->setCurrentIndex(at >= 0 ? at : 0);
    syncing_ = false;
    rebuildPca();
    rebuildRetrieval();
    fillProfiles();
}

QStringList CellProfilesView::colorChoices() const {
    QStringList out;
    const CellAnalysis* a = currentAnalysisPtr();
    if (!a)
        return out;
    const MetadataTable& m = a->before.wells.metadata;
    if (m.has("control") || m.has("compound"))
        out << kControlChoice;
    for (const char* name : {"Batch", "Plate"})
        if (m.has(name))
            out << QString::fromLatin1(name);
    if (m.has("Well"))
        out << kRowChoice << kColumnChoice;
    for (const char* name : {"moa", "compound", "dose"})
        if (m.has(name))
            out << QString::fromLatin1(name);
    return out;
}

bool CellProfilesView::setColorBy(const QString& choice) {
    const int at = color_->findText(choice);
    if (at < 0)
        return false;
    color_->setCurrentIndex(at); // rebuilds through currentIndexChanged
    return true;
}

QString CellProfilesView::colorBy() const {
    return color_->currentText();
}

void CellProfilesView::rebuildPca() {
    const CellAnalysis* a = currentAnalysisPtr();
    if (!a) {
        pca_.reset();
        pcaCanvas_->setFigure(nullptr);
        return;
    }
    WellPcaData data;
    data.colorTitle = colorBy();
    if (data.colorTitle == kRowChoice)
        data.colorTitle = tr("Well row (A = 1)");
    for (const CellProfileStage* stage : {&a->before, &a->after}) {
        WellPcaPanel panel;
        panel.title = capitalised(stage->name);
        panel.xTitle = QStringLiteral("PC1 (%1)").arg(percentText(stage->explained[0]));
        panel.yTitle = QStringLiteral("PC2 (%1)").arg(percentText(stage->explained[1]));
        const MetadataTable& meta = stage->wells.metadata;
        // A PCA that does not match the wells (fewer than 2 wells: none) draws no points.
        const bool usable = stage->pca.rows() == Eigen::Index(stage->wells.rows) &&
                            stage->pca.cols() >= 2 && meta.has("Plate") && meta.has("Well");
        if (usable) {
            for (std::size_t i = 0; i < stage->wells.rows; ++i) {
                panel.x.push_back(stage->pca(Eigen::Index(i), 0));
                panel.y.push_back(stage->pca(Eigen::Index(i), 1));
                panel.keys.push_back(QString::fromStdString(meta.column("Plate").text(i) + "/" +
                                                            meta.column("Well").text(i)));
            }
            if (!colorBy().isEmpty())
                colourPanel(meta, colorBy(), panel, &data.colorKind);
        }
        data.panels.push_back(std::move(panel));
    }
    if (!plate_.isEmpty())
        data.selected = plate_ + "/" + well_;
    pca_ = std::make_shared<WellPcaFigure>(std::move(data));
    pcaCanvas_->setFigure(pca_);
}

QPointF CellProfilesView::pcaPointPosition(int panel, int point) const {
    if (!pca_)
        return {};
    const FigureOptions o = pcaCanvas_->screenOptions();
    const PlotArea area = pca_->plotArea(QRectF(pcaCanvas_->rect()), o, panel);
    const WellPcaPanel& p = pca_->data().panels[std::size_t(panel)];
    return area.map(p.x[std::size_t(point)], p.y[std::size_t(point)]);
}

void CellProfilesView::pcaClicked(QPointF at) {
    if (!pca_)
        return;
    const auto hit = pca_->pointAt(QRectF(pcaCanvas_->rect()), pcaCanvas_->screenOptions(), at);
    if (hit.panel < 0)
        return;
    const QString key = pca_->data().panels[std::size_t(hit.panel)].keys[std::size_t(hit.point)];
    const int slash = int(key.indexOf('/'));
    const QString plate = key.left(slash), well = key.mid(slash + 1);
    selectWell(plate, well);
    Q_EMIT wellPicked(plate, well);
}

void CellProfilesView::selectWell(const QString& plate, const QString& well) {
    plate_ = plate;
    well_ = well;
    rebuildPca();
    const int row = profileOfWell(plate, well);
    if (row >= 0)
        selectProfile(row);
}

void CellProfilesView::rebuildRetrieval() {
    std::vector<RetrievalSeries> series;
    headline_->setRowCount(0);
    for (std::size_t s = 0; s < analyses_.size(); ++s) {
        if (!analyses_[s])
            continue;
        const CellAnalysis& a = *analyses_[s];
        for (const CellProfileStage* stage : {&a.before, &a.after}) {
            const RetrievalResult& r = stage->retrieval;
            const int row = headline_->rowCount();
            headline_->insertRow(row);
            headline_->setItem(row, 0, cell(QString::fromStdString(a.source)));
            headline_->setItem(row, 1, cell(QString::fromStdString(stage->name)));
            if (!stage->retrievalError.empty()) {
                const QString why = QString::fromStdString(stage->retrievalError);
                for (int c = 2; c < 7; ++c)
                    headline_->setItem(row, c, cell(QStringLiteral("—"), why));
                continue;
            }
            RetrievalSeries one;
            one.source = QString::fromStdString(a.source);
            one.after = stage == &a.after;
            one.colorIndex = int(s);
            for (std::size_t i = 0; i < r.ks.size() && i < r.precisionAtK.size(); ++i) {
                one.k.push_back(r.ks[i]);
                one.precisionAtK.push_back(r.precisionAtK[i]);
            }
            QString or995 = QStringLiteral("—");
            for (const EnrichmentPoint& e : r.enrichment) {
                one.percentile.push_back(e.percentile);
                one.oddsRatio.push_back(e.oddsRatio);
                one.b.push_back(e.b);
                one.c.push_back(e.c);
                if (std::fabs(e.percentile - 99.5) < 1e-9)
                    or995 = std::isinf(e.oddsRatio) ? QStringLiteral("∞")
                                                    : QString::number(e.oddsRatio, 'g', 4);
            }
            headline_->setItem(row, 2, cell(QString::number(r.precisionAtR, 'f', 3)));
            headline_->setItem(row, 3, cell(QString::number(r.meanAveragePrecision, 'f', 3)));
            headline_->setItem(row, 4, cell(or995));
            headline_->setItem(row, 5, cell(QString::number(r.nProfiles)));
            headline_->setItem(row, 6, cell(QString::number(r.nClasses)));
            series.push_back(std::move(one));
        }
    }
    if (series.empty()) {
        retrieval_.reset();
        retrievalCanvas_->setFigure(nullptr);
        return;
    }
    retrieval_ = std::make_shared<RetrievalCurvesFigure>(std::move(series));
    retrievalCanvas_->setFigure(retrieval_);
}

} // namespace embedscope::ui
