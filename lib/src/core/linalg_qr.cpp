// Least squares and orthonormal bases by Householder QR (rtv/core/linalg.hpp; see linalg_svd.cpp for the split).
#include <Eigen/QR>

#include "rtv/core/linalg.hpp"

namespace rtv {

Eigen::VectorXd least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  return A.colPivHouseholderQr().solve(b);
}

Eigen::MatrixXd least_squares(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  return A.colPivHouseholderQr().solve(B);
}

Eigen::VectorXd min_norm_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) {
  return A.completeOrthogonalDecomposition().solve(b);
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& B) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(B);
  if (B.rows() == B.cols()) return qr.householderQ();
  return qr.householderQ() * Eigen::MatrixXd::Identity(B.rows(), B.cols());
}

}  // namespace rtv
