// The claim registry: every claim of CLAIMS.md that the harness runs, in catalogue order, one line each.
#include "claim.hpp"

namespace rtv::verify {

const std::vector<Claim>& registry() {
  static const std::vector<Claim> claims = {
      claim_w1_rescaling_invariance(),
      claim_w2_balance_minimises_wd(),
      claim_w3_trained_nets_balanced(),
      claim_w4_wd_equals_pathnorm_optimum(),
      claim_r1_radon_accuracy(),
      claim_r2_fbp_inversion(),
      claim_r3_gaussian_rtv(),
      claim_r4_neuron_dirac_pair(),
      claim_r5_rtv_equals_pathnorm(),
      claim_r6_ridge_rtv(),
      claim_s1_min_tv_interpolation(),
      claim_s2_knot_bound_1d(),
      claim_s3_wd_training_solves_tv(),
      claim_s4_skip_connection(),
      claim_n1_neuron_reduction(),
      claim_n2_trained_sparsity(),
      claim_n3_certified_global_optimum(),
      claim_d1_schatten_identity(),
      claim_d2_linear_layers_low_rank(),
      claim_d3_deep_skip_connections(),
      claim_a1_maurey_rate(),
      claim_a2_sharp_rate(),
      claim_a3_curse_contrast(),
  };
  return claims;
}

}  // namespace rtv::verify
