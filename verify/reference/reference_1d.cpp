// verify/reference/reference_1d.cpp: the independent univariate references (see reference_1d.hpp).
#include "reference_1d.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace rtv::verify::reference {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {
// Pivot and reduced-cost tolerance of the simplex: entries are O(1), roundings ~1e-15.
constexpr double kSimplexPivot = 1e-11;
// Phase 1 declares an LP infeasible when the artificials' sum stays above this (relative to 1 + |b|): a feasible
// LP ends phase 1 at ~1e-15, an infeasible one of the brute force at O(1e-2) or more (small-integer data).
constexpr double kSimplexFeasibility = 1e-9;
// Two ratio-test ratios closer than this (O(1) values, a few roundings apart) are a tie for Bland's rule.
constexpr double kSimplexTie = 1e-14;
}  // namespace

// ------------------------------------------------------------------------------------------------------------
// Independent reference 1: dense two-phase simplex, min c^T z s.t. A z = b, z >= 0 (Bland's rule).
// ------------------------------------------------------------------------------------------------------------
LpResult simplex(MatrixXd A, VectorXd b, const VectorXd& c) {
  const int m = static_cast<int>(A.rows()), n = static_cast<int>(A.cols());
  for (int i = 0; i < m; ++i)
    if (b(i) < 0) {
      A.row(i) *= -1;
      b(i) *= -1;
    }
  // Tableau: rows 0..m-1 constraints, columns 0..n-1 original, n..n+m-1 artificial, last = rhs.
  MatrixXd T = MatrixXd::Zero(m + 1, n + m + 1);
  T.topLeftCorner(m, n) = A;
  T.block(0, n, m, m).setIdentity();
  T.col(n + m).head(m) = b;
  std::vector<int> basis(m);
  for (int i = 0; i < m; ++i) basis[i] = n + i;
  auto pivot = [&](int r, int col) {
    T.row(r) /= T(r, col);
    for (int i = 0; i <= m; ++i)
      if (i != r && T(i, col) != 0.0) T.row(i) -= T(i, col) * T.row(r);
    basis[r] = col;
  };
  bool terminated = true;
  // Run the simplex on objective row `cost` (reduced costs kept in row m) over columns allowed[].
  auto run = [&](const std::vector<bool>& allowed) {
    for (int it = 0; it < 5000; ++it) {
      int enter = -1;
      for (int j = 0; j < n + m; ++j)
        if (allowed[j] && T(m, j) < -kSimplexPivot) {
          enter = j;
          break;
        }
      if (enter < 0) return true;
      int leave = -1;
      double best = std::numeric_limits<double>::infinity();
      for (int i = 0; i < m; ++i)
        if (T(i, enter) > kSimplexPivot) {
          const double ratio = T(i, n + m) / T(i, enter);
          // Ties (within kSimplexTie) go to the smallest basis index: Bland's rule, no cycling.
          if (ratio < best - kSimplexTie ||
              (std::abs(ratio - best) <= kSimplexTie && leave >= 0 && basis[i] < basis[leave])) {
            best = ratio;
            leave = i;
          }
        }
      if (leave < 0) return false;  // unbounded
      pivot(leave, enter);
    }
    terminated = false;  // Bland's rule cannot cycle; reaching this means a tolerance problem
    return true;
  };
  // Phase 1: minimise the sum of artificials.
  T.row(m).setZero();
  for (int i = 0; i < m; ++i) T.row(m).head(n) -= T.row(i).head(n), T(m, n + m) -= T(i, n + m);
  std::vector<bool> allowed(n + m, true);
  run(allowed);
  LpResult res;
  if (-T(m, n + m) > kSimplexFeasibility * (1.0 + b.lpNorm<Eigen::Infinity>())) return res;  // infeasible
  res.feasible = true;
  // Drive artificials out of the basis (or leave them on redundant rows at value 0).
  for (int i = 0; i < m; ++i)
    if (basis[i] >= n) {
      for (int j = 0; j < n; ++j)
        if (std::abs(T(i, j)) > kSimplexPivot) {
          pivot(i, j);
          break;
        }
    }
  for (int j = n; j < n + m; ++j) allowed[j] = false;
  // Phase 2: reduced costs of c.
  T.row(m).setZero();
  T.row(m).head(n) = c.transpose();
  for (int i = 0; i < m; ++i)
    if (basis[i] < n) T.row(m) -= c(basis[i]) * T.row(i);
  res.bounded = run(allowed);
  res.z = VectorXd::Zero(n);
  for (int i = 0; i < m; ++i)
    if (basis[i] < n) res.z(basis[i]) = T(i, n + m);
  res.value = c.dot(res.z);
  res.terminated = terminated;
  return res;
}

