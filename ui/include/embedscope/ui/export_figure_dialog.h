#pragma once
// File → Export figure: where to (PNG/SVG/PDF), how big (mm or px), DPI, font size, title,
// legend and background. The last choices are remembered (QSettings "embedscope", group
// "figureExport"; the title is not, it belongs to one view).
#include "embedscope/ui/figure.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace embedscope::ui {

class ExportFigureDialog : public QDialog {
    Q_OBJECT
public:
    /// `figure` must outlive the dialog; a raster (3-D) figure gets no SVG choice.
    explicit ExportFigureDialog(const Figure& figure, QWidget* parent = nullptr);

    FigureOptions options() const;
    QString path() const;
    /// The path's suffix when it names a format, else the format combo's choice.
    FigureFormat format() const;
    void setPath(const QString& path);
    void setOptions(const FigureOptions& options);
    /// The live size line, e.g. "= 1890 × 1181 px at 300 dpi (160 × 100 mm)".
    QString sizeText() const;
    /// Writes the figure now. On success remembers the choices and returns true; on failure
    /// returns false with the error's message in `error` (no message box).
    bool exportNow(QString* error = nullptr);

    /// Runs the dialog until the figure is written (true, `writtenPath` set) or the user
    /// cancels (false). Errors show a message box and leave the dialog open for another try.
    static bool exportWithDialog(QWidget* parent, const Figure& figure,
                                 QString* writtenPath = nullptr);

public Q_SLOTS:
    void accept() override;

private:
    void browse();
    void pathEdited();
    void formatChosen();
    void unitChosen();
    void updateSizeText();
    void loadSettings();
    void saveSettings() const;
    FigureOptions::Unit unit() const;

    const Figure& figure_;
    QLineEdit* path_ = nullptr;
    QComboBox* format_ = nullptr;
    QDoubleSpinBox* width_ = nullptr;
    QDoubleSpinBox* height_ = nullptr;
    QComboBox* unit_ = nullptr;
    QDoubleSpinBox* dpi_ = nullptr;
    QDoubleSpinBox* fontPt_ = nullptr;
    QLineEdit* title_ = nullptr;
    QCheckBox* legend_ = nullptr;
    QCheckBox* light_ = nullptr;
    QLabel* size_ = nullptr;
    QLabel* rasterNote_ = nullptr;
    bool pixels_ = false; ///< the unit the size boxes hold now (converted on a change)
};

} // namespace embedscope::ui
