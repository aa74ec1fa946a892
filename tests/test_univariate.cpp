// The exact univariate solvers (THEORY.md s.4) against references that share no code with them (STYLE.md item 6):
//  * (verify/reference/reference_1d.hpp, shared with S1, S2) a dense two-phase simplex (Bland's rule): min TV(f')
//    interpolation as an LP over splines with many candidate knots (with skip connection) or over neurons
//    p sigma(x - t) + q sigma(t - x) (without);
//  * brute force over knot configurations for the sparsest interpolant: for every multiset of k data intervals
//    and every sign pattern, an LP gives the least TV of an interpolant with k knots there (exact in the knots'
//    positions, not a grid), so "no interpolant with fewer knots reaches the minimum TV" is checked exactly;
//  * trend filtering by enumeration of all sign patterns of the slope changes (and, without skip connection,
//    of c = s_1 + s_{N-1} and of the branch of the max), each an equality-constrained QP solved by LU;
//  * trend filtering by a long run of accelerated projected gradient (FISTA with restart) on the dual box QP;
//  * the optimality certificate (dual feasibility, stationarity, duality gap) recomputed here from D and g.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/solvers/univariate.hpp"
#include "reference_1d.hpp"

namespace rtv {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using namespace rtv::verify::reference;

// ---- tolerances (STYLE.md item 3) ----
// Two exact methods on O(1) data (the library's active set vs an LU or a simplex on <= 40 rows): each loses a
// few eps per operation times the conditioning of the small dense systems (<= 1e4 here); 1e-10 relative is the
// exactness bar of the brief and leaves ~1e2 of margin over what we measure (printed).
constexpr double kExactAgreement = 1e-10;
// The dense simplex pivots on tableaux of O(1) entries for at most ~50 pivots; its optimal value is good to
// ~1e-13 on our data; 1e-9 relative (the brief's bar for the LP comparison) leaves 1e4 of margin.
constexpr double kLpAgreement = 1e-9;
// The iterative reference (FISTA on the dual) stops at a projected-gradient residual ~1e-13; its fitted values
// are then good to ~1e-9; the comparison bar 1e-7 (the brief's) is 100 times looser.
constexpr double kIterativeAgreement = 1e-7;
// Evaluations of a spline or network at a point: a handful of roundings per term, relative to the sum of
// |terms| (the forward-error scale): tol::kIdentity (100 eps).
constexpr double kEvaluation = tol::kIdentity;
// A real gap between the minimum TV and the least TV with one knot fewer: our datasets are small integers, so
// the gap is a rational with small denominator (>= ~1e-2); anything below 1e-6 would be an LP rounding artefact.
constexpr double kSparsityGap = 1e-6;

VectorXd vec(std::initializer_list<double> xs) {
  VectorXd v(static_cast<Eigen::Index>(xs.size()));
  int i = 0;
  for (double x : xs) v(i++) = x;
  return v;
}

// ------------------------------------------------------------------------------------------------------------
// Independent reference 3: trend filtering by enumeration (tiny N). D and g are built here from their definitions.
// ------------------------------------------------------------------------------------------------------------
struct Ops {
  MatrixXd D;  // (N-2) x N slope changes
  VectorXd g;  // g . f = s_1 + s_{N-1}
};

Ops make_ops(const std::vector<double>& xs) {
  const int N = static_cast<int>(xs.size());
  MatrixXd S = MatrixXd::Zero(N - 1, N);  // slopes
  for (int i = 0; i + 1 < N; ++i) {
    S(i, i) = -1.0 / (xs[i + 1] - xs[i]);
    S(i, i + 1) = 1.0 / (xs[i + 1] - xs[i]);
  }
  Ops o;
  o.D = MatrixXd::Zero(std::max(N - 2, 0), N);
  for (int i = 0; i + 2 < N; ++i) o.D.row(i) = S.row(i + 1) - S.row(i);
  o.g = (S.row(0) + S.row(N - 2)).transpose();
  return o;
}

double reg_value(const Ops& o, const VectorXd& th, bool skip) {
  const double T = (o.D * th).lpNorm<1>();
  if (skip) return T;
  return std::max(T, 0.5 * (std::abs(o.g.dot(th)) + T));
}

// min 1/2 |th - y|^2 + lambda Reg(th): every candidate is the minimiser of the objective's smooth piece on the face
// where the listed signs hold (equality-constrained QP by LU); the optimum is one of them, and every candidate is
// a feasible point, so the least TRUE objective over all candidates is the optimum.
VectorXd enumerate_trend_filter(const std::vector<double>& xs, const VectorXd& y, double lambda, bool skip) {
  const int N = static_cast<int>(xs.size()), M = N - 2;
  const Ops o = make_ops(xs);
  double best = std::numeric_limits<double>::infinity();
  VectorXd best_th;
  int npat = 1;
  for (int i = 0; i < M; ++i) npat *= 3;
  const int ncs = skip ? 1 : 3, nbr = skip ? 1 : 3;
  for (int pat = 0; pat < npat; ++pat) {
    VectorXd sig(M);
    for (int i = 0, p = pat; i < M; ++i, p /= 3) sig(i) = (p % 3) - 1.0;
    for (int cs = 0; cs < ncs; ++cs)
      for (int br = 0; br < nbr; ++br) {
        const double sc = skip ? 0.0 : cs - 1.0;
        // Linear part of the piece: lambda * (coefficient of T_signed and of c_signed).
        double wT = 1.0, wc = 0.0;
        if (!skip && br == 1) wT = 0.5, wc = 0.5;
        VectorXd lin = lambda * (wT * (o.D.transpose() * sig) + wc * sc * o.g);
        std::vector<VectorXd> eqs;
        for (int i = 0; i < M; ++i)
          if (sig(i) == 0.0) eqs.push_back(o.D.row(i).transpose());
        if (!skip && sc == 0.0) eqs.push_back(o.g);
        if (!skip && br == 2) eqs.push_back(o.D.transpose() * sig - sc * o.g);  // on the kink T = |c|
        const int E = static_cast<int>(eqs.size());
        MatrixXd K = MatrixXd::Zero(N + E, N + E);
        K.topLeftCorner(N, N).setIdentity();
        for (int j = 0; j < E; ++j) {
          K.block(0, N + j, N, 1) = eqs[j];
          K.block(N + j, 0, 1, N) = eqs[j].transpose();
        }
        VectorXd rhs = VectorXd::Zero(N + E);
        rhs.head(N) = y - lin;
        const VectorXd sol = min_norm_least_squares(K, rhs);
        const VectorXd th = sol.head(N);
        const double obj = 0.5 * (th - y).squaredNorm() + lambda * reg_value(o, th, skip);
        if (obj < best) {
          best = obj;
          best_th = th;
        }
      }
  }
  return best_th;
}

// Independent reference 4: FISTA with adaptive restart on the dual box QP min 1/2 |y - D^T u|^2, |u| <= lambda.
VectorXd fista_trend_filter(const std::vector<double>& xs, const VectorXd& y, double lambda, int iterations,
                            double* final_step = nullptr) {
  const Ops o = make_ops(xs);
  const MatrixXd Q = o.D * o.D.transpose();
  const VectorXd q = o.D * y;
  const double L = symmetric_eigenvalues(Q).maxCoeff();
  VectorXd u = VectorXd::Zero(Q.rows()), v = u, u_prev = u;
  double t = 1.0, step = 0.0;
  for (int it = 0; it < iterations; ++it) {
    const VectorXd grad = Q * v - q;
    u_prev = u;
    u = (v - grad / L).cwiseMax(-lambda).cwiseMin(lambda);
    const double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
    if ((u - u_prev).dot(v - u) > 0) {  // restart (O'Donoghue & Candes)
      t = 1.0;
      v = u;
    } else {
      v = u + ((t - 1.0) / t_next) * (u - u_prev);
      t = t_next;
    }
    step = (u - u_prev).lpNorm<Eigen::Infinity>();
  }
  if (final_step) *final_step = step;
  return y - o.D.transpose() * u;
}

// ------------------------------------------------------------------------------------------------------------
// Data generators (seeded, STYLE.md item 8)
// ------------------------------------------------------------------------------------------------------------
struct Dataset {
  VectorXd x, y;
};

// Random distinct x (gaps log-uniform in [0.05, 1], shuffled order) and y a kinked signal plus noise. A linear
// `trend` makes |s_1 + s_{N-1}| large, which activates the end term of the cost without skip connection.
Dataset random_data(Rng& rng, int N, bool shuffle = true, double trend = 0.0) {
  std::vector<double> xs{rng.uniform(-1.0, 1.0)};
  for (int i = 1; i < N; ++i) xs.push_back(xs.back() + rng.log_uniform(0.05, 1.0));
  if (shuffle)
    for (int i = N - 1; i > 0; --i) std::swap(xs[i], xs[static_cast<int>(rng.uniform() * (i + 1))]);
  Dataset d;
  d.x.resize(N);
  d.y.resize(N);
  for (int n = 0; n < N; ++n) {
    d.x(n) = xs[n];
    d.y(n) = std::abs(xs[n] - 1.0) - 0.5 * std::max(0.0, xs[n] - 2.0) + trend * xs[n] + 0.3 * rng.normal();
  }
  return d;
}

std::vector<double> std_vec(const VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

VectorXd sorted_by_x(const VectorXd& x, const VectorXd& v) {
  std::vector<int> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int a, int b) { return x(a) < x(b); });
  VectorXd out(v.size());
  for (std::size_t k = 0; k < idx.size(); ++k) out(static_cast<Eigen::Index>(k)) = v(idx[k]);
  return out;
}

