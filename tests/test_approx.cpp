// K-term approximation (THEORY.md s.7, rtv/solvers/approx.hpp): the sampling distributions against their definitions, and
// the exact expected error of Maurey's sampling against an enumeration of all K-tuples of a tiny target; the greedy
// oracle against brute force and the exact 2D oracle; the orthogonal greedy algorithm and the fixed ridge grid
// against their defining properties (orthogonality, least squares).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "rtv/core/linalg.hpp"
#include "rtv/solvers/approx.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/core/error.hpp"
#include "rtv/nets/norms.hpp"

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


// A residual orthogonal to [1, X] (the greedy's precondition) from random data.
Eigen::VectorXd affine_free(const Eigen::MatrixXd& X, Rng& rng) {
  Eigen::MatrixXd A(X.rows(), X.cols() + 1);
  A << X, Eigen::VectorXd::Ones(X.rows());
  const Eigen::VectorXd y = rng.normal_vector(static_cast<int>(X.rows()));
  return y - A * least_squares(A, y);
}

double brute_correlation(const Eigen::VectorXd& p, const Eigen::VectorXd& r, double t) {
  double c = 0;
  for (Eigen::Index n = 0; n < p.size(); ++n) c += r(n) * std::max(0.0, p(n) - t);
  return c;
}

TEST(Greedy, BestOffsetEqualsBruteForceOverAllKinks) {
  Rng rng(11);
  for (int P : {1, 2, 7, 200}) {
    const Eigen::VectorXd p = rng.normal_vector(P), r = rng.normal_vector(P);
    double t = 0;
    const double v = best_offset(p, r, &t);
    double best = 0;
    for (Eigen::Index m = 0; m < P; ++m) best = std::max(best, std::abs(brute_correlation(p, r, p(m))));
    // Both are sums of the same P products in different orders: rounding ~P eps of sum |r| |p|.
    const double scale = (r.cwiseAbs().array() * (p.array() - p.minCoeff())).sum();
    EXPECT_NEAR(v, best, 1e-13 * (1 + scale)) << "P = " << P;
    EXPECT_NEAR(std::abs(brute_correlation(p, r, t)), v, 1e-13 * (1 + scale));
  }
}

// The binned score against its definition, edge by edge. The points sit in a few tight clusters, so that most of
// the B cells are empty and the maximum is often at an end of a run of empty cells, which the fast scan evaluates
// instead of every cell. Guards against a scan that drops a run's low end or the run below every point (it
// returns less than the brute force), and against the column-at-a-time screening disagreeing with it.
TEST(Greedy, BinnedScoreEqualsBruteForceOverEveryCellEdge) {
  Rng rng(21);
  for (int trial = 0; trial < 40; ++trial) {
    const int B = trial % 2 ? 4096 : 512, P = 1 + trial * 7, clusters = 1 + trial % 4;
    Eigen::MatrixXd proj(P, 3);
    Eigen::VectorXd r = rng.normal_vector(P);
    for (int k = 0; k < proj.cols(); ++k) {
      Eigen::VectorXd centre = rng.normal_vector(clusters) * 0.5;
      for (int n = 0; n < P; ++n) proj(n, k) = centre(n % clusters) + 1e-3 * rng.normal();
    }
    proj(0, 2) = 1.5, proj(P - 1, 2) = -1.25;  // outside [-1, 1]: the end cells
    const std::vector<double> screened = binned_offset_scores(proj, r, B);
    for (int k = 0; k < proj.cols(); ++k) {
      const Eigen::VectorXd p = proj.col(k);
      double brute = 0, scale = 0;
      for (int j = 0; j < B; ++j) {
        const double e = -1.0 + 2.0 * j / B;
        double c = 0;
        for (int n = 0; n < P; ++n)
          if (std::clamp(static_cast<int>((p(n) + 1.0) * 0.5 * B), 0, B - 1) >= j) c += r(n) * (p(n) - e);
        brute = std::max(brute, std::abs(c));
      }
      for (int n = 0; n < P; ++n) scale += std::abs(r(n)) * (std::abs(p(n)) + 1);
      const double fast = binned_offset_score(p, r, B);
      // Sums of the same P products in another order: rounding ~P eps of sum |r_n| |p_n - e|.
      EXPECT_NEAR(fast, brute, 1e-13 * scale) << "trial " << trial << ", column " << k;
      EXPECT_EQ(screened[static_cast<std::size_t>(k)], fast) << "trial " << trial << ", column " << k;
    }
  }
}

TEST(Greedy, BestNeuronIsExactInOneDimension) {
  Rng rng(12);
  const Eigen::MatrixXd X = uniform_ball(rng, 300, 1);
  const Eigen::VectorXd r = affine_free(X, rng);
  const UnitNeuron u = best_neuron(X, r, rng);
  // Brute force over both orientations and every kink (r is orthogonal to [1, x], so they agree: approx.hpp).
  double best = 0;
  for (int n = 0; n < 300; ++n)
    for (double s : {1.0, -1.0})
      best = std::max(best, std::abs(brute_correlation(s * X.col(0), r, s * X(n, 0))));
  EXPECT_NEAR(u.value, best, 1e-12 * r.cwiseAbs().sum());  // rounding of sums of 300 terms of size <= |r_n|
}

