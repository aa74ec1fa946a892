// Square solves, inverses (LU) and symmetric eigenvalues (rtv/core/linalg.hpp; see linalg_svd.cpp).
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include "rtv/core/linalg.hpp"

namespace rtv {

Eigen::VectorXd solve_square(const Eigen::MatrixXd& A, const Eigen::VectorXd& b) { return A.fullPivLu().solve(b); }

Eigen::MatrixXd inverse(const Eigen::MatrixXd& A) { return A.inverse(); }

Eigen::VectorXd symmetric_eigenvalues(const Eigen::MatrixXd& S) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(S, Eigen::EigenvaluesOnly).eigenvalues();
}

}  // namespace rtv
