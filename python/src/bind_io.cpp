// python/src/bind_io.cpp: (to be written)
#include "bindings.hpp"

namespace rtv::py {

void bind_io(py::module_& m) { (void)m; }

}  // namespace rtv::py