int Lp::add(bool free, double c) {
  vars.push_back({free});
  cost.push_back(c);
  return static_cast<int>(vars.size()) - 1;
}

LpResult Lp::solve() const {
  // Columns: each variable -> one (nonneg) or two (free: z+ - z-); then one slack per <= row.
  std::vector<int> col(vars.size());
  int nc = 0;
  for (std::size_t v = 0; v < vars.size(); ++v) {
    col[v] = nc;
    nc += vars[v].free ? 2 : 1;
  }
  const int ns = static_cast<int>(le_rows.size()), m = static_cast<int>(eq_rows.size()) + ns;
  MatrixXd A = MatrixXd::Zero(m, nc + ns);
  VectorXd b(m), c = VectorXd::Zero(nc + ns);
  auto put = [&](int r, const std::vector<std::pair<int, double>>& row) {
    for (const auto& [v, a] : row) {
      A(r, col[v]) += a;
      if (vars[v].free) A(r, col[v] + 1) -= a;
    }
  };
  for (std::size_t r = 0; r < eq_rows.size(); ++r) {
    put(static_cast<int>(r), eq_rows[r]);
    b(static_cast<Eigen::Index>(r)) = eq_rhs[r];
  }
  for (int r = 0; r < ns; ++r) {
    const int rr = static_cast<int>(eq_rows.size()) + r;
    put(rr, le_rows[r]);
    A(rr, nc + r) = 1.0;
    b(rr) = le_rhs[r];
  }
  for (std::size_t v = 0; v < vars.size(); ++v) {
    c(col[v]) = cost[v];
    if (vars[v].free) c(col[v] + 1) = -cost[v];
  }
  return simplex(A, b, c);
}

std::vector<double> sorted_copy(const VectorXd& x) {
  std::vector<double> s(x.data(), x.data() + x.size());
  std::sort(s.begin(), s.end());
  return s;
}

// Candidate knots for the LP references: every data point, the midpoints, and two points outside the data.
std::vector<double> candidate_knots(const VectorXd& x) {
  const std::vector<double> s = sorted_copy(x);
  std::vector<double> t(s.begin(), s.end());
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    t.push_back(0.5 * (s[i] + s[i + 1]));
    t.push_back(s[i] + 0.3 * (s[i + 1] - s[i]));
  }
  const double span = s.back() - s.front();
  t.push_back(s.front() - 0.5 * span);
  t.push_back(s.back() + 0.5 * span);
  return t;
}

// min TV(f') s.t. f(x_n) = y_n over f = alpha + beta x + sum_j a_j (x - t_j)_+ (skip connection).
LpSpline lp_min_tv_skip_on_knots(const VectorXd& x, const VectorXd& y, const std::vector<double>& t, double zero) {
  Lp lp;
  const int al = lp.add(true, 0.0), be = lp.add(true, 0.0);
  std::vector<int> ap, am;
  for (std::size_t j = 0; j < t.size(); ++j) {
    ap.push_back(lp.add(false, 1.0));
    am.push_back(lp.add(false, 1.0));
  }
  for (Eigen::Index n = 0; n < x.size(); ++n) {
    std::vector<std::pair<int, double>> row{{al, 1.0}, {be, x(n)}};
    for (std::size_t j = 0; j < t.size(); ++j) {
      const double r = std::max(0.0, x(n) - t[j]);
      row.push_back({ap[j], r});
      row.push_back({am[j], -r});
    }
    lp.eq_rows.push_back(row);
    lp.eq_rhs.push_back(y(n));
  }
  const LpResult r = lp.solve();
  LpSpline out;
  if (!(r.terminated && r.feasible && r.bounded)) return out;
  out.value = r.value;
  // Columns of Lp::solve: free variables take two (z+, z-), in the order they were added.
  out.alpha = r.z(0) - r.z(1);
  out.beta = r.z(2) - r.z(3);
  double amax = 0.0;
  std::vector<double> a(t.size());
  for (std::size_t j = 0; j < t.size(); ++j) {
    a[j] = r.z(4 + 2 * j) - r.z(5 + 2 * j);
    amax = std::max(amax, std::abs(a[j]));
  }
  for (std::size_t j = 0; j < t.size(); ++j)
    if (std::abs(a[j]) > zero * amax) out.knots.push_back(t[j]), out.jumps.push_back(a[j]);
  return out;
}

