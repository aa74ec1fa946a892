// Full-batch training with weight decay (GD, Adam) and the path-norm proximal scheme (header comment of
// train.hpp; THEORY.md s.2), for shallow networks and for deep ones (deep.hpp): ONE loop, run_loop() below,
// holds the GD and Adam updates and the stopping rules (gradient norm, relative change, divergence) and the
// progress callback for both; it visits a network's parameter blocks through for_each_block(). PathProx is a
// shallow-only step plugged into the same loop.
#include "rtv/solvers/train.hpp"

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "rtv/nets/deep.hpp"
#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/nets/norms.hpp"

namespace rtv {

Optimizer parse_optimizer(const std::string& name, const std::string& source) {
  if (name == "gd") return Optimizer::GD;
  if (name == "adam") return Optimizer::Adam;
  if (name == "prox") return Optimizer::PathProx;
  throw input_error(source, "unknown optimizer '" + name + "' (gd, adam, prox)");
}

std::string optimizer_name(Optimizer o) {
  return o == Optimizer::GD ? "gd" : (o == Optimizer::Adam ? "adam" : "prox");
}

void check_training_memory(std::int64_t N, std::int64_t d, std::int64_t width) {
  // What a step holds, per neuron: a few N x K pre-activation arrays and ~8 copies of the K (d + 2) weights
  // (network, gradient, Adam's moments, the records' balanced copies) (issue 20: --width 1e8).
  check_memory("width", "training (K x (4 N + 8 (d + 2)) doubles)",
               {std::uint64_t(width), 4 * std::uint64_t(N) + 8 * (std::uint64_t(d) + 2)});
}

ShallowNet init_network(Rng& rng, int d, int width, double scale, bool skip) {
  if (d < 1 || width < 1) throw input_error("init", "dimension and width must be at least 1");
  if (!(scale > 0) || !std::isfinite(scale)) throw input_error("init", "the initialisation scale must be positive");
  check_memory("width", "a network", {std::uint64_t(width), std::uint64_t(d) + 2});
  ShallowNet net = ShallowNet::zeros(d, width, skip);
  net.W = rng.normal_matrix(width, d) * (scale / std::sqrt(static_cast<double>(d)));
  net.b = rng.normal_vector(width) * (scale / std::sqrt(static_cast<double>(d)));
  net.v = rng.normal_vector(width) * (scale / std::sqrt(static_cast<double>(width)));
  return net;
}

void TrainOptions::validate() const {
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw input_error("lambda", "must be a number >= 0");
  if (!(learning_rate > 0) || !std::isfinite(learning_rate)) throw input_error("learning_rate", "must be a number > 0");
  if (max_steps < 0) throw input_error("max_steps", "must be >= 0");
  if (!(grad_tol >= 0)) throw input_error("grad_tol", "must be >= 0");
  if (!(rel_tol >= 0)) throw input_error("rel_tol", "must be >= 0");
  if (history_stride < 0 || progress_stride < 0) throw input_error("strides", "must be >= 0");
  if (!(adam_beta1 >= 0 && adam_beta1 < 1 && adam_beta2 >= 0 && adam_beta2 < 1 && adam_eps > 0))
    throw input_error("adam", "beta1, beta2 in [0, 1) and eps > 0");
}

const char* to_string(TrainStatus s) {
  switch (s) {
    case TrainStatus::MaxSteps: return "max_steps";
    case TrainStatus::GradientTolerance: return "gradient_tolerance";
    case TrainStatus::ObjectiveStalled: return "objective_stalled";
    case TrainStatus::Diverged: return "diverged";
  }
  return "unknown";
}

namespace {

Eigen::VectorXd conserved(const ShallowNet& net) {
  return net.v.array().square() - net.W.rowwise().squaredNorm().array() - net.b.array().square();
}

// Calls f(block of p, block of n...) for every parameter block of networks of p's shape, in a fixed order.
// Blocks are Eigen matrices/vectors, or doubles (the shallow c0 and each entry of a deep stage's output bias c).
// Shallow: W, b, v, c (only with skip), c0. Deep, stage by stage: U_1, ..., U_m, W, b, V (only if present),
// C (only with skip), c entry by entry. The deep output bias is visited as scalars so that a one-stage deep network
// takes exactly the shallow c0's floating-point operations: Adam's second moment of a scalar is ((1 - beta2) g) g,
// of an array (1 - beta2) (g g), and the two round differently. Non-parameters (c or C without skip) are not
// visited; their gradient is zero, so visiting them would not change them either.
template <class F, class P, class... N>
void for_each_block(F&& f, P& p, N&... n) {
  if constexpr (std::is_same_v<std::remove_const_t<P>, ShallowNet>) {
    f(p.W, n.W...);
    f(p.b, n.b...);
    f(p.v, n.v...);
    if (p.skip) f(p.c, n.c...);
    f(p.c0, n.c0...);
  } else {
    static_assert(std::is_same_v<std::remove_const_t<P>, DeepNet>, "ShallowNet or DeepNet");
    for (size_t l = 0; l < p.stages.size(); ++l) {
      auto& s = p.stages[l];
      for (size_t j = 0; j < s.linear.size(); ++j) f(s.linear[j], n.stages[l].linear[j]...);
      f(s.W, n.stages[l].W...);
      f(s.b, n.stages[l].b...);
      if (s.has_V()) f(s.V, n.stages[l].V...);
      if (s.skip) f(s.C, n.stages[l].C...);
      for (Eigen::Index i = 0; i < s.c.size(); ++i) f(s.c(i), n.stages[l].c(i)...);
    }
  }
}

double squared_norm(double x) { return x * x; }
template <class D>
double squared_norm(const Eigen::MatrixBase<D>& x) {
  return x.squaredNorm();
}

// |grad J|_2 over the parameter blocks (shallow: |W|^2 + |b|^2 + |v|^2 + |c|^2 + c0^2, summed in this order; without
// skip the c block is not visited, and its gradient is zero anyway).
template <class Net>
double grad_norm(const Net& g) {
  double sum = 0.0;
  for_each_block([&](const auto& block) { sum += squared_norm(block); }, g);
  return std::sqrt(sum);
}

// PathProx's gradient step: theta <- theta - step g for every block (c only with skip).
void descend(ShallowNet& net, const ShallowNetGradient& g, double lr) {
  net.W -= lr * g.W;
  net.b -= lr * g.b;
  net.v -= lr * g.v;
  if (net.skip) net.c -= lr * g.c;
  net.c0 -= lr * g.c0;
}

ShallowNet zeros_like(const ShallowNet& net) { return ShallowNet::zeros(net.dim(), net.width(), net.skip); }
DeepNet zeros_like(const DeepNet& net) {
  DeepNet z = net;
  for_each_block(
      [](auto& block) {
        if constexpr (std::is_same_v<std::decay_t<decltype(block)>, double>) block = 0.0;
        else block.setZero();
      },
      z);
  return z;
}

// The objective at the current parameters: J (its gradient is written by the caller's evaluator) and the value
// the stopping rules and the progress callback see (J for GD/Adam; data + lambda PN for PathProx).
struct Evaluation {
  Objective J;
  double reported = 0.0;
};

struct LoopOutcome {
  int steps = 0;
  bool converged = false;
  TrainStatus status = TrainStatus::MaxSteps;
  std::string message = "max_steps";
};

// The training loop of every network type (GD and Adam updates, stopping rules, progress callback):
//   evaluate(const Net&, Net& grad) -> Evaluation    the objective and its gradient,
//   prox_step(Net&, const Evaluation&, const Net&)   the PathProx update (only called for Optimizer::PathProx),
//   after_step(int steps_done)                       history records.
// Per step: evaluate; stop on a non-finite objective, on |grad J| <= grad_tol (not PathProx), or (every 100
// steps) on a relative change <= rel_tol over the last 100 steps; progress callback; update.
template <class Net, class Evaluate, class ProxStep, class AfterStep>
LoopOutcome run_loop(Net& net, const TrainOptions& o, Evaluate&& evaluate, ProxStep&& prox_step,
                     AfterStep&& after_step) {
  const bool prox = o.optimizer == Optimizer::PathProx;
  LoopOutcome res;
  Net g, m, s;
  if (o.optimizer == Optimizer::Adam) {
    m = zeros_like(net);
    s = m;
  }
  double b1t = 1.0, b2t = 1.0;
  std::vector<double> window;  // J every 100 steps for the relative-change rule
  int step = 0;
  for (; step < o.max_steps; ++step) {
    const Evaluation E = evaluate(static_cast<const Net&>(net), g);
    const double Jrep = E.reported;
    if (!std::isfinite(Jrep)) {
      res.status = TrainStatus::Diverged;
      res.message = "diverged (non-finite objective): lower the learning rate";
      break;
    }
    if (!prox && o.grad_tol > 0 && grad_norm(g) <= o.grad_tol) {
      res.converged = true;
      res.status = TrainStatus::GradientTolerance;
      res.message = "gradient norm <= " + std::to_string(o.grad_tol);
      break;
    }
    if (o.rel_tol > 0 && step % 100 == 0) {
      if (!window.empty() && std::abs(window.back() - Jrep) <= o.rel_tol * std::abs(Jrep)) {
        res.converged = true;
        res.status = TrainStatus::ObjectiveStalled;
        res.message = "relative objective change over 100 steps <= " + std::to_string(o.rel_tol);
        break;
      }
      window.push_back(Jrep);
    }
    if (o.progress && o.progress_stride > 0 && step % o.progress_stride == 0) o.progress(step, Jrep);
    switch (o.optimizer) {
      case Optimizer::GD:
        // theta <- theta - lr grad, block by block.
        for_each_block([&](auto& p, const auto& gb) { p -= o.learning_rate * gb; }, net, static_cast<const Net&>(g));
        break;
      case Optimizer::Adam: {
        b1t *= o.adam_beta1;
        b2t *= o.adam_beta2;
        // Kingma & Ba's update with bias correction, block by block (coefficient-wise, so the order of the
        // blocks does not matter): m <- b1 m + (1 - b1) g, s <- b2 s + (1 - b2) g^2,
        // theta <- theta - lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps). The two branches are the
        // expressions of the earlier per-field code (scalar c0 and arrays), so results are bit for bit unchanged.
        auto adam = [&](auto& p, const auto& gg, auto& mm, auto& ss) {
          if constexpr (std::is_same_v<std::decay_t<decltype(p)>, double>) {
            mm = o.adam_beta1 * mm + (1 - o.adam_beta1) * gg;
            ss = o.adam_beta2 * ss + (1 - o.adam_beta2) * gg * gg;
            const double dir = (mm / (1 - b1t)) / (std::sqrt(ss / (1 - b2t)) + o.adam_eps);
            p -= o.learning_rate * dir;
          } else {
            mm = o.adam_beta1 * mm + (1 - o.adam_beta1) * gg;
            ss = o.adam_beta2 * ss + (1 - o.adam_beta2) * gg.cwiseProduct(gg);
            const auto dir =
                ((mm.array() / (1 - b1t)) / ((ss.array() / (1 - b2t)).sqrt() + o.adam_eps)).matrix().eval();
            p -= o.learning_rate * dir;
          }
        };
        for_each_block(adam, net, static_cast<const Net&>(g), m, s);
        break;
      }
      case Optimizer::PathProx:
        prox_step(net, E, static_cast<const Net&>(g));
        break;
    }
    after_step(step + 1);
  }
  res.steps = step;
  return res;
}

}  // namespace

TrainRecord train_record(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                         const Eigen::VectorXd& Q0, int step, double active_tol) {
  TrainRecord r;
  r.step = step;
  const Objective J = objective(net, X, y, lambda);
  r.objective = J.total;
  r.data = J.data;
  r.weight_decay = J.weight_decay;
  r.path_norm = path_norm(net);
  double amax = 0.0;
  for (int k = 0; k < net.width(); ++k) amax = std::max(amax, std::abs(net.v(k)) * net.W.row(k).norm());
  for (int k = 0; k < net.width(); ++k) {
    const double a = std::abs(net.v(k)), w = net.W.row(k).norm();
    if (a * w <= active_tol * amax || a * w == 0.0) continue;
    ++r.active;
    r.max_imbalance = std::max(r.max_imbalance, std::abs(a - w) / std::max(a, w));
  }
  r.conserved_drift = (conserved(net) - Q0).cwiseAbs().maxCoeff();
  return r;
}

namespace {

// PathProx in balanced coordinates (the network is balanced at every step): a gradient step on the data term, then
// per neuron a_k = v_k |w_k| with the input weights normalised, a soft threshold of a_k, and rebalancing
// v_k = sign(a_k) sqrt|a_k|, (w_k, b_k) = sqrt|a_k| (w_k, b_k) / |w_k|. In balanced coordinates the gradient step
// moves a_k with the step 2 eta |a_k| (|v|^2 + |w|^2 = 2|a|), so the prox of eta_k lambda |a_k| thresholds by
// tau_k = eta lambda max(2 |a_k|, floor): its fixed points are those of the path-norm problem (dF/da_k = -lambda
// sign a_k, or |dF/da_k| <= lambda at 0), and neurons below the floor (1e-2 of the largest 2|a|) are zeroed in
// finite time (the sparsity the prox is for). A plain step in normalised coordinates diverged or crawled
// (measured): the curvature in w_k grows like v_k^2 there.
// Safeguard: a step that ends above 1.5 x the best data + lambda PN so far is retried with half the step (a neuron
// whose hyperplane lies far outside the data acts like a large linear term; measured: one seed in four diverged
// without it); the step grows back by 2 after each accepted step, never above lr.
class PathProxStep {
 public:
  PathProxStep(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda, double learning_rate)
      : X_(X), y_(y), lambda_(lambda), lr_(learning_rate), eta_(learning_rate) {}

