// Claims R1 (radon-accuracy) and R2 (fbp-inversion), and the Shepp-Logan figure (THEORY.md s.3, s.8).
#include <cmath>

#include "claim.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/io/io.hpp"
#include "rtv/radon/phantoms.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/radon/radon_nd.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv::verify {

namespace {

// Image-size families: even, odd and power-of-two sizes, each halving h (odd sizes: h ratio 2n/(n+1)... close).
std::vector<std::vector<int>> size_families(const Context& ctx) {
  if (ctx.quick()) return {{40, 80, 160}, {41, 81, 161}, {32, 64, 128}};
  return {{50, 100, 200, 400}, {51, 101, 201, 401}, {64, 128, 256, 512}};
}

std::string sizes_str(const std::vector<int>& ns) {
  std::string s;
  for (int n : ns) s += (s.empty() ? "" : ", ") + std::to_string(n);
  return s;
}

double rel_l2(const Array2D& a, const Array2D& b) { return (a - b).norm() / b.norm(); }
double rel_l1(const Array2D& a, const Array2D& b) { return (a - b).cwiseAbs().sum() / b.cwiseAbs().sum(); }

const Phantom& smooth_gaussian() {  // sigma = 0.15: its tail beyond the square [-1, 1]^2 is below 1e-8
  static const Phantom p = Phantom::gaussian(2, 1.0, 0.15, Eigen::Vector2d(0.1, -0.05));
  return p;
}

// The Gaussian of smooth_gaussian() written out here, not through Phantom, so that the literal checks below
// depend on the library for nothing but the transform under test: f(x) = exp(-|x - c|^2 / (2 s^2)),
// R f(gamma, t) = sqrt(2 pi) s exp(-(t - gamma . c)^2 / (2 s^2)), d_t^2 R f = R f ((u^2 - 1) / s^2),
// u = (t - gamma . c) / s.
constexpr double kGs = 0.15, kGcx = 0.1, kGcy = -0.05;
double literal_gauss(double x, double y) {
  return std::exp(-((x - kGcx) * (x - kGcx) + (y - kGcy) * (y - kGcy)) / (2 * kGs * kGs));
}
double literal_gauss_radon(double theta, double t, int deriv) {
  const double u = (t - (std::cos(theta) * kGcx + std::sin(theta) * kGcy)) / kGs;
  const double p = std::sqrt(2 * M_PI) * kGs * std::exp(-u * u / 2);
  return deriv == 0 ? p : p * (u * u - 1) / (kGs * kGs);
}

// The grid conventions of radon2d.hpp, restated literally (no ImageGrid, SinogramGrid or sample_image):
// pixel centres x_j = -1 + (j + 1/2) h, h = 2/n; angles theta_a = pi a / A; offsets t_m = -T + (m + 1/2) h,
// M = the smallest integer >= sqrt(2) n with the parity of n, T = M h / 2. Returns the literal image.
Array2D literal_image(int n) {
  const double h = 2.0 / n;
  Array2D img(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) img(i, j) = literal_gauss(-1 + (j + 0.5) * h, -1 + (i + 0.5) * h);
  return img;
}
int literal_offsets(int n) {
  int M = static_cast<int>(std::ceil(std::sqrt(2.0) * n - 1e-9));
  return (M - n) % 2 ? M + 1 : M;
}

// Joseph's error model (leading order): a line sampled across rows (|cos theta| >= |sin theta|) interpolates
// linearly in x between pixel centres, error (1/2) delta (1 - delta) h^2 f_xx at fractional position delta,
// 1/12 h^2 f_xx on average over delta; summed along the line that is (h^2 / 12) int f_xx ds
// = (h^2 / 12) cos^2 theta d_t^2 R f (R{d_x^2 f} = gamma_x^2 d_t^2 R f), and likewise with sin^2 theta across
// columns. The sum along the line is spectrally accurate for a smooth, rapidly decaying f (Euler-Maclaurin:
// no end terms). Returns the model's relative L2 error of the sinogram at n x n, n angles, dt = h.
double joseph_model_rel_l2(int n) {
  const double h = 2.0 / n, T = 0.5 * literal_offsets(n) * h;
  const int M = literal_offsets(n);
  double num2 = 0.0, den2 = 0.0;
  for (int a = 0; a < n; ++a) {
    const double th = M_PI * a / n, c2 = std::max(std::cos(th) * std::cos(th), std::sin(th) * std::sin(th));
    for (int m = 0; m < M; ++m) {
      const double t = -T + (m + 0.5) * h;
      const double e = h * h / 12 * c2 * literal_gauss_radon(th, t, 2), p = literal_gauss_radon(th, t, 0);
      num2 += e * e, den2 += p * p;
    }
  }
  return std::sqrt(num2 / den2);
}

Measurement order_check(const std::string& what, const std::vector<double>& h, const std::vector<double>& e,
                        double expected, double slack, const std::string& why) {
  const double p = fitted_order(h, e);
  std::string detail = "errors";
  for (double x : e) detail += " " + num(x);
  return at_least(what + ": observed order (theory " + num(expected) + ")", p, expected - slack, why, detail);
}


}  // namespace

