#include "embedscope/ui/reconstruction_view.h"

#include "embedscope/engine/generative.h"
#include "embedscope/engine/training.h"
#include "sample_painter.h"

#include <QElapsedTimer>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace embedscope::ui {
namespace {

QLabel* title(const QString& text) {
    auto* label = new QLabel(text);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

/// The model name of a run's config, for the "no decoder" message.
QString modelOf(const RunRecord& run) {
    try {
        return QString::fromStdString(parseTrainConfig(run.configJson, {}, run.name).model);
    } catch (const std::exception&) {
        return QStringLiteral("?");
    }
}

} // namespace

ReconstructionView::ReconstructionView(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    message_ = new QLabel;
    message_->setWordWrap(true);
    outer->addWidget(message_);

    content_ = new QWidget;
    auto* grid = new QGridLayout(content_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(16);
    grid->setVerticalSpacing(2);
    pairsTitle_ = title(tr("Inputs (top) and reconstructions (bottom)"));
    pairs_ = new SampleStrip;
    pairs_->setObjectName(QStringLiteral("pairs"));
    prior_ = new SampleStrip;
    prior_->setObjectName(QStringLiteral("prior"));
    newSamples_ = new QPushButton(tr("New samples"));
    newSamples_->setToolTip(tr("Decode new draws z ~ N(0, I)"));
    auto* priorHeader = new QHBoxLayout;
    priorHeader->addWidget(title(tr("Samples from the prior")));
    priorHeader->addSpacing(8);
    priorHeader->addWidget(newSamples_);
    priorHeader->addStretch(1);

    traversalTitle_ = title(tr("Latent traversal"));
    dimension_ = new QSpinBox;
    dimension_->setPrefix(tr("dimension "));
    dimension_->setToolTip(tr("The latent dimension swept from -3 to 3, the others at the "
                              "current sample's μ"));
    auto* traversalHeader = new QHBoxLayout;
    traversalHeader->addWidget(traversalTitle_);
    traversalHeader->addSpacing(8);
    traversalHeader->addWidget(dimension_);
    traversalHeader->addStretch(1);
    traversal_ = new SampleStrip;
    traversal_->setObjectName(QStringLiteral("traversal"));
    stepsTitle_ = title(tr("DRAW canvas after each step"));
    stepsStrip_ = new SampleStrip;
    stepsStrip_->setObjectName(QStringLiteral("steps"));

    grid->addWidget(pairsTitle_, 0, 0);
    grid->addWidget(pairs_, 1, 0, Qt::AlignLeft | Qt::AlignTop);
    grid->addLayout(priorHeader, 0, 1);
    grid->addWidget(prior_, 1, 1, Qt::AlignLeft | Qt::AlignTop);
    grid->addLayout(traversalHeader, 2, 0);
    grid->addWidget(traversal_, 3, 0, Qt::AlignLeft | Qt::AlignTop);
    grid->addWidget(stepsTitle_, 2, 1);
    grid->addWidget(stepsStrip_, 3, 1, Qt::AlignLeft | Qt::AlignTop);
    grid->setColumnStretch(2, 1);
    grid->setRowStretch(4, 1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(content_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll, 1);

    connect(newSamples_, &QPushButton::clicked, this, &ReconstructionView::newPriorSamples);
    connect(dimension_, qOverload<int>(&QSpinBox::valueChanged), this,
            [this] { refreshTraversal(); });
    clear();
}

ReconstructionView::~ReconstructionView() = default;

QString ReconstructionView::message() const {
    return message_->isHidden() ? QString() : message_->text();
}

int ReconstructionView::pairCount() const {
    return model_ ? static_cast<int>(rows_.size()) : 0;
}

int ReconstructionView::priorCount() const {
    return prior_->tileCount();
}

int ReconstructionView::traversalCount() const {
    return traversal_->tileCount();
}

int ReconstructionView::latentDim() const {
    return model_ ? static_cast<int>(model_->latentDim()) : 0;
}

void ReconstructionView::clear(const QString& message) {
    model_.reset();
    reader_ = {};
    data_ = Dataset();
    runName_.clear();
    rows_.clear();
    inputs_.clear();
    reconstructions_.clear();
    currentMu_.clear();
    current_ = -1;
    steps_ = 0;
    for (SampleStrip* s : {pairs_, prior_, traversal_, stepsStrip_})
        s->clear();
    message_->setText(message.isEmpty() ? tr("Select a generative run (e.g. vae-conv) to see its "
                                             "reconstructions.")
                                        : message);
    message_->setVisible(true);
    content_->setVisible(false);
}

void ReconstructionView::showFailure(const QString& text) {
    message_->setText(text);
    message_->setVisible(true);
    Q_EMIT failed(text);
}

void ReconstructionView::setRun(const RunRecord& run, const Dataset& data, SampleReader reader) {
    const QString name = QString::fromStdString(run.name);
    if (!isGenerativeRun(run)) {
        clear(tr("Run %1 is a contrastive encoder (%2): it has no decoder, so there is nothing "
                 "to reconstruct.")
                  .arg(name, modelOf(run)));
        return;
    }
    clear();
    try {
        QElapsedTimer timer;
        timer.start();
        model_ = std::make_unique<GenerativeRunModel>(run);
        loadMs_ = double(timer.nsecsElapsed()) / 1e6;
    } catch (const std::exception& e) {
        clear();
        showFailure(tr("Run %1 cannot be loaded: %2").arg(name, QString::fromStdString(e.what())));
        return;
    }
    data_ = data;
    reader_ = std::move(reader);
    runName_ = name;
    priorSeed_ = 1;
    dimension_->blockSignals(true);
    dimension_->setRange(0, std::max(0, latentDim() - 1));
    dimension_->setValue(0);
    dimension_->blockSignals(false);
    message_->setVisible(false);
    content_->setVisible(true);
    refreshPairs();
    refreshPrior();
}

std::vector<std::size_t> ReconstructionView::defaultRows() const {
    // Held-out samples first (test, then val), then the rest, up to kSamples.
    const std::size_t n =
        std::max({data_.headerSampleCount, data_.sampleCount(), data_.metadata.rowCount()});
    std::vector<std::size_t> rows;
    const auto add = [&](const std::string& which) {
        const bool any = which.empty();
        const MetadataColumn* split = data_.metadata.has(Dataset::kSplitColumn)
                                          ? &data_.metadata.column(Dataset::kSplitColumn)
                                          : nullptr;
        for (std::size_t i = 0; i < n && rows.size() < std::size_t(kSamples); ++i)
            if ((any || (split && i < split->size() && split->text(i) == which)) &&
                std::find(rows.begin(), rows.end(), i) == rows.end())
                rows.push_back(i);
    };
    add("test");
    add("val");
    add("");
    return rows;
}

void ReconstructionView::setCurrentSample(int row) {
    current_ = row;
    if (model_)
        refreshPairs();
}

void ReconstructionView::setTraversalDimension(int dim) {
    dimension_->setValue(dim);
}

void ReconstructionView::newPriorSamples() {
    ++priorSeed_;
    refreshPrior();
}

void ReconstructionView::refreshPairs() {
    rows_.clear();
    const std::size_t total =
        std::max({data_.headerSampleCount, data_.sampleCount(), data_.metadata.rowCount()});
    if (current_ >= 0 && std::size_t(current_) < total)
        rows_.push_back(std::size_t(current_));
    for (std::size_t r : defaultRows())
        if (rows_.size() < std::size_t(kSamples) &&
            std::find(rows_.begin(), rows_.end(), r) == rows_.end())
            rows_.push_back(r);
    const std::size_t size = model_->sampleSize();
    try {
        // Only the shown rows are read: a mini data set of those samples goes to the model.
        Dataset batch;
        batch.name = data_.name;
        batch.kind = data_.kind;
        batch.sampleShape = data_.sampleShape;
        batch.values.reserve(rows_.size() * size);
        for (std::size_t r : rows_) {
            const std::vector<float> v =
                reader_ ? reader_(r)
                        : std::vector<float>(data_.sample(r), data_.sample(r) + data_.sampleSize());
            batch.values.insert(batch.values.end(), v.begin(), v.end());
        }
        std::vector<std::size_t> local(rows_.size());
        for (std::size_t i = 0; i < local.size(); ++i)
            local[i] = i;
        QElapsedTimer timer;
        timer.start();
        reconstructions_ = model_->reconstruct(batch, local);
        reconstructMs_ = double(timer.nsecsElapsed()) / 1e6;
        inputs_ = batch.values;
        currentMu_ = rows_.empty() ? std::vector<float>() : model_->encode(batch, {0});
        const auto steps = rows_.empty() ? std::vector<std::vector<float>>()
                                         : model_->reconstructionSteps(batch, {0});
        steps_ = static_cast<int>(steps.size());

        // One value range for every strip: the inputs' (plus reconstructions for signals, so
        // both curves fit); data in [0, 1] keep [0, 1] so that black and white mean 0 and 1.
        const bool image = isImageShape(model_->sampleShape());
        double lo = INFINITY, hi = -INFINITY;
        for (const auto* v : {&inputs_, &reconstructions_}) {
            if (v == &reconstructions_ && image)
                break;
            for (float x : *v)
                if (std::isfinite(x)) {
                    lo = std::min(lo, double(x));
                    hi = std::max(hi, double(x));
                }
        }
        if (!std::isfinite(lo)) {
            lo = 0;
            hi = 1;
        }
        if (lo >= -0.05 && hi <= 1.05 && image) {
            lo = 0;
            hi = 1;
        }
        if (!(hi > lo))
            hi = lo + 1;
        lo_ = lo;
        hi_ = hi;

        std::vector<SampleTile> tiles;
        const auto slice = [size](const std::vector<float>& v, std::size_t i) {
            return std::vector<float>(v.begin() + std::ptrdiff_t(i * size),
                                      v.begin() + std::ptrdiff_t((i + 1) * size));
        };
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            SampleTile t;
            t.values = slice(inputs_, i);
            t.caption = QStringLiteral("#%1").arg(rows_[i]);
            t.current = current_ >= 0 && i == 0;
            if (!image)
                t.overlay = slice(reconstructions_, i);
            tiles.push_back(std::move(t));
        }
        if (image)
            for (std::size_t i = 0; i < rows_.size(); ++i) {
                SampleTile t;
                t.values = slice(reconstructions_, i);
                t.current = current_ >= 0 && i == 0;
                tiles.push_back(std::move(t));
            }
        pairs_->setTiles(std::move(tiles), model_->sampleShape(), int(rows_.size()), lo_, hi_);
        pairsTitle_->setText(image ? tr("Inputs (top) and reconstructions (bottom)")
                                   : tr("Inputs (dark) and reconstructions (orange)"));

        std::vector<SampleTile> stepTiles;
        for (std::size_t s = 0; s < steps.size(); ++s) {
            SampleTile t;
            t.values = slice(steps[s], 0);
            t.caption = tr("step %1").arg(s + 1);
            stepTiles.push_back(std::move(t));
        }
        stepsStrip_->setTiles(std::move(stepTiles), model_->sampleShape(),
                              std::max<int>(1, int(steps.size())), lo_, hi_);
        stepsTitle_->setVisible(steps_ > 0);
        stepsStrip_->setVisible(steps_ > 0);
    } catch (const std::exception& e) {
        pairs_->clear();
        showFailure(tr("Run %1: %2").arg(runName_, QString::fromStdString(e.what())));
        return;
    }
    refreshTraversal();
}

void ReconstructionView::refreshPrior() {
    if (!model_)
        return;
    try {
        const std::vector<float> samples = model_->samplePrior(kSamples, priorSeed_);
        const std::size_t size = model_->sampleSize();
        std::vector<SampleTile> tiles;
        for (int i = 0; i < kSamples; ++i) {
            SampleTile t;
            t.values.assign(samples.begin() + std::ptrdiff_t(std::size_t(i) * size),
                            samples.begin() + std::ptrdiff_t(std::size_t(i + 1) * size));
            tiles.push_back(std::move(t));
        }
        prior_->setTiles(std::move(tiles), model_->sampleShape(), kSamples / 2, lo_, hi_);
    } catch (const std::exception& e) {
        showFailure(tr("Run %1: %2").arg(runName_, QString::fromStdString(e.what())));
    }
}

void ReconstructionView::refreshTraversal() {
    if (!model_ || currentMu_.size() != model_->latentDim()) {
        traversal_->clear();
        return;
    }
    const int dim = std::clamp(dimension_->value(), 0, latentDim() - 1);
    std::vector<double> values;
    for (int k = 0; k < kTraversalSteps; ++k) // -3 .. 3 in 7 steps
        values.push_back(-3.0 + 6.0 * k / (kTraversalSteps - 1));
    try {
        const std::vector<float> decoded = model_->traverse(currentMu_, std::size_t(dim), values);
        const std::size_t size = model_->sampleSize();
        std::vector<SampleTile> tiles;
        for (std::size_t k = 0; k < values.size(); ++k) {
            SampleTile t;
            t.values.assign(decoded.begin() + std::ptrdiff_t(k * size),
                            decoded.begin() + std::ptrdiff_t((k + 1) * size));
            t.caption = QStringLiteral("z%1 = %2").arg(dim).arg(values[k], 0, 'g', 2);
            tiles.push_back(std::move(t));
        }
        traversal_->setTiles(std::move(tiles), model_->sampleShape(), kTraversalSteps, lo_, hi_);
        traversalTitle_->setText(rows_.empty() ? tr("Latent traversal")
                                               : tr("Latent traversal of #%1").arg(rows_.front()));
    } catch (const std::exception& e) {
        traversal_->clear();
        showFailure(tr("Run %1: %2").arg(runName_, QString::fromStdString(e.what())));
    }
}

} // namespace embedscope::ui
