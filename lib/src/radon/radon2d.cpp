// 2D Radon transform (Joseph), its exact transpose, and interpolating backprojection. See rtv/radon/radon2d.hpp.
#include "rtv/radon/radon2d.hpp"

#include <immintrin.h>

#include <cmath>
#include <string>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/parallel.hpp"

namespace rtv {

void ImageGrid::validate(const char* what) const {
  if (n < 1) throw input_error(what, "needs at least one pixel (n = " + std::to_string(n) + ")");
  if (!(std::isfinite(L) && L > 0)) throw input_error(what, "the extent L must be positive and finite");
  check_memory(what, "an n x n image", {std::uint64_t(n), std::uint64_t(n)});  // before anything is allocated
}

double SinogramGrid::theta(int a) const { return M_PI * a / angles; }

void SinogramGrid::validate(const char* what) const {
  if (angles < 1) throw input_error(what, "needs at least one angle");
  if (offsets < 1) throw input_error(what, "needs at least one offset");
  if (!(std::isfinite(T) && T > 0)) throw input_error(what, "the offset range T must be positive and finite");
  check_memory(what, "an A x M sinogram", {std::uint64_t(angles), std::uint64_t(offsets)});
}

namespace {
template <class Acc>
void over_disc(const Array2D& a, const Array2D& b, const ImageGrid& g, double r, Acc&& acc) {
  RTV_ASSERT(a.rows() == g.n && a.cols() == g.n && b.rows() == g.n && b.cols() == g.n, "images match the grid");
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j)
      if (g.x(j) * g.x(j) + g.y(i) * g.y(i) < r * r) acc(std::abs(a(i, j) - b(i, j)));
}
}  // namespace

double max_abs_diff_in_disc(const Array2D& a, const Array2D& b, const ImageGrid& g, double r) {
  double m = 0.0;
  over_disc(a, b, g, r, [&](double e) { m = std::max(m, e); });
  return m;
}

double mean_abs_diff_in_disc(const Array2D& a, const Array2D& b, const ImageGrid& g, double r) {
  double s = 0.0;
  long count = 0;
  over_disc(a, b, g, r, [&](double e) { s += e, ++count; });
  return count ? s / count : 0.0;
}

SinogramGrid SinogramGrid::for_image(const ImageGrid& g, int angles, int offsets) {
  g.validate();
  if (angles < 1) throw input_error("angles", "must be at least 1, got " + std::to_string(angles));
  if (offsets < 0) throw input_error("offsets", "must be positive (or 0 for the default), got " + std::to_string(offsets));
  SinogramGrid s;
  s.angles = angles;
  s.offsets = static_cast<int>(std::ceil(std::sqrt(2.0) * g.n - 1e-9));
  // Same parity as n: then t = 0 is a sample or a mid-point exactly as x = 0 is a pixel centre or a mid-point,
  // so at theta = 0 and pi/2 the offsets coincide with pixel centres (no interpolation blur there).
  if ((s.offsets - g.n) % 2 != 0) ++s.offsets;
  s.T = 0.5 * s.offsets * g.h();
  if (offsets > 0) s.offsets = offsets;  // same range [-T, T], other spacing
  s.validate("angles/offsets");
  return s;
}

