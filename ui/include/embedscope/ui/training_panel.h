#pragma once
// The training form: model, loss and hyperparameters, built from the engine's registries,
// with Start / Cancel, a progress bar (epoch/batch, ETA).
#include "embedscope/engine/registry.h"
#include "embedscope/engine/training.h"

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

    /// The config the form describes (validated by the engine when parsed from JSON).
    TrainConfig config() const;
    void setConfig(const TrainConfig& config);
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
    QSpinBox* seed_ = nullptr;
    QComboBox* device_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
};

} // namespace embedscope::ui
