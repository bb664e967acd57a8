#include "embedscope/ui/training_panel.h"

#include "embedscope/engine/error.h"
#include "embedscope/engine/optimization.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
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
    case ParamSpec::Type::IntList: {
        // Free text ("11,5,3"), checked by the engine's parser when applied.
        auto* edit = new QLineEdit(QString::fromStdString(spec.defaultChoice));
        edit->setPlaceholderText(QStringLiteral("e.g. %1").arg(
            QString::fromStdString(spec.defaultChoice.empty() ? "3,3" : spec.defaultChoice)));
        return edit;
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
    for (const auto& m : modelRegistry()) {
        model_->addItem(QString::fromStdString(m.name), QString::fromStdString(m.description));
        model_->setItemData(model_->count() - 1,
                            QStringLiteral("%1 (%2)").arg(QString::fromStdString(m.description),
                                                          QString::fromStdString(m.kind)),
                            Qt::ToolTipRole);
    }
    modelForm_->addRow(tr("Model"), model_);
    layout->addWidget(modelBox);

    auto* lossBox = new QGroupBox(tr("Loss"));
    lossForm_ = new QFormLayout(lossBox);
    loss_ = new QComboBox;
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
    learningRate_->setRange(0.0, 10.0);
    learningRate_->setSingleStep(1e-4);
    learningRate_->setSpecialValueText(tr("default"));
    learningRate_->setToolTip(tr("0 = the model kind's default (encoders 3e-3, generative 1e-3)"));
    learningRate_->setValue(defaults.learningRate);
    optimizer_ = new QComboBox;
    optimizer_->addItem(tr("default"));
    for (const auto& name : optimizerNames())
        optimizer_->addItem(QString::fromStdString(name));
    optimizer_->setToolTip(tr("default: adam for encoders, nadamw for generative models"));
    schedule_ = new QComboBox;
    schedule_->addItem(tr("default"));
    for (const auto& name : scheduleNames())
        schedule_->addItem(QString::fromStdString(name));
    schedule_->setToolTip(tr("Learning-rate schedule; default: constant for encoders, cosine "
                             "decay for generative models (seed 001 §3.3)"));
    clipNorm_ = new QDoubleSpinBox;
    clipNorm_->setDecimals(3);
    clipNorm_->setRange(0.0, 1e6);
    clipNorm_->setSpecialValueText(tr("off"));
    clipNorm_->setToolTip(tr("Global gradient-norm clipping (seed 002 §4); 0 = off"));
    clipNorm_->setValue(defaults.clipNorm);
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
    optimForm->addRow(tr("Optimizer"), optimizer_);
    optimForm->addRow(tr("Schedule"), schedule_);
    optimForm->addRow(tr("Clip norm"), clipNorm_);
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
        fillLosses();
    });
    connect(loss_, &QComboBox::currentTextChanged, this, [this] {
        rebuildParams(lossForm_, lossEditors_, findLoss(loss_->currentText().toStdString()));
    });
    connect(start_, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &TrainingPanel::cancelRequested);
    if (model_->count() > 0)
        rebuildParams(modelForm_, modelEditors_, findModel(model_->currentText().toStdString()));
    fillLosses();
}

void TrainingPanel::fillLosses() {
    // Encoders train with contrastive losses, generative models with the ELBO, classifiers (the
    // cell CNN) with cross-entropy: offering only the fitting ones keeps the parser's "does not
    // fit" error out of reach.
    const std::string modelKind =
        model_->count() > 0 ? findModel(model_->currentText().toStdString()).kind : "encoder";
    const std::string wanted = modelKind == "generative"   ? "generative"
                               : modelKind == "classifier" ? "classifier"
                                                           : "contrastive";
    const QString previous = loss_->currentText();
    loss_->blockSignals(true);
    loss_->clear();
    for (const auto& l : lossRegistry())
        if (l.kind == wanted) {
            loss_->addItem(QString::fromStdString(l.name));
            loss_->setItemData(loss_->count() - 1, QString::fromStdString(l.description),
                               Qt::ToolTipRole);
        }
    const int keep = loss_->findText(previous);
    loss_->setCurrentIndex(keep >= 0 ? keep : 0);
    loss_->blockSignals(false);
    if (loss_->currentText() != previous || lossEditors_.empty()) {
        if (loss_->count() > 0)
            rebuildParams(lossForm_, lossEditors_, findLoss(loss_->currentText().toStdString()));
        else
            rebuildParams(lossForm_, lossEditors_, ComponentInfo{});
    }
}

