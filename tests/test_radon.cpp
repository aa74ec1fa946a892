// The Radon toolkit (THEORY.md s.3, s.8) against independent references: closed forms, Boost quadrature,
// exact polynomial integrals on the sphere, chord lengths computed directly, analytic derivatives.
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/radon/phantoms.hpp"
#include "rtv/radon/radon2d.hpp"
#include "rtv/radon/radon_nd.hpp"
#include "rtv/core/random.hpp"
#include "rtv/radon/seminorm.hpp"
#include "rtv/core/tolerances.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

TEST(Filters, RamLakKernelIsTheClassicalOne) {
  const double dt = 0.1;
  // Closed form vs recursion: values ~1e2-1e3, a few roundings: 1e-12 and 1e-10 absolute are ~1e3 eps of the scale.
  EXPECT_NEAR(band_limited_kernel(1, 0, dt), M_PI / (2 * dt * dt), 1e-12);
  for (long n : {1L, 3L, 7L, 101L}) EXPECT_NEAR(band_limited_kernel(1, n, dt), -2.0 / (M_PI * n * n * dt * dt), 1e-10);
  for (long n : {2L, 4L, 100L}) EXPECT_NEAR(band_limited_kernel(1, n, dt), 0.0, 1e-10);
}

TEST(Filters, BandLimitedKernelMatchesQuadrature) {
  // h_k(n) = (1/pi) int_0^{pi/dt} w^k cos(w n dt) dw by adaptive Gauss-Kronrod (independent of the recursion).
  const double dt = 0.25, W = M_PI / dt;
  for (int k = 0; k <= 4; ++k)
    for (long n : {0L, 1L, 2L, 5L, 12L}) {
      auto f = [&](double w) { return std::pow(w, k) * std::cos(w * n * dt) / M_PI; };
      const double ref = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, 0.0, W, 10, 1e-13);
      // Quadrature tolerance 1e-13 relative; kernel values scale like W^{k+1}: 1e-10 of that scale.
      EXPECT_NEAR(band_limited_kernel(k, n, dt), ref, 1e-10 * std::pow(W, k + 1)) << "k=" << k << " n=" << n;
    }
}

TEST(Filters, EvenPowersAreDerivativesOfAGaussian) {
  // g = exp(-t^2/2): Lambda^2 g = -g'' = (1 - t^2) g;  d_t^2 Lambda^2 g = -g'''' = -(t^4 - 6 t^2 + 3) g.
  // g is band-limited to ~1e-30 at dt = 0.05 and negligible beyond |t| = 10: the filter is exact to rounding.
  const int M = 400;
  const double T = 10.0, dt = 2 * T / M;
  std::vector<double> g(M), t(M);
  for (int m = 0; m < M; ++m) t[m] = -T + (m + 0.5) * dt, g[m] = std::exp(-t[m] * t[m] / 2);
  const auto lam2 = ramp_filter(M, dt, 3);
  const auto rtv3 = rtv_filter(M, dt, 3);
  const std::vector<double> q2 = lam2->apply(g), q4 = rtv3->apply(g);
  // Rounding tier: the convolution sums terms of size up to dt sum_n |h_k(n)| (h_k(0) ~ (pi/dt)^{k+1}/(k pi)),
  // so the error is ~ 100 eps dt sum |h_k| (about 2e-11 for k = 2 and 2e-7 for k = 4 here).
  auto scale = [&](int k) {
    double s = 0.0;
    for (long n = -M; n <= M; ++n) s += std::abs(band_limited_kernel(k, n, dt));
    return 100 * tol::kEps * dt * s;
  };
  const double tol2 = scale(2), tol4 = scale(4);
  EXPECT_LT(tol4, 1e-6);  // still sharp: a wrong sign or factor would be O(1)
  for (int m = 0; m < M; ++m) {
    EXPECT_NEAR(q2[m], (1 - t[m] * t[m]) * g[m], tol2) << t[m];
    EXPECT_NEAR(q4[m], -(std::pow(t[m], 4) - 6 * t[m] * t[m] + 3) * g[m], tol4) << t[m];
  }
  EXPECT_GE(lam2->padded_length(), 2 * M);
}

