// rtv/core/random.hpp: seeded randomness. Every random quantity in the suite comes from an Rng built from an
// explicit seed (STYLE.md item 8); std::mt19937_64 and our own transforms (not std::*_distribution, whose
// output differs between standard libraries) so that the same seed gives the same numbers everywhere.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <random>

namespace rtv {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box-Muller, both values used).
  double normal();
  /// log-uniform in [lo, hi], lo > 0.
  double log_uniform(double lo, double hi);
  Eigen::MatrixXd normal_matrix(int rows, int cols);
  Eigen::VectorXd normal_vector(int n);
  /// A child generator for an independent stream, e.g. one per claim or per seed index.
  Rng split(std::uint64_t stream) { return Rng(engine_() ^ (0x9E3779B97F4A7C15ULL * (stream + 1))); }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace rtv
