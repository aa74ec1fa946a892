// Internal-invariant failures: thrown as rtv::InternalError naming the expression and the place (core/error.hpp),
// never an abort, so that a host process such as the Python interpreter survives a bug in rtv.
#include "rtv/core/error.hpp"

#include <cstdio>
#include <string>

namespace rtv {

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& msg) {
  throw InternalError(std::string(file) + ":" + std::to_string(line) + ": assertion '" + expr + "' failed: " + msg);
}

}  // namespace rtv
