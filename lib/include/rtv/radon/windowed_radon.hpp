// rtv/radon/windowed_radon.hpp: closed-form Radon transforms of Gaussian-windowed networks and ridge sums, any d >= 2
// (THEORY.md s.3, s.8).
//
// A ReLU network is not integrable, so its Radon transform needs a window (THEORY.md s.8). We use the Gaussian
// window phi_R(x) = exp(-|x|^2 / (2 R^2)), for which the hyperplane integrals are closed form in every d:
// on {gamma . x = t} write x = t gamma + y, y in gamma^perp; then w . x - b = alpha + w_perp . y with
// alpha = t (w . gamma) - b, beta = |w_perp| = |w - (w . gamma) gamma|, and
//
//   int sigma_s0(w . x - b) phi_R(x) dS = (2 pi)^{(d-1)/2} R^{d-1} exp(-t^2 / (2 R^2)) sigma_s(alpha),
//   s = sqrt(s0^2 + beta^2 R^2),
//
// where sigma_s = sigma * N(0, s^2) is the Gaussian-smoothed ReLU, s * (z Phi(z) + phi(z)) at z = alpha / s
// (sigma_0 = sigma). The Gaussian in the y directions averages sigma_s0 over alpha + beta R Z, Z ~ N(0, 1),
// and Gaussian smoothings compose. The affine part c . x + c0 gives (2 pi)^{(d-1)/2} R^{d-1} exp(-t^2/(2R^2))
// (t c . gamma + c0). Derivatives in t follow from Leibniz' rule, with
// d^m/dt^m exp(-t^2/(2R^2)) = (-1)^m He_m(t/R) R^{-m} exp(-t^2/(2R^2)) (probabilists' Hermite polynomials) and
// sigma_s' = Phi(z), sigma_s'' = phi(z)/s, sigma_s''' = -z phi(z)/s^2, sigma_s'''' = (z^2 - 1) phi(z)/s^3.
//
// RidgeSum generalises the network with a smoothing width per neuron: s0 = 0 is a ReLU neuron, s0 > 0 a
// smooth ridge function whose profile has second derivative v |w|^2 N(b/|w|, (s0/|w|)^2) (claim R6).
#pragma once

#include <Eigen/Core>
#include <cmath>

#include "rtv/nets/network.hpp"

namespace rtv {

/// Gaussian-smoothed ReLU sigma_s(z) = E sigma(z + s Z) and its derivatives in z (deriv = 0..4). s >= 0;
/// s = 0 is the ReLU (derivatives of order >= 2 are then 0 away from z = 0).
double smoothed_relu(double z, double s, int deriv = 0);

/// f(x) = sum_k v_k sigma_{s_k}(w_k . x - b_k) + c . x + c0.
struct RidgeSum {
  Eigen::MatrixXd W;          ///< K x d
  Eigen::VectorXd b, v;       ///< K
  Eigen::VectorXd smoothing;  ///< K widths s_k >= 0 (0: ReLU neuron)
  Eigen::VectorXd c;          ///< d
  double c0 = 0.0;

  static RidgeSum from_network(const ShallowNet& net);
  int dim() const { return static_cast<int>(W.cols()); }
  int terms() const { return static_cast<int>(W.rows()); }
  double operator()(const Eigen::VectorXd& x) const;
};

/// t-derivatives of R{phi_R f}(gamma, t) in closed form (header comment). Cost O(K d) per call.
class WindowedRadon {
 public:
  /// Throws InputError naming "f" (d < 2) or "window" (R not positive finite).
  WindowedRadon(RidgeSum f, double R);
  /// d^deriv/dt^deriv R{phi_R f}(gamma, t), deriv = 0..4; gamma a unit vector of dimension d.
  double operator()(const Eigen::VectorXd& gamma, double t, int deriv = 0) const;
  /// The part of d_t^2 R{phi_R f} that is singular at kinks: envelope(t) sum_k v_k c_k^2 sigma_{s_k}''(c_k t - b_k),
  /// c_k = w_k . gamma (the terms with the window's derivatives are smooth). One exp per term: the cheap
  /// objective of the spike localisation (radon_measure.cpp).
  double curvature(const Eigen::VectorXd& gamma, double t) const;
  /// Derivatives 0..n (n <= 4) at once, into out[0..n].
  void derivatives(const Eigen::VectorXd& gamma, double t, int n, double* out) const;
  int dim() const { return f_.dim(); }
  double window() const { return R_; }
  /// The offset beyond which the transform is below exp(-cut^2/2) of its scale: cut * R.
  double support(double cut = 12.0) const { return cut * R_; }
  const RidgeSum& function() const { return f_; }
  /// The window's factor in every term, (2 pi)^{(d-1)/2} R^{d-1} exp(-t^2 / (2 R^2)): a ReLU neuron
  /// v sigma(w . x - b) makes d_t R{phi_R f}(gamma, .) jump by envelope(t) v |w| at its offset t along its own
  /// direction gamma (the kink of f, weighted by the window).
  double envelope(double t) const { return scale_ * std::exp(-0.5 * t * t / (R_ * R_)); }

 private:
  RidgeSum f_;
  double R_, scale_;
};

}  // namespace rtv
