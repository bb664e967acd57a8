#pragma once
// The baseline-image rule of vtk_baseline.h for QImages (QPainter figures): compare with
// <baselineDir>/<name>.png within a tolerance; a missing baseline is written and the test fails
// so that someone looks at it before committing it; EMBEDSCOPE_UPDATE_BASELINES=1 rewrites
// the baseline (the test passes and says so).
#include <QByteArray>
#include <QColor>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QString>

#include <algorithm>
#include <cstdlib>

namespace embedscope::testing {

// Same limits as the VTK baselines: mean |a − b| over all channels, and the fraction of pixels
// with a channel off by more than 64; text antialiasing drift passes, a moved label fails.
constexpr double kImageMaxMeanAbsDiff = 1.5;
constexpr double kImageMaxChangedFraction = 0.003;

struct QImageDiff {
    bool sameSize = false;
    double meanAbs = 0;
    double changedFraction = 0;
};

inline QImageDiff compareQImages(const QImage& a, const QImage& b) {
    QImageDiff diff;
    if (a.size() != b.size() || a.isNull())
        return diff;
    diff.sameSize = true;
    const QImage ca = a.convertToFormat(QImage::Format_RGB32);
    const QImage cb = b.convertToFormat(QImage::Format_RGB32);
    double sum = 0;
    long changed = 0;
    for (int y = 0; y < ca.height(); ++y) {
        const auto* ra = reinterpret_cast<const QRgb*>(ca.constScanLine(y));
        const auto* rb = reinterpret_cast<const QRgb*>(cb.constScanLine(y));
        for (int x = 0; x < ca.width(); ++x) {
            const int d[3] = {std::abs(qRed(ra[x]) - qRed(rb[x])),
                              std::abs(qGreen(ra[x]) - qGreen(rb[x])),
                              std::abs(qBlue(ra[x]) - qBlue(rb[x]))};
            sum += d[0] + d[1] + d[2];
            changed += std::max({d[0], d[1], d[2]}) > 64 ? 1 : 0;
        }
    }
    const double pixels = double(ca.width()) * ca.height();
    diff.meanAbs = sum / (3.0 * pixels);
    diff.changedFraction = double(changed) / pixels;
    return diff;
}

/// Compares `actual` with `baselineDir`/<name>.png. Returns "" when it matches (or when
/// EMBEDSCOPE_UPDATE_BASELINES=1 rewrote it), else why; a mismatching image is kept as
/// `keepDir`/<name>.actual.png.
inline QString imageBaselineMismatch(const QImage& actual, const QString& name,
                                     const QString& baselineDir, const QString& keepDir) {
    const QString baseline = baselineDir + "/" + name + ".png";
    if (qgetenv("EMBEDSCOPE_UPDATE_BASELINES") == "1") {
        QDir().mkpath(baselineDir);
        if (!actual.save(baseline, "PNG"))
            return "could not write " + baseline;
        qWarning("baseline rewritten: %s (look at it before committing)", qPrintable(baseline));
        return {};
    }
    if (!QFileInfo::exists(baseline)) {
        QDir().mkpath(baselineDir);
        actual.save(baseline, "PNG");
        return "baseline was missing and has been created: " + baseline +
               " (look at it, commit it, re-run)";
    }
    const QImageDiff diff = compareQImages(actual, QImage(baseline));
    if (diff.sameSize && diff.meanAbs <= kImageMaxMeanAbsDiff &&
        diff.changedFraction <= kImageMaxChangedFraction)
        return {};
    QDir().mkpath(keepDir);
    const QString kept = keepDir + "/" + name + ".actual.png";
    actual.save(kept, "PNG");
    return QString("%1 differs from its baseline: same size %2, mean abs diff %3 (limit %4), "
                   "changed pixels %5 (limit %6); actual image kept at %7")
        .arg(name)
        .arg(diff.sameSize)
        .arg(diff.meanAbs)
        .arg(kImageMaxMeanAbsDiff)
        .arg(diff.changedFraction)
        .arg(kImageMaxChangedFraction)
        .arg(kept);
}

} // namespace embedscope::testing
