// Deep ReLU networks as compositions of shallow vector-valued stages (deep.hpp; THEORY.md s.1, s.2, s.6):
// evaluation and the objective's gradient by backpropagation (GEMMs over the N x width activations, points as
// rows), weight decay, per-stage path norms, the spectra of the stages' input maps, balancing over the
// homogeneous rescalings, and validation. The trainer of deep networks is train.cpp's (the same loop as the
// shallow one). Accuracy: finite sums and products; the forward error of evaluate() is a few eps times the
// evaluation of the network with every parameter and input replaced by its absolute value (the test's scale).
#include "rtv/nets/deep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"

namespace rtv {

int DeepStage::inputs() const { return static_cast<int>(linear.empty() ? W.cols() : linear.front().cols()); }

int DeepStage::outputs() const { return static_cast<int>(has_V() ? V.rows() : W.rows()); }

Eigen::MatrixXd DeepStage::input_map() const {
  Eigen::MatrixXd M = W;
  for (auto it = linear.rbegin(); it != linear.rend(); ++it) M = M * (*it);  // W U_m ... U_1
  return M;
}

int DeepNet::dim() const {
  RTV_ASSERT(!stages.empty(), "a deep network has at least one stage");
  return stages.front().inputs();
}

int DeepNet::outputs() const {
  RTV_ASSERT(!stages.empty(), "a deep network has at least one stage");
  return stages.back().outputs();
}

void DeepNet::validate(const std::string& source) const {
  if (stages.empty()) throw input_error(source, "the network has no stages (a deep network needs at least one)");
  auto str = [](Eigen::Index i) { return std::to_string(i); };
  Eigen::Index n_in = 0;  // the previous stage's output width
  for (size_t l = 0; l < stages.size(); ++l) {
    const DeepStage& s = stages[l];
    const std::string where = "stage " + std::to_string(l + 1) + ": ";
    auto fail = [&](const std::string& problem) { return input_error(source, where + problem); };
    const Eigen::Index in = s.inputs();
    if (l == 0 && in < 1) throw fail("the input dimension must be at least 1 (the first factor has 0 columns)");
    if (l > 0 && in != n_in)
      throw fail("takes " + str(in) + " inputs but stage " + std::to_string(l) + " has " + str(n_in) + " outputs");
    Eigen::Index r = in;  // width entering the next factor
    for (size_t j = 0; j < s.linear.size(); ++j) {
      const Eigen::MatrixXd& U = s.linear[j];
      const std::string name = "linear layer U_" + std::to_string(j + 1);
      if (U.cols() != r)
        throw fail(name + " has " + str(U.cols()) + " columns but its input has width " + str(r));
      if (U.rows() < 1) throw fail(name + " has 0 rows (a linear layer needs width >= 1)");
      if (!U.allFinite()) throw fail(name + " contains NaN or infinite values");
      r = U.rows();
    }
    const Eigen::Index K = s.W.rows();
    if (s.W.cols() != r)
      throw fail("W has " + str(s.W.cols()) + " columns but its input (" +
                 (s.linear.empty() ? std::string("the stage's input") : std::string("the last linear layer")) +
                 ") has width " + str(r));
    if (!s.W.allFinite()) throw fail("W contains NaN or infinite values");
    if (s.b.size() != K)
      throw fail("b has " + str(s.b.size()) + " entries but W has " + str(K) + " rows (one per neuron)");
    if (!s.b.allFinite()) throw fail("b contains NaN or infinite values");
    if (s.has_V()) {
      if (s.V.cols() != K)
        throw fail("V has " + str(s.V.cols()) + " columns but the stage has " + str(K) + " neurons");
      if (!s.V.allFinite()) throw fail("V contains NaN or infinite values");
    } else {
      if (s.V.cols() != 0) throw fail("V has 0 rows but " + str(s.V.cols()) + " columns (an absent V is 0 x 0)");
      if (K < 1) throw fail("a stage without V (identity output) needs at least one neuron");
    }
    const Eigen::Index n_out = s.outputs();
    if (s.c.size() != n_out)
      throw fail("c has " + str(s.c.size()) + " entries but the stage has " + str(n_out) + " outputs");
    if (!s.c.allFinite()) throw fail("c contains NaN or infinite values");
    if (s.C.rows() != n_out || s.C.cols() != in)
      throw fail("the skip connection C is " + str(s.C.rows()) + " x " + str(s.C.cols()) + " but must be " +
                 str(n_out) + " x " + str(in) + " (outputs x inputs; zero when the stage has no skip connection)");
    if (!s.C.allFinite()) throw fail("C contains NaN or infinite values");
    if (!s.skip && s.C.any()) throw fail("a stage without skip connection must have C = 0");
    // Finite weights whose squares overflow give infinite norms (ShallowNet::validate, issue 20).
    double sq = s.W.squaredNorm() + s.b.squaredNorm() + s.V.squaredNorm() + s.C.squaredNorm();
    for (const Eigen::MatrixXd& U : s.linear) sq += U.squaredNorm();
    if (!std::isfinite(sq))
      throw fail("the weights are too large: their sum of squares overflows double precision; rescale the network "
                 "(the norms rtv computes would be infinite)");
    n_in = n_out;
  }
}

DeepNet to_deep(const ShallowNet& net) {
  DeepStage s;
  s.W = net.W;
  s.b = net.b;
  s.V = net.v.transpose();
  s.c = Eigen::VectorXd::Constant(1, net.c0);
  s.C = net.c.transpose();
  s.skip = net.skip;
  DeepNet d;
  d.stages.push_back(std::move(s));
  return d;
}

ShallowNet to_shallow(const DeepNet& net) {
  if (net.stages.size() != 1)
    throw input_error("network", "a shallow network has one stage, this one has " + std::to_string(net.stages.size()));
  const DeepStage& s = net.stages.front();
  if (!s.linear.empty())
    throw input_error("network", "stage 1: a shallow network has no linear layers (this one has " +
                                     std::to_string(s.linear.size()) + ")");
  if (s.outputs() != 1)
    throw input_error("network", "stage 1: a shallow network has one output, this one has " +
                                     std::to_string(s.outputs()));
  ShallowNet out;
  out.W = s.W;
  out.b = s.b;
  out.v = s.has_V() ? Eigen::VectorXd(s.V.row(0).transpose()) : Eigen::VectorXd::Ones(1);  // absent V, K = 1
  out.c = s.C.row(0).transpose();
  out.c0 = s.c(0);
  out.skip = s.skip;
  return out;
}

namespace {

// One stage's forward pass on the N x n_in inputs H (rows are points): the activations the backward pass needs.
struct StageCache {
  std::vector<Eigen::MatrixXd> A;  ///< A_0 = H, A_j = A_{j-1} U_j^T (N x r_j), j = 1..m
  Eigen::MatrixXd S;               ///< sigma(A_m W^T - 1 b^T), N x K (S > 0 <=> pre-activation > 0)
};

// F_l(H) = sigma(H U_1^T ... U_m^T W^T - 1 b^T) V^T + H C^T + 1 c^T (header comment of deep.hpp); the
// activations are kept in `cache` when it is given.
Eigen::MatrixXd forward_stage(const DeepStage& s, const Eigen::MatrixXd& H, StageCache* cache) {
  Eigen::MatrixXd S;
  if (cache) {
    cache->A.resize(s.linear.size() + 1);
    cache->A[0] = H;
    for (size_t j = 0; j < s.linear.size(); ++j) cache->A[j + 1].noalias() = cache->A[j] * s.linear[j].transpose();
    S.noalias() = cache->A.back() * s.W.transpose();
  } else {
    Eigen::MatrixXd A = H;
    for (const Eigen::MatrixXd& U : s.linear) A = (A * U.transpose()).eval();
    S.noalias() = A * s.W.transpose();
  }
  S.rowwise() -= s.b.transpose();
  S = S.cwiseMax(0.0);
  Eigen::MatrixXd out;
  if (s.has_V()) out.noalias() = S * s.V.transpose();
  else out = S;
  if (s.skip) out.noalias() += H * s.C.transpose();
  out.rowwise() += s.c.transpose();
  if (cache) cache->S = std::move(S);
  return out;
}

void check_points(const DeepNet& net, const Eigen::MatrixXd& X) {
  if (X.cols() != net.dim())
    throw input_error("data", "points have " + std::to_string(X.cols()) + " coordinates but the network's input "
                                                                          "dimension is " +
                                  std::to_string(net.dim()));
}

// The shallow network's shape (one stage, no linear layers, V present with one row): objective() then uses the
// shallow kernels of network.cpp (fused for d <= 3), so that deep training of a shallow network is train()'s
// bit for bit (tests/test_deep.cpp).
bool shallow_shaped(const DeepNet& net) {
  if (net.stages.size() != 1) return false;
  const DeepStage& s = net.stages.front();
  return s.linear.empty() && s.has_V() && s.V.rows() == 1;
}

// WD of one stage times 2: sum_j |U_j|_F^2 + |W|_F^2 + |V|_F^2 (absent V: nothing).
double stage_squared_norms(const DeepStage& s) {
  double sum = 0.0;
  for (const Eigen::MatrixXd& U : s.linear) sum += U.squaredNorm();
  sum += s.W.squaredNorm();
  if (s.has_V()) sum += s.V.squaredNorm();
  return sum;
}

}  // namespace

Eigen::MatrixXd evaluate(const DeepNet& net, const Eigen::MatrixXd& X) {
  RTV_ASSERT(!net.stages.empty(), "a deep network has at least one stage");
  RTV_ASSERT(X.cols() == net.dim(), "points must have the network's input dimension");
  Eigen::MatrixXd H = X;
  for (const DeepStage& s : net.stages) H = forward_stage(s, H, nullptr);
  return H;
}

double weight_decay(const DeepNet& net) {
  // WD = 1/2 sum over stages of (sum_j |U_j|_F^2 + |W|_F^2 + |V|_F^2), THEORY.md s.2 and s.6. For a one-stage
  // network without linear layers the sum is (0 + |W|^2) + |V|^2: the same bits as norms.hpp's 1/2 (|v|^2 + |W|^2).
  double sum = 0.0;
  for (const DeepStage& s : net.stages) sum += stage_squared_norms(s);
  return 0.5 * sum;
}

std::vector<double> stage_path_norms(const DeepNet& net) {
  // PN_l = sum_k |V_{:,k}| |(W U_m ... U_1)_{k,:}| (THEORY.md s.1 path norm, per stage, end-to-end input weights).
  std::vector<double> out;
  out.reserve(net.stages.size());
  for (const DeepStage& s : net.stages) {
    const Eigen::MatrixXd M = s.input_map();
    double pn = 0.0;
    for (int k = 0; k < s.width(); ++k)
      pn += (s.has_V() ? s.V.col(k).stableNorm() : 1.0) * M.row(k).stableNorm();
    out.push_back(pn);
  }
  return out;
}

Objective objective(const DeepNet& net, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, double lambda,
                    DeepNetGradient* grad) {
  if (net.stages.empty()) throw input_error("network", "the network has no stages");
  check_points(net, X);
  if (Y.rows() != X.rows() || Y.cols() != net.outputs())
    throw input_error("data", "targets are " + std::to_string(Y.rows()) + " x " + std::to_string(Y.cols()) +
                                  " but must be N x outputs = " + std::to_string(X.rows()) + " x " +
                                  std::to_string(net.outputs()));
  if (shallow_shaped(net)) {
    const ShallowNet sh = to_shallow(net);
    ShallowNetGradient g;
    const Objective J = objective(sh, X, Y.col(0), lambda, grad ? &g : nullptr);
    if (grad) *grad = to_deep(g);
    return J;
  }

  // Forward pass, keeping the activations.
  const size_t L = net.stages.size();
  std::vector<Eigen::MatrixXd> H(L + 1);  // H[0] = X, H[l] = output of stage l
  std::vector<StageCache> cache(L);
  H[0] = X;
  for (size_t l = 0; l < L; ++l) H[l + 1] = forward_stage(net.stages[l], H[l], grad ? &cache[l] : nullptr);
  Eigen::MatrixXd G = H[L] - Y;  // dJ/dF = residual (N x n_L)
  Objective J;
  J.data = 0.5 * G.squaredNorm();
  J.weight_decay = weight_decay(net);
  J.total = J.data + lambda * J.weight_decay;
  if (!grad) return J;

  // Backward pass (sigma'(0) = 0, as PyTorch). G holds dJ/d(output of stage l).
  *grad = net;
  for (size_t li = L; li-- > 0;) {
    const DeepStage& s = net.stages[li];
    DeepStage& g = grad->stages[li];
    const StageCache& c = cache[li];
    g.c = G.colwise().sum().transpose();
    if (s.skip) g.C.noalias() = G.transpose() * H[li];
    else g.C.setZero(s.outputs(), s.inputs());
    Eigen::MatrixXd D;  // dJ/dZ, Z = the pre-activations (N x K)
    if (s.has_V()) {
      g.V.noalias() = G.transpose() * c.S;
      g.V += lambda * s.V;
      D.noalias() = G * s.V;
    } else {
      D = G;
    }
    D = (c.S.array() > 0.0).select(D, 0.0);
    g.W.noalias() = D.transpose() * c.A.back();
    g.W += lambda * s.W;
    g.b = -D.colwise().sum().transpose();
    if (li == 0 && s.linear.empty()) break;  // no gradient with respect to the data
    Eigen::MatrixXd dA;  // dJ/dA_j, from j = m down
    dA.noalias() = D * s.W;
    for (size_t j = s.linear.size(); j-- > 0;) {
      g.linear[j].noalias() = dA.transpose() * c.A[j];
      g.linear[j] += lambda * s.linear[j];
      if (j > 0 || li > 0) dA = (dA * s.linear[j]).eval();
    }
    if (li == 0) break;
    if (s.skip) dA.noalias() += G * s.C;
    G = std::move(dA);
  }
  return J;
}

std::vector<Eigen::VectorXd> input_map_spectra(const DeepNet& net) {
  std::vector<Eigen::VectorXd> out;
  out.reserve(net.stages.size());
  for (const DeepStage& s : net.stages) {
    const Eigen::MatrixXd M = s.input_map();
    if (M.size() == 0) {
      out.emplace_back(0);
      continue;
    }
    // One-sided Jacobi: small relative error in every singular value, also the small ones the ranks look at.
    out.push_back(singular_values(M));
  }
  return out;
}

double entropy_rank(const Eigen::VectorXd& singular_values) {
  const double total = singular_values.sum();
  if (!(total > 0)) return 0.0;
  double h = 0.0;  // -sum p_j log p_j, p_j = s_j / sum s (0 log 0 = 0)
  for (Eigen::Index j = 0; j < singular_values.size(); ++j) {
    const double p = singular_values(j) / total;
    if (p > 0) h -= p * std::log(p);
  }
  return std::exp(h);
}

DeepNet init_deep_network(Rng& rng, int d, const std::vector<StageShape>& shape, double scale) {
  if (d < 1) throw input_error("init", "the input dimension must be at least 1");
  if (shape.empty()) throw input_error("init", "a deep network needs at least one stage");
  if (!(scale > 0) || !std::isfinite(scale)) throw input_error("init", "the initialisation scale must be positive");
  DeepNet net;
  int n_in = d;
  for (size_t l = 0; l < shape.size(); ++l) {
    const StageShape& sh = shape[l];
    const std::string where = "stage " + std::to_string(l + 1) + ": ";
    if (sh.width < 1) throw input_error("init", where + "the width K must be at least 1");
    if (sh.has_V && sh.outputs < 1) throw input_error("init", where + "the number of outputs must be at least 1");
    DeepStage s;
    // Draw order (fixed, so a seed fixes the network): U_1, ..., U_m, W, b, V; each N(0, scale^2 / fan_in).
    int r = n_in;
    for (int w : sh.linear_widths) {
      if (w < 1) throw input_error("init", where + "linear layer widths must be at least 1");
      s.linear.push_back(rng.normal_matrix(w, r) * (scale / std::sqrt(static_cast<double>(r))));
      r = w;
    }
    s.W = rng.normal_matrix(sh.width, r) * (scale / std::sqrt(static_cast<double>(r)));
    s.b = rng.normal_vector(sh.width) * (scale / std::sqrt(static_cast<double>(r)));
    if (sh.has_V) s.V = rng.normal_matrix(sh.outputs, sh.width) * (scale / std::sqrt(static_cast<double>(sh.width)));
    s.skip = sh.skip;
    const int n_out = sh.has_V ? sh.outputs : sh.width;
    s.c = Eigen::VectorXd::Zero(n_out);
    s.C = Eigen::MatrixXd::Zero(n_out, n_in);
    net.stages.push_back(std::move(s));
    n_in = n_out;
  }
  return net;
}

namespace {

// The dead parts of a stage, removed before balancing (as balance(ShallowNet), norms.hpp): a zero chain factor
// makes the input map zero, so every chain factor is zeroed (the limit t -> 0 of the chain scaling); with V
// present, a neuron with V_{:,k} = 0 is the zero function and is zeroed, and a neuron with w_k = 0 (row k of W)
// is the constant V_{:,k} sigma(-b_k): it is moved into c and zeroed. (The rescalings alone only approach these
// infima as a scale -> 0 or infinity.) A stage without V keeps its constant neurons: their output feeds the
// next stage, and they carry no weight decay.
void remove_dead(DeepStage& s) {
  bool zero_factor = s.W.stableNorm() == 0.0;
  for (const Eigen::MatrixXd& U : s.linear) zero_factor = zero_factor || U.stableNorm() == 0.0;
  if (zero_factor) {
    for (Eigen::MatrixXd& U : s.linear) U.setZero();
    s.W.setZero();
  }
  if (!s.has_V()) return;
  for (int k = 0; k < s.width(); ++k) {
    if (s.V.col(k).stableNorm() == 0.0) {
      s.V.col(k).setZero();  // -0 entries become +0
      s.W.row(k).setZero();
      s.b(k) = 0.0;
    } else if (s.W.row(k).stableNorm() == 0.0) {
      s.c += s.V.col(k) * std::max(0.0, -s.b(k));
      s.V.col(k).setZero();
      s.W.row(k).setZero();
      s.b(k) = 0.0;
    }
  }
}

// log of sqrt(sum_i exp(2 x_i)) over the entries of x (log-sum-exp: no overflow); -infinity for no entries.
double log_root_sum_exp2(const std::vector<double>& x) {
  if (x.empty()) return -std::numeric_limits<double>::infinity();
  const double mx = *std::max_element(x.begin(), x.end());
  double sum = 0.0;
  for (double xi : x) sum += std::exp(2 * (xi - mx));
  return mx + 0.5 * std::log(sum);
}

// Balance one stage over its rescalings (see balance()), on the log-scales: alpha_k per neuron (only with V),
// beta_j per chain factor U_1..U_m and beta_W for W, sum beta = 0. The stage's WD is
//   2 WD_l = sum_j e^{2 (beta_j + log|U_j|)} + sum_k e^{2 (alpha_k + beta_W + log|w_k|)}
//            + sum_k e^{2 (log|V_k| - alpha_k)}.
// Neuron step (AM-GM per neuron, THEORY.md s.2): e^{alpha_k + beta_W} |w_k| = e^{-alpha_k} |V_{:,k}|.
// Chain step (AM-GM over the chain, THEORY.md s.6): every factor gets the geometric mean of the factor norms
// (W's norm with the neuron scales applied). The iteration runs on these K + m + 1 numbers only; the rescaling
// is applied to the parameters once at the end (one rounding per parameter, whatever the number of sweeps).
// The two steps contract the one remaining coupling, beta_W, by the factor m / (2 (m + 1)) < 1/2 per sweep.
void balance_stage(DeepStage& s, double rel_tol, int max_sweeps) {
  remove_dead(s);
  const int K = s.width();
  const size_t m = s.linear.size();
  if (s.W.stableNorm() == 0.0) return;  // zero input map: nothing to rescale (remove_dead zeroed the chain)
  std::vector<double> log_u(m), beta(m, 0.0);
  for (size_t j = 0; j < m; ++j) log_u[j] = std::log(s.linear[j].stableNorm());
  std::vector<int> alive;  // neurons with w_k != 0 (and V_{:,k} != 0: remove_dead zeroed the others)
  std::vector<double> log_w, log_v, alpha;
  for (int k = 0; k < K; ++k) {
    const double wn = s.W.row(k).stableNorm();
    if (wn == 0.0) continue;
    alive.push_back(k);
    log_w.push_back(std::log(wn));
    log_v.push_back(s.has_V() ? std::log(s.V.col(k).stableNorm()) : 0.0);
    alpha.push_back(0.0);
  }
  const size_t A = alive.size();
  double beta_w = 0.0;

  // Stop when no log-scale moves by more than rel_tol in a sweep. (A test on WD's decrease would stop early:
  // WD is quadratic at its minimum, so a decrease of rel_tol WD leaves the scales ~sqrt(rel_tol) away.) The
  // sweep contracts the distance to the minimiser by at least 2, so the scales end within rel_tol of it.
  std::vector<double> scaled(A);
  for (int sweep = 0; sweep < max_sweeps; ++sweep) {
    double change = 0.0;
    auto set = [&change](double& x, double value) {
      change = std::max(change, std::abs(value - x));
      x = value;
    };
    if (s.has_V())
      for (size_t i = 0; i < A; ++i) set(alpha[i], 0.5 * (log_v[i] - beta_w - log_w[i]));
    if (m > 0) {
      for (size_t i = 0; i < A; ++i) scaled[i] = alpha[i] + log_w[i];
      const double log_nw = log_root_sum_exp2(scaled);  // log |diag(e^alpha) W|_F
      double mean = log_nw;
      for (double lu : log_u) mean += lu;
      mean /= static_cast<double>(m + 1);
      for (size_t j = 0; j < m; ++j) set(beta[j], mean - log_u[j]);
      set(beta_w, mean - log_nw);
    }
    if (!(change > rel_tol)) break;
  }
  // Apply the scales once; keep the stage as it was if rounding made its WD larger (only at the minimum).
  const DeepStage before = s;
  for (size_t j = 0; j < m; ++j) s.linear[j] *= std::exp(beta[j]);
  for (size_t i = 0; i < A; ++i) {
    const int k = alive[i];
    s.W.row(k) *= std::exp(alpha[i] + beta_w);
    if (s.has_V()) {
      s.b(k) *= std::exp(alpha[i]);
      s.V.col(k) *= std::exp(-alpha[i]);
    }
  }
  if (stage_squared_norms(s) > stage_squared_norms(before)) s = before;
}

}  // namespace

DeepNet balance(const DeepNet& net, double rel_tol, int max_sweeps) {
  // WD over the rescaling group of deep.hpp's header. WD is a sum over stages and the group acts stage by stage,
  // so each stage is balanced on its own (balance_stage). In the log-scales (alpha_k per neuron, beta_j per chain
  // factor, sum_j beta_j = 0) a stage's WD is a sum of exponentials of linear functions: CONVEX (and strictly
  // convex in each block once dead neurons and zero factors are removed). The two steps are the exact
  // minimisers over the alpha block and over the beta block (AM-GM, closed form); block coordinate descent on a
  // smooth convex function with unique block minimisers converges to the global minimum over the group (Tseng,
  // JOTA 2001), so the alternation finds min WD over these rescalings. Rescaling a neuron of a stage WITHOUT V is
  // not a symmetry of that stage alone (its output feeds the next stage's first factor), so such stages only get
  // the chain step. The function is unchanged in exact arithmetic; WD never increases.
  RTV_ASSERT(rel_tol >= 0 && max_sweeps >= 0, "rel_tol >= 0 and max_sweeps >= 0");
  DeepNet out = net;
  for (DeepStage& s : out.stages) balance_stage(s, rel_tol, max_sweeps);
  return out;
}

}  // namespace rtv
