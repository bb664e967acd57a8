// Kabsch alignment (seed-003 lab note, SPEC S3): known rotations recovered by Horn's quaternion
// method and by the SVD form, agreement of the two, Umeyama scale, reflections, degenerate sets
// and the errors.
#include "embedscope/engine/alignment.h"
#include "embedscope/engine/error.h"

#include "expect_error.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace embedscope;

namespace {

Eigen::MatrixXd gaussian(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng,
                         double sigma = 1.0) {
    std::normal_distribution<double> n(0.0, sigma);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r)
        for (Eigen::Index c = 0; c < cols; ++c)
            m(r, c) = n(rng);
    return m;
}

/// A random proper rotation: Q of a Gaussian matrix's QR, a column flipped if det = −1.
Eigen::MatrixXd randomRotation(Eigen::Index dims, std::mt19937_64& rng) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian(dims, dims, rng));
    Eigen::MatrixXd q = qr.householderQ();
    if (q.determinant() < 0)
        q.col(0) *= -1;
    return q;
}

/// RMSE written out as a loop, independent of rowRmse.
double loopRmse(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    double sum = 0;
    for (Eigen::Index r = 0; r < a.rows(); ++r)
        for (Eigen::Index c = 0; c < a.cols(); ++c)
            sum += (a(r, c) - b(r, c)) * (a(r, c) - b(r, c));
    return std::sqrt(sum / static_cast<double>(a.rows()));
}

void verifyProperRotation(const Eigen::MatrixXd& r) {
    const Eigen::MatrixXd eye = Eigen::MatrixXd::Identity(r.rows(), r.cols());
    QVERIFY2((r.transpose() * r - eye).norm() < 1e-10, "rotation is not orthogonal");
    QVERIFY2(std::abs(r.determinant() - 1.0) < 1e-10, "det(R) is not +1");
}

} // namespace

class TestAlignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rmseByHand() {
        Eigen::MatrixXd a(2, 2), b = Eigen::MatrixXd::Zero(2, 2);
        a << 0, 0, 3, 4;
        QCOMPARE(rowRmse(a, b), std::sqrt(25.0 / 2.0)); // distances 0 and 5
        expectError<DataError>([&] { rowRmse(a, Eigen::MatrixXd::Zero(3, 2)); }, {"shapes"});
    }

    void rotatedTranslated3dAlignsBack_data() {
        QTest::addColumn<int>("method");
        QTest::newRow("automatic") << static_cast<int>(KabschMethod::Automatic);
        QTest::newRow("quaternion") << static_cast<int>(KabschMethod::Quaternion);
        QTest::newRow("svd") << static_cast<int>(KabschMethod::Svd);
    }
    void rotatedTranslated3dAlignsBack() {
        QFETCH(int, method);
        std::mt19937_64 rng(3);
        const Eigen::MatrixXd moving = gaussian(25, 3, rng, 2.0);
        const Eigen::Matrix3d r0 =
            Eigen::AngleAxisd(1.1, Eigen::Vector3d(1, -2, 0.5).normalized()).toRotationMatrix();
        const Eigen::RowVector3d t(4, -1, 7);
        const Eigen::MatrixXd fixed = (moving * r0.transpose()).rowwise() + t;

        const Alignment al = kabschAlign(fixed, moving, false, static_cast<KabschMethod>(method));
        QCOMPARE(QString::fromStdString(al.method), method == static_cast<int>(KabschMethod::Svd)
                                                        ? QStringLiteral("svd")
                                                        : QStringLiteral("quaternion"));
        QVERIFY2(al.alignedRmse < 1e-10, qPrintable(QString::number(al.alignedRmse)));
        QVERIFY((al.rotation - Eigen::MatrixXd(r0)).norm() < 1e-10);
        QCOMPARE(al.scale, 1.0);
        QVERIFY(std::abs(al.initialRmse - loopRmse(fixed, moving)) < 1e-12);
        QVERIFY(al.initialRmse > 1.0);
        QVERIFY(loopRmse(al.apply(moving), fixed) < 1e-10);
        // The translation is the centroid difference after rotation.
        QVERIFY((al.centroidFixed - al.centroidMoving * r0.transpose() - t).norm() < 1e-10);
    }

    void quaternionAgreesWithSvd() {
        std::mt19937_64 rng(11);
        for (int trial = 0; trial < 20; ++trial) {
            // Noisy rotated copies (a unique optimum that is not an exact fit) ...
            const Eigen::MatrixXd moving = gaussian(15, 3, rng);
            const Eigen::MatrixXd r0 = randomRotation(3, rng);
            Eigen::MatrixXd fixed = moving * r0.transpose() + gaussian(15, 3, rng, 0.3);
            // ... and, every other trial, two unrelated random sets.
            if (trial % 2)
                fixed = gaussian(15, 3, rng);
            const Alignment q = kabschAlign(fixed, moving, false, KabschMethod::Quaternion);
            const Alignment s = kabschAlign(fixed, moving, false, KabschMethod::Svd);
            verifyProperRotation(q.rotation);
            verifyProperRotation(s.rotation);
            QVERIFY2((q.rotation - s.rotation).norm() < 1e-8, qPrintable(QString::number(trial)));
            QVERIFY(std::abs(q.alignedRmse - s.alignedRmse) < 1e-10);
            QVERIFY(q.alignedRmse <= q.initialRmse + 1e-12 || trial % 2);
            QVERIFY(q.alignedRmse > 0);
        }
    }

    void fiveDimensionalSvd() {
        std::mt19937_64 rng(5);
        const Eigen::MatrixXd moving = gaussian(30, 5, rng);
        const Eigen::MatrixXd r0 = randomRotation(5, rng);
        Eigen::RowVectorXd t(5);
        t << 1, 2, 3, 4, 5;
        const Eigen::MatrixXd fixed = (moving * r0.transpose()).rowwise() + t;
        const Alignment al = kabschAlign(fixed, moving);
        QCOMPARE(QString::fromStdString(al.method), QStringLiteral("svd"));
        QVERIFY(al.alignedRmse < 1e-10);
        QVERIFY((al.rotation - r0).norm() < 1e-10);
        verifyProperRotation(al.rotation);
    }

    void scaleRecovered() {
        std::mt19937_64 rng(8);
        const Eigen::MatrixXd moving = gaussian(20, 3, rng);
        const Eigen::MatrixXd r0 = randomRotation(3, rng);
        const Eigen::MatrixXd fixed =
            ((2.5 * moving) * r0.transpose()).rowwise() + Eigen::RowVector3d(-3, 0, 1);
        for (KabschMethod m : {KabschMethod::Quaternion, KabschMethod::Svd}) {
            const Alignment scaled = kabschAlign(fixed, moving, true, m);
            QVERIFY(std::abs(scaled.scale - 2.5) < 1e-10);
            QVERIFY(scaled.alignedRmse < 1e-10);
            QVERIFY((scaled.rotation - r0).norm() < 1e-10);
            const Alignment rigid = kabschAlign(fixed, moving, false, m);
            QCOMPARE(rigid.scale, 1.0);
            QVERIFY((rigid.rotation - r0).norm() < 1e-10); // rotation does not depend on scale
            QVERIFY(rigid.alignedRmse > 0.5);              // the size difference remains
        }
        // 5-D as well (SVD).
        const Eigen::MatrixXd m5 = gaussian(20, 5, rng);
        const Alignment a5 = kabschAlign(0.4 * m5 * randomRotation(5, rng).transpose(), m5, true);
        QVERIFY(std::abs(a5.scale - 0.4) < 1e-10);
        QVERIFY(a5.alignedRmse < 1e-10);
    }

    void reflectionStillProper() {
        std::mt19937_64 rng(21);
        const Eigen::MatrixXd moving = gaussian(12, 3, rng);
        Eigen::MatrixXd fixed = moving;
        fixed.col(0) *= -1; // a mirror image: no rotation maps one onto the other
        for (KabschMethod m : {KabschMethod::Quaternion, KabschMethod::Svd}) {
            const Alignment al = kabschAlign(fixed, moving, false, m);
            verifyProperRotation(al.rotation);
            QVERIFY(al.alignedRmse > 1e-3);
            // Optimal among proper rotations: no random rotation does better.
            for (int k = 0; k < 300; ++k) {
                const Eigen::MatrixXd r = randomRotation(3, rng);
                Eigen::MatrixXd other = (moving.rowwise() - al.centroidMoving) * r.transpose();
                other.rowwise() += al.centroidFixed;
                QVERIFY(loopRmse(other, fixed) >= al.alignedRmse - 1e-12);
            }
        }
        // 2-D: a mirrored triangle, SVD with the det correction.
        Eigen::MatrixXd tri(3, 2), mirrored(3, 2);
        tri << 0, 0, 4, 0, 0, 1;
        mirrored << 0, 0, -4, 0, 0, 1;
        const Alignment a2 = kabschAlign(mirrored, tri);
        verifyProperRotation(a2.rotation);
        QVERIFY(a2.alignedRmse > 0.1);
    }

    void collinearPointsAreDegenerate() {
        // Points on one line: any rotation about it fits, so the result is not unique.
        Eigen::MatrixXd moving(6, 3);
        for (int i = 0; i < 6; ++i)
            moving.row(i) = Eigen::RowVector3d(1, 2, -1) * (i - 2.5) + Eigen::RowVector3d(0, 1, 0);
        std::mt19937_64 rng(2);
        const Eigen::MatrixXd r0 = randomRotation(3, rng);
        const Eigen::MatrixXd fixed = moving * r0.transpose();
        for (KabschMethod m : {KabschMethod::Quaternion, KabschMethod::Svd}) {
            const Alignment al = kabschAlign(fixed, moving, false, m);
            QVERIFY2(al.method.find("degenerate: rank 1") != std::string::npos, al.method.c_str());
            verifyProperRotation(al.rotation);
            QVERIFY(al.alignedRmse < 1e-9);
        }
        // All points equal: rank 0, identity-like result, no NaN, scale stays 1.
        const Eigen::MatrixXd same = Eigen::MatrixXd::Ones(4, 3);
        const Alignment al = kabschAlign(same, same, true);
        QVERIFY2(al.method.find("degenerate: rank 0") != std::string::npos, al.method.c_str());
        QVERIFY(al.method.find("scale undefined") != std::string::npos);
        QCOMPARE(al.scale, 1.0);
        QVERIFY(al.alignedRmse < 1e-12);
    }

    void errors() {
        const Eigen::MatrixXd a = Eigen::MatrixXd::Random(5, 3);
        expectError<DataError>([&] { kabschAlign(a, Eigen::MatrixXd::Random(4, 3)); },
                               {"5 × 3", "4 × 3"});
        expectError<DataError>([&] { kabschAlign(a, Eigen::MatrixXd::Random(5, 2)); }, {"5 × 2"});
        Eigen::MatrixXd nan = a;
        nan(2, 1) = std::numeric_limits<double>::quiet_NaN();
        expectError<DataError>([&] { kabschAlign(a, nan); }, {"moving row 2", "column 1", "NaN"});
        Eigen::MatrixXd inf = a;
        inf(4, 0) = std::numeric_limits<double>::infinity();
        expectError<DataError>([&] { kabschAlign(inf, a); }, {"fixed row 4", "infinite"});
        const Eigen::MatrixXd p2 = Eigen::MatrixXd::Random(5, 2);
        expectError<DataError>([&] { kabschAlign(p2, p2, false, KabschMethod::Quaternion); },
                               {"quaternion", "3-D", "2-D"});
        expectError<DataError>(
            [&] { kabschAlign(Eigen::MatrixXd::Ones(1, 3), Eigen::MatrixXd::Ones(1, 3)); },
            {"at least 2"});
        const Alignment al = kabschAlign(a, a);
        expectError<DataError>([&] { al.apply(p2); }, {"3-D", "2-D"});
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "test_alignment.moc"