namespace {

// Zero entries appended to every interpolated row so that the vector kernel (interp_accumulate) may load 16
// entries from any valid base index.
constexpr int kSlack = 16;

// The padded image: pixel (i, j) is stored at (i + 1, j + 1), with one zero column on the left and two on the
// right, so that linear interpolation between padded columns k and k + 1 needs no bounds checks for every
// fractional index u in [0, n + 1] (the line meets the image's rows within half a pixel outside the square).
Array2D padded(const Array2D& img, bool transpose) {
  const Eigen::Index n = img.rows();
  Array2D P = Array2D::Zero(n + 2, n + 3 + kSlack);
  if (transpose) P.block(1, 1, n, n) = img.transpose();
  else P.block(1, 1, n, n) = img;
  return P;
}

// Geometry of one angle for Joseph's method. The line {q cq + r cr = t} is sampled at each "row" r_i of the
// (possibly transposed) image, where |cq| >= |cr|: q = (t - r_i cr)/cq, fractional column index
// u = (q + L)/h - 1/2 (+1 for the padding). For offset m: u = u0_i + m du.
struct Line {
  bool transposed;  // rows of the transposed image (i.e. columns x_j) parametrise the line
  double cq, cr;    // direction cosines in (interpolated, row) coordinates
  double weight;    // path length per row step: h / |cq|
};

Line line_of(double theta, double h) {
  const double c = std::cos(theta), s = std::sin(theta);
  Line l;
  l.transposed = std::abs(s) > std::abs(c);
  l.cq = l.transposed ? s : c;
  l.cr = l.transposed ? c : s;
  l.weight = h / std::abs(l.cq);
  return l;
}

// Range of m for which u0 + m du lies in [0, n + 1] (padded indices: real pixels are 1..n, zeros at 0,
// n + 1 and n + 2): every line that meets a real pixel's interpolation support.
inline void m_range(double u0, double du, int n, int M, int& lo, int& hi) {
  double a = (0.0 - u0) / du, b = (n + 1.0 - u0) / du;
  if (a > b) std::swap(a, b);
  a = std::max(a, -1.0), b = std::min(b, M + 1.0);  // before converting to int
  lo = std::max(0, static_cast<int>(std::ceil(a)));
  hi = std::min(M - 1, static_cast<int>(std::floor(b)));
}

// The kernel shared by Joseph's projector and the backprojector, for R rows g[r] sampled at the same
// positions (R = 2: the mirror angles theta and pi - theta of the backprojector share the index arithmetic):
// for i in [lo, hi] and each r,
//   out[r][i] += scale * (g[r][k] + fr (g[r][k + 1] - g[r][k])),  u = u0 + i du,  k = floor(u), fr = u - k,
// with fused multiply-adds in the vector and the scalar code alike. The caller guarantees u >= -tiny and
// u <= kmax + 1, and that every g[r] has kmax + 2 + kSlack entries (zeros past the data). With AVX-512 and
// |du| <= 1.75, eight consecutive u fall within 15 consecutive entries of g: two contiguous loads and two
// permutes replace the gathers (slow on many CPUs).
template <int R>
inline void interp_accumulate(double* const (&out)[R], const double* const (&g)[R], int lo, int hi, double u0,
                              double du, double scale, int kmax) {
  int i = lo;
#if defined(__AVX512F__)
  if (std::abs(du) <= 1.75) {
    const __m512d vdu = _mm512_set1_pd(du), vu0 = _mm512_set1_pd(u0), vs = _mm512_set1_pd(scale);
    const __m512d lane = _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i one64 = _mm512_set1_epi64(1);
    for (; i + 7 <= hi; i += 8) {
      const __m512d u = _mm512_fmadd_pd(_mm512_add_pd(_mm512_set1_pd(i), lane), vdu, vu0);
      const __m256i k = _mm512_cvttpd_epi32(u);
      const __m512d fr = _mm512_sub_pd(u, _mm512_cvtepi32_pd(k));
      // k is monotone in the lane: its smallest value sits in lane 0 (du >= 0) or lane 7.
      const int kb = du >= 0 ? _mm_cvtsi128_si32(_mm256_castsi256_si128(k)) : _mm256_extract_epi32(k, 7);
      const __m512i rel = _mm512_cvtepi32_epi64(_mm256_sub_epi32(k, _mm256_set1_epi32(kb)));
      const __m512i rel1 = _mm512_add_epi64(rel, one64);
      for (int r = 0; r < R; ++r) {
        const __m512d w0 = _mm512_loadu_pd(g[r] + kb), w1 = _mm512_loadu_pd(g[r] + kb + 8);
        const __m512d a = _mm512_permutex2var_pd(w0, rel, w1), b = _mm512_permutex2var_pd(w0, rel1, w1);
        const __m512d val = _mm512_fmadd_pd(fr, _mm512_sub_pd(b, a), a);
        _mm512_storeu_pd(out[r] + i, _mm512_fmadd_pd(vs, val, _mm512_loadu_pd(out[r] + i)));
      }
    }
  }
#endif
  for (; i <= hi; ++i) {
    const double u = std::fma(static_cast<double>(i), du, u0);
    const int k = std::min(static_cast<int>(u), kmax + 1);
    const double fr = u - k;
    for (int r = 0; r < R; ++r) out[r][i] = std::fma(scale, std::fma(fr, g[r][k + 1] - g[r][k], g[r][k]), out[r][i]);
  }
}

}  // namespace