double spline_eval_scale(const Spline1d& s, double x) {
  double sc = std::abs(s.intercept) + std::abs(s.slope_left * x);
  for (const auto& k : s.knots) sc += std::abs(k.jump) * std::abs(x - k.x);
  return sc;
}

// ============================================================================================================
// Spline1d <-> ShallowNet
// ============================================================================================================

TEST(Univariate, SplineToNetworkKeepsTheFunctionAndHasMinimalPathNorm) {
  Rng rng(2301);
  double worst_f = 0.0, worst_pn = 0.0;
  for (int trial = 0; trial < 60; ++trial) {
    Spline1d s;
    const int K = trial % 6;  // 0..5 knots, K = 0: affine
    double x = rng.uniform(-2.0, -1.0);
    for (int j = 0; j < K; ++j, x += rng.log_uniform(0.1, 1.0)) s.knots.push_back({x, rng.normal()});
    s.slope_left = rng.normal() * (trial % 3 == 0 ? 5.0 : 1.0);  // large slopes: the |L + R| > TV branch
    s.intercept = rng.normal();
    for (bool skip : {true, false}) {
      const ShallowNet net = to_network(s, skip, 0.3);
      net.validate("test");
      EXPECT_EQ(net.skip, skip);
      // Path norm of this construction = the cost of the class (with skip TV(f'), without Savarese's).
      const double pn = path_norm(net), cost = s.cost(skip);
      worst_pn = std::max(worst_pn, std::abs(pn - cost) / std::max(1.0, cost));
      EXPECT_NEAR(pn, cost, kEvaluation * std::max(1.0, cost)) << "trial " << trial << " skip " << skip;
      // The same function on a grid that covers every knot.
      MatrixXd X(41, 1);
      for (int i = 0; i < 41; ++i) X(i, 0) = -4.0 + 0.25 * i;
      const VectorXd fn = evaluate(net, X), S = evaluation_scale(net, X);
      for (int i = 0; i < 41; ++i) {
        const double fs = evaluate(s, X(i, 0));
        const double err = std::abs(fn(i) - fs) / (S(i) + spline_eval_scale(s, X(i, 0)));
        worst_f = std::max(worst_f, err);
        EXPECT_LE(err, kEvaluation);
      }
      // Back to a spline: the knots merge per hyperplane (p and q of a knot add up to its jump).
      const Spline1d back = spline_from_network(net);
      EXPECT_NEAR(back.tv(), s.tv(), kEvaluation * std::max(1.0, s.tv()));
      EXPECT_NEAR(back.slope_left, s.slope_left, kEvaluation * (1.0 + std::abs(s.slope_left) + pn));
      EXPECT_NEAR(rtv_exact(net), s.tv(), kEvaluation * std::max(1.0, s.tv()));
    }
  }
  std::printf("spline -> network: max |f_net - f_spline| / scale = %.2e, max |PN - cost| = %.2e\n", worst_f, worst_pn);
}

