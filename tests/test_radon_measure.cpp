// The Radon-domain measure of windowed networks (windowed_radon.hpp, radon_measure.hpp), against independent
// references: direct quadrature of the windowed function over hyperplanes, finite differences, the FFT filter
// on a fine grid, and the exact R-TV of THEORY.md s.3 (coefficients of merged hyperplanes).
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <functional>
#include <string>

#include "rtv/core/error.hpp"
#include "rtv/nets/random_network.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "rtv/radon/radon_nd.hpp"
#include "rtv/core/random.hpp"

namespace rtv {
namespace {

using boost::math::quadrature::gauss_kronrod;

RidgeSum random_ridge_sum(Rng& rng, int d, int K, double smooth) {
  RidgeSum f = RidgeSum::from_network(random_network(rng, d, K));
  for (int k = 0; k < K; ++k) f.smoothing(k) = smooth * rng.uniform();
  return f;
}

TEST(SmoothedRelu, IsTheGaussianAverageOfTheRelu) {
  for (double s : {0.3, 1.0, 2.5})
    for (double z : {-2.0, -0.1, 0.0, 0.7, 3.0}) {
      // E sigma(z + s U), U ~ N(0, 1), by quadrature over u in [-12, 12] (the Gaussian is below 1e-31 beyond).
      auto integrand = [&](double u) { return std::max(0.0, z + s * u) * std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI); };
      const double ref = gauss_kronrod<double, 31>::integrate(integrand, -12.0, -z / s, 12, 1e-13) +
                         gauss_kronrod<double, 31>::integrate(integrand, -z / s, 12.0, 12, 1e-13);
      EXPECT_NEAR(smoothed_relu(z, s), ref, 1e-12 * (1 + std::abs(ref))) << s << " " << z;
      // Derivatives by central differences: truncation ~h^2 f''' / 6 with h = 1e-4 s.
      for (int k = 1; k <= 4; ++k) {
        const double h = 1e-4 * s;
        const double fd = (smoothed_relu(z + h, s, k - 1) - smoothed_relu(z - h, s, k - 1)) / (2 * h);
        EXPECT_NEAR(smoothed_relu(z, s, k), fd, 1e-6 * std::pow(1 / s, k)) << s << " " << z << " " << k;
      }
    }
  EXPECT_EQ(smoothed_relu(1.5, 0.0), 1.5);
  EXPECT_EQ(smoothed_relu(-1.5, 0.0), 0.0);
  EXPECT_EQ(smoothed_relu(-1.5, 0.0, 1), 0.0);
}

TEST(WindowedRadon, MatchesQuadratureOfTheWindowedFunctionOverHyperplanes) {
  Rng rng(11);
  for (int d : {2, 3}) {
    const RidgeSum f = random_ridge_sum(rng, d, 4, 0.5);
    const double R = 1.5;
    const WindowedRadon wr(f, R);
    auto windowed = [&](const Eigen::VectorXd& x) { return f(x) * std::exp(-x.squaredNorm() / (2 * R * R)); };
    for (int trial = 0; trial < 3; ++trial) {
      const Eigen::VectorXd g = rng.normal_vector(d).normalized();
      const double t = 2 * rng.uniform() - 1;
      // The hyperplane restricted to the ball of radius 12 R carries all but exp(-72) of the window.
      const double ref = radon_ball_quadrature(windowed, g, t, 12 * R, 1e-11);
      EXPECT_NEAR(wr(g, t), ref, 1e-7 * (1 + std::abs(ref))) << "d = " << d;
      for (int k = 1; k <= 4; ++k) {  // t-derivatives by central differences of the closed form
        const double h = 1e-4;
        const double fd = (wr(g, t + h, k - 1) - wr(g, t - h, k - 1)) / (2 * h);
        EXPECT_NEAR(wr(g, t, k), fd, 1e-5 * (1 + std::abs(fd))) << "d = " << d << " k = " << k;
      }
    }
  }
}

TEST(RadonMeasure, HilbertQuadratureAgreesWithTheFftFilterOnASmoothProfile) {
  // d = 2, smooth ridges (s0 >= 0.5): q = c_2 d_t^2 Lambda R on a fine grid by the FFT filter, integrated over
  // [t0, t1], against P(t1) - P(t0) from the Hilbert quadrature.
  Rng rng(5);
  RidgeSum f = random_ridge_sum(rng, 2, 3, 0.0);
  f.smoothing.setConstant(0.5);
  const WindowedRadon wr(f, 2.0);
  const Eigen::VectorXd g = rng.normal_vector(2).normalized();
  const double dt = 0.005;
  const int half = static_cast<int>(std::ceil(wr.support() / dt));
  std::vector<double> row(2 * half + 1);
  for (int m = 0; m < 2 * half + 1; ++m) row[m] = wr(g, (m - half) * dt);
  const std::vector<double> q = rtv_filter(2 * half + 1, dt, 2, Window::RamLak)->apply(row);
  const double c2 = radon_inversion_constant(2);
  const int m0 = half - 40, m1 = half + 60;  // t0 = -0.2, t1 = 0.3
  double fft = 0.5 * (q[m0] + q[m1]);
  for (int m = m0 + 1; m < m1; ++m) fft += q[m];
  fft *= c2 * dt;
  const double quad = measure_antiderivative(wr, g, 0.3, 1e-8) - measure_antiderivative(wr, g, -0.2, 1e-8);
  // Trapezoid + band-limited filter on a profile smooth at scale 0.5: O(dt^2) ~ 1e-5 relative.
  EXPECT_NEAR(quad, fft, 1e-4 * (std::abs(fft) + 1e-3));
}

TEST(RadonMeasure, ANeuronIsADiracPairOfMassHalfItsWeightNorm) {
  for (int d : {2, 3}) {
    Eigen::VectorXd g = Eigen::VectorXd::Zero(d);
    g(0) = 0.6;
    g(1) = 0.8;
    const double wn = 1.7, t = 0.4;
    RidgeSum f;
    f.W = (wn * g).transpose();
    f.b = Eigen::VectorXd::Constant(1, wn * t);
    f.v = Eigen::VectorXd::Ones(1);
    f.smoothing = Eigen::VectorXd::Zero(1);
    f.c = Eigen::VectorXd::Zero(d);
    // A box of half-width B = 0.02 about the spike, cap 0.2 rad, centre 0.003 rad off the neuron's direction.
    Eigen::VectorXd centre = g;
    centre(0) += 0.003;
    centre.normalize();
    double m[2];
    for (int i = 0; i < 2; ++i) {
      const double R = i == 0 ? 32.0 : 64.0;
      m[i] = measure_box(WindowedRadon(f, R), centre, 0.2, 0.01, t - 0.02, t + 0.02, 1e-4) / (wn / 2);
      // The window leaks a fraction ~ B / (R A) = 0.003 (R = 32) of the spike out of the cap (radon_measure.hpp).
      EXPECT_NEAR(m[i], 1.0, 0.02 / (R * 0.2)) << "d = " << d << " R = " << R;
      EXPECT_LT(m[i], 1.0);  // the leak only removes mass
    }
    // First order in 1/R: the extrapolation removes it (measured ~4e-5).
    EXPECT_NEAR(2 * m[1] - m[0], 1.0, 5e-4) << "d = " << d;
  }
}

TEST(RadonMeasure, RtvOnABallCountsMergedHyperplanesMeetingIt) {
  // d = 3 (the cheaper transform): shared, antipodal and cancelling neurons, one outside the ball.
  ShallowNet net = ShallowNet::zeros(3, 6, true);
  net.W << 1.2, 0.3, -0.4,   //
      2.4, 0.6, -0.8,        // same hyperplane as neuron 0, same orientation: a adds
      -0.2, 1.1, 0.5,        //
      0.1, -0.55, -0.25,     // neuron 2's hyperplane, antipodal orientation: a adds
      0.5, 0.5, 1.0,         //
      -0.5, -0.5, -1.0;      // with neuron 4: sigma(z) - sigma(-z) = z, affine
  net.b << 0.3, 0.6, -0.5, 0.25, 0.2, -0.2;
  net.v << 1.0, -0.3, 0.8, 1.5, 0.7, -0.7;
  net.c << 0.5, -1.0, 0.2;
  net.c0 = 0.3;
  ShallowNet outside = ShallowNet::zeros(3, 1, true);
  outside.W << 0.0, 0.0, 2.0;
  outside.b << 3.0;  // t = 1.5 > r
  outside.v << 2.0;
  ShallowNet all = net;
  all.W.conservativeResize(7, 3);
  all.W.row(6) = outside.W.row(0);
  all.b.conservativeResize(7);
  all.b(6) = 3.0;
  all.v.conservativeResize(7);
  all.v(6) = 2.0;
  const double exact = rtv_exact_ball(all, 1.0);
  ASSERT_LT(exact, path_norm(all) - 1.0);  // the edge cases make RTV much smaller than the path norm
  const RadonRtv res = radon_rtv_ball(RidgeSum::from_network(all), 1.0);
  EXPECT_NEAR(res.value, exact, 1e-3 * exact);  // issue 14 (CLAIMS.md R5: 1e-2); measured 4e-5 (Richardson)
  int strong = 0;
  for (const auto& s : res.spikes) strong += std::abs(s.a) > 1e-2 * exact;
  EXPECT_EQ(strong, 2);  // two hyperplanes with nonzero merged coefficient meet B_1
}

// A neuron a sigma(gamma . x - t) with |w| = wn (so v = a / wn).
void set_neuron(ShallowNet& net, int k, const Eigen::VectorXd& gamma, double t, double a, double wn) {
  net.W.row(k) = wn * gamma.transpose();
  net.b(k) = wn * t;
  net.v(k) = a / wn;
}

// gamma rotated by `angle` towards the unit vector e (orthogonal to gamma).
Eigen::VectorXd rotated(const Eigen::VectorXd& gamma, const Eigen::VectorXd& e, double angle) {
  return std::cos(angle) * gamma + std::sin(angle) * e;
}

TEST(RadonMeasure, SameSignNearDuplicatesShareABoxAndAdd) {
  // Issue 14's trained 2 -> 20 -> 1 net: two same-sign neurons 0.44 degrees and 0.0045 apart, B_1.5 (below the
  // heat map's cell of pi/256 rad and r/64 = 0.023); the old boxes gave +0.89%. Here with two other neurons.
  ShallowNet net = ShallowNet::zeros(2, 4, true);
  Eigen::VectorXd g(2), e(2), h(2), k(2);
  g << std::cos(1.2), std::sin(1.2);
  e << -g(1), g(0);
  h << std::cos(-0.4), std::sin(-0.4);
  k << std::cos(2.5), std::sin(2.5);
  set_neuron(net, 0, g, 0.30, 1.17, 1.4);
  set_neuron(net, 1, rotated(g, e, 0.44 * M_PI / 180), 0.3045, 0.88, 0.7);
  set_neuron(net, 2, h, -0.6, -0.9, 1.1);
  set_neuron(net, 3, k, 0.9, 0.5, 0.8);
  net.c << 0.4, -0.3;
  const double r = 1.5, exact = rtv_exact_ball(net, r);
  const RadonRtv res = radon_rtv_ball(RidgeSum::from_network(net), r);
  // The Richardson residual is ~4e-5 relative (radon_measure.hpp); 1e-3 is issue 14's requirement.
  EXPECT_NEAR(res.value, exact, 1e-3 * exact);
  EXPECT_TRUE(res.unresolved.empty());
  EXPECT_EQ(res.kinks, 4);  // both kinks of the pair found (deflation), not one
  int pair_boxes = 0;
  for (const auto& s : res.spikes) pair_boxes += s.kinks == 2;
  EXPECT_EQ(pair_boxes, 1);
}

TEST(RadonMeasure, OppositeSignPairsAreResolvedOrReportedNeverSilentlyCancelled) {
  // d = 3, an opposite-sign pair a = 1.5, -0.72 f heat-map cells apart (pi/40 rad and r/64 per cell) in angle and
  // offset, and a third neuron. f = 3: beyond the box margins (radon_measure.hpp): resolved, value right.
  // f = 0.1: within them: one box holds both, |a1 + a2| = 0.78 instead of 2.22, so the pair must be reported, at
  // the true hyperplanes (the localisation's last search range: 3e-8) with kink estimates that say what is missing.
  for (double f : {3.0, 0.1}) {
    ShallowNet net = ShallowNet::zeros(3, 3, true);
    Eigen::VectorXd g1(3), e(3), g3(3);
    g1 << 0.6, 0.0, 0.8;
    e << -0.8, 0.0, 0.6;
    g3 << 0.0, 1.0, 0.0;
    const Eigen::VectorXd g2 = rotated(g1, e, f * M_PI / 40);
    const double t1 = 0.2, t2 = 0.2 + f / 64;
    set_neuron(net, 0, g1, t1, 1.5, 1.5);
    set_neuron(net, 1, g2, t2, -0.72, 0.8);
    set_neuron(net, 2, g3, -0.25, 0.84, 1.2);
    net.c << 0.3, -0.2, 0.1;
    const double exact = rtv_exact_ball(net, 1.0);
    ASSERT_NEAR(exact, 1.5 + 0.72 + 0.84, 1e-12);
    const RadonRtv res = radon_rtv_ball(RidgeSum::from_network(net), 1.0);
    if (f > 1) {
      EXPECT_TRUE(res.unresolved.empty()) << f;
      EXPECT_NEAR(res.value, exact, 1e-3 * exact) << f;
      continue;
    }
    ASSERT_EQ(res.unresolved.size(), 1u);
    const UnresolvedPair& u = res.unresolved[0];
    const auto [a1, o1] = hyperplane_distance(u.gamma1, u.t1, g1, t1);
    const auto [a2, o2] = hyperplane_distance(u.gamma2, u.t2, g2, t2);
    EXPECT_LT(std::max({a1, o1, a2, o2}), 3e-8);
    // Kink estimates: the partner's bump adds ~ 2 eps a' / (R delta) ~ 1e-4 relative to the jump (radon_measure.cpp).
    EXPECT_NEAR(u.a1, 1.5, 1e-3);
    EXPECT_NEAR(u.a2, -0.72, 1e-3);
    EXPECT_NEAR(res.value, 0.78 + 0.84, 1e-3 * exact);
    EXPECT_NEAR(res.value + 2 * std::min(std::abs(u.a1), std::abs(u.a2)), exact, 1e-3 * exact);
  }
}

TEST(RadonMeasure, AffineFunctionsHaveNoSpikes) {
  // Null space (THEORY.md s.3): no kink, so no box and R-TV 0; also sigma(z) - sigma(-z) = z.
  ShallowNet net = ShallowNet::zeros(2, 2, true);
  net.W << 0.7, -0.2, -0.7, 0.2;
  net.b << 0.1, -0.1;
  net.v << 0.9, -0.9;
  net.c << 1.0, 2.0;
  net.c0 = -0.5;
  const RadonRtv res = radon_rtv_ball(RidgeSum::from_network(net), 1.0);
  EXPECT_LT(res.value, 1e-6);
  EXPECT_EQ(res.kinks, 0);
}

// Bad input is an InputError whose message names the argument or option field ("<field>: <problem>"), which the
// CLI maps to its flags. Guards against a std::invalid_argument (the CLI does not catch it: it would abort) and
// against a message that names the wrong field (the CLI would then print it under the wrong flag, or none).
TEST(RadonMeasure, RejectsBadInput) {
  const auto expect_input_error = [](const std::function<void()>& call, const std::string& field) {
    try {
      call();
      ADD_FAILURE() << "accepted, expected an InputError naming " << field;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(field + ": ", 0), 0u) << e.what();
    }
  };
  RidgeSum f = RidgeSum::from_network(ShallowNet::zeros(2, 1, true));
  expect_input_error([&] { WindowedRadon(f, 0.0); }, "window");
  expect_input_error([&] { WindowedRadon(RidgeSum::from_network(ShallowNet::zeros(1, 1, true)), 1.0); }, "f");
  expect_input_error([&] { radon_rtv_ball(f, 0.0); }, "radius");
  expect_input_error([&] { radon_rtv_ball(f, std::nan("")); }, "radius");
  expect_input_error([&] { radon_rtv_ball(RidgeSum::from_network(ShallowNet::zeros(4, 1, true)), 1.0); }, "f");
  RadonRtvOptions o;
  for (const int angles : {-1, 63}) {  // d = 2 needs 0 (the default) or >= 64
    o.angles = angles;
    expect_input_error([&] { radon_rtv_ball(f, 1.0, o); }, "angles");
  }
  o.angles = 15;  // d = 3 needs >= 16
  expect_input_error([&] { radon_rtv_ball(RidgeSum::from_network(ShallowNet::zeros(3, 1, true)), 1.0, o); }, "angles");
  expect_input_error([] { radon_ball_quadrature([](const Eigen::VectorXd&) { return 1.0; }, Eigen::Vector4d(1, 0, 0, 0), 0.0, 1.0); },
                     "gamma");
  Rng rng(3);
  RidgeSum smooth = RidgeSum::from_network(random_network(rng, 2, 2));
  smooth.smoothing(1) = 0.2;  // a smooth ridge has no spike: the box method does not apply
  expect_input_error([&] { radon_rtv_ball(smooth, 1.0); }, "f");
}

}  // namespace
}  // namespace rtv
