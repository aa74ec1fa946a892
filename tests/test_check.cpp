// Tests of rtv/check (rtv check's diagnostics) and core/linalg's bounded least squares. Each diagnostic is judged
// against something computed without it: an exactly stationary network built from the stationarity equations by a
// separate least-squares solve, the certified (d = 2) and exact (d = 1) optima, closed-form rescalings, and brute
// force over the faces of the box. The PyTorch fixtures (data/fixtures/check/) are checked against NumPy's values.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "rtv/check/check.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/core/random.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/linear_layers.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/nets/random_network.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/solvers/univariate.hpp"
#include "test_util.hpp"

namespace {

using rtv::CheckOptions;
using rtv::CheckReport;
using rtv::Verdict;

const rtv::Diagnostic& find(const CheckReport& rep, const std::string& id) {
  for (const rtv::Diagnostic& d : rep.diagnostics)
    if (d.id == id) return d;
  ADD_FAILURE() << "no diagnostic " << id;
  static rtv::Diagnostic none;
  return none;
}

// ---- bounded least squares against brute force over the faces of the box ----
// Brute force: every assignment of each variable to {lower, upper, free} (3^n faces); the free ones solved by
// least squares; the best feasible point is the minimum (a convex QP's minimiser lies in the relative interior of
// some face, where it is that face's least-squares point). Guards: a wrong KKT sign (freeing a variable that
// should stay), a step that overshoots the box, the upper bound ignored.
double brute_force_bvls(const Eigen::MatrixXd& A, const Eigen::VectorXd& b, const Eigen::VectorXd& lo,
                        const Eigen::VectorXd& hi) {
  const int n = static_cast<int>(A.cols());
  int faces = 1;
  for (int j = 0; j < n; ++j) faces *= 3;
  double best = std::numeric_limits<double>::infinity();
  for (int f = 0; f < faces; ++f) {
    Eigen::VectorXd x(n);
    std::vector<int> free;
    int code = f;
    for (int j = 0; j < n; ++j, code /= 3) {
      if (code % 3 == 0) x(j) = lo(j);
      else if (code % 3 == 1) x(j) = hi(j);
      else free.push_back(j);
    }
    if (!free.empty()) {
      Eigen::VectorXd rhs = b;
      for (int j = 0; j < n; ++j)
        if (std::find(free.begin(), free.end(), j) == free.end()) rhs -= A.col(j) * x(j);
      Eigen::MatrixXd AF(A.rows(), static_cast<Eigen::Index>(free.size()));
      for (std::size_t i = 0; i < free.size(); ++i) AF.col(static_cast<Eigen::Index>(i)) = A.col(free[i]);
      const Eigen::VectorXd z = rtv::min_norm_least_squares(AF, rhs);
      bool ok = true;
      for (std::size_t i = 0; i < free.size(); ++i) {
        x(free[i]) = z(static_cast<Eigen::Index>(i));
        ok = ok && z(static_cast<Eigen::Index>(i)) >= lo(free[i]) - 1e-12 &&
             z(static_cast<Eigen::Index>(i)) <= hi(free[i]) + 1e-12;
      }
      if (!ok) continue;
    }
    best = std::min(best, (A * x - b).norm());
  }
  return best;
}

TEST(BoundedLeastSquares, MatchesBruteForceOverTheFacesOfTheBox) {
  rtv::Rng rng(7);
  int active_lower = 0, active_upper = 0, interior = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + trial % 5, m = (trial % 3 == 0) ? n - 0 : n + 2;  // some square or rank-deficient-ish
    const Eigen::MatrixXd A = rng.normal_matrix(m, n);
    const Eigen::VectorXd b = 2.0 * rng.normal_vector(m);
    const Eigen::VectorXd lo = Eigen::VectorXd::Zero(n), hi = Eigen::VectorXd::Ones(n);
    const rtv::BoundedLeastSquares r = rtv::bounded_least_squares(A, b, lo, hi);
    ASSERT_TRUE(r.converged) << "trial " << trial;
    for (int j = 0; j < n; ++j) {
      ASSERT_GE(r.x(j), 0.0);
      ASSERT_LE(r.x(j), 1.0);
      active_lower += r.x(j) == 0.0, active_upper += r.x(j) == 1.0, interior += r.x(j) > 0 && r.x(j) < 1;
    }
    const double bf = brute_force_bvls(A, b, lo, hi);
    // Both are minima of the same convex problem: equal up to the rounding of the least-squares solves.
    EXPECT_NEAR(r.residual_norm, bf, 1e-10 * (1 + bf)) << "trial " << trial;
  }
  // The trials exercise every kind of variable (else the comparison proves little).
  EXPECT_GT(active_lower, 50);
  EXPECT_GT(active_upper, 50);
  EXPECT_GT(interior, 50);
}