double lp_min_tv_skip(const VectorXd& x, const VectorXd& y) {
  return lp_min_tv_skip_on_knots(x, y, candidate_knots(x)).value;
}

std::vector<double> fine_knots(const VectorXd& x, int per_gap) {
  const std::vector<double> s = sorted_copy(x);
  std::vector<double> t(s.begin(), s.end());
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    for (int k = 1; k <= per_gap; ++k) t.push_back(s[i] + (s[i + 1] - s[i]) * k / (per_gap + 1.0));
  const double span = s.back() - s.front();
  for (double f : {0.25, 0.5}) t.push_back(s.front() - f * span), t.push_back(s.back() + f * span);
  return t;
}

double spline_value(const std::vector<double>& knots, const std::vector<double>& jumps, double slope_left,
                    double intercept, double x) {
  double v = intercept + slope_left * x;
  for (std::size_t j = 0; j < knots.size(); ++j) v += jumps[j] * std::max(0.0, x - knots[j]);
  return v;
}

TrendCertificate trend_filter_certificate(const VectorXd& x, const VectorXd& y, const VectorXd& f, double tv,
                                          double lambda) {
  const Eigen::Index N = x.size();
  TrendCertificate c;
  VectorXd alpha = y - f;
  c.primal = 0.5 * alpha.squaredNorm() + lambda * tv;
  // Project out span{1, x} (the unregularised affine part): two Gram-Schmidt passes on [1, x].
  MatrixXd B(N, 2);
  B.col(0).setOnes();
  B.col(1) = x;
  const double xmax = x.cwiseAbs().maxCoeff();
  c.affine_residual = (B.transpose() * alpha).norm() / (std::max(alpha.norm(), 1e-300) * (1 + xmax));
  VectorXd q0 = VectorXd::Ones(N) / std::sqrt(static_cast<double>(N));
  VectorXd q1 = x - x.dot(q0) * q0;
  q1 -= q1.dot(q0) * q0;
  q1 /= q1.norm();
  for (int pass = 0; pass < 2; ++pass) alpha -= alpha.dot(q0) * q0 + alpha.dot(q1) * q1;
  double sup = 0.0;
  for (Eigen::Index m = 0; m < N; ++m) {
    double g = 0.0;
    for (Eigen::Index n = 0; n < N; ++n) g += alpha(n) * std::max(0.0, x(n) - x(m));
    sup = std::max(sup, std::abs(g));
  }
  c.sup_ratio = lambda > 0 ? sup / lambda : (sup > 0 ? std::numeric_limits<double>::infinity() : 0.0);
  const double scale = sup > lambda ? lambda / sup : 1.0;
  alpha *= scale;
  c.dual = alpha.dot(y) - 0.5 * alpha.squaredNorm();
  // P - D in a form without the cancellation of |y|^2-sized terms: with r = y - f,
  // 1/2 |r|^2 + lambda TV - alpha . y + 1/2 |alpha|^2 = 1/2 |r - alpha|^2 - alpha . f + lambda TV.
  const VectorXd r = y - f;
  const double gap = 0.5 * (r - alpha).squaredNorm() - alpha.dot(f) + lambda * tv;
  c.rel_gap = gap / std::max(c.primal, y.squaredNorm() * std::numeric_limits<double>::epsilon());
  return c;
}

