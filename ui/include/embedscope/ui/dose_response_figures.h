#pragma once
// The dose-response figures of issue 7, drawn from an engine DoseResponseResult:
// - DoseResponseFigure: small multiples, one panel per substance: distance of each dose
//   centroid to the reference (control, or the secondary-only group) with its bootstrap CI on
//   a log dose axis, the rows (animals) behind it, the Hill fit and its EC50, inversions of
//   the dose order (seed-000 DR) marked; a panel says why when there is no fit or no control.
// - DoseHeatmapFigure: substance × dose heat map of the same distances (viridis, shared scale,
//   values written in the cells, inversions marked).
// Substance colours follow the embedding view's palette (substances in natural order).
#include "embedscope/engine/dose_response.h"
#include "embedscope/ui/figure.h"

#include <QString>

namespace embedscope::ui {

struct DoseFigureLabels {
    QString doseTitle = QStringLiteral("Dose"); ///< x axis (with units when known)
    QString distanceTitle = QStringLiteral("Distance to control"); ///< y axis / colour bar
    QString highlight; ///< a substance drawn emphasised, the others faded; "" = none
};

class DoseResponseFigure : public Figure {
public:
    DoseResponseFigure(DoseResponseResult result, DoseFigureLabels labels = {});
    QString viewName() const override { return QStringLiteral("dose-response"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;

    /// The panel grid: columns, rows for `count` panels (at most 4 columns).
    static QSize gridFor(int count);
    /// Index of the substance whose panel contains `point` (points, same rect as paint), -1
    /// when none (for clicks in a FigureWidget).
    int substanceAt(const QRectF& rect, const FigureOptions& options, QPointF point) const;
    const DoseResponseResult& result() const { return result_; }

private:
    QRectF panelRect(const QRectF& body, int index) const;
    void paintPanel(QPainter& painter, const QRectF& outer, const FigureOptions& options,
                    int index) const;

    DoseResponseResult result_;
    DoseFigureLabels labels_;
    double doseMin_ = 1, doseMax_ = 1, distanceMax_ = 1;
};

class DoseHeatmapFigure : public Figure {
public:
    DoseHeatmapFigure(DoseResponseResult result, DoseFigureLabels labels = {});
    QString viewName() const override { return QStringLiteral("dose-heatmap"); }
    void paint(QPainter& painter, const QRectF& rect, const FigureOptions& options) const override;
    /// The distinct doses (columns), ascending.
    const std::vector<double>& doses() const { return doses_; }

private:
    DoseResponseResult result_;
    DoseFigureLabels labels_;
    std::vector<double> doses_;
};

} // namespace embedscope::ui
