#include "embedscope/ui/training_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace embedscope::ui {
namespace {

QString formatEta(double seconds) {
    if (seconds < 0)
        return {};
    const int s = static_cast<int>(std::lround(seconds));
    return QStringLiteral("ETA %1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QWidget* makeEditor(const ParamSpec& spec) {
    switch (spec.type) {
    case ParamSpec::Type::Int: {
        auto* box = new QSpinBox;
        box->setRange(static_cast<int>(spec.minValue), static_cast<int>(spec.maxValue));
        box->setValue(static_cast<int>(spec.defaultValue));
        return box;
    }
    case ParamSpec::Type::Double: {
        auto* box = new QDoubleSpinBox;
        box->setDecimals(6);
        box->setRange(spec.minValue, spec.maxValue);
        box->setValue(spec.defaultValue);
        return box;
    }
    case ParamSpec::Type::Bool: {
        auto* box = new QCheckBox;
        box->setChecked(spec.defaultValue != 0.0);
        return box;
    }
    case ParamSpec::Type::Choice: {
        auto* box = new QComboBox;
        for (const auto& c : spec.choices)
            box->addItem(QString::fromStdString(c));
        box->setCurrentText(QString::fromStdString(spec.defaultChoice));
        return box;
    }
    }
    return new QWidget;
}

} // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* modelBox = new QGroupBox(tr("Model"));
    modelForm_ = new QFormLayout(modelBox);
    model_ = new QComboBox;
    for (const auto& m : modelRegistry())
        model_->addItem(QString::fromStdString(m.name), QString::fromStdString(m.description));
    modelForm_->addRow(tr("Encoder"), model_);
    layout->addWidget(modelBox);

    auto* lossBox = new QGroupBox(tr("Loss"));
    lossForm_ = new QFormLayout(lossBox);
    loss_ = new QComboBox;
    for (const auto& l : lossRegistry())
        loss_->addItem(QString::fromStdString(l.name), QString::fromStdString(l.description));
    lossForm_->addRow(tr("Loss"), loss_);
    layout->addWidget(lossBox);

    const TrainConfig defaults;
    auto* optimBox = new QGroupBox(tr("Optimisation"));
    auto* optimForm = new QFormLayout(optimBox);
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 100000);
    epochs_->setValue(defaults.epochs);
    batchSize_ = new QSpinBox;
    batchSize_->setRange(2, 65536);
    batchSize_->setValue(defaults.batchSize);
    batchSize_->setToolTip(tr("Anchors per batch; each brings one positive (batch = 2N)"));
    learningRate_ = new QDoubleSpinBox;
    learningRate_->setDecimals(6);
    learningRate_->setRange(1e-6, 1.0);
    learningRate_->setSingleStep(1e-4);
    learningRate_->setValue(defaults.learningRate);
    weightDecay_ = new QDoubleSpinBox;
    weightDecay_->setDecimals(6);
    weightDecay_->setRange(0.0, 1.0);
    weightDecay_->setValue(defaults.weightDecay);
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    seed_->setValue(static_cast<int>(defaults.seed));
    device_ = new QComboBox;
    device_->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
    device_->setToolTip(cudaAvailable() ? tr("A CUDA device is available")
                                        : tr("No CUDA device: training runs on the CPU"));
    optimForm->addRow(tr("Epochs"), epochs_);
    optimForm->addRow(tr("Batch (anchors)"), batchSize_);
    optimForm->addRow(tr("Learning rate"), learningRate_);
    optimForm->addRow(tr("Weight decay"), weightDecay_);
    optimForm->addRow(tr("Seed"), seed_);
    optimForm->addRow(tr("Device"), device_);
    layout->addWidget(optimBox);

    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton(tr("Start training"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    buttons->addWidget(start_);
    buttons->addWidget(cancel_);
    layout->addLayout(buttons);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setTextVisible(false);
    layout->addWidget(progress_);
    status_ = new QLabel(tr("Idle"));
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);

    connect(model_, &QComboBox::currentTextChanged, this, [this] {
        rebuildParams(modelForm_, modelEditors_, findModel(model_->currentText().toStdString()));
    });
    connect(loss_, &QComboBox::currentTextChanged, this, [this] {
        rebuildParams(lossForm_, lossEditors_, findLoss(loss_->currentText().toStdString()));
    });
    connect(start_, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &TrainingPanel::cancelRequested);
    if (model_->count() > 0)
        rebuildParams(modelForm_, modelEditors_, findModel(model_->currentText().toStdString()));
    if (loss_->count() > 0)
        rebuildParams(lossForm_, lossEditors_, findLoss(loss_->currentText().toStdString()));
}

