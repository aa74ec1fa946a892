// Exact univariate solvers (THEORY.md s.4): minimum-TV interpolation with and without skip connection, the
// sparsest minimum-TV interpolant, and linear trend filtering on an irregular grid by a finite active-set method.
//
// Notation (sorted data, 0-based): h_i = x_{i+1} - x_i, slopes s_i = (f_{i+1} - f_i)/h_i (i = 0..N-2), slope
// changes (D f)_i = s_{i+1} - s_i at the interior point x_{i+1} (i = 0..N-3), end functional g f = s_0 + s_{N-2}.
// T(f) = |D f|_1 = TV(f') of the linear interpolant of the values f.
#include "rtv/solvers/univariate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"

namespace rtv {

// ------------------------------------------------------------------------------------------------------------
// Spline1d
// ------------------------------------------------------------------------------------------------------------

double Spline1d::slope_right() const {
  double s = slope_left;
  for (const auto& k : knots) s += k.jump;
  return s;
}

double Spline1d::tv() const {
  double t = 0.0;
  for (const auto& k : knots) t += std::abs(k.jump);
  return t;
}

// Savarese et al. (THEORY.md s.4): the minimal path norm of a network without skip connection representing f.
double Spline1d::savarese_cost() const { return std::max(tv(), std::abs(slope_left + slope_right())); }

double evaluate(const Spline1d& s, double x) {
  double f = s.intercept + s.slope_left * x;
  for (const auto& k : s.knots) f += k.jump * std::max(0.0, x - k.x);
  return f;
}

Eigen::VectorXd evaluate(const Spline1d& s, const Eigen::VectorXd& x) {
  Eigen::VectorXd f(x.size());
  for (Eigen::Index n = 0; n < x.size(); ++n) f(n) = evaluate(s, x(n));
  return f;
}

int count_knots(const Spline1d& s, double tol) {
  int n = 0;
  for (const auto& k : s.knots) n += std::abs(k.jump) > tol ? 1 : 0;
  return n;
}

ShallowNet to_network(const Spline1d& s, bool skip, double pair_at) {
  const int K = static_cast<int>(s.knots.size());
  for (int j = 0; j + 1 < K; ++j)
    RTV_ASSERT(s.knots[j].x < s.knots[j + 1].x, "spline knots must be sorted and distinct");
  struct Neuron {
    double w, b, v;
  };
  std::vector<Neuron> neurons;
  double c = 0.0, c0 = s.intercept;
  if (skip) {
    for (const auto& k : s.knots)
      if (k.jump != 0.0) neurons.push_back({1.0, k.x, k.jump});
    c = s.slope_left;
  } else {
    // Split each jump a_j = p_j + q_j into a right-facing p_j sigma(x - x_j) and a left-facing q_j sigma(x_j - x)
    // with sum p = R = f'(+inf), sum q = -L = -f'(-inf): path norm sum |p_j| + |q_j| = max(S, |L + R|),
    // S = sum |a_j| (THEORY.md s.4, Savarese et al.).
    const double L = s.slope_left, R = s.slope_right();
    double P = 0.0, Nn = 0.0;  // sums of positive parts and of negative parts' magnitudes
    for (const auto& k : s.knots) (k.jump > 0 ? P : Nn) += std::abs(k.jump);
    const double S = P + Nn;
    std::vector<double> p(K), q(K);
    if (std::abs(L + R) <= S && S > 0.0) {
      // Same-sign split: p_j = theta+ a_j (a_j > 0), theta- a_j (a_j < 0); sum p = theta+ P - theta- N = R.
      const double tp = std::clamp((R + Nn) / S, 0.0, 1.0), tm = std::clamp((P - R) / S, 0.0, 1.0);
      for (int j = 0; j < K; ++j) {
        const double a = s.knots[j].jump;
        p[j] = (a > 0 ? tp : tm) * a;
        q[j] = a - p[j];
      }
    } else {
      // |L + R| > S: L and R have the sign of L + R. Base split of each jump by sign, the excess as a cancelling
      // pair d (x - t) = d sigma(x - t) - d sigma(t - x) at the middle knot (or at pair_at without knots).
      const bool pos = L + R > 0;
      double sum_p = 0.0;
      for (int j = 0; j < K; ++j) {
        const double a = s.knots[j].jump;
        p[j] = pos ? std::max(a, 0.0) : std::min(a, 0.0);
        q[j] = a - p[j];
        sum_p += p[j];
      }
      const double d = R - sum_p;
      if (K > 0) {
        p[K / 2] += d;
        q[K / 2] -= d;
      } else if (d != 0.0) {
        neurons.push_back({1.0, pair_at, d});
        neurons.push_back({-1.0, -pair_at, -d});
        c0 += d * pair_at;  // c0 = intercept - q t with q = -d
      }
    }
    for (int j = 0; j < K; ++j) {
      const double xj = s.knots[j].x;
      if (p[j] != 0.0) neurons.push_back({1.0, xj, p[j]});
      if (q[j] != 0.0) neurons.push_back({-1.0, -xj, q[j]});
      c0 -= q[j] * xj;
    }
  }
  ShallowNet net = ShallowNet::zeros(1, static_cast<int>(neurons.size()), skip);
  for (std::size_t k = 0; k < neurons.size(); ++k) {
    net.W(static_cast<Eigen::Index>(k), 0) = neurons[k].w;
    net.b(static_cast<Eigen::Index>(k)) = neurons[k].b;
    net.v(static_cast<Eigen::Index>(k)) = neurons[k].v;
  }
  if (skip) net.c(0) = c;
  net.c0 = c0;
  return net;
}

Spline1d spline_from_network(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  net.validate("spline_from_network");
  if (net.dim() != 1)
    throw input_error("spline_from_network",
                      "the network has input dimension " + std::to_string(net.dim()) + "; a spline needs d = 1");
  Spline1d s;
  for (const auto& k : knots_1d(net, opt)) s.knots.push_back(k);
  // Left of every knot: sigma(w x - b) = w x - b for w < 0, 0 for w > 0, sigma(-b) for w = 0.
  s.slope_left = net.skip ? net.c(0) : 0.0;
  s.intercept = net.c0;
  for (int k = 0; k < net.width(); ++k) {
    const double w = net.W(k, 0), b = net.b(k), v = net.v(k);
    if (w < 0) {
      s.slope_left += v * w;
      s.intercept -= v * b;
    } else if (w == 0) {
      s.intercept += v * std::max(0.0, -b);
    }
  }
  return s;
}

const char* to_string(TrendFilterStatus s) {
  switch (s) {
    case TrendFilterStatus::Optimal: return "optimal";
    case TrendFilterStatus::IterationCap: return "iteration_cap";
    case TrendFilterStatus::SaddleNotFound: return "saddle_not_found";
    case TrendFilterStatus::KktFailed: return "kkt_failed";
  }
  return "unknown";
}

namespace {

constexpr double kEps = tol::kEps;

std::string fmt(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

// ------------------------------------------------------------------------------------------------------------
// Data: validation and sorting
// ------------------------------------------------------------------------------------------------------------

struct Data {
  std::vector<int> order;  // order[k] = caller's index of the k-th smallest x
  Eigen::VectorXd x, y, h;
  int n() const { return static_cast<int>(x.size()); }
};

Data sort_data(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const std::string& source) {
  if (x.size() != y.size())
    throw input_error(source, "x has " + std::to_string(x.size()) + " entries but y has " + std::to_string(y.size()) +
                                  " (one value per point)");
  if (x.size() < 2) throw input_error(source, "needs at least 2 data points, got " + std::to_string(x.size()));
  for (Eigen::Index n = 0; n < x.size(); ++n) {
    if (!std::isfinite(x(n))) throw input_error(source, "x[" + std::to_string(n) + "] is NaN or infinite");
    if (!std::isfinite(y(n))) throw input_error(source, "y[" + std::to_string(n) + "] is NaN or infinite");
  }
  Data g;
  const int N = static_cast<int>(x.size());
  g.order.resize(N);
  std::iota(g.order.begin(), g.order.end(), 0);
  std::stable_sort(g.order.begin(), g.order.end(), [&](int a, int b) { return x(a) < x(b); });
  g.x.resize(N);
  g.y.resize(N);
  for (int k = 0; k < N; ++k) {
    g.x(k) = x(g.order[k]);
    g.y(k) = y(g.order[k]);
  }
  for (int k = 0; k + 1 < N; ++k)
    if (g.x(k) == g.x(k + 1))
      throw input_error(source, "duplicate x = " + fmt(g.x(k)) + " (points " + std::to_string(g.order[k]) + " and " +
                                    std::to_string(g.order[k + 1]) +
                                    "): the points must have distinct x; merge them first (e.g. average their y)");
  g.h = g.x.tail(N - 1) - g.x.head(N - 1);
  return g;
}

Eigen::VectorXd slopes(const Data& g, const Eigen::VectorXd& v) {
  const int N = g.n();
  Eigen::VectorXd s(N - 1);
  for (int i = 0; i + 1 < N; ++i) s(i) = (v(i + 1) - v(i)) / g.h(i);
  return s;
}

Eigen::VectorXd slope_changes(const Eigen::VectorXd& s) {
  const auto M = s.size();
  Eigen::VectorXd d(std::max<Eigen::Index>(M - 1, 0));
  for (Eigen::Index i = 0; i + 1 < M; ++i) d(i) = s(i + 1) - s(i);
  return d;
}

// Rounding scale of each slope s_i given absolute value errors e_n at the points: (e_i + e_{i+1})/h_i plus the
// relative error of h_i and of the data's x, eps |s_i| (|x_i| + |x_{i+1}|)/h_i.
Eigen::VectorXd slope_rounding(const Data& g, const Eigen::VectorXd& s, const Eigen::VectorXd& e) {
  Eigen::VectorXd r(s.size());
  for (Eigen::Index i = 0; i < s.size(); ++i)
    r(i) = (e(i) + e(i + 1) + kEps * std::abs(s(i)) * (std::abs(g.x(i)) + std::abs(g.x(i + 1)))) / g.h(i);
  return r;
}

// Threshold below which the slope change at x_{i+1} is rounding: factor * (r_i + r_{i+1}).
Eigen::VectorXd change_tolerance(const Eigen::VectorXd& slope_round, double factor) {
  Eigen::VectorXd t(std::max<Eigen::Index>(slope_round.size() - 1, 0));
  for (Eigen::Index i = 0; i < t.size(); ++i) t(i) = factor * (slope_round(i) + slope_round(i + 1));
  return t;
}

// Tolerances for slope changes of data values (tol::kSlopeChangeRounding, errors eps |y_n|).
Eigen::VectorXd data_change_tolerance(const Data& g, const Eigen::VectorXd& v, const Eigen::VectorXd& s) {
  return change_tolerance(slope_rounding(g, s, kEps * v.cwiseAbs()), tol::kSlopeChangeRounding);
}

// Linear interpolant of the values v: knots at interior points whose slope change exceeds tol (all nonzero
// changes if tol is empty), left slope s_0.
Spline1d interpolant(const Data& g, const Eigen::VectorXd& v, const Eigen::VectorXd& s, const Eigen::VectorXd& tol) {
  Spline1d sp;
  sp.slope_left = s(0);
  sp.intercept = v(0) - s(0) * g.x(0);
  const Eigen::VectorXd d = slope_changes(s);
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    const double t = tol.size() > 0 ? tol(i) : 0.0;
    if (std::abs(d(i)) > t) sp.knots.push_back({g.x(i + 1), d(i)});
  }
  return sp;
}

// Without skip connection: the optimal end slopes for interior slopes s_0, s_{N-2} and interior TV T
// (THEORY.md s.4, our derivation): with C = s_0 + s_{N-2}, z = sign(C) max(0, |C| - T)/2,
// L = s_0 - z/2, R = s_{N-2} - z/2, and min cost max(T, (|C| + T)/2).
struct EndSlopes {
  double L, R, z, cost;
};
EndSlopes optimal_end_slopes(double s_first, double s_last, double T) {
  const double C = s_first + s_last;
  const double z = std::abs(C) > T ? std::copysign((std::abs(C) - T) / 2, C) : 0.0;
  return {s_first - z / 2, s_last - z / 2, z, std::max(T, (std::abs(C) + T) / 2)};
}

// Add the end knots at x_0 and x_{N-1} that switch to the end slopes L, R (no skip connection).
void add_end_knots(const Data& g, const EndSlopes& e, Spline1d& sp) {
  if (e.z == 0.0) return;
  const double s0 = sp.slope_left;
  const double v0 = sp.intercept + s0 * g.x(0);
  sp.knots.insert(sp.knots.begin(), Knot{g.x(0), s0 - e.L});
  sp.knots.push_back(Knot{g.x(g.n() - 1), -e.z / 2});
  sp.slope_left = e.L;
  sp.intercept = v0 - e.L * g.x(0);
}

// ------------------------------------------------------------------------------------------------------------
// Sparsest interpolant (THEORY.md s.4, Debarre et al. 2022)
// ------------------------------------------------------------------------------------------------------------

// Values v at the sorted points, their slopes s, and per interior point the threshold below which a slope change
// counts as zero.
SparsestResult sparsest_core(const Data& g, const Eigen::VectorXd& v, const Eigen::VectorXd& s,
                             const Eigen::VectorXd& tol) {
  const Eigen::VectorXd d = slope_changes(s);
  const int M = static_cast<int>(d.size());
  std::vector<int> sign(M);
  for (int i = 0; i < M; ++i) sign[i] = std::abs(d(i)) > tol(i) ? (d(i) > 0 ? 1 : -1) : 0;
  SparsestResult r;
  r.spline.slope_left = s(0);
  r.spline.intercept = v(0) - s(0) * g.x(0);
  for (int a = 0; a < M;) {
    if (sign[a] == 0) {
      ++a;
      continue;
    }
    int b = a;
    while (b + 1 < M && sign[b + 1] == sign[a]) ++b;
    const int m = b - a + 1;
    r.runs.push_back(m);
    r.connect_the_dots_knots += m;
    for (int k = a; k <= b; k += 2) {
      if (k + 1 <= b) {
        // Merge the knots at x_{k+1}, x_{k+2} into the intersection of the lines of segments k and k+2:
        // a fraction tau = d_{k+1}/(d_k + d_{k+1}) in [0, 1] of the way across [x_{k+1}, x_{k+2}].
        const double tau = d(k + 1) / (d(k) + d(k + 1));
        RTV_ASSERT(tau >= 0.0 && tau <= 1.0, "same-sign slope changes put the merged knot between the data points");
        const double xi = g.x(k + 1) + tau * g.h(k + 1);
        RTV_ASSERT(xi >= g.x(k + 1) && xi <= g.x(k + 2), "merged knot outside its data interval");
        r.spline.knots.push_back({xi, d(k) + d(k + 1)});
      } else {
        r.spline.knots.push_back({g.x(k + 1), d(k)});
      }
    }
    a = b + 1;
  }
  r.knots = static_cast<int>(r.spline.knots.size());
  r.tv = r.spline.tv();
  // Check: the spline interpolates, relative to the evaluation's rounding scale.
  double worst = 0.0;
  for (int n = 0; n < g.n(); ++n) {
    double scale = std::abs(r.spline.intercept) + std::abs(r.spline.slope_left * g.x(n)) + std::abs(v(n));
    for (const auto& k : r.spline.knots) scale += std::abs(k.jump) * std::abs(g.x(n) - k.x);
    worst = std::max(worst, std::abs(evaluate(r.spline, g.x(n)) - v(n)) / scale);
  }
  r.interpolation_error = worst;
  return r;
}

// ------------------------------------------------------------------------------------------------------------
// Trend filtering: the dual box QP and its active-set method
// ------------------------------------------------------------------------------------------------------------

// out += a D_i^T (row i of D as a vector over the points).
void add_DT(const Data& g, int i, double a, Eigen::VectorXd& out) {
  out(i) += a / g.h(i);
  out(i + 1) -= a / g.h(i) + a / g.h(i + 1);
  out(i + 2) += a / g.h(i + 1);
}

// out += a g^T, g f = s_0 + s_{N-2}.
void add_gT(const Data& g, double a, Eigen::VectorXd& out) {
  const int N = g.n();
  out(0) -= a / g.h(0);
  out(1) += a / g.h(0);
  out(N - 2) -= a / g.h(N - 2);
  out(N - 1) += a / g.h(N - 2);
}

// The working set: st[i] in {-1, 0, +1} says u_i is at -lam1, free, at +lam1; stb likewise for beta.
struct Structure {
  std::vector<int> st;
  int stb = 0;
};

// The subproblem of a working set (equality-constrained QP): minimise 1/2 |y - D^T u - beta g^T|^2 with the
// working variables at their bounds. Its primal solution theta = y - D^T u - beta g^T minimises
//   1/2 |theta - y|^2 + lam1 sum_{working} st_i (D theta)_i + [beta working] stb lam2 g theta
// over the splines with knots at the working points (and g theta = 0 if beta is a free variable). It is solved
// in the nodal (hat) basis of those knots, node values c_j: the Gram matrix Phi^T Phi is tridiagonal with
// eigenvalues in [1, 2N] (each node is itself a data point, so Phi contains an identity), and the linear terms
// are written with the NODE spacings H_j (slope change at node j = (c_{j+1} - c_j)/H_j - (c_j - c_{j-1})/H_{j-1}),
// never with the data spacings h_i <= H_j, so nothing of size lambda/h_i has to cancel. Slopes and slope changes
// are taken from the node values: off the working points the slope changes are exactly 0.
struct Eqp {
  Eigen::VectorXd theta, u;    // values at the data points, dual variables
  Eigen::VectorXd s;           // slope on each data interval (= its node segment's slope)
  Eigen::VectorXd d;           // slope change at each interior point (0 off the working points)
  Eigen::VectorXd H;           // length of the node segment containing each data interval
  double beta = 0.0, c = 0.0;  // end dual variable, g theta = s_0 + s_{N-2}
  double value_scale = 0.0;    // max(|y|, |c_j|, |linear terms|): the absolute scale of the values' rounding
};

// Solve the SPD tridiagonal system (diag a, off-diagonal e) in place of rhs (LDL^T, no pivoting needed).
void solve_tridiagonal(std::vector<double> a, const std::vector<double>& e, std::vector<double>& rhs) {
  const std::size_t n = a.size();
  std::vector<double> l(n, 0.0);
  for (std::size_t j = 1; j < n; ++j) {
    l[j] = e[j - 1] / a[j - 1];
    a[j] -= l[j] * e[j - 1];
    rhs[j] -= l[j] * rhs[j - 1];
  }
  rhs[n - 1] /= a[n - 1];
  for (std::size_t j = n - 1; j-- > 0;) rhs[j] = rhs[j] / a[j] - l[j + 1] * rhs[j + 1];
}

// The working set's node system: nodes, their spacings, the Gram matrix (diagonal a, off-diagonal e), Phi^T y,
// and the node-coefficient vectors of T_S(theta) = sum_working st_i (D theta)_i and of g theta.
struct NodeSystem {
  std::vector<int> node;
  std::vector<double> H, a, e, rhs, tvec, gvec;
};

NodeSystem build_nodes(const Data& g, const Eigen::VectorXd& y, const Structure& S) {
  const int N = g.n(), M = N - 2;
  NodeSystem ns;
  std::vector<int> sign{0};
  ns.node.push_back(0);
  for (int i = 0; i < M; ++i)
    if (S.st[i] != 0) {
      ns.node.push_back(i + 1);
      sign.push_back(S.st[i]);
    }
  ns.node.push_back(N - 1);
  sign.push_back(0);
  const std::size_t nn = ns.node.size();
  ns.H.resize(nn - 1);
  for (std::size_t j = 0; j + 1 < nn; ++j) ns.H[j] = g.x(ns.node[j + 1]) - g.x(ns.node[j]);
  ns.a.assign(nn, 0.0);
  ns.e.assign(nn - 1, 0.0);
  ns.rhs.assign(nn, 0.0);
  for (std::size_t j = 0; j + 1 < nn; ++j) {
    const int P = ns.node[j], Q = ns.node[j + 1];
    ns.a[j] += 1.0;
    ns.rhs[j] += y(P);
    for (int n = P + 1; n < Q; ++n) {
      const double p1 = (g.x(n) - g.x(P)) / ns.H[j], p0 = (g.x(Q) - g.x(n)) / ns.H[j];
      ns.a[j] += p0 * p0;
      ns.a[j + 1] += p1 * p1;
      ns.e[j] += p0 * p1;
      ns.rhs[j] += p0 * y(n);
      ns.rhs[j + 1] += p1 * y(n);
    }
  }
  ns.a[nn - 1] += 1.0;
  ns.rhs[nn - 1] += y(N - 1);
  ns.tvec.assign(nn, 0.0);
  for (std::size_t j = 1; j + 1 < nn; ++j) {  // st_j ((c_{j+1} - c_j)/H_j - (c_j - c_{j-1})/H_{j-1})
    const double w = sign[j];
    ns.tvec[j - 1] += w / ns.H[j - 1];
    ns.tvec[j] -= w / ns.H[j - 1] + w / ns.H[j];
    ns.tvec[j + 1] += w / ns.H[j];
  }
  ns.gvec.assign(nn, 0.0);  // (c_1 - c_0)/H_0 + (c_{nn-1} - c_{nn-2})/H_{nn-2}
  ns.gvec[0] -= 1.0 / ns.H[0];
  ns.gvec[1] += 1.0 / ns.H[0];
  ns.gvec[nn - 2] -= 1.0 / ns.H[nn - 2];
  ns.gvec[nn - 1] += 1.0 / ns.H[nn - 2];
  return ns;
}

// min 1/2 c^T A c - (Phi^T y)^T c + lin^T c subject to con_k^T c = 0 (at most 2 constraints): A c = Phi^T y - lin -
// sum_k nu_k con_k, the multipliers nu from the k x k Schur complement. Returns c; nu in *nu.
std::vector<double> solve_nodes(const NodeSystem& ns, const std::vector<double>& lin,
                                const std::vector<std::vector<double>>& con, std::vector<double>* nu = nullptr) {
  const std::size_t nn = ns.a.size();
  std::vector<double> c(nn);
  for (std::size_t j = 0; j < nn; ++j) c[j] = ns.rhs[j] - lin[j];
  solve_tridiagonal(ns.a, ns.e, c);
  const std::size_t K = con.size();
  if (K == 0) return c;
  std::vector<std::vector<double>> w(con);
  for (auto& wk : w) solve_tridiagonal(ns.a, ns.e, wk);
  Eigen::MatrixXd Sc(K, K);
  Eigen::VectorXd r(K);
  for (std::size_t k = 0; k < K; ++k) {
    r(k) = 0.0;
    for (std::size_t j = 0; j < nn; ++j) r(k) += con[k][j] * c[j];
    for (std::size_t l = 0; l < K; ++l) {
      Sc(k, l) = 0.0;
      for (std::size_t j = 0; j < nn; ++j) Sc(k, l) += con[k][j] * w[l][j];
    }
  }
  const Eigen::VectorXd v = solve_square(Sc, r);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t j = 0; j < nn; ++j) c[j] -= v(k) * w[k][j];
  if (nu) nu->assign(v.data(), v.data() + K);
  return c;
}

// From node values: the values at the data points, slopes, slope changes, c, and the dual (u, beta) for the
// bounds lam1, lam2 of the working set.
Eqp finish_eqp(const Data& g, const Eigen::VectorXd& y, const Structure& S, const NodeSystem& ns,
               const std::vector<double>& cnode, const std::vector<double>& lin, double lam1, double lam2,
               bool end_term, bool beta_from_data = false) {
  const int N = g.n(), M = N - 2;
  const std::size_t nn = ns.node.size();
  Eqp out;
  out.theta.resize(N);
  out.s.resize(N - 1);
  out.H.resize(N - 1);
  out.d = Eigen::VectorXd::Zero(M);
  std::vector<double> sl(nn - 1);
  for (std::size_t j = 0; j + 1 < nn; ++j) {
    const int P = ns.node[j], Q = ns.node[j + 1];
    const double H = ns.H[j];
    sl[j] = (cnode[j + 1] - cnode[j]) / H;
    out.theta(P) = cnode[j];
    for (int n = P + 1; n < Q; ++n)
      out.theta(n) = cnode[j] * ((g.x(Q) - g.x(n)) / H) + cnode[j + 1] * ((g.x(n) - g.x(P)) / H);
    for (int i = P; i < Q; ++i) {
      out.s(i) = sl[j];
      out.H(i) = H;
    }
    if (j > 0) out.d(P - 1) = sl[j] - sl[j - 1];
  }
  out.theta(N - 1) = cnode[nn - 1];
  out.c = sl[0] + sl[nn - 2];
  double scale = y.lpNorm<Eigen::Infinity>();
  for (std::size_t j = 0; j < nn; ++j) scale = std::max({scale, std::abs(cnode[j]), std::abs(lin[j])});
  out.value_scale = scale;
  // Dual: y - theta = D^T u + beta g^T. <x, D^T u> = 0 and <x, g^T> = 2 give beta. D^T u = r (r orthogonal to
  // 1 and x) is solved by two cumulative sums: u_i = sum_{k <= i} h_k A_k, A_k = sum_{n <= k} r_n (from the left),
  // or u_i = sum_{k > i} h_k B_{k+1}, B_k = sum_{n >= k} r_n (from the right); each half from its nearer end. For
  // r = y - theta - beta g^T the g part is done in closed form: the left sums of g^T give -1, the right ones +1.
  // The sums cancel (partial sums grow to ~N |r| range while u stays <= lambda, and z = D^T u divides u by h), so
  // they are accumulated in long double (64-bit significand on x86-64: 2^11 times fewer rounding errors).
  const Eigen::VectorXd r = y - out.theta;
  if (end_term) {
    if (S.stb != 0 && !beta_from_data) {
      out.beta = S.stb * lam2;
    } else {
      const long double xbar = static_cast<long double>(g.x.mean());
      long double sum = 0.0L;
      for (int n = 0; n < N; ++n) sum += static_cast<long double>(r(n)) * (static_cast<long double>(g.x(n)) - xbar);
      out.beta = static_cast<double>(0.5L * sum);
    }
  }
  // Optimality makes r - beta g^T orthogonal to 1 and x up to the values' rounding; that rounding is removed
  // first (r - a - b (x - xbar)), otherwise the left and right sums would disagree by (its size) x range.
  std::vector<long double> rr(N);
  {
    const long double xbar = static_cast<long double>(g.x.mean());
    long double s1 = 0.0L, sx = 0.0L, sxx = 0.0L;
    for (int n = 0; n < N; ++n) {
      const long double dx = static_cast<long double>(g.x(n)) - xbar;
      s1 += r(n);
      sx += static_cast<long double>(r(n)) * dx;
      sxx += dx * dx;
    }
    const long double a = s1 / N, b = (sx - 2.0L * out.beta) / sxx;  // <g^T, x - xbar> = 2
    for (int n = 0; n < N; ++n) rr[n] = r(n) - a - b * (static_cast<long double>(g.x(n)) - xbar);
  }
  out.u.resize(M);
  long double A = 0.0L, acc = 0.0L;
  for (int i = 0; i < M; ++i) {
    A += rr[i];
    acc += static_cast<long double>(g.h(i)) * A;
    if (2 * i < M) out.u(i) = static_cast<double>(acc + out.beta);
  }
  long double B = 0.0L;
  acc = 0.0L;
  for (int i = M - 1; i >= 0; --i) {
    B += rr[i + 2];
    acc += static_cast<long double>(g.h(i + 1)) * B;
    if (2 * i >= M) out.u(i) = static_cast<double>(acc - out.beta);
  }
  // The working u_i equal st_i lam1 up to rounding; they are left as computed: overwriting them with the exact
  // bound would move the rounding into the stationarity residual D^T u - (y - theta), amplified by 1/h.
  (void)lam1;
  return out;
}

// The working set's subproblem at bounds lam1, lam2: linear term lam1 T_S + [beta working] stb lam2 g, and the
// constraint g theta = 0 if beta is a free variable.
Eqp solve_eqp(const Data& g, const Eigen::VectorXd& y, const Structure& S, double lam1, double lam2, bool end_term) {
  const NodeSystem ns = build_nodes(g, y, S);
  const std::size_t nn = ns.node.size();
  std::vector<double> lin(nn);
  const double wb = (end_term && S.stb != 0) ? S.stb * lam2 : 0.0;
  for (std::size_t j = 0; j < nn; ++j) lin[j] = lam1 * ns.tvec[j] + wb * ns.gvec[j];
  std::vector<std::vector<double>> con;
  if (end_term && S.stb == 0) con.push_back(ns.gvec);
  const std::vector<double> c = solve_nodes(ns, lin, con);
  return finish_eqp(g, y, S, ns, c, lin, lam1, lam2, end_term);
}

// No skip connection, beta working (stb != 0): the saddle point on the kink T = |c| of the working set S.
// With lam1 = lambda (1 + mu)/2, lam2 = lambda (1 - mu)/2 the subproblem's linear term is
// lambda/2 (T_S + stb c) + lambda mu/2 (T_S - stb c): so the kink solution minimises the first part subject to
// h_S = T_S - stb c = 0, and lambda mu / 2 is that constraint's multiplier. Solving it this way avoids the
// root-finding in mu, which is ill-conditioned when h changes fast with mu (nearly coincident x).
Eqp solve_kink(const Data& g, const Eigen::VectorXd& y, const Structure& S, double lambda, double* mu) {
  const NodeSystem ns = build_nodes(g, y, S);
  const std::size_t nn = ns.node.size();
  std::vector<double> lin(nn), h(nn);
  for (std::size_t j = 0; j < nn; ++j) {
    lin[j] = 0.5 * lambda * (ns.tvec[j] + S.stb * ns.gvec[j]);
    h[j] = ns.tvec[j] - S.stb * ns.gvec[j];
  }
  std::vector<double> nu;
  const std::vector<double> c = solve_nodes(ns, lin, {h}, &nu);
  for (std::size_t j = 0; j < nn; ++j) lin[j] += nu[0] * h[j];
  // mu = 2 nu / lambda; the dual is recovered from the values themselves (beta = <y - theta, x>/2 =
  // stb lambda (1 - mu)/2), which keeps it consistent with theta to rounding even when nu is ill-conditioned.
  Eqp e = finish_eqp(g, y, S, ns, c, lin, 0.0, 0.0, true, true);
  *mu = 1.0 - 2.0 * S.stb * e.beta / lambda;
  return e;
}

// Rounding thresholds for the slope changes of an Eqp solution (sign tests, knot count) and for g theta: node
// values carry absolute errors ~ rounding * value_scale, so a node-segment slope carries ~2 rounding value_scale/H
// plus its own relative rounding.
struct EqpTolerances {
  Eigen::VectorXd change;  // per interior point
  double end = 0.0;        // for g theta
};
EqpTolerances eqp_tolerances(const Eqp& e, double rounding) {
  Eigen::VectorXd r(e.s.size());
  for (Eigen::Index i = 0; i < e.s.size(); ++i) r(i) = rounding * (2 * e.value_scale / e.H(i) + std::abs(e.s(i)));
  EqpTolerances t;
  t.change = change_tolerance(r, 1.0);
  t.end = r(0) + r(r.size() - 1);
  return t;
}

// The active set's sign decisions (release a bound, accept a subproblem's solution, accept mu = 0 or 1) use this
// fraction of the rounding scale instead of the reporting tolerance TrendFilterOptions::rounding: a wrong decision
// costs ~lambda times the tolerance in the objective, so decisions are tight (64 eps: the handful of roundings in
// a slope difference, with margin); the final KKT check uses the looser reporting tolerance.
constexpr double kDecision = 64 * kEps;

struct BoxResult {
  Eqp e;
  Structure S;
  int iterations = 0;
  bool converged = false;
};

// Primal active-set method (Nocedal & Wright, Algorithm 16.3) for the box QP
//   min 1/2 |y - D^T u - beta g^T|^2,  |u_i| <= lam1,  |beta| <= lam2 (beta only if end_term, else beta = 0),
// started from the feasible point given by the warm-start working set. Each iteration solves the working set's
// subproblem exactly (solve_eqp), steps towards it until a bound blocks (adding it), or, at the subproblem's
// solution, releases the working bound with the most negative multiplier (st_i (D theta)_i for u_i, stb g theta
// for beta). Finite: the objective decreases strictly and no working set repeats (nondegenerate case).
BoxResult solve_box(const Data& g, const Eigen::VectorXd& y, double lam1, double lam2, bool end_term, Structure S,
                    double rounding, int max_iterations) {
  const int M = g.n() - 2;
  if (end_term && lam2 == 0.0) end_term = false;  // beta fixed at 0
  if (!end_term) S.stb = 0;
  if (static_cast<int>(S.st.size()) != M) S.st.assign(M, 0);
  Eigen::VectorXd u(M);
  for (int i = 0; i < M; ++i) u(i) = S.st[i] * lam1;
  double beta = end_term ? S.stb * lam2 : 0.0;
  BoxResult res;
  for (int it = 0; it < max_iterations; ++it) {
    res.iterations = it + 1;
    Eqp e = solve_eqp(g, y, S, lam1, lam2, end_term);
    // Step towards the subproblem's solution; a change below the dual's rounding scale is no change.
    const double utol = rounding * (lam1 + e.value_scale * (g.x(g.n() - 1) - g.x(0)));
    double alpha = 1.0;
    int block = -2, block_sign = 0;  // -1: beta
    for (int i = 0; i < M; ++i) {
      if (S.st[i] != 0) continue;
      const double p = e.u(i) - u(i);
      if (std::abs(p) <= utol) continue;
      const double a = std::max(0.0, ((p > 0 ? lam1 : -lam1) - u(i)) / p);
      if (a < alpha) {
        alpha = a;
        block = i;
        block_sign = p > 0 ? 1 : -1;
      }
    }
    if (end_term && S.stb == 0) {
      const double p = e.beta - beta;
      if (std::abs(p) > rounding * (lam2 + e.value_scale * (g.x(g.n() - 1) - g.x(0)))) {
        const double a = std::max(0.0, ((p > 0 ? lam2 : -lam2) - beta) / p);
        if (a < alpha) {
          alpha = a;
          block = -1;
          block_sign = p > 0 ? 1 : -1;
        }
      }
    }
    if (block != -2) {
      for (int i = 0; i < M; ++i)
        if (S.st[i] == 0) u(i) = std::clamp(u(i) + alpha * (e.u(i) - u(i)), -lam1, lam1);
      if (end_term && S.stb == 0) beta = std::clamp(beta + alpha * (e.beta - beta), -lam2, lam2);
      if (block >= 0) {
        S.st[block] = block_sign;
        u(block) = block_sign * lam1;
      } else {
        S.stb = block_sign;
        beta = block_sign * lam2;
      }
      continue;
    }
    // Full step: we are at the subproblem's solution. Check the multipliers of the working bounds. (The free
    // variables may exceed their bounds by rounding, |p| <= utol above; they are not clamped, since z = D^T u
    // divides u by h: clamping would trade a harmless ~eps lambda infeasibility for a stationarity error ~eps/h.)
    u = e.u;
    beta = end_term ? e.beta : 0.0;
    const EqpTolerances t = eqp_tolerances(e, rounding);
    double worst = 0.0;
    int release = -2;
    for (int i = 0; i < M; ++i) {
      if (S.st[i] == 0) continue;
      const double m = S.st[i] * e.d(i);
      if (m < -t.change(i) && m < worst) {
        worst = m;
        release = i;
      }
    }
    if (end_term && S.stb != 0) {
      const double m = S.stb * e.c;
      if (m < -t.end && m < worst) {
        worst = m;
        release = -1;
      }
    }
    if (release == -2) {
      // Optimal. Degenerate working bounds (multiplier at rounding level) are released if the subproblem stays
      // optimal without them: fewer knots, and no lam1/H terms of spurious knots in the values' rounding.
      Structure C = S;
      bool any = false;
      for (int i = 0; i < M; ++i)
        if (C.st[i] != 0 && std::abs(e.d(i)) <= t.change(i)) C.st[i] = 0, any = true;
      if (end_term && C.stb != 0 && std::abs(e.c) <= t.end) C.stb = 0, any = true;
      if (any) {
        Eqp ec = solve_eqp(g, y, C, lam1, lam2, end_term);
        const EqpTolerances tc = eqp_tolerances(ec, rounding);
        const double utc = rounding * (lam1 + ec.value_scale * (g.x(g.n() - 1) - g.x(0)));
        bool ok = true;
        for (int i = 0; i < M && ok; ++i)
          ok = C.st[i] == 0 ? std::abs(ec.u(i)) <= lam1 + utc : C.st[i] * ec.d(i) >= -tc.change(i);
        if (end_term && ok)
          ok = C.stb == 0 ? std::abs(ec.beta) <= lam2 + rounding * (lam2 + ec.value_scale * (g.x(g.n() - 1) - g.x(0)))
                          : C.stb * ec.c >= -tc.end;
        if (ok) {
          e = std::move(ec);
          S = C;
        }
      }
      res.e = std::move(e);
      res.S = S;
      res.converged = true;
      return res;
    }
    if (release >= 0)
      S.st[release] = 0;
    else
      S.stb = 0;
  }
  res.e = solve_eqp(g, y, S, lam1, lam2, end_term);
  res.S = S;
  res.converged = false;
  return res;
}

// T along a working set's structure (signed sum over the working knots; free slope changes are zero).
double structured_T(const Structure& S, const Eqp& e) {
  double T = 0.0;
  for (std::size_t i = 0; i < S.st.size(); ++i) T += S.st[i] * e.d(static_cast<Eigen::Index>(i));
  return T;
}

}  // namespace

