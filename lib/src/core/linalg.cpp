// The dense decompositions (rtv/core/linalg.hpp): the one translation unit that instantiates them.
#include "rtv/core/linalg.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>

namespace rtv {

Eigen::VectorXd singular_values(const Eigen::MatrixXd& A) {
  if (A.size() == 0) return Eigen::VectorXd();
  return Eigen::JacobiSVD<Eigen::MatrixXd>(A).singularValues();
}

ThinSvd thin_svd(const Eigen::MatrixXd& A) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return ThinSvd{svd.matrixU(), svd.singularValues(), svd.matrixV()};
}

int numerical_rank(const Eigen::VectorXd& singular_values, double rel_tol) {
  if (singular_values.size() == 0) return 0;
  const double s1 = singular_values.maxCoeff();
  if (!(s1 > 0)) return 0;
  return static_cast<int>((singular_values.array() > rel_tol * s1).count());
}

int matrix_rank(const Eigen::MatrixXd& A, double rel_tol) { return numerical_rank(singular_values(A), rel_tol); }

Eigen::VectorXd least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  return A.colPivHouseholderQr().solve(b);
}

Eigen::MatrixXd least_squares(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  return A.colPivHouseholderQr().solve(B);
}

Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  return A.completeOrthogonalDecomposition().solve(b);
}

Eigen::VectorXd solve_square(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) { return A.fullPivLu().solve(b); }

Eigen::MatrixXd inverse(const Eigen::MatrixXd& A) { return A.inverse(); }

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& B) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(B);
  if (B.rows() == B.cols()) return qr.householderQ();
  return qr.householderQ() * Eigen::MatrixXd::Identity(B.rows(), B.cols());
}

double largest_eigenvalue(const Eigen::MatrixXd& S) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(S, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
}

}  // namespace rtv
