#pragma once
// The training form: model, loss and hyperparameters, built from the engine's registries,
// with Start / Cancel, a progress bar (epoch/batch, ETA). The loss list follows the model's
// kind (encoder: contrastive losses, generative: elbo); optimizer, schedule and clipping
// follow training.h, empty / 0 meaning the kind's default.
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

#include <QStringList>
#include <QWidget>

#include <map>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace embedscope::ui {

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    /// The config the form describes (validated by the engine when parsed from JSON). Fields
    /// the form does not show (optimizer params, columns, ...) come from the last setConfig.
    TrainConfig config() const;
    void setConfig(const TrainConfig& config);
    /// Parses config() as the engine will (parseTrainConfig); on failure shows the parser's
    /// message in the status line and returns false with it in `error`.
    bool validate(QString* error = nullptr);
    /// The losses offered for the chosen model (their kind fits the model's kind).
    QStringList availableLosses() const;
    /// The parameter editor for `key` of the model / loss (nullptr when the component has none).
    QWidget* modelParamEditor(const QString& key) const;
    QWidget* lossParamEditor(const QString& key) const;
    QComboBox* modelBox() const { return model_; }
    QComboBox* lossBox() const { return loss_; }
    QString statusText() const;
    void setEpochs(int epochs);

    /// Switches between idle (Start enabled) and running (Cancel enabled) states.
    void setRunning(bool running);
    void setProgress(double fraction, const QString& stage, double etaSeconds);
    void setStatus(const QString& text);
    QPushButton* startButton() const { return start_; }
    QPushButton* cancelButton() const { return cancel_; }

Q_SIGNALS:
    void startRequested();
    void cancelRequested();

private:
    struct ParamEditor {
        ParamSpec spec;
        QWidget* widget = nullptr;
    };
    void rebuildParams(QFormLayout* form, std::vector<ParamEditor>& editors,
                       const ComponentInfo& info);
    static void readParams(const std::vector<ParamEditor>& editors,
                           std::map<std::string, double>& numbers,
                           std::map<std::string, std::string>& choices);
    void fillLosses();
    static void writeParams(std::vector<ParamEditor>& editors,
                            const std::map<std::string, double>& numbers,
                            const std::map<std::string, std::string>& choices);

    QComboBox* model_ = nullptr;
    QComboBox* loss_ = nullptr;
    QFormLayout* modelForm_ = nullptr;
    QFormLayout* lossForm_ = nullptr;
    std::vector<ParamEditor> modelEditors_;
    std::vector<ParamEditor> lossEditors_;
    QSpinBox* epochs_ = nullptr;
    QSpinBox* batchSize_ = nullptr;
    QDoubleSpinBox* learningRate_ = nullptr;
    QDoubleSpinBox* weightDecay_ = nullptr;
    QComboBox* optimizer_ = nullptr; ///< "default" = the kind's default (adam / nadamw)
    QComboBox* schedule_ = nullptr;  ///< "default" = constant / cosine
    QDoubleSpinBox* clipNorm_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QComboBox* device_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    TrainConfig base_; ///< the last setConfig: keeps what the form does not edit
};

} // namespace embedscope::ui
