// rtv train: full-batch training of a shallow network with weight decay (gd, adam) or PathProx (train.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/core/random.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/solvers/train.hpp"

namespace rtv::cli {

int run_train(const std::vector<std::string>& args) {
  std::string data, out, optimizer = "gd";
  int width = 0, steps = 10000, seed = 1;
  double lambda = -1, lr = 1e-3, scale = 1.0, grad_tol = 0, rel_tol = 0;
  po::options_description desc(
      "rtv train DATA.csv --width K --lambda L -o NET.json [options]\n"
      "Full-batch training of f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0 on J = 1/2 sum (f(x_n) - y_n)^2 + "
      "lambda WD (gd, adam) or + lambda PN (prox: PathProx, balanced at the end); biases and skip not "
      "regularised. DATA: columns x1..xd, y (.csv with an optional header line, or .npy).\nOptions");
  desc.add_options()("help,h", "print this help")("data", po::value<std::string>(&data), "training data")(
      "width", po::value<int>(&width), "K: neurons (>= 1)")("lambda", po::value<double>(&lambda), "L >= 0")(
      "optimizer", po::value<std::string>(&optimizer)->default_value("gd"), "gd, adam or prox")(
      "lr", po::value<double>(&lr)->default_value(1e-3), "learning rate (prox: the largest step of its backtracking)")(
      "steps", po::value<int>(&steps)->default_value(10000), "maximum steps")(
      "grad-tol", po::value<double>(&grad_tol)->default_value(0), "stop when |grad J| <= this (gd, adam; 0: off)")(
      "rel-tol", po::value<double>(&rel_tol)->default_value(0), "stop when J changes by <= this relatively over 100 steps")(
      "init-scale", po::value<double>(&scale)->default_value(1.0), "initialisation scale (small: << 1)")(
      "seed", po::value<int>(&seed)->default_value(1), "seed of the initialisation")(
      "no-skip", "no skip connection c . x (c0 stays)")("output,o", po::value<std::string>(&out), "output network (.json)");
  po::positional_options_description pos;
  pos.add("data", 1);
  const auto vm = parse("train", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (data.empty()) throw UsageError("train: missing DATA (a .csv or .npy file)");
  if (!vm.count("width")) throw UsageError("train: missing --width K");
  if (width < 1) throw UsageError("train: --width must be at least 1, got " + std::to_string(width));
  if (!vm.count("lambda")) throw UsageError("train: missing --lambda L");
  if (out.empty()) throw UsageError("train: missing -o NET.json");
  if (seed < 0) throw UsageError("train: --seed must be >= 0");
  check_outputs({data}, {{"-o", out, {".json"}}});
  rtv::TrainOptions o;
  o.optimizer = rtv::parse_optimizer(optimizer);
  o.lambda = lambda;
  o.learning_rate = lr;
  o.max_steps = steps;
  o.grad_tol = grad_tol;
  o.rel_tol = rel_tol;
  o.validate();
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  read_training_data(data, X, y);
  rtv::Rng rng(static_cast<std::uint64_t>(seed));
  rtv::check_training_memory(X.rows(), X.cols(), width);  // before the initial network is allocated
  const rtv::ShallowNet init = rtv::init_network(rng, static_cast<int>(X.cols()), width, scale, !vm.count("no-skip"));
  o.progress_stride = std::max(1, steps / 20);
  o.progress = [&](int step, double J) {
    std::fprintf(stderr, "\rrtv train: step %d/%d  objective %.10g   ", step, steps, J);
  };
  std::fprintf(stderr, "rtv train: %s, N = %ld, d = %ld, width %d, lambda %g, %s, seed %d\n", data.c_str(),
               static_cast<long>(X.rows()), static_cast<long>(X.cols()), width, lambda, optimizer.c_str(), seed);
  const rtv::TrainResult res = rtv::train(init, X, y, o);
  // A diverged run writes nothing and exits 1 (issue 20: --lr 1e300 wrote weights of 1e300 or null, exit 0).
  const bool finite = res.net.W.allFinite() && res.net.b.allFinite() && res.net.v.allFinite() &&
                      res.net.c.allFinite() && std::isfinite(res.net.c0) && std::isfinite(res.objective);
  if (res.status == rtv::TrainStatus::Diverged || !finite) {
    std::fprintf(stderr, "\nrtv train: error: diverged after %d steps (non-finite objective): lower --lr (now %g); "
                 "nothing written to %s\n", res.steps, lr, out.c_str());
    return 1;
  }
  rtv::write_network_json(res.net, out);
  const auto& h = res.history.back();
  std::fprintf(stderr,
               "\nrtv train: %d steps (%s); objective %.10g = data %.10g + lambda x %s %.10g; path norm %.10g; "
               "active neurons %d; max imbalance %.3g -> %s\n",
               res.steps, res.message.c_str(), res.objective, h.data,
               o.optimizer == rtv::Optimizer::PathProx ? "PN" : "WD", o.optimizer == rtv::Optimizer::PathProx ? h.path_norm : h.weight_decay,
               h.path_norm, h.active, h.max_imbalance, out.c_str());
  return 0;
}

}  // namespace rtv::cli
