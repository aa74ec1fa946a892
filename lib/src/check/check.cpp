// The diagnostics of `rtv check` (rtv/check/check.hpp; THEORY.md s.2, s.3, s.5, s.6).
#include "rtv/check/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/linear_layers.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "rtv/radon/windowed_radon.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/solvers/reduce.hpp"
#include "rtv/solvers/univariate.hpp"

namespace rtv {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDoubleRoundoff = 0x1p-53;

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}
std::string g3(double x) { return fmt("%.3g", x); }
std::string g6(double x) { return fmt("%.6g", x); }

// The neurons the verdicts judge: WD_k >= carry_tol max_j WD_j and WD_k > 0 (norms.hpp, check_balance).
std::vector<int> carrying_neurons(const ShallowNet& net, double carry_tol) {
  double wd_max = 0.0;
  std::vector<double> wd(net.width());
  for (int k = 0; k < net.width(); ++k) {
    wd[k] = 0.5 * (net.v(k) * net.v(k) + net.W.row(k).squaredNorm());
    wd_max = std::max(wd_max, wd[k]);
  }
  std::vector<int> out;
  for (int k = 0; k < net.width(); ++k)
    if (wd[k] > 0.0 && wd[k] >= carry_tol * wd_max) out.push_back(k);
  return out;
}

// One neuron's view of the data: pre-activations z_n, their rounding scales, and which points lie on the hyperplane.
struct NeuronData {
  Eigen::VectorXd z, scale;
  std::vector<int> kinks;  // points with |z_n| <= kink_tol scale_n
};

NeuronData neuron_data(const ShallowNet& net, const Eigen::MatrixXd& X, int k, double kink_tol) {
  NeuronData nd;
  nd.z = X * net.W.row(k).transpose();
  nd.z.array() -= net.b(k);
  nd.scale = (X.cwiseAbs() * net.W.row(k).cwiseAbs().transpose()).array() + std::abs(net.b(k));
  for (Eigen::Index n = 0; n < X.rows(); ++n)
    if (std::abs(nd.z(n)) <= kink_tol * nd.scale(n)) nd.kinks.push_back(static_cast<int>(n));
  return nd;
}

// The (w, b) block of neuron k's gradient at lambda, with the subgradient s_n in [0, 1] at the kink points chosen to
// minimise its norm (bounded least squares) or, if !choose, s_n = 1[z_n > 0] (sigma'(0) = 0). Also the sum of the
// magnitudes of its terms (the relative measure's denominator). `rounding`: per point, the uncertainty of r_n from
// the storage of the weights (added to |r_n| in the magnitudes).
struct WbBlock {
  Eigen::VectorXd g;   // (dJ/dw, dJ/db), d + 1 entries
  double magnitude = 0.0;
  double rounding = 0.0;  // the part of the magnitude from the residuals' storage rounding alone
  Eigen::VectorXd s;   // the chosen subgradients at the kink points
};

WbBlock wb_block(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& r, const Eigen::VectorXd& du,
                 int k, const NeuronData& nd, double lambda, bool choose) {
  const int d = net.dim();
  const double vk = net.v(k);
  WbBlock out;
  out.g = Eigen::VectorXd::Zero(d + 1);
  out.g.head(d) = lambda * net.W.row(k).transpose();
  out.magnitude = lambda * net.W.row(k).norm();
  std::vector<char> is_kink(X.rows(), 0);
  if (choose)
    for (int n : nd.kinks) is_kink[n] = 1;
  auto point = [&](Eigen::Index n) {
    Eigen::VectorXd p(d + 1);
    p.head(d) = X.row(n).transpose();
    p(d) = -1.0;
    return p;
  };
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    if (is_kink[n] || !(nd.z(n) > 0.0)) continue;
    const Eigen::VectorXd p = point(n);
    out.g += vk * r(n) * p;
    out.magnitude += std::abs(vk) * (std::abs(r(n)) + du(n)) * p.norm();
    out.rounding += std::abs(vk) * du(n) * p.norm();
  }
  if (choose && !nd.kinks.empty()) {
    const int m = static_cast<int>(nd.kinks.size());
    Eigen::MatrixXd G(d + 1, m);
    for (int i = 0; i < m; ++i) G.col(i) = vk * r(nd.kinks[i]) * point(nd.kinks[i]);
    const BoundedLeastSquares bl =
        bounded_least_squares(G, -out.g, Eigen::VectorXd::Zero(m), Eigen::VectorXd::Ones(m));
    out.s = bl.x;
    out.g += G * bl.x;
    for (int i = 0; i < m; ++i)
      out.magnitude += std::abs(vk) * (std::abs(r(nd.kinks[i])) + du(nd.kinks[i])) * bl.x(i) *
                       point(nd.kinks[i]).norm();
    for (int i = 0; i < m; ++i) out.rounding += std::abs(vk) * du(nd.kinks[i]) * bl.x(i) * point(nd.kinks[i]).norm();
  }
  return out;
}

