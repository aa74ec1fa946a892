// python/src/module.cpp: the module rtv._rtv (imported by rtv/__init__.py): error translation, the array
// helpers of bindings.hpp, and one call per area.
#include <cstdio>
#include <string>

#include "bindings.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/version.hpp"

namespace rtv::py {

std::string type_name(const py::handle& obj) { return py::str(py::type::handle_of(obj).attr("__name__")); }

std::string g17(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

namespace {

py::array_t<double> as_double_array(const py::handle& obj, const char* what) {
  if (!py::isinstance<py::array>(obj) && !py::isinstance<py::sequence>(obj) && !PyNumber_Check(obj.ptr()))
    throw py::type_error(std::string(what) + ": expected a NumPy array or a sequence of numbers, got " +
                         type_name(obj));
  try {
    return py::array_t<double, py::array::forcecast>::ensure(obj);
  } catch (const py::error_already_set&) {
    throw py::type_error(std::string(what) + ": cannot convert " + type_name(obj) + " to an array of numbers");
  }
}

}  // namespace

Eigen::MatrixXd points(const py::handle& obj, const char* what) {
  py::array_t<double> a = as_double_array(obj, what);
  if (!a) throw py::type_error(std::string(what) + ": cannot convert " + type_name(obj) + " to an array of numbers");
  if (a.ndim() == 1) {
    Eigen::MatrixXd X(a.shape(0), 1);
    auto r = a.unchecked<1>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i) X(i, 0) = r(i);
    return X;
  }
  if (a.ndim() != 2)
    throw py::value_error(std::string(what) + ": expected an N x d array of points, got " + std::to_string(a.ndim()) +
                          " dimensions");
  Eigen::MatrixXd X(a.shape(0), a.shape(1));
  auto r = a.unchecked<2>();  // any strides
  for (py::ssize_t j = 0; j < a.shape(1); ++j)
    for (py::ssize_t i = 0; i < a.shape(0); ++i) X(i, j) = r(i, j);
  return X;
}

Eigen::VectorXd vector(const py::handle& obj, const char* what) {
  py::array_t<double> a = as_double_array(obj, what);
  if (!a) throw py::type_error(std::string(what) + ": cannot convert " + type_name(obj) + " to an array of numbers");
  if (a.ndim() == 2 && a.shape(1) == 1) a = a.reshape({a.shape(0)});
  if (a.ndim() != 1)
    throw py::value_error(std::string(what) + ": expected a 1-D array, got shape with " + std::to_string(a.ndim()) +
                          " dimensions");
  Eigen::VectorXd v(a.shape(0));
  auto r = a.unchecked<1>();
  for (py::ssize_t i = 0; i < a.shape(0); ++i) v(i) = r(i);
  return v;
}

}  // namespace rtv::py

PYBIND11_MODULE(_rtv, m) {
  namespace py = pybind11;
  m.doc() = "rtv: weight decay is sparse regularisation in the Radon domain (Parhi & Nowak, IEEE SPM 2023), checked "
            "numerically. The C++ library's binding; see README 'Python'.";
  m.attr("__version__") = rtv::kVersion;
  // Bad input -> ValueError with the library's message (the one the CLI prints); a bug -> RuntimeError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const rtv::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const rtv::InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError, (std::string("rtv internal error: ") + e.what()).c_str());
    }
  });
  rtv::py::bind_nets(m);
  rtv::py::bind_io(m);
  rtv::py::bind_solvers(m);
  rtv::py::bind_check(m);
  rtv::py::bind_radon(m);
  rtv::py::bind_verify(m);
}