// ---- an exactly stationary network, built from the stationarity equations ----
// A balanced network with skip connection, points off every hyperplane, and lambda; the residual r = f(X) - y is
// the minimum-norm solution of the linear stationarity equations (THEORY.md s.2; check.hpp's header): for each
// neuron sum r sigma(z) = -lambda v, v sum r 1[z > 0] x = -lambda w, v sum r 1[z > 0] = 0, and sum r x = 0,
// sum r = 0. Solved by complete orthogonal decomposition (not the check's bounded least squares).
struct Stationary {
  rtv::ShallowNet net;
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  double lambda = 0.0;
  double system_residual = 0.0;
};

Stationary exactly_stationary(std::uint64_t seed, int d, int K, int N, double lambda) {
  rtv::Rng rng(seed);
  Stationary s;
  s.lambda = lambda;
  s.net = rtv::random_network(rng, d, K, true);
  // Every hyperplane through the data's box (a neuron dead on all points could not satisfy its v equation).
  for (int k = 0; k < K; ++k)
    s.net.b(k) = s.net.W.row(k).dot(Eigen::VectorXd::NullaryExpr(d, [&] { return rng.uniform(-0.5, 0.5); }));
  s.net = rtv::balance(s.net);
  s.X = Eigen::MatrixXd::NullaryExpr(N, d, [&] { return rng.uniform(-1, 1); });
  const Eigen::MatrixXd Z = (s.X * s.net.W.transpose()).rowwise() - s.net.b.transpose();
  const int rows = K * (d + 2) + d + 1;
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(rows, N);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(rows);
  int row = 0;
  for (int k = 0; k < K; ++k) {
    for (int n = 0; n < N; ++n) M(row, n) = std::max(0.0, Z(n, k));
    c(row++) = -lambda * s.net.v(k);
    for (int i = 0; i < d; ++i) {
      for (int n = 0; n < N; ++n) M(row, n) = Z(n, k) > 0 ? s.net.v(k) * s.X(n, i) : 0.0;
      c(row++) = -lambda * s.net.W(k, i);
    }
    for (int n = 0; n < N; ++n) M(row, n) = Z(n, k) > 0 ? s.net.v(k) : 0.0;
    c(row++) = 0.0;
  }
  for (int i = 0; i < d; ++i) {
    for (int n = 0; n < N; ++n) M(row, n) = s.X(n, i);
    ++row;
  }
  for (int n = 0; n < N; ++n) M(row, n) = 1.0;
  const Eigen::VectorXd r = rtv::min_norm_least_squares(M, c);
  s.system_residual = (M * r - c).norm() / c.norm();
  s.y = rtv::evaluate(s.net, s.X) - r;
  return s;
}

