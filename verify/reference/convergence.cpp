// verify/reference/convergence.cpp: fitted_order (convergence.hpp).
#include "convergence.hpp"

#include <cmath>
#include <cstddef>

namespace rtv::verify {

double fitted_order(const std::vector<double>& h, const std::vector<double>& err) {
  const std::size_t n = h.size();
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) mx += std::log(h[i]) / n, my += std::log(err[i]) / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = std::log(h[i]) - mx;
    sxy += dx * (std::log(err[i]) - my), sxx += dx * dx;
  }
  return sxy / sxx;
}

}  // namespace rtv::verify
