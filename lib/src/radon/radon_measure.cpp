// The Radon-domain measure of windowed ridge sums on boxes, spike detection and the R-TV on a ball
// (header comment of radon_measure.hpp).
#include "rtv/radon/radon_measure.hpp"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <utility>
#include <cstdio>
#include <string>
#include <tuple>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/radon/radon_nd.hpp"

namespace rtv {

namespace {

using boost::math::quadrature::gauss_kronrod;

// Hilbert transform of d_t^2 g at t (d = 2), g = R{phi_R f}(gamma, .):
//   H g''(t) = (1/pi) int_0^inf (g''(t-u) - g''(t+u)) / u du = (1/pi) int_0^inf 2 (G(u) - u G'(0)) / u^3 du,
// G(u) = g(t-u) - g(t+u), G'(0) = -2 g'(t) (G is odd, so the boundary terms of both integrations by parts
// vanish). [0, u0]: Taylor, (G - u G'(0)) / u^3 -> G'''(0)/6 = -g'''(t)/3. [U, inf): g = 0 there, leaving
// -2 G'(0) / U. Between: adaptive Gauss-Kronrod in v = log u (the integrand varies on the scale of u).
double hilbert_second_derivative(const WindowedRadon& wr, const Eigen::VectorXd& gamma, double t, double tol) {
  double g[4];
  wr.derivatives(gamma, t, 3, g);
  const double G1 = -2.0 * g[1];
  // u0: below it the integrand is dominated by rounding, eps |g| / u^2 (g ~ R^2), and the adaptive rule
  // subdivides in vain (measured: 2e-5 R hits that floor at tol 1e-7, 1e-4 R does not); Taylor takes over there.
  // Its error, ~ g^(5) u0^3 / 360, is negligible unless a kink of g lies within a few u0 of t.
  const double u0 = 5e-5 * wr.window(), U = std::abs(t) + wr.support();
  auto integrand = [&](double v) {
    const double u = std::exp(v);
    const double G = wr(gamma, t - u) - wr(gamma, t + u);
    return 2.0 * (G - u * G1) / (u * u);
  };
  double I = gauss_kronrod<double, 15>::integrate(integrand, std::log(u0), std::log(U), 14, tol);
  I += 2.0 * u0 * (-2.0 * g[3]) / 6.0;
  I += -2.0 * G1 / U;
  return I / M_PI;
}

// Orthonormal basis of center^perp (d = 3).
// (Dynamic-size vectors throughout: GCC 12's -Warray-bounds misfires on fixed-size Eigen temporaries with AVX-512.)
void perp_basis(const Eigen::VectorXd& c, Eigen::VectorXd& e1, Eigen::VectorXd& e2) {
  Eigen::VectorXd a = Eigen::VectorXd::Zero(3);
  a(std::abs(c(0)) < 0.9 ? 0 : 1) = 1.0;
  e1 = (a - a.dot(c) * c).normalized();
  e2.resize(3);
  e2 << c(1) * e1(2) - c(2) * e1(1), c(2) * e1(0) - c(0) * e1(2), c(0) * e1(1) - c(1) * e1(0);
}

// int over the cap(center, A) of h(gamma) dgamma (d = 2: arc; d = 3: polar coordinates about the centre).
// The spike lies within `core` of the centre and the integrand decays like a power of the angle beyond it, so
// the core is one panel and the rest is integrated in the log of the angle from the centre.
template <class H>
double cap_integral(int d, const Eigen::VectorXd& center, double A, double core, double tol, H&& h, int panels = 24) {
  core = std::min(core, A);
  auto radial = [&](auto&& along) {  // int_0^A along(rho) drho, split at the core
    double I = gauss_kronrod<double, 15>::integrate(along, 0.0, core, 12, tol);
    if (core < A) {
      auto logf = [&](double x) {
        const double rho = std::exp(x);
        return along(rho) * rho;
      };
      I += gauss_kronrod<double, 15>::integrate(logf, std::log(core), std::log(A), 12, tol);
    }
    return I;
  };
  if (d == 2) {
    const double psi0 = std::atan2(center(1), center(0));
    Eigen::VectorXd gam(2);
    double I = 0.0;
    for (double side : {-1.0, 1.0}) {
      I += radial([&](double rho) {
        gam << std::cos(psi0 + side * rho), std::sin(psi0 + side * rho);
        return h(gam);
      });
    }
    return I;
  }
  const Eigen::VectorXd c = center.normalized();
  Eigen::VectorXd e1, e2;
  perp_basis(c, e1, e2);
  auto ring = [&](double phi) {
    const Eigen::VectorXd e = std::cos(phi) * e1 + std::sin(phi) * e2;
    return radial([&](double rho) {
      const Eigen::VectorXd gam = std::cos(rho) * c + std::sin(rho) * e;
      return h(gam) * std::sin(rho);
    });
  };
  // Other spikes inside the cap are features localised in the azimuth: `panels` panels (24 by default), each
  // adaptive (one global adaptive rule could step over them; measured: 5% of a box lost to a neighbour 0.06 rad
  // from the centre). Boxes of radon_rtv_ball have the other spikes subtracted and use 8 (measured: totals within
  // 2e-7 relative of 24 panels on three random 13-kink networks, half the cost).
  double I = 0.0;
  for (int p = 0; p < panels; ++p)
    I += gauss_kronrod<double, 15>::integrate(ring, 2 * M_PI * p / panels, 2 * M_PI * (p + 1) / panels, 8, tol);
  return I;
}

}  // namespace

double angle_between(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return std::atan2((a - a.dot(b) * b).norm(), a.dot(b));
}

std::pair<double, double> hyperplane_distance(const Eigen::VectorXd& g1, double t1, const Eigen::VectorXd& g2,
                                              double t2) {
  const double same = angle_between(g1, g2), flip = angle_between(g1, -g2);
  return same <= flip ? std::make_pair(same, std::abs(t1 - t2)) : std::make_pair(flip, std::abs(t1 + t2));
}

double measure_antiderivative(const WindowedRadon& wr, const Eigen::VectorXd& gamma, double t, double tol) {
  const int d = wr.dim();
  if (d == 3) return -radon_inversion_constant(3) * wr(gamma, t, 3);
  RTV_ASSERT(d == 2, "measure_antiderivative: d = 2 or 3");
  return radon_inversion_constant(2) * hilbert_second_derivative(wr, gamma, t, tol);
}

double measure_box(const WindowedRadon& wr, const Eigen::VectorXd& center, double A, double core, double t0, double t1,
                   double tol, int panels) {
  RTV_ASSERT(t0 < t1 && A > 0, "measure_box: t0 < t1, A > 0");
  // The Hilbert quadrature's own tolerance: 1e-5 (of its L1 norm) is reached without subdividing into rounding
  // noise (measured: ~1e-7 accurate, as with 1e-6 at 20% more cost); requests below ~1e-6 can cost 100x.
  const double inner_tol = 1e-5;
  return cap_integral(
      wr.dim(), center, A, core, tol,
      [&](const Eigen::VectorXd& gam) {
        return measure_antiderivative(wr, gam, t1, inner_tol) - measure_antiderivative(wr, gam, t0, inner_tol);
      },
      panels);
}

std::vector<double> measure_cap_antiderivative(const WindowedRadon& wr, const Eigen::VectorXd& center, double A,
                                               double core, const std::vector<double>& offsets, double tol,
                                               int threads) {
  std::vector<double> out(offsets.size());
  parallel_for(static_cast<int>(offsets.size()), threads, [&](int i) {
    out[i] = cap_integral(wr.dim(), center, A, core, tol, [&](const Eigen::VectorXd& gam) {
      return measure_antiderivative(wr, gam, offsets[i], 1e-5);
    });
  });
  return out;
}

MeasureHeatmap measure_heatmap(const WindowedRadon& wr, int angles, double extent, double dt, int threads) {
  const int d = wr.dim();
  RTV_ASSERT(d == 2 || d == 3, "measure_heatmap: d = 2 or 3");
  RTV_ASSERT(angles >= 2 && extent > 0 && dt > 0, "measure_heatmap: angles >= 2, extent > 0, dt > 0");
  MeasureHeatmap hm;
  hm.d = d;
  hm.dt = dt;
  // Sizes from the user's options (resolution, dt) checked before allocating (issue 20: --resolution 1e8).
  const double half_d = std::ceil(extent / dt), support_d = std::ceil(wr.support() / dt);
  if (!(std::max(half_d, support_d) < 1e9))
    throw input_error("dt", "offset step " + number_text(dt) + " gives more than 1e9 offsets");
  const int half = static_cast<int>(half_d);
  if (d == 2)
    check_memory("angles", "the detection heat map",
                 {std::uint64_t(angles), std::uint64_t(2 * std::max(half_d, support_d) + 1)});
  else
    check_memory("angles", "the detection heat map", {std::uint64_t(angles), 2 * std::uint64_t(angles),
                                                      std::uint64_t(2 * half_d + 1)});
  for (int m = -half; m <= half; ++m) hm.offsets.push_back(m * dt);
  const int M = static_cast<int>(hm.offsets.size());
  if (d == 2) {
    hm.directions.resize(angles, 2);
    for (int k = 0; k < angles; ++k) {
      const double th = M_PI * k / angles;
      hm.angles.push_back(th);
      hm.directions.row(k) << std::cos(th), std::sin(th);
    }
    hm.grid_rows = angles;
    hm.grid_cols = 1;
    // The whole support of the windowed transform (the filter is non-local), then the central columns.
    const int full_half = std::max(half, static_cast<int>(std::ceil(wr.support() / dt)));
    const int F = 2 * full_half + 1;
    Array2D sino(angles, F);
    parallel_for(angles, threads, [&](int k) {
      const Eigen::VectorXd gam = hm.directions.row(k).transpose();
      for (int m = 0; m < F; ++m) sino(k, m) = wr(gam, (m - full_half) * dt);
    });
    const Array2D q = rtv_filter(F, dt, 2, Window::Hann)->apply(sino, threads);
    hm.q = Array2D(angles, M);
    const double c2 = radon_inversion_constant(2);
    for (int k = 0; k < angles; ++k)
      for (int m = 0; m < M; ++m) hm.q(k, m) = c2 * q(k, m - half + full_half);
  } else {
    const DirectionSet s = sphere_rule(angles);
    hm.directions = s.directions;
    hm.grid_rows = angles;
    hm.grid_cols = 2 * angles;
    const int n = static_cast<int>(s.directions.rows());
    hm.q = Array2D(n, M);
    const double c3 = radon_inversion_constant(3);
    parallel_for(n, threads, [&](int k) {
      const Eigen::VectorXd gam = hm.directions.row(k).transpose();
      for (int m = 0; m < M; ++m) hm.q(k, m) = -c3 * wr(gam, hm.offsets[m], 4);
    });
  }
  return hm;
}

void canonical_hyperplane(Eigen::VectorXd& gamma, double& t) {
  Eigen::Index i;
  gamma.cwiseAbs().maxCoeff(&i);
  if (gamma(i) < 0) {
    gamma = -gamma;
    t = -t;
  }
}

namespace {

struct Candidate {
  Eigen::VectorXd gamma;
  double t, height;
};

// Local maxima of |q| over the direction grid's neighbours and the adjacent offsets.
std::vector<Candidate> detect_spikes(const MeasureHeatmap& hm, double threshold) {
  const int M = static_cast<int>(hm.offsets.size());
  const int nd = static_cast<int>(hm.directions.rows());
  // neighbours(k): list of (direction index, mirrored?) pairs.
  auto neighbours = [&](int k) {
    std::vector<std::pair<int, bool>> nb;
    if (hm.d == 2) {
      const int n = hm.grid_rows;
      nb.push_back(k + 1 < n ? std::make_pair(k + 1, false) : std::make_pair(0, true));
      nb.push_back(k > 0 ? std::make_pair(k - 1, false) : std::make_pair(n - 1, true));
    } else {
      const int rows = hm.grid_rows, cols = hm.grid_cols, i = k / cols, a = k % cols;
      for (int di = -1; di <= 1; ++di)
        for (int da = -1; da <= 1; ++da) {
          if (di == 0 && da == 0) continue;
          const int ii = i + di;
          if (ii < 0 || ii >= rows) continue;
          nb.emplace_back(ii * cols + (a + da + cols) % cols, false);
        }
    }
    return nb;
  };
  std::vector<Candidate> out;
  for (int k = 0; k < nd; ++k) {
    const auto nb = neighbours(k);
    for (int m = 0; m < M; ++m) {
      const double h = std::abs(hm.q(k, m));
      if (h < threshold) continue;
      bool is_max = true;
      for (int dm = -1; dm <= 1 && is_max; ++dm) {
        const int mm = m + dm;
        if (mm < 0 || mm >= M) continue;
        if (dm != 0 && std::abs(hm.q(k, mm)) > h) is_max = false;
        for (const auto& [kk, mirrored] : nb) {
          const int col = mirrored ? M - 1 - mm : mm;
          const double hh = std::abs(hm.q(kk, col));
          if (hh > h || (hh == h && kk < k)) is_max = false;
        }
      }
      if (is_max) out.push_back({hm.directions.row(k).transpose(), hm.offsets[m], h});
    }
  }
  return out;
}

// A kink of f found in its windowed transform: along the hyperplane's own direction gamma, d_t R{phi_R f}(gamma, .)
// jumps at t by envelope(t) a (windowed_radon.hpp); a is the kink estimate of the hyperplane's coefficient (it
// locates and signs the spikes; the R-TV itself is measured on boxes).
struct Kink {
  Eigen::VectorXd gamma;
  double t = 0.0, a = 0.0;
};

RidgeSum kink_sum(int d, const std::vector<Kink>& kinks) {
  RidgeSum k;
  const int n = static_cast<int>(kinks.size());
  k.W.resize(n, d);
  k.b.resize(n);
  k.v.resize(n);
  for (int i = 0; i < n; ++i) {
    k.W.row(i) = kinks[i].gamma.transpose();
    k.b(i) = kinks[i].t;
    k.v(i) = kinks[i].a;
  }
  k.smoothing = Eigen::VectorXd::Zero(n);
  k.c = Eigen::VectorXd::Zero(d);
  return k;
}

// f minus the neurons a_k sigma(gamma_k . x - t_k) of the given kinks. A kink fixes its neuron up to the orientation:
// a sigma(-gamma . x + t) has the same kink and differs by the affine a (gamma . x - t), whose R-TV is 0 and whose
// windowed measure is a smooth background like that of f's own affine part (removed by the extrapolation).
RidgeSum minus_kinks(const RidgeSum& f, const std::vector<Kink>& kinks, const std::vector<int>& which) {
  RidgeSum g = f;
  const int d = f.dim(), K0 = f.terms(), K1 = K0 + static_cast<int>(which.size());
  g.W.conservativeResize(K1, d);
  g.b.conservativeResize(K1);
  g.v.conservativeResize(K1);
  g.smoothing.conservativeResize(K1);
  for (size_t q = 0; q < which.size(); ++q) {
    const Kink& k = kinks[which[q]];
    g.W.row(K0 + q) = k.gamma.transpose();
    g.b(K0 + q) = k.t;
    g.v(K0 + q) = -k.a;
    g.smoothing(K0 + q) = 0.0;
  }
  return g;
}

// g = R{phi_R f}(gamma, .) minus the transforms of the kinks found so far (deflation: a kink found is removed, so
// that a search started near it finds the next one, e.g. the partner of a pair closer than the heat map resolves).
class Residual {
 public:
  Residual(const RidgeSum& f, double R, const std::vector<Kink>& found) : wf_(f, R), wk_(kink_sum(f.dim(), found), R) {}
  /// The part of g'' singular at kinks (WindowedRadon::curvature).
  double second(const Eigen::VectorXd& g, double t) const { return wf_.curvature(g, t) - wk_.curvature(g, t); }
  /// g'(t + eps) - g'(t - eps)
  double jump(const Eigen::VectorXd& g, double t, double eps) const {
    return wf_(g, t + eps, 1) - wf_(g, t - eps, 1) - (wk_(g, t + eps, 1) - wk_(g, t - eps, 1));
  }
  double envelope(double t) const { return wf_.envelope(t); }

