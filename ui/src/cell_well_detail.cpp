// The selected well of the Plate view (cell_plate_view.h): Cell Painting false colour
// composites (each channel stretched to its 0.5-99.5 percentiles, channels added in their
// colours), the well figure (site composites and the crops' grid) and the view's pane that
// loads the sites on its BackgroundTask and shows them with the crops.
#include "embedscope/ui/cell_plate_view.h"

#include "embedscope/engine/job.h"
#include "embedscope/ui/background_task.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/plot_painter.h"

#include <QCheckBox>
#include <QFontMetricsF>
#include <QLabel>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {

CellWellFigure::CellWellFigure(QString title, std::vector<CellPicture> sites, QString siteNote,
                               std::vector<QImage> crops, QString cropTitle)
    : title_(std::move(title)), siteNote_(std::move(siteNote)), cropTitle_(std::move(cropTitle)),
      sites_(std::move(sites)), crops_(std::move(crops)) {}

namespace {

/// The square tiles side for `n` tiles in `area`: the largest that fits, and its columns.
std::pair<double, int> tileLayout(const QRectF& area, int n, double gap, double captionH) {
    double best = 0;
    int bestColumns = 1;
    for (int columns = 1; columns <= std::max(1, n); ++columns) {
        const int rows = (n + columns - 1) / columns;
        const double side =
            std::min((area.width() - (columns - 1) * gap) / columns,
                     (area.height() - rows * captionH - (rows - 1) * gap) / std::max(1, rows));
        if (side > best) {
            best = side;
            bestColumns = columns;
        }
    }
    return {std::max(best, 1.0), bestColumns};
}

} // namespace

void CellWellFigure::paint(QPainter& painter, const QRectF& rect,
                           const FigureOptions& options) const {
    const QRectF body = figureBody(painter, rect, options).adjusted(4, 2, -4, -4);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false); // pixels stay pixels
    const QFont bold = figureFont(options, 1.0, true), small = figureFont(options, 0.85);
    const double line = QFontMetricsF(bold).height() + 2;
    const double smallH = QFontMetricsF(small).height();
    painter.setPen(options.ink());
    painter.setFont(bold);
    painter.drawText(QRectF(body.left(), body.top(), body.width(), line),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetricsF(bold).elidedText(title_, Qt::ElideRight, body.width()));
    const QRectF rest(body.left(), body.top() + line, body.width(),
                      std::max(1.0, body.height() - line));
    // Sites and crops side by side in a wide pane, stacked in a tall one; sites get up to
    // 45 % of the room when there are any, a line for the note otherwise.
    const bool wide = rest.width() > 1.4 * rest.height();
    const bool anySites = !sites_.empty();
    const double share = anySites ? 0.45 : 0.0;
    QRectF siteArea, cropArea;
    if (wide) {
        const double w = anySites ? share * rest.width() : 0.0;
        siteArea = QRectF(rest.left(), rest.top(), w, rest.height());
        cropArea = QRectF(rest.left() + (anySites ? w + 8 : 0), rest.top(),
                          rest.width() - (anySites ? w + 8 : 0), rest.height());
    } else {
        const double h = anySites ? share * rest.height() : 0.0;
        siteArea = QRectF(rest.left(), rest.top(), rest.width(), h);
        cropArea = QRectF(rest.left(), rest.top() + (anySites ? h + 4 : 0), rest.width(),
                          rest.height() - (anySites ? h + 4 : 0));
    }
    painter.setFont(small);
    if (anySites) {
        const double gap = 6;
        const auto [side, columns] = tileLayout(siteArea, int(sites_.size()), gap, smallH + 1);
        for (std::size_t i = 0; i < sites_.size(); ++i) {
            const int c = int(i) % columns, r = int(i) / columns;
            const QRectF box(siteArea.left() + c * (side + gap),
                             siteArea.top() + r * (side + smallH + 1 + gap), side, side);
            painter.drawImage(box, sites_[i].image);
            painter.drawText(QRectF(box.left(), box.bottom() + 1, side, smallH),
                             Qt::AlignLeft | Qt::AlignTop, sites_[i].caption);
        }
    } else if (!siteNote_.isEmpty()) {
        painter.drawText(
            QRectF(cropArea.left(), cropArea.top(), cropArea.width(), smallH),
            Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(small).elidedText(siteNote_, Qt::ElideRight, cropArea.width()));
        cropArea.setTop(cropArea.top() + smallH + 4);
    }
    painter.setFont(bold);
    painter.drawText(QRectF(cropArea.left(), cropArea.top(), cropArea.width(), line),
                     Qt::AlignLeft | Qt::AlignVCenter, cropTitle_);
    const QRectF area(cropArea.left(), cropArea.top() + line, cropArea.width(),
                      std::max(1.0, cropArea.height() - line));
    const double gap = 2;
    const auto [side, columns] = tileLayout(area, int(crops_.size()), gap, 0);
    for (std::size_t i = 0; i < crops_.size(); ++i) {
        const int c = int(i) % columns, r = int(i) / columns;
        painter.drawImage(
            QRectF(area.left() + c * (side + gap), area.top() + r * (side + gap), side, side),
            crops_[i]);
    }
    painter.restore();
}

