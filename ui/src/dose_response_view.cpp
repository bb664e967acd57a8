#include "embedscope/ui/dose_response_view.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/job.h"
#include "embedscope/ui/dose_response_figures.h"
#include "embedscope/ui/figure_widget.h"
#include "embedscope/ui/run_figures.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTabBar>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace embedscope::ui {

DoseResponseView::DoseResponseView(QWidget* parent) : QWidget(parent) {
    substances_ = new QComboBox(this);
    substances_->setObjectName(QStringLiteral("doseSubstance"));
    substances_->setToolTip(tr("Emphasise one substance here and in the embedding view"));
    substances_->addItem(tr("All substances"), QString());
    connect(substances_, &QComboBox::activated, this, [this](int index) {
        setHighlight(substances_->itemData(index).toString());
        Q_EMIT substanceSelected(highlight_);
    });
    pages_ = new QTabBar(this);
    pages_->setObjectName(QStringLiteral("dosePages"));
    pages_->addTab(tr("Per substance"));
    pages_->addTab(tr("Heat map"));
    pages_->setDrawBase(false);
    connect(pages_, &QTabBar::currentChanged, this, [this] { showResult(); });
    export_ = new QToolButton(this);
    export_->setText(tr("Export…"));
    export_->setToolTip(tr("Export this figure as PNG, SVG or PDF"));
    connect(export_, &QToolButton::clicked, this, &DoseResponseView::exportRequested);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("doseStatus"));
    status_->setWordWrap(false);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    figure_ = new FigureWidget(this);
    figure_->setMinimumSize(320, 200);
    figure_->setClickHandler([this](QPointF at) {
        auto figure = std::dynamic_pointer_cast<const DoseResponseFigure>(figure_->figure());
        if (!figure)
            return;
        const int index = figure->substanceAt(QRectF(QPointF(0, 0), QSizeF(figure_->size())),
                                              figure_->screenOptions(), at);
        if (index < 0)
            return;
        const QString name = QString::fromStdString(result_.substances[std::size_t(index)].name);
        setHighlight(name == highlight_ ? QString() : name); // a second click shows all again
        Q_EMIT substanceSelected(highlight_);
    });

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(pages_);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Substance:"), this));
    bar->addWidget(substances_);
    bar->addStretch(1);
    bar->addWidget(export_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(figure_, 1);
    layout->addWidget(status_);
    clear(tr("Select a run of a data set with substance and dose columns."));
}

DoseResponseView::~DoseResponseView() {
    stop();
}

void DoseResponseView::stop() {
    ++generation_;
    if (context_)
        context_->requestCancel();
    if (thread_) {
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
    context_.reset();
}

void DoseResponseView::clear(const QString& message) {
    stop();
    result_ = DoseResponseResult{};
    figure_->setFigure(nullptr);
    figure_->setPlaceholderText(message);
    status_->clear();
    export_->setEnabled(false);
    while (substances_->count() > 1)
        substances_->removeItem(1);
}

void DoseResponseView::setRun(const RunRecord& run, const Dataset& dataset) {
    runName_ = QString::fromStdString(run.name);
    DoseColumns columns;
    if (!dataset.metadata.has(columns.substance) || !dataset.metadata.has(columns.dose)) {
        clear(tr("Data set '%1' has no substance and dose columns: no dose response.")
                  .arg(QString::fromStdString(dataset.name)));
        return;
    }
    start(run, dataset);
}

void DoseResponseView::start(const RunRecord& run, const Dataset& dataset) {
    stop();
    figure_->setFigure(nullptr);
    figure_->setPlaceholderText(tr("Computing the dose response of %1…").arg(runName_));
    export_->setEnabled(false);
    doseTitle_ = QString::fromStdString(DoseColumns{}.dose);
    const int generation = generation_;
    context_ = std::make_shared<JobContext>();
    auto out = std::make_shared<DoseResponseResult>();
    auto error = std::make_shared<QString>();
    thread_ = QThread::create([run, dataset, ctx = context_, out, error] {
        try {
            *out = doseResponseOfRun(run, dataset, *ctx);
        } catch (const CancelledError&) {
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    connect(thread_, &QThread::finished, this, [this, generation, out, error] {
        if (generation != generation_)
            return; // superseded; stop() deleted or will delete the thread
        thread_->deleteLater();
        thread_ = nullptr;
        context_.reset();
        if (!error->isEmpty()) {
            clear(tr("Dose response of %1 not computed: %2").arg(runName_, *error));
            Q_EMIT finished();
            return;
        }
        result_ = std::move(*out);
        const QString keep = highlight_;
        while (substances_->count() > 1)
            substances_->removeItem(1);
        for (const auto& s : result_.substances)
            substances_->addItem(QString::fromStdString(s.name), QString::fromStdString(s.name));
        setHighlight(keep);
        Q_EMIT finished();
    });
    thread_->start(QThread::LowPriority);
}

void DoseResponseView::setHighlight(const QString& substance) {
    highlight_ = substance;
    const int index = substances_->findData(substance);
    substances_->setCurrentIndex(index >= 0 ? index : 0);
    if (index < 0)
        highlight_.clear();
    showResult();
}

void DoseResponseView::setPage(int page) {
    pages_->setCurrentIndex(page);
}

int DoseResponseView::page() const {
    return pages_->currentIndex();
}

void DoseResponseView::showResult() {
    if (result_.substances.empty())
        return;
    figure_->setFigure(figureOfPage(pages_->currentIndex()));
    export_->setEnabled(true);
    // One line under the figure (the dock is short); the notes in full in its tooltip.
    QStringList lines;
    lines << tr("%1: distances in PCA 10 of the embedding (fitted on train + val, as the "
                "seed-000 metrics); %2 inversion(s) of the dose order in all.")
                 .arg(runName_)
                 .arg(result_.inversionCount);
    for (const auto& note : result_.notes)
        lines << QString::fromStdString(note);
    status_->setToolTip(lines.join(QLatin1Char('\n')));
    QString line =
        tr("%1 · PCA 10 (train + val) · %n inversion(s)", nullptr, int(result_.inversionCount))
            .arg(runName_);
    if (!result_.notes.empty())
        line += tr(" · %n note(s) (hover)", nullptr, int(result_.notes.size()));
    status_->setText(line);
}

std::shared_ptr<Figure> DoseResponseView::figureOfPage(int page) const {
    if (result_.substances.empty())
        return nullptr;
    DoseFigureLabels labels;
    labels.doseTitle = doseTitle_;
    labels.highlight = highlight_;
    if (page == 1)
        return std::make_shared<DoseHeatmapFigure>(result_, labels);
    return std::make_shared<DoseResponseFigure>(result_, labels);
}

std::shared_ptr<const Figure> DoseResponseView::currentFigure() const {
    return figure_->figure();
}

QString DoseResponseView::statusText() const {
    return figure_->figure() ? status_->toolTip() : figure_->placeholderText();
}

} // namespace embedscope::ui
