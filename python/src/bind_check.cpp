// python/src/bind_check.cpp: rtv.check (rtv/check/check.hpp, `rtv check`; THEORY.md s.2, s.3, s.5, s.6): the theory's
// diagnostics for a user's network. Returns a dict {"report": the keys of `rtv check --json` (cli/commands/check.cpp
// to_json, without the file names network/data/output and the activation fields), "extra": the report's other
// numbers (balance, stationarity, the reduced network)}; rtv/__init__.py wraps it in CheckReport.
// The GIL is released during the check; the progress hook (before each slow step: the optimum, the Radon-domain
// measurement) re-acquires it, checks for signals and calls the user's callback.
#include <cmath>
#include <string>

#include "bindings.hpp"
#include "rtv/check/check.hpp"
#include "rtv/core/error.hpp"

namespace rtv::py {

namespace {


CheckOptions check_options(const py::object& lam, double tol, double kink_tol, double carry_tol, double max_gap,
                           bool require_sparse, bool optimum, bool radon, double unit_roundoff, int threads) {
  CheckOptions opt;
  if (!lam.is_none()) {
    opt.lambda = lam.cast<double>();
    if (!(opt.lambda > 0 && std::isfinite(opt.lambda)))
      throw rtv::input_error("lam", "must be a finite number > 0 (None: estimated), got " + g17(opt.lambda));
  }
  opt.tol = tol;
  opt.kink_tol = kink_tol;
  opt.carry_tol = carry_tol;
  opt.max_gap = max_gap;
  opt.require_sparse = require_sparse;
  opt.optimum = optimum;
  opt.radon = radon;
  opt.unit_roundoff = unit_roundoff;
  opt.threads = threads;
  opt.validate();
  return opt;
}

void install_progress(CheckOptions& opt, const py::object& progress) {
  if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
    throw py::type_error("progress: expected a callable progress(message), got " +
                         std::string(py::str(py::type::handle_of(progress).attr("__name__"))));
  opt.progress = [progress](const std::string& what) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(what);
  };
}

py::dict stationarity_dict(const Stationarity& s) {
  py::dict d;
  d["relative"] = s.relative;
  d["relative_naive"] = s.relative_naive;
  d["max_relative"] = s.max_relative;
  d["max_relative_naive"] = s.max_relative_naive;
  d["worst"] = s.worst;
  d["affine_relative"] = s.affine_relative;
  d["floor"] = s.floor;
  d["gradient_norm"] = s.gradient_norm;
  d["gradient_norm_naive"] = s.gradient_norm_naive;
  d["scale"] = s.scale;
  d["kink_points"] = s.kink_points;
  d["min_kink_distance"] = s.min_kink_distance;
  d["blocks"] = s.blocks;
  return d;
}

// The keys of `rtv check --json` without the file names: the library's one serialisation (check_report_json).
py::dict report_dict(const CheckReport& rep) {
  return py::module_::import("json").attr("loads")(check_report_json(rep)).cast<py::dict>();
}

py::dict extra_dict(const CheckReport& rep) {
  py::dict x;
  x["deep"] = rep.deep;
  if (!rep.deep) {
    x["balance"] = balance_dict(rep.balance);
    x["hidden_bias_imbalance"] = rep.hidden_bias_imbalance;
    x["stationarity"] = stationarity_dict(rep.stationarity);
    x["reduced"] = rep.reduced.dim() > 0 ? py::cast(rep.reduced) : py::object(py::none());
  }
  return x;
}

py::dict result(const CheckReport& rep) {
  py::dict r;
  r["report"] = report_dict(rep);
  r["extra"] = extra_dict(rep);
  return r;
}

}  // namespace

void bind_check(py::module_& m) {
  m.def(
      "_check",
      [](const ShallowNet& net, const py::object& Xo, const py::object& yo, const py::object& lam, double tol,
         double kink_tol, double carry_tol, double max_gap, bool require_sparse, bool optimum, bool radon,
         double unit_roundoff, int threads, const py::object& progress) {
        const Eigen::MatrixXd X = points(Xo, "X");
        const Eigen::VectorXd y = vector(yo, "y");
        CheckOptions opt = check_options(lam, tol, kink_tol, carry_tol, max_gap, require_sparse, optimum, radon,
                                         unit_roundoff, threads);
        install_progress(opt, progress);
        CheckReport rep;
        {
          py::gil_scoped_release release;
          rep = check_network(net, X, y, opt);
        }
        return result(rep);
      },
      py::arg("net"), py::arg("X"), py::arg("y"), py::arg("lam"), py::arg("tol"), py::arg("kink_tol"),
      py::arg("carry_tol"), py::arg("max_gap"), py::arg("require_sparse"), py::arg("optimum"), py::arg("radon"),
      py::arg("unit_roundoff"), py::arg("threads"), py::arg("progress"));
  m.def(
      "_check_deep",
      [](const DeepNet& net, double tol, double carry_tol, double unit_roundoff, const py::object& progress) {
        CheckOptions opt = check_options(py::none(), tol, 1e-4, carry_tol, 1e-2, false, true, false, unit_roundoff, 0);
        install_progress(opt, progress);
        CheckReport rep;
        {
          py::gil_scoped_release release;
          rep = check_deep_network(net, opt);
        }
        return result(rep);
      },
      py::arg("net"), py::arg("tol"), py::arg("carry_tol"), py::arg("unit_roundoff"), py::arg("progress"));
  m.def("lambda_from_pytorch", &lambda_from_pytorch, py::arg("weight_decay"), py::arg("n_points"),
        py::arg("mean_loss") = true,
        "rtv's lambda for PyTorch's weight_decay wd on the weights (SGD): N wd / 2 with MSELoss(reduction='mean') "
        "over N points, wd / 2 with reduction='sum' (check.hpp; data/fixtures/check/README.md).");
}

}  // namespace rtv::py
