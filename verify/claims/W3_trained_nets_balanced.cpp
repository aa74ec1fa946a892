// Claim W3 (trained-nets-balanced): stationary points of weight-decay training are balanced, so the WD term
// equals the path norm; without weight decay v_k^2 - |w_k|^2 - b_k^2 is conserved by gradient flow and drifts
// at first order in the step under gradient descent (THEORY.md s.2). Figure F5 (balance).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "claim.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/solvers/train.hpp"
#include "rtv/solvers/univariate.hpp"
#include "training_runs.hpp"

namespace rtv::verify {

using namespace training_data;

Claim claim_w3_trained_nets_balanced() {
  Claim c;
  c.id = "W3";
  c.name = "trained-nets-balanced";
  c.kind = Kind::TheoremAndObservation;
  c.section = "THEORY.md s.2";
  c.statement = "Stationary points of weight-decay training are balanced (|v_k| = |w_k|), so WD = PN there; without "
                "weight decay v_k^2 - |w_k|^2 - b_k^2 is conserved by gradient flow (gradient descent: O(step)).";
  c.experiment = "Full-batch GD, width 40, lambda = 0.05, lr = 0.01 (d = 2: lambda = 0.1, lr = 0.004) for time t = 4000 (quick: 2000), then lr / 10 for "
                 "t/20 (GD chatters at the optimum's kinks with amplitude O(lr)), 4 seeds (quick: 2), d = 1 (N = 8) and d = 2 (N = 20). Active neurons: |v||w| > 1e-3 "
                 "of the largest. Without weight decay: the drift max_k |Q_k(t) - Q_k(0)| at t = 0.5 for steps "
                 "0.002, 0.001, 0.0005, 0.00025, and its fitted order.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    const int seeds = ctx.quick() ? 2 : 4;
    const double T = ctx.quick() ? 2000.0 : 4000.0;
    plot::Figure fig;
    fig.name = "F5-balance";
    plot::Panel scatter, timeline;
    scatter.title = "|v_k| vs |w_k|, d = 1, seed 1";
    scatter.xlabel = "|w_k|";
    scatter.ylabel = "|v_k|";
    scatter.logx = scatter.logy = true;
    timeline.title = "max imbalance of active neurons vs time";
    timeline.xlabel = "time t = steps x lr";
    timeline.ylabel = "max | |v| - |w| | / max(|v|, |w|)";
    timeline.logy = true;
    const Problem problems[2] = {smooth_data(1, 8, Rng(77 + 1)), smooth_data(2, 20, Rng(77 + 2))};
    auto options = [&](int d) {
      TrainOptions o;
      o.lambda = d == 1 ? 0.05 : 0.1;
      o.learning_rate = d == 1 ? 0.01 : 0.004;  // d = 2 at 0.01 diverged from some starts (measured)
      o.max_steps = static_cast<int>(T / o.learning_rate);
      o.history_stride = o.max_steps / 100;
      return o;
    };
    // The training runs, in parallel over ctx.threads: per d, the seeds' weight-decay runs and (last) seed 1's
    // start without weight decay (figure F5). Run i is the same computation whatever the thread count and is
    // stored at index i; the loop below reads them in the fixed order (d, seed), so the report does not depend
    // on --threads. Index order: d = 2 first (its runs are 2.5x longer; the short d = 1 runs fill the gaps).
    const int per_d = seeds + 1;
    std::vector<TrainResult> runs(2 * per_d);
    auto run_index = [&](int d, int j) { return (2 - d) * per_d + j; };  // j = s - 1, or seeds: no weight decay
    auto start = [&](int d, int s) {
      Rng rng = ctx.rng().split(static_cast<std::uint64_t>(100 * d + s));
      return init_network(rng, d, 40);
    };
    std::mutex progress_mutex;
    parallel_for(static_cast<int>(runs.size()), ctx.threads, [&](int i) {
      const int d = 2 - i / per_d, j = i % per_d;
      const Problem& P = problems[d - 1];
      TrainResult& out = runs[static_cast<std::size_t>(i)];
      if (j == seeds) {  // the same start as seed 1 without weight decay: the imbalance is not driven to 0
        TrainOptions o0 = options(d);
        o0.lambda = 0.0;
        out = train(start(d, 1), P.X, P.y, o0);
        return;
      }
      {
        std::lock_guard<std::mutex> lock(progress_mutex);
        ctx.progress("d = " + std::to_string(d) + ", seed " + std::to_string(j + 1) + "/" + std::to_string(seeds));
      }
      out = train_annealed(start(d, j + 1), P.X, P.y, options(d));
    });
    for (int d : {1, 2}) {
      const Problem& P = problems[d - 1];
      int within = 0, nontrivial = 0;
      double worst = 0, worst_gap = 0;
      std::string detail = "per seed (imbalance, active):";
      for (int s = 1; s <= seeds; ++s) {
        const ShallowNet init = start(d, s);
        const TrainOptions o = options(d);
        const TrainResult& res = runs[static_cast<std::size_t>(run_index(d, s - 1))];
        const TrainRecord& h = res.history.back();
        detail += " (" + num(h.max_imbalance) + ", " + std::to_string(h.active) +
                  (res.status == TrainStatus::MaxSteps ? "" : ", " + res.message) + ")";
        worst = std::max(worst, h.max_imbalance);
        worst_gap = std::max(worst_gap, std::abs(h.weight_decay - h.path_norm) / h.path_norm);
        within += h.max_imbalance <= 1e-3;
        nontrivial += h.active >= 2;
        if (d == 1 && s == 1) {
          plot::Series before{{}, {}, "initial", plot::Style::Points, 1}, after{{}, {}, "after WD training (active)",
                                                                          plot::Style::Points, 2};
          for (int k = 0; k < init.width(); ++k) {
            before.x.push_back(init.W.row(k).norm());
            before.y.push_back(std::abs(init.v(k)));
          }
          double amax = 0;
          for (int k = 0; k < res.net.width(); ++k) amax = std::max(amax, std::abs(res.net.v(k)) * res.net.W.row(k).norm());
          for (int k = 0; k < res.net.width(); ++k)
            if (std::abs(res.net.v(k)) * res.net.W.row(k).norm() > 1e-3 * amax) {
              after.x.push_back(res.net.W.row(k).norm());
              after.y.push_back(std::abs(res.net.v(k)));
            }
          scatter.series = {before, after, {{1e-2, 1e1}, {1e-2, 1e1}, "|v| = |w|", plot::Style::Dashed, 8}};
        }
        if (s == 1) {
          plot::Series tl{{}, {}, "WD, d = " + std::to_string(d), plot::Style::Lines, d};
          for (const auto& hh : res.history)
            if (hh.step > 0 && hh.max_imbalance > 0) {
              tl.x.push_back(hh.step * o.learning_rate);
              tl.y.push_back(hh.max_imbalance);
            }
          timeline.series.push_back(tl);
          // The same start without weight decay: the imbalance is not driven to 0.
          const TrainResult& res0 = runs[static_cast<std::size_t>(run_index(d, seeds))];
          plot::Series tl0{{}, {}, "no WD, d = " + std::to_string(d), plot::Style::Dashed, d};
          for (const auto& hh : res0.history)
            if (hh.step > 0 && hh.max_imbalance > 0) {
              tl0.x.push_back(hh.step * o.learning_rate);
              tl0.y.push_back(hh.max_imbalance);
            }
          timeline.series.push_back(tl0);
        }
      }
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(at_least(dd + ": seeds with max imbalance of active neurons <= 1e-3 (of " +
                                            std::to_string(seeds) + ")",
                                        within, seeds,
                                        "every seed (CLAIMS.md W3; measured worst 5.4e-4 over the quick and full "
                                        "runs: the annealed tail takes GD's O(step) chatter at the kinks below 1e-3)",
                                        detail + "; worst " + num(worst)));
      // Error model: WD - PN = 1/2 sum_k (|v_k| - |w_k|)^2 exactly, so with every active neuron balanced to a
      // relative delta (the bar above, 1e-3) the active share is <= delta^2 / 2 of PN, and the inactive neurons'
      // share (v^2 + |w|^2)/2 decays like exp(-2 lambda t) under weight decay. Bar delta^2 = 1e-6 (measured
      // 1e-8 - 3e-8); a WD or PN formula with a wrong power or factor is O(1) off.
      r.measurements.push_back(at_most(dd + ": |WD - PN| / PN at the end, worst seed", worst_gap, 1e-6,
                                       "<= delta^2 = 1e-6: WD - PN = 1/2 sum (|v| - |w|)^2 with every active neuron "
                                       "balanced to delta = 1e-3 (THEORY.md s.2)"));
      r.measurements.push_back(at_least(dd + ": seeds that fit with >= 2 active neurons", nontrivial, seeds,
                                        "every seed: the balance is not that of the zero network"));
      // Without weight decay: the conservation law's drift, first order in the step.
      std::vector<double> hs = {0.002, 0.001, 0.0005, 0.00025}, drift;
      Rng rng = ctx.rng().split(static_cast<std::uint64_t>(900 + d));
      const ShallowNet init = init_network(rng, d, 40);
      for (double h : hs) {
        TrainOptions o;
        o.learning_rate = h;
        o.max_steps = static_cast<int>(std::lround(0.5 / h));
        drift.push_back(train(init, P.X, P.y, o).history.back().conserved_drift);
      }
      std::string dd2 = "drifts";
      for (double x : drift) dd2 += " " + num(x);
      r.measurements.push_back(measure(dd + ", no WD: observed order of the drift of v^2 - |w|^2 - b^2 in the step",
                                       fitted_order(hs, drift), 1.0, false, 0.3,
                                       "1 +- 0.3: gradient flow conserves it, GD's local error is O(h^2) per step",
                                       dd2));
    }
    fig.panels = {scatter, timeline};
    fig.caption = "Weight-decay training balances the neurons (THEORY.md s.2). Left: |v_k| against |w_k| before "
                  "training and, for the active neurons, after it: on the diagonal. Right: the largest relative "
                  "imbalance of active neurons along training, with weight decay (solid: driven to 0 as the "
                  "network reaches a stationary point) and without (dashed: v^2 - |w|^2 - b^2 is conserved, the "
                  "imbalance is not driven anywhere).";
    FigureOutput out{"F5", "balance", fig.caption, plot::write_figure(fig, ctx.figure_dir)};
    r.figures.push_back(out);
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
