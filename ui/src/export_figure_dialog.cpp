#include "embedscope/ui/export_figure_dialog.h"

#include "embedscope/engine/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardItemModel>

#include <cmath>

namespace embedscope::ui {

namespace {

constexpr double kMmPerInch = 25.4;

/// `path` with its suffix replaced by (or, without a known one, extended with) `format`'s.
QString withSuffix(const QString& path, FigureFormat format) {
    if (path.isEmpty())
        return path;
    const QString suffix = QStringLiteral(".") + figureFormatName(format);
    if (figureFormatOfPath(path)) {
        const QFileInfo info(path);
        return path.left(path.size() - info.suffix().size() - 1) + suffix;
    }
    return path + suffix;
}

} // namespace

ExportFigureDialog::ExportFigureDialog(const Figure& figure, QWidget* parent)
    : QDialog(parent), figure_(figure) {
    setWindowTitle(tr("Export figure \u2013 %1").arg(figure.viewName()));
    auto* form = new QFormLayout;

    path_ = new QLineEdit;
    path_->setObjectName(QStringLiteral("path"));
    auto* browse = new QPushButton(tr("Browse\u2026"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("File"), pathRow);

    format_ = new QComboBox;
    format_->setObjectName(QStringLiteral("format"));
    format_->addItem(tr("PNG image"), int(FigureFormat::Png));
    format_->addItem(tr("SVG vector graphics"), int(FigureFormat::Svg));
    format_->addItem(tr("PDF document"), int(FigureFormat::Pdf));
    form->addRow(tr("Format"), format_);
    rasterNote_ = new QLabel(tr("This is a 3-D view: it is exported as an image (PNG, or PDF with "
                                "the image embedded); SVG is not available."));
    rasterNote_->setWordWrap(true);
    rasterNote_->setVisible(figure.raster());
    if (figure.raster())
        if (auto* model = qobject_cast<QStandardItemModel*>(format_->model()))
            model->item(1)->setEnabled(false);
    form->addRow(rasterNote_);

    width_ = new QDoubleSpinBox;
    width_->setObjectName(QStringLiteral("width"));
    height_ = new QDoubleSpinBox;
    height_->setObjectName(QStringLiteral("height"));
    unit_ = new QComboBox;
    unit_->setObjectName(QStringLiteral("unit"));
    unit_->addItem(QStringLiteral("mm"));
    unit_->addItem(QStringLiteral("px"));
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(width_);
    sizeRow->addWidget(new QLabel(QStringLiteral("\u00d7")));
    sizeRow->addWidget(height_);
    sizeRow->addWidget(unit_);
    form->addRow(tr("Size"), sizeRow);

    dpi_ = new QDoubleSpinBox;
    dpi_->setObjectName(QStringLiteral("dpi"));
    dpi_->setRange(30, 2400);
    dpi_->setDecimals(0);
    form->addRow(tr("Resolution (dpi)"), dpi_);
    size_ = new QLabel;
    size_->setObjectName(QStringLiteral("sizeText"));
    form->addRow(QString(), size_);

    fontPt_ = new QDoubleSpinBox;
    fontPt_->setObjectName(QStringLiteral("fontPt"));
    fontPt_->setRange(4, 72);
    fontPt_->setDecimals(1);
    fontPt_->setSuffix(QStringLiteral(" pt"));
    form->addRow(tr("Font size"), fontPt_);
    title_ = new QLineEdit;
    title_->setObjectName(QStringLiteral("title"));
    title_->setPlaceholderText(tr("none"));
    form->addRow(tr("Title"), title_);
    legend_ = new QCheckBox(tr("Legend"));
    legend_->setObjectName(QStringLiteral("legend"));
    light_ = new QCheckBox(tr("Light background"));
    light_->setObjectName(QStringLiteral("light"));
    auto* checks = new QHBoxLayout;
    checks->addWidget(legend_);
    checks->addWidget(light_);
    checks->addStretch();
    form->addRow(QString(), checks);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    loadSettings();

    connect(browse, &QPushButton::clicked, this, &ExportFigureDialog::browse);
    connect(path_, &QLineEdit::textEdited, this, &ExportFigureDialog::pathEdited);
    connect(format_, &QComboBox::currentIndexChanged, this, &ExportFigureDialog::formatChosen);
    connect(unit_, &QComboBox::currentIndexChanged, this, &ExportFigureDialog::unitChosen);
    for (QDoubleSpinBox* box : {width_, height_, dpi_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ExportFigureDialog::updateSizeText);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportFigureDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportFigureDialog::reject);
    updateSizeText();
}

FigureOptions::Unit ExportFigureDialog::unit() const {
    return unit_->currentIndex() == 1 ? FigureOptions::Unit::Pixels
                                      : FigureOptions::Unit::Millimetres;
}

FigureOptions ExportFigureDialog::options() const {
    FigureOptions o;
    o.width = width_->value();
    o.height = height_->value();
    o.unit = unit();
    o.dpi = dpi_->value();
    o.fontPt = fontPt_->value();
    o.title = title_->text().trimmed();
    o.legend = legend_->isChecked();
    o.lightBackground = light_->isChecked();
    return o;
}

QString ExportFigureDialog::path() const {
    return path_->text().trimmed();
}

FigureFormat ExportFigureDialog::format() const {
    if (const auto fromPath = figureFormatOfPath(path()))
        return *fromPath;
    return FigureFormat(format_->currentData().toInt());
}

void ExportFigureDialog::setPath(const QString& path) {
    path_->setText(path);
    pathEdited();
}

void ExportFigureDialog::setOptions(const FigureOptions& o) {
    const QSignalBlocker block(unit_);
    unit_->setCurrentIndex(o.unit == FigureOptions::Unit::Pixels ? 1 : 0);
    unitChosen(); // ranges for the unit (converts the old values, replaced just below)
    dpi_->setValue(o.dpi);
    width_->setValue(o.width);
    height_->setValue(o.height);
    fontPt_->setValue(o.fontPt);
    title_->setText(o.title);
    legend_->setChecked(o.legend);
    light_->setChecked(o.lightBackground);
    updateSizeText();
}

QString ExportFigureDialog::sizeText() const {
    return size_->text();
}

void ExportFigureDialog::browse() {
    const QString filters =
        tr("PNG image (*.png);;SVG vector graphics (*.svg);;PDF document (*.pdf)");
    QString selected = format() == FigureFormat::Svg   ? tr("SVG vector graphics (*.svg)")
                       : format() == FigureFormat::Pdf ? tr("PDF document (*.pdf)")
                                                       : tr("PNG image (*.png)");
    QString chosen =
        QFileDialog::getSaveFileName(this, tr("Export figure"), path(), filters, &selected);
    if (chosen.isEmpty())
        return;
    if (!figureFormatOfPath(chosen))
        chosen = withSuffix(chosen, selected.contains(QLatin1String("svg"))   ? FigureFormat::Svg
                                    : selected.contains(QLatin1String("pdf")) ? FigureFormat::Pdf
                                                                              : FigureFormat::Png);
    setPath(chosen);
}

void ExportFigureDialog::pathEdited() {
    const auto f = figureFormatOfPath(path());
    if (!f || (*f == FigureFormat::Svg && figure_.raster()))
        return; // the export then reports an SVG of a 3-D view
    const QSignalBlocker block(format_);
    format_->setCurrentIndex(format_->findData(int(*f)));
}

void ExportFigureDialog::formatChosen() {
    const QSignalBlocker block(path_);
    path_->setText(withSuffix(path(), FigureFormat(format_->currentData().toInt())));
}

void ExportFigureDialog::unitChosen() {
    const bool px = unit() == FigureOptions::Unit::Pixels;
    const double dpi = dpi_->value() > 0 ? dpi_->value() : 300;
    const double factor = px ? dpi / kMmPerInch : kMmPerInch / dpi;
    const bool wasPx = pixels_;
    pixels_ = px;
    for (QDoubleSpinBox* box : {width_, height_}) {
        const double value = box->value();
        const QSignalBlocker block(box);
        box->setDecimals(px ? 0 : 1);
        box->setRange(1, px ? 20000 : 2000);
        box->setSuffix(px ? QStringLiteral(" px") : QStringLiteral(" mm"));
        if (wasPx != px)
            box->setValue(value * factor);
    }
    updateSizeText();
}

void ExportFigureDialog::updateSizeText() {
    const FigureOptions o = options();
    const QSize px = o.sizePixels();
    const QSizeF mm = o.sizePoints() * (kMmPerInch / 72.0);
    size_->setText(tr("= %1 \u00d7 %2 px at %3 dpi (%4 \u00d7 %5 mm)")
                       .arg(px.width())
                       .arg(px.height())
                       .arg(o.dpi)
                       .arg(mm.width(), 0, 'f', 1)
                       .arg(mm.height(), 0, 'f', 1));
}

bool ExportFigureDialog::exportNow(QString* error) {
    try {
        exportFigure(figure_, options(), format(), path());
    } catch (const Error& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    saveSettings();
    return true;
}

void ExportFigureDialog::accept() {
    QString error;
    if (!exportNow(&error)) {
        // The dialog stays open: fix the path or the options and try again.
        QMessageBox::warning(this, tr("Export figure"), error);
        return;
    }
    QDialog::accept();
}

void ExportFigureDialog::loadSettings() {
    QSettings s(QStringLiteral("embedscope"), QStringLiteral("embedscope"));
    s.beginGroup(QStringLiteral("figureExport"));
    FigureOptions o;
    o.unit = s.value(QStringLiteral("unit")).toString() == QLatin1String("px")
                 ? FigureOptions::Unit::Pixels
                 : FigureOptions::Unit::Millimetres;
    o.width = s.value(QStringLiteral("width"), o.width).toDouble();
    o.height = s.value(QStringLiteral("height"), o.height).toDouble();
    o.dpi = s.value(QStringLiteral("dpi"), o.dpi).toDouble();
    o.fontPt = s.value(QStringLiteral("fontPt"), o.fontPt).toDouble();
    o.legend = s.value(QStringLiteral("legend"), o.legend).toBool();
    o.lightBackground = s.value(QStringLiteral("lightBackground"), o.lightBackground).toBool();
    setOptions(o);
    FigureFormat f = FigureFormat::Png;
    try {
        f = parseFigureFormat(s.value(QStringLiteral("format"), QStringLiteral("png")).toString());
    } catch (const Error&) {
    }
    if (f == FigureFormat::Svg && figure_.raster())
        f = FigureFormat::Png;
    const QString dir = s.value(QStringLiteral("directory"), QDir::homePath()).toString();
    s.endGroup();
    const QSignalBlocker block(format_);
    format_->setCurrentIndex(format_->findData(int(f)));
    path_->setText(
        QDir(dir).filePath(figure_.viewName() + QStringLiteral(".") + figureFormatName(f)));
}

void ExportFigureDialog::saveSettings() const {
    const FigureOptions o = options();
    QSettings s(QStringLiteral("embedscope"), QStringLiteral("embedscope"));
    s.beginGroup(QStringLiteral("figureExport"));
    s.setValue(QStringLiteral("directory"), QFileInfo(path()).absolutePath());
    s.setValue(QStringLiteral("format"), figureFormatName(format()));
    s.setValue(QStringLiteral("unit"),
               o.unit == FigureOptions::Unit::Pixels ? QStringLiteral("px") : QStringLiteral("mm"));
    s.setValue(QStringLiteral("width"), o.width);
    s.setValue(QStringLiteral("height"), o.height);
    s.setValue(QStringLiteral("dpi"), o.dpi);
    s.setValue(QStringLiteral("fontPt"), o.fontPt);
    s.setValue(QStringLiteral("legend"), o.legend);
    s.setValue(QStringLiteral("lightBackground"), o.lightBackground);
    s.endGroup();
}

bool ExportFigureDialog::exportWithDialog(QWidget* parent, const Figure& figure,
                                          QString* writtenPath) {
    ExportFigureDialog dialog(figure, parent);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    if (writtenPath)
        *writtenPath = dialog.path();
    return true;
}

} // namespace embedscope::ui
