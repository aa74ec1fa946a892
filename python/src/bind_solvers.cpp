// python/src/bind_solvers.cpp: the solvers (rtv/solvers/): the Caratheodory reduction (reduce.hpp, THEORY.md s.5),
// the certified optimum (certified.hpp, d = 2) and exact trend filtering (univariate.hpp, d = 1, THEORY.md s.4), and
// full-batch training (train.hpp, THEORY.md s.2). Each function here returns a dict; rtv/__init__.py wraps it in a
// result type (ReductionResult, SolveResult, Fit1dResult, TrainResult) with __repr__ and to_dict(). The numbers
// are those of the commands rtv reduce / solve / fit1d / train on the same data (the same library calls, in the
// same order; cli/commands/*.cpp).
// The GIL is released around every solver call. train's progress hook re-acquires it every `progress_stride`
// steps, checks for signals (Ctrl-C) and calls the user's callback; an exception from either is thrown through
// the C++ loop (py::error_already_set; the loop holds only RAII state) and reaches Python unchanged.
#include <cmath>
#include <cstdint>
#include <string>

#include "bindings.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/random.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/certified.hpp"
#include "rtv/solvers/reduce.hpp"
#include "rtv/solvers/train.hpp"
#include "rtv/solvers/univariate.hpp"

namespace rtv::py {

namespace {

// X (N x d) and y (N) with matching sizes; ValueError otherwise.
void data_arrays(const py::object& Xo, const py::object& yo, Eigen::MatrixXd& X, Eigen::VectorXd& y) {
  X = points(Xo, "X");
  y = vector(yo, "y");
  if (X.rows() != y.size())
    throw rtv::input_error("X, y", std::to_string(X.rows()) + " points but " + std::to_string(y.size()) + " targets");
}

std::vector<double> knot_field(const Spline1d& s, bool jumps) {
  std::vector<double> v;
  for (const auto& k : s.knots) v.push_back(jumps ? k.jump : k.x);
  return v;
}

// The library's TrainOptions fields are named by the Python arguments in messages ("learning_rate: ..." ->
// "lr: ..."), as the CLI names its flags (cli/common.cpp field_flag).
[[noreturn]] void rethrow_naming_arguments(const rtv::InputError& e) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"lambda", "lam"}, {"learning_rate", "lr"}, {"max_steps", "steps"}, {"strides", "history_stride/progress_stride"}};
  const std::string m = e.what();
  const auto colon = m.find(": ");
  if (colon != std::string::npos)
    for (const auto& [field, arg] : kNames)
      if (m.compare(0, colon, field) == 0) throw rtv::InputError(std::string(arg) + m.substr(colon));
  throw e;
}

py::dict reduce_py(const ShallowNet& net, const py::object& Xo, double merge_tol, double rank_tol) {
  const Eigen::MatrixXd X = points(Xo, "X");
  ReduceOptions opt;
  opt.merge.tol = merge_tol;
  opt.rank_tol = rank_tol;
  opt.validate();
  ReductionResult r;
  {
    py::gil_scoped_release release;
    r = reduce_network(net, X, opt);
  }
  py::dict d;
  d["net"] = r.net;
  d["N"] = X.rows();
  d["d"] = X.cols();
  d["skip"] = net.skip;
  d["neurons_in"] = r.neurons_in;
  d["neurons_merged"] = r.neurons_merged;
  d["neurons_out"] = r.neurons_out;
  d["bound"] = r.bound;
  d["path_norm_in"] = r.path_norm_in;
  d["path_norm_out"] = r.path_norm_out;
  d["max_value_change"] = r.max_value_change;
  d["steps"] = r.steps;
  return d;
}