TEST(Filters, WindowNames) {
  for (const char* w : {"ram-lak", "shepp-logan", "cosine", "hann", "hamming"}) EXPECT_EQ(window_name(parse_window(w)), w);
  EXPECT_THROW(parse_window("butterworth"), InputError);
  try {  // the option field, not a CLI flag (the CLI maps "filter" to fbp's --filter)
    parse_window("butterworth");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("filter: ", 0), 0u) << e.what();
  }
  // Two roundings of values ~0.08 and ~0.013: 1e-16 and 1e-17 are a few eps of each.
  EXPECT_NEAR(radon_inversion_constant(2), 1 / (4 * M_PI), 1e-16);
  EXPECT_NEAR(radon_inversion_constant(3), 1 / (8 * M_PI * M_PI), 1e-17);
}

TEST(Radon2D, AdjointIsExactForOddEvenAndPowerOfTwoSizes) {
  Rng rng(2);
  for (int n : {1, 2, 7, 16, 33}) {
    for (int A : {1, 4, 9}) {
      const ImageGrid ig{n, 0.7};
      const SinogramGrid sg = SinogramGrid::for_image(ig, A, n % 2 ? 0 : 3 * n);
      Array2D f(n, n), g(A, sg.offsets);
      for (Eigen::Index i = 0; i < f.size(); ++i) f.data()[i] = rng.normal();
      for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = rng.normal();
      const Array2D Rf = radon(f, ig, sg), Rtg = radon_adjoint(g, ig, sg);
      const double lhs = (Rf.array() * g.array()).sum(), rhs = (f.array() * Rtg.array()).sum();
      // Adjoint identity: both sides are sums of ~1e5 products with rounding ~eps |Rf||g|: 1e-13 = 450 eps.
      EXPECT_LE(std::abs(lhs - rhs), 1e-13 * Rf.norm() * g.norm()) << n << " " << A;
    }
  }
}

TEST(Radon2D, ResultsDoNotDependOnTheThreadCount) {
  const ImageGrid ig{45, 1.0};
  const SinogramGrid sg = SinogramGrid::for_image(ig, 30);
  const Array2D img = sample_image(Phantom::shepp_logan(), ig);
  EXPECT_EQ(radon(img, ig, sg, 1), radon(img, ig, sg, 3));
  const Array2D s = radon(img, ig, sg, 1);
  EXPECT_EQ(radon_adjoint(s, ig, sg, 1), radon_adjoint(s, ig, sg, 2));
  EXPECT_EQ(fbp(s, sg, ig, Window::Hann, 1), fbp(s, sg, ig, Window::Hann, 2));
}

TEST(Radon2D, BackprojectionOfOneIsTheCircumference) {
  // R* 1 = int over S^1 of 1 = 2 pi at every pixel (all pixel offsets lie inside [-T, T]).
  const ImageGrid ig{20, 1.0};
  const SinogramGrid sg = SinogramGrid::for_image(ig, 37);
  const Array2D b = backproject(Array2D::Ones(sg.angles, sg.offsets), sg, ig);
  // A angles times weights 2 pi / A summed: rounding ~A eps 2 pi = 8e-15 for A = 37.
  EXPECT_LE((b.array() - 2 * M_PI).abs().maxCoeff(), 1e-13);
}

