// examples/custom_claim/my_claims.cpp: a claim of your own in one file, run by rtv's harness with rtv-verify's
// options (--quick, --seed, --out, --claim, --threads, --junit, --list; --help) and report (report.md,
// report.json, the JUnit file for CI).
//
// A claim is a Claim: its id, name, kind, statement, the THEORY.md section, the experiment in one sentence, and
// run: Context (size, seed, threads, output folders) -> ClaimResult, whose measurements each compare a measured
// value with a prediction (measure) or a bound (at_most, at_least) and say why that tolerance.
#include <cmath>
#include <limits>
#include <vector>

#include <rtv/nets/norms.hpp>
#include <rtv/nets/random_network.hpp>
#include <rtv/verify/harness.hpp>

using namespace rtv;
using namespace rtv::verify;

// Weight decay of a balanced network equals its path norm (THEORY.md s.2): per neuron, min over a > 0 of
// 1/2 (v^2 / a^2 + a^2 |w|^2) = |v| |w| (AM-GM), attained at a^2 = |v| / |w|, which is what rtv::balance does. The
// path norm is computed here by hand, not with rtv::path_norm, so that the check does not use what it checks.
Claim balanced_wd_equals_path_norm() {
  Claim c;
  c.id = "U1";
  c.name = "balanced-wd-equals-path-norm";
  c.kind = Kind::Theorem;
  c.section = "THEORY.md s.2";
  c.statement = "After rtv::balance, WD = 1/2 sum (v_k^2 + |w_k|^2) equals the path norm sum |v_k| |w_k|, and no "
                "rescaling has a smaller WD (AM-GM).";
  c.experiment = "Random networks (d = 1..5, widths 1..32), the path norm summed by hand, WD of the network and of "
                 "its balanced version from rtv.";
  c.run = [](const Context& ctx) {
    Rng rng = ctx.rng();  // seeded by --seed and the claim id
    const int nets = ctx.quick() ? 40 : 400;
    double worst_gap = 0.0, least_excess = std::numeric_limits<double>::infinity();
    for (int i = 0; i < nets; ++i) {
      const ShallowNet net = random_network(rng, 1 + i % 5, 1 + i % 32);
      double pn = 0.0;
      for (int k = 0; k < net.width(); ++k) pn += std::abs(net.v(k)) * net.W.row(k).norm();
      if (pn == 0.0) continue;
      worst_gap = std::max(worst_gap, std::abs(weight_decay(balance(net)) - pn) / pn);
      least_excess = std::min(least_excess, (weight_decay(net) - pn) / pn);
    }
    // Tolerance: both sides are sums of K products of a few rounded factors each: 100 eps relative is a rounding
    // bound with room to spare; a wrong balance (a^2 = |w| / |v|, or a = |v| / |w|) misses it by orders of magnitude.
    const double eps = std::numeric_limits<double>::epsilon();
    ClaimResult r;
    r.measurements.push_back(at_most("max |WD(balance(net)) - PN| / PN over " + std::to_string(nets) + " networks",
                                     worst_gap, 100 * eps, "<= 100 eps: rounding of K products and sums"));
    r.measurements.push_back(at_least("min (WD(net) - PN) / PN (WD is never below PN)", least_excess, -100 * eps,
                                      ">= -100 eps: AM-GM up to rounding"));
    r.conclude();
    return r;
  };
  return c;
}

int main(int argc, char** argv) {
  static const std::vector<Claim> claims = {balanced_wd_equals_path_norm()};
  return harness_main(argc, argv, claims, "my-claims", "my project's claims, run by rtv's harness.");
}
