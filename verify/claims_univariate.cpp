// Claims S1 (min-tv-interpolation), S2 (knot-bound-1d), S3 (wd-training-solves-tv), S4 (skip-connection): the
// univariate theory of THEORY.md s.4 (ReLU networks are linear splines) and the skip connection of s.6, checked
// with the exact solvers of rtv/solvers/univariate.hpp against the independent references of reference_1d.hpp (a simplex
// LP and a brute force over knot configurations) and against trained networks. Figures F2 (linear-spline-fits)
// and F9 (skip-connection).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "claim.hpp"
#include "reference_1d.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/solvers/train.hpp"
#include "rtv/solvers/univariate.hpp"
#include "training_runs.hpp"

namespace rtv::verify {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---- tolerances (STYLE.md item 3) ----
// Two exact computations of one LP value (closed form / active set vs the dense simplex on O(1) tableaux of <= 40
// rows, good to ~1e-13): 1e-9 relative is CLAIMS.md's bar and leaves ~1e4 of margin.
constexpr double kLpAgreement = 1e-9;
// A network or spline evaluated at a data point: a handful of roundings per term, relative to the sum of |terms|.
constexpr double kEvaluation = tol::kIdentity;
// A real gap between the minimum TV and the least TV with one knot fewer on small-integer data is a rational with
// a small denominator (>= ~1e-2); below 1e-6 it would be an LP rounding artefact.
constexpr double kSparsityGap = 1e-6;
// The duality gap of an exact trend-filter solution, from its values evaluated in the harness: the values are
// exact to ~N eps |y| (univariate.hpp), so the gap -alpha . f + lambda TV is ~N eps |y|^2 relative (measured
// <= 2e-13); 1e-9 leaves a wide margin while a solver stopped early or a knot misplaced by 1e-4 is ~1e-5 off.
constexpr double kCertifiedGap = 1e-9;
constexpr const char* kCertifiedGapRule = "<= 1e-9: rounding of exact values ~N eps (measured <= 2e-13); a solution "
                                          "that is not optimal has a gap of its own size";

struct Data1d {
  VectorXd x, y;
};

// N distinct points, gaps log-uniform in [0.1, 1] (shuffled order), y a kinked signal plus noise of size `noise`,
// all O(1) (the simplex reference wants O(1) entries).
Data1d kinked_data(Rng& rng, int N, double noise) {
  std::vector<double> xs{rng.uniform(-1.0, 0.0)};
  for (int i = 1; i < N; ++i) xs.push_back(xs.back() + rng.log_uniform(0.1, 1.0));
  for (int i = N - 1; i > 0; --i) std::swap(xs[i], xs[static_cast<int>(rng.uniform() * (i + 1))]);
  Data1d d{VectorXd(N), VectorXd(N)};
  for (int n = 0; n < N; ++n) {
    d.x(n) = xs[n];
    d.y(n) = std::abs(xs[n] - 1.0) - 0.8 * std::max(0.0, xs[n] - 2.5) + noise * rng.normal();
  }
  return d;
}

MatrixXd column(const VectorXd& x) { return MatrixXd(x); }

std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = a + (b - a) * i / (n - 1);
  return v;
}

plot::Series spline_series(const Spline1d& s, const std::vector<double>& grid, std::string title, plot::Style st,
                           int color) {
  plot::Series out{grid, {}, std::move(title), st, color};
  for (double x : grid) out.y.push_back(evaluate(s, x));
  return out;
}

plot::Series net_series(const ShallowNet& net, const std::vector<double>& grid, std::string title, plot::Style st,
                        int color) {
  const VectorXd g = Eigen::Map<const VectorXd>(grid.data(), static_cast<Eigen::Index>(grid.size()));
  const VectorXd f = evaluate(net, column(g));
  return {grid, std::vector<double>(f.data(), f.data() + f.size()), std::move(title), st, color};
}

plot::Series knot_series(const Spline1d& s, std::string title, int color) {
  plot::Series out{{}, {}, std::move(title), plot::Style::Points, color};
  for (const Knot& k : s.knots)
    if (k.jump != 0.0) {
      out.x.push_back(k.x);
      out.y.push_back(evaluate(s, k.x));
    }
  return out;
}

plot::Series data_series(const VectorXd& x, const VectorXd& y) {
  return {std::vector<double>(x.data(), x.data() + x.size()), std::vector<double>(y.data(), y.data() + y.size()),
          "data", plot::Style::Points, 8};
}

// Connect-the-dots built here from its definition (THEORY.md s.4), not by the library's solver: a neuron of slope
// change s_i - s_{i-1} at every interior data point, the skip connection carrying the first secant.
ShallowNet connect_the_dots(const std::vector<double>& xs, const std::vector<double>& ys) {
  const int N = static_cast<int>(xs.size());
  ShallowNet net;
  net.W = MatrixXd::Ones(N - 2, 1);
  net.b.resize(N - 2);
  net.v.resize(N - 2);
  net.skip = true;
  net.c = VectorXd::Zero(1);
  auto slope = [&](int i) { return (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]); };
  for (int i = 1; i + 1 < N; ++i) {
    net.b(i - 1) = xs[i];
    net.v(i - 1) = slope(i) - slope(i - 1);
  }
  net.c(0) = slope(0);
  net.c0 = ys[0] - slope(0) * xs[0];
  return net;
}

