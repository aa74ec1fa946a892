// verify/reference/convergence.hpp: the observed convergence order of a refinement study, for the claims (also
// users' own: installed as rtv/verify/convergence.hpp with rtv::harness, which builds convergence.cpp) and the
// tests. It uses nothing of the library.
#pragma once

#include <vector>

namespace rtv::verify {

/// Least-squares slope of log(err) against log(h): the observed convergence order (err ~ C h^p).
double fitted_order(const std::vector<double>& h, const std::vector<double>& err);

}  // namespace rtv::verify
