// rtv/radon/radon2d.hpp: the 2D Radon transform of sampled images, its exact adjoint, and backprojection
// (THEORY.md s.3, s.8).
//
// Grid conventions (stated once; the README repeats them with a worked example):
//  * An image is n x n samples of f on the square [-L, L]^2 at PIXEL CENTRES: img(i, j) = f(x_j, y_i) with
//    x_j = -L + (j + 1/2) h, y_i = -L + (i + 1/2) h, h = 2L/n. Row index i is y (increasing with i), column j
//    is x. The centre of rotation is the origin, i.e. index (n-1)/2 in both directions, for odd and even n.
//    Outside the square f = 0.
//  * A sinogram is A x M: row a is the angle theta_a = pi a / A (a = 0..A-1, the half circle [0, pi); the
//    other half follows from R f(-gamma, -t) = R f(gamma, t)), direction gamma_a = (cos theta_a, sin theta_a);
//    column m is the offset t_m = -T + (m + 1/2) dt, dt = 2T/M. sino(a, m) = R f(gamma_a, t_m), the integral of
//    f over the line {x : gamma_a . x = t_m} in physical units (length measure).
//  * Default offsets: dt = h and M = the smallest integer >= sqrt(2) n with the parity of n, so T = M h/2 >=
//    sqrt(2) L covers the square's circumscribed circle, and offsets line up with pixel centres at theta = 0.
//
// Operators:
//  * radon(): Joseph's method. Each line is sampled where it crosses the rows (for |cos| >= |sin|) or the
//    columns, with linear interpolation between the two nearest pixels along that row or column and step
//    h / max(|cos|, |sin|). Second order for smooth f (O(h^2)); first order in L1 at jumps.
//  * radon_adjoint(): the exact matrix transpose of radon(): <radon(f), g> = <f, radon_adjoint(g)> to rounding.
//  * backproject(): the continuous backprojection R* g(x) = int over S^1 of g(gamma, gamma . x) dgamma
//    = 2 int_0^pi g(theta, x . gamma) dtheta, by the rectangle rule in theta (weight 2 pi / A) and linear
//    interpolation in t (zero outside [t_0, t_{M-1}] extended by half a cell). It is the backprojector of FBP
//    (filters.hpp): f = c_2 R* Lambda R f with c_2 = 1/(4 pi).
// All three are parallel over angles (radon) or image rows (the others) and deterministic for any thread
// count (each output element is summed by one thread in a fixed order).
#pragma once

#include <Eigen/Core>

namespace rtv {

/// Row-major dense array: images (row = y) and sinograms (row = angle).
using Array2D = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ImageGrid {
  int n = 0;        ///< n x n pixels
  double L = 1.0;   ///< half-width: the image covers [-L, L]^2
  double h() const { return 2.0 * L / n; }
  double x(int j) const { return -L + (j + 0.5) * h(); }  ///< column j
  double y(int i) const { return -L + (i + 0.5) * h(); }  ///< row i
  void validate(const char* what = "image grid") const;   ///< InputError if n < 1 or L not positive finite
};

struct SinogramGrid {
  int angles = 0;   ///< A: theta_a = pi a / A
  int offsets = 0;  ///< M: t_m = -T + (m + 1/2) dt
  double T = 1.0;   ///< offsets cover [-T, T]
  double dt() const { return 2.0 * T / offsets; }
  double t(int m) const { return -T + (m + 0.5) * dt(); }
  double theta(int a) const;
  void validate(const char* what = "sinogram grid") const;
  /// The default sinogram grid of an image: dt = h, M >= sqrt(2) n with the parity of n (or `offsets` if > 0,
  /// keeping T).
  static SinogramGrid for_image(const ImageGrid& g, int angles, int offsets = 0);
};

/// Errors of an image against a reference over the pixel centres inside the disc |x| < r (where FBP is
/// compared with the truth: outside the inscribed circle a sinogram of finite range says nothing).
double max_abs_diff_in_disc(const Array2D& a, const Array2D& b, const ImageGrid& g, double r);
double mean_abs_diff_in_disc(const Array2D& a, const Array2D& b, const ImageGrid& g, double r);

/// Joseph's discrete Radon transform (A x M) of an n x n image.
Array2D radon(const Array2D& image, const ImageGrid& ig, const SinogramGrid& sg, int threads = 0);
/// The exact transpose of radon() (n x n).
Array2D radon_adjoint(const Array2D& sino, const ImageGrid& ig, const SinogramGrid& sg, int threads = 0);
/// R* g on the image grid: 2 (pi/A) sum_a g(theta_a, x . gamma_a), linear interpolation in t.
Array2D backproject(const Array2D& sino, const SinogramGrid& sg, const ImageGrid& ig, int threads = 0);

}  // namespace rtv
