// Claim A1 (maurey-rate): K-term approximation of a function of bounded R-TV by Maurey's sampling from its
// Radon-domain measure; the L2 error falls like K^{-1/2} with the same exponent in every dimension (THEORY.md s.7).
// Figure F7 (rates; the Maurey panel).
// Claims A2 (sharp-rate) and A3 (curse-contrast): the orthogonal greedy algorithm against the worst case of the
// unit ball of R-BV, and a fixed (non-adaptive) ridge dictionary; F7's greedy and grid panels (owned by A3).
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

#include "claim.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/solvers/approx.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/io/plot.hpp"

namespace rtv::verify {

namespace {

// The slope of log error against log K per run, and the interval mean +- 2 sd / sqrt(runs) over runs (A1-A3).
struct SlopeStats {
  double mean = 0, half = 0;  // mean over runs +- 2 sd / sqrt(n)
  std::vector<double> each;
};
SlopeStats slope_stats(const std::vector<double>& Ks, const std::vector<std::vector<double>>& curves) {
  SlopeStats st;
  for (const auto& c : curves) st.each.push_back(fitted_order(Ks, c));
  const double n = static_cast<double>(st.each.size());
  double s2 = 0;
  for (double v : st.each) st.mean += v / n;
  for (double v : st.each) s2 += (v - st.mean) * (v - st.mean) / (n - 1);
  st.half = 2 * std::sqrt(s2 / n);
  return st;
}

}  // namespace

Claim claim_a1_maurey_rate() {
  Claim c;
  c.id = "A1";
  c.name = "maurey-rate";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.7";
  c.statement = "Sampling K neurons from |mu| / |mu|_M gives E |f - f_K|_{L2} ~ K^{-1/2}: the exponent does not "
                "depend on d.";
  c.experiment = "d = 2, 5, 10, 20, 50 (quick: 2, 10, 50): a target of 4000 unit neurons with known measure (|mu| = "
                 "1, rtv::random_measure_target); K = 4 .. 1024 (x2), 64 Maurey draws per K (quick: 32); L2 on the "
                 "unit ball by the mean over 2000 uniform points (quick: 1000); slope of log RMS error against log K, "
                 "its interval from 4 groups of draws (mean +- 2 sd / sqrt 4), and at every K the measured mean squared "
                 "error against its exact expectation on the same points (z-score over the draws).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const std::vector<int> ds = ctx.quick() ? std::vector<int>{2, 10, 50} : std::vector<int>{2, 5, 10, 20, 50};
    // 64 draws per K (quick: 32): the expectation is checked per K (a z-score per K, below), not pooled.
    const int P = ctx.quick() ? 1000 : 2000, draws = ctx.quick() ? 32 : 64, groups = 4;
    std::vector<double> Ks;
    for (int K = 4; K <= 1024; K *= 2) Ks.push_back(K);
    plot::Figure fig;
    fig.name = "F7-rates";
    plot::Panel panel;
    panel.title = "Maurey sampling from the Radon-domain measure";
    panel.xlabel = "K (neurons)";
    panel.ylabel = "RMS error on the unit ball";
    panel.logx = panel.logy = true;
    panel.ymin = 1e-3, panel.ymax = 30;  // room for the legend
    int color = 1;
    for (int d : ds) {
      ctx.progress("d = " + std::to_string(d));
      Rng rng = ctx.rng().split(static_cast<std::uint64_t>(d));
      const ShallowNet f = random_measure_target(rng, d, 4000);
      const Eigen::MatrixXd X = uniform_ball(rng, P, d);
      const Eigen::VectorXd fx = evaluate(f, X);
      std::vector<double> rms;
      std::vector<std::vector<double>> group_ms(groups, std::vector<double>(Ks.size(), 0.0));
      double worst_z = 0, worst_halfwidth = 0;
      std::string z_detail = "per K (mean e^2 / E e^2, z):";
      for (std::size_t i = 0; i < Ks.size(); ++i) {
        const int K = static_cast<int>(Ks[i]);
        const double expected = maurey_expected_squared_error(f, X, K);
        double ms = 0, q_sum = 0, q_sq = 0;
        for (int s = 0; s < draws; ++s) {
          const ShallowNet fk = maurey_sample(f, K, rng);
          const double e2 = (evaluate(fk, X) - fx).squaredNorm() / P;
          ms += e2 / draws;
          group_ms[s % groups][i] += e2 / (draws / groups);
          const double q = e2 / expected;
          q_sum += q, q_sq += q * q;
        }
        // Per K: the mean of e^2 / E e^2 over the draws and its standard error (Monte Carlo tier, STYLE.md 3).
        const double qm = q_sum / draws, se = std::sqrt(std::max(0.0, q_sq / draws - qm * qm) / (draws - 1));
        const double z = (qm - 1) / se;
        worst_z = std::max(worst_z, std::abs(z));
        worst_halfwidth = std::max(worst_halfwidth, 4 * se);
        z_detail += " " + num(qm) + " (" + num(z) + ")";
        rms.push_back(std::sqrt(ms));
      }
      const double slope = fitted_order(Ks, rms);
      std::vector<std::vector<double>> group_rms;
      for (const auto& g : group_ms) {
        group_rms.emplace_back();
        for (double m : g) group_rms.back().push_back(std::sqrt(m));
      }
      const SlopeStats gst = slope_stats(Ks, group_rms);
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(measure(dd + ": fitted slope of the RMS error in K", slope, -0.5, false, 0.1,
                                       "-0.5 +- 0.1 (CLAIMS.md A1)",
                                       "groups of draws: " + num(gst.mean) + " +- " + num(gst.half) + "; RMS error " +
                                           num(rms.front()) + " (K = 4) .. " + num(rms.back()) + " (K = 1024)"));
      // Guards the sampler's weights and signs (importance weight |mu|_M / K, sign of each atom): a bias in
      // the expectation at any K moves that K's mean ratio by many standard errors.
      r.measurements.push_back(at_most(dd + ": worst |z| over K of the mean squared error against its exact "
                                            "expectation (" + std::to_string(draws) + " draws per K)",
                                       worst_z, 4.0,
                                       "<= 4 standard errors at every K (Monte Carlo; " + std::to_string(Ks.size()) +
                                           " K per d, so a false alarm is < 1e-3 per d for normal means)",
                                       z_detail + "; widest 4 se " + num(worst_halfwidth)));
      panel.series.push_back({Ks, rms, "d = " + std::to_string(d) + " (slope " + num(slope) + ")",
                              plot::Style::LinesPoints, color++});
    }
    const double y0 = panel.series.front().y.front();
    panel.series.push_back({{Ks.front(), Ks.back()}, {y0 * 1.5, y0 * 1.5 * std::sqrt(Ks.front() / Ks.back())},
                            "K^{-1/2}", plot::Style::Dashed, 8});
    fig.panels = {panel};
    fig.caption = "Dimension-free approximation (THEORY.md s.7). K neurons sampled from the Radon-domain measure of a "
                  "target with |mu| = 1 (Maurey): the RMS error on the unit ball falls like K^{-1/2} in every "
                  "dimension from 2 to 50 (dashed: the slope -1/2).";
    r.figures.push_back({"F7", "rates", fig.caption, plot::write_figure(fig, ctx.figure_dir)});
    r.conclude();
    return r;
  };
  return c;
}


