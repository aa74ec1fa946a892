// rtv: the tool for users' own networks. Subcommands:
//   rtv inspect NETWORK [--radius r] [--json]   dimension, neurons, hyperplanes, path norm, WD, R-TV, balance;
//                                               deep networks: per stage WD, path norm, input-map spectrum, rank
//   rtv balance NETWORK -o OUT.json             rescale every neuron to |v| = |w| (same function, WD = PN)
//   rtv fit1d DATA.csv [--lambda L] [--json]    exact univariate optimum (THEORY.md s.4) and its sparsest form
//   rtv reduce NETWORK DATA.csv -o OUT.json     <= N - (d + 1) neurons, same values at the data (THEORY.md s.5)
//   rtv solve DATA.csv --lambda L -o OUT.json   certified global optimum over all widths, d = 1, 2 (THEORY.md s.5)
// NETWORK is an rtv JSON network (.json) or a PyTorch state_dict archive (.npz); see README "File formats".
// Only inspect reads deep networks (rtv.deep-relu, or a deep nn.Sequential); the other commands are shallow.
// Exit status: 0 success, 2 bad usage or bad input (one line on stderr naming the input and the problem).
#include <boost/program_options.hpp>
#include <algorithm>
#include <initializer_list>
#include <utility>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "rtv/solvers/certified.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/core/error.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/io/io.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/radon/phantoms.hpp"
#include "rtv/radon/radon2d.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "rtv/solvers/reduce.hpp"
#include "rtv/radon/seminorm.hpp"
#include "rtv/solvers/train.hpp"
#include "rtv/solvers/univariate.hpp"
#include "rtv/core/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// The activation fields of every command's JSON that reads a network file: ReLU is assumed for a PyTorch .npz
// (a state_dict stores no activation; README "File formats"), and named by rtv's own JSON formats.
void put_activation(nlohmann::ordered_json& j, const std::string& path) {
  j["activation"] = "relu";
  j["activation_assumed"] = rtv::activation_is_assumed(path);
}

const char* kUsage =
    "Usage: rtv COMMAND [options]\n"
    "Commands:\n"
    "  inspect NETWORK [--radius r] [--json]  input dimension, neurons, distinct active hyperplanes, path norm,\n"
    "                                         weight decay, R-TV (and on the ball B_r), imbalance; deep networks:\n"
    "                                         per stage widths, WD, path norm, input-map singular values and rank\n"
    "  balance NETWORK -o OUT.json            rescale every neuron to |v_k| = |w_k| (same function, WD = PN)\n"
    "  phantom NAME --size n -o IMAGE         sample shepp-logan, disk or gaussian on [-L, L]^2\n"
    "  radon IMAGE --angles A -o SINOGRAM     2D Radon transform (Joseph) of an n x n image\n"
    "  fbp SINOGRAM [--filter F] -o IMAGE     filtered backprojection f = c_2 R* Lambda R f\n"
    "  train DATA --width K --lambda L -o NET  full-batch training with weight decay (gd, adam) or PathProx\n"
    "  fit1d DATA [--lambda L] [-o NET]       exact 1-D optimum: min-TV interpolation or trend filtering (s.4)\n"
    "  solve DATA --lambda L -o NET           certified global optimum over all widths, d = 1, 2 (s.5)\n"
    "  reduce NETWORK DATA -o OUT.json        at most N - (d + 1) neurons with the same values at the data and no\n"
    "                                         larger path norm (Caratheodory reduction, s.5)\n"
    "  seminorm NETWORK --radius r [--json]  exact vs numerical Radon-domain R-TV on B_r, recovered neurons (d = 2, 3)\n"
    "  seminorm --grid IMAGE --extent L       numerical R-TV of a 2D function sampled on [-L, L]^2\n"
    "NETWORK: an rtv network file (.json, format rtv.shallow-relu; inspect also reads rtv.deep-relu) or a PyTorch\n"
    "         state_dict (.npz; inspect also reads an nn.Sequential of Linear and ReLU layers).\n"
    "IMAGE, SINOGRAM: .npy or .csv. Grid conventions: README 'Radon conventions' and 'rtv radon --help'.\n"
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

