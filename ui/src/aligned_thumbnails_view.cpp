// The aligned-embeddings tab: the worker that computes the alignment, the colour chooser and
// the canvas whose clicks select or compare runs.
#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/ui/aligned_thumbnails.h"
#include "embedscope/ui/figure_widget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace embedscope::ui {

/// The figure on screen: a click selects a thumbnail's run, a shift-click compares it.
class AlignedThumbnailsCanvas : public FigureWidget {
public:
    explicit AlignedThumbnailsCanvas(AlignedThumbnailsView* owner)
        : FigureWidget(owner), owner_(owner) {
        setMinimumSize(320, 220);
        setPlaceholderText(tr("Press “Compute for the runs shown in the table” to align the "
                              "runs' embeddings"));
    }

protected:
    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() != Qt::LeftButton)
            return FigureWidget::mousePressEvent(event);
        owner_->clickedAt(event->position(), event->modifiers() & Qt::ShiftModifier);
        event->accept();
    }

private:
    AlignedThumbnailsView* owner_;
};

AlignedThumbnailsView::AlignedThumbnailsView(QWidget* parent) : QWidget(parent) {
    task_ = new BackgroundTask(this);
    status_ = new QLabel(tr("No runs chosen"), this);
    status_->setObjectName(QStringLiteral("thumbnailsStatus"));
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("thumbnailsProgress"));
    progress_->setRange(0, 100);
    progress_->setMaximumWidth(160);
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName(QStringLiteral("thumbnailsCancel"));
    cancel_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, this, &AlignedThumbnailsView::cancel);
    color_ = new QComboBox(this);
    color_->setObjectName(QStringLiteral("thumbnailsColor"));
    color_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    color_->addItem(tr("(one colour)"), QString());
    connect(color_, &QComboBox::currentIndexChanged, this, [this] {
        if (!syncing_)
            rebuild();
    });
    canvas_ = new AlignedThumbnailsCanvas(this);
    canvas_->setObjectName(QStringLiteral("thumbnailsCanvas"));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    bar->addWidget(new QLabel(tr("Colour:"), this));
    bar->addWidget(color_);
    bar->addSpacing(12);
    bar->addWidget(status_, 1);
    bar->addWidget(progress_);
    bar->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);
}

AlignedThumbnailsView::~AlignedThumbnailsView() {
    stop();
}

void AlignedThumbnailsView::stop() {
    task_->stop();
    progress_->hide();
    cancel_->setEnabled(false);
}

void AlignedThumbnailsView::setRuns(const QString& path, const QStringList& runs,
                                    const QString& reference) {
    stop();
    std::vector<std::string> names;
    for (const QString& r : runs)
        names.push_back(r.toStdString());
    auto out = std::make_shared<AlignedEmbeddings>();
    task_->start(
        [path = path.toStdString(), names, ref = reference.toStdString(),
         out](const JobContext& ctx) {
            *out = alignEmbeddings(ProjectFile::open(path), names, ref, ctx);
        },
        [this](int percent, const QString& text) {
            progress_->setValue(percent);
            status_->setText(text);
        },
        [this, out](bool cancelled, const QString& error) {
            cancel_->setEnabled(false);
            progress_->hide();
            if (cancelled) {
                status_->setText(tr("Cancelled"));
                return; // the thumbnails shown before stay
            }
            if (!error.isEmpty()) {
                status_->setText(tr("Cannot align the embeddings: %1").arg(error));
                Q_EMIT failed(error);
                return;
            }
            result_ = std::make_shared<const AlignedEmbeddings>(std::move(*out));
            fillColors();
            rebuild();
            int drawn = 0;
            for (const AlignedEmbedding& run : result_->runs)
                drawn += run.error.empty() ? 1 : 0;
            status_->setText(
                tr("%1 of %n run(s) aligned onto %2 (first two principal components); click to "
                   "select, shift-click to compare",
                   nullptr, int(result_->runs.size()))
                    .arg(drawn)
                    .arg(QString::fromStdString(result_->reference)));
            Q_EMIT finished();
        });
    cancel_->setEnabled(true);
    progress_->setValue(0);
    progress_->show();
    status_->setText(tr("Aligning the embeddings of %n run(s)…", nullptr, int(names.size())));
}

