// The neighbours page of CellProfilesView (issue 8 GUI: "crops of the nearest neighbours of a
// picked profile"), its figure and the Cell-Painting false colour of the crops.
#include "embedscope/engine/error.h"
#include "embedscope/ui/cell_false_colour.h"
#include "embedscope/ui/cell_profile_figures.h"
#include "embedscope/ui/cell_profiles_view.h"
#include "embedscope/ui/figure_widget.h"

#include <QComboBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {

// ---- figure ----------------------------------------------------------------------------------

ProfileNeighboursFigure::ProfileNeighboursFigure(ProfileNeighboursData data)
    : data_(std::move(data)) {}

ProfileNeighboursFigure::Columns
ProfileNeighboursFigure::columns(const QRectF& rect, const FigureOptions& options) const {
    const QRectF body = figureBodyRect(rect, options);
    const QFontMetricsF fm(figureFont(options, 0.9)), title(figureFont(options, 1.0, true));
    const QFontMetricsF head(figureFont(options, 0.9, true)); // the column titles are bold
    const double pad = 0.8 * fm.height();
    auto widest = [&](auto field, const QString& heading, double cap) {
        double w = head.horizontalAdvance(heading);
        for (const NeighbourRow& r : data_.rows)
            w = std::max(w, fm.horizontalAdvance(field(r)));
        return std::min(w, cap) + pad;
    };
    Columns c{};
    const double W = body.width();
    c.rank = body.left() + 2;
    c.r = c.rank + widest([](const NeighbourRow& r) { return r.rank; }, QObject::tr("Rank"), W);
    c.compound = c.r +
                 std::max(fm.horizontalAdvance(QStringLiteral("-0.000")),
                          head.horizontalAdvance(QObject::tr("r"))) +
                 pad;
    c.dose = c.compound + widest([](const NeighbourRow& r) { return r.compound; },
                                 QObject::tr("Compound"), 0.2 * W);
    c.moa =
        c.dose + widest([](const NeighbourRow& r) { return r.dose; }, QObject::tr("Dose"), 0.1 * W);
    c.same =
        c.moa + widest([](const NeighbourRow& r) { return r.moa; }, QObject::tr("MOA"), 0.2 * W);
    c.crops = c.same + head.horizontalAdvance(QObject::tr("Same")) + pad;
    c.headerTop = body.top() + title.height() * 1.3 + (data_.note.isEmpty() ? 0 : fm.height());
    c.rowsTop = c.headerTop + fm.height() * 1.4;
    const int n = std::max<int>(1, int(data_.rows.size()));
    c.rowHeight = std::max(0.0, (body.bottom() - c.rowsTop) / n);
    const double perCrop = (body.right() - c.crops) / std::max(1, data_.cropsPerRow);
    c.cropSide = std::max(0.0, std::min(c.rowHeight - 2, perCrop - 2));
    return c;
}

QRectF ProfileNeighboursFigure::rowRect(const QRectF& rect, const FigureOptions& options,
                                        int row) const {
    const Columns c = columns(rect, options);
    const QRectF body = figureBodyRect(rect, options);
    return QRectF(body.left(), c.rowsTop + row * c.rowHeight, body.width(), c.rowHeight);
}

QRectF ProfileNeighboursFigure::cropRect(const QRectF& rect, const FigureOptions& options, int row,
                                         int crop) const {
    const Columns c = columns(rect, options);
    const QRectF band = rowRect(rect, options, row);
    return QRectF(c.crops + crop * (c.cropSide + 2), band.center().y() - c.cropSide / 2, c.cropSide,
                  c.cropSide);
}

int ProfileNeighboursFigure::rowAt(const QRectF& rect, const FigureOptions& options,
                                   QPointF at) const {
    for (int i = 0; i < int(data_.rows.size()); ++i)
        if (rowRect(rect, options, i).contains(at))
            return i;
    return -1;
}

