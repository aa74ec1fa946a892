// rtv/solvers/univariate.hpp: the exact univariate solvers of THEORY.md s.4 (d = 1: ReLU networks are linear splines).
//
// What it is for: the reference answers of the univariate claims. Given data (x_n, y_n), n = 1..N, it computes
//   * min TV(f') subject to f(x_n) = y_n (connect-the-dots, THEORY.md s.4), with or without skip connection;
//   * the sparsest minimum-TV interpolant (fewest knots; Debarre et al. 2022, THEORY.md s.4);
//   * linear trend filtering  min_f 1/2 sum_n (f(x_n) - y_n)^2 + lambda Reg(f)  on the irregular grid x_n,
// each as an EXACT finite-dimensional solve (a finite active-set method, no iteration stopped early), with the
// optimality conditions verified and the duality gap reported.
//
// Conventions (THEORY.md s.1, s.4):
//   * A linear spline is f(x) = intercept + slope_left x + sum_j jump_j (x - knot_j)_+ (Spline1d). Its knots
//     are the points where f' jumps; TV(f') = sum_j |jump_j|. f'(-inf) = slope_left, f'(+inf) = slope_left +
//     sum_j jump_j.
//   * Reg(f) is the minimal path norm (= minimal weight decay, THEORY.md s.2) of a network representing f on R:
//       with skip connection (skip = true):     Reg(f) = TV(f')
//       without (skip = false, c = 0, c0 free): Reg(f) = max(TV(f'), |f'(-inf) + f'(+inf)|)   (Savarese et al.)
//     The end slopes f'(-inf), f'(+inf) are then free variables of the problem: the solvers minimise over them
//     exactly (closed form, see min_tv_interpolation).
//   * Data may come in any order; it is sorted internally. Results indexed by data point (`fitted`) are in the
//     caller's order; dual variables are in sorted order (`order` maps sorted position -> caller's index).
//   * Bad input (N < 2, NaN or infinite values, sizes that differ, duplicate x, lambda < 0) throws InputError
//     naming the problem; a numerical outcome (iteration cap reached) is a status in the result struct.
//
// Where accuracy is lost: slopes are divided differences, so everything is relative to the rounding scale
// eps (|y| + |s| |x|) / h of the closest pair of points: for nearly coincident x (h << |x|) slope changes below
// that scale are indistinguishable from rounding and are counted as zero ("knots above tolerance"). The trend
// filter's values come from a tridiagonal least-squares problem of condition <= 2N whose right-hand side has
// size value_scale = max(|y|, lambda / H) (H the shortest segment between two adjacent knots), so they are exact
// to ~N eps value_scale: ~N eps |y| for ordinary data, worse for knots closer than lambda / |y|. Measured
// (tests/test_univariate.cpp): 7e-15 of max|y| against an enumeration of all sign patterns, 3e-15 against a
// converged projected-gradient run; relative duality gap <= 2e-13 on 300 random problems. The O(N) iterations of
// O(N) each make it O(N^2): N = 1000 in ~0.02 s, N = 10000 in ~1-6 s.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {

/// A univariate linear spline f(x) = intercept + slope_left x + sum_j knots[j].jump (x - knots[j].x)_+.
/// Knots are sorted by x and distinct; a jump may be zero or at rounding level (see count_knots).
struct Spline1d {
  std::vector<Knot> knots;  ///< knot positions x and slope jumps f'(x+) - f'(x-)
  double slope_left = 0.0;  ///< f'(-inf)
  double intercept = 0.0;   ///< value at x = 0 of the leftmost affine piece

  double slope_right() const;  ///< f'(+inf) = slope_left + sum of the jumps
  /// TV(f') = sum_j |jump_j| (THEORY.md s.4): the cost with skip connection.
  double tv() const;
  /// Savarese et al.'s cost without skip connection, max(TV(f'), |f'(-inf) + f'(+inf)|) (THEORY.md s.4).
  double savarese_cost() const;
  /// The cost of the network class: tv() if skip, savarese_cost() otherwise.
  double cost(bool skip) const { return skip ? tv() : savarese_cost(); }
};

double evaluate(const Spline1d& s, double x);
Eigen::VectorXd evaluate(const Spline1d& s, const Eigen::VectorXd& x);

