// rtv/nets/deep.hpp: deep ReLU networks as compositions of shallow vector-valued stages, with optional linear
// (bottleneck) layers and skip connections per stage (THEORY.md s.6; Parhi & Nowak, SIMODS 2022).
//
//   f = F_L o ... o F_1,   F_l(h) = V_l sigma(W_l U_{l,m} ... U_{l,1} h - b_l) + C_l h + c_l,
//
// sigma = ReLU applied entrywise. Stage l maps R^{n_{l-1}} -> R^{n_l} (n_0 = d, n_L = outputs):
//   U_{l,1..m}  bias-free linear layers (m >= 0; "inserted linear layers", the bottleneck of s.6),
//   W_l, b_l    the ReLU layer: K_l neurons sigma(w_k . u - b_k) (bias with a MINUS sign as in network.hpp),
//   V_l, c_l    the output weights (n_l x K_l) and output bias; V_l may be ABSENT (0 x 0 matrix): the identity,
//               n_l = K_l, not a parameter (a plain MLP's hidden layer feeds the next stage directly),
//   C_l         the skip connection (n_l x n_{l-1}), a parameter only when skip_l is true (else zero).
// A shallow network (network.hpp) is one stage with m = 0, n_1 = 1: V = v^T, c = (c0), C = c^T.
//
// Weight decay (THEORY.md s.2, s.6): WD = 1/2 sum over stages of (sum_j |U_{l,j}|_F^2 + |W_l|_F^2 + |V_l|_F^2);
// biases b, c and skip connections C are not regularised; an absent V contributes nothing.
//
// Homogeneous rescalings (function unchanged): per neuron (w_k, b_k) -> a (w_k, b_k), V_{:,k} -> V_{:,k} / a
// (a > 0, ReLU homogeneity), and per stage one scalar per factor of the bias-free chain U_{l,1}, ..., U_{l,m}, W_l
// (U_j -> s_j U_j, W_l -> s_W W_l with s_1 ... s_m s_W = 1: the product W_l U_{l,m} ... U_{l,1} is unchanged, and
// so are b_l and everything else).
//
// Points are ROWS of an N x d matrix X; outputs are rows of an N x n_L matrix.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "rtv/core/linalg.hpp"
#include "rtv/core/random.hpp"
#include "rtv/nets/network.hpp"

namespace rtv {

struct DeepStage {
  std::vector<Eigen::MatrixXd> linear;  ///< U_1, ..., U_m (applied in this order); m may be 0
  Eigen::MatrixXd W;                    ///< K x r (r = rows of U_m, or n_in when m = 0)
  Eigen::VectorXd b;                    ///< K offsets
  Eigen::MatrixXd V;                    ///< n_out x K; 0 x 0 means the identity (n_out = K, not a parameter)
  Eigen::VectorXd c;                    ///< n_out output bias
  Eigen::MatrixXd C;                    ///< n_out x n_in skip connection (zero when !skip)
  bool skip = false;

  int inputs() const;   ///< n_in
  int width() const { return static_cast<int>(W.rows()); }  ///< K
  int outputs() const;  ///< n_out
  bool has_V() const { return V.rows() > 0; }  ///< V absent (identity) iff V has 0 rows
  /// The end-to-end input map of the ReLU layer, W U_m ... U_1 (K x n_in): the "learned first-layer map".
  Eigen::MatrixXd input_map() const;
};

struct DeepNet {
  std::vector<DeepStage> stages;  ///< at least one

  int dim() const;      ///< n_0 = d
  int outputs() const;  ///< n_L
  /// Throws InputError("<source>: stage l: ...") on inconsistent shapes, non-finite values, an empty network,
  /// or nonzero C in a stage without skip connection.
  void validate(const std::string& source = "network") const;
};

/// A deep network of one stage equal to the shallow network (exact).
DeepNet to_deep(const ShallowNet& net);
/// The shallow network of a one-stage, one-output deep network without linear layers; InputError otherwise.
ShallowNet to_shallow(const DeepNet& net);

/// f(x_n) for every row of X: N x n_L.
Eigen::MatrixXd evaluate(const DeepNet& net, const Eigen::MatrixXd& X);

/// WD = 1/2 sum of squared Frobenius norms of all U, W and (present) V (header comment).
double weight_decay(const DeepNet& net);

/// Per stage l: PN_l = sum_k |V_{:,k}|_2 |(W U_m ... U_1)_{k,:}|_2 (the path norm of stage l as a shallow
/// vector-valued network with the end-to-end input weights; |V_{:,k}| = 1 when V is absent).
std::vector<double> stage_path_norms(const DeepNet& net);

/// Parameter gradient, same layout as the network (absent V stays absent; C is zero when !skip).
using DeepNetGradient = DeepNet;

/// J = 1/2 |f(X) - Y|_F^2 + lambda WD and, if grad != nullptr, its gradient (sigma'(0) = 0, as PyTorch).
/// Throws InputError on shape mismatch.
Objective objective(const DeepNet& net, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, double lambda,
                    DeepNetGradient* grad = nullptr);

/// Minimise WD over the homogeneous rescalings of the header comment (function unchanged, WD never increases),
/// stage by stage (WD and the rescalings both split over stages): alternately the per-neuron rescaling (closed
/// form; only in stages with V: without V it is not a symmetry of the stage alone) and the chain scalars (closed
/// form: equal Frobenius norms along the chain), iterated on the log-scales until no log-scale changes by more
/// than rel_tol in a sweep (at most max_sweeps sweeps per stage), then applied to the parameters once. The
/// parameters then lie within ~rel_tol relative of the exactly balanced ones, and WD within ~rel_tol^2
/// relative of its minimum. Dead neurons (V_{:,k} = 0 or w_k = 0) are handled as in balance(ShallowNet)
/// (norms.hpp); a zero chain factor zeroes the whole chain.
DeepNet balance(const DeepNet& net, double rel_tol = 1e-13, int max_sweeps = 1000);

/// Singular values (descending) of each stage's input_map().
std::vector<Eigen::VectorXd> input_map_spectra(const DeepNet& net);

// numerical_rank(spectrum, rel_tol): rtv/core/linalg.hpp.
/// Entropy effective rank exp(-sum p_j log p_j), p_j = s_j / sum s (Roy & Vetterli 2007); 0 for a zero matrix.
double entropy_rank(const Eigen::VectorXd& singular_values);

/// Random initialisation of the architecture (per stage: linear widths, K, n_out, has V, skip), entries
/// N(0, scale^2 / fan_in) for U, W, V; b ~ N(0, scale^2 / fan_in); c = 0, C = 0.
struct StageShape {
  std::vector<int> linear_widths;  ///< output widths of U_1..U_m
  int width = 1;                   ///< K
  int outputs = 1;                 ///< n_out (ignored when !has_V: n_out = K)
  bool has_V = true;
  bool skip = false;
};
DeepNet init_deep_network(Rng& rng, int d, const std::vector<StageShape>& shape, double scale = 1.0);


}  // namespace rtv