TEST(Univariate, SavareseCostOfALinearFunction) {
  // THEORY.md s.4: f(x) = a x costs 2|a| without skip connection, 0 with.
  Spline1d s;
  s.slope_left = -1.75;
  EXPECT_DOUBLE_EQ(s.savarese_cost(), 3.5);
  EXPECT_DOUBLE_EQ(s.tv(), 0.0);
  const ShallowNet net = to_network(s, false, 0.0);
  EXPECT_EQ(net.width(), 2);
  EXPECT_DOUBLE_EQ(path_norm(net), 3.5);
  EXPECT_DOUBLE_EQ(rtv_exact(net), 0.0);  // sigma(z) - sigma(-z) = z: RTV 0 (THEORY.md s.1 conventions)
}

// ============================================================================================================
// Input checks
// ============================================================================================================

TEST(Univariate, BadInputThrowsAndNamesTheProblem) {
  const VectorXd x = vec({0.0, 1.5, 2.0, 1.5}), y = vec({0.0, 1.0, 2.0, 3.0});
  try {
    min_tv_interpolation(x, y);
    FAIL() << "duplicate x accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate x = 1.5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("points 1 and 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(trend_filter_1d(x, y, 0.1), InputError);
  EXPECT_THROW(sparsest_interpolant(x, y), InputError);
  EXPECT_THROW(min_tv_interpolation(vec({1.0}), vec({1.0})), InputError);
  EXPECT_THROW(min_tv_interpolation(vec({0.0, 1.0}), vec({1.0})), InputError);
  EXPECT_THROW(min_tv_interpolation(vec({0.0, std::nan("")}), vec({1.0, 2.0})), InputError);
  EXPECT_THROW(min_tv_interpolation(vec({0.0, 1.0}), vec({1.0, INFINITY})), InputError);
  EXPECT_THROW(trend_filter_1d(vec({0.0, 1.0, 2.0}), vec({0.0, 1.0, 0.0}), -1.0), InputError);
  EXPECT_THROW(trend_filter_1d(vec({0.0, 1.0, 2.0}), vec({0.0, 1.0, 0.0}), std::nan("")), InputError);
  TrendFilterOptions bad;
  bad.rounding = 0.0;
  EXPECT_THROW(trend_filter_1d(vec({0.0, 1.0, 2.0}), vec({0.0, 1.0, 0.0}), 1.0, true, bad), InputError);
  ShallowNet net2d = ShallowNet::zeros(2, 1);
  EXPECT_THROW(spline_from_network(net2d), InputError);
}

// ============================================================================================================
// Minimum-TV interpolation (THEORY.md s.4)
// ============================================================================================================

TEST(Univariate, TheoryExample) {
  // (0,0),(1,0),(2,1),(3,3): connect-the-dots has knots at 1 and 2, TV 2; max(0, 2x - 3) has one knot at 1.5.
  const VectorXd x = vec({0, 1, 2, 3}), y = vec({0, 0, 1, 3});
  const InterpolationResult r = min_tv_interpolation(x, y);
  EXPECT_DOUBLE_EQ(r.cost, 2.0);
  EXPECT_EQ(r.knots, 2);
  const SparsestResult sp = sparsest_interpolant(x, y);
  ASSERT_EQ(sp.knots, 1);
  EXPECT_EQ(sp.runs, std::vector<int>{2});
  EXPECT_DOUBLE_EQ(sp.spline.knots[0].x, 1.5);
  EXPECT_DOUBLE_EQ(sp.spline.knots[0].jump, 2.0);
  EXPECT_DOUBLE_EQ(sp.tv, 2.0);
  for (double t = -2.0; t <= 5.0; t += 0.125) EXPECT_DOUBLE_EQ(evaluate(sp.spline, t), std::max(0.0, 2 * t - 3));
  // Brute force: no interpolant with 0 knots; with 1 knot the least TV is 2.
  const std::vector<double> xs = std_vec(x), ys = std_vec(y);
  EXPECT_TRUE(std::isinf(brute_force_min_tv_with_k_knots(xs, ys, 0)));
  EXPECT_NEAR(brute_force_min_tv_with_k_knots(xs, ys, 1), 2.0, kLpAgreement);
  EXPECT_NEAR(lp_min_tv_skip(x, y), 2.0, kLpAgreement);
}

TEST(Univariate, MinTvInterpolationMatchesLinearProgramming) {
  Rng rng(4);
  double worst_skip = 0.0, worst_noskip = 0.0;
  for (int trial = 0; trial < 24; ++trial) {
    const int N = 2 + trial % 7;  // 2..8
    Dataset d = random_data(rng, N);
    if (trial % 4 == 3) d.y *= 10.0;  // large end slopes: |C| > T, the end knots are used
    for (bool skip : {true, false}) {
      const InterpolationResult r = min_tv_interpolation(d.x, d.y, skip);
      const double lp = skip ? lp_min_tv_skip(d.x, d.y) : lp_min_cost_noskip(d.x, d.y);
      const double rel = std::abs(r.cost - lp) / std::max(1.0, lp);
      (skip ? worst_skip : worst_noskip) = std::max(skip ? worst_skip : worst_noskip, rel);
      EXPECT_LE(rel, kLpAgreement) << "trial " << trial << " N " << N << " skip " << skip;
      // The returned spline interpolates, has the claimed cost, and so does its minimal network.
      EXPECT_NEAR(r.spline.cost(skip), r.cost, kEvaluation * std::max(1.0, r.cost));
      for (int n = 0; n < N; ++n)
        EXPECT_NEAR(evaluate(r.spline, d.x(n)), d.y(n), kEvaluation * spline_eval_scale(r.spline, d.x(n)));
      const ShallowNet net = to_network(r.spline, skip, d.x.mean());
      EXPECT_NEAR(path_norm(net), r.cost, kEvaluation * std::max(1.0, r.cost));
      EXPECT_EQ(r.slope_left, r.spline.slope_left);
      EXPECT_NEAR(r.slope_right, r.spline.slope_right(), kEvaluation * (1.0 + r.cost));
    }
  }
  std::printf("min TV interpolation vs LP: worst rel. difference %.2e (skip), %.2e (no skip; Savarese cost)\n",
              worst_skip, worst_noskip);
}

TEST(Univariate, CollinearDataWithoutSkipCostsTheSlope) {
  // THEORY.md s.4: collinear data of slope a; without skip connection the minimum is |a|, end slopes a/2.
  for (double a : {1.0, -2.5}) {
    for (int N : {2, 5}) {
      VectorXd x(N), y(N);
      for (int n = 0; n < N; ++n) {
        x(n) = 0.5 * n * n - 1.0;  // irregular
        y(n) = a * x(n) + 0.75;
      }
      const InterpolationResult r = min_tv_interpolation(x, y, false);
      EXPECT_NEAR(r.cost, std::abs(a), kEvaluation * std::abs(a));
      EXPECT_NEAR(r.slope_left, a / 2, kEvaluation * std::abs(a));
      EXPECT_NEAR(r.slope_right, a / 2, kEvaluation * std::abs(a));
      EXPECT_EQ(r.knots, 2);  // at x_1 and x_N
      EXPECT_NEAR(lp_min_cost_noskip(x, y), std::abs(a), kLpAgreement * std::abs(a));
      const InterpolationResult rs = min_tv_interpolation(x, y, true);
      EXPECT_NEAR(rs.cost, 0.0, kEvaluation * std::abs(a));
      EXPECT_EQ(rs.knots, 0);
      EXPECT_EQ(sparsest_interpolant(x, y).knots, 0);
    }
  }
}

TEST(Univariate, EndSlopesMinimiseSavareseCostOnAGrid) {
  // The closed form min_{L,R} max(T + |s_1 - L| + |R - s_{N-1}|, |L + R|) = max(T, (|C| + T)/2) against a scan of
  // (L, R) over a grid containing all breakpoints (multiples of 1/8 for these data).
  const VectorXd x = vec({0, 1, 2, 3, 4});
  for (const VectorXd& y : {vec({0, 1, 2, 2.5, 3}), vec({0, -1, -1, 0, 2}), vec({0, 3, 5, 8, 10})}) {
    const InterpolationResult r = min_tv_interpolation(x, y, false);
    const double s1 = y(1) - y(0), s2 = y(4) - y(3), T = r.interior_tv;
    double best = std::numeric_limits<double>::infinity();
    for (int i = -160; i <= 160; ++i)
      for (int j = -160; j <= 160; ++j) {
        const double L = i / 16.0, R = j / 16.0;
        best = std::min(best, std::max(T + std::abs(s1 - L) + std::abs(R - s2), std::abs(L + R)));
      }
    EXPECT_NEAR(r.cost, best, kExactAgreement * best);
    EXPECT_NEAR(r.spline.savarese_cost(), best, kExactAgreement * best);
  }
}

// ============================================================================================================
// Sparsest interpolant: the run formula against brute force over knot configurations
// ============================================================================================================

TEST(Univariate, SparsestCountEqualsRunFormulaAndBruteForce) {
  Rng rng(7);
  int checked = 0, no_interpolant = 0, existence = 0;
  double min_gap = std::numeric_limits<double>::infinity();
  std::vector<std::pair<std::vector<double>, std::vector<double>>> sets = {
      {{0, 1, 2, 3}, {0, 0, 1, 3}},                    // THEORY.md example: run of 2 -> 1 knot
      {{0, 1, 2, 3, 4, 5}, {0, 0, 1, 3, 6, 10}},       // run of 4 -> 2 knots
      {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 0, 1, 0, 1, 0}},  // alternating: 5 runs of 1 -> 5 knots
      {{0, 1, 2, 3, 4, 5}, {0, 1, 2, 2, 1, 3}},        // zero change, runs of different sign
      {{0, 1, 3, 4, 6}, {0, 2, 3, 3, 0}},              // irregular x, concave run of 3 -> 2 knots
  };
  for (int t = 0; t < 14; ++t) {  // random small-integer data
    const int N = 4 + t % 4;
    std::vector<double> xs{0}, ys;
    for (int n = 1; n < N; ++n) xs.push_back(xs.back() + 1 + static_cast<int>(rng.uniform() * 2));
    for (int n = 0; n < N; ++n) ys.push_back(std::floor(rng.uniform(-3.0, 4.0)));
    sets.push_back({xs, ys});
  }
  for (const auto& [xs, ys] : sets) {
    const int N = static_cast<int>(xs.size());
    VectorXd x(N), y(N);
    for (int n = 0; n < N; ++n) x(n) = xs[n], y(n) = ys[n];
    const SparsestResult sp = sparsest_interpolant(x, y);
    const InterpolationResult ip = min_tv_interpolation(x, y);
    const int formula = run_formula(xs, ys);
    EXPECT_EQ(sp.knots, formula);
    EXPECT_NEAR(sp.tv, ip.cost, kEvaluation * std::max(1.0, ip.cost));
    EXPECT_LE(sp.interpolation_error, kEvaluation);
    for (int n = 0; n < N; ++n)
      EXPECT_NEAR(evaluate(sp.spline, xs[n]), ys[n], kEvaluation * spline_eval_scale(sp.spline, xs[n]));
    // Each merged knot lies between data points, never on top of another knot.
    for (std::size_t j = 0; j + 1 < sp.spline.knots.size(); ++j)
      EXPECT_LT(sp.spline.knots[j].x, sp.spline.knots[j + 1].x);
    for (const auto& k : sp.spline.knots) EXPECT_TRUE(k.x >= xs.front() && k.x <= xs.back());
    // Brute force: with formula - 1 knots no interpolant reaches the minimum TV ...
    if (formula > 0) {
      const double below = brute_force_min_tv_with_k_knots(xs, ys, formula - 1);
      if (std::isinf(below)) ++no_interpolant;
      if (!std::isinf(below)) min_gap = std::min(min_gap, below - ip.cost);
      EXPECT_GT(below, ip.cost + kSparsityGap) << "an interpolant with " << formula - 1 << " knots reaches min TV";
    }
    // ... and with `formula` knots one does (checked where the enumeration is small).
    if (formula <= 3) {
      EXPECT_NEAR(brute_force_min_tv_with_k_knots(xs, ys, formula), ip.cost, kLpAgreement * (1 + ip.cost));
      ++existence;
    }
    ++checked;
  }
  std::printf(
      "sparsest: %d datasets, knot count = run formula; with one knot fewer: no interpolant at all in %d, "
      "least TV above the minimum by >= %.3g in the others; the formula's count reaches the minimum in %d "
      "checked\n",
      checked, no_interpolant, min_gap, existence);
}

