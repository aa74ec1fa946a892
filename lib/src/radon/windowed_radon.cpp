// Closed-form Radon transforms of Gaussian-windowed ridge sums (header comment of windowed_radon.hpp).
#include "rtv/radon/windowed_radon.hpp"

#include <cmath>
#include <string>

#include "rtv/core/error.hpp"

namespace rtv {

namespace {
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
double normal_cdf(double z) { return 0.5 * std::erfc(-z * M_SQRT1_2); }
}  // namespace

double smoothed_relu(double z, double s, int deriv) {
  RTV_ASSERT(s >= 0 && deriv >= 0 && deriv <= 4, "smoothed_relu: s >= 0, deriv 0..4");
  if (s == 0.0) {
    if (deriv == 0) return z > 0 ? z : 0.0;
    if (deriv == 1) return z > 0 ? 1.0 : (z == 0 ? 0.5 : 0.0);
    return 0.0;
  }
  const double u = z / s, phi = kInvSqrt2Pi * std::exp(-0.5 * u * u);
  switch (deriv) {
    case 0: return s * (u * normal_cdf(u) + phi);
    case 1: return normal_cdf(u);
    case 2: return phi / s;
    case 3: return -u * phi / (s * s);
    default: return (u * u - 1.0) * phi / (s * s * s);
  }
}

RidgeSum RidgeSum::from_network(const ShallowNet& net) {
  RidgeSum f;
  f.W = net.W;
  f.b = net.b;
  f.v = net.v;
  f.smoothing = Eigen::VectorXd::Zero(net.width());
  f.c = net.c;
  f.c0 = net.c0;
  return f;
}

double RidgeSum::operator()(const Eigen::VectorXd& x) const {
  double y = c.dot(x) + c0;
  for (int k = 0; k < terms(); ++k) y += v(k) * smoothed_relu(W.row(k).dot(x) - b(k), smoothing(k));
  return y;
}

WindowedRadon::WindowedRadon(RidgeSum f, double R) : f_(std::move(f)), R_(R) {
  const int d = f_.dim();
  if (d < 2) throw input_error("f", "input dimension " + std::to_string(d) + ": WindowedRadon needs d >= 2");
  if (!(R > 0) || !std::isfinite(R))
    throw input_error("window", "the window radius must be a positive finite number, got " + std::to_string(R));
  RTV_ASSERT(f_.b.size() == f_.terms() && f_.v.size() == f_.terms() && f_.smoothing.size() == f_.terms() &&
                 f_.c.size() == d,
             "WindowedRadon: consistent shapes");
  scale_ = std::pow(2 * M_PI, 0.5 * (d - 1)) * std::pow(R, d - 1);
}

void WindowedRadon::derivatives(const Eigen::VectorXd& gamma, double t, int n, double* out) const {
  RTV_ASSERT(n >= 0 && n <= 4 && gamma.size() == dim(), "WindowedRadon: deriv 0..4, gamma of dimension d");
  const int d = dim();
  // Window factor E(t) and its derivatives E^(m) = (-1)^m He_m(x) R^-m E, x = t / R.
  const double x = t / R_, E = std::exp(-0.5 * x * x);
  const double He[5] = {1.0, x, x * x - 1.0, x * x * x - 3.0 * x, x * x * x * x - 6.0 * x * x + 3.0};
  double Em[5];
  double Rm = 1.0;
  for (int m = 0; m <= n; ++m, Rm /= R_) Em[m] = ((m & 1) ? -1.0 : 1.0) * He[m] * Rm * E;
  // h^(j)(t) of the inner function h(t) = sum_k v_k sigma_s(c_k t - b_k) + (c . gamma) t + c0.
  double h[5] = {0, 0, 0, 0, 0};
  const double cg = f_.c.dot(gamma);
  h[0] = cg * t + f_.c0;
  if (n >= 1) h[1] = cg;
  for (int k = 0; k < f_.terms(); ++k) {
    if (f_.v(k) == 0.0) continue;
    const double ck = f_.W.row(k).dot(gamma);  // no temporary vector: this is the innermost loop
    // beta^2 = |w - (w . gamma) gamma|^2, summed from the components: |w|^2 - ck^2 would lose all digits for
    // gamma within ~1e-8 of the neuron's direction (the spike localisation of radon_measure.cpp gets there).
    double beta2 = 0.0;
    for (int i = 0; i < d; ++i) {
      const double p = f_.W(k, i) - ck * gamma(i);
      beta2 += p * p;
    }
    const double s = std::sqrt(f_.smoothing(k) * f_.smoothing(k) + beta2 * R_ * R_);
    const double alpha = ck * t - f_.b(k);
    double sr[5];
    if (s == 0.0) {
      for (int j = 0; j <= n; ++j) sr[j] = smoothed_relu(alpha, 0.0, j);
    } else {  // one exp and at most one erfc per term
      const double u = alpha / s, phi = kInvSqrt2Pi * std::exp(-0.5 * u * u);
      const double Phi = normal_cdf(u);
      sr[0] = s * (u * Phi + phi);
      if (n >= 1) sr[1] = Phi;
      if (n >= 2) sr[2] = phi / s;
      if (n >= 3) sr[3] = -u * phi / (s * s);
      if (n >= 4) sr[4] = (u * u - 1.0) * phi / (s * s * s);
    }
    double cj = f_.v(k);
    for (int j = 0; j <= n; ++j, cj *= ck) h[j] += cj * sr[j];
  }
  static const double binom[5][5] = {{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}};
  for (int m = 0; m <= n; ++m) {
    double acc = 0.0;
    for (int j = 0; j <= m; ++j) acc += binom[m][j] * Em[m - j] * h[j];
    out[m] = scale_ * acc;
  }
}

double WindowedRadon::curvature(const Eigen::VectorXd& gamma, double t) const {
  RTV_ASSERT(gamma.size() == dim(), "WindowedRadon: gamma of dimension d");
  const int d = dim();
  double acc = 0.0;
  for (int k = 0; k < f_.terms(); ++k) {
    if (f_.v(k) == 0.0) continue;
    const double ck = f_.W.row(k).dot(gamma);
    double beta2 = 0.0;
    for (int i = 0; i < d; ++i) {
      const double p = f_.W(k, i) - ck * gamma(i);
      beta2 += p * p;
    }
    const double s = std::sqrt(f_.smoothing(k) * f_.smoothing(k) + beta2 * R_ * R_);
    if (s == 0.0) continue;  // exactly on the kink's direction: a Dirac, not a value
    const double u = (ck * t - f_.b(k)) / s;
    acc += f_.v(k) * ck * ck * kInvSqrt2Pi * std::exp(-0.5 * u * u) / s;
  }
  return envelope(t) * acc;
}

double WindowedRadon::operator()(const Eigen::VectorXd& gamma, double t, int deriv) const {
  double out[5];
  derivatives(gamma, t, deriv, out);
  return out[deriv];
}

}  // namespace rtv