// The data gradient of v_k (sum_n r_n sigma(z_n)) and its magnitude.
void v_block(const Eigen::VectorXd& r, const Eigen::VectorXd& du, const NeuronData& nd, double& data, double& mag) {
  data = 0.0, mag = 0.0;
  for (Eigen::Index n = 0; n < r.size(); ++n) {
    const double h = nd.z(n) > 0.0 ? nd.z(n) : 0.0;
    data += r(n) * h;
    mag += (std::abs(r(n)) + du(n)) * h;
  }
}

double relative(double num, double den) { return den > 0.0 ? num / den : (num > 0.0 ? 1.0 : 0.0); }

// Per point: the uncertainty of f(x_n) from storing the weights with unit roundoff u (each weight rounded by <= u
// relative changes f by <= u S_n, S_n the evaluation scale; 4 u S_n with margin, plus the evaluation's own rounding).
Eigen::VectorXd residual_rounding(const ShallowNet& net, const Eigen::MatrixXd& X, double u) {
  return (4.0 * u + (net.dim() + 3) * tol::kEps) * evaluation_scale(net, X);
}

void require_inputs(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  net.validate("network");
  if (X.rows() < 1) throw input_error("data", "no data points");
  if (X.rows() != y.size()) throw input_error("data", "X has " + std::to_string(X.rows()) + " rows but y has " +
                                                          std::to_string(y.size()) + " entries");
  if (X.cols() != net.dim())
    throw input_error("data", "points in R^" + std::to_string(X.cols()) + " but the network's input dimension is " +
                                  std::to_string(net.dim()));
  if (!X.allFinite() || !y.allFinite()) throw input_error("data", "NaN or infinite values");
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::Fails: return "FAILS";
    case Verdict::Note: return "note";
    case Verdict::NotApplicable: return "n/a";
  }
  return "?";
}

void CheckOptions::validate() const {
  if (!(std::isfinite(lambda) && lambda >= 0)) throw input_error("lambda", "must be a finite number >= 0 (0: estimate)");
  if (!(carry_tol >= 0 && carry_tol < 1)) throw input_error("carry_tol", "must be in [0, 1)");
  if (!(tol > 0 && tol < 1)) throw input_error("tol", "must be in (0, 1)");
  if (!(kink_tol >= 0 && kink_tol < 1)) throw input_error("kink_tol", "must be in [0, 1)");
  if (!(max_gap >= 0 && std::isfinite(max_gap))) throw input_error("max_gap", "must be a finite number >= 0");
  if (!(unit_roundoff >= 0 && unit_roundoff < 0.5)) throw input_error("unit_roundoff", "must be in [0, 0.5)");
  if (threads < 0) throw input_error("threads", "must be >= 0");
}

bool CheckReport::passed() const {
  for (const Diagnostic& d : diagnostics)
    if (d.verdict == Verdict::Fails) return false;
  return true;
}

double lambda_from_pytorch(double weight_decay, int n_points, bool mean_loss) {
  return mean_loss ? 0.5 * n_points * weight_decay : 0.5 * weight_decay;
}