// ============================================================================================================
// Trend filtering
// ============================================================================================================

TEST(Univariate, TrendFilterMatchesEnumeration) {
  Rng rng(11);
  double worst[2] = {0.0, 0.0};
  int branch[3] = {0, 0, 0};  // no skip: optimal mu = 0, in (0, 1), = 1
  for (int trial = 0; trial < 60; ++trial) {
    const int N = 2 + trial % 6;  // 2..7
    const Dataset d = random_data(rng, N, true, (trial / 6) % 3 == 0 ? 0.0 : rng.uniform(-6.0, 6.0));
    const double lambda = rng.log_uniform(1e-3, 3.0);
    for (bool skip : {true, false}) {
      const TrendFilterResult r = trend_filter_1d(d.x, d.y, lambda, skip);
      EXPECT_TRUE(r.converged && r.kkt_ok) << r.message;
      if (!skip) ++branch[r.mu == 0.0 ? 0 : (r.mu == 1.0 ? 2 : 1)];
      const std::vector<double> xs = sorted_copy(d.x);
      const VectorXd ys = sorted_by_x(d.x, d.y), fit = sorted_by_x(d.x, r.fitted);
      const VectorXd ref = enumerate_trend_filter(xs, ys, lambda, skip);
      const double scale = std::max(ys.lpNorm<Eigen::Infinity>(), 1.0);
      const double err = (fit - ref).lpNorm<Eigen::Infinity>() / scale;
      worst[skip] = std::max(worst[skip], err);
      EXPECT_LE(err, kExactAgreement) << "trial " << trial << " N " << N << " lambda " << lambda << " skip " << skip;
      const Ops o = make_ops(xs);
      const double obj = 0.5 * (ref - ys).squaredNorm() + lambda * reg_value(o, ref, skip);
      EXPECT_NEAR(r.objective, obj, kExactAgreement * std::max(1.0, obj));
    }
  }
  std::printf(
      "trend filter vs enumeration (N <= 7): max |fitted - ref| / max|y| = %.2e (skip), %.2e (no skip; "
      "optimal mu = 0 / inside / 1 in %d / %d / %d cases)\n",
      worst[1], worst[0], branch[0], branch[1], branch[2]);
  // Every branch of the no-skip solver was exercised.
  EXPECT_GT(branch[0], 0);
  EXPECT_GT(branch[1], 0);
  EXPECT_GT(branch[2], 0);
}

