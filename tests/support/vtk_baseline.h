#pragma once
// Pixel helpers and the baseline-image rule shared by the VTK scene tests (F3D's rule: compare
// with tests/viewer/baselines/<name>.png within a tolerance; a missing baseline is written and
// the test fails so that someone looks at it before committing it).
#include <QDir>
#include <QFileInfo>
#include <QString>

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkSmartPointer.h>
#include <vtkWindowToImageFilter.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace embedscope::testing {

using Rgb = std::array<unsigned char, 3>;

// Mean |a − b| over all channels and the fraction of pixels with a channel off by more than 64:
// both allow antialiasing drift between drivers while a moved legend, axis or group fails.
constexpr double kMaxMeanAbsDiff = 1.5;
constexpr double kMaxChangedFraction = 0.003;

inline vtkSmartPointer<vtkImageData> grab(vtkRenderWindow* window) {
    vtkNew<vtkWindowToImageFilter> filter;
    filter->SetInput(window);
    filter->SetInputBufferTypeToRGB();
    filter->ReadFrontBufferOff();
    filter->Update();
    vtkSmartPointer<vtkImageData> image = filter->GetOutput();
    return image;
}

inline Rgb pixel(vtkImageData* image, int x, int y) {
    auto* p = static_cast<unsigned char*>(image->GetScalarPointer(x, y, 0));
    return {p[0], p[1], p[2]};
}

inline int maxChannelDiff(const Rgb& a, const Rgb& b) {
    int diff = 0;
    for (int k = 0; k < 3; ++k)
        diff = std::max(diff, std::abs(int(a[k]) - int(b[k])));
    return diff;
}

inline QString describe(const Rgb& c) {
    return QString("(%1,%2,%3)").arg(c[0]).arg(c[1]).arg(c[2]);
}

struct ImageDiff {
    bool sameSize = false;
    double meanAbs = 0;         // mean |a - b| over all RGB channels
    double changedFraction = 0; // pixels with a channel off by more than 64
};

inline ImageDiff compareImages(vtkImageData* a, vtkImageData* b) {
    int da[3];
    int db[3];
    a->GetDimensions(da);
    b->GetDimensions(db);
    ImageDiff diff;
    if (da[0] != db[0] || da[1] != db[1] || a->GetNumberOfScalarComponents() < 3 ||
        b->GetNumberOfScalarComponents() < 3)
        return diff;
    diff.sameSize = true;
    double sum = 0;
    long changed = 0;
    for (int y = 0; y < da[1]; ++y)
        for (int x = 0; x < da[0]; ++x) {
            auto* pa = static_cast<unsigned char*>(a->GetScalarPointer(x, y, 0));
            auto* pb = static_cast<unsigned char*>(b->GetScalarPointer(x, y, 0));
            int worst = 0;
            for (int k = 0; k < 3; ++k) {
                const int d = std::abs(int(pa[k]) - int(pb[k]));
                sum += d;
                worst = std::max(worst, d);
            }
            changed += worst > 64 ? 1 : 0;
        }
    diff.meanAbs = sum / (3.0 * da[0] * da[1]);
    diff.changedFraction = double(changed) / (double(da[0]) * da[1]);
    return diff;
}

inline void writePng(vtkImageData* image, const QString& path) {
    vtkNew<vtkPNGWriter> writer;
    writer->SetInputData(image);
    writer->SetFileName(path.toStdString().c_str());
    writer->Write();
}

/// Compares what `window` shows with `baselineDir`/<name>.png. Returns "" when it matches, else
/// why (the actual image is kept in `keepDir`); a missing baseline is written and reported.
inline QString baselineMismatch(vtkRenderWindow* window, const QString& name,
                                const QString& baselineDir, const QString& keepDir) {
    auto actual = grab(window);
    const QString baseline = baselineDir + "/" + name + ".png";
    if (!QFileInfo::exists(baseline)) {
        QDir().mkpath(baselineDir);
        writePng(actual, baseline);
        return "baseline was missing and has been created: " + baseline +
               " (look at it, commit it, re-run)";
    }
    vtkNew<vtkPNGReader> reader;
    reader->SetFileName(baseline.toStdString().c_str());
    reader->Update();
    const ImageDiff diff = compareImages(actual, reader->GetOutput());
    if (diff.sameSize && diff.meanAbs <= kMaxMeanAbsDiff &&
        diff.changedFraction <= kMaxChangedFraction)
        return {};
    const QString kept = keepDir + "/" + name + ".actual.png";
    writePng(actual, kept);
    return QString("%1 differs from its baseline: same size %2, mean abs diff %3 (limit %4), "
                   "changed pixels %5 (limit %6); actual image kept at %7")
        .arg(name)
        .arg(diff.sameSize)
        .arg(diff.meanAbs)
        .arg(kMaxMeanAbsDiff)
        .arg(diff.changedFraction)
        .arg(kMaxChangedFraction)
        .arg(kept);
}

} // namespace embedscope::testing
