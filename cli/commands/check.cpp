// rtv check: the theory's diagnostics for the user's own trained network (rtv/check/check.hpp; THEORY.md s.2, s.3,
// s.5, s.6): one verdict per diagnostic with the theorem, the measured value and the bar. Exit status 0 when every
// diagnostic holds, 1 when one fails, 2 for bad input.
// JSON keys: network, data, kind ("shallow"/"deep"), N, d, K, skip_connection, lambda, lambda_estimated,
// lambda_estimate {value, min, max, relative_spread, neurons}, objective, data_fit, weight_decay, path_norm, rtv,
// rtv_ball, data_radius, optimum, optimum_gap, optimum_neurons, reduced_neurons, output, passed, diagnostics
// [{id, title, theorem, verdict, measured, op, bar, summary, details}], activation (put_activation).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/check/check.hpp"
#include "rtv/core/version.hpp"
#include "rtv/io/junit.hpp"
#include "rtv/io/network_json.hpp"

namespace rtv::cli {

namespace {

// The command's JSON: the files first, then the library's serialisation of the report (check_report_json), then the
// reduced network's file.
nlohmann::ordered_json to_json(const rtv::CheckReport& rep, const std::string& network, const std::string& data,
                               const std::string& output) {
  nlohmann::ordered_json j;
  j["network"] = network;
  if (!rep.deep) j["data"] = data;
  const nlohmann::ordered_json report = nlohmann::ordered_json::parse(rtv::check_report_json(rep));
  for (const auto& [key, value] : report.items()) j[key] = value;
  if (!rep.deep && !output.empty()) j["output"] = output;
  return j;
}

void print_check_text(const rtv::CheckReport& rep, const std::string& network, const std::string& data) {
  if (rep.deep) {
    std::printf("network    %s (deep ReLU network, input dimension %d)\n", network.c_str(), rep.d);
  } else {
    std::printf("network    %s (%d neurons, d = %d, %s)\n", network.c_str(), rep.K, rep.d,
                rep.skip ? "skip connection" : "no skip connection");
    std::printf("data       %s (N = %d)\n", data.c_str(), rep.N);
    if (rep.lambda > 0)
      std::printf("lambda     %.6g (%s); J = %.10g = data fit %.10g + lambda WD %.10g\n", rep.lambda,
                  rep.lambda_estimated ? "estimated from the stationarity equations" : "given", rep.objective,
                  rep.data_fit, rep.lambda * rep.weight_decay);
  }
  for (const rtv::Diagnostic& d : rep.diagnostics) {
    std::printf("\n[%-5s] %s: %s\n", rtv::to_string(d.verdict), d.title.c_str(), d.summary.c_str());
    if (!d.op.empty() && (d.verdict == rtv::Verdict::Holds || d.verdict == rtv::Verdict::Fails))
      std::printf("        measured %.3g, bar %s %.3g\n", d.measured, d.op.c_str(), d.bar);
    std::printf("        theorem: %s\n", d.theorem.c_str());
    for (const std::string& line : d.details) std::printf("        %s\n", line.c_str());
  }
  int fails = 0;
  std::string failed;
  for (const rtv::Diagnostic& d : rep.diagnostics)
    if (d.verdict == rtv::Verdict::Fails) failed += (fails++ ? ", " : "") + d.id;
  if (fails == 0)
    std::printf("\nverdict    every diagnostic holds (notes and n/a do not fail)\n");
  else
    std::printf("\nverdict    %d diagnostic%s FAIL: %s\n", fails, fails == 1 ? "" : "s", failed.c_str());
}

// One JUnit testcase per diagnostic (classname rtv.check): a failure carries the summary with the measured value and
// the bar; notes and n/a are passing cases whose output says so.
void write_junit_report(const rtv::CheckReport& rep, const std::string& path, const std::string& network,
                        const std::string& data) {
  std::vector<rtv::JunitCase> cases;
  for (const rtv::Diagnostic& d : rep.diagnostics) {
    rtv::JunitCase c;
    c.name = d.id + " " + d.title;
    c.classname = "rtv.check";
    c.failed = d.verdict == rtv::Verdict::Fails;
    std::string bar;
    if (!d.op.empty()) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "measured %.6g, bar %s %.6g", d.measured, d.op.c_str(), d.bar);
      bar = buf;
    }
    if (c.failed) {
      c.failure_message = d.title + ": " + bar;
      c.failure_text = d.summary;
    }
    c.output = std::string("verdict: ") + rtv::to_string(d.verdict) + "\n" + d.summary + "\n" +
               (bar.empty() ? "" : bar + "\n") + "theorem: " + d.theorem + "\n";
    for (const std::string& line : d.details) c.output += line + "\n";
    cases.push_back(c);
  }
  rtv::JunitProperties props = {{"rtv_version", rtv::kVersion}, {"network", network}};
  if (!rep.deep) {
    props.emplace_back("data", data);
    props.emplace_back("lambda", g17(rep.lambda));
    props.emplace_back("lambda_estimated", rep.lambda_estimated ? "true" : "false");
  }
  rtv::write_junit(path, "rtv check " + network, cases, props);
}

}  // namespace