std::pair<std::vector<double>, std::vector<double>> sorted_pairs(const VectorXd& x, const VectorXd& y) {
  std::vector<int> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int a, int b) { return x(a) < x(b); });
  std::vector<double> xs, ys;
  for (int i : idx) xs.push_back(x(i)), ys.push_back(y(i));
  return {xs, ys};
}

}  // namespace

// ---------------------------------------------------------------------------------------------- S1

Claim claim_s1_min_tv_interpolation() {
  Claim c;
  c.id = "S1";
  c.name = "min-tv-interpolation";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.4";
  c.statement = "min TV(f') over interpolants of (x_n, y_n) = sum_i |s_i - s_{i-1}| (secant slopes), attained by "
                "connect-the-dots; without skip connection the minimal path norm is max(T, (|C| + T)/2).";
  c.experiment = "Random 1D data (N = 3..10, 40 sets; quick: 12; every fourth with y x 5 so that the end slopes "
                 "matter without skip): the closed form, the exact solver and connect-the-dots (built from its "
                 "definition) against an independent simplex LP over splines with 3N + 2 candidate knots.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const int trials = ctx.quick() ? 12 : 40;
    Rng rng = ctx.rng();
    double worst_formula = 0, worst_solver = 0, worst_ctd_pn = 0, worst_ctd_fit = 0, worst_noskip = 0;
    double worst_noskip_spline = 0, worst_noskip_fit = 0;
    std::string where_formula, where_noskip;
    int end_branch = 0;  // no skip: sets where the end slopes decide the cost (|C| > T)
    for (int t = 0; t < trials; ++t) {
      ctx.progress("data set " + std::to_string(t + 1) + "/" + std::to_string(trials));
      const int N = 3 + t % 8;
      Data1d d = kinked_data(rng, N, 0.3);
      if (t % 4 == 3) d.y *= 5.0;
      const auto [xs, ys] = sorted_pairs(d.x, d.y);
      // The theorem's value, from the secant slopes.
      double T = 0;
      for (int i = 1; i + 1 < N; ++i)
        T += std::abs((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) - (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1]));
      const double lp = reference::lp_min_tv_skip(d.x, d.y);
      const std::string where = "set " + std::to_string(t) + " (N = " + std::to_string(N) + ")";
      const double ef = std::abs(T - lp) / lp;
      if (!(ef <= worst_formula)) worst_formula = ef, where_formula = where;
      worst_solver = std::max(worst_solver, std::abs(min_tv_interpolation(d.x, d.y, true).cost - lp) / lp);
      const ShallowNet ctd = connect_the_dots(xs, ys);
      worst_ctd_pn = std::max(worst_ctd_pn, std::abs(path_norm(ctd) - lp) / lp);
      const VectorXd f = evaluate(ctd, column(d.x)), sc = evaluation_scale(ctd, column(d.x));
      for (int n = 0; n < N; ++n) worst_ctd_fit = std::max(worst_ctd_fit, std::abs(f(n) - d.y(n)) / sc(n));
      // Without skip connection (Savarese et al.; end slopes free).
      const InterpolationResult ns = min_tv_interpolation(d.x, d.y, false);
      const double lp0 = reference::lp_min_cost_noskip(d.x, d.y);
      const double e0 = std::abs(ns.cost - lp0) / lp0;
      if (!(e0 <= worst_noskip)) worst_noskip = e0, where_noskip = where;
      // The returned no-skip minimiser itself, evaluated here: its Savarese cost max(TV(f'), |f'(-inf) +
      // f'(+inf)|) from its own knots and end slopes must be the LP minimum, and it must interpolate. Guards a
      // solver that reports the right cost (the closed form) with a spline that does not attain it (e.g. the end
      // slopes shifted by the wrong amount).
      {
        std::vector<double> kx, kj;
        double tvs = 0.0, jumps = 0.0;
        for (const auto& k : ns.spline.knots) kx.push_back(k.x), kj.push_back(k.jump), tvs += std::abs(k.jump), jumps += k.jump;
        const double L = ns.spline.slope_left, R = L + jumps;
        const double cost = std::max(tvs, std::abs(L + R));
        worst_noskip_spline = std::max(worst_noskip_spline, std::abs(cost - lp0) / lp0);
        for (int n = 0; n < N; ++n) {
          double scale = std::abs(d.y(n)) + std::abs(ns.spline.intercept) + std::abs(L * d.x(n));
          for (std::size_t j = 0; j < kx.size(); ++j) scale += std::abs(kj[j]) * std::abs(d.x(n) - kx[j]);
          worst_noskip_fit = std::max(worst_noskip_fit,
                                      std::abs(reference::spline_value(kx, kj, L, ns.spline.intercept, d.x(n)) - d.y(n)) /
                                          scale);
        }
      }
      end_branch += ns.cost > ns.interior_tv * (1 + 1e-12);
    }
    const std::string rule = "<= 1e-9 relative (CLAIMS.md S1; the simplex is good to ~1e-13 on O(1) data)";
    r.measurements.push_back(at_most("worst |sum |s_i - s_{i-1}| - LP min TV| / LP over " + std::to_string(trials) +
                                         " sets",
                                     worst_formula, kLpAgreement, rule, "worst: " + where_formula));
    r.measurements.push_back(at_most("worst |exact solver - LP| / LP (with skip)", worst_solver, kLpAgreement, rule));
    r.measurements.push_back(at_most("connect-the-dots: worst |path norm - LP| / LP", worst_ctd_pn, kLpAgreement, rule));
    r.measurements.push_back(at_most("connect-the-dots: worst |f(x_n) - y_n| / evaluation scale", worst_ctd_fit,
                                     kEvaluation, "<= 100 eps: it interpolates (rounding of the evaluation)"));
    r.measurements.push_back(at_most("no skip: the returned minimiser's own Savarese cost (evaluated here) vs LP, worst "
                                     "rel. difference",
                                     worst_noskip_spline, kLpAgreement, rule));
    r.measurements.push_back(at_most("no skip: the returned minimiser, worst |f(x_n) - y_n| / evaluation scale",
                                     worst_noskip_fit, kEvaluation, "<= 100 eps: it interpolates"));
    r.measurements.push_back(at_most("no skip: worst |max(T, (|C| + T)/2) - LP min path norm| / LP", worst_noskip,
                                     kLpAgreement, rule,
                                     "worst: " + where_noskip + "; the end term decided the cost in " +
                                         std::to_string(end_branch) + " of " + std::to_string(trials) + " sets"));
    r.conclude();
    return r;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------- S2

