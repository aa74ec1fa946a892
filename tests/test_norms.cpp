// Weight decay, path norm, balancing and exact R-TV (THEORY.md s.2, s.3), with the edge cases of STYLE.md
// item 7. Independent references: hand-computed values, and TV(f') measured from samples by second
// differences (which never looks at the parameters).
#include <gtest/gtest.h>

#include <cmath>

#include "rtv/norms.hpp"
#include "rtv/random.hpp"
#include "rtv/tolerances.hpp"

namespace rtv {
namespace {

ShallowNet one_neuron(Eigen::VectorXd w, double b, double v, bool skip = true) {
  ShallowNet net = ShallowNet::zeros(static_cast<int>(w.size()), 1, skip);
  net.W.row(0) = w.transpose();
  net.b(0) = b;
  net.v(0) = v;
  return net;
}

ShallowNet stack(const std::vector<ShallowNet>& parts) {
  const int d = parts[0].dim();
  int K = 0;
  for (const auto& p : parts) K += p.width();
  ShallowNet net = ShallowNet::zeros(d, K);
  int k = 0;
  for (const auto& p : parts)
    for (int j = 0; j < p.width(); ++j, ++k) {
      net.W.row(k) = p.W.row(j);
      net.b(k) = p.b(j);
      net.v(k) = p.v(j);
    }
  return net;
}

Eigen::VectorXd vec(std::initializer_list<double> xs) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(xs.size()));
  int i = 0;
  for (double x : xs) v(i++) = x;
  return v;
}

// TV(f') on [lo, hi] from samples: sum of |second differences| / h. Exact (up to rounding) for a linear
// spline whose knots lie inside (lo + h, hi - h).
double tv_from_samples(const ShallowNet& net, double lo, double hi, int n) {
  const double h = (hi - lo) / (n - 1);
  Eigen::MatrixXd X(n, 1);
  for (int i = 0; i < n; ++i) X(i, 0) = lo + i * h;
  const Eigen::VectorXd f = evaluate(net, X);
  double tv = 0.0;
  for (int i = 1; i + 1 < n; ++i) tv += std::abs(f(i + 1) - 2 * f(i) + f(i - 1)) / h;
  return tv;
}

TEST(Norms, HandComputedNeuron) {
  const ShallowNet net = one_neuron(vec({3.0, 4.0}), 1.0, -3.0);  // |w| = 5
  EXPECT_DOUBLE_EQ(path_norm(net), 15.0);
  EXPECT_DOUBLE_EQ(weight_decay(net), 0.5 * (9.0 + 25.0));
  EXPECT_DOUBLE_EQ(rtv_exact(net), 15.0);
  const auto nn = normalise(net);
  ASSERT_EQ(nn.size(), 1u);
  EXPECT_DOUBLE_EQ(nn[0].gamma(0), 0.6);
  EXPECT_DOUBLE_EQ(nn[0].gamma(1), 0.8);
  EXPECT_DOUBLE_EQ(nn[0].t, 0.2);
  EXPECT_DOUBLE_EQ(nn[0].a, -15.0);
}

TEST(Norms, BalanceReachesPathNormAndKeepsTheFunction) {
  Rng rng(5);
  for (int d : {1, 2, 5}) {
    const ShallowNet net = random_network_with_edge_cases(rng, d, 50);
    const ShallowNet b = balance(net);
    EXPECT_NEAR(weight_decay(b), path_norm(net), tol::kClosedForm * path_norm(net));
    EXPECT_LE(max_imbalance(b), tol::kClosedForm);
    const Eigen::MatrixXd X = rng.normal_matrix(200, d);
    const Eigen::VectorXd S = evaluation_scale(net, X);
    EXPECT_LE(((evaluate(b, X) - evaluate(net, X)).array().abs() / S.array()).maxCoeff(), tol::kIdentity);
    EXPECT_LE(weight_decay(b), weight_decay(net));
  }
}

TEST(Norms, BalanceDegenerateNeurons) {
  // v = 0: the zero function; w = 0: the constant v relu(-b), moved into c0.
  ShallowNet net = stack({one_neuron(vec({2.0}), 1.0, 0.0), one_neuron(vec({0.0}), -2.0, 3.0)});
  const ShallowNet b = balance(net);
  EXPECT_EQ(b.W.norm(), 0.0);
  EXPECT_EQ(b.v.norm(), 0.0);
  EXPECT_DOUBLE_EQ(b.c0, 6.0);
  EXPECT_EQ(weight_decay(b), 0.0);
  Eigen::MatrixXd X(3, 1);
  X << -1, 0, 4;
  EXPECT_EQ((evaluate(b, X) - evaluate(net, X)).norm(), 0.0);
}

TEST(Norms, ZeroNetworkAndConstantNeurons) {
  EXPECT_EQ(rtv_exact(ShallowNet::zeros(3, 4)), 0.0);
  EXPECT_EQ(path_norm(ShallowNet::zeros(3, 4)), 0.0);
  EXPECT_EQ(count_active_hyperplanes(distinct_hyperplanes(ShallowNet::zeros(3, 4))), 0);
  const ShallowNet c = one_neuron(vec({0.0, 0.0}), -1.0, 2.0);  // w = 0: constant 2
  EXPECT_EQ(rtv_exact(c), 0.0);
  EXPECT_EQ(path_norm(c), 0.0);
  EXPECT_TRUE(normalise(c).empty());
}