void AlignedThumbnailsView::cancel() {
    if (!task_->cancel())
        return;
    cancel_->setEnabled(false);
    status_->setText(tr("Cancelling…"));
}

void AlignedThumbnailsView::fillColors() {
    // Keep the user's column where it still exists; else substance, group or label (the data
    // sets' grouping columns), else one colour.
    const QString keep = colorColumn();
    syncing_ = true;
    color_->clear();
    color_->addItem(tr("(one colour)"), QString());
    QStringList names;
    for (const MetadataColumn& c : result_->metadata.columns())
        names << QString::fromStdString(c.name);
    for (const QString& name : names)
        color_->addItem(name, name);
    QString pick = names.contains(keep) ? keep : QString();
    for (const char* preferred : {"substance", "group", "label"})
        if (pick.isEmpty() && names.contains(QLatin1String(preferred)))
            pick = QLatin1String(preferred);
    color_->setCurrentIndex(std::max(0, color_->findData(pick)));
    syncing_ = false;
}

bool AlignedThumbnailsView::setColorColumn(const QString& column) {
    const int i = color_->findData(column);
    if (i >= 0)
        color_->setCurrentIndex(i);
    return i >= 0;
}

QString AlignedThumbnailsView::colorColumn() const {
    return color_->currentData().toString();
}

void AlignedThumbnailsView::setSelectedRun(const QString& name) {
    selected_ = name;
    rebuild();
}

void AlignedThumbnailsView::rebuild() {
    if (!result_) {
        figure_.reset();
        static_cast<FigureWidget*>(canvas_)->setFigure(nullptr);
        return;
    }
    const std::string column = colorColumn().toStdString();
    std::vector<std::string> categories;
    if (!column.empty() && result_->metadata.has(column)) {
        const MetadataColumn& c = result_->metadata.column(column);
        for (std::size_t i = 0; i < result_->metadata.rowCount(); ++i)
            categories.push_back(c.text(i));
    }
    figure_ = std::make_shared<AlignedThumbnailsFigure>(result_, std::move(categories),
                                                        colorColumn(), selected_);
    static_cast<FigureWidget*>(canvas_)->setFigure(result_->runs.empty() ? nullptr : figure_);
}

QString AlignedThumbnailsView::statusText() const {
    return status_->text();
}

QWidget* AlignedThumbnailsView::canvas() const {
    return canvas_;
}

QRectF AlignedThumbnailsView::canvasRect() const {
    return QRectF(QPointF(0, 0), QSizeF(canvas_->size()));
}

FigureOptions AlignedThumbnailsView::canvasOptions() const {
    return static_cast<FigureWidget*>(canvas_)->screenOptions();
}

QPointF AlignedThumbnailsView::thumbnailCenter(int index) const {
    if (!figure_)
        return {};
    return figure_->plotRect(canvasRect(), canvasOptions(), index).center();
}

void AlignedThumbnailsView::clickedAt(QPointF at, bool shift) {
    if (!figure_)
        return;
    const int index = figure_->thumbnailAt(canvasRect(), canvasOptions(), at);
    if (index < 0)
        return;
    const QString name = QString::fromStdString(result_->runs[std::size_t(index)].run);
    if (shift) {
        const QString first =
            selected_.isEmpty() ? QString::fromStdString(result_->reference) : selected_;
        if (first != name)
            Q_EMIT compareRequested(first, name);
        return; // the selection stays on the first run
    }
    setSelectedRun(name);
    Q_EMIT runSelected(name);
}

} // namespace embedscope::ui