// ---------------------------------------------------------------------------------------------- R1

Claim claim_r1_radon_accuracy() {
  Claim c;
  c.id = "R1";
  c.name = "radon-accuracy";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.3, s.8";
  c.statement = "The discrete Radon transform (Joseph's method) converges to the analytic sinogram at its order "
                "(2 for smooth f, 1 in L1 at jumps), with the right absolute scale, for odd, even and power-of-two "
                "sizes; forward projection and its adjoint satisfy <R f, g> = <f, R* g> to rounding.";
  c.experiment = "Gaussian (sigma 0.15, off-centre), disk (r 0.5, off-centre) and Shepp-Logan images sampled on "
                 "[-1, 1]^2, n angles, dt = h; relative errors against the closed-form sinograms at h, h/2, h/4 "
                 "(h/8 in full size) and the fitted order; the mass sum_m R f(theta, t_m) dt against int f; the "
                 "adjoint identity for random f, g on 12 grid shapes.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const Phantom& gauss = smooth_gaussian();
    const Phantom disk = Phantom::disk(1.0, 0.1, 0.2, 0.5);
    const Phantom sl = Phantom::shepp_logan();
    const char* fam_name[3] = {"even", "odd", "power-of-two"};
    const auto fams = size_families(ctx);
    for (int f = 0; f < 3; ++f) {
      std::vector<double> hs, eg, ed, es, mass;
      for (int n : fams[f]) {
        ctx.progress(std::string(fam_name[f]) + " size n = " + std::to_string(n));
        const ImageGrid ig{n, 1.0};
        const SinogramGrid sg = SinogramGrid::for_image(ig, n);
        hs.push_back(ig.h());
        const Array2D gs = radon(sample_image(gauss, ig), ig, sg, ctx.threads);
        const Array2D gx = exact_sinogram(gauss, sg);
        eg.push_back(rel_l2(gs, gx));
        // Mass: every row of the sinogram integrates to int f = 2 pi sigma^2 (the Gaussian's tail outside the
        // square is below 1e-8 of it).
        const double m_exact = 2 * M_PI * 0.15 * 0.15;
        double worst = 0.0;
        for (int a = 0; a < sg.angles; ++a) worst = std::max(worst, std::abs(gs.row(a).sum() * sg.dt() - m_exact) / m_exact);
        mass.push_back(worst);
        ed.push_back(rel_l1(radon(sample_image(disk, ig), ig, sg, ctx.threads), exact_sinogram(disk, sg)));
        es.push_back(rel_l2(radon(sample_image(sl, ig, 4), ig, sg, ctx.threads), exact_sinogram(sl, sg)));
      }
      const std::string fam = std::string(fam_name[f]) + " n = " + sizes_str(fams[f]);
      r.measurements.push_back(order_check("Gaussian sinogram, rel. L2 error, " + fam, hs, eg, 2.0, 0.3,
                                           ">= 1.7: linear interpolation and the row sum are both O(h^2); 0.3 allows "
                                           "the pre-asymptotic wobble of Joseph's angle-dependent error"));
      // Guards the error constant, not only the order: a bar of C h^2 from Joseph's error model (the helper
      // above, computed from the closed-form d_t^2 R f), 1.1 x the model. A coarser interpolation or a second
      // O(h^2) error source fails it at the right order. The model is the leading term (measured / model 0.983-0.996 from n = 128 to 512), so 1.1 is the pre-asymptotic allowance.
      const double model = joseph_model_rel_l2(fams[f].back());
      r.measurements.push_back(at_most("Gaussian sinogram rel. L2 error at the finest grid, " + fam, eg.back(),
                                       1.1 * model,
                                       "<= 1.1 x Joseph's error model (h^2/12) |max(cos^2, sin^2) d_t^2 R f| / |R f| "
                                       "= " + num(model) + " (h = " + num(hs.back()) + ")",
                                       "measured / model " + num(eg.back() / model)));
      r.measurements.push_back(order_check("Gaussian mass per angle sum_m R f dt vs 2 pi sigma^2, " + fam, hs, mass,
                                           2.0, 0.3, ">= 1.7: the absolute scale converges at the method's order"));
      r.measurements.push_back(order_check("disk sinogram, rel. L1 error, " + fam, hs, ed, 1.0, 0.2,
                                           ">= 0.8: a jump sampled at pixel centres costs O(h) in L1"));
      r.measurements.push_back(order_check("Shepp-Logan (4x4 pixel averages), rel. L2 error, " + fam, hs, es, 1.0,
                                           0.2, ">= 0.8: R f of an indicator is continuous with square-root edges; "
                                           "the boundary pixels' error is O(h) on each line"));
    }
    // ---- the grid conventions, literally ----
    // Guards against a convention bug shared by radon(), exact_sinogram() and sample_image() (an offset grid
    // -T + m dt instead of -T + (m + 1/2) dt, pixel centres off by half a pixel, angles pi a / (A - 1), a wrong
    // M or T): those pass every comparison above, which builds both sides from the same grid structs. Here the
    // image, the angles and the offsets are written out from radon2d.hpp's stated conventions and the reference
    // is the closed-form transform at those literal (theta, t); a half-pixel shift costs O(h) relative error,
    // i.e. ~ h / s = 0.1 at n = 128, against the O(h^2) model.
    {
      const int n = ctx.quick() ? 128 : 256;
      const ImageGrid ig{n, 1.0};
      const SinogramGrid sg = SinogramGrid::for_image(ig, n);
      const int M = literal_offsets(n);
      const double h = 2.0 / n, T = 0.5 * M * h;
      const bool same_grid = sg.offsets == M && std::abs(sg.T - T) <= 4 * tol::kEps * T;
      double e = 1.0;
      if (same_grid) {
        const Array2D rs = radon(literal_image(n), ig, sg, ctx.threads);
        Array2D lit(n, M);
        for (int a = 0; a < n; ++a)
          for (int m = 0; m < M; ++m) lit(a, m) = literal_gauss_radon(M_PI * a / n, -T + (m + 0.5) * h, 0);
        e = rel_l2(rs, lit);
      }
      const double model = joseph_model_rel_l2(n);
      r.measurements.push_back(at_most("literal conventions (pixel centres, theta_a = pi a / A, t_m = -T + (m + 1/2) "
                                       "dt, M, T) against the closed form, n = " + std::to_string(n) +
                                       ": rel. L2 error",
                                       e, 1.1 * model,
                                       "<= 1.1 x Joseph's error model " + num(model) +
                                           "; a half-pixel shift in any convention gives ~h / s ~ 0.1",
                                       same_grid ? "library grid = literal grid (M = " + std::to_string(M) + ")"
                                                 : "the library's default offset grid differs from radon2d.hpp's "
                                                   "stated M or T"));
    }
    // ---- adjointness ----
    Rng rng = ctx.rng();
    double worst_adj = 0.0;
    std::string worst_shape;
    for (int n : {31, 32, 33, 64}) {
      for (int A : {17, 24}) {
        for (int Mmul : {0, 1, 2}) {
          const ImageGrid ig{n, 1.0};
          SinogramGrid sg = SinogramGrid::for_image(ig, A);
          if (Mmul == 1) sg = SinogramGrid::for_image(ig, A, sg.offsets / 2 + 1);  // dt ~ 2h
          if (Mmul == 2) sg = SinogramGrid::for_image(ig, A, 2 * sg.offsets + 1);  // dt ~ h/2
          Array2D f(n, n), g(A, sg.offsets);
          for (Eigen::Index i = 0; i < f.size(); ++i) f.data()[i] = rng.normal();
          for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = rng.normal();
          const Array2D Rf = radon(f, ig, sg, ctx.threads), Rtg = radon_adjoint(g, ig, sg, ctx.threads);
          const double lhs = (Rf.array() * g.array()).sum(), rhs = (f.array() * Rtg.array()).sum();
          const double e = std::abs(lhs - rhs) / (Rf.norm() * g.norm());
          if (e > worst_adj) worst_adj = e, worst_shape = std::to_string(n) + "^2 image, " + std::to_string(A) +
                                                          " angles, " + std::to_string(sg.offsets) + " offsets";
        }
      }
    }
    r.measurements.push_back(at_most("|<R f, g> - <f, R^T g>| / (|R f| |g|), 24 grid shapes", worst_adj, 1e-12,
                                     "<= 1e-12 (CLAIMS.md): a sum of ~1e6 products, each error ~eps", worst_shape));
    r.conclude();
    return r;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------- R2

namespace {

// d = 3 inversion: f = c_3 R* Lambda^2 R f for an off-centre Gaussian, with the analytic R f on the
// directions of a sphere rule, the band-limited Lambda^2 along t, and linear interpolation in t. Returns the
// max error at `pts` (rows).
double inversion_error_3d(double dt, int rule_n, const Eigen::MatrixXd& pts) {
  const Eigen::Vector3d centre(0.2, -0.1, 0.15);
  const double sigma = 0.5, T = 4.5;
  const GaussianBump g{1.0, sigma, centre};
  const int M = static_cast<int>(std::lround(2 * T / dt));
  const double dtt = 2 * T / M;
  const DirectionSet S = sphere_rule(rule_n);
  const auto filter = ramp_filter(M, dtt, 3);
  double worst = 0.0;
  std::vector<std::vector<double>> q(S.directions.rows());
  for (Eigen::Index k = 0; k < S.directions.rows(); ++k) {
    std::vector<double> p(M);
    const Eigen::VectorXd gamma = S.directions.row(k).transpose();
    for (int m = 0; m < M; ++m) p[m] = g.radon(gamma, -T + (m + 0.5) * dtt);
    q[k] = filter->apply(p);
  }
  for (Eigen::Index i = 0; i < pts.rows(); ++i) {
    double s = 0.0;
    for (Eigen::Index k = 0; k < S.directions.rows(); ++k) {
      const double t = S.directions.row(k).dot(pts.row(i));
      const double u = (t + T) / dtt - 0.5;
      const int m = static_cast<int>(std::floor(u));
      const double fr = u - m;
      s += S.weights(k) * ((1 - fr) * q[k][m] + fr * q[k][m + 1]);
    }
    const double f = radon_inversion_constant(3) * s;
    worst = std::max(worst, std::abs(f - g.value(pts.row(i).transpose())));
  }
  return worst;
}

FigureOutput figure_shepp_logan(const Context& ctx, ClaimResult& r) {
  const ImageGrid ig{200, 1.0};
  const SinogramGrid sg = SinogramGrid::for_image(ig, 180);
  const Phantom sl = Phantom::shepp_logan();
  const Array2D img = sample_image(sl, ig, 4);
  const Array2D sino = radon(img, ig, sg, ctx.threads);
  const Array2D rec = fbp(sino, sg, ig, Window::RamLak, ctx.threads);
  const double mae = mean_abs_diff_in_disc(rec, img, ig, 1.0);
  r.measurements.push_back(at_most("Shepp-Logan 200 x 200, 180 angles: FBP mean abs. error in |x| < 1", mae, 0.025,
                                   "< 0.025: scikit-image's own test bar for iradon (see make bench for the "
                                   "side-by-side comparison)"));
  plot::Figure fig;
  fig.name = "R2-shepp-logan-fbp";
  fig.columns = 4;
  fig.width_px = 1600;
  fig.height_px = 420;
  plot::Panel p1, p2, p3, p4;
  p1.title = "phantom (200 x 200)";
  p1.xlabel = "x", p1.ylabel = "y";
  p1.heatmaps.push_back(heat(img, -1, 1, -1, 1, false, ""));
  p2.title = "sinogram R f (180 angles)";
  p2.xlabel = "t", p2.ylabel = "theta (rad)";
  p2.heatmaps.push_back(heat(sino, -sg.T, sg.T, 0, M_PI, false, ""));
  p3.title = "FBP reconstruction (ram-lak)";
  p3.xlabel = "x", p3.ylabel = "y";
  p3.heatmaps.push_back(heat(rec, -1, 1, -1, 1, false, ""));
  p4.title = "error FBP - phantom";
  p4.xlabel = "x", p4.ylabel = "y";
  p4.heatmaps.push_back(heat(rec - img, -1, 1, -1, 1, true, ""));
  fig.panels = {p1, p2, p3, p4};
  fig.caption = "The modified Shepp-Logan phantom sampled as 4 x 4 pixel averages on [-1, 1]^2, its sinogram by "
                "Joseph's method (180 angles, dt = h; t horizontal, theta vertical), the filtered backprojection "
                "f = c_2 R* Lambda R f with the band-limited Ram-Lak filter, and the error map (blue negative, red "
                "positive): the error concentrates on the ellipses' edges (Gibbs ringing and the jump's "
                "resolution); mean absolute error " + num(mae) + " inside the unit disc.";
  FigureOutput out;
  out.id = "R2";
  out.name = "shepp-logan-fbp";
  out.caption = fig.caption;
  out.files = plot::write_figure(fig, ctx.figure_dir);
  r.data_files.push_back(ctx.data_file("shepp-logan-200.npy"));
  write_array(r.data_files.back(), img);
  r.data_files.push_back(ctx.data_file("shepp-logan-200-sinogram.npy"));
  write_array(r.data_files.back(), sino);
  r.data_files.push_back(ctx.data_file("shepp-logan-200-fbp.npy"));
  write_array(r.data_files.back(), rec);
  return out;
}

}  // namespace

Claim claim_r2_fbp_inversion() {
  Claim c;
  c.id = "R2";
  c.name = "fbp-inversion";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.3, s.8";
  c.statement = "Filtered backprojection f = c_d R* Lambda^{d-1} R f, c_d = 1/(2 (2 pi)^{d-1}), recovers f at the "
                "discretisation's order with the right absolute scale: images in d = 2, an analytic Gaussian in "
                "d = 3.";
  c.experiment = "d = 2: FBP of the Gaussian from its exact sinogram and from Joseph's sinogram (2n angles), max "
                 "error in |x| < 0.8 at h, h/2, ...; a uniform disk's mean level; Shepp-Logan 200 x 200 with 180 "
                 "angles. d = 3: an off-centre Gaussian (sigma 0.5) from its analytic Radon transform on a "
                 "Gauss-Legendre x trapezoid sphere rule, band-limited Lambda^2 = -d_t^2, dt halving.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const Phantom& gauss = smooth_gaussian();
    const std::vector<int> ns = ctx.quick() ? std::vector<int>{40, 80, 160} : std::vector<int>{50, 100, 200, 400};
    std::vector<double> hs, e_exact, e_full;
    for (int n : ns) {
      ctx.progress("d = 2, n = " + std::to_string(n));
      const ImageGrid ig{n, 1.0};
      const SinogramGrid sg = SinogramGrid::for_image(ig, 2 * n);
      const Array2D truth = sample_image(gauss, ig);
      hs.push_back(ig.h());
      e_exact.push_back(max_abs_diff_in_disc(fbp(exact_sinogram(gauss, sg), sg, ig, Window::RamLak, ctx.threads), truth, ig, 0.8));
      e_full.push_back(max_abs_diff_in_disc(fbp(radon(truth, ig, sg, ctx.threads), sg, ig, Window::RamLak, ctx.threads), truth, ig, 0.8));
    }
    r.measurements.push_back(order_check("d = 2 FBP of the exact Gaussian sinogram, max error", hs, e_exact, 2.0, 0.3,
                                         ">= 1.7: interpolation in t is O(dt^2); the band-limited filter and the "
                                         "angular rectangle rule are spectrally accurate here"));
    // A priori bound: FBP of exact samples errs by linear interpolation of q = Lambda R f in t, at most
    // dt^2/8 max|q''|, backprojected: c_2 |S^1| dt^2/8 max|q''|. For R f = sqrt(2 pi) s exp(-t^2/(2 s^2)),
    // max|q''| <= (1/2 pi) int |w|^3 |F R f| dw = 4/s^2 (band-limiting and the angular rule: spectrally small).
    const double sig = 0.15, dt_fine = hs.back();
    // The constants are literals (THEORY.md s.3: c_2 = 1/(4 pi)), not the library's radon_inversion_constant.
    const double bound2 = 1.0 / (4 * M_PI) * 2 * M_PI * dt_fine * dt_fine / 8 * 4 / (sig * sig);
    r.measurements.push_back(at_most("d = 2 FBP of the exact Gaussian sinogram, max error at the finest grid",
                                     e_exact.back(), bound2,
                                     "a priori: c_2 |S^1| (dt^2/8) max|(Lambda R f)''| = 11.1 dt^2 (interpolation in "
                                     "t); absolute scale included"));
    r.measurements.push_back(order_check("d = 2 FBP of Joseph's sinogram (full pipeline), max error", hs, e_full, 2.0,
                                         0.3, ">= 1.7: both steps are second order"));
    {  // absolute scale on a uniform disk: the mean of the reconstruction well inside the disk
      const int n = ctx.quick() ? 160 : 400;
      const ImageGrid ig{n, 1.0};
      const SinogramGrid sg = SinogramGrid::for_image(ig, 2 * n);
      const Phantom disk = Phantom::disk(1.0, 0.0, 0.0, 0.6);
      const Array2D rec = fbp(exact_sinogram(disk, sg), sg, ig, Window::RamLak, ctx.threads);
      double s = 0.0;
      int count = 0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          if (ig.x(j) * ig.x(j) + ig.y(i) * ig.y(i) < 0.4 * 0.4) s += rec(i, j), ++count;
      r.measurements.push_back(measure("uniform disk (value 1, r = 0.6): mean FBP value in |x| < 0.4", s / count, 1.0,
                                       true, 1e-2, "<= 1e-2: a wrong factor 2 or pi fails by 50% or more; the jump's "
                                       "ringing decays like h / distance to the edge"));
    }
    r.figures.push_back(figure_shepp_logan(ctx, r));
    // ---- d = 3 ----
    ctx.progress("d = 3 inversion on the sphere rule");
    Rng rng = ctx.rng();
    Eigen::MatrixXd pts(ctx.quick() ? 10 : 40, 3);
    for (Eigen::Index i = 0; i < pts.rows(); ++i) {
      Eigen::Vector3d x = rng.normal_matrix(3, 1).col(0);
      pts.row(i) = (0.9 * std::cbrt(rng.uniform()) / x.norm()) * x.transpose();  // uniform in the ball of radius 0.9
    }
    const std::vector<double> dts = ctx.quick() ? std::vector<double>{0.2, 0.1, 0.05}
                                                 : std::vector<double>{0.2, 0.1, 0.05, 0.025};
    std::vector<double> e3;
    const int rule_n = 20;  // exact to degree 39: the Gaussian's angular profile is resolved to ~1e-12
    for (double dt : dts) e3.push_back(inversion_error_3d(dt, rule_n, pts));
    r.measurements.push_back(order_check("d = 3 inversion c_3 R* Lambda^2 R f of a Gaussian, max error", dts, e3, 2.0,
                                         0.3, ">= 1.7: linear interpolation in t, O(dt^2)"));
    // A priori bound as in d = 2: c_3 |S^2| (dt^2/8) max|d_t^4 R f|, and for R f = 2 pi s^2 exp(-t^2/(2 s^2))
    // max|d_t^4 R f| = 2 pi s^2 * 3 / s^4 = 6 pi / s^2 (at t = 0), s = 0.5.
    // c_3 = 1/(8 pi^2) as a literal (THEORY.md s.3), not the library's radon_inversion_constant.
    const double dt3 = dts.back(), bound3 = 1.0 / (8 * M_PI * M_PI) * 4 * M_PI * dt3 * dt3 / 8 * 6 * M_PI / 0.25;
    r.measurements.push_back(at_most("d = 3 inversion, max error at the finest dt", e3.back(), bound3,
                                     "a priori: c_3 |S^2| (dt^2/8) max|d_t^4 R f| = 1.5 dt^2; absolute scale "
                                     "c_3 = 1/(8 pi^2) included"));
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