  // E: the evaluation of `net` (E.reported = data + lambda PN of net, the value this step used to recompute).
  void operator()(ShallowNet& net, const Evaluation& E, const ShallowNetGradient& g) {
    wn_.resize(net.width());  // the pre-step |w_k|, read three times per neuron below (same values as recomputing)
    double amax = 0.0;
    for (int k = 0; k < net.width(); ++k) {
      wn_(k) = net.W.row(k).norm();
      amax = std::max(amax, 2 * std::abs(net.v(k)) * wn_(k));
    }
    best_ = std::min(best_, E.reported);
    for (int tries = 0;; ++tries) {
      trial_ = net;  // a member: same sizes every step, so no allocation
      descend(trial_, g, eta_);
      threshold_and_rebalance(net, amax, trial_);
      const double pn = path_norm(trial_);
      // With the gradient: if the step is accepted, the next evaluation (the same call on the same network)
      // takes J and the gradient from here instead of a second pass over the data.
      const Objective Jt = objective(trial_, X_, y_, 0.0, &g_trial_);
      const double F1 = Jt.data + lambda_ * pn;
      if (F1 <= kBlowUp * best_ || tries >= kMaxHalvings) {  // guards against blow-up only (1.5 x the best
        // objective so far): at the ReLU kinks a strict decrease test shrinks the step to nothing (measured: it
        // crawled)
        std::swap(net, trial_);
        best_ = std::min(best_, F1);
        eta_ = std::min(lr_, 2 * eta_);
        accepted_pn_ = pn;
        accepted_J_ = Jt;
        has_accepted_ = true;
        return;
      }
      eta_ *= 0.5;
    }
  }

