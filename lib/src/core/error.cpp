// Internal-invariant failures: thrown as rtv::InternalError naming the expression and the place (core/error.hpp),
// never an abort, so that a host process such as the Python interpreter survives a bug in rtv; and one_line, which
// keeps every InputError message on one line.
#include "rtv/core/error.hpp"

#include <cstdio>
#include <string>

namespace rtv {

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string one_line(const std::string& s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) out += ch;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& msg) {
  throw InternalError(std::string(file) + ":" + std::to_string(line) + ": assertion '" + expr + "' failed: " + msg);
}

}  // namespace rtv
