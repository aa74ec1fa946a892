// Weight decay on products of linear layers: the Schatten 2/L identity (THEORY.md s.6).
#include "rtv/nets/linear_layers.hpp"

#include <boost/math/tools/roots.hpp>
#include <cmath>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"

namespace rtv {

Eigen::MatrixXd product(const Factors& factors) {
  RTV_ASSERT(!factors.empty(), "at least one factor");
  Eigen::MatrixXd P = factors.front();
  for (std::size_t l = 1; l < factors.size(); ++l) P = factors[l] * P;
  return P;
}

double factor_weight_decay(const Factors& factors) {
  double s = 0.0;
  for (const auto& F : factors) s += F.squaredNorm();
  return s / static_cast<double>(factors.size());
}

double schatten_power(const Eigen::MatrixXd& W, int L) {
  RTV_ASSERT(L >= 1, "depth L >= 1");
  const Eigen::VectorXd s = singular_values(W);
  return s.array().pow(2.0 / L).sum();
}

Factors balanced_factors(const Eigen::MatrixXd& W, int L) {
  RTV_ASSERT(L >= 1, "depth L >= 1");
  const ThinSvd svd = thin_svd(W);
  const Eigen::VectorXd r = svd.s.array().pow(1.0 / L);
  Factors f(static_cast<std::size_t>(L));
  if (L == 1) {
    f[0] = W;
    return f;
  }
  f[0] = r.asDiagonal() * svd.V.transpose();
  for (int l = 1; l < L - 1; ++l) f[l] = r.asDiagonal();
  f[L - 1] = svd.U * r.asDiagonal();
  return f;
}

double scalar_prox_power(double y, double lambda, double p) {
  RTV_ASSERT(y >= 0 && lambda >= 0 && p > 0 && p <= 1, "y >= 0, lambda >= 0, 0 < p <= 1");
  if (lambda == 0.0) return y;
  if (p == 1.0) return std::max(y - lambda, 0.0);  // soft threshold
  // g(s) = 1/2 (s - y)^2 + lambda s^p; g'(s) = s - y + lambda p s^(p-1) -> +inf as s -> 0+, and g' is
  // decreasing up to s* = (lambda p (1 - p))^(1/(2-p)) and increasing after it. A positive local minimiser
  // exists iff g'(s*) < 0, and then it is the root of g' in (s*, y] (g'(y) > 0).
  auto gp = [&](double s) { return s - y + lambda * p * std::pow(s, p - 1.0); };
  auto g = [&](double s) { return 0.5 * (s - y) * (s - y) + lambda * std::pow(s, p); };
  const double s_star = std::pow(lambda * p * (1.0 - p), 1.0 / (2.0 - p));
  if (s_star >= y || gp(s_star) >= 0.0) return 0.0;
  boost::uintmax_t iters = 200;
  const auto bracket = boost::math::tools::toms748_solve(
      gp, s_star, y, gp(s_star), gp(y), boost::math::tools::eps_tolerance<double>(52), iters);
  const double s = 0.5 * (bracket.first + bracket.second);
  return g(s) < g(0.0) ? s : 0.0;
}

LowRankFitResult low_rank_fit_closed_form(const Eigen::MatrixXd& Y, int L, double lambda) {
  const ThinSvd svd = thin_svd(Y);
  const double p = 2.0 / L;
  Eigen::VectorXd s = svd.s;
  LowRankFitResult res;
  for (Eigen::Index j = 0; j < s.size(); ++j) {
    const double y = s(j);
    s(j) = scalar_prox_power(y, lambda, std::min(p, 1.0));
    res.objective += 0.5 * (s(j) - y) * (s(j) - y) + lambda * std::pow(s(j), p);
    res.rank += s(j) > 0.0;
  }
  RTV_ASSERT(L >= 2, "the low-rank fit needs L >= 2 (p = 2/L <= 1)");
  res.W = svd.U * s.asDiagonal() * svd.V.transpose();
  return res;
}

double factor_objective(const Factors& factors, const Eigen::MatrixXd& Y, double lambda, Factors* grad) {
  const std::size_t L = factors.size();
  // prefix[l] = W_l ... W_1 (prefix[0] = I implicitly), computed left to right.
  std::vector<Eigen::MatrixXd> prefix(L);
  prefix[0] = factors[0];
  for (std::size_t l = 1; l < L; ++l) prefix[l] = factors[l] * prefix[l - 1];
  const Eigen::MatrixXd R = prefix[L - 1] - Y;
  const double value = 0.5 * R.squaredNorm() + lambda * factor_weight_decay(factors);
  if (grad) {
    grad->assign(L, Eigen::MatrixXd());
    // d/dW_l 1/2|A W_l B - Y|^2 = A^T R B^T with A = W_L...W_{l+1}, B = W_{l-1}...W_1.
    Eigen::MatrixXd left = R;  // A^T R, built from the top down
    for (std::size_t l = L; l-- > 0;) {
      Eigen::MatrixXd g = (l == 0) ? left : Eigen::MatrixXd(left * prefix[l - 1].transpose());
      (*grad)[l] = g + (2.0 * lambda / static_cast<double>(L)) * factors[l];
      left = factors[l].transpose() * left;
    }
  }
  return value;
}

FactorGdResult factor_gradient_descent(Factors start, const Eigen::MatrixXd& Y, double lambda,
                                       const FactorGdOptions& opt) {
  FactorGdResult res;
  res.factors = std::move(start);
  Factors grad;
  for (res.iterations = 0; res.iterations < opt.max_iterations; ++res.iterations) {
    res.objective = factor_objective(res.factors, Y, lambda, &grad);
    double g2 = 0.0;
    for (const auto& G : grad) g2 += G.squaredNorm();
    res.grad_norm = std::sqrt(g2);
    if (!std::isfinite(res.grad_norm)) break;
    if (res.grad_norm <= opt.grad_tol) {
      res.converged = true;
      break;
    }
    for (std::size_t l = 0; l < grad.size(); ++l) res.factors[l] -= opt.step * grad[l];
  }
  if (!res.converged) res.objective = factor_objective(res.factors, Y, lambda, nullptr);
  return res;
}

}  // namespace rtv
