// rtv inspect: what a network file holds. Shallow networks: input dimension, neurons, distinct active
// hyperplanes, path norm, weight decay, R-TV (THEORY.md s.3; also on a ball B_r) and the balance verdict (s.2).
// Deep networks: per stage widths, weight decay, path norm, the input map's singular values and rank.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/reduce.hpp"

namespace rtv::cli {

namespace {

// Numerical rank of a deep stage's input map W U_m ... U_1: the number of singular values s_j > kRankRelTol s_1.
// 1e-3 is a convention, not a derived bound: it sits far above the rounding floor of the weights (float32
// checkpoints carry relative noise ~1e-7, so an exact-rank test at n eps would count noise as rank) and counts a
// direction as unused when it moves the pre-activations by less than 0.1% of the dominant one. Weight decay
// shrinks unused directions only gradually during finite training, so no threshold is right for every network:
// --rank-tol changes it, and the entropy rank (no threshold) is printed next to it.
constexpr double kRankRelTol = 1e-3;

// rtv inspect on a deep network (io.hpp: a "rtv.deep-relu" JSON or a .npz / .safetensors that is not the shallow
// pattern).
// JSON keys: file, network ("deep"), input_dimension, outputs, num_stages, weight_decay, rank_rel_tol, stages:
// [{stage, inputs, linear_widths, width, outputs, has_V, skip, weight_decay, path_norm, input_map_rows,
// input_map_cols, singular_values, numerical_rank, entropy_rank}].
int inspect_deep(const std::string& path, bool as_json, double rank_tol) {
  const rtv::DeepNet net = rtv::read_deep_network(path);
  const std::vector<double> pn = rtv::stage_path_norms(net);
  const std::vector<Eigen::VectorXd> spectra = rtv::input_map_spectra(net);
  const double wd = rtv::weight_decay(net);
  nlohmann::ordered_json j;
  j["file"] = path;
  j["network"] = "deep";
  j["input_dimension"] = net.dim();
  j["outputs"] = net.outputs();
  j["num_stages"] = net.stages.size();
  j["weight_decay"] = wd;
  j["rank_rel_tol"] = rank_tol;
  put_activation(j, path);
  j["stages"] = nlohmann::ordered_json::array();
  for (std::size_t l = 0; l < net.stages.size(); ++l) {
    const rtv::DeepStage& s = net.stages[l];
    rtv::DeepNet alone;  // the stage's own WD term: the library's definition applied to it alone
    alone.stages = {s};
    std::vector<int> widths;
    for (const Eigen::MatrixXd& U : s.linear) widths.push_back(static_cast<int>(U.rows()));
    const Eigen::VectorXd& sv = spectra[l];
    nlohmann::ordered_json js;
    js["stage"] = l + 1;
    js["inputs"] = s.inputs();
    js["linear_widths"] = widths;
    js["width"] = s.width();
    js["outputs"] = s.outputs();
    js["has_V"] = s.has_V();
    js["skip"] = s.skip;
    js["weight_decay"] = rtv::weight_decay(alone);
    js["path_norm"] = pn[l];
    js["input_map_rows"] = s.width();
    js["input_map_cols"] = s.inputs();
    js["singular_values"] = std::vector<double>(sv.data(), sv.data() + sv.size());
    js["numerical_rank"] = rtv::numerical_rank(sv, rank_tol);
    js["entropy_rank"] = rtv::entropy_rank(sv);
    j["stages"].push_back(js);
  }
  if (as_json) {
    print_json(j);
    return 0;
  }
  std::printf("network               %s (deep ReLU network, %zu stage%s)\n", path.c_str(), net.stages.size(),
              net.stages.size() == 1 ? "" : "s");
  std::printf("input dimension       %d\n", net.dim());
  std::printf("outputs               %d\n", net.outputs());
  std::printf("weight decay          %.12g (1/2 sum of |U|_F^2, |W|_F^2, |V|_F^2 over the stages)\n", wd);
  if (rtv::activation_is_assumed(path)) std::printf("activation            %s\n", rtv::kReluAssumedNote);
  for (const auto& js : j["stages"]) {
    std::string arch = std::to_string(js["inputs"].get<int>());
    for (int w : js["linear_widths"]) arch += " -> " + std::to_string(w) + " (linear)";
    arch += " -> " + std::to_string(js["width"].get<int>()) + " (ReLU) -> " + std::to_string(js["outputs"].get<int>());
    arch += js["has_V"].get<bool>() ? " (V)" : " (no V: identity)";
    if (js["skip"].get<bool>()) arch += ", skip connection";
    std::printf("stage %-15d %s\n", js["stage"].get<int>(), arch.c_str());
    std::printf("  weight decay        %.12g\n", js["weight_decay"].get<double>());
    std::printf("  path norm           %.12g\n", js["path_norm"].get<double>());
    std::string svs;
    for (double x : js["singular_values"]) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.6g", x);
      svs += buf;
    }
    char label[48];
    std::snprintf(label, sizeof label, "input map %d x %d", js["input_map_rows"].get<int>(),
                  js["input_map_cols"].get<int>());
    std::printf("  %-19s singular values%s\n", label, svs.c_str());
    std::printf("  numerical rank      %d (s_j > %g s_1)\n", js["numerical_rank"].get<int>(), rank_tol);
    std::printf("  entropy rank        %.6g\n", js["entropy_rank"].get<double>());
  }
  return 0;
}

// The balance verdict of a shallow network (THEORY.md s.2): every judged neuron's imbalance | |v|-|w| | / max
// is at most this. tol::kBalanced (1e-9) for weights stored in double; for float32 weights (a PyTorch checkpoint)
// storing an exactly balanced neuron rounds |v| and |w| by up to u = 2^-24 each, an imbalance up to 2u, so the
// tolerance is 4u = 2.4e-7 there (a factor 2 above that floor): with 1e-9 no float32 network could be balanced.
double balance_tolerance(const std::string& path) {
  return std::max(rtv::tol::kBalanced, 4.0 * rtv::network_file_unit_roundoff(path));
}

static_assert(rtv::kCarryRelTol == 1e-6 && rtv::tol::kBalanced == 1e-9, "inspect's help text states both values");

}  // namespace

