// rtv balance: rescale every neuron to |v_k| = |w_k| (the same function; weight decay = path norm, THEORY.md s.2).
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/norms.hpp"

namespace rtv::cli {

int run_balance(const std::vector<std::string>& args) {
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
  if (path.empty()) throw UsageError("balance: missing NETWORK (a .json, .npz or .safetensors file)");
  if (out.empty()) throw UsageError("balance: missing -o OUT.json");
  check_outputs({path}, {{"-o", out, {".json"}}});
  const rtv::ShallowNet net = rtv::read_network(path);
  const rtv::ShallowNet b = rtv::balance(net);
  rtv::write_network_json(b, out);
  std::fprintf(stderr, "rtv balance: %s -> %s: weight decay %.12g -> %.12g (path norm %.12g)\n", path.c_str(),
               out.c_str(), rtv::weight_decay(net), rtv::weight_decay(b), rtv::path_norm(net));
  if (rtv::activation_is_assumed(path)) std::fprintf(stderr, "rtv balance: %s\n", rtv::kReluAssumedNote);
  return 0;
}

}  // namespace rtv::cli
