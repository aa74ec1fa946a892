// verify/claims/weight_cases.hpp: the random networks of claims W1 and W2 and the identity check they share
// (THEORY.md s.2).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "claim.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/nets/random_network.hpp"

namespace rtv::verify::weight_cases {

// The random networks both W claims use: dimensions {1, 2, 5}, widths 1..64, edge cases built in, and the
// zero network once per dimension.
struct NetCase {
  int d = 1;
  ShallowNet net;
  Eigen::MatrixXd X;   // evaluation points, N(0, 2^2)
  Eigen::VectorXd a;   // a random rescaling, log-uniform in [1e-3, 1e3] per neuron
};

inline std::vector<NetCase> make_cases(const Context& ctx) {
  Rng rng = ctx.rng();
  const int per_dim = ctx.quick() ? 20 : 200;
  const int points = ctx.quick() ? 200 : 1000;
  std::vector<NetCase> cases;
  for (int d : {1, 2, 5}) {
    for (int i = 0; i < per_dim; ++i) {
      NetCase c;
      c.d = d;
      const int K = 1 + static_cast<int>(rng.uniform() * 64);
      c.net = (i == 0) ? ShallowNet::zeros(d, K) : random_network_with_edge_cases(rng, d, K);
      c.X = 2.0 * rng.normal_matrix(points, d);
      c.a.resize(K);
      for (int k = 0; k < K; ++k) c.a(k) = rng.log_uniform(1e-3, 1e3);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// max_n |f1(x_n) - f2(x_n)| / S_n with S_n the forward-error scale of net1 (rtv::evaluation_scale).
inline double max_scaled_difference(const ShallowNet& net1, const ShallowNet& net2,
                                    const Eigen::MatrixXd& X) {
  const Eigen::VectorXd f1 = evaluate(net1, X), f2 = evaluate(net2, X), S = evaluation_scale(net1, X);
  double m = 0.0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    const double diff = std::abs(f1(n) - f2(n));
    if (S(n) > 0) m = std::max(m, diff / S(n));
    else if (diff > 0) m = INFINITY;  // S_n = 0 means both evaluate exactly to 0
  }
  return m;
}

const std::string kIdentityRule =
    "<= 100 eps: forward-error bound 2(d+5) eps S_n of two evaluations and the rescaling's roundings, d <= 5";

}  // namespace rtv::verify::weight_cases