TEST(Univariate, TrendFilterMatchesLongProjectedGradientRun) {
  Rng rng(13);
  for (double lambda : {0.02, 0.3}) {
    const Dataset d = random_data(rng, 20, false);
    const TrendFilterResult r = trend_filter_1d(d.x, d.y, lambda, true);
    ASSERT_TRUE(r.kkt_ok) << r.message;
    double last_step = 0.0;
    const VectorXd ref = fista_trend_filter(std_vec(d.x), d.y, lambda, 200000, &last_step);
    const double err = (r.fitted - ref).lpNorm<Eigen::Infinity>() / d.y.lpNorm<Eigen::Infinity>();
    std::printf(
        "trend filter vs FISTA (N = 20, lambda = %.2f): max rel. difference %.2e (last FISTA step %.1e), "
        "%d knots\n",
        lambda, err, last_step, r.knots);
    EXPECT_LE(err, kIterativeAgreement);
  }
}

TEST(Univariate, TrendFilterCertificateRecomputed) {
  // Large N: the optimality certificate recomputed here from D and g (independent of the library's algebra).
  Rng rng(17);
  for (bool skip : {true, false}) {
    const Dataset d = random_data(rng, 300);
    const double lambda = 0.05;
    const auto t0 = std::chrono::steady_clock::now();
    const TrendFilterResult r = trend_filter_1d(d.x, d.y, lambda, skip);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_TRUE(r.kkt_ok) << r.message;
    const std::vector<double> xs = sorted_copy(d.x);
    const VectorXd ys = sorted_by_x(d.x, d.y), th = sorted_by_x(d.x, r.fitted);
    const Ops o = make_ops(xs);
    const VectorXd z = o.D.transpose() * r.dual + r.dual_end * o.g;
    // Dual feasibility (the test's own definition of lambda P).
    const double umax = r.dual.cwiseAbs().maxCoeff();
    if (skip) {
      EXPECT_LE(umax, lambda * (1 + kExactAgreement));
      EXPECT_EQ(r.dual_end, 0.0);
    } else {
      EXPECT_LE(umax + std::abs(r.dual_end), lambda * (1 + kExactAgreement));
      EXPECT_LE(std::abs(r.dual_end), lambda / 2 * (1 + kExactAgreement));
    }
    // Stationarity and the duality gap P(th) - D(z), D(z) = 1/2|y|^2 - 1/2|y - z|^2, in the form without
    // cancellation: lambda Reg(th) - <th, z> + 1/2 |y - th - z|^2 (>= 0, and |th - th*|^2 <= 2 gap).
    double hmin = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i + 1 < xs.size(); ++i) hmin = std::min(hmin, xs[i + 1] - xs[i]);
    const double stat = (ys - th - z).lpNorm<Eigen::Infinity>() / std::max(ys.lpNorm<Eigen::Infinity>(), lambda / hmin);
    const double gap = lambda * reg_value(o, th, skip) - th.dot(z) + 0.5 * (ys - th - z).squaredNorm();
    const double obj = 0.5 * (th - ys).squaredNorm() + lambda * reg_value(o, th, skip);
    std::printf(
        "N = 300, %s: %d knots, %d sparsest, objective %.6f, gap %.1e (rel. %.1e; library %.1e), "
        "stationarity %.1e, mu %.3f, %d iterations, %.3f s\n",
        skip ? "skip" : "no skip", r.knots, r.sparsest_knots, obj, gap, gap / obj, r.duality_gap, stat, r.mu,
        r.iterations, secs);
    EXPECT_NEAR(r.objective, obj, kExactAgreement * obj);
    EXPECT_LE(stat, kExactAgreement);
    EXPECT_LE(std::abs(gap), kExactAgreement * obj);
    // The returned spline and its network reproduce the fitted values and the regulariser (= minimal WD).
    for (int n = 0; n < 300; ++n)
      EXPECT_NEAR(evaluate(r.spline, xs[n]), th(n), kExactAgreement * (1 + spline_eval_scale(r.spline, xs[n])));
    EXPECT_NEAR(r.spline.cost(skip), r.regulariser, kExactAgreement * r.regulariser);
    EXPECT_NEAR(r.tv, r.regulariser, kExactAgreement * r.regulariser);  // also without skip (symmetric end slopes)
    EXPECT_EQ(count_knots(r.spline, r.knot_tolerance), r.knots);
    const ShallowNet net = balance(to_network(r.spline, skip, ys.mean()));
    MatrixXd X(300, 1);
    X.col(0) = d.x;
    const Objective J = objective(net, X, d.y, lambda);  // 1/2 |f - y|^2 + lambda WD, WD = PN when balanced
    EXPECT_NEAR(J.total, r.objective, kExactAgreement * r.objective);
    EXPECT_LT(secs, 2.0);
  }
}

