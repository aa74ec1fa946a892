// Deep networks (deep.hpp; THEORY.md s.1, s.2, s.6): evaluation against a naive long-double loop, the
// objective's gradient against central finite differences, the shallow special case (to_deep / to_shallow,
// objective, and training bit for bit: one trainer), balancing against closed forms and a brute-force
// minimisation over the log-scales, path norms, input-map spectra and ranks against explicit computations, the
// Schatten identity of s.6 through the deep network, validation, and deep training.
//
// The evaluation scale used below (abs_scale): the network evaluated with every parameter and input replaced by
// its absolute value and sigma by the identity (|sigma(z)| <= |z|). Standard forward-error analysis bounds the
// rounding error of each dot product by gamma_n times the dot product of the absolute values, and each stage's
// error propagates through later stages with at most their absolute-value gains, so |fl(f) - f| <= (total
// length of the dot products along the composition + a few) eps x abs_scale. It is invariant under the
// rescalings (positive factors commute with |.|), so it is also the scale of "balance leaves f unchanged".
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "rtv/core/linalg.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/core/error.hpp"
#include "rtv/nets/linear_layers.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"
#include "rtv/solvers/train.hpp"

namespace rtv {
namespace {

using LVec = std::vector<long double>;

// Independent reference: one point, one coefficient at a time, in long double. `absolute`: the abs_scale pass of
// the header comment. `min_pre` (if given) receives min over all neurons of |pre-activation| at this point.
LVec naive_forward(const DeepNet& net, const Eigen::VectorXd& x, bool absolute = false,
                   long double* min_pre = nullptr) {
  auto val = [&](double p) { return absolute ? std::abs(static_cast<long double>(p)) : static_cast<long double>(p); };
  LVec h(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) h[i] = val(x(i));
  if (min_pre) *min_pre = std::numeric_limits<long double>::infinity();
  for (const DeepStage& s : net.stages) {
    LVec a = h;
    for (const Eigen::MatrixXd& U : s.linear) {
      LVec next(U.rows(), 0.0L);
      for (Eigen::Index r = 0; r < U.rows(); ++r)
        for (Eigen::Index i = 0; i < U.cols(); ++i) next[r] += val(U(r, i)) * a[i];
      a = next;
    }
    LVec act(s.W.rows());
    for (Eigen::Index k = 0; k < s.W.rows(); ++k) {
      long double z = absolute ? val(s.b(k)) : -val(s.b(k));
      for (Eigen::Index i = 0; i < s.W.cols(); ++i) z += val(s.W(k, i)) * a[i];
      if (min_pre) *min_pre = std::min(*min_pre, std::abs(z));
      act[k] = absolute ? z : std::max(0.0L, z);
    }
    LVec out(s.outputs(), 0.0L);
    for (int j = 0; j < s.outputs(); ++j) {
      out[j] = val(s.c(j));
      if (s.has_V())
        for (int k = 0; k < s.width(); ++k) out[j] += val(s.V(j, k)) * act[k];
      else
        out[j] += act[j];
      if (s.skip)
        for (int i = 0; i < s.inputs(); ++i) out[j] += val(s.C(j, i)) * h[i];
    }
    h = out;
  }
  return h;
}

Eigen::MatrixXd abs_scale(const DeepNet& net, const Eigen::MatrixXd& X) {
  Eigen::MatrixXd S(X.rows(), net.outputs());
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    const LVec s = naive_forward(net, X.row(n).transpose(), true);
    for (int j = 0; j < net.outputs(); ++j) S(n, j) = static_cast<double>(s[j]);
  }
  return S;
}

// A random deep network: init_deep_network, then random c and (where skip) C, so that every parameter is generic.
DeepNet random_deep(Rng& rng, int d, const std::vector<StageShape>& shape) {
  DeepNet net = init_deep_network(rng, d, shape);
  for (DeepStage& s : net.stages) {
    s.c = rng.normal_vector(s.outputs());
    if (s.skip) s.C = 0.5 * rng.normal_matrix(s.outputs(), s.inputs());
  }
  return net;
}

StageShape stage(std::vector<int> linear, int K, int n_out, bool has_V, bool skip) {
  StageShape s;
  s.linear_widths = std::move(linear);
  s.width = K;
  s.outputs = n_out;
  s.has_V = has_V;
  s.skip = skip;
  return s;
}

// Points whose pre-activations (every neuron of every stage) are all at least `margin` away from 0.
Eigen::MatrixXd points_away_from_kinks(Rng& rng, const DeepNet& net, int N, double margin) {
  Eigen::MatrixXd X(N, net.dim());
  int n = 0;
  for (int tries = 0; n < N && tries < 100000; ++tries) {
    const Eigen::VectorXd x = rng.normal_vector(net.dim());
    long double min_pre = 0;
    naive_forward(net, x, false, &min_pre);
    if (min_pre >= margin) X.row(n++) = x.transpose();
  }
  EXPECT_EQ(n, N) << "could not place the points away from the kinks";
  return X;
}

// The architectures of the gradient tests: several stages, linear layers, V absent and present, skips on and
// off, several outputs; and the shallow shape (objective() then takes network.cpp's kernels).
struct Arch {
  const char* name;
  int d;
  std::vector<StageShape> shape;
};
std::vector<Arch> architectures() {
  return {
      {"3 stages", 3,
       {stage({3}, 4, 3, true, true), stage({}, 5, 0, false, false), stage({2, 3}, 3, 2, true, true)}},
      {"V absent with skip", 2, {stage({}, 4, 0, false, true), stage({2}, 3, 1, true, false)}},
      {"one stage, multi-output", 4, {stage({2}, 5, 3, true, true)}},
      {"last stage without V", 2, {stage({3}, 3, 2, true, false), stage({}, 2, 0, false, true)}},
      {"shallow shape", 2, {stage({}, 5, 1, true, true)}},
      {"shallow shape, no skip, d = 5", 5, {stage({}, 4, 1, true, false)}},
  };
}

// ---------------------------------------------------------------------------------------------------------------

TEST(Deep, EvaluateMatchesNaiveLongDoubleLoop) {
  Rng rng(101);
  double worst = 0;
  for (const Arch& a : architectures()) {
    const DeepNet net = random_deep(rng, a.d, a.shape);
    ASSERT_NO_THROW(net.validate());
    const Eigen::MatrixXd X = 2.0 * rng.normal_matrix(200, a.d);
    const Eigen::MatrixXd F = evaluate(net, X), S = abs_scale(net, X);
    ASSERT_EQ(F.rows(), X.rows());
    ASSERT_EQ(F.cols(), net.outputs());
    for (Eigen::Index n = 0; n < X.rows(); ++n) {
      const LVec ref = naive_forward(net, X.row(n).transpose());
      for (int j = 0; j < net.outputs(); ++j) {
        const double err = static_cast<double>(std::abs(F(n, j) - ref[j])) / S(n, j);
        worst = std::max(worst, err);
        // Forward-error bound (header comment): the dot products along these compositions have total length
        // <= 20, so ~25 eps x abs_scale; kIdentity = 100 eps leaves a factor 4 and fails on any real bug (O(1)).
        EXPECT_LE(err, tol::kIdentity) << a.name << " n=" << n << " j=" << j;
      }
    }
  }
  std::printf("evaluate: worst error %.2g abs_scale (%.1f eps)\n", worst, worst / tol::kEps);
}

// Central differences of J along every parameter (all blocks, every entry).
void check_gradient(const Arch& a, double lambda, std::uint64_t seed) {
  Rng rng(seed);
  const DeepNet net = random_deep(rng, a.d, a.shape);
  const int N = 12;
  // Kinks: a step h along one parameter moves each pre-activation by h |dz/dtheta| (~1e-4 here: the step below
  // times derivatives of order 10); points with every |pre-activation| >= 1e-3 keep the activation pattern
  // on the whole segment [theta - h, theta + h], where J is then smooth.
  const Eigen::MatrixXd X = points_away_from_kinks(rng, net, N, 1e-3);
  const Eigen::MatrixXd Y = rng.normal_matrix(N, net.outputs());
  DeepNetGradient g;
  const Objective J0 = objective(net, X, Y, lambda, &g);
  const double h = tol::kFiniteDifferenceStep;
  // The gradient has the network's layout: absent V stays absent, C of a stage without skip is zero.
  ASSERT_EQ(g.stages.size(), net.stages.size());
  for (size_t l = 0; l < net.stages.size(); ++l) {
    EXPECT_EQ(g.stages[l].has_V(), net.stages[l].has_V()) << a.name;
    if (!net.stages[l].skip) {
      EXPECT_EQ(g.stages[l].C.cwiseAbs().maxCoeff(), 0.0) << a.name << " C without skip";
    }
  }
  double worst = 0;
  int checked = 0;
  // Visit every entry of block `which` of stage l and compare with the central difference.
  auto check_block = [&](size_t l, const std::string& what, auto&& get) {
    Eigen::Map<Eigen::VectorXd> gb(get(g.stages[l]).data(), get(g.stages[l]).size());
    for (Eigen::Index i = 0; i < gb.size(); ++i) {
      DeepNet plus = net, minus = net;
      get(plus.stages[l]).data()[i] += h;
      get(minus.stages[l]).data()[i] -= h;
      const double fd = (objective(plus, X, Y, lambda).total - objective(minus, X, Y, lambda).total) / (2 * h);
      // tol::kFiniteDifference: truncation and rounding both ~eps^(2/3) relative to J's scale (J ~ 10 here).
      const double err = std::abs(fd - gb(i)) / std::max(1.0, std::abs(J0.total));
      worst = std::max(worst, err);
      EXPECT_LE(err, tol::kFiniteDifference) << a.name << " stage " << l + 1 << " " << what << "[" << i << "]"
                                             << " analytic " << gb(i) << " fd " << fd;
      ++checked;
    }
  };
  for (size_t l = 0; l < net.stages.size(); ++l) {
    const DeepStage& s = net.stages[l];
    for (size_t j = 0; j < s.linear.size(); ++j)
      check_block(l, "U_" + std::to_string(j + 1), [j](DeepStage& t) -> Eigen::MatrixXd& { return t.linear[j]; });
    check_block(l, "W", [](DeepStage& t) -> Eigen::MatrixXd& { return t.W; });
    check_block(l, "b", [](DeepStage& t) -> Eigen::VectorXd& { return t.b; });
    if (s.has_V()) check_block(l, "V", [](DeepStage& t) -> Eigen::MatrixXd& { return t.V; });
    check_block(l, "c", [](DeepStage& t) -> Eigen::VectorXd& { return t.c; });
    if (s.skip) check_block(l, "C", [](DeepStage& t) -> Eigen::MatrixXd& { return t.C; });
  }
  std::printf("gradient %-32s lambda %.1f: %d entries, worst |fd - grad| / max(1, J) = %.2g\n", a.name, lambda,
              checked, worst);
}

TEST(Deep, GradientMatchesFiniteDifferences) {
  std::uint64_t seed = 200;
  for (const Arch& a : architectures()) {
    check_gradient(a, 0.3, seed++);
    check_gradient(a, 0.0, seed++);
  }
}

TEST(Deep, ObjectiveShapeMismatchIsAnInputError) {
  Rng rng(3);
  const DeepNet net = random_deep(rng, 2, {stage({}, 3, 2, true, false)});
  const Eigen::MatrixXd X = rng.normal_matrix(5, 2);
  EXPECT_THROW(objective(net, X, Eigen::MatrixXd::Zero(5, 1), 0.1), InputError);  // wrong number of outputs
  EXPECT_THROW(objective(net, X, Eigen::MatrixXd::Zero(4, 2), 0.1), InputError);  // wrong number of points
  EXPECT_THROW(objective(net, rng.normal_matrix(5, 3), Eigen::MatrixXd::Zero(5, 2), 0.1), InputError);
}

// ---------------------------------------------------------------------------------------------------------------
// The shallow network as a one-stage deep network.

TEST(Deep, OneStageNetworkIsTheShallowNetwork) {
  Rng rng(300);
  for (int d : {1, 2, 5}) {
    for (bool skip : {true, false}) {
      const ShallowNet s = random_network(rng, d, 30, skip);
      const DeepNet net = to_deep(s);
      ASSERT_NO_THROW(net.validate());
      // Round trip: exact copies.
      const ShallowNet back = to_shallow(net);
      EXPECT_TRUE(back.W == s.W && back.b == s.b && back.v == s.v && back.c == s.c && back.c0 == s.c0 &&
                  back.skip == s.skip);
      // evaluate(): the deep GEMM path against network.hpp's evaluate; each is within kIdentity x
      // evaluation_scale of the exact value (test_network's bar), so they agree to twice that.
      const Eigen::MatrixXd X = 2.0 * rng.normal_matrix(100, d);
      const Eigen::VectorXd f = evaluate(s, X), S = evaluation_scale(s, X);
      const Eigen::MatrixXd F = evaluate(net, X);
      for (Eigen::Index n = 0; n < X.rows(); ++n)
        EXPECT_LE(std::abs(F(n, 0) - f(n)), 2 * tol::kIdentity * S(n)) << "d=" << d << " n=" << n;
      // WD: the same sums (deep.cpp adds |W|^2 then |V|^2, norms.hpp |v|^2 + |W|^2): equal to a few ulps.
      EXPECT_NEAR(weight_decay(net), weight_decay(s), 4 * tol::kEps * weight_decay(s));
      // Objective: the one-stage shape uses network.hpp's kernels, so equal values and gradients.
      const Eigen::VectorXd y = rng.normal_vector(100);
      ShallowNetGradient gs;
      DeepNetGradient gd;
      const Objective Js = objective(s, X, y, 0.2, &gs);
      const Objective Jd = objective(net, X, Eigen::MatrixXd(y), 0.2, &gd);
      EXPECT_EQ(Jd.total, Js.total);
      EXPECT_EQ(Jd.data, Js.data);
      EXPECT_EQ(Jd.weight_decay, Js.weight_decay);
      const ShallowNet gback = to_shallow(gd);
      EXPECT_TRUE(gback.W == gs.W && gback.b == gs.b && gback.v == gs.v && gback.c == gs.c && gback.c0 == gs.c0);
    }
  }
}

TEST(Deep, TwoOutputStageIsTwoShallowNetworksSharingTheirNeurons) {
  // The general (GEMM) objective against network.hpp's: a stage with two outputs is two shallow networks with
  // the same W and b. Data terms add; WD counts W once; dJ/dW = g1.W + g2.W - lambda W (each shallow gradient
  // holds lambda W once). Reference scale of each gradient entry: the same sum with every term in absolute
  // value (|residual| widened by its own rounding bound), so kIdentity (100 eps) covers the ~N + d roundings.
  Rng rng(310);
  const double lambda = 0.2;
  for (int d : {2, 4}) {
    const int K = 9, N = 40;
    ShallowNet s1 = random_network(rng, d, K, true), s2 = s1;
    s2.v = rng.normal_vector(K);
    s2.c = rng.normal_vector(d);
    s2.c0 = rng.normal();
    DeepNet net = to_deep(s1);
    DeepStage& st = net.stages[0];
    st.V.resize(2, K);
    st.V << s1.v.transpose(), s2.v.transpose();
    st.C.resize(2, d);
    st.C << s1.c.transpose(), s2.c.transpose();
    st.c.resize(2);
    st.c << s1.c0, s2.c0;
    ASSERT_NO_THROW(net.validate());
    const Eigen::MatrixXd X = rng.normal_matrix(N, d), Y = rng.normal_matrix(N, 2);
    ShallowNetGradient g1, g2;
    DeepNetGradient g;
    const Objective J1 = objective(s1, X, Y.col(0), lambda, &g1), J2 = objective(s2, X, Y.col(1), lambda, &g2);
    const Objective J = objective(net, X, Y, lambda, &g);
    const double wd = J1.weight_decay + J2.weight_decay - 0.5 * s1.W.squaredNorm();
    EXPECT_NEAR(J.data, J1.data + J2.data, tol::kIdentity * (J1.data + J2.data));
    EXPECT_NEAR(J.weight_decay, wd, tol::kIdentity * wd);
    // Scales of the gradient entries.
    Eigen::MatrixXd Rabs(N, 2);
    Rabs.col(0) = (evaluate(s1, X) - Y.col(0)).cwiseAbs() + evaluation_scale(s1, X);
    Rabs.col(1) = (evaluate(s2, X) - Y.col(1)).cwiseAbs() + evaluation_scale(s2, X);
    Eigen::MatrixXd Habs = X.cwiseAbs() * s1.W.cwiseAbs().transpose();
    Habs.rowwise() += s1.b.cwiseAbs().transpose();
    const Eigen::MatrixXd RV = Rabs * st.V.cwiseAbs();  // N x K
    const Eigen::MatrixXd scale_W = RV.transpose() * X.cwiseAbs() + lambda * s1.W.cwiseAbs();
    const Eigen::VectorXd scale_b = RV.colwise().sum().transpose();
    const Eigen::MatrixXd scale_V = Rabs.transpose() * Habs + lambda * st.V.cwiseAbs();
    const Eigen::MatrixXd scale_C = Rabs.transpose() * X.cwiseAbs();
    const Eigen::VectorXd scale_c = Rabs.colwise().sum().transpose();
    const DeepStage& gs = g.stages[0];
    const Eigen::MatrixXd gW = g1.W + g2.W - lambda * s1.W;
    EXPECT_TRUE(((gs.W - gW).cwiseAbs().array() <= 2 * tol::kIdentity * scale_W.array()).all()) << "W, d=" << d;
    EXPECT_TRUE(((gs.b - (g1.b + g2.b)).cwiseAbs().array() <= tol::kIdentity * scale_b.array()).all()) << "b";
    Eigen::MatrixXd gV(2, K), gC(2, d);
    gV << g1.v.transpose(), g2.v.transpose();
    gC << g1.c.transpose(), g2.c.transpose();
    EXPECT_TRUE(((gs.V - gV).cwiseAbs().array() <= tol::kIdentity * scale_V.array()).all()) << "V, d=" << d;
    EXPECT_TRUE(((gs.C - gC).cwiseAbs().array() <= tol::kIdentity * scale_C.array()).all()) << "C, d=" << d;
    EXPECT_LE(std::abs(gs.c(0) - g1.c0), tol::kIdentity * scale_c(0));
    EXPECT_LE(std::abs(gs.c(1) - g2.c0), tol::kIdentity * scale_c(1));
  }
}

TEST(Deep, OneStageTrainingIsTheShallowTrainerBitForBit) {
  // train(DeepNet) and train(ShallowNet) run the same loop (train.cpp's run_loop) and, for the shallow shape,
  // the same objective kernels: the same floating-point operations, so identical bits (GD and Adam; the
  // stopping rules included).
  Rng rng(400);
  int stopped_early = 0;
  for (int d : {2, 5}) {
    for (bool skip : {true, false}) {
      for (Optimizer opt : {Optimizer::GD, Optimizer::Adam}) {
        for (int variant = 0; variant < 2; ++variant) {
          const int N = 30;
          const Eigen::MatrixXd X = rng.normal_matrix(N, d);
          Eigen::VectorXd y(N);
          for (int n = 0; n < N; ++n) y(n) = std::sin(2 * X(n, 0)) + 0.1 * rng.normal();
          ShallowNet init = init_network(rng, d, 12, 1.0, skip);
          if (skip) init.c = 0.3 * rng.normal_vector(d);
          init.c0 = rng.normal();
          TrainOptions o;
          o.optimizer = opt;
          o.lambda = 0.03;
          o.learning_rate = opt == Optimizer::Adam ? 1e-2 : 5e-3;
          o.max_steps = 600;
          if (variant == 1) {  // exercise the stopping rules too
            o.rel_tol = 2e-2;
            o.grad_tol = 0.12;
          }
          std::vector<std::pair<int, double>> ps, pd;
          o.progress_stride = 50;
          o.progress = [&](int step, double J) { ps.emplace_back(step, J); };
          const TrainResult rs = train(init, X, y, o);
          o.progress = [&](int step, double J) { pd.emplace_back(step, J); };
          const DeepTrainResult rd = train(to_deep(init), X, Eigen::MatrixXd(y), o);
          const ShallowNet n = to_shallow(rd.net);
          const std::string what = "d=" + std::to_string(d) + " skip=" + std::to_string(skip) + " " +
                                   optimizer_name(opt) + " variant " + std::to_string(variant);
          EXPECT_TRUE(n.W == rs.net.W && n.b == rs.net.b && n.v == rs.net.v && n.c == rs.net.c &&
                      n.c0 == rs.net.c0)
              << what;
          EXPECT_EQ(rd.steps, rs.steps) << what;
          EXPECT_EQ(rd.converged, rs.converged) << what;
          EXPECT_EQ(rd.status, rs.status) << what;
          EXPECT_EQ(rd.message, rs.message) << what;
          EXPECT_EQ(rd.objective, rs.objective) << what;
          EXPECT_EQ(rd.grad_norm, rs.grad_norm) << what;
          EXPECT_EQ(pd, ps) << what;
          EXPECT_LT(rd.objective, rs.history.front().objective) << what;  // it trained
          stopped_early += rs.converged;
        }
      }
    }
  }
  EXPECT_GT(stopped_early, 0) << "no run exercised a stopping rule";
}

// ---------------------------------------------------------------------------------------------------------------
// Balancing.

// A network with dead parts: in stage 1 (V present) a neuron with V_{:,k} = 0 and one with w_k = 0 (a constant
// sigma(-b_k) > 0 that must move into c); stage 2 has no V; stage 3 has linear layers.
DeepNet net_with_dead_neurons(Rng& rng) {
  DeepNet net = random_deep(rng, 3, {stage({2}, 5, 3, true, true), stage({}, 4, 0, false, false),
                                     stage({3, 2}, 4, 2, true, true)});
  net.stages[0].V.col(1).setZero();
  net.stages[0].W.row(3).setZero();
  net.stages[0].b(3) = -0.7;
  // Exaggerate the imbalance so that balancing has work to do.
  net.stages[2].linear[0] *= 8.0;
  net.stages[2].V *= 0.2;
  net.stages[0].W.row(0) *= 5.0;
  return net;
}

TEST(Deep, BalanceKeepsTheFunctionAndNeverIncreasesWeightDecay) {
  Rng rng(500);
  for (int trial = 0; trial < 5; ++trial) {
    const DeepNet net = trial == 0 ? net_with_dead_neurons(rng)
                                   : random_deep(rng, 2, {stage({3}, 4, 2, true, trial % 2 == 0),
                                                          stage({2, 2}, 3, 1, true, true)});
    const DeepNet bal = balance(net);
    ASSERT_NO_THROW(bal.validate());
    EXPECT_LE(weight_decay(bal), weight_decay(net));
    const Eigen::MatrixXd X = 2.0 * rng.normal_matrix(200, net.dim());
    const Eigen::MatrixXd F0 = evaluate(net, X), F1 = evaluate(bal, X), S = abs_scale(net, X);
    // Each parameter is rescaled once (a factor exp(.) with a few eps of relative error), and the two
    // evaluations each err by <= ~25 eps x abs_scale (EvaluateMatchesNaiveLongDoubleLoop): 4 kIdentity is a
    // factor ~4 above that budget (abs_scale is the same for both networks, see the header comment).
    const double err = ((F1 - F0).array() / S.array()).abs().maxCoeff();
    EXPECT_LE(err, 4 * tol::kIdentity) << "trial " << trial;
    std::printf("balance trial %d: WD %.6g -> %.6g, max |f_bal - f| / abs_scale = %.2g\n", trial,
                weight_decay(net), weight_decay(bal), err);
    if (trial == 0) {
      // Dead neurons are exact zeros afterwards; the constant one moved into c.
      const DeepStage& s = bal.stages[0];
      EXPECT_EQ(s.W.row(1).cwiseAbs().maxCoeff(), 0.0);
      EXPECT_EQ(s.b(1), 0.0);
      EXPECT_EQ(s.V.col(3).cwiseAbs().maxCoeff(), 0.0);
      EXPECT_EQ(s.b(3), 0.0);
    }
  }
}

TEST(Deep, BalanceWithoutLinearLayersGivesThePathNorm) {
  // m = 0 and V present in every stage: min over rescalings of WD = sum over stages and neurons of
  // |V_{:,k}| |w_k| (THEORY.md s.2, per neuron), computed by hand below; kClosedForm (1e-12) for sums of
  // K <= 10 square roots and products.
  Rng rng(510);
  const DeepNet net = random_deep(rng, 3, {stage({}, 6, 4, true, true), stage({}, 5, 2, true, false)});
  double pn = 0;
  for (const DeepStage& s : net.stages)
    for (int k = 0; k < s.width(); ++k) {
      double v2 = 0, w2 = 0;
      for (int j = 0; j < s.outputs(); ++j) v2 += s.V(j, k) * s.V(j, k);
      for (int i = 0; i < s.W.cols(); ++i) w2 += s.W(k, i) * s.W(k, i);
      pn += std::sqrt(v2 * w2);
    }
  const DeepNet bal = balance(net);
  EXPECT_NEAR(weight_decay(bal), pn, tol::kClosedForm * pn);
  double sum_pn = 0;
  for (double p : stage_path_norms(bal)) sum_pn += p;
  EXPECT_NEAR(sum_pn, pn, tol::kClosedForm * pn);  // path norms are invariant under the rescalings
  for (const DeepStage& s : bal.stages)
    for (int k = 0; k < s.width(); ++k)  // balanced neurons: |V_{:,k}| = |w_k|, rounding of one rescaling
      EXPECT_NEAR(s.V.col(k).norm(), s.W.row(k).norm(), tol::kIdentity * s.W.row(k).norm());
}

// Brute force: the WD of the rescaled network as an explicit function of the log-scales (alpha_k per neuron of a
// stage with V, beta_j per chain factor with beta_W = -sum of the others), minimised by plain gradient descent.
double brute_force_min_wd(const DeepNet& net, int iterations, double step, double* final_grad) {
  struct StageData {
    std::vector<double> u2;  // |U_j|^2
    std::vector<double> w2, v2;  // |w_k|^2, |V_k|^2
    bool has_V;
  };
  std::vector<StageData> sd;
  int nvar = 0;
  for (const DeepStage& s : net.stages) {
    StageData d;
    for (const auto& U : s.linear) d.u2.push_back(U.squaredNorm());
    for (int k = 0; k < s.width(); ++k) {
      d.w2.push_back(s.W.row(k).squaredNorm());
      d.v2.push_back(s.has_V() ? s.V.col(k).squaredNorm() : 0.0);
    }
    d.has_V = s.has_V();
    nvar += static_cast<int>(d.u2.size()) + (d.has_V ? s.width() : 0);
    sd.push_back(d);
  }
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(nvar);
  auto eval = [&](const Eigen::VectorXd& t, Eigen::VectorXd* grad) {
    double wd = 0;
    if (grad) grad->setZero(t.size());
    int at = 0;
    for (const StageData& d : sd) {
      const int m = static_cast<int>(d.u2.size()), K = static_cast<int>(d.w2.size());
      double bw = 0;
      for (int j = 0; j < m; ++j) bw -= t(at + j);
      double dbw = 0;  // dWD/dbeta_W
      for (int j = 0; j < m; ++j) {
        const double term = 0.5 * std::exp(2 * t(at + j)) * d.u2[j];
        wd += term;
        if (grad) (*grad)(at + j) += 2 * term;
      }
      for (int k = 0; k < K; ++k) {
        const double a = d.has_V ? t(at + m + k) : 0.0;
        const double tw = 0.5 * std::exp(2 * (a + bw)) * d.w2[k];
        const double tv = d.has_V ? 0.5 * std::exp(-2 * a) * d.v2[k] : 0.0;
        wd += tw + tv;
        dbw += 2 * tw;
        if (grad && d.has_V) (*grad)(at + m + k) += 2 * tw - 2 * tv;
      }
      if (grad)
        for (int j = 0; j < m; ++j) (*grad)(at + j) -= dbw;  // beta_W = -sum beta_j
      at += m + (d.has_V ? K : 0);
    }
    return wd;
  };
  Eigen::VectorXd g;
  for (int it = 0; it < iterations; ++it) {
    eval(theta, &g);
    if (g.norm() < 1e-13) break;
    theta -= step * g;
  }
  const double wd = eval(theta, &g);
  *final_grad = g.norm();
  return wd;
}

TEST(Deep, BalanceMatchesBruteForceMinimisationOverTheLogScales) {
  Rng rng(520);
  for (int trial = 0; trial < 3; ++trial) {
    DeepNet net = random_deep(rng, 2, {stage({3}, 3, 2, true, true), stage({2, 3}, 2, 1, true, false),
                                       stage({2}, 2, 0, false, false)});
    net.stages[1].linear[0] *= 4.0;  // start away from the optimum
    net.stages[0].V *= 0.3;
    net.stages[2].W *= 3.0;
    double g = 0;
    // GD on a smooth convex function of 13 log-scales. WD is a sum of terms c_i exp(a_i . theta) with
    // |a_i|^2 <= 4 (m + 1) <= 12, so its Hessian is at most 12 WD <= 12 WD(start) along a descent path: the
    // step 1 / (12 WD(start)) decreases WD monotonically. Run until |grad| < 1e-13 (the WD found is then within
    // ~|grad|^2 / curvature of the minimum, far below the tolerance).
    const double brute = brute_force_min_wd(net, 1000000, 1.0 / (12 * weight_decay(net)), &g);
    ASSERT_LT(g, 1e-9) << "the brute-force reference did not converge";
    const double wd = weight_decay(balance(net));
    // kClosedForm: both are the minimum of the same function; balance's is exact up to the rounding of one
    // rescaling per parameter (~10 eps relative), the reference's up to |g|^2 / curvature.
    EXPECT_NEAR(wd, brute, tol::kClosedForm * brute) << "trial " << trial;
    EXPECT_LT(brute, weight_decay(net) * (1 - 1e-3)) << "the test must start away from the optimum";
    std::printf("balance vs brute force: WD %.15g vs %.15g (start %.6g, |grad| %.1g)\n", wd, brute,
                weight_decay(net), g);
  }
}

TEST(Deep, BalancedNetworkIsAFixedPoint) {
  Rng rng(530);
  const DeepNet net = net_with_dead_neurons(rng);
  // rel_tol: balance() stops when no log-scale moves by more than rel_tol in a sweep, and a sweep contracts the
  // distance to the minimiser by at least 2, so the scales of `once` are within rel_tol of it: rebalancing then
  // moves every parameter by a factor exp(+-2 rel_tol) at most (neuron and chain scale), plus a few roundings
  // (kIdentity). With rel_tol = 0 the iteration runs to rounding level.
  for (double rel_tol : {1e-13, 0.0}) {
    const DeepNet once = balance(net, rel_tol), twice = balance(once, rel_tol);
    EXPECT_LE(weight_decay(twice), weight_decay(once));
    const double tol = 4 * rel_tol + tol::kIdentity;
    for (size_t l = 0; l < once.stages.size(); ++l) {
      const DeepStage &a = once.stages[l], &b = twice.stages[l];
      auto close = [&](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const char* what) {
        if (x.size() == 0) return;
        EXPECT_LE((x - y).cwiseAbs().maxCoeff(), tol * x.cwiseAbs().maxCoeff())
            << "stage " << l + 1 << " " << what << " rel_tol " << rel_tol;
      };
      for (size_t j = 0; j < a.linear.size(); ++j) close(a.linear[j], b.linear[j], "U");
      close(a.W, b.W, "W");
      close(a.b, b.b, "b");
      close(a.V, b.V, "V");
      close(a.c, b.c, "c");
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Path norms, input maps, ranks.

TEST(Deep, StagePathNormsMatchExplicitLoops) {
  Rng rng(600);
  const DeepNet net = random_deep(rng, 3, {stage({4, 2}, 5, 3, true, true), stage({}, 3, 0, false, false),
                                           stage({2}, 4, 1, true, false)});
  const std::vector<double> pn = stage_path_norms(net);
  ASSERT_EQ(pn.size(), net.stages.size());
  for (size_t l = 0; l < net.stages.size(); ++l) {
    const DeepStage& s = net.stages[l];
    // The end-to-end input weights by explicit triple loops, W U_m ... U_1.
    std::vector<std::vector<long double>> M(s.width(), std::vector<long double>(s.inputs(), 0.0L));
    for (int k = 0; k < s.width(); ++k)
      for (int i = 0; i < s.inputs(); ++i) {
        // (W U_m ... U_1)_{k,i} = sum over paths; do it as a row vector times the factors, right to left.
        std::vector<long double> row(s.W.cols());
        for (Eigen::Index r = 0; r < s.W.cols(); ++r) row[r] = s.W(k, r);
        for (size_t j = s.linear.size(); j-- > 0;) {
          const Eigen::MatrixXd& U = s.linear[j];
          std::vector<long double> next(U.cols(), 0.0L);
          for (Eigen::Index c = 0; c < U.cols(); ++c)
            for (Eigen::Index r = 0; r < U.rows(); ++r) next[c] += row[r] * U(r, c);
          row = next;
        }
        M[k][i] = row[i];
      }
    long double ref = 0;
    for (int k = 0; k < s.width(); ++k) {
      long double v2 = 0, m2 = 0;
      for (int j = 0; j < s.outputs(); ++j) v2 += s.has_V() ? static_cast<long double>(s.V(j, k)) * s.V(j, k) : 0;
      for (int i = 0; i < s.inputs(); ++i) m2 += M[k][i] * M[k][i];
      ref += (s.has_V() ? std::sqrt(v2) : 1.0L) * std::sqrt(m2);
    }
    // A sum of K products of norms of short products: kClosedForm (1e-12) is generous for these sizes.
    EXPECT_NEAR(pn[l], static_cast<double>(ref), tol::kClosedForm * static_cast<double>(ref)) << "stage " << l + 1;
  }
}

TEST(Deep, InputMapSpectraMatchTheSvdOfTheExplicitProduct) {
  Rng rng(610);
  const DeepNet net = random_deep(rng, 4, {stage({3, 5}, 6, 2, true, true), stage({}, 3, 0, false, false),
                                           stage({1}, 4, 1, true, false)});
  const std::vector<Eigen::VectorXd> spectra = input_map_spectra(net);
  ASSERT_EQ(spectra.size(), net.stages.size());
  for (size_t l = 0; l < net.stages.size(); ++l) {
    const DeepStage& s = net.stages[l];
    Eigen::MatrixXd M = s.W;  // explicit product, left to right with naive loops
    for (size_t j = s.linear.size(); j-- > 0;) {
      const Eigen::MatrixXd& U = s.linear[j];
      Eigen::MatrixXd P = Eigen::MatrixXd::Zero(M.rows(), U.cols());
      for (Eigen::Index a = 0; a < M.rows(); ++a)
        for (Eigen::Index c = 0; c < U.cols(); ++c)
          for (Eigen::Index r = 0; r < U.rows(); ++r) P(a, c) += M(a, r) * U(r, c);
      M = P;
    }
    // A second algorithm: the eigenvalues of the Jordan-Wielandt matrix [0 M; M^T 0] are +-s_j (and zeros),
    // computed by symmetric QR, not by an SVD; its top min(m, n) eigenvalues, descending, are the singular values.
    const Eigen::Index m = M.rows(), n = M.cols(), p = std::min(m, n);
    Eigen::MatrixXd JW = Eigen::MatrixXd::Zero(m + n, m + n);
    JW.topRightCorner(m, n) = M;
    JW.bottomLeftCorner(n, m) = M.transpose();
    const Eigen::VectorXd ev = symmetric_eigenvalues(JW);  // ascending
    const Eigen::VectorXd ref = ev.tail(p).reverse();
    ASSERT_EQ(spectra[l].size(), ref.size()) << "stage " << l + 1;
    // Weyl: singular values move by at most |dM|_2, and the products, the SVD and the symmetric eigensolver are
    // backward stable with |dM| ~ n eps |M| (n <= 12): kIdentity x s_1 covers it.
    EXPECT_LE((spectra[l] - ref).cwiseAbs().maxCoeff(), tol::kIdentity * ref(0)) << "stage " << l + 1;
    for (Eigen::Index j = 1; j < ref.size(); ++j) EXPECT_GE(spectra[l](j - 1), spectra[l](j));  // descending
  }
  // The bottleneck of width 1 in stage 3 makes its input map rank one.
  EXPECT_EQ(numerical_rank(spectra[2], 1e-10), 1);
}

TEST(Deep, RanksOnClosedFormExamples) {
  Eigen::VectorXd s(3);
  s << 3, 1, 0;
  EXPECT_EQ(numerical_rank(s, 1e-10), 2);
  EXPECT_EQ(numerical_rank(s, 0.5), 1);  // 1 <= 0.5 x 3 is not above the threshold
  // p = (3/4, 1/4, 0): exp(-(3/4 log 3/4 + 1/4 log 1/4)), 0 log 0 = 0; a few roundings of log and exp.
  const double expected = std::exp(-(0.75 * std::log(0.75) + 0.25 * std::log(0.25)));
  EXPECT_NEAR(entropy_rank(s), expected, 8 * tol::kEps * expected);
  EXPECT_NEAR(entropy_rank(Eigen::VectorXd::Constant(5, 2.0)), 5.0, 8 * tol::kEps * 5);  // flat spectrum: n
  EXPECT_EQ(numerical_rank(Eigen::VectorXd::Zero(3), 1e-10), 0);
  EXPECT_EQ(entropy_rank(Eigen::VectorXd::Zero(3)), 0.0);
  EXPECT_EQ(numerical_rank(Eigen::VectorXd(0), 1e-10), 0);
}

TEST(Deep, SchattenIdentityThroughTheDeepNetwork) {
  // THEORY.md s.6: min over factorisations W = W_L ... W_1 of (1/L) sum |W_l|_F^2 = sum_j s_j^{2/L}, attained by
  // the balanced factors. A one-stage deep net whose chain U_1..U_{L-1}, W is that factorisation (V absent, so
  // the chain is all of WD) has WD = 1/2 sum |W_l|^2 = (L/2) schatten_power(W, L): 4 for W = diag(3, 1), L = 2
  // (where 1/2 = 1/L). kSvdIdentity: the factors come from an SVD (tolerances.hpp).
  Eigen::MatrixXd W0 = Eigen::MatrixXd::Zero(2, 2);
  W0(0, 0) = 3;
  W0(1, 1) = 1;
  for (int L : {2, 3, 4}) {
    const Factors f = balanced_factors(W0, L);
    DeepNet net;
    DeepStage s;
    for (int l = 0; l + 1 < L; ++l) s.linear.push_back(f[l]);
    s.W = f[L - 1];
    s.b = Eigen::VectorXd::Zero(2);
    s.c = Eigen::VectorXd::Zero(2);
    s.C = Eigen::MatrixXd::Zero(2, 2);
    net.stages.push_back(s);
    ASSERT_NO_THROW(net.validate());
    const double expected = 0.5 * L * (std::pow(3.0, 2.0 / L) + 1.0);
    EXPECT_NEAR(weight_decay(net), expected, tol::kSvdIdentity * expected) << "L=" << L;
    EXPECT_NEAR(weight_decay(net), 0.5 * L * schatten_power(W0, L), tol::kSvdIdentity * expected) << "L=" << L;
    if (L == 2) {
      EXPECT_NEAR(weight_decay(net), 4.0, tol::kSvdIdentity * 4.0);
    }
    // The input map is W, with singular values (3, 1); the balanced chain is a fixed point of balance().
    const Eigen::VectorXd sv = input_map_spectra(net)[0];
    EXPECT_NEAR(sv(0), 3.0, tol::kSvdIdentity * 3);
    EXPECT_NEAR(sv(1), 1.0, tol::kSvdIdentity * 3);
    EXPECT_NEAR(weight_decay(balance(net)), expected, tol::kSvdIdentity * expected) << "L=" << L;
    // An unbalanced factorisation of the same W (a scalar moved between factors) has larger WD, and balance()
    // brings it back to the Schatten value (the chain scalars suffice here: the factors are otherwise balanced).
    DeepNet skewed = net;
    skewed.stages[0].linear[0] *= 3.0;
    skewed.stages[0].W /= 3.0;
    EXPECT_GT(weight_decay(skewed), expected * (1 + 1e-3));
    EXPECT_NEAR(weight_decay(balance(skewed)), expected, tol::kSvdIdentity * expected) << "L=" << L;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation, training.

void expect_invalid(const DeepNet& net, const std::vector<std::string>& fragments) {
  try {
    net.validate("deep.json");
    ADD_FAILURE() << "no error for " << fragments.front();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("deep.json"), std::string::npos) << msg;
    for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
  }
}

TEST(Deep, ValidateNamesTheStageAndTheProblem) {
  Rng rng(700);
  const DeepNet good = random_deep(rng, 3, {stage({2}, 4, 3, true, true), stage({}, 3, 0, false, false),
                                            stage({}, 2, 1, true, true)});
  EXPECT_NO_THROW(good.validate("deep.json"));
  expect_invalid(DeepNet{}, {"no stages"});
  DeepNet n = good;
  n.stages[1].b.resize(2);
  expect_invalid(n, {"stage 2", "b has 2 entries"});
  n = good;
  n.stages[0].linear.push_back(Eigen::MatrixXd::Zero(2, 5));  // U_1 is 2 x 3: U_2 must have 2 columns
  expect_invalid(n, {"stage 1", "linear layer U_2 has 5 columns but its input has width 2"});
  n = good;
  n.stages[0].W = Eigen::MatrixXd::Zero(4, 3);  // after U_1 (width 2)
  expect_invalid(n, {"stage 1", "W has 3 columns"});
  n = good;
  n.stages[2].W = rng.normal_matrix(2, 4);  // stage 2 has 3 outputs
  n.stages[2].C = Eigen::MatrixXd::Zero(1, 4);
  expect_invalid(n, {"stage 3", "takes 4 inputs but stage 2 has 3 outputs"});
  n = good;
  n.stages[0].V(1, 2) = std::nan("");
  expect_invalid(n, {"stage 1", "V contains NaN"});
  n = good;
  n.stages[2].b(0) = std::numeric_limits<double>::infinity();
  expect_invalid(n, {"stage 3", "b contains NaN or infinite"});
  n = good;
  n.stages[1].C(0, 0) = 0.5;
  expect_invalid(n, {"stage 2", "without skip connection must have C = 0"});
  n = good;
  n.stages[0].c.resize(2);
  expect_invalid(n, {"stage 1", "c has 2 entries"});
  n = good;
  n.stages[0].C.resize(3, 2);
  expect_invalid(n, {"stage 1", "skip connection C is 3 x 2"});
  n = good;
  n.stages[1].V.resize(0, 3);
  expect_invalid(n, {"stage 2", "an absent V is 0 x 0"});
  // to_shallow refuses what is not shallow.
  EXPECT_THROW(to_shallow(good), InputError);
}

TEST(Deep, TrainRejectsPathProxAndBadData) {
  Rng rng(710);
  const DeepNet net = random_deep(rng, 2, {stage({}, 4, 3, true, false), stage({}, 3, 1, true, true)});
  const Eigen::MatrixXd X = rng.normal_matrix(10, 2), Y = rng.normal_matrix(10, 1);
  TrainOptions o;
  o.optimizer = Optimizer::PathProx;
  try {
    train(net, X, Y, o);
    ADD_FAILURE() << "PathProx accepted for a deep network";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("optimizer: ", 0), 0u) << e.what();
  }
  o.optimizer = Optimizer::GD;
  EXPECT_THROW(train(net, X, Eigen::MatrixXd::Zero(10, 2), o), InputError);  // wrong number of outputs
  EXPECT_THROW(train(net, X.leftCols(1), Y, o), InputError);
  Eigen::MatrixXd bad = Y;
  bad(4, 0) = std::nan("");
  EXPECT_THROW(train(net, X, bad, o), InputError);
  DeepNet broken = net;
  broken.stages[1].C(0, 0) = std::nan("");
  EXPECT_THROW(train(broken, X, Y, o), InputError);
}

TEST(Deep, TrainingDecreasesTheObjective) {
  Rng rng(720);
  const int N = 60;
  const Eigen::MatrixXd X = rng.normal_matrix(N, 2);
  Eigen::MatrixXd Y(N, 2);
  for (int n = 0; n < N; ++n) {
    Y(n, 0) = std::sin(2 * X(n, 0)) * X(n, 1);
    Y(n, 1) = std::abs(X(n, 0) - X(n, 1));
  }
  const DeepNet init = init_deep_network(rng, 2, {stage({3}, 16, 4, true, true), stage({}, 12, 0, false, false),
                                                   stage({2}, 8, 2, true, true)});
  for (Optimizer opt : {Optimizer::GD, Optimizer::Adam}) {
    TrainOptions o;
    o.optimizer = opt;
    o.lambda = 1e-3;
    o.learning_rate = opt == Optimizer::Adam ? 1e-2 : 2e-3;
    o.max_steps = 1500;
    const double J0 = objective(init, X, Y, o.lambda).total;
    const DeepTrainResult r = train(init, X, Y, o);
    EXPECT_NO_THROW(r.net.validate());  // finite, same architecture
    EXPECT_EQ(r.steps, o.max_steps);
    // The result's objective is J of the result (recomputed: the same operations up to the gradient cache).
    EXPECT_NEAR(r.objective, objective(r.net, X, Y, o.lambda).total, 4 * tol::kEps * r.objective);
    EXPECT_NEAR(r.objective, r.data + o.lambda * r.weight_decay, 4 * tol::kEps * r.objective);
    // A real fit, not a rounding-level change: at least a factor 2 (measured in the printout).
    EXPECT_LT(r.objective, 0.5 * J0) << optimizer_name(opt);
    std::printf("deep %s: J %.4g -> %.4g in %d steps, |grad| %.2g\n", optimizer_name(opt).c_str(), J0, r.objective,
                r.steps, r.grad_norm);
    // Determinism: the same start gives the same bits.
    const DeepTrainResult r2 = train(init, X, Y, o);
    EXPECT_EQ(r2.objective, r.objective);
  }
}

}  // namespace
}  // namespace rtv