void TrendFilterOptions::validate() const {
  if (!(rounding > 0.0) || !(rounding < 1e-3))
    throw input_error("TrendFilterOptions",
                      "rounding must be in (0, 1e-3) (a relative rounding tolerance), got " + fmt(rounding));
  if (max_iterations < 0)
    throw input_error("TrendFilterOptions",
                      "max_iterations must be >= 0 (0 = automatic), got " + std::to_string(max_iterations));
}

// ------------------------------------------------------------------------------------------------------------
// Public solvers
// ------------------------------------------------------------------------------------------------------------

// min Reg(f) s.t. f(x_n) = y_n (THEORY.md s.4).
InterpolationResult min_tv_interpolation(const Eigen::VectorXd& x, const Eigen::VectorXd& y, bool skip) {
  const Data g = sort_data(x, y, "min_tv_interpolation");
  const int N = g.n();
  const Eigen::VectorXd s = slopes(g, g.y), d = slope_changes(s);
  const Eigen::VectorXd tol = data_change_tolerance(g, g.y, s);
  InterpolationResult r;
  r.interior_tv = d.lpNorm<1>();
  r.spline = interpolant(g, g.y, s, Eigen::VectorXd());
  for (Eigen::Index i = 0; i < d.size(); ++i) r.knots += std::abs(d(i)) > tol(i) ? 1 : 0;
  if (skip) {
    r.cost = r.interior_tv;
    r.slope_left = s(0);
    r.slope_right = s(N - 2);
  } else {
    const EndSlopes e = optimal_end_slopes(s(0), s(N - 2), r.interior_tv);
    add_end_knots(g, e, r.spline);
    r.cost = e.cost;
    r.slope_left = e.L;
    r.slope_right = e.R;
    // End knots count when their jump |z|/2 exceeds the rounding of the end slopes.
    const Eigen::VectorXd sr = slope_rounding(g, s, kEps * g.y.cwiseAbs());
    if (std::abs(e.z) / 2 > tol::kSlopeChangeRounding * (sr(0) + sr(N - 2))) r.knots += 2;
  }
  return r;
}

