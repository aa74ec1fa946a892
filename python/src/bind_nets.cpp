// python/src/bind_nets.cpp: rtv.ShallowNet and rtv.DeepNet (rtv/nets/network.hpp, deep.hpp), their norms and
// balance (norms.hpp; THEORY.md s.1-s.3, s.6) and the objective J (network.hpp).
#include <sstream>

#include "bindings.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv::py {

py::array_t<double> numpy_vector(const Eigen::VectorXd& v) {
  py::array_t<double> a(v.size());
  std::copy(v.data(), v.data() + v.size(), a.mutable_data());
  return a;
}

py::array_t<double> numpy_matrix(const Eigen::MatrixXd& M) {
  py::array_t<double> a({M.rows(), M.cols()});
  auto w = a.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < M.rows(); ++i)
    for (Eigen::Index j = 0; j < M.cols(); ++j) w(i, j) = M(i, j);
  return a;
}

namespace {

py::array_t<double> to_numpy(const Eigen::VectorXd& v) { return numpy_vector(v); }
py::array_t<double> to_numpy(const Eigen::MatrixXd& M) { return numpy_matrix(M); }

ShallowNet make_net(const py::object& W, const py::object& b, const py::object& v, const py::object& c, double c0,
                    bool skip) {
  ShallowNet n;
  n.W = points(W, "W");
  n.b = vector(b, "b");
  n.v = vector(v, "v");
  n.skip = skip;
  n.c = c.is_none() ? Eigen::VectorXd::Zero(n.W.cols()) : vector(c, "c");
  n.c0 = c0;
  n.validate("network");
  return n;
}

}  // namespace

py::dict balance_dict(const BalanceCheck& bc) {
  py::dict d;
  d["carry_tol"] = bc.carry_tol;
  d["judged"] = bc.judged;
  d["excluded"] = bc.excluded;
  d["excluded_wd_share"] = bc.excluded_wd_share;
  d["max_imbalance"] = bc.max_imbalance;
  d["max_imbalance_all"] = bc.max_imbalance_all;
  d["relative_excess"] = bc.relative_excess;
  return d;
}

py::dict shallow_to_dict(const ShallowNet& n);

py::dict shallow_to_dict(const ShallowNet& n) {
  py::dict d;
  d["W"] = to_numpy(n.W);
  d["b"] = to_numpy(n.b);
  d["v"] = to_numpy(n.v);
  d["c"] = to_numpy(n.c);
  d["c0"] = n.c0;
  d["skip"] = n.skip;
  return d;
}

