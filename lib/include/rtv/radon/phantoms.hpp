// rtv/radon/phantoms.hpp: functions with Radon transforms in closed form (THEORY.md s.3), in 2D (images and
// sinograms on the grids of radon2d.hpp) and in any dimension d (hyperplane integrals).
//
//  * Gaussian A exp(-|x - c|^2 / (2 s^2)):  R f(gamma, t) = A (2 pi s^2)^{(d-1)/2} exp(-(t - gamma.c)^2 / (2 s^2)).
//  * Ellipsoid x = c + Q diag(a) y, |y| <= 1, value A (a ball when all a_i = r; an ellipse in 2D with
//    rotation phi): with g = diag(a) Q^T gamma, s = |g|, tau = t - gamma.c,
//    R f(gamma, t) = A (prod a_i / s) V_{d-1}(sqrt(1 - tau^2/s^2)) for |tau| < s, V_k(r) = pi^{k/2} r^k / Gamma(k/2 + 1)
//    (2D: 2 A a b sqrt(s^2 - tau^2) / s^2, Kak & Slaney).
//  * The modified Shepp-Logan phantom (Toft), ten ellipses on [-1, 1]^2, values in [0, 1].
// Images are sampled at pixel centres, or averaged over s x s sub-pixel centres (supersample = s), which is
// what a detector integrates and avoids aliasing the jumps of the ellipses.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "rtv/core/sphere.hpp"
#include "rtv/radon/radon2d.hpp"

namespace rtv {

struct GaussianBump {
  double amplitude = 1.0;
  double sigma = 1.0;
  Eigen::VectorXd centre;  ///< d entries
  double value(const Eigen::VectorXd& x) const;
  double radon(const Eigen::VectorXd& gamma, double t) const;
};

struct Ellipsoid {
  double amplitude = 1.0;
  Eigen::VectorXd centre;    ///< d entries
  Eigen::VectorXd semi_axes; ///< d entries, > 0
  Eigen::MatrixXd rotation;  ///< d x d orthogonal Q (identity if empty)
  /// A 2D ellipse: semi-axes (a, b) along the directions rotated by phi (radians, counter-clockwise).
  static Ellipsoid ellipse(double amplitude, double cx, double cy, double a, double b, double phi);
  static Ellipsoid ball(double amplitude, const Eigen::VectorXd& centre, double radius);
  double value(const Eigen::VectorXd& x) const;
  double radon(const Eigen::VectorXd& gamma, double t) const;
};

/// A sum of Gaussians and ellipsoids in dimension d.
struct Phantom {
  int d = 2;
  std::vector<GaussianBump> gaussians;
  std::vector<Ellipsoid> ellipsoids;
  std::string name;
  double value(const Eigen::VectorXd& x) const;
  double radon(const Eigen::VectorXd& gamma, double t) const;

  static Phantom gaussian(int d, double amplitude, double sigma, const Eigen::VectorXd& centre);
  static Phantom disk(double amplitude, double cx, double cy, double r);
  static Phantom shepp_logan();  ///< modified (Toft) Shepp-Logan on [-1, 1]^2
};

/// The largest supersampling factor: 64 x 64 = 4096 samples per pixel already put an edge pixel's mean within
/// ~1/64 of a pixel of its exact coverage; beyond, n^2 s^2 evaluations only cost time (issue 20: 46341 overflowed).
inline constexpr int kMaxSupersample = 64;

/// The phantom sampled on an image grid (2D), at pixel centres or as the mean of s x s sub-pixel samples.
/// InputError naming the grid or "supersample" (1 <= s <= kMaxSupersample).
Array2D sample_image(const Phantom& p, const ImageGrid& g, int supersample = 1);
/// The exact sinogram on a sinogram grid (2D).
Array2D exact_sinogram(const Phantom& p, const SinogramGrid& g);

}  // namespace rtv