// ---------------------------------------------------------------- A2, A3: adaptive vs fixed K-term approximation
//
// The sharp rate K^{-(d+3)/(2d)} (THEORY.md s.7, Siegel & Xu) is a statement about the WORST CASE over the unit ball
// {|mu| <= 1} of R-BV: the greedy algorithm reaches it for every target, and no K-neuron approximant beats it for
// all targets. A fixed target need not show it: a fixed sum of M random unit neurons behaves, for K << M, like a
// Gaussian process of the ReLU ridge kernel, whose error falls only like M^{-1/2} K^{-3/(2d)} until K ~ M (scratch
// runs: slope -1.42 in d = 1 for M = 2000, -0.84 in d = 2 for M = 4000). The lower-bound construction is at scale M ~ K: at each K we take the target of M = 4K random unit
// neurons with |mu| = 1 (rtv::random_measure_target), whose error M^{-1/2} K^{-3/(2d)} ~ K^{-(d+3)/(2d)} is the
// worst-case rate. So each K has its own target, drawn from the unit ball.
//
// A fixed (non-adaptive) dictionary has a different worst case: a single unit neuron (|mu| = 1) that is not in it.
// Its error on random-neuron targets falls at the same rate as the greedy's (both are GP-like there, measured), but
// on single neurons only about like K^{-3/(2d)} (our reading of Siegel & Xu's n-width bound for linear methods; the
// exponent goes to 0 as d grows: the curse of dimensionality). A3 therefore compares the worst error over the family
// {random 4K-neuron target, 2 single neurons} per K. Finding: the greedy does not recover a single neuron in one
// step either (its selection maximises the unnormalised correlation |<r, g>|, which the target neuron itself need
// not maximise; measured direction errors 1e-2 - 5e-2 in d = 3, 5), so its single-neuron error also decays at a
// rate, and in d = 5 that is what sets its worst case at K <= 128.