py::dict solve_py(const py::object& Xo, const py::object& yo, double lambda) {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  data_arrays(Xo, yo, X, y);
  if (!(lambda > 0) || !std::isfinite(lambda))
    throw rtv::input_error("lam", "must be a finite number > 0, got " + g17(lambda));
  const int dim = static_cast<int>(X.cols()), N = static_cast<int>(X.rows());
  if (dim > 2)
    throw rtv::input_error("X", "points in R^" + std::to_string(dim) + ": solve handles d = 1, 2");
  py::dict out;
  ShallowNet net;
  if (dim == 2) {
    CertifiedResult r;
    {
      py::gil_scoped_release release;
      r = certified_optimum_2d(X, y, lambda);
    }
    net = r.net;
    out["objective"] = r.objective;
    out["data_fit"] = r.data_fit;
    out["dual_value"] = r.dual_value;
    out["relative_gap"] = r.relative_gap;
    out["rounds"] = r.rounds;
    out["status"] = r.message;
    out["status_code"] = to_string(r.status);
    out["certified"] = r.certified;
    out["duality_gap"] = r.duality_gap;
    out["oracle_ratio"] = r.oracle_ratio;
    out["atoms"] = r.atoms;
    out["alpha"] = numpy_vector(r.alpha);
    out["gap_history"] = r.gap_history;
  } else {
    TrendFilterResult r;
    const Eigen::VectorXd x = X.col(0);
    {
      py::gil_scoped_release release;
      r = trend_filter_1d(x, y, lambda, true);
    }
    net = to_network(r.spline, true);
    out["objective"] = r.objective;
    out["data_fit"] = r.data_fit;
    out["dual_value"] = r.objective - r.duality_gap;
    out["relative_gap"] = relative_duality_gap(r.objective, r.objective - r.duality_gap, y);
    out["rounds"] = 0;
    out["status"] = r.message;
    out["status_code"] = to_string(r.status);
    out["certified"] = r.kkt_ok;
    out["duality_gap"] = r.duality_gap;
  }
  py::dict d;  // the keys of `rtv solve --json` first, in its order
  d["net"] = net;
  d["N"] = N;
  d["d"] = dim;
  d["lambda"] = lambda;
  d["objective"] = out["objective"];
  d["data_fit"] = out["data_fit"];
  d["path_norm"] = path_norm(net);
  d["dual_value"] = out["dual_value"];
  d["relative_gap"] = out["relative_gap"];
  d["neurons"] = net.width();
  d["bound"] = N - (dim + 1);
  d["rounds"] = out["rounds"];
  d["status"] = out["status"];
  for (const auto& kv : out)
    if (!d.contains(kv.first)) d[kv.first] = kv.second;
  return d;
}

py::dict fit1d_py(const py::object& xo, const py::object& yo, const py::object& lam, bool skip) {
  const Eigen::MatrixXd X = points(xo, "x");
  if (X.cols() != 1)
    throw rtv::input_error("x", "fit1d needs 1-D data: x has " + std::to_string(X.cols()) + " columns");
  const Eigen::VectorXd x = X.col(0);
  const Eigen::VectorXd y = vector(yo, "y");
  if (x.size() != y.size())
    throw rtv::input_error("x, y", std::to_string(x.size()) + " points but " + std::to_string(y.size()) + " targets");
  const bool regularised = !lam.is_none();
  const double lambda = regularised ? lam.cast<double>() : 0.0;
  if (regularised && (!(lambda >= 0) || !std::isfinite(lambda)))
    throw rtv::input_error("lam", "must be a finite number >= 0, got " + g17(lambda));
  TrendFilterResult r;
  {
    py::gil_scoped_release release;
    r = trend_filter_1d(x, y, lambda, skip);
  }
  if (!regularised) {  // as rtv fit1d: the interpolation problem's objective is Reg itself (cli/commands/fit1d.cpp)
    r.objective = r.regulariser;
    r.message = "optimal (interpolation)";
  }
  py::dict d;  // the keys of `rtv fit1d --json` (without "file"), then the networks and the rest
  d["problem"] = regularised ? "trend filtering" : "interpolation";
  d["N"] = x.size();
  d["lambda"] = lambda;
  d["skip"] = skip;
  d["objective"] = r.objective;
  d["data_fit"] = r.data_fit;
  d["regulariser"] = r.regulariser;
  d["tv"] = r.tv;
  d["knots"] = r.knots;
  d["knot_positions"] = knot_field(r.spline, false);
  d["knot_jumps"] = knot_field(r.spline, true);
  d["slope_left"] = r.spline.slope_left;
  d["intercept"] = r.spline.intercept;
  d["sparsest_knots"] = skip ? py::object(py::int_(r.sparsest_knots)) : py::object(py::none());
  d["sparsest_knot_positions"] = skip ? py::object(py::cast(knot_field(r.sparsest, false))) : py::object(py::none());
  d["duality_gap"] = regularised ? py::object(py::float_(r.duality_gap)) : py::object(py::none());
  d["kkt_ok"] = r.kkt_ok;
  d["status"] = r.message;
  // rtv fit1d -o writes to_network(spline, skip, mean x), --sparsest-output to_network(sparsest, true).
  d["net"] = to_network(r.spline, skip, x.mean());
  d["sparsest_net"] = skip ? py::cast(to_network(r.sparsest, true)) : py::object(py::none());
  d["fitted"] = numpy_vector(r.fitted);
  d["converged"] = r.converged;
  d["status_code"] = to_string(r.status);
  d["iterations"] = r.iterations;
  d["knot_tolerance"] = r.knot_tolerance;
  return d;
}

