// Claim W4 (wd-equals-pathnorm-optimum): weight-decay training and path-norm (proximal) training reach the same
// objective and the same function (THEORY.md s.2).
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

namespace {

Eigen::MatrixXd hull_test_points(const Eigen::MatrixXd& X) {
  std::vector<Eigen::VectorXd> pts;
  if (X.cols() == 1) {
    const double a = X.col(0).minCoeff(), b = X.col(0).maxCoeff();
    for (int i = 0; i <= 400; ++i) pts.push_back(Eigen::VectorXd::Constant(1, a + (b - a) * i / 400.0));
  } else {
    std::vector<std::pair<double, double>> p;
    for (Eigen::Index n = 0; n < X.rows(); ++n) p.push_back({X(n, 0), X(n, 1)});
    std::sort(p.begin(), p.end());
    auto cross = [](std::pair<double, double> o, std::pair<double, double> a, std::pair<double, double> b) {
      return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
    };
    std::vector<std::pair<double, double>> h(2 * p.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
      h[k++] = p[i];
    }
    for (std::size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
      while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
      h[k++] = p[i];
    }
    h.resize(k - 1);
    const double x0 = X.col(0).minCoeff(), x1 = X.col(0).maxCoeff(), y0 = X.col(1).minCoeff(), y1 = X.col(1).maxCoeff();
    for (int i = 0; i <= 40; ++i)
      for (int j = 0; j <= 40; ++j) {
        const std::pair<double, double> q{x0 + (x1 - x0) * i / 40.0, y0 + (y1 - y0) * j / 40.0};
        bool inside = true;
        for (std::size_t e = 0; e < h.size() && inside; ++e) inside = cross(h[e], h[(e + 1) % h.size()], q) > 0;
        if (inside) pts.push_back(Eigen::Vector2d(q.first, q.second));
      }
  }
  Eigen::MatrixXd out(static_cast<Eigen::Index>(pts.size()), X.cols());
  for (std::size_t i = 0; i < pts.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = pts[i].transpose();
  return out;
}

}  // namespace

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
                 "the path-norm proximal trainer (train.hpp); best of seeds compared: objectives, fitted values at "
                 "the data, and the functions on test points inside the data's convex hull (d = 1: 401 points; "
                 "d = 2: the points of a 41 x 41 grid inside the hull).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    // Best of 6 seeds (quick too): both trainers have local solutions; with 4 seeds the prox trainer's best was a
    // local one (0.25% above GD's) for one harness seed in four (measured).
    const int seeds = 6;
    const double T = 2000.0;  // the prox trainer converges more slowly than GD (it also sparsifies)
    const Problem problems[2] = {smooth_data(1, 8, Rng(77 + 1)), smooth_data(2, 20, Rng(77 + 2))};
    const Eigen::MatrixXd grids[2] = {hull_test_points(problems[0].X), hull_test_points(problems[1].X)};
    // Every (d, trainer, seed) run, in parallel over ctx.threads; run i is the same computation whatever the
    // thread count and its result is stored at index i, then gathered below in the fixed order (d, trainer,
    // seed), so the report does not depend on --threads. Index order: d = 2 first (its runs are 2.5x longer:
    // with dynamic scheduling the short d = 1 runs fill the gaps at the end).
    struct Run {
      double objective = 0.0;
      Eigen::VectorXd fit, on_grid;
      int zeros = 0;
    };
    auto run_index = [&](int d, int m, int s) { return ((2 - d) * 2 + m) * seeds + (s - 1); };
    std::vector<Run> runs(4 * seeds);
    std::mutex progress_mutex;
    parallel_for(static_cast<int>(runs.size()), ctx.threads, [&](int i) {
      const int d = 2 - i / (2 * seeds), m = (i / seeds) % 2, s = i % seeds + 1;
      const Problem& P = problems[d - 1];
      {
        std::lock_guard<std::mutex> lock(progress_mutex);
        ctx.progress("d = " + std::to_string(d) + (m == 0 ? ", GD" : ", prox") + ", seed " + std::to_string(s));
      }
      Rng rng = ctx.rng().split(static_cast<std::uint64_t>(500 + 100 * d + s));
      TrainOptions o;
      o.optimizer = m == 0 ? Optimizer::GD : Optimizer::PathProx;
      o.lambda = d == 1 ? 0.05 : 0.1;
      o.learning_rate = d == 1 ? 0.01 : 0.004;
      o.max_steps = static_cast<int>(T / o.learning_rate);
      const TrainResult res = train(init_network(rng, d, 40), P.X, P.y, o);
      Run& out = runs[static_cast<std::size_t>(i)];
      out.objective = res.objective;
      out.fit = evaluate(res.net, P.X);
      out.on_grid = evaluate(res.net, grids[d - 1]);
      for (int k = 0; k < res.net.width(); ++k) out.zeros += res.net.v(k) == 0.0;
    });
    for (int d : {1, 2}) {
      const Problem& P = problems[d - 1];
      double best[2] = {1e300, 1e300};
      Eigen::VectorXd fit[2], on_grid[2];
      const Eigen::MatrixXd& grid = grids[d - 1];
      const double lambda = d == 1 ? 0.05 : 0.1;
      std::string grid_detail, unique_note;
      std::string detail[2] = {"GD", "prox"};
      int zeros_prox = 0;
      for (int m = 0; m < 2; ++m)
        for (int s = 1; s <= seeds; ++s) {
          const Run& res = runs[static_cast<std::size_t>(run_index(d, m, s))];
          detail[m] += " " + num(res.objective);
          if (res.objective < best[m]) {
            best[m] = res.objective;
            fit[m] = res.fit;
            on_grid[m] = res.on_grid;
            if (m == 1) zeros_prox = res.zeros;
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
      // The exact optimum of the same problem (d = 1: trend filtering, exact; d = 2: the certified optimum of
      // claim N3): both trainers' best objectives against it, and the functions on the hull's test points.
      double J_opt;
      Eigen::VectorXd opt_grid;
      if (d == 1) {
        const TrendFilterResult tf = trend_filter_1d(P.X.col(0), P.y, lambda, true);
        J_opt = tf.objective;
        opt_grid = evaluate(tf.spline, Eigen::VectorXd(grid.col(0)));
        unique_note = "; exact solution: " + std::to_string(tf.knots) + " knots, sparsest form " +
                      std::to_string(tf.sparsest_knots) + (tf.knots == tf.sparsest_knots ? " (unique optimum)" : "");
      } else {
        const CertifiedResult cert = certified_optimum_2d(P.X, P.y, lambda);
        J_opt = cert.objective;
        opt_grid = evaluate(cert.net, grid);
      }
      const double rms_o = std::sqrt(opt_grid.squaredNorm() / opt_grid.size());
      auto dist_opt = [&](int m) { return std::sqrt((on_grid[m] - opt_grid).squaredNorm() / opt_grid.size()) / rms_o; };
      r.measurements.push_back(at_most(dd + ": worse of the two best objectives vs the exact optimum J* (" +
                                           std::string(d == 1 ? "trend filtering" : "certified, claim N3") +
                                           "), (J - J*) / J*",
                                       (std::max(best[0], best[1]) - J_opt) / J_opt, 1e-3,
                                       "<= 1e-3 (CLAIMS.md W4's bar, now against the optimum itself)",
                                       "J* = " + num(J_opt) + "; GD " + num((best[0] - J_opt) / J_opt) + ", prox " +
                                           num((best[1] - J_opt) / J_opt)));
      grid_detail = "RMS distance on the hull's test points to the exact optimum's function / its RMS: GD " +
                    num(dist_opt(0)) + ", prox " + num(dist_opt(1));
      // The functions between the data (CLAIMS.md W4: "functions agree on a test grid"). The optimum's fitted
      // values are unique, the function between the data need not be: in d = 2 the trained nets end within
      // 5e-5 of J* but 1-4% (RMS) away from the certified optimum's function on the hull, and 1-3% from each
      // other, a flat face of (near-)optimal functions (measured, also with 1.5x longer annealed training:
      // GD 4.7e-6 above J*, still 4.3% away). So the function is compared where it is determined: d = 1, where
      // the optimum is unique when the exact solution's slope changes never repeat a sign at consecutive knots
      // (THEORY.md s.4: only such runs leave the knots free; then its sparsest form has as many knots as it
      // does, which the detail shows); in d = 2 the distances are reported, not judged.
      const double rms_g = std::sqrt(on_grid[0].squaredNorm() / on_grid[0].size());
      const double rms_gd = std::sqrt((on_grid[0] - on_grid[1]).squaredNorm() / on_grid[0].size());
      if (d == 1)
        r.measurements.push_back(at_most(dd + ": RMS difference of the two best functions on " +
                                             std::to_string(grid.rows()) + " test points of the data's hull / RMS "
                                             "of the GD function there",
                                         rms_gd / rms_g, 1e-2,
                                         "<= 1e-2 (CLAIMS.md W4: functions agree on a test grid; finite training "
                                         "as at the data)", grid_detail + unique_note));
      else
        r.measurements.back().detail += "; functions on " + std::to_string(grid.rows()) + " test points of the "
                                        "hull (reported, not judged: near-optimal functions differ between the data): "
                                        "GD vs prox " + num(rms_gd / rms_g) + "; " + grid_detail;
    }
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
