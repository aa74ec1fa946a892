// rtv fit1d: the exact univariate optimum (THEORY.md s.4, univariate.hpp): min-TV interpolation or linear trend
// filtering, and with the skip connection the sparsest optimum.
#include <cmath>
#include <string>
#include <vector>
#include <cstdio>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/solvers/univariate.hpp"

namespace rtv::cli {

namespace {

// The knot positions (jumps = false) or slope jumps (true) of a spline, in knot order.
std::vector<double> knot_field(const rtv::Spline1d& s, bool jumps) {
  std::vector<double> v;
  for (const auto& k : s.knots) v.push_back(jumps ? k.jump : k.x);
  return v;
}

// ": x = x1 (jump j1), x2 (jump j2) ..." (empty without knots).
std::string knot_list(const rtv::Spline1d& s) {
  std::string t;
  for (const auto& k : s.knots) t += (t.empty() ? ": x = " : ", ") + g17(k.x) + " (jump " + g17(k.jump) + ")";
  return t;
}

// The optimum. Without --lambda the problem is min Reg(f) s.t. f(x_n) = y_n: trend_filter_1d at lambda = 0 solves
// it (its lambda = 0 case is min_tv_interpolation and sparsest_interpolant, univariate.hpp), but reports the trend
// filter's objective 1/2 sum (f - y)^2 + 0 Reg = 0; the interpolation problem's objective is Reg itself.
rtv::TrendFilterResult solve(const std::string& data, const Eigen::VectorXd& x, const Eigen::VectorXd& y,
                             bool regularised, double lambda, bool skip) {
  rtv::TrendFilterResult r;
  try {
    r = rtv::trend_filter_1d(x, y, regularised ? lambda : 0.0, skip);
  } catch (const rtv::InputError& e) {  // "solver: duplicate x = ...": name the data file instead of the solver
    rethrow_naming_files(e, {{"*", data}});
  }
  if (!regularised) {
    r.objective = r.regulariser;
    r.message = "optimal (interpolation)";
  }
  return r;
}

void print_fit_json(const std::string& data, const rtv::TrendFilterResult& r, Eigen::Index N, bool regularised,
                double lambda, bool skip) {
  nlohmann::ordered_json j;
  j["file"] = data;
  j["problem"] = regularised ? "trend filtering" : "interpolation";
  j["N"] = N;
  j["lambda"] = regularised ? lambda : 0.0;
  j["skip"] = skip;
  j["objective"] = r.objective;
  j["data_fit"] = r.data_fit;
  j["regulariser"] = r.regulariser;
  j["tv"] = r.tv;
  j["knots"] = r.knots;
  j["knot_positions"] = knot_field(r.spline, false);
  j["knot_jumps"] = knot_field(r.spline, true);
  j["slope_left"] = r.spline.slope_left;
  j["intercept"] = r.spline.intercept;
  j["sparsest_knots"] = skip ? nlohmann::ordered_json(r.sparsest_knots) : nullptr;
  j["sparsest_knot_positions"] = skip ? nlohmann::ordered_json(knot_field(r.sparsest, false)) : nullptr;
  j["duality_gap"] = regularised ? nlohmann::ordered_json(r.duality_gap) : nullptr;
  j["kkt_ok"] = r.kkt_ok;
  j["status"] = r.message;
  rtv::cli::print_json(j);
}

void print_fit_text(const std::string& data, const rtv::TrendFilterResult& r, Eigen::Index N, bool regularised,
                double lambda, bool skip) {
  std::printf("data          %s: N = %ld points\n", data.c_str(), static_cast<long>(N));
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
}

}  // namespace

// THEORY.md s.4: the exact univariate optimum (no training) and, with the skip connection, its sparsest form.
int run_fit1d(const std::vector<std::string>& args) {
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
  check_outputs({data}, {{"-o", out, {".json"}}, {"--sparsest-output", sparse_out, {".json"}}});
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  read_training_data(data, X, y, "fit1d");
  const Eigen::VectorXd x = X.col(0);

  const rtv::TrendFilterResult r = solve(data, x, y, regularised, lambda, skip);
  if (!r.converged || !r.kkt_ok)
    std::fprintf(stderr, "rtv fit1d: warning: %s%s (duality gap %.3g): the result may not be optimal\n",
                 r.message.c_str(), r.kkt_ok ? "" : ", KKT check failed", r.duality_gap);
  // Both outputs serialised before either is written (check_outputs checked both paths above): all or none.
  const std::string spline_json = out.empty() ? "" : rtv::network_to_json(rtv::to_network(r.spline, skip, x.mean()));
  const std::string sparse_json = sparse_out.empty() ? "" : rtv::network_to_json(rtv::to_network(r.sparsest, true));
  if (!out.empty()) rtv::write_file_atomic(out, spline_json);
  if (!sparse_out.empty()) rtv::write_file_atomic(sparse_out, sparse_json);
  if (vm.count("json"))
    print_fit_json(data, r, x.size(), regularised, lambda, skip);
  else
    print_fit_text(data, r, x.size(), regularised, lambda, skip);
  return 0;
}

}  // namespace rtv::cli
