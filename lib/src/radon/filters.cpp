// Fourier multipliers along t with FFTW, and 2D filtered backprojection. See rtv/radon/filters.hpp.
#include "rtv/radon/filters.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>

#include "rtv/core/error.hpp"
#include "rtv/core/parallel.hpp"

namespace rtv {

namespace {
std::mutex& fftw_planner_mutex() {  // FFTW's planner is not thread-safe; execution is.
  static std::mutex m;
  return m;
}

// Smallest 2^a 3^b 5^c >= n: FFTW is fastest on such lengths.
int nice_length(int n) {
  for (int m = std::max(n, 1);; ++m) {
    int r = m;
    for (int p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}
}  // namespace

Window parse_window(const std::string& name, const std::string& source) {
  if (name == "ram-lak" || name == "ramp" || name == "none") return Window::RamLak;
  if (name == "shepp-logan") return Window::SheppLogan;
  if (name == "cosine") return Window::Cosine;
  if (name == "hann") return Window::Hann;
  if (name == "hamming") return Window::Hamming;
  throw input_error(source, "unknown filter '" + name + "' (ram-lak, shepp-logan, cosine, hann, hamming)");
}

std::string window_name(Window w) {
  switch (w) {
    case Window::RamLak: return "ram-lak";
    case Window::SheppLogan: return "shepp-logan";
    case Window::Cosine: return "cosine";
    case Window::Hann: return "hann";
    case Window::Hamming: return "hamming";
  }
  return "?";
}

double radon_inversion_constant(int d) { return 1.0 / (2.0 * std::pow(2.0 * M_PI, d - 1)); }

double band_limited_kernel(int k, long n, double dt) {
  RTV_ASSERT(k >= 0 && dt > 0, "k >= 0, dt > 0");
  const double W = M_PI / dt;  // Nyquist
  if (n == 0) return std::pow(W, k + 1) / (k + 1) / M_PI;
  // I_j = int_0^W w^j cos(w tau) dw, S_j = int_0^W w^j sin(w tau) dw, with W tau = pi n: sin = 0, cos = +-1.
  const double tau = n * dt, cosWt = (n % 2 == 0) ? 1.0 : -1.0;
  double I = 0.0, S = (1.0 - cosWt) / tau;  // j = 0
  double Wj = 1.0;
  for (int j = 1; j <= k; ++j) {
    Wj *= W;
    const double In = -(j / tau) * S;                    // + W^j sin(W tau)/tau = 0
    const double Sn = -Wj * cosWt / tau + (j / tau) * I;
    I = In, S = Sn;
  }
  return I / M_PI;
}

struct OffsetFilter::Plans {
  fftw_plan forward = nullptr, backward = nullptr;
};

OffsetFilter::OffsetFilter(int offsets, double dt, int power, double sign, Window window)
    : M_(offsets), P_(nice_length(2 * offsets)), plans_(new Plans) {
  RTV_ASSERT(offsets >= 1 && dt > 0 && power >= 0, "valid filter");
  double* buf = fftw_alloc_real(P_);
  fftw_complex* spec = fftw_alloc_complex(P_ / 2 + 1);
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plans_->forward = fftw_plan_dft_r2c_1d(P_, buf, spec, FFTW_ESTIMATE);
    plans_->backward = fftw_plan_dft_c2r_1d(P_, spec, buf, FFTW_ESTIMATE);
  }
  // Kernel h(n) for |n| <= P/2, stored circularly; its DFT is real (h is even).
  for (int i = 0; i < P_; ++i) {
    const long n = (i <= P_ / 2) ? i : static_cast<long>(i) - P_;
    buf[i] = band_limited_kernel(power, n, dt);
  }
  fftw_execute_dft_r2c(plans_->forward, buf, spec);
  response_.resize(P_ / 2 + 1);
  for (int b = 0; b <= P_ / 2; ++b) {
    const double f = static_cast<double>(b) / (P_ / 2);  // normalised frequency, 1 = Nyquist
    double win = 1.0;
    switch (window) {
      case Window::RamLak: break;
      case Window::SheppLogan: win = (f == 0) ? 1.0 : std::sin(M_PI * f / 2) / (M_PI * f / 2); break;
      case Window::Cosine: win = std::cos(M_PI * f / 2); break;
      case Window::Hann: win = 0.5 * (1.0 + std::cos(M_PI * f)); break;
      case Window::Hamming: win = 0.54 + 0.46 * std::cos(M_PI * f); break;
    }
    // q = dt * (h conv p); the inverse DFT of FFTW is unnormalised: divide by P.
    response_[b] = sign * spec[b][0] * win * dt / P_;
  }
  fftw_free(buf);
  fftw_free(spec);
}

OffsetFilter::~OffsetFilter() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(plans_->forward);
  fftw_destroy_plan(plans_->backward);
}

void OffsetFilter::filter_row(const double* in, double* out, double* buf, void* spec_v) const {
  auto* spec = static_cast<fftw_complex*>(spec_v);
  std::copy(in, in + M_, buf);
  std::fill(buf + M_, buf + P_, 0.0);
  fftw_execute_dft_r2c(plans_->forward, buf, spec);
  for (int b = 0; b <= P_ / 2; ++b) spec[b][0] *= response_[b], spec[b][1] *= response_[b];
  fftw_execute_dft_c2r(plans_->backward, spec, buf);
  std::copy(buf, buf + M_, out);
}

Array2D OffsetFilter::apply(const Array2D& rows, int threads) const {
  RTV_ASSERT(rows.cols() == M_, "rows have the filter's length");
  Array2D out(rows.rows(), rows.cols());
  const int R = static_cast<int>(rows.rows());
  const int chunks = std::max(1, std::min(R, 4 * resolve_threads(threads)));
  parallel_for(chunks, threads, [&](int c) {
    double* buf = fftw_alloc_real(P_);
    fftw_complex* spec = fftw_alloc_complex(P_ / 2 + 1);
    for (int r = c * R / chunks; r < (c + 1) * R / chunks; ++r) filter_row(rows.row(r).data(), out.row(r).data(), buf, spec);
    fftw_free(buf);
    fftw_free(spec);
  });
  return out;
}

std::vector<double> OffsetFilter::apply(const std::vector<double>& row) const {
  RTV_ASSERT(static_cast<int>(row.size()) == M_, "row has the filter's length");
  std::vector<double> out(M_);
  double* buf = fftw_alloc_real(P_);
  fftw_complex* spec = fftw_alloc_complex(P_ / 2 + 1);
  filter_row(row.data(), out.data(), buf, spec);
  fftw_free(buf);
  fftw_free(spec);
  return out;
}

std::unique_ptr<OffsetFilter> ramp_filter(int offsets, double dt, int d, Window window) {
  return std::make_unique<OffsetFilter>(offsets, dt, d - 1, 1.0, window);
}

std::unique_ptr<OffsetFilter> rtv_filter(int offsets, double dt, int d, Window window) {
  return std::make_unique<OffsetFilter>(offsets, dt, d + 1, -1.0, window);
}

Array2D fbp(const Array2D& sino, const SinogramGrid& sg, const ImageGrid& ig, Window window, int threads) {
  const auto filter = ramp_filter(sg.offsets, sg.dt(), 2, window);
  return radon_inversion_constant(2) * backproject(filter->apply(sino, threads), sg, ig, threads);
}

}  // namespace rtv
