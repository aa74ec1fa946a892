// python/src/bindings.hpp: the pieces of the module rtv._rtv (one file per area of the library, each a
// bind_<area>(module) called by module.cpp) and what they share: the conversion of NumPy arrays.
// Conventions (README "Python"): arrays in are NumPy (float64 or float32, any order and strides; converted to
// double where needed), arrays out are float64 NumPy arrays; points are the ROWS of an N x d array (THEORY.md s.1).
// Errors: rtv::InputError -> ValueError (the CLI's message), rtv::InternalError -> RuntimeError (module.cpp).
// Long calls release the GIL (py::gil_scoped_release) and never call back into Python without re-acquiring it.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>

#include <string>

#include "rtv/nets/norms.hpp"

namespace rtv::py {

namespace py = pybind11;

/// Row-major N x d view type: a C-ordered float64 NumPy array maps onto it without a copy.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// An N x d array of points (or a 1-D array of N points in R^1) as the library's column-major matrix.
/// Accepts any numeric dtype and memory layout (a copy into double, the library's storage). TypeError/ValueError
/// naming `what` for other objects or shapes.
Eigen::MatrixXd points(const py::handle& obj, const char* what);
/// A 1-D array of N numbers (a 2-D array with one column is accepted).
Eigen::VectorXd vector(const py::handle& obj, const char* what);
/// The Python type name of obj, for error messages (module.cpp).
std::string type_name(const py::handle& obj);
/// x with 17 significant digits (round-trips a double), for reprs (module.cpp).
std::string g17(double x);
/// float64 NumPy copies of the library's vectors and matrices (bind_nets.cpp); the result types' to_dict use them.
py::array_t<double> numpy_vector(const Eigen::VectorXd& v);
py::array_t<double> numpy_matrix(const Eigen::MatrixXd& M);
/// The numbers of a balance check (rtv/nets/norms.hpp BalanceCheck) as a dict; bind_nets.cpp.
py::dict balance_dict(const BalanceCheck& bc);

void bind_nets(py::module_& m);     // bind_nets.cpp: ShallowNet, DeepNet, norms, balance, objective
void bind_io(py::module_& m);       // bind_io.cpp: network files, state_dicts, arrays
void bind_solvers(py::module_& m);  // bind_solvers.cpp: reduce, solve, fit1d, train
void bind_check(py::module_& m);    // bind_check.cpp: check
void bind_radon(py::module_& m);    // bind_radon.cpp: radon, fbp, filters, phantoms, seminorm
void bind_verify(py::module_& m);   // bind_verify.cpp: the claim harness

}  // namespace rtv::py