SparsestResult sparsest_interpolant(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  const Data g = sort_data(x, y, "sparsest_interpolant");
  const Eigen::VectorXd s = slopes(g, g.y);
  return sparsest_core(g, g.y, s, data_change_tolerance(g, g.y, s));
}

namespace {

// ---- trend_filter_1d in named steps: solve (with or without skip connection), assemble the spline, certify ----

// Bisection steps in the saddle weight mu (no skip connection): 200 halvings take the bracket far below the double
// resolution of [0, 1], so the loop ends on the 4 eps bracket test long before; the cap only guards a logic error.
constexpr int kMaxSaddleBisections = 200;

// The working set and solution of the box QP at the optimum, with what it took.
struct TrendFilterSolve {
  BoxResult sol;
  double mu = 1.0;        // the saddle weight (no skip connection); 1 with skip (T only)
  bool end_term = false;  // the end-slope term |c| is part of the problem (no skip connection)
  int iterations = 0;
  bool converged = true;
  TrendFilterStatus status = TrendFilterStatus::Optimal;
  std::string message = "optimal";
};

// lambda = 0: interpolation, the limit lambda -> 0+ (THEORY.md s.1): fitted = y, the dual is 0, the gap 0.
TrendFilterResult interpolation_limit(const Eigen::VectorXd& x, const Eigen::VectorXd& y, bool skip,
                                      TrendFilterResult res) {
  const InterpolationResult ip = min_tv_interpolation(x, y, skip);
  res.fitted = y;
  res.spline = ip.spline;
  res.regulariser = ip.cost;
  res.tv = ip.spline.tv();
  res.knots = ip.knots;
  res.dual = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(y.size()) - 2);
  res.mu = skip ? 1.0 : 0.0;
  if (skip) {
    const SparsestResult sp = sparsest_interpolant(x, y);
    res.sparsest = sp.spline;
    res.sparsest_knots = sp.knots;
  }
  res.kkt_ok = res.converged = true;
  res.status = TrendFilterStatus::Optimal;
  res.message = "optimal (lambda = 0: interpolation)";
  return res;
}