TEST(Univariate, TrendFilterCertificateOnManyRandomProblems) {
  // 300 random problems (N = 3..80, trends, lambda over five decades): the test's own certificate, i.e. a feasible
  // dual point z (checked here) with a primal-dual gap P(fitted) - D(z) at rounding level (|fitted - opt|^2 <= 2 gap).
  Rng rng(31);
  double worst_gap = 0.0, worst_infeas = 0.0;
  int branch[3] = {0, 0, 0}, problems = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int trial = 0; trial < 150; ++trial) {
    const int N = 3 + static_cast<int>(rng.uniform() * 78);
    const Dataset d = random_data(rng, N, true, rng.uniform(-4.0, 4.0));
    const double lambda = rng.log_uniform(1e-4, 10.0);
    for (bool skip : {true, false}) {
      const TrendFilterResult r = trend_filter_1d(d.x, d.y, lambda, skip);
      ++problems;
      EXPECT_TRUE(r.converged && r.kkt_ok) << r.message << " trial " << trial;
      if (!skip) ++branch[r.mu == 0.0 ? 0 : (r.mu == 1.0 ? 2 : 1)];
      const std::vector<double> xs = sorted_copy(d.x);
      const VectorXd ys = sorted_by_x(d.x, d.y), th = sorted_by_x(d.x, r.fitted);
      const Ops o = make_ops(xs);
      const double umax = r.dual.size() > 0 ? r.dual.cwiseAbs().maxCoeff() : 0.0;
      const double infeas =
          skip ? std::max(0.0, umax - lambda)
               : std::max({0.0, umax + std::abs(r.dual_end) - lambda, std::abs(r.dual_end) - lambda / 2});
      // u is a cumulative sum of y - fitted over the range of x: its rounding scale (not lambda, which may be tiny).
      const double u_scale =
          lambda + (xs.back() - xs.front()) * ((ys - th).lpNorm<1>() + N * ys.lpNorm<Eigen::Infinity>());
      worst_infeas = std::max(worst_infeas, infeas / u_scale);
      const VectorXd z = o.D.transpose() * r.dual + r.dual_end * o.g;
      const double obj = 0.5 * (th - ys).squaredNorm() + lambda * reg_value(o, th, skip);
      const double gap = lambda * reg_value(o, th, skip) - th.dot(z) + 0.5 * (ys - th - z).squaredNorm();
      // Relative to the problem's scale: the objective, or the spread of y when the optimum is nearly 0 (the
      // gap's rounding floor is lambda times the rounding of |D fitted|_1, not a fraction of the objective).
      const double scale = std::max(obj, 0.5 * (ys.array() - ys.mean()).square().sum());
      worst_gap = std::max(worst_gap, std::abs(gap) / scale);
      EXPECT_LE(std::abs(gap), kExactAgreement * scale) << "trial " << trial << " skip " << skip;
      EXPECT_NEAR(r.objective, obj, kExactAgreement * obj);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "%d random problems: worst relative gap %.1e, worst dual infeasibility %.1e (of its rounding scale); no skip: "
      "mu = 0 / inside / 1 in %d / %d / %d; %.2f s\n",
      problems, worst_gap, worst_infeas, branch[0], branch[1], branch[2], secs);
  EXPECT_LE(worst_infeas, kExactAgreement);
  EXPECT_GT(branch[1], 0);
}

