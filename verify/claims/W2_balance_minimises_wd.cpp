// Claim W2 (balance-minimises-wd): balancing minimises weight decay over rescalings and the minimum is the path
// norm (THEORY.md s.2, s.3), and the figure F1 (a neuron is a linear spline whose second derivative is a Dirac of
// mass |v||w|). The random networks are those of weight_cases.hpp (shared with W1).
#include <cmath>
#include <cstdio>

#include "claim.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"
#include "weight_cases.hpp"

namespace rtv::verify {

using namespace weight_cases;

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