// min path norm s.t. f(x_n) = y_n over networks without skip connection: f = c0 + sum_j p_j (x - t_j)_+ +
// q_j (t_j - x)_+ (every neuron with |w| = 1 after rescaling; THEORY.md s.2).
double lp_min_cost_noskip(const VectorXd& x, const VectorXd& y) {
  const std::vector<double> t = candidate_knots(x);
  Lp lp;
  const int c0 = lp.add(true, 0.0);
  std::vector<int> pp, pm, qp, qm;
  for (std::size_t j = 0; j < t.size(); ++j) {
    pp.push_back(lp.add(false, 1.0));
    pm.push_back(lp.add(false, 1.0));
    qp.push_back(lp.add(false, 1.0));
    qm.push_back(lp.add(false, 1.0));
  }
  for (Eigen::Index n = 0; n < x.size(); ++n) {
    std::vector<std::pair<int, double>> row{{c0, 1.0}};
    for (std::size_t j = 0; j < t.size(); ++j) {
      const double r = std::max(0.0, x(n) - t[j]), l = std::max(0.0, t[j] - x(n));
      row.push_back({pp[j], r});
      row.push_back({pm[j], -r});
      row.push_back({qp[j], l});
      row.push_back({qm[j], -l});
    }
    lp.eq_rows.push_back(row);
    lp.eq_rhs.push_back(y(n));
  }
  const LpResult r = lp.solve();
  return r.terminated && r.feasible && r.bounded ? r.value : std::numeric_limits<double>::quiet_NaN();
}

// ------------------------------------------------------------------------------------------------------------
// Independent reference 2: least TV of an interpolant with exactly k knots (some may have zero jump), by brute
// force over knot configurations. A knot in the closed data interval [x_i, x_{i+1}] with jump a contributes
// a (x_n - x_{i+1}) + rho to every f(x_n) with n >= i+1 and nothing to n <= i, where rho = a (x_{i+1} - t) has
// 0 <= rho/a <= h_i; a knot left of x_0 contributes a (x_n - x_0) + rho with rho/a >= 0 (a knot right of the data
// changes no value and only adds TV). For each multiset of intervals and each sign pattern of the jumps the
// problem is an LP in (alpha, beta, |a_j|, |rho_j|): exact in the continuous knot positions.
// ------------------------------------------------------------------------------------------------------------
double brute_force_min_tv_with_k_knots(const std::vector<double>& xs, const std::vector<double>& ys, int k) {
  const int N = static_cast<int>(xs.size());
  double best = std::numeric_limits<double>::infinity();
  bool failed = false;
  std::vector<int> iv(k, -1);  // interval of each knot, nondecreasing, in -1..N-2
  std::function<void(int, int)> rec = [&](int pos, int from) {
    if (pos == k) {
      for (int signs = 0; signs < (1 << k); ++signs) {
        Lp lp;
        const int al = lp.add(true, 0.0), be = lp.add(true, 0.0);
        std::vector<int> A(k), P(k);
        for (int j = 0; j < k; ++j) {
          A[j] = lp.add(false, 1.0);
          P[j] = lp.add(false, 0.0);
          if (iv[j] >= 0) {  // rho <= |a| h
            lp.le_rows.push_back({{P[j], 1.0}, {A[j], -(xs[iv[j] + 1] - xs[iv[j]])}});
            lp.le_rhs.push_back(0.0);
          }
        }
        for (int n = 0; n < N; ++n) {
          std::vector<std::pair<int, double>> row{{al, 1.0}, {be, xs[n]}};
          for (int j = 0; j < k; ++j) {
            const int right = iv[j] + 1;  // index of the interval's right end (0 for the left-outside slot)
            if (n < right) continue;
            const double sg = (signs >> j & 1) ? 1.0 : -1.0;
            row.push_back({A[j], sg * (xs[n] - xs[right])});
            row.push_back({P[j], sg});
          }
          lp.eq_rows.push_back(row);
          lp.eq_rhs.push_back(ys[n]);
        }
        const LpResult r = lp.solve();
        if (!r.terminated) failed = true;
        if (r.feasible && r.bounded) best = std::min(best, r.value);
      }
      return;
    }
    for (int i = from; i <= N - 2; ++i) {
      iv[pos] = i;
      rec(pos + 1, i);
    }
  };
  rec(0, -1);
  return failed ? std::numeric_limits<double>::quiet_NaN() : best;
}

// THEORY.md s.4 run formula, computed here from the secant slopes with exact zero tests (integer data).
int run_formula(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::vector<double> s;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i) s.push_back((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]));
  int count = 0, run = 0, sign = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const double d = s[i + 1] - s[i];
    const int sg = d > 0 ? 1 : (d < 0 ? -1 : 0);
    if (sg != 0 && sg == sign) {
      ++run;
    } else {
      count += (run + 1) / 2;
      run = sg != 0 ? 1 : 0;
    }
    sign = sg;
  }
  return count + (run + 1) / 2;
}

}  // namespace rtv::verify::reference