int run_inspect(const std::vector<std::string>& args) {
  std::string path;
  double radius = 0.0, rank_tol = kRankRelTol, carry_tol = rtv::kCarryRelTol;
  po::options_description desc(
      "rtv inspect NETWORK [options]\n"
      "Shallow networks: the balance verdict (THEORY.md s.2: at a stationary point of weight-decay training every\n"
      "neuron has |v_k| = |w_k|, so WD = PN) judges the neurons whose weight-decay term 1/2 (v_k^2 + |w_k|^2) is at\n"
      "least carry-tol times the largest: weight decay shrinks the neurons the data no longer use without balancing\n"
      "them, and those carry neither the function nor weight decay. The excluded neurons are counted, and\n"
      "|WD - PN| / PN (over all neurons) is printed next to the verdict. Balanced: every judged neuron has\n"
      "| |v| - |w| | / max(|v|, |w|) <= 1e-9 (float32 weights: 4 * 2^-24, their storage rounding).\nOptions");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&path), "network file")(
      "radius", po::value<double>(&radius), "also report the R-TV on the ball B_r of this radius (r > 0)")(
      "carry-tol", po::value<double>(&carry_tol)->default_value(rtv::kCarryRelTol, "1e-6"),
      "shallow networks: the balance verdict judges neurons with 1/2 (v_k^2 + |w_k|^2) >= carry-tol * the largest "
      "(in [0, 1); 0: every neuron)")(
      "rank-tol", po::value<double>(&rank_tol)->default_value(kRankRelTol),
      "deep networks: numerical rank of each input map counts singular values > rank-tol * s_1")(
      "json", "machine-readable output (keys documented in the README)");
  po::positional_options_description pos;
  pos.add("network", 1);
  const auto vm = parse("inspect", desc, pos, args);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (path.empty()) throw UsageError("inspect: missing NETWORK (a .json, .npz or .safetensors file)");
  const bool with_ball = vm.count("radius") > 0;
  if (with_ball && !(std::isfinite(radius) && radius > 0))
    throw UsageError("inspect: --radius must be a positive finite number, got " + g17(radius));

  if (!(rank_tol > 0 && rank_tol < 1)) throw UsageError("inspect: --rank-tol must be in (0, 1), got " + g17(rank_tol));
  if (!(carry_tol >= 0 && carry_tol < 1))
    throw UsageError("inspect: --carry-tol must be in [0, 1), got " + g17(carry_tol));
  if (rtv::network_file_kind(path) == rtv::NetworkKind::kDeep) {
    if (with_ball)
      throw UsageError("inspect: --radius applies to shallow networks only (" + path + " is a deep network)");
    return inspect_deep(path, vm.count("json") > 0, rank_tol);
  }

  const rtv::ShallowNet net = rtv::read_network(path);
  int active = 0;
  for (int k = 0; k < net.width(); ++k) active += (net.v(k) != 0.0 && net.W.row(k).stableNorm() > 0.0);
  const auto planes = rtv::distinct_hyperplanes(net);
  const double pn = rtv::path_norm(net), wd = rtv::weight_decay(net), rtv_all = rtv::rtv_exact(net);
  const rtv::BalanceCheck bc = rtv::check_balance(net, carry_tol);
  const double balance_tol = balance_tolerance(path);
  const bool balanced = bc.balanced(balance_tol);
  // WD, PN and R-TV are sums of the same K products in different orders: they differ by up to ~2 K eps of PN
  // from rounding alone, so the notes below speak only beyond 4 K eps.
  const double rounding = 4.0 * std::max(1, net.width()) * rtv::tol::kEps;

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
  j["max_imbalance"] = bc.max_imbalance;
  j["balanced"] = balanced;
  j["balance_tolerance"] = balance_tol;
  j["carry_tolerance"] = carry_tol;
  j["judged_neurons"] = bc.judged;
  j["excluded_neurons"] = bc.excluded;
  j["excluded_wd_share"] = bc.excluded_wd_share;
  j["max_imbalance_all"] = bc.max_imbalance_all;
  // |WD - PN| / PN; JSON has no infinity: null when PN = 0 < WD.
  j["wd_pn_relative_difference"] =
      std::isfinite(bc.relative_excess) ? nlohmann::ordered_json(bc.relative_excess) : nlohmann::ordered_json();
  j["merge_tolerance"] = rtv::tol::kHyperplaneMerge;
  put_activation(j, path);
  if (vm.count("json")) {
    print_json(j);
    return 0;
  }
  std::printf("network               %s\n", path.c_str());
  std::printf("input dimension       %d\n", net.dim());
  std::printf("neurons               %d (%d active: v != 0 and w != 0)\n", net.width(), active);
  std::printf("distinct hyperplanes  %d with nonzero coefficient (merge tolerance %g)\n",
              rtv::count_active_hyperplanes(planes), rtv::tol::kHyperplaneMerge);
  std::printf("skip connection       %s\n", net.skip ? "yes" : "no");
  std::printf("path norm             %.12g\n", pn);
  std::printf("weight decay          %.12g%s\n", wd,
              bc.relative_excess > rounding ? "  (> path norm: run 'rtv balance' to reach it)" : "");
  std::printf("R-TV                  %.12g%s\n", rtv_all,
              rtv_all < pn * (1 - rounding) ? "  (< path norm: neurons share hyperplanes)" : "");
  if (with_ball) {
    char label[64];
    std::snprintf(label, sizeof label, "R-TV on B_r, r = %g", radius);
    std::printf("%-21s %.12g\n", label, rtv::rtv_exact_ball(net, radius));
  }
  std::printf("max imbalance         %.3g over %d neuron%s (%s, tolerance %.3g)\n", bc.max_imbalance, bc.judged,
              bc.judged == 1 ? "" : "s", balanced ? "balanced" : "not balanced", balance_tol);
  std::printf("excluded              %d neuron%s with 1/2 (v^2 + |w|^2) < %g of the largest (%.3g of WD; max "
              "imbalance over all neurons %.3g)\n",
              bc.excluded, bc.excluded == 1 ? "" : "s", carry_tol, bc.excluded_wd_share, bc.max_imbalance_all);
  if (std::isfinite(bc.relative_excess))
    std::printf("|WD - PN| / PN        %.3g (THEORY.md s.2: 0 at every stationary point of weight-decay training)\n",
                bc.relative_excess);
  else
    std::printf("|WD - PN| / PN        infinite (path norm 0, weight decay %.3g)\n", wd);
  if (rtv::activation_is_assumed(path)) std::printf("activation            %s\n", rtv::kReluAssumedNote);
  return 0;
}

}  // namespace rtv::cli
