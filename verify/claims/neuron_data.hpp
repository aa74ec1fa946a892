// verify/claims/neuron_data.hpp: the target of claims N1-N3 (THEORY.md s.5).
#pragma once

#include <cmath>

#include "claim.hpp"
#include "rtv/core/random.hpp"

namespace rtv::verify::neuron_data {

using Eigen::MatrixXd;
using Eigen::VectorXd;

inline double relu(double z) { return z > 0 ? z : 0.0; }

// y = sin(2 x1) + |x2 - 0.3| / 2 (+ x3 / 3 ...) + noise: a target with kinks and curvature in every d.
inline VectorXd target(const MatrixXd& X, Rng& rng, double noise) {
  VectorXd y(X.rows());
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    y(n) = std::sin(2 * X(n, 0)) + noise * rng.normal();
    if (X.cols() > 1) y(n) += 0.5 * std::abs(X(n, 1) - 0.3);
    for (Eigen::Index i = 2; i < X.cols(); ++i) y(n) += X(n, i) / 3;
  }
  return y;
}

}  // namespace rtv::verify::neuron_data
