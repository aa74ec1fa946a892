// core/linalg.hpp against closed forms and properties that do not use the routine under test: matrices with
// prescribed singular values or eigenvalues built from Givens rotations (no QR, no SVD), the normal equations of
// least squares, the exact minimum-norm solution of a matrix with a repeated column. Tolerance: tol::kIdentity
// (100 eps) times the matrix's scale; every matrix here has condition <= 10, so backward-stable routines land within
// a few eps of it.
#include <gtest/gtest.h>

#include <cmath>

#include "rtv/core/linalg.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {
namespace {

// A random orthogonal n x n matrix as a product of Givens rotations (independent of Householder QR).
Eigen::MatrixXd givens_orthogonal(Rng& rng, int n) {
  Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(n, n);
  for (int sweep = 0; sweep < 3; ++sweep)
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) {
        const double th = rng.uniform(0.0, 2 * M_PI), c = std::cos(th), s = std::sin(th);
        const Eigen::VectorXd qi = Q.col(i), qj = Q.col(j);
        Q.col(i) = c * qi - s * qj;
        Q.col(j) = s * qi + c * qj;
      }
  return Q;
}

// U diag(s) V^T, m x n, with the given singular values (descending).
Eigen::MatrixXd with_singular_values(Rng& rng, int m, int n, const Eigen::VectorXd& s) {
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(m, n);
  for (Eigen::Index j = 0; j < s.size(); ++j) S(j, j) = s(j);
  return givens_orthogonal(rng, m) * S * givens_orthogonal(rng, n).transpose();
}

// Guards: singular values unsorted, of the wrong matrix (A^T A: squared), or missing for non-square input.
TEST(Linalg, SingularValuesAndThinSvdMatchThePrescribedSpectrum) {
  Rng rng(11);
  for (auto [m, n] : {std::pair{7, 4}, std::pair{4, 7}, std::pair{20, 20}}) {
    const int p = std::min(m, n);
    Eigen::VectorXd s(p);
    for (int j = 0; j < p; ++j) s(j) = 3.0 - 2.5 * j / std::max(1, p - 1);  // 3 .. 0.5, descending
    const Eigen::MatrixXd A = with_singular_values(rng, m, n, s);
    const Eigen::VectorXd sv = singular_values(A);
    ASSERT_EQ(sv.size(), p);
    EXPECT_LE((sv - s).cwiseAbs().maxCoeff(), tol::kIdentity * s(0)) << m << "x" << n;
    const ThinSvd t = thin_svd(A);
    ASSERT_EQ(t.U.cols(), p);
    ASSERT_EQ(t.V.cols(), p);
    EXPECT_LE((t.s - s).cwiseAbs().maxCoeff(), tol::kIdentity * s(0));
    EXPECT_LE((t.U * t.s.asDiagonal() * t.V.transpose() - A).cwiseAbs().maxCoeff(), tol::kIdentity * s(0));
    EXPECT_LE((t.U.transpose() * t.U - Eigen::MatrixXd::Identity(p, p)).cwiseAbs().maxCoeff(), tol::kIdentity);
  }
  EXPECT_EQ(singular_values(Eigen::MatrixXd()).size(), 0);
}

// Guards: a rank that counts the threshold itself, or counts relative to the wrong singular value.
TEST(Linalg, RankOfASumOfOuterProducts) {
  Rng rng(12);
  const Eigen::MatrixXd A = rng.normal_vector(9) * rng.normal_vector(6).transpose() +
                            rng.normal_vector(9) * rng.normal_vector(6).transpose();
  EXPECT_EQ(matrix_rank(A, 1e-10), 2);
  EXPECT_EQ(matrix_rank(Eigen::MatrixXd::Zero(3, 3), 1e-10), 0);
  const Eigen::VectorXd s = (Eigen::VectorXd(3) << 1.0, 1e-3, 1e-12).finished();
  EXPECT_EQ(numerical_rank(s, 1e-6), 2);
  EXPECT_EQ(numerical_rank(s, 1e-3), 1);  // strictly above rel_tol * s_1
}

