// verify/claims/rate_runs.cpp: the cached runs of rate_runs.hpp (A2, A3).
#include "rate_runs.hpp"

#include <map>
#include <mutex>
#include <tuple>

#include "rtv/core/linalg.hpp"
#include "rtv/solvers/approx.hpp"
#include "rtv/solvers/certified.hpp"

namespace rtv::verify::rate_runs {

RateCurves rate_run(std::uint64_t seed, bool quick, int d, int run, bool grid) {
  using Key = std::tuple<std::uint64_t, bool, int, int>;
  static std::mutex mutex;
  static std::map<Key, RateCurves> cache;
  const Key key{seed, quick, d, run};
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end() && (!grid || !it->second.grid_random.empty())) return it->second;
  }
  const std::vector<double> Ks = rate_ks(quick, d);
  const int P = points_for(d, quick);
  RateCurves out;
  Rng base = Rng(seed).split(0xA2A3).split(static_cast<std::uint64_t>(100 * d + run));
  for (double Kd : Ks) {
    const int K = static_cast<int>(Kd);
    Rng rng = base.split(static_cast<std::uint64_t>(K));
    const ShallowNet f = random_measure_target(rng, d, kAtomsPerNeuron * K, kOffsetRange);
    const Eigen::MatrixXd X = uniform_ball(rng, P, d);
    const Eigen::VectorXd y = evaluate(f, X);
    out.greedy_random.push_back(orthogonal_greedy(X, y, K, rng).rms_error.back());
    if (grid) {
      const ShallowNet g = least_squares_output(ridge_grid(d, K), X, y);
      out.grid_random.push_back(std::sqrt((evaluate(g, X) - y).squaredNorm() / P));
    }
  }
  if (grid) {  // single neurons: one greedy run of K_max steps gives every K (the target does not depend on K)
    out.greedy_single.assign(Ks.size(), 0.0);
    out.grid_single.assign(Ks.size(), 0.0);
    for (int s = 0; s < kSingles; ++s) {
      Rng rng = base.split(static_cast<std::uint64_t>(1000 + s));
      const ShallowNet f = random_measure_target(rng, d, 1, kOffsetRange);
      const Eigen::MatrixXd X = uniform_ball(rng, P, d);
      const Eigen::VectorXd y = evaluate(f, X);
      const GreedyResult gr = orthogonal_greedy(X, y, static_cast<int>(Ks.back()), rng);
      for (std::size_t i = 0; i < Ks.size(); ++i) {
        out.greedy_single[i] = std::max(out.greedy_single[i], gr.rms_error[static_cast<std::size_t>(Ks[i])]);
        const ShallowNet g = least_squares_output(ridge_grid(d, static_cast<int>(Ks[i])), X, y);
        out.grid_single[i] = std::max(out.grid_single[i], std::sqrt((evaluate(g, X) - y).squaredNorm() / P));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex);
  cache[key] = out;
  return out;
}

}  // namespace rtv::verify::rate_runs
