// rtv/nets/network.hpp: the shallow ReLU network with skip connection of THEORY.md s.1.
//
//   f(x) = sum_k v_k sigma(w_k . x - b_k) + c . x + c0,   sigma(z) = max(0, z),   x in R^d.
//
// Conventions (THEORY.md s.1): the neuron's hyperplane is {x : w_k . x = b_k}; the bias enters with a MINUS
// sign (PyTorch's Linear computes W x + b, so importing from it flips the sign, see io.hpp). Points are the
// ROWS of an N x d matrix X. The output bias c0 is always a (free, unregularised) parameter, as in PyTorch's
// output Linear and in Savarese et al.'s setting (THEORY.md s.4). The linear skip connection c . x is optional:
// a network without it has `skip = false`, c = 0, and a zero gradient with respect to c.
//
// Data-fit objective (THEORY.md s.1, s.2), biases and skip connection not regularised:
//   J(theta) = 1/2 sum_n (f(x_n) - y_n)^2 + lambda WD(theta),   WD = 1/2 sum_k (v_k^2 + |w_k|^2).
// The ReLU is not differentiable at 0; the gradient uses sigma'(0) = 0 (PyTorch's choice).
#pragma once

#include <Eigen/Core>
#include <string>

namespace rtv {

/// The largest input dimension a network file may declare that none of its arrays backs (a zero-width network
/// without skip weights: "d" alone in JSON, a (0, d) first layer in a state_dict): rtv still stores c (d doubles),
/// so this bounds what a file of a few bytes can make rtv allocate (8 MiB; issue 20: d = 1e9 took 8 GB).
inline constexpr int kMaxUnbackedDim = 1 << 20;

struct ShallowNet {
  Eigen::MatrixXd W;  ///< K x d input weights; row k is w_k.
  Eigen::VectorXd b;  ///< K offsets; neuron k is sigma(w_k . x - b_k).
  Eigen::VectorXd v;  ///< K output weights.
  Eigen::VectorXd c;  ///< d skip-connection weights (zero when skip == false).
  double c0 = 0.0;    ///< output bias (always a parameter, never regularised).
  bool skip = true;   ///< whether the linear skip connection c is a parameter of the network.

  /// A network with K neurons in dimension d, all parameters zero.
  static ShallowNet zeros(int d, int K, bool skip = true);

  int dim() const { return static_cast<int>(W.cols()); }
  int width() const { return static_cast<int>(W.rows()); }

  /// Throws InputError("<source>: ...") on inconsistent shapes, d < 1, non-finite values, or a network
  /// without skip connection that has nonzero c.
  void validate(const std::string& source = "network") const;
};

/// f(x_n) for every row x_n of X (N x d). Cost O(N K d), one GEMM.
Eigen::VectorXd evaluate(const ShallowNet& net, const Eigen::MatrixXd& X);

/// The forward-error scale of evaluate() at each point: S_n = sum_k |v_k| (sum_i |W_ki x_ni| + |b_k|)
/// + sum_i |c_i x_ni| + |c0|. Standard error analysis bounds |fl(f(x_n)) - f(x_n)| by ~(d + 3) eps S_n, so
/// comparisons of two evaluations are made relative to S_n, not to |f(x_n)| (which may cancel to 0).
Eigen::VectorXd evaluation_scale(const ShallowNet& net, const Eigen::MatrixXd& X);

/// Parameter gradient with the same layout as the network (W, b, v, c, c0).
using ShallowNetGradient = ShallowNet;

struct Objective {
  double total = 0.0;  ///< data + lambda * weight_decay
  double data = 0.0;   ///< 1/2 sum_n (f(x_n) - y_n)^2
  double weight_decay = 0.0;
};

/// J(theta) = 1/2 |f(X) - y|^2 + lambda WD(theta) (THEORY.md s.2) and, if grad != nullptr, its gradient.
Objective objective(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                    ShallowNetGradient* grad = nullptr);

}  // namespace rtv
