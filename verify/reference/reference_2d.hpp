// verify/reference/reference_2d.hpp: an independent check of the d = 2 dual oracle (THEORY.md s.5), shared by N3 and
// tests/test_certified.cpp: a dense scan of directions, with every critical direction (orthogonal to some x_n -
// x_m) added and t at every knot gamma . x_m. Between critical directions g(gamma, gamma . x_m) = gamma . v is smooth
// in the angle, so the scan is within |v| h^2 / 2 of the supremum (h = 2 pi / angles): a two-sided check.
#pragma once

#include <Eigen/Core>

namespace rtv::verify::reference {

/// max over the scanned directions and t in {gamma . x_m} of |sum_n alpha_n relu(gamma . x_n - t)|; X is N x 2.
/// Cost O(angles N^2).
double dense_scan_dual_sup(const Eigen::MatrixXd& X, const Eigen::VectorXd& alpha, int angles);

}  // namespace rtv::verify::reference
