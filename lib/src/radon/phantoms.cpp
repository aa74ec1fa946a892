// Phantoms with closed-form Radon transforms. See rtv/radon/phantoms.hpp.
#include "rtv/radon/phantoms.hpp"

#include <cmath>

#include "rtv/core/error.hpp"

namespace rtv {

double GaussianBump::value(const Eigen::VectorXd& x) const {
  return amplitude * std::exp(-(x - centre).squaredNorm() / (2 * sigma * sigma));
}

double GaussianBump::radon(const Eigen::VectorXd& gamma, double t) const {
  const double d = static_cast<double>(centre.size()), tau = t - gamma.dot(centre);
  return amplitude * std::pow(2 * M_PI * sigma * sigma, 0.5 * (d - 1)) * std::exp(-tau * tau / (2 * sigma * sigma));
}

Ellipsoid Ellipsoid::ellipse(double amplitude, double cx, double cy, double a, double b, double phi) {
  Ellipsoid e;
  e.amplitude = amplitude;
  e.centre = Eigen::Vector2d(cx, cy);
  e.semi_axes = Eigen::Vector2d(a, b);
  e.rotation.resize(2, 2);
  e.rotation << std::cos(phi), -std::sin(phi), std::sin(phi), std::cos(phi);
  return e;
}

Ellipsoid Ellipsoid::ball(double amplitude, const Eigen::VectorXd& centre, double radius) {
  Ellipsoid e;
  e.amplitude = amplitude;
  e.centre = centre;
  e.semi_axes = Eigen::VectorXd::Constant(centre.size(), radius);
  e.rotation = Eigen::MatrixXd::Identity(centre.size(), centre.size());
  return e;
}

double Ellipsoid::value(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd y = (rotation.transpose() * (x - centre)).cwiseQuotient(semi_axes);
  return y.squaredNorm() <= 1.0 ? amplitude : 0.0;
}

double Ellipsoid::radon(const Eigen::VectorXd& gamma, double t) const {
  const int d = static_cast<int>(centre.size());
  const Eigen::VectorXd g = semi_axes.cwiseProduct(rotation.transpose() * gamma);
  const double s = g.norm(), tau = t - gamma.dot(centre);
  if (std::abs(tau) >= s) return 0.0;
  const double rho = std::sqrt(1.0 - (tau / s) * (tau / s));
  return amplitude * semi_axes.prod() / s * unit_ball_volume(d - 1) * std::pow(rho, d - 1);
}

double Phantom::value(const Eigen::VectorXd& x) const {
  double v = 0.0;
  for (const auto& g : gaussians) v += g.value(x);
  for (const auto& e : ellipsoids) v += e.value(x);
  return v;
}

double Phantom::radon(const Eigen::VectorXd& gamma, double t) const {
  double v = 0.0;
  for (const auto& g : gaussians) v += g.radon(gamma, t);
  for (const auto& e : ellipsoids) v += e.radon(gamma, t);
  return v;
}

Phantom Phantom::gaussian(int d, double amplitude, double sigma, const Eigen::VectorXd& centre) {
  RTV_ASSERT(centre.size() == d, "centre in R^d");
  Phantom p;
  p.d = d;
  p.gaussians.push_back({amplitude, sigma, centre});
  p.name = "gaussian";
  return p;
}

Phantom Phantom::disk(double amplitude, double cx, double cy, double r) {
  Phantom p;
  p.d = 2;
  p.ellipsoids.push_back(Ellipsoid::ball(amplitude, Eigen::Vector2d(cx, cy), r));
  p.name = "disk";
  return p;
}

Phantom Phantom::shepp_logan() {
  // Modified Shepp-Logan (Toft 1996): value, semi-axes a (x), b (y), centre, rotation in degrees.
  static const double table[10][6] = {
      {1.0, 0.69, 0.92, 0.0, 0.0, 0.0},        {-0.8, 0.6624, 0.874, 0.0, -0.0184, 0.0},
      {-0.2, 0.11, 0.31, 0.22, 0.0, -18.0},    {-0.2, 0.16, 0.41, -0.22, 0.0, 18.0},
      {0.1, 0.21, 0.25, 0.0, 0.35, 0.0},       {0.1, 0.046, 0.046, 0.0, 0.1, 0.0},
      {0.1, 0.046, 0.046, 0.0, -0.1, 0.0},     {0.1, 0.046, 0.023, -0.08, -0.605, 0.0},
      {0.1, 0.023, 0.023, 0.0, -0.606, 0.0},   {0.1, 0.023, 0.046, 0.06, -0.605, 0.0}};
  Phantom p;
  p.d = 2;
  p.name = "shepp-logan";
  for (const auto& r : table)
    p.ellipsoids.push_back(Ellipsoid::ellipse(r[0], r[3], r[4], r[1], r[2], r[5] * M_PI / 180.0));
  return p;
}

Array2D sample_image(const Phantom& p, const ImageGrid& g, int supersample) {
  RTV_ASSERT(p.d == 2, "2D phantom");
  g.validate();
  if (supersample < 1 || supersample > kMaxSupersample)
    throw input_error("supersample", "must be in [1, " + std::to_string(kMaxSupersample) + "], got " +
                                         std::to_string(supersample));
  Array2D img(g.n, g.n);
  const double h = g.h(), hs = h / supersample;
  Eigen::VectorXd x(2);
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j) {
      double s = 0.0;
      for (int a = 0; a < supersample; ++a)
        for (int b = 0; b < supersample; ++b) {
          x << g.x(j) - 0.5 * h + (b + 0.5) * hs, g.y(i) - 0.5 * h + (a + 0.5) * hs;
          s += p.value(x);
        }
      img(i, j) = s / (static_cast<double>(supersample) * supersample);  // (int: wrapped to < 0 at 46341)
    }
  return img;
}

Array2D exact_sinogram(const Phantom& p, const SinogramGrid& g) {
  RTV_ASSERT(p.d == 2, "2D phantom");
  Array2D s(g.angles, g.offsets);
  for (int a = 0; a < g.angles; ++a) {
    const Eigen::Vector2d gamma(std::cos(g.theta(a)), std::sin(g.theta(a)));
    for (int m = 0; m < g.offsets; ++m) s(a, m) = p.radon(gamma, g.t(m));
  }
  return s;
}

}  // namespace rtv