// Guards: a least-squares "solution" that is not one (residual not orthogonal to the columns), a solve of the
// transposed system, a min-norm solution that is merely some solution.
TEST(Linalg, LeastSquaresSatisfiesTheNormalEquationsAndMinNormSplitsARepeatedColumn) {
  Rng rng(13);
  const Eigen::MatrixXd A = with_singular_values(rng, 12, 4, (Eigen::VectorXd(4) << 2, 1.5, 1, 0.5).finished());
  const Eigen::VectorXd b = rng.normal_vector(12);
  const Eigen::VectorXd x = least_squares(A, b);
  EXPECT_LE((A.transpose() * (A * x - b)).cwiseAbs().maxCoeff(), tol::kIdentity * 4 * b.norm());
  // The same x from the normal equations by LU (a second algorithm; cond(A^T A) = 16).
  EXPECT_LE((solve_square(A.transpose() * A, A.transpose() * b) - x).cwiseAbs().maxCoeff(), tol::kIdentity * 16 * x.norm());
  const Eigen::MatrixXd X2 = least_squares(A, Eigen::MatrixXd(b.replicate(1, 2)));
  EXPECT_LE((X2.col(1) - x).cwiseAbs().maxCoeff(), tol::kIdentity * x.norm());
  // [a, a] z = 2 a: every z1 + z2 = 2 solves it; the minimum-norm one is (1, 1).
  const Eigen::VectorXd a = rng.normal_vector(5);
  Eigen::MatrixXd R(5, 2);
  R << a, a;
  const Eigen::VectorXd z = min_norm_least_squares(R, 2 * a);
  EXPECT_NEAR(z(0), 1.0, tol::kIdentity);
  EXPECT_NEAR(z(1), 1.0, tol::kIdentity);
}

// Guards: an inverse or square solve of the transpose, a "basis" that is not orthonormal or spans something else,
// eigenvalues of the wrong matrix or unsorted.
TEST(Linalg, InverseBasisAndEigenvaluesAgainstClosedForms) {
  Rng rng(14);
  const Eigen::MatrixXd M = with_singular_values(rng, 5, 5, (Eigen::VectorXd(5) << 3, 2, 1.5, 1, 0.5).finished());
  EXPECT_LE((M * inverse(M) - Eigen::MatrixXd::Identity(5, 5)).cwiseAbs().maxCoeff(), tol::kIdentity * 6);
  const Eigen::VectorXd r = rng.normal_vector(5);
  EXPECT_LE((M * solve_square(M, r) - r).cwiseAbs().maxCoeff(), tol::kIdentity * 6 * r.norm());
  const Eigen::MatrixXd B = with_singular_values(rng, 8, 3, (Eigen::VectorXd(3) << 2, 1, 0.5).finished());
  const Eigen::MatrixXd Q = orthonormal_basis(B);
  ASSERT_EQ(Q.rows(), 8);
  ASSERT_EQ(Q.cols(), 3);
  EXPECT_LE((Q.transpose() * Q - Eigen::MatrixXd::Identity(3, 3)).cwiseAbs().maxCoeff(), tol::kIdentity);
  EXPECT_LE((Q * (Q.transpose() * B) - B).cwiseAbs().maxCoeff(), tol::kIdentity * 2);  // B lies in span(Q)
  const Eigen::MatrixXd G = givens_orthogonal(rng, 6);
  const Eigen::VectorXd lam = (Eigen::VectorXd(6) << -2, -0.5, 0, 1, 1, 4).finished();
  const Eigen::VectorXd ev = symmetric_eigenvalues(G * lam.asDiagonal() * G.transpose());
  EXPECT_LE((ev - lam).cwiseAbs().maxCoeff(), tol::kIdentity * 4);  // ascending
}

}  // namespace
}  // namespace rtv