Claim claim_s2_knot_bound_1d() {
  Claim c;
  c.id = "S2";
  c.name = "knot-bound-1d";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.4";
  c.statement = "The interpolation and the TV(f')-regularised problems have solutions with <= N - 2 knots; the "
                "sparsest minimum-TV interpolant has sum over runs of ceil(m_j / 2) knots.";
  c.experiment = "Bound: exact trend filtering (skip) on 200 random data sets (quick: 40), N = 3..60, lambda = 0 "
                 "or log-uniform in [1e-3, 3], each solution certified optimal here (dual point y - f with the exact "
                 "sup over t, duality gap; lambda = 0: the closed-form minimum TV); on 30 small sets (quick: 10, "
                 "N = 4..9) a simplex LP over a fine knot grid (knots between the data points allowed) reaches "
                 "the same TV and its optimal vertex is held to the bound. Formula: on 5 hand-made and 14 random small-integer data sets "
                 "(quick: 5 + 4), N = 4..7, the sparsest interpolant's knot count against the run formula and a "
                 "brute force over all knot configurations (an LP per configuration and sign pattern).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    Rng rng = ctx.rng();
    // (a) the bound, on certified solutions. The solver places knots at interior data points only, so "knots <=
    // N - 2" holds by construction; what makes it the theorem is that those solutions are optimal, which is
    // certified here independently of the solver (reference_1d: the dual point y - f built from the solution's
    // values, evaluated here, with the exact sup over t; duality gap), and that no spline with knots off the data
    // points does better (a simplex LP over a fine knot grid, (b) below). A solver that stops early or places a
    // knot wrongly fails the gap; a theory in which off-data knots helped would fail the LP.
    const int trials = ctx.quick() ? 40 : 200;
    int worst_excess = -1000000, sparser = 0;
    double worst_gap = 0.0, worst_interp_tv = 0.0, worst_fit0 = 0.0, worst_spline = 0.0, worst_spline_tv = 0.0;
    std::string where, where_gap;
    auto harness_values = [](const Spline1d& sp, const VectorXd& x) {
      std::vector<double> kx, kj;
      for (const auto& k : sp.knots) kx.push_back(k.x), kj.push_back(k.jump);
      VectorXd f(x.size());
      for (Eigen::Index n = 0; n < x.size(); ++n)
        f(n) = reference::spline_value(kx, kj, sp.slope_left, sp.intercept, x(n));
      return f;
    };
    auto harness_tv = [](const Spline1d& sp) {
      double tv = 0.0;
      for (const auto& k : sp.knots) tv += std::abs(k.jump);
      return tv;
    };
    for (int t = 0; t < trials; ++t) {
      if (t % 20 == 0) ctx.progress("bound: data set " + std::to_string(t + 1) + "/" + std::to_string(trials));
      const int N = 3 + static_cast<int>(rng.uniform() * 58);
      const Data1d d = kinked_data(rng, N, 0.3);
      const double lambda = t % 5 == 0 ? 0.0 : rng.log_uniform(1e-3, 3.0);
      const TrendFilterResult tf = trend_filter_1d(d.x, d.y, lambda, true);
      // The certificate is built from the solver's fitted values (exact to ~N eps |y|) and the TV of their
      // connect-the-dots interpolant computed here: a feasible spline with exactly that objective. Its rounding
      // model: a value error df moves sup_t |sum alpha_n (x_n - t)_+| by <= N df (x_N - x_1), which costs that
      // times TV in the gap; ~3e-10 of P in the worst set here, so the bar 1e-9 holds it. (The stored spline's
      // own values differ from the fitted ones by eps sum_j |jump_j| |x - knot_j| ~ 1e-13, which the same model
      // turns into ~1e-9 at lambda = 1e-3: so the spline is checked against the values instead, below.)
      const VectorXd f = tf.fitted;
      double tv = 0.0;
      {
        std::vector<int> idx(N);
        std::iota(idx.begin(), idx.end(), 0);
        std::sort(idx.begin(), idx.end(), [&](int i, int j) { return d.x(i) < d.x(j); });
        for (int i = 1; i + 1 < N; ++i) {
          const double s0 = (f(idx[i]) - f(idx[i - 1])) / (d.x(idx[i]) - d.x(idx[i - 1]));
          const double s1 = (f(idx[i + 1]) - f(idx[i])) / (d.x(idx[i + 1]) - d.x(idx[i]));
          tv += std::abs(s1 - s0);
        }
      }
      {  // the returned spline represents those values (evaluated here, relative to the evaluation's scale)
        const VectorXd fs = harness_values(tf.spline, d.x);
        for (int n = 0; n < N; ++n) {
          double scale = std::abs(f(n)) + std::abs(tf.spline.intercept) + std::abs(tf.spline.slope_left * d.x(n));
          for (const auto& k : tf.spline.knots) scale += std::abs(k.jump) * std::abs(d.x(n) - k.x);
          worst_spline = std::max(worst_spline, std::abs(fs(n) - f(n)) / scale);
        }
        worst_spline_tv = std::max(worst_spline_tv, std::abs(harness_tv(tf.spline) - tv) / std::max(tv, 1.0));
      }
      if (lambda > 0) {
        const reference::TrendCertificate cert = reference::trend_filter_certificate(d.x, d.y, f, tv, lambda);
        if (!(std::abs(cert.rel_gap) <= worst_gap))
          worst_gap = std::abs(cert.rel_gap), where_gap = "N = " + std::to_string(N) + ", lambda = " + num(lambda) +
                                                          ", sup_t / lambda " + num(cert.sup_ratio) +
                                                          ", |[X, 1]^T (y - f)| rel. " + num(cert.affine_residual);
      } else {  // interpolation: it must interpolate and its TV must be the closed-form minimum of THEORY.md s.4
        const auto [xs, ys] = sorted_pairs(d.x, d.y);
        double interior = 0.0, yscale = 0.0;
        for (int i = 1; i + 1 < N; ++i)
          interior += std::abs((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) - (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1]));
        for (int n = 0; n < N; ++n) yscale = std::max(yscale, std::abs(d.y(n)));
        worst_interp_tv = std::max(worst_interp_tv, std::abs(tv - interior) / std::max(interior, 1.0));
        worst_fit0 = std::max(worst_fit0, (f - d.y).cwiseAbs().maxCoeff() / std::max(yscale, 1.0));
      }
      const int excess = std::max(tf.knots, tf.sparsest_knots) - (N - 2);
      if (excess > worst_excess) {
        worst_excess = excess;
        where = "N = " + std::to_string(N) + ", lambda = " + num(lambda) + ": " + std::to_string(tf.knots) +
                " knots, sparsest " + std::to_string(tf.sparsest_knots);
      }
      sparser += tf.sparsest_knots < tf.knots;
    }
    r.measurements.push_back(at_most("max over " + std::to_string(trials) + " sets of (knots - (N - 2))", worst_excess,
                                     0, "<= 0 (theorem; by construction of the solver, meaningful with the "
                                     "certificates below)",
                                     "worst: " + where + "; the sparsest solution has fewer knots than the solver's in " +
                                         std::to_string(sparser) + " sets"));
    r.measurements.push_back(at_most("lambda > 0: worst |relative duality gap| of the solutions, certified here "
                                     "(dual point y - f, exact sup over t)",
                                     worst_gap, kCertifiedGap, kCertifiedGapRule, "worst: " + where_gap));
    r.measurements.push_back(at_most("returned spline vs the fitted values at the data, evaluated here: worst "
                                     "|f_spline(x_n) - fitted_n| / evaluation scale",
                                     worst_spline, kEvaluation, "<= 100 eps: rounding of the evaluation"));
    r.measurements.push_back(at_most("returned spline's TV vs the TV of the fitted values' interpolant: worst "
                                     "rel. difference",
                                     worst_spline_tv, kLpAgreement, "<= 1e-9: the same value computed twice"));
    r.measurements.push_back(at_most("lambda = 0: worst |TV - sum |s_i - s_{i-1}|| / max(TV, 1) (THEORY.md s.4 "
                                     "closed form)",
                                     worst_interp_tv, kLpAgreement, "<= 1e-9: two exact computations of one value"));
    r.measurements.push_back(at_most("lambda = 0: worst max|f(x_n) - y_n| / max(max|y|, 1), evaluated here",
                                     worst_fit0, kLpAgreement, "<= 1e-9: the solution interpolates (rounding ~1e-15)"));
    // (b) no spline with knots off the data does better: for small N, the simplex LP over a fine knot grid (7
    // points inside every gap, 4 outside the data) of min TV subject to the solution's own fitted values (the
    // optimal values are unique: the data term is strictly convex in them, so every solution of the
    // regularised problem interpolates them). Its optimum must equal the solution's TV; its optimal vertex
    // has knots anywhere on the grid, and is the solution the bound is tested on.
    {
      const int small_sets = ctx.quick() ? 10 : 30;
      double worst_lp = 0.0;
      int worst_vertex_excess = -1000000;
      std::string where_lp, where_vertex;
      int off_data = 0;
      for (int t = 0; t < small_sets; ++t) {
        const int N = 4 + t % 6;
        const Data1d d = kinked_data(rng, N, 0.3);
        const double lambda = t % 3 == 0 ? 0.0 : rng.log_uniform(1e-3, 1.0);
        const TrendFilterResult tf = trend_filter_1d(d.x, d.y, lambda, true);
        const VectorXd f = harness_values(tf.spline, d.x);
        const double tv = harness_tv(tf.spline);
        const reference::LpSpline lp = reference::lp_min_tv_skip_on_knots(d.x, f, reference::fine_knots(d.x, 7));
        const double e = std::abs(lp.value - tv) / std::max(tv, 1.0);
        if (!(e <= worst_lp)) worst_lp = e, where_lp = "N = " + std::to_string(N) + ", lambda = " + num(lambda);
        const int ex = static_cast<int>(lp.knots.size()) - (N - 2);
        if (ex > worst_vertex_excess)
          worst_vertex_excess = ex, where_vertex = "N = " + std::to_string(N) + ": " +
                                                   std::to_string(lp.knots.size()) + " knots";
        const auto xs = reference::sorted_copy(d.x);
        for (double k : lp.knots)
          off_data += std::none_of(xs.begin(), xs.end(), [&](double xn) { return xn == k; });
      }
      r.measurements.push_back(at_most("fine knot grid LP (simplex) vs the solution's TV, " + std::to_string(small_sets) +
                                           " sets N = 4..9: worst |LP - TV| / max(TV, 1)",
                                       worst_lp, kLpAgreement, "<= 1e-9 (LP agreement): knots off the data points "
                                       "do not lower the TV (THEORY.md s.4)", "worst: " + where_lp));
      r.measurements.push_back(at_most("fine knot grid LP: optimal vertex's knots - (N - 2), worst", worst_vertex_excess,
                                       0, "<= 0 (theorem): a basic solution with the free affine part basic has at "
                                       "most N - 2 knots, wherever the grid lets them sit",
                                       where_vertex + "; " + std::to_string(off_data) + " vertex knots off the data "
                                       "points in all"));
    }
    // (b) the run formula against brute force.
    std::vector<std::pair<std::vector<double>, std::vector<double>>> sets = {
        {{0, 1, 2, 3}, {0, 0, 1, 3}},                    // THEORY.md example: one run of 2 -> 1 knot
        {{0, 1, 2, 3, 4, 5}, {0, 0, 1, 3, 6, 10}},       // a run of 4 -> 2 knots
        {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 0, 1, 0, 1, 0}},  // alternating: 5 runs of 1 -> 5 knots
        {{0, 1, 2, 3, 4, 5}, {0, 1, 2, 2, 1, 3}},        // a zero change, runs of both signs
        {{0, 1, 3, 4, 6}, {0, 2, 3, 3, 0}},              // irregular x, a concave run of 3 -> 2 knots
    };
    const int random_sets = ctx.quick() ? 4 : 14;
    for (int t = 0; t < random_sets; ++t) {  // small integers: exact zero tests in the formula
      const int N = 4 + t % 4;
      std::vector<double> xs{0}, ys;
      for (int n = 1; n < N; ++n) xs.push_back(xs.back() + 1 + static_cast<int>(rng.uniform() * 2));
      for (int n = 0; n < N; ++n) ys.push_back(std::floor(rng.uniform(-3.0, 4.0)));
      sets.push_back({xs, ys});
    }
    int formula_mismatch = 0, fewer_reaches = 0, formula_fails = 0, brute = 0, infeasible = 0;
    double min_gap = 1e300;
    std::string detail;
    for (std::size_t s = 0; s < sets.size(); ++s) {
      ctx.progress("run formula vs brute force: set " + std::to_string(s + 1) + "/" + std::to_string(sets.size()));
      const auto& [xs, ys] = sets[s];
      const int N = static_cast<int>(xs.size());
      const VectorXd x = Eigen::Map<const VectorXd>(xs.data(), N), y = Eigen::Map<const VectorXd>(ys.data(), N);
      const SparsestResult sp = sparsest_interpolant(x, y);
      const double tv = min_tv_interpolation(x, y).cost;
      const int formula = reference::run_formula(xs, ys);
      // The sparsest interpolant evaluated here (reference_1d::spline_value), not by its own error field.
      std::vector<double> kx, kj;
      for (const auto& k : sp.spline.knots) kx.push_back(k.x), kj.push_back(k.jump);
      double fit = 0.0, sp_tv = 0.0;
      for (double j : kj) sp_tv += std::abs(j);
      for (int n = 0; n < N; ++n) {
        double scale = std::abs(y(n)) + std::abs(sp.spline.intercept) + std::abs(sp.spline.slope_left * x(n));
        for (std::size_t j = 0; j < kx.size(); ++j) scale += std::abs(kj[j]) * std::abs(x(n) - kx[j]);
        fit = std::max(fit, std::abs(reference::spline_value(kx, kj, sp.spline.slope_left, sp.spline.intercept, x(n)) -
                                     y(n)) / scale);
      }
      int nonzero = 0;
      for (double j : kj) nonzero += j != 0.0;
      formula_mismatch += nonzero != formula || std::abs(sp_tv - tv) > kEvaluation * std::max(1.0, tv) ||
                          fit > kEvaluation;
      if (formula > 0) {  // with one knot fewer no interpolant reaches the minimum TV ...
        const double below = reference::brute_force_min_tv_with_k_knots(xs, ys, formula - 1);
        if (!(below > tv + kSparsityGap)) ++fewer_reaches;
        if (std::isfinite(below)) min_gap = std::min(min_gap, below - tv);
        infeasible += std::isinf(below);
        ++brute;
      }
      if (formula <= 3) {  // ... and with `formula` knots one does (where the enumeration is small)
        const double at = reference::brute_force_min_tv_with_k_knots(xs, ys, formula);
        if (!(std::abs(at - tv) <= kLpAgreement * (1 + tv))) ++formula_fails;
      }
      detail += (s ? ", " : "") + std::to_string(sp.knots) + "/" + std::to_string(sp.connect_the_dots_knots);
    }
    r.measurements.push_back(at_most("sets where the sparsest solver's knot count != run formula (or TV, fit off), of " +
                                         std::to_string(sets.size()),
                                     formula_mismatch, 0, "0 (theorem)",
                                     "knots sparsest/connect-the-dots per set: " + detail));
    r.measurements.push_back(at_most("sets where an interpolant with formula - 1 knots reaches min TV (brute force)",
                                     fewer_reaches, 0,
                                     "0: the formula is a lower bound (gap > 1e-6: LP rounding is ~1e-13)",
                                     std::to_string(brute) + " sets enumerated: no interpolant at all with one knot "
                                     "fewer in " + std::to_string(infeasible) +
                                         (infeasible < brute ? ", least TV above the minimum by >= " + num(min_gap) +
                                                                   " in the others"
                                                             : "")));
    r.measurements.push_back(at_most("sets where no interpolant with formula knots reaches min TV (brute force)",
                                     formula_fails, 0, "0: the formula is attained (LP agreement 1e-9)"));
    r.conclude();
    return r;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------- S3

