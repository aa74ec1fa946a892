// Seeded random numbers (see rtv/core/random.hpp for why we avoid std::*_distribution).
#include "rtv/core/random.hpp"

#include <cmath>

namespace rtv {

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double phi = 2.0 * M_PI * u2;
  spare_ = r * std::sin(phi);
  has_spare_ = true;
  return r * std::cos(phi);
}

double Rng::log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

Eigen::MatrixXd Rng::normal_matrix(int rows, int cols) {
  Eigen::MatrixXd M(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) M(i, j) = normal();
  return M;
}

Eigen::VectorXd Rng::normal_vector(int n) { return normal_matrix(n, 1).col(0); }

}  // namespace rtv