void ProfileNeighboursFigure::paint(QPainter& painter, const QRectF& rect,
                                    const FigureOptions& options) const {
    painter.save();
    const QRectF body = figureBody(painter, rect, options);
    const Columns c = columns(rect, options);
    const QFont font = figureFont(options, 0.9), bold = figureFont(options, 0.9, true);
    const QFontMetricsF fm(font);
    painter.setPen(options.ink());
    painter.setFont(figureFont(options, 1.0, true));
    painter.drawText(QRectF(body.left(), body.top(), body.width(), c.headerTop - body.top()),
                     Qt::AlignLeft | Qt::AlignTop, data_.title);
    if (!data_.note.isEmpty()) {
        painter.setFont(font);
        painter.drawText(QRectF(body.left(), c.headerTop - fm.height(), body.width(), fm.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, data_.note);
    }
    const double xs[] = {c.rank, c.r, c.compound, c.dose, c.moa, c.same, c.crops, body.right()};
    auto text = [&](int column, double top, double height, const QString& s) {
        const double w = xs[column + 1] - xs[column] - 0.3 * fm.height();
        painter.drawText(QRectF(xs[column], top, w, height), Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(s, Qt::ElideRight, w));
    };
    painter.setFont(bold);
    const QStringList heads = {QObject::tr("Rank"), QObject::tr("r"),   QObject::tr("Compound"),
                               QObject::tr("Dose"), QObject::tr("MOA"), QObject::tr("Same"),
                               QObject::tr("Crops")};
    for (int k = 0; k < heads.size(); ++k)
        text(k, c.headerTop, c.rowsTop - c.headerTop, heads[k]);
    painter.setFont(font);
    const QColor same(0, 158, 115); // Okabe–Ito bluish green
    for (int i = 0; i < int(data_.rows.size()); ++i) {
        const NeighbourRow& r = data_.rows[std::size_t(i)];
        const QRectF band = rowRect(rect, options, i);
        if (i == 0)
            painter.fillRect(band, options.gridColor()); // the query
        painter.setPen(QPen(options.gridColor(), 0.5));
        painter.drawLine(band.topLeft(), band.topRight());
        painter.setPen(options.ink());
        text(0, band.top(), band.height(), r.rank);
        text(1, band.top(), band.height(),
             std::isfinite(r.similarity) ? QString::number(r.similarity, 'f', 3) : QString());
        text(2, band.top(), band.height(), r.compound);
        text(3, band.top(), band.height(), r.dose);
        text(4, band.top(), band.height(), r.moa);
        if (i > 0) {
            painter.setPen(r.sameClass ? same : options.ink());
            text(5, band.top(), band.height(),
                 r.sameClass ? QStringLiteral("✓") : QStringLiteral("–"));
        }
        for (int j = 0; j < int(r.crops.size()) && j < data_.cropsPerRow; ++j)
            if (c.cropSide > 0)
                painter.drawImage(cropRect(rect, options, i, j), r.crops[std::size_t(j)]);
    }
    painter.restore();
}

// ---- the page --------------------------------------------------------------------------------

QWidget* CellProfilesView::buildNeighboursPage() {
    auto* page = new QWidget;
    stage_ = new QComboBox(page);
    stage_->setObjectName(QStringLiteral("neighbourStage"));
    stage_->addItem(tr("after spherizing"));
    stage_->addItem(tr("before spherizing"));
    connect(stage_, &QComboBox::currentIndexChanged, this,
            [this](int index) { setNeighbourStage(index == 0); });
    profiles_ = new QTableWidget(0, 3, page);
    profiles_->setObjectName(QStringLiteral("consensusProfiles"));
    profiles_->setHorizontalHeaderLabels({tr("Compound"), tr("Dose"), tr("MOA")});
    profiles_->verticalHeader()->hide();
    profiles_->setSelectionBehavior(QAbstractItemView::SelectRows);
    profiles_->setSelectionMode(QAbstractItemView::SingleSelection);
    profiles_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    profiles_->horizontalHeader()->setStretchLastSection(true);
    connect(profiles_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (!syncing_)
            selectProfile(row);
    });
    neighboursStatus_ = new QLabel(page);
    neighboursStatus_->setWordWrap(true);
    neighboursCanvas_ = new FigureWidget(page);
    neighboursCanvas_->setPlaceholderText(tr("Pick a consensus profile to list its neighbours"));
    auto* left = new QWidget(page);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 2, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Profiles:"), left));
    bar->addWidget(stage_, 1);
    leftLayout->addLayout(bar);
    leftLayout->addWidget(profiles_, 1);
    leftLayout->addWidget(neighboursStatus_);
    auto* split = new QSplitter(Qt::Horizontal, page);
    split->addWidget(left);
    split->addWidget(neighboursCanvas_);
    split->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    return page;
}

