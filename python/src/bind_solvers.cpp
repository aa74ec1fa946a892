// python/src/bind_solvers.cpp: (to be written)
#include "bindings.hpp"

namespace rtv::py {

void bind_solvers(py::module_& m) { (void)m; }

}  // namespace rtv::py