 private:
  WindowedRadon wf_, wk_;
};

// The kink of sign s near (g0, t0): a zooming grid search for the maximum of s g'' over directions within ha of
// the current best and offsets within ht, both shrinking by `shrink` per level down to angles of 1e-8 rad. At angle
// psi from a kink's direction g'' is a bump of area ~ envelope(t) a and width R tan(psi) about its offset
// (windowed_radon.hpp), unbounded as psi -> 0, so the grid point nearest the kink wins at every level and the search
// converges to it; ht / nt <= R ha / na keeps the bump visible at the nearest grid directions. The maximum is a
// kink when the jump of g' across it does not depend on the width (eps = 1e-6 r vs 1e-5 r: a smooth maximum gives
// a jump proportional to the width; a partner at angle delta adds ~ 2 eps a' / (R delta)).
bool localise(const Residual& res, double s, const Eigen::VectorXd& g0, double t0, double ha, double ht, double r,
              Kink& out) {
  const int d = static_cast<int>(g0.size());
  const int na = d == 2 ? 4 : 3, nt = d == 2 ? 5 : 3;
  const double shrink = d == 2 ? 3.0 : 2.5;  // next half-range: 1.33 (1.2) grid spacings about the best point
  Eigen::VectorXd best = g0.normalized(), e1(d), e2(d), g(d);
  double bt = t0, bv = s * res.second(best, bt);
  for (; ha > 1e-8; ha /= shrink, ht /= shrink) {
    if (d == 2) {
      e1 << -best(1), best(0);
    } else {
      perp_basis(best, e1, e2);
    }
    const Eigen::VectorXd c = best;
    const double tc = bt;
    for (int i = -na; i <= na; ++i)
      for (int j = (d == 2 ? 0 : -na); j <= (d == 2 ? 0 : na); ++j) {
        if (d == 2) {
          const double phi = ha * i / na;
          g = std::cos(phi) * c + std::sin(phi) * e1;
        } else {
          g = (c + (ha * i / na) * e1 + (ha * j / na) * e2).normalized();
        }
        for (int k = -nt; k <= nt; ++k) {
          const double t = tc + ht * k / nt;
          const double v = s * res.second(g, t);
          if (v > bv) {
            bv = v;
            best = g;
            bt = t;
          }
        }
      }
  }
  const double J1 = res.jump(best, bt, 1e-6 * r), J2 = res.jump(best, bt, 1e-5 * r);
  if (!(s * J1 > 0) || std::abs(J2 - J1) > 0.25 * std::abs(J1)) return false;
  out.gamma = best;
  out.t = bt;
  out.a = J1 / res.envelope(bt);
  return true;
}

bool same_hyperplane(const Kink& a, const Kink& b, double r) {
  const auto [da, dt] = hyperplane_distance(a.gamma, a.t, b.gamma, b.t);
  return da < 1e-6 && dt < 1e-6 * r;
}

// Kinks near the seeds, both signs per seed, repeated with the kinks found so far deflated until a pass adds none
// (at most 4 passes). A seed is searched again only if one of its searches ended on a kink that its pass had not
// deflated (behind such a kink may hide a partner). Each pass runs the seeds in parallel; kinks are added in seed
// order (deterministic whatever the thread count).
std::vector<Kink> find_kinks(const RidgeSum& f, double R, const std::vector<Candidate>& seeds, double ha, double ht,
                             double r, int threads, std::vector<Kink> found) {
  const int n = static_cast<int>(seeds.size());
  std::vector<int> active(n);
  for (int i = 0; i < n; ++i) active[i] = i;
  for (int pass = 0; pass < 4 && !active.empty(); ++pass) {
    const Residual res(f, R, found);
    const size_t deflated = found.size();
    const int m = static_cast<int>(active.size());
    std::vector<Kink> got(2 * m);
    std::vector<char> ok(2 * m, 0);
    parallel_for(2 * m, threads, [&](int i) {
      const Candidate& c = seeds[active[i / 2]];
      ok[i] = localise(res, i % 2 ? -1.0 : 1.0, c.gamma, c.t, ha, ht, r, got[i]);
    });
    std::vector<int> next;
    for (int i = 0; i < 2 * m; ++i) {
      if (!ok[i]) continue;
      bool old = false, dup = false;
      for (size_t k = 0; k < found.size(); ++k)
        if (same_hyperplane(found[k], got[i], r)) (k < deflated ? old : dup) = true;
      if (old) continue;
      if (!dup) found.push_back(got[i]);
      if (next.empty() || next.back() != active[i / 2]) next.push_back(active[i / 2]);
    }
    active.swap(next);
  }
  return found;
}

// x in the shortest form that reads back exactly (%.17g), for error messages.
std::string shortest(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// (gamma, t) of `k` in the orientation closest to `ref`.
void align(const Eigen::VectorXd& ref, const Kink& k, Eigen::VectorXd& g, double& t) {
  if (angle_between(ref, k.gamma) <= angle_between(ref, -k.gamma)) {
    g = k.gamma;
    t = k.t;
  } else {
    g = -k.gamma;
    t = -k.t;
  }
}

}  // namespace

RadonRtv radon_rtv_ball(const RidgeSum& f, double r, const RadonRtvOptions& options) {
  const int d = f.dim();
  if (d != 2 && d != 3)
    throw input_error("f", "input dimension " + std::to_string(d) + ": radon_rtv_ball is implemented for d = 2 and 3");
  if (!(r > 0) || !std::isfinite(r))
    throw input_error("radius", "the ball's radius must be a positive finite number, got " + shortest(r));
  // Scales where the windowed transform's powers of R stay within double precision (measured: r = 1e50 gives the
  // exact 3 to 2e-5 on a 2-neuron network, r = 1e100 returned 0 with status ok: issue 20).
  if (r < kMinRadius || r > kMaxRadius)
    throw input_error("radius", number_text(r) + " is outside [" + number_text(kMinRadius) + ", " + number_text(kMaxRadius) +
                                    "], where the window's powers overflow or underflow double precision; rescale "
                                    "the inputs");
  for (int k = 0; k < f.terms(); ++k)
    if (f.smoothing(k) > 0 && f.v(k) != 0)
      throw input_error("f", "term " + std::to_string(k) +
                                 " is smooth (smoothing > 0): its measure has no spike; use measure_cap_antiderivative");
  // Below these grids the detection heat map's cells are too wide to separate the spikes of distinct hyperplanes.
  const int min_angles = d == 2 ? 64 : 16;
  if (options.angles < 0)
    throw input_error("angles", "must be >= 0 (0: the default), got " + std::to_string(options.angles));
  if (options.angles > 0 && options.angles < min_angles)
    throw input_error("angles", std::to_string(options.angles) + " is too coarse to separate spikes (need >= " +
                                    std::to_string(min_angles) + ")");
  // Every length and tolerance: 0 (the default) or positive and finite (NaN passed "<= 0" tests: issue 20).
  for (const auto& [name, x] : {std::pair<const char*, double>{"window", options.window},
                                {"detect_window", options.detect_window}, {"dt", options.dt},
                                {"half_width", options.half_width}})
    if (!(x >= 0) || !std::isfinite(x))
      throw input_error(name, "must be 0 (the default) or a positive finite number, got " + number_text(x));
  for (const auto& [name, x] : {std::pair<const char*, double>{"detect", options.detect}, {"tol", options.tol},
                                {"max_cap", options.max_cap}})
    if (!(x > 0) || !std::isfinite(x)) throw input_error(name, "must be a positive finite number, got " + number_text(x));
  RadonRtv out;
  RadonRtvOptions o = options;
  if (o.window <= 0) o.window = 32 * r;
  // R < r is outside the Richardson extrapolation in 1/R (measured on the 2-neuron network above: R = r: +0.6%,
  // r / 2: +2%, r / 1000: the value 0.0013 for 3, status ok: issue 20's --window 1e-300 gave NaN).
  if (o.window < r)
    throw input_error("window", "R = " + number_text(o.window) + " is smaller than the ball's radius r = " + number_text(r) +
                                    ": the window must be at least r (default 32 r)");
  // d = 3: the closed-form heat map has side lobes at ~ sqrt(3) rho R from a spike seen at angle rho; a small
  // window keeps them close to the spike.
  if (o.detect_window <= 0) o.detect_window = d == 2 ? 2 * r : 0.5 * r;
  if (o.angles <= 0) o.angles = d == 2 ? 256 : 40;
  if (o.dt <= 0) o.dt = r / 64;
  // Offset margin: a box's offset edge stays this far from every kink. d = 2: 4 x the Taylor radius 5e-5 (2R) of
  // the Hilbert quadrature (hilbert_second_derivative: its Taylor part is wrong when a kink of g lies within it;
  // measured: a kink 0.1 B from the edge costs 1.8% at 2R = 128). d = 3: the same (closed form, but the box
  // integrand's scale about the spike is the edge distance / R, and the quadrature's cost grows as it shrinks).
  const double margin_t = 4e-4 * o.window;
  if (o.half_width <= 0) o.half_width = std::max(1.5 * o.dt, margin_t);
  const double B = o.half_width;
  // Angular margin: a spike at angle D from its cap's edge loses a fraction ~ (phi(0) / pi) B / (R D) of its mass
  // across it (first order in 1/R, extrapolated away; radon_measure.hpp): D >= 12 B / R keeps it below 1e-2.
  const double margin_a = 12 * B / o.window;
  out.options = o;
  out.window = o.window;
  out.r = r;

  // 1. Detection on the heat map of a small window, over offsets up to 1.25 r: every local maximum above
  // detect x max |q| is a seed. (The maximum is set by the spike whose direction happens to lie closest to a grid
  // direction: q ~ a / (R psi)^3 in d = 3; the default 1e-4 leaves margin for a spike 1% of the largest.)
  const double spacing = M_PI / o.angles;
  auto seeds_of = [&](const MeasureHeatmap& hm, double threshold) {
    std::vector<Candidate> seeds = detect_spikes(hm, threshold);
    for (auto& c : seeds) canonical_hyperplane(c.gamma, c.t);
    std::sort(seeds.begin(), seeds.end(), [](const Candidate& a, const Candidate& b) { return a.height > b.height; });
    // d = 3: the grid holds both orientations of every direction; a seed within half a cell of a taller one adds
    // nothing
    std::vector<Candidate> keep;
    for (const Candidate& c : seeds) {
      bool dup = false;
      for (const Candidate& k : keep) {
        const auto [da, dt] = hyperplane_distance(c.gamma, c.t, k.gamma, k.t);
        dup = dup || (da < 0.5 * spacing && dt < 0.5 * o.dt);
      }
      if (!dup) keep.push_back(c);
    }
    return keep;
  };
  out.heatmap = measure_heatmap(WindowedRadon(f, o.detect_window), o.angles, 1.25 * r, o.dt, o.threads);
  const double threshold = o.detect * out.heatmap.q.cwiseAbs().maxCoeff();
  if (!(threshold > 0)) {  // no spike anywhere (e.g. f affine)
    out.kinks = 0;
    return out;
  }
  // 2. Kinks near the seeds: within 1.5 grid cells (pi / angles; d = 3: the Gauss-Legendre polar spacing ~ the
  // azimuth spacing at the equator) and 1.5 offset steps, at the window r. Then again from the heat map of f minus
  // the kinks found (at most twice): a small spike next to a large one may make no local maximum of its own
  // (measured: a = 0.07 at 0.21 rad and 0.06 in offset from a = 1.37, d = 3).
  std::vector<Kink> kinks =
      find_kinks(f, r, seeds_of(out.heatmap, threshold), 1.5 * spacing, 1.5 * o.dt, r, o.threads, {});
  for (int round = 0; round < 2 && !kinks.empty(); ++round) {
    std::vector<int> all(kinks.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    const MeasureHeatmap hm = measure_heatmap(WindowedRadon(minus_kinks(f, kinks, all), o.detect_window), o.angles,
                                              1.25 * r, o.dt, o.threads);
    const std::vector<Candidate> more = seeds_of(hm, threshold);
    const size_t before = kinks.size();
    if (!more.empty()) kinks = find_kinks(f, r, more, 1.5 * spacing, 1.5 * o.dt, r, o.threads, kinks);
    if (kinks.size() == before) break;
  }
  double asum = 0.0;
  for (const Kink& k : kinks) asum += std::abs(k.a);
  {  // drop kinks at the rounding level of the others
    std::vector<Kink> keep;
    for (Kink& k : kinks)
      if (std::abs(k.a) > 1e-9 * asum) keep.push_back(k);
    kinks.swap(keep);
  }
  for (Kink& k : kinks) canonical_hyperplane(k.gamma, k.t);
  const int nk = static_cast<int>(kinks.size());

  // 3. Clusters: kinks that no box boundary can separate (closer than 2 margin_a in angle and 2 margin_t in
  // offset) share a box (single linkage). Same signs add in it, as they do in the R-TV; opposite signs would cancel
  // in it, so they are reported as unresolved.
  std::vector<int> parent(nk);
  for (int i = 0; i < nk; ++i) parent[i] = i;
  auto root = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (int i = 0; i < nk; ++i)
    for (int j = i + 1; j < nk; ++j) {
      const auto [da, dt] = hyperplane_distance(kinks[i].gamma, kinks[i].t, kinks[j].gamma, kinks[j].t);
      if (da < 2 * margin_a && dt < 2 * margin_t) parent[root(i)] = root(j);
    }
  struct Cluster {
    std::vector<int> members;
    int top = -1;                         // the member with the largest |a|: the box's centre
    Eigen::VectorXd gamma;                // its direction
    double t = 0.0;
    double spread = 0.0;                  // largest angle of a member from the centre
    double span_lo = 0.0, span_hi = 0.0;  // the members' offsets (centre's orientation)
    double lo = 0.0, hi = 0.0;            // the box's offset interval
  };
  // Another cluster's span and offset interval in the orientation of c's centre, and the angle between the centres.
  struct View {
    double span_lo, span_hi, lo, hi, angle;
  };
  auto view = [](const Cluster& c, const Cluster& o2) {
    const double same = angle_between(c.gamma, o2.gamma), flip = angle_between(c.gamma, -o2.gamma);
    if (same <= flip) return View{o2.span_lo, o2.span_hi, o2.lo, o2.hi, same};
    return View{-o2.span_hi, -o2.span_lo, -o2.hi, -o2.lo, flip};
  };
  std::vector<Cluster> cl;
  for (;;) {
    cl.clear();
    std::vector<int> index(nk, -1);
    for (int i = 0; i < nk; ++i) {
      const int rt = root(i);
      if (index[rt] < 0) {
        index[rt] = static_cast<int>(cl.size());
        cl.emplace_back();
      }
      cl[index[rt]].members.push_back(i);
    }
    for (Cluster& c : cl) {
      for (int m : c.members)
        if (c.top < 0 || std::abs(kinks[m].a) > std::abs(kinks[c.top].a)) c.top = m;
      c.gamma = kinks[c.top].gamma;
      c.t = c.span_lo = c.span_hi = kinks[c.top].t;
      for (int m : c.members) {
        const bool flip = angle_between(c.gamma, kinks[m].gamma) > angle_between(c.gamma, -kinks[m].gamma);
        const double t = flip ? -kinks[m].t : kinks[m].t;
        c.spread = std::max(c.spread, angle_between(c.gamma, flip ? Eigen::VectorXd(-kinks[m].gamma) : kinks[m].gamma));
        c.span_lo = std::min(c.span_lo, t);
        c.span_hi = std::max(c.span_hi, t);
      }
      c.lo = c.span_lo - B;
      c.hi = c.span_hi + B;
    }
    // 4. Offset intervals: clusters whose caps may meet (centres closer than 2 max_cap) and whose spans are at
    // least 2 margin_t apart meet at the midpoint (an offset edge costs nothing to first order in 1/R: the mass a
    // box captures of a spike inside it does not depend on where in the box it lies; radon_measure.hpp).
    const int nc = static_cast<int>(cl.size());
    for (int i = 0; i < nc; ++i)
      for (int j = 0; j < nc; ++j) {
        if (i == j) continue;
        const View v = view(cl[i], cl[j]);
        if (v.angle >= 2 * o.max_cap) continue;
        if (v.span_lo >= cl[i].span_hi + 2 * margin_t) cl[i].hi = std::min(cl[i].hi, 0.5 * (cl[i].span_hi + v.span_lo));
        if (v.span_hi <= cl[i].span_lo - 2 * margin_t) cl[i].lo = std::max(cl[i].lo, 0.5 * (v.span_hi + cl[i].span_lo));
      }
    // Clusters still overlapping in offset whose caps (half the angle between the centres) cannot keep the margin
    // about their kinks are one box (then again from the start).
    bool merged = false;
    for (int i = 0; i < nc && !merged; ++i)
      for (int j = i + 1; j < nc && !merged; ++j) {
        const View v = view(cl[i], cl[j]);
        if (v.lo < cl[i].hi && v.hi > cl[i].lo && v.angle < 2 * (std::max(cl[i].spread, cl[j].spread) + margin_a)) {
          parent[root(cl[i].members[0])] = root(cl[j].members[0]);
          merged = true;
        }
      }
    if (!merged) break;
  }
  const int nc = static_cast<int>(cl.size());
  std::vector<int> inside;
  for (int i = 0; i < nc; ++i)
    if (std::abs(cl[i].t) < r) inside.push_back(i);
  const int n = static_cast<int>(inside.size());
  out.spikes.resize(n);
  parallel_for(n, o.threads, [&](int ii) {
    const Cluster& c = cl[inside[ii]];
    // The cap: below half the angle to any other cluster whose offset interval overlaps (disjoint boxes).
    double A = o.max_cap;
    for (int j = 0; j < nc; ++j) {
      if (j == inside[ii]) continue;
      const View v = view(c, cl[j]);
      if (v.lo < c.hi && v.hi > c.lo) A = std::min(A, 0.5 * v.angle);
    }
    // The box is measured on f minus the other clusters' kinks within 0.4 rad of the cap's edge (their kink
    // estimates as neurons). The window spreads a spike at angle psi from a direction over offsets ~ R psi there,
    // so at finite R every spike leaks into the boxes about directions near its own, outside its box: in d = 2
    // with algebraic tails ~ a / (2 pi Delta^2) at offset distance Delta while R psi < Delta (our estimate from
    // the Hilbert transform's 1 / (pi u) tail), i.e. not as a power of 1/R that the extrapolation removes (measured without the subtraction: 1.4% of a box 0.03 rad from a spike
    // 4.5x larger and 0.61 away in offset). The subtracted neurons lie outside the box, so their box measure
    // vanishes as R -> infinity and the limit is unchanged; what remains of their leak is the kink estimates'
    // error (~1e-5 relative) times it. Beyond 0.4 rad the leak decays like a A B / (R psi)^2 (measured:
    // subtracting every kink instead changes the boxes by < 2e-5 relative on random 13-kink networks, d = 2).
    std::vector<int> sub;
    for (int j = 0; j < nc; ++j)
      if (j != inside[ii])
        for (int m : cl[j].members)
          if (std::min(angle_between(c.gamma, kinks[m].gamma), angle_between(c.gamma, -kinks[m].gamma)) < A + 0.4)
            sub.push_back(m);
    const RidgeSum fc = minus_kinks(f, kinks, sub);
    const WindowedRadon w1(fc, o.window), w2(fc, 2 * o.window);
    // The box integrand varies on the scale (distance of a kink from an offset edge) / R about each kink.
    double edge = B;
    for (int m : c.members) {
      Eigen::VectorXd g;
      double t;
      align(c.gamma, kinks[m], g, t);
      edge = std::min({edge, t - c.lo, c.hi - t});
    }
    RecoveredSpike& rs = out.spikes[ii];
    rs.gamma = c.gamma;
    rs.t = c.t;
    rs.cap = A;
    rs.half_width = B;
    rs.t_lo = c.lo;
    rs.t_hi = c.hi;
    rs.kinks = static_cast<int>(c.members.size());
    for (int m : c.members) rs.kink_a += kinks[m].a;
    rs.mass_R = measure_box(w1, c.gamma, A, c.spread + 4 * edge / o.window, c.lo, c.hi, o.tol, 8);
    rs.mass_2R = measure_box(w2, c.gamma, A, c.spread + 2 * edge / o.window, c.lo, c.hi, o.tol, 8);
    rs.a = 2 * (2 * rs.mass_2R - rs.mass_R);
  });
  for (const auto& s : out.spikes) {
    out.value += std::abs(s.a);
    out.value_R += 2 * std::abs(s.mass_R);
    out.value_2R += 2 * std::abs(s.mass_2R);
  }
  // 5. Opposite signs in one box: the strongest kink of each sign, reported with its kink estimate.
  for (int ii : inside) {
    const Cluster& c = cl[ii];
    int pos = -1, neg = -1;
    for (int m : c.members) {
      if (kinks[m].a > 0 && (pos < 0 || kinks[m].a > kinks[pos].a)) pos = m;
      if (kinks[m].a < 0 && (neg < 0 || kinks[m].a < kinks[neg].a)) neg = m;
    }
    if (pos < 0 || neg < 0) continue;
    UnresolvedPair u;
    u.gamma1 = kinks[pos].gamma;
    u.t1 = kinks[pos].t;
    u.a1 = kinks[pos].a;
    u.gamma2 = kinks[neg].gamma;
    u.t2 = kinks[neg].t;
    u.a2 = kinks[neg].a;
    std::tie(u.angle, u.offset) = hyperplane_distance(u.gamma1, u.t1, u.gamma2, u.t2);
    out.unresolved.push_back(u);
  }
  out.kinks = nk;
  // A non-finite value is never returned as a number (issue 20): with the scales checked above it means the
  // network's weights overflow the windowed transform.
  if (!std::isfinite(out.value) || !std::isfinite(out.value_R) || !std::isfinite(out.value_2R))
    throw input_error("f", "the Radon-domain R-TV is not finite (" + shortest(out.value) + ") for r = " + shortest(r) +
                               ", R = " + shortest(o.window) + ": the weights or scales overflow double precision");
  return out;
}

}  // namespace rtv
