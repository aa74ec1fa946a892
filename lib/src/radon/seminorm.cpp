// The R-TV seminorm in the Radon domain. See rtv/radon/seminorm.hpp.
#include "rtv/radon/seminorm.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <string>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/core/parallel.hpp"

namespace rtv {

namespace {

// The padded offset count pad * M, computed in 64 bits; refused (InputError naming the option field `pad`) when
// pad < 1 or when it exceeds kMaxPaddedOffsets = 2^29: the filter's FFT length nice_length(2 pad M) is an int
// (filters.cpp), and 2^30 is its own nice length. (pad = 1e9 used to overflow int here, issue 20.)
constexpr long long kMaxPaddedOffsets = 1LL << 29;

int padded_offsets(int pad, int M) {
  if (pad < 1) throw input_error("pad", "the zero-padding factor must be >= 1 (got " + std::to_string(pad) + ")");
  const long long Mp = static_cast<long long>(pad) * M;
  if (Mp > kMaxPaddedOffsets)
    throw input_error("pad", "the zero-padding factor " + std::to_string(pad) + " times " + std::to_string(M) +
                                 " offsets is " + std::to_string(Mp) + " padded offsets, more than the limit " +
                                 std::to_string(kMaxPaddedOffsets) + " (2^29)");
  return static_cast<int>(Mp);
}

}  // namespace

RtvEstimate rtv_from_profiles(int d, const std::vector<std::vector<double>>& profiles, const Eigen::VectorXd& weights,
                              double T, int pad, int threads, Window window) {
  RTV_ASSERT(d >= 1 && !profiles.empty() && static_cast<Eigen::Index>(profiles.size()) == weights.size(),
             "one weight per profile");
  const int M = static_cast<int>(profiles[0].size());
  const double dt = 2 * T / M;
  // Padded grid: the same dt, M_pad = pad * M samples (same parity as M so the samples stay aligned).
  const int Mp = padded_offsets(pad, M), off = (Mp - M) / 2;
  const auto filter = rtv_filter(Mp, dt, d, window);
  const int K = static_cast<int>(profiles.size());
  std::vector<double> mass(K, 0.0), tail(K, 0.0);
  parallel_for(K, threads, [&](int k) {
    RTV_ASSERT(static_cast<int>(profiles[k].size()) == M, "profiles of equal length");
    std::vector<double> p(Mp, 0.0);
    std::copy(profiles[k].begin(), profiles[k].end(), p.begin() + off);
    const std::vector<double> q = filter->apply(p);
    // int |q| dt over the samples' piecewise-linear interpolant, exactly: an interval where q changes sign
    // contributes (a^2 + b^2) / (2 (|a| + |b|)) dt, so the kinks of |q| cost no more than its curvature (O(dt^2)).
    double s = 0.0;
    for (int m = 0; m + 1 < Mp; ++m) {
      const double a = q[m], b = q[m + 1];
      s += (a * b >= 0.0) ? 0.5 * (std::abs(a) + std::abs(b)) : (a * a + b * b) / (2.0 * (std::abs(a) + std::abs(b)));
    }
    mass[k] = s * dt;
    // Beyond the padded range, |q| ~ C |t|^{-(d+2)} (even d; odd d: q is local and vanishes there):
    // int_Tp^inf C t^{-(d+2)} dt = |q(Tp)| Tp / (d + 1) per side.
    if (d % 2 == 0) {
      const double Tp = 0.5 * Mp * dt;
      tail[k] = (std::abs(q.front()) + std::abs(q.back())) * Tp / (d + 1);
    }
  });
  RtvEstimate e;
  e.offsets = Mp;
  e.dt = dt;
  const double cd = radon_inversion_constant(d);
  for (int k = 0; k < K; ++k) {
    e.value += cd * weights(k) * (mass[k] + tail[k]);
    e.tail += cd * weights(k) * tail[k];
  }
  return e;
}

double edge_jump_tolerance(int n) { return 1e-3 / std::max(n, 1); }

namespace {

// Cubic B-spline interpolation of a row (Unser, Aldroubi & Eden 1991): s(u) = sum_k c_k beta3(u - k) with
// s(k) = sample k, i.e. c = 6 (1 + 4 z^-1 ... )^-1: the causal and anti-causal first-order recursions with the
// pole z = sqrt(3) - 2. Each row is extended by kExt zeros on both sides ("zero outside the square"), and the
// recursions start from the exact values for an infinite run of zeros: c+_0 = s_0 = 0 and
// c-_{N-1} = -z/(1 - z^2) c+_{N-1}. Coefficients decay like |z|^k = 0.27^k outside the data, so beyond kExt = 16
// they are below 1e-9 of the edge coefficient (and zero to rounding for data that vanish at the edge).
constexpr int kExt = 16;
constexpr int kTail = 16;  // zeros after each coefficient row: the vector kernel loads 16 entries at a time

// Coefficient rows of `img` (row r of the result: row r of img, extended), length n + 2 kExt + kTail.
Array2D spline_coefficients(const Array2D& img) {
  const int n = static_cast<int>(img.cols()), N = n + 2 * kExt;
  const double z = std::sqrt(3.0) - 2.0;
  Array2D c = Array2D::Zero(img.rows(), N + kTail);
  std::vector<double> causal(N);
  for (Eigen::Index r = 0; r < img.rows(); ++r) {
    double prev = 0.0;
    for (int k = 0; k < N; ++k) {
      const double sample = (k >= kExt && k < kExt + n) ? img(r, k - kExt) : 0.0;
      causal[k] = prev = sample + z * prev;
    }
    double anti = -z / (1.0 - z * z) * causal[N - 1];
    c(r, N - 1) = 6.0 * anti;
    for (int k = N - 2; k >= 0; --k) {
      anti = z * (anti - causal[k]);
      c(r, k) = 6.0 * anti;
    }
  }
  return c;
}

// out[m] += scale * 6 s(u0 + m du) for m in [lo, hi], s the spline with coefficients c (every u in [2, N - 4]).
// With f = u - floor(u), g = 1 - f, 6 beta3 gives the weights g^3, 4 - 6 f^2 + 3 f^3, 4 - 6 g^2 + 3 g^3, f^3 on
// c[k - 1 .. k + 2].
void spline_row(double* out, const double* c, int lo, int hi, double u0, double du, double scale) {
  int m = lo;
#if defined(__AVX512F__)
  // Eight consecutive samples m .. m + 7 need the coefficients k_min - 1 .. k_max + 2, at most 7 |du| + 4 <= 16
  // of them: two aligned-free loads of 8 and one two-register permute per tap instead of four gathers.
  if (std::abs(du) <= 1.7) {
    const __m512d step = _mm512_set_pd(7 * du, 6 * du, 5 * du, 4 * du, 3 * du, 2 * du, du, 0.0);
    const __m512d ones = _mm512_set1_pd(1.0), fours = _mm512_set1_pd(4.0), sixes = _mm512_set1_pd(6.0);
    const __m512d threes = _mm512_set1_pd(3.0), vscale = _mm512_set1_pd(scale);
    const __m512i tap1 = _mm512_set1_epi64(1), tap2 = _mm512_set1_epi64(2), tap3 = _mm512_set1_epi64(3);
    const double first = du >= 0 ? 0.0 : 7 * du;  // the step of the lane holding the smallest u
    for (; m + 7 <= hi; m += 8) {
      const double um = std::fma(static_cast<double>(m), du, u0);
      const __m512d u = _mm512_add_pd(_mm512_set1_pd(um), step);
      const __m256i k32 = _mm512_cvttpd_epi32(u);
      const __m512d f = _mm512_sub_pd(u, _mm512_cvtepi32_pd(k32)), g = _mm512_sub_pd(ones, f);
      const int kmin = static_cast<int>(um + first);  // the same rounding as that lane's u: its k
      const __m512i rel = _mm512_cvtepi32_epi64(_mm256_sub_epi32(k32, _mm256_set1_epi32(kmin)));
      const double* base = c + kmin - 1;
      const __m512d lo8 = _mm512_loadu_pd(base), hi8 = _mm512_loadu_pd(base + 8);
      const __m512d cm1 = _mm512_permutex2var_pd(lo8, rel, hi8);
      const __m512d c0 = _mm512_permutex2var_pd(lo8, _mm512_add_epi64(rel, tap1), hi8);
      const __m512d c1 = _mm512_permutex2var_pd(lo8, _mm512_add_epi64(rel, tap2), hi8);
      const __m512d c2 = _mm512_permutex2var_pd(lo8, _mm512_add_epi64(rel, tap3), hi8);
      const __m512d f2 = _mm512_mul_pd(f, f), g2 = _mm512_mul_pd(g, g);
      const __m512d f3 = _mm512_mul_pd(f2, f), g3 = _mm512_mul_pd(g2, g);
      const __m512d w0 = _mm512_fmadd_pd(threes, f3, _mm512_fnmadd_pd(sixes, f2, fours));
      const __m512d w1 = _mm512_fmadd_pd(threes, g3, _mm512_fnmadd_pd(sixes, g2, fours));
      __m512d v = _mm512_mul_pd(cm1, g3);
      v = _mm512_fmadd_pd(c0, w0, v);
      v = _mm512_fmadd_pd(c1, w1, v);
      v = _mm512_fmadd_pd(c2, f3, v);
      _mm512_storeu_pd(out + m, _mm512_fmadd_pd(vscale, v, _mm512_loadu_pd(out + m)));
    }
  }
#endif
  for (; m <= hi; ++m) {
    const double u = std::fma(static_cast<double>(m), du, u0);
    const int k = static_cast<int>(u);
    const double f = u - k, g = 1.0 - f, f2 = f * f, g2 = g * g;
    const double v = c[k - 1] * g2 * g + c[k] * (4.0 - 6.0 * f2 + 3.0 * f2 * f) +
                     c[k + 1] * (4.0 - 6.0 * g2 + 3.0 * g2 * g) + c[k + 2] * f2 * f;
    out[m] = std::fma(scale, v, out[m]);
  }
}

}  // namespace

Array2D radon_cubic_spline(const Array2D& image, const ImageGrid& ig, const SinogramGrid& sg, int threads) {
  RTV_ASSERT(image.rows() == ig.n && image.cols() == ig.n, "image matches its grid");
  const int n = ig.n, M = sg.offsets, N = n + 2 * kExt;
  const double h = ig.h(), L = ig.L, dt = sg.dt();
  // Rows of the image (lines closer to the x axis) and rows of its transpose, i.e. columns (the others).
  const Array2D coef[2] = {spline_coefficients(image), spline_coefficients(image.transpose())};
  struct Geometry {
    bool columns;
    double cq, cr, du, scale;
  };
  std::vector<Geometry> geo(sg.angles);
  for (int a = 0; a < sg.angles; ++a) {
    const double c = std::cos(sg.theta(a)), s = std::sin(sg.theta(a));
    Geometry& G = geo[a];
    G.columns = std::abs(s) > std::abs(c);
    G.cq = G.columns ? s : c;  // the coordinate solved for along the row
    G.cr = G.columns ? c : s;  // the row's coordinate
    G.du = dt / (G.cq * h);
    G.scale = h / std::abs(G.cq) / 6.0;  // path length per row, and the 1/6 of beta3
  }
  Array2D sino = Array2D::Zero(sg.angles, M);
  // Blocks of consecutive angles share each coefficient row while it is in cache; every sinogram row is
  // accumulated by one thread over the image rows in increasing order: the same sums for any thread count.
  constexpr int kBlock = 8;
  const int blocks = (sg.angles + kBlock - 1) / kBlock;
  parallel_for(blocks, threads, [&](int b) {
    const int a0 = b * kBlock, a1 = std::min(sg.angles, a0 + kBlock);
    for (int i = 0; i < n; ++i) {
      const double r = -L + (i + 0.5) * h;
      for (int a = a0; a < a1; ++a) {
        const Geometry& G = geo[a];
        // Extended coefficient index of the crossing with row i: u = ((t_m - r cr)/cq + L)/h - 1/2 + kExt.
        const double u0 = ((sg.t(0) - r * G.cr) / G.cq + L) / h - 0.5 + kExt;
        // The m with u in [2, N - 4] (every tap inside the coefficient row, with a margin for rounding).
        double ma = (2.0 - u0) / G.du, mb = (N - 4.0 - u0) / G.du;
        if (ma > mb) std::swap(ma, mb);
        ma = std::max(ma, -1.0), mb = std::min(mb, M + 1.0);  // clamp before converting to int
        const int lo = std::max(0, static_cast<int>(std::ceil(ma)));
        const int hi = std::min(M - 1, static_cast<int>(std::floor(mb)));
        if (lo <= hi) spline_row(sino.row(a).data(), coef[G.columns].row(i).data(), lo, hi, u0, G.du, G.scale);
      }
    }
  });
  return sino;
}

RtvEstimate rtv_of_image(const Array2D& image, double L, int angles, int pad, int threads, Window window) {
  RTV_ASSERT(image.rows() == image.cols(), "square image");
  if (image.rows() < kMinGrid)
    throw input_error("image", "a " + std::to_string(image.rows()) + " x " + std::to_string(image.rows()) +
                                   " grid is too coarse for a meaningful R-TV (the third-order filter needs n >= " +
                                   std::to_string(kMinGrid) + ")");
  if (angles < 0) throw input_error("angles", "must be >= 0 (0: 2n), got " + std::to_string(angles));
  if (pad < 1 || pad > kMaxPad)
    throw input_error("pad", "must be in [1, " + std::to_string(kMaxPad) + "], got " + std::to_string(pad));
  if (!image.allFinite()) throw input_error("image", "contains NaN or infinite values");
  const ImageGrid ig{static_cast<int>(image.rows()), L};
  // The padded profiles (angles x pad M) and their filter, before anything is allocated.
  const SinogramGrid sg = SinogramGrid::for_image(ig, angles > 0 ? angles : 2 * ig.n);
  padded_offsets(pad, sg.offsets);  // refuse a bad pad before the projection, not after it
  check_memory("pad", "the padded profiles", {std::uint64_t(sg.angles), std::uint64_t(pad), std::uint64_t(sg.offsets)});
  const Array2D sino = radon_cubic_spline(image, ig, sg, threads);
  std::vector<std::vector<double>> profiles(sg.angles);
  for (int a = 0; a < sg.angles; ++a) profiles[a].assign(sino.row(a).data(), sino.row(a).data() + sg.offsets);
  // Half circle of angles, each standing for itself and its antipode: weight 2 pi / A (whole circle 2 pi).
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(sg.angles, 2 * M_PI / sg.angles);
  RtvEstimate e = rtv_from_profiles(2, profiles, w, sg.T, pad, threads, window);
  const int n = ig.n;
  e.peak = image.cwiseAbs().maxCoeff();
  e.edge_max = std::max({image.row(0).cwiseAbs().maxCoeff(), image.row(n - 1).cwiseAbs().maxCoeff(),
                         image.col(0).cwiseAbs().maxCoeff(), image.col(n - 1).cwiseAbs().maxCoeff()});
  e.edge_jump = e.edge_max > edge_jump_tolerance(n) * e.peak;
  return e;
}

}  // namespace rtv