namespace {

struct RateCurves {
  std::vector<double> greedy_random, greedy_single, grid_random, grid_single;  // RMS errors per K
};

constexpr int kAtomsPerNeuron = 4;  // M = 4K neurons in the scale-K target
constexpr int kSingles = 2;         // single-neuron targets per run (A3)
// Runs with the fixed grid and the single-neuron targets: A3's runs (A2 uses the same, cached).
constexpr int kWorstCaseRuns = 4, kWorstCaseRunsQuick = 3;
// A2's adaptivity margin: greedy worst-case slope below the grid's by >= 0.2 (measured 0.28-0.42 over d = 1-3).
constexpr double kAdaptiveMargin = 0.2;
// Offsets of the targets' neurons uniform in [-0.9, 0.9]: hyperplanes spread over the whole ball, as in the
// lower-bound construction (atoms spread over the whole parameter domain). With random_measure_target's default
// 1/sqrt(d) they cluster near the centre and the slopes come out steeper than the worst case (measured, 8-16 runs,
// K = 8 .. 64: d = 2: -1.30 vs -1.28; d = 3: -1.08 vs -1.05 with 0.9; the 1/sqrt(d) runs of the full claim: -1.37,
// -1.09).
constexpr double kOffsetRange = 0.9;

int points_for(int d, bool quick) {
  if (quick) return d <= 2 ? 1000 : 1500;
  return d <= 2 ? 2000 : 3000;
}

// K = 8 .. 128 (quick: .. 64), doubling. d = 1 (exact argmax, O(P log P) per step: cheap) runs K = 16 .. 256 in
// both sizes: its first octave is pre-asymptotic (measured over 10 runs: local slope -1.63 from K = 8 to 16, then
// -2.14, -1.90, -1.98, -2.05).
std::vector<double> rate_ks(bool quick, int d) {
  std::vector<double> Ks;
  const int lo = d == 1 ? 16 : 8, hi = d == 1 ? 256 : (quick ? 64 : 128);
  for (int K = lo; K <= hi; K *= 2) Ks.push_back(K);
  return Ks;
}

// One (d, seed) run: greedy (and, if `grid`, the fixed dictionary) on the scale-K targets, and on `singles` single
// unit neurons. Deterministic in (seed, d, run, quick); cached, so A2 and A3 share the greedy runs they have in
// common (the cache never changes a number: a run is a pure function of its key).
RateCurves rate_run(std::uint64_t seed, bool quick, int d, int run, bool grid) {
  using Key = std::tuple<std::uint64_t, bool, int, int>;
  static std::mutex mutex;
  static std::map<Key, RateCurves> cache;
  const Key key{seed, quick, d, run};
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && (!grid || !it->second.grid_random.empty())) return it->second;
  }
  const std::vector<double> Ks = rate_ks(quick, d);
  const int P = points_for(d, quick);
  RateCurves out;
  Rng base = Rng(seed).split(0xA2A3).split(static_cast<std::uint64_t>(100 * d + run));
  for (double Kd : Ks) {
    const int K = static_cast<int>(Kd);
    Rng rng = base.split(static_cast<std::uint64_t>(K));
    const ShallowNet f = random_measure_target(rng, d, kAtomsPerNeuron * K, kOffsetRange);
    const Eigen::MatrixXd X = uniform_ball(rng, P, d);
    const Eigen::VectorXd y = evaluate(f, X);
    out.greedy_random.push_back(orthogonal_greedy(X, y, K, rng).rms_error.back());
    if (grid) {
      const ShallowNet g = least_squares_output(ridge_grid(d, K), X, y);
      out.grid_random.push_back(std::sqrt((evaluate(g, X) - y).squaredNorm() / P));
    }
  }
  if (grid) {  // single neurons: one greedy run of K_max steps gives every K (the target does not depend on K)
    out.greedy_single.assign(Ks.size(), 0.0);
    out.grid_single.assign(Ks.size(), 0.0);
    for (int s = 0; s < kSingles; ++s) {
      Rng rng = base.split(static_cast<std::uint64_t>(1000 + s));
      const ShallowNet f = random_measure_target(rng, d, 1, kOffsetRange);
      const Eigen::MatrixXd X = uniform_ball(rng, P, d);
      const Eigen::VectorXd y = evaluate(f, X);
      const GreedyResult gr = orthogonal_greedy(X, y, static_cast<int>(Ks.back()), rng);
      for (std::size_t i = 0; i < Ks.size(); ++i) {
        out.greedy_single[i] = std::max(out.greedy_single[i], gr.rms_error[static_cast<std::size_t>(Ks[i])]);
        const ShallowNet g = least_squares_output(ridge_grid(d, static_cast<int>(Ks[i])), X, y);
        out.grid_single[i] = std::max(out.grid_single[i], std::sqrt((evaluate(g, X) - y).squaredNorm() / P));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex);
  cache[key] = out;
  return out;
}

double sharp_exponent(int d) { return -(d + 3.0) / (2.0 * d); }

std::string list(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : ", ") + num(x);
  return s;
}

