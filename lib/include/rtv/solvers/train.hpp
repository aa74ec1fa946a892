// rtv/solvers/train.hpp: deterministic full-batch training of shallow ReLU networks with weight decay (THEORY.md s.2):
//
//   J(theta) = 1/2 sum_n (f(x_n) - y_n)^2 + lambda WD(theta),   WD = 1/2 sum_k (v_k^2 + |w_k|^2)
//
// (biases b_k and the skip connection c, c0 are not regularised), by gradient descent or Adam, and a path-norm
// proximal scheme (after PathProx, Yang et al. 2022) on 1/2 |f(X) - y|^2 + lambda PN(theta): a gradient step
// on the data term, input weights normalised (a_k = v_k |w_k|, offset t_k), a soft threshold of a_k (exact
// zeros), rebalancing (|v_k| = |w_k|); details and the measured reasons in train.cpp. The two problems have the
// same optimal value and the same fixed points (THEORY.md s.2): measured, GD and prox reach the same objective
// to 3e-8 (d = 1) and 2e-6 (d = 2).
//
// Determinism: single-threaded dense algebra (Eigen, no OpenMP), fixed operation order: the same seed and
// options give bit-identical networks and histories.
//
// History (recorded every `history_stride` steps, and at the end): objective, data term, WD, PN, max imbalance
// of active neurons (| |v| - |w| | / max(|v|, |w|)), active neurons (|v| |w| > active_tol max |v| |w|), and the drift of the
// per-neuron quantity Q_k = v_k^2 - |w_k|^2 - b_k^2, conserved by gradient flow without weight decay, with
// dQ_k/dt = -2 lambda (v_k^2 - |w_k|^2) with it (THEORY.md s.2).
#pragma once

#include <Eigen/Core>
#include <functional>
#include <cstdint>
#include <string>
#include <vector>

#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/core/random.hpp"

namespace rtv {

enum class Optimizer { GD, Adam, PathProx };
Optimizer parse_optimizer(const std::string& name, const std::string& source = "optimizer");
std::string optimizer_name(Optimizer o);

/// The memory training a width-K network on N points in R^d needs, against the budget (rtv/core/budget.hpp):
/// InputError naming "width" if K (4 N + 8 (d + 2)) doubles exceed it. train() calls it; call it before
/// init_network to refuse a width before the initial network is allocated.
void check_training_memory(std::int64_t N, std::int64_t d, std::int64_t width);

/// Random initialisation: w_k ~ scale N(0, I_d / d), b_k ~ scale N(0, 1) / sqrt(d), v_k ~ scale N(0, 1) / sqrt(K),
/// c = 0, c0 = 0. Small initialisation: scale << 1.
ShallowNet init_network(Rng& rng, int d, int width, double scale = 1.0, bool skip = true);

struct TrainOptions {
  Optimizer optimizer = Optimizer::GD;
  double lambda = 0.0;          ///< >= 0: weight (WD for GD/Adam, PN for PathProx)
  double learning_rate = 1e-3;  ///< > 0
  int max_steps = 10000;        ///< >= 0
  double grad_tol = 0.0;        ///< stop when the gradient norm of J is <= grad_tol (0: off; GD and Adam)
  double rel_tol = 0.0;         ///< stop when |J_k - J_{k-100}| <= rel_tol |J_k| (0: off)
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  int history_stride = 0;       ///< record the history every this many steps (0: only start and end)
  /// a neuron is active when |v_k| |w_k| > active_tol x max_j |v_j| |w_j| (relative: weight decay shrinks
  /// unused neurons only exponentially, and their relative imbalance need not shrink)
  double active_tol = 1e-3;
  /// Progress callback (e.g. a stderr line), called every `progress_stride` steps (0: never).
  int progress_stride = 0;
  std::function<void(int step, double objective)> progress;
  /// Throws InputError naming the option when an option is out of range.
  void validate() const;
};

/// Why training stopped (in the spirit of Eigen's ComputationInfo): code for decisions, `message` for people.
enum class TrainStatus {
  MaxSteps,           ///< o.max_steps reached (not converged)
  GradientTolerance,  ///< |grad J| <= o.grad_tol (converged)
  ObjectiveStalled,   ///< relative change of the objective over 100 steps <= o.rel_tol (converged)
  Diverged,           ///< non-finite objective
};
/// "max_steps", "gradient_tolerance", "objective_stalled", "diverged".
const char* to_string(TrainStatus s);

struct TrainRecord {
  int step = 0;
  double objective = 0, data = 0, weight_decay = 0, path_norm = 0;
  double max_imbalance = 0;  ///< over active neurons
  int active = 0;
  double conserved_drift = 0;  ///< max_k |Q_k(step) - Q_k(0)|
};

struct TrainResult {
  ShallowNet net;  ///< PathProx: balanced (|v_k| = |w_k|)
  std::vector<TrainRecord> history;
  int steps = 0;
  bool converged = false;  ///< a stopping rule fired (not max_steps, not diverged)
  TrainStatus status = TrainStatus::MaxSteps;
  std::string message = "max_steps";  ///< the stopping rule in words, with its threshold
  double objective = 0.0;  ///< final J (PathProx: data + lambda PN = J of the balanced net)
  double grad_norm = 0.0;  ///< final gradient norm of J (GD/Adam)
};

/// Train from `init` on data X (N x d), y (N). Throws InputError on inconsistent shapes or non-finite data.
TrainResult train(const ShallowNet& init, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const TrainOptions& o);

/// One history record of `net` (Q0: the Q_k at step 0).
TrainRecord train_record(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                         const Eigen::VectorXd& Q0, int step, double active_tol = 1e-3);

struct DeepTrainResult {
  DeepNet net;
  int steps = 0;
  bool converged = false;
  TrainStatus status = TrainStatus::MaxSteps;
  std::string message = "max_steps";
  double objective = 0.0, data = 0.0, weight_decay = 0.0, grad_norm = 0.0;
};

/// Train a deep network (rtv/nets/deep.hpp) with the same GD / Adam steps, options and stopping rules (PathProx is
/// an InputError for deep networks). Y is N x n_L. Deterministic like train().
DeepTrainResult train(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                      const TrainOptions& o);

}  // namespace rtv