TEST(Norms, AntipodalPairCancelsToAnAffineFunction) {
  // sigma(z) - sigma(-z) = z: RTV 0, path norm 2 (THEORY.md s.3).
  const Eigen::VectorXd g = vec({0.6, -0.8});
  const ShallowNet net = stack({one_neuron(g, 0.3, 1.0), one_neuron(-g, -0.3, -1.0)});
  EXPECT_DOUBLE_EQ(path_norm(net), 2.0);
  EXPECT_EQ(rtv_exact(net), 0.0);
  EXPECT_EQ(count_active_hyperplanes(distinct_hyperplanes(net)), 0);
  Rng rng(3);
  const Eigen::MatrixXd X = rng.normal_matrix(50, 2);
  const Eigen::VectorXd affine = (X * g).array() - 0.3;
  // Rounding tier: |f| <= ~4 here and each evaluation rounds a few times: 8e-15 ~ 36 eps of the scale.
  EXPECT_LE((evaluate(net, X) - affine).cwiseAbs().maxCoeff(), 1e-15 * 8);
}

TEST(Norms, SharedHyperplaneCoefficientsAdd) {
  // Same hyperplane three times: w, 2.5 w (same orientation), -0.5 w (antipodal); a_k = v_k |w_k| add.
  const Eigen::VectorXd w = vec({1.0, 2.0, -2.0});  // |w| = 3
  const double b = 0.9;
  const ShallowNet net = stack({one_neuron(w, b, 1.0), one_neuron(2.5 * w, 2.5 * b, 2.0),
                                one_neuron(-0.5 * w, -0.5 * b, -4.0), one_neuron(vec({0.0, 1.0, 0.0}), 0.0, 1.0)});
  // a = 3, 15, -6 on the shared plane -> 12; the other plane: 1.
  // Rounding tier: sums of a few products of exact-ish values: 1e-14 relative = 45 eps.
  EXPECT_NEAR(rtv_exact(net), 13.0, 1e-14 * 13);
  EXPECT_NEAR(path_norm(net), 3 + 15 + 6 + 1, 1e-14 * 25);
  const auto planes = distinct_hyperplanes(net);
  ASSERT_EQ(planes.size(), 2u);
  EXPECT_EQ(planes[0].neurons, (std::vector<int>{0, 1, 2}));
  EXPECT_NEAR(planes[0].a, 12.0, 1e-14 * 12);
  EXPECT_GT(planes[0].gamma.cwiseAbs().maxCoeff(), 0.0);
}

TEST(Norms, MergeToleranceIsRespected) {
  const Eigen::VectorXd w = vec({1.0, 0.0});
  const ShallowNet close = stack({one_neuron(w, 0.5, 1.0), one_neuron(w, 0.5 + 1e-6, 1.0)});
  EXPECT_EQ(distinct_hyperplanes(close).size(), 2u);  // 1e-6 apart: distinct at the default 1e-9
  HyperplaneMergeOptions coarse;
  coarse.tol = 1e-5;
  EXPECT_EQ(distinct_hyperplanes(close, coarse).size(), 1u);
  EXPECT_EQ(rtv_exact(close), 2.0);
}

TEST(Norms, TinyAndHugeWeightsDoNotUnderflow) {
  // |w| = 5e-200 underflows if squared naively; a = v |w| = 5.
  const ShallowNet net = one_neuron(vec({3e-200, 4e-200}), 1e-200, 1e200);
  // Rounding tier as above (stableNorm of 1e-200-scaled entries is exact to a few eps).
  EXPECT_NEAR(path_norm(net), 5.0, 1e-14 * 5);
  EXPECT_NEAR(rtv_exact(net), 5.0, 1e-14 * 5);
  const auto nn = normalise(net);
  ASSERT_EQ(nn.size(), 1u);
  EXPECT_NEAR(nn[0].t, 0.2, 1e-15);
  const ShallowNet b = balance(net);
  EXPECT_NEAR(std::abs(b.v(0)), std::sqrt(5.0), 1e-14);
  EXPECT_NEAR(b.W.row(0).norm(), std::sqrt(5.0), 1e-14);
}

TEST(Norms, RtvOnBallCountsOnlyHyperplanesMeetingIt) {
  // Offsets t = b/|w| = 0.5, 1.5, -2.5 (|w| = 2): B_1 sees the first; B_2 the first two; B_3 all.
  const Eigen::VectorXd w = vec({0.0, 2.0});
  const ShallowNet net = stack({one_neuron(w, 1.0, 1.0), one_neuron(w, 3.0, -2.0), one_neuron(w, -5.0, 0.5)});
  EXPECT_DOUBLE_EQ(rtv_exact_ball(net, 1.0), 2.0);
  EXPECT_DOUBLE_EQ(rtv_exact_ball(net, 2.0), 6.0);
  EXPECT_DOUBLE_EQ(rtv_exact_ball(net, 3.0), 7.0);
  EXPECT_DOUBLE_EQ(rtv_exact(net), 7.0);
  EXPECT_DOUBLE_EQ(rtv_exact_ball(net, 0.5), 0.0);  // tangent hyperplane |t| = r: does not meet the open ball
}

