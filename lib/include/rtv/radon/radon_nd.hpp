// rtv/radon/radon_nd.hpp: the Radon transform in any dimension d for analytic and network functions
// (THEORY.md s.3): quadrature on the sphere S^{d-1}, hyperplane integrals of a ReLU neuron restricted to a
// ball in closed form, and hyperplane integrals of black-box functions by quadrature.
//
// Sphere rules (weights sum to |S^{d-1}|):
//  * d = 2: n equispaced directions theta_k = 2 pi k / n, weight 2 pi / n: exact for trigonometric
//    polynomials of degree <= n - 1.
//  * d = 3: Gauss-Legendre in z = cos(polar angle) (n nodes) x 2n equispaced azimuths: exact for polynomials
//    (spherical harmonics) of degree <= 2n - 1.
//  * d >= 4: not provided (the harness uses Monte Carlo or closed forms there).
//
// Neuron on a ball (closed form, any d >= 2): for sigma(w . x - b) restricted to B_R,
//   int_{H(gamma, t) cap B_R} sigma(w . x - b) dS = kappa_{d-2} int_{-rho}^{rho} (alpha + beta u)_+ (rho^2 - u^2)^{(d-2)/2} du
// with rho^2 = R^2 - t^2, alpha = t (w . gamma) - b, beta = |w - (w . gamma) gamma|, kappa_k = unit_ball_volume(k);
// the two pieces are an incomplete beta function (Boost.Math ibetac) and a power.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <string>

namespace rtv {

struct DirectionSet {
  Eigen::MatrixXd directions;  ///< n x d unit vectors (rows)
  Eigen::VectorXd weights;     ///< n quadrature weights, summing to |S^{d-1}|
  int exact_degree = 0;        ///< polynomials of this degree are integrated exactly
  std::string rule;            ///< description
};

/// d = 2: n equispaced directions on the whole circle.
DirectionSet circle_rule(int n);
/// d = 3: n Gauss-Legendre nodes in z times 2n azimuths (2 n^2 directions), exact to degree 2n - 1.
DirectionSet sphere_rule(int n);

/// Gauss-Legendre nodes and weights on [-1, 1] (n >= 1), via Boost.Math's Legendre zeros.
void gauss_legendre(int n, Eigen::VectorXd& nodes, Eigen::VectorXd& weights);

/// Hyperplane integral of sigma(w . x - b) over {gamma . x = t} cap B_R (closed form; 0 if |t| >= R).
double neuron_radon_ball(const Eigen::VectorXd& w, double b, const Eigen::VectorXd& gamma, double t, double R);

/// Hyperplane integral of a black-box f over {gamma . x = t} cap B_R by quadrature (d = 2: Gauss-Kronrod
/// along the chord; d = 3: Gauss-Kronrod in the radius x trapezoid in the angle of the disk section), to
/// relative tolerance `tol`. f need only be piecewise smooth; kinks cost accuracy, not correctness.
double radon_ball_quadrature(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& gamma,
                             double t, double R, double tol = 1e-10);

}  // namespace rtv
