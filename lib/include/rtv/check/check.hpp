// rtv/check/check.hpp: the theory's diagnostics for a user's trained network (`rtv check`, issue 16). One question:
// is this network what THEORY.md says a solution of weight-decay training is, and how far from the global optimum?
//
// Shallow networks f(x) = sum_k v_k sigma(w_k . x - b_k) + c . x + c0 and data (x_n, y_n), n = 1..N, in R^d, with
//   J(theta) = 1/2 sum_n (f(x_n) - y_n)^2 + lambda WD(theta),   WD = 1/2 sum_k (v_k^2 + |w_k|^2)   (THEORY.md s.1).
// The diagnostics, each with the theorem it follows from:
//  * balance (s.2): at every stationary point |v_k| = |w_k| and WD = PN. Judged on the neurons that carry the
//    function (check_balance, norms.hpp: 1/2 (v_k^2 + |w_k|^2) >= carry_tol of the largest). If instead
//    v_k^2 = |w_k|^2 + b_k^2 holds, the optimizer decayed the biases too (PyTorch's default weight_decay applies to
//    every parameter): the regulariser was sum_k |v_k| |(w_k, b_k)|, not the R-TV (s.2, last item).
//  * stationarity: 0 in the subdifferential of J. With r_n = f(x_n) - y_n and z_nk = w_k . x_n - b_k,
//      dJ/dv_k = sum_n r_n sigma(z_nk) + lambda v_k,      dJ/dw_k = v_k sum_n r_n s_nk x_n + lambda w_k,
//      dJ/db_k = -v_k sum_n r_n s_nk,   dJ/dc = sum_n r_n x_n,   dJ/dc0 = sum_n r_n,
//    s_nk = 1 for z_nk > 0, 0 for z_nk < 0, and ANY value in [0, 1] for z_nk = 0 (the ReLU's subdifferential).
//    Solutions have hyperplanes through data points (s.5), where the ReLU has no derivative, so with sigma'(0) = 0
//    (PyTorch) a true optimum looks non-stationary. A point with |z_nk| <= kink_tol (sum_i |w_ki x_ni| + |b_k|) is
//    taken to lie on the hyperplane and its s_nk is chosen in [0, 1] to minimise |(dJ/dw_k, dJ/db_k)| (bounded least
//    squares, core/linalg.hpp). This judges the network as stationary when a network within relative parameter
//    distance ~kink_tol (its hyperplane moved onto the point) is; kink_tol = 1e-4 by default, far above the float32
//    rounding of z (~1e-7) and below any distance that changes the fit visibly.
//    The verdict's measure: |grad J| / (lambda |theta|) over all parameters (theta = every v_k and w_k), the
//    gradient against the size of each of the two forces that cancel at stationarity (the regulariser's lambda theta
//    and the data gradient). Reported beside it, the worst block: a carrying neuron's |(dJ/dv_k, dJ/dw_k,
//    dJ/db_k)| / (lambda |(v_k, w_k)|) (small neurons converge slowest under gradient descent), and the
//    unregularised c, c0: |sum_n r_n x_n| / sum_n |r_n| |x_n| and |sum_n r_n| / sum_n |r_n|, in [0, 1]. Weights
//    stored in float32 move each residual by up to ~4 u S_n (S_n the evaluation scale): that floor is added to the bar.
//  * lambda: without a given lambda it is estimated from the stationarity equations of the carrying neurons,
//    lambda theta_k = -D_k with theta_k = (v_k, w_k) and D_k their data gradient: the least-squares value
//    -sum_k theta_k . D_k / sum_k |theta_k|^2, alternated with the choice of s_nk above until it settles, with the
//    per-neuron values -theta_k . D_k / |theta_k|^2 as its spread. PyTorch's SGD with weight_decay wd on the weights
//    and MSELoss (mean over N points) minimises (1/N) sum r_n^2 + wd/2 |theta|^2, i.e. 2/N times J with
//    lambda = N wd / 2 (a loss summed over the points: lambda = wd / 2; lambda_from_pytorch). AdamW's decoupled
//    decay is not the gradient of a regularised objective: its fixed points need not be stationary points of J.
//  * R-TV vs path norm (s.3): at a solution PN equals the R-TV: neurons on a shared hyperplane whose coefficients
//    a_k = v_k |w_k| cancel (opposite signs, either orientation) could be merged into one neuron with a smaller path
//    norm and the same f (same-sign neurons on one hyperplane merge without changing PN: allowed). Measured: the
//    path norm merging saves, (PN - PN(merged)) / PN (antipodal pairs merge only with a skip connection, which
//    absorbs their affine part). Also reported: R-TV on R^d and on
//    the ball containing the data, and the shared, antipodal and cancelling hyperplanes.
//  * sparsity (s.5): some solution has at most N - (d + 1) neurons (N - 1 without skip connection); the reduction
//    (reduce.hpp) gives one from this network with the same values at the data and a path norm not larger. The
//    network's own count (distinct hyperplanes of the carrying neurons; the others are numerical dust) against the
//    bound is a note unless require_sparse (not every solution is sparse: the theorem bounds one).
//  * global optimality (s.5): J against the optimum over networks of any width: d = 1 exact (trend filtering,
//    univariate.hpp), d = 2 certified (certified.hpp: a dual value D no network beats); d >= 3 has no certificate
//    here (no number is printed). Gap: (J - J*) / J* with J* the optimum (d = 2: the dual value D, so the gap is an
//    upper bound on the true one). If the d = 2 solver stops uncertified, the optimum lies between D and its
//    network's objective: the gap is bracketed and the verdict given only when both ends agree (otherwise a note).
//  * Radon domain (optional, d = 2, 3): the R-TV on the data's ball measured in the Radon domain (radon_measure.hpp)
//    against the exact one (norms.hpp).
//
// Deep networks (deep.hpp, THEORY.md s.6): per-stage weight decay against its minimum over the rescalings (0 at
// every stationary point: the rescalings are symmetries), each stage's linear chain's weight decay against the
// Schatten value of its product (equal when the chain is balanced), the input maps' ranks. Stationarity, R-TV,
// sparsity and the optimum are stated for shallow networks and are reported as not applying.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"

