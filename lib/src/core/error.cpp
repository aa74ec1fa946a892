// Internal-invariant failures: print where and abort (an assertion, not an exception: STYLE.md item 10).
#include "rtv/core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace rtv {

void assertion_failed(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "rtv: internal error: %s:%d: assertion '%s' failed: %s\n", file, line, expr, msg.c_str());
  std::abort();
}

}  // namespace rtv
