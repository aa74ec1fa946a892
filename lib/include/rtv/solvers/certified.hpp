// rtv/solvers/certified.hpp: the certified global optimum of weight-decay training in d = 2 (THEORY.md s.5).
//
// What it is for: the reference value trained networks are measured against (claim N3, `rtv solve`). The problem
//   min over f of  J(f) = 1/2 sum_n (f(x_n) - y_n)^2 + lambda RTV(f),   x_n in R^2,
// is, by the representer theorem (THEORY.md s.5), a lasso over the continuous dictionary of unit neurons
// sigma(gamma . x - t), |gamma| = 1, with a free affine part c . x + c0 (the skip connection, RTV's null space):
//   min over finitely many (a_j, gamma_j, t_j) and (c, c0) of  1/2 |A a + B beta - y|^2 + lambda |a|_1,
// A[n, j] = sigma(gamma_j . x_n - t_j), B = [X, 1]. Its dual is
//   max over alpha of  D(alpha) = alpha . y - 1/2 |alpha|^2   s.t.  B^T alpha = 0,
//                      sup_{gamma, t} |sum_n alpha_n sigma(gamma . x_n - t)| <= lambda.
// Weak duality J(f) >= D(alpha) holds for every network f and every feasible alpha, so a pair with J - D small is
// a certificate: no network of any width does better than D.
//
// The oracle (exact, THEORY.md s.5): for B^T alpha = 0, g(gamma, t) = sum_n alpha_n sigma(gamma . x_n - t) vanishes
// for t <= min gamma . x_n and for t >= max, and is piecewise linear in t between, so its extrema over t are at
// t = gamma . x_m. There g = gamma . v_{m,S}, v_{m,S} = sum_{n in S} alpha_n (x_n - x_m), S = {n : gamma . (x_n -
// x_m) > 0}, which changes only when gamma crosses a direction orthogonal to some x_n - x_m. Sweeping gamma around
// the circle for each pivot m (2(N - 1) events) gives the exact maximum of |g| on each arc (at the direction of
// +-v if it lies in the arc, else at an end): O(N^2 log N) per call, no sampling.
//
// The method: column generation (an exchange method). The restricted lasso over the atoms found so far is solved
// exactly by a finite active-set method (feature-sign search, Lee et al. 2007; polished by a solve on the final
// support); its residual alpha = y - f(x) is dual-feasible up to the factor M / lambda, M = oracle(alpha) (B^T
// alpha = 0 holds because the affine part is fitted by least squares; it is projected to exactly that); the
// scaled alpha min(1, lambda / M) is a feasible dual point, giving the gap. The most violated atoms (one per
// pivot, the best few) join the dictionary; stop when the relative gap is below the tolerance. The final network is
// brought to at most N - 3 neurons by the Caratheodory reduction (rtv/solvers/reduce.hpp), which keeps the data values and
// does not increase the path norm; objective and gap are recomputed from that network.
//
// Where accuracy is lost: the restricted lasso solve is a small dense least-squares problem (condition of the
// active columns, measured <= ~1e6 here); the gap is computed as J - D from O(|y|^2) terms, so it is meaningful
// down to ~1e-13 |y|^2. Duplicate points make the oracle's events ill-defined: they are rejected (InputError), as
// are data that do not affinely span R^2 (the bound N - 3 and the affine fit need it).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "rtv/nets/network.hpp"

