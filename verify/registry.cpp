// The claim registry: every claim of CLAIMS.md that the harness runs, in catalogue order (the report's order).
// A claim is one file, verify/claims/<id>_<slug>.cpp, defining `Claim claim_<id>_<slug>()` (slug with '_' for
// '-'), plus one line X(<id>_<slug>) here; verify/CMakeLists.txt picks the file up by itself.
#include "registry.hpp"

// X(name) for every claim, in catalogue order.
#define RTV_VERIFY_CLAIMS(X)       \
  X(w1_rescaling_invariance)       \
  X(w2_balance_minimises_wd)       \
  X(w3_trained_nets_balanced)      \
  X(w4_wd_equals_pathnorm_optimum) \
  X(r1_radon_accuracy)             \
  X(r2_fbp_inversion)              \
  X(r3_gaussian_rtv)               \
  X(r4_neuron_dirac_pair)          \
  X(r5_rtv_equals_pathnorm)        \
  X(r6_ridge_rtv)                  \
  X(s1_min_tv_interpolation)       \
  X(s2_knot_bound_1d)              \
  X(s3_wd_training_solves_tv)      \
  X(s4_skip_connection)            \
  X(n1_neuron_reduction)           \
  X(n2_trained_sparsity)           \
  X(n3_certified_global_optimum)   \
  X(d1_schatten_identity)          \
  X(d2_linear_layers_low_rank)     \
  X(d3_deep_skip_connections)      \
  X(a1_maurey_rate)                \
  X(a2_sharp_rate)                 \
  X(a3_curse_contrast)

namespace rtv::verify {

#define RTV_VERIFY_DECLARE(name) Claim claim_##name();
RTV_VERIFY_CLAIMS(RTV_VERIFY_DECLARE)
#undef RTV_VERIFY_DECLARE

const std::vector<Claim>& registry() {
#define RTV_VERIFY_CALL(name) claim_##name(),
  static const std::vector<Claim> claims = {RTV_VERIFY_CLAIMS(RTV_VERIFY_CALL)};
#undef RTV_VERIFY_CALL
  return claims;
}

}  // namespace rtv::verify
