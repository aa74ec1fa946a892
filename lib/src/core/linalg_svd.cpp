// Singular values and the thin SVD (rtv/core/linalg.hpp). The decompositions of linalg.hpp live in three
// translation units (SVD; QR; LU and the symmetric eigensolver), the only ones that instantiate Eigen's solvers, so
// that they compile once and in parallel. One SVD algorithm: one-sided Jacobi (JacobiSVD with its column-pivoted QR
// preconditioner), accurate to small relative error in every singular value; the sizes of this project (at most a
// few hundred columns) do not need divide and conquer, which alone cost 45 CPU-s of build.
#include <Eigen/SVD>

#include "rtv/core/linalg.hpp"

namespace rtv {

Eigen::VectorXd singular_values(const Eigen::MatrixXd& A) {
  if (A.size() == 0) return Eigen::VectorXd();
  return Eigen::JacobiSVD<Eigen::MatrixXd>(A).singularValues();
}

ThinSvd thin_svd(const Eigen::MatrixXd& A) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return ThinSvd{svd.matrixU(), svd.singularValues(), svd.matrixV()};
}

int numerical_rank(const Eigen::VectorXd& singular_values, double rel_tol) {
  if (singular_values.size() == 0) return 0;
  const double s1 = singular_values.maxCoeff();
  if (!(s1 > 0)) return 0;
  return static_cast<int>((singular_values.array() > rel_tol * s1).count());
}

int matrix_rank(const Eigen::MatrixXd& A, double rel_tol) { return numerical_rank(singular_values(A), rel_tol); }

}  // namespace rtv