  /// The evaluation of the prox problem at `net` (objective(net, X, y, 0, &g) and data + lambda PN): from the
  /// last accepted step when `net` is that step's result (nothing changes the network between a step and the
  /// next evaluation: the same values as recomputing them), so each step runs the objective and the path norm
  /// once instead of twice and three times.
  Evaluation evaluate(const ShallowNet& net, ShallowNetGradient& g) {
    Evaluation E;
    if (has_accepted_) {
      has_accepted_ = false;
      E.J = accepted_J_;
      std::swap(g, g_trial_);
      E.reported = E.J.data + lambda_ * accepted_pn_;
      return E;
    }
    E.J = objective(net, X_, y_, 0.0, &g);
    E.reported = E.J.data + lambda_ * path_norm(net);
    return E;
  }

 private:
  static constexpr double kFloor = 1e-2;  // threshold floor, relative to the largest 2|a|: small neurons die in finite time
  static constexpr double kBlowUp = 1.5;  // a step ending above kBlowUp x the best objective so far is retried
  static constexpr int kMaxHalvings = 40; // then the step (eta 2^-40 lr) is taken whatever it gives

  // The soft threshold of a_k and the rebalancing, neuron by neuron, on the trial network after the gradient
  // step (`net`: the network before the step).
  void threshold_and_rebalance(const ShallowNet& net, double amax, ShallowNet& trial) const {
    for (int k = 0; k < trial.width(); ++k) {
      const double tau = eta_ * lambda_ * std::max(2 * std::abs(net.v(k)) * wn_(k), kFloor * amax);
      const double wn = trial.W.row(k).norm();
      double a = trial.v(k) * wn;
      a = a > tau ? a - tau : (a < -tau ? a + tau : 0.0);
      if (a == 0.0 || wn == 0.0) {
        trial.v(k) = 0.0;
        trial.W.row(k).setZero();
        trial.b(k) = 0.0;
        continue;
      }
      // The offset t = b / |w| is read with the pre-step |w|: the radial part of w's step changes the neuron's
      // scale (a), not its hyperplane, as in the weight-decay dynamics this must agree with at their common fixed
      // points (with the post-step |w| the fixed points moved: measured J 2% high).
      const double sq = std::sqrt(std::abs(a));
      const double t_off = trial.b(k) / wn_(k);
      trial.W.row(k) *= sq / wn;
      trial.b(k) = sq * t_off;
      trial.v(k) = a > 0 ? sq : -sq;
    }
  }

