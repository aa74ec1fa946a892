// Weight decay, path norm, balancing and exact R-TV (THEORY.md s.2, s.3), with the edge cases of STYLE.md
// item 7. Independent references: hand-computed values, and TV(f') measured from samples by second
// differences (which never looks at the parameters).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rtv/nets/norms.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"

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

// ---- check_balance (THEORY.md s.2 on networks as trained) ----

// The situation of stationary PyTorch nets: five carrying neurons balanced exactly (integer w with integer |w| = |v|)
// plus four that weight decay shrank without balancing them (three with imbalance 0.93-0.98, like the 0.956
// measured on such nets, and one balanced). Largest WD_k = 625; the tiny ones have WD_k <= 4.6e-4 (7.3e-7 of it).
struct TinyNeuron {
  double w1, w2, wn, v;  // w = (w1, w2) with |w| = wn (exact decimal literal), v
};
const TinyNeuron kTiny[] = {{6e-3, 8e-3, 1e-2, 4.4e-4},   // imbalance 0.956, WD_k 5.0e-5
                            {0.0, 2e-3, 2e-3, -3e-2},     // imbalance 0.933 (|v| > |w|), WD_k 4.5e-4
                            {3e-5, -4e-5, 5e-5, 1e-6},    // imbalance 0.98
                            {1e-3, 0.0, 1e-3, 1e-3}};     // balanced
ShallowNet carriers_plus_tiny(double v0 = 5.0) {
  std::vector<ShallowNet> parts = {one_neuron(vec({3, 4}), 1.0, v0), one_neuron(vec({5, 12}), -2.0, -13.0),
                                   one_neuron(vec({-8, 15}), 0.5, 17.0), one_neuron(vec({-7, -24}), 3.0, -25.0),
                                   one_neuron(vec({0, 2}), 0.0, 2.0)};
  for (const TinyNeuron& t : kTiny) parts.push_back(one_neuron(vec({t.w1, t.w2}), 0.1, t.v));
  return stack(parts);
}

TEST(Norms, BalanceVerdictIgnoresNeuronsWeightDecayShrank) {
  // Catches: judging every neuron (the old verdict: "not balanced", max imbalance 0.98, on a network whose
  // function-carrying neurons are exactly balanced), a wrong excluded count, and a |WD - PN| / PN that is not
  // sum (|v| - |w|)^2 / (2 PN).
  const ShallowNet net = carriers_plus_tiny();
  const BalanceCheck bc = check_balance(net);
  EXPECT_EQ(bc.carry_tol, kCarryRelTol);
  EXPECT_EQ(bc.judged, 5);
  EXPECT_EQ(bc.excluded, 4);
  // Integer vectors with integer norms: stableNorm is exact to an ulp or two, so the carriers' imbalance is ~eps.
  EXPECT_LE(bc.max_imbalance, 8 * tol::kEps);
  EXPECT_TRUE(bc.balanced(tol::kBalanced));
  EXPECT_NEAR(bc.max_imbalance_all, 1.0 - 1e-6 / 5e-5, 1e-14);  // the third tiny neuron: 0.98
  // Independent references from the literals: PN = 5^2 + 13^2 + 17^2 + 25^2 + 2^2 + sum |v||w| of the tiny ones;
  // WD - PN = sum over the tiny ones of (|v| - |w|)^2 / 2 (the carriers contribute 0); WD_k = (v^2 + |w|^2) / 2.
  double pn = 25.0 + 169.0 + 289.0 + 625.0 + 4.0, excess = 0.0, tiny_wd = 0.0;
  for (const TinyNeuron& t : kTiny) {
    pn += std::abs(t.v) * t.wn;
    excess += 0.5 * (std::abs(t.v) - t.wn) * (std::abs(t.v) - t.wn);
    tiny_wd += 0.5 * (t.v * t.v + t.wn * t.wn);
  }
  // Rounding tier: a few roundings per term (|w| of decimal literals is within 2 ulps): 1e-13 relative.
  EXPECT_NEAR(bc.relative_excess, excess / pn, 1e-13 * excess / pn);
  EXPECT_NEAR(bc.excluded_wd_share, tiny_wd / (pn + excess), 1e-13 * tiny_wd / pn);  // WD = PN + excess
  // The same statement from the library's WD and PN, whose difference cancels: |fl(WD) - fl(PN)| is off by at
  // most ~2 K eps WD (K = 9 terms each), here 4e-12 on an excess of 1.8e-4.
  const double wd_lib = weight_decay(net), pn_lib = path_norm(net);
  EXPECT_NEAR(bc.relative_excess, (wd_lib - pn_lib) / pn_lib, 2 * 9 * tol::kEps * wd_lib / pn_lib);
  // The threshold is relative to the largest neuron: scaling all weights by 1e-3 changes nothing (an absolute
  // threshold would exclude every neuron).
  ShallowNet small = net;
  small.W *= 1e-3;
  small.v *= 1e-3;
  const BalanceCheck bs = check_balance(small);
  EXPECT_EQ(bs.judged, 5);
  EXPECT_EQ(bs.excluded, 4);
  EXPECT_TRUE(bs.balanced(tol::kBalanced));
  EXPECT_NEAR(bs.relative_excess, bc.relative_excess, 1e-12 * bc.relative_excess);
  // carry_tol = 0 judges every neuron: the option is used, and then the tiny ones make it unbalanced.
  const BalanceCheck all = check_balance(net, 0.0);
  EXPECT_EQ(all.judged, 9);
  EXPECT_EQ(all.excluded, 0);
  EXPECT_EQ(all.max_imbalance, bc.max_imbalance_all);
  EXPECT_FALSE(all.balanced(tol::kBalanced));
  // A threshold above the second tiny neuron (7.2e-7 of the largest) but below the smallest carrier (4/625):
  // still 5 judged; above the smallest carrier (1e-2): the carrier w = (0, 2) is excluded too.
  EXPECT_EQ(check_balance(net, 1e-3).judged, 5);
  EXPECT_EQ(check_balance(net, 1e-2).judged, 4);
}

