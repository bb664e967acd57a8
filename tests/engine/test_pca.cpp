// PCA: known answers constructed by hand, sign convention, invariants and errors.
#include "embedscope/engine/error.h"
#include "embedscope/engine/pca.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace embedscope;

namespace {

/// Sample variance (divided by n - 1) of one column, computed directly.
double columnVariance(const Eigen::MatrixXd& m, Eigen::Index column) {
    double mean = 0;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        mean += m(r, column);
    mean /= static_cast<double>(m.rows());
    double sum = 0;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        sum += (m(r, column) - mean) * (m(r, column) - mean);
    return sum / static_cast<double>(m.rows() - 1);
}

bool near(double a, double b, double tolerance) {
    return std::abs(a - b) <= tolerance;
}

} // namespace

class TestPca : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pointsOnALine() {
        // y = 2x: all variance along (1, 2) / sqrt(5).
        const std::vector<double> xs = {-2, -1, 0, 1, 2, 5, 7.5};
        Eigen::MatrixXd x(xs.size(), 2);
        for (std::size_t i = 0; i < xs.size(); ++i)
            x.row(i) << xs[i], 2 * xs[i];
        const PcaModel model = fitPca(x, 2);
        QCOMPARE(model.components.rows(), Eigen::Index(2));
        QCOMPARE(model.components.cols(), Eigen::Index(2));
        const double s5 = std::sqrt(5.0);
        QVERIFY(near(model.components(0, 0), 1 / s5, 1e-12));
        QVERIFY(near(model.components(1, 0), 2 / s5, 1e-12));
        QVERIFY(near(model.explainedVarianceRatio(0), 1.0, 1e-9));
        QVERIFY(near(model.explainedVarianceRatio(1), 0.0, 1e-9));
        // Variance along the line = variance of x + variance of y = 5 var(x).
        const double expected = columnVariance(x, 0) + columnVariance(x, 1);
        QVERIFY(near(model.explainedVariance(0), expected, 1e-9 * expected));
    }

    void signConventionMakesLargestLoadingPositive() {
        // y = -2x: the direction is ±(1, -2); the y loading is largest, so it must be +.
        Eigen::MatrixXd x(5, 2);
        for (int i = 0; i < 5; ++i)
            x.row(i) << i, -2.0 * i;
        const PcaModel model = fitPca(x, 1);
        const double s5 = std::sqrt(5.0);
        QVERIFY(near(model.components(0, 0), -1 / s5, 1e-12));
        QVERIFY(near(model.components(1, 0), 2 / s5, 1e-12));
    }

    void axisAlignedVariances() {
        // The 8 corners (±1, ±3, ±2) plus the centre, shifted by an offset: N = 9, so the
        // sample variance of an axis is 8 a^2 / (9 - 1) = a^2: 1, 9, 4. Covariances cancel.
        const Eigen::RowVector3d offset(10, -5, 7);
        Eigen::MatrixXd x(9, 3);
        int row = 0;
        for (int s0 : {-1, 1})
            for (int s1 : {-1, 1})
                for (int s2 : {-1, 1})
                    x.row(row++) = Eigen::RowVector3d(1.0 * s0, 3.0 * s1, 2.0 * s2) + offset;
        x.row(row) = offset;
        const PcaModel model = fitPca(x, 3);
        QVERIFY(near(model.explainedVariance(0), 9.0, 1e-12));
        QVERIFY(near(model.explainedVariance(1), 4.0, 1e-12));
        QVERIFY(near(model.explainedVariance(2), 1.0, 1e-12));
        QVERIFY(near(model.explainedVarianceRatio(0), 9.0 / 14.0, 1e-12));
        QVERIFY(near(model.explainedVarianceRatio(1), 4.0 / 14.0, 1e-12));
        QVERIFY(near(model.explainedVarianceRatio(2), 1.0 / 14.0, 1e-12));
        // Components: axis 1, then axis 2, then axis 0, each with a +1 loading.
        Eigen::Matrix3d expected;
        expected << 0, 0, 1, 1, 0, 0, 0, 1, 0;
        QVERIFY((model.components - expected).cwiseAbs().maxCoeff() < 1e-12);
        QVERIFY((model.mean - offset).cwiseAbs().maxCoeff() < 1e-12);
        // The mean maps to the origin; the first corner to (s1*3, s2*2, s0*1) = (-3, -2, -1).
        QVERIFY(model.transform(offset).cwiseAbs().maxCoeff() < 1e-12);
        const Eigen::MatrixXd first = model.transform(x.topRows(1));
        QVERIFY(near(first(0, 0), -3, 1e-12) && near(first(0, 1), -2, 1e-12) &&
                near(first(0, 2), -1, 1e-12));
    }

    void randomDataInvariants() {
        std::mt19937 rng(5);
        std::normal_distribution<double> normal;
        Eigen::MatrixXd x(60, 5);
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (Eigen::Index c = 0; c < x.cols(); ++c)
                x(r, c) = normal(rng) * (c + 1) + (c == 1 ? 0.7 * x(r, 0) : 0.0) + 3.0 * c;
        const PcaModel model = fitPca(x, 5);
        const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(5, 5);
        QVERIFY((model.components.transpose() * model.components - identity).cwiseAbs().maxCoeff() <
                1e-10);
        const Eigen::MatrixXd projected = model.transform(x);
        double total = 0;
        for (Eigen::Index c = 0; c < x.cols(); ++c)
            total += columnVariance(x, c);
        double ratioSum = 0;
        for (Eigen::Index k = 0; k < 5; ++k) {
            const double variance = columnVariance(projected, k);
            QVERIFY(near(model.explainedVariance(k), variance, 1e-9 * total));
            QVERIFY(near(model.explainedVarianceRatio(k), variance / total, 1e-9));
            if (k > 0)
                QVERIFY(model.explainedVariance(k) <= model.explainedVariance(k - 1));
            Eigen::Index largest = 0;
            model.components.col(k).cwiseAbs().maxCoeff(&largest);
            QVERIFY(model.components(largest, k) > 0);
            ratioSum += model.explainedVarianceRatio(k);
        }
        QVERIFY(near(ratioSum, 1.0, 1e-12));
        // Projected columns are uncorrelated; with K = D the projection is a rotation.
        const Eigen::MatrixXd centred = projected.rowwise() - projected.colwise().mean();
        const Eigen::MatrixXd cov = centred.transpose() * centred / 59.0;
        QVERIFY((cov - Eigen::MatrixXd(cov.diagonal().asDiagonal())).cwiseAbs().maxCoeff() < 1e-9);
        const Eigen::MatrixXd back =
            (projected * model.components.transpose()).rowwise() + model.mean;
        QVERIFY((back - x).cwiseAbs().maxCoeff() < 1e-9);
        // Fewer components: the leading ones are the same.
        const PcaModel two = fitPca(x, 2);
        QCOMPARE(two.components.cols(), Eigen::Index(2));
        QVERIFY((two.components - model.components.leftCols(2)).cwiseAbs().maxCoeff() < 1e-10);
    }

    void componentCountIsClipped() {
        Eigen::MatrixXd wide(3, 5);
        wide << 1, 2, 3, 4, 5, 2, 1, 0, 3, 3, 9, 1, 1, 2, 7;
        const PcaModel a = fitPca(wide, 10);
        QCOMPARE(a.components.rows(), Eigen::Index(5));
        QCOMPARE(a.components.cols(), Eigen::Index(3));
        QCOMPARE(a.explainedVariance.size(), Eigen::Index(3));
        // Three centred points span at most two dimensions.
        QVERIFY(near(a.explainedVariance(2), 0.0, 1e-9));
        Eigen::MatrixXd tall = Eigen::MatrixXd::Random(10, 2);
        QCOMPARE(fitPca(tall, 5).components.cols(), Eigen::Index(2));
    }

    void errors() {
        QVERIFY_THROWS_EXCEPTION(DataError, fitPca(Eigen::MatrixXd::Ones(1, 3), 1));
        QVERIFY_THROWS_EXCEPTION(DataError, fitPca(Eigen::MatrixXd(0, 3), 1));
        QVERIFY_THROWS_EXCEPTION(DataError, fitPca(Eigen::MatrixXd::Random(4, 3), 0));
        Eigen::MatrixXd nan = Eigen::MatrixXd::Random(4, 3);
        nan(2, 1) = std::numeric_limits<double>::quiet_NaN();
        try {
            fitPca(nan, 2);
            QFAIL("NaN accepted");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("row 2, column 1") != std::string::npos, e.what());
        }
        Eigen::MatrixXd inf = Eigen::MatrixXd::Random(4, 3);
        inf(0, 0) = std::numeric_limits<double>::infinity();
        QVERIFY_THROWS_EXCEPTION(DataError, fitPca(inf, 2));
        const PcaModel model = fitPca(Eigen::MatrixXd::Random(4, 3), 2);
        QVERIFY_THROWS_EXCEPTION(DataError, model.transform(Eigen::MatrixXd::Random(2, 4)));
    }
};

QTEST_GUILESS_MAIN(TestPca)
#include "test_pca.moc"
