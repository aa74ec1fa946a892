// Sphere rules, closed-form hyperplane integrals of neurons on a ball, black-box hyperplane quadrature.
#include "rtv/radon/radon_nd.hpp"

#include <Eigen/Geometry>  // cross products of the d = 3 frames

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/legendre.hpp>
#include <cmath>

#include "rtv/core/error.hpp"
#include "rtv/core/sphere.hpp"

namespace rtv {

DirectionSet circle_rule(int n) {
  RTV_ASSERT(n >= 1, "n >= 1");
  DirectionSet s;
  s.directions.resize(n, 2);
  for (int k = 0; k < n; ++k) s.directions.row(k) << std::cos(2 * M_PI * k / n), std::sin(2 * M_PI * k / n);
  s.weights = Eigen::VectorXd::Constant(n, 2 * M_PI / n);
  s.exact_degree = n - 1;
  s.rule = std::to_string(n) + " equispaced directions on S^1";
  return s;
}

void gauss_legendre(int n, Eigen::VectorXd& nodes, Eigen::VectorXd& weights) {
  RTV_ASSERT(n >= 1, "n >= 1");
  const std::vector<double> pos = boost::math::legendre_p_zeros<double>(n);  // non-negative zeros, ascending
  nodes.resize(n);
  weights.resize(n);
  int k = 0;
  for (auto it = pos.rbegin(); it != pos.rend(); ++it)
    if (*it > 0) nodes(k++) = -*it;
  for (double z : pos) nodes(k++) = z;
  RTV_ASSERT(k == n, "n Legendre zeros");
  for (int i = 0; i < n; ++i) {
    const double dp = boost::math::legendre_p_prime(n, nodes(i));
    weights(i) = 2.0 / ((1.0 - nodes(i) * nodes(i)) * dp * dp);
  }
}

DirectionSet sphere_rule(int n) {
  Eigen::VectorXd z, wz;
  gauss_legendre(n, z, wz);
  const int na = 2 * n;
  DirectionSet s;
  s.directions.resize(n * na, 3);
  s.weights.resize(n * na);
  for (int i = 0; i < n; ++i) {
    const double r = std::sqrt(std::max(0.0, 1.0 - z(i) * z(i)));
    for (int a = 0; a < na; ++a) {
      const double phi = 2 * M_PI * (a + 0.5) / na;
      s.directions.row(i * na + a) << r * std::cos(phi), r * std::sin(phi), z(i);
      s.weights(i * na + a) = wz(i) * 2 * M_PI / na;
    }
  }
  s.exact_degree = 2 * n - 1;
  s.rule = std::to_string(n) + " Gauss-Legendre nodes in z x " + std::to_string(na) + " azimuths on S^2";
  return s;
}

double neuron_radon_ball(const Eigen::VectorXd& w, double b, const Eigen::VectorXd& gamma, double t, double R) {
  const int d = static_cast<int>(w.size());
  RTV_ASSERT(d >= 2 && gamma.size() == d, "d >= 2");
  if (std::abs(t) >= R) return 0.0;
  const double rho = std::sqrt((R - t) * (R + t));
  const double wg = w.dot(gamma);
  const double alpha = t * wg - b;
  const double beta = (w - wg * gamma).norm();
  const double m = 0.5 * (d - 2);                   // (rho^2 - u^2)^m
  const double full = unit_ball_volume(d - 1) * std::pow(rho, d - 1);  // kappa_{d-2} int_{-rho}^{rho} (...)^m du
  // F0(u0) = kappa_{d-2} int_{u0}^{rho} (rho^2-u^2)^m du, as a fraction of `full`:
  //   s0 = u0/rho >= 0: (1/2) ibetac(1/2, m+1, s0^2);  s0 < 0: 1 - (1/2) ibetac(1/2, m+1, s0^2).
  auto tail_fraction = [&](double s0) {
    const double q = 0.5 * boost::math::ibetac(0.5, m + 1.0, std::min(1.0, s0 * s0));
    return s0 >= 0 ? q : 1.0 - q;
  };
  if (beta <= 1e-15 * std::abs(alpha) || beta == 0.0) return std::max(alpha, 0.0) * full;
  const double u0 = -alpha / beta;  // the integrand is positive for u > u0
  if (u0 >= rho) return 0.0;
  if (u0 <= -rho) return alpha * full;  // the odd part beta u integrates to 0
  const double s0 = u0 / rho;
  // kappa_{d-2} int_{u0}^{rho} u (rho^2-u^2)^m du = kappa_{d-2} (rho^2 - u0^2)^{m+1} / (2 (m+1)).
  const double F1 = unit_ball_volume(d - 2) * std::pow((rho - u0) * (rho + u0), m + 1.0) / (2.0 * (m + 1.0));
  return alpha * full * tail_fraction(s0) + beta * F1;
}

double radon_ball_quadrature(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& gamma,
                             double t, double R, double tol) {
  const int d = static_cast<int>(gamma.size());
  if (std::abs(t) >= R) return 0.0;
  const double rho = std::sqrt((R - t) * (R + t));
  using boost::math::quadrature::gauss_kronrod;
  if (d == 2) {
    const Eigen::Vector2d e(-gamma(1), gamma(0));
    auto g = [&](double u) { return f(t * gamma + u * e); };
    return gauss_kronrod<double, 31>::integrate(g, -rho, rho, 15, tol);
  }
  if (d == 3) {
    // Orthonormal basis (e1, e2) of the plane gamma^perp.
    Eigen::Vector3d a = std::abs(gamma(0)) < 0.9 ? Eigen::Vector3d::UnitX() : Eigen::Vector3d::UnitY();
    const Eigen::Vector3d g3 = gamma;
    const Eigen::Vector3d e1 = (a - a.dot(g3) * g3).normalized(), e2 = g3.cross(e1);
    auto ring = [&](double r) {  // int over the circle of radius r: periodic, so the trapezoid rule
      auto at = [&](double phi) { return f(t * g3 + r * (std::cos(phi) * e1 + std::sin(phi) * e2)); };
      double prev = 0.0;
      for (int n = 16;; n *= 2) {
        double s = 0.0;
        for (int k = 0; k < n; ++k) s += at(2 * M_PI * k / n);
        s *= 2 * M_PI / n;
        if (n > 16 && std::abs(s - prev) <= tol * std::max(1.0, std::abs(s))) return r * s;
        if (n >= 1024) return r * s;
        prev = s;
      }
    };
    return gauss_kronrod<double, 31>::integrate(ring, 0.0, rho, 8, tol);
  }
  throw input_error("gamma", "dimension " + std::to_string(d) + ": radon_ball_quadrature handles d = 2 or 3 only");
}

}  // namespace rtv
