// Claims W1 (rescaling invariance) and W2 (balancing minimises weight decay; minimum = path norm), and the
// figure F1 (a neuron is a linear spline whose second derivative is a Dirac of mass |v||w|). THEORY.md s.2, s.3.
#include <cmath>
#include <cstdio>

#include "claim.hpp"
#include "rtv/io/io.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"

namespace rtv::verify {

namespace {

// The random networks both W claims use: dimensions {1, 2, 5}, widths 1..64, edge cases built in, and the
// zero network once per dimension.
struct NetCase {
  int d = 1;
  ShallowNet net;
  Eigen::MatrixXd X;   // evaluation points, N(0, 2^2)
  Eigen::VectorXd a;   // a random rescaling, log-uniform in [1e-3, 1e3] per neuron
};

std::vector<NetCase> make_cases(const Context& ctx) {
  Rng rng = ctx.rng();
  const int per_dim = ctx.quick() ? 20 : 200;
  const int points = ctx.quick() ? 200 : 1000;
  std::vector<NetCase> cases;
  for (int d : {1, 2, 5}) {
    for (int i = 0; i < per_dim; ++i) {
      NetCase c;
      c.d = d;
      const int K = 1 + static_cast<int>(rng.uniform() * 64);
      c.net = (i == 0) ? ShallowNet::zeros(d, K) : random_network_with_edge_cases(rng, d, K);
      c.X = 2.0 * rng.normal_matrix(points, d);
      c.a.resize(K);
      for (int k = 0; k < K; ++k) c.a(k) = rng.log_uniform(1e-3, 1e3);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// max_n |f1(x_n) - f2(x_n)| / S_n with S_n the forward-error scale of net1 (rtv::evaluation_scale).
double max_scaled_difference(const ShallowNet& net1, const ShallowNet& net2, const Eigen::MatrixXd& X) {
  const Eigen::VectorXd f1 = evaluate(net1, X), f2 = evaluate(net2, X), S = evaluation_scale(net1, X);
  double m = 0.0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    const double diff = std::abs(f1(n) - f2(n));
    if (S(n) > 0) m = std::max(m, diff / S(n));
    else if (diff > 0) m = INFINITY;  // S_n = 0 means both evaluate exactly to 0
  }
  return m;
}

const std::string kIdentityRule =
    "<= 100 eps: forward-error bound 2(d+5) eps S_n of two evaluations and the rescaling's roundings, d <= 5";

}  // namespace

// ---------------------------------------------------------------------------------------------- W1

Claim claim_w1_rescaling_invariance() {
  Claim c;
  c.id = "W1";
  c.name = "rescaling-invariance";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.2";
  c.statement = "(v, w, b) -> (v/a, a w, a b), a > 0, leaves f and RTV(f) unchanged (ReLU is 1-homogeneous).";
  c.experiment = "Random networks in d = 1, 2, 5 (widths 1-64, with duplicate, antipodal and w = 0 neurons and the "
                 "zero network), a random factor a_k in [1e-3, 1e3] per neuron; f compared at N(0, 4 I) points "
                 "relative to the forward-error scale S_n, RTV relative to the path norm.";
  c.run = [](const Context& ctx) {
    const auto cases = make_cases(ctx);
    ctx.progress(std::to_string(cases.size()) + " networks, " + std::to_string(cases[0].X.rows()) + " points each");
    struct Out {
      double f_diff = 0, rtv_diff = 0;
      int plane_mismatch = 0;
    };
    std::vector<Out> out(cases.size());
    parallel_for(static_cast<int>(cases.size()), ctx.threads, [&](int i) {
      const NetCase& nc = cases[i];
      const ShallowNet scaled = rescale(nc.net, nc.a);
      out[i].f_diff = max_scaled_difference(nc.net, scaled, nc.X);
      const double pn = path_norm(nc.net);
      const double r0 = rtv_exact(nc.net), r1 = rtv_exact(scaled);
      out[i].rtv_diff = pn > 0 ? std::abs(r0 - r1) / pn : (r0 == r1 ? 0.0 : INFINITY);
      out[i].plane_mismatch = count_active_hyperplanes(distinct_hyperplanes(nc.net)) !=
                              count_active_hyperplanes(distinct_hyperplanes(scaled));
    });
    ClaimResult r;
    std::size_t worst_f = 0, worst_r = 0;
    int mismatches = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i].f_diff > out[worst_f].f_diff) worst_f = i;
      if (out[i].rtv_diff > out[worst_r].rtv_diff) worst_r = i;
      mismatches += out[i].plane_mismatch;
    }
    const double eps = tol::kEps;
    r.measurements.push_back(at_most("max |f - f_rescaled| / S_n", out[worst_f].f_diff, tol::kIdentity,
                                     kIdentityRule,
                                     "worst: d = " + std::to_string(cases[worst_f].d) + ", " +
                                         num(out[worst_f].f_diff / eps) + " eps"));
    r.measurements.push_back(at_most("max |RTV - RTV_rescaled| / PN", out[worst_r].rtv_diff, tol::kIdentity,
                                     "<= 100 eps: a_k = (v/a)|a w| carries ~4 roundings, summed in order",
                                     "worst: d = " + std::to_string(cases[worst_r].d) + ", " +
                                         num(out[worst_r].rtv_diff / eps) + " eps"));
    std::vector<double> cd, ck, cf, cr;
    for (std::size_t i = 0; i < out.size(); ++i) {
      cd.push_back(cases[i].d), ck.push_back(cases[i].net.width());
      cf.push_back(out[i].f_diff), cr.push_back(out[i].rtv_diff);
    }
    r.data_files.push_back(ctx.data_file("W1-per-network.csv"));
    write_csv(r.data_files.back(), {"d", "K", "max_f_diff_over_S", "rtv_diff_over_pn"}, {cd, ck, cf, cr});
    r.measurements.push_back(at_most("networks whose count of distinct active hyperplanes changed", mismatches, 0,
                                     "exactly 0: rescaling moves (gamma, t) by ~eps, far inside the 1e-9 merge "
                                     "tolerance",
                                     std::to_string(cases.size()) + " networks"));
    r.conclude();
    return r;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------- W2

namespace {

// F1: the 1D neuron f(x) = v sigma(w x - b), its derivative and its second derivative (a Dirac of mass
// |v||w| at the knot b/w); the mass is measured from samples of f by second differences, independently of
// the parameter formula.
struct DiracMass {
  double mass = 0.0;        // sum_i |f_{i+1} - 2 f_i + f_{i-1}| / h
  double bound = 0.0;       // rounding bound on that sum's error
  int stray = 0;            // second differences above rounding away from the knot
  std::vector<double> x, f;
};

DiracMass dirac_mass_from_samples(const ShallowNet& net, double lo, double hi, int n) {
  DiracMass dm;
  const double h = (hi - lo) / (n - 1);
  Eigen::MatrixXd X(n, 1);
  for (int i = 0; i < n; ++i) X(i, 0) = lo + i * h;
  const Eigen::VectorXd f = evaluate(net, X);
  const double fmax = f.cwiseAbs().maxCoeff();
  // Each sample has error <= 3 eps |f| (one product, one difference, one product); a second difference
  // combines four of them: per-term bound 12 eps max|f|; summed over n terms and divided by h.
  const double term_bound = 12.0 * tol::kEps * fmax;
  dm.bound = n * term_bound / h;
  const double knot = net.b(0) / net.W(0, 0);
  for (int i = 1; i + 1 < n; ++i) {
    const double dd = std::abs(f(i + 1) - 2.0 * f(i) + f(i - 1));
    dm.mass += dd / h;
    if (dd > term_bound && std::abs(X(i, 0) - knot) > h) ++dm.stray;
  }
  dm.x.assign(X.data(), X.data() + n);
  dm.f.assign(f.data(), f.data() + n);
  return dm;
}

FigureOutput figure_f1(const Context& ctx, const ShallowNet& neuron, const DiracMass& dm) {
  const double v = neuron.v(0), w = neuron.W(0, 0), knot = neuron.b(0) / w, lo = dm.x.front(), hi = dm.x.back();
  plot::Figure fig;
  fig.name = "F1-neuron-is-a-spline";
  fig.caption = "A ReLU neuron f(x) = v relu(w x - b) with v = " + num(v) + ", w = " + num(w) + ", b = " +
                num(neuron.b(0)) + " is a linear spline with one knot at b/w = " + num(knot) +
                "; its derivative is a step of height v w; its second derivative is a Dirac of mass |v||w| = " +
                num(std::abs(v * w)) + ", which is also the neuron's path norm and its minimal weight decay. "
                "The mass measured from samples of f by second differences is " + num(dm.mass) + ".";
  plot::Panel p1;
  p1.title = "f(x) = v relu(w x - b)";
  p1.xlabel = "x";
  p1.ylabel = "f";
  p1.series.push_back({dm.x, dm.f, "f", plot::Style::Lines, 1});
  p1.series.push_back({{knot}, {0.0}, "knot b/w", plot::Style::Points, 2});
  plot::Panel p2;
  p2.title = "f'(x): a step";
  p2.xlabel = "x";
  p2.ylabel = "f'";
  p2.series.push_back({{lo, knot, knot, hi}, {0.0, 0.0, v * w, v * w}, "f'", plot::Style::Lines, 1});
  p2.ymin = std::min(0.0, v * w) - 0.5, p2.ymax = std::max(0.0, v * w) + 0.5;
  plot::Panel p3;
  p3.title = "f''(x): a Dirac of mass |v||w|";
  p3.xlabel = "x";
  p3.ylabel = "mass";
  p3.series.push_back({{knot}, {std::abs(v * w)}, "|v||w| delta(x - b/w)", plot::Style::Impulses, 2});
  p3.xmin = lo, p3.xmax = hi, p3.ymin = 0.0, p3.ymax = 1.3 * std::abs(v * w);
  p3.labels.push_back({knot + 0.08 * (hi - lo), 1.05 * std::abs(v * w),
                       "from samples: " + std::to_string(dm.mass)});
  fig.panels = {p1, p2, p3};
  FigureOutput out;
  out.id = "F1";
  out.name = "neuron-is-a-spline";
  out.caption = fig.caption;
  out.files = plot::write_figure(fig, ctx.figure_dir, plot::kPng | plot::kPdf | plot::kSvg);
  return out;
}

}  // namespace

Claim claim_w2_balance_minimises_wd() {
  Claim c;
  c.id = "W2";
  c.name = "balance-minimises-wd";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.2";
  c.statement = "min over rescalings of WD = 1/2 sum (v^2/a^2 + a^2 |w|^2) is attained at |v| = |w| "
                "(a^2 = |v|/|w|, AM-GM) and equals the path norm sum |v||w|; the neuron's f'' has mass |v||w|.";
  c.experiment = "The W1 networks balanced by rtv::balance: WD(balanced) vs PN, imbalance, f unchanged; a scan "
                 "of a common factor s in [1e-2, 1e2] (401 log-spaced values) and 100 random per-neuron "
                 "rescalings must never go below PN; a 1D neuron's f'' mass from second differences of samples.";
  c.run = [](const Context& ctx) {
    const auto cases = make_cases(ctx);
    ctx.progress("balancing " + std::to_string(cases.size()) + " networks, scanning rescalings");
    struct Out {
      double wd_err = 0, imbalance = 0, f_diff = 0, below = -INFINITY;
      bool argmin_off = false;
    };
    std::vector<Out> out(cases.size());
    const Rng base = ctx.rng();
    parallel_for(static_cast<int>(cases.size()), ctx.threads, [&](int i) {
      const NetCase& nc = cases[i];
      const double pn = path_norm(nc.net);
      const ShallowNet B = balance(nc.net);
      Out& o = out[i];
      o.wd_err = pn > 0 ? std::abs(weight_decay(B) - pn) / pn : weight_decay(B);
      o.imbalance = max_imbalance(B);
      o.f_diff = max_scaled_difference(nc.net, B, nc.X);
      // Scan a common factor around the balanced point: the minimum must be at s = 1 (index 200).
      int argmin = -1;
      double best = INFINITY;
      for (int j = 0; j <= 400; ++j) {
        const double s = std::pow(10.0, -2.0 + 4.0 * j / 400.0);
        const double wd = weight_decay(rescale(B, Eigen::VectorXd::Constant(B.width(), s)));
        if (wd < best) best = wd, argmin = j;
        if (pn > 0) o.below = std::max(o.below, (pn - wd) / pn);
      }
      o.argmin_off = pn > 0 && argmin != 200;
      // Random per-neuron rescalings of the original network.
      Rng rng = Rng(base).split(static_cast<std::uint64_t>(i));
      for (int t = 0; t < 100 && pn > 0; ++t) {
        Eigen::VectorXd a(nc.net.width());
        for (int k = 0; k < a.size(); ++k) a(k) = rng.log_uniform(1e-2, 1e2);
        o.below = std::max(o.below, (pn - weight_decay(rescale(nc.net, a))) / pn);
      }
    });
    double wd_err = 0, imb = 0, fd = 0, below = -INFINITY;
    int off = 0;
    for (const auto& o : out) {
      wd_err = std::max(wd_err, o.wd_err), imb = std::max(imb, o.imbalance), fd = std::max(fd, o.f_diff);
      below = std::max(below, o.below), off += o.argmin_off;
    }
    ClaimResult r;
    r.measurements.push_back(at_most("max |WD(balanced) - PN| / PN", wd_err, tol::kClosedForm,
                                     "<= 1e-12 (CLAIMS.md): K <= 64 terms, each |v||w| to a few eps"));
    r.measurements.push_back(at_most("max imbalance | |v|-|w| | / max(|v|,|w|) after balancing", imb,
                                     tol::kClosedForm, "<= 1e-12: |v|/a and a|w| agree to a few eps"));
    r.measurements.push_back(at_most("max |f - f_balanced| / S_n", fd, tol::kIdentity, kIdentityRule));
    r.measurements.push_back(at_most("max (PN - WD(rescaled)) / PN over all scanned rescalings", below,
                                     tol::kClosedForm,
                                     "<= 1e-12: WD - PN = 1/2 sum (|v|/a - a|w|)^2 >= 0, up to rounding"));
    r.measurements.push_back(at_most("networks whose WD scan minimum is not at s = 1", off, 0,
                                     "exactly 0: the grid contains s = 1 and WD is strictly convex in log s"));

    // The 1D neuron of F1: v = 1.5, w = 2, knot just off the grid at 0.5 + h/3.
    const int n = ctx.quick() ? 601 : 3001;
    const double lo = -1.0, hi = 2.0, h = (hi - lo) / (n - 1);
    ShallowNet neuron = ShallowNet::zeros(1, 1, false);
    neuron.v(0) = 1.5;
    neuron.W(0, 0) = 2.0;
    neuron.b(0) = 2.0 * (0.5 + h / 3.0);
    const DiracMass dm = dirac_mass_from_samples(neuron, lo, hi, n);
    const double pn1 = path_norm(neuron);
    r.measurements.push_back(measure("f'' mass of a 1D neuron from second differences of samples", dm.mass, pn1,
                                     false, dm.bound,
                                     "<= 12 n eps max|f| / h: rounding of the samples, summed (no "
                                     "discretisation error: f is exactly linear between grid points)"));
    r.measurements.push_back(measure("WD of the balanced neuron vs its f'' mass |v||w|",
                                     weight_decay(balance(neuron)), dm.mass, true, dm.bound / pn1,
                                     "the mass's rounding bound above, relative to |v||w|"));
    r.measurements.push_back(at_most("second differences above rounding away from the knot", dm.stray, 0,
                                     "exactly 0: f'' is supported at the knot only"));
    r.data_files.push_back(ctx.data_file("F1-neuron.csv"));
    write_csv(r.data_files.back(), {"x", "f"}, {dm.x, dm.f});
    r.figures.push_back(figure_f1(ctx, neuron, dm));
    r.conclude();
    return r;
  };
  return c;
}

}  // namespace rtv::verify
