// rtv/radon/seminorm.hpp: the R-TV seminorm computed in the Radon domain (THEORY.md s.3, s.8):
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
//
// Images (rtv_of_image): the filter multiplies the sinogram's spectrum by |omega|^3, up to (pi/h)^3 at the offset
// Nyquist frequency, so ANY error of the projector at the pixel scale is amplified by h^-3. Joseph's transform with
// linear interpolation (radon2d.hpp) has such an error: its line integrals are those of the interpolant that is linear
// along each row, whose spectrum carries images of f^ of size O(h^2) at the pixel frequencies 2 pi (k, l) / h; sampling
// at dt = h folds them into the band, where they are amplified to O(1/h). Measured on exp(-|x|^2/2) on [-6, 6]^2 (2n
// angles, Hann): relative error -3.0e-4, +7.1e-4, +1.9e-3 at n = 512, 1024, 2048, concentrated at the angles next to
// rational directions (tan theta = 1, 1/2, 2: up to +5.8e-2 per angle at n = 512). rtv_of_image therefore projects with
// radon_cubic_spline(): the same row-by-row line sampling, but through the cubic B-spline interpolant of each row,
// whose images are O(h^4) (the B-spline's transform sinc^4 vanishes to fourth order at the pixel frequencies). Measured
// (tests/test_seminorm.cpp): its sinogram of a Gaussian is fourth order (sigma 0.7: max error 2.4e-6 at n = 128, Joseph
// 2.6e-3), and for exp(-|x - c|^2/2), c = (0.3, -0.2), its R-TV differs from the R-TV of the closed-form sinogram on
// the same grid by 1.1e-5, 7.5e-7, 4.7e-8, 3.1e-9 relative at n = 64 ... 512 (order 4; Joseph: 6.6e-3, 1.7e-3, 2.8e-4,
// 2.4e-4). What remains is the pipeline's O(h^2): the Hann window (1 - (omega dt)^2/4 near 0) and the |q| quadrature;
// measured relative error -8.7e-3, -2.2e-3, -5.5e-4, -1.4e-4, -3.3e-5 at n = 128 ... 2048 (R3).
//
// Data that do not vanish at the square's edge: f is taken as zero outside the square, so a nonzero edge is a
// jump, whose R-TV is infinite; the numerical value then grows with n (like n log n for a box). rtv_of_image
// reports the largest |sample| on the outermost ring of pixels and flags it when it exceeds
// edge_jump_tolerance(n) times the largest |sample|.
#pragma once

#include <vector>

#include "rtv/radon/filters.hpp"
#include "rtv/radon/radon2d.hpp"
#include "rtv/radon/radon_nd.hpp"

namespace rtv {

/// rtv_of_image's limits: the third-order filter needs n >= kMinGrid samples per side; padding beyond kMaxPad
/// times the offset range changes nothing the decay-law tail does not already add (the tail is O(pad^-(d+1))).
inline constexpr int kMinGrid = 16;
inline constexpr int kMaxPad = 256;

struct RtvEstimate {
  double value = 0.0;  ///< c_d sum_k w_k int |q_k| dt  (+ tail)
  double tail = 0.0;   ///< the estimated mass beyond the padded offset range (included in value)
  int offsets = 0;     ///< offsets after padding
  double dt = 0.0;
  // rtv_of_image only (0 / false for profiles):
  double edge_max = 0.0;   ///< max |sample| on the outermost ring of pixels (the square's edge)
  double peak = 0.0;       ///< max |sample| over the image
  bool edge_jump = false;  ///< edge_max > edge_jump_tolerance(n) * peak: a jump at the edge, see the header
};

/// Relative edge value above which rtv_of_image flags a jump at the square's edge: 1e-3 / n. Reason
/// (measured on exp(-|x - c|^2/2) truncated to [-L, L]^2, L = 4, 5, 5.5 centred and L = 6 with c = (3, 0),
/// (4.5, 0); n = 128, 256, 512): an edge value eps * peak changes the relative R-TV by at most 0.15 n eps
/// (measured 0 - 0.14 n eps; it grows with n), so below 1e-3 / n the jump moves the value by less than 1.5e-4
/// relative, well inside R3's 1e-3; exp(-|x|^2/2) on [-6, 6]^2 (eps = 1.5e-8) stays below it for n <= 6e4.
double edge_jump_tolerance(int n);

/// R-TV from Radon profiles: profiles[k][m] = R f(gamma_k, t_m), t_m = -T + (m + 1/2) dt, weights as in
/// DirectionSet (summing to |S^{d-1}|). `pad` >= 1: the offset range is extended to pad * T with zeros; a pad < 1
/// or one whose padded offset count pad * M exceeds 2^29 is an InputError naming the field "pad" (also in
/// rtv_of_image, before it projects).
RtvEstimate rtv_from_profiles(int d, const std::vector<std::vector<double>>& profiles, const Eigen::VectorXd& weights,
                              double T, int pad = 8, int threads = 0, Window window = Window::RamLak);

/// The 2D Radon transform of an image (radon2d.hpp grids) by row-by-row line sampling as in Joseph's method,
/// but through each row's cubic B-spline interpolant (the image is extended by zeros outside the square before
/// the interpolation prefilter): for |cos| >= |sin| the line {gamma . x = t} is sampled where it crosses the
/// rows y_i, at x = (t - y_i sin)/cos, weight h/|cos| (columns otherwise). Fourth order in the interpolation
/// and free of O(h^2) pixel-scale errors (see the header comment); about 1.5x the cost of radon().
Array2D radon_cubic_spline(const Array2D& image, const ImageGrid& ig, const SinogramGrid& sg, int threads = 0);

/// R-TV of a function on [-L, L]^2 sampled as an n x n image (radon2d.hpp grid), through
/// radon_cubic_spline() with `angles` angles (0: 2n) and dt = h, zero-padding the offsets `pad` times. The
/// function should vanish near the square's boundary (it is taken as zero outside it): edge_max, edge_jump.
/// InputError naming "image" (n < kMinGrid, NaN), "angles" (< 0), "pad" (outside [1, kMaxPad]) or the sizes.
RtvEstimate rtv_of_image(const Array2D& image, double L, int angles = 0, int pad = 8, int threads = 0,
                         Window window = Window::Hann);

}  // namespace rtv