namespace {

// The points a knot of ANY solution may occupy, given the exact solution's slope-change signs at the interior
// data points (THEORY.md s.4; Debarre et al. 2022): a data point with a nonzero slope change, or the open
// interval between two consecutive data points whose slope changes are nonzero and of the same sign (there two
// knots can be merged, as in the sparsest solution). Returns the distance of x to that set.
double distance_to_admissible(double x, const std::vector<double>& xs, const std::vector<int>& sign) {
  const int N = static_cast<int>(xs.size());
  double best = 1e300;
  for (int i = 1; i + 1 < N; ++i) {
    if (sign[i] == 0) continue;
    best = std::min(best, std::abs(x - xs[i]));
    if (i + 2 < N && sign[i + 1] == sign[i] && x > xs[i] && x < xs[i + 1]) return 0.0;
  }
  return best;
}

}  // namespace

Claim claim_s3_wd_training_solves_tv() {
  Claim c;
  c.id = "S3";
  c.name = "wd-training-solves-tv";
  c.kind = Kind::Observation;
  c.section = "THEORY.md s.4";
  c.statement = "Weight-decay training of wide 1D ReLU networks reaches the exact optimum of min 1/2 sum (f(x_n) - "
                "y_n)^2 + lambda TV(f') (linear trend filtering), with knots only where solutions may have them.";
  c.experiment = "Noisy 1D data (N = 12), lambda in {0.02, 0.2}, width 60 with skip connection, full-batch GD at "
                 "lr 0.002 for time 1500 then lr / 10 for time 75, 4 seeds; the best seed's objective "
                 "against the exact trend-filtering optimum, its fitted values against the unique optimal ones, and "
                 "the share of its TV(f') at knots away from the admissible set of the exact solution.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    // 4 seeds in quick mode too: at lambda = 0.02 one start in four stops at a local minimum 2.8% above the
    // optimum (measured over 16 seeds: 12 reach it; the local minimum lacks the knot at the last interior bend).
    const int seeds = 4, N = 12, width = 60;
    Rng data_rng(303);  // the data are fixed; the run seed moves the initialisations
    const Data1d d = kinked_data(data_rng, N, 0.2);
    const auto [xs, ys] = sorted_pairs(d.x, d.y);
    double hmin = 1e300;
    for (int i = 0; i + 1 < N; ++i) hmin = std::min(hmin, xs[i + 1] - xs[i]);
    plot::Figure fig;
    fig.name = "F2-linear-spline-fits";
    const double lo = xs.front() - 0.4, hi = xs.back() + 0.4;
    const std::vector<double> grid = linspace(lo, hi, 801);
    for (double lambda : {0.02, 0.2}) {
      const std::string ll = "lambda = " + num(lambda);
      const TrendFilterResult tf = trend_filter_1d(d.x, d.y, lambda, true);
      std::vector<int> sign(N, 0);
      {  // slope-change signs of the exact (unique) fitted values, above the solver's rounding tolerance
        std::vector<double> f(N);
        for (int k = 0; k < N; ++k) f[k] = tf.fitted(tf.order[k]);
        for (int i = 1; i + 1 < N; ++i) {
          const double ds = (f[i + 1] - f[i]) / (xs[i + 1] - xs[i]) - (f[i] - f[i - 1]) / (xs[i] - xs[i - 1]);
          sign[i] = ds > tf.knot_tolerance ? 1 : (ds < -tf.knot_tolerance ? -1 : 0);
        }
      }
      double best = 1e300;
      TrainResult best_res;
      std::string detail = "per seed (objective, rel. gap):";
      int reached = 0;
      for (int s = 1; s <= seeds; ++s) {
        ctx.progress(ll + ", seed " + std::to_string(s) + "/" + std::to_string(seeds));
        Rng rng = ctx.rng().split(static_cast<std::uint64_t>(1000 * lambda + s));
        TrainOptions o;
        o.lambda = lambda;
        o.learning_rate = 0.002;  // 0.005 diverges from these starts (x up to 3.6, 60 neurons; measured)
        o.max_steps = 750000;
        const TrainResult res = train_annealed(init_network(rng, 1, width), column(d.x), d.y, o);
        const double gap = (res.objective - tf.objective) / tf.objective;
        detail += " (" + num(res.objective) + ", " + num(gap) + ")";
        reached += gap <= 1e-3;
        if (res.objective < best) best = res.objective, best_res = res;
      }
      const ShallowNet& net = best_res.net;
      r.measurements.push_back(measure(ll + ": best trained objective vs exact optimum", best, tf.objective, true, 1e-3,
                                       "<= 1e-3 relative (CLAIMS.md S3, best of seeds)",
                                       detail + "; seeds within 1e-3: " + std::to_string(reached) + "/" +
                                           std::to_string(seeds) + "; exact: " + num(tf.objective) + " with " + std::to_string(tf.knots) +
                                           " knots (duality gap " + num(tf.duality_gap) + ")"));
      const VectorXd f = evaluate(net, column(d.x));
      const double rms_y = std::sqrt(d.y.squaredNorm() / N);
      r.measurements.push_back(at_most(ll + ": RMS(trained - optimal fitted values) / RMS(y)",
                                       std::sqrt((f - tf.fitted).squaredNorm() / N) / rms_y, 1e-2,
                                       "<= 1e-2: the optimal fitted values are unique (strictly convex data term); "
                                       "|f - f*|^2 <= 2 (J(f) - J*) ties it to the objective gap"));
      // Where the trained knots are: share of TV(f') more than hmin / 20 from the admissible set.
      const std::vector<Knot> kn = knots_1d(net);
      double total = 0, away = 0, far = 0;
      for (const Knot& k : kn) {
        total += std::abs(k.jump);
        const double dist = distance_to_admissible(k.x, xs, sign);
        if (dist > hmin / 20) away += std::abs(k.jump);
        far = std::max(far, dist * (std::abs(k.jump) > 1e-3 * tf.tv));
      }
      r.measurements.push_back(at_most(ll + ": share of the trained TV(f') at knots > h_min/20 from the admissible set",
                                       away / total, 1e-2,
                                       "<= 1e-2 (observation; admissible: data points where the optimum bends, and "
                                       "gaps between two bends of the same sign)",
                                       std::to_string(kn.size()) + " trained knots; farthest knot with > 1e-3 of the "
                                       "TV: " + num(far / hmin) + " h_min away"));
      if (lambda == 0.02) {  // Figure F2, left: the regularised fits
        plot::Panel p;
        p.title = "regularised, " + ll;
        p.ymin = -0.2, p.ymax = 3.6;  // room for the legend
        p.xlabel = "x";
        p.ylabel = "f(x)";
        TrainOptions o0;
        o0.learning_rate = 0.002;
        o0.max_steps = 750000;
        Rng rng = ctx.rng().split(7);
        const ShallowNet unreg = train(init_network(rng, 1, width), column(d.x), d.y, o0).net;
        p.series = {net_series(unreg, grid, "trained, no weight decay", plot::Style::Lines, 4),
                    net_series(net, grid, "trained with weight decay", plot::Style::Lines, 1),
                    spline_series(tf.spline, grid, "exact TV optimum", plot::Style::Dashed, 2),
                    spline_series(tf.sparsest, grid, "sparsest optimum", plot::Style::Dashed, 3),
                    knot_series(tf.sparsest, "its knots", 3), data_series(d.x, d.y)};
        fig.panels.push_back(p);
      }
    }
    {  // Figure F2, right: interpolation (lambda -> 0), connect-the-dots and the sparsest interpolant.
      const InterpolationResult ip = min_tv_interpolation(d.x, d.y);
      const SparsestResult sp = sparsest_interpolant(d.x, d.y);
      plot::Panel p;
      p.title = "interpolation: TV(f') = " + num(ip.cost) + " for both";
      p.ymin = -0.2, p.ymax = 3.6;
      p.xlabel = "x";
      p.ylabel = "f(x)";
      p.series = {spline_series(ip.spline, grid, "connect-the-dots, " + std::to_string(ip.knots) + " knots",
                                plot::Style::Lines, 2),
                  knot_series(ip.spline, "", 2),
                  spline_series(sp.spline, grid, "sparsest, " + std::to_string(sp.knots) + " knots",
                                plot::Style::Dashed, 3),
                  knot_series(sp.spline, "", 3), data_series(d.x, d.y)};
      fig.panels.push_back(p);
    }
    fig.caption = "ReLU networks are linear splines (THEORY.md s.4). Left: 12 noisy points; a wide network trained "
                  "without weight decay (interpolates, kinks anywhere), the same trained with weight decay, the exact "
                  "optimum of 1/2 sum (f - y)^2 + lambda TV(f') (trend filtering, knots at data points) and the "
                  "sparsest optimum (dots: its knots, some between data points where two bends of one sign merge). "
                  "Right: minimum-TV interpolation: connect-the-dots and the sparsest interpolant have the same "
                  "TV(f').";
    r.figures.push_back({"F2", "linear-spline-fits", fig.caption, plot::write_figure(fig, ctx.figure_dir)});
    r.conclude();
    return r;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------- S4

Claim claim_s4_skip_connection() {
  Claim c;
  c.id = "S4";
  c.name = "skip-connection";
  c.kind = Kind::TheoremAndObservation;
  c.section = "THEORY.md s.4, s.6";
  c.statement = "Interpolating affine data y = a x + b costs 0 with a skip connection (the affine null space of "
                "the R-TV is what c . x + c0 represents) and |a| without (end slopes a/2); trained nets agree.";
  c.experiment = "N = 8 irregular points on y = 1.5 x + 0.5: the exact solvers (interpolation) and a simplex LP "
                 "without skip; width-40 networks trained with weight decay lambda = 0.01 (GD, lr 0.005, time 3000 "
                 "then lr / 10 for time 150), 3 seeds (quick: 2; time 1500) each with and without skip connection, against "
                 "the exact optimum of the regularised problem (trend filtering with and without skip).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const double a = 1.5, b0 = 0.5, lambda = 0.01;
    const int N = 8, seeds = ctx.quick() ? 2 : 3;
    VectorXd x(N), y(N);
    for (int n = 0; n < N; ++n) {
      x(n) = -1.2 + 0.45 * n + 0.04 * n * n;  // irregular
      y(n) = a * x(n) + b0;
    }
    // Exact, interpolation (THEORY.md s.4).
    const InterpolationResult with = min_tv_interpolation(x, y, true), without = min_tv_interpolation(x, y, false);
    r.measurements.push_back(at_most("exact, skip: min TV(f') / |a|", with.cost / a, 1e-9,
                                     "<= 1e-9: cost 0 (collinear slopes up to rounding, CLAIMS.md S4)",
                                     "knots " + std::to_string(with.knots) + ", sparsest " +
                                         std::to_string(sparsest_interpolant(x, y).knots)));
    r.measurements.push_back(measure("exact, no skip: min path norm", without.cost, a, true, 1e-9,
                                     "= |a| to 1e-9 (CLAIMS.md S4)",
                                     "end slopes " + num(without.slope_left) + ", " + num(without.slope_right) +
                                         " (a/2 = " + num(a / 2) + ")"));
    r.measurements.push_back(measure("LP reference, no skip: min path norm", reference::lp_min_cost_noskip(x, y), a,
                                     true, 1e-9, "= |a| to 1e-9 (independent simplex)"));
    // Trained, regularised: against the exact optimum of the same problem.
    plot::Figure fig;
    fig.name = "F9-skip-connection";
    const std::vector<double> grid = linspace(x(0) - 4, x(N - 1) + 4, 601);
    for (bool skip : {true, false}) {
      const std::string sk = skip ? "skip" : "no skip";
      const TrendFilterResult tf = trend_filter_1d(x, y, lambda, skip);
      double best = 1e300;
      ShallowNet best_net;
      std::string detail = "per seed (objective, WD):";
      for (int s = 1; s <= seeds; ++s) {
        ctx.progress(sk + ", seed " + std::to_string(s) + "/" + std::to_string(seeds));
        Rng rng = ctx.rng().split(static_cast<std::uint64_t>(10 * skip + s));
        TrainOptions o;
        o.lambda = lambda;
        o.learning_rate = 0.005;  // 0.01 diverges with the skip connection (measured)
        o.max_steps = ctx.quick() ? 300000 : 600000;
        const TrainResult res = train_annealed(init_network(rng, 1, 40, 1.0, skip), column(x), y, o);
        detail += " (" + num(res.objective) + ", " + num(weight_decay(res.net)) + ")";
        if (res.objective < best) best = res.objective, best_net = res.net;
      }
      const double wd = weight_decay(best_net);
      if (skip) {
        r.measurements.push_back(at_most("trained, skip: weight decay / |a| (best seed)", wd / a, 1e-2,
                                         "<= 1e-2 (CLAIMS.md S4): the skip connection carries the line", detail));
        r.measurements.push_back(at_most("trained, skip: objective / (lambda |a|)", best / (lambda * a), 1e-2,
                                         "<= 1e-2: the exact optimum is 0 (an affine fit costs nothing)",
                                         "exact objective " + num(tf.objective)));
      } else {
        r.measurements.push_back(measure("trained, no skip: weight decay vs exact optimum's path norm", wd,
                                         tf.regulariser, true, 1e-2, "within 1e-2 relative (CLAIMS.md S4)",
                                         detail + "; exact path norm at lambda = " + num(lambda) + ": " +
                                             num(tf.regulariser) + " (interpolation: |a| = " + num(a) + ")"));
        r.measurements.push_back(measure("trained, no skip: objective vs exact optimum", best, tf.objective, true,
                                         1e-2, "within 1e-2 relative (CLAIMS.md S4)"));
      }
      plot::Panel p;
      p.title = skip ? "with skip connection: cost 0" : "without skip connection: cost |a|";
      p.xlabel = "x";
      p.ylabel = "f(x)";
      p.series = {spline_series((skip ? with : without).spline, grid, "exact min-cost interpolant", plot::Style::Lines,
                                2),
                  net_series(best_net, grid, "trained, lambda = " + num(lambda), plot::Style::Dashed, 1),
                  {{grid.front(), grid.back()}, {a * grid.front() + b0, a * grid.back() + b0}, "y = a x + b",
                   plot::Style::Dashed, 8},
                  data_series(x, y)};
      fig.panels.push_back(p);
    }
    fig.caption = "Skip connections carry the affine part (THEORY.md s.4, s.6). Collinear data y = 1.5 x + 0.5. "
                  "With a skip connection the line is free (TV(f') = 0) and training puts it in c x + c0. Without, "
                  "the cheapest interpolant (path norm |a|, half of what the line costs on all of R) follows the "
                  "data and bends to slope a/2 outside it. The trained network has the same cost and the same values at the data; "
                  "outside the data the optimum is not unique (only the sum of the end slopes and the cost are "
                  "fixed when |f'(-inf) + f'(+inf)| decides the cost), and training may bend elsewhere.";
    r.figures.push_back({"F9", "skip-connection", fig.caption, plot::write_figure(fig, ctx.figure_dir)});
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
