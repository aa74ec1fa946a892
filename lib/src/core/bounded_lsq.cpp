// Bounded-variable least squares (rtv/core/linalg.hpp): Stark & Parker's BVLS, i.e. Lawson & Hanson's NNLS
// (Solving Least Squares Problems, 1974, ch. 23) with a lower and an upper bound per variable. Used by the
// subdifferential stationarity test of rtv check (rtv/check/check.hpp), where n is the number of data points on a
// neuron's hyperplane (a handful).
//
// State: every variable is at its lower bound, at its upper bound, or free. Outer step: w = A^T (b - A x) is minus the
// gradient of 1/2 |A x - b|^2; a variable at its lower bound with w_j > 0 (or at its upper bound with w_j < 0) can
// decrease the objective: the most violating one is freed. Inner loop: the least-squares solution z over the free
// variables (the others fixed at their bounds); if z is inside the box it is taken, otherwise x moves towards z until
// the first free variable reaches a bound, which becomes bound, and the free problem is solved again.
// The KKT test uses a rounding scale: |w_j| <= 64 eps sum_n |A_nj| (|b_n| + sum_i |A_ni x_i|).
#include <cmath>
#include <limits>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"

namespace rtv {

BoundedLeastSquares bounded_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& b,
                                          const Eigen::VectorXd& lo, const Eigen::VectorXd& hi, int iterations) {
  const Eigen::Index m = A.rows(), n = A.cols();
  RTV_ASSERT(b.size() == m && lo.size() == n && hi.size() == n, "A is m x n, b has m entries, lo and hi n");
  for (Eigen::Index j = 0; j < n; ++j) RTV_ASSERT(lo(j) <= hi(j), "lo <= hi");
  const int cap = iterations > 0 ? iterations : static_cast<int>(3 * n + 10);
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  enum State { kLower, kUpper, kFree };
  std::vector<State> state(n);
  BoundedLeastSquares res;
  res.x.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    // Start at a finite bound (at 0 clamped into the box if both are infinite: then the variable is free).
    if (std::isfinite(lo(j))) res.x(j) = lo(j), state[j] = kLower;
    else if (std::isfinite(hi(j))) res.x(j) = hi(j), state[j] = kUpper;
    else res.x(j) = 0.0, state[j] = kFree;
  }
  auto solve_free = [&](Eigen::VectorXd& z) {  // z: LS over the free variables, bound ones at their bounds
    std::vector<Eigen::Index> F;
    for (Eigen::Index j = 0; j < n; ++j)
      if (state[j] == kFree) F.push_back(j);
    z = res.x;
    if (F.empty()) return;
    Eigen::VectorXd rhs = b;
    for (Eigen::Index j = 0; j < n; ++j)
      if (state[j] != kFree) rhs -= A.col(j) * res.x(j);
    Eigen::MatrixXd AF(m, static_cast<Eigen::Index>(F.size()));
    for (std::size_t i = 0; i < F.size(); ++i) AF.col(static_cast<Eigen::Index>(i)) = A.col(F[i]);
    const Eigen::VectorXd zf = min_norm_least_squares(AF, rhs);
    for (std::size_t i = 0; i < F.size(); ++i) z(F[i]) = zf(static_cast<Eigen::Index>(i));
  };
  // Variables free from the start (both bounds infinite) are solved for once before the first KKT test.
  {
    Eigen::VectorXd z;
    solve_free(z);
    res.x = z;
  }
  for (res.iterations = 0; res.iterations < cap; ++res.iterations) {
    const Eigen::VectorXd r = b - A * res.x;
    const Eigen::VectorXd w = A.transpose() * r;
    const Eigen::VectorXd scale =
        64.0 * kEps * (A.cwiseAbs().transpose() * (b.cwiseAbs() + A.cwiseAbs() * res.x.cwiseAbs()));
    Eigen::Index best = -1;
    double best_v = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (lo(j) == hi(j)) continue;  // fixed
      const double v = state[j] == kLower ? w(j) : state[j] == kUpper ? -w(j) : 0.0;
      if (v > scale(j) && v > best_v) best = j, best_v = v;
    }
    if (best < 0) {
      res.converged = true;
      break;
    }
    state[best] = kFree;
    for (Eigen::Index inner = 0; inner <= n; ++inner) {
      Eigen::VectorXd z;
      solve_free(z);
      double alpha = 1.0;
      Eigen::Index hit = -1;
      for (Eigen::Index j = 0; j < n; ++j) {
        if (state[j] != kFree) continue;
        if (z(j) < lo(j) && z(j) < res.x(j)) {
          const double a = (lo(j) - res.x(j)) / (z(j) - res.x(j));
          if (a < alpha) alpha = a, hit = j;
        } else if (z(j) > hi(j) && z(j) > res.x(j)) {
          const double a = (hi(j) - res.x(j)) / (z(j) - res.x(j));
          if (a < alpha) alpha = a, hit = j;
        }
      }
      if (hit < 0) {
        res.x = z;
        break;
      }
      res.x += alpha * (z - res.x);
      for (Eigen::Index j = 0; j < n; ++j) {  // every free variable at (or rounded past) a bound becomes bound
        if (state[j] != kFree) continue;
        if (j == hit || res.x(j) <= lo(j)) {
          if (j == hit) state[j] = (z(j) < lo(j)) ? kLower : kUpper;
          else state[j] = kLower;
        } else if (res.x(j) >= hi(j)) {
          state[j] = kUpper;
        }
        if (state[j] == kLower) res.x(j) = lo(j);
        if (state[j] == kUpper) res.x(j) = hi(j);
      }
    }
  }
  res.residual_norm = (A * res.x - b).norm();
  return res;
}

}  // namespace rtv