TEST(Greedy, SearchReachesTheExactTwoDimensionalOracle) {
  Rng rng(13);
  for (int trial = 0; trial < 5; ++trial) {
    const Eigen::MatrixXd X = uniform_ball(rng, 400, 2);
    const Eigen::VectorXd r = affine_free(X, rng);
    const double exact = dual_oracle_2d(X, r).value;  // O(N^2 log N) sweep over every hyperplane through a point
    const UnitNeuron u = best_neuron(X, r, rng);
    EXPECT_LE(u.value, exact * (1 + 1e-12));  // the exact oracle is a true supremum
    // The documented bar (approx.hpp): 1e-3 relative. White-noise residuals are the hard case (many near-ties).
    EXPECT_GE(u.value, exact * (1 - 1e-3)) << "trial " << trial;
    EXPECT_NEAR(std::abs(brute_correlation(X * u.gamma, r, u.t)), u.value, 1e-12 * r.cwiseAbs().sum());
    EXPECT_NEAR(u.gamma.norm(), 1.0, 1e-15 * 4);  // normalised direction: |g / |g|| = 1 to a few eps
  }
}

TEST(Greedy, SearchBeatsADenseRandomScanInHigherDimensions) {
  Rng rng(14);
  for (int d : {3, 5}) {
    const Eigen::MatrixXd X = uniform_ball(rng, 300, d);
    // A structured residual (a neuron minus its affine part) so that the supremum is well separated.
    Eigen::VectorXd g = rng.normal_vector(d);
    g /= g.norm();
    Eigen::VectorXd y = ((X * g).array() - 0.1).cwiseMax(0.0).matrix();
    Eigen::MatrixXd A(300, d + 1);
    A << X, Eigen::VectorXd::Ones(300);
    const Eigen::VectorXd r = y - A * least_squares(A, y);
    double scan = 0;
    for (int k = 0; k < 20000; ++k) {  // independent reference: many random directions, exact offsets
      Eigen::VectorXd h = rng.normal_vector(d);
      h /= h.norm();
      scan = std::max(scan, best_offset(X * h, r, nullptr));
    }
    const UnitNeuron u = best_neuron(X, r, rng);
    EXPECT_GE(u.value, scan * (1 - 1e-3)) << "d = " << d;  // the search's documented bar (approx.hpp)
  }
}

TEST(Greedy, OrthogonalGreedyIsAnOrthogonalProjection) {
  Rng rng(15);
  for (int d : {1, 2, 3}) {
    const Eigen::MatrixXd X = uniform_ball(rng, 500, d);
    const ShallowNet f = random_measure_target(rng, d, 40, 0.9);
    const Eigen::VectorXd y = evaluate(f, X);
    const GreedyResult g = orthogonal_greedy(X, y, 12, rng);
    ASSERT_EQ(g.rms_error.size(), 13u);
    // Each step projects onto a larger span, so the residual cannot grow; 1e-12 allows the rounding of the
    // Gram-Schmidt updates (a few eps per column, up to 16 columns).
    for (std::size_t k = 1; k < g.rms_error.size(); ++k) EXPECT_LE(g.rms_error[k], g.rms_error[k - 1] * (1 + 1e-12));
    const Eigen::VectorXd res = y - evaluate(g.net, X);
    // The returned network is the least-squares fit on its atoms and the affine part: the same residual as the
    // Gram-Schmidt recursion (two algorithms), and orthogonal to every atom and to [1, X].
    // Two least-squares solvers differ by ~cond(A) eps; the atom matrices here have cond 47-508 (measured), so
    // ~1e-13. 1e-9 is a wide margin, not a derived bound: it also covers draws with nearly parallel atoms.
    EXPECT_NEAR(std::sqrt(res.squaredNorm() / 500), g.rms_error.back(), 1e-9 * g.rms_error.front());
    Eigen::MatrixXd A(500, g.net.width() + d + 1);
    A.leftCols(g.net.width()) = ((X * g.net.W.transpose()).rowwise() - g.net.b.transpose()).cwiseMax(0.0);
    A.middleCols(g.net.width(), d) = X;
    A.col(g.net.width() + d).setOnes();
    // Normal equations A^T res = 0 hold to ~cond(A) eps |A| |y| for a computed least-squares residual (same wide
    // margin as above).
    EXPECT_LE((A.transpose() * res).cwiseAbs().maxCoeff(), 1e-9 * A.norm() * y.norm()) << "d = " << d;
    EXPECT_LT(g.rms_error.back(), 0.5 * g.rms_error.front());  // it does approximate
  }
}

TEST(Greedy, RidgeGridAndLeastSquares) {
  for (int d : {1, 2, 3, 5}) {
    for (int K : {1, 8, 50}) {
      const ShallowNet grid = ridge_grid(d, K);
      EXPECT_GE(grid.width(), 1);
      EXPECT_LE(grid.width(), K);
      for (int k = 0; k < grid.width(); ++k) {
        EXPECT_NEAR(grid.W.row(k).norm(), 1.0, 1e-15 * 4);  // unit directions to a few eps
        EXPECT_LT(std::abs(grid.b(k)), 1.0);
      }
    }
  }
  // A target in the span of the grid and the affine functions is reproduced (to the conditioning of the fit).
  Rng rng(16);
  const ShallowNet grid = ridge_grid(2, 16);
  ShallowNet f = grid;
  f.v = rng.normal_vector(grid.width());
  f.c = rng.normal_vector(2);
  f.c0 = 0.3;
  const Eigen::MatrixXd X = uniform_ball(rng, 800, 2);
  const Eigen::VectorXd y = evaluate(f, X);
  const ShallowNet fit = least_squares_output(grid, X, y);
  // A consistent system: the fit is exact up to ~cond(A) eps (cond 289 measured for this grid and these points;
  // 1e-9 is a wide margin over ~1e-13).
  EXPECT_LE((evaluate(fit, X) - y).cwiseAbs().maxCoeff(), 1e-9 * y.cwiseAbs().maxCoeff());
  EXPECT_THROW(least_squares_output(grid, X, y.head(10)), InputError);
}

}  // namespace
}  // namespace rtv