TEST(Radon2D, GaussianSinogramAndInversion) {
  const Phantom g = Phantom::gaussian(2, 2.0, 0.2, Eigen::Vector2d(-0.1, 0.15));
  const ImageGrid ig{101, 1.0};
  const SinogramGrid sg = SinogramGrid::for_image(ig, 202);
  const Array2D img = sample_image(g, ig), exact = exact_sinogram(g, sg);
  // Joseph's O(h^2) error with the constant measured in R1 (~1e-3 relative at h = 0.02).
  EXPECT_LE((radon(img, ig, sg) - exact).norm() / exact.norm(), 2e-3);
  // FBP of exact samples: a priori bound c_2 |S^1| (dt^2/8) max|(Lambda R f)''| = 2 * (2pi/(4pi)) dt^2/8 * 4/s^2.
  const double bound = 2.0 * 0.5 * sg.dt() * sg.dt() / 8 * 4 / (0.2 * 0.2);
  const Array2D rec = fbp(exact, sg, ig);
  double worst = 0.0;
  for (int i = 0; i < ig.n; ++i)
    for (int j = 0; j < ig.n; ++j)
      if (ig.x(j) * ig.x(j) + ig.y(i) * ig.y(i) < 0.64) worst = std::max(worst, std::abs(rec(i, j) - img(i, j)));
  EXPECT_LE(worst, bound);
}

// Chord length of the line {gamma . x = t} through an ellipse, computed by solving the quadratic directly.
double chord(const Ellipsoid& e, const Eigen::Vector2d& gamma, double t) {
  const Eigen::Vector2d p = t * gamma, dir(-gamma(1), gamma(0));
  const Eigen::Vector2d P = (e.rotation.transpose() * (p - e.centre)).cwiseQuotient(e.semi_axes);
  const Eigen::Vector2d D = (e.rotation.transpose() * dir).cwiseQuotient(e.semi_axes);
  const double a = D.squaredNorm(), b = 2 * P.dot(D), c = P.squaredNorm() - 1, disc = b * b - 4 * a * c;
  return disc <= 0 ? 0.0 : std::sqrt(disc) / a;
}

TEST(Phantoms, EllipseLineIntegralsAreChordLengths) {
  Rng rng(6);
  for (const Ellipsoid& e : Phantom::shepp_logan().ellipsoids)
    for (int k = 0; k < 50; ++k) {
      const double th = rng.uniform(0, M_PI), t = rng.uniform(-1, 1);
      const Eigen::Vector2d gamma(std::cos(th), std::sin(th));
      // Two closed forms of one chord length (values <= 2): rounding, 1e-12 ~ 2000 eps covers the square roots near tangency.
      EXPECT_NEAR(e.radon(gamma, t), e.amplitude * chord(e, gamma, t), 1e-12);
    }
}

TEST(RadonND, GaussianAndBallByQuadrature) {
  Rng rng(7);
  for (int d : {2, 3}) {
    const Eigen::VectorXd c = 0.3 * rng.normal_vector(d);
    const GaussianBump g{1.5, 0.5, c};
    for (int k = 0; k < 5; ++k) {
      Eigen::VectorXd gamma = rng.normal_vector(d);
      gamma.normalize();
      const double t = rng.uniform(-1, 1);
      const double q = radon_ball_quadrature([&](const Eigen::VectorXd& x) { return g.value(x); }, gamma, t, 8.0);
      // Quadrature requested to 1e-10 relative on values ~1: 1e-9 absolute.
      EXPECT_NEAR(g.radon(gamma, t), q, 1e-9) << "d=" << d;
    }
    // The ball's section: V_{d-1}(sqrt(r^2 - tau^2)).
    const Ellipsoid ball = Ellipsoid::ball(1.0, c, 0.7);
    Eigen::VectorXd gamma = Eigen::VectorXd::Unit(d, 0);
    const double tau = 0.3;
    // Closed form vs the section's volume formula: a few roundings on values ~1.
    EXPECT_NEAR(ball.radon(gamma, tau + c(0)), unit_ball_volume(d - 1) * std::pow(0.49 - 0.09, 0.5 * (d - 1)), 1e-14);
  }
}