TEST(Check, AnExactlyStationaryNetworkHoldsAndItsLambdaIsRecovered) {
  const Stationary s = exactly_stationary(11, 2, 3, 25, 0.07);
  ASSERT_LT(s.system_residual, 1e-12) << "the construction's system must be consistent";
  CheckOptions opt;
  opt.lambda = s.lambda;
  const CheckReport rep = rtv::check_network(s.net, s.X, s.y, opt);
  EXPECT_EQ(find(rep, "balance").verdict, Verdict::Holds);
  EXPECT_EQ(find(rep, "stationarity").verdict, Verdict::Holds);
  EXPECT_LT(rep.stationarity.relative, 1e-12);
  EXPECT_LT(rep.stationarity.max_relative, 1e-12);
  // Stationary is not optimal: weak duality puts J at or above the certified dual value (here 46% above: a local
  // stationary point of weight-decay training, which the optimum diagnostic reports).
  EXPECT_GE(rep.optimum_gap, 0.0);
  // The estimate from the stationarity equations alone (no lambda given) is the true lambda.
  const rtv::LambdaEstimate est = rtv::estimate_lambda(s.net, s.X, s.y);
  EXPECT_NEAR(est.value, s.lambda, 1e-12 * s.lambda);
  EXPECT_LT(est.relative_spread, 1e-10);
  const CheckReport rep2 = rtv::check_network(s.net, s.X, s.y, CheckOptions{});
  EXPECT_TRUE(rep2.lambda_estimated);
  EXPECT_NEAR(rep2.lambda, s.lambda, 1e-12 * s.lambda);
}

// A perturbed copy fails, and the measure grows linearly with the perturbation (a measure that ignored some
// parameter block, or normalised the gradient by itself, would not).
TEST(Check, APerturbedNetworkIsNotStationaryAndTheMeasureIsLinearInThePerturbation) {
  const Stationary s = exactly_stationary(11, 2, 3, 25, 0.07);
  std::vector<double> measure;
  for (double delta : {1e-2, 1e-3, 1e-4}) {
    rtv::ShallowNet p = s.net;
    p.W(1, 0) *= 1 + delta;  // moves one hyperplane: (w, b) block and the residual change
    const rtv::Stationarity st = rtv::stationarity(p, s.X, s.y, s.lambda);
    measure.push_back(st.relative / delta);
  }
  EXPECT_GT(measure[0] * 1e-2, 1e-3) << "a 1% perturbation must fail the default bar 1e-3";
  EXPECT_NEAR(measure[1] / measure[2], 1.0, 0.05);
  EXPECT_NEAR(measure[0] / measure[1], 1.0, 0.2);
  // The output bias: the unregularised parameters must have zero data gradient.
  rtv::ShallowNet p = s.net;
  p.c0 += 1e-2;
  const CheckReport rep = rtv::check_network(p, s.X, s.y, [&] { CheckOptions o; o.lambda = s.lambda; return o; }());
  EXPECT_EQ(find(rep, "stationarity").verdict, Verdict::Fails);
  EXPECT_GT(rep.stationarity.affine_relative, 1e-3);
}

// The certified optimum (d = 2) has its hyperplanes through data points (THEORY.md s.5): with sigma'(0) = 0 it looks
// non-stationary, with the subdifferential it is stationary. Guards the mistake the issue names (true optima called
// non-stationary) and, through the gap, the optimum diagnostic.
TEST(Check, TheCertifiedOptimumIsStationaryOnlyWithTheSubdifferential) {
  rtv::Rng rng(5);
  const int N = 16;
  const Eigen::MatrixXd X = Eigen::MatrixXd::NullaryExpr(N, 2, [&] { return rng.uniform(-1, 1); });
  Eigen::VectorXd y(N);
  for (int n = 0; n < N; ++n) y(n) = std::sin(2 * X(n, 0)) + X(n, 1) * X(n, 1);
  const double lambda = 0.03;
  const rtv::CertifiedResult cr = rtv::certified_optimum_2d(X, y, lambda);
  ASSERT_TRUE(cr.certified);
  CheckOptions opt;
  opt.lambda = lambda;
  const CheckReport rep = rtv::check_network(cr.net, X, y, opt);
  EXPECT_GT(rep.stationarity.kink_points, 0);
  EXPECT_GT(rep.stationarity.relative_naive, 1e-2);
  EXPECT_LT(rep.stationarity.relative, 1e-4);
  EXPECT_TRUE(rep.passed());
  EXPECT_LT(rep.optimum_gap, 1e-8);
  EXPECT_GE(rep.optimum_gap, -1e-12);
  // The Radon-domain measurement (radon_measure.hpp, tested on its own in test_radon_measure) agrees with the exact
  // R-TV on the data's ball to its documented ~1e-4.
  opt.radon = true;
  opt.threads = 1;
  const CheckReport rr = rtv::check_network(cr.net, X, y, opt);
  EXPECT_EQ(find(rr, "radon").verdict, Verdict::Holds);
  EXPECT_LT(find(rr, "radon").measured, 1e-3);
  opt.radon = false;
  // kink_tol = 0 turns the subdifferential off at all but exact zeros: the same optimum then fails.
  opt.kink_tol = 0;
  EXPECT_EQ(find(rtv::check_network(cr.net, X, y, opt), "stationarity").verdict, Verdict::Fails);
}

