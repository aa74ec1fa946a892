// Claim S3 (wd-training-solves-tv): weight-decay-trained wide 1D networks reach the exact optimum of the
// TV(f')-regularised problem; figure F2 (linear-spline-fits). The
// univariate theory of THEORY.md s.4 (ReLU networks are linear splines) and the skip connection of s.6, checked
// with the exact solvers of rtv/solvers/univariate.hpp against the independent references of reference_1d.hpp (a
// simplex LP and a brute force over knot configurations) and against trained networks. Shared data and plot
// helpers: univariate_data.hpp.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <vector>

#include "claim.hpp"
#include "reference_1d.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/solvers/train.hpp"
#include "rtv/solvers/univariate.hpp"
#include "univariate_data.hpp"
#include "training_runs.hpp"

namespace rtv::verify {

using namespace univariate_data;

namespace {

plot::Series knot_series(const Spline1d& s, std::string title, int color) {
  plot::Series out{{}, {}, std::move(title), plot::Style::Points, color};
  for (const Knot& k : s.knots)
    if (k.jump != 0.0) {
      out.x.push_back(k.x);
      out.y.push_back(evaluate(s, k.x));
    }
  return out;
}

// The points a knot of ANY solution may occupy, given the exact solution's slope-change signs at the interior
// data points (THEORY.md s.4; Debarre et al. 2022): a data point with a nonzero slope change, or the open
// interval between two consecutive data points whose slope changes are nonzero and of the same sign (there two
// knots can be merged, as in the sparsest solution). Returns the distance of x to that set.
double distance_to_admissible(double x, const std::vector<double>& xs, const std::vector<int>& sign) {
  const int N = static_cast<int>(xs.size());
  double best = 1e300;
  for (int i = 1; i + 1 < N; ++i) {
    if (sign[i] == 0) continue;
    best = std::min(best, std::abs(x - xs[i]));
    if (i + 2 < N && sign[i + 1] == sign[i] && x > xs[i] && x < xs[i + 1]) return 0.0;
  }
  return best;
}

}  // namespace

Claim claim_s3_wd_training_solves_tv() {
  Claim c;
  c.id = "S3";
  c.name = "wd-training-solves-tv";
  c.kind = Kind::Observation;
  c.section = "THEORY.md s.4";
  c.statement = "Weight-decay training of wide 1D ReLU networks reaches the exact optimum of min 1/2 sum (f(x_n) - "
                "y_n)^2 + lambda TV(f') (linear trend filtering), with knots only where solutions may have them.";
  c.experiment = "Noisy 1D data (N = 12), lambda in {0.02, 0.2}, width 60 with skip connection, full-batch GD at "
                 "lr 0.002 for time 1500 then lr / 10 for time 75, 4 seeds; the best seed's objective "
                 "against the exact trend-filtering optimum, its fitted values against the unique optimal ones, and "
                 "the share of its TV(f') at knots away from the admissible set of the exact solution.";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    // 4 seeds in quick mode too: at lambda = 0.02 one start in four stops at a local minimum 2.8% above the
    // optimum (measured over 16 seeds: 12 reach it; the local minimum lacks the knot at the last interior bend).
    const int seeds = 4, N = 12, width = 60;
    Rng data_rng(303);  // the data are fixed; the run seed moves the initialisations
    const Data1d d = kinked_data(data_rng, N, 0.2);
    const auto [xs, ys] = sorted_pairs(d.x, d.y);
    double hmin = 1e300;
    for (int i = 0; i + 1 < N; ++i) hmin = std::min(hmin, xs[i + 1] - xs[i]);
    plot::Figure fig;
    fig.name = "F2-linear-spline-fits";
    const double lo = xs.front() - 0.4, hi = xs.back() + 0.4;
    const std::vector<double> grid = linspace(lo, hi, 801);
    const double lambdas[2] = {0.02, 0.2};
    // The training runs, in parallel over ctx.threads: run i (lambda index i / seeds, seed i % seeds + 1; the last
    // one is figure F2's net without weight decay) is the same computation whatever the thread count and is stored
    // at index i; the loop below reads them in the fixed order (lambda, seed), so the report does not depend on
    // --threads.
    std::vector<TrainResult> runs(2 * seeds + 1);
    std::mutex progress_mutex;
    parallel_for(static_cast<int>(runs.size()), ctx.threads, [&](int i) {
      TrainOptions o;
      o.learning_rate = 0.002;  // 0.005 diverges from these starts (x up to 3.6, 60 neurons; measured)
      // Quick: half the time (750, then 37.5 at lr / 10), the same bars. Measured at quick size over harness seeds
      // 2301, 5, 6, 7: best seed's gap <= 1.3e-4 (bar 1e-3), fitted values <= 1.0e-3 RMS(y) (bar 1e-2), TV share
      // away from the admissible set <= 1e-12 (bar 1e-2); at full size the gaps are ~5e-6. The bars are the
      // claim's (CLAIMS.md S3), not the size's: finite training only has to get below them.
      // (The figure F2 net without weight decay runs as long.)
      o.max_steps = ctx.quick() ? 375000 : 750000;
      if (i == 2 * seeds) {  // figure F2: the same width trained without weight decay
        Rng rng = ctx.rng().split(7);
        runs[static_cast<std::size_t>(i)] = train(init_network(rng, 1, width), column(d.x), d.y, o);
        return;
      }
      const double lambda = lambdas[i / seeds];
      const int s = i % seeds + 1;
      {
        std::lock_guard<std::mutex> lock(progress_mutex);
        ctx.progress("lambda = " + num(lambda) + ", seed " + std::to_string(s) + "/" + std::to_string(seeds));
      }
      Rng rng = ctx.rng().split(static_cast<std::uint64_t>(1000 * lambda + s));
      o.lambda = lambda;
      runs[static_cast<std::size_t>(i)] = train_annealed(init_network(rng, 1, width), column(d.x), d.y, o);
    });
    for (int q = 0; q < 2; ++q) {
      const double lambda = lambdas[q];
      const std::string ll = "lambda = " + num(lambda);
      const TrendFilterResult tf = trend_filter_1d(d.x, d.y, lambda, true);
      std::vector<int> sign(N, 0);
      {  // slope-change signs of the exact (unique) fitted values, above the solver's rounding tolerance
        std::vector<double> f(N);
        for (int k = 0; k < N; ++k) f[k] = tf.fitted(tf.order[k]);
        for (int i = 1; i + 1 < N; ++i) {
          const double ds = (f[i + 1] - f[i]) / (xs[i + 1] - xs[i]) - (f[i] - f[i - 1]) / (xs[i] - xs[i - 1]);
          sign[i] = ds > tf.knot_tolerance ? 1 : (ds < -tf.knot_tolerance ? -1 : 0);
        }
      }
      double best = 1e300;
      TrainResult best_res;
      std::string detail = "per seed (objective, rel. gap):";
      int reached = 0;
      for (int s = 1; s <= seeds; ++s) {
        const TrainResult& res = runs[static_cast<std::size_t>(q * seeds + s - 1)];
        const double gap = (res.objective - tf.objective) / tf.objective;
        detail += " (" + num(res.objective) + ", " + num(gap) + ")";
        reached += gap <= 1e-3;
        if (res.objective < best) best = res.objective, best_res = res;
      }
      const ShallowNet& net = best_res.net;
      r.measurements.push_back(measure(ll + ": best trained objective vs exact optimum", best, tf.objective, true, 1e-3,
                                       "<= 1e-3 relative (CLAIMS.md S3, best of seeds)",
                                       detail + "; seeds within 1e-3: " + std::to_string(reached) + "/" +
                                           std::to_string(seeds) + "; exact: " + num(tf.objective) + " with " + std::to_string(tf.knots) +
                                           " knots (duality gap " + num(tf.duality_gap) + ")" +
                                           (ctx.quick() ? "; quick size: GD for time 750, then lr / 10 for time 37.5"
                                                        : "")));
      const VectorXd f = evaluate(net, column(d.x));
      const double rms_y = std::sqrt(d.y.squaredNorm() / N);
      r.measurements.push_back(at_most(ll + ": RMS(trained - optimal fitted values) / RMS(y)",
                                       std::sqrt((f - tf.fitted).squaredNorm() / N) / rms_y, 1e-2,
                                       "<= 1e-2: the optimal fitted values are unique (strictly convex data term); "
                                       "|f - f*|^2 <= 2 (J(f) - J*) ties it to the objective gap"));
      // Where the trained knots are: share of TV(f') more than hmin / 20 from the admissible set.
      const std::vector<Knot> kn = knots_1d(net);
      double total = 0, away = 0, far = 0;
      for (const Knot& k : kn) {
        total += std::abs(k.jump);
        const double dist = distance_to_admissible(k.x, xs, sign);
        if (dist > hmin / 20) away += std::abs(k.jump);
        far = std::max(far, dist * (std::abs(k.jump) > 1e-3 * tf.tv));
      }
      r.measurements.push_back(at_most(ll + ": share of the trained TV(f') at knots > h_min/20 from the admissible set",
                                       away / total, 1e-2,
                                       "<= 1e-2 (observation; admissible: data points where the optimum bends, and "
                                       "gaps between two bends of the same sign)",
                                       std::to_string(kn.size()) + " trained knots; farthest knot with > 1e-3 of the "
                                       "TV: " + num(far / hmin) + " h_min away"));
      if (lambda == 0.02) {  // Figure F2, left: the regularised fits
        plot::Panel p;
        p.title = "regularised, " + ll;
        p.ymin = -0.2, p.ymax = 3.6;  // room for the legend
        p.xlabel = "x";
        p.ylabel = "f(x)";
        const ShallowNet& unreg = runs[static_cast<std::size_t>(2 * seeds)].net;
        p.series = {net_series(unreg, grid, "trained, no weight decay", plot::Style::Lines, 4),
                    net_series(net, grid, "trained with weight decay", plot::Style::Lines, 1),
                    spline_series(tf.spline, grid, "exact TV optimum", plot::Style::Dashed, 2),
                    spline_series(tf.sparsest, grid, "sparsest optimum", plot::Style::Dashed, 3),
                    knot_series(tf.sparsest, "its knots", 3), data_series(d.x, d.y)};
        fig.panels.push_back(p);
      }
    }
    {  // Figure F2, right: interpolation (lambda -> 0), connect-the-dots and the sparsest interpolant.
      const InterpolationResult ip = min_tv_interpolation(d.x, d.y);
      const SparsestResult sp = sparsest_interpolant(d.x, d.y);
      plot::Panel p;
      p.title = "interpolation: TV(f') = " + num(ip.cost) + " for both";
      p.ymin = -0.2, p.ymax = 3.6;
      p.xlabel = "x";
      p.ylabel = "f(x)";
      p.series = {spline_series(ip.spline, grid, "connect-the-dots, " + std::to_string(ip.knots) + " knots",
                                plot::Style::Lines, 2),
                  knot_series(ip.spline, "", 2),
                  spline_series(sp.spline, grid, "sparsest, " + std::to_string(sp.knots) + " knots",
                                plot::Style::Dashed, 3),
                  knot_series(sp.spline, "", 3), data_series(d.x, d.y)};
      fig.panels.push_back(p);
    }
    fig.caption = "ReLU networks are linear splines (THEORY.md s.4). Left: 12 noisy points; a wide network trained "
                  "without weight decay (interpolates, kinks anywhere), the same trained with weight decay, the exact "
                  "optimum of 1/2 sum (f - y)^2 + lambda TV(f') (trend filtering, knots at data points) and the "
                  "sparsest optimum (dots: its knots, some between data points where two bends of one sign merge). "
                  "Right: minimum-TV interpolation: connect-the-dots and the sparsest interpolant have the same "
                  "TV(f').";
    r.figures.push_back({"F2", "linear-spline-fits", fig.caption, plot::write_figure(fig, ctx.figure_dir)});
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