int run_check(const std::vector<std::string>& args) {
  std::string network, data, out, junit;
  rtv::CheckOptions opt;
  po::options_description desc(
      "rtv check NETWORK DATA [--lambda L] [--json] [--junit FILE] [-o REDUCED.json] [thresholds]\n"
      "Is this trained network what the theory says a solution of weight-decay training is, and how far from the\n"
      "global optimum? One verdict per diagnostic, each with its theorem, the measured value and the bar:\n"
      "balance (s.2), lambda, stationarity (subdifferential at points on a hyperplane), R-TV vs path norm (s.3),\n"
      "sparsity (N - (d + 1), s.5), global optimality (d = 1 exact, d = 2 certified, s.5), optionally the Radon\n"
      "domain (d = 2, 3). Deep networks (no DATA): per-stage balance, linear chains vs their Schatten value, ranks.\n"
      "J = 1/2 sum (f(x_n) - y_n)^2 + lambda WD. PyTorch: SGD weight_decay wd on the weights with MSELoss (mean over\n"
      "N points) is lambda = N wd / 2. Exit status 0: every diagnostic holds; 1: one fails; 2: bad input.\nOptions");
  desc.add_options()("help,h", "print this help")("network", po::value<std::string>(&network), "network file")(
      "data", po::value<std::string>(&data), "training data x1..xd, y (.csv or .npy)")(
      "lambda", po::value<double>(&opt.lambda), "the regularisation weight (default: estimated)")(
      "tol", po::value<double>(&opt.tol)->default_value(1e-3, "1e-3"),
      "bar of the balance, stationarity and R-TV verdicts (relative)")(
      "kink-tol", po::value<double>(&opt.kink_tol)->default_value(1e-4, "1e-4"),
      "a point with |w.x - b| <= kink-tol (|w||x| + |b|) lies on the hyperplane (ReLU slope in [0, 1])")(
      "carry-tol", po::value<double>(&opt.carry_tol)->default_value(rtv::kCarryRelTol, "1e-6"),
      "neurons judged: 1/2 (v^2 + |w|^2) >= carry-tol * the largest")(
      "max-gap", po::value<double>(&opt.max_gap)->default_value(1e-2, "0.01"),
      "bar of the relative gap to the global optimum")(
      "require-sparse", "more distinct neurons than N - (d + 1) fails (default: a note)")(
      "no-optimum", "skip the global optimum")("radon", "also measure the R-TV in the Radon domain (d = 2, 3)")(
      "threads", po::value<int>(&opt.threads)->default_value(0), "threads of the Radon-domain measurement (0: all)")(
      "output,o", po::value<std::string>(&out), "write the reduced network (.json, atomically)")(
      "json", "machine-readable output (keys in the README)")(
      "junit", po::value<std::string>(&junit), "also write the verdicts as JUnit XML (one testcase per diagnostic)");
  po::positional_options_description pos;
  pos.add("network", 1).add("data", 1);
  const auto vm = parse("check", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (network.empty()) throw UsageError("check: missing NETWORK (a .json or .npz file)");
  if (vm.count("lambda") && !(opt.lambda > 0 && std::isfinite(opt.lambda)))
    throw UsageError("check: --lambda must be a finite number > 0, got " + g17(opt.lambda));
  if (!(opt.tol > 0 && opt.tol < 1)) throw UsageError("check: --tol must be in (0, 1), got " + g17(opt.tol));
  if (!(opt.kink_tol >= 0 && opt.kink_tol < 1))
    throw UsageError("check: --kink-tol must be in [0, 1), got " + g17(opt.kink_tol));
  if (!(opt.carry_tol >= 0 && opt.carry_tol < 1))
    throw UsageError("check: --carry-tol must be in [0, 1), got " + g17(opt.carry_tol));
  if (!(opt.max_gap >= 0 && std::isfinite(opt.max_gap)))
    throw UsageError("check: --max-gap must be a finite number >= 0, got " + g17(opt.max_gap));
  check_outputs({network, data}, {{"-o", out, {".json"}}, {"--junit", junit, {}}});
  opt.require_sparse = vm.count("require-sparse") > 0;
  opt.optimum = vm.count("no-optimum") == 0;
  opt.radon = vm.count("radon") > 0;
  opt.threads = threads_option(vm);
  opt.unit_roundoff = rtv::network_file_unit_roundoff(network);
  opt.progress = [](const std::string& what) { std::fprintf(stderr, "rtv check: computing %s ...\n", what.c_str()); };

  rtv::CheckReport rep;
  if (rtv::network_file_kind(network) == rtv::NetworkKind::kDeep) {
    if (!out.empty()) throw UsageError("check: -o applies to shallow networks (" + network + " is deep)");
    rep = rtv::check_deep_network(rtv::read_deep_network(network), opt);
  } else {
    if (data.empty()) throw UsageError("check: missing DATA (the training data x1..xd, y as .csv or .npy)");
    const rtv::ShallowNet net = rtv::read_network(network);
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    read_training_data(data, X, y);
    try {
      rep = rtv::check_network(net, X, y, opt);
    } catch (const rtv::InputError& e) {
      rethrow_naming_files(e, {{"network", network}, {"data", data}});
    }
    if (!out.empty()) {
      if (rep.reduced.dim() == 0)
        throw rtv::input_error(data, "no reduced network to write (-o): the reduction does not apply to these data");
      rtv::write_network_json(rep.reduced, out);
    }
  }
  if (!junit.empty()) write_junit_report(rep, junit, network, data);
  if (vm.count("json")) {
    nlohmann::ordered_json j = to_json(rep, network, data, out);
    put_activation(j, network);
    print_json(j);
  } else {
    print_check_text(rep, network, data);
    if (rtv::activation_is_assumed(network)) std::printf("activation %s\n", rtv::kReluAssumedNote);
    if (!out.empty()) std::printf("wrote      %s (the reduced network)\n", out.c_str());
  }
  return rep.passed() ? 0 : 1;
}

}  // namespace rtv::cli