// d = 1: the exact optimum (trend filtering), balanced, holds everything and gives its lambda back; the optimum
// diagnostic finds a network 10% worse.
TEST(Check, TheExactOneDimensionalOptimumHoldsAndAWorseNetworkHasItsGap) {
  rtv::Rng rng(3);
  const int N = 14;
  Eigen::VectorXd x(N), y(N);
  for (int n = 0; n < N; ++n) x(n) = -1 + 2.0 * n / (N - 1) + 0.01 * rng.uniform();
  for (int n = 0; n < N; ++n) y(n) = std::sin(3 * x(n)) + 0.1 * rng.normal();
  const double lambda = 0.02;
  const rtv::TrendFilterResult tf = rtv::trend_filter_1d(x, y, lambda, true);
  const rtv::ShallowNet net = rtv::balance(rtv::to_network(tf.spline, true));
  const Eigen::MatrixXd X = x;
  const CheckReport rep = rtv::check_network(net, X, y, CheckOptions{});
  EXPECT_TRUE(rep.passed());
  EXPECT_NEAR(rep.lambda, lambda, 1e-10 * lambda);
  EXPECT_LT(std::abs(rep.optimum_gap), 1e-12);
  // Scaling v by 0.9 (and re-balancing) gives a network whose gap is J / J* - 1, computed here from objective().
  rtv::ShallowNet worse = net;
  worse.v *= 0.9;
  worse = rtv::balance(worse);
  CheckOptions opt;
  opt.lambda = lambda;
  const CheckReport rw = rtv::check_network(worse, X, y, opt);
  const double expected = rtv::objective(worse, X, y, lambda).total / tf.objective - 1;
  EXPECT_NEAR(rw.optimum_gap, expected, 1e-10);
  EXPECT_EQ(find(rw, "optimum").verdict, expected > 1e-2 ? Verdict::Fails : Verdict::Holds);
}

// Hidden-bias balance: v_k^2 = |w_k|^2 + b_k^2 (PyTorch's weight_decay on every parameter) fails the balance and is
// recognised as such.
TEST(Check, BiasesDecayedTooAreRecognised) {
  const Stationary s = exactly_stationary(13, 2, 4, 25, 0.05);
  rtv::ShallowNet hb = s.net;
  for (int k = 0; k < hb.width(); ++k) {
    const double a = std::pow(hb.v(k) * hb.v(k) / (hb.W.row(k).squaredNorm() + hb.b(k) * hb.b(k)), 0.25);
    hb.v(k) /= a, hb.W.row(k) *= a, hb.b(k) *= a;  // the rescaling of THEORY.md s.2: f unchanged
  }
  CheckOptions opt;
  opt.lambda = s.lambda;
  const CheckReport rep = rtv::check_network(hb, s.X, s.y, opt);
  const rtv::Diagnostic& bal = find(rep, "balance");
  EXPECT_EQ(bal.verdict, Verdict::Fails);
  EXPECT_LT(rep.hidden_bias_imbalance, 1e-12);
  bool said = false;
  for (const std::string& line : bal.details) said = said || line.find("decayed the biases too") != std::string::npos;
  EXPECT_TRUE(said);
  // The balanced original is not reported as hidden-bias balanced.
  const CheckReport ok = rtv::check_network(s.net, s.X, s.y, opt);
  for (const std::string& line : find(ok, "balance").details)
    EXPECT_EQ(line.find("decayed the biases too"), std::string::npos);
}

