// verify/registry.hpp: rtv's claim catalogue (CLAIMS.md), the claim list rtv-verify runs. Part of rtv's own claims
// library (rtv_verify_lib), not of the installed framework rtv::harness.
#pragma once

#include <vector>

#include "claim.hpp"

namespace rtv::verify {

/// Every claim, in CLAIMS.md order (registry.cpp lists them one per line; each is defined in
/// verify/claims/<id>_<slug>.cpp).
const std::vector<Claim>& registry();

}  // namespace rtv::verify