namespace rtv {

/// sup over unit gamma and t of |sum_n alpha_n sigma(gamma . x_n - t)| (d = 2; THEORY.md s.5), exactly.
struct OracleResult {
  double value = 0.0;     ///< the supremum
  Eigen::VectorXd gamma;  ///< a maximising unit direction
  double t = 0.0;         ///< its offset (= gamma . x_m for the pivot point m)
  int pivot = -1;         ///< the data point m on the maximising hyperplane
  double sign = 1.0;      ///< sign of g at the maximiser
};

/// The exact oracle. alpha must satisfy [X, 1]^T alpha = 0 (the dual's linear constraint; otherwise g does not
/// vanish for t -> -infinity and the supremum is infinite): it is NOT projected here. X is N x 2 with distinct rows.
/// `per_pivot`, if given, receives the best atom of every pivot point (for adding several atoms per round).
OracleResult dual_oracle_2d(const Eigen::MatrixXd& X, const Eigen::VectorXd& alpha,
                            std::vector<OracleResult>* per_pivot = nullptr);

/// How certified_optimum_2d ended (in the spirit of Eigen's ComputationInfo): code for decisions, `message` for people.
enum class CertifiedStatus {
  Certified,          ///< relative duality gap <= gap_tol
  GapAboveTolerance,  ///< certified on the dictionary, but the gap of the reduced network is above gap_tol
  LassoCapReached,    ///< the restricted lasso hit its iteration cap
  NoImprovingAtom,    ///< the oracle found no new atom that improves the restricted problem
  MaxRounds,          ///< max_rounds column-generation rounds without certificate
};
/// "certified", "gap_above_tolerance", "lasso_cap_reached", "no_improving_atom", "max_rounds".
const char* to_string(CertifiedStatus s);

/// (J - D) / max(J, eps 0.5 |y|^2): the relative duality gap, with J floored at the rounding level of the problem's
/// scale, 0.5 |y|^2 (the zero network's objective, an upper bound of J). Below eps of it J is rounding: for affine
/// data J is 0 in exact arithmetic and ~1e-31 in floating point, D as small, and (J - D) / J is noise of order 1.
/// 0 when y = 0. Used by certified_optimum_2d and for the d = 1 trend filter's gap in `rtv solve` and Python.
double relative_duality_gap(double J, double D, const Eigen::VectorXd& y);

/// Options of certified_optimum_2d (STYLE.md item 9); validate() throws InputError naming a bad option.
struct CertifiedOptions {
  /// Stop when relative_duality_gap(J, D, y) <= gap_tol. Default 1e-9: three orders below the N3 bar (1e-6) and
  /// four above the rounding floor of J - D (~1e-13 relative).
  double gap_tol = 1e-9;
  int max_rounds = 500;        ///< column-generation rounds (each: one restricted lasso, one oracle call)
  int atoms_per_round = 8;     ///< the most violated atoms (best per pivot, distinct pivots) added per round
  int max_lasso_steps = 0;     ///< feature-sign iterations per restricted solve; 0 means 50 (atoms + N)
  void validate() const;
};

struct CertifiedResult {
  ShallowNet net;          ///< the primal solution: balanced (|v| = |w|), skip connection, <= N - 3 neurons
  double objective = 0.0;  ///< J = 1/2 sum (f(x_n) - y_n)^2 + lambda PN (PN = RTV here: distinct hyperplanes)
  double data_fit = 0.0;
  double path_norm = 0.0;
  double dual_value = 0.0;     ///< D(alpha) of the certified feasible dual point: a lower bound on every network
  double duality_gap = 0.0;    ///< J - D >= 0
  double relative_gap = 0.0;   ///< relative_duality_gap(J, D, y): (J - D) / J, J floored at eps 0.5 |y|^2
  double oracle_ratio = 0.0;   ///< M / lambda of the final residual (1 at the exact optimum)
  Eigen::VectorXd alpha;       ///< the feasible dual point (in the caller's order)
  int rounds = 0;
  int atoms = 0;               ///< size of the final dictionary
  std::vector<double> gap_history;  ///< relative gap per round
  bool certified = false;           ///< relative_gap <= gap_tol
  CertifiedStatus status = CertifiedStatus::MaxRounds;
  std::string message;              ///< the status in words, with the numbers behind it
};

/// min 1/2 sum (f(x_n) - y_n)^2 + lambda RTV(f) over f: R^2 -> R (THEORY.md s.5), with a dual certificate.
/// lambda > 0. Throws InputError for d != 2, NaN, sizes that differ, duplicate points, data that do not affinely
/// span R^2, N < 4.
CertifiedResult certified_optimum_2d(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                                     const CertifiedOptions& opt = {});

/// The lasso  min 1/2 |P (A a - y)|^2 + lambda |a|_1  (P: projector onto the complement of the columns of B, the
/// free affine part) with a ridge of 1e-12 max_j |P A_j|^2 (strict convexity when atoms are dependent; it moves
/// the objective by ~1e-12 relative), solved exactly by feature-sign search from the warm start `a`. Returns the iterations used
/// (negative if the cap was reached). Exposed for the tests.
int lasso_feature_sign(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, const Eigen::VectorXd& y, double lambda,
                       Eigen::VectorXd& a, int max_steps);

}  // namespace rtv