namespace rtv {

/// A diagnostic's outcome. Holds / Fails decide the exit status of `rtv check`; a Note is reported and never fails;
/// NotApplicable says why the diagnostic cannot be judged here.
enum class Verdict { Holds, Fails, Note, NotApplicable };
/// "holds", "FAILS", "note", "n/a".
const char* to_string(Verdict v);

/// One line of the report: the theorem, the measured value, the bar.
struct Diagnostic {
  std::string id;       ///< "balance", "stationarity", "lambda", "rtv", "sparsity", "optimum", "radon", ...
  std::string title;    ///< e.g. "Balance"
  std::string theorem;  ///< what THEORY.md states, with its section
  Verdict verdict = Verdict::NotApplicable;
  double measured = 0.0;
  std::string op;       ///< "<=", ">=" or "" (a note without a bar)
  double bar = 0.0;
  std::string summary;  ///< the verdict in words, with the numbers behind it
  std::vector<std::string> details;  ///< further lines (counts, the worst neuron, what a failure means)
};

/// Options of check_network (thresholds are the bars of the verdicts); validate() throws InputError naming a field.
struct CheckOptions {
  double lambda = 0.0;          ///< > 0: the regularisation weight; 0: estimate it (see the header comment)
  double carry_tol = kCarryRelTol;  ///< neurons judged: 1/2 (v_k^2 + |w_k|^2) >= carry_tol * the largest
  /// Bar of the balance and stationarity verdicts (relative). 1e-3: a trained network within 0.1% of the theory's
  /// conditions; a convention, not a derived bound (gradient methods approach stationarity only asymptotically).
  /// The storage precision's floor is added: 4 u for balance, 64 u for the gradient's cancellation (u = unit
  /// roundoff of the file's weights, see unit_roundoff).
  double tol = 1e-3;
  double kink_tol = 1e-4;       ///< points with |z_nk| <= kink_tol * scale lie on the hyperplane (header comment)
  double max_gap = 1e-2;        ///< bar of the optimality gap (J - J*) / J*
  bool require_sparse = false;  ///< the network's own distinct neurons above the bound fail (otherwise a note)
  bool optimum = true;          ///< compute the global optimum (d = 1, 2)
  bool radon = false;           ///< the Radon-domain R-TV (d = 2, 3; seconds)
  double unit_roundoff = 0.0;   ///< of the stored weights (0: double, 2^-53); float32: 2^-24
  int threads = 0;              ///< for the Radon-domain measurement (0: all cores)
  /// Called before each slow step (the optimum, the Radon-domain measurement) with a line for people; may be empty.
  std::function<void(const std::string&)> progress;
  void validate() const;
};

/// The lambda of the header comment from the stationarity equations (lambda_hat), with its spread.
struct LambdaEstimate {
  double value = 0.0;      ///< least squares over the carrying neurons
  double min = 0.0, max = 0.0;  ///< per-neuron values
  double relative_spread = 0.0; ///< RMS of (lambda_k - value) / value over the carrying neurons
  int neurons = 0;
};

/// Relative stationarity (header comment), also the gradient with sigma'(0) = 0 for comparison.
struct Stationarity {
  double relative = 0.0;            ///< the verdict's number: |grad J| / (lambda |theta|), subdifferential choice
  double relative_naive = 0.0;      ///< the same with sigma'(0) = 0 (PyTorch's gradient)
  double max_relative = 0.0;        ///< the worst block (a carrying neuron against its own force, or c, c0)
  double max_relative_naive = 0.0;  ///< the same with sigma'(0) = 0 (PyTorch's gradient)
  std::string worst;                ///< the worst block, e.g. "neuron 3"
  double worst_data_ratio = 0.0;    ///< worst neuron: |data gradient of (v, w)| / (lambda |(v, w)|) (1 at stationarity)
  int worst_active_points = 0;      ///< worst neuron: data points where it is active
  double affine_relative = 0.0;     ///< max over the blocks c, c0 (the unregularised parameters)
  double floor = 0.0;               ///< floor of `relative` from the storage rounding of the weights
  double gradient_norm = 0.0;       ///< |grad J| over all parameters, subdifferential choice
  double gradient_norm_naive = 0.0; ///< |grad J| with sigma'(0) = 0
  double scale = 0.0;               ///< lambda |theta| (theta: v and w), the size of one of the terms that cancel
  int kink_points = 0;              ///< (neuron, point) pairs within kink_tol of the hyperplane
  double min_kink_distance = 0.0;   ///< smallest |z_nk| / scale_nk over carrying neurons and points
  int blocks = 0;                   ///< blocks judged
};

struct CheckReport {
  std::vector<Diagnostic> diagnostics;
  bool deep = false;
  int N = 0, d = 0, K = 0;
  bool skip = true;
  double lambda = 0.0;          ///< the lambda the verdicts use (given, or estimated)
  bool lambda_estimated = false;
  LambdaEstimate estimate;      ///< always computed (shallow)
  double objective = 0.0;       ///< J at lambda
  double data_fit = 0.0;
  double weight_decay = 0.0, path_norm = 0.0, rtv = 0.0, rtv_ball = 0.0, data_radius = 0.0;
  BalanceCheck balance;
  double hidden_bias_imbalance = 0.0;  ///< max over judged neurons of | |v| - |(w, b)| | / max
  Stationarity stationarity;
  ShallowNet reduced;            ///< the reduced network (sparsity), balanced
  double optimum = 0.0;          ///< J* (d = 1: exact; d = 2: the certified dual value) or NaN
  double optimum_gap = 0.0;      ///< (J - J*) / J* or NaN
  int optimum_neurons = 0;
  bool passed() const;           ///< no diagnostic Fails
};

/// Every diagnostic of the header comment for a shallow network and its training data (X: N x d, y: N). Throws
/// InputError for bad input (shapes, NaN, the network's dimension differing from the data's, N < 1, bad options).
CheckReport check_network(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                          const CheckOptions& opt = {});

/// The diagnostics that apply to a deep network (header comment); data are not needed.
CheckReport check_deep_network(const DeepNet& net, const CheckOptions& opt = {});

/// Relative stationarity of net at lambda > 0 (the stationarity diagnostic alone; header comment), with opt's
/// carry_tol, kink_tol and unit_roundoff.
Stationarity stationarity(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                          const CheckOptions& opt = {});

/// lambda from the stationarity equations of the carrying neurons (header comment); value 0 if no neuron carries.
LambdaEstimate estimate_lambda(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                               const CheckOptions& opt = {});

/// The report as the JSON object of `rtv check --json` (without the file names and activation fields the command
/// adds): kind, d, N, K, skip_connection, lambda, lambda_estimated, lambda_estimate {value, min, max,
/// relative_spread, neurons}, objective, data_fit, path_norm, rtv, rtv_ball, data_radius, optimum, optimum_gap,
/// optimum_neurons, reduced_neurons (shallow only), weight_decay, passed, diagnostics [{id, title, theorem, verdict,
/// measured, op, bar, summary, details}]; non-finite numbers are null. The one serialisation of a CheckReport: the
/// command (cli/commands/check.cpp) and the Python module (CheckReport.to_dict) both use it.
std::string check_report_json(const CheckReport& rep);

/// rtv's lambda for PyTorch's weight_decay wd on the weights (SGD: the gradient of wd/2 |theta|^2) with a loss
/// that is the mean (mean_loss) or the sum of (f - y)^2 over n_points: J_torch = (1/N or 1) sum r^2 + wd/2 |theta|^2
/// is (2/N or 2) J with lambda = N wd / 2 (mean) or wd / 2 (sum).
double lambda_from_pytorch(double weight_decay, int n_points, bool mean_loss = true);

}  // namespace rtv