// Numerical rank of a deep stage's input map W U_m ... U_1: the number of singular values s_j > kRankRelTol s_1.
// 1e-3 is a convention, not a derived bound: it sits far above the rounding floor of the weights (float32
// checkpoints carry relative noise ~1e-7, so an exact-rank test at n eps would count noise as rank) and counts a
// direction as unused when it moves the pre-activations by less than 0.1% of the dominant one. Weight decay
// shrinks unused directions only gradually during finite training, so no threshold is right for every network:
// --rank-tol changes it, and the entropy rank (no threshold) is printed next to it.
constexpr double kRankRelTol = 1e-3;

// rtv inspect on a deep network (io.hpp: a "rtv.deep-relu" JSON or a .npz that is not the shallow pattern).
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
    std::cout << j.dump(2) << "\n";
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

int cmd_inspect(const std::vector<std::string>& args) {
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
  if (path.empty()) throw UsageError("inspect: missing NETWORK (a .json or .npz file)");
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
  if (rtv::activation_is_assumed(path)) std::fprintf(stderr, "rtv balance: %s\n", rtv::kReluAssumedNote);
  return 0;
}

const char* kGrid =
    "Grid: img[i, j] = f(x_j, y_i), x_j = -L + (j + 1/2) h, y_i = -L + (i + 1/2) h, h = 2L/n (row = y).\n"
    "Sinogram [a, m] = R f(theta_a, t_m): theta_a = pi a / A, direction (cos, sin); t_m = -T + (m + 1/2) dt,\n"
    "dt = 2T/M. Default M = the smallest integer >= sqrt(2) n with the parity of n, T = M h / 2 (dt = h);\n"
    "--offsets M keeps T.\n";

rtv::ImageGrid image_grid(int n, double L) {
  rtv::ImageGrid g{n, L};
  g.validate("--size/--extent");
  return g;
}

