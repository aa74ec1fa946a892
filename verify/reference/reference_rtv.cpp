// Reference R-TV values of the Gaussian from closed forms. See reference_rtv.hpp.
#include "reference_rtv.hpp"

#include <boost/math/special_functions/hypergeometric_1F1.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace rtv::verify::reference {

double hermite_he3(double t) { return t * (t * t - 3.0); }
double hermite_he4(double t) { return (t * t - 6.0) * t * t + 3.0; }

double gaussian_q2(double t) { return -4.0 * boost::math::hypergeometric_1F1(2.0, 0.5, -0.5 * t * t); }

double gaussian_q2_antiderivative(double t) {
  return -4.0 * t * boost::math::hypergeometric_1F1(2.0, 1.5, -0.5 * t * t);
}

std::vector<double> gaussian_q2_roots() {
  std::vector<double> roots;
  const double step = 0.01;
  double a = step, qa = gaussian_q2(a);
  for (int i = 2; i <= 1200; ++i) {
    const double b = i * step, qb = gaussian_q2(b);
    if ((qa < 0) != (qb < 0)) {
      std::uintmax_t iterations = 100;
      const auto bracket = boost::math::tools::toms748_solve(
          gaussian_q2, a, b, qa, qb, boost::math::tools::eps_tolerance<double>(52), iterations);
      roots.push_back(0.5 * (bracket.first + bracket.second));
    }
    a = b, qa = qb;
  }
  // The sign pattern of reference_rtv.hpp (- + -): anything else means the formula above is not the profile.
  if (roots.size() != 2) throw std::logic_error("reference: q2 should have 2 positive roots, found " +
                                                std::to_string(roots.size()));
  return roots;
}

double gaussian_rtv(int d) {
  switch (d) {
    case 1: return 4.0 * std::exp(-0.5);
    case 2: {
      const std::vector<double> r = gaussian_q2_roots();
      const double Q1 = gaussian_q2_antiderivative(r[0]), Q2 = gaussian_q2_antiderivative(r[1]);
      // (1/2) int_R |q| = int_0^inf |q| = |Q(r1) - Q(0)| + |Q(r2) - Q(r1)| + |Q(inf) - Q(r2)|, Q(0) = Q(inf) = 0.
      return std::abs(Q1) + std::abs(Q2 - Q1) + std::abs(Q2);
    }
    case 3: {
      const double zp = std::sqrt(3.0 + std::sqrt(6.0)), zm = std::sqrt(3.0 - std::sqrt(6.0));
      return 4.0 * (hermite_he3(zp) * std::exp(-0.5 * zp * zp) - hermite_he3(zm) * std::exp(-0.5 * zm * zm));
    }
    default: throw std::invalid_argument("reference: gaussian_rtv needs d = 1, 2 or 3");
  }
}

}  // namespace rtv::verify::reference