QStringList TrainingPanel::availableLosses() const {
    QStringList names;
    for (int i = 0; i < loss_->count(); ++i)
        names << loss_->itemText(i);
    return names;
}

QWidget* TrainingPanel::modelParamEditor(const QString& key) const {
    for (const auto& e : modelEditors_)
        if (e.spec.key == key.toStdString())
            return e.widget;
    return nullptr;
}

QWidget* TrainingPanel::lossParamEditor(const QString& key) const {
    for (const auto& e : lossEditors_)
        if (e.spec.key == key.toStdString())
            return e.widget;
    return nullptr;
}

QString TrainingPanel::statusText() const {
    return status_->text();
}

bool TrainingPanel::validate(QString* error) {
    try {
        parseTrainConfig(toJson(config()), {}, "training panel");
        for (const auto* editors : {&modelEditors_, &lossEditors_})
            for (const auto& e : *editors)
                if (auto* edit = qobject_cast<QLineEdit*>(e.widget))
                    edit->setStyleSheet(QString());
        return true;
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        // Mark the list editor the message names (IntList text is the usual culprit).
        for (const auto* editors : {&modelEditors_, &lossEditors_})
            for (const auto& ed : *editors)
                if (auto* edit = qobject_cast<QLineEdit*>(ed.widget))
                    edit->setStyleSheet(message.contains(QString::fromStdString(ed.spec.key))
                                            ? QStringLiteral("background: #fde0d0")
                                            : QString());
        status_->setText(message);
        if (error)
            *error = message;
        return false;
    }
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
        if (auto* edit = qobject_cast<QLineEdit*>(editor))
            connect(edit, &QLineEdit::editingFinished, this, [this] { validate(); });
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
        else if (auto* l = qobject_cast<QLineEdit*>(e.widget))
            choices[e.spec.key] = l->text().trimmed().toStdString();
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
        else if (auto* l = qobject_cast<QLineEdit*>(e.widget); l && c != choices.end())
            l->setText(QString::fromStdString(c->second));
    }
}

TrainConfig TrainingPanel::config() const {
    TrainConfig c = base_;
    c.model = model_->currentText().toStdString();
    c.loss = loss_->currentText().toStdString();
    c.modelParams.clear();
    c.modelChoices.clear();
    c.lossParams.clear();
    c.lossChoices.clear();
    readParams(modelEditors_, c.modelParams, c.modelChoices);
    readParams(lossEditors_, c.lossParams, c.lossChoices);
    c.epochs = epochs_->value();
    c.batchSize = batchSize_->value();
    c.learningRate = learningRate_->value();
    c.weightDecay = weightDecay_->value();
    // Index 0 is "default": an empty name, resolved by parseTrainConfig for the model's kind.
    c.optimizer.name =
        optimizer_->currentIndex() > 0 ? optimizer_->currentText().toStdString() : std::string();
    c.schedule.name =
        schedule_->currentIndex() > 0 ? schedule_->currentText().toStdString() : std::string();
    c.clipNorm = clipNorm_->value();
    c.seed = static_cast<uint64_t>(seed_->value());
    c.device = device_->currentText().toStdString();
    return c;
}

void TrainingPanel::setConfig(const TrainConfig& c) {
    base_ = c;
    model_->setCurrentText(QString::fromStdString(c.model));
    loss_->setCurrentText(QString::fromStdString(c.loss));
    writeParams(modelEditors_, c.modelParams, c.modelChoices);
    writeParams(lossEditors_, c.lossParams, c.lossChoices);
    epochs_->setValue(c.epochs);
    batchSize_->setValue(c.batchSize);
    learningRate_->setValue(c.learningRate);
    weightDecay_->setValue(c.weightDecay);
    const int optimizer = optimizer_->findText(QString::fromStdString(c.optimizer.name));
    optimizer_->setCurrentIndex(std::max(0, optimizer));
    const int schedule = schedule_->findText(QString::fromStdString(c.schedule.name));
    schedule_->setCurrentIndex(std::max(0, schedule));
    clipNorm_->setValue(c.clipNorm);
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
                                                      learningRate_, weightDecay_, optimizer_,
                                                      schedule_, clipNorm_, seed_, device_})
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
