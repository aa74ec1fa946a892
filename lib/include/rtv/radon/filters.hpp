// rtv/radon/filters.hpp: Fourier multipliers along the offset t of sinograms, with FFTW (THEORY.md s.3, s.8).
//
// Convention: F{g}(omega) = int g(t) exp(-i omega t) dt; omega in radians per unit of t (physical units).
//  * Ramp filter Lambda^{d-1}: multiplier |omega|^{d-1}.   Inversion: f = c_d R* Lambda^{d-1} R f,
//    c_d = 1 / (2 (2 pi)^{d-1}) (c_2 = 1/(4 pi), c_3 = 1/(8 pi^2)).
//  * R-TV filter d_t^2 Lambda^{d-1}: multiplier -|omega|^{d+1}.
// Discretisation (the standard remedy for the DC bias of a naively sampled |omega|, THEORY.md s.8): the
// BAND-LIMITED SPATIAL KERNEL h_k(n) = (1/2 pi) int_{-pi/dt}^{pi/dt} |omega|^k exp(i omega n dt) d omega, in
// closed form (k = 1 is Ram-Lak: h(0) = pi/(2 dt^2), h(odd n) = -2/(pi n^2 dt^2), h(even n) = 0), applied as
// the discrete convolution q_m = dt sum_j h(m - j) p_j through FFTs of length P >= 2M (zero padding: no
// wrap-around), optionally times a window of the normalised frequency f = omega dt / pi in [0, 1]:
// Shepp-Logan sinc(f/2), cosine cos(pi f/2), Hann (1 + cos(pi f))/2, Hamming 0.54 + 0.46 cos(pi f).
// The result is exact (to rounding) for band-limited p; otherwise the error is that of band-limiting.
// Plans are made once per filter (FFTW_ESTIMATE: the same plan, hence the same rounding, on every run) and
// executed on both cores with per-row buffers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rtv/radon/radon2d.hpp"

namespace rtv {

enum class Window { RamLak, SheppLogan, Cosine, Hann, Hamming };

/// "ram-lak" (or "none"), "shepp-logan", "cosine", "hann", "hamming"; InputError naming `source` otherwise.
Window parse_window(const std::string& name, const std::string& source = "filter");
std::string window_name(Window w);

/// c_d = 1 / (2 (2 pi)^{d-1}).
double radon_inversion_constant(int d);

/// h_k(n) of the header comment, for integer k >= 0 (closed form by repeated integration by parts).
double band_limited_kernel(int k, long n, double dt);

/// A Fourier multiplier sign * |omega|^k (band-limited, windowed) applied along every row of a sinogram.
class OffsetFilter {
 public:
  OffsetFilter(int offsets, double dt, int power, double sign, Window window = Window::RamLak);
  ~OffsetFilter();
  OffsetFilter(const OffsetFilter&) = delete;
  OffsetFilter& operator=(const OffsetFilter&) = delete;

  /// Filter each row (length `offsets`).
  Array2D apply(const Array2D& rows, int threads = 0) const;
  /// Filter one row.
  std::vector<double> apply(const std::vector<double>& row) const;
  int padded_length() const { return P_; }

 private:
  struct Plans;
  int M_, P_;
  std::vector<double> response_;  // real multiplier on the P/2 + 1 rfft bins, including dt and 1/P
  std::unique_ptr<Plans> plans_;
  void filter_row(const double* in, double* out, double* buf, void* spec) const;
};

/// Lambda^{d-1} (multiplier |omega|^{d-1}) with a window.
std::unique_ptr<OffsetFilter> ramp_filter(int offsets, double dt, int d, Window window = Window::RamLak);
/// d_t^2 Lambda^{d-1} (multiplier -|omega|^{d+1}), optionally windowed.
std::unique_ptr<OffsetFilter> rtv_filter(int offsets, double dt, int d, Window window = Window::RamLak);

/// Filtered backprojection in 2D: f = c_2 R* Lambda R f (THEORY.md s.3), R* by rtv::backproject.
Array2D fbp(const Array2D& sino, const SinogramGrid& sg, const ImageGrid& ig, Window window = Window::RamLak,
            int threads = 0);

}  // namespace rtv
