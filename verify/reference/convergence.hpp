// verify/reference/convergence.hpp: the observed convergence order of a refinement study, for the harness and the
// tests (part of rtv_reference: it uses nothing of the library).
#pragma once

#include <vector>

namespace rtv::verify {

/// Least-squares slope of log(err) against log(h): the observed convergence order (err ~ C h^p).
double fitted_order(const std::vector<double>& h, const std::vector<double>& err);

}  // namespace rtv::verify
