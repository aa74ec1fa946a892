// Claim R5 (rtv-equals-pathnorm): the numerical Radon-domain R-TV of a network on B_r is the sum of |sum a_k| over
// the hyperplanes meeting B_r;
// the Radon-domain measure of networks and ridge functions, THEORY.md s.3 and s.8, computed from closed-form
// transforms of the Gaussian-windowed functions (radon_measure.hpp), never from the parameter formula.
// Figure F4.
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <mutex>

#include "claim.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/nets/random_network.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "radon_domain.hpp"

namespace rtv::verify {

using namespace radon_domain;

namespace {

// Whether (g, t) is at least `sep` from every hyperplane in `planes`, in angle or in offset.
bool separated(const std::vector<std::pair<Eigen::VectorXd, double>>& planes, const Eigen::VectorXd& g, double t,
               double sep) {
  for (const auto& [g2, t2] : planes) {
    const auto [da, dt] = hyperplane_distance(g, t, g2, t2);
    if (da < sep && dt < sep) return false;
  }
  return true;
}

// A network whose distinct hyperplanes are resolvable at the detection grid (the method's resolution, stated in
// radon_measure.hpp): hyperplanes meeting B_r are >= 0.15 apart in angle or offset and >= 0.1 from the sphere
// |t| = r; two more neurons lie outside the ball (must not count). Edge cases (THEORY.md s.3): a neuron on
// neuron 0's hyperplane (same orientation, scaled), one on neuron 1's antipodal orientation, and a cancelling
// pair sigma(z) - sigma(-z) (affine: R-TV 0, path norm 2|v||w|). Skip connection on.
ShallowNet resolvable_network(Rng& rng, int d, int K) {
  ShallowNet net = ShallowNet::zeros(d, K + 4, true);
  std::vector<std::pair<Eigen::VectorXd, double>> planes;
  for (int k = 0; k < K; ++k) {
    const bool outside = k >= K - 2;
    for (int attempt = 0;; ++attempt) {
      const Eigen::VectorXd g = rng.normal_vector(d).normalized();
      const double t = outside ? (rng.uniform() < 0.5 ? -1 : 1) * kRadius * (1.15 + rng.uniform())
                               : (2 * rng.uniform() - 1) * 0.85 * kRadius;
      if (!separated(planes, g, t, 0.15) && attempt < 1000) continue;
      planes.emplace_back(g, t);
      const double wn = rng.log_uniform(0.5, 2.0);
      net.W.row(k) = wn * g.transpose();
      net.b(k) = wn * t;
      net.v(k) = (rng.uniform() < 0.5 ? -1.0 : 1.0) * rng.log_uniform(0.3, 2.0);
      break;
    }
  }
  net.W.row(K) = 1.7 * net.W.row(0);  // shared hyperplane, same orientation
  net.b(K) = 1.7 * net.b(0);
  net.v(K) = 0.4;
  net.W.row(K + 1) = -0.6 * net.W.row(1);  // shared hyperplane, antipodal orientation: the a's still add
  net.b(K + 1) = -0.6 * net.b(1);
  net.v(K + 1) = -0.9;
  // Cancelling pair on a hyperplane through the middle of the ball, away from the others.
  for (int attempt = 0;; ++attempt) {
    const Eigen::VectorXd g = rng.normal_vector(d).normalized();
    const double t = (2 * rng.uniform() - 1) * 0.5 * kRadius;
    if (!separated(planes, g, t, 0.15) && attempt < 1000) continue;
    net.W.row(K + 2) = 1.3 * g.transpose();
    net.b(K + 2) = 1.3 * t;
    net.W.row(K + 3) = -net.W.row(K + 2);
    net.b(K + 3) = -net.b(K + 2);
    net.v(K + 2) = 0.8;
    net.v(K + 3) = -0.8;
    break;
  }
  net.c = rng.normal_vector(d);
  net.c0 = rng.normal();
  return net;
}

// True hyperplanes meeting B_r with nonzero merged coefficient vs recovered spikes: counts of unmatched ones
// on either side, the largest coefficient error relative to max(|a_H|, floor), and the largest unmatched |a|
// relative to the floor.
//
// The floor is 1e-3 x the exact R-TV: the accuracy issue 14 asks of the total, and the size below which a
// coefficient changes the total by less than that. Relative to the total R-TV alone (the old rule) one
// coefficient 10% off passed whenever it was below 10% of the total; relative to max(|a_H|, floor) any
// coefficient above 1e-3 of the total must be right to the claim's 1e-2 of itself.
constexpr double kCoefficientFloor = 1e-3;
struct Match {
  int missed = 0;
  double worst_a = 0.0, worst_spurious = 0.0, worst_angle = 0.0, worst_t = 0.0;
  std::string worst_detail;
};
Match match_spikes(const ShallowNet& net, const RadonRtv& res, double angle_tol, double t_tol) {
  Match m;
  const double total = rtv_exact_ball(net, kRadius), floor = kCoefficientFloor * total;
  std::vector<bool> used(res.spikes.size(), false);
  for (const Hyperplane& h : distinct_hyperplanes(net)) {
    if (std::abs(h.t) >= kRadius || std::abs(h.a) <= 1e-12 * total) continue;
    int best = -1;
    double best_score = 1e300;
    for (size_t i = 0; i < res.spikes.size(); ++i) {
      const auto [da, dt] = hyperplane_distance(h.gamma, h.t, res.spikes[i].gamma, res.spikes[i].t);
      if (da <= angle_tol && dt <= t_tol && da / angle_tol + dt / t_tol < best_score) {
        best = static_cast<int>(i);
        best_score = da / angle_tol + dt / t_tol;
      }
    }
    if (best < 0) {
      ++m.missed;
      continue;
    }
    used[best] = true;
    const auto& s = res.spikes[best];
    const auto [da, dt] = hyperplane_distance(h.gamma, h.t, s.gamma, s.t);
    // The recovered a carries the orientation of the recovered (gamma, t); a is orientation-free (THEORY s.3).
    const double e = std::abs(s.a - h.a) / std::max(std::abs(h.a), floor);
    if (e > m.worst_a) {
      m.worst_a = e;
      m.worst_detail = "a_H = " + num(h.a) + ", recovered " + num(s.a);
    }
    m.worst_angle = std::max(m.worst_angle, da);
    m.worst_t = std::max(m.worst_t, dt);
  }
  for (size_t i = 0; i < res.spikes.size(); ++i)
    if (!used[i]) m.worst_spurious = std::max(m.worst_spurious, std::abs(res.spikes[i].a) / floor);
  return m;
}

// Two hyperplanes f heat-map cells apart in both angle and offset (a cell: pi / angles in angle, dt = r / 64 in
// offset, at radon_measure.hpp's default grid: angles = 256 in d = 2, 40 Gauss-Legendre nodes in d = 3), with
// coefficients of relative sign `sign`, beside two neurons at least 0.3 away from them (angle or offset) and a skip
// connection. Known parameters: the exact value does not depend on the numerics.
struct PairNet {
  ShallowNet net;
  Eigen::VectorXd g1, g2;
  double t1 = 0.0, t2 = 0.0;
};
PairNet pair_network(Rng& rng, int d, double f, double sign) {
  const double cell = M_PI / (d == 2 ? 256 : 40), dt = kRadius / 64;
  PairNet p;
  p.net = ShallowNet::zeros(d, 4, true);
  auto set = [&](int k, const Eigen::VectorXd& g, double t, double a) {
    const double wn = rng.log_uniform(0.5, 2.0);
    p.net.W.row(k) = wn * g.transpose();
    p.net.b(k) = wn * t;
    p.net.v(k) = a / wn;  // a = v |w|
  };
  p.g1 = rng.normal_vector(d).normalized();
  Eigen::VectorXd e = rng.normal_vector(d);
  e = (e - e.dot(p.g1) * p.g1).normalized();
  p.g2 = std::cos(f * cell) * p.g1 + std::sin(f * cell) * e;
  p.t1 = (2 * rng.uniform() - 1) * 0.5 * kRadius;
  p.t2 = p.t1 + (rng.uniform() < 0.5 ? -1.0 : 1.0) * f * dt;
  set(0, p.g1, p.t1, rng.log_uniform(0.5, 1.5));
  set(1, p.g2, p.t2, sign * rng.log_uniform(0.5, 1.5));
  std::vector<std::pair<Eigen::VectorXd, double>> planes = {{p.g1, p.t1}, {p.g2, p.t2}};
  for (int k = 2; k < 4; ++k)
    for (int attempt = 0;; ++attempt) {
      const Eigen::VectorXd g = rng.normal_vector(d).normalized();
      const double t = (2 * rng.uniform() - 1) * 0.8 * kRadius;
      if (!separated(planes, g, t, 0.3) && attempt < 1000) continue;
      planes.emplace_back(g, t);
      set(k, g, t, (rng.uniform() < 0.5 ? -1.0 : 1.0) * rng.log_uniform(0.3, 1.5));
      break;
    }
  p.net.c = rng.normal_vector(d);
  p.net.c0 = rng.normal();
  return p;
}

// Pairs closer than the heat map resolves (issue 14: trained networks make such near-duplicates). Same signs: the
// pair's box holds both and the value must be right (<= 1e-3). Opposite signs: either resolved and right, or
// reported as an unresolved pair at the right place with the right estimate of what the value misses; never a
// wrong value without the report.
std::vector<double> pair_spacings(const Context& ctx) {
  return ctx.quick() ? std::vector<double>{10, 0.1} : std::vector<double>{10, 3, 1, 0.3, 0.1};
}

// The pairs of pair_checks, drawn from rng in the order of its loops (signs outer, spacings inner).
std::vector<PairNet> draw_pairs(const Context& ctx, Rng& rng, int d) {
  std::vector<PairNet> pairs;
  for (double sign : {1.0, -1.0})
    for (double f : pair_spacings(ctx)) pairs.push_back(pair_network(rng, d, f, sign));
  return pairs;
}

// `pairs` from draw_pairs, `results` their radon_rtv_ball values (same order).
void pair_checks(const Context& ctx, int d, const std::vector<PairNet>& pairs, const std::vector<RadonRtv>& results,
                 ClaimResult& r) {
  const std::vector<double> spacings = pair_spacings(ctx);
  // The box margins of radon_rtv_ball at its defaults (R = 32 r, B = 1.5 dt): two kinks farther apart than
  // 2 x 12 B / R in angle or 2 x 4e-4 R in offset get separate boxes.
  const double cell = M_PI / (d == 2 ? 256 : 40), dt = kRadius / 64;
  const double sep_angle = 24 * 1.5 * dt / 32, sep_t = 2 * 4e-4 * 32 * kRadius;
  double worst_same = 0, worst_resolved = 0, worst_flag_value = 0, worst_flag_loc = 0, smallest_resolved = 1e300;
  int flagged_same = 0, silent = 0, missed_flags = 0, unresolved_separable = 0;
  std::string same_detail, opp_detail;
  std::size_t job = 0;
  for (double sign : {1.0, -1.0})
    for (double f : spacings) {
      const PairNet& p = pairs[job];
      const RadonRtv& res = results[job++];
      const double exact = rtv_exact_ball(p.net, kRadius);
      const double err = std::abs(res.value - exact) / exact;
      if (sign > 0) {
        worst_same = std::max(worst_same, err);
        flagged_same += static_cast<int>(res.unresolved.size());
        same_detail += (same_detail.empty() ? "" : ", ") + num(f) + ": " + num(err);
        continue;
      }
      const auto [pa, pt] = hyperplane_distance(p.g1, p.t1, p.g2, p.t2);
      const bool separable = pa >= sep_angle || pt >= sep_t;
      opp_detail += (opp_detail.empty() ? "" : ", ") + num(f) + ": " +
                    (res.unresolved.empty() ? "resolved, " + num(err) : std::string("reported"));
      if (res.unresolved.empty()) {
        worst_resolved = std::max(worst_resolved, err);
        if (err > 1e-3) ++silent;
        smallest_resolved = std::min(smallest_resolved, f);
        continue;
      }
      if (separable) ++unresolved_separable;
      if (res.unresolved.size() != 1) {
        ++missed_flags;
        continue;
      }
      const UnresolvedPair& u = res.unresolved[0];
      // Located: each reported kink on one of the pair's hyperplanes (either assignment).
      auto dist = [](const Eigen::VectorXd& g, double t, const Eigen::VectorXd& h, double s) {
        const auto [da, dd] = hyperplane_distance(g, t, h, s);
        return std::max(da, dd / kRadius);
      };
      const double loc = std::min(std::max(dist(u.gamma1, u.t1, p.g1, p.t1), dist(u.gamma2, u.t2, p.g2, p.t2)),
                                  std::max(dist(u.gamma1, u.t1, p.g2, p.t2), dist(u.gamma2, u.t2, p.g1, p.t1)));
      worst_flag_loc = std::max(worst_flag_loc, loc);
      const double missing = 2 * std::min(std::abs(u.a1), std::abs(u.a2));
      worst_flag_value = std::max(worst_flag_value, std::abs(res.value + missing - exact) / exact);
    }
  const std::string dd = "d = " + std::to_string(d);
  // Catches: boxes that split a same-sign pair or count it twice (the old spurious-candidate boxes: +0.3% to
  // +0.9%), a second kink hidden by the first (the pair's partner never found), a cluster that merges opposite
  // signs without reporting them.
  r.measurements.push_back(at_most(dd + ": same-sign pairs, worst |value - exact| / exact", worst_same, 1e-3,
                                   "<= 1e-3 (issue 14; model: Richardson residual ~4e-5)", "by cells apart: " + same_detail));
  r.measurements.push_back(at_most(dd + ": same-sign pairs reported as unresolved", flagged_same, 0,
                                   "0: same signs add in one box, as in the R-TV"));
  r.measurements.push_back(at_most(dd + ": opposite-sign pairs with a wrong value (> 1e-3) and no report", silent, 0,
                                   "0: never a silent cancellation", opp_detail));
  r.measurements.push_back(at_most(dd + ": opposite-sign pairs resolved, worst |value - exact| / exact", worst_resolved,
                                   1e-3, "<= 1e-3 (issue 14)",
                                   "resolved down to " + num(smallest_resolved) + " cells (" + num(cell) + " rad, " +
                                       num(dt) + " r per cell)"));
  r.measurements.push_back(at_most(dd + ": opposite-sign pairs left unresolved though farther apart than the box "
                                        "margins, or reported other than as one pair",
                                   unresolved_separable + missed_flags, 0,
                                   "0: margins " + num(sep_angle) + " rad or " + num(sep_t) + " r (radon_measure.hpp)"));
  r.measurements.push_back(at_most(dd + ": reported pairs, location error of the kinks (rad, or offset / r)",
                                   worst_flag_loc, 3e-8, "<= 3e-8: the last search range of the kink localisation (R4)"));
  r.measurements.push_back(at_most(dd + ": reported pairs, |value + 2 min(|a1|, |a2|) - exact| / exact", worst_flag_value,
                                   1e-3, "<= 1e-3: the report states what the value misses"));
}

// The benchmark's networks (bench_main.cpp: seed 404 + d, random_network with 10 neurons, offsets 0.9 |w| U(-1, 1)):
// 4.0e-3 off in d = 3 before issue 14 (two boxes around one spike).
ShallowNet benchmark_network(int d) {
  Rng nrng(404 + d);
  ShallowNet net = random_network(nrng, d, 10);
  for (int k = 0; k < 10; ++k) net.b(k) = net.W.row(k).norm() * 0.9 * (2 * nrng.uniform() - 1);
  return net;
}
void benchmark_check(int d, const ShallowNet& net, const RadonRtv& res, ClaimResult& r) {
  const double exact = rtv_exact_ball(net, kRadius);
  r.measurements.push_back(at_most("d = " + std::to_string(d) + ": the benchmark's 10-neuron network, |value - exact| / exact",
                                   std::abs(res.value - exact) / exact, 1e-3, "<= 1e-3 (issue 14)",
                                   "exact " + num(exact) + ", unresolved pairs " + std::to_string(res.unresolved.size())));
}

double grid_spacing(const RadonRtvOptions& o) { return M_PI / o.angles; }  // as in radon_rtv_ball

}  // namespace

Claim claim_r5_rtv_equals_pathnorm() {
  Claim c;
  c.id = "R5";
  c.name = "rtv-equals-pathnorm";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.3, s.8";
  c.statement = "The Radon-domain R-TV of a network on B_r is the sum over hyperplanes meeting B_r of |sum a_k| "
                "(= the path norm of those neurons when no two share a hyperplane).";
  c.experiment = "Random networks (d = 2, 3) with 8-10 neurons on resolvable hyperplanes, two outside B_1, a "
                 "neuron sharing a hyperplane with the same orientation, one with the antipodal orientation, a "
                 "cancelling pair sigma(z) - sigma(-z), and a skip connection. The numerical R-TV from the "
                 "windowed transforms (radon_rtv_ball, defaults) against the exact sum over merged hyperplanes; "
                 "recovered spikes matched to the true hyperplanes. Pairs of hyperplanes 10, 3, 1, 0.3, 0.1 heat-map "
                 "cells apart in angle and offset (quick: 10, 0.1), same and opposite signs, beside two other "
                 "neurons; the benchmark's random 10-neuron networks (bench_main.cpp; not in quick).";
  c.run = [](const Context& ctx) {
    ClaimResult r;
    Rng rng = ctx.rng();
    const int nets = ctx.quick() ? 1 : 3;
    const int K = ctx.quick() ? 8 : 10;
    // Every network first, drawn from rng in the order of the checks below (per d: the resolvable networks, then
    // the pairs); then every radon_rtv_ball in parallel over ctx.threads (one thread each), stored by index. The
    // networks depend on the draw order only and radon_rtv_ball on its input only, so the numbers do not depend on
    // the thread count (the calls are independent: one per network).
    struct Job {
      const ShallowNet* net;
      std::string what;
      RadonRtv res;
    };
    std::vector<ShallowNet> nets_of[2], bench_of[2];
    std::vector<PairNet> pairs_of[2];
    for (int q = 0; q < 2; ++q) {
      const int d = q + 2;
      for (int i = 0; i < nets; ++i) nets_of[q].push_back(resolvable_network(rng, d, K));
      pairs_of[q] = draw_pairs(ctx, rng, d);
      if (!ctx.quick()) bench_of[q].push_back(benchmark_network(d));
    }
    std::vector<Job> jobs;
    for (int q = 0; q < 2; ++q) {
      const std::string dd = "d = " + std::to_string(q + 2);
      for (int i = 0; i < nets; ++i)
        jobs.push_back({&nets_of[q][static_cast<std::size_t>(i)],
                        dd + ", network " + std::to_string(i + 1) + "/" + std::to_string(nets), {}});
      for (std::size_t j = 0; j < pairs_of[q].size(); ++j) {
        const double f = pair_spacings(ctx)[j % pair_spacings(ctx).size()];
        jobs.push_back({&pairs_of[q][j].net,
                        dd + ", pair " + num(f) + " cells apart, " + (j < pair_spacings(ctx).size() ? "same" : "opposite") +
                            " signs",
                        {}});
      }
      for (const ShallowNet& net : bench_of[q]) jobs.push_back({&net, dd + ", the benchmark's network", {}});
    }
    std::mutex progress_mutex;
    parallel_for(static_cast<int>(jobs.size()), ctx.threads, [&](int j) {
      Job& job = jobs[static_cast<std::size_t>(j)];
      {
        std::lock_guard<std::mutex> lock(progress_mutex);
        ctx.progress(job.what);
      }
      RadonRtvOptions o;
      o.threads = 1;
      job.res = radon_rtv_ball(RidgeSum::from_network(*job.net), kRadius, o);
    });
    std::size_t next = 0;
    for (int d : {2, 3}) {
      const int q = d - 2;
      double worst = 0, worst_R = 0, worst_2R = 0, worst_a = 0, worst_spurious = 0, max_gap = 0;
      int missed = 0;
      std::string worst_a_detail;
      ShallowNet shown;
      RadonRtv shown_res;
      for (int i = 0; i < nets; ++i) {
        const ShallowNet& net = nets_of[q][static_cast<std::size_t>(i)];
        const double exact = rtv_exact_ball(net, kRadius);
        const double pn = path_norm(net);
        max_gap = std::max(max_gap, (pn - exact) / exact);
        const RadonRtv& res = jobs[next++].res;
        worst = std::max(worst, std::abs(res.value - exact) / exact);
        worst_R = std::max(worst_R, std::abs(res.value_R - exact) / exact);
        worst_2R = std::max(worst_2R, std::abs(res.value_2R - exact) / exact);
        const Match m = match_spikes(net, res, 1.5 * grid_spacing(res.options), 2 * res.options.dt);
        missed += m.missed;
        worst_spurious = std::max(worst_spurious, m.worst_spurious);
        if (m.worst_a >= worst_a) worst_a = m.worst_a, worst_a_detail = m.worst_detail;
        if (i == 0) shown = net, shown_res = res;
      }
      const std::string dd = "d = " + std::to_string(d);
      r.measurements.push_back(at_most(dd + ": |numerical RTV - sum |a_H|| / sum |a_H|, worst of " +
                                           std::to_string(nets) + " networks",
                                       worst, 1e-2, "<= 1e-2 (CLAIMS.md)",
                                       "raw window R = 32: " + num(worst_R) + ", R = 64: " + num(worst_2R) +
                                           "; path norm exceeds the exact RTV by up to " + num(max_gap) +
                                           " (shared, antipodal, cancelling and outside neurons)"));
      r.measurements.push_back(at_most(dd + ": true hyperplanes not recovered (within 1.5 cells, 2 offsets)", missed, 0,
                                       "0: the recovered neuron set matches"));
      // Catches: a box that loses or double counts part of a spike, a leak from a neighbouring spike (the
      // coefficient floor makes a 10% error on any hyperplane above 1e-3 of the total fail; relative to the total,
      // as before, it passed below 10% of it), and spikes where there is no hyperplane (the cancelling pair and the
      // outside neurons must leave none).
      r.measurements.push_back(at_most(dd + ": recovered spikes without a true hyperplane, largest |a| / floor",
                                       worst_spurious, 1e-2,
                                       "<= 1e-2: as a coefficient error with a_H = 0 (floor = 1e-3 RTV)"));
      r.measurements.push_back(at_most(dd + ": worst coefficient error |a_rec - a_H| / max(|a_H|, 1e-3 RTV)", worst_a,
                                       1e-2,
                                       "<= 1e-2 (the claim's tolerance, per hyperplane; floor 1e-3 RTV: the total's "
                                       "target accuracy, below which a coefficient moves the total by less)",
                                       worst_a_detail));
      if (d == 2) {
        ctx.progress("figure F4");
        const int n = 121;
        Array2D surf(n, n);
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j) {
            Eigen::MatrixXd x(1, 2);
            x << -1.2 + 2.4 * j / (n - 1), -1.2 + 2.4 * i / (n - 1);
            surf(i, j) = evaluate(shown, x)(0);
          }
        std::vector<std::pair<Eigen::VectorXd, double>> truth, rec;
        for (const Hyperplane& h : distinct_hyperplanes(shown))
          if (std::abs(h.t) < kRadius && std::abs(h.a) > 1e-12) truth.emplace_back(h.gamma, h.t);
        for (const auto& s : shown_res.spikes)
          if (std::abs(s.a) > 1e-2 * shown_res.value) rec.emplace_back(s.gamma, s.t);
        plot::Figure fig;
        fig.name = "F4-radon-domain-network";
        plot::Panel p1;
        p1.title = "random network f (" + std::to_string(shown.width()) + " neurons, skip)";
        p1.xlabel = "x_1";
        p1.ylabel = "x_2";
        p1.heatmaps.push_back(heat(surf, -1.2, 1.2, -1.2, 1.2, false, "f"));
        plot::Panel p2 = measure_panel(shown_res.heatmap, truth, "its Radon-domain measure, spikes at the neurons",
                                       "true hyperplanes (|t| < 1)", 2);
        plot::Panel p3 = measure_panel(shown_res.heatmap, rec, "recovered spikes", "recovered", 3);
        fig.panels = {p1, p2, p3};
        fig.caption = "A random 2D network with shared, antipodal, cancelling and outside neurons (left) and the "
                      "filtered transform of its windowed Radon transform over [0, pi) x offsets (asinh scale), "
                      "with the true merged hyperplanes meeting B_1 (middle) and the recovered spikes (right). "
                      "Numerical R-TV " + num(shown_res.value) + " vs exact " + num(rtv_exact_ball(shown, kRadius)) +
                      "; the cancelling pair leaves no spike.";
        FigureOutput out{"F4", "radon-domain-network", fig.caption, plot::write_figure(fig, ctx.figure_dir)};
        r.figures.push_back(out);
      }
      std::vector<RadonRtv> pair_results;
      for (std::size_t j = 0; j < pairs_of[q].size(); ++j) pair_results.push_back(jobs[next++].res);
      pair_checks(ctx, d, pairs_of[q], pair_results, r);
      for (const ShallowNet& net : bench_of[q]) benchmark_check(d, net, jobs[next++].res, r);
    }
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