// Geometric mean over runs, per K (the curve drawn in F7).
std::vector<double> geometric_mean(const std::vector<std::vector<double>>& curves) {
  std::vector<double> g(curves.front().size(), 0.0);
  for (const auto& c : curves)
    for (std::size_t i = 0; i < c.size(); ++i) g[i] += std::log(c[i]) / curves.size();
  for (double& v : g) v = std::exp(v);
  return g;
}

}  // namespace

Claim claim_a2_sharp_rate() {
  Claim c;
  c.id = "A2";
  c.name = "sharp-rate";
  c.kind = Kind::Observation;
  c.section = "THEORY.md s.7";
  c.statement = "Adaptive K-neuron approximation (the orthogonal greedy algorithm) reaches the sharp rate "
                "K^{-(d+3)/(2d)} of the worst case over the unit ball of R-BV (Siegel & Xu): exponent 2, 1.25, 1 "
                "for d = 1, 2, 3.";
  c.experiment = "d = 1, 2, 3; at each K = 8 .. 128 (x2; quick: .. 64; d = 1: 16 .. 256) a target of 4K random unit neurons with |mu| = "
                 "1 (the lower-bound construction at scale K; see claims_rates.cpp), the orthogonal greedy algorithm "
                 "(exact argmax in d = 1, the documented direction search of approx.hpp in d = 2, 3), RMS error on "
                 "2000-3000 uniform points of the unit ball (quick: 1000-1500); slope of log error against log K per "
                 "run, 8 runs per d (quick: 6), interval mean +- 2 sd / sqrt(runs); adaptivity: on A3's runs the "
                 "worst case over that target and 2 single unit neurons, where the greedy's slope must beat a "
                 "fixed ridge grid's by 0.2; in d = 2 the search's argmax is "
                 "checked against the exact O(N^2 log N) oracle of certified.hpp.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const bool quick = ctx.quick();
    const int runs = quick ? 6 : 8;
    const std::vector<int> ds = {1, 2, 3};
    std::vector<RateCurves> res(ds.size() * runs);
    ctx.progress("greedy runs: d = 1, 2, 3 x " + std::to_string(runs) + " targets per K");
    // Runs 0 .. kWorstCaseRuns - 1 also run the fixed grid and the single-neuron targets (shared with A3 through
    // rate_run's cache, so they cost nothing extra in a full run of both).
    const int worst_runs = quick ? kWorstCaseRunsQuick : kWorstCaseRuns;
    parallel_for(static_cast<int>(res.size()), ctx.threads, [&](int i) {
      res[static_cast<std::size_t>(i)] = rate_run(ctx.seed, quick, ds[static_cast<std::size_t>(i) / runs],
                                                  i % runs, i % runs < worst_runs);
    });
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const int d = ds[k];
      const std::vector<double> Ks = rate_ks(quick, d);
      std::vector<std::vector<double>> curves, worst_g, worst_f, grid_rnd;
      for (int j = 0; j < runs; ++j) {
        const RateCurves& rc = res[k * runs + j];
        curves.push_back(rc.greedy_random);
        if (j >= worst_runs) continue;
        std::vector<double> a(Ks.size()), b(Ks.size());
        for (std::size_t i = 0; i < Ks.size(); ++i) {
          a[i] = std::max(rc.greedy_random[i], rc.greedy_single[i]);
          b[i] = std::max(rc.grid_random[i], rc.grid_single[i]);
        }
        worst_g.push_back(a), worst_f.push_back(b), grid_rnd.push_back(rc.grid_random);
      }
      const SlopeStats st = slope_stats(Ks, curves), wg = slope_stats(Ks, worst_g), wf = slope_stats(Ks, worst_f),
                       gr = slope_stats(Ks, grid_rnd);
      const std::vector<double> gm = geometric_mean(curves);
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(measure(
          dd + ": fitted slope of the greedy's RMS error on the scale-K targets (mean over runs)", st.mean,
          sharp_exponent(d), false, 0.15, "within 0.15 of -(d+3)/(2d) (CLAIMS.md A2)",
          "interval " + num(st.mean) + " +- " + num(st.half) + "; runs: " + list(st.each) + "; error " + num(gm.front()) +
              " (K = " + num(Ks.front()) + ") .. " + num(gm.back()) + " (K = " + num(Ks.back()) +
              "); a fixed ridge grid on the same targets: " + num(gr.mean) + " +- " + num(gr.half)));
      // Adaptivity. On the scale-K targets a fixed ridge grid has the same slopes (measured -2.03, -1.25, -1.10:
      // inside the band above), so that check alone passes a non-adaptive method. The rate is a worst-case
      // statement: over A3's family (the scale-K target and 2 single unit neurons, |mu| = 1) the greedy must beat
      // the grid's worst-case slope by a stated margin, which a non-adaptive method cannot (measured margins
      // 0.28-0.42). The greedy's own worst-case slope is reported next to the theory, not judged by the band:
      // its single-neuron curves are still pre-asymptotic at K <= 128 (the OGA maximises the unnormalised
      // correlation, which the target neuron need not maximise; measured -0.85 in d = 3 in the full run).
      r.measurements.push_back(at_least(dd + ": worst case over A3's family: fixed-grid slope - greedy slope",
                                        wf.mean - wg.mean, kAdaptiveMargin,
                                        ">= 0.2: the adaptive method's worst-case exponent beats a non-adaptive one's "
                                        "by more than the per-run scatter (0.05-0.2)",
                                        "greedy worst case " + num(wg.mean) + " +- " + num(wg.half) + " (theory " +
                                            num(sharp_exponent(d)) + "), grid " + num(wf.mean) + " +- " +
                                            num(wf.half) + "; " + std::to_string(worst_runs) + " runs"));
    }
    // The d = 2 search against the exact oracle (certified.hpp): the first greedy step of scale-K targets.
    ctx.progress("d = 2: direction search vs the exact oracle");
    double worst = 1.0;
    const int checks = quick ? 2 : 4;
    Rng rng = ctx.rng();
    for (int i = 0; i < checks; ++i) {
      const int K = 8 << (2 * i % 5);
      const ShallowNet f = random_measure_target(rng, 2, kAtomsPerNeuron * K, kOffsetRange);
      const Eigen::MatrixXd X = uniform_ball(rng, points_for(2, quick), 2);
      Eigen::MatrixXd A(X.rows(), 3);
      A << X, Eigen::VectorXd::Ones(X.rows());
      const Eigen::VectorXd y = evaluate(f, X);
      const Eigen::VectorXd res0 = y - A * least_squares(A, y);  // orthogonal to [X, 1]
      const double exact = dual_oracle_2d(X, res0).value;
      const double found = best_neuron(X, res0, rng).value;
      worst = std::min(worst, found / exact);
    }
    r.measurements.push_back(at_least("d = 2: argmax found by the search / exact supremum (worst of " +
                                          std::to_string(checks) + " residuals)",
                                      worst, 0.99,
                                      ">= 0.99: a weak greedy step (a fraction rho of the sup) keeps the rate and "
                                      "changes only its constant (Siegel & Xu); 0.99 leaves the slope unaffected"));
    r.conclude();
    return r;
  };
  return c;
}