Stationarity stationarity(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                          const CheckOptions& opt) {
  require_inputs(net, X, y);
  RTV_ASSERT(lambda > 0, "lambda > 0");
  const double u = opt.unit_roundoff > 0 ? opt.unit_roundoff : kDoubleRoundoff;
  const Eigen::VectorXd r = evaluate(net, X) - y;
  const Eigen::VectorXd du = residual_rounding(net, X, u);
  Stationarity st;
  st.min_kink_distance = std::numeric_limits<double>::infinity();
  double g2 = 0.0, g2_naive = 0.0, theta2 = 0.0, floor2 = 0.0;
  auto judge = [&](double rel, double rel_naive, const std::string& what) {
    ++st.blocks;
    if (rel > st.max_relative) st.max_relative = rel, st.worst = what;
    st.max_relative_naive = std::max(st.max_relative_naive, rel_naive);
  };
  const std::vector<int> carrying = carrying_neurons(net, opt.carry_tol);
  std::vector<char> judged(net.width(), 0);
  for (int k : carrying) judged[k] = 1;
  for (int k = 0; k < net.width(); ++k) {
    const NeuronData nd = neuron_data(net, X, k, opt.kink_tol);
    double dv = 0.0, mv = 0.0;
    v_block(r, du, nd, dv, mv);
    const double gv = dv + lambda * net.v(k);
    mv += lambda * std::abs(net.v(k));
    const WbBlock wb = wb_block(net, X, r, du, k, nd, lambda, true);
    const WbBlock wb0 = wb_block(net, X, r, du, k, nd, lambda, false);
    g2 += gv * gv + wb.g.squaredNorm();
    g2_naive += gv * gv + wb0.g.squaredNorm();
    theta2 += net.v(k) * net.v(k) + net.W.row(k).squaredNorm();
    if (!judged[k]) continue;
    st.kink_points += static_cast<int>(nd.kinks.size());
    for (Eigen::Index n = 0; n < X.rows(); ++n)
      if (nd.scale(n) > 0) st.min_kink_distance = std::min(st.min_kink_distance, std::abs(nd.z(n)) / nd.scale(n));
    // Neuron k's block (v_k, w_k, b_k) against lambda |(v_k, w_k)|, the size of each of the two forces that cancel
    // at stationarity (the data gradient and the regulariser's); the storage rounding of the residuals gives the floor.
    double rv = 0.0;
    for (Eigen::Index n = 0; n < X.rows(); ++n) rv += du(n) * std::max(0.0, nd.z(n));
    const double force = lambda * std::sqrt(net.v(k) * net.v(k) + net.W.row(k).squaredNorm());
    const double rel = relative(std::sqrt(gv * gv + wb.g.squaredNorm()), force);
    const double rel_naive = relative(std::sqrt(gv * gv + wb0.g.squaredNorm()), force);
    floor2 += (rv + wb.rounding) * (rv + wb.rounding);
    const double before = st.max_relative;
    judge(rel, rel_naive, "neuron " + std::to_string(k));
    if (st.max_relative > before) {
      // The data gradient of (v_k, w_k) against the force: ~1 at stationarity, ~0 for a neuron the data do not
      // reach (inactive at every point), which weight decay only shrinks geometrically.
      Eigen::VectorXd data(net.dim() + 1);
      data(0) = dv;
      data.tail(net.dim()) = wb.g.head(net.dim()) - lambda * net.W.row(k).transpose();
      st.worst_data_ratio = relative(data.norm(), force);
      int active = 0;
      for (Eigen::Index n = 0; n < X.rows(); ++n) active += nd.z(n) > 0;
      st.worst_active_points = active;
    }
    (void)mv;
  }
  // The unregularised parameters: c (skip connection) and c0 must have zero data gradient.
  double s0 = 0.0, m0 = 0.0;
  Eigen::VectorXd sc = Eigen::VectorXd::Zero(net.dim());
  double mc = 0.0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    s0 += r(n), m0 += std::abs(r(n)) + du(n);
    sc += r(n) * X.row(n).transpose();
    mc += (std::abs(r(n)) + du(n)) * X.row(n).norm();
  }
  const double rel0 = relative(std::abs(s0), m0);
  judge(rel0, rel0, "output bias c0");
  st.affine_relative = rel0;
  g2 += s0 * s0, g2_naive += s0 * s0;
  if (net.skip) {
    const double relc = relative(sc.norm(), mc);
    judge(relc, relc, "skip connection c");
    st.affine_relative = std::max(st.affine_relative, relc);
    g2 += sc.squaredNorm(), g2_naive += sc.squaredNorm();
  }
  if (!std::isfinite(st.min_kink_distance)) st.min_kink_distance = 0.0;
  st.gradient_norm = std::sqrt(g2);
  st.gradient_norm_naive = std::sqrt(g2_naive);
  st.scale = lambda * std::sqrt(theta2);
  st.relative = relative(st.gradient_norm, st.scale);
  st.relative_naive = relative(st.gradient_norm_naive, st.scale);
  st.floor = relative(std::sqrt(floor2), st.scale);
  return st;
}

LambdaEstimate estimate_lambda(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                               const CheckOptions& opt) {
  require_inputs(net, X, y);
  const double u = opt.unit_roundoff > 0 ? opt.unit_roundoff : kDoubleRoundoff;
  const Eigen::VectorXd r = evaluate(net, X) - y;
  const Eigen::VectorXd du = residual_rounding(net, X, u);
  const std::vector<int> carrying = carrying_neurons(net, opt.carry_tol);
  LambdaEstimate est;
  est.neurons = static_cast<int>(carrying.size());
  if (carrying.empty()) return est;
  std::vector<NeuronData> nds;
  std::vector<double> dvs;
  for (int k : carrying) {
    nds.push_back(neuron_data(net, X, k, opt.kink_tol));
    double dv = 0.0, mv = 0.0;
    v_block(r, du, nds.back(), dv, mv);
    dvs.push_back(dv);
  }
  // Coordinate descent on Phi(lambda, s) = sum_k (lambda v_k + Dv_k)^2 + |(lambda w_k + Dw_k(s), Db_k(s))|^2 (convex):
  // lambda by least squares at fixed s, then each neuron's s by bounded least squares at fixed lambda. The data
  // gradient D_k(s) of (v_k, w_k) is the block wb_block returns at lambda = 0.
  std::vector<Eigen::VectorXd> dw(carrying.size());
  double lambda = 0.0;
  for (int it = 0; it < 100; ++it) {
    double num = 0.0, den = 0.0;
    for (std::size_t i = 0; i < carrying.size(); ++i) {
      const int k = carrying[i];
      // s at the current lambda (the first round: sigma'(0) = 0 at the kink points).
      const WbBlock wb = wb_block(net, X, r, du, k, nds[i], lambda, it > 0);
      dw[i] = wb.g.head(net.dim()) - lambda * net.W.row(k).transpose();  // the data part of dJ/dw_k
      num += net.v(k) * dvs[i] + net.W.row(k).dot(dw[i]);
      den += net.v(k) * net.v(k) + net.W.row(k).squaredNorm();
    }
    const double next = den > 0 ? -num / den : 0.0;
    const bool settled = it > 0 && std::abs(next - lambda) <= 1e-15 * std::abs(next);
    lambda = next;
    if (settled) break;
  }
  est.value = lambda;
  est.min = std::numeric_limits<double>::infinity(), est.max = -est.min;
  double ss = 0.0;
  for (std::size_t i = 0; i < carrying.size(); ++i) {
    const int k = carrying[i];
    const double t2 = net.v(k) * net.v(k) + net.W.row(k).squaredNorm();
    const double lk = -(net.v(k) * dvs[i] + net.W.row(k).dot(dw[i])) / t2;
    est.min = std::min(est.min, lk), est.max = std::max(est.max, lk);
    if (lambda != 0.0) ss += (lk - lambda) * (lk - lambda) / (lambda * lambda);
  }
  est.relative_spread = std::sqrt(ss / static_cast<double>(carrying.size()));
  return est;
}