// R-TV vs path norm: a neuron split into two cancelling halves on one hyperplane fails (the merged network has a
// smaller path norm), two same-sign halves do not (merging them does not change PN).
TEST(Check, CancellingNeuronsOnAHyperplaneFailSameSignOnesDoNot) {
  const Stationary s = exactly_stationary(17, 2, 3, 25, 0.05);
  auto with_copy = [&](double share) {
    rtv::ShallowNet n = rtv::ShallowNet::zeros(2, 4, true);
    n.W.topRows(3) = s.net.W, n.b.head(3) = s.net.b, n.v.head(3) = s.net.v;
    n.c = s.net.c, n.c0 = s.net.c0;
    // neuron 3 = share x neuron 0 (2 W, 2 b: the same hyperplane), neuron 0 compensates: f unchanged
    n.W.row(3) = 2 * s.net.W.row(0), n.b(3) = 2 * s.net.b(0);
    n.v(3) = share * s.net.v(0) / 2, n.v(0) = (1 - share) * s.net.v(0);
    return n;
  };
  CheckOptions opt;
  opt.lambda = s.lambda;
  opt.optimum = false;
  EXPECT_EQ(find(rtv::check_network(with_copy(-0.5), s.X, s.y, opt), "rtv").verdict, Verdict::Fails);
  EXPECT_EQ(find(rtv::check_network(with_copy(0.5), s.X, s.y, opt), "rtv").verdict, Verdict::Holds);
}

// Sparsity: a wide random network is above N - (d + 1): a note, or a failure with require_sparse; the reduced
// network meets the bound with the same data values.
TEST(Check, SparsityIsANoteUnlessRequired) {
  rtv::Rng rng(23);
  const rtv::ShallowNet net = rtv::random_network(rng, 2, 30, true);
  const Eigen::MatrixXd X = Eigen::MatrixXd::NullaryExpr(10, 2, [&] { return rng.uniform(-1, 1); });
  const Eigen::VectorXd y = rtv::evaluate(net, X);
  CheckOptions opt;
  opt.lambda = 0.1;
  opt.optimum = false;
  const CheckReport rep = rtv::check_network(net, X, y, opt);
  EXPECT_EQ(find(rep, "sparsity").verdict, Verdict::Note);
  EXPECT_LE(rep.reduced.width(), 10 - 3);
  EXPECT_LT((rtv::evaluate(rep.reduced, X) - y).cwiseAbs().maxCoeff(), 1e-10 * (1 + y.cwiseAbs().maxCoeff()));
  opt.require_sparse = true;
  EXPECT_EQ(find(rtv::check_network(net, X, y, opt), "sparsity").verdict, Verdict::Fails);
}

TEST(Check, NoCertificateInThreeDimensionsAndBadInputIsNamed) {
  rtv::Rng rng(29);
  const rtv::ShallowNet net = rtv::random_network(rng, 3, 5, true);
  const Eigen::MatrixXd X = Eigen::MatrixXd::NullaryExpr(12, 3, [&] { return rng.uniform(-1, 1); });
  const Eigen::VectorXd y = rtv::evaluate(net, X);
  CheckOptions opt;
  opt.lambda = 0.1;
  const CheckReport rep = rtv::check_network(net, X, y, opt);
  EXPECT_EQ(find(rep, "optimum").verdict, Verdict::NotApplicable);
  EXPECT_TRUE(std::isnan(rep.optimum_gap));
  rtv::test::expect_input_error([&] { rtv::check_network(net, X.leftCols(2), y, opt); }, "data", "input dimension");
  rtv::test::expect_input_error([&] { rtv::check_network(net, X, y.head(5), opt); }, "data", "rows");
  opt.tol = 0;
  rtv::test::expect_input_error([&] { rtv::check_network(net, X, y, opt); }, "tol", "(0, 1)");
}