Claim claim_a3_curse_contrast() {
  Claim c;
  c.id = "A3";
  c.name = "curse-contrast";
  c.kind = Kind::Observation;
  c.section = "THEORY.md s.7";
  c.statement = "A fixed (non-adaptive) dictionary of K ridge atoms degrades with d: its worst-case error over the "
                "unit ball of R-BV falls ever more slowly as d grows; K adaptive neurons keep an exponent of at least "
                "1/2 in every d (-(d+3)/(2d)).";
  c.experiment = "d = 1, 2, 3, 5 (quick: 1, 2, 3); K = 8 .. 128 (x2; quick: .. 64; d = 1: 16 .. 256); per K the worst RMS error over "
                 "{a 4K-neuron random target, 2 single random unit neurons}, all with |mu| = 1, for the greedy "
                 "(approx.hpp) and for least squares on a fixed grid of K ridge atoms (rtv::ridge_grid: K^{(d-1)/d} "
                 "directions x K^{1/d} offsets); slopes per run, 4 runs per d (quick: 3), interval mean +- 2 sd / "
                 "sqrt(runs).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const bool quick = ctx.quick();
    const int runs = quick ? kWorstCaseRunsQuick : kWorstCaseRuns;
    // Quick mode leaves out d = 5: at K <= 64 the greedy's single-neuron curves there are still on plateaus
    // (measured: slopes -0.32 to -0.6 over seeds), too erratic for a few-second run.
    const std::vector<int> ds = quick ? std::vector<int>{1, 2, 3} : std::vector<int>{1, 2, 3, 5};
    std::vector<RateCurves> res(ds.size() * runs);
    ctx.progress("greedy and fixed-grid runs: d = " + list(std::vector<double>(ds.begin(), ds.end())) + " x " +
                 std::to_string(runs));
    parallel_for(static_cast<int>(res.size()), ctx.threads, [&](int i) {
      res[static_cast<std::size_t>(i)] = rate_run(ctx.seed, quick, ds[static_cast<std::size_t>(i) / runs],
                                                  i % runs, true);
    });
    plot::Figure fig;
    fig.name = "F7-rates-greedy-vs-grid";
    plot::Panel pg, pf;
    pg.title = "adaptive: orthogonal greedy (worst case)";
    pf.title = "fixed grid of ridge atoms (worst case)";
    for (plot::Panel* p : {&pg, &pf}) {
      p->xlabel = "K (neurons / atoms)";
      p->ylabel = "worst RMS error, |mu| = 1";
      p->logx = p->logy = true;
      p->xmin = 5, p->xmax = 400;
    }
    pg.ymin = 1e-7, pg.ymax = 1;  // decades of room above the curves for the legend
    pf.ymin = 1e-5, pf.ymax = 10;
    std::vector<SlopeStats> greedy, fixed;
    int color = 1;
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const int d = ds[k];
      const std::vector<double> Ks = rate_ks(quick, d);
      std::vector<std::vector<double>> gw, fw;
      for (int j = 0; j < runs; ++j) {
        const RateCurves& rc = res[k * runs + j];
        std::vector<double> a(Ks.size()), b(Ks.size());
        for (std::size_t i = 0; i < Ks.size(); ++i) {
          a[i] = std::max(rc.greedy_random[i], rc.greedy_single[i]);
          b[i] = std::max(rc.grid_random[i], rc.grid_single[i]);
        }
        gw.push_back(a), fw.push_back(b);
      }
      greedy.push_back(slope_stats(Ks, gw));
      fixed.push_back(slope_stats(Ks, fw));
      const SlopeStats &g = greedy.back(), &f = fixed.back();
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(at_most(dd + ": greedy worst-case slope (mean over runs)", g.mean, -0.4,
                                       "<= -0.4: the adaptive exponent stays near or above 1/2 in every d (theory "
                                       "-(d+3)/(2d) <= -0.5; 0.1 for the fit)",
                                       "theory " + num(sharp_exponent(d)) + "; interval +- " + num(g.half) +
                                           "; runs: " + list(g.each) + ". Fixed grid: slope " + num(f.mean) + " +- " +
                                           num(f.half) + " (runs: " + list(f.each) + "), next to -3/(2d) = " +
                                           num(-1.5 / d) + " (our reading of the n-width bound of linear methods)"));
      if (d >= 3)
        r.measurements.push_back(at_least(dd + ": fixed-grid slope - greedy slope", f.mean - g.mean, 0.1,
                                          ">= 0.1: the neurons' slope is better (CLAIMS.md A3, d >= 3) by more than "
                                          "the scatter of a mean slope (per-run slopes scatter by ~0.05-0.15 here)"));
      const std::vector<double> gm = geometric_mean(gw), fm = geometric_mean(fw);
      pg.series.push_back({Ks, gm, dd + " (" + num(g.mean) + ")", plot::Style::LinesPoints, color});
      pf.series.push_back({Ks, fm, dd + " (" + num(f.mean) + ")", plot::Style::LinesPoints, color});
      pg.series.push_back({{Ks.front(), Ks.back()},
                           {gm.front(), gm.front() * std::pow(Ks.back() / Ks.front(), sharp_exponent(d))}, "",
                           plot::Style::Dashed, color});
      pf.series.push_back({{Ks.front(), Ks.back()},
                           {fm.front(), fm.front() * std::pow(Ks.back() / Ks.front(), -1.5 / d)}, "",
                           plot::Style::Dashed, color});
      ++color;
    }
    for (std::size_t k = 1; k < ds.size(); ++k)
      r.measurements.push_back(at_least("fixed grid: slope(d = " + std::to_string(ds[k]) + ") - slope(d = " +
                                            std::to_string(ds[k - 1]) + ")",
                                        fixed[k].mean - fixed[k - 1].mean, fixed[k].half + fixed[k - 1].half,
                                        ">= the two slopes' summed intervals (mean +- 2 sd / sqrt(runs)): the "
                                        "non-adaptive exponent degrades as d grows (CLAIMS.md A3), beyond the "
                                        "scatter over runs"));
    fig.panels = {pg, pf};
    fig.caption = "Adaptive vs fixed K-term approximation (THEORY.md s.7). Worst RMS error over unit-ball targets "
                  "(|mu| = 1: 4K random neurons, and single neurons) against K, geometric mean over runs; dashed: "
                  "-(d+3)/(2d) (left, the sharp rate) and -3/(2d) (right). The greedy's exponent stays above 1/2 in "
                  "every d; the fixed grid's shrinks towards 0 as d grows (the curse of dimensionality).";
    r.figures.push_back({"F7", "rates", fig.caption, plot::write_figure(fig, ctx.figure_dir)});
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