/// Number of knots with |jump| > tol.
int count_knots(const Spline1d& s, double tol = 0.0);

/// The spline as a d = 1 network with the minimal path norm, which equals s.cost(skip) (THEORY.md s.2, s.4):
///   skip = true:  one neuron per knot, w = 1, b = x_j, v = jump_j; c = slope_left, c0 = intercept.
///   skip = false: the affine part has to be made of neurons too. Knot j becomes a right-facing neuron
///     p_j sigma(x - x_j) (w = 1, b = x_j) and a left-facing one q_j sigma(x_j - x) (w = -1, b = -x_j) with
///     p_j + q_j = jump_j, sum p_j = f'(+inf), sum q_j = -f'(-inf), c0 = intercept - sum_j q_j x_j.
///     If TV(f') >= |f'(-inf) + f'(+inf)| the split keeps the sign of each jump (cost TV); otherwise the
///     excess (|L + R| - TV)/2 is a cancelling pair d sigma(x - t) - d sigma(t - x) = d (x - t) added at the
///     middle knot t (cost |L + R|). A spline without knots but with slope L != 0 gets the pair at
///     `pair_at` (default 0). Zero-weight neurons are omitted.
ShallowNet to_network(const Spline1d& s, bool skip, double pair_at = 0.0);

/// The spline of a d = 1 network (knots merged by knots_1d, zero jumps dropped). Throws InputError if d != 1.
Spline1d spline_from_network(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

/// Rounding tier of the univariate solvers (STYLE.md item 3).
namespace tol {
/// Data are doubles: x_n and y_n carry relative errors eps, so a slope s_i = (y_{i+1} - y_i)/h_i carries
/// ~eps (|y_i| + |y_{i+1}| + |s_i| (|x_i| + |x_{i+1}|)) / h_i, and a slope change the sum of two such terms.
/// A slope change below this many times that scale is rounding (e.g. of "collinear" data y = a x computed in
/// double) and counts as zero: 8 covers the handful of roundings in a difference quotient.
inline constexpr double kSlopeChangeRounding = 8.0;
}  // namespace tol

/// Minimum of Reg(f) subject to f(x_n) = y_n (THEORY.md s.4).
struct InterpolationResult {
  /// The returned minimiser: connect-the-dots (knots at the interior data points); without skip connection
  /// it also has knots at x_1 and x_N where it switches to the optimal end slopes.
  Spline1d spline;
  double cost = 0.0;         ///< the minimum of Reg: TV(f') (skip) or the Savarese cost (no skip)
  double interior_tv = 0.0;  ///< T = sum_{i=2}^{N-1} |s_i - s_{i-1}| (secant slopes s_i)
  double slope_left = 0.0;   ///< f'(-inf) of the returned minimiser
  double slope_right = 0.0;  ///< f'(+inf) of the returned minimiser
  int knots = 0;             ///< knots of the returned minimiser with a jump above the rounding tolerance
};

/// min Reg(f) s.t. f(x_n) = y_n. With skip: TV(f') = T, attained by connect-the-dots. Without skip the end
/// slopes L, R are free and the minimum over them is exact in closed form (our derivation, THEORY.md s.4,
/// checked by a brute-force LP in tests/test_univariate.cpp): with C = s_1 + s_{N-1},
///   min_{L,R} max(T + |s_1 - L| + |R - s_{N-1}|, |L + R|) = max(T, (|C| + T)/2),
/// attained at L = s_1 - z/2, R = s_{N-1} - z/2, z = sign(C) max(0, |C| - T)/2 (the symmetric choice; the
/// minimisers form a segment when |C| > T). Collinear data of slope a: minimum |a|, end slopes a/2.
/// Throws InputError for N < 2, NaN, sizes that differ, or duplicate x (the message names the duplicate).
InterpolationResult min_tv_interpolation(const Eigen::VectorXd& x, const Eigen::VectorXd& y, bool skip = true);

/// The sparsest minimum-TV interpolant, skip connection (THEORY.md s.4, Debarre et al. 2022).
struct SparsestResult {
  Spline1d spline;                 ///< fewest knots among the interpolants with TV(f') = min
  int knots = 0;                   ///< its knot count = sum over runs of ceil(m_j / 2)
  std::vector<int> runs;           ///< lengths m_j of the maximal runs of nonzero slope changes of equal sign
  int connect_the_dots_knots = 0;  ///< nonzero slope changes of connect-the-dots (sum of m_j)
  double tv = 0.0;                 ///< TV(f') of `spline` (= the minimum)
  /// max_n |f(x_n) - y_n| / (|y_n| + |intercept| + |slope_left x_n| + sum_j |jump_j| |x_n - knot_j|): a check,
  /// relative to the forward-error scale of evaluate()
  double interpolation_error = 0.0;
};

/// Among the minimum-TV interpolants (skip connection) one with the fewest knots. Within a maximal run of m
/// consecutive slope changes of equal sign, consecutive pairs of knots (x_i, x_{i+1}) are merged into one knot
/// at the intersection of the lines of the segments before x_i and after x_{i+1}; the intersection lies in
/// [x_i, x_{i+1}] (fraction d_{i+1}/(d_i + d_{i+1}) of the way) and the TV is unchanged. ceil(m/2) knots per run
/// is also a lower bound (THEORY.md s.4; checked by brute force in the tests). Slope changes at rounding level
/// (tol::kSlopeChangeRounding) count as zero and break runs. Same input checks as min_tv_interpolation.
SparsestResult sparsest_interpolant(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

/// Options of trend_filter_1d (STYLE.md item 9); validate() explains what is wrong.
struct TrendFilterOptions {
  /// Reporting tolerance, relative to the rounding scale of each quantity (see TrendFilterResult): the knot count
  /// and the KKT check (kkt_ok). Default 1000 eps: the values solve a tridiagonal least-squares problem of
  /// condition <= 2N, so their error is ~N eps of value_scale; 1000 covers N up to ~1000 with margin while a real
  /// violation is O(1) of the scale. (The active set's own sign decisions use 64 eps, see univariate.cpp.)
  double rounding = 1000.0 * rtv::tol::kEps;
  /// Cap on active-set iterations per sub-solve (each O(N)); 0 means 50 N + 100. Reaching it is reported
  /// (converged = false), not thrown.
  int max_iterations = 0;
  void validate() const;
};

/// How trend_filter_1d ended (in the spirit of Eigen's ComputationInfo): code for decisions, `message` for people.
enum class TrendFilterStatus {
  Optimal,         ///< the active set terminated and the KKT check passed (also lambda = 0: interpolation)
  IterationCap,    ///< an active-set solve hit its iteration cap
  SaddleNotFound,  ///< no skip connection: the saddle weight mu was not bracketed in 200 bisection steps
  KktFailed,       ///< the active set terminated but the KKT check failed
};
/// "optimal", "iteration_cap", "saddle_not_found", "kkt_failed".
const char* to_string(TrendFilterStatus s);

/// Linear trend filtering on the irregular grid (THEORY.md s.4).
struct TrendFilterResult {
  Eigen::VectorXd fitted;  ///< f(x_n), in the caller's order
  std::vector<int> order;  ///< order[k] = caller's index of the k-th smallest x
  /// A solution: the linear interpolant of the fitted values, knots at the interior data points of the final
  /// working set (exact zeros elsewhere); without skip connection plus knots at x_1, x_N to the optimal end
  /// slopes. Slope changes at rounding level (<= knot_tolerance) are kept in it but not counted in `knots`.
  Spline1d spline;
  double objective = 0.0;    ///< 1/2 sum (f(x_n) - y_n)^2 + lambda Reg(f)
  double data_fit = 0.0;     ///< 1/2 sum (f(x_n) - y_n)^2
  double regulariser = 0.0;  ///< Reg(f): TV(f') (skip) or the Savarese cost (no skip); = spline.cost(skip)
  double tv = 0.0;           ///< TV(f') of `spline` (= regulariser, also without skip: symmetric end slopes)
  int knots = 0;             ///< count_knots(spline, knot_tolerance)
  /// rounding * (4 value_scale / H_min + 2 max|s|): the rounding of a slope change computed from node values
  /// with absolute errors rounding * value_scale over node segments >= H_min.
  double knot_tolerance = 0.0;
  /// skip only: the sparsest solution (fewest knots among the splines with the optimal fitted values and
  /// TV(f') = Reg; THEORY.md s.4 run formula applied to the fitted values, slope changes <= knot_tolerance
  /// dropped) and its knot count.
  Spline1d sparsest;
  int sparsest_knots = 0;

  /// Dual certificate (sorted order): z = D^T u + beta g, with D the irregular second difference
  /// ((D f)_i = s_{i+1} - s_i, the slope change at interior point i+1) and g f = s_1 + s_{N-1}; fitted = y - z.
  /// skip: |u_i| <= lambda, beta = 0. No skip: |u_i| + |beta| <= lambda and |beta| <= lambda / 2 (to rounding).
  Eigen::VectorXd dual;
  double dual_end = 0.0;  ///< beta (0 with skip connection)
  double mu = 1.0;        ///< no skip: the saddle weight of max(T, (|c| + T)/2) (1 = the T branch)
  /// Primal minus dual objective, in the cancellation-free form lambda Reg - <fitted, z> + 1/2 |y - fitted - z|^2
  /// (>= 0 up to rounding; |fitted - optimum|^2 <= 2 gap).
  double duality_gap = 0.0;
  /// max_n |y_n - fitted_n - z_n| / (N value_scale / h_min): z divides u by h, and the values' rounding is
  /// ~N eps value_scale.
  double stationarity = 0.0;
  /// max violation of the dual constraints relative to the dual's rounding scale lambda + (x_N - x_1) (|y -
  /// fitted|_1 + N value_scale) (u comes from cumulative sums of the residual); 0 if lambda = 0
  double dual_infeasibility = 0.0;
  /// converged, dual_infeasibility and stationarity <= rounding, and the complementarity part of the gap
  /// (lambda Reg - <fitted, z>) below rounding times its terms plus lambda knot_tolerance per working bound.
  bool kkt_ok = false;
  bool converged = false;  ///< the active-set method terminated (false: iteration cap reached)
  int iterations = 0;      ///< active-set iterations (all sub-solves)
  TrendFilterStatus status = TrendFilterStatus::Optimal;
  std::string message = "optimal";  ///< the status in words ("optimal", or what went wrong)
};

/// min over linear splines f of 1/2 sum_n (f(x_n) - y_n)^2 + lambda Reg(f) (THEORY.md s.4); knots at the
/// interior data points suffice (plus the end slopes without skip connection). Solved EXACTLY:
///   skip: the dual box QP min 1/2 |y - D^T u|^2, |u|_inf <= lambda, by a primal active-set method (Nocedal &
///     Wright 16.3) whose subproblems are solved in the primal (least squares over the splines with the working
///     knots: a tridiagonal system in node values, cond <= 2N) and whose dual is recovered by two cumulative sums;
///     finite, no early stopping. Degenerate working knots (zero slope change) are released at the end.
///   no skip: Reg = max(T, (|c| + T)/2), c = s_1 + s_{N-1}, T = |D f|_1; by the minimax theorem the problem is
///     max over mu in [0, 1] of a trend filter with weights lambda (1 + mu)/2 on T and lambda (1 - mu)/2 on |c|
///     (a box QP again, with the extra dual variable beta). mu = 1 or 0 if T >= |c| resp. T <= |c| there;
///     otherwise the optimum lies on the kink T = |c|: the working set is bracketed by bisection in mu and the
///     kink solution is then solved directly as an equality-constrained QP (h = T - |c| = 0, mu its multiplier)
///     and accepted when it satisfies the box KKT conditions.
/// lambda = 0 is interpolation (the limit lambda -> 0+): fitted = y and the spline is min_tv_interpolation's.
/// lambda -> infinity: the affine least-squares fit (skip) or the mean (no skip), TV 0.
/// Cost O(N) per active-set iteration; typically O(N) iterations (times up to ~60 without skip connection).
TrendFilterResult trend_filter_1d(const Eigen::VectorXd& x, const Eigen::VectorXd& y, double lambda, bool skip = true,
                                  const TrendFilterOptions& opt = {});

}  // namespace rtv
