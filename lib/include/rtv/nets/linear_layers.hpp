// rtv/nets/linear_layers.hpp: weight decay on a product of linear layers, THEORY.md s.6.
//
// For W = W_L ... W_1 (W_l of size n_l x n_{l-1}),
//   min over factorisations of (1/L) sum_l |W_l|_F^2 = sum_j s_j(W)^{2/L},
// the Schatten 2/L quasi-norm to the power 2/L (nuclear norm for L = 2), attained by balanced factors with
// singular values s_j^{1/L}. With a data term this becomes, singular value by singular value (our use of the
// identity; checked in D1 against gradient descent on the factors):
//   min over factors of 1/2 |W_L...W_1 - Y|_F^2 + lambda (1/L) sum_l |W_l|_F^2
//     = sum_j min_{s >= 0} [1/2 (s - y_j)^2 + lambda s^{2/L}],   y_j = s_j(Y)
// (von Neumann's trace inequality makes the optimum share Y's singular vectors).
#pragma once

#include <Eigen/Core>
#include <vector>

namespace rtv {

using Factors = std::vector<Eigen::MatrixXd>;  ///< W_1, ..., W_L (applied in this order)

/// W_L ... W_1.
Eigen::MatrixXd product(const Factors& factors);
/// (1/L) sum_l |W_l|_F^2.
double factor_weight_decay(const Factors& factors);
/// sum_j s_j^p for p = 2/L: the closed-form minimum of factor_weight_decay over factorisations of W.
double schatten_power(const Eigen::MatrixXd& W, int L);
/// The balanced factorisation W_1 = S^{1/L} V^T, W_l = S^{1/L} (1 < l < L), W_L = U S^{1/L} (thin SVD,
/// inner widths r = min(m, n)), which attains schatten_power.
Factors balanced_factors(const Eigen::MatrixXd& W, int L);

/// min_{s >= 0} 1/2 (s - y)^2 + lambda s^p for 0 < p <= 1, y >= 0: the global minimiser, computed by
/// comparing s = 0 with the largest stationary point (Boost.Math Brent search on the bracket where it lies).
double scalar_prox_power(double y, double lambda, double p);

struct LowRankFitResult {
  double objective = 0.0;   ///< 1/2 |W - Y|_F^2 + lambda sum_j s_j(W)^{2/L} at the optimum
  Eigen::MatrixXd W;        ///< the optimal end-to-end matrix
  int rank = 0;             ///< number of nonzero optimal singular values
};
/// The optimum of min over L factors of 1/2 |W_L...W_1 - Y|^2 + lambda (1/L) sum |W_l|_F^2 via the SVD of Y.
LowRankFitResult low_rank_fit_closed_form(const Eigen::MatrixXd& Y, int L, double lambda);

/// 1/2 |W_L...W_1 - Y|_F^2 + lambda (1/L) sum_l |W_l|_F^2 and, if grad != nullptr, its gradient per factor.
double factor_objective(const Factors& factors, const Eigen::MatrixXd& Y, double lambda, Factors* grad = nullptr);

struct FactorGdOptions {
  double step = 1e-2;
  int max_iterations = 200000;
  double grad_tol = 1e-11;   ///< stop when the gradient's Frobenius norm (all factors) is below this
};
struct FactorGdResult {
  Factors factors;
  double objective = 0.0;
  double grad_norm = 0.0;
  int iterations = 0;
  bool converged = false;
};
/// Plain gradient descent on the factors of factor_objective from the given start.
FactorGdResult factor_gradient_descent(Factors start, const Eigen::MatrixXd& Y, double lambda,
                                       const FactorGdOptions& opt = {});

}  // namespace rtv