TEST(Norms, OneDimensionalTvMatchesSecondDifferencesOfSamples) {
  Rng rng(8);
  for (int trial = 0; trial < 20; ++trial) {
    // Knots b/w inside [-2, 2], with duplicates and antipodal copies.
    ShallowNet net = random_network_with_edge_cases(rng, 1, 12, 0.3);
    for (int k = 0; k < net.width(); ++k)
      if (net.W(k, 0) != 0.0) net.b(k) = net.W(k, 0) * std::clamp(net.b(k) / net.W(k, 0), -2.0, 2.0);
    const int n = 40001;
    const double tv = tv_from_samples(net, -3.0, 3.0, n);
    // Rounding of the samples: each second difference carries ~12 eps max|f|; summed over n and over h.
    const Eigen::MatrixXd ends = (Eigen::MatrixXd(2, 1) << -3.0, 3.0).finished();
    const double fmax = evaluate(net, ends).cwiseAbs().maxCoeff() + path_norm(net) * 5;
    const double bound = 12.0 * n * tol::kEps * fmax / (6.0 / (n - 1));
    EXPECT_NEAR(tv_derivative_1d(net), tv, bound) << "trial " << trial;
    EXPECT_DOUBLE_EQ(tv_derivative_1d(net), rtv_exact(net));
  }
}

TEST(Norms, KnotsAreAtBOverWWithTheSlopeJumps) {
  // v relu(w x - b): knot at b/w, jump v |w| whatever the sign of w.
  const ShallowNet net =
      stack({one_neuron(vec({2.0}), 1.0, 1.5), one_neuron(vec({-1.0}), 1.0, 2.0), one_neuron(vec({-4.0}), -2.0, 1.0)});
  const auto knots = knots_1d(net);
  ASSERT_EQ(knots.size(), 2u);
  EXPECT_DOUBLE_EQ(knots[0].x, -1.0);
  EXPECT_DOUBLE_EQ(knots[0].jump, 2.0);
  EXPECT_DOUBLE_EQ(knots[1].x, 0.5);
  EXPECT_DOUBLE_EQ(knots[1].jump, 3.0 + 4.0);  // two neurons at 0.5: 1.5*2 and 1*4
  // Slope jumps measured from the function: f'(x+) - f'(x-) by one-sided differences.
  for (const auto& k : knots) {
    const double h = 1e-4;
    Eigen::MatrixXd X(4, 1);
    X << k.x - 2 * h, k.x - h, k.x + h, k.x + 2 * h;
    const Eigen::VectorXd f = evaluate(net, X);
    // One-sided differences of an exactly linear f: only rounding, ~eps |f| / h = 2e-12 per term with h = 1e-4.
    EXPECT_NEAR((f(3) - f(2)) / h - (f(1) - f(0)) / h, k.jump, 1e-9);
  }
}

TEST(Norms, RidgeFunctionRtvIsTheProfilesTv) {
  // Neurons sharing a direction gamma in d = 3 form a ridge function g(gamma . x); RTV = TV(g') (THEORY.md
  // s.3), and TV(g') is measured from samples of f along gamma, independently of the parameters.
  Rng rng(4);
  Eigen::VectorXd gamma = rng.normal_vector(3);
  gamma.normalize();
  ShallowNet net = ShallowNet::zeros(3, 6);
  for (int k = 0; k < 6; ++k) {
    const double s = rng.log_uniform(0.2, 5.0) * (k % 2 ? -1.0 : 1.0);
    net.W.row(k) = s * gamma.transpose();
    net.b(k) = s * rng.uniform(-1.5, 1.5);
    net.v(k) = rng.normal();
  }
  const int n = 20001;
  const double lo = -2.0, hi = 2.0, h = (hi - lo) / (n - 1);
  Eigen::MatrixXd X(n, 3);
  for (int i = 0; i < n; ++i) X.row(i) = (lo + i * h) * gamma.transpose();
  const Eigen::VectorXd f = evaluate(net, X);
  double tv = 0.0;
  for (int i = 1; i + 1 < n; ++i) tv += std::abs(f(i + 1) - 2 * f(i) + f(i - 1)) / h;
  // Rounding bound of the sampled sum: (12 + 2d) eps max|f| per second difference, n of them, over h.
  const double bound = (12.0 + 6.0) * n * tol::kEps * f.cwiseAbs().maxCoeff() / h;
  EXPECT_NEAR(rtv_exact(net), tv, bound);
  EXPECT_LT(bound, 1e-5 * path_norm(net));  // the check is sharp enough to catch a missing or doubled neuron
}

}  // namespace
}  // namespace rtv