// No skip connection: Reg = max(T, (|c| + T)/2) = max over mu in [0, 1] of (1 + mu)/2 T + (1 - mu)/2 |c| (THEORY.md
// s.4 with the end slopes minimised out). Minimax: solve the box QP at weights lam1 = lambda (1 + mu)/2 on T and
// lam2 = lambda (1 - mu)/2 on |c|; the optimal mu makes h = T - |c| vanish (or is 0 or 1).
class SaddleSolver {
 public:
  SaddleSolver(const Data& g, double lambda, int max_it) : g_(g), lambda_(lambda), max_it_(max_it), M_(g.n() - 2) {}

  TrendFilterSolve solve() {
    out_.end_term = true;
    BoxResult b1 = box(1.0, Structure{});  // mu = 1: T only (beta = 0, c unconstrained)
    if (h_of(b1, true) >= -h_tol(b1)) {
      out_.sol = b1;  // Reg(theta) = T there and Reg >= T everywhere: optimal
      out_.mu = 1.0;
      return out_;
    }
    BoxResult b0 = box(0.0, Structure{});
    if (h_of(b0, b0.S.stb != 0) <= h_tol(b0)) {
      out_.sol = b0;  // Reg = (|c| + T)/2 there and Reg >= (|c| + T)/2 everywhere: optimal
      out_.mu = 0.0;
      return out_;
    }
    if (!bisect(b0, b1)) {
      out_.converged = false;
      out_.status = TrendFilterStatus::SaddleNotFound;
      out_.message = "no skip connection: the saddle weight mu was not found in 200 bisection steps";
    }
    return out_;
  }