py::dict train_py(const py::object& Xo, const py::object& yo, const py::object& width_o, double lambda,
                  const std::string& optimizer, double lr, int steps, int seed, bool skip, double init_scale,
                  double grad_tol, double rel_tol, int history_stride, double adam_beta1, double adam_beta2,
                  double adam_eps, double active_tol, const py::object& init_o, const py::object& progress, int progress_stride) {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  data_arrays(Xo, yo, X, y);
  TrainOptions o;
  try {
    o.optimizer = parse_optimizer(optimizer);
    o.lambda = lambda;
    o.learning_rate = lr;
    o.max_steps = steps;
    o.grad_tol = grad_tol;
    o.rel_tol = rel_tol;
    o.history_stride = history_stride;
    o.adam_beta1 = adam_beta1;
    o.adam_beta2 = adam_beta2;
    o.adam_eps = adam_eps;
    o.active_tol = active_tol;
    o.validate();
  } catch (const rtv::InputError& e) {
    rethrow_naming_arguments(e);
  }
  if (progress_stride < 1) throw rtv::input_error("progress_stride", "must be >= 1, got " + std::to_string(progress_stride));
  if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
    throw py::type_error("progress: expected a callable progress(step, objective), got " +
                         std::string(py::str(py::type::handle_of(progress).attr("__name__"))));
  ShallowNet init;
  if (!init_o.is_none()) {
    init = init_o.cast<ShallowNet>();
  } else {
    if (width_o.is_none()) throw rtv::input_error("width", "missing: the number of neurons K (or give init=)");
    const int width = width_o.cast<int>();
    if (width < 1) throw rtv::input_error("width", "must be at least 1, got " + std::to_string(width));
    if (seed < 0) throw rtv::input_error("seed", "must be >= 0, got " + std::to_string(seed));
    // As rtv train: the initialisation from Rng(seed) (random.hpp), then train() (cli/commands/train.cpp).
    Rng rng(static_cast<std::uint64_t>(seed));
    init = init_network(rng, static_cast<int>(X.cols()), width, init_scale, skip);
  }
  // The hook runs on the training thread without the GIL: take it, let Python handle a pending signal (Ctrl-C
  // raises KeyboardInterrupt there), call the user's callback. Either failure is thrown through train().
  o.progress_stride = progress_stride;
  o.progress = [&progress](int step, double J) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(step, J);
  };
  TrainResult r;
  try {
    py::gil_scoped_release release;
    r = train(init, X, y, o);
  } catch (const rtv::InputError& e) {
    rethrow_naming_arguments(e);
  }
  py::dict d;
  d["net"] = r.net;
  d["init"] = init;
  d["steps"] = r.steps;
  d["converged"] = r.converged;
  d["status"] = to_string(r.status);
  d["message"] = r.message;
  d["objective"] = r.objective;
  d["grad_norm"] = r.grad_norm;
  d["optimizer"] = optimizer_name(o.optimizer);
  d["lambda"] = lambda;
  d["seed"] = seed;
  py::dict h;
  const std::size_t n = r.history.size();
  py::array_t<double> objective(n), data(n), wd(n), pn(n), imb(n), drift(n);
  py::array_t<int> step(n), active(n);
  for (std::size_t i = 0; i < n; ++i) {
    const TrainRecord& t = r.history[i];
    step.mutable_at(i) = t.step;
    objective.mutable_at(i) = t.objective;
    data.mutable_at(i) = t.data;
    wd.mutable_at(i) = t.weight_decay;
    pn.mutable_at(i) = t.path_norm;
    imb.mutable_at(i) = t.max_imbalance;
    active.mutable_at(i) = t.active;
    drift.mutable_at(i) = t.conserved_drift;
  }
  h["step"] = step;
  h["objective"] = objective;
  h["data"] = data;
  h["weight_decay"] = wd;
  h["path_norm"] = pn;
  h["max_imbalance"] = imb;
  h["active"] = active;
  h["conserved_drift"] = drift;
  d["history"] = h;
  return d;
}

}  // namespace

void bind_solvers(py::module_& m) {
  m.def("_reduce", &reduce_py, py::arg("net"), py::arg("X"), py::arg("merge_tol") = tol::kHyperplaneMerge,
        py::arg("rank_tol") = tol::kReduceRank);
  m.def("_solve", &solve_py, py::arg("X"), py::arg("y"), py::arg("lam"));
  m.def("_fit1d", &fit1d_py, py::arg("x"), py::arg("y"), py::arg("lam") = py::none(), py::arg("skip") = true);
  m.def("_train", &train_py, py::arg("X"), py::arg("y"), py::arg("width"), py::arg("lam"), py::arg("optimizer"),
        py::arg("lr"), py::arg("steps"), py::arg("seed"), py::arg("skip"), py::arg("init_scale"), py::arg("grad_tol"),
        py::arg("rel_tol"), py::arg("history_stride"), py::arg("adam_beta1"), py::arg("adam_beta2"),
        py::arg("adam_eps"), py::arg("active_tol"), py::arg("init"), py::arg("progress"), py::arg("progress_stride"));
  m.def("_train_init", [](int d, int width, int seed, double scale, bool skip) {
    if (seed < 0) throw rtv::input_error("seed", "must be >= 0, got " + std::to_string(seed));
    Rng rng(static_cast<std::uint64_t>(seed));
    return init_network(rng, d, width, scale, skip);
  });
}

}  // namespace rtv::py