void CellPlateView::loadSites() {
    task_->stop();
    sites_.clear();
    if (selPlate_ < 0) {
        siteStatus_.clear();
        rebuildDetail();
        return;
    }
    const CellWell& well = (*plates_)[std::size_t(selPlate_)].wells[std::size_t(selWell_)];
    auto out = std::make_shared<std::vector<Site>>();
    task_->start(
        [crops = crops_, plate = well.plate, name = well.well, out](const JobContext& ctx) {
            for (CellSiteImage& s : readCellWellSites(*crops, plate, name)) {
                ctx.throwIfCancelled();
                Site site{s.site, s.width, s.height, std::move(s.pages), {}};
                for (const auto& page : site.pages)
                    site.ranges.push_back(cellStretchRange(page.data(), page.size()));
                out->push_back(std::move(site));
            }
        },
        [](int, const QString&) {},
        [this, out](bool cancelled, const QString& error) {
            if (cancelled)
                return;
            sites_ = std::move(*out);
            siteStatus_ = !error.isEmpty() ? tr("site images not available: %1").arg(error)
                          : sites_.empty()
                              ? tr("site images not available: images.csv lists no site of "
                                   "this well")
                              : tr("%n site(s)", nullptr, int(sites_.size()));
            rebuildDetail();
            Q_EMIT sitesLoaded(shownSiteCount());
        });
    siteStatus_ = tr("loading site images…");
    rebuildDetail();
}

std::vector<QColor> CellPlateView::channelColors() const {
    std::vector<QColor> out;
    for (std::size_t k = 0; k < channelBoxes_.size(); ++k)
        out.push_back(channelBoxes_[k]->isChecked()
                          ? cellChannelColor(channelBoxes_[k]->text().toStdString(), int(k))
                          : QColor());
    return out;
}

void CellPlateView::rebuildDetail() {
    siteLabel_->setText(siteStatus_);
    if (selPlate_ < 0) {
        well_.reset();
        detail_->setFigure(nullptr);
        header_->setText(tr("Click a well to see its sites and crops"));
        return;
    }
    const CellWell& well = (*plates_)[std::size_t(selPlate_)].wells[std::size_t(selWell_)];
    const QString title = wellTip(selPlate_, selWell_).replace(QLatin1Char('\n'), " · ");
    header_->setText(title);
    const std::vector<QColor> colors = channelColors();
    std::vector<CellPicture> sites;
    for (const Site& s : sites_) {
        std::vector<const float*> pages;
        for (const auto& page : s.pages)
            pages.push_back(page.data());
        sites.push_back({cellComposite(pages, s.width, s.height, colors, s.ranges),
                         tr("site %1").arg(s.number)});
    }
    // Crops: one stretch per channel over all the shown crops, so crops compare.
    std::vector<QImage> crops;
    const auto& shape = crops_->sampleShape;
    const std::size_t shown = std::min<std::size_t>(well.crops.size(), kMaxCrops);
    if (shape.size() == 3 &&
        crops_->values.size() >= crops_->sampleCount() * crops_->sampleSize() &&
        crops_->sampleCount() > 0) {
        const std::vector<std::size_t> samples(well.crops.begin(),
                                               well.crops.begin() + std::ptrdiff_t(shown));
        const auto ranges = cellCropRanges(*crops_, samples);
        for (std::size_t s : samples)
            crops.push_back(cellCropImage(*crops_, s, colors, ranges));
    }
    const QString cropTitle =
        shown < well.crops.size()
            ? tr("Crops: the first %1 of %2 cells").arg(shown).arg(well.crops.size())
            : tr("Crops: %n cell(s)", nullptr, int(well.crops.size()));
    const QString note = sites_.empty() ? siteStatus_ : QString();
    well_ = std::make_shared<CellWellFigure>(selectedWell(), std::move(sites), note,
                                             std::move(crops), cropTitle);
    detail_->setFigure(well_);
}

} // namespace embedscope::ui
