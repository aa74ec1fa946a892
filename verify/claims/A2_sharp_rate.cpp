// Claim A2 (sharp-rate): the orthogonal greedy algorithm against the worst case of the unit ball of R-BV
// (THEORY.md s.7); the runs (shared with A3, cached) and their reasons are in rate_runs.hpp.
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
#include "rate_runs.hpp"

namespace rtv::verify {

using namespace rate_runs;

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
    // Handed out longest first (d = 3, then 2, then 1; in each d the runs with the grid and the single neurons
    // first), so that no thread is left with a long run at the end; stored by index, so the order changes no number.
    const int n_items = static_cast<int>(res.size());
    parallel_for(n_items, ctx.threads, [&](int m) {
      const int i = (static_cast<int>(ds.size()) - 1 - m / runs) * runs + m % runs;
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

}  // namespace rtv::verify
