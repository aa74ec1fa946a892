// rtv reduce: the Caratheodory reduction of a network to <= N - (d + 1) neurons (THEORY.md s.5, reduce.hpp).
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/reduce.hpp"

namespace rtv::cli {

// THEORY.md s.5: prune a network to <= N - (d + 1) neurons (N - 1 without skip connection) keeping its values at
// the data points and not increasing its path norm (rtv/solvers/reduce.hpp).
int run_reduce(const std::vector<std::string>& args) {
  std::string path, data, out;
  po::options_description desc(
      "rtv reduce NETWORK DATA.csv -o OUT.json [--json]\n"
      "The Caratheodory reduction of THEORY.md s.5: merge neurons that share a hyperplane, then move the "
      "coefficients a_k = v_k |w_k| along null vectors of the data-activation matrix (with the affine part "
      "projected out) until at most N - (d + 1) neurons remain (N - 1 without skip connection). The values at "
      "the data points are kept (the affine part is re-fitted) and the path norm does not increase; the output "
      "is balanced (weight decay = path norm). DATA: columns x1..xd, y as for 'rtv train' (.csv with an optional "
      "header line, or .npy); y is not used. The points must be distinct and affinely span R^d.\nOptions");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&path), "network file")(
      "data", po::value<std::string>(&data), "data points (x1..xd, y)")(
      "output,o", po::value<std::string>(&out), "output network (.json); written atomically")(
      "json", "machine-readable output");
  po::positional_options_description pos;
  pos.add("network", 1).add("data", 1);
  const auto vm = parse("reduce", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (path.empty()) throw UsageError("reduce: missing NETWORK (a .json, .npz or .safetensors file)");
  if (data.empty()) throw UsageError("reduce: missing DATA (a .csv or .npy file with columns x1..xd, y)");
  if (out.empty()) throw UsageError("reduce: missing -o OUT.json");
  check_outputs({path, data}, {{"-o", out, {".json"}}});
  const rtv::ShallowNet net = rtv::read_network(path);
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  read_training_data(data, X, y);
  if (X.cols() != net.dim())
    throw rtv::input_error(data, std::to_string(X.cols() + 1) + " columns, i.e. points in R^" +
                                     std::to_string(X.cols()) + " (the last column is y), but the network " + path +
                                     " has input dimension " + std::to_string(net.dim()));
  rtv::ReductionResult r;
  try {
    r = rtv::reduce_network(net, X);
  } catch (const rtv::InputError& e) {  // "data: ..." / "network: ...": name the files instead
    rethrow_naming_files(e, {{"data", data}, {"network", path}});
  }
  rtv::write_network_json(r.net, out);
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["network"] = path;
    j["data"] = data;
    j["output"] = out;
    j["N"] = X.rows();
    j["d"] = X.cols();
    j["skip"] = net.skip;
    j["neurons_in"] = r.neurons_in;
    j["neurons_merged"] = r.neurons_merged;
    j["neurons_out"] = r.neurons_out;
    j["bound"] = r.bound;
    j["path_norm_in"] = r.path_norm_in;
    j["path_norm_out"] = r.path_norm_out;
    j["max_value_change"] = r.max_value_change;
    j["steps"] = r.steps;
    put_activation(j, path);
    print_json(j);
    return 0;
  }
  std::printf("network           %s (d = %d, %s)\n", path.c_str(), net.dim(),
              net.skip ? "skip connection" : "no skip connection");
  if (rtv::activation_is_assumed(path)) std::printf("activation        %s\n", rtv::kReluAssumedNote);
  std::printf("data              %s: N = %ld points\n", data.c_str(), static_cast<long>(X.rows()));
  std::printf("neurons           %d in, %d after merging shared hyperplanes, %d out\n", r.neurons_in,
              r.neurons_merged, r.neurons_out);
  std::printf("bound             %d = N - %s\n", r.bound, net.skip ? "(d + 1)" : "1 (no skip connection)");
  std::printf("path norm         %.12g -> %.12g\n", r.path_norm_in, r.path_norm_out);
  std::printf("max value change  %.3g of the evaluation scale at the data points (%d moves)\n", r.max_value_change,
              r.steps);
  std::printf("wrote             %s\n", out.c_str());
  return 0;
}

}  // namespace rtv::cli