namespace {

Diagnostic make(std::string id, std::string title, std::string theorem) {
  Diagnostic d;
  d.id = std::move(id), d.title = std::move(title), d.theorem = std::move(theorem);
  return d;
}

void judge_at_most(Diagnostic& d, double measured, double bar) {
  d.measured = measured, d.op = "<=", d.bar = bar;
  d.verdict = measured <= bar ? Verdict::Holds : Verdict::Fails;
}

}  // namespace

CheckReport check_network(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                          const CheckOptions& opt) {
  opt.validate();
  require_inputs(net, X, y);
  CheckReport rep;
  rep.N = static_cast<int>(X.rows()), rep.d = net.dim(), rep.K = net.width(), rep.skip = net.skip;
  const double u = opt.unit_roundoff > 0 ? opt.unit_roundoff : kDoubleRoundoff;
  const int N = rep.N, d = rep.d;

  // ---- norms ----
  rep.weight_decay = weight_decay(net);
  rep.path_norm = path_norm(net);
  rep.rtv = rtv_exact(net);
  for (Eigen::Index n = 0; n < X.rows(); ++n) rep.data_radius = std::max(rep.data_radius, X.row(n).norm());
  // The closed ball containing the data: hyperplanes with |t| <= R meet it (1e-9 relative margin for rounding).
  rep.rtv_ball = rtv_exact_ball(net, rep.data_radius * (1 + 1e-9) + std::numeric_limits<double>::min());

  // ---- balance (THEORY.md s.2) ----
  {
    Diagnostic dg = make("balance", "Balance",
                         "THEORY.md s.2: at every stationary point of weight-decay training |v_k| = |w_k|, so WD = PN");
    rep.balance = check_balance(net, opt.carry_tol);
    const std::vector<int> carrying = carrying_neurons(net, opt.carry_tol);
    for (int k : carrying) {
      const double a = std::abs(net.v(k));
      const double c = std::sqrt(net.W.row(k).squaredNorm() + net.b(k) * net.b(k));
      const double m = std::max(a, c);
      if (m > 0) rep.hidden_bias_imbalance = std::max(rep.hidden_bias_imbalance, std::abs(a - c) / m);
    }
    const double bar = std::max(opt.tol, 4.0 * u);
    judge_at_most(dg, rep.balance.max_imbalance, bar);
    dg.summary = "max | |v_k| - |w_k| | / max = " + g3(rep.balance.max_imbalance) + " over " +
                 std::to_string(rep.balance.judged) + " carrying neurons; |WD - PN| / PN = " +
                 g3(rep.balance.relative_excess);
    dg.details.push_back(std::to_string(rep.balance.excluded) + " neurons below carry-tol " + g3(opt.carry_tol) +
                         " of the largest weight-decay term left out (" + g3(rep.balance.excluded_wd_share) +
                         " of WD); max imbalance over all neurons " + g3(rep.balance.max_imbalance_all));
    if (dg.verdict == Verdict::Fails && rep.hidden_bias_imbalance <= bar)
      dg.details.push_back("instead v_k^2 = |w_k|^2 + b_k^2 holds (max rel. deviation " +
                           g3(rep.hidden_bias_imbalance) +
                           "): the optimizer decayed the biases too (PyTorch's weight_decay on all parameters), so "
                           "the regulariser was sum |v_k| |(w_k, b_k)|, not the R-TV (THEORY.md s.2); use parameter "
                           "groups that decay only the weights");
    else
      dg.details.push_back("hidden-bias balance | |v_k| - |(w_k, b_k)| | / max: " + g3(rep.hidden_bias_imbalance));
    rep.diagnostics.push_back(dg);
  }

  // ---- lambda ----
  rep.estimate = estimate_lambda(net, X, y, opt);
  {
    Diagnostic dg = make("lambda", "Lambda",
                         "stationarity: lambda theta_k = -(data gradient of theta_k) for every neuron, theta_k = "
                         "(v_k, w_k); least squares over the carrying neurons");
    dg.verdict = Verdict::Note;
    dg.measured = rep.estimate.value;
    if (opt.lambda > 0) {
      rep.lambda = opt.lambda;
      dg.summary = "given lambda = " + g6(opt.lambda) + "; the stationarity equations give " +
                   g6(rep.estimate.value) + " (rel. spread over neurons " + g3(rep.estimate.relative_spread) + ")";
    } else if (rep.estimate.value > 0) {
      rep.lambda = rep.estimate.value;
      rep.lambda_estimated = true;
      dg.summary = "estimated lambda = " + g6(rep.estimate.value) + " (per-neuron values " + g6(rep.estimate.min) +
                   " ... " + g6(rep.estimate.max) + ", rel. spread " + g3(rep.estimate.relative_spread) + " over " +
                   std::to_string(rep.estimate.neurons) + " neurons)";
      dg.details.push_back("PyTorch: SGD weight_decay wd on the weights with MSELoss (mean) is lambda = N wd / 2 = " +
                           std::to_string(N) + " wd / 2; a summed loss: lambda = wd / 2");
    } else {
      dg.verdict = Verdict::Fails;
      dg.op = ">", dg.bar = 0.0;
      dg.summary = "the stationarity equations give lambda = " + g6(rep.estimate.value) +
                   " <= 0: the network is not a stationary point of weight-decay training for any lambda > 0 "
                   "(give --lambda to judge it at a chosen value)";
    }
    rep.diagnostics.push_back(dg);
  }
  const double lambda = rep.lambda;
  const bool have_lambda = lambda > 0;

  // ---- stationarity ----
  {
    Diagnostic dg = make("stationarity", "Stationarity",
                         "a trained network is a stationary point of J = 1/2 sum (f - y)^2 + lambda WD: 0 is in the "
                         "subdifferential (each point on a hyperplane may take a ReLU slope in [0, 1])");
    if (!have_lambda) {
      dg.summary = "not judged: no lambda > 0";
    } else {
      rep.stationarity = stationarity(net, X, y, lambda, opt);
      const Stationarity& st = rep.stationarity;
      judge_at_most(dg, st.relative, std::max(opt.tol, 64.0 * u) + st.floor);
      dg.summary = "|grad J| / (lambda |theta|) = " + g3(st.relative) + " (|grad J| = " + g3(st.gradient_norm) +
                   ", lambda |theta| = " + g3(st.scale) + "); worst block: " + st.worst + " at " +
                   g3(st.max_relative) + " of its own force";
      if (dg.verdict == Verdict::Fails && st.worst.rfind("neuron", 0) == 0 && st.worst_data_ratio < 0.1)
        dg.details.push_back(st.worst + " gets almost no data gradient (" + g3(st.worst_data_ratio) +
                             " of its weight-decay force; active at " + std::to_string(st.worst_active_points) +
                             " of " + std::to_string(N) + " points): weight decay shrinks such a neuron geometrically "
                             "and it is stationary only at 0; train longer (or prune it)");
      dg.details.push_back("with sigma'(0) = 0 (PyTorch's gradient): " + g3(st.relative_naive) + " (worst block " +
                           g3(st.max_relative_naive) + ")");
      dg.details.push_back(std::to_string(st.kink_points) + " (neuron, point) pairs on a hyperplane (|z| <= " +
                           g3(opt.kink_tol) + " x scale); closest point to a carrying neuron's hyperplane: " +
                           g3(st.min_kink_distance) + " x scale");
      dg.details.push_back("unregularised parameters (c0" + std::string(net.skip ? ", c" : "") +
                           "): max relative data gradient " + g3(st.affine_relative));
      dg.details.push_back("bar: tol " + g3(opt.tol) + " + the floor of the weights' storage rounding " +
                           g3(st.floor));
      if (dg.verdict == Verdict::Fails) {
        // Gradient descent with a step that does not go to 0 oscillates across a kink by ~ step x gradient, so a
        // point may sit just beyond kink_tol. Say which on-plane tolerance up to 1e-2 would make the network
        // stationary (the relative distances of the points to the carrying neurons' hyperplanes are the candidates).
        std::vector<double> cand;
        for (int k : carrying_neurons(net, opt.carry_tol)) {
          const NeuronData nd = neuron_data(net, X, k, 0.0);
          for (Eigen::Index n = 0; n < X.rows(); ++n) {
            const double t = nd.scale(n) > 0 ? std::abs(nd.z(n)) / nd.scale(n) : 0.0;
            if (t > opt.kink_tol && t <= 1e-2) cand.push_back(t * (1 + 1e-12));
          }
        }
        std::sort(cand.begin(), cand.end());
        for (double t : cand) {
          CheckOptions o = opt;
          o.kink_tol = t;
          const Stationarity s2 = stationarity(net, X, y, lambda, o);
          if (s2.relative <= dg.bar) {
            dg.details.push_back("with --kink-tol " + g3(t) + " it holds (" + g3(s2.relative) +
                                 "): a point lies that close to a hyperplane, as gradient descent leaves it when its "
                                 "step does not go to 0 (it oscillates across the kink)");
            break;
          }
        }
      }
    }
    rep.diagnostics.push_back(dg);
  }
  if (have_lambda) {
    const Objective J = objective(net, X, y, lambda);
    rep.objective = J.total, rep.data_fit = J.data;
  }

  // ---- R-TV vs path norm (THEORY.md s.3) ----
  {
    Diagnostic dg = make("rtv", "R-TV vs path norm",
                         "THEORY.md s.3: at a solution PN = R-TV: neurons on a shared hyperplane whose coefficients "
                         "cancel could be merged into one with a smaller path norm and the same f");
    const std::vector<Hyperplane> planes = distinct_hyperplanes(net);
    int shared = 0, antipodal = 0, cancelling = 0;
    const std::vector<NormalisedNeuron> nn = normalise(net);
    for (const Hyperplane& h : planes) {
      if (h.neurons.size() < 2) continue;
      bool anti = false;
      double sum_abs = 0.0;
      for (int k : h.neurons) {
        for (const NormalisedNeuron& q : nn)
          if (q.index == k) {
            sum_abs += std::abs(q.a);
            if (q.gamma.dot(h.gamma) < 0) anti = true;
          }
      }
      ++(anti ? antipodal : shared);
      if (std::abs(h.a) < sum_abs * (1 - 1e-12)) ++cancelling;
    }
    const ShallowNet merged = merge_neurons(net);
    const double pn_merged = path_norm(merged);
    const double rounding = 4.0 * std::max(1, net.width()) * tol::kEps;
    const double saving = rep.path_norm > 0 ? (rep.path_norm - pn_merged) / rep.path_norm : 0.0;
    judge_at_most(dg, std::max(0.0, saving), std::max(opt.tol, rounding));
    dg.summary = "path norm " + g6(rep.path_norm) + ", merging shared hyperplanes gives " + g6(pn_merged) +
                 " (saves " + g3(std::max(0.0, saving)) + " of it); R-TV " + g6(rep.rtv) + ", on the data's ball (r = " +
                 g6(rep.data_radius) + ") " + g6(rep.rtv_ball);
    dg.details.push_back(std::to_string(shared) + " shared, " + std::to_string(antipodal) + " antipodal, " +
                         std::to_string(cancelling) + " cancelling hyperplanes (merge tolerance " +
                         g3(tol::kHyperplaneMerge) + ")" +
                         (net.skip ? "" : "; no skip connection: antipodal pairs are not merged (they carry the "
                                          "affine part)"));
    if (rep.rtv_ball < rep.rtv * (1 - rounding))
      dg.details.push_back("hyperplanes that miss the data's ball carry " + g3(rep.rtv - rep.rtv_ball) +
                           " of the R-TV: affine on the data, not part of a solution (the reduction drops them)");
    rep.diagnostics.push_back(dg);
  }

  // ---- sparsity (THEORY.md s.5) ----
  {
    Diagnostic dg = make("sparsity", "Sparsity",
                         "THEORY.md s.5: some solution has at most N - (d + 1) neurons (N - 1 without skip "
                         "connection); the Caratheodory reduction finds one with the same data values");
    try {
      const ReductionResult rr = reduce_network(net, X);
      rep.reduced = rr.net;
      // The network's own count: distinct hyperplanes of the carrying neurons (the others, below carry_tol of the
      // largest weight-decay term, are numerical dust that training shrinks but never removes).
      ShallowNet carrying_only = net;
      std::vector<char> keep(net.width(), 0);
      for (int k : carrying_neurons(net, opt.carry_tol)) keep[k] = 1;
      int dust = 0;
      for (int k = 0; k < net.width(); ++k)
        if (!keep[k]) carrying_only.v(k) = 0.0, carrying_only.W.row(k).setZero(), carrying_only.b(k) = 0.0,
                      dust += (net.v(k) != 0.0 || net.W.row(k).squaredNorm() > 0.0);
      const int distinct = merge_neurons(carrying_only).width();
      dg.measured = distinct, dg.op = "<=", dg.bar = rr.bound;
      const bool sparse = distinct <= rr.bound;
      dg.verdict = sparse ? Verdict::Holds : (opt.require_sparse ? Verdict::Fails : Verdict::Note);
      dg.summary = std::to_string(distinct) + " distinct carrying neurons (of " + std::to_string(net.width()) +
                   "), bound " + std::to_string(rr.bound) + "; the reduced network has " +
                   std::to_string(rr.neurons_out) + " neurons";
      if (dust > 0)
        dg.details.push_back(std::to_string(dust) + " neurons below carry-tol not counted (" +
                             g3(rep.balance.excluded_wd_share) + " of WD)");
      const double J_red = have_lambda ? objective(rr.net, X, y, lambda).total : kNaN;
      dg.details.push_back("reduced: data values changed by <= " + g3(rr.max_value_change) +
                           " of the evaluation scale, path norm " + g6(rr.path_norm_out) + " <= " +
                           g6(rr.path_norm_in) +
                           (have_lambda ? ", objective " + g6(J_red) + " <= " + g6(rep.objective) : std::string()));
      if (!sparse)
        dg.details.push_back("above the bound: not one of the sparse solutions the theorem guarantees; the reduced "
                             "network (rtv check -o) fits the data as well with a path norm not larger" +
                             std::string(opt.require_sparse ? "" : " (a note: --require-sparse makes it a failure)"));
    } catch (const InputError& e) {
      dg.verdict = Verdict::NotApplicable;
      dg.summary = std::string("the reduction needs distinct data points that affinely span R^d: ") + e.what();
    }
    rep.diagnostics.push_back(dg);
  }

  // ---- global optimality (THEORY.md s.5) ----
  rep.optimum = kNaN, rep.optimum_gap = kNaN;
  {
    Diagnostic dg = make("optimum", "Global optimality",
                         "THEORY.md s.5: min over networks of any width of J; d = 1 exact (trend filtering), d = 2 "
                         "certified (column generation with an exact dual oracle)");
    if (!opt.optimum) {
      dg.summary = "not computed (--no-optimum)";
    } else if (!have_lambda) {
      dg.summary = "not judged: no lambda > 0";
    } else if (d >= 3) {
      dg.summary = "no certificate exists here for d = " + std::to_string(d) +
                   " (certified optima: d = 1 exact, d = 2); no gap is reported";
    } else {
      try {
        double Jstar = 0.0, J_upper = 0.0;
        bool lower_bound_only = false, uncertified = false;
        if (opt.progress)
          opt.progress(d == 1 ? "the exact optimum (d = 1, trend filtering)"
                              : "the certified optimum (d = 2, column generation; N = " + std::to_string(N) + ")");
        if (d == 1) {
          const TrendFilterResult tf = trend_filter_1d(X.col(0), y, lambda, net.skip);
          Jstar = tf.objective - tf.duality_gap;  // a lower bound within the exact solver's rounding
          rep.optimum_neurons = net.skip ? tf.sparsest_knots : tf.knots;
          if (!tf.kkt_ok) dg.details.push_back("warning: the trend filter's KKT check failed (" + tf.message + ")");
        } else {
          const CertifiedResult cr = certified_optimum_2d(X, y, lambda);
          Jstar = cr.dual_value;
          rep.optimum_neurons = cr.net.width();
          lower_bound_only = !net.skip;
          if (!cr.certified) {
            // Not certified: the optimum lies in [D, J(primal)]; the verdict is decided only when both ends agree.
            uncertified = true;
            J_upper = cr.objective;
            dg.details.push_back("warning: not certified (" + cr.message + "): the optimum lies between the dual "
                                 "value " + g6(cr.dual_value) + " and the solver's network's " + g6(cr.objective));
          }
        }
        rep.optimum = Jstar;
        rep.optimum_gap = Jstar > 0 ? (rep.objective - Jstar) / Jstar : rep.objective - Jstar;
        const double gap = std::max(0.0, rep.optimum_gap);
        judge_at_most(dg, gap, opt.max_gap);
        dg.summary = "J = " + g6(rep.objective) + " against the optimum " + g6(Jstar) + ": " +
                     fmt("%.3g%%", 100 * gap) + " above it; the optimum has " +
                     std::to_string(rep.optimum_neurons) + " neurons" + (rep.lambda_estimated ? " (at the estimated lambda)" : "");
        if (uncertified) {
          const double gap_low = J_upper > 0 ? (rep.objective - J_upper) / J_upper : rep.objective - J_upper;
          dg.summary = "J = " + g6(rep.objective) + " is between " + fmt("%.3g%%", 100 * std::max(0.0, gap_low)) +
                       " and " + fmt("%.3g%%", 100 * gap) + " above the optimum (not certified: dual value " +
                       g6(Jstar) + ", the solver's network " + g6(J_upper) + ")";
          if (dg.verdict == Verdict::Fails && gap_low <= opt.max_gap) {
            dg.verdict = Verdict::Note;
            dg.details.push_back("not judged: the gap's upper end is above max-gap, its lower end is not");
          }
        }
        if (lower_bound_only) {
          dg.details.push_back("no skip connection: the d = 2 optimum is computed with one, a lower bound for "
                               "networks without; the gap is an upper bound");
          if (dg.verdict == Verdict::Fails) {
            dg.verdict = Verdict::Note;
            dg.details.push_back("above max-gap, but only against the lower bound: not judged");
          }
        }
      } catch (const InputError& e) {
        dg.verdict = Verdict::NotApplicable;
        dg.summary = std::string("the optimum needs distinct points that affinely span R^d: ") + e.what();
      }
    }
    rep.diagnostics.push_back(dg);
  }

  // ---- Radon domain (optional) ----
  if (opt.radon) {
    Diagnostic dg = make("radon", "Radon domain",
                         "THEORY.md s.3: the R-TV is the total variation of the Radon-domain measure "
                         "d_t^2 Lambda^{d-1} R f; measured from the windowed Radon transform (radon_measure.hpp)");
    if (d != 2 && d != 3) {
      dg.summary = "the Radon-domain measurement is implemented for d = 2, 3";
    } else if (!(rep.data_radius > 0)) {
      dg.summary = "all data points at the origin: no ball to measure on";
    } else {
      if (opt.progress) opt.progress("the R-TV in the Radon domain (d = " + std::to_string(d) + ")");
      RadonRtvOptions o;
      o.threads = opt.threads;
      const double r = rep.data_radius * (1 + 1e-9);
      const RadonRtv rr = radon_rtv_ball(RidgeSum::from_network(net), r, o);
      const double exact = rtv_exact_ball(net, r);
      const double err = exact > 0 ? std::abs(rr.value - exact) / exact : std::abs(rr.value);
      // The method's accuracy (README "rtv seminorm"): ~1e-4 relative on separated hyperplanes; 1e-3 is the bar.
      judge_at_most(dg, err, 1e-3);
      dg.summary = "numerical R-TV on the data's ball " + g6(rr.value) + " against the exact " + g6(exact) +
                   " (rel. difference " + g3(err) + ")";
      if (!rr.unresolved.empty())
        dg.details.push_back(std::to_string(rr.unresolved.size()) +
                             " opposite-sign pairs too close to separate: the numerical value misses part of them");
    }
    if (dg.summary.empty()) dg.verdict = Verdict::NotApplicable;
    rep.diagnostics.push_back(dg);
  }
  return rep;
}

