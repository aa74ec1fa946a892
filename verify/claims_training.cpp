// Claims W3 (trained-nets-balanced) and W4 (wd-equals-pathnorm-optimum): stationary points of weight-decay training are balanced, so the WD term
// equals the path norm; without weight decay v_k^2 - |w_k|^2 - b_k^2 is conserved by gradient flow and drifts
// at first order in the step under gradient descent (THEORY.md s.2). Figure F5 (balance).
#include <cmath>

#include "claim.hpp"
#include "training_runs.hpp"
#include "rtv/io.hpp"
#include "rtv/norms.hpp"
#include "rtv/plot.hpp"
#include "rtv/train.hpp"

namespace rtv::verify {

namespace {

struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

// N points, X ~ N(0, I_d), y = sin(2 x1) (+ cos(x2) / 2) + 0.1 noise; the data seed is fixed per d.
Problem smooth_data(int d, int N, Rng rng) {
  Problem p{rng.normal_matrix(N, d), Eigen::VectorXd(N)};
  for (int n = 0; n < N; ++n)
    p.y(n) = std::sin(2 * p.X(n, 0)) + (d > 1 ? 0.5 * std::cos(p.X(n, 1)) : 0.0) + 0.1 * rng.normal();
  return p;
}

}  // namespace

TrainResult train_annealed(const ShallowNet& init, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const TrainOptions& o) {
  TrainResult res = train(init, X, y, o);
  TrainOptions fine = o;
  fine.learning_rate = o.learning_rate / 10;
  fine.max_steps = o.max_steps / 2;
  fine.history_stride = o.history_stride > 0 ? std::max(1, fine.max_steps / 10) : 0;
  const TrainResult tail = train(res.net, X, y, fine);
  for (const auto& h : tail.history)
    if (h.step > 0) {
      TrainRecord rec = h;
      rec.step = res.steps + h.step / 10;  // in units of the coarse step, for the time axis
      res.history.push_back(rec);
    }
  res.net = tail.net;
  res.steps += tail.steps;
  res.objective = tail.objective;
  res.grad_norm = tail.grad_norm;
  res.converged = tail.converged;
  res.stop_reason = tail.stop_reason;
  return res;
}

DeepTrainResult train_annealed(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                               const TrainOptions& o) {
  const DeepTrainResult coarse = train(init, X, Y, o);
  TrainOptions fine = o;
  fine.learning_rate = o.learning_rate / 10;
  fine.max_steps = o.max_steps / 2;
  DeepTrainResult res = train(coarse.net, X, Y, fine);
  res.steps += coarse.steps;
  return res;
}

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
    for (int d : {1, 2}) {
      const Problem P = smooth_data(d, d == 1 ? 8 : 20, Rng(77 + d));
      int within = 0, nontrivial = 0;
      double worst = 0, worst_gap = 0;
      std::string detail = "per seed (imbalance, active):";
      for (int s = 1; s <= seeds; ++s) {
        ctx.progress("d = " + std::to_string(d) + ", seed " + std::to_string(s) + "/" + std::to_string(seeds));
        Rng rng = ctx.rng().split(static_cast<std::uint64_t>(100 * d + s));
        const ShallowNet init = init_network(rng, d, 40);
        TrainOptions o;
        o.lambda = d == 1 ? 0.05 : 0.1;
        o.learning_rate = d == 1 ? 0.01 : 0.004;  // d = 2 at 0.01 diverged from some starts (measured)
        o.max_steps = static_cast<int>(T / o.learning_rate);
        o.history_stride = o.max_steps / 100;
        const TrainResult res = train_annealed(init, P.X, P.y, o);
        const TrainRecord& h = res.history.back();
        detail += " (" + num(h.max_imbalance) + ", " + std::to_string(h.active) +
                  (res.stop_reason == "max_steps" ? "" : ", " + res.stop_reason) + ")";
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
          TrainOptions o0 = o;
          o0.lambda = 0.0;
          const TrainResult res0 = train(init, P.X, P.y, o0);
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
                                        within, seeds - 1,
                                        ">= all but one (observation: finite training time; the slowest neurons "
                                        "are small active ones near a kink)",
                                        detail + "; worst " + num(worst)));
      r.measurements.push_back(at_most(dd + ": |WD - PN| / PN at the end, worst seed", worst_gap, 1e-3,
                                       "<= 1e-3: follows from the balance (THEORY.md s.2)"));
      r.measurements.push_back(at_least(dd + ": seeds that fit with >= 2 active neurons", nontrivial, seeds / 2,
                                        ">= half: the balance is not that of the zero network"));
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

// ---------------------------------------------------------------------------------------------- W4

Claim claim_w4_wd_equals_pathnorm_optimum() {
  Claim c;
  c.id = "W4";
  c.name = "wd-equals-pathnorm-optimum";
  c.kind = Kind::Observation;
  c.section = "THEORY.md s.2";
  c.statement = "Weight-decay training and path-norm (proximal) training reach the same objective and function: "
                "min [data + lambda WD] = min [data + lambda PN].";
  c.experiment = "The W3 problems (d = 1: N = 8, lambda = 0.05, lr = 0.01; d = 2: N = 20, lambda = 0.1, lr = 0.004), "
                 "width 40, time t = 2000, 6 seeds each for GD on the WD objective and "
                 "the path-norm proximal trainer (train.hpp); best of seeds compared.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    // Best of 6 seeds (quick too): both trainers have local solutions; with 4 seeds the prox trainer's best was a
    // local one (0.25% above GD's) for one harness seed in four (measured).
    const int seeds = 6;
    const double T = 2000.0;  // the prox trainer converges more slowly than GD (it also sparsifies)
    for (int d : {1, 2}) {
      const Problem P = smooth_data(d, d == 1 ? 8 : 20, Rng(77 + d));
      double best[2] = {1e300, 1e300};
      Eigen::VectorXd fit[2];
      std::string detail[2] = {"GD", "prox"};
      int zeros_prox = 0;
      for (int m = 0; m < 2; ++m)
        for (int s = 1; s <= seeds; ++s) {
          ctx.progress("d = " + std::to_string(d) + (m == 0 ? ", GD" : ", prox") + ", seed " + std::to_string(s));
          Rng rng = ctx.rng().split(static_cast<std::uint64_t>(500 + 100 * d + s));
          TrainOptions o;
          o.optimizer = m == 0 ? Optimizer::GD : Optimizer::PathProx;
          o.lambda = d == 1 ? 0.05 : 0.1;
          o.learning_rate = d == 1 ? 0.01 : 0.004;
          o.max_steps = static_cast<int>(T / o.learning_rate);
          const TrainResult res = train(init_network(rng, d, 40), P.X, P.y, o);
          detail[m] += " " + num(res.objective);
          if (res.objective < best[m]) {
            best[m] = res.objective;
            fit[m] = evaluate(res.net, P.X);
            if (m == 1) {
              zeros_prox = 0;
              for (int k = 0; k < res.net.width(); ++k) zeros_prox += res.net.v(k) == 0.0;
            }
          }
        }
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(measure(dd + ": best prox objective vs best GD objective", best[1], best[0], true, 1e-3,
                                       "<= 1e-3 relative (CLAIMS.md W4)",
                                       "per seed: " + detail[0] + "; " + detail[1] + "; exact zeros in the best prox net: " +
                                           std::to_string(zeros_prox) + " of 40"));
      const double rms_y = std::sqrt(P.y.squaredNorm() / P.y.size());
      const double rms_diff = std::sqrt((fit[0] - fit[1]).squaredNorm() / P.y.size());
      r.measurements.push_back(at_most(dd + ": RMS difference of the two best fits at the data / RMS(y)",
                                       rms_diff / rms_y, 1e-2,
                                       "<= 1e-2: the optimum's fitted values are unique (the data term is strictly "
                                       "convex in them); 1e-2 allows for finite training"));
    }
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
