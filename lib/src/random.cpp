// Seeded random numbers (see rtv/random.hpp for why we avoid std::*_distribution).
#include "rtv/random.hpp"

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

ShallowNet random_network(Rng& rng, int d, int K, bool skip) {
  ShallowNet net = ShallowNet::zeros(d, K, skip);
  net.W = rng.normal_matrix(K, d);
  net.b = rng.normal_vector(K);
  net.v = rng.normal_vector(K);
  if (skip) {
    net.c = rng.normal_vector(d);
    net.c0 = rng.normal();
  }
  return net;
}

ShallowNet random_network_with_edge_cases(Rng& rng, int d, int K, double share, bool skip) {
  ShallowNet net = random_network(rng, d, K, skip);
  for (int k = 1; k < K; ++k) {
    const double u = rng.uniform();
    if (u < share) {
      const int j = static_cast<int>(rng.uniform() * k);  // an earlier neuron
      const double s = rng.log_uniform(0.1, 10.0) * (rng.uniform() < 0.5 ? -1.0 : 1.0);
      net.W.row(k) = s * net.W.row(j);
      net.b(k) = s * net.b(j);
    } else if (u < share + 0.05) {
      net.W.row(k).setZero();
    }
  }
  return net;
}

}  // namespace rtv