CheckReport check_deep_network(const DeepNet& net, const CheckOptions& opt) {
  opt.validate();
  net.validate("network");
  CheckReport rep;
  rep.deep = true;
  rep.d = net.dim();
  rep.weight_decay = weight_decay(net);
  const double u = opt.unit_roundoff > 0 ? opt.unit_roundoff : kDoubleRoundoff;
  // Per stage: WD against its minimum over the rescalings (balance(DeepNet) splits over stages).
  const DeepNet bal = balance(net);
  const std::vector<Eigen::VectorXd> spectra = input_map_spectra(net);
  for (std::size_t l = 0; l < net.stages.size(); ++l) {
    DeepNet a, b;
    a.stages = {net.stages[l]};
    b.stages = {bal.stages[l]};
    const double wd = weight_decay(a), wd_min = weight_decay(b);
    const double excess = wd_min > 0 ? (wd - wd_min) / wd_min : 0.0;
    Diagnostic dg = make("balance_stage" + std::to_string(l + 1), "Balance, stage " + std::to_string(l + 1),
                         "THEORY.md s.2, s.6: the rescalings of a stage's neurons and linear chain leave f unchanged, "
                         "so at every stationary point the stage's weight decay is minimal over them");
    judge_at_most(dg, std::max(0.0, excess), std::max(opt.tol, 8.0 * u));
    dg.summary = "weight decay " + g6(wd) + ", minimum over rescalings " + g6(wd_min) + " (excess " +
                 g3(std::max(0.0, excess)) + ")";
    rep.diagnostics.push_back(dg);
    const DeepStage& s = net.stages[l];
    if (!s.linear.empty()) {
      // The chain U_1 ... U_m W: 1/2 sum |F|_F^2 >= (L/2) sum_j s_j^{2/L} of its product, L = m + 1 (THEORY.md s.6),
      // with equality iff the chain is balanced.
      Factors f(s.linear.begin(), s.linear.end());
      f.push_back(s.W);
      const int L = static_cast<int>(f.size());
      const double chain_wd = 0.5 * L * factor_weight_decay(f);
      const double schatten = 0.5 * L * schatten_power(product(f), L);
      const double ex = schatten > 0 ? (chain_wd - schatten) / schatten : 0.0;
      Diagnostic dc = make("schatten_stage" + std::to_string(l + 1), "Linear chain, stage " + std::to_string(l + 1),
                           "THEORY.md s.6: min over factorisations of 1/2 sum_l |W_l|_F^2 = (L/2) sum_j s_j^{2/L} of "
                           "the product, attained by balanced factors");
      judge_at_most(dc, std::max(0.0, ex), std::max(opt.tol, 8.0 * L * u));
      dc.summary = "chain of " + std::to_string(L) + " factors: weight decay " + g6(chain_wd) + ", Schatten value " +
                   g6(schatten) + " (excess " + g3(std::max(0.0, ex)) + ")";
      const Eigen::VectorXd& sv = spectra[l];
      dc.details.push_back("input map rank " + std::to_string(numerical_rank(sv, 1e-3)) + " (s_j > 1e-3 s_1) of " +
                           std::to_string(std::min<Eigen::Index>(s.W.rows(), s.inputs())) + ", entropy rank " +
                           g3(entropy_rank(sv)));
      rep.diagnostics.push_back(dc);
    }
  }
  for (const auto& [id, title] : std::vector<std::pair<const char*, const char*>>{
           {"stationarity", "Stationarity"}, {"rtv", "R-TV vs path norm"}, {"sparsity", "Sparsity"},
           {"optimum", "Global optimality"}}) {
    Diagnostic dg = make(id, title, "THEORY.md s.2-s.5 state them for shallow networks");
    dg.summary = "does not apply to deep networks";
    rep.diagnostics.push_back(dg);
  }
  return rep;
}

}  // namespace rtv