 private:
  BoxResult box(double mu, const Structure& warm) {
    BoxResult b = solve_box(g_, g_.y, lambda_ * (1 + mu) / 2, lambda_ * (1 - mu) / 2, true, warm, kDecision, max_it_);
    out_.iterations += b.iterations;
    out_.converged = out_.converged && b.converged;
    return b;
  }
  // h along the solution: T - |c|, with |c| = 0 when beta is free (the constraint g theta = 0).
  double h_of(const BoxResult& b, bool beta_active) const {
    const double c = beta_active ? std::abs(b.e.c) : 0.0;
    return structured_T(b.S, b.e) - c;
  }
  // The rounding of h: the working slope changes' and c's.
  double h_tol(const BoxResult& b) const {
    const EqpTolerances t = eqp_tolerances(b.e, kDecision);
    double s = t.end;
    for (int i = 0; i < M_; ++i) s += b.S.st[i] != 0 ? t.change(i) : 0.0;
    return s;
  }
  // The kink solution of a working set with beta at a bound, accepted if it satisfies the box KKT conditions at
  // its mu (then it is the saddle point: optimal).
  bool attempt(const Structure& S) {
    if (S.stb == 0) return false;
    ++out_.iterations;
    const int N = g_.n();
    double m = 0.0;
    Eqp e = solve_kink(g_, g_.y, S, lambda_, &m);
    const double mtol = kDecision * static_cast<double>(N);
    if (!(m >= -mtol && m <= 1.0 + mtol)) return false;
    m = std::clamp(m, 0.0, 1.0);
    const double l1 = lambda_ * (1 + m) / 2;
    const EqpTolerances t = eqp_tolerances(e, kDecision);
    const double utol = kDecision * (l1 + e.value_scale * (g_.x(N - 1) - g_.x(0)));
    for (int i = 0; i < M_; ++i) {
      if (S.st[i] == 0 && std::abs(e.u(i)) > l1 + utol) return false;
      if (S.st[i] != 0 && S.st[i] * e.d(i) < -t.change(i)) return false;
    }
    if (S.stb * e.c < -t.end) return false;
    out_.sol.e = std::move(e);
    out_.sol.S = S;
    out_.mu = m;
    return true;
  }
  // The working set between two adjacent pieces: the union of their working bounds.
  Structure merged(const Structure& A, const Structure& B) const {
    Structure U = A;
    for (int i = 0; i < M_; ++i)
      if (U.st[i] == 0) U.st[i] = B.st[i];
    if (U.stb == 0) U.stb = B.stb;
    return U;
  }
  // 0 < mu < 1: h = T - |c| (nonincreasing in mu: -2/lambda times the derivative of the concave dual function)
  // changes sign, and the optimum lies on the kink h = 0. Bisection in mu brackets the working set of the optimum;
  // for the working sets at both ends of the bracket (and their union, for a piece too short to be hit by a
  // double) the kink is solved directly (solve_kink) and accepted when the box KKT conditions hold at its mu.
  // (Root-finding on h itself would be ill-conditioned: h can change by O(1) over a piece of width 1e-6 in mu
  // when two data points nearly coincide.) True when the saddle point was found.
  bool bisect(const BoxResult& b0, const BoxResult& b1) {
    double lo = 0.0, hi = 1.0;
    Structure Slo = b0.S, Shi = b1.S;
    Shi.stb = b1.e.c > 0 ? 1 : -1;  // at mu = 1, beta = 0 is "at its bound lam2 = 0" with the sign of c
    for (int k = 0; k < kMaxSaddleBisections; ++k) {
      if (attempt(Slo) || attempt(Shi) || attempt(merged(Slo, Shi))) return true;
      const double mid = 0.5 * (lo + hi);
      BoxResult bm = box(mid, Slo);
      const double hm = h_of(bm, bm.S.stb != 0);
      if (std::abs(hm) <= h_tol(bm) || hi - lo <= 4 * kEps) {
        out_.sol = bm;  // h = 0 to rounding: the saddle point (gap <= lambda |h| / 2)
        out_.mu = mid;
        return true;
      }
      if (hm > 0) {
        lo = mid;
        Slo = bm.S;
      } else {
        hi = mid;
        Shi = bm.S;
      }
    }
    return false;
  }