// Deep networks: a balanced network holds; moving a factor 2 between a linear layer and the ReLU layer (f
// unchanged) fails both the stage balance and the chain's Schatten comparison, by the closed-form excess.
TEST(Check, DeepNetworksPerStageBalanceAndSchattenChains) {
  rtv::Rng rng(31);
  // Jointly balanced: the neuron rescalings (balance) and the chain's balanced factorisation of its product
  // (linear_layers.hpp) alternated; each step lowers WD with f unchanged, so they converge to a point where both
  // hold (what a stationary point of weight-decay training satisfies).
  rtv::DeepNet net = rtv::init_deep_network(rng, 3, {{{3}, 6, 2, true, false}, {{}, 5, 1, true, false}});
  for (int it = 0; it < 300; ++it) {
    net = rtv::balance(net);
    rtv::DeepStage& st = net.stages[0];
    const rtv::Factors f = rtv::balanced_factors(st.W * st.linear[0], 2);
    st.linear[0] = f[0], st.W = f[1];
  }
  const CheckReport ok = rtv::check_deep_network(net);
  EXPECT_TRUE(ok.passed());
  EXPECT_EQ(find(ok, "stationarity").verdict, Verdict::NotApplicable);
  rtv::DeepNet bad = net;
  bad.stages[0].linear[0] *= 2.0;
  bad.stages[0].W *= 0.5;
  const CheckReport rep = rtv::check_deep_network(bad);
  EXPECT_EQ(find(rep, "balance_stage1").verdict, Verdict::Fails);
  EXPECT_EQ(find(rep, "schatten_stage1").verdict, Verdict::Fails);
  EXPECT_EQ(find(rep, "balance_stage2").verdict, Verdict::Holds);
  // Balanced chain: |U|_F = |W|_F = s (equal norms); after the move 1/2 (4 s^2 + s^2 / 4) against s^2: excess 17/8 - 1.
  EXPECT_NEAR(find(rep, "schatten_stage1").measured, 17.0 / 8.0 - 1.0, 1e-3);
}

// ---- the command line ----
TEST(CheckCli, ExitStatusJsonAndTheReducedNetwork) {
  rtv::test::ScratchDir dir;
  const Stationary s = exactly_stationary(11, 2, 3, 25, 0.07);
  Eigen::MatrixXd data(s.X.rows(), 3);
  data << s.X, s.y;
  {
    std::vector<std::vector<double>> cols(3);
    for (int j = 0; j < 3; ++j) cols[j].assign(data.col(j).data(), data.col(j).data() + data.rows());
    rtv::write_csv(dir / "data.csv", {"x1", "x2", "y"}, cols);
  }
  rtv::write_network_json(s.net, dir / "net.json");
  const std::string cli = RTV_CLI;
  auto r = rtv::test::run(cli + " check " + rtv::test::q((dir / "net.json").string()) + " " +
                          rtv::test::q((dir / "data.csv").string()) + " --lambda 0.07 --no-optimum --json -o " +
                          rtv::test::q((dir / "reduced.json").string()));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["passed"].get<bool>());
  EXPECT_EQ(j["diagnostics"].size(), 6u);
  EXPECT_EQ(j["diagnostics"][2]["id"], "stationarity");
  EXPECT_EQ(j["diagnostics"][2]["verdict"], "holds");
  EXPECT_TRUE(std::filesystem::exists(dir / "reduced.json"));
  // Perturbed: exit 1, the failing diagnostic named in the text.
  rtv::ShallowNet p = s.net;
  p.W(1, 0) *= 1.02;
  rtv::write_network_json(p, dir / "bad.json");
  r = rtv::test::run(cli + " check " + rtv::test::q((dir / "bad.json").string()) + " " +
                     rtv::test::q((dir / "data.csv").string()) + " --lambda 0.07 --no-optimum");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("[FAILS] Stationarity"), std::string::npos) << r.out;
  // Bad input: exit 2, one line naming the file.
  r = rtv::test::run(cli + " check " + rtv::test::q((dir / "net.json").string()) + " " +
                     rtv::test::q((dir / "net.json").string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("net.json"), std::string::npos) << r.err;
  r = rtv::test::run(cli + " check " + rtv::test::q((dir / "net.json").string()) + " " +
                     rtv::test::q((dir / "data.csv").string()) + " --max-gap -1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--max-gap"), std::string::npos) << r.err;
}

}  // namespace

