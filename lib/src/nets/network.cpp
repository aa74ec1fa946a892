// Shallow ReLU network: evaluation and the gradient of the weight-decay objective (THEORY.md s.1, s.2).
#include "rtv/nets/network.hpp"

#include <algorithm>
#include <cmath>

#include "rtv/core/error.hpp"

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
  // Finite weights whose squares overflow (|w| > ~1e154) give an infinite weight decay and path norm, and then
  // "R-TV 0" or "null" in the output (issue 20): refused here, where every reader and solver passes.
  const double wd = 0.5 * (v.squaredNorm() + W.squaredNorm() + b.squaredNorm() + c.squaredNorm());
  if (!std::isfinite(wd))
    throw input_error(source, "the weights (largest magnitude " +
                                  number_text(std::max({W.size() ? W.cwiseAbs().maxCoeff() : 0.0,
                                                        K ? b.cwiseAbs().maxCoeff() : 0.0,
                                                        K ? v.cwiseAbs().maxCoeff() : 0.0,
                                                        c.cwiseAbs().maxCoeff(), std::abs(c0)})) +
                                  ") are too large: their sum of squares overflows double precision; rescale the "
                                  "network (the norms rtv computes would be infinite)");
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

namespace {

// The parts both kernels share: skip connection and output bias added to the residual r (which holds
// sum_k v_k sigma(w_k . x_n - b_k) - y_n on entry), the objective from it, and the gradient of the affine part.
Objective finish_objective(const ShallowNet& net, const Eigen::MatrixXd& X, Eigen::VectorXd& r, double lambda) {
  if (net.skip) r += X * net.c;
  r.array() += net.c0;
  Objective J;
  J.data = 0.5 * r.squaredNorm();
  J.weight_decay = 0.5 * (net.v.squaredNorm() + net.W.squaredNorm());
  J.total = J.data + lambda * J.weight_decay;
  return J;
}

void prepare_gradient(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& r,
                      ShallowNetGradient& grad) {
  if (grad.W.rows() != net.width() || grad.W.cols() != net.dim()) grad = ShallowNet::zeros(net.dim(), net.width(), net.skip);
  grad.skip = net.skip;
  if (net.skip) grad.c.noalias() = X.transpose() * r;
  else grad.c.setZero(net.dim());
  grad.c0 = r.sum();
}

// Any d: GEMMs over stored N x K workspaces.
Objective objective_gemm(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                         ShallowNetGradient* grad) {
  // N x K workspaces reused across calls of a thread (training calls this every step: fresh multi-megabyte
  // allocations cost page faults, measured ~1 ms per step at N = 1000, K = 512).
  thread_local Eigen::MatrixXd Z, D;
  Z.noalias() = X * net.W.transpose();
  Z.rowwise() -= net.b.transpose();
  Z = Z.cwiseMax(0.0);  // H = sigma(Z) in place (coefficient-wise: no aliasing); Z > 0 <=> H > 0
  const Eigen::MatrixXd& H = Z;
  Eigen::VectorXd r = H * net.v - y;  // residual f(x_n) - y_n (affine part added next)
  const Objective J = finish_objective(net, X, r, lambda);
  if (grad) {
    prepare_gradient(net, X, r, *grad);
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
  }
  return J;
}


// d = D known at compile time: fused, row by row; the N x K pre-activations are never stored (stored, every
// step was four memory-bound passes over N K doubles). Pass 1: f(x_n) and the residual; pass 2 (gradient):
// recompute z_n = W x_n - b and accumulate. The k loops vectorise; sums over n run in a fixed order.
template <int D>
Objective objective_fused(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                          ShallowNetGradient* grad) {
  const Eigen::Index N = X.rows(), K = net.width();
  const double* W = net.W.data();  // column-major K x D: column i contiguous over k
  const double* b = net.b.data();
  const double* v = net.v.data();
  thread_local Eigen::VectorXd r;  // the residual, reused across calls of a thread (training calls this every
  r.resize(N);                     // step; a fresh vector each call was a malloc and a free per step)
  for (Eigen::Index n = 0; n < N; ++n) {
    double x[D];
    for (int i = 0; i < D; ++i) x[i] = X(n, i);
    double f = 0.0;
#pragma omp simd reduction(+ : f)
    for (Eigen::Index k = 0; k < K; ++k) {
      double z = -b[k];
      for (int i = 0; i < D; ++i) z += x[i] * W[i * K + k];
      f += (z > 0.0 ? z : 0.0) * v[k];
    }
    r(n) = f - y(n);
  }
  const Objective J = finish_objective(net, X, r, lambda);
  if (grad) {
    prepare_gradient(net, X, r, *grad);
    grad->v = lambda * net.v;
    grad->b.setZero(K);
    grad->W = lambda * net.W;
    double* gv = grad->v.data();
    double* gb = grad->b.data();
    double* gW = grad->W.data();
    for (Eigen::Index n = 0; n < N; ++n) {
      double x[D];
      for (int i = 0; i < D; ++i) x[i] = X(n, i);
      const double rn = r(n);
#pragma omp simd
      for (Eigen::Index k = 0; k < K; ++k) {
        double z = -b[k];
        for (int i = 0; i < D; ++i) z += x[i] * W[i * K + k];
        const double on = z > 0.0 ? 1.0 : 0.0;  // sigma'(z), sigma'(0) = 0
        const double hk = rn * v[k] * on;          // dJ/dz_nk
        gv[k] += rn * z * on;
        gb[k] -= hk;
        for (int i = 0; i < D; ++i) gW[i * K + k] += x[i] * hk;
      }
    }
  }
  return J;
}

}  // namespace

Objective objective(const ShallowNet& net, const Eigen::MatrixXd& X, const Eigen::VectorXd& y, double lambda,
                    ShallowNetGradient* grad) {
  RTV_ASSERT(X.cols() == net.dim() && X.rows() == y.size(), "X is N x d and y has N entries");
  switch (net.dim()) {
    case 1: return objective_fused<1>(net, X, y, lambda, grad);
    case 2: return objective_fused<2>(net, X, y, lambda, grad);
    case 3: return objective_fused<3>(net, X, y, lambda, grad);
    default: return objective_gemm(net, X, y, lambda, grad);
  }
}

}  // namespace rtv
