// rtv: the tool for users' own networks. Subcommands:
//   rtv inspect NETWORK [--radius r] [--json]   dimension, neurons, hyperplanes, path norm, WD, R-TV, balance
//   rtv balance NETWORK -o OUT.json             rescale every neuron to |v| = |w| (same function, WD = PN)
// NETWORK is an rtv JSON network (.json) or a PyTorch state_dict archive (.npz); see README "File formats".
// Exit status: 0 success, 2 bad usage or bad input (one line on stderr naming the input and the problem).
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "rtv/error.hpp"
#include "rtv/io.hpp"
#include "rtv/norms.hpp"
#include "rtv/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

const char* kUsage =
    "Usage: rtv COMMAND [options]\n"
    "Commands:\n"
    "  inspect NETWORK [--radius r] [--json]  input dimension, neurons, distinct active hyperplanes, path norm,\n"
    "                                         weight decay, R-TV (and on the ball B_r), imbalance\n"
    "  balance NETWORK -o OUT.json            rescale every neuron to |v_k| = |w_k| (same function, WD = PN)\n"
    "NETWORK: an rtv network file (.json, format rtv.shallow-relu) or a PyTorch state_dict (.npz).\n"
    "Run 'rtv COMMAND --help' for the options of a command.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

po::variables_map parse(const std::string& cmd, const po::options_description& desc,
                        const po::positional_options_description& pos, const std::vector<std::string>& args) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(cmd + ": " + e.what());
  }
  return vm;
}

std::string g17(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

int cmd_inspect(const std::vector<std::string>& args) {
  std::string path;
  double radius = 0.0;
  po::options_description desc("rtv inspect NETWORK [options]");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&path), "network file")(
      "radius", po::value<double>(&radius), "also report the R-TV on the ball B_r of this radius (r > 0)")(
      "json", "machine-readable output (keys documented in the README)");
  po::positional_options_description pos;
  pos.add("network", 1);
  const auto vm = parse("inspect", desc, pos, args);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (path.empty()) throw UsageError("inspect: missing NETWORK (a .json or .npz file)");
  const bool with_ball = vm.count("radius") > 0;
  if (with_ball && !(std::isfinite(radius) && radius > 0))
    throw UsageError("inspect: --radius must be a positive finite number, got " + g17(radius));

  const rtv::ShallowNet net = rtv::read_network(path);
  int active = 0;
  for (int k = 0; k < net.width(); ++k) active += (net.v(k) != 0.0 && net.W.row(k).stableNorm() > 0.0);
  const auto planes = rtv::distinct_hyperplanes(net);
  const double pn = rtv::path_norm(net), wd = rtv::weight_decay(net), rtv_all = rtv::rtv_exact(net);
  const double imb = rtv::max_imbalance(net);
  const bool balanced = imb <= rtv::tol::kBalanced;

  nlohmann::ordered_json j;
  j["file"] = path;
  j["input_dimension"] = net.dim();
  j["neurons"] = net.width();
  j["active_neurons"] = active;
  j["distinct_hyperplanes"] = rtv::count_active_hyperplanes(planes);
  j["skip_connection"] = net.skip;
  j["path_norm"] = pn;
  j["weight_decay"] = wd;
  j["rtv"] = rtv_all;
  if (with_ball) {
    j["radius"] = radius;
    j["rtv_ball"] = rtv::rtv_exact_ball(net, radius);
  }
  j["max_imbalance"] = imb;
  j["balanced"] = balanced;
  j["balance_tolerance"] = rtv::tol::kBalanced;
  j["merge_tolerance"] = rtv::tol::kHyperplaneMerge;
  if (vm.count("json")) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("network               %s\n", path.c_str());
  std::printf("input dimension       %d\n", net.dim());
  std::printf("neurons               %d (%d active: v != 0 and w != 0)\n", net.width(), active);
  std::printf("distinct hyperplanes  %d with nonzero coefficient (merge tolerance %g)\n",
              rtv::count_active_hyperplanes(planes), rtv::tol::kHyperplaneMerge);
  std::printf("skip connection       %s\n", net.skip ? "yes" : "no");
  std::printf("path norm             %.12g\n", pn);
  std::printf("weight decay          %.12g%s\n", wd, wd > pn ? "  (> path norm: run 'rtv balance' to reach it)" : "");
  std::printf("R-TV                  %.12g%s\n", rtv_all, rtv_all < pn ? "  (< path norm: neurons share hyperplanes)" : "");
  if (with_ball) {
    char label[64];
    std::snprintf(label, sizeof label, "R-TV on B_r, r = %g", radius);
    std::printf("%-21s %.12g\n", label, rtv::rtv_exact_ball(net, radius));
  }
  std::printf("max imbalance         %.3g (%s, tolerance %g)\n", imb, balanced ? "balanced" : "not balanced",
              rtv::tol::kBalanced);
  return 0;
}

int cmd_balance(const std::vector<std::string>& args) {
  std::string path, out;
  po::options_description desc("rtv balance NETWORK -o OUT.json [options]");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&path), "network file")(
      "output,o", po::value<std::string>(&out), "output network file (.json); written atomically");
  po::positional_options_description pos;
  pos.add("network", 1);
  const auto vm = parse("balance", desc, pos, args);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (path.empty()) throw UsageError("balance: missing NETWORK (a .json or .npz file)");
  if (out.empty()) throw UsageError("balance: missing -o OUT.json");
  if (fs::path(out).extension() != ".json")
    throw UsageError("balance: the output must be a .json network file, got '" + out + "'");
  const rtv::ShallowNet net = rtv::read_network(path);
  const rtv::ShallowNet b = rtv::balance(net);
  rtv::write_network_json(b, out);
  std::fprintf(stderr, "rtv balance: %s -> %s: weight decay %.12g -> %.12g (path norm %.12g)\n", path.c_str(),
               out.c_str(), rtv::weight_decay(net), rtv::weight_decay(b), rtv::path_norm(net));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "rtv: error: missing COMMAND\n" << kUsage;
    return 2;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "rtv " << rtv::kVersion << "\n";
      return 0;
    }
    if (cmd == "inspect") return cmd_inspect(args);
    if (cmd == "balance") return cmd_balance(args);
    std::cerr << "rtv: error: unknown command '" << cmd << "'\n" << kUsage;
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "rtv: error: " << e.what() << " (see 'rtv " << cmd << " --help')\n";
    return 2;
  } catch (const rtv::InputError& e) {
    std::cerr << "rtv: error: " << e.what() << "\n";
    return 2;
  }
}
