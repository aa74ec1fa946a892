// Shallow network: evaluation against a naive long-double loop, the objective's gradient against central
// finite differences, and validation of bad networks (THEORY.md s.1, s.2).
#include <gtest/gtest.h>

#include <cmath>

#include "rtv/core/error.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"

namespace rtv {
namespace {

// Independent reference: one neuron at a time, in long double.
long double naive_eval(const ShallowNet& net, const Eigen::VectorXd& x) {
  long double f = net.c0;
  for (int k = 0; k < net.width(); ++k) {
    long double z = -static_cast<long double>(net.b(k));
    for (int i = 0; i < net.dim(); ++i) z += static_cast<long double>(net.W(k, i)) * x(i);
    f += net.v(k) * std::max(0.0L, z);
  }
  if (net.skip)
    for (int i = 0; i < net.dim(); ++i) f += static_cast<long double>(net.c(i)) * x(i);
  return f;
}

TEST(Network, EvaluateMatchesNaiveLongDoubleLoop) {
  Rng rng(11);
  for (int d : {1, 3, 7}) {
    for (bool skip : {true, false}) {
      const ShallowNet net = random_network(rng, d, 40, skip);
      const Eigen::MatrixXd X = 2.0 * rng.normal_matrix(300, d);
      const Eigen::VectorXd f = evaluate(net, X), S = evaluation_scale(net, X);
      for (int n = 0; n < X.rows(); ++n) {
        const long double ref = naive_eval(net, X.row(n).transpose());
        // Forward-error bound of the GEMM evaluation: (d + 3) eps S_n; 100 eps covers d <= 7 with margin.
        EXPECT_LE(std::abs(static_cast<long double>(f(n)) - ref), tol::kIdentity * S(n)) << "d=" << d << " n=" << n;
      }
    }
  }
}

TEST(Network, ZeroNetworkIsItsOutputBias) {
  ShallowNet net = ShallowNet::zeros(3, 5, false);
  net.c0 = 0.75;
  const Eigen::VectorXd f = evaluate(net, Eigen::MatrixXd::Ones(4, 3));
  for (int n = 0; n < 4; ++n) EXPECT_EQ(f(n), 0.75);
}

// Central differences of J along each parameter; the ReLU kink is avoided by skipping parameters of neurons
// whose pre-activation is within 100 h of 0 at some data point.
void check_gradient(bool skip, double lambda, std::uint64_t seed, int d = 2) {
  Rng rng(seed);
  const int K = 6, N = 9;
  const ShallowNet net = random_network(rng, d, K, skip);
  const Eigen::MatrixXd X = rng.normal_matrix(N, d);
  const Eigen::VectorXd y = rng.normal_vector(N);
  ShallowNetGradient g;
  objective(net, X, y, lambda, &g);
  const double h = tol::kFiniteDifferenceStep;
  Eigen::MatrixXd Z = X * net.W.transpose();
  Z.rowwise() -= net.b.transpose();
  auto near_kink = [&](int k) { return (Z.col(k).array().abs() < 100 * h).any(); };
  auto fd = [&](auto&& perturb) {
    ShallowNet p = net, m = net;
    perturb(p, +h);
    perturb(m, -h);
    return (objective(p, X, y, lambda).total - objective(m, X, y, lambda).total) / (2 * h);
  };
  auto expect_close = [&](double analytic, double numeric, const std::string& what) {
    EXPECT_NEAR(analytic, numeric, tol::kFiniteDifference * std::max(1.0, std::abs(numeric))) << what;
  };
  int checked = 0;
  for (int k = 0; k < K; ++k) {
    expect_close(g.v(k), fd([&](ShallowNet& n, double e) { n.v(k) += e; }), "v" + std::to_string(k));
    if (near_kink(k)) continue;
    ++checked;
    expect_close(g.b(k), fd([&](ShallowNet& n, double e) { n.b(k) += e; }), "b" + std::to_string(k));
    for (int i = 0; i < d; ++i)
      expect_close(g.W(k, i), fd([&](ShallowNet& n, double e) { n.W(k, i) += e; }), "W" + std::to_string(k));
  }
  EXPECT_GE(checked, K - 1) << "too many neurons near a kink: pick another seed";
  expect_close(g.c0, fd([&](ShallowNet& n, double e) { n.c0 += e; }), "c0");
  for (int i = 0; i < d; ++i) {
    if (skip) expect_close(g.c(i), fd([&](ShallowNet& n, double e) { n.c(i) += e; }), "c");
    else EXPECT_EQ(g.c(i), 0.0);
  }
}

TEST(Network, GradientMatchesFiniteDifferencesWithSkip) { check_gradient(true, 0.3, 21); }
TEST(Network, GradientMatchesFiniteDifferencesWithoutSkip) { check_gradient(false, 0.3, 22); }
TEST(Network, GradientMatchesFiniteDifferencesWithoutWeightDecay) { check_gradient(true, 0.0, 23); }
// objective() has a fused kernel for d = 1, 2, 3 and a GEMM path for larger d: both against central differences.
TEST(Network, GradientMatchesFiniteDifferencesInEveryKernel) {
  for (int d : {1, 3, 5}) {
    check_gradient(true, 0.3, 30 + d, d);
    check_gradient(false, 0.3, 40 + d, d);
  }
}

TEST(Network, ObjectiveParts) {
  ShallowNet net = ShallowNet::zeros(1, 1);
  net.W(0, 0) = 2.0, net.b(0) = 0.0, net.v(0) = 3.0;
  Eigen::MatrixXd X(2, 1);
  X << 1.0, -1.0;  // f = 6, 0
  Eigen::VectorXd y(2);
  y << 5.0, 1.0;
  const Objective J = objective(net, X, y, 0.5);
  EXPECT_DOUBLE_EQ(J.data, 0.5 * (1.0 + 1.0));
  EXPECT_DOUBLE_EQ(J.weight_decay, 0.5 * (9.0 + 4.0));
  EXPECT_DOUBLE_EQ(J.total, 1.0 + 0.5 * 6.5);
}

TEST(Network, ValidateRejectsBadNetworksNamingTheSource) {
  ShallowNet good = ShallowNet::zeros(2, 3);
  EXPECT_NO_THROW(good.validate("net.json"));
  auto expect_bad = [](ShallowNet n, const std::string& fragment) {
    try {
      n.validate("net.json");
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("net.json"), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  };
  ShallowNet n = good;
  n.b.resize(2);
  expect_bad(n, "b has 2 entries");
  n = good;
  n.v.resize(4);
  expect_bad(n, "v has 4 entries");
  n = good;
  n.c.resize(1);
  expect_bad(n, "c has 1 entries");
  n = good;
  n.W(1, 1) = std::nan("");
  expect_bad(n, "W contains NaN");
  n = good;
  n.v(0) = INFINITY;
  expect_bad(n, "v contains NaN or infinite");
  n = good;
  n.c0 = std::nan("");
  expect_bad(n, "c or c0");
  n = ShallowNet::zeros(2, 3, false);
  n.c(0) = 1.0;
  expect_bad(n, "without skip connection");
  n = good;
  n.W.resize(3, 0);
  expect_bad(n, "input dimension");
}

}  // namespace
}  // namespace rtv
