// Shallow ReLU network: evaluation and the gradient of the weight-decay objective (THEORY.md s.1, s.2).
#include "rtv/network.hpp"

#include <cmath>

#include "rtv/error.hpp"

namespace rtv {

ShallowNet ShallowNet::zeros(int d, int K, bool skip) {
  RTV_ASSERT(d >= 1 && K >= 0, "dimension >= 1 and width >= 0");
  ShallowNet net;
  net.W = Eigen::MatrixXd::Zero(K, d);
  net.b = Eigen::VectorXd::Zero(K);
  net.v = Eigen::VectorXd::Zero(K);
  net.c = Eigen::VectorXd::Zero(d);
  net.c0 = 0.0;
  net.skip = skip;
  return net;
}

void ShallowNet::validate(const std::string& source) const {
  const auto K = W.rows(), d = W.cols();
  if (d < 1) throw input_error(source, "input dimension must be at least 1 (W has 0 columns)");
  if (b.size() != K)
    throw input_error(source, "b has " + std::to_string(b.size()) + " entries but W has " + std::to_string(K) +
                                  " rows (one per neuron)");
  if (v.size() != K)
    throw input_error(source, "v has " + std::to_string(v.size()) + " entries but W has " + std::to_string(K) +
                                  " rows (one per neuron)");
  if (c.size() != d)
    throw input_error(source, "c has " + std::to_string(c.size()) + " entries but the input dimension is " +
                                  std::to_string(d));
  if (!W.allFinite()) throw input_error(source, "W contains NaN or infinite values");
  if (!b.allFinite()) throw input_error(source, "b contains NaN or infinite values");
  if (!v.allFinite()) throw input_error(source, "v contains NaN or infinite values");
  if (!c.allFinite() || !std::isfinite(c0)) throw input_error(source, "c or c0 contains NaN or infinite values");
  if (!skip && c.any()) throw input_error(source, "a network without skip connection must have c = 0");
}

Eigen::VectorXd evaluate(const ShallowNet& net, const Eigen::MatrixXd& X) {
  RTV_ASSERT(X.cols() == net.dim(), "points must have the network's input dimension");
  // Pre-activations Z = X W^T - 1 b^T (N x K), one GEMM.
  Eigen::MatrixXd Z = X * net.W.transpose();
  Z.rowwise() -= net.b.transpose();
  Eigen::VectorXd f = Z.cwiseMax(0.0) * net.v;
  if (net.skip) f += X * net.c;
  f.array() += net.c0;
  return f;
}

Eigen::VectorXd evaluation_scale(const ShallowNet& net, const Eigen::MatrixXd& X) {
  RTV_ASSERT(X.cols() == net.dim(), "points must have the network's input dimension");
  Eigen::MatrixXd Z = X.cwiseAbs() * net.W.cwiseAbs().transpose();
  Z.rowwise() += net.b.cwiseAbs().transpose();
  Eigen::VectorXd s = Z * net.v.cwiseAbs();
  if (net.skip) s += X.cwiseAbs() * net.c.cwiseAbs();
  s.array() += std::abs(net.c0);
  return s;
}

Objective objective(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                    ShallowNetGradient* grad) {
  RTV_ASSERT(X.cols() == net.dim() && X.rows() == y.size(), "X is N x d and y has N entries");
  // N x K workspaces reused across calls of a thread (training calls this every step: fresh multi-megabyte
  // allocations cost page faults, measured ~1 ms per step at N = 1000, K = 512).
  thread_local Eigen::MatrixXd Z, D;
  Z.noalias() = X * net.W.transpose();
  Z.rowwise() -= net.b.transpose();
  Z = Z.cwiseMax(0.0);  // H = sigma(Z) in place (coefficient-wise: no aliasing); Z > 0 <=> H > 0
  const Eigen::MatrixXd& H = Z;
  Eigen::VectorXd r = H * net.v - y;  // residual f(x_n) - y_n
  if (net.skip) r += X * net.c;
  r.array() += net.c0;

  Objective J;
  J.data = 0.5 * r.squaredNorm();
  J.weight_decay = 0.5 * (net.v.squaredNorm() + net.W.squaredNorm());
  J.total = J.data + lambda * J.weight_decay;
  if (grad) {
    if (grad->W.rows() != net.width() || grad->W.cols() != net.dim()) *grad = ShallowNet::zeros(net.dim(), net.width(), net.skip);
    grad->skip = net.skip;
    grad->v.noalias() = H.transpose() * r;
    grad->v += lambda * net.v;
    // D_{nk} = dJ/dZ_{nk} = r_n v_k 1[Z_nk > 0]   (sigma'(0) = 0), one pass over the column-major H.
    D.resize(H.rows(), H.cols());
    for (Eigen::Index k = 0; k < H.cols(); ++k) {
      const double vk = net.v(k);
      D.col(k) = (H.col(k).array() > 0.0).select(vk * r.array(), 0.0);
    }
    grad->W.noalias() = D.transpose() * X;
    grad->W += lambda * net.W;
    grad->b = -D.colwise().sum().transpose();
    if (net.skip) grad->c.noalias() = X.transpose() * r;
    else grad->c.setZero(net.dim());
    grad->c0 = r.sum();
  }
  return J;
}

}  // namespace rtv
