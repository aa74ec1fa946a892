// rtv seminorm: the numerical Radon-domain R-TV (THEORY.md s.3) of a network on a ball B_r next to the exact value,
// with the recovered neurons (radon_measure.hpp), or of a 2D function sampled on a grid (seminorm.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "rtv/radon/seminorm.hpp"

namespace rtv::cli {

namespace {

int cmd_seminorm_network(const std::string& path, const po::variables_map& vm, int threads) {
  if (!vm.count("radius")) throw UsageError("seminorm: a NETWORK needs --radius r (the R-TV is taken on the ball B_r)");
  const double r = vm["radius"].as<double>();  // radon_rtv_ball checks it ("radius") and the resolution ("angles")
  const rtv::ShallowNet net = rtv::read_network(path);
  if (net.dim() != 2 && net.dim() != 3)
    throw rtv::input_error(path, "input dimension " + std::to_string(net.dim()) +
                                     ": the Radon-domain R-TV is implemented for d = 2 and 3 (use 'rtv inspect "
                                     "--radius' for the exact value in any d)");
  rtv::RadonRtvOptions o;
  o.threads = threads;
  // --window is in units of r and must be > 0 (the library's 0 means its default, 32 r, which --window 0 is not).
  const double window = vm["window"].as<double>();
  if (!(window > 0) || !std::isfinite(window))  // (NaN passed "window <= 0": issue 20)
    throw UsageError("seminorm: --window must be a positive finite number (in units of r), got " + g17(window));
  o.window = window * r;
  o.angles = vm["resolution"].as<int>();
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
    print_json(j);
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

}  // namespace

int run_seminorm(const std::vector<std::string>& args) {
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
      "pad", po::value<int>(&pad)->default_value(8), "IMAGE: zero-padding factor of the offsets (1 to 256)")(
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
  // (rtv_of_image checks --pad, the grid and the sizes; its "angles" is --angles here, not --resolution.)
  if (angles < 0) throw UsageError("seminorm: --angles must be >= 0 (0: 2n)");
  const rtv::Array2D img = read_square(grid, "grid");
  const rtv::ImageGrid ig = image_grid(static_cast<int>(img.rows()), L);
  rtv::RtvEstimate e;
  try {
    e = rtv::rtv_of_image(img, ig.L, angles, pad, threads);
  } catch (const rtv::InputError& x) {
    rethrow_naming_files(x, {{"image", grid}});
  }
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
    print_json(j);
  } else {
    std::printf("R-TV  %.10g  (n = %d on [-%g, %g]^2; tail beyond the padded offsets %.3g)\n", e.value, ig.n, ig.L, ig.L,
                e.tail);
  }
  return 0;
}

}  // namespace rtv::cli
