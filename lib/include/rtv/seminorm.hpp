// rtv/seminorm.hpp: the R-TV seminorm computed in the Radon domain (THEORY.md s.3, s.8):
//
//   RTV(f) = c_d || d_t^2 Lambda^{d-1} R f ||_M = c_d int_{S^{d-1}} int_R |q(gamma, t)| dt dgamma,
//   q = d_t^2 Lambda^{d-1} R f   (Fourier multiplier -|omega|^{d+1}),   c_d = 1/(2 (2 pi)^{d-1}),
//
// for functions whose Radon transform is given as profiles p_k(t) = R f(gamma_k, t_m) on a direction set
// (weights w_k) and a uniform offset grid, or sampled as a 2D image. The filter is the band-limited spatial
// kernel of filters.hpp; the integral over t is the exact integral of |.| of the samples' piecewise-linear
// interpolant (so the kinks of |q| where q changes sign cost no more than its curvature: O(dt^2)); the integral
// over directions is the sphere rule.
//
// Where it loses accuracy (THEORY.md s.8): in even d the filter is non-local and q of a smooth, compactly
// supported f decays only like |t|^{-(d+2)}, so truncating the t axis loses mass. The profiles are zero-padded
// to `pad` times their range before filtering (R f vanishes there for f supported in the sampled region), and
// the mass beyond the padded range is estimated from the decay law, |q(T)| T / (d + 1) per side, added and
// reported as `tail`.
#pragma once

#include <vector>

#include "rtv/filters.hpp"
#include "rtv/radon2d.hpp"
#include "rtv/radon_nd.hpp"

namespace rtv {

struct RtvEstimate {
  double value = 0.0;  ///< c_d sum_k w_k int |q_k| dt  (+ tail)
  double tail = 0.0;   ///< the estimated mass beyond the padded offset range (included in value)
  int offsets = 0;     ///< offsets after padding
  double dt = 0.0;
};

/// R-TV from Radon profiles: profiles[k][m] = R f(gamma_k, t_m), t_m = -T + (m + 1/2) dt, weights as in
/// DirectionSet (summing to |S^{d-1}|). `pad` >= 1: the offset range is extended to pad * T with zeros.
RtvEstimate rtv_from_profiles(int d, const std::vector<std::vector<double>>& profiles, const Eigen::VectorXd& weights,
                              double T, int pad = 8, int threads = 0, Window window = Window::RamLak);

/// R-TV of a function on [-L, L]^2 sampled as an n x n image (radon2d.hpp grid), through Joseph's transform
/// with `angles` angles (0: 2n), zero-padding the offsets `pad` times. The function should vanish near the
/// square's boundary (it is taken as zero outside it).
RtvEstimate rtv_of_image(const Array2D& image, double L, int angles = 0, int pad = 8, int threads = 0,
                         Window window = Window::Hann);

}  // namespace rtv