  const Data& g_;
  const double lambda_;
  const int max_it_;
  const int M_;
  TrendFilterSolve out_;
};

TrendFilterSolve solve_trend_filter(const Data& g, double lambda, bool skip, int max_it) {
  TrendFilterSolve out;
  if (skip) {
    out.sol = solve_box(g, g.y, lambda, 0.0, false, Structure{}, kDecision, max_it);
    out.iterations = out.sol.iterations;
    out.converged = out.sol.converged;
  } else {
    out = SaddleSolver(g, lambda, max_it).solve();
  }
  if (!out.converged && out.status == TrendFilterStatus::Optimal) {
    out.status = TrendFilterStatus::IterationCap;
    out.message = "iteration cap reached (" + std::to_string(max_it) + " active-set iterations per solve)";
  }
  return out;
}

// The working slope changes dk, their sum T and the end-slope change c of the assembled spline.
struct Assembled {
  Eigen::VectorXd dk;
  double T = 0.0, c = 0.0;
};

// The spline, regulariser, knots and objective from the solution. Slope changes off the working set, and c when
// beta is a free variable (the constraint g theta = 0), are zero in exact arithmetic and are taken as 0 (otherwise
// lambda times their rounding would enter the objective). The working slope changes all enter the spline, Reg and
// the objective; `knots` counts those above the rounding tolerance knot_tolerance.
Assembled assemble_spline(const Data& g, const TrendFilterSolve& s, double lambda, bool skip,
                          const TrendFilterOptions& opt, TrendFilterResult& res) {
  const int N = g.n(), M = N - 2;
  const Eqp& e = s.sol.e;
  const Eigen::VectorXd& th = e.theta;
  for (int k = 0; k < N; ++k) res.fitted(g.order[k]) = th(k);
  const double lam2 = skip ? 0.0 : lambda * (1 - res.mu) / 2;
  double Hmin = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < e.H.size(); ++i) Hmin = std::min(Hmin, e.H(i));
  // One threshold for all knots: a slope change from node values with absolute errors rounding * value_scale,
  // over node segments >= Hmin, plus the slopes' own relative rounding.
  res.knot_tolerance = opt.rounding * (4 * e.value_scale / Hmin + 2 * e.s.lpNorm<Eigen::Infinity>());
  Assembled a;
  a.dk = Eigen::VectorXd::Zero(M);  // the working slope changes
  Eigen::VectorXd mask(M);           // sparsest_core's threshold: 0 for knots above tolerance, +inf elsewhere
  for (int i = 0; i < M; ++i) {
    if (s.sol.S.st[i] != 0) a.dk(i) = e.d(i);
    mask(i) = std::abs(a.dk(i)) > res.knot_tolerance ? 0.0 : std::numeric_limits<double>::infinity();
  }
  a.T = a.dk.lpNorm<1>();
  a.c = (!skip && s.sol.S.stb == 0 && lam2 > 0.0) ? 0.0 : e.c;
  res.spline.slope_left = e.s(0);
  res.spline.intercept = th(0) - e.s(0) * g.x(0);
  for (int i = 0; i < M; ++i)
    if (a.dk(i) != 0.0) res.spline.knots.push_back({g.x(i + 1), a.dk(i)});
  if (skip) {
    res.regulariser = a.T;
    const SparsestResult sp = sparsest_core(g, th, e.s, mask);
    res.sparsest = sp.spline;
    res.sparsest_knots = sp.knots;
  } else {
    // The end slopes from the closed form with C = c (THEORY.md s.4): s_0 - z/2 and s_{N-2} - z/2.
    const double C = a.c, s0 = e.s(0), s1 = e.s(N - 2);
    const double zz = std::abs(C) > a.T ? std::copysign((std::abs(C) - a.T) / 2, C) : 0.0;
    const EndSlopes es{s0 - zz / 2, s1 - zz / 2, zz, std::max(a.T, (std::abs(C) + a.T) / 2)};
    add_end_knots(g, es, res.spline);
    res.regulariser = es.cost;
  }
  res.knots = count_knots(res.spline, res.knot_tolerance);
  res.tv = res.spline.tv();
  res.data_fit = 0.5 * (th - g.y).squaredNorm();
  res.objective = res.data_fit + lambda * res.regulariser;
  res.dual = e.u;
  res.dual_end = s.end_term ? e.beta : 0.0;
  return a;
}