TEST(Norms, BalanceVerdictStillSeesUnbalancedCarryingNeurons) {
  // Catches: a threshold that excludes carrying neurons, or a verdict on the largest neuron only. Carrier 0 with
  // v = 2.5, |w| = 5: imbalance exactly 0.5.
  const BalanceCheck bc = check_balance(carriers_plus_tiny(2.5));
  EXPECT_EQ(bc.judged, 5);
  EXPECT_EQ(bc.max_imbalance, 0.5);
  EXPECT_FALSE(bc.balanced(tol::kBalanced));
  // Catches: excluding by |v_k||w_k| instead of the weight-decay term. v = 1, w = (1e-8, 0) carries no function
  // (|v||w| = 1e-8, 1.6e-11 of the largest) but half a unit of weight decay (8e-4 of the largest WD_k = 625): it is
  // far from stationary and must count.
  const ShallowNet heavy = stack({carriers_plus_tiny(), one_neuron(vec({1e-8, 0.0}), 0.0, 1.0)});
  const BalanceCheck bh = check_balance(heavy);
  EXPECT_EQ(bh.judged, 6);
  EXPECT_NEAR(bh.max_imbalance, 1.0 - 1e-8, 1e-15);
  EXPECT_FALSE(bh.balanced(tol::kBalanced));
}

TEST(Norms, BalanceVerdictOnDegenerateNeurons) {
  // Catches: skipping neurons with v = 0 or w = 0 (they cost weight decay, carry no path norm and are never
  // stationary: imbalance 1), counting the zero neuron, and a division by PN = 0.
  const ShallowNet v0 = stack({one_neuron(vec({3, 4}), 1.0, 5.0), one_neuron(vec({1, 1}), 0.0, 0.0)});
  const BalanceCheck b0 = check_balance(v0);
  EXPECT_EQ(b0.judged, 2);
  EXPECT_EQ(b0.max_imbalance, 1.0);
  const ShallowNet w0 = stack({one_neuron(vec({3, 4}), 1.0, 5.0), one_neuron(vec({0, 0}), -1.0, 2.0),
                               one_neuron(vec({0, 0}), 0.5, 0.0)});
  const BalanceCheck bw = check_balance(w0);
  EXPECT_EQ(bw.judged + bw.excluded, 2);  // the zero neuron (v = w = 0) is not a neuron to judge
  EXPECT_EQ(bw.max_imbalance, 1.0);
  EXPECT_DOUBLE_EQ(bw.relative_excess, 2.0 / 25.0);  // excess v^2/2 = 2 over PN = 25
  const BalanceCheck only = check_balance(one_neuron(vec({1, 0}), 0.0, 0.0));
  EXPECT_EQ(only.relative_excess, std::numeric_limits<double>::infinity());  // PN = 0 < WD = 1/2
  const BalanceCheck zero = check_balance(ShallowNet::zeros(2, 3));
  EXPECT_EQ(zero.judged + zero.excluded, 0);
  EXPECT_EQ(zero.relative_excess, 0.0);
  EXPECT_TRUE(zero.balanced(tol::kBalanced));
  // After rtv balance every neuron is balanced and WD = PN to rounding.
  Rng rng(12);
  const BalanceCheck bb = check_balance(balance(random_network(rng, 3, 30)), 0.0);
  EXPECT_LE(bb.max_imbalance, tol::kClosedForm);
  EXPECT_LE(bb.relative_excess, tol::kClosedForm);
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