// An n x n array (image or grid) from .npy/.csv; InputError naming the file otherwise.
rtv::Array2D read_square(const std::string& path, const char* what) {
  rtv::Array2D a = rtv::read_array(path);
  if (a.rows() != a.cols())
    throw rtv::input_error(path, std::string("the ") + what + " must be square (n x n), got " +
                                     std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
  return a;
}

int threads_option(const po::variables_map& vm) {
  const int t = vm["threads"].as<int>();
  if (t < 0) throw UsageError("--threads must be 0 (all cores) or positive, got " + std::to_string(t));
  return t;
}

int cmd_phantom(const std::vector<std::string>& args) {
  std::string name, out;
  int n = 0, ss = 1;
  double L = 1.0;
  po::options_description desc(std::string("rtv phantom NAME --size n -o IMAGE [options]\n") + kGrid + "Options");
  desc.add_options()("help,h", "print this help")("name", po::value<std::string>(&name), "shepp-logan | disk | gaussian")(
      "size", po::value<int>(&n), "n (image is n x n)")("extent", po::value<double>(&L)->default_value(1.0), "L")(
      "supersample", po::value<int>(&ss)->default_value(1), "average s x s samples per pixel")(
      "output,o", po::value<std::string>(&out), "output image (.npy or .csv)");
  po::positional_options_description pos;
  pos.add("name", 1);
  const auto vm = parse("phantom", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (name.empty()) throw UsageError("phantom: missing NAME (shepp-logan, disk, gaussian)");
  if (out.empty()) throw UsageError("phantom: missing -o IMAGE");
  if (ss < 1) throw UsageError("phantom: --supersample must be at least 1");
  rtv::Phantom p;
  if (name == "shepp-logan") p = rtv::Phantom::shepp_logan();
  else if (name == "disk") p = rtv::Phantom::disk(1.0, 0.0, 0.0, 0.5);
  else if (name == "gaussian") p = rtv::Phantom::gaussian(2, 1.0, 0.15, Eigen::Vector2d(0.0, 0.0));
  else throw UsageError("phantom: unknown phantom '" + name + "' (shepp-logan, disk, gaussian)");
  rtv::write_array(out, rtv::sample_image(p, image_grid(n, L), ss));
  return 0;
}

int cmd_radon(const std::vector<std::string>& args) {
  std::string in, out;
  int A = 0, M = 0;
  double L = 1.0;
  po::options_description desc(std::string("rtv radon IMAGE --angles A -o SINOGRAM [options]\n") + kGrid + "Options");
  desc.add_options()("help,h", "print this help")("image", po::value<std::string>(&in), "n x n image (.npy/.csv)")(
      "angles", po::value<int>(&A), "A >= 1 angles on [0, pi)")("offsets", po::value<int>(&M)->default_value(0),
                                                                 "M offsets (0: the default, about sqrt(2) n)")(
      "extent", po::value<double>(&L)->default_value(1.0), "L: the image covers [-L, L]^2")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "output,o", po::value<std::string>(&out), "output sinogram (.npy or .csv), A x M");
  po::positional_options_description pos;
  pos.add("image", 1);
  const auto vm = parse("radon", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (in.empty()) throw UsageError("radon: missing IMAGE");
  if (out.empty()) throw UsageError("radon: missing -o SINOGRAM");
  if (A < 1) throw UsageError("radon: --angles must be at least 1");
  if (M < 0) throw UsageError("radon: --offsets must be positive (or 0 for the default)");
  const int threads = threads_option(vm);
  const rtv::Array2D img = read_square(in, "image");
  const rtv::ImageGrid ig = image_grid(static_cast<int>(img.rows()), L);
  const rtv::SinogramGrid sg = rtv::SinogramGrid::for_image(ig, A, M);
  rtv::write_array(out, rtv::radon(img, ig, sg, threads));
  return 0;
}

int cmd_fbp(const std::vector<std::string>& args) {
  std::string in, out, filter;
  int n = 0;
  double L = 1.0;
  po::options_description desc(std::string("rtv fbp SINOGRAM -o IMAGE [options]\n") + kGrid +
                               "The sinogram's offsets must cover [-T, T] with T of the default grid of an n x n image, as "
                               "rtv radon writes them.\nOptions");
  desc.add_options()("help,h", "print this help")("sinogram", po::value<std::string>(&in), "A x M sinogram")(
      "filter", po::value<std::string>(&filter)->default_value("ram-lak"),
      "ram-lak | shepp-logan | cosine | hann | hamming")(
      "size", po::value<int>(&n)->default_value(0),
      "n of the n x n output (0: the n whose default M above is the sinogram's M; there is at most one, "
      "floor(M / sqrt(2)) or one less; an error if there is none)")(
      "extent", po::value<double>(&L)->default_value(1.0), "L")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "output,o", po::value<std::string>(&out), "output image (.npy or .csv)");
  po::positional_options_description pos;
  pos.add("sinogram", 1);
  const auto vm = parse("fbp", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (in.empty()) throw UsageError("fbp: missing SINOGRAM");
  if (out.empty()) throw UsageError("fbp: missing -o IMAGE");
  if (n < 0) throw UsageError("fbp: --size must be positive (or 0 for the default)");
  const rtv::Window w = rtv::parse_window(filter, "fbp --filter");
  const int threads = threads_option(vm);
  const rtv::Array2D sino = rtv::read_array(in);
  const int M = static_cast<int>(sino.cols());
  if (n == 0) {
    // The default M(n) (kGrid) is strictly increasing (M(n + 1) >= ceil(sqrt(2) n) + 1 >= M(n), and the two have
    // different parities), so at most one n has M(n) = M, and sqrt(2) n <= M(n) < sqrt(2) n + 2 puts it at
    // floor(M / sqrt(2)) or one less (the help text; tests/test_cli.cpp checks n = 2..599). The loop's third
    // candidate is never the answer.
    const int c0 = static_cast<int>(std::floor(M / std::sqrt(2.0)));
    for (int c = c0; c >= c0 - 2 && c >= 1 && n == 0; --c)
      if (rtv::SinogramGrid::for_image(rtv::ImageGrid{c, L}, 1).offsets == M) n = c;
    if (n == 0)
      throw rtv::input_error(in, "cannot infer the image size from " + std::to_string(M) +
                                     " offsets (not the default count for any n x n image): give --size");
  }
  const rtv::ImageGrid ig = image_grid(n, L);
  rtv::SinogramGrid sg = rtv::SinogramGrid::for_image(ig, static_cast<int>(sino.rows()), M);
  rtv::write_array(out, rtv::fbp(sino, sg, ig, w, threads));
  return 0;
}

// Library errors read "<source>: <problem>" with the library's name for the input ("data", "network", a solver's
// name). Re-throw naming the user's file instead: `files` maps a source to its file; the source "*" matches any.
[[noreturn]] void rethrow_naming_files(const rtv::InputError& e,
                                       std::initializer_list<std::pair<std::string, std::string>> files) {
  const std::string m = e.what();
  const auto colon = m.find(": ");
  if (colon != std::string::npos)
    for (const auto& [source, file] : files)
      if (source == "*" || m.compare(0, colon, source) == 0) throw rtv::input_error(file, m.substr(colon + 2));
  throw e;
}

// DATA.csv (or .npy): N rows x1..xd, y (one header line allowed): X (N x d), y (N). d + 2 points at least.
// cmd_1d: the command needs d = 1 (a UsageError naming it otherwise).
void read_training_data(const std::string& path, Eigen::MatrixXd& X, Eigen::VectorXd& y,
                        const char* cmd_1d = nullptr) {
  const rtv::Array2D a = rtv::read_array(path);
  if (a.cols() < 2) throw rtv::input_error(path, "needs columns x1..xd, y (at least 2 columns), got " +
                                                     std::to_string(a.cols()));
  const int d = static_cast<int>(a.cols()) - 1;
  if (cmd_1d && d != 1)
    throw UsageError(std::string(cmd_1d) + ": " + path + " has " + std::to_string(a.cols()) + " columns: " + cmd_1d +
                     " needs 1-D data (x, y), 2 columns");
  if (a.rows() < d + 2)
    throw rtv::input_error(path, std::to_string(a.rows()) + " points in dimension " + std::to_string(d) +
                                     ": need at least d + 2 = " + std::to_string(d + 2));
  if (!a.allFinite()) throw rtv::input_error(path, "contains NaN or infinite values");
  X = a.leftCols(d);
  y = a.col(d);
}

int cmd_train(const std::vector<std::string>& args) {
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
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw UsageError("train: --lambda must be a number >= 0");
  if (out.empty()) throw UsageError("train: missing -o NET.json");
  if (seed < 0) throw UsageError("train: --seed must be >= 0");
  rtv::TrainOptions o;
  o.optimizer = rtv::parse_optimizer(optimizer, "--optimizer");
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
  const rtv::ShallowNet init = rtv::init_network(rng, static_cast<int>(X.cols()), width, scale, !vm.count("no-skip"));
  o.progress_stride = std::max(1, steps / 20);
  o.progress = [&](int step, double J) {
    std::fprintf(stderr, "\rrtv train: step %d/%d  objective %.10g   ", step, steps, J);
  };
  std::fprintf(stderr, "rtv train: %s, N = %ld, d = %ld, width %d, lambda %g, %s, seed %d\n", data.c_str(),
               static_cast<long>(X.rows()), static_cast<long>(X.cols()), width, lambda, optimizer.c_str(), seed);
  const rtv::TrainResult res = rtv::train(init, X, y, o);
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

// THEORY.md s.4: the exact univariate optimum (no training) and, with the skip connection, its sparsest form.
int cmd_fit1d(const std::vector<std::string>& args) {
  std::string data, out, sparse_out;
  double lambda = 0;
  po::options_description desc(
      "rtv fit1d DATA.csv [--lambda L] [--no-skip] [--json] [-o NET.json] [--sparsest-output SPARSE.json]\n"
      "The exact optimum over linear splines f = shallow ReLU networks in 1-D (THEORY.md s.4), by a finite "
      "active-set solve: without --lambda min Reg(f) s.t. f(x_n) = y_n (connect-the-dots), with --lambda L "
      "linear trend filtering min 1/2 sum (f(x_n) - y_n)^2 + L Reg(f). Reg is the minimal path norm (= weight "
      "decay) of a network representing f: TV(f') with skip connection, max(TV(f'), |f'(-inf) + f'(+inf)|) "
      "without (Savarese et al.). Also the sparsest optimum (fewest knots; skip connection only). 'knots' counts "
      "slope jumps above rounding; knot_positions/knot_jumps list every knot of the returned spline. "
      "DATA: columns x, y with distinct x (.csv with an optional header line, or .npy).\nOptions");
  desc.add_options()("help,h", "print this help")("data", po::value<std::string>(&data), "data (x, y)")(
      "lambda", po::value<double>(&lambda), "L >= 0 (default: interpolation)")(
      "no-skip", "no skip connection c x (c0 stays)")("json", "machine-readable output")(
      "output,o", po::value<std::string>(&out), "write the optimum as a network (.json)")(
      "sparsest-output", po::value<std::string>(&sparse_out), "write the sparsest optimum as a network (.json)");
  po::positional_options_description pos;
  pos.add("data", 1);
  const auto vm = parse("fit1d", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (data.empty()) throw UsageError("fit1d: missing DATA (a .csv or .npy file with columns x, y)");
  const bool regularised = vm.count("lambda") > 0, skip = !vm.count("no-skip");
  if (regularised && (!(lambda >= 0) || !std::isfinite(lambda)))
    throw UsageError("fit1d: --lambda must be a finite number >= 0, got " + g17(lambda));
  if (!sparse_out.empty() && !skip)
    throw UsageError("fit1d: --sparsest-output needs the skip connection (the sparsest solution without it is not "
                     "implemented): drop --no-skip");
  for (const std::string& o : {out, sparse_out})
    if (!o.empty() && fs::path(o).extension() != ".json")
      throw UsageError("fit1d: the output must be a .json network file, got '" + o + "'");
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  read_training_data(data, X, y, "fit1d");
  const Eigen::VectorXd x = X.col(0);

  rtv::TrendFilterResult r;  // interpolation fills the same fields (data fit 0, no duality gap)
  try {
    if (regularised) {
      r = rtv::trend_filter_1d(x, y, lambda, skip);
    } else {
      const rtv::InterpolationResult ip = rtv::min_tv_interpolation(x, y, skip);
      r.spline = ip.spline;
      r.objective = r.regulariser = ip.cost;
      r.tv = ip.spline.tv();
      r.knots = ip.knots;
      r.kkt_ok = r.converged = true;
      r.status = rtv::TrendFilterStatus::Optimal;
      r.message = "optimal (interpolation)";
      if (skip) {
        const rtv::SparsestResult sp = rtv::sparsest_interpolant(x, y);
        r.sparsest = sp.spline;
        r.sparsest_knots = sp.knots;
      }
    }
  } catch (const rtv::InputError& e) {  // "solver: duplicate x = ...": name the data file instead of the solver
    rethrow_naming_files(e, {{"*", data}});
  }
  if (!r.converged || !r.kkt_ok)
    std::fprintf(stderr, "rtv fit1d: warning: %s%s (duality gap %.3g): the result may not be optimal\n",
                 r.message.c_str(), r.kkt_ok ? "" : ", KKT check failed", r.duality_gap);
  if (!out.empty()) rtv::write_network_json(rtv::to_network(r.spline, skip, x.mean()), out);
  if (!sparse_out.empty()) rtv::write_network_json(rtv::to_network(r.sparsest, true), sparse_out);

  const auto field = [](const rtv::Spline1d& s, bool jumps) {
    std::vector<double> v;
    for (const auto& k : s.knots) v.push_back(jumps ? k.jump : k.x);
    return v;
  };
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["file"] = data;
    j["problem"] = regularised ? "trend filtering" : "interpolation";
    j["N"] = x.size();
    j["lambda"] = regularised ? lambda : 0.0;
    j["skip"] = skip;
    j["objective"] = r.objective;
    j["data_fit"] = r.data_fit;
    j["regulariser"] = r.regulariser;
    j["tv"] = r.tv;
    j["knots"] = r.knots;
    j["knot_positions"] = field(r.spline, false);
    j["knot_jumps"] = field(r.spline, true);
    j["slope_left"] = r.spline.slope_left;
    j["intercept"] = r.spline.intercept;
    j["sparsest_knots"] = skip ? nlohmann::ordered_json(r.sparsest_knots) : nullptr;
    j["sparsest_knot_positions"] = skip ? nlohmann::ordered_json(field(r.sparsest, false)) : nullptr;
    j["duality_gap"] = regularised ? nlohmann::ordered_json(r.duality_gap) : nullptr;
    j["kkt_ok"] = r.kkt_ok;
    j["status"] = r.message;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  const auto knot_list = [](const rtv::Spline1d& s) {
    std::string t;
    for (const auto& k : s.knots) t += (t.empty() ? ": x = " : ", ") + g17(k.x) + " (jump " + g17(k.jump) + ")";
    return t;
  };
  std::printf("data          %s: N = %ld points\n", data.c_str(), static_cast<long>(x.size()));
  std::printf("problem       %s, lambda = %.12g, %s\n", regularised ? "trend filtering" : "interpolation", lambda,
              skip ? "skip connection (Reg = TV(f'))" : "no skip connection (Reg = Savarese cost)");
  std::printf("objective     %.17g\n", r.objective);
  std::printf("data fit      %.17g\n", r.data_fit);
  std::printf("regulariser   %.17g\n", r.regulariser);
  std::printf("TV(f')        %.17g\n", r.tv);
  std::printf("knots         %d above rounding%s\n", r.knots, knot_list(r.spline).c_str());
  if (skip) std::printf("sparsest      %d knot%s%s\n", r.sparsest_knots, r.sparsest_knots == 1 ? "" : "s",
                        knot_list(r.sparsest).c_str());
  else std::printf("sparsest: only with skip connection\n");
  if (regularised)
    std::printf("duality gap   %.3g (%s, KKT %s)\n", r.duality_gap, r.message.c_str(), r.kkt_ok ? "ok" : "failed");
  return 0;
}

// THEORY.md s.5: prune a network to <= N - (d + 1) neurons (N - 1 without skip connection) keeping its values at
// the data points and not increasing its path norm (rtv/solvers/reduce.hpp).
int cmd_reduce(const std::vector<std::string>& args) {
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
  if (path.empty()) throw UsageError("reduce: missing NETWORK (a .json or .npz file)");
  if (data.empty()) throw UsageError("reduce: missing DATA (a .csv or .npy file with columns x1..xd, y)");
  if (out.empty()) throw UsageError("reduce: missing -o OUT.json");
  if (fs::path(out).extension() != ".json")
    throw UsageError("reduce: the output must be a .json network file, got '" + out + "'");
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
    std::cout << j.dump(2) << "\n";
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

// THEORY.md s.5: the global optimum of min 1/2 sum (f(x_n) - y_n)^2 + lambda RTV(f), certified in d = 2 (column
// generation with the exact oracle, rtv/solvers/certified.hpp); d = 1 is exact trend filtering (rtv/solvers/univariate.hpp).
int cmd_solve(const std::vector<std::string>& args) {
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
  if (fs::path(out).extension() != ".json")
    throw UsageError("solve: the output must be a .json network file, got '" + out + "'");
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
      gap = r.objective > 0 ? r.duality_gap / r.objective : 0.0;
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
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("data          %s: N = %d points in R^%d, lambda = %.12g\n", data.c_str(), N, d, lambda);
  std::printf("objective     %.15g (data fit %.15g + lambda x path norm %.15g)\n", J, fit, rtv::path_norm(net));
  std::printf("dual bound    %.15g: no network does better (relative gap %.3g; %s)\n", D, gap, status.c_str());
  std::printf("neurons       %d (bound N - (d + 1) = %d)\n", net.width(), N - (d + 1));
  std::printf("wrote         %s\n", out.c_str());
  return 0;
}

int cmd_seminorm_network(const std::string& path, const po::variables_map& vm, int threads) {
  if (!vm.count("radius")) throw UsageError("seminorm: a NETWORK needs --radius r (the R-TV is taken on the ball B_r)");
  const double r = vm["radius"].as<double>();
  if (!(r > 0) || !std::isfinite(r)) throw UsageError("seminorm: --radius must be a positive number");
  const rtv::ShallowNet net = rtv::read_network(path);
  if (net.dim() != 2 && net.dim() != 3)
    throw rtv::input_error(path, "input dimension " + std::to_string(net.dim()) +
                                     ": the Radon-domain R-TV is implemented for d = 2 and 3 (use 'rtv inspect "
                                     "--radius' for the exact value in any d)");
  rtv::RadonRtvOptions o;
  o.threads = threads;
  o.window = vm["window"].as<double>() * r;
  o.angles = vm["resolution"].as<int>();
  if (o.window <= 0 || o.angles < 0) throw UsageError("seminorm: --window must be > 0 and --resolution >= 0");
  if (o.angles > 0 && o.angles < (net.dim() == 2 ? 64 : 16))
    throw UsageError("seminorm: --resolution " + std::to_string(o.angles) + " is too coarse to separate spikes (need >= " +
                     std::string(net.dim() == 2 ? "64" : "16") + ")");
  const rtv::RadonRtv res = rtv::radon_rtv_ball(rtv::RidgeSum::from_network(net), r, o);
  const double exact = rtv::rtv_exact_ball(net, r);
  std::vector<rtv::RecoveredSpike> neurons;
  for (const auto& s : res.spikes)
    if (std::abs(s.a) > 1e-2 * res.value) neurons.push_back(s);
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["file"] = path;
    put_activation(j, path);
    j["dimension"] = net.dim();
    j["radius"] = r;
    j["rtv_exact"] = exact;
    j["rtv"] = res.value;
    j["rtv_window_R"] = res.value_R;
    j["rtv_window_2R"] = res.value_2R;
    j["window"] = res.window;
    j["relative_difference"] = exact > 0 ? (res.value - exact) / exact : res.value;
    auto arr = nlohmann::ordered_json::array();
    for (const auto& s : neurons) {
      nlohmann::ordered_json n;
      n["gamma"] = std::vector<double>(s.gamma.data(), s.gamma.data() + s.gamma.size());
      n["t"] = s.t;
      n["a"] = s.a;
      arr.push_back(n);
    }
    j["neurons"] = arr;
    // Opposite-sign hyperplanes closer than the boxes separate: the value misses up to 2 min(|a1|, |a2|) each.
    auto un = nlohmann::ordered_json::array();
    for (const auto& u : res.unresolved) {
      nlohmann::ordered_json p;
      p["gamma1"] = std::vector<double>(u.gamma1.data(), u.gamma1.data() + u.gamma1.size());
      p["t1"] = u.t1;
      p["a1"] = u.a1;
      p["gamma2"] = std::vector<double>(u.gamma2.data(), u.gamma2.data() + u.gamma2.size());
      p["t2"] = u.t2;
      p["a2"] = u.a2;
      p["angle"] = u.angle;
      p["offset_distance"] = u.offset;
      p["missing"] = 2 * std::min(std::abs(u.a1), std::abs(u.a2));
      un.push_back(p);
    }
    j["unresolved"] = un;
    j["status"] = res.unresolved.empty() ? "ok" : "unresolved opposite-sign pairs: rtv is an underestimate";
    std::cout << j.dump(2) << "\n";
  } else {
    if (rtv::activation_is_assumed(path)) std::printf("activation     %s\n", rtv::kReluAssumedNote);
    std::printf("R-TV on B_%g   exact (hyperplanes meeting the ball)  %.10g\n", r, exact);
    std::printf("               numerical (Radon domain)             %.10g  (relative difference %.2e)\n", res.value,
                exact > 0 ? (res.value - exact) / exact : res.value);
    std::printf("               from window R = %g alone %.8g, R = %g alone %.8g (extrapolated above)\n", res.window,
                res.value_R, 2 * res.window, res.value_2R);
    std::printf("recovered neurons (|a| > 1%% of the R-TV): %zu\n", neurons.size());
    for (const auto& s : neurons) {
      std::printf("  gamma = (");
      for (int i = 0; i < s.gamma.size(); ++i) std::printf(i ? ", %.4f" : "%.4f", s.gamma(i));
      std::printf(")  t = %+.4f  a = %+.6f\n", s.t, s.a);
    }
    if (!res.unresolved.empty()) {
      double missing = 0.0;
      for (const auto& u : res.unresolved) missing += 2 * std::min(std::abs(u.a1), std::abs(u.a2));
      std::printf("WARNING: %zu unresolved pair(s) of opposite-sign hyperplanes closer than the boxes separate; their "
                  "coefficients cancel in the numerical value, which misses up to %.6g (kink estimates):\n",
                  res.unresolved.size(), missing);
      for (const auto& u : res.unresolved) {
        auto vec = [](const Eigen::VectorXd& g) {
          std::string out = "(";
          char buf[32];
          for (int i = 0; i < g.size(); ++i) {
            std::snprintf(buf, sizeof buf, i ? ", %.6f" : "%.6f", g(i));
            out += buf;
          }
          return out + ")";
        };
        std::printf("  gamma = %s t = %+.6f a = %+.6f  and  gamma = %s t = %+.6f a = %+.6f  (%.2e rad, %.2e apart)\n",
                    vec(u.gamma1).c_str(), u.t1, u.a1, vec(u.gamma2).c_str(), u.t2, u.a2, u.angle, u.offset);
      }
    }
  }
  return 0;
}

int cmd_seminorm(const std::vector<std::string>& args) {
  std::string grid, network;
  double L = 0.0;
  int angles = 0, pad = 8;
  po::options_description desc(std::string("rtv seminorm NETWORK --radius r [options]\n"
                                           "rtv seminorm --grid IMAGE --extent L [options]\n") + kGrid +
                               "NETWORK (d = 2, 3): the exact R-TV on B_r next to the numerical Radon-domain value "
                               "from the Gaussian-windowed transform and the recovered neurons (README, 'R-TV of a "
                               "network').\nIMAGE: RTV = c_2 |d_t^2 Lambda R f|_M by line sampling of the cubic "
                               "B-spline interpolant, the filter -|omega|^3 (Hann window), offsets zero-padded --pad "
                               "times (f is taken as 0 outside the square: samples that do not vanish at its edge "
                               "are a jump, whose R-TV is infinite; a warning names the edge value).\nOptions");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&network), "network file")(
      "radius", po::value<double>(), "NETWORK: the ball B_r")(
      "window", po::value<double>()->default_value(32.0), "NETWORK: Gaussian window radius R in units of r (also 2R)")(
      "resolution", po::value<int>()->default_value(0),
      "NETWORK: detection grid (d = 2: angles in [0, pi), default 256; d = 3: Gauss-Legendre nodes, default 40)")(
      "grid", po::value<std::string>(&grid), "n x n samples (.npy/.csv)")(
      "extent", po::value<double>(&L), "L: the samples cover [-L, L]^2 at pixel centres")(
      "angles", po::value<int>(&angles)->default_value(0), "IMAGE: angles (0: 2n)")(
      "pad", po::value<int>(&pad)->default_value(8), "IMAGE: zero-padding factor of the offsets (>= 1)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")("json", "JSON output");
  po::positional_options_description pos;
  pos.add("network", 1);
  const auto vm = parse("seminorm", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  const int threads = threads_option(vm);
  if (!network.empty() && !grid.empty()) throw UsageError("seminorm: give either NETWORK or --grid, not both");
  if (!network.empty()) return cmd_seminorm_network(network, vm, threads);
  if (grid.empty()) throw UsageError("seminorm: give NETWORK --radius r or --grid IMAGE --extent L");
  if (!vm.count("extent")) throw UsageError("seminorm: missing --extent L");
  if (angles < 0 || pad < 1) throw UsageError("seminorm: --angles must be >= 0 and --pad >= 1");
  const rtv::Array2D img = read_square(grid, "grid");
  if (img.rows() < 16)
    throw rtv::input_error(grid, "a " + std::to_string(img.rows()) + " x " + std::to_string(img.rows()) +
                                     " grid is too coarse for a meaningful R-TV (the third-order filter needs n >= 16)");
  const rtv::ImageGrid ig = image_grid(static_cast<int>(img.rows()), L);
  const rtv::RtvEstimate e = rtv::rtv_of_image(img, ig.L, angles, pad, threads);
  if (e.edge_jump)  // a numerical outcome, not an error: the value is printed, with the reason to distrust it
    std::fprintf(stderr,
                 "rtv seminorm: warning: %s: the samples do not vanish at the edge of the square (max |f| on the "
                 "boundary %.3g, %.3g of max |f|): f is taken as 0 outside, so this is a jump, whose R-TV is "
                 "infinite; the value grows with n\n",
                 grid.c_str(), e.edge_max, e.peak > 0 ? e.edge_max / e.peak : 0.0);
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["file"] = grid;
    j["n"] = ig.n;
    j["extent"] = ig.L;
    j["rtv"] = e.value;
    j["tail"] = e.tail;
    j["offsets"] = e.offsets;
    j["dt"] = e.dt;
    j["edge_max"] = e.edge_max;
    j["edge_jump"] = e.edge_jump;
    j["edge_threshold"] = rtv::edge_jump_tolerance(ig.n) * e.peak;  // edge_max above it: edge_jump
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("R-TV  %.10g  (n = %d on [-%g, %g]^2; tail beyond the padded offsets %.3g)\n", e.value, ig.n, ig.L, ig.L,
                e.tail);
  }
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
    if (cmd == "phantom") return cmd_phantom(args);
    if (cmd == "radon") return cmd_radon(args);
    if (cmd == "fbp") return cmd_fbp(args);
    if (cmd == "seminorm") return cmd_seminorm(args);
    if (cmd == "train") return cmd_train(args);
    if (cmd == "fit1d") return cmd_fit1d(args);
    if (cmd == "reduce") return cmd_reduce(args);
    if (cmd == "solve") return cmd_solve(args);
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
