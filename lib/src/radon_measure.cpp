// The Radon-domain measure of windowed ridge sums on boxes, spike detection and the R-TV on a ball
// (header comment of radon_measure.hpp).
#include "rtv/radon_measure.hpp"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

#include "rtv/error.hpp"
#include "rtv/filters.hpp"
#include "rtv/parallel.hpp"
#include "rtv/radon_nd.hpp"

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
double cap_integral(int d, const Eigen::VectorXd& center, double A, double core, double tol, H&& h) {
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
  // Other spikes inside the cap are features localised in the azimuth: 24 panels, each adaptive (one global
  // adaptive rule could step over them; measured: 5% of a box lost to a neighbour 0.06 rad from the centre).
  double I = 0.0;
  for (int p = 0; p < 24; ++p)
    I += gauss_kronrod<double, 15>::integrate(ring, 2 * M_PI * p / 24, 2 * M_PI * (p + 1) / 24, 8, tol);
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
                   double tol) {
  RTV_ASSERT(t0 < t1 && A > 0, "measure_box: t0 < t1, A > 0");
  // The Hilbert quadrature's own tolerance: 1e-5 (of its L1 norm) is reached without subdividing into rounding
  // noise (measured: ~1e-7 accurate, as with 1e-6 at 20% more cost); requests below ~1e-6 can cost 100x.
  const double inner_tol = 1e-5;
  return cap_integral(wr.dim(), center, A, core, tol, [&](const Eigen::VectorXd& gam) {
    return measure_antiderivative(wr, gam, t1, inner_tol) - measure_antiderivative(wr, gam, t0, inner_tol);
  });
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
  const int half = static_cast<int>(std::ceil(extent / dt));
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

// The direction where the box integrand |P(gamma, t1) - P(gamma, t0)| peaks (the spike's direction: the
// integrand is smooth there on the scale (t1 - t0) / R and falls off like a power of the angle beyond):
// a zooming grid search in the tangent plane, from half-width h to h / 5^levels.
Eigen::VectorXd refine_direction(const WindowedRadon& wr, const Eigen::VectorXd& center, double h, double t0,
                                 double t1, double tol) {
  const int d = wr.dim();
  auto m = [&](const Eigen::VectorXd& g) {
    return std::abs(measure_antiderivative(wr, g, t1, tol) - measure_antiderivative(wr, g, t0, tol));
  };
  Eigen::VectorXd best = center.normalized();
  const int n = d == 2 ? 10 : 5;  // grid points per side
  for (int level = 0; level < 5; ++level, h /= 5) {
    Eigen::VectorXd e1, e2;
    if (d == 2) {
      e1.resize(2);
      e1 << -best(1), best(0);
    } else {
      perp_basis(best, e1, e2);
    }
    const Eigen::VectorXd c = best;
    double top = m(c);
    for (int i = -n; i <= n; ++i)
      for (int j = (d == 2 ? 0 : -n); j <= (d == 2 ? 0 : n); ++j) {
        if (i == 0 && j == 0) continue;
        Eigen::VectorXd g = c + (h * i / n) * e1;
        if (d == 3) g += (h * j / n) * e2;
        g.normalize();
        const double v = m(g);
        if (v > top) {
          top = v;
          best = g;
        }
      }
  }
  return best;
}

}  // namespace