const CellProfileStage* CellProfilesView::neighbourStage() const {
    const CellAnalysis* a = currentAnalysisPtr();
    return a ? (stageAfter_ ? &a->after : &a->before) : nullptr;
}

void CellProfilesView::setNeighbourStage(bool after) {
    if (after == stageAfter_)
        return;
    stageAfter_ = after;
    syncing_ = true;
    stage_->setCurrentIndex(after ? 0 : 1);
    syncing_ = false;
    fillProfiles();
}

void CellProfilesView::fillProfiles() {
    const CellProfileStage* stage = neighbourStage();
    const int keep = profile_;
    syncing_ = true;
    profiles_->setRowCount(0);
    if (stage) {
        const EmbeddingTable& t = stage->consensus;
        profiles_->setRowCount(int(t.rows));
        const char* names[] = {"compound", "dose", "moa"};
        for (int k = 0; k < 3; ++k) {
            const bool has = t.metadata.has(names[k]);
            for (std::size_t i = 0; i < t.rows; ++i)
                profiles_->setItem(
                    int(i), k,
                    new QTableWidgetItem(
                        has ? QString::fromStdString(t.metadata.column(names[k]).text(i))
                            : QString()));
        }
    }
    syncing_ = false;
    profile_ = -1;
    int pick = stage && keep < int(stage->consensus.rows) ? keep : -1;
    // Nothing picked yet: the first treated profile, so the page (and its export) shows
    // neighbours from the start.
    if (stage && pick < 0) {
        const MetadataTable& m = stage->consensus.metadata;
        for (std::size_t i = 0; i < stage->consensus.rows && pick < 0; ++i) {
            const bool control = (m.has("control") && m.column("control").text(i) == "1") ||
                                 (m.has("compound") && m.column("compound").text(i) == "DMSO");
            if (!control)
                pick = int(i);
        }
    }
    selectProfile(pick);
}

int CellProfilesView::profileOfWell(const QString& plate, const QString& well) const {
    const CellAnalysis* a = currentAnalysisPtr();
    const CellProfileStage* stage = neighbourStage();
    if (!a || !stage)
        return -1;
    const MetadataTable& w = a->before.wells.metadata;
    const MetadataTable& c = stage->consensus.metadata;
    if (!w.has("Plate") || !w.has("Well") || !w.has("compound") || !c.has("compound"))
        return -1;
    auto same = [](const std::string& x, const std::string& y) { // doses as numbers: 1 = "1.0"
        bool okX = false, okY = false;
        const double a = QString::fromStdString(x).toDouble(&okX);
        const double b = QString::fromStdString(y).toDouble(&okY);
        return okX && okY ? std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a)) : x == y;
    };
    for (std::size_t i = 0; i < w.rowCount(); ++i) {
        if (w.column("Plate").text(i) != plate.toStdString() ||
            w.column("Well").text(i) != well.toStdString())
            continue;
        for (std::size_t j = 0; j < stage->consensus.rows; ++j)
            if (c.column("compound").text(j) == w.column("compound").text(i) &&
                (!c.has("dose") || !w.has("dose") ||
                 same(c.column("dose").text(j), w.column("dose").text(i))))
                return int(j);
        return -1;
    }
    return -1;
}

