// verify/claims/radon_checks.hpp: the smooth Gaussian phantom and the convergence-order check shared by claims R1
// and R2 (THEORY.md s.3, s.8).
#pragma once

#include <string>
#include <vector>

#include "claim.hpp"
#include "rtv/radon/phantoms.hpp"

namespace rtv::verify::radon_checks {

inline const Phantom& smooth_gaussian() {  // sigma = 0.15: its tail beyond the square [-1, 1]^2 is below 1e-8
  static const Phantom p = Phantom::gaussian(2, 1.0, 0.15, Eigen::Vector2d(0.1, -0.05));
  return p;
}

inline Measurement order_check(const std::string& what, const std::vector<double>& h, const std::vector<double>& e,
                               double expected, double slack, const std::string& why) {
  const double p = fitted_order(h, e);
  std::string detail = "errors";
  for (double x : e) detail += " " + num(x);
  return at_least(what + ": observed order (theory " + num(expected) + ")", p, expected - slack, why, detail);
}

}  // namespace rtv::verify::radon_checks