RadonRtv radon_rtv_ball(const RidgeSum& f, double r, const RadonRtvOptions& options) {
  const int d = f.dim();
  if (d != 2 && d != 3)
    throw std::invalid_argument("radon_rtv_ball: input dimension " + std::to_string(d) + ", implemented for d = 2 and 3");
  if (!(r > 0) || !std::isfinite(r))
    throw std::invalid_argument("radon_rtv_ball: the ball's radius must be a positive number, got " + std::to_string(r));
  RadonRtv out;
  RadonRtvOptions o = options;
  if (o.window <= 0) o.window = 32 * r;
  // d = 3: the closed-form heat map has side lobes at ~ sqrt(3) rho R from a spike seen at angle rho; a small
  // window keeps them inside the merge distance.
  if (o.detect_window <= 0) o.detect_window = d == 2 ? 2 * r : 0.5 * r;
  if (o.angles <= 0) o.angles = d == 2 ? 256 : 40;
  if (o.dt <= 0) o.dt = r / 64;
  if (o.half_width <= 0) o.half_width = 3 * o.dt;
  out.options = o;
  out.window = o.window;
  out.r = r;

  // 1. Detection on the heat map of a small window, over offsets up to 1.25 r.
  const WindowedRadon det(f, o.detect_window);
  out.heatmap = measure_heatmap(det, o.angles, 1.25 * r, o.dt, o.threads);
  double qmax = 0.0;
  qmax = out.heatmap.q.cwiseAbs().maxCoeff();
  std::vector<Candidate> cand = detect_spikes(out.heatmap, o.detect * qmax);
  for (auto& c : cand) canonical_hyperplane(c.gamma, c.t);
  std::sort(cand.begin(), cand.end(), [](const Candidate& a, const Candidate& b) { return a.height > b.height; });
  // 2. Merge a spike's echoes (side lobes, neighbouring grid directions, the antipodal copy) into the tallest.
  // Grid spacing: pi / angles in both cases (d = 3: Gauss-Legendre polar spacing ~ azimuth spacing at the equator);
  // a spike shows in the grid directions around it, up to ~sqrt(2) spacings away.
  const double spacing = M_PI / o.angles;
  const double merge_angle = 2.5 * spacing, merge_t = 2 * o.half_width;  // boxes closer than 2B would overlap
  std::vector<Candidate> spikes;
  for (const auto& c : cand) {
    bool dup = false;
    for (const auto& s : spikes)
      if ((angle_between(c.gamma, s.gamma) <= merge_angle && std::abs(c.t - s.t) <= merge_t) ||
          (angle_between(c.gamma, -s.gamma) <= merge_angle && std::abs(c.t + s.t) <= merge_t))
        dup = true;
    if (!dup) spikes.push_back(c);
  }
  // 3. Disjoint boxes: cap half-angle at most half the angle to any other spike in the same offset strip.
  const double B = o.half_width;
  const double core = 2 * spacing;  // the spike lies within a grid cell of the detected direction
  std::vector<int> inside;
  for (int k = 0; k < static_cast<int>(spikes.size()); ++k)
    if (std::abs(spikes[k].t) < r) inside.push_back(k);
  const int n = static_cast<int>(inside.size());
  out.spikes.resize(n);
  const WindowedRadon w1(f, o.window), w2(f, 2 * o.window);
  parallel_for(n, o.threads, [&](int i) {
    const Candidate& s = spikes[inside[i]];
    // The cap: below half the angle to any spike in the same offset strip (disjoint boxes), and with its
    // edge as far as possible from every other spike's direction: a spike at angle D from the edge leaks
    // its offset frequencies below ~1 / (R D) across it (measured: D = 0.055, R = 16 cost 10% of a box).
    double A_hi = o.max_cap;
    std::vector<double> others;
    for (const auto& other : spikes) {
      if (&other == &s) continue;
      const double same = angle_between(s.gamma, other.gamma), flip = angle_between(s.gamma, -other.gamma);
      if (std::abs(other.t - s.t) < 2 * B) A_hi = std::min(A_hi, 0.5 * same);
      if (std::abs(other.t + s.t) < 2 * B) A_hi = std::min(A_hi, 0.5 * flip);
      others.push_back(std::min(same, flip));
    }
    const double A_lo = std::min(A_hi, 2 * core);
    double A = A_hi, best = -1.0;
    for (int j = 0; j <= 200; ++j) {
      const double cand = A_hi - (A_hi - A_lo) * j / 200.0;
      double dist = 1e300;
      for (double th : others) dist = std::min(dist, std::abs(cand - th));
      if (dist > best * (1 + 1e-12)) {
        best = dist;
        A = cand;
      }
    }
    RecoveredSpike& rs = out.spikes[i];
    rs.gamma = refine_direction(w1, s.gamma, core, s.t - B, s.t + B, 1e-6);
    rs.t = s.t;
    rs.cap = A;
    rs.half_width = B;
    // After refinement the spike sits at the centre; its box integrand varies on the scale B / R there.
    rs.mass_R = measure_box(w1, rs.gamma, A, 4 * B / o.window, s.t - B, s.t + B, o.tol);
    rs.mass_2R = measure_box(w2, rs.gamma, A, 2 * B / o.window, s.t - B, s.t + B, o.tol);
    rs.a = 2 * (2 * rs.mass_2R - rs.mass_R);
  });
  for (const auto& s : out.spikes) {
    out.value += std::abs(s.a);
    out.value_R += 2 * std::abs(s.mass_R);
    out.value_2R += 2 * std::abs(s.mass_2R);
  }
  return out;
}

}  // namespace rtv