TEST(Univariate, TrendFilterSparsestHasTheSameValuesAndCost) {
  Rng rng(19);
  for (int trial = 0; trial < 12; ++trial) {
    const Dataset d = random_data(rng, 6 + trial % 3);
    const double lambda = rng.log_uniform(0.01, 0.5);
    const TrendFilterResult r = trend_filter_1d(d.x, d.y, lambda, true);
    ASSERT_TRUE(r.kkt_ok);
    EXPECT_LE(r.sparsest_knots, r.knots);
    EXPECT_EQ(count_knots(r.sparsest), r.sparsest_knots);
    EXPECT_NEAR(r.sparsest.tv(), r.regulariser, kExactAgreement * std::max(1.0, r.regulariser));
    for (Eigen::Index n = 0; n < d.x.size(); ++n)
      EXPECT_NEAR(evaluate(r.sparsest, d.x(n)), r.fitted(n),
                  kExactAgreement * (1 + spline_eval_scale(r.sparsest, d.x(n))));
    // Brute force on the fitted values: no spline with one knot fewer has their values and TV = Reg.
    const std::vector<double> xs = sorted_copy(d.x), fs = std_vec(sorted_by_x(d.x, r.fitted));
    if (r.sparsest_knots > 0 && r.sparsest_knots <= 3) {
      const double below = brute_force_min_tv_with_k_knots(xs, fs, r.sparsest_knots - 1);
      EXPECT_GT(below, r.regulariser + kSparsityGap * (1 + r.regulariser)) << "trial " << trial;
    }
  }
}