Array2D radon(const Array2D& image, const ImageGrid& ig, const SinogramGrid& sg, int threads) {
  ig.validate();
  sg.validate();
  RTV_ASSERT(image.rows() == ig.n && image.cols() == ig.n, "image matches its grid");
  const int n = ig.n, M = sg.offsets;
  const double h = ig.h(), L = ig.L;
  const Array2D P[2] = {padded(image, false), padded(image, true)};
  Array2D sino = Array2D::Zero(sg.angles, M);
  parallel_for(sg.angles, threads, [&](int a) {
    const Line l = line_of(sg.theta(a), h);
    const Array2D& img = P[l.transposed];
    double* out = sino.row(a).data();
    const double du = sg.dt() / (l.cq * h);
    for (int i = 0; i < n; ++i) {
      const double r = -L + (i + 0.5) * h;
      // u(m) = ((t_m - r cr)/cq + L)/h - 1/2 + 1 (padding)
      const double u0 = ((sg.t(0) - r * l.cr) / l.cq + L) / h + 0.5;
      int lo, hi;
      m_range(u0, du, n, M, lo, hi);
      double* const o[1] = {out};
      const double* const g[1] = {img.row(i + 1).data()};
      interp_accumulate<1>(o, g, lo, hi, u0, du, l.weight, n + 1);
    }
  });
  return sino;
}

Array2D radon_adjoint(const Array2D& sino, const ImageGrid& ig, const SinogramGrid& sg, int threads) {
  ig.validate();
  sg.validate();
  RTV_ASSERT(sino.rows() == sg.angles && sino.cols() == sg.offsets, "sinogram matches its grid");
  const int n = ig.n, M = sg.offsets;
  const double h = ig.h(), L = ig.L;
  std::vector<Line> lines;
  for (int a = 0; a < sg.angles; ++a) lines.push_back(line_of(sg.theta(a), h));
  // Two padded accumulators (plain and transposed orientation); each padded row is owned by one thread and
  // receives the contributions of every angle in increasing order: deterministic for any thread count.
  Array2D acc[2] = {Array2D::Zero(n + 2, n + 3 + kSlack), Array2D::Zero(n + 2, n + 3 + kSlack)};
  parallel_for(2 * n, threads, [&](int job) {
    const int orient = job / n, i = job % n;
    double* row = acc[orient].row(i + 1).data();
    const double r = -L + (i + 0.5) * h;
    for (int a = 0; a < sg.angles; ++a) {
      const Line& l = lines[a];
      if (static_cast<int>(l.transposed) != orient) continue;
      const double du = sg.dt() / (l.cq * h);
      const double u0 = ((sg.t(0) - r * l.cr) / l.cq + L) / h + 0.5;
      int lo, hi;
      m_range(u0, du, n, M, lo, hi);
      const double* g = sino.row(a).data();
      for (int m = lo; m <= hi; ++m) {  // the transpose of interp_accumulate's scalar loop, weight by weight
        const double u = std::fma(static_cast<double>(m), du, u0);
        const int k = std::min(static_cast<int>(u), n + 2);
        const double fr = u - k;
        row[k] += l.weight * (1.0 - fr) * g[m];
        row[k + 1] += l.weight * fr * g[m];
      }
    }
  });
  return acc[0].block(1, 1, n, n) + acc[1].block(1, 1, n, n).transpose();
}