// ---- the PyTorch fixtures (data/fixtures/check/, made by make_check_fixtures.py) against NumPy's numbers ----
// Each fixture's JSON holds values computed in float64 with NumPy, torch autograd and SciPy's lsq_linear from the
// stored weights, independently of rtv: norms, J, the gradient with sigma'(0) = 0, the subdifferential-minimised
// gradient at several on-plane tolerances, and lambda_hat. Guards: the bias sign of the import, a wrong
// gradient block, the subgradient choice (BVLS against lsq_linear), lambda's PyTorch mapping (lambda = N wd / 2).
namespace fixtures {

struct Fixture {
  rtv::ShallowNet net;
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  nlohmann::json ref;
  double u = 0.0;
};

Fixture load(const std::string& name) {
  const std::string dir = std::string(RTV_FIXTURE_DIR) + "/check/";
  Fixture f;
  f.net = rtv::read_network(dir + name + ".npz");
  f.u = rtv::network_file_unit_roundoff(dir + name + ".npz");
  const auto a = rtv::read_array(dir + name + ".csv");
  f.X = a.leftCols(a.cols() - 1);
  f.y = a.col(a.cols() - 1);
  f.ref = nlohmann::json::parse(rtv::test::slurp(dir + name + ".json"));
  return f;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

}  // namespace fixtures

TEST(CheckFixtures, NormsObjectiveAndGradientsAgreeWithNumPy) {
  for (const char* name : {"sgd_weights_only_d1", "sgd_weights_only_d2", "sgd_all_params_d2", "adamw_d2", "noskip_d1",
                           "float32_d2", "stationary_exact_d2", "perturbed_d2", "kink_exact_d2"}) {
    SCOPED_TRACE(name);
    const fixtures::Fixture f = fixtures::load(name);
    const double lambda = f.ref["lambda_used_for_J"];
    EXPECT_LT(fixtures::rel(rtv::weight_decay(f.net), f.ref["WD"]), 1e-13);
    EXPECT_LT(fixtures::rel(rtv::path_norm(f.net), f.ref["PN"]), 1e-13);
    const rtv::Objective J = rtv::objective(f.net, f.X, f.y, lambda);
    // The data fit of an interpolating net (adamw_d2: 3e-10) is all cancellation: compared relative to J.
    EXPECT_LT(std::abs(J.data - f.ref["data_fit"].get<double>()), 1e-12 * J.total);
    EXPECT_LT(fixtures::rel(J.total, f.ref["J"]), 1e-12);
    CheckOptions opt;
    opt.unit_roundoff = f.u;
    for (const auto& entry : f.ref["grad_subdiff_by_tol"]) {
      opt.kink_tol = entry["rel"];
      const rtv::Stationarity st = rtv::stationarity(f.net, f.X, f.y, lambda, opt);
      SCOPED_TRACE("on-plane tolerance " + std::to_string(opt.kink_tol));
      EXPECT_LT(fixtures::rel(st.scale, f.ref["grad_scale_lambda_theta"]), 1e-12);
      // Gradients are sums of N terms of size ~ the forces lambda |theta|: rounding ~ N eps of it, so 1e-12 of the
      // scale is the floor (the exact fixtures' gradients are ~1e-14); a wrong block is O(1) of the scale.
      const double floor = 1e-12 * st.scale;
      const double gn_ref = f.ref["grad_naive"]["total"];
      EXPECT_LT(std::abs(st.gradient_norm_naive - gn_ref), 1e-8 * gn_ref + floor);
      // Two solvers of the same convex problem (BVLS here, lsq_linear there): the minimum agrees.
      const double g_ref = entry["grad"]["total"];
      EXPECT_LT(std::abs(st.gradient_norm - g_ref), 1e-7 * g_ref + floor);
    }
  }
}

TEST(CheckFixtures, VerdictsLambdaAndTheHiddenBiasCase) {
  auto check = [](const fixtures::Fixture& f, double lambda = 0.0) {
    CheckOptions opt;
    opt.unit_roundoff = f.u;
    opt.lambda = lambda;
    opt.optimum = false;
    return rtv::check_network(f.net, f.X, f.y, opt);
  };
  // lambda from the stationarity equations against the true one (PyTorch's weight_decay mapped by N wd / 2).
  for (const char* name : {"sgd_weights_only_d1", "sgd_weights_only_d2", "noskip_d1", "float32_d2",
                           "stationary_exact_d2", "kink_exact_d2"}) {
    SCOPED_TRACE(name);
    const fixtures::Fixture f = fixtures::load(name);
    const CheckReport rep = check(f);
    ASSERT_TRUE(rep.lambda_estimated);
    EXPECT_LT(fixtures::rel(rep.lambda, f.ref["lambda_true"]), 2e-4);
    if (f.ref["train"].is_object() && f.ref["train"]["optimizer"] == "SGD") {  // the documented PyTorch mapping
      EXPECT_LT(fixtures::rel(rtv::lambda_from_pytorch(f.ref["train"]["weight_decay"], f.ref["N"]), f.ref["lambda_true"]),
                1e-15);
    }
    EXPECT_EQ(find(rep, "balance").verdict, Verdict::Holds);
  }
  // Built to be stationary (one with a hyperplane exactly through a data point): holds; perturbed by 1e-3: fails.
  for (const char* name : {"stationary_exact_d2", "kink_exact_d2"}) {
    const fixtures::Fixture f = fixtures::load(name);
    EXPECT_EQ(find(check(f, f.ref["lambda_true"]), "stationarity").verdict, Verdict::Holds) << name;
  }
  const fixtures::Fixture p = fixtures::load("perturbed_d2");
  EXPECT_EQ(find(check(p, p.ref["lambda_true"]), "stationarity").verdict, Verdict::Fails);
  // weight_decay on every parameter: |v| = |(w, b)|, recognised; not stationary for rtv's J.
  const fixtures::Fixture hb = fixtures::load("sgd_all_params_d2");
  const CheckReport rh = check(hb, hb.ref["lambda_true"]);
  EXPECT_EQ(find(rh, "balance").verdict, Verdict::Fails);
  EXPECT_LT(rh.hidden_bias_imbalance, 1e-3);
  bool said = false;
  for (const std::string& line : find(rh, "balance").details) said |= line.find("decayed the biases") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_EQ(find(rh, "stationarity").verdict, Verdict::Fails);
  // AdamW: no lambda > 0 satisfies the stationarity equations (its fixed point is not one of J's).
  const fixtures::Fixture aw = fixtures::load("adamw_d2");
  const CheckReport ra = check(aw);
  EXPECT_EQ(find(ra, "lambda").verdict, Verdict::Fails);
  EXPECT_FALSE(ra.passed());
}

// RTV_ASSERT throws rtv::InternalError (core/error.hpp) instead of aborting, so that a host process (the Python
// interpreter) survives a bug; the message names the expression and the file.
TEST(InternalError, AnAssertionThrowsWithTheExpressionAndTheFile) {
  try {
    rtv::bounded_least_squares(Eigen::MatrixXd::Identity(2, 2), Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2),
                               Eigen::VectorXd::Zero(2));  // lo > hi: a caller's bug
    ADD_FAILURE() << "no exception";
  } catch (const rtv::InternalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("lo(j) <= hi(j)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bounded_lsq.cpp"), std::string::npos) << msg;
  }
}
