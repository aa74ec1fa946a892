// python/src/bind_radon.cpp: (to be written)
#include "bindings.hpp"

namespace rtv::py {

void bind_radon(py::module_& m) { (void)m; }

}  // namespace rtv::py