// The certificate: z = D^T u + beta g^T in lambda P, gap = lambda Reg - <theta, z> + 1/2 |y - theta - z|^2, the
// stationarity, dual feasibility and complementarity tests, each relative to its rounding scale; then the status.
void certify(const Data& g, const TrendFilterSolve& s, const Assembled& a, double lambda, bool skip,
             const TrendFilterOptions& opt, TrendFilterResult& res) {
  const int N = g.n(), M = N - 2;
  const Eqp& e = s.sol.e;
  const Eigen::VectorXd& th = e.theta;
  Eigen::VectorXd z = Eigen::VectorXd::Zero(N);
  for (int i = 0; i < M; ++i) add_DT(g, i, e.u(i), z);
  if (s.end_term) add_gT(g, e.beta, z);
  const Eigen::VectorXd resid = g.y - th - z;
  double inner = 0.0, inner_scale = 0.0;  // <theta, z> = <D theta, u> + beta g theta
  for (int i = 0; i < M; ++i) {
    inner += a.dk(i) * e.u(i);
    inner_scale += std::abs(a.dk(i) * e.u(i));
  }
  if (s.end_term) {
    inner += e.beta * a.c;
    inner_scale += std::abs(e.beta * a.c);
  }
  const double half_resid2 = 0.5 * resid.squaredNorm();
  res.duality_gap = lambda * res.regulariser - inner + half_resid2;
  // z divides u by h: the values' absolute rounding (~N eps value_scale: a tridiagonal solve of condition <= 2N)
  // reaches z as ~N eps value_scale / h_min; stationarity is relative to N value_scale / h_min.
  res.stationarity = resid.lpNorm<Eigen::Infinity>() / (N * e.value_scale / g.h.minCoeff());
  double infeas = 0.0;
  const double ub = e.u.size() > 0 ? e.u.cwiseAbs().maxCoeff() : 0.0;
  if (skip)
    infeas = std::max(0.0, ub - lambda);
  else
    infeas = std::max({0.0, ub + std::abs(e.beta) - lambda, std::abs(e.beta) - lambda / 2});
  // Relative to the dual's rounding scale: u comes from cumulative sums over the range of x of y - fitted, whose
  // entries are rounded at the values' scale.
  const double dual_scale = lambda + (g.x(N - 1) - g.x(0)) * ((g.y - th).lpNorm<1>() + N * e.value_scale);
  res.dual_infeasibility = infeas / dual_scale;
  // Complementarity: lambda Reg - <theta, z> is a sum of terms lambda |d_i| - u_i d_i >= 0, zero to rounding.
  // The stationarity part 1/2 |resid|^2 is checked through `stationarity` (it is quadratic in the rounding, but
  // amplified by 1/h_min^2 for nearly coincident x, so it is not compared with the objective's scale).
  // Its rounding: relative to its terms; the dual's rounding (dual_scale) times the slope changes it multiplies;
  // and lambda times the rounding of each working slope change and of c (knot_tolerance each), which dominates
  // for nearly coincident x (value_scale ~ lambda / H there).
  int working = s.end_term ? 1 : 0;
  for (int i = 0; i < M; ++i) working += s.sol.S.st[i] != 0 ? 1 : 0;
  const double gap_tol = opt.rounding * (lambda * res.regulariser + inner_scale + 0.5 * g.y.squaredNorm() +
                                         dual_scale * (a.T + std::abs(a.c))) +
                         lambda * res.knot_tolerance * working;
  const double compl_gap = res.duality_gap - half_resid2;
  res.kkt_ok = s.converged && res.dual_infeasibility <= opt.rounding && res.stationarity <= opt.rounding &&
               std::abs(compl_gap) <= gap_tol;
  res.converged = s.converged;
  res.iterations = s.iterations;
  if (s.converged && !res.kkt_ok) {
    res.status = TrendFilterStatus::KktFailed;
    res.message = "active set terminated but the KKT check failed";
  } else {
    res.status = s.status;
    res.message = s.message;
  }
}

}  // namespace

TrendFilterResult trend_filter_1d(const Eigen::VectorXd& x, const Eigen::VectorXd& y, double lambda, bool skip,
                                  const TrendFilterOptions& opt) {
  const std::string src = "trend_filter_1d";
  opt.validate();
  if (!std::isfinite(lambda) || lambda < 0.0)
    throw input_error(src, "lambda must be finite and >= 0, got " + fmt(lambda));
  const Data g = sort_data(x, y, src);
  const int N = g.n();
  const int max_it = opt.max_iterations > 0 ? opt.max_iterations : 50 * N + 100;  // TrendFilterOptions
  TrendFilterResult res;
  res.order = g.order;
  res.fitted.resize(N);
  if (lambda == 0.0) return interpolation_limit(x, y, skip, std::move(res));

  const TrendFilterSolve s = solve_trend_filter(g, lambda, skip, max_it);
  if (!skip) res.mu = s.mu;
  const Assembled a = assemble_spline(g, s, lambda, skip, opt, res);
  certify(g, s, a, lambda, skip, opt, res);
  return res;
}

}  // namespace rtv