void TrainingPanel::rebuildParams(QFormLayout* form, std::vector<ParamEditor>& editors,
                                  const ComponentInfo& info) {
    // Row 0 is the component chooser; everything below belongs to the previous component.
    while (form->rowCount() > 1)
        form->removeRow(1);
    editors.clear();
    for (const auto& spec : info.params) {
        QWidget* editor = makeEditor(spec);
        editor->setToolTip(QString::fromStdString(spec.help));
        editor->setObjectName(QString::fromStdString(spec.key));
        form->addRow(QString::fromStdString(spec.label.empty() ? spec.key : spec.label), editor);
        editors.push_back({spec, editor});
    }
}

void TrainingPanel::readParams(const std::vector<ParamEditor>& editors,
                               std::map<std::string, double>& numbers,
                               std::map<std::string, std::string>& choices) {
    for (const auto& e : editors) {
        if (auto* s = qobject_cast<QSpinBox*>(e.widget))
            numbers[e.spec.key] = s->value();
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(e.widget))
            numbers[e.spec.key] = d->value();
        else if (auto* c = qobject_cast<QCheckBox*>(e.widget))
            numbers[e.spec.key] = c->isChecked() ? 1.0 : 0.0;
        else if (auto* b = qobject_cast<QComboBox*>(e.widget))
            choices[e.spec.key] = b->currentText().toStdString();
    }
}

void TrainingPanel::writeParams(std::vector<ParamEditor>& editors,
                                const std::map<std::string, double>& numbers,
                                const std::map<std::string, std::string>& choices) {
    for (auto& e : editors) {
        const auto n = numbers.find(e.spec.key);
        const auto c = choices.find(e.spec.key);
        if (auto* s = qobject_cast<QSpinBox*>(e.widget); s && n != numbers.end())
            s->setValue(static_cast<int>(n->second));
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(e.widget); d && n != numbers.end())
            d->setValue(n->second);
        else if (auto* k = qobject_cast<QCheckBox*>(e.widget); k && n != numbers.end())
            k->setChecked(n->second != 0.0);
        else if (auto* b = qobject_cast<QComboBox*>(e.widget); b && c != choices.end())
            b->setCurrentText(QString::fromStdString(c->second));
    }
}

TrainConfig TrainingPanel::config() const {
    TrainConfig c;
    c.model = model_->currentText().toStdString();
    c.loss = loss_->currentText().toStdString();
    readParams(modelEditors_, c.modelParams, c.modelChoices);
    readParams(lossEditors_, c.lossParams, c.lossChoices);
    c.epochs = epochs_->value();
    c.batchSize = batchSize_->value();
    c.learningRate = learningRate_->value();
    c.weightDecay = weightDecay_->value();
    c.seed = static_cast<uint64_t>(seed_->value());
    c.device = device_->currentText().toStdString();
    return c;
}

void TrainingPanel::setConfig(const TrainConfig& c) {
    model_->setCurrentText(QString::fromStdString(c.model));
    loss_->setCurrentText(QString::fromStdString(c.loss));
    writeParams(modelEditors_, c.modelParams, c.modelChoices);
    writeParams(lossEditors_, c.lossParams, c.lossChoices);
    epochs_->setValue(c.epochs);
    batchSize_->setValue(c.batchSize);
    learningRate_->setValue(c.learningRate);
    weightDecay_->setValue(c.weightDecay);
    seed_->setValue(static_cast<int>(c.seed));
    device_->setCurrentText(QString::fromStdString(c.device));
}

void TrainingPanel::setEpochs(int epochs) {
    epochs_->setValue(epochs);
}

void TrainingPanel::setRunning(bool running) {
    start_->setEnabled(!running);
    cancel_->setEnabled(running);
    for (QWidget* w : std::initializer_list<QWidget*>{model_, loss_, epochs_, batchSize_,
                                                      learningRate_, weightDecay_, seed_, device_})
        w->setEnabled(!running);
    if (running)
        progress_->setValue(0);
}

void TrainingPanel::setProgress(double fraction, const QString& stage, double etaSeconds) {
    progress_->setValue(static_cast<int>(std::lround(fraction * 1000.0)));
    const QString eta = formatEta(etaSeconds);
    status_->setText(eta.isEmpty() ? stage : stage + QStringLiteral(" — ") + eta);
}

void TrainingPanel::setStatus(const QString& text) {
    status_->setText(text);
}

} // namespace embedscope::ui
