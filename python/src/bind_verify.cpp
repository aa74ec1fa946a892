// python/src/bind_verify.cpp: (to be written)
#include "bindings.hpp"

namespace rtv::py {

void bind_verify(py::module_& m) { (void)m; }

}  // namespace rtv::py