void bind_nets(py::module_& m) {
  // The library's tolerances that rtv.inspect reports (core/tolerances.hpp, norms.hpp).
  m.attr("TOL_HYPERPLANE_MERGE") = tol::kHyperplaneMerge;
  m.attr("TOL_BALANCED") = tol::kBalanced;
  m.attr("CARRY_REL_TOL") = kCarryRelTol;
  py::class_<ShallowNet>(m, "ShallowNet", R"doc(
A shallow ReLU network with optional skip connection (THEORY.md s.1):

    f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0,   x in R^d.

The bias enters with a MINUS sign (PyTorch's Linear computes W x + b; ShallowNet.from_torch flips it). W is K x d
(row k is w_k), b and v have K entries, c has d (zero without skip connection). Weight decay
WD = 1/2 sum_k (v_k^2 + |w_k|^2) does not count b, c, c0.)doc")
      .def(py::init(&make_net), py::arg("W"), py::arg("b"), py::arg("v"), py::arg("c") = py::none(),
           py::arg("c0") = 0.0, py::arg("skip") = true,
           "ShallowNet(W, b, v, c=None, c0=0.0, skip=True); arrays of any float dtype, copied to float64")
      .def_static("zeros", &ShallowNet::zeros, py::arg("d"), py::arg("K"), py::arg("skip") = true)
      .def_property("W", [](const ShallowNet& n) { return to_numpy(n.W); },
                    [](ShallowNet& n, const py::object& a) { n.W = points(a, "W"); })
      .def_property("b", [](const ShallowNet& n) { return to_numpy(n.b); },
                    [](ShallowNet& n, const py::object& a) { n.b = vector(a, "b"); })
      .def_property("v", [](const ShallowNet& n) { return to_numpy(n.v); },
                    [](ShallowNet& n, const py::object& a) { n.v = vector(a, "v"); })
      .def_property("c", [](const ShallowNet& n) { return to_numpy(n.c); },
                    [](ShallowNet& n, const py::object& a) { n.c = vector(a, "c"); })
      .def_readwrite("c0", &ShallowNet::c0)
      .def_readwrite("skip", &ShallowNet::skip)
      .def_property_readonly("dim", &ShallowNet::dim, "input dimension d")
      .def_property_readonly("width", &ShallowNet::width, "number of neurons K")
      .def("validate", &ShallowNet::validate, py::arg("source") = "network",
           "ValueError naming `source` on inconsistent shapes or non-finite values")
      .def(
          "__call__",
          [](const ShallowNet& n, const py::object& X) {
            const Eigen::MatrixXd P = points(X, "X");
            if (P.cols() != n.dim())
              throw py::value_error("X: points in R^" + std::to_string(P.cols()) + " but the network's input dimension is " +
                                    std::to_string(n.dim()));
            Eigen::VectorXd f;
            {
              py::gil_scoped_release release;
              f = evaluate(n, P);
            }
            return to_numpy(f);
          },
          py::arg("X"), "f(x_n) for every row x_n of X (N x d; a 1-D array is N points in R^1)")
      .def("evaluate", [](const py::object& self, const py::object& X) { return self(X); }, py::arg("X"))
      .def("weight_decay", [](const ShallowNet& n) { return weight_decay(n); }, "1/2 sum_k (v_k^2 + |w_k|^2)")
      .def("path_norm", [](const ShallowNet& n) { return path_norm(n); }, "sum_k |v_k| |w_k| (THEORY.md s.2)")
      .def("rtv", [](const ShallowNet& n) { return rtv_exact(n); },
           "exact R-TV on R^d: sum over distinct hyperplanes of |sum a_k|, a_k = v_k |w_k| (THEORY.md s.3)")
      .def("rtv_ball", [](const ShallowNet& n, double r) { return rtv_exact_ball(n, r); }, py::arg("r"),
           "exact R-TV on the open ball B_r")
      .def("balance", [](const ShallowNet& n) { return balance(n); },
           "the same function with every neuron balanced, |v_k| = |w_k| (minimises WD over rescalings; WD = PN)")
      .def("check_balance", [](const ShallowNet& n, double carry_tol) { return balance_dict(check_balance(n, carry_tol)); },
           py::arg("carry_tol") = kCarryRelTol, "the balance verdict's numbers as rtv inspect reports them")
      .def("distinct_hyperplanes", [](const ShallowNet& n) { return count_active_hyperplanes(distinct_hyperplanes(n)); },
           "the number of distinct hyperplanes with nonzero coefficient")
      .def(
          "objective",
          [](const ShallowNet& n, const py::object& X, const py::object& y, double lambda) {
            const Eigen::MatrixXd P = points(X, "X");
            const Eigen::VectorXd t = vector(y, "y");
            if (P.cols() != n.dim() || P.rows() != t.size())
              throw py::value_error("X, y: need an N x " + std::to_string(n.dim()) + " array and N targets");
            const Objective J = objective(n, P, t, lambda);
            py::dict d;
            d["total"] = J.total;
            d["data"] = J.data;
            d["weight_decay"] = J.weight_decay;
            return d;
          },
          py::arg("X"), py::arg("y"), py::arg("lam"),
          "J = 1/2 sum (f(x_n) - y_n)^2 + lam WD: dict(total, data, weight_decay) (THEORY.md s.2)")
      .def("to_dict", &shallow_to_dict)
      .def("__repr__", [](const ShallowNet& n) {
        std::ostringstream o;
        o << "ShallowNet(d=" << n.dim() << ", K=" << n.width() << ", skip=" << (n.skip ? "True" : "False")
          << ", path_norm=" << path_norm(n) << ")";
        return o.str();
      });

  py::class_<DeepNet>(m, "DeepNet", "A deep ReLU network of stages (rtv/nets/deep.hpp, THEORY.md s.6).")
      .def_property_readonly("dim", &DeepNet::dim)
      .def_property_readonly("outputs", &DeepNet::outputs)
      .def_property_readonly("num_stages", [](const DeepNet& n) { return n.stages.size(); })
      .def(
          "__call__",
          [](const DeepNet& n, const py::object& X) {
            const Eigen::MatrixXd P = points(X, "X");
            if (P.cols() != n.dim()) throw py::value_error("X: wrong input dimension");
            Eigen::MatrixXd F;
            {
              py::gil_scoped_release release;
              F = evaluate(n, P);
            }
            return to_numpy(F);
          },
          py::arg("X"), "f(x_n) for every row of X: N x outputs")
      .def_property_readonly(
          "stages",
          [](const DeepNet& n) {
            py::list out;
            for (const DeepStage& s : n.stages) {
              py::dict d;
              py::list lin;
              for (const Eigen::MatrixXd& U : s.linear) lin.append(to_numpy(U));
              d["linear"] = lin;
              d["W"] = to_numpy(s.W);
              d["b"] = to_numpy(s.b);
              d["V"] = s.has_V() ? py::object(to_numpy(s.V)) : py::object(py::none());
              d["c"] = to_numpy(s.c);
              d["skip"] = s.skip;
              d["C"] = s.skip ? py::object(to_numpy(s.C)) : py::object(py::none());
              out.append(d);
            }
            return out;
          },
          "the stages' parameters (deep.hpp): dicts linear [U_1..U_m], W, b (neuron relu(w . u - b)), V (None: "
          "identity), c, skip, C (None without skip)")
      .def(
          "stage_summaries",
          [](const DeepNet& n, double rank_tol) {
            // cli/commands/inspect.cpp inspect_deep, field for field.
            const std::vector<double> pn = stage_path_norms(n);
            const std::vector<Eigen::VectorXd> spectra = input_map_spectra(n);
            py::list out;
            for (std::size_t l = 0; l < n.stages.size(); ++l) {
              const DeepStage& s = n.stages[l];
              DeepNet alone;
              alone.stages = {s};
              std::vector<int> widths;
              for (const Eigen::MatrixXd& U : s.linear) widths.push_back(static_cast<int>(U.rows()));
              const Eigen::VectorXd& sv = spectra[l];
              py::dict d;
              d["stage"] = l + 1;
              d["inputs"] = s.inputs();
              d["linear_widths"] = widths;
              d["width"] = s.width();
              d["outputs"] = s.outputs();
              d["has_V"] = s.has_V();
              d["skip"] = s.skip;
              d["weight_decay"] = weight_decay(alone);
              d["path_norm"] = pn[l];
              d["input_map_rows"] = s.width();
              d["input_map_cols"] = s.inputs();
              d["singular_values"] = std::vector<double>(sv.data(), sv.data() + sv.size());
              d["numerical_rank"] = numerical_rank(sv, rank_tol);
              d["entropy_rank"] = entropy_rank(sv);
              out.append(d);
            }
            return out;
          },
          py::arg("rank_tol") = 1e-3,
          "per stage what rtv inspect reports: widths, weight decay, path norm, the input map's singular values, "
          "numerical rank (s_j > rank_tol s_1) and entropy rank (THEORY.md s.6)")
      .def("weight_decay", [](const DeepNet& n) { return weight_decay(n); })
      .def("stage_path_norms", [](const DeepNet& n) { return stage_path_norms(n); })
      .def("balance", [](const DeepNet& n) { return balance(n); })
      .def("__repr__", [](const DeepNet& n) {
        return "DeepNet(d=" + std::to_string(n.dim()) + ", stages=" + std::to_string(n.stages.size()) +
               ", outputs=" + std::to_string(n.outputs()) + ")";
      });
}

}  // namespace rtv::py