Array2D backproject(const Array2D& sino, const SinogramGrid& sg, const ImageGrid& ig, int threads) {
  ig.validate();
  sg.validate();
  RTV_ASSERT(sino.rows() == sg.angles && sino.cols() == sg.offsets, "sinogram matches its grid");
  const int n = ig.n, M = sg.offsets, A = sg.angles;
  const double h = ig.h(), dt = sg.dt();
  // Each angle's row, padded with one zero on each side: index k + 1 holds t_k.
  Array2D G = Array2D::Zero(A, M + 2 + kSlack);
  G.block(0, 1, A, M) = sino;
  std::vector<double> cs(A), sn(A);
  for (int a = 0; a < A; ++a) cs[a] = std::cos(sg.theta(a)), sn[a] = std::sin(sg.theta(a));
  const double weight = 2.0 * M_PI / A;  // R* integrates over the whole circle = 2 x the half circle
  Array2D img = Array2D::Zero(n, n);
  // For even A, the angles a and A - a (theta and pi - theta) are mirror images: pixel j at theta and pixel
  // n - 1 - j at pi - theta have the same offset x . gamma, so one index computation serves both
  // (interp_accumulate<2>; the mirrored contributions collect in `mirror` and are added reversed).
  const bool pairs = A % 2 == 0;
  // Blocks of rows: each angle's sinogram row is loaded into L1 once per block, not once per image row.
  constexpr int kBlock = 4;
  const int blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, threads, [&](int blk) {
    const int i0 = blk * kBlock, i1 = std::min(n, i0 + kBlock);
    Array2D mirror = Array2D::Zero(i1 - i0, n);
    for (int a = 0; a < A; ++a) {
      if (pairs && a > A / 2) break;  // handled with its mirror A - a
      const bool paired = pairs && a > 0 && a < A / 2;
      const double* g = G.row(a).data();
      const double du = h * cs[a] / dt;
      for (int i = i0; i < i1; ++i) {
        // Fractional offset index (padded) of pixel j: u = (x_j c + y s + T)/dt - 1/2 + 1 = u0 + j du.
        const double u0 = (ig.x(0) * cs[a] + ig.y(i) * sn[a] + sg.T) / dt + 0.5;
        // Pixels whose u lies in [0, M + 1): beyond that the padded row is zero (half a cell outside [-T, T]).
        int lo = 0, hi = n - 1;
        if (du != 0.0) {
          double ja = (0.0 - u0) / du, jb = (M + 1.0 - u0) / du;
          if (ja > jb) std::swap(ja, jb);
          // Clamp before converting: for theta near pi/2, du ~ 1e-17 and ja, jb overflow an int.
          ja = std::max(ja, -1.0), jb = std::min(jb, n + 1.0);
          lo = std::max(0, static_cast<int>(std::ceil(ja)));
          hi = std::min(n - 1, static_cast<int>(std::ceil(jb)) - 1);
        } else if (u0 < 0.0 || u0 >= M + 1.0) {
          continue;
        }
        if (paired) {
          double* const o[2] = {img.row(i).data(), mirror.row(i - i0).data()};
          const double* const gg[2] = {g, G.row(A - a).data()};
          interp_accumulate<2>(o, gg, lo, hi, u0, du, 1.0, M);
        } else {
          double* const o[1] = {img.row(i).data()};
          const double* const gg[1] = {g};
          interp_accumulate<1>(o, gg, lo, hi, u0, du, 1.0, M);
        }
      }
    }
    for (int i = i0; i < i1; ++i) img.row(i) += mirror.row(i - i0).reverse();
  });
  img *= weight;
  return img;
}

}  // namespace rtv
