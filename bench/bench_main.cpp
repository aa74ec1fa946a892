// rtv_bench: throughput of the foundation's kernels on this machine (best of 5 repetitions).
//   * batched evaluation of a 2 -> 512 -> 1 network on 1000 points (GFLOP/s of the GEMM-bound kernel);
//   * objective + gradient for the same network and data (the training step's cost);
//   * exact R-TV (hyperplane merging) of a 10000-neuron network with 25% shared hyperplanes.
// Later issues add their benchmarks (Radon transforms, training against PyTorch) here.
#include <chrono>
#include <cstdio>
#include <functional>

#include "rtv/network.hpp"
#include "rtv/norms.hpp"
#include "rtv/random.hpp"

namespace {

double best_seconds(int reps, const std::function<void()>& fn) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main() {
  rtv::Rng rng(1);
  const int d = 2, K = 512, N = 1000;
  const rtv::ShallowNet net = rtv::random_network(rng, d, K);
  const Eigen::MatrixXd X = rng.normal_matrix(N, d);
  const Eigen::VectorXd y = rng.normal_vector(N);
  volatile double sink = 0;
  const int inner = 200;
  const double t_eval = best_seconds(5, [&] {
    for (int i = 0; i < inner; ++i) sink = sink + rtv::evaluate(net, X)(0);
  }) / inner;
  rtv::ShallowNetGradient g;
  const double t_grad = best_seconds(5, [&] {
    for (int i = 0; i < inner; ++i) sink = sink + rtv::objective(net, X, y, 1e-3, &g).total;
  }) / inner;
  const rtv::ShallowNet big = rtv::random_network_with_edge_cases(rng, 3, 10000, 0.25);
  const double t_rtv = best_seconds(5, [&] { sink = sink + rtv::rtv_exact(big); });
  std::printf("%-52s %12s %14s\n", "benchmark", "time", "throughput");
  std::printf("%-52s %9.1f us %11.2f GF/s\n", "evaluate 2->512->1, N = 1000", t_eval * 1e6,
              2.0 * N * K * (d + 2) / t_eval * 1e-9);
  std::printf("%-52s %9.1f us %11.2f GF/s\n", "objective + gradient 2->512->1, N = 1000", t_grad * 1e6,
              2.0 * N * K * (2 * d + 4) / t_grad * 1e-9);
  std::printf("%-52s %9.2f ms %9.2f Mneur/s\n", "exact R-TV, K = 10000, d = 3, 25% shared", t_rtv * 1e3,
              10000 / t_rtv * 1e-6);
  return 0;
}
