// rtv solve: the certified global optimum over networks of any width (THEORY.md s.5): d = 2 by column
// generation (certified.hpp), d = 1 by exact trend filtering (univariate.hpp).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/solvers/univariate.hpp"

namespace rtv::cli {

// THEORY.md s.5: the global optimum of min 1/2 sum (f(x_n) - y_n)^2 + lambda RTV(f), certified in d = 2 (column
// generation with the exact oracle, rtv/solvers/certified.hpp); d = 1 is exact trend filtering (rtv/solvers/univariate.hpp).
int run_solve(const std::vector<std::string>& args) {
  std::string data, out;
  double lambda = 0;
  po::options_description desc(
      "rtv solve DATA.csv --lambda L -o OUT.json [--json]\n"
      "The global optimum over networks of any width of 1/2 sum (f(x_n) - y_n)^2 + L RTV(f) (skip connection; "
      "THEORY.md s.5): d = 2 by column generation with an exact dual oracle, with a dual certificate (no network "
      "does better than the dual value); d = 1 by exact trend filtering. At most N - (d + 1) neurons.\nOptions");
  desc.add_options()("help,h", "print this help")("data", po::value<std::string>(&data), "data x1..xd, y")(
      "lambda", po::value<double>(&lambda), "L > 0")("output,o", po::value<std::string>(&out),
                                                     "the optimal network (.json), written atomically")(
      "json", "machine-readable output");
  po::positional_options_description pos;
  pos.add("data", 1);
  const auto vm = parse("solve", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (data.empty()) throw UsageError("solve: missing DATA (a .csv or .npy file with columns x1..xd, y)");
  if (!vm.count("lambda")) throw UsageError("solve: missing --lambda L");
  if (!(lambda > 0) || !std::isfinite(lambda))
    throw UsageError("solve: --lambda must be a finite number > 0, got " + g17(lambda));
  if (out.empty()) throw UsageError("solve: missing -o OUT.json");
  check_outputs({data}, {{"-o", out, {".json"}}});
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  read_training_data(data, X, y);
  const int d = static_cast<int>(X.cols()), N = static_cast<int>(X.rows());
  if (d > 2) throw UsageError("solve: " + data + " has points in R^" + std::to_string(d) + ": solve handles d = 1, 2");
  rtv::ShallowNet net;
  double J = 0, D = 0, gap = 0, fit = 0;
  int rounds = 0;
  std::string status;
  try {
    if (d == 2) {
      const rtv::CertifiedResult r = rtv::certified_optimum_2d(X, y, lambda);
      net = r.net;
      J = r.objective, D = r.dual_value, gap = r.relative_gap, fit = r.data_fit, rounds = r.rounds;
      status = r.message;
      if (!r.certified) std::fprintf(stderr, "rtv solve: warning: not certified (%s)\n", r.message.c_str());
    } else {
      const rtv::TrendFilterResult r = rtv::trend_filter_1d(X.col(0), y, lambda, true);
      net = rtv::to_network(r.spline, true);
      J = r.objective, D = r.objective - r.duality_gap, fit = r.data_fit;
      gap = rtv::relative_duality_gap(J, D, y);
      status = r.message;
      if (!r.kkt_ok) std::fprintf(stderr, "rtv solve: warning: KKT check failed (%s)\n", r.message.c_str());
    }
  } catch (const rtv::InputError& e) {  // name the data file instead of the library's source
    rethrow_naming_files(e, {{"*", data}});  // certified: "data: ...", d = 1: the solver's name
  }
  rtv::write_network_json(net, out);
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["data"] = data;
    j["N"] = N;
    j["d"] = d;
    j["lambda"] = lambda;
    j["objective"] = J;
    j["data_fit"] = fit;
    j["path_norm"] = rtv::path_norm(net);
    j["dual_value"] = D;
    j["relative_gap"] = gap;
    j["neurons"] = net.width();
    j["bound"] = N - (d + 1);
    j["rounds"] = rounds;
    j["status"] = status;
    j["output"] = out;
    print_json(j);
    return 0;
  }
  std::printf("data          %s: N = %d points in R^%d, lambda = %.12g\n", data.c_str(), N, d, lambda);
  std::printf("objective     %.15g (data fit %.15g + lambda x path norm %.15g)\n", J, fit, rtv::path_norm(net));
  std::printf("dual bound    %.15g: no network does better (relative gap %.3g; %s)\n", D, gap, status.c_str());
  std::printf("neurons       %d (bound N - (d + 1) = %d)\n", net.width(), N - (d + 1));
  std::printf("wrote         %s\n", out.c_str());
  return 0;
}

}  // namespace rtv::cli
