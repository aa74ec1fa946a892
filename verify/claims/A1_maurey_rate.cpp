// Claim A1 (maurey-rate): K-term approximation of a function of bounded R-TV by Maurey's sampling from its
// Radon-domain measure; the L2 error falls like K^{-1/2} with the same exponent in every dimension (THEORY.md s.7).
// Figure F7 (rates; the Maurey panel).
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

}  // namespace rtv::verify
