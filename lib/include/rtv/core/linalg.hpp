// rtv/core/linalg.hpp: the dense decompositions the project uses, compiled once (lib/src/core/linalg_{svd,qr,lu_eig}.cpp
// are the only translation units that instantiate Eigen's SVD, QR, LU and eigen solvers; STYLE.md: one concept,
// one place).
// Every routine takes and returns plain Eigen::MatrixXd / VectorXd; what each one guarantees is said below, so
// that a caller can pick the decomposition by its property, not by its Eigen name.
#pragma once

#include <Eigen/Core>

namespace rtv {

/// Singular values of A, descending (one-sided Jacobi with a column-pivoted QR preconditioner: every singular
/// value to small relative error, also the small ones that ranks look at). Empty for an empty A.
Eigen::VectorXd singular_values(const Eigen::MatrixXd& A);

/// Thin SVD A = U diag(s) V^T, s descending (U: m x p, V: n x p, p = min(m, n)); one-sided Jacobi, as
/// singular_values (the same singular values to the last bit).
struct ThinSvd {
  Eigen::MatrixXd U;
  Eigen::VectorXd s;
  Eigen::MatrixXd V;
};
ThinSvd thin_svd(const Eigen::MatrixXd& A);

/// Number of singular values s_j > rel_tol * s_1 (0 for an empty or zero spectrum).
int numerical_rank(const Eigen::VectorXd& singular_values, double rel_tol);
/// numerical_rank(singular_values(A), rel_tol).
int matrix_rank(const Eigen::MatrixXd& A, double rel_tol);

/// A least-squares solution of min |A x - b| by column-pivoted Householder QR (a basic solution when A is rank
/// deficient: at most rank(A) nonzeros). B with several columns: one solution per column.
Eigen::VectorXd least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b);
Eigen::MatrixXd least_squares(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);
/// The minimum-norm least-squares solution (complete orthogonal decomposition): unique also when A is rank
/// deficient.
Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b);
/// The solution of a square, nonsingular system A x = b (LU with full pivoting).
Eigen::VectorXd solve_square(const Eigen::MatrixXd& A, const Eigen::VectorXd& b);

/// The inverse of a square, nonsingular matrix (LU with partial pivoting).
Eigen::MatrixXd inverse(const Eigen::MatrixXd& A);

/// An orthonormal basis of the column space of B (m x n, full column rank, n <= m): the first n columns of the
/// Q of B's Householder QR (all of Q when B is square; a Haar-random orthogonal matrix up to signs when B is
/// Gaussian).
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& B);

/// The eigenvalues of a symmetric matrix S, ascending (tridiagonalisation and implicit symmetric QR: absolute
/// error ~ eps |S|_2; S's lower triangle is read).
Eigen::VectorXd symmetric_eigenvalues(const Eigen::MatrixXd& S);

/// Bounded-variable least squares: min |A x - b| subject to lo <= x <= hi (componentwise; lo_j <= hi_j, either may
/// be infinite). The active-set method of Stark & Parker (1995, "BVLS"), Lawson & Hanson's NNLS with two-sided
/// bounds: variables leave a bound when the gradient says the objective decreases, the free ones are solved by
/// least squares (column-pivoted QR), and a step that would leave the box stops at the first bound. Finite in
/// exact arithmetic; `iterations` caps the outer loop (0: 3 n + 10) and the result then is the last feasible
/// point. Meant for small n (each step is a QR of the free columns).
struct BoundedLeastSquares {
  Eigen::VectorXd x;
  double residual_norm = 0.0;  ///< |A x - b|
  int iterations = 0;
  bool converged = false;      ///< the KKT conditions hold to rounding (false: the cap was reached)
};
BoundedLeastSquares bounded_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b,
                                          const Eigen::VectorXd& lo, const Eigen::VectorXd& hi, int iterations = 0);

}  // namespace rtv
