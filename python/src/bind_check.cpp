// python/src/bind_check.cpp: (to be written)
#include "bindings.hpp"

namespace rtv::py {

void bind_check(py::module_& m) { (void)m; }

}  // namespace rtv::py
