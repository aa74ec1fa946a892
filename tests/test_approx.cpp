// K-term approximation (THEORY.md s.7, rtv/approx.hpp): the sampling distributions against their definitions, and
// the exact expected error of Maurey's sampling against an enumeration of all K-tuples of a tiny target.
#include <gtest/gtest.h>

#include <cmath>

#include "rtv/approx.hpp"
#include "rtv/norms.hpp"

namespace rtv {
namespace {

TEST(Approx, UniformBallHasTheRightRadialLaw) {
  Rng rng(1);
  for (int d : {1, 2, 5, 20}) {
    const int P = 20000;
    const Eigen::MatrixXd X = uniform_ball(rng, P, d);
    const Eigen::VectorXd r2 = X.rowwise().squaredNorm();
    EXPECT_LE(r2.maxCoeff(), 1.0);
    // E |x|^2 = d / (d + 2) for the uniform law on the ball; Var |x|^2 <= 1: 5 standard errors.
    EXPECT_NEAR(r2.mean(), d / (d + 2.0), 5.0 / std::sqrt(P)) << "d = " << d;
    EXPECT_NEAR(X.col(0).mean(), 0.0, 5.0 / std::sqrt(P));
  }
}

TEST(Approx, MaureySampleHasTheMeasuresMassAndIsUnbiased) {
  Rng rng(2);
  const ShallowNet f = random_measure_target(rng, 3, 50);
  EXPECT_NEAR(path_norm(f), 1.0, 1e-12);  // |mu| = sum of M terms 1/M: rounding ~M eps
  const Eigen::MatrixXd X = uniform_ball(rng, 5, 3);
  const Eigen::VectorXd fx = evaluate(f, X);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(5), sum2 = Eigen::VectorXd::Zero(5);
  const int R = 4000;
  for (int s = 0; s < R; ++s) {
    const ShallowNet fk = maurey_sample(f, 4, rng);
    EXPECT_NEAR(path_norm(fk), 1.0, 1e-12);
    const Eigen::VectorXd v = evaluate(fk, X);
    sum += v, sum2 += v.cwiseProduct(v);
  }
  for (int n = 0; n < 5; ++n) {
    const double mean = sum(n) / R, sd = std::sqrt(sum2(n) / R - mean * mean);
    EXPECT_NEAR(mean, fx(n), 5 * sd / std::sqrt(R) + 1e-12) << "point " << n;
  }
}

TEST(Approx, ExpectedSquaredErrorMatchesEnumeration) {
  // Three neurons, K = 2: E |f - f_K|^2 by summing over all 9 ordered pairs with their probabilities.
  Rng rng(3);
  ShallowNet f = ShallowNet::zeros(2, 3, true);
  f.W << 1.0, 0.0, 0.0, 2.0, -0.6, 0.8;
  f.b << 0.1, -0.4, 0.3;
  f.v << 0.5, -0.25, 1.5;
  f.c << 0.3, -0.2;
  f.c0 = 0.7;
  const Eigen::MatrixXd X = uniform_ball(rng, 50, 2);
  const std::vector<NormalisedNeuron> nn = normalise(f);
  double A = 0;
  for (const auto& n : nn) A += std::abs(n.a);
  auto col = [&](int k) { return Eigen::VectorXd(((X * nn[k].gamma).array() - nn[k].t).cwiseMax(0.0).matrix()); };
  Eigen::VectorXd g = Eigen::VectorXd::Zero(50);
  for (int k = 0; k < 3; ++k) g += nn[k].a * col(k);
  double expected = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const double p = std::abs(nn[i].a) / A * std::abs(nn[j].a) / A;
      const Eigen::VectorXd fk = (A / 2) * ((nn[i].a > 0 ? 1 : -1) * col(i) + (nn[j].a > 0 ? 1 : -1) * col(j));
      expected += p * (fk - g).squaredNorm() / 50;
    }
  // Closed form against the enumeration of the 9 pairs: the same sums in a different order, ~1e-15 apart.
  EXPECT_NEAR(maurey_expected_squared_error(f, X, 2), expected, 1e-12 * expected);
}

}  // namespace
}  // namespace rtv