TEST(RadonND, NeuronOnABallMatchesQuadrature) {
  Rng rng(8);
  for (int d : {2, 3}) {
    for (int k = 0; k < (d == 2 ? 40 : 8); ++k) {
      const Eigen::VectorXd w = rng.normal_vector(d);
      const double b = rng.normal();
      Eigen::VectorXd gamma = rng.normal_vector(d);
      gamma.normalize();
      if (k % 10 == 0) gamma = w.normalized();  // the neuron's own direction: beta = 0
      const double R = rng.uniform(0.5, 2.0), t = rng.uniform(-R, R);
      const double closed = neuron_radon_ball(w, b, gamma, t, R);
      const double quad = radon_ball_quadrature(
          [&](const Eigen::VectorXd& x) { return std::max(0.0, w.dot(x) - b); }, gamma, t, R, 1e-9);
      // The integrand has a kink: quadrature converges only algebraically there (trapezoid O(n^-2) in d = 3).
      EXPECT_NEAR(closed, quad, (d == 2 ? 1e-8 : 1e-5) * (1 + std::abs(quad))) << "d=" << d << " k=" << k;
    }
  }
  EXPECT_EQ(neuron_radon_ball(Eigen::Vector3d(1, 0, 0), 0.0, Eigen::Vector3d(0, 1, 0), 1.5, 1.0), 0.0);
}

TEST(RadonND, NeuronOnABallInHighDimensionByMonteCarlo) {
  // d = 5: average of sigma(w . x - b) over uniform points of the 4-ball section, times its volume.
  Rng rng(9);
  const int d = 5;
  const Eigen::VectorXd w = rng.normal_vector(d);
  const double b = 0.2, R = 1.3, t = 0.4;
  Eigen::VectorXd gamma = rng.normal_vector(d);
  gamma.normalize();
  // An orthonormal basis of gamma^perp.
  Eigen::MatrixXd B = orthonormal_basis((Eigen::MatrixXd(d, d) << gamma, rng.normal_matrix(d, d - 1)).finished());
  const double rho = std::sqrt(R * R - t * t);
  const int n = 400000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    Eigen::VectorXd y = rng.normal_vector(d - 1);
    y *= rho * std::pow(rng.uniform(), 1.0 / (d - 1)) / y.norm();
    const Eigen::VectorXd x = t * gamma + B.rightCols(d - 1) * y;
    const double v = std::max(0.0, w.dot(x) - b);
    s += v, s2 += v * v;
  }
  const double vol = unit_ball_volume(d - 1) * std::pow(rho, d - 1), mean = s / n;
  const double sd = std::sqrt(s2 / n - mean * mean) * vol / std::sqrt(n);
  EXPECT_NEAR(neuron_radon_ball(w, b, gamma, t, R), mean * vol, 5 * sd);  // Monte Carlo tier: 5 sigma
}

TEST(RadonND, SphereRulesIntegratePolynomialsExactly) {
  // int_{S^2} x^{2a} y^{2b} z^{2c} = 2 G(a+1/2) G(b+1/2) G(c+1/2) / G(a+b+c+3/2); odd powers integrate to 0.
  const int n = 6;
  const DirectionSet S = sphere_rule(n);
  // 72 directions (n = 6): 71 additions of partial sums <= 4 pi, half an ulp each (<= 1e-13), plus the weights' own
  // accuracy (a few eps each); the same bound serves the monomial integrals, which are smaller.
  EXPECT_NEAR(S.weights.sum(), 4 * M_PI, 1e-13);
  for (int a = 0; a <= 3; ++a)
    for (int b = 0; b <= 3; ++b)
      for (int c = 0; 2 * (a + b + c) <= 2 * n - 1 && c <= 3; ++c) {
        double q = 0.0;
        for (Eigen::Index k = 0; k < S.directions.rows(); ++k)
          q += S.weights(k) * std::pow(S.directions(k, 0), 2 * a) * std::pow(S.directions(k, 1), 2 * b) *
               std::pow(S.directions(k, 2), 2 * c);
        const double exact = 2 * std::tgamma(a + 0.5) * std::tgamma(b + 0.5) * std::tgamma(c + 0.5) /
                             std::tgamma(a + b + c + 1.5);
        EXPECT_NEAR(q, exact, 1e-13) << a << b << c;
      }
  const DirectionSet C = circle_rule(9);
  // 9 equal weights summed: 8 additions, each rounding by at most half an ulp of a partial sum <= 2 pi: <= 5.6e-15.
  EXPECT_NEAR(C.weights.sum(), 2 * M_PI, 1e-14);
  EXPECT_NEAR(unit_sphere_area(3), 4 * M_PI, 1e-14);
}

