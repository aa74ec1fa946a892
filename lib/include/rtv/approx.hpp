// rtv/approx.hpp: K-term approximation of functions of bounded R-TV (THEORY.md s.7).
//
// What it is for: the rate claims (A1-A3). A target with a KNOWN Radon-domain measure is a network
// f = sum_k a_k sigma(gamma_k . x - t_k) + c . x + c0 with unit gamma_k: its measure is sum_k a_k delta_(gamma_k, t_k)
// (THEORY.md s.3), |mu| = sum |a_k| when the hyperplanes are distinct (they are, almost surely, for the random
// targets below). Maurey's sampling draws K neurons i.i.d. from |a_k| / |mu| and gives each sign(a_k) |mu| / K:
// E f_K = f, and for any probability P on the inputs (i.i.d. sampling: the variance of one draw over K)
//   E |f - f_K|^2_{L2(P)} = ( |mu| sum_k |a_k| E_P[sigma_k^2] - E_P[(f - affine)^2] ) / K,
// so the RMS error falls like K^{-1/2} whatever d (THEORY.md s.7, Maurey/Barron).
// Conventions: L2 on the unit ball with the uniform probability measure, estimated on sample points.
#pragma once

#include <Eigen/Dense>

#include "rtv/network.hpp"
#include "rtv/random.hpp"

namespace rtv {

/// P points uniform in the unit ball of R^d (direction from a Gaussian, radius U^{1/d}); P x d.
Eigen::MatrixXd uniform_ball(Rng& rng, int P, int d);

/// A target of known measure: M unit neurons, gamma uniform on the sphere, t uniform in [-t_max, t_max], a_k = +-1/M
/// with random signs (|mu| = 1), no affine part. t_max = 1/sqrt(d) keeps the neurons active on a fixed share of the
/// ball in every d (gamma . x has standard deviation ~ 1/sqrt(d + 2) for uniform x).
ShallowNet random_measure_target(Rng& rng, int d, int M);

/// Maurey's K-term sample of `target` (THEORY.md s.7): K neurons drawn i.i.d. from |a_k| / sum |a|, each with
/// coefficient sign(a_k) sum|a| / K (written balanced), plus the target's affine part. Neurons with w = 0 are not
/// drawn (they are constants: moved to c0 exactly).
ShallowNet maurey_sample(const ShallowNet& target, int K, Rng& rng);

/// The exact expectation E |f - f_K|^2 over Maurey's sampling, with |.| the mean over the rows of X (THEORY.md s.7):
/// (|mu| sum_k |a_k| mean_n sigma_k(x_n)^2 - mean_n g(x_n)^2) / K, g = f minus its affine part.
double maurey_expected_squared_error(const ShallowNet& target, const Eigen::MatrixXd& X, int K);

}  // namespace rtv