void CellProfilesView::selectProfile(int consensusRow) {
    const CellProfileStage* stage = neighbourStage();
    if (!stage || consensusRow < 0 || consensusRow >= int(stage->consensus.rows))
        consensusRow = -1;
    profile_ = consensusRow;
    syncing_ = true;
    if (consensusRow >= 0)
        profiles_->selectRow(consensusRow);
    else
        profiles_->clearSelection();
    syncing_ = false;
    rebuildNeighbours();
}

void CellProfilesView::rebuildNeighbours() {
    neighbours_.clear();
    cropRows_.clear();
    neighboursFig_.reset();
    neighboursStatus_->clear();
    const CellProfileStage* stage = neighbourStage();
    if (!stage || profile_ < 0) {
        neighboursCanvas_->setFigure(nullptr);
        return;
    }
    const EmbeddingTable& table = stage->consensus;
    try {
        neighbours_ = nearestProfiles(table, std::size_t(profile_), kNeighbours);
    } catch (const Error& e) {
        neighboursStatus_->setText(QString::fromUtf8(e.what()));
        neighboursCanvas_->setFigure(nullptr);
        return;
    }
    const MetadataTable& m = table.metadata;
    auto text = [&](const char* column, std::size_t row) {
        return m.has(column) ? QString::fromStdString(m.column(column).text(row)) : QString();
    };
    std::vector<std::size_t> rows{std::size_t(profile_)};
    for (const ProfileNeighbour& n : neighbours_)
        rows.push_back(n.row);

    // Crops of each profile's cells; the stretch is shared by all of them (rows compare).
    ProfileNeighboursData data;
    data.cropsPerRow = kCropsPerRow;
    const bool images = crops_ && crops_->kind == DataKind::Image &&
                        crops_->sampleShape.size() == 3 && crops_->sampleCount() > 0;
    if (!crops_)
        data.note = tr("No crops loaded");
    else if (!images)
        data.note = tr("The crops are not multi-channel images");
    for (std::size_t row : rows) {
        std::vector<std::size_t> picked;
        if (images) {
            try {
                picked = cropsOfProfile(*crops_, table, row, {"compound", "dose"}, kCropsPerRow);
            } catch (const Error& e) {
                data.note = QString::fromUtf8(e.what());
            }
        }
        cropRows_.push_back(picked);
    }
    std::vector<QColor> colors;
    std::vector<std::pair<float, float>> ranges;
    if (images) {
        colors = cellChannelColors(cellChannelNames(*crops_));
        std::vector<std::size_t> all;
        for (const auto& row : cropRows_)
            all.insert(all.end(), row.begin(), row.end());
        ranges = cellCropRanges(*crops_, all); // one stretch for every crop shown
    }
    const QString label = m.has("moa") ? QStringLiteral("moa") : QString();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        NeighbourRow r;
        r.rank = i == 0 ? tr("query") : QString::number(i);
        r.similarity = i == 0 ? std::nan("") : neighbours_[i - 1].similarity;
        r.compound = text("compound", rows[i]);
        r.dose = text("dose", rows[i]);
        r.moa = text("moa", rows[i]);
        r.sameClass = !label.isEmpty() && i > 0 && r.moa == text("moa", rows[0]);
        for (std::size_t s : cropRows_[i])
            r.crops.push_back(cellCropImage(*crops_, s, colors, ranges));
        data.rows.push_back(std::move(r));
    }
    data.title =
        tr("Nearest profiles of %1 %2 (%3)")
            .arg(data.rows[0].compound, data.rows[0].dose, QString::fromStdString(stage->name));
    neighboursFig_ = std::make_shared<ProfileNeighboursFigure>(std::move(data));
    neighboursCanvas_->setFigure(neighboursFig_);
}

} // namespace embedscope::ui
