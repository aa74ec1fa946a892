// verify/reference/reference_1d.hpp: independent references for the univariate claims (S1, S2) and the univariate tests
// (STYLE.md item 6: they share no code with lib/univariate.cpp). Slow and small by design:
//  * a dense two-phase simplex (Bland's rule): min TV(f') interpolation as an LP over splines with many candidate
//    knots (with skip connection) or over neurons p sigma(x - t) + q sigma(t - x) (without; THEORY.md s.2, s.4);
//  * brute force over knot configurations for the sparsest interpolant: for every multiset of k data intervals
//    and every sign pattern, an LP gives the least TV of an interpolant with k knots there (exact in the knots'
//    positions, not a grid), so "no interpolant with fewer knots reaches the minimum TV" is checked exactly;
//  * the run formula of THEORY.md s.4 computed from the secant slopes with exact zero tests.
// Accuracy: the simplex works on tableaux of O(1) entries (keep |x|, |y| = O(1..10)) for at most ~50 pivots; its
// optimal values are good to ~1e-13 there. Size: O(N) rows; the brute force is exponential in k (N <= 8, k <= 3).
#pragma once

#include <Eigen/Core>
#include <limits>
#include <utility>
#include <vector>

namespace rtv::verify::reference {

struct LpResult {
  bool terminated = true;  ///< false if the pivot cap was hit (Bland's rule cannot cycle: a tolerance problem)
  bool feasible = false;
  bool bounded = true;
  double value = std::numeric_limits<double>::infinity();
  Eigen::VectorXd z;
};

/// min c^T z s.t. A z = b, z >= 0: dense two-phase simplex with Bland's rule.
LpResult simplex(Eigen::MatrixXd A, Eigen::VectorXd b, const Eigen::VectorXd& c);

/// LPs with free and nonnegative variables, equality and <= rows (rows are sparse lists (variable, coefficient)).
struct Lp {
  struct Var {
    bool free;
  };
  std::vector<Var> vars;
  std::vector<std::vector<std::pair<int, double>>> eq_rows, le_rows;
  std::vector<double> eq_rhs, le_rhs;
  std::vector<double> cost;
  int add(bool free, double c);  ///< a variable with cost c; returns its index
  LpResult solve() const;
};

std::vector<double> sorted_copy(const Eigen::VectorXd& x);

/// Candidate knots of the LP references: every data point, the midpoints, a point at 0.3 of each gap, and two
/// points outside the data. (The minimum-TV interpolants of THEORY.md s.4 have knots at data points.)
std::vector<double> candidate_knots(const Eigen::VectorXd& x);

/// min TV(f') s.t. f(x_n) = y_n over f = alpha + beta x + sum_j a_j (x - t_j)_+ (skip connection), by the
/// simplex. NaN if the LP fails (it is always feasible and bounded).
double lp_min_tv_skip(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

/// The same LP over the given candidate knots, with its optimal vertex: knots with |jump| above `zero` (relative
/// to the largest |jump|) and the affine part. value NaN if the LP fails.
struct LpSpline {
  double value = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> knots, jumps;  ///< the vertex's nonzero jumps
  double alpha = 0.0, beta = 0.0;    ///< f = alpha + beta x + sum_j jumps_j (x - knots_j)_+
};
LpSpline lp_min_tv_skip_on_knots(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const std::vector<double>& t,
                                 double zero = 1e-9);

/// A fine grid of candidate knots: every data point, `per_gap` points strictly inside each gap between
/// consecutive data points, and two points on each side outside the data.
std::vector<double> fine_knots(const Eigen::VectorXd& x, int per_gap);

/// f(x) = intercept + slope_left x + sum_j jumps_j (x - knots_j)_+, summed here (not rtv::evaluate).
double spline_value(const std::vector<double>& knots, const std::vector<double>& jumps, double slope_left,
                    double intercept, double x);

/// A dual certificate of linear trend filtering with skip connection, built from a candidate solution's values at
/// the data alone (THEORY.md s.4, s.5): primal P = 1/2 |f - y|^2 + lambda TV with the given TV; dual point
/// alpha = y - f, projected onto [X, 1]^T alpha = 0 and scaled into {sup_t |sum_n alpha_n (x_n - t)_+| <= lambda}
/// (the sup is exact: the function of t is piecewise linear with kinks at the x_n and 0 outside the data);
/// D = alpha . y - 1/2 |alpha|^2 <= every primal value. rel_gap = (P - D) / max(P, |y|^2 eps).
struct TrendCertificate {
  double primal = 0.0, dual = 0.0, rel_gap = 0.0;
  double affine_residual = 0.0;  ///< |[X, 1]^T (y - f)| / (|y - f| (1 + max|x|)) before the projection
  double sup_ratio = 0.0;        ///< sup_t |sum alpha_n (x_n - t)_+| / lambda before scaling
};
TrendCertificate trend_filter_certificate(const Eigen::VectorXd& x, const Eigen::VectorXd& y,
                                          const Eigen::VectorXd& f, double tv, double lambda);

/// min path norm s.t. f(x_n) = y_n over networks without skip connection: f = c0 + sum_j p_j (x - t_j)_+ +
/// q_j (t_j - x)_+ (every neuron with |w| = 1 after rescaling; THEORY.md s.2). NaN if the LP fails.
double lp_min_cost_noskip(const Eigen::VectorXd& x, const Eigen::VectorXd& y);

/// Least TV of an interpolant with exactly k knots (some may have zero jump), by brute force over knot
/// configurations (xs sorted): +infinity if no interpolant with k knots exists; NaN if an LP failed.
double brute_force_min_tv_with_k_knots(const std::vector<double>& xs, const std::vector<double>& ys, int k);

/// THEORY.md s.4 run formula sum over runs of ceil(m_j / 2), with exact zero tests (for small-integer data).
int run_formula(const std::vector<double>& xs, const std::vector<double>& ys);

}  // namespace rtv::verify::reference