TEST(Arrays, RoundTripAndBadFiles) {
  test::ScratchDir dir;
  Array2D a(2, 3);
  a << 1, 2.5, -3, 1e-300, 0, 7;
  write_array(dir / "a.npy", a);
  write_array(dir / "a.csv", a);
  EXPECT_EQ(read_array(dir / "a.npy"), a);
  EXPECT_EQ(read_array(dir / "a.csv"), a);
  write_file_atomic(dir / "h.csv", "x,y\n1,2\n3,4\n");
  EXPECT_EQ(read_array(dir / "h.csv").rows(), 2);
  auto bad = [&](const std::string& name, const std::string& text, const std::string& fragment) {
    write_file_atomic(dir / name, text);
    try {
      read_array(dir / name);
      ADD_FAILURE() << name;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  bad("ragged.csv", "1,2\n3\n", "ragged");
  bad("nan.csv", "1,nan\n3,4\n", "NaN");
  bad("word.csv", "1,2\n3,x\n", "not a number");
  bad("empty.csv", "", "no data rows");
  bad("three.npy", npy_bytes({1, 1, 1}, {1.0}), "2-D");
  bad("a.txt", "1", "unknown array file type");
}

}  // namespace
}  // namespace rtv

namespace rtv {
namespace {

TEST(Seminorm, RidgeProfileInOneDimensionIsTheTotalVariationOfTheDerivative) {
  // d = 1: RTV = int |f''| (THEORY.md s.3). f = exp(-t^2/2) + 0.5 exp(-(t - 3)^2 / 0.5): compare with
  // adaptive quadrature of |f''| between its sign changes (independent of the filter).
  auto f2 = [](double t) {
    const double a = (t * t - 1) * std::exp(-t * t / 2);
    const double u = t - 3, b = 0.5 * (16 * u * u - 4) * std::exp(-2 * u * u);
    return a + b;
  };
  double ref = 0.0;
  const int pieces = 4000;
  for (int i = 0; i < pieces; ++i) {  // fine enough that each piece holds at most one sign change
    const double a = -12 + 24.0 * i / pieces, b = a + 24.0 / pieces;
    ref += boost::math::quadrature::gauss_kronrod<double, 15>::integrate([&](double t) { return std::abs(f2(t)); }, a, b);
  }
  const double T = 12, dt = 0.01;
  const int M = static_cast<int>(2 * T / dt);
  std::vector<double> p(M);
  for (int m = 0; m < M; ++m) {
    const double t = -T + (m + 0.5) * dt, u = t - 3;
    p[m] = std::exp(-t * t / 2) + 0.5 * std::exp(-2 * u * u);
  }
  // Both directions +-1 see f(+-t); |f''| integrates the same: weight 2, c_1 = 1/2.
  const RtvEstimate e = rtv_from_profiles(1, {p}, Eigen::VectorXd::Constant(1, 2.0), T, 4);
  EXPECT_NEAR(e.value, ref, 2e-4 * ref);  // O(dt^2) with the constant measured in R3 (~0.2 dt^2)
  EXPECT_EQ(e.tail, 0.0);                 // odd d: the filter is local, nothing beyond the padding
}

}  // namespace
}  // namespace rtv
