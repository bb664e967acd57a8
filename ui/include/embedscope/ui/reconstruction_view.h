#pragma once
// The reconstructions view of a generative run (seed 001 Fig 4.4, Fig A.1; seed 002 §4):
// inputs above their reconstructions, samples from the prior, a latent traversal of the
// current sample and, for DRAW, the canvas after each step. The run's model is loaded once per
// run; the small models reconstruct 8 samples in milliseconds, so this runs on the GUI thread
// (the times are measured and kept for tests and the log).
#include "embedscope/engine/dataset.h"
#include "embedscope/engine/run.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QSpinBox;

namespace embedscope {
class GenerativeRunModel;
}

namespace embedscope::ui {

class SampleStrip;

class ReconstructionView : public QWidget {
    Q_OBJECT
public:
    /// Reads the values of one sample (sampleSize floats) by data set row.
    using SampleReader = std::function<std::vector<float>(std::size_t row)>;

    static constexpr int kSamples = 8;        ///< input / reconstruction pairs and prior samples
    static constexpr int kTraversalSteps = 7; ///< -3 .. 3

    explicit ReconstructionView(QWidget* parent = nullptr);
    ~ReconstructionView() override;

    /// Shows `run`: its model is loaded here. `data` gives the sample shape and the metadata
    /// (the split column picks the shown rows: test, else val, else the first ones); its values
    /// are used when `reader` is empty. A non-generative run shows a one-line message.
    void setRun(const RunRecord& run, const Dataset& data, SampleReader reader = {});
    /// Shows a message and drops the run (no run selected, or it cannot be shown).
    void clear(const QString& message = QString());
    /// Makes data set row `row` the current sample: shown first with its reconstruction, and
    /// the traversal starts from its μ. -1 returns to the default rows.
    void setCurrentSample(int row);
    void setTraversalDimension(int dim);
    /// Draws a new set of prior samples (the next seed).
    void newPriorSamples();

    bool hasModel() const { return model_ != nullptr; }
    QString message() const;
    int currentSample() const { return current_; }
    /// Data set rows of the shown input / reconstruction pairs, current sample first.
    const std::vector<std::size_t>& shownRows() const { return rows_; }
    int pairCount() const;
    int priorCount() const;
    int traversalCount() const;
    int stepCount() const { return steps_; }
    int latentDim() const;
    /// Reconstructions of the shown rows (rows x sampleSize), for tests.
    const std::vector<float>& reconstructions() const { return reconstructions_; }
    const std::vector<float>& inputs() const { return inputs_; }
    /// Milliseconds of the last model load and the last reconstruct() of the shown rows.
    double loadMs() const { return loadMs_; }
    double reconstructMs() const { return reconstructMs_; }
    QSpinBox* dimensionBox() const { return dimension_; }
    QPushButton* newSamplesButton() const { return newSamples_; }

Q_SIGNALS:
    /// A model load or a reconstruction failed (the message is also shown in the view).
    void failed(const QString& message);

private:
    void refreshPairs();
    void refreshPrior();
    void refreshTraversal();
    std::vector<std::size_t> defaultRows() const;
    void showFailure(const QString& text);

    std::unique_ptr<GenerativeRunModel> model_;
    Dataset data_; ///< shape and metadata of the run's data set (values only without a reader)
    SampleReader reader_;
    QString runName_;
    std::vector<std::size_t> rows_;
    std::vector<float> inputs_;
    std::vector<float> reconstructions_;
    std::vector<float> currentMu_;
    double lo_ = 0, hi_ = 1; ///< value range of the shown inputs, shared by every strip
    int current_ = -1;
    int steps_ = 0;
    uint64_t priorSeed_ = 1;
    double loadMs_ = 0, reconstructMs_ = 0;

    QLabel* message_ = nullptr;
    QWidget* content_ = nullptr;
    QLabel* pairsTitle_ = nullptr;
    QLabel* traversalTitle_ = nullptr;
    QLabel* stepsTitle_ = nullptr;
    SampleStrip* pairs_ = nullptr;
    SampleStrip* prior_ = nullptr;
    SampleStrip* traversal_ = nullptr;
    SampleStrip* stepsStrip_ = nullptr;
    QSpinBox* dimension_ = nullptr;
    QPushButton* newSamples_ = nullptr;
};

} // namespace embedscope::ui
