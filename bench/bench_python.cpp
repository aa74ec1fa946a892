// rtv_bench_python: the C++ side of bench/compare_python.py (issue 17's speed bar: from Python within 1.2x of C++).
// Times, on inputs written by the script, exactly the library calls the Python module makes:
//   evaluate   rtv::evaluate(net, X) of a shallow network (W.npy, b.npy, v.npy, c.npy, c0 in --c0) at the points
//              X.npy (N x d), single-threaded like the library's evaluate;
//   radon      rtv::radon(image, grid, sinogram grid, threads) of image.npy (n x n, extent 1) at --angles angles.
// Each is the minimum over --eval-reps / --reps repetitions (steady_clock around the call only: the inputs are
// loaded once).
// Writes the results (f.npy, sino.npy) into --dir so the script can check the two sides computed the same numbers,
// and prints one JSON line {"evaluate_s": ..., "radon_s": ...}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "rtv/io/arrays.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/radon/radon2d.hpp"

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

Eigen::VectorXd column(const std::string& path) {
  const auto a = rtv::read_array(path);
  return Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
}

const char* const kUsage =
    "usage: rtv_bench_python --dir DIR [--angles A] [--threads T] [--reps R] [--eval-reps E] [--c0 X]\n";

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int angles = 512, threads = 0, reps = 5, eval_reps = 3;
  double c0 = 0.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--dir") dir = v;
    else if (a == "--angles") angles = std::stoi(v);
    else if (a == "--threads") threads = std::stoi(v);
    else if (a == "--reps") reps = std::stoi(v);
    else if (a == "--eval-reps") eval_reps = std::stoi(v);
    else if (a == "--c0") c0 = std::stod(v);
    else {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
  }
  if (dir.empty() || argc % 2 == 0) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  rtv::ShallowNet net;
  net.W = rtv::read_array(dir + "/W.npy");
  net.b = column(dir + "/b.npy");
  net.v = column(dir + "/v.npy");
  net.c = column(dir + "/c.npy");
  net.c0 = c0;
  net.skip = true;
  net.validate("network");
  // The points as the module holds them after its conversion (points() in python/src/module.cpp): column-major.
  const Eigen::MatrixXd X = rtv::read_array(dir + "/X.npy");
  Eigen::VectorXd f;
  const double t_eval = best_seconds(eval_reps, [&] { f = rtv::evaluate(net, X); });

  const rtv::Array2D img = rtv::read_array(dir + "/image.npy");
  const rtv::ImageGrid ig{static_cast<int>(img.rows()), 1.0};
  const rtv::SinogramGrid sg = rtv::SinogramGrid::for_image(ig, angles);
  rtv::Array2D sino;
  const double t_radon = best_seconds(reps, [&] { sino = rtv::radon(img, ig, sg, threads); });

  rtv::write_array(dir + "/f.npy", Eigen::MatrixXd(f));
  rtv::write_array(dir + "/sino.npy", sino);
  std::printf("{\"evaluate_s\": %.6e, \"radon_s\": %.6e, \"points\": %ld, \"neurons\": %ld, \"n\": %ld, "
              "\"angles\": %d, \"threads\": %d, \"reps\": %d, \"eval_reps\": %d}\n",
              t_eval, t_radon, static_cast<long>(X.rows()), static_cast<long>(net.width()),
              static_cast<long>(img.rows()), angles, threads, reps, eval_reps);
  return 0;
}