// The status code: Optimal only with converged and kkt_ok; an iteration cap is IterationCap, never "optimal"
// (a solver that reports every exit as optimal, or a cap as a KKT failure, fails here).
TEST(Univariate, TrendFilterStatusSaysWhetherItIsOptimal) {
  Rng rng(29);
  const Dataset d = random_data(rng, 40);
  for (bool skip : {true, false}) {
    const TrendFilterResult r = trend_filter_1d(d.x, d.y, 0.05, skip);
    EXPECT_EQ(r.status, TrendFilterStatus::Optimal) << r.message;
    EXPECT_TRUE(r.converged && r.kkt_ok);
    EXPECT_STREQ(to_string(r.status), "optimal");
    TrendFilterOptions capped;
    capped.max_iterations = 1;  // far below the O(N) iterations a 40-point problem needs
    const TrendFilterResult c = trend_filter_1d(d.x, d.y, 0.05, skip, capped);
    EXPECT_FALSE(c.converged) << "skip " << skip;
    EXPECT_EQ(c.status, TrendFilterStatus::IterationCap) << c.message;
    EXPECT_NE(c.message.find("iteration cap"), std::string::npos) << c.message;
  }
}

TEST(Univariate, TrendFilterLimits) {
  Rng rng(23);
  const Dataset d = random_data(rng, 9);
  const VectorXd xs = sorted_by_x(d.x, d.x), ys = sorted_by_x(d.x, d.y);
  for (bool skip : {true, false}) {
    // lambda = 0: interpolation with the minimum-TV spline.
    const TrendFilterResult r0 = trend_filter_1d(d.x, d.y, 0.0, skip);
    EXPECT_EQ(r0.fitted, d.y);
    EXPECT_EQ(r0.regulariser, min_tv_interpolation(d.x, d.y, skip).cost);
    // Tiny lambda: close to interpolation, regulariser close to the minimum (continuity of the path).
    // |y - fitted| = |D^T u + beta g| <= lambda max_n sum_i |D_in| (+ |g_n| / 2) <= 5 lambda / h_min.
    const double small = 1e-9;
    double hmin = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i + 1 < xs.size(); ++i) hmin = std::min(hmin, xs(i + 1) - xs(i));
    const TrendFilterResult rt = trend_filter_1d(d.x, d.y, small, skip);
    EXPECT_TRUE(rt.kkt_ok);
    EXPECT_LE((rt.fitted - d.y).lpNorm<Eigen::Infinity>(), 5 * small / hmin);
    // lambda huge: the affine least-squares fit (skip) or the mean (no skip), TV 0.
    const TrendFilterResult rh = trend_filter_1d(d.x, d.y, 1e8, skip);
    EXPECT_TRUE(rh.kkt_ok) << rh.message << " gap " << rh.duality_gap << " infeas " << rh.dual_infeasibility << " stat "
                           << rh.stationarity << " obj " << rh.objective;
    VectorXd ref(d.x.size());
    if (skip) {
      MatrixXd A(d.x.size(), 2);
      A.col(0).setOnes();
      A.col(1) = d.x;
      ref = A * least_squares(A, d.y);
    } else {
      ref.setConstant(d.y.mean());
    }
    EXPECT_LE((rh.fitted - ref).lpNorm<Eigen::Infinity>(), kExactAgreement);
    EXPECT_EQ(rh.knots, 0);
    EXPECT_NEAR(rh.regulariser, 0.0, kExactAgreement);
    EXPECT_NEAR(rh.tv, 0.0, kExactAgreement);
  }
  // N = 2: with skip the line through both points (TV 0); without, lambda |s| is paid: soft-threshold the slope.
  const VectorXd x2 = vec({0.0, 2.0}), y2 = vec({1.0, 3.0});  // slope 1
  const TrendFilterResult a = trend_filter_1d(x2, y2, 0.5, true);
  EXPECT_LE((a.fitted - y2).lpNorm<Eigen::Infinity>(), kEvaluation);
  const TrendFilterResult b = trend_filter_1d(x2, y2, 0.5, false);
  // Reg = |s| (the collinear example with N = 2): checked against the enumeration.
  const VectorXd ref2 = enumerate_trend_filter({0.0, 2.0}, y2, 0.5, false);
  EXPECT_LE((b.fitted - ref2).lpNorm<Eigen::Infinity>(), kExactAgreement);
  // Collinear data with skip: the data are already affine, nothing to pay.
  VectorXd yc = 2.0 * xs;
  yc.array() += 1.0;
  const TrendFilterResult c = trend_filter_1d(xs, yc, 0.7, true);
  EXPECT_LE((c.fitted - yc).lpNorm<Eigen::Infinity>(), kExactAgreement * yc.lpNorm<Eigen::Infinity>());
  EXPECT_EQ(c.knots, 0);
}

TEST(Univariate, TrendFilterIgnoresTheOrderOfTheData) {
  Rng rng(29);
  const Dataset d = random_data(rng, 12, false);
  std::vector<int> perm(12);
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = 11; i > 0; --i) std::swap(perm[i], perm[static_cast<int>(rng.uniform() * (i + 1))]);
  VectorXd xp(12), yp(12);
  for (int i = 0; i < 12; ++i) xp(i) = d.x(perm[i]), yp(i) = d.y(perm[i]);
  for (bool skip : {true, false}) {
    const TrendFilterResult a = trend_filter_1d(d.x, d.y, 0.1, skip), b = trend_filter_1d(xp, yp, 0.1, skip);
    for (int i = 0; i < 12; ++i) EXPECT_NEAR(b.fitted(i), a.fitted(perm[i]), kExactAgreement);
    EXPECT_NEAR(a.objective, b.objective, kExactAgreement * a.objective);
  }
}

}  // namespace
}  // namespace rtv