  const Eigen::MatrixXd& X_;
  const Eigen::VectorXd& y_;
  const double lambda_, lr_;
  double eta_;                                              // the safeguarded step
  double best_ = std::numeric_limits<double>::infinity();  // the best data + lambda PN so far
  ShallowNet trial_;                                        // the trial step's network (reused buffer)
  Eigen::VectorXd wn_;                                      // |w_k| before the step
  ShallowNetGradient g_trial_;                              // the gradient at trial_
  Objective accepted_J_;                                    // objective(., 0) of the last accepted step's network
  double accepted_pn_ = 0.0;                                // and its path norm
  bool has_accepted_ = false;
};

}  // namespace

TrainResult train(const ShallowNet& init, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const TrainOptions& o) {
  o.validate();
  init.validate("initial network");
  if (X.cols() != init.dim())
    throw input_error("data", "points have " + std::to_string(X.cols()) + " coordinates but the network's input "
                                                                          "dimension is " + std::to_string(init.dim()));
  if (X.rows() != y.size()) throw input_error("data", "X has " + std::to_string(X.rows()) + " rows but y has " +
                                                          std::to_string(y.size()) + " entries");
  if (!X.allFinite() || !y.allFinite()) throw input_error("data", "contains NaN or infinite values");
  check_training_memory(X.rows(), X.cols(), init.width());

  TrainResult res;
  ShallowNet net = init;
  const bool prox = o.optimizer == Optimizer::PathProx;
  if (prox) net = balance(net);
  const Eigen::VectorXd Q0 = conserved(init);
  // The reported objective: J for GD/Adam; data + lambda PN for PathProx (its problem).
  auto current = [&](const ShallowNet& n) {
    if (!prox) return objective(n, X, y, o.lambda).total;
    return objective(n, X, y, 0.0).data + o.lambda * path_norm(n);
  };
  auto record = [&](int step) {
    TrainRecord r = train_record(prox ? balance(net) : net, X, y, o.lambda, Q0, step, o.active_tol);
    if (prox) r.objective = current(net);
    res.history.push_back(r);
  };
  record(0);

  PathProxStep prox_step(X, y, o.lambda, o.learning_rate);
  auto evaluate = [&](const ShallowNet& n, ShallowNetGradient& g) {
    if (prox) return prox_step.evaluate(n, g);
    Evaluation E;
    E.J = objective(n, X, y, o.lambda, &g);
    E.reported = E.J.total;
    return E;
  };
  auto after_step = [&](int steps_done) {
    if (o.history_stride > 0 && steps_done % o.history_stride == 0) record(steps_done);
  };
  const LoopOutcome loop = run_loop(net, o, evaluate, prox_step, after_step);
  const int step = loop.steps;
  res.converged = loop.converged;
  res.status = loop.status;
  res.message = loop.message;
  res.steps = step;
  if (prox) net = balance(net);
  res.net = net;
  if (res.history.empty() || res.history.back().step != step) record(step);
  ShallowNetGradient gf;
  const Objective Jf = objective(net, X, y, o.lambda, &gf);
  res.objective = prox ? Jf.data + o.lambda * path_norm(net) : Jf.total;
  res.grad_norm = grad_norm(gf);
  return res;
}

DeepTrainResult train(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, const TrainOptions& o) {
  o.validate();
  if (o.optimizer == Optimizer::PathProx)
    throw input_error("optimizer", "prox (PathProx) trains shallow networks only; use gd or adam for a deep network");
  init.validate("initial network");
  if (X.cols() != init.dim())
    throw input_error("data", "points have " + std::to_string(X.cols()) + " coordinates but the network's input "
                                                                          "dimension is " + std::to_string(init.dim()));
  if (X.rows() != Y.rows() || Y.cols() != init.outputs())
    throw input_error("data", "X has " + std::to_string(X.rows()) + " rows and the network " +
                                  std::to_string(init.outputs()) + " outputs but the targets are " +
                                  std::to_string(Y.rows()) + " x " + std::to_string(Y.cols()));
  if (!X.allFinite() || !Y.allFinite()) throw input_error("data", "contains NaN or infinite values");

  DeepTrainResult res;
  DeepNet net = init;
  auto evaluate = [&](const DeepNet& n, DeepNetGradient& g) {
    Evaluation E;
    E.J = objective(n, X, Y, o.lambda, &g);
    E.reported = E.J.total;
    return E;
  };
  auto no_prox = [](DeepNet&, const Evaluation&, const DeepNetGradient&) {
    RTV_ASSERT(false, "PathProx is rejected for deep networks above");
  };
  const LoopOutcome loop = run_loop(net, o, evaluate, no_prox, [](int) {});
  res.steps = loop.steps;
  res.converged = loop.converged;
  res.status = loop.status;
  res.message = loop.message;
  res.net = std::move(net);
  DeepNetGradient gf;
  const Objective Jf = objective(res.net, X, Y, o.lambda, &gf);
  res.objective = Jf.total;
  res.data = Jf.data;
  res.weight_decay = Jf.weight_decay;
  res.grad_norm = grad_norm(gf);
  return res;
}

}  // namespace rtv
