// Random shallow networks (rtv/nets/random_network.hpp).
#include "rtv/nets/random_network.hpp"

namespace rtv {

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
