// Linear layers and the Schatten 2/L identity (THEORY.md s.6): closed forms, a brute-force scalar search,
// and the factor gradient against finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "rtv/nets/linear_layers.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {
namespace {

TEST(LinearLayers, TheoryExampleDiag31) {
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(2, 2);
  D(0, 0) = 3, D(1, 1) = 1;
  EXPECT_NEAR(schatten_power(D, 2), 4.0, tol::kSvdIdentity);
  EXPECT_NEAR(schatten_power(D, 3), std::pow(3.0, 2.0 / 3.0) + 1.0, tol::kSvdIdentity);
  const Factors F = balanced_factors(D, 2);
  EXPECT_NEAR(factor_weight_decay(F), 4.0, tol::kSvdIdentity);
  EXPECT_LE((product(F) - D).norm(), tol::kSvdIdentity);
}

TEST(LinearLayers, BalancedFactorsOfRectangularAndRankDeficientMatrices) {
  Rng rng(3);
  for (int L = 1; L <= 5; ++L) {
    for (const auto& W : {Eigen::MatrixXd(rng.normal_matrix(5, 3)), Eigen::MatrixXd(rng.normal_matrix(2, 6)),
                          Eigen::MatrixXd(rng.normal_matrix(4, 1) * rng.normal_matrix(1, 4))}) {
      const Factors F = balanced_factors(W, L);
      ASSERT_EQ(static_cast<int>(F.size()), L);
      EXPECT_LE((product(F) - W).norm(), tol::kSvdIdentity * W.norm());
      EXPECT_NEAR(factor_weight_decay(F), schatten_power(W, L), tol::kSvdIdentity * schatten_power(W, L));
    }
  }
}

// Brute force: a fine grid on [0, y] then golden-section refinement around the best grid point.
double brute_force_prox(double y, double lambda, double p) {
  auto g = [&](double s) { return 0.5 * (s - y) * (s - y) + lambda * std::pow(s, p); };
  const int n = 20000;
  double best = 0.0, gbest = g(0.0);
  for (int i = 1; i <= n; ++i) {
    const double s = y * i / n;
    if (g(s) < gbest) gbest = g(s), best = s;
  }
  if (best == 0.0) return 0.0;
  double a = std::max(0.0, best - y / n), b = std::min(y, best + y / n);
  const double r = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 200; ++it) {
    const double c = b - r * (b - a), d = a + r * (b - a);
    (g(c) < g(d) ? b : a) = (g(c) < g(d) ? d : c);
  }
  const double s = 0.5 * (a + b);
  return g(s) < g(0.0) ? s : 0.0;
}

TEST(LinearLayers, ScalarProxMatchesBruteForce) {
  Rng rng(9);
  for (int t = 0; t < 300; ++t) {
    const double y = rng.uniform(0.0, 4.0), lambda = rng.uniform(0.0, 1.5);
    const double p = 2.0 / (2 + static_cast<int>(rng.uniform() * 4));  // L = 2..5
    const double s = scalar_prox_power(y, lambda, p), ref = brute_force_prox(y, lambda, p);
    // Near the jump from 0 to the positive branch both objectives tie; compare objective values there.
    auto g = [&](double x) { return 0.5 * (x - y) * (x - y) + lambda * std::pow(x, p); };
    // The closed-form minimiser may not be worse than brute force beyond rounding of g (~eps * y^2 <= 4e-15).
    EXPECT_LE(g(s), g(ref) + 1e-12) << "y=" << y << " lambda=" << lambda << " p=" << p;
    if (std::abs(g(0.0) - g(ref)) > 1e-6) {
      // Golden-section search stops at ~sqrt(eps) in the argument (the minimum is quadratic): 1e-7.
      EXPECT_NEAR(s, ref, 1e-7 * std::max(1.0, y));
    }
  }
  EXPECT_EQ(scalar_prox_power(2.0, 0.5, 1.0), 1.5);  // soft threshold
  EXPECT_EQ(scalar_prox_power(0.4, 0.5, 1.0), 0.0);
  EXPECT_EQ(scalar_prox_power(2.0, 0.0, 0.5), 2.0);
}

TEST(LinearLayers, FactorGradientMatchesFiniteDifferences) {
  Rng rng(12);
  const Eigen::MatrixXd Y = rng.normal_matrix(3, 4);
  Factors F = {rng.normal_matrix(5, 4), rng.normal_matrix(2, 5), rng.normal_matrix(3, 2)};
  Factors G;
  factor_objective(F, Y, 0.7, &G);
  const double h = tol::kFiniteDifferenceStep;
  for (std::size_t l = 0; l < F.size(); ++l)
    for (Eigen::Index i = 0; i < F[l].rows(); ++i)
      for (Eigen::Index j = 0; j < F[l].cols(); ++j) {
        Factors P = F, M = F;
        P[l](i, j) += h;
        M[l](i, j) -= h;
        const double fd = (factor_objective(P, Y, 0.7) - factor_objective(M, Y, 0.7)) / (2 * h);
        EXPECT_NEAR(G[l](i, j), fd, tol::kFiniteDifference * std::max(1.0, std::abs(fd)));
      }
}

}  // namespace
}  // namespace rtv
