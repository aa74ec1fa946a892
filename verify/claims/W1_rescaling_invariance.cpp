// Claim W1 (rescaling-invariance): (v, w, b) -> (v/a, a w, a b) leaves the network's function unchanged
// (THEORY.md s.2). The random networks are those of weight_cases.hpp (shared with W2).
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

}  // namespace rtv::verify
