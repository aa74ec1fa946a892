// K-term approximation (THEORY.md s.7); see rtv/approx.hpp.
#include "rtv/approx.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rtv/error.hpp"
#include "rtv/norms.hpp"

namespace rtv {

Eigen::MatrixXd uniform_ball(Rng& rng, int P, int d) {
  RTV_ASSERT(P >= 0 && d >= 1, "uniform_ball: P >= 0, d >= 1");
  Eigen::MatrixXd X(P, d);
  for (int p = 0; p < P; ++p) {
    Eigen::VectorXd g = rng.normal_vector(d);
    const double r = std::pow(rng.uniform(), 1.0 / d);
    X.row(p) = (r / g.norm()) * g.transpose();
  }
  return X;
}

ShallowNet random_measure_target(Rng& rng, int d, int M) {
  RTV_ASSERT(d >= 1 && M >= 1, "random_measure_target: d, M >= 1");
  ShallowNet f = ShallowNet::zeros(d, M, true);
  const double tmax = 1.0 / std::sqrt(static_cast<double>(d));
  for (int k = 0; k < M; ++k) {
    Eigen::VectorXd g = rng.normal_vector(d);
    g /= g.norm();
    const double a = (rng.uniform() < 0.5 ? -1.0 : 1.0) / M, s = std::sqrt(std::abs(a));
    f.W.row(k) = s * g.transpose();
    f.b(k) = s * rng.uniform(-tmax, tmax);
    f.v(k) = a > 0 ? s : -s;
  }
  return f;
}

ShallowNet maurey_sample(const ShallowNet& target, int K, Rng& rng) {
  RTV_ASSERT(K >= 1, "maurey_sample: K >= 1");
  const std::vector<NormalisedNeuron> nn = normalise(target);
  ShallowNet f = ShallowNet::zeros(target.dim(), K, target.skip);
  f.c = target.c;
  f.c0 = target.c0;
  for (int k = 0; k < target.width(); ++k)  // w = 0: the constant v relu(-b)
    if (target.W.row(k).norm() == 0.0) f.c0 += target.v(k) * std::max(0.0, -target.b(k));
  std::vector<double> cdf;
  double total = 0;
  for (const auto& n : nn) cdf.push_back(total += std::abs(n.a));
  if (nn.empty() || total == 0.0) return ShallowNet::zeros(target.dim(), 0, target.skip);
  const double coef = total / K, s = std::sqrt(coef);
  for (int j = 0; j < K; ++j) {
    const double u = rng.uniform() * total;
    const std::size_t i = std::min<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin(),
                                                 nn.size() - 1);
    f.W.row(j) = s * nn[i].gamma.transpose();
    f.b(j) = s * nn[i].t;
    f.v(j) = nn[i].a > 0 ? s : -s;
  }
  return f;
}

double maurey_expected_squared_error(const ShallowNet& target, const Eigen::MatrixXd& X, int K) {
  const std::vector<NormalisedNeuron> nn = normalise(target);
  const Eigen::Index P = X.rows();
  double total = 0, second = 0;
  Eigen::VectorXd g = Eigen::VectorXd::Zero(P);
  for (const auto& n : nn) {
    total += std::abs(n.a);
    const Eigen::VectorXd s = ((X * n.gamma).array() - n.t).cwiseMax(0.0).matrix();
    second += std::abs(n.a) * s.squaredNorm() / P;
    g += n.a * s;
  }
  return (total * second - g.squaredNorm() / P) / K;
}

}  // namespace rtv
